// Hosted as a static site (issue 11): the app works from a sub-path
// (trunk build --public-url /snaplab/), and offline once it has been loaded
// (its service worker serves it from the cache).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, text, screenshot } from '../harness.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'dist-subpath');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };
let server, url, browser;

before(async () => {
  // Only /snaplab/… exists: an asset asked for at the root would be a 404.
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!path.startsWith('/snaplab/')) return res.writeHead(404).end('not here');
    const rel = path.slice('/snaplab/'.length) || 'index.html';
    const file = join(ROOT, rel);
    if (!file.startsWith(ROOT)) return res.writeHead(403).end();
    try {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${server.address().port}/snaplab/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await new Promise((ok) => server.close(ok));
});

test('from a sub-path, and offline after the first visit', async () => {
  const errors = [];
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Write 1 MiB' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: '1 MiB' }).waitFor({ timeout: 10_000 });
  // The service worker is installed and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10_000 });

  // The network goes away: a reload still opens the app, with the lab as it was.
  await context.setOffline(true);
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '1 MiB');
  await page.getByRole('button', { name: 'Write 1 MiB' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: '2 MiB' }).waitFor({ timeout: 10_000 });
  await screenshot(page, 'offline-subpath.png');
  await context.setOffline(false);
  assert.deepEqual(errors, []);
});
