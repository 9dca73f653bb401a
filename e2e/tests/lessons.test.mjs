// A lesson solved through the UI is checked live and remembered across a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, snapshot, openTab, moreActions } from '../harness.mjs';

const app = useApp();

test('solve the first lesson through the UI, reload, and see it marked solved', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await openTab(page, 'Lessons');
  await page.locator('#lesson-pick').selectOption('first-incremental');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Start lesson' }).click();
  await page.locator('#lesson-title').waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#lesson-title'), 'Your first incremental snapshot');
  assert.equal(await text(page, '#disk-disk1-used'), '64 MiB', 'the lesson start was applied');
  assert.equal(await text(page, '#lesson-status'), 'Not solved yet');
  assert.match(await text(page, '#lesson-goals'), /^○ disk1 has an incremental snapshot$/);

  // A full snapshot does not solve it; an incremental one does.
  await snapshot(page, { type: 'Full', name: 'full-one' });
  assert.equal(await text(page, '#lesson-status'), 'Not solved yet');
  await snapshot(page, { name: 'snap1' });
  await page.locator('#lesson-status').filter({ hasText: 'Solved' }).waitFor({ timeout: 10_000 });
  assert.match(await text(page, '#lesson-goals'), /^✔ disk1 has an incremental snapshot$/);
  await screenshot(page, 'lesson-solved.png');

  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  await openTab(page, 'Lessons');
  await page.locator('#lessons-title').filter({ hasText: '(1/13 solved)' }).waitFor({ timeout: 10_000 });
  assert.match(await page.locator('#lesson-pick option[value="first-incremental"]').textContent(), /^✔ /);
  assert.deepEqual(errors, []);
});

test('a drill is generated, and the engine checks the answer', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await openTab(page, 'Lessons');
  await page.getByRole('button', { name: 'New drill' }).click();
  const script = await text(page, '#drill-script');
  assert.match(script, /^az group create -n rg/);
  // A wrong answer shows the engine's; then that answer is right.
  await page.locator('#drill-answer').fill('99999');
  await page.getByRole('button', { name: 'Check' }).click();
  const verdict = await text(page, '#drill-verdict');
  const [, mib] = verdict.match(/the engine says (\d+) MiB\./);
  await page.locator('#drill-answer').fill(mib);
  await page.getByRole('button', { name: 'Check' }).click();
  assert.equal(await text(page, '#drill-verdict'), 'Right: the engine agrees.');
  assert.deepEqual(errors, []);
});

test("a lesson's disabled commands are refused in the console", async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await openTab(page, 'Lessons');
  await page.locator('#lesson-pick').selectOption('copy-only-the-delta');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Start lesson' }).click();
  await page.locator('#lesson-title').waitFor({ timeout: 10_000 });
  const input = page.getByLabel('Command or script');
  await input.fill('az disk create -g rg -n cheat --source snap2');
  await input.press('Enter');
  await page.locator('#console-output .err').first().waitFor({ timeout: 10_000 });
  assert.match(await text(page, '#console-output'), /ERROR: \(DisabledInLesson\) 'az disk create' is disabled in this lesson:/);
  // The same action in the UI is disabled too.
  await openTab(page, 'Snapshots');
  await page.getByRole('button', { name: 'Restore snap2' }).click();
  assert.match(await page.getByRole('alert').textContent(), /\(DisabledInLesson\) 'az disk create' is disabled in this lesson:/);
  // The lesson's own way works, and solves it.
  await input.fill('sim write -g rg --disk target --offset 2M --length 1M --seed 2 -o none');
  await input.press('Enter');
  await openTab(page, 'Lessons');
  await page.locator('#lesson-status').filter({ hasText: 'Solved' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
});
