// The console panel: the seed's CLI script pasted and run in the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, newPage, screenshot, text, openApp } from '../harness.mjs';

let server;
let browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const SEED_CREATE = `# Declare variables
diskName="disk1"
resourceGroupName="rg-snaplab"
snapshotName="snapshot-from-cli"

# Get the disk you need to backup
yourDiskID=$(az disk show -n $diskName -g $resourceGroupName --query "id" --output tsv)

# Create the snapshot
az snapshot create -g $resourceGroupName -n $snapshotName --source $yourDiskID --incremental true
`;

test("the seed's CLI script pasted into the console creates a snapshot that appears in the timeline", async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await openApp(page, server.url);
  const input = page.getByLabel('Command or script');
  await input.fill('sim write -g rg-snaplab --disk disk1 --offset 0 --length 10M -o none');
  await input.press('Enter');
  await page.locator('#disk-disk1-used').filter({ hasText: '10 MiB' }).waitFor({ timeout: 10_000 });

  await input.fill(SEED_CREATE);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const row = page.locator('#snapshot-snapshot-from-cli');
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await row.locator('td').nth(0).textContent(), 'Incremental');
  assert.equal(await row.locator('td.used').textContent(), '10 MiB');
  const output = await text(page, '#console-output');
  assert.match(output, /"name": "snapshot-from-cli"/);
  assert.match(output, /"incremental": true/);

  // Errors print as az prints them, and up-arrow recalls the last input.
  await input.fill('az snapshot show -g rg-snaplab -n nope');
  await input.press('Enter');
  await page.locator('#console-output .err').first().waitFor();
  assert.match(await text(page, '#console-output'), /ERROR: \(ResourceNotFound\)/);
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'az snapshot show -g rg-snaplab -n nope');
  await page.locator('.console').scrollIntoViewIfNeeded();
  await screenshot(page, 'console.png');
  assert.deepEqual(errors, []);
});
