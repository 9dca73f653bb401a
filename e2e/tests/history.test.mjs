// Undo, redo and the timeline scrubber act on the replayed lab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, act, openTab, moreActions } from '../harness.mjs';

const app = useApp();

const used = (page) => text(page, '#disk-disk1-used');

test('undo, redo, scrub back and continue from there (the future forks)', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.equal(await used(page), '65 MiB');

  await openTab(page, 'History');
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: /^1 MiB$/ }).waitFor({ timeout: 10_000 });
  await act(page, page.getByRole('button', { name: /^Redo \(1\)$/ }));
  assert.equal(await used(page), '65 MiB');

  // Scrub back to after the first write: the preview says so; continue from there.
  await openTab(page, 'History');
  const scrub = page.locator('#history-scrub');
  assert.equal(await scrub.getAttribute('max'), '4');
  await scrub.fill('3');
  assert.match(await text(page, '#history-view'), /^Viewing the lab after operation 3: write rg-snaplab\/disk1 · .* · 1 disk\(s\), 0 snapshot\(s\), 1 MiB written$/);
  assert.equal(await text(page, '#history-preview'), 'Disk disk1 · 1 MiB used');
  await page.getByRole('button', { name: 'Continue from here' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: /^1 MiB$/ }).waitFor({ timeout: 10_000 });
  await openTab(page, 'More');
  assert.equal(await text(page, '#storage-log'), '3');
  // It is what is stored: a reload shows the forked lab.
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  assert.equal(await used(page), '1 MiB');
  // It opened from the checkpoint stored with it, without the log before
  // it: the History tab reads that log, then undo and the timeline work.
  await openTab(page, 'History');
  await page.locator('#history-scrub').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#history-scrub').getAttribute('max'), '3');
  assert.match(await text(page, '#history-operations'), /write rg-snaplab\/disk1/);
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.locator('#disk-disk1-used').filter({ hasText: /^0 B$/ }).waitFor({ timeout: 10_000 });
  await act(page, page.getByRole('button', { name: /^Redo \(1\)$/ }));
  assert.equal(await used(page), '1 MiB');
  await screenshot(page, 'history.png');
  assert.deepEqual(errors, []);
});

test('a share link opens the same lab in a fresh browser profile; a tampered one is refused', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await moreActions(page);
  await page.getByLabel('Text to write').fill('shared bytes');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  await act(page, page.getByRole('button', { name: '+1 h' }));
  const clock = await text(page, '#clock-now');
  await openTab(page, 'History');
  await page.getByRole('button', { name: 'Share link' }).click();
  const link = await page.locator('#share-link').inputValue();
  assert.match(link, /#lab=v1\.[0-9a-f]{16}\./);
  // For learners' phones: a QR code of the link, and a Copy button.
  assert.equal(await page.locator('#share-qr svg').count(), 1);
  assert.ok(await page.getByRole('button', { name: 'Copy link' }).isVisible());

  // Declining keeps the link: a banner offers it until opened or dismissed.
  const later = await newPage(app.browser, errors);
  later.once('dialog', (d) => d.dismiss());
  await later.goto(link);
  await later.getByText('A shared lab is waiting to be opened.').waitFor({ timeout: 20_000 });
  assert.equal(await text(later, '#disk-disk1-used'), '0 B', 'nothing replaced yet');
  await later.getByRole('button', { name: 'Open it' }).click();
  await later.getByText('Opened the shared lab').first().waitFor({ timeout: 20_000 });
  assert.equal(await text(later, '#disk-disk1-used'), '64 MiB');
  assert.equal(await later.getByText('A shared lab is waiting to be opened.').count(), 0);

  // A fresh profile: its own empty IndexedDB.
  const fresh = await newPage(app.browser, errors);
  fresh.once('dialog', (d) => d.accept());
  await fresh.goto(link);
  await fresh.getByText('Opened the shared lab').first().waitFor({ timeout: 20_000 });
  assert.equal(await text(fresh, '#disk-disk1-used'), '64 MiB', '512 B of text and 64 MiB');
  assert.equal(await text(fresh, '#clock-now'), clock);
  assert.equal(new URL(fresh.url()).hash, '', 'the link is consumed');

  // Tampered: one character of the payload changed.
  const tampered = link.slice(0, -3) + (link.slice(-3, -2) === 'A' ? 'B' : 'A') + link.slice(-2);
  const other = await newPage(app.browser, errors);
  await other.goto(tampered);
  await other.getByRole('alert').waitFor({ timeout: 20_000 });
  assert.match(await other.getByRole('alert').textContent(), /This share link cannot be opened: .*(changed or damaged|not base64url).*Your lab was not changed/);
  assert.equal(await text(other, '#disk-disk1-used'), '0 B');
  await screenshot(fresh, 'shared.png');
  assert.deepEqual(errors, []);
});

test('going back past a write whose bytes are no longer kept says so first', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  const input = page.getByLabel('Command or script');
  // Real bytes, then other bytes over them: the first are no longer kept.
  await input.fill("sim write -g rg-snaplab --disk disk1 --offset 0 --text 'first words' -o none\nsim write -g rg-snaplab --disk disk1 --offset 0 --text 'second words' -o none");
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('#console-output').filter({ hasText: 'second words' }).waitFor();
  await page.waitForFunction(() => document.querySelector('.saving')?.textContent === '', null, { timeout: 20_000 });
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });

  await openTab(page, 'History');
  const scrub = page.locator('#history-scrub');
  assert.equal(await scrub.getAttribute('max'), '4');
  assert.equal(await page.locator('#history-lost').count(), 0, 'nothing to say at the present');
  await scrub.fill('3');
  assert.match(await text(page, '#history-lost'), /^1 earlier write\(s\) stored real bytes that are no longer kept/);
  // Going there asks first; declining changes nothing.
  page.once('dialog', (d) => {
    assert.match(d.message(), /^1 earlier write\(s\) stored bytes that are no longer kept/);
    d.dismiss();
  });
  await page.getByRole('button', { name: 'Continue from here' }).click();
  await openTab(page, 'More');
  assert.equal(await text(page, '#storage-log'), '4');
  assert.deepEqual(errors, []);
});
