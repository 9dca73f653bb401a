"""The development storage account of `snaplab serve`, through
azure-storage-blob: what a backup tool does with a page blob (create, Put
Page, Clear Pages, snapshots, the diff between snapshots, Put Page From URL
out of a managed snapshot's SAS), and Storage's refusals (a wrong key, a
tampered, expired or too weak SAS)."""

import datetime
import os

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceExistsError
from azure.mgmt.compute.models import CreationData, Disk, DiskSku, GrantAccessData, Snapshot
from azure.storage.blob import BlobClient, BlobSasPermissions, BlobServiceClient, generate_blob_sas

from conftest import SUBSCRIPTION

MIB = 1024 * 1024
GROUP = "rg-storage"


def parts(connection_string):
    fields = dict(p.split("=", 1) for p in connection_string.strip(";").split(";"))
    return fields["AccountName"], fields["AccountKey"], fields["BlobEndpoint"]


@pytest.fixture(scope="module")
def service(connection_string):
    return BlobServiceClient.from_connection_string(connection_string)


def ranges(blob, **kwargs):
    pages, cleared = [], []
    for r in blob.list_page_ranges(**kwargs):
        (cleared if r.cleared else pages).append((r.start, r.end))
    return pages, cleared


def test_a_page_blob_its_snapshots_and_the_diff_between_them(service):
    container = service.create_container("storage-tests")
    with pytest.raises(ResourceExistsError):
        service.create_container("storage-tests")
    blob = container.get_blob_client("disk.vhd")
    blob.create_page_blob(size=16 * MIB)

    blob.upload_page(os.urandom(MIB), offset=0, length=MIB)
    blob.upload_page(b"\x07" * 4096, offset=8 * MIB, length=4096)
    first = blob.create_snapshot()["snapshot"]

    # Between the snapshots: a page rewritten, one cleared, new data further on.
    blob.upload_page(b"\x08" * 512, offset=8 * MIB, length=512)
    blob.clear_page(offset=512, length=512)
    blob.upload_page(b"\x09" * 8192, offset=12 * MIB, length=8192)
    second = blob.create_snapshot()["snapshot"]
    assert second > first, "snapshot ids are times, newer is later"

    assert ranges(blob, previous_snapshot=first) == (
        [(8 * MIB, 8 * MIB + 511), (12 * MIB, 12 * MIB + 8191)],
        [(512, 1023)],
    )
    # The snapshot itself lists its pages as they were; the older one is unchanged.
    older = service.get_blob_client("storage-tests", "disk.vhd", snapshot=first)
    assert ranges(older) == ([(0, MIB - 1), (8 * MIB, 8 * MIB + 4095)], [])
    assert older.download_blob(offset=8 * MIB, length=512).readall() == b"\x07" * 512
    assert blob.download_blob(offset=8 * MIB, length=512).readall() == b"\x08" * 512
    assert blob.get_blob_properties().size == 16 * MIB
    # A diff against a snapshot that does not exist is Storage's 409.
    with pytest.raises(HttpResponseError) as missing:
        list(blob.list_page_ranges(previous_snapshot="2020-01-01T00:00:00.0000000Z"))
    assert missing.value.error_code == "PreviousSnapshotNotFound"


