// The simulator UI (issue 5): the portal's snapshot steps, the block map,
// violations, the diff, billing and the Swedish switch. Each saves a screenshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, act, snapshot, openTab, moreActions } from '../harness.mjs';

const app = useApp();

const mapCells = (page, state) => page.locator('#map-disk1').getAttribute(`data-${state}-cells`).then(Number);

test("seed 001's portal steps create an incremental snapshot", async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));

  // Hovering the button explains the command behind it and the rules it touches.
  assert.match(await page.getByRole('button', { name: '+ Create snapshot' }).getAttribute('title'), /B1: At most 7 incremental snapshots per disk every 5 minutes\./);
  // 2. On your disk, select Create snapshot.
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  // 3. Select the resource group you'd like to use and enter a name.
  await dialog.getByLabel('Resource group').selectOption('rg-snaplab');
  await dialog.getByLabel('Name').fill('snapshot-a');
  // 4. Select Incremental and select Review + Create.
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  // The validation page lists the choices.
  assert.match(await dialog.getByRole('status').textContent(), /Validation passed/);
  const review = await dialog.locator('#wizard-review').textContent();
  for (const expected of ['disk1', 'rg-snaplab', 'snapshot-a', 'Incremental']) assert.ok(review.includes(expected), `${expected} in ${review}`);
  await screenshot(page, 'portal-review.png');
  // 5. Select Create.
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));

  const row = page.locator('#snapshot-snapshot-a');
  assert.equal(await row.locator('td').nth(0).textContent(), 'Incremental');
  assert.equal(await row.locator('td.used').textContent(), '64 MiB');
  // Its properties, as az snapshot show prints them.
  await page.getByRole('button', { name: 'Show snapshot-a' }).click();
  const json = JSON.parse(await text(page, '#snapshot-json'));
  assert.equal(json.incremental, true);
  assert.equal(json.sku.name, 'Standard_ZRS');
  assert.equal(json.creationData.createOption, 'Copy');
  assert.match(json.creationData.sourceResourceId, /\/providers\/Microsoft.Compute\/disks\/disk1$/);
  await screenshot(page, 'portal-created.png');
  assert.deepEqual(errors, []);
});

test('writing then snapshotting shows changed cells, then snapshotted ones, and the used size', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  assert.equal(await mapCells(page, 'changed'), 0);
  await act(page, page.getByRole('button', { name: 'Write 10 GiB' }));
  const changed = await mapCells(page, 'changed');
  // 10 GiB of a 32 GiB disk: about 10/32 of the 1,280 cells.
  assert.ok(changed >= 390 && changed <= 410, `changed cells ${changed}`);
  assert.equal(await mapCells(page, 'snapshotted'), 0);
  await screenshot(page, 'map-changed.png');

  await snapshot(page);
  assert.equal(await mapCells(page, 'changed'), 0);
  assert.equal(await mapCells(page, 'snapshotted'), changed);
  assert.equal(await text(page, '#snapshot-disk1-snap1 td.used'), '10 GiB');

  // TRIM the last MiB: cleared cells appear; zoom in down to single pages.
  await act(page, page.getByRole('button', { name: 'TRIM last 1 MiB' }));
  assert.equal(await mapCells(page, 'cleared'), 1);
  const map = page.locator('#map-disk1');
  for (let i = 0; i < 6 && (await map.getAttribute('data-pages-per-cell')) !== '1'; i++) {
    await page.getByRole('button', { name: 'Zoom in' }).click();
  }
  assert.equal(await map.getAttribute('data-pages-per-cell'), '1');
  await map.hover({ position: { x: 5, y: 5 } });
  assert.match(await text(page, '.map-tooltip'), /pages [\d,]+–[\d,]+ · bytes [\d,]+–[\d,]+/);
  await page.getByRole('button', { name: 'Whole disk' }).click();
  assert.equal(await map.getAttribute('data-pages-per-cell'), String(Math.ceil(67108864 / 1280)));
  await screenshot(page, 'map-snapshotted.png');
  assert.deepEqual(errors, []);
});

test('an 8th snapshot within 5 simulated minutes appears in the violations panel with its rule', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  for (let i = 0; i < 7; i++) assert.equal(await snapshot(page), 'created');
  // The 8th: the refusal stays in the dialog, next to the button pressed.
  assert.equal(await snapshot(page), 'refused');
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  assert.match(await dialog.getByRole('alert').textContent(), /^\(SnapshotOperationRateExceeded\) At most 7 .* Rule B1\./);
  await screenshot(page, 'wizard-refusal.png');
  await page.keyboard.press('Escape');
  assert.equal(await dialog.count(), 0, 'Escape closes the dialog');
  await openTab(page, 'Violations');
  const rows = page.locator('.violations-table tbody tr');
  assert.equal(await rows.count(), 1);
  const row = await rows.first().textContent();
  assert.match(row, /10:00:00/);
  assert.match(row, /SnapshotOperationRateExceeded \(simulated\)/);
  assert.match(row, /B1 At most 7 incremental snapshots per disk every 5 minutes\./);
  await page.locator('.violations').scrollIntoViewIfNeeded();
  await screenshot(page, 'violations.png');
  assert.deepEqual(errors, []);
});

