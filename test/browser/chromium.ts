/**
 * Debian's Chromium driven by playwright-core (no browser download: .ci/run installs the `chromium`
 * package). Headless, no sandbox (CI runs as root in a container), no GPU, and no background
 * networking: the tests run offline, and Chromium must not reach for the internet on its own.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CLV_CHROMIUM ?? '/usr/bin/chromium';

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new ChromiumMissingError(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (Debian), or set CLV_CHROMIUM to a Chromium binary`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
