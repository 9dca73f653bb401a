//! Opening a day-shaped lab (issue 20 item 9): a training day of scattered
//! 4 KiB writes over the whole disk (so the live state grows as a real
//! day's does), an incremental snapshot every 10 operations with the
//! oldest deleted past 20, a minute of simulated time every 10. Prints the
//! open time at 1,000 and 30,000 operations and their ratio (the target
//! is ≤ 3), through the open plan over a store, and through a `--state` file.
//! Each lab is stored as a host stores it after a day: the journal's
//! checkpoints (every `CHECKPOINT_EVERY` entries) and a last one on closing.
//!
//! `cargo bench -p snaplab-engine --bench open`

use std::time::{Duration, Instant};

use snaplab_engine::state_file;
use snaplab_engine::store::{self, BlockStore, MemoryStore, Session};
use snaplab_engine::testkit::workload::training_day;

/// Runs per figure: a busy shared machine makes single runs of a
/// millisecond vary several-fold, and the median of a few more holds still.
const RUNS: usize = 15;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    println!("open a day-shaped lab (median of {RUNS}; the ratio is the target, ≤ 3)\n");
    let mut plan_times = Vec::new();
    let mut file_times = Vec::new();
    for ops in [1_000, 30_000] {
        let day = training_day("rg", "d", ops);
        // A round may end with a snapshot and the deletion it rotates out.
        let n = day.len();
        let (records, _) = store::records_for(day).unwrap();
        let mut memory = MemoryStore::new();
        memory
            .commit(store::Batch {
                puts: records
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect(),
                ..Default::default()
            })
            .unwrap();
        let plan = median(
            (0..RUNS)
                .map(|_| {
                    // The store is the host's, already there: copying it
                    // is the benchmark's doing, not the open's.
                    let store = memory.clone();
                    let started = Instant::now();
                    let session = Session::open(store).unwrap();
                    let took = started.elapsed();
                    assert_eq!(session.lab().operations(), n);
                    took
                })
                .collect(),
        );
        let file = state_file::write_new(&records);
        let through_file = median(
            (0..RUNS)
                .map(|_| {
                    let started = Instant::now();
                    let (session, loaded) = state_file::open(Some(file.as_slice()), None).unwrap();
                    let took = started.elapsed();
                    assert!(!loaded.unwrap().whole, "through the index");
                    assert_eq!(session.lab().operations(), n);
                    took
                })
                .collect(),
        );
        println!(
            "{ops:>6} ops: open plan over a store {:>8.2} ms | --state file of {:.1} MiB {:>8.2} ms",
            plan.as_secs_f64() * 1e3,
            file.len() as f64 / (1 << 20) as f64,
            through_file.as_secs_f64() * 1e3
        );
        plan_times.push(plan);
        file_times.push(through_file);
    }
    let ratio = |t: &[Duration]| t[1].as_secs_f64() / t[0].as_secs_f64();
    println!(
        "\nratio 30,000 / 1,000: open plan {:.1} | --state file {:.1} (target ≤ 3)",
        ratio(&plan_times),
        ratio(&file_times)
    );
}
