"""A VHD uploaded to a managed disk, as Azure's upload-a-VHD docs do it,
with azure-mgmt-compute for the disk and azure-storage-blob for its pages:
create the disk for upload (ReadyToUpload), grant Write (ActiveUpload),
Put Page through the SAS, revoke (Unattached), then read it back through
a snapshot's read SAS, byte for byte."""

import os

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute.models import CreationData, Disk, DiskSku, GrantAccessData, Snapshot
from azure.storage.blob import BlobClient

from conftest import SUBSCRIPTION

GROUP = "rg-upload"
MIB = 1024 * 1024
# A fixed VHD's contents (20 MiB, the smallest a disk may be made from) and its footer.
CONTENTS = 20 * MIB
VHD = CONTENTS + 512


def disk_id(name):
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.Compute/disks/{name}"


def local(endpoint, sas):
    """The SAS URL as this server serves it (path-style on 127.0.0.1): the
    server hands it out so already; this only checks that."""
    assert sas.startswith(endpoint), sas
    return sas


@pytest.fixture(scope="module")
def group(resources):
    return resources.resource_groups.create_or_update(GROUP, {"location": "westeurope"})


def vhd_bytes():
    """Scattered data, as a real image has: three written regions and a footer."""
    image = bytearray(VHD)
    image[0:MIB] = os.urandom(MIB)
    image[5 * MIB : 5 * MIB + 4096] = b"\x5a" * 4096
    image[12 * MIB : 16 * MIB] = os.urandom(4 * MIB)
    image[CONTENTS : CONTENTS + 8] = b"conectix"
    return bytes(image)


def test_a_vhd_uploads_through_a_write_sas_and_reads_back_byte_for_byte(compute, group, endpoint):
    disk = compute.disks.begin_create_or_update(
        GROUP,
        "uploaded",
        Disk(
            location="westeurope",
            sku=DiskSku(name="Standard_LRS"),
            creation_data=CreationData(create_option="Upload", upload_size_bytes=VHD),
        ),
    ).result()
    assert disk.disk_state == "ReadyToUpload"
    assert disk.creation_data.create_option == "Upload"
    assert disk.creation_data.upload_size_bytes == VHD
    assert disk.disk_size_bytes == VHD

    # Not a disk to snapshot until its upload is over.
    with pytest.raises(HttpResponseError) as refused:
        compute.snapshots.begin_create_or_update(
            GROUP,
            "too-early",
            Snapshot(location="westeurope", creation_data=CreationData(create_option="Copy", source_resource_id=disk_id("uploaded")), incremental=True),
        ).result()
    assert refused.value.error.code == "OperationNotAllowed"
    assert "ReadyToUpload" in refused.value.error.message

    access = compute.disks.begin_grant_access(GROUP, "uploaded", GrantAccessData(access="Write", duration_in_seconds=86400)).result()
    assert compute.disks.get(GROUP, "uploaded").disk_state == "ActiveUpload"
    blob = BlobClient.from_blob_url(local(endpoint, access.access_sas))

    image = vhd_bytes()
    # Only the non-zero pages, in pieces of at most 4 MiB (what AzCopy does for a page blob).
    written = 0
    for start in range(0, VHD, 4 * MIB):
        end = min(start + 4 * MIB, VHD)
        piece = image[start:end]
        if piece.count(0) == len(piece):
            continue
        blob.upload_page(piece, offset=start, length=len(piece))
        written += len(piece)
    assert written < VHD, "the empty middle of the image was not sent"
    # Clear Pages is a write too: clear what a first pass wrote by mistake.
    blob.upload_page(b"\x01" * 512, offset=8 * MIB, length=512)
    blob.clear_page(offset=8 * MIB, length=512)

    # The disk's page ranges, through the same SAS: what was written, nothing else.
    ranges = [{"start": r.start, "end": r.end} for r in blob.list_page_ranges()]
    # Whole pieces were sent (zeros in them are writes too); the cleared page is not listed.
    assert ranges == [
        {"start": 0, "end": 8 * MIB - 1},
        {"start": 12 * MIB, "end": 16 * MIB - 1},
        {"start": 20 * MIB, "end": VHD - 1},
    ]

    # Writes need the write permission: the same URL with sp=r is refused.
    with pytest.raises(HttpResponseError) as mismatch:
        BlobClient.from_blob_url(access.access_sas.replace("sp=rw", "sp=r")).upload_page(b"\0" * 512, offset=0, length=512)
    assert mismatch.value.error_code == "AuthorizationPermissionMismatch"
    # (Pages are whole 512-byte pages: the SDK itself refuses others before
    # sending, so the server's 416 InvalidPageRange is tested natively, in
    # console/tests/serve_blob.rs.)

    compute.disks.begin_revoke_access(GROUP, "uploaded").result()
    assert compute.disks.get(GROUP, "uploaded").disk_state == "Unattached"
    # The write SAS is over.
    with pytest.raises(HttpResponseError) as revoked:
        blob.upload_page(b"\0" * 512, offset=0, length=512)
    assert revoked.value.status_code == 403

    snapshot = compute.snapshots.begin_create_or_update(
        GROUP,
        "uploaded-snap",
        Snapshot(location="westeurope", creation_data=CreationData(create_option="Copy", source_resource_id=disk_id("uploaded")), incremental=True),
    ).result()
    assert snapshot.disk_size_bytes == VHD
    read = compute.snapshots.begin_grant_access(GROUP, "uploaded-snap", GrantAccessData(access="Read", duration_in_seconds=3600)).result()
    reader = BlobClient.from_blob_url(local(endpoint, read.access_sas))
    assert reader.get_blob_properties().size == VHD
    back = b"".join(
        reader.download_blob(offset=start, length=min(4 * MIB, VHD - start)).readall()
        for start in range(0, VHD, 4 * MIB)
    )
    assert back == image
    compute.snapshots.begin_revoke_access(GROUP, "uploaded-snap").result()


def test_write_access_on_an_ordinary_disk_is_refused(compute, group):
    compute.disks.begin_create_or_update(
        GROUP,
        "ordinary",
        Disk(location="westeurope", sku=DiskSku(name="Standard_LRS"), creation_data=CreationData(create_option="Empty"), disk_size_gb=4),
    ).result()
    with pytest.raises(HttpResponseError) as refused:
        compute.disks.begin_grant_access(GROUP, "ordinary", GrantAccessData(access="Write", duration_in_seconds=60)).result()
    assert refused.value.error.code == "OperationNotAllowed"
    assert compute.disks.get(GROUP, "ordinary").disk_state == "Unattached"
