// Accessibility (issue 23): axe-core checks WCAG 2.0/2.1 A and AA on the main
// screen, each side tab, the Create snapshot dialog, the console and a
// lesson; on a phone (390x844, touch) and at 1366x768; in English and in
// Swedish. Any serious or critical violation fails the test (all of them
// are printed). Also: <html lang> follows the chosen language, and the block
// map and the chain have text descriptions for screen readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, act, pageAt, axeViolations } from '../harness.mjs';

const app = useApp();
const TABS = ['snapshots', 'diff', 'billing', 'violations', 'history', 'lessons', 'more'];
const SCREENS = [
  { name: 'phone', width: 390, height: 844, touch: true },
  { name: '1366', width: 1366, height: 768 },
];

for (const screen of SCREENS) {
  for (const lang of ['en', 'sv']) {
    test(`axe-core at ${screen.name} in ${lang}: no serious or critical violation anywhere`, async () => {
      const errors = [];
      const page = await pageAt(app.browser, app.url, screen, errors);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await page.locator('.language select').selectOption(lang);
      // The whole document is in the chosen language, not only the centre.
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      await act(page, page.locator('.toolbar button').nth(1)); // write 64 MiB: the map has something to say
      const found = [];
      const check = async (where) => {
        for (const v of await axeViolations(page, `${screen.name} ${lang} ${where}`)) found.push(`${where}: ${v}`);
        // Nor does any screen, in either language, make the page scroll sideways.
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (wide > screen.width) found.push(`${where}: the page is ${wide}px wide`);
      };
      await check('main screen');
      for (const tab of TABS) {
        await page.locator(`#tab-${tab}`).click();
        await page.locator(`#tab-${tab}[aria-selected=true]`).waitFor();
        await check(`tab ${tab}`);
      }
      await page.locator('.disk-head button.primary').click();
      await page.getByRole('dialog').waitFor();
      await check('dialog');
      await page.getByRole('dialog').locator('button.primary').click(); // Review + create
      await check('dialog review');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      if (screen.touch) {
        await page.locator('#console-open').click();
        await page.locator('#console-input').waitFor();
        await check('console sheet');
        await page.locator('#console-close').click();
        await page.locator('#drawer-toggle').click();
        await check('resource drawer');
        await page.locator('#drawer-toggle').click();
      } else {
        await page.locator('#console-input').fill('az snapshot list -o table');
        await page.locator('#console-input').press('Enter');
        await check('console');
      }
      await page.locator('#tab-lessons').click();
      await page.locator('#lesson-pick').selectOption('first-incremental');
      page.once('dialog', (d) => d.accept());
      await page.locator('.lessons .actions button.primary').click();
      await page.locator('#lesson-title').waitFor({ timeout: 10_000 });
      await check('lesson');
      assert.deepEqual(found, []);
      assert.deepEqual(errors, []);
    });
  }
}

test('the block map and the chain are described in words, from what they draw', async () => {
  const errors = [];
  const page = await pageAt(app.browser, app.url, { width: 1366, height: 768 }, errors);
  const described = (sel) => page.locator(sel).evaluate((el) =>
    el.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent ?? `#${id} missing`).join(' | '));
  assert.match(await described('#map-disk1'), /^Disk disk1: 0 written ranges, 0 B in use; 0 B changed since it was created\./);
  await act(page, page.getByRole('button', { name: 'Write 64 MiB' }));
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  assert.match(await described('#map-disk1'), /^Disk disk1: 1 written ranges, 65 MiB in use; 65 MiB changed since it was created\./);
  await page.getByRole('button', { name: '+ Create snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await dialog.getByLabel('Name').fill('s1');
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await act(page, page.getByRole('button', { name: 'Write 1 MiB' }));
  assert.match(await described('#map-disk1'), /^Disk disk1: 1 written ranges, 66 MiB in use; 1 MiB changed since snapshot s1\./);
  assert.equal(await described('#map-disk1-chain'), 'Snapshot chain, oldest first: s1 (incremental) holds 65 MiB; for the next incremental snapshot: 1 MiB.');
  // In Swedish too, and the document says so.
  await page.getByLabel('Language').selectOption('sv');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'sv');
  assert.equal(await described('#map-disk1-chain'), 'Ögonblicksbildskedjan, äldst först: s1 (stegvis) håller 65 MiB; till nästa stegvisa ögonblicksbild: 1 MiB.');
  // A result lands in a live region that was already in the page.
  assert.equal(await page.locator('#disk-disk1-feedback').getAttribute('aria-live'), 'polite');
  assert.deepEqual(errors, []);
});
