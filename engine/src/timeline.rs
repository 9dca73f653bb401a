//! Moving through a lab's history without replaying all of it.
//!
//! The lab after operation `k` is `replay(log[..k])`. A [`Timeline`] keeps
//! the lab as it was every [`Timeline::EVERY`] operations (persistent maps:
//! each kept lab shares everything unchanged with the next), so the lab at
//! any `k` costs at most `EVERY` operations from the nearest one before it.
//! Kept labs are caches of the log, never a second truth: a test compares
//! every position with a plain replay.

use crate::cmd::Command;
use crate::lab::Lab;

#[derive(Debug, Clone)]
pub struct Timeline {
    /// `kept[i]` is the lab after `i * EVERY` operations.
    kept: Vec<Lab>,
    log: imbl::Vector<Command>,
}

impl Timeline {
    /// Operations between two kept labs.
    pub const EVERY: usize = 256;

    /// Replays `lab`'s log once, keeping a lab every [`Self::EVERY`]
    /// operations; `None` while the lab's older log is not attached.
    pub fn of(lab: &Lab) -> Option<Timeline> {
        if !lab.has_whole_log() {
            return None;
        }
        let log = lab.log_shared();
        let mut kept = vec![Lab::new()];
        let mut replay = Lab::new();
        for (i, command) in log.iter().enumerate() {
            let _ = replay.execute(command.clone());
            if (i + 1) % Self::EVERY == 0 {
                kept.push(replay.clone());
            }
        }
        Some(Timeline { kept, log })
    }

    /// Operations in the history.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The lab after the first `k` operations (all of them when `k` is past
    /// the end), from the nearest kept lab: at most `EVERY` operations.
    pub fn at(&self, k: usize) -> Lab {
        let k = k.min(self.log.len());
        let from = (k / Self::EVERY).min(self.kept.len() - 1);
        let mut lab = self.kept[from].clone();
        for command in self
            .log
            .iter()
            .skip(from * Self::EVERY)
            .take(k - from * Self::EVERY)
        {
            let _ = lab.execute(command.clone());
        }
        lab
    }
}

/// The operations (1-based: operation `k` is the `k`-th of the log) that
/// wrote real bytes the store no longer keeps: no disk or snapshot of the
/// lab refers to them any more, so their chunks were freed and the log says
/// `freed`. A replay to a point after one of them shows zeros where those
/// bytes were: history says so before it goes there. (Within the session
/// that wrote them, the log still holds the bytes; after a reload it does not.)
///
/// A refused write is logged as `freed` too (it kept no bytes); the user
/// events say which were refused. The lab keeps only the newest events, so
/// they are matched to the log from its end; a write older than the events
/// kept is counted, which can only warn too much, never too little.
pub fn bytes_not_kept(lab: &Lab) -> Vec<usize> {
    let mut outcomes = lab.events().rev().filter(|e| e.actor == "user");
    let base = lab.log_base();
    let mut positions: Vec<usize> = lab
        .log()
        .enumerate()
        .rev()
        .filter_map(|(i, command)| {
            let succeeded = outcomes.next().is_none_or(|event| {
                matches!(event.outcome, crate::events::Outcome::Succeeded { .. })
            });
            let freed = matches!(
                command,
                Command::Write(crate::cmd::Write {
                    data: crate::cmd::WriteData::Freed { .. },
                    ..
                })
            );
            (freed && succeeded).then_some(base + i + 1)
        })
        .collect();
    positions.reverse();
    positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::{self, WriteData};

    fn fingerprint(lab: &Lab) -> String {
        let disks: Vec<String> = lab
            .disks()
            .map(|d| format!("{}:{}", d.at.name, d.data.used_bytes()))
            .collect();
        let snapshots: Vec<String> = lab
            .snapshots()
            .map(|s| format!("{}:{}", s.at.name, s.used_bytes()))
            .collect();
        format!(
            "{:?} {} {disks:?} {snapshots:?} {}",
            lab.now(),
            lab.log().len(),
            lab.events().len()
        )
    }

    #[test]
    fn every_position_is_the_plain_replay_of_the_log_up_to_it() {
        let mut lab = Lab::new();
        let _ = lab.execute(Command::CreateGroup(cmd::CreateGroup {
            name: "rg".into(),
            location: "westeurope".into(),
        }));
        let _ = lab.execute(Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)));
        for i in 0..700u64 {
            let command = match i % 7 {
                0 => Command::CreateSnapshot(cmd::CreateSnapshot {
                    group: "rg".into(),
                    name: format!("s{i}"),
                    source: "d".into(),
                    incremental: true,
                    sku: None,
                    location: None,
                    copy_start: false,
                }),
                1 => Command::AdvanceClock(cmd::AdvanceClock { millis: 60_000 }),
                // Refused ones are in the log too.
                2 => Command::DeleteSnapshot(cmd::DeleteSnapshot {
                    group: "rg".into(),
                    name: format!("s{}", i.saturating_sub(16)),
                }),
                _ => Command::Write(cmd::Write {
                    group: "rg".into(),
                    disk: "d".into(),
                    offset: (i * 7919 % 8192) * 512,
                    data: WriteData::bytes(vec![i as u8; 512]),
                }),
            };
            let _ = lab.execute(command);
        }
        let timeline = Timeline::of(&lab).expect("the whole log");
        assert_eq!(timeline.len(), 702);
        let log: Vec<Command> = lab.log().cloned().collect();
        for k in [0, 1, 255, 256, 257, 511, 512, 600, 701, 702, 5000] {
            let plain = Lab::replay(log.iter().take(k));
            assert_eq!(fingerprint(&timeline.at(k)), fingerprint(&plain), "k = {k}");
        }
        assert_eq!(fingerprint(&timeline.at(702)), fingerprint(&lab));
    }
}

#[cfg(test)]
mod not_kept_tests {
    use crate::cmd::{self, Command, WriteData};
    use crate::store::{records_for, Journal};

    #[test]
    fn after_a_reload_the_writes_whose_bytes_were_freed_are_named() {
        let write = |offset: u64, byte: u8| {
            Command::Write(cmd::Write {
                group: "rg".into(),
                disk: "d".into(),
                offset,
                data: WriteData::bytes(vec![byte; 512]),
            })
        };
        let log = vec![
            Command::CreateGroup(cmd::CreateGroup {
                name: "rg".into(),
                location: "westeurope".into(),
            }),
            Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)),
            write(0, 1),
            // Overwrites operation 3's bytes: no page refers to them any more.
            write(0, 2),
            // Refused (past the end): never kept, and never had an effect.
            write(8 << 30, 3),
            write(4096, 4),
        ];
        let (records, journal) = records_for(log).unwrap();
        assert!(
            super::bytes_not_kept(journal.lab()).is_empty(),
            "the session still has them"
        );
        let mut reopened = Journal::open(&records).unwrap().journal;
        // Opened from the checkpoint records_for stores: no log in memory
        // until the older part is attached.
        assert_eq!(reopened.lab().log_base(), 6);
        reopened.attach_older(&records).unwrap();
        assert_eq!(super::bytes_not_kept(reopened.lab()), [3]);
    }
}
