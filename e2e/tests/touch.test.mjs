// Touch on a phone (issue 23, item 1): with the resource drawer open, a tap
// outside it (on the shade over the page) closes it, and does not act on what
// is beneath.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, pageAt } from '../harness.mjs';

const app = useApp();

test('at 390x844 a tap outside the open resource drawer closes it', async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, { width: 390, height: 844, touch: true }, errors);
  const drawer = page.locator('#resource-drawer');
  const toggle = page.locator('#drawer-toggle');
  await toggle.tap();
  await drawer.waitFor({ state: 'visible' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const box = await drawer.boundingBox();
  // A tap inside the drawer leaves it open.
  await page.touchscreen.tap(box.x + box.width / 2, box.y + 5);
  assert.equal(await drawer.isVisible(), true);
  // Right of the drawer, in the page's middle: the shade, not the page.
  const before = await page.locator('#disk-disk1-used').textContent();
  await page.touchscreen.tap(box.x + box.width + (390 - box.x - box.width) / 2, 420);
  await drawer.waitFor({ state: 'hidden' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('.drawer-shade').count(), 0);
  assert.equal(await page.locator('#disk-disk1-used').textContent(), before);
  assert.deepEqual(errors, []);
});
