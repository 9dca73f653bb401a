// The real Azure SDKs for JavaScript against `snaplab serve`:
// @azure/arm-compute for the disks and snapshots, @azure/storage-blob for
// their SAS URLs and the development storage account. scripts/sdk-tests.sh
// starts the server and passes SNAPLAB_ARM_ENDPOINT and
// SNAPLAB_BLOB_CONNECTION_STRING.
//
// Sign-in: any TokenCredential; the SDK's bearer policy refuses plain http,
// so it is replaced by one that sets the same header (the Python tests do
// the same). Serialisation, polling and errors are the SDK's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ComputeManagementClient } from '@azure/arm-compute';
import { BlobServiceClient, PageBlobClient } from '@azure/storage-blob';

const ENDPOINT = process.env.SNAPLAB_ARM_ENDPOINT;
const CONNECTION = process.env.SNAPLAB_BLOB_CONNECTION_STRING;
const SUBSCRIPTION = '00000000-0000-0000-0000-5a0b1ab00001';
const GROUP = 'rg-node';
const MIB = 1024 * 1024;

function compute() {
  assert.ok(ENDPOINT, 'SNAPLAB_ARM_ENDPOINT is not set: run scripts/sdk-tests.sh');
  const credential = { getToken: async () => ({ token: 'fake', expiresOnTimestamp: Date.now() + 3600_000 }) };
  const client = new ComputeManagementClient(credential, SUBSCRIPTION, { endpoint: ENDPOINT, allowInsecureConnection: true });
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  client.pipeline.addPolicy({
    name: 'httpBearer',
    sendRequest: (request, next) => {
      request.headers.set('authorization', 'Bearer fake');
      return next(request);
    },
  });
  return client;
}

async function run(script) {
  const response = await fetch(`${ENDPOINT}/snaplab/run`, { method: 'POST', body: script, headers: { 'content-type': 'text/plain' } });
  assert.equal(response.status, 200, await response.text());
}

const poll = { updateIntervalInMs: 50 };
const diskId = (name) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Compute/disks/${name}`;

test('a disk uploaded through its write SAS reads back through a snapshot', async () => {
  const client = compute();
  await run(`az group create -n ${GROUP} -l westeurope -o none\n`);
  const size = 20 * MIB + 512;
  const disk = await client.disks.createOrUpdate(GROUP, 'uploaded', {
    location: 'westeurope',
    sku: { name: 'Standard_LRS' },
    creationData: { createOption: 'Upload', uploadSizeBytes: size },
  }, poll);
  assert.equal(disk.diskState, 'ReadyToUpload');
  assert.equal(disk.creationData.uploadSizeBytes, size);

  const { accessSAS } = await client.disks.grantAccess(GROUP, 'uploaded', { access: 'Write', durationInSeconds: 3600 }, poll);
  assert.equal((await client.disks.get(GROUP, 'uploaded')).diskState, 'ActiveUpload');
  const image = Buffer.concat([randomBytes(2 * MIB), Buffer.alloc(size - 2 * MIB)]);
  image.write('conectix', size - 512);
  const blob = new PageBlobClient(accessSAS);
  await blob.uploadPages(image.subarray(0, 2 * MIB), 0, 2 * MIB);
  await blob.uploadPages(image.subarray(size - 512), size - 512, 512);
  await client.disks.revokeAccess(GROUP, 'uploaded', poll);
  assert.equal((await client.disks.get(GROUP, 'uploaded')).diskState, 'Unattached');

  await client.snapshots.createOrUpdate(GROUP, 'uploaded-1', {
    location: 'westeurope',
    incremental: true,
    creationData: { createOption: 'Copy', sourceResourceId: diskId('uploaded') },
  }, poll);
  const read = await client.snapshots.grantAccess(GROUP, 'uploaded-1', { access: 'Read', durationInSeconds: 3600 }, poll);
  const snapshot = new PageBlobClient(read.accessSAS);
  assert.equal((await snapshot.getProperties()).contentLength, size);
  const head = await snapshot.downloadToBuffer(0, 2 * MIB);
  const tail = await snapshot.downloadToBuffer(size - 512, 512);
  assert.ok(head.equals(image.subarray(0, 2 * MIB)));
  assert.ok(tail.equals(image.subarray(size - 512)));
  const { pageRange } = await snapshot.getPageRanges();
  assert.deepEqual(pageRange.map((r) => [r.offset, r.offset + r.count]), [[0, 2 * MIB - 1], [size - 512, size - 1]]);
});

test('an engine refusal is a RestError with its code', async () => {
  const client = compute();
  await assert.rejects(
    client.disks.grantAccess(GROUP, 'uploaded', { access: 'Write', durationInSeconds: 60 }, poll),
    (e) => e.code === 'OperationNotAllowed' && /upload is over/.test(e.message),
  );
});

test('a backup blob: snapshots and the diff between them, in the development account', async () => {
  assert.ok(CONNECTION, 'SNAPLAB_BLOB_CONNECTION_STRING is not set: run scripts/sdk-tests.sh');
  const service = BlobServiceClient.fromConnectionString(CONNECTION);
  const container = service.getContainerClient('node-backups');
  await container.create();
  const blob = container.getPageBlobClient('disk.vhd');
  await blob.create(8 * MIB);
  await blob.uploadPages(Buffer.alloc(4096, 1), 0, 4096);
  const { snapshot } = await blob.createSnapshot();
  await blob.uploadPages(Buffer.alloc(512, 2), MIB, 512);
  await blob.clearPages(0, 512);
  const diff = await blob.getPageRangesDiff(0, 8 * MIB, snapshot);
  // The JavaScript SDK gives a range as offset and count, count being End - Start.
  assert.deepEqual(diff.pageRange.map((r) => [r.offset, r.offset + r.count]), [[MIB, MIB + 511]]);
  assert.deepEqual(diff.clearRange.map((r) => [r.offset, r.offset + r.count]), [[0, 511]]);
  // A wrong key is refused by the service, not the client.
  const wrong = CONNECTION.replace(/AccountKey=[^;]+/, 'AccountKey=' + Buffer.alloc(64, 7).toString('base64'));
  await assert.rejects(
    BlobServiceClient.fromConnectionString(wrong).getContainerClient('node-backups').getPageBlobClient('disk.vhd').getProperties(),
    (e) => e.statusCode === 403,
  );
});
