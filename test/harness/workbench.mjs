// Helpers that drive a real VS Code workbench (code-server + headless Chromium) the way a person would.
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer } from './code-server.mjs';
import { launchBrowser } from './browser.mjs';
import { REPO_ROOT } from './setup.mjs';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

/** The active editor: the text editor of the focused editor group. */
const ACTIVE_EDITOR = '.editor-group-container.active .editor-instance';

export class Workbench {
  constructor(server, browser, page, folder) {
    this.server = server;
    this.browser = browser;
    this.page = page;
    this.folder = folder;
    this.consoleErrors = [];
  }

  /**
   * Starts code-server and Chromium, and opens `folder` with the extension at `extensionDevelopmentPath` loaded
   * (the Extension Development Host way: no .vsix needed).
   */
  static async start({
    name = 'ui',
    folder,
    extensionDevelopmentPath = process.env.PRM_LENS_EXTENSION_PATH || REPO_ROOT,
    settings,
    workspaceTrust = false,
  } = {}) {
    const server = await startCodeServer({ name, smokeTestDriver: true, settings, workspaceTrust });
    let browser;
    try {
      const launched = await launchBrowser();
      browser = launched.browser;
      const wb = new Workbench(server, browser, launched.page, folder);
      const logFile = path.join(REPO_ROOT, 'test-results', 'logs', `${name}-console.log`);
      const log = fs.createWriteStream(logFile);
      wb.consoleLog = log;
      wb.page.on('console', (msg) => {
        log.write(`[${msg.type()}] ${msg.text()}\n`);
        if (msg.type() === 'error') wb.consoleErrors.push(msg.text());
      });
      const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
      const payload = [['extensionDevelopmentPath', remote(path.resolve(extensionDevelopmentPath))]];
      const url = `${server.baseUrl}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      await wb.page.goto(url);
      await wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      return wb;
    } catch (e) {
      await browser?.close().catch(() => {});
      await server.stop();
      throw e;
    }
  }

  async close() {
    await this.browser?.close().catch(() => {});
    await this.server.stop();
    this.consoleLog?.end();
  }

  /** Waits for the Explorer to list the folder's files. */
  async waitForExplorer() {
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }

  /** Opens a file by clicking its row in the Explorer (a top-level file of the folder). */
  async openFromExplorer(fileName) {
    await this.waitForExplorer();
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${fileName}"]`);
    await row.first().click();
    await this.waitForEditorTab(fileName);
  }

  /** Opens a file through Quick Open (Ctrl+P). */
  async quickOpen(fileName) {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(fileName);
    // Click the matching row: Enter would open whichever row is focused while the list is still filtering.
    const row = this.page.locator(`.quick-input-list .monaco-list-row[aria-label*="${fileName}"]`).first();
    await row.waitFor();
    await row.click();
    await this.waitForEditorTab(fileName);
  }

  async waitForEditorTab(fileName) {
    await this.page
      .locator(`.tabs-container .tab.active[aria-label*="${fileName}"]`)
      .first()
      .waitFor({ timeout: 20_000 });
    await this.page.locator(`${ACTIVE_EDITOR} .view-lines .view-line`).first().waitFor({ timeout: 20_000 });
  }

  /** Runs a command by its palette title (F1, type, wait for the entry, Enter). */
  async runCommand(title) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first();
    try {
      await row.waitFor({ timeout: 10_000 });
    } catch {
      const shown = await this.page
        .locator('.quick-input-list .monaco-list-row')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      await this.page.keyboard.press('Escape');
      throw new Error(`command palette has no entry "${title}"; it shows: ${JSON.stringify(shown)}`);
    }
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /**
   * Counts the editor's decoration elements by class. Decorations made with createTextEditorDecorationType render
   * as `.cdr.ced-…` elements in `.view-overlays` (backgrounds, borders; "content") and, for gutter icons, as
   * `.cgmr.ced-…` elements in `.glyph-margin-widgets` or `.margin-view-overlays` ("margin").
   */
  async decorationCounts() {
    return this.page.evaluate((sel) => {
      const out = { content: {}, margin: {} };
      for (const el of document.querySelector(sel)?.querySelectorAll('[class*="ced-"]') ?? []) {
        const cls = [...el.classList].find((c) => c.startsWith('ced-'));
        const into = el.closest('.view-overlays') ? out.content : out.margin;
        into[cls] = (into[cls] ?? 0) + 1;
      }
      return out;
    }, ACTIVE_EDITOR);
  }

