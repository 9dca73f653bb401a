// Resources and workloads as the portal offers them: groups, disks, VMs,
// writes at an offset, TRIM of a range, resize, attach/detach, SAS and a
// copy to another region, with the rules refusing what Azure refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, newPage, screenshot, text, openApp, act, openTab, moreActions, snapshot } from '../harness.mjs';

const app = useApp();

test('groups, disks, workloads, resize, VMs and a copy to another region', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);

  await openTab(page, 'More');
  const group = page.getByRole('form', { name: 'Create resource group' });
  await group.getByLabel('Name').fill('rg-demo');
  await group.getByLabel('Region').selectOption('swedencentral');
  await act(page, group.getByRole('button', { name: 'Create' }));

  await openTab(page, 'More');
  const disk = page.getByRole('form', { name: 'Create disk' });
  await disk.getByLabel('Name').fill('disk2');
  await disk.getByLabel('Resource group').selectOption('rg-demo');
  await disk.getByLabel('Disk type (SKU)').selectOption('Standard_LRS');
  await disk.getByLabel('Size (GiB)').fill('128');
  await act(page, disk.getByRole('button', { name: 'Create' }));
  assert.equal(await text(page, '#disk-disk2-size'), '128 GiB');
  const card = page.locator('section.disk-card', { has: page.locator('#disk-disk2-title') });
  assert.match(await card.textContent(), /swedencentral/);

  // Fill 5 MiB at 10 MiB, then TRIM 1 MiB at 12 MiB.
  await moreActions(page);
  const workload = card.getByRole('form', { name: 'Workload' });
  await workload.getByLabel('Data').selectOption('fill');
  await workload.getByLabel('Offset (MiB)').fill('10');
  await workload.getByLabel('Length (MiB)').fill('5');
  await act(page, workload.getByRole('button', { name: 'Write' }));
  assert.equal(await text(page, '#disk-disk2-used'), '5 MiB');
  await workload.getByLabel('Offset (MiB)').fill('12');
  await workload.getByLabel('Length (MiB)').fill('1');
  await act(page, workload.getByRole('button', { name: 'TRIM range' }));
  assert.equal(await text(page, '#disk-disk2-used'), '4 MiB');
  assert.equal(await text(page, '#disk-disk2-ranges'), '2');

  // B7: a disk only grows.
  await moreActions(page);
  await card.getByLabel('Resize to (GiB)').fill('64');
  await act(page, card.getByRole('button', { name: 'Resize', exact: true }));
  assert.match(await page.getByRole('alert').textContent(), /^\(OperationNotAllowed\) The disk can only grow \(rule B7\)/);

  // A VM: attached disks are not resized while it runs; deallocated, they are.
  await openTab(page, 'More');
  const vm = page.getByRole('form', { name: 'Create virtual machine' });
  await vm.getByLabel('Name').fill('vm1');
  await vm.getByLabel('Resource group').selectOption('rg-demo');
  await act(page, vm.getByRole('button', { name: 'Create' }));
  await act(page, page.getByRole('button', { name: 'Attach disk', exact: true }));
  assert.match(await card.textContent(), /Attached/);
  await moreActions(page);
  await card.getByLabel('Resize to (GiB)').fill('256');
  await act(page, card.getByRole('button', { name: 'Resize', exact: true }));
  assert.match(await page.getByRole('alert').textContent(), /attached to the running VM 'vm1'/);
  await act(page, page.getByRole('button', { name: 'Deallocate' }));
  await act(page, card.getByRole('button', { name: 'Resize', exact: true }));
  assert.equal(await text(page, '#disk-disk2-size'), '256 GiB');
  await act(page, page.getByRole('button', { name: 'Detach disk2' }));
  assert.match(await card.textContent(), /Unattached/);

  // Copy a snapshot of disk2 (Sweden Central) to North Europe: CopyStart completes over simulated time.
  await act(page, card.getByRole('button', { name: 'Write 64 MiB' }));
  assert.equal(await text(page, '#disk-disk2-used'), '68 MiB');
  await card.getByRole('button', { name: '+ Create snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await dialog.getByLabel('Name').fill('snap-we');
  await dialog.getByLabel('Incremental', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await act(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await openTab(page, 'Snapshots');
  await page.locator('#copy-region').selectOption('northeurope');
  await act(page, page.getByRole('button', { name: 'Copy snap-we' }));
  const copy = page.locator('#snapshot-snap-we-northeurope');
  assert.match(await copy.textContent(), /MiB 0%$/);
  await openTab(page, 'Snapshots');
  await act(page, page.getByRole('button', { name: 'Restore snap-we-northeurope' }));
  assert.match(await page.getByRole('alert').textContent(), /still copying in the background \(0% complete, rule C2\)/);
  await act(page, page.getByRole('button', { name: '+5 min' }));
  assert.match(await copy.textContent(), /MiB100%$/);
  assert.equal(await copy.locator('td.used').textContent(), '68 MiB');
  await screenshot(page, 'resources.png');
  assert.deepEqual(errors, []);
});

test('the portal dialog refuses a snapshot name in use before creating; the console would update it instead', async () => {
  const errors = [];
  const page = await newPage(app.browser, errors);
  await openApp(page, app.url);
  assert.equal(await snapshot(page, { name: 'daily' }), 'created');
  await page.getByRole('button', { name: '+ Create snapshot' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
  await dialog.getByLabel('Name').fill('Daily');
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  const taken = dialog.locator('#wizard-name-taken');
  await taken.waitFor();
  assert.match(await taken.textContent(), /A snapshot named 'Daily' already exists in resource group 'rg-snaplab'/);
  assert.equal(await dialog.getByRole('button', { name: 'Create', exact: true }).count(), 0, 'still on the first page');
  // A free name clears the message and goes on to the review.
  await dialog.getByLabel('Name').fill('daily-2');
  assert.equal(await taken.count(), 0);
  await dialog.getByRole('button', { name: 'Review + create' }).click();
  await dialog.getByRole('button', { name: 'Create', exact: true }).waitFor();
  assert.deepEqual(errors, []);
});
