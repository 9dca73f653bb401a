// Undo, redo and the timeline scrubber act on the replayed lab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage, screenshot, text, openApp, act } from '../harness.mjs';

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

const used = (page) => text(page, '#disk-disk1-used');

test('undo, redo, scrub back and continue from there (the future forks)', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await openApp(page, server.url);
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.equal(await used(page), '65 MiB');

  await page.getByRole('button', { name: 'Undo' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: /^1 MiB$/ }).waitFor({ timeout: 10_000 });
  await act(page, page.getByRole('button', { name: /^Redo \(1\)$/ }));
  assert.equal(await used(page), '65 MiB');

  // Scrub back to after the first write: the preview says so; continue from there.
  const scrub = page.locator('#history-scrub');
  assert.equal(await scrub.getAttribute('max'), '4');
  await scrub.fill('3');
  assert.match(await text(page, '#history-view'), /^Viewing the lab after operation 3: write rg-snaplab\/disk1 · .* · 1 disk\(s\), 0 snapshot\(s\), 1 MiB written$/);
  await page.getByRole('button', { name: 'Continue from here' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: /^1 MiB$/ }).waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#storage-log'), '3');
  // It is what is stored: a reload shows the forked lab.
  await page.reload();
  await page.locator('#disk-disk1-pages').waitFor({ timeout: 20_000 });
  assert.equal(await used(page), '1 MiB');
  await screenshot(page, 'history.png');
  assert.deepEqual(errors, []);
});