  /**
   * For the visible line containing `text`: the decoration elements on it, each with its class and computed
   * background and border. Decorations and text lines are matched by their `top` offset (an overlay element's
   * own, or its line container's).
   */
  async lineDecorations(text) {
    return this.page.evaluate(
      ({ sel, text }) => {
        const editor = document.querySelector(sel);
        const line = [...editor.querySelectorAll('.view-lines .view-line')].find((l) =>
          l.textContent.replace(/\u00a0/g, ' ').includes(text),
        );
        if (!line) return null;
        const top = line.style.top;
        const decorations = [];
        for (const el of editor.querySelectorAll('[class*="ced-"]')) {
          if ((el.style.top || el.parentElement?.style.top) !== top) continue;
          const cs = getComputedStyle(el);
          decorations.push({
            where: el.closest('.view-overlays') ? 'content' : 'margin',
            className: [...el.classList].find((c) => c.startsWith('ced-')),
            classes: el.className,
            background: cs.backgroundColor,
            backgroundImage: cs.backgroundImage,
            border: `${cs.borderTopStyle} ${cs.borderTopWidth} ${cs.borderTopColor} / bottom ${cs.borderBottomStyle} ${cs.borderBottomWidth}`,
            borderStyle: cs.borderTopStyle,
          });
        }
        return decorations;
      },
      { sel: ACTIVE_EDITOR, text },
    );
  }

  /** Waits until the active editor shows at least `min` decoration elements (content + margin). */
  async waitForDecorations(min = 1, timeout = 15_000) {
    await this.page.waitForFunction(
      ({ sel, min }) => (document.querySelector(sel)?.querySelectorAll('[class*="ced-"]').length ?? 0) >= min,
      { sel: ACTIVE_EDITOR, min },
      { timeout },
    );
  }

  async waitForNoDecorations(timeout = 10_000) {
    await this.page.waitForFunction(
      (sel) => (document.querySelector(sel)?.querySelectorAll('[class*="ced-"]').length ?? 0) === 0,
      ACTIVE_EDITOR,
      { timeout },
    );
  }

