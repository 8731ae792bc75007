// Headless Debian Chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';
import { CHROMIUM, ensureChromium } from './setup.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches Chromium (fresh temporary profile, made by playwright) and opens one page.
 * @param {{viewport?: {width:number,height:number}}} [opts]
 */
export async function launchBrowser(opts = {}) {
  ensureChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  return { browser, context, page };
}
