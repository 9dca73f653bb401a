// A phone (issue 23): 390x844 with touch, driven by tap() alone. Seed 001's
// portal flow, lesson 1 and the walkthrough's first code block work by
// touch; after each step its result is in view (bounding boxes, clipped by
// every scrolling region) and the page never scrolls sideways. The resource
// tree is a drawer, the console a full-screen sheet, the dialog full-screen,
// and a tap on a block-map cell shows its pages. Screenshots of each step
// go to e2e/artifacts/phone-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, screenshot, text, pageAt, visibleTogether } from '../harness.mjs';

const app = useApp();
const PHONE = { width: 390, height: 844, touch: true };
const MAP = '#map-disk1';
const FEEDBACK = '#disk-disk1-feedback';

/** Taps and waits until the operation is stored (the "saving…" marker is empty). */
async function tapAct(page, locator) {
  await locator.tap();
  await page.waitForFunction(() => document.querySelector('.saving')?.textContent === '', null, { timeout: 20_000 });
}

/**
 * The page is no wider than the screen: nothing scrolls sideways. Against
 * the screen's width, not innerWidth: a mobile browser widens its layout
 * viewport (zooms out) to fit a page that is too wide.
 */
async function noSidewaysScroll(page, step, screen = PHONE.width) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth }));
  assert.ok(scrollWidth <= screen && innerWidth === screen, `step "${step}": the page is ${scrollWidth}px wide (layout ${innerWidth}px) in a ${screen}px screen`);
}

/** `selector` fills the screen. */
async function fullScreen(page, selector) {
  const box = await page.locator(selector).boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height].map(Math.round), [0, 0, 390, 844], `${selector} fills the screen`);
}

test("seed 001's portal flow at 390x844 by touch: each step's result in view, nothing sideways", async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, PHONE, errors);
  let n = 0;
  const step = async (name, selectors) => {
    await visibleTogether(page, selectors, name);
    await noSidewaysScroll(page, name);
    await screenshot(page, `phone-${++n}-${name}.png`);
  };
  // First the disk and its block map; the tree and the console wait behind the bar.
  await step('open', ['#disk-disk1-title', MAP, '#drawer-toggle', '#console-open']);
  assert.equal(await page.locator('#resource-drawer').isVisible(), false);
  assert.equal(await page.locator('#console-input').isVisible(), false);

  await tapAct(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  assert.match(await text(page, FEEDBACK), /wrote 64 MiB/);
  assert.equal(await page.locator(MAP).getAttribute('data-changed-cells'), '3');
  await step('write', [MAP, '#map-disk1-chain', FEEDBACK]);

  // The dialog fills the screen; every control of it is reached by touch.
  await page.getByRole('button', { name: '+ Create snapshot' }).tap();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await fullScreen(page, '[role=dialog]');
  await step('dialog', ['[role=dialog] h2']);
  await dialog.getByLabel('Name').fill('snapshot-a');
  await dialog.getByLabel('Incremental', { exact: true }).tap();
  assert.equal(await dialog.getByLabel('Incremental', { exact: true }).isChecked(), true);
  await dialog.getByRole('button', { name: 'Review + create' }).tap();
  await step('review', ['#wizard-review', '[role=dialog] button.primary']);
  await tapAct(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.locator(MAP).getAttribute('data-snapshotted-cells'), '3');
  assert.equal(await page.locator('#map-disk1-chain').getAttribute('data-layers'), '1');
  assert.match(await text(page, FEEDBACK), /snapshot-a/);
  await step('created', [MAP, '#map-disk1-chain', FEEDBACK]);
  // The chain's label is whole on a phone: its name and its used size.
  const label = page.locator('.chain-labels li').first();
  assert.equal((await label.innerText()).trim(), 'snapshot-a 64 MiB');
  assert.ok(await label.evaluate((li) => li.scrollWidth <= li.clientWidth), 'the chain label is cut');
  // The clock's row scrolls sideways and says so: its right edge fades.
  const clock = page.locator('.app-header .clock');
  assert.ok(await clock.evaluate((c) => c.scrollWidth > c.clientWidth), 'the clock row has more to scroll to');
  assert.match(await clock.evaluate((c) => getComputedStyle(c).maskImage || getComputedStyle(c).webkitMaskImage), /linear-gradient/);
  // The side panels are tabs under the map: the new snapshot is in Snapshots.
  await page.locator('#snapshot-snapshot-a').scrollIntoViewIfNeeded();
  await step('snapshots-tab', ['#tab-snapshots', '#snapshot-snapshot-a']);

  // A tap on a cell shows its pages; a second tap on it zooms in there.
  await page.locator(MAP).scrollIntoViewIfNeeded();
  const before = Number(await page.locator(MAP).getAttribute('data-pages-per-cell'));
  await page.locator(MAP).tap({ position: { x: 2, y: 2 } });
  assert.match(await text(page, '#map-disk1-tooltip'), /cell 1 · pages 0–[\d,]+ · bytes 0–[\d,]+ · Written, in a snapshot · tap again to zoom in/);
  assert.equal(Number(await page.locator(MAP).getAttribute('data-pages-per-cell')), before, 'one tap does not zoom');
  await step('tapped-cell', [MAP, '#map-disk1-tooltip']);
  await page.locator(MAP).tap({ position: { x: 2, y: 2 } });
  assert.equal(Number(await page.locator(MAP).getAttribute('data-pages-per-cell')), Math.floor(before / 16));
  assert.deepEqual(errors, []);
});