test('a diff of two snapshots lists the expected ranges, and a diff across families is refused', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await snapshot(page, { name: 'snap-a' });
  await moreActions(page);
  await page.getByLabel('Text to write').fill('changed after snap-a');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  await act(page, page.getByRole('button', { name: 'TRIM last 1 MiB' })); // clears the text page and the MiB's end
  await snapshot(page, { name: 'snap-b' });

  await openTab(page, 'Diff');
  await page.locator('#diff-newer').selectOption('snap-b');
  await page.locator('#diff-older').selectOption('snap-a');
  const xml = await text(page, '#diff-body');
  // snap-a holds pages 0–2,047. Since then page 2,048 was written (the text) and the
  // TRIM cleared bytes 512 … 1,049,087: so pages 1–2,048 changed, and none holds data.
  // The REST body, one range a line.
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="utf-8"?>\n<PageList>\n  <ClearRange><Start>512</Start><End>1049087</End></ClearRange>\n  <NextMarker />\n</PageList>',
  );
  // The same change in other trackers' units: Azure's pages, QEMU's 64 KiB, EBS's 512 KiB.
  const compare = await page.locator('#diff-compare tbody tr').allTextContents();
  assert.deepEqual(compare, [
    'Azure page blob (Get Page Ranges)512 B2,0481 MiB',
    'QEMU dirty bitmap (default granularity)64 KiB171 MiB',
    'AWS EBS snapshot blocks512 KiB31.5 MiB',
  ]);
  // The diff is drawn on the disk's own block map too, in its own colours and shapes.
  assert.equal(await mapCells(page, 'diff-clear'), 1);
  assert.equal(await mapCells(page, 'diff-page'), 0);
  assert.match(await text(page, '#map-disk1-diff'), /ClearRange \(cleared\) \(1\)/);
  assert.equal(await text(page, '#diff-summary'), '1 ranges · 0 B written (0 pages) · 1 MiB cleared (2,048 pages)');
  await page.getByRole('button', { name: 'Format: XML' }).click();
  const json = JSON.parse(await text(page, '#diff-body'));
  assert.deepEqual(json.clearRange, [{ start: 512, end: 1049087 }]);

  // Across families: restore snap-a to a new disk, snapshot it, and diff against snap-a.
  await openTab(page, 'Snapshots');
  await act(page, page.getByRole('button', { name: 'Restore snap-a' }));
  // The restored disk is in the resource tree: pick it to bring it to the centre.
  await page.locator('#tree-disk-snap-a-disk').click();
  await page.locator('#disk-snap-a-disk-title').waitFor();
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await dialog.getByLabel('Name').fill('other-family');
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await openTab(page, 'Diff');
  await page.locator('#diff-newer').selectOption('other-family');
  await page.locator('#diff-older').selectOption('snap-a');
  assert.match(await text(page, '#diff-result'), /^\(PreviousSnapshotNotFound\) .*not of the same family/);
  await page.locator('.diff').scrollIntoViewIfNeeded();
  await screenshot(page, 'diff.png');
  assert.deepEqual(errors, []);
});

test("billing shows the seed's example: 10 GiB used is 0.3226 a day", async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await act(page, page.getByRole('button', { name: 'Write 10 GiB' }));
  await snapshot(page);
  await openTab(page, 'Billing');
  assert.equal(await text(page, '#bill-disk1-snap1 td.quantity'), '0.3226');
  // Standard_ZRS at the sample 0.0625 a GiB-month: 10 GiB costs 0.6250 a month.
  assert.equal(await text(page, '#bill-month'), '$0.6250');
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await snapshot(page);
  assert.equal(await text(page, '#bill-disk1-snap2 td.quantity'), (1 / 1024 / 31).toFixed(4));
  // As full snapshots the second would bill 10 GiB + 1 MiB again.
  assert.match(await text(page, '#bill-full-month'), /^\$1\.25/);
  await act(page, page.getByRole('button', { name: '+31 days' }));
  assert.equal(await page.locator('svg.chart polyline.incremental').count(), 1);
  await page.locator('.billing').scrollIntoViewIfNeeded();
  await screenshot(page, 'billing.png');
  assert.deepEqual(errors, []);
});

test('the Swedish switch changes the labels', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await page.getByLabel('Language').selectOption('sv');
  assert.equal(await page.locator('main').getAttribute('lang'), 'sv');
  await page.getByRole('button', { name: '+ Skapa ögonblicksbild' }).click();
  const dialog = page.getByRole('dialog', { name: 'Skapa ögonblicksbild' });
  assert.ok(await dialog.getByLabel('Stegvis', { exact: true }).isVisible());
  assert.ok(await dialog.getByRole('button', { name: 'Granska + skapa' }).isVisible());
  await dialog.getByRole('button', { name: 'Avbryt' }).first().click();
  await page.getByRole('tab', { name: 'Överträdelser' }).click();
  assert.equal(await page.getByRole('heading', { name: /^Överträdelser/ }).count(), 1);
  await page.getByRole('tab', { name: 'Mer' }).click();
  assert.equal(await page.getByRole('heading', { name: 'Webbläsarens lagring' }).count(), 1);
  await screenshot(page, 'swedish.png');
  await page.getByLabel('Språk').selectOption('en');
  assert.ok(await page.getByRole('tab', { name: 'Violations' }).isVisible());
  assert.deepEqual(errors, []);
});
