/** Debian's Chromium, headless, driven by playwright-core (the browser tests skip without the package). */
import { chromium, type Browser } from 'playwright-core';
import { chromium as chromiumPackage } from './debian.ts';

/**
 * Launch it as this machine needs: no sandbox (tests run as root), and none of the background
 * connections the closed network would refuse.
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPackage.program,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
