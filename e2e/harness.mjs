// Shared set-up for the end-to-end tests: serve the built app (dist/) on a
// free loopback port and drive Debian's Chromium with playwright-core.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const here = fileURLToPath(new URL('.', import.meta.url));
// SNAPLAB_DIST serves another build (e.g. to compare with an earlier one).
export const DIST = resolve(process.env.SNAPLAB_DIST ?? resolve(here, '..', 'dist'));
export const ARTIFACTS = resolve(here, 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close }. */
export async function serve(root = DIST) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      // Like a real static host: the release build's precompressed file when
      // the browser takes it (e2e/precompress.mjs), else the file itself.
      const accepted = req.headers['accept-encoding'] ?? '';
      for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
        if (!accepted.includes(encoding)) continue;
        const body = await readFile(file + suffix).catch(() => null);
        if (body) {
          res.writeHead(200, { 'content-type': type, 'content-encoding': encoding, vary: 'accept-encoding' }).end(body);
          return;
        }
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': type, vary: 'accept-encoding' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium the way this machine needs (see shared/reference/toolchain.md). */
// Chromium's flags here (shared/reference/toolchain.md): without the
// background-networking ones it stalls on refused connections. The
// Lighthouse benchmark launches it with the same.
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

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A new page that fails the test on any uncaught error or console error. */
export async function newPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return page;
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export const text = (page, selector) => page.locator(selector).textContent();

/** Loads the app and waits until Yew has rendered the lab read from IndexedDB. */
export async function openApp(page, url) {
  await page.goto(url);
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
}

/** Opens a tab of the side panel (Snapshots, Diff, Billing, Violations, History, Lessons, More). */
export async function openTab(page, name) {
  await page.getByRole('tab', { name, exact: true }).click();
  await page.getByRole('tab', { name, exact: true, selected: true }).waitFor();
}

/** Opens a disk's "More actions" (workloads at an offset, resize, SAS, text). */
export async function moreActions(page) {
  const more = page.locator('details.more-workloads');
  if (!(await more.evaluate((d) => d.open))) await more.locator('summary').click();
}

/** Clicks and waits until the operation is stored (the "saving…" marker is empty). */
export async function act(page, locator) {
  await locator.click();
  await page.waitForFunction(() => document.querySelector('.saving')?.textContent === '', null, { timeout: 20_000 });
}

/** Seed 001's portal steps: Create snapshot, name, Incremental, Review + create, Create. */
export async function snapshot(page, { type = 'Incremental', name } = {}) {
  await page.getByRole('button', { name: '+ Create snapshot' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  if (name) await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel(type, { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  // A success closes the dialog; a refusal stays in it, where the user looks.
  await page.waitForFunction(() => !document.querySelector('[role=dialog] button.primary[disabled]'), null, { timeout: 20_000 });
  return (await dialog.isVisible()) ? 'refused' : 'created';
}

/** One server of dist/ and one Chromium for a test file: `const app = useApp();`, then app.url and app.browser. */
export function useApp() {
  const app = {};
  before(async () => {
    app.server = await serve();
    app.url = app.server.url;
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}

/** A page of its own context at `width`x`height`, failing on errors like newPage; `touch` makes it a phone (touch, mobile viewport). */
export async function pageAt(browser, url, { width, height, touch = false }, errors) {
  const context = await browser.newContext({ viewport: { width, height }, hasTouch: touch, isMobile: touch });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  return page;
}

/** Every selector is wholly visible: inside the viewport and inside each scrolling ancestor; and the page itself does not scroll. */
export async function visibleTogether(page, selectors, step) {
  const result = await page.evaluate((selectors) => {
    const out = [];
    for (const sel of selectors) {
      const el = document.querySelector(sel);
      if (!el) {
        out.push(`${sel}: missing`);
        continue;
      }
      const r = el.getBoundingClientRect();
      let clip = { top: 0, left: 0, bottom: innerHeight, right: innerWidth };
      // Scrolling ancestors clip, up to a fixed-position one (a dialog's backdrop, a drawer).
      for (let a = getComputedStyle(el).position === 'fixed' ? null : el.parentElement; a && getComputedStyle(a).position !== 'fixed'; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (/(auto|scroll|hidden)/.test(style.overflow + style.overflowY + style.overflowX)) {
          const c = a.getBoundingClientRect();
          clip = { top: Math.max(clip.top, c.top), left: Math.max(clip.left, c.left), bottom: Math.min(clip.bottom, c.bottom), right: Math.min(clip.right, c.right) };
        }
      }
      const inside = r.width > 0 && r.height > 0 && r.top >= clip.top - 1 && r.left >= clip.left - 1 && r.bottom <= clip.bottom + 1 && r.right <= clip.right + 1;
      if (!inside) out.push(`${sel}: ${JSON.stringify(r)} outside ${JSON.stringify(clip)}`);
    }
    const s = document.scrollingElement;
    if (s.scrollHeight > innerHeight + 1 || s.scrollWidth > innerWidth + 1) out.push(`the page scrolls: ${s.scrollWidth}x${s.scrollHeight}`);
    return out;
  }, selectors);
  assert.deepEqual(result, [], `step "${step}": ${result.join('; ')}`);
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and
 * returns its serious and critical violations, one line each (rule, impact,
 * the elements), printed so a failure says what to fix.
 */
export async function axeViolations(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  // Colours are judged as they settle: a fade-in caught half-way is not the page's contrast.
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => {}))));
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations) console.log(`axe ${where}: ${v.impact} ${v.id} (${v.help}) × ${v.nodes.length}: ${v.nodes.slice(0, 3).join(' | ')}`);
  return bad.map((v) => `${v.impact} ${v.id}: ${v.nodes.join(' | ')}`);
}