test('at 390x844 the resource tree is a drawer and the console a full-screen sheet', async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, PHONE, errors);
  const drawerButton = page.locator('#drawer-toggle');
  await drawerButton.tap();
  assert.equal(await drawerButton.getAttribute('aria-expanded'), 'true');
  await visibleTogether(page, ['#resource-drawer', '#tree-disk-disk1'], 'drawer');
  // Focus goes to the disk in the centre, in the tree.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tree-disk-disk1');
  await screenshot(page, 'phone-drawer.png');
  // Picking a disk shows it: the drawer closes, focus back on its button.
  await page.locator('#tree-disk-disk1').tap();
  await page.locator('#resource-drawer').waitFor({ state: 'hidden' });
  assert.equal(await drawerButton.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'drawer-toggle');
  // Escape closes it too.
  await drawerButton.tap();
  await page.locator('#resource-drawer').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#resource-drawer').waitFor({ state: 'hidden' });

  await page.locator('#console-open').tap();
  await fullScreen(page, '#console-sheet');
  // The input has focus, for the phone's keyboard, and is big enough not to zoom the page.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'console-input');
  assert.ok(parseFloat(await page.locator('#console-input').evaluate((e) => getComputedStyle(e).fontSize)) >= 16);
  // A phone's keyboard neither capitalises nor corrects a command; its Enter key says Send.
  assert.deepEqual(await page.locator('#console-input').evaluate((e) => [e.getAttribute('autocapitalize'), e.getAttribute('enterkeyhint')]), ['off', 'send']);
  await page.keyboard.type('az disk show -g rg-snaplab -n disk1 --query name -o tsv');
  await page.getByRole('button', { name: 'Run', exact: true }).tap();
  await page.locator('#console-output').filter({ hasText: /\ndisk1\n/ }).waitFor({ timeout: 10_000 });
  await visibleTogether(page, ['#console-output', '#console-input', '#console-close'], 'console');
  await noSidewaysScroll(page, 'console');
  await screenshot(page, 'phone-console.png');
  await page.locator('#console-close').tap();
  await page.locator('#console-input').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'console-open', 'focus goes back to the button');
  assert.deepEqual(errors, []);
});

