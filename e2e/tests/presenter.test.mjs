// Presenter mode, keyboard shortcuts, the step-by-step player, session
// replay, and fault injection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, act, openTab, moreActions } from '../harness.mjs';

const app = useApp();

test('presenter mode: large fonts, shortcuts under ?, and a script played one command at a time', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  const rootFont = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(await rootFont(), '15px');
  await page.locator('body').press('p');
  await page.locator('#presenter-title').waitFor();
  assert.equal(await rootFont(), '20px');

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
  await openTab(page, 'History');
  await page.locator('#replay-speed').fill('20');
  // Watch the scrubber while the replay runs: it must really move, from
  // operation 0 through the middle back to now (before, this test passed
  // even when replay did nothing, since the scrubber starts at the end).
  const watched = page.locator('#history-scrub').evaluate((el) => new Promise((done) => {
    const seen = [];
    const started = performance.now();
    const tick = () => {
      const v = Number(el.value);
      if (seen[seen.length - 1] !== v) seen.push(v);
      const back = seen.includes(0) && v === Number(el.max);
      if (back || performance.now() - started > 15_000) done({ seen, max: Number(el.max) });
      else setTimeout(tick, 2);
    };
    tick();
  }));
  await page.getByRole('button', { name: 'Replay the session' }).click();
  const { seen, max } = await watched;
  assert.ok(max >= 4, `a session of several operations (max ${max})`);
  assert.ok(seen.includes(0), `the replay starts at operation 0: ${seen}`);
  assert.ok(seen.some((v) => v > 0 && v < max), `and passes through the middle: ${seen}`);
  assert.equal(seen[seen.length - 1], max, `and ends at now: ${seen}`);
  assert.deepEqual(errors, []);
});

test('fault injection: a full quota changes nothing; a tab closed mid-operation recovers to the state before it', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await moreActions(page);
  await page.getByLabel('Text to write').fill('kept');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  assert.equal(await text(page, '#disk-disk1-used'), '512 B');

  await openTab(page, 'More');
  await page.getByRole('button', { name: 'Quota exceeded on the next operation' }).click();
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.match(await page.getByRole('alert').textContent(), /^\(QuotaExceeded\) .*QuotaExceededError/);
  assert.equal(await text(page, '#disk-disk1-used'), '512 B');

  await openTab(page, 'More');
  await page.getByRole('button', { name: 'Close the tab in the middle of the next operation' }).click();
  await moreActions(page);
  await page.getByLabel('Text to write').fill('lost in the crash');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Write text' }).click()]);
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '512 B', 'the state before the interrupted operation');
  await openTab(page, 'More');
  assert.equal(await text(page, '#storage-log'), '3');
  assert.deepEqual(errors.filter((e) => !e.includes('net::')), []);
});

test('fault injection: a writer during a copy does not change what the copy holds', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await openTab(page, 'More');
  await page.getByRole('button', { name: 'Write to the disk while a copy runs' }).click();
  await page.getByText(/finished copying while disk1 was being written/).first().waitFor({ timeout: 10_000 });
  await openTab(page, 'Snapshots');
  const copy = page.locator('tr[id^="snapshot-copy-demo"][id$="-northeurope"]');
  assert.match(await copy.textContent(), /MiB100%$/);
  assert.equal(await copy.locator('td.used').textContent(), '8 MiB');
  assert.deepEqual(errors, []);
});
