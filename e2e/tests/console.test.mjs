// The console panel: the seed's CLI script pasted and run in the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, openTab, moreActions } from '../harness.mjs';

const app = useApp();

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
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
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
  // Hovering a command explains it (the same text as `explain`).
  const tip = await page.locator('#console-output .command').filter({ hasText: 'az snapshot create' }).getAttribute('title');
  assert.match(tip, /^az snapshot create: Create a snapshot of a disk/);
  assert.match(tip, /B1: At most 7 incremental snapshots per disk every 5 minutes\./);

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

test("seed 001's PowerShell block and its Resource Manager template work in the browser", async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  await page.locator('#console-shell').selectOption('pwsh');
  const input = page.getByLabel('Command or script');
  await input.fill(`$diskName = "disk1"
$resourceGroupName = "rg-snaplab"
$snapshotName = "ps-snapshot"
$yourDisk = Get-AzDisk -DiskName $diskName -ResourceGroupName $resourceGroupName
$snapshotConfig=New-AzSnapshotConfig -SourceUri $yourDisk.Id -Location $yourDisk.Location -CreateOption Copy -Incremental
New-AzSnapshot -ResourceGroupName $resourceGroupName -SnapshotName $snapshotName -Snapshot $snapshotConfig`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('#snapshot-ps-snapshot').waitFor({ timeout: 10_000 });
  assert.match(await text(page, '#console-output'), /PS> New-AzSnapshot/);
  assert.match(await text(page, '#console-output'), /Incremental\s+: True/);

  // The template blade has seed 001's template filled in for disk1.
  await openTab(page, 'More');
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.locator('#template-result').filter({ hasText: '"provisioningState": "Succeeded"' }).waitFor({ timeout: 10_000 });
  // The snapshot it made is in the resource tree.
  await page.locator('.tree').filter({ hasText: 'disk1_snapshot1' }).waitFor();
  // A template ARM would refuse: the reason and the JSON path.
  const json = await page.locator('#template-json').inputValue();
  await page.locator('#template-json').fill(json.replace('"2022-03-22"', '"2020-09-30"').replace('"Copy"', '"CopyStart"'));
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  assert.match(await text(page, '#template-result'), /\$\.resources\[0\]\.properties\.creationData\.createOption: CopyStart needs apiVersion 2020-12-01 or later/);
  await page.locator('.template').scrollIntoViewIfNeeded();
  await screenshot(page, 'template.png');
  assert.deepEqual(errors, []);
});