test('lesson 1 solved by touch at 390x844, its success in view', async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, PHONE, errors);
  await page.getByRole('tab', { name: 'Lessons', exact: true }).tap();
  await page.locator('#lesson-pick').selectOption('first-incremental');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Start lesson' }).tap();
  await page.locator('#lesson-title').waitFor({ timeout: 10_000 });
  await page.locator('#lesson-goals').scrollIntoViewIfNeeded();
  await visibleTogether(page, ['#lesson-title', '#lesson-goals'], 'lesson started');
  await noSidewaysScroll(page, 'lesson started');
  await screenshot(page, 'phone-lesson-started.png');
  await page.getByRole('button', { name: '+ Create snapshot' }).tap();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await dialog.getByLabel('Incremental', { exact: true }).tap();
  await dialog.getByRole('button', { name: 'Review + create' }).tap();
  await tapAct(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await page.locator('#lesson-status').filter({ hasText: 'Solved' }).waitFor({ timeout: 10_000 });
  // The moment of success in the centre, with the map and the chain it changed.
  await page.locator('#centre-success').scrollIntoViewIfNeeded();
  await visibleTogether(page, ['#centre-success', MAP, '#map-disk1-chain'], 'lesson solved');
  assert.match(await text(page, '#centre-success'), /Well done! You solved Your first incremental snapshot/);
  await noSidewaysScroll(page, 'lesson solved');
  await screenshot(page, 'phone-lesson-solved.png');
  // "What next" leads to the lesson panel, its status and the next lesson.
  await page.locator('#centre-success').getByRole('button').tap();
  await page.locator('#lesson-success').scrollIntoViewIfNeeded();
  await visibleTogether(page, ['#lesson-success'], 'next lesson');
  assert.match(await text(page, '#lesson-success'), /Next lesson: The first holds everything, the next only changes/);
  assert.deepEqual(errors, []);
});

test("seed 001's walkthrough by touch at 390x844: the first code block runs, its output in view", async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, PHONE, errors);
  await page.getByRole('tab', { name: 'Lessons', exact: true }).tap();
  const first = page.locator('#walk-1');
  await first.locator('summary').tap();
  assert.match(await text(page, '#walk-1 pre'), /^sim write -g rg-snaplab --disk disk1 --offset 0 --length 64M/);
  await first.locator('pre').scrollIntoViewIfNeeded();
  await visibleTogether(page, ['#walk-1 pre'], 'walkthrough block');
  await noSidewaysScroll(page, 'walkthrough block');
  await screenshot(page, 'phone-walkthrough-block.png');
  await first.getByRole('button', { name: 'Run this in the console' }).tap();
  // The console's sheet opens by itself, with the command run in it.
  await page.locator('#console-output').filter({ hasText: '$ sim write -g rg-snaplab --disk disk1' }).waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => !document.querySelector('#console-running'), null, { timeout: 20_000 });
  await fullScreen(page, '#console-sheet');
  await visibleTogether(page, ['#console-output', '#console-close'], 'walkthrough ran');
  assert.doesNotMatch(await text(page, '#console-output'), /ERROR/);
  await screenshot(page, 'phone-walkthrough-ran.png');
  // Closed, the sheet gives the disk back: its map shows the write.
  await page.locator('#console-close').tap();
  await page.locator(MAP).scrollIntoViewIfNeeded();
  assert.equal(await page.locator(MAP).getAttribute('data-changed-cells'), '3');
  await visibleTogether(page, [MAP, '#map-disk1-chain'], 'walkthrough result on the map');
  assert.deepEqual(errors, []);
});

test('a tablet (768x1024) keeps the one-screen layout: tree, disk and side panel side by side, the console docked', async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, { width: 768, height: 1024, touch: true }, errors);
  await visibleTogether(page, ['#resource-drawer', MAP, '#tab-snapshots', '#console-input'], 'tablet');
  const [tree, map, side] = await Promise.all(['#resource-drawer', MAP, '.side-panel'].map((s) => page.locator(s).boundingBox()));
  assert.ok(tree.x + tree.width <= map.x && map.x + map.width <= side.x, 'three columns, left to right');
  assert.ok(map.width >= 250, `the map has room: ${map.width}px`);
  await noSidewaysScroll(page, 'tablet', 768);
  assert.equal(await page.locator('.phone-bar').isVisible(), false);
  await screenshot(page, 'tablet-768.png');
  assert.deepEqual(errors, []);
});
