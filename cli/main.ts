/**
 * The `clv` command: fit, evaluate and score from CSV files (and write a simulated one to try them
 * on, `clv example`), set up the
 * Salesforce org (`clv salesforce setup`) and link a workspace to it
 * (`clv salesforce link`), and operate a running stack (backfill, refit,
 * report, customer). Exit codes: 0 on
 * success, 2 for a bad command line or a bad input file (one line naming the
 * file, line and problem, or data no model can be fitted to), 1 for anything else.
 */
import { parseArgs } from 'node:util';
import { InvalidPurchaseError, InvalidSummaryError, NoModelFitsError } from '../shared/clv/index.ts';
import { EVALUATE_HELP, evaluateCommand } from './commands/evaluate.ts';
import { EXAMPLE_HELP, exampleCommand } from './commands/example.ts';
import { FIT_HELP, fitCommand } from './commands/fit.ts';
import type { OperationsDeps } from './commands/stack.ts';
import { OPERATIONS, OPERATIONS_HELP, OPERATIONS_SETTINGS } from './commands/operations.ts';
import {
  SALESFORCE_LINK_HELP,
  SALESFORCE_SETUP_HELP,
  salesforceCommand,
} from './commands/salesforce-setup.ts';
import { SCORE_HELP, scoreCommand } from './commands/score.ts';
import { InputFileError } from './input-error.ts';
import { UsageError } from './usage-error.ts';

const HELP = `clv — customer lifetime value from purchase histories

${FIT_HELP}
${EVALUATE_HELP}
${SCORE_HELP}
${EXAMPLE_HELP}
${SALESFORCE_SETUP_HELP}
${SALESFORCE_LINK_HELP}
${OPERATIONS_HELP}

Transactions CSV: customer_id,date,amount[,margin] (ISO dates); --format cdnow reads the CDNOW files.
clv example writes one, simulated from a BG/NBD + Gamma-Gamma process whose parameters it prints.
Summary CSV: customer_id,frequency,recency,T,monetary_value (in --time-unit).
${OPERATIONS_SETTINGS}`;

/** The options every command may take: those with a value, then the flags (strict parseArgs refuses the rest). */
const VALUE_OPTIONS = [
  'transactions summary format calibration-end holdout-end observation-end time-unit',
  'models model penalty horizon-months discount-rate churn-window-days margin-rate out',
  'instance-url access-token login-url client-id endpoint integration-user org-id flow username',
  'tenant grain currency shop org email id top seed customers',
].flatMap((line) => line.split(' '));
const FLAG_OPTIONS = ['json', 'new-outbound-token', 'sandbox'];

const OPTIONS: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
  ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: 'string' }])),
  ...Object.fromEntries(FLAG_OPTIONS.map((name) => [name, { type: 'boolean' }])),
  help: { type: 'boolean', short: 'h' },
};

type Command = (
  values: Record<string, string | boolean | undefined>,
  args: readonly string[],
  deps: OperationsDeps,
) => string | Promise<string>;

const COMMANDS: Record<string, Command> = {
  fit: fitCommand,
  evaluate: evaluateCommand,
  score: scoreCommand,
  example: exampleCommand,
  salesforce: salesforceCommand,
  ...OPERATIONS,
};

/** `deps` stands in for the process's environment and queues (tests, the local stack). */
export async function main(
  argv: readonly string[],
  write = (s: string) => process.stdout.write(s),
  deps: OperationsDeps = {},
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    const command = positionals[0];
    if (values.help || !command) {
      write(`${HELP}\n`);
      return command || values.help ? 0 : 2;
    }
    const run = COMMANDS[command];
    if (!run)
      throw new UsageError(
        `unknown command "${command}"; use fit, evaluate, score, example, salesforce, backfill, refit, report or customer`,
      );
    write(`${await run(values, positionals.slice(1), deps)}\n`);
    return 0;
  } catch (error) {
    const known =
      error instanceof UsageError ||
      error instanceof InputFileError ||
      error instanceof InvalidPurchaseError ||
      error instanceof InvalidSummaryError ||
      error instanceof NoModelFitsError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`clv: ${(error as Error).message}\n`);
    return known ? 2 : 1;
  }
}