  /** Screen box of `text` inside the visible editor lines (its first occurrence), or null. */
  async textBox(text) {
    return this.page.evaluate(
      ({ sel, text }) => {
        const editor = document.querySelector(sel);
        for (const line of editor.querySelectorAll('.view-lines .view-line')) {
          const walker = document.createTreeWalker(line, 4 /* NodeFilter.SHOW_TEXT */);
          const nodes = [];
          let full = '';
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            nodes.push({ node: n, at: full.length });
            full += n.textContent;
          }
          const i = full.replace(/\u00a0/g, ' ').indexOf(text);
          if (i < 0) continue;
          const start = nodes.findLast((x) => x.at <= i);
          const endAt = i + text.length;
          const end = nodes.findLast((x) => x.at < endAt);
          const range = document.createRange();
          range.setStart(start.node, i - start.at);
          range.setEnd(end.node, endAt - end.at);
          const r = range.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }
        return null;
      },
      { sel: ACTIVE_EDITOR, text },
    );
  }

  /** Hovers the middle of `text` in the editor and returns the visible hover's text. */
  async hover(text, { expect, timeout = 10_000 } = {}) {
    const box = await this.textBox(text);
    if (!box) throw new Error(`"${text}" is not visible in the editor`);
    await this.page.mouse.move(box.x + 2, box.y + box.height / 2);
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    const hover = this.page.locator('.monaco-editor .monaco-hover:not(.hidden)');
    const deadline = Date.now() + timeout;
    let last = '';
    while (Date.now() < deadline) {
      if (await hover.count()) {
        last = (await hover.allInnerTexts()).join('\n');
        if (!expect || last.includes(expect)) return last;
      }
      await this.page.waitForTimeout(100);
    }
    throw new Error(
      `no hover${expect ? ` containing "${expect}"` : ''} over "${text}" within ${timeout} ms; last hover text: ${JSON.stringify(last)}`,
    );
  }

  async dismissHover() {
    await this.page.mouse.move(5, 5);
    await this.page.keyboard.press('Escape');
  }

  /** Opens the Problems panel and returns its rows (file rows and marker rows) as aria-labels and text. */
  async problems({ waitFor, timeout = 10_000 } = {}) {
    if (
      !(await this.page
        .locator('.markers-panel')
        .isVisible()
        .catch(() => false))
    ) {
      await this.page.keyboard.press('Control+Shift+M');
    }
    await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout });
    const read = () =>
      this.page
        .locator('.markers-panel .monaco-list-row')
        .evaluateAll((els) =>
          els.map((e) => ({ aria: e.getAttribute('aria-label') ?? '', text: e.innerText.replace(/\s*\n\s*/g, ' ') })),
        );
    const deadline = Date.now() + timeout;
    let rows = await read();
    while (
      waitFor &&
      !rows.some((r) => r.aria.includes(waitFor) || r.text.includes(waitFor)) &&
      Date.now() < deadline
    ) {
      await this.page.waitForTimeout(100);
      rows = await read();
    }
    return rows;
  }

  /** Hides the bottom panel (Problems etc.) when it is shown. */
  async closePanel() {
    if (
      await this.page
        .locator('.part.panel')
        .isVisible()
        .catch(() => false)
    ) {
      await this.page.keyboard.press('Control+J'); // View: Toggle Panel Visibility
      await this.page
        .locator('.part.panel')
        .waitFor({ state: 'hidden', timeout: 5_000 })
        .catch(() => {});
    }
  }

  /** Texts of the status bar items. */
  async statusBarTexts() {
    return this.page
      .locator('.statusbar-item')
      .evaluateAll((els) => els.map((e) => e.innerText.trim()).filter(Boolean));
  }

  async waitForStatusBar(re, timeout = 10_000) {
    const deadline = Date.now() + timeout;
    let texts = [];
    while (Date.now() < deadline) {
      texts = await this.statusBarTexts();
      const hit = texts.find((t) => re.test(t));
      if (hit) return hit;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`no status bar item matches ${re}; items: ${JSON.stringify(texts)}`);
  }

  /** Screenshot of the active editor (what a person sees of the file), saved as test-results/screenshots/NAME.png. */
  async screenshotEditor(name) {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.locator(ACTIVE_EDITOR).first().screenshot({ path: file });
    return file;
  }

  /** Screenshot of the whole window. */
  async screenshot(name) {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** PNG bytes of the editor's overview ruler (a canvas: marks show only as pixels). */
  async overviewRulerPng() {
    return this.page.locator(`${ACTIVE_EDITOR} canvas.decorationsOverviewRuler`).first().screenshot();
  }

  /**
   * Opens the notification center and returns its notifications' texts. With the smoke-test driver on (as here)
   * the workbench never shows toasts: every notification, progress included, is read and acted on in the center.
   */
  async notifications() {
    await this.showNotifications();
    return this.page
      .locator('.notifications-center .notification-list-item')
      .evaluateAll((els) => els.map((e) => e.innerText.replace(/\s*\n\s*/g, ' ')));
  }

  /** Opens the notification center (a no-op when it is open). */
  async showNotifications() {
    if (await this.page.locator('.notifications-center.visible').count()) return;
    await this.runCommand('Notifications: Show Notifications');
  }

  /** Closes the notification center, so it does not cover the editor. */
  async hideNotifications() {
    const center = this.page.locator('.notifications-center.visible');
    if (!(await center.count())) return;
    try {
      await this.runCommand('Notifications: Hide Notifications');
    } catch (e) {
      // The command exists only while the center is open: it may have closed by itself meanwhile (its last
      // notification went), which is what was wanted.
      if (await center.count()) throw e;
    }
    await center.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {});
  }

  /**
   * The notification in the center whose text contains `text` (a locator, to read or click its buttons). The center
   * closes by itself when its last notification goes (a finished progress), so it is opened again while waiting.
   */
  async notification(text, timeout = 15_000) {
    const item = this.page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
    const deadline = Date.now() + timeout;
    for (;;) {
      await this.showNotifications();
      if (await item.count()) return item;
      if (Date.now() > deadline) {
        const shown = await this.page.locator('.notifications-center .notification-list-item').allInnerTexts();
        throw new Error(
          `no notification containing "${text}" within ${timeout} ms; the center shows ${JSON.stringify(shown)}`,
        );
      }
      await this.page.waitForTimeout(200);
    }
  }
}
