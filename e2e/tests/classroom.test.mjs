// The classroom (issue 11): cause and effect on one screen. After each step of
// seed 001's portal flow, and of lesson 1 solved through the UI, the changed
// block map, the snapshot chain and the step's result are all visible at
// 1366x768 without scrolling (checked with bounding boxes, clipped by every
// scrolling region); a screenshot of each step is kept. Also: the console
// remembers variables line by line, history shows refusals as refused,
// presenter mode runs on a lesson's lab, and the dialog's keyboard handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, screenshot, text, act, openTab, pageAt as openAt, visibleTogether } from '../harness.mjs';

const app = useApp();

const pageAt = (width, height, errors) => openAt(app.browser, app.url, { width, height }, errors);

const MAP = '#map-disk1';
const FEEDBACK = '#disk-disk1-feedback';

test("seed 001's portal flow at 1366x768: every step's cause and effect on one screen", async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  let n = 0;
  const step = async (name, selectors) => {
    await visibleTogether(page, selectors, name);
    await screenshot(page, `classroom-1366-${++n}-${name}.png`);
  };

  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.match(await text(page, FEEDBACK), /wrote 64 MiB/);
  // The cells the write changed flash.
  assert.equal(await page.locator(MAP).getAttribute('data-flashed-cells'), '3');
  await step('write', [MAP, '.chain-canvas', FEEDBACK, '#tree-disk-disk1']);

  // 2. On the disk, select Create snapshot: the dialog takes focus.
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  assert.equal(await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null), true, 'focus is in the dialog');
  await step('dialog', ['[role=dialog]']);
  // 3–4. Resource group, name, Incremental, Review + create.
  await dialog.getByLabel('Resource group').selectOption('rg-snaplab');
  await dialog.getByLabel('Name').fill('snapshot-a');
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await step('review', ['#wizard-review', '[role=dialog] button.primary']);
  // 5. Create: the dialog closes; the map turns blue, a layer joins the chain, the result is beside the controls.
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.locator(MAP).getAttribute('data-snapshotted-cells'), '3');
  assert.equal(await page.locator('#map-disk1-chain').getAttribute('data-layers'), '1');
  assert.match(await text(page, FEEDBACK), /snapshot-a/);
  await step('created', [MAP, '#map-disk1-chain', FEEDBACK, '#snapshot-snapshot-a']);

  // Change a little and take the next one: the chain shows the pending change, then a thin layer.
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  assert.equal(await page.locator('#map-disk1-chain').getAttribute('data-layers'), '2');
  await step('changed', [MAP, '#map-disk1-chain', FEEDBACK]);
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await dialog.waitFor({ state: 'detached' });
  assert.match(await page.locator('#map-disk1-chain').getAttribute('aria-label'), /snapshot-a 64 MiB; disk1-snap2 1 MiB$/);
  await step('incremental', [MAP, '#map-disk1-chain', FEEDBACK]);
  // Pointing at Restore shows which layers compose the restored disk.
  const composing = () => page.locator('.chain-labels li.composes .layer-name').allTextContents();
  await page.getByRole('button', { name: 'Restore disk1-snap2' }).hover();
  assert.deepEqual(await composing(), ['snapshot-a', 'disk1-snap2']);
  await page.getByRole('button', { name: 'Restore snapshot-a' }).hover();
  assert.deepEqual(await composing(), ['snapshot-a']);
  await step('restore-preview', [MAP, '#map-disk1-chain']);
  await page.locator(MAP).hover();
  assert.deepEqual(await composing(), []);

  // A refusal lands beside the control that caused it: shrinking the disk.
  await page.locator('details.more-workloads summary').click();
  await page.getByLabel('Resize to (GiB)').fill('8');
  await act(page, page.getByRole('button', { name: 'Resize', exact: true }));
  assert.match(await text(page, FEEDBACK), /\(OperationNotAllowed\) The disk can only grow/);
  // The refusal and the control that caused it are in view together.
  await visibleTogether(page, [FEEDBACK, '#disk-disk1-resize'], 'refusal');
  // The notification list has every result, newest first.
  await page.locator('#notify-button').click();
  const notes = await page.locator('#notify-list li').allTextContents();
  assert.match(notes[0], /OperationNotAllowed/);
  assert.ok(notes.some((t) => /snapshot-a/.test(t)), notes.join(' | '));
  await page.locator('#notify-button').click();
  assert.deepEqual(errors, []);
});

test('at 1920x1080 the screen is used: a wide map and a wide side panel', async () => {
  const errors = [];
  const page = await pageAt(1920, 1080, errors);
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  const map = await page.locator(MAP).boundingBox();
  const side = await page.locator('.side-panel').boundingBox();
  assert.ok(map.width >= 850, `the map grows with the screen: ${map.width}px`);
  assert.ok(side.width >= 440, `the side panel too: ${side.width}px`);
  assert.ok(map.width + side.width >= 1400, 'together they use most of the width');
  await visibleTogether(page, [MAP, FEEDBACK, '#console-input'], '1920');
  await screenshot(page, 'classroom-1920.png');
  assert.deepEqual(errors, []);
});

