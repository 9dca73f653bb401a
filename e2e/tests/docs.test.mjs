// The docs-style scripts of tests/docs/ (one per tab of each docs page),
// pasted into the browser's console after their page's setup: each prints
// exactly its golden output, the same lines the native run prints
// (console/tests/docs_corpus.rs). Template tabs deploy from a file, which
// the browser console has not got; they run natively only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useApp, openApp } from '../harness.mjs';

const app = useApp();
const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'docs');

const cases = [];
for (const page of readdirSync(CORPUS).sort()) {
  const dir = join(CORPUS, page);
  if (!statSync(dir).isDirectory()) continue;
  for (const file of readdirSync(dir).sort()) {
    if (!(file.endsWith('.sh') || file.endsWith('.ps1')) || file === 'setup.sh') continue;
    const script = readFileSync(join(dir, file), 'utf8');
    if (script.includes('--template-file')) continue;
    cases.push({ page, file, script, setup: readFileSync(join(dir, 'setup.sh'), 'utf8'), golden: readFileSync(join(dir, `${file}.golden`), 'utf8') });
  }
}

/** Pastes `script` into the console in `shell` and runs it. */
async function run(page, shell, script) {
  await page.locator('#console-shell').selectOption(shell);
  const input = page.getByLabel('Command or script');
  await input.fill(script);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

const output = (page) => page.locator('#console-output').textContent();

test('every CLI and PowerShell script of the docs corpus prints its golden output in the browser', async () => {
  assert.ok(cases.length >= 14, `${cases.length} browser cases`);
  for (const c of cases) {
    // A fresh browser profile per script: the page's starting point only.
    const context = await app.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await openApp(page, app.url);
    await run(page, 'bash', `${c.setup}echo setup-done\n`);
    await page.waitForFunction(
      () => document.querySelector('#console-output').textContent.includes('\nsetup-done\n')
        && !document.querySelector('#console-running')
        && document.querySelector('.saving')?.textContent === '',
      null,
      { timeout: 30_000 },
    );
    const before = (await output(page)).length;

    await run(page, c.file.endsWith('.ps1') ? 'pwsh' : 'bash', c.script);
    // The golden's lines, without its "[exit N]" line (the console shows
    // how a script ended by its lines, not by a number).
    const expected = c.golden.replace(/\[exit \d+\]\n$/, '');
    const done = await page
      .waitForFunction(
        ({ expected, before }) => document.querySelector('#console-output').textContent.slice(before).includes(expected),
        { expected, before },
        { timeout: 30_000 },
      )
      .then(() => true, () => false);
    const got = (await output(page)).slice(before);
    assert.ok(done, `${c.page}/${c.file}: the console printed\n${got}\n--- expected (in order)\n${expected}`);
    assert.deepEqual(errors, [], `${c.page}/${c.file}`);
    await context.close();
  }
});
