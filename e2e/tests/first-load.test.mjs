// First load (issue 23, item 3): before the wasm has arrived the page is not
// blank but the app's own header and a "Loading the lab…" status; when the
// app mounts it replaces that shell without the header moving. The wasm is
// held back by the test, as a slow school network would, to look at the shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, axeViolations } from '../harness.mjs';

const app = useApp();
const SCREENS = [
  { name: 'phone', width: 390, height: 844, touch: true },
  { name: '1366', width: 1366, height: 768 },
];

// Where the header and what follows it are: what a reader would see jump.
const layout = () => {
  const header = document.querySelector('header').getBoundingClientRect();
  const h1 = document.querySelector('h1').getBoundingClientRect();
  return {
    header: Math.round(header.height),
    h1: [Math.round(h1.x), Math.round(h1.y)],
    background: getComputedStyle(document.querySelector('header')).backgroundColor,
    status: document.querySelector('[role=status]')?.getBoundingClientRect().y ?? null,
  };
};

for (const screen of SCREENS) {
  test(`at ${screen.name} the loading view shows until the app replaces it, without a jump`, async () => {
    const context = await app.browser.newContext({ viewport: { width: screen.width, height: screen.height }, hasTouch: !!screen.touch, isMobile: !!screen.touch });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let release;
    const held = new Promise((ok) => { release = ok; });
    await page.route('**/*.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(app.url);

    const status = page.getByRole('status');
    await status.waitFor();
    assert.equal((await status.textContent()).trim(), 'Loading the lab…');
    assert.equal((await page.locator('h1').textContent()).trim(), 'Snaplab');
    // It says what is coming (on a phone the header's tagline is hidden), in view
    // and outside the status, so a screen reader announces only "Loading the lab…".
    const about = page.locator('#boot .boot-about');
    assert.match(await about.textContent(), /simulates Azure managed disks and their incremental snapshots/);
    assert.ok(await about.isVisible());
    assert.equal(await page.locator('[role=status] .boot-about').count(), 0);
    const shell = await page.evaluate(layout);
    // The header is styled already (style.css is in <head>): the app's accent, not a bare page.
    assert.equal(shell.background, 'rgb(11, 92, 171)');
    assert.deepEqual(await axeViolations(page, `loading view ${screen.name}`), []);
    // Nothing of the app has run yet.
    assert.equal(await page.locator('#disk-disk1-used').count(), 0);

    // The app's first frame, caught as it lands (the shell is gone in it).
    await page.evaluate((measure) => {
      const at = new Function(`return (${measure})()`);
      window.firstFrame = new Promise((ok) => {
        new MutationObserver((_, observer) => {
          if (document.getElementById('boot') || !document.querySelector('header')) return;
          observer.disconnect();
          ok(at());
        }).observe(document.body, { childList: true, subtree: true });
      });
    }, layout.toString());
    release();
    const first = await page.evaluate(() => window.firstFrame);
    await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#boot').count(), 0, 'the shell is gone once the app has mounted');
    assert.equal(await page.locator('h1').count(), 1);
    // The app's own loading view takes the shell's place exactly.
    assert.deepEqual(first, shell);
    // And once the lab is open (the clock and the header's controls have
    // arrived) the header has not grown, nor has the title moved.
    const ready = await page.evaluate(layout);
    assert.deepEqual({ ...ready, status: null }, { ...shell, status: null });
    assert.deepEqual(errors, []);
    await context.close();
  });
}