test('lesson 1 solved through the UI at 1366x768, its goal and the map in view', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  await openTab(page, 'Lessons');
  await page.locator('#lesson-pick').selectOption('first-incremental');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Start lesson' }).click();
  await page.locator('#lesson-title').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await page.locator('#lesson-status').filter({ hasText: 'Solved' }).waitFor({ timeout: 10_000 });
  await visibleTogether(page, [MAP, '#map-disk1-chain', '#lesson-status', '#lesson-goals', '#centre-success', '#lesson-success'], 'lesson solved');
  // The moment of success, in the centre and in the panel, with the next lesson offered.
  assert.match(await text(page, '#centre-success'), /Well done! You solved Your first incremental snapshot/);
  assert.match(await text(page, '#lesson-success'), /Next lesson: The first holds everything, the next only changes/);
  await screenshot(page, 'classroom-lesson-solved.png');
  // The solution can be shown, and run in the console.
  await page.getByRole('button', { name: 'Show solution' }).click();
  assert.match(await text(page, '#lesson-solution'), /az snapshot create/);

  // Presenter mode runs its prepared script on this lab, the lesson's.
  await page.locator('body').press('p');
  await page.locator('#presenter-title').waitFor();
  assert.match(await text(page, '#presenter-next'), /az snapshot create -g rg -n demo1 --source disk1/);
  await page.locator('body').press('n');
  await page.locator('#presenter-output').filter({ hasText: 'demo1' }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await text(page, '#presenter-output'), /ERROR/);
  assert.deepEqual(errors, []);
});

test('the console remembers variables line by line, in bash and in PowerShell', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  const input = page.getByLabel('Command or script');
  const run = async (line) => {
    await input.fill(line);
    await input.press('Enter');
    await page.locator('#console-output').filter({ hasText: line }).waitFor({ timeout: 10_000 });
  };
  await run('rg=rg-snaplab');
  await run('disk=disk1');
  await run('az disk show -g $rg -n $disk --query name -o tsv');
  await page.locator('#console-output').filter({ hasText: /\ndisk1\n/ }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await text(page, '#console-output'), /required/);

  await page.locator('#console-shell').selectOption('pwsh');
  assert.equal(await text(page, '#console-title'), 'Console (Azure PowerShell)');
  await run('$rg = "rg-snaplab"');
  await run('$d = Get-AzDisk -ResourceGroupName $rg -DiskName disk1');
  await run('Write-Output $d.Name');
  await page.locator('#console-output').filter({ hasText: /PS> Write-Output \$d\.Name\ndisk1/ }).waitFor({ timeout: 10_000 });
  await visibleTogether(page, ['#console-output', '#console-input'], 'console');
  assert.deepEqual(errors, []);
});

test('history lists a refused operation as refused', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  await page.locator('details.more-workloads summary').click();
  await page.getByLabel('Resize to (GiB)').fill('1');
  await act(page, page.getByRole('button', { name: 'Resize', exact: true }));
  await openTab(page, 'History');
  const ops = page.locator('#history-operations li');
  assert.match(await ops.nth(0).textContent(), /disk update --size-gb rg-snaplab\/disk1 refused \(OperationNotAllowed\)/);
  assert.equal(await ops.nth(0).getAttribute('class'), 'refused current');
  assert.match(await ops.nth(1).textContent(), /✔write rg-snaplab\/disk1/);
  assert.deepEqual(errors, []);
});

test('the dialog keeps the keyboard: Tab cycles inside it, Escape closes it', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  const inDialog = () => page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await inDialog(), true, `Tab ${i + 1} stays in the dialog`);
  }
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Shift+Tab');
    assert.equal(await inDialog(), true, 'Shift+Tab too');
  }
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('dialog').count(), 0);
  // The block map by keyboard: a cursor cell, announced; Enter zooms in there.
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  await page.locator(MAP).focus();
  assert.match(await text(page, '#map-disk1-tooltip'), /cell 1 · pages 0–[\d,]+ · bytes 0–[\d,]+ · Changed since last snapshot/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.match(await text(page, '#map-disk1-tooltip'), /cell 66 · .* · Never written/);
  const before = Number(await page.locator(MAP).getAttribute('data-pages-per-cell'));
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  assert.equal(Number(await page.locator(MAP).getAttribute('data-pages-per-cell')), Math.floor(before / 16));
  // Every control of the main screen has an accessible name.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, textarea, [role=tab], [role=separator]')]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => !(el.getAttribute('aria-label') || el.labels?.[0]?.textContent.trim() || el.textContent.trim() || el.getAttribute('title')))
      .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  assert.deepEqual(errors, []);
});

