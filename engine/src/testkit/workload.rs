//! Realistic workloads for benchmarks (natively and in the browser): what
//! a class does in a day, not contiguous writes that coalesce into one range.

use crate::cmd::{self, Command};
use crate::units::GIB;

/// A training day of `ops` operations: scattered 4 KiB writes, an
/// incremental snapshot every 10 operations with the oldest deleted once
/// there are 20, a minute of simulated time every 10.
pub fn training_day(group: &str, disk: &str, ops: usize) -> Vec<Command> {
    day(group, disk, ops, PAGES, false)
}

/// Pages of the training day's 64 GiB disk a 4 KiB write can start at.
const PAGES: u64 = 64 * GIB / 512 - 8;

/// The same day with its writes landing on `places` places of the disk
/// (spread over all of it): the class writes the same files again and
/// again, so the live state stops growing while the history goes on.
/// What "cost follows the change, never the history" is measured with:
/// the first writes visit each place once, in order (then at random), so
/// a day long enough to write `places` times has the same live state
/// however much longer it goes on.
pub fn training_day_on(group: &str, disk: &str, ops: usize, places: u64) -> Vec<Command> {
    day(group, disk, ops, places, true)
}

fn day(group: &str, disk: &str, ops: usize, places: u64, cover_first: bool) -> Vec<Command> {
    let places = places.clamp(1, PAGES);
    let mut writes = 0u64;
    let stride = PAGES / places;
    let mut log = vec![
        super::group(group),
        cmd::CreateDisk::premium(group, disk, 64).into(),
    ];
    let (mut x, mut made, mut turn) = (7u64, 0usize, 0usize);
    while log.len() < ops {
        let i = log.len();
        turn += 1;
        // Each round of ten: a snapshot (and the oldest deleted), a
        // minute of simulated time (so B1's 7 in 5 minutes holds), 8 writes.
        match turn % 10 {
            0 => {
                log.push(super::snapshot(group, &format!("s{made}"), disk));
                if made >= 20 {
                    log.push(Command::DeleteSnapshot(cmd::DeleteSnapshot {
                        group: group.into(),
                        name: format!("s{}", made - 20),
                    }));
                }
                made += 1;
            }
            1 => log.push(Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 })),
            _ => {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let place = match cover_first && writes < places {
                    true => writes,
                    false => (x >> 33) % places,
                };
                writes += 1;
                let page = place * stride;
                log.push(super::write(group, disk, page * 512, 4096, i as u64));
            }
        }
    }
    log
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_training_day_runs_with_no_refusal_and_keeps_twenty_snapshots() {
        let mut lab = crate::Lab::new();
        for command in super::training_day("rg", "d", 2_000) {
            lab.execute(command).unwrap();
        }
        assert_eq!(lab.snapshots().count(), 20);
        assert!(lab.log().len() >= 2_000);
    }

    #[test]
    fn a_day_on_a_few_places_keeps_its_live_state_while_its_history_grows() {
        let written = |ops| {
            let mut lab = crate::Lab::new();
            for command in super::training_day_on("rg", "d", ops, 50) {
                lab.execute(command).unwrap();
            }
            let disk = lab.disks().next().unwrap();
            disk.data.page_map().extent_count()
        };
        let (short, long) = (written(1_000), written(10_000));
        assert_eq!(short, 50);
        assert_eq!(short, long, "the same 50 places");
        // Each place is visited once before any is visited again.
        let first: std::collections::BTreeSet<u64> = super::training_day_on("rg", "d", 100, 50)
            .into_iter()
            .filter_map(|c| match c {
                crate::Command::Write(w) => Some(w.offset),
                _ => None,
            })
            .take(50)
            .collect();
        assert_eq!(first.len(), 50);
    }
}
