// Two tabs (two pages of one browser profile) on one lab: both write,
// nothing committed is lost, neither corrupts the other, and each follows
// what the other stores, a reset included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, text, openApp, openTab, act } from '../harness.mjs';

const app = useApp();

const used = (page) => text(page, '#disk-disk1-used');

test('two tabs on one lab: both write, each follows the other, a reset in one is seen by the other', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  const pages = [];
  for (let i = 0; i < 2; i++) {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    pages.push(page);
  }
  const [a, b] = pages;
  await openApp(a, app.url);
  await openApp(b, app.url);
  assert.equal(await used(a), '0 B');
  assert.equal(await used(b), '0 B');

  // A writes; B follows without a reload.
  await act(a, a.getByRole('button', { name: 'Write 1 MiB' }));
  assert.equal(await used(a), '1 MiB');
  await b.locator('#disk-disk1-used').filter({ hasText: '1 MiB' }).waitFor({ timeout: 10_000 });

  // B writes on top; A follows.
  await act(b, b.getByRole('button', { name: 'Write 1 MiB' }));
  await a.locator('#disk-disk1-used').filter({ hasText: '2 MiB' }).waitFor({ timeout: 10_000 });

  // Both at once: one commits, the other is refused whole and follows; no write is half-done.
  await Promise.all([
    a.getByRole('button', { name: 'Write 1 MiB' }).click(),
    b.getByRole('button', { name: 'Write 1 MiB' }).click(),
  ]);
  for (const page of pages) {
    await page.waitForFunction(() => document.querySelector('.saving')?.textContent === '', null, { timeout: 20_000 });
  }
  await a.waitForTimeout(500);
  const settled = [await used(a), await used(b)];
  assert.equal(settled[0], settled[1], `both tabs show the same lab: ${settled}`);
  assert.ok(['3 MiB', '4 MiB'].includes(settled[0]), settled[0]);
  // What each shows is what is stored: a fresh page agrees.
  const fresh = await context.newPage();
  await openApp(fresh, app.url);
  assert.equal(await used(fresh), settled[0]);
  await fresh.close();

  // A reset in A is seen by B.
  await openTab(a, 'More');
  a.once('dialog', (d) => d.accept());
  await a.getByRole('button', { name: 'Reset lab' }).click();
  await a.locator('#disk-disk1-used').filter({ hasText: /^0 B$/ }).waitFor({ timeout: 10_000 });
  await b.locator('#disk-disk1-used').filter({ hasText: /^0 B$/ }).waitFor({ timeout: 10_000 });
  // And B's next write lands on the reset lab, seen by A.
  await act(b, b.getByRole('button', { name: 'Write 1 MiB' }));
  await a.locator('#disk-disk1-used').filter({ hasText: '1 MiB' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tab lets go of its lab when another deletes the database or opens a newer version, and says so', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  const a = await context.newPage();
  a.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await openApp(a, app.url);
  await act(a, a.getByRole('button', { name: 'Write 1 MiB' }));

  // Another page of the same origin (as "clear site data" or a reset in a
  // newer Snaplab would) deletes the database: that must not wait for A.
  const b = await context.newPage();
  await b.goto(`${app.url}404-not-the-app`).catch(() => {});
  const deleted = await b.evaluate(() => new Promise((resolve) => {
    const request = indexedDB.deleteDatabase('snaplab');
    request.onsuccess = () => resolve('deleted');
    request.onerror = () => resolve('error');
    request.onblocked = () => setTimeout(() => resolve('still blocked after 5 s'), 5000);
  }));
  assert.equal(deleted, 'deleted');
  const alert = a.getByRole('alert').filter({ hasText: 'deleted in another tab' });
  await alert.waitFor({ timeout: 10_000 });
  assert.match(await alert.textContent(), /Reload this tab to start a new lab/);
  assert.match(await alert.textContent(), /This tab let go of your lab/);

  // Its Reload button starts a new lab.
  await a.getByRole('button', { name: 'Reload this tab' }).click();
  await a.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  assert.equal(await used(a), '0 B');

  // A newer Snaplab (a higher database version) opened in another page: A
  // lets go at once, so the newer one opens without waiting.
  const upgraded = await b.evaluate(() => new Promise((resolve) => {
    const request = indexedDB.open('snaplab', 99);
    request.onsuccess = () => { request.result.close(); resolve('opened'); };
    request.onerror = () => resolve('error');
    request.onblocked = () => setTimeout(() => resolve('still blocked after 5 s'), 5000);
  }));
  assert.equal(upgraded, 'opened');
  await a.getByRole('alert').filter({ hasText: 'A newer Snaplab opened this lab' }).waitFor({ timeout: 10_000 });
  // And this (older) version, reloaded, says why it cannot open the lab.
  await a.reload();
  await a.getByRole('alert').filter({ hasText: 'saved by a newer Snaplab' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  await context.close();
});
