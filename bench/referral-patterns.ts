/**
 * Shopper-typed referral values through the patterns that read them: the
 * worst inputs for the email pattern the referral reader used before
 * (`^[^\s@]+@[^\s@]+\.[^\s@]+$`, quadratic on a run of dots) and for the
 * legacy-sandbox host pattern (`^[^.]+--[^.]+\.my\.salesforce\.com$`,
 * quadratic on a run of dashes), timed against today's readers on the same
 * inputs. Medians of 5 runs per size. Prints one JSON line.
 */
import { looksLikeSandbox } from '../integrations/salesforce/login-hosts.ts';
import { identityFromValue } from '../integrations/shopify/referral.ts';

const OLD_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const OLD_LEGACY_SANDBOX = /^[^.]+--[^.]+\.my\.salesforce\.com$/;
const sizes = (process.argv[2] ?? '1000,10000,50000').split(',').map(Number);

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[2]!;
}

const rows = sizes.flatMap((n) => {
  const value = `a@${'.'.repeat(n)}@`;
  const host = `a${'-'.repeat(n)}`;
  return [
    {
      case: 'referral value (a@ + dots + @)',
      length: value.length,
      beforeMs: medianMs(() => OLD_EMAIL.test(value)),
      afterMs: medianMs(() => identityFromValue(value)),
    },
    {
      case: 'login URL host (a + dashes)',
      length: host.length,
      beforeMs: medianMs(() => OLD_LEGACY_SANDBOX.test(host)),
      afterMs: medianMs(() => looksLikeSandbox(`https://${host}/`)),
    },
  ];
});
console.log(JSON.stringify(rows));
