// Shared set-up for the end-to-end tests: serve the built app (dist/) on a
// free loopback port and drive Debian's Chromium with playwright-core.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = fileURLToPath(new URL('.', import.meta.url));
export const DIST = resolve(here, '..', 'dist');
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
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium the way this machine needs (see shared/reference/toolchain.md). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
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
