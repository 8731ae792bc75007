// Finding and reading PRM Lens webviews in the workbench. A webview is two nested iframes (iframe.webview, then
// iframe#active-frame); its inner document's body carries the panel's class (prm-inspector, prm-dataset,
// prm-metrics), which tells the panels apart.
import fs from 'node:fs';
import path from 'node:path';
import { SCREENSHOT_DIR } from '../harness/workbench.mjs';

/** The inner frame of the webview whose body has class `prm-<kind>` (waits for it to exist and be ready). */
export async function webviewFrame(page, kind, { timeout = 30_000, ready = '#app > :not(.loading)' } = {}) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const ok = await frame
        .evaluate((cls) => document.body?.classList.contains(cls) ?? false, `prm-${kind}`)
        .catch(() => false);
      if (ok && (await frame.$(ready).catch(() => null))) return frame;
    }
    await page.waitForTimeout(150);
  }
  throw new Error(`no ready ${kind} webview within ${timeout} ms`);
}

/** Polls `probe` (an async function) until it returns a truthy value. */
export async function until(what, probe, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/** Screenshot of the webview element showing `frame` (what a person sees of the panel). */
export async function screenshotWebview(page, frame, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // The inner frame sits inside iframe.webview: screenshot that element of the workbench page.
  const element = await frame.parentFrame()?.frameElement();
  if (element) await element.screenshot({ path: file });
  else await page.screenshot({ path: file });
  return file;
}

/** Collects the CSP violations, request failures and errors a webview frame reports (for the security test). */
export async function watchFrame(frame) {
  await frame.evaluate(() => {
    window.__prmViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__prmViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return () => frame.evaluate(() => window.__prmViolations);
}
