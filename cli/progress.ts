/**
 * A progress bar on stderr for long work, shown only to a person at a terminal
 * (or when CLV_PROGRESS=1), so piped output and CI logs stay clean.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  advance(by?: number, label?: string): void;
  stop(): void;
}

export function progress(total: number, label: string): Progress {
  const show = process.stderr.isTTY || process.env.CLV_PROGRESS === '1';
  if (!show) return { advance: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% {value}/{total} {step}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { step: '' });
  return {
    advance: (by = 1, step = '') => bar.increment(by, { step }),
    stop: () => bar.stop(),
  };
}