test('in Swedish, no English is left on the page (outside what Azure itself prints in English)', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  await page.getByLabel('Language').selectOption('sv');
  await page.getByRole('button', { name: '+ Skapa ögonblicksbild' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Stegvis', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Granska + skapa' }).click();
  await act(page, dialog.getByRole('button', { name: 'Skapa', exact: true }));
  await page.locator('details.more-workloads summary').click();
  // Words of the English interface, which must not appear in Swedish.
  const english = /\b(the|and|of|Write|Show|Restore|Delete|Grant|Revoke|Copy|Zoom|Whole|Pan|Never|written|Changed|Cleared|pages|bytes|Showing|Each|used|Viewing|operation|Imported|Create|Cancel|Review|Lesson|Lessons|History|Billing|Violations|Snapshots|More|Resources|Undo|Redo|Share|Replay|Start|Export|Import|Reset|Speed|Simulated|time|Run|Clear|Next|Step|Presenter|mode|Notifications|Family|Type|Name|Size|Drill|Hint|Goals)\b/;
  // Where English is right: what the engine and Azure's tools print (results,
  // refusals, JSON, the console), resource names, and SKU or option values.
  const skip = '.console, .feedback, pre, .json, #notify-list, .tree, .violations-table, .refusal, option, code, kbd, .facts.strip dd, .chain-labels, .map-status, #history-operations, #history-view, #history-preview, .layer-name';
  const found = [];
  const tabs = ['Ögonblicksbilder', 'Diff', 'Fakturering', 'Överträdelser', 'Historik', 'Lektioner', 'Mer'];
  for (const tab of tabs) {
    await page.getByRole('tab', { name: tab, exact: true }).click();
    const texts = await page.evaluate((skip) => {
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest(skip) || el.offsetParent === null) continue;
        const t = n.textContent.trim();
        if (t) out.push(t);
      }
      for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
        if (el.closest(skip) || el.offsetParent === null) continue;
        for (const a of ['aria-label', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
      }
      return out;
    }, skip);
    for (const t of texts) if (english.test(t)) found.push(`${tab}: ${t}`);
  }
  assert.deepEqual([...new Set(found)], []);
  await screenshot(page, 'classroom-swedish.png');
  assert.deepEqual(errors, []);
});

test('keyboard only: the portal flow from the page to a created snapshot', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  // Tab from the top of the page to the Create snapshot button.
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.textContent === '+ Create snapshot');
  }
  assert.ok(found, 'Create snapshot is reachable with Tab');
  // A visible focus ring.
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
  await page.keyboard.press('Enter');
  await page.keyboard.type('kbd-snap');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('kbd-snap');
  await page.keyboard.press('Tab'); // to the snapshot type
  await page.keyboard.press('ArrowRight'); // Incremental
  await page.keyboard.press('Tab'); // to Review + create
  await page.keyboard.press('Enter');
  await page.locator('#wizard-review').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Create');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#snapshot-kbd-snap td').first().textContent(), 'Incremental');
  assert.deepEqual(errors, []);
});

test("seed 001's walkthrough: a section's code block runs in the lab with one click", async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  await openTab(page, 'Lessons');
  await page.locator('#walk-2 summary').click();
  assert.match(await text(page, '#walk-2 pre'), /resourceGroupName="rg-snaplab"/);
  await page.locator('#walk-2').getByRole('button', { name: 'Run this in the console' }).click();
  await page.locator('#console-output').filter({ hasText: 'walk-cli' }).waitFor({ timeout: 10_000 });
  await page.locator('#map-disk1-chain').waitFor();
  assert.match(await page.locator('#map-disk1-chain').getAttribute('aria-label'), /walk-cli/);
  assert.deepEqual(errors, []);
});

test('a 100-snapshot loop runs as one operation: its whole transcript, every snapshot, one commit', async () => {
  const errors = [];
  const page = await pageAt(1366, 768, errors);
  const input = page.getByLabel('Command or script');
  await input.fill('for i in $(seq 1 100); do\n  sim write -g rg-snaplab --disk disk1 --offset $((i * 1048576)) --length 4K -o none\n  az snapshot create -g rg-snaplab -n loop-$i --source disk1 --incremental true -o none\n  sim clock advance 1m -o none\ndone\necho "done: $(az snapshot list -g rg-snaplab --query "length(@)" -o tsv) snapshots"');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('#console-output').filter({ hasText: 'done: 100 snapshots' }).waitFor({ timeout: 30_000 });
  assert.doesNotMatch(await text(page, '#console-output'), /ERROR/);
  assert.equal(await page.locator('tr[id^="snapshot-loop-"]').count(), 100);
  // Every one is in the chain under the map, each holding its own 4 KiB.
  assert.equal(await page.locator('#map-disk1-chain').getAttribute('data-layers'), '100');
  await openTab(page, 'More');
  assert.equal(await text(page, '#storage-log'), String(2 + 300), 'every command is in the log');
  assert.deepEqual(errors, []);
});
