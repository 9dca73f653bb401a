// The app shell: Yew renders, the engine's disk is shown, buttons act on it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage, screenshot } from '../harness.mjs';

let server;
let browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the Yew app renders the engine disk and reacts to a write and a TRIM', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(server.url);

  // The header is rendered by Yew (index.html has no <h1>): wait for it.
  const heading = page.getByRole('heading', { level: 1 });
  await heading.waitFor({ timeout: 20_000 });
  assert.equal(await heading.textContent(), 'Snaplab');
  assert.match(await page.title(), /Snaplab/);

  // The disk card shows numbers computed by the engine in wasm.
  assert.equal(await page.locator('#disk-title').textContent(), 'Disk disk1');
  assert.equal(await page.locator('#disk-size').textContent(), '32 GiB');
  assert.equal(await page.locator('#disk-pages').textContent(), '67,108,864');
  assert.equal(await page.locator('#disk-used').textContent(), '0 B');

  await page.getByRole('button', { name: 'Write 1 MiB' }).click();
  await page.getByRole('button', { name: 'Write 64 MiB' }).click();
  assert.equal(await page.locator('#disk-used').textContent(), '65 MiB');
  assert.equal(await page.locator('#disk-ranges').textContent(), '1');

  await page.getByRole('button', { name: 'TRIM last write' }).click();
  assert.equal(await page.locator('#disk-used').textContent(), '1 MiB');

  const shot = await screenshot(page, 'shell.png');
  assert.ok(shot.endsWith('shell.png'));
  assert.deepEqual(errors, []);
});

test('a refused write shows the Azure-style code and leaves the disk as it was', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(server.url);
  await page.getByRole('heading', { level: 1 }).waitFor({ timeout: 20_000 });

  // 32 GiB / 64 MiB = 512 writes fill the disk; the 513th reaches past its end.
  const write64 = page.getByRole('button', { name: 'Write 64 MiB' });
  for (let i = 0; i < 512; i++) await write64.click();
  assert.equal(await page.locator('#disk-used').textContent(), '32 GiB');
  await write64.click();

  const alert = page.getByRole('alert');
  assert.match(await alert.textContent(), /^\(InvalidPageRange\) .*past the end of the disk/);
  assert.equal(await page.locator('#disk-used').textContent(), '32 GiB');
  await screenshot(page, 'refusal.png');
  assert.deepEqual(errors, []);
});
