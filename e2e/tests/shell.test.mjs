// The app: Yew renders the engine's disk from IndexedDB, buttons act on it,
// refusals are shown with Azure codes, and the lab survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, act, snapshot, openTab, moreActions } from '../harness.mjs';

const app = useApp();

async function open(page) {
  await openApp(page, app.url);
}

test('the Yew app renders the engine disk and reacts to writes, a TRIM and a snapshot', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await open(page);
  const heading = page.getByRole('heading', { level: 1 });
  assert.equal(await heading.textContent(), 'Snaplab');
  assert.match(await page.title(), /Snaplab/);

  assert.equal(await text(page, '#disk-disk1-title'), 'Disk disk1');
  assert.equal(await text(page, '#disk-disk1-size'), '32 GiB');
  await moreActions(page);
  assert.equal(await text(page, '#disk-disk1-pages'), '67,108,864');
  assert.equal(await text(page, '#disk-disk1-used'), '0 B');

  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.equal(await text(page, '#disk-disk1-used'), '65 MiB');
  assert.equal(await text(page, '#disk-disk1-ranges'), '1');
  await act(page, page.getByRole('button', { name: 'TRIM last 1 MiB' }));
  assert.equal(await text(page, '#disk-disk1-used'), '64 MiB');

  await snapshot(page);
  assert.equal(await text(page, '#snapshot-disk1-snap1 td.used'), '64 MiB');
  assert.equal(await text(page, '#disk-disk1-changed'), '0 B');
  await screenshot(page, 'shell.png');
  assert.deepEqual(errors, []);
});

test('typed text is written as real bytes, and the 8th snapshot in 5 minutes is refused (B1) until the clock moves', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await open(page);
  // Real bytes typed by the user.
  await moreActions(page);
  await page.getByLabel('Text to write').fill('Hello, Snaplab!');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  assert.equal(await text(page, '#disk-disk1-used'), '512 B');

  // The clock and a snapshot burst: the 8th incremental snapshot within 5 minutes is refused (B1).
  for (let i = 0; i < 8; i++) await snapshot(page);
  // The refusal stays in the dialog where Create was pressed.
  const alert = page.getByRole('dialog').getByRole('alert');
  assert.match(await alert.textContent(), /^\(SnapshotOperationRateExceeded\) At most 7 incremental snapshots per disk every 5 minutes/);
  assert.match(await alert.textContent(), /Rule B1\./);
  await screenshot(page, 'refusal.png');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  const rows = await page.locator('tr[id^="snapshot-"]').count();
  assert.equal(rows, 7);
  await act(page, page.getByRole('button', { name: '+5 min' }));
  await snapshot(page);
  assert.equal(await page.locator('tr[id^="snapshot-"]').count(), rows + 1);
  assert.deepEqual(errors, []);
});

test('the lab survives a reload: the same disks, snapshots, bytes and clock', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await open(page);
  // Reset wipes the lab after a confirmation.
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  assert.equal(await text(page, '#disk-disk1-used'), '1 MiB');
  page.once('dialog', (d) => d.accept());
  await openTab(page, 'More');
  await page.getByRole('button', { name: 'Reset lab' }).click();
  await page.getByText('The lab was reset').waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '0 B');

  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await snapshot(page);
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await snapshot(page);
  await openTab(page, 'Snapshots');
  await act(page, page.getByRole('button', { name: 'Restore disk1-snap1' }));
  await act(page, page.getByRole('button', { name: '+1 h' }));
  const disks = () => page.locator('[id^="tree-disk-"]').evaluateAll((els) => els.map((e) => e.id));
  const restoredUsed = async () => {
    await page.locator('#tree-disk-disk1-snap1-disk').click();
    return text(page, '#disk-disk1-snap1-disk-used');
  };
  const before = {
    clock: await text(page, '#clock-now'),
    disks: await disks(),
    snapshots: await page.locator('tr[id^="snapshot-"]').allTextContents(),
    used: await restoredUsed(),
  };
  assert.deepEqual(before.disks, ['tree-disk-disk1', 'tree-disk-disk1-snap1-disk']);
  await page.getByText('Create snapshot').first().waitFor();
  assert.equal(before.snapshots.length, 2);
  assert.equal(before.used, '1 MiB');

  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  const after = {
    clock: await text(page, '#clock-now'),
    disks: await disks(),
    snapshots: await page.locator('tr[id^="snapshot-"]').allTextContents(),
    used: await restoredUsed(),
  };
  assert.deepEqual(after, before);
  await screenshot(page, 'after-reload.png');
  assert.deepEqual(errors, []);
});

test('export, reset and import bring the lab back; a foreign file is refused and changes nothing', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await open(page);
  await moreActions(page);
  await page.getByLabel('Text to write').fill('exported bytes');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  await snapshot(page);
  const snapshotsBefore = await page.locator('tr[id^="snapshot-"]').allTextContents();

  await openTab(page, 'More');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export lab' }).click()]);
  assert.equal(download.suggestedFilename(), 'snaplab-lab.snaplab');
  const file = await download.path();

  page.once('dialog', (d) => d.accept());
  await openTab(page, 'More');
  await page.getByRole('button', { name: 'Reset lab' }).click();
  await page.getByText('The lab was reset').waitFor({ timeout: 10_000 });
  await openTab(page, 'Snapshots');
  assert.equal(await page.locator('tr[id^="snapshot-"]').count(), 0);

  // A file that is not a lab: refused, with the lab left as it is.
  await openTab(page, 'More');
  await page.locator('#import-lab').setInputFiles({ name: 'notes.snaplab', mimeType: 'text/plain', buffer: Buffer.from('not a lab at all, just some text') });
  await page.getByRole('alert').waitFor({ timeout: 10_000 });
  assert.match(await page.getByRole('alert').textContent(), /\(InvalidLabFile\) This lab file cannot be imported: this is not a Snaplab lab file.*Your lab was not changed/);
  assert.equal(await text(page, '#disk-disk1-used'), '0 B');

  await openTab(page, 'More');
  // A good file asks first (it replaces the lab): declined, nothing changes.
  page.once('dialog', (d) => d.dismiss());
  await page.locator('#import-lab').setInputFiles(file);
  await page.getByText('Your lab was not changed.').first().waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '0 B');
  page.once('dialog', (d) => {
    assert.match(d.message(), /^Replace the lab in this browser with .+\? Export the current lab first/);
    d.accept();
  });
  await page.locator('#import-lab').setInputFiles(file);
  await page.getByText(/Imported /).first().waitFor({ timeout: 10_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '512 B');
  await openTab(page, 'Snapshots');
  assert.deepEqual(await page.locator('tr[id^="snapshot-"]').allTextContents(), snapshotsBefore);

  // And it is what is stored now: a reload shows the imported lab.
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  assert.deepEqual(await page.locator('tr[id^="snapshot-"]').allTextContents(), snapshotsBefore);
  assert.deepEqual(errors, []);
});
