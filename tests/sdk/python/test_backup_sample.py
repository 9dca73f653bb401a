"""The seed article's "next steps" sample, ported to Python against
`snaplab serve`: back a disk up through its incremental snapshots into a
page blob of the development storage account, the first snapshot in full,
then each later one through the diff against the one before it (clear its
ClearRanges, copy its PageRanges with Put Page From URL in pieces of at
most 4 MiB), a blob snapshot after each. Rule D6 of the reference sheet.

The published sample (Azure-Samples/managed-disks-dotnet-backup-with-
incremental-snapshots, Program.cs) cuts each range into pieces whose
offsets start again at 0 for every range (`new HttpRange(subOffset, …)`),
so every piece is read from, and written to, the start of the disk. Run as
published, it makes a backup that is not the disk; run with the range's
own offset, the backup equals the last snapshot byte for byte."""

import pytest
from azure.mgmt.compute.models import CreationData, Disk, DiskSku, GrantAccessData, Snapshot
from azure.storage.blob import BlobClient, BlobServiceClient

from conftest import SUBSCRIPTION

MIB = 1024 * 1024
PIECE = 4 * MIB
GROUP = "rg-backup"


def write(run_script, disk, script):
    out = run_script("".join(f"sim {line} -g {GROUP} --disk {disk} -o none\n" for line in script))
    assert out == "", out


def incremental_snapshots(compute, disk_name):
    """The disk's incremental snapshots, oldest first (the sample's filter:
    incremental, and source id and unique id both the disk's)."""
    disk = compute.disks.get(GROUP, disk_name)
    mine = [
        s
        for s in compute.snapshots.list_by_resource_group(GROUP)
        if s.incremental
        and s.creation_data.source_resource_id == disk.id
        and s.creation_data.source_unique_id == disk.unique_id
    ]
    return sorted(mine, key=lambda s: s.time_created)


def sas_of(compute, snapshot):
    return compute.snapshots.begin_grant_access(GROUP, snapshot.name, GrantAccessData(access="Read", duration_in_seconds=3600)).result().access_sas


def copy_ranges(target, source_sas, ranges, as_published):
    for start, end in ranges:
        size = end - start + 1
        for sub in range(0, size, PIECE):
            piece = min(size - sub, PIECE)
            # As published, the piece's offset is counted from the range's start
            # but used as if it were the disk's: every range lands at offset 0.
            at = sub if as_published else start + sub
            target.upload_pages_from_url(source_sas, offset=at, length=piece, source_offset=at)


def back_up(compute, service, disk_name, blob_name, as_published=False):
    snapshots = incremental_snapshots(compute, disk_name)
    first_sas = sas_of(compute, snapshots[0])
    first = BlobClient.from_blob_url(first_sas)
    container = service.get_container_client("backups")
    if not container.exists():
        container.create_container()
    target = container.get_blob_client(blob_name)
    target.create_page_blob(size=first.get_blob_properties().size)
    ranges = [(r.start, r.end) for r in first.list_page_ranges() if not r.cleared]
    copy_ranges(target, first_sas, ranges, as_published)
    target.create_snapshot()
    previous_sas = first_sas
    for snapshot in snapshots[1:]:
        current_sas = sas_of(compute, snapshot)
        current = BlobClient.from_blob_url(current_sas)
        pages, clears = current.get_page_range_diff_for_managed_disk(previous_sas)
        for r in clears:
            target.clear_page(offset=r["start"], length=r["end"] - r["start"] + 1)
        copy_ranges(target, current_sas, [(r["start"], r["end"]) for r in pages], as_published)
        target.create_snapshot()
        previous_sas = current_sas
    return target, current_sas


def contents(blob):
    """(ranges, their bytes): equal for two blobs means equal byte for byte,
    since a page outside every range reads as zeros."""
    ranges = [(r.start, r.end) for r in blob.list_page_ranges() if not r.cleared]
    data = [blob.download_blob(offset=s, length=e - s + 1).readall() for s, e in ranges]
    return ranges, data


@pytest.fixture(scope="module")
def backed_up_disk(compute, resources, run_script):
    """A 1 GiB disk written, trimmed and rewritten between three incremental snapshots."""
    resources.resource_groups.create_or_update(GROUP, {"location": "westeurope"})
    compute.disks.begin_create_or_update(
        GROUP, "data", Disk(location="westeurope", sku=DiskSku(name="Premium_LRS"), creation_data=CreationData(create_option="Empty"), disk_size_gb=1)
    ).result()
    disk_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.Compute/disks/data"

    def snapshot(name):
        compute.snapshots.begin_create_or_update(
            GROUP, name, Snapshot(location="westeurope", incremental=True, creation_data=CreationData(create_option="Copy", source_resource_id=disk_id))
        ).result()

    # A 10 MiB range (three pieces), and scattered small ones far from 0.
    write(run_script, "data", ["write --offset 0 --length 10M --seed 1", "write --offset 300M --length 64K --seed 2", "write --offset 700M --length 4K --seed 3"])
    snapshot("data-1")
    write(run_script, "data", ["write --offset 2M --length 1M --seed 4", "trim --offset 300M --length 32K", "write --offset 512M --length 9M --seed 5"])
    snapshot("data-2")
    write(run_script, "data", ["write --offset 700M --length 4K --seed 6", "trim --offset 0 --length 512K", "write --offset 1020M --length 4M --seed 7"])
    snapshot("data-3")
    return "data"


def test_the_backup_through_the_diffs_equals_the_last_snapshot(compute, connection_string, backed_up_disk):
    service = BlobServiceClient.from_connection_string(connection_string)
    target, last_sas = back_up(compute, service, backed_up_disk, "data.vhd")
    last = BlobClient.from_blob_url(last_sas)
    backup_ranges, backup_bytes = contents(target)
    last_ranges, last_bytes = contents(last)
    assert backup_ranges == last_ranges
    assert backup_bytes == last_bytes
    assert len(incremental_snapshots(compute, backed_up_disk)) == 3
    # Not by chance: the disk's data is spread over the whole GiB.
    assert backup_ranges[-1][1] == 1024 * MIB - 1


def test_the_published_chunk_copy_makes_a_corrupt_backup(compute, connection_string, backed_up_disk):
    service = BlobServiceClient.from_connection_string(connection_string)
    target, last_sas = back_up(compute, service, backed_up_disk, "data-as-published.vhd", as_published=True)
    last = BlobClient.from_blob_url(last_sas)
    backup_ranges, _ = contents(target)
    last_ranges, _ = contents(last)
    assert backup_ranges != last_ranges
    # What the disk holds at 512 MiB (written before the second snapshot) never
    # reached the backup: every piece was copied to the start instead.
    assert last.download_blob(offset=512 * MIB, length=4096).readall() != bytes(4096)
    assert target.download_blob(offset=512 * MIB, length=4096).readall() == bytes(4096)
    # Nor did the last 4 MiB, written before the third.
    assert last.download_blob(offset=1020 * MIB, length=4096).readall() != bytes(4096)
    assert target.download_blob(offset=1020 * MIB, length=4096).readall() == bytes(4096)
