"""azure-mgmt-compute and azure-mgmt-resource against `snaplab serve`."""

import urllib.request

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute.models import CreationData, Disk, DiskSku, DiskUpdate, GrantAccessData, Snapshot

from conftest import SUBSCRIPTION

GROUP = "rg-sdk"


def disk_id(name):
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.Compute/disks/{name}"


@pytest.fixture(scope="module")
def group(resources):
    rg = resources.resource_groups.create_or_update(GROUP, {"location": "eastus"})
    assert rg.name == GROUP and rg.location == "eastus"
    return rg


class CountingPolling:
    """Counts the operation-status requests a poller makes."""

    def __init__(self):
        self.polls = 0

    def hook(self, response):
        if "/DiskOperations/" in response.http_request.url:
            self.polls += 1


def test_subscriptions_list(subscriptions):
    subs = list(subscriptions.subscriptions.list())
    assert [s.subscription_id for s in subs] == [SUBSCRIPTION]
    assert subs[0].state == "Enabled"


def test_disk_and_snapshots_with_real_pollers(compute, group, run_script, endpoint):
    counter = CountingPolling()
    poller = compute.disks.begin_create_or_update(
        GROUP,
        "disk1",
        Disk(
            location="eastus",
            sku=DiskSku(name="Premium_LRS"),
            creation_data=CreationData(create_option="Empty"),
            disk_size_gb=64,
        ),
        raw_response_hook=counter.hook,
    )
    disk = poller.result()
    assert poller.status() == "Succeeded"
    assert counter.polls >= 1, "the poller read the operation status"
    assert disk.disk_size_gb == 64 and disk.sku.name == "Premium_LRS"
    assert disk.disk_state == "Unattached"

    out = run_script("sim write -g rg-sdk --disk disk1 --offset 0 --length 4M -o none\n")
    assert out == ""

    full = compute.snapshots.begin_create_or_update(
        GROUP,
        "full1",
        Snapshot(
            location="eastus",
            creation_data=CreationData(create_option="Copy", source_resource_id=disk_id("disk1")),
            incremental=False,
        ),
    ).result()
    assert full.incremental is False
    assert full.creation_data.source_unique_id == disk.unique_id

    incremental = []
    for n in range(2):
        run_script(f"sim write -g rg-sdk --disk disk1 --offset {n * 8}M --length 1M --seed {n + 1} -o none\n")
        counter = CountingPolling()
        snap = compute.snapshots.begin_create_or_update(
            GROUP,
            f"inc{n}",
            Snapshot(
                location="eastus",
                creation_data=CreationData(create_option="Copy", source_resource_id=disk_id("disk1")),
                incremental=True,
            ),
            raw_response_hook=counter.hook,
        ).result()
        assert counter.polls >= 1
        assert snap.incremental is True
        assert snap.incremental_snapshot_family_id
        incremental.append(snap)
    assert incremental[0].incremental_snapshot_family_id == incremental[1].incremental_snapshot_family_id

    by_group = sorted(s.name for s in compute.snapshots.list_by_resource_group(GROUP))
    assert by_group == ["full1", "inc0", "inc1"]
    assert {s.name for s in compute.snapshots.list()} >= {"full1", "inc0", "inc1"}
    assert [d.name for d in compute.disks.list_by_resource_group(GROUP)] == ["disk1"]

    access = compute.snapshots.begin_grant_access(
        GROUP, "inc1", GrantAccessData(access="Read", duration_in_seconds=3600)
    ).result()
    assert access.access_sas.startswith(endpoint + "/md-") and "sig=" in access.access_sas
    # The SAS URL is served: Get Page Ranges lists what was written.
    with urllib.request.urlopen(access.access_sas + "&comp=pagelist") as response:
        page_list = response.read().decode()
    assert "<PageRange><Start>0</Start><End>4194303</End></PageRange>" in page_list, page_list
    assert compute.snapshots.get(GROUP, "inc1").disk_state == "ActiveSAS"
    compute.snapshots.begin_revoke_access(GROUP, "inc1").result()
    assert compute.snapshots.get(GROUP, "inc1").disk_state == "Unattached"

    compute.snapshots.begin_delete(GROUP, "full1").result()
    with pytest.raises(ResourceNotFoundError) as gone:
        compute.snapshots.get(GROUP, "full1")
    assert gone.value.error.code == "ResourceNotFound"


def test_an_engine_refusal_is_an_http_response_error_with_its_code(compute, group):
    compute.disks.begin_create_or_update(
        GROUP,
        "disk2",
        Disk(location="eastus", creation_data=CreationData(create_option="Empty"), disk_size_gb=32),
    ).result()
    with pytest.raises(HttpResponseError) as refused:
        compute.disks.begin_update(GROUP, "disk2", DiskUpdate(disk_size_gb=16)).result()
    assert refused.value.status_code == 409
    assert refused.value.error.code == "OperationNotAllowed"
    assert "B7" in refused.value.error.message
    # B1: the eighth incremental snapshot of a disk within five minutes.
    for n in range(7):
        compute.snapshots.begin_create_or_update(
            GROUP,
            f"rate{n}",
            Snapshot(location="eastus", creation_data=CreationData(create_option="Copy", source_resource_id=disk_id("disk2")), incremental=True),
        ).result()
    with pytest.raises(HttpResponseError) as limited:
        compute.snapshots.begin_create_or_update(
            GROUP,
            "rate7",
            Snapshot(location="eastus", creation_data=CreationData(create_option="Copy", source_resource_id=disk_id("disk2")), incremental=True),
        ).result()
    assert limited.value.error.code == "SnapshotOperationRateExceeded"


def test_resource_groups(resources, group):
    assert resources.resource_groups.check_existence(GROUP) is True
    assert resources.resource_groups.check_existence("rg-none") is False
    assert GROUP in [g.name for g in resources.resource_groups.list()]
    resources.resource_groups.create_or_update("rg-gone", {"location": "westus"})
    resources.resource_groups.begin_delete("rg-gone").result()
    with pytest.raises(ResourceNotFoundError) as missing:
        resources.resource_groups.get("rg-gone")
    assert missing.value.error.code == "ResourceGroupNotFound"