test('a long script streams its output with progress, the page stays live, and Stop ends it keeping what ran', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  const input = page.getByLabel('Command or script');
  // Thirty thousand writes, each printing a line: seconds of work, long enough to watch.
  await input.fill(`for i in $(seq 1 30000); do
  sim write -g rg-snaplab --disk disk1 --offset $((i * 8192)) --length 512 --seed $i -o none
  echo "wrote page $i"
done
echo all-done`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  // Progress shows while it runs, with output that came before the end.
  const running = page.locator('#console-running');
  await running.waitFor({ timeout: 10_000 });
  await page.locator('#console-output .out', { hasText: /^wrote page \d+/ }).first().waitFor({ timeout: 10_000 });
  const progress = await running.textContent();
  const m = progress.match(/Running: ([\d,]+) commands, ([\d,]+) lines/);
  assert.ok(m, progress);
  assert.ok(Number(m[2].replace(/,/g, '')) > 0, progress);

  // The page answers while the script runs: a tab opens.
  await openTab(page, 'Billing');
  await openTab(page, 'Snapshots');
  await screenshot(page, 'console-running.png');

  await page.locator('#console-stop').click();
  await page.locator('#console-output .err', { hasText: /^\^C/ }).waitFor({ timeout: 20_000 });
  assert.equal(await running.count(), 0, 'the progress line goes once the transcript is stored');
  const out = await text(page, '#console-output');
  assert.match(out, /\^C \(stopped: the commands that ran before Stop stay done/);
  assert.doesNotMatch(out, /all-done/);
  const wrote = [...out.matchAll(/^wrote page (\d+)$/gm)].map((x) => Number(x[1]));
  assert.ok(wrote.length > 0 && wrote.length < 2000, `${wrote.length} writes before Stop`);

  // What ran is stored, and survives a reload.
  const used = await page.locator('#disk-disk1-used').textContent();
  assert.ok(!/^0 B/.test(used), used);
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor();
  assert.equal(await page.locator('#disk-disk1-used').textContent(), used, 'stored, so it survives a reload');
  assert.deepEqual(errors, []);
});

test('Tab completes commands, arguments and the lab\'s snapshot names; az\'s "did you mean" shows while typing; history survives a reload', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  const input = page.getByLabel('Command or script');
  const list = page.locator('#console-completions li');
  const focused = () => page.evaluate(() => document.activeElement?.id);

  // One candidate: it and a space are inserted, and focus stays in the input.
  await input.fill('az snap');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'az snapshot ');
  assert.equal(await focused(), 'console-input');
  await input.press('End');
  await input.pressSequentially('cr');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'az snapshot create ');
  // Several: their common prefix, and the list under the input (a polite live region).
  await input.pressSequentially('--so');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'az snapshot create --source');
  assert.deepEqual(await list.allTextContents(), ['--source', '--source-storage-account-id']);
  assert.equal(await page.locator('#console-completions').getAttribute('aria-live'), 'polite');
  assert.equal(await focused(), 'console-input');
  // Escape closes the list.
  await input.press('Escape');
  assert.equal(await list.count(), 0);

  // Snapshots in the lab: `-n ` lists them, following the command.
  for (const name of ['snap-monday', 'snap-tuesday']) {
    await input.fill(`az snapshot create -g rg-snaplab -n ${name} --source disk1 --incremental true -o none`);
    await input.press('Enter');
    await page.locator(`#snapshot-${name}`).waitFor({ timeout: 10_000 });
  }
  await input.fill('az snapshot show -g rg-snaplab -n ');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'az snapshot show -g rg-snaplab -n snap-');
  assert.deepEqual(await list.allTextContents(), ['snap-monday', 'snap-tuesday']);
  await page.locator('.console').scrollIntoViewIfNeeded();
  await screenshot(page, 'console-completion.png');
  await input.pressSequentially('t');
  assert.equal(await list.count(), 0, 'typing closes the list');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'az snapshot show -g rg-snaplab -n snap-tuesday ');
  // A disk command's -n lists disks.
  await input.fill('az disk show -g rg-snaplab -n di');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'az disk show -g rg-snaplab -n disk1 ');
  // With nothing to complete, Tab moves on as everywhere (no keyboard trap).
  await input.fill('');
  await input.press('Tab');
  assert.notEqual(await focused(), 'console-input');

  // A wrong word shows az's own "did you mean" under the input before it runs.
  await input.fill('az snapshto ');
  await page.locator('#console-advice', { hasText: "Did you mean 'az snapshot'?" }).waitFor();
  await input.fill('az snapshot list --resource-grup rg-snaplab ');
  await page.locator('#console-advice', { hasText: "Did you mean '--resource-group'?" }).waitFor();
  await input.fill('az snapshot list ');
  assert.equal(await text(page, '#console-advice'), '');
  // PowerShell's cmdlets and parameters complete too.
  await page.locator('#console-shell').selectOption('pwsh');
  await input.fill('get-azsn');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'Get-AzSnapshot ');
  await input.pressSequentially('-Resou');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'Get-AzSnapshot -ResourceGroupName ');
  await page.locator('#console-shell').selectOption('bash');

  // Up recalls the commands run, after a reload too.
  await input.fill('az snapshot list -o table');
  await input.press('Enter');
  await page.locator('#console-output', { hasText: 'snap-tuesday' }).waitFor();
  await page.waitForTimeout(300); // the history is stored after the command is sent
  await page.reload();
  await page.locator('#disk-disk1-used').waitFor({ timeout: 20_000 });
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'az snapshot list -o table');
  await input.press('ArrowUp');
  assert.match(await input.inputValue(), /^az snapshot create -g rg-snaplab -n snap-tuesday/);
  assert.deepEqual(errors, []);
});

test('the console shows the REST requests behind an az command when asked, and only then', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  const toggle = page.getByLabel('Show REST requests');
  assert.equal(await toggle.isChecked(), false, 'off by default');
  const input = page.getByLabel('Command or script');
  await input.fill('az disk show -g rg-snaplab -n disk1 --query name -o tsv');
  await input.press('Enter');
  await page.locator('#console-output .out').filter({ hasText: /^disk1\s*$/ }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await text(page, '#console-output'), /Request URL/);

  await toggle.check();
  await input.fill('az snapshot create -g rg-snaplab -n snap-rest --source disk1 --incremental true -o none');
  await input.press('Enter');
  await page.locator('#snapshot-snap-rest').waitFor({ timeout: 10_000 });
  const output = await text(page, '#console-output');
  // What az sends: the source looked up by name (a snapshot first, then the
  // disk), the group for its location, then the PUT, polled to its end.
  const methods = [...output.matchAll(/^Request method: '(\w+)'$/gm)].map((m) => m[1]);
  assert.deepEqual(methods, ['GET', 'GET', 'GET', 'PUT', 'GET', 'GET']);
  assert.match(output, /^Request URL: 'https:\/\/management\.azure\.com\/subscriptions\/[^/]+\/resourceGroups\/rg-snaplab\/providers\/Microsoft\.Compute\/snapshots\/snap-rest\?api-version=2025-01-02'$/m);
  assert.match(output, /"incremental": true/);
  assert.match(output, /^Response status: 404$/m);
  assert.match(output, /^Response status: 202$/m);
  // Set apart from errors: the request lines are marked as the request view.
  const marked = await page.locator('#console-output .err.request').count();
  assert.ok(marked >= 6 * 5, `${marked} request lines marked`);
  assert.equal(await page.locator('#console-output .err:not(.request)').count(), 0);
  await page.locator('.console').scrollIntoViewIfNeeded();
  await screenshot(page, 'console-requests.png');

  await toggle.uncheck();
  const before = (await text(page, '#console-output')).length;
  await input.fill('az snapshot show -g rg-snaplab -n snap-rest --query name -o tsv');
  await input.press('Enter');
  await page.locator('#console-output .out').filter({ hasText: /^snap-rest\s*$/ }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch((await text(page, '#console-output')).slice(before), /Request URL/);
  assert.deepEqual(errors, []);
});
