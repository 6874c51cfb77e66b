/**
 * What the reliability suite reports: each test prints its figures (cases
 * tried, faults injected, items lost) on one `reliability` line, the source
 * of the figures in bench/results/ that docs/reliability.md points to; and the loggers the
 * handlers get: silent, or capturing every line for the redaction checks.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  console.log(`reliability ${suite} ${JSON.stringify(figures)}`);
}

export function quietLogger(): Logger {
  return new Logger({
    serviceName: 'clv-test',
    logLevel: (process.env.TEST_LOG_LEVEL as 'ERROR' | undefined) ?? 'SILENT',
  });
}

/** A Powertools logger at DEBUG whose every line lands in `lines` (and nowhere else). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = {
    ...console,
    log: (line: unknown) => void lines.push(String(line)),
    info: (line: unknown) => void lines.push(String(line)),
    warn: (line: unknown) => void lines.push(String(line)),
    error: (line: unknown) => void lines.push(String(line)),
    debug: (line: unknown) => void lines.push(String(line)),
    trace: (line: unknown) => void lines.push(String(line)),
  } as unknown as Console;
  const logger = new Logger({ serviceName: 'clv-test', logLevel: 'DEBUG' });
  // Powertools writes through its own Console on process.stdout (outside dev mode), with no option to
  // pass one: its `console` field is swapped for the capturing one, the JSON lines unchanged.
  (logger as unknown as { console: Console }).console = sink;
  return { logger, lines };
}
