// The block map and its chain by touch (issue 23, item 1): at 390x844 a
// pinch zooms the map, a sideways drag pans it, the chain under it follows
// the same pages, a vertical swipe is left to the page, and none of it
// scrolls the page sideways. Fingers are real touch points sent through the
// Chrome DevTools Protocol (Input.dispatchTouchEvent), two at once for a
// pinch, so Chromium makes its own Pointer Events from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, pageAt, screenshot } from '../harness.mjs';

const app = useApp();
const MAP = '#map-disk1';

const view = (page) =>
  page.locator(MAP).evaluate((c) => ({ perCell: Number(c.dataset.pagesPerCell), first: Number(c.dataset.firstPage) }));

/** Moves fingers from `from` to `to` (arrays of [x, y]) in `steps` steps, then lifts them. */
async function fingers(cdp, from, to, steps = 8) {
  const points = (t) => from.map(([x, y], i) => ({ x: x + (to[i][0] - x) * t, y: y + (to[i][1] - y) * t, id: i }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(0) });
  for (let s = 1; s <= steps; s++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(s / steps) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('at 390x844 a pinch zooms the block map and a sideways drag pans it and its chain', async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, { width: 390, height: 844, touch: true }, errors);
  const cdp = await page.context().newCDPSession(page);
  // Written pages make a pending layer: the chain has something to draw.
  await page.getByRole('button', { name: 'Write 64 MiB' }).tap();
  await page.waitForFunction(() => document.querySelector('.saving')?.textContent === '', null, { timeout: 20_000 });
  const map = page.locator(MAP);
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const whole = await view(page);
  assert.equal(whole.first, 0);

  // Spread two fingers apart: one zoom step (16 times fewer pages a cell).
  await fingers(cdp, [[mid.x - 20, mid.y], [mid.x + 20, mid.y]], [[mid.x - 40, mid.y], [mid.x + 40, mid.y]]);
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.pagesPerCell !== undefined, MAP);
  const zoomed = await view(page);
  assert.equal(zoomed.perCell, Math.max(1, Math.floor(whole.perCell / 16)), 'one zoom step in');
  assert.ok(zoomed.first > 0, `zoomed around the middle of the map, not its start (${zoomed.first})`);
  await screenshot(page, 'phone-map-pinched.png');

  // Drag one finger leftwards across half the map: later pages come into view.
  await fingers(cdp, [[box.x + box.width * 0.8, mid.y]], [[box.x + box.width * 0.3, mid.y]]);
  const panned = await view(page);
  assert.equal(panned.perCell, zoomed.perCell, 'a drag keeps the zoom');
  assert.ok(panned.first > zoomed.first, `panned towards the end: ${zoomed.first} -> ${panned.first}`);
  // The drag was not a tap: no cell was zoomed into by it.
  assert.equal((await view(page)).perCell, zoomed.perCell);

  // The chain under the map draws the same window, and pans with it too.
  const chain = page.locator('#map-disk1-chain');
  const cbox = await chain.boundingBox();
  const cy = cbox.y + cbox.height / 2;
  await fingers(cdp, [[cbox.x + cbox.width * 0.3, cy]], [[cbox.x + cbox.width * 0.8, cy]]);
  assert.ok((await view(page)).first < panned.first, 'dragging the chain rightwards pans back');

  // Pinch the fingers together from 120 to 70 px apart: one step out (a
  // step each time the distance shrinks by a third again: at 80, then 53).
  const now = await view(page);
  await fingers(cdp, [[mid.x - 60, mid.y], [mid.x + 60, mid.y]], [[mid.x - 35, mid.y], [mid.x + 35, mid.y]]);
  assert.equal((await view(page)).perCell, Math.min(now.perCell * 16, whole.perCell), 'one zoom step out');

  const { scrollWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth }));
  assert.ok(scrollWidth <= 390, `nothing scrolls sideways (${scrollWidth}px)`);
  assert.equal(await map.evaluate((c) => getComputedStyle(c).touchAction), 'pan-y', 'vertical swipes stay with the page');
  assert.deepEqual(errors, []);
});
