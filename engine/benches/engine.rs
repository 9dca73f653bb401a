//! Engine benchmarks: `cargo bench -p snaplab-engine`.
//!
//! Prints figures measured in one run, and the ratios that are the targets
//! (absolute times vary on a shared 2-core machine; ratios measured side by
//! side in one run do not):
//! - snapshot creation with 1 vs 1,000,000 written ranges (target ≤ 2: a
//!   snapshot must not copy the page map);
//! - a diff of 10 changed pages with 1,000 vs 1,000,000 unchanged ranges (target ≤ 3);
//! - a restore of 1 vs 250,000 extents (measured; it grows with the extents, see
//!   README); memory per 1,000,000 written ranges;
//! - a chain of 500 snapshots with 1,000 scattered writes before each: the
//!   first page of the s0→s499 diff vs a page of the adjacent diff (target
//!   ≤ 3), the bill vs a chain of 1 write each (target ≤ 2), deleting the oldest;
//! - opening a stored lab after a training day of 1,000 / 10,000 / 100,000 operations.

use snaplab_engine::cmd;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use snaplab_engine::diff::PageRangesRequest;
use snaplab_engine::units::{GIB, MIB};
use snaplab_engine::{Command, Lab, PatternKind, WriteData};

/// Counts live heap bytes, for the memory figure.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}
#[global_allocator]
static ALLOCATOR: Counting = Counting;

const RG: &str = "rg";

fn lab_with_disk(size_gib: u64) -> Lab {
    let mut lab = Lab::new();
    lab.execute(Command::CreateGroup(cmd::CreateGroup {
        name: RG.into(),
        location: "westeurope".into(),
    }))
    .unwrap();
    lab.execute(Command::CreateDisk(cmd::CreateDisk::premium(
        RG, "d", size_gib,
    )))
    .unwrap();
    lab
}

fn write(lab: &mut Lab, offset: u64, length: u64, seed: u64) {
    lab.execute(Command::Write(cmd::Write {
        group: RG.into(),
        disk: "d".into(),
        offset,
        data: WriteData::Pattern {
            pattern: PatternKind::Random,
            seed,
            length,
        },
    }))
    .unwrap();
}

fn snapshot(lab: &mut Lab, name: &str) {
    lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: RG.into(),
        name: name.into(),
        source: "d".into(),
        incremental: true,
        sku: None,
        location: None,
        copy_start: false,
    }))
    .unwrap();
    lab.execute(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 }))
        .unwrap();
}

/// A disk with `ranges` separate written ranges (one page every other page), already snapshotted once.
fn disk_with_ranges(ranges: u64) -> Lab {
    let mut lab = lab_with_disk(64);
    for i in 0..ranges {
        write(&mut lab, i * 1024, 512, i);
    }
    snapshot(&mut lab, "base");
    lab
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut(usize) -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(&mut f).collect();
    times.sort();
    times[runs / 2]
}

fn time_snapshot(lab: &mut Lab, runs: usize) -> Duration {
    median(runs, |i| {
        write(lab, 4 * GIB + i as u64 * 512, 512, 7); // one small change, as between real snapshots
        let start = Instant::now();
        snapshot(lab, &format!("bench{i}"));
        start.elapsed()
    })
}

fn time_diff(lab: &mut Lab, runs: usize) -> Duration {
    snapshot(lab, "older");
    for i in 0..10 {
        write(lab, 8 * GIB + i * 4096, 512, i); // 10 changed pages
    }
    snapshot(lab, "newer");
    median(runs, |_| {
        let start = Instant::now();
        let list = lab
            .page_ranges(RG, "newer", Some("older"), &PageRangesRequest::default())
            .unwrap();
        assert_eq!(list.ranges.len(), 10);
        start.elapsed()
    })
}

/// Opens `records` 5 times (one sample is at the mercy of a shared
/// machine): the median time, the heap the last opened lab holds, and it.
fn open_median(
    records: &std::collections::BTreeMap<String, Vec<u8>>,
) -> (Duration, usize, snaplab_engine::store::Opened) {
    let mut times = Vec::new();
    for _ in 0..4 {
        let start = Instant::now();
        let opened = snaplab_engine::store::Journal::open(records).unwrap();
        times.push(start.elapsed());
        drop(opened);
    }
    let live = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    let opened = snaplab_engine::store::Journal::open(records).unwrap();
    times.push(start.elapsed());
    let held = LIVE.load(Ordering::Relaxed) - live;
    times.sort();
    (times[2], held, opened)
}

fn main() {
    println!("snaplab-engine benchmarks (one run; ratios are the targets)\n");
    snapshot_diff_and_memory();
    restore();
    long_chain();
    opening();
}

