// Presenter mode, keyboard shortcuts, the step-by-step player, session
// replay, and fault injection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, act } from '../harness.mjs';

const app = useApp();

test('presenter mode: large fonts, shortcuts under ?, and a script played one command at a time', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  const rootFont = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(await rootFont(), '18px');
  await page.locator('body').press('p');
  await page.locator('#presenter-title').waitFor();
  assert.equal(await rootFont(), '26px');

  await page.locator('body').press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  assert.match(await dialog.textContent(), /nPlay the next command of the prepared script/);
  await page.locator('body').press('Escape');
  assert.equal(await dialog.count(), 0);

  await page.locator('body').press('n');
  await page.locator('#snapshot-demo1').waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#presenter-step'), 'Step 1 / 4');
  await page.getByRole('button', { name: 'Play next command' }).click();
  await page.getByRole('button', { name: 'Play next command' }).click();
  await page.locator('#snapshot-demo2').waitFor({ timeout: 10_000 });
  await page.locator('body').press('n');
  await page.locator('#presenter-output').filter({ hasText: '<PageRange><Start>0</Start><End>1048575</End></PageRange>' }).waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#presenter-step'), 'Step 4 / 4');
  await screenshot(page, 'presenter.png');

  // Replay the recorded session through the timeline, quickly.
  await page.locator('#replay-speed').fill('20');
  await page.getByRole('button', { name: 'Replay the session' }).click();
  await page.locator('#history-view').filter({ hasText: 'operation 0:' }).waitFor({ timeout: 5_000 }).catch(() => {});
  await page.locator('#history-scrub').evaluate((el) => new Promise((ok) => {
    const check = () => (el.value === el.max ? ok() : setTimeout(check, 20));
    check();
  }));
  assert.equal(await page.locator('#history-scrub').inputValue(), await page.locator('#history-scrub').getAttribute('max'));
  assert.deepEqual(errors, []);
});

test('fault injection: a full quota changes nothing; a tab closed mid-operation recovers to the state before it', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await page.getByLabel('Text to write').fill('kept');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  assert.equal(await text(page, '#disk-disk1-used'), '512 B');

  await page.getByRole('button', { name: 'Quota exceeded on the next operation' }).click();
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.match(await page.getByRole('alert').textContent(), /^\(QuotaExceeded\) .*QuotaExceededError/);
  assert.equal(await text(page, '#disk-disk1-used'), '512 B');

  await page.getByRole('button', { name: 'Close the tab in the middle of the next operation' }).click();
  await page.getByLabel('Text to write').fill('lost in the crash');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Write text' }).click()]);
  await page.locator('#disk-disk1-pages').waitFor({ timeout: 20_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '512 B', 'the state before the interrupted operation');
  assert.equal(await text(page, '#storage-log'), '3');
  assert.deepEqual(errors.filter((e) => !e.includes('net::')), []);
});

test('fault injection: a writer during a copy does not change what the copy holds', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await page.getByRole('button', { name: 'Write to the disk while a copy runs' }).click();
  await page.getByText(/finished copying while disk1 was being written/).waitFor({ timeout: 10_000 });
  const copy = page.locator('tr[id^="snapshot-copy-demo"][id$="-northeurope"]');
  assert.match(await copy.textContent(), / 100%/);
  assert.equal(await copy.locator('td.used').textContent(), '8 MiB');
  assert.deepEqual(errors, []);
});