def test_put_page_from_url_copies_a_managed_snapshot_into_a_blob(service, compute, resources, run_script):
    resources.resource_groups.create_or_update(GROUP, {"location": "westeurope"})
    compute.disks.begin_create_or_update(
        GROUP, "src", Disk(location="westeurope", sku=DiskSku(name="Standard_LRS"), creation_data=CreationData(create_option="Empty"), disk_size_gb=1)
    ).result()
    run_script(f"sim write -g {GROUP} --disk src --offset 1M --length 2M --seed 5 -o none\n")
    source = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.Compute/disks/src"
    compute.snapshots.begin_create_or_update(
        GROUP, "src-1", Snapshot(location="westeurope", incremental=True, creation_data=CreationData(create_option="Copy", source_resource_id=source))
    ).result()
    sas = compute.snapshots.begin_grant_access(GROUP, "src-1", GrantAccessData(access="Read", duration_in_seconds=3600)).result().access_sas

    target = service.get_blob_client("storage-tests", "copy.vhd")
    target.create_page_blob(size=1024 * MIB)
    target.upload_pages_from_url(sas, offset=MIB, length=2 * MIB, source_offset=MIB)
    snapshot = BlobClient.from_blob_url(sas)
    assert target.download_blob(offset=MIB, length=2 * MIB).readall() == snapshot.download_blob(offset=MIB, length=2 * MIB).readall()
    assert ranges(target) == ([(MIB, 3 * MIB - 1)], [])
    # A source URL that is not this server's is refused, not fetched.
    with pytest.raises(HttpResponseError) as elsewhere:
        target.upload_pages_from_url("https://example.com/x?sig=a", offset=0, length=512, source_offset=0)
    assert elsewhere.value.error_code == "CannotVerifyCopySource"
    compute.snapshots.begin_revoke_access(GROUP, "src-1").result()
    # A revoked source SAS is refused by the source, so the copy is.
    with pytest.raises(HttpResponseError) as revoked:
        target.upload_pages_from_url(sas, offset=0, length=512, source_offset=0)
    assert revoked.value.error_code == "CannotVerifyCopySource"


def test_a_wrong_key_and_bad_sases_get_403(service, connection_string):
    name, key, endpoint = parts(connection_string)
    blob = service.get_blob_client("storage-tests", "sas.vhd")
    blob.create_page_blob(size=MIB)

    wrong = BlobServiceClient(endpoint, credential={"account_name": name, "account_key": key[:-4] + "AAA="})
    with pytest.raises(ClientAuthenticationError) as denied:
        wrong.get_blob_client("storage-tests", "sas.vhd").get_blob_properties()
    assert denied.value.error_code == "AuthenticationFailed"

    now = datetime.datetime.now(datetime.timezone.utc)

    def sas_url(permission, expiry):
        token = generate_blob_sas(name, "storage-tests", "sas.vhd", account_key=key, permission=permission, expiry=expiry)
        return f"{endpoint}/storage-tests/sas.vhd?{token}"

    good = sas_url(BlobSasPermissions(read=True, write=True), now + datetime.timedelta(hours=1))
    BlobClient.from_blob_url(good).upload_page(b"\x01" * 512, offset=0, length=512)
    assert BlobClient.from_blob_url(good).download_blob(offset=0, length=512).readall() == b"\x01" * 512

    expired = sas_url(BlobSasPermissions(read=True), now - datetime.timedelta(minutes=5))
    with pytest.raises(ClientAuthenticationError) as late:
        BlobClient.from_blob_url(expired).download_blob(offset=0, length=512).readall()
    assert (late.value.status_code, late.value.error_code) == (403, "AuthenticationFailed")
    assert "Signed expiry time" in str(late.value)

    tampered = good.replace("sp=rw", "sp=rwd")
    with pytest.raises(HttpResponseError) as forged:
        BlobClient.from_blob_url(tampered).download_blob(offset=0, length=512).readall()
    assert (forged.value.status_code, forged.value.error_code) == (403, "AuthenticationFailed")
    # No credential at all.
    with pytest.raises(HttpResponseError) as anonymous:
        BlobClient(endpoint, "storage-tests", "sas.vhd").get_blob_properties()
    assert anonymous.value.status_code == 401

    read_only = sas_url(BlobSasPermissions(read=True), now + datetime.timedelta(hours=1))
    with pytest.raises(HttpResponseError) as weak:
        BlobClient.from_blob_url(read_only).upload_page(b"\x02" * 512, offset=0, length=512)
    assert weak.value.error_code == "AuthorizationPermissionMismatch"
    # Nothing those requests tried was written.
    assert blob.download_blob(offset=0, length=512).readall() == b"\x01" * 512