/// 1–3: snapshot creation and a diff against huge page maps, and memory.
fn snapshot_diff_and_memory() {
    // 1. snapshot creation, 1 vs 1,000,000 written ranges
    let t = Instant::now();
    let mut small = disk_with_ranges(1);
    let live_before = LIVE.load(Ordering::Relaxed);
    let mut big = disk_with_ranges(1_000_000);
    let live_after = LIVE.load(Ordering::Relaxed);
    println!(
        "setup: 1,000,000 single-page writes and a snapshot in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let s1 = time_snapshot(&mut small, 31);
    let s1m = time_snapshot(&mut big, 31);
    println!(
        "snapshot creation:   1 range {:>9.1} µs | 1,000,000 ranges {:>9.1} µs | ratio {:.2} (target ≤ 2)",
        s1.as_secs_f64() * 1e6,
        s1m.as_secs_f64() * 1e6,
        s1m.as_secs_f64() / s1.as_secs_f64()
    );

    // 2. diff of 10 changed pages, 1,000 vs 1,000,000 unchanged ranges
    let mut thousand = disk_with_ranges(1_000);
    let d1k = time_diff(&mut thousand, 31);
    let d1m = time_diff(&mut big, 31);
    println!(
        "diff of 10 pages:    1,000 ranges {:>7.1} µs | 1,000,000 ranges {:>9.1} µs | ratio {:.2} (target ≤ 3)",
        d1k.as_secs_f64() * 1e6,
        d1m.as_secs_f64() * 1e6,
        d1m.as_secs_f64() / d1k.as_secs_f64()
    );

    // 3. memory per 1,000,000 written ranges: the page map alone, then the
    //    whole lab (with the change set, and the operation and event logs of
    //    the million write commands that made them).
    let before = LIVE.load(Ordering::Relaxed);
    let mut disk = snaplab_engine::DiskData::new(64, 512).unwrap();
    for i in 0..1_000_000u64 {
        disk.write_pattern(i * 1024, 512, PatternKind::Random, i)
            .unwrap();
    }
    let map_bytes = LIVE.load(Ordering::Relaxed) - before;
    assert_eq!(disk.page_map().extent_count(), 1_000_000);
    println!(
        "memory:              page map {:.1} MiB ({} B a range) | whole lab {:.1} MiB per 1,000,000 written ranges (incl. the 1,000,000 logged commands of the session that wrote them; the newest 2,000 events)",
        map_bytes as f64 / MIB as f64,
        map_bytes / 1_000_000,
        (live_after - live_before) as f64 / MIB as f64
    );
    drop(disk);
    drop(big);
}

/// 4: restoring a fragmented snapshot.
fn restore() {
    // 4. restore: the command alone (a restore shares the snapshot's page
    //    map), of a 1-extent and a 250,000-extent snapshot; then reading 1 GiB
    //    back, which is the pattern generator's speed, printed apart.
    let restore = |lab: &mut Lab, from: &str, name: &str| {
        let start = Instant::now();
        lab.execute(Command::CreateDiskFromSnapshot(
            cmd::CreateDiskFromSnapshot {
                group: RG.into(),
                name: name.into(),
                source: from.into(),
                sku: None,
                size_gib: None,
            },
        ))
        .unwrap();
        start.elapsed()
    };
    let mut one = lab_with_disk(64);
    write(&mut one, 0, GIB, 42);
    snapshot(&mut one, "one-extent");
    let mut fragmented = disk_with_ranges(250_000);
    let r1 = median(11, |i| restore(&mut one, "one-extent", &format!("r{i}")));
    let r250k = median(11, |i| restore(&mut fragmented, "base", &format!("r{i}")));
    println!(
        "restore command:     1 extent {:>8.1} µs | 250,000 extents {:>8.1} µs | ratio {:.0} (no target yet: the map is shared, but the new disk's change set lists every written range)",
        r1.as_secs_f64() * 1e6,
        r250k.as_secs_f64() * 1e6,
        r250k.as_secs_f64() / r1.as_secs_f64()
    );
    drop(fragmented);
    let start = Instant::now();
    let restored = one.find_disk(RG, "r0").unwrap();
    let mut checksum = 0u64;
    for chunk in 0..(GIB / (4 * MIB)) {
        let bytes = restored.data.read(chunk * 4 * MIB, 4 * MIB).unwrap();
        checksum = checksum.wrapping_add(bytes[0] as u64 + bytes[bytes.len() - 1] as u64);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "reading 1 GiB back:  {:.0} MB/s (generated data; checksum {checksum})",
        GIB as f64 / 1e6 / secs
    );
    drop(one);
}

/// 5: a long chain: far diffs and the bill.
fn long_chain() {
    // 5. a long chain: 500 snapshots with `ranges` scattered one-page writes
    //    before each (pages picked by an LCG over the 64 GiB disk, so they
    //    do not coalesce).
    let chain = |ranges: u64| {
        let mut lab = lab_with_disk(64);
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..500u64 {
            for _ in 0..ranges {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let page = (x >> 33) % (64 * GIB / 512);
                write(&mut lab, page * 512, 512, i);
            }
            snapshot(&mut lab, &format!("s{i}"));
        }
        lab
    };
    let t = Instant::now();
    let mut wide = chain(1_000);
    let narrow = chain(1);
    println!(
        "setup: two chains of 500 snapshots (1,000 and 1 scattered writes before each) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let page = |lab: &Lab, newer: &str, older: &str| {
        let request = PageRangesRequest {
            max_results: Some(1_000),
            ..Default::default()
        };
        median(11, |_| {
            let start = Instant::now();
            let list = lab.page_ranges(RG, newer, Some(older), &request).unwrap();
            assert_eq!(list.ranges.len(), 1_000);
            start.elapsed()
        })
    };
    let adjacent = page(&wide, "s499", "s498");
    let far = page(&wide, "s499", "s0");
    println!(
        "diff page of 1,000:  s498→s499 {:>8.1} µs | s0→s499 {:>8.1} µs | ratio {:.2} (target ≤ 3: a page costs what it returns)",
        adjacent.as_secs_f64() * 1e6,
        far.as_secs_f64() * 1e6,
        far.as_secs_f64() / adjacent.as_secs_f64()
    );
    let bill = |lab: &Lab| {
        median(11, |_| {
            let start = Instant::now();
            let bill = lab.bill(&Default::default());
            assert_eq!(bill.snapshots.len(), 500);
            start.elapsed()
        })
    };
    let (b1, b1k) = (bill(&narrow), bill(&wide));
    println!(
        "bill of 500:         1 range each {:>8.1} µs | 1,000 ranges each {:>8.1} µs | ratio {:.2} (target ≤ 2: used sizes are kept)",
        b1.as_secs_f64() * 1e6,
        b1k.as_secs_f64() * 1e6,
        b1k.as_secs_f64() / b1.as_secs_f64()
    );
    let start = Instant::now();
    wide.execute(Command::DeleteSnapshot(cmd::DeleteSnapshot {
        group: RG.into(),
        name: "s0".into(),
    }))
    .unwrap();
    println!(
        "delete oldest:       {:.1} µs (its 1,000 ranges merged into s1's, smaller into larger)",
        start.elapsed().as_secs_f64() * 1e6
    );
}

/// 6: opening a stored lab, in the app and natively.
fn opening() {
    // 6. opening a stored lab after a training day of 1,000 / 10,000 /
    //    100,000 operations (scattered writes, snapshots rotated 20 deep,
    //    clock advances), as the app does: from what it reads first (the
    //    newest checkpoint, the log after it, the chunks), with the writes
    //    landing on 500 places, each visited before any twice (the live
    //    state is the same from 1,000 operations on, while the history
    //    grows), and on new places every time (the live state grows with
    //    it); and, for comparison, from the log alone (a full replay).
    let mut opened = Vec::new();
    let mut growing = Vec::new();
    let mut replayed = Vec::new();
    let mut native = Vec::new();
    let mut older = Vec::new();
    let mut memory = Vec::new();
    // What the app reads first.
    let recent = |records: &std::collections::BTreeMap<String, Vec<u8>>| {
        let newest = snaplab_engine::store::newest_checkpoint(records.keys());
        let mut read = records.clone();
        read.retain(|k, _| snaplab_engine::store::opens_from(k, newest));
        read
    };
    for n in [1_000, 10_000, 100_000] {
        let day = snaplab_engine::testkit::workload::training_day_on(RG, "d", n, 500);
        let (mut records, _) = snaplab_engine::store::records_for(day).unwrap();
        // What `snaplab run --state lab.snaplab` does with one command:
        // open the file (through its index), run, checkpoint, append.
        let path =
            std::env::temp_dir().join(format!("snaplab-bench-{}-{n}.snaplab", std::process::id()));
        std::fs::write(&path, snaplab_engine::state_file::write_new(&records)).unwrap();
        let mut runs = Vec::new();
        for second in 0..5u64 {
            let start = Instant::now();
            let file = std::fs::File::open(&path).unwrap();
            let (mut session, loaded) =
                snaplab_engine::state_file::open(Some(&file), None).unwrap();
            session
                .execute(Command::AdvanceClock(cmd::AdvanceClock {
                    millis: 1_000 + second,
                }))
                .unwrap();
            match snaplab_engine::state_file::save(&mut session, loaded.as_ref(), Some(&file))
                .unwrap()
            {
                snaplab_engine::state_file::Save::Append { at, bytes } => {
                    use std::io::{Seek, SeekFrom, Write};
                    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                    f.seek(SeekFrom::Start(at)).unwrap();
                    f.write_all(&bytes).unwrap();
                    f.set_len(at + bytes.len() as u64).unwrap();
                    f.sync_all().unwrap();
                }
                // Frames outgrew the base: written anew (now and then).
                snaplab_engine::state_file::Save::Rewrite(bytes) => {
                    std::fs::write(&path, bytes).unwrap()
                }
                snaplab_engine::state_file::Save::Nothing => unreachable!("a command ran"),
            }
            runs.push(start.elapsed());
        }
        std::fs::remove_file(&path).unwrap();
        runs.sort();
        native.push(runs[runs.len() / 2]);
        let read = recent(&records);
        let (time, opened_bytes, mut journal) = open_median(&read);
        opened.push(time);
        let after_open = LIVE.load(Ordering::Relaxed);
        assert!(journal.from_checkpoint.is_some());
        assert_eq!(journal.journal.lab().operations(), n);
        let start = Instant::now();
        journal.journal.attach_older(&records).unwrap();
        older.push(start.elapsed());
        memory.push((
            opened_bytes,
            opened_bytes + LIVE.load(Ordering::Relaxed) - after_open,
        ));
        assert_eq!(journal.journal.lab().log().len(), n);
        records.retain(|k, _| !k.starts_with("checkpoint/"));
        let start = Instant::now();
        let journal = snaplab_engine::store::Journal::open(&records).unwrap();
        replayed.push(start.elapsed());
        assert!(journal.from_checkpoint.is_none());

        let day = snaplab_engine::testkit::workload::training_day(RG, "d", n);
        let (records, _) = snaplab_engine::store::records_for(day).unwrap();
        let read = recent(&records);
        let start = Instant::now();
        let journal = snaplab_engine::store::Journal::open(&read).unwrap();
        growing.push(start.elapsed());
        assert_eq!(journal.journal.lab().operations(), n);
    }
    let ms = |d: &[std::time::Duration], i: usize| d[i].as_secs_f64() * 1e3;
    let row = |what: &str, d: &[std::time::Duration], target: &str| {
        println!(
            "{what}: 1,000 ops {:>7.2} ms | 10,000 ops {:>7.2} ms | 100,000 ops {:>7.2} ms | ratio 100k/1k {:.1}{target}",
            ms(d, 0),
            ms(d, 1),
            ms(d, 2),
            d[2].as_secs_f64() / d[0].as_secs_f64()
        )
    };
    row(
        "open a stored lab (same live state; median of 5)",
        &opened,
        " (target ≤ 3)",
    );
    row(
        "  then read the older log (after the lab shows)",
        &older,
        "",
    );
    row(
        "  live state growing with the day (every write a new place)",
        &growing,
        "",
    );
    row("  without checkpoint (a full replay)", &replayed, "");
    row(
        "  native --state (open through the file's index, 1 command, append; median of 5)",
        &native,
        " (target ≤ 3)",
    );
    let mib = |b: usize| b as f64 / MIB as f64;
    // A lab of 1,000,000 logged operations opens holding its live state.
    let day = snaplab_engine::testkit::workload::training_day_on(RG, "d", 1_000_000, 500);
    let (records, _) = snaplab_engine::store::records_for(day).unwrap();
    let logged: usize = records
        .iter()
        .filter(|(k, _)| k.starts_with("log/"))
        .map(|(_, v)| v.len())
        .sum();
    let read = recent(&records);
    let (open_1m, held, journal) = open_median(&read);
    assert_eq!(journal.journal.lab().operations(), 1_000_000);
    println!(
        "  1,000,000 operations ({:.0} MiB of log stored): open {:.2} ms (median of 5), the opened lab holds {:.1} MiB",
        mib(logged),
        open_1m.as_secs_f64() * 1e3,
        mib(held)
    );
    drop((journal, read, records));
    println!(
        "  memory of the opened lab (same live state): 1,000 ops {:.1} MiB | 10,000 ops {:.1} MiB | 100,000 ops {:.1} MiB; with the older log attached {:.1} | {:.1} | {:.1} MiB",
        mib(memory[0].0),
        mib(memory[1].0),
        mib(memory[2].0),
        mib(memory[0].1),
        mib(memory[1].1),
        mib(memory[2].1)
    );
}
