// The adversarial corpus (tests/adversarial/, see console/tests/adversarial.rs)
// in the browser: every crafted share link and lab file is refused with its
// clear error, and the stored lab is exactly as it was, after a reload too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useApp, newPage, text, openApp, act, openTab, moreActions, snapshot } from '../harness.mjs';

const app = useApp();
const CORPUS = join(import.meta.dirname, '..', '..', 'tests', 'adversarial');
const cases = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8'));

async function labState(page) {
  return {
    used: await text(page, '#disk-disk1-used'),
    snapshots: await page.locator('tr[id^="snapshot-"]').allTextContents(),
  };
}

test('crafted share links and lab files are refused with their errors and the lab is unchanged', async () => {
  const links = cases.filter((c) => c.kind === 'link');
  const files = cases.filter((c) => c.kind === 'file');
  assert.ok(links.length >= 5 && files.length >= 5, `${links.length} links, ${files.length} files`);
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await moreActions(page);
  await page.getByLabel('Text to write').fill('keep me');
  await act(page, page.getByRole('button', { name: 'Write text' }));
  assert.equal(await snapshot(page), 'created');
  const before = await labState(page);
  assert.equal(before.snapshots.length, 1);

  for (const c of links) {
    const payload = readFileSync(join(CORPUS, c.file), 'utf8').trim();
    // A refused link is refused before any question is asked.
    page.once('dialog', (d) => assert.fail(`${c.file} asked: ${d.message()}`));
    await page.goto(`${app.url}#lab=${payload}`);
    await page.reload();
    const alert = page.getByRole('alert').filter({ hasText: c.expect });
    await alert.first().waitFor({ timeout: 15_000 });
    assert.match(await alert.first().textContent(), /Your lab was not changed/, c.file);
    page.removeAllListeners('dialog');
    assert.deepEqual(await labState(page), before, `${c.file} changed the lab`);
  }

  for (const c of files) {
    await openTab(page, 'More');
    await page.locator('#import-lab').setInputFiles({ name: c.file, mimeType: 'application/octet-stream', buffer: readFileSync(join(CORPUS, c.file)) });
    const alert = page.getByRole('alert').filter({ hasText: c.expect });
    await alert.first().waitFor({ timeout: 15_000 });
    assert.match(await alert.first().textContent(), /Your lab was not changed/, c.file);
    await openTab(page, 'Snapshots');
    assert.deepEqual(await labState(page), before, `${c.file} changed the lab`);
  }

  await page.goto(app.url);
  await page.locator('#disk-disk1-used').waitFor();
  await openTab(page, 'Snapshots');
  assert.deepEqual(await labState(page), before, 'the stored lab, after a reload');
  assert.deepEqual(errors, []);
});

test('a stored lab that cannot be opened still offers export of its raw records and a reset that works', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  // Damage the stored lab as a crash or a foreign tool could: a log entry out of sequence.
  await page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open('snaplab');
    open.onsuccess = () => {
      const tx = open.result.transaction('records', 'readwrite');
      tx.objectStore('records').put(new TextEncoder().encode('{"op":"advanceClock","millis":1}'), 'log/000000000099');
      tx.oncomplete = () => { open.result.close(); ok(); };
      tx.onerror = () => fail(tx.error);
    };
    open.onerror = () => fail(open.error);
  }));
  await page.reload();
  const failed = page.getByRole('alert').filter({ hasText: 'Your stored lab could not be opened' });
  await failed.waitFor({ timeout: 15_000 });
  assert.match(await failed.textContent(), /log\/000000000099 is out of sequence/);

  // Its raw records can still be saved...
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export lab' }).click()]);
  assert.equal(download.suggestedFilename(), 'snaplab-lab.snaplab');
  // ...and Reset gives a working lab.
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset lab' }).click();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 15_000 });
  assert.equal(await text(page, '#disk-disk1-used'), '0 B');
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 15_000 });
  // The damaged lab's page errors are the only console errors allowed.
  assert.deepEqual(errors.filter((e) => !/could not be opened|out of sequence/.test(e)), []);
});
