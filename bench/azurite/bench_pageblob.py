"""One page-blob client script (azure-storage-blob), run against Azurite and
against `snaplab serve` in the same run: which operations each answers,
and the latency of Put Page, of Get Page Ranges on a blob of 10,000 ranges,
and of the diff against a snapshot, printed with the ratios between them.

    python bench_pageblob.py NAME=CONNECTION_STRING NAME=CONNECTION_STRING

scripts/bench-azurite.sh starts both servers and runs this. Figures are
medians of repeated calls, measured in one run on the same machine, so
their ratio is what to read (this machine is shared and noisy)."""

import statistics
import sys
import time
import uuid

from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobServiceClient

KIB = 1024
RANGES = 10_000


def median_ms(call, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def answers(call):
    """'yes', or the status and code the server answered with."""
    try:
        call()
        return "yes"
    except HttpResponseError as e:
        return f"no ({e.status_code} {e.error_code})"


def run(connection_string):
    service = BlobServiceClient.from_connection_string(connection_string)
    container = service.get_container_client(f"bench{uuid.uuid4().hex[:12]}")
    container.create_container()
    blob = container.get_blob_client("ranges.vhd")
    # Every other 512-byte page written: 10,000 separate ranges.
    blob.create_page_blob(size=RANGES * 2 * 512 + 4 * 1024 * KIB)
    page = b"\x5a" * 512
    start = time.perf_counter()
    for i in range(RANGES):
        blob.upload_page(page, offset=i * 1024, length=512)
    put_page_ms = (time.perf_counter() - start) * 1000 / RANGES

    def all_ranges():
        listed = sum(1 for r in blob.list_page_ranges() if not r.cleared)
        assert listed == RANGES, listed

    ranges_ms = median_ms(all_ranges, 5)
    snapshot = blob.create_snapshot()["snapshot"]
    for i in range(0, RANGES, 10):
        blob.upload_page(b"\x33" * 512, offset=i * 1024, length=512)
    for i in range(5, RANGES, 100):
        blob.clear_page(offset=i * 1024, length=512)
    results = {
        "Put Page (512 B), ms": put_page_ms,
        "Get Page Ranges, 10,000 ranges, ms": ranges_ms,
    }

    def diff():
        changed = sum(1 for _ in blob.list_page_ranges(previous_snapshot=snapshot))
        assert changed >= RANGES // 10, changed

    support = {
        "Put Page, Get Page Ranges, snapshots": "yes",
        "Clear Pages": answers(lambda: blob.clear_page(offset=RANGES * 2 * 512, length=512)),
        "Get Page Ranges diff (prevsnapshot)": answers(diff),
        "Put Page From URL": answers(lambda: put_from_url(container, blob)),
        "Get Blob (ranged)": answers(lambda: blob.download_blob(offset=0, length=4096).readall()),
    }
    if support["Get Page Ranges diff (prevsnapshot)"] == "yes":
        results["Get Page Ranges diff, 1,000 changes among 10,000 ranges, ms"] = median_ms(diff, 5)
    container.delete_container()
    return support, results


def put_from_url(container, source):
    """A Put Page From URL whose source is a SAS URL of the same account."""
    from datetime import datetime, timedelta, timezone

    from azure.storage.blob import BlobSasPermissions, generate_blob_sas

    credential = container.credential
    token = generate_blob_sas(
        credential.account_name,
        container.container_name,
        source.blob_name,
        account_key=credential.account_key,
        permission=BlobSasPermissions(read=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    target = container.get_blob_client("copy.vhd")
    target.create_page_blob(size=1024 * KIB)
    target.upload_pages_from_url(f"{source.url}?{token}", offset=0, length=4096, source_offset=0)
    assert target.download_blob(offset=0, length=512).readall() == source.download_blob(offset=0, length=512).readall()


def main(argv):
    servers = dict(arg.split("=", 1) for arg in argv[1:])
    measured = {name: run(cs) for name, cs in servers.items()}
    names = list(measured)
    print("| operation | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for op in measured[names[0]][0]:
        print(f"| {op} | " + " | ".join(measured[n][0][op] for n in names) + " |")
    print()
    print("| latency (median) | " + " | ".join(names) + " | ratio " + " / ".join(names) + " |")
    print("|---|" + "---|" * (len(names) + 1))
    for what in measured[names[0]][1] | measured[names[-1]][1]:
        figures = [measured[n][1].get(what) for n in names]
        shown = [f"{f:.2f}" if f is not None else "not served" for f in figures]
        ratio = f"{figures[0] / figures[1]:.2f}" if None not in figures and len(figures) == 2 else "—"
        print(f"| {what} | " + " | ".join(shown) + f" | {ratio} |")


if __name__ == "__main__":
    main(sys.argv)
