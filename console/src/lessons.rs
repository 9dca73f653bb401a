//! Lessons as data: each is a JSON file in `www/lessons/` with a start
//! (commands that set the lab up), goals (predicates on the lab, each shown
//! to the learner in plain words), hints, a reference solution, commands
//! that are disabled, and every text in English and Swedish. The reference
//! solution of every lesson runs as a native test and must solve it.

use std::collections::BTreeMap;

use serde::Deserialize;
use snaplab_engine::diff::{PageRangesRequest, RangeKind};
use snaplab_engine::events::Outcome;
use snaplab_engine::Lab;

use crate::{Console, Language};

/// A text in both languages.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Text {
    pub en: String,
    pub sv: String,
}

/// A goal: a predicate on the lab, with what is graded in plain words.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Goal {
    pub text: Text,
    #[serde(flatten)]
    pub check: Check,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Check {
    /// Snapshots of `disk` (incremental only if asked) number at least / at most this.
    SnapshotCount {
        group: String,
        disk: String,
        incremental: Option<bool>,
        at_least: Option<usize>,
        at_most: Option<usize>,
    },
    /// A snapshot exists (and is incremental, if asked).
    SnapshotExists {
        group: String,
        name: String,
        incremental: Option<bool>,
        location: Option<String>,
    },
    /// A snapshot's used size, in bytes.
    SnapshotUsed {
        group: String,
        name: String,
        at_least: Option<u64>,
        at_most: Option<u64>,
    },
    /// A snapshot's background or cross-region copy is complete.
    SnapshotComplete { group: String, name: String },
    /// A disk holds exactly what a snapshot holds (same written pages, same bytes).
    DiskEqualsSnapshot {
        group: String,
        disk: String,
        snapshot: String,
    },
    /// The diff newer-vs-older has this many PageRange and ClearRange entries.
    DiffRanges {
        group: String,
        newer: String,
        older: String,
        page_ranges: Option<usize>,
        clear_ranges: Option<usize>,
    },
    /// The diff newer-vs-older is refused with this code.
    DiffRefused {
        group: String,
        newer: String,
        older: String,
        code: String,
    },
    /// The event log has a refusal with this code.
    RefusalSeen { code: String },
    /// The event log has a refusal under this rule of the reference sheet.
    RuleRefused { rule: String },
    /// Total daily cost of all snapshots, at the sample prices, at most this.
    DailyCostAtMost { amount: f64 },
    /// The monthly saving of incremental over full snapshots is at least this.
    MonthlySavingAtLeast { amount: f64 },
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Lesson {
    pub id: String,
    pub title: Text,
    pub intro: Text,
    /// Commands (bash) run before the learner starts.
    pub start: Vec<String>,
    pub goals: Vec<Goal>,
    pub hints: Vec<Text>,
    /// The reference solution (bash), run by the tests.
    pub solution: Vec<String>,
    /// Command prefixes the learner may not use here (e.g. "az snapshot delete").
    #[serde(default)]
    pub disabled: Vec<String>,
}

/// Every lesson, in order (the files are compiled in, so the app and the tests agree).
pub const LESSON_FILES: &[(&str, &str)] = &[
    (
        "01-first-incremental.json",
        include_str!("../../www/lessons/01-first-incremental.json"),
    ),
    (
        "02-first-full-then-small.json",
        include_str!("../../www/lessons/02-first-full-then-small.json"),
    ),
    (
        "03-identical-rewrite.json",
        include_str!("../../www/lessons/03-identical-rewrite.json"),
    ),
    (
        "04-trim-clearrange.json",
        include_str!("../../www/lessons/04-trim-clearrange.json"),
    ),
    (
        "05-restore.json",
        include_str!("../../www/lessons/05-restore.json"),
    ),
    (
        "06-copy-only-the-delta.json",
        include_str!("../../www/lessons/06-copy-only-the-delta.json"),
    ),
    (
        "07-rate-limit.json",
        include_str!("../../www/lessons/07-rate-limit.json"),
    ),
    (
        "08-delete-middle.json",
        include_str!("../../www/lessons/08-delete-middle.json"),
    ),
    (
        "09-4tb-boundary.json",
        include_str!("../../www/lessons/09-4tb-boundary.json"),
    ),
    (
        "10-background-copy.json",
        include_str!("../../www/lessons/10-background-copy.json"),
    ),
    (
        "11-copy-to-region.json",
        include_str!("../../www/lessons/11-copy-to-region.json"),
    ),
    (
        "12-cost-of-a-month.json",
        include_str!("../../www/lessons/12-cost-of-a-month.json"),
    ),
    (
        "13-corrupt-backup.json",
        include_str!("../../www/lessons/13-corrupt-backup.json"),
    ),
];

pub fn all() -> Result<Vec<Lesson>, String> {
    LESSON_FILES
        .iter()
        .map(|(name, text)| serde_json::from_str(text).map_err(|e| format!("{name}: {e}")))
        .collect()
}

impl Lesson {
    /// The commands this lesson disables, by kind. Every lesson's entries
    /// name real commands (a test checks them all), so this never fails there.
    pub fn locks(&self) -> crate::Locks {
        crate::Locks::from_entries(&self.disabled).unwrap_or_default()
    }

    /// The lab the lesson starts from.
    pub fn start_console(&self) -> Console {
        let mut console = Console::new(Lab::new());
        let t = console.run(&self.start.join("\n"));
        debug_assert_eq!(t.status, 0, "lesson {} start: {:?}", self.id, t.lines);
        console.locks = self.locks();
        console
    }

    /// Each goal and whether it holds.
    pub fn check(&self, lab: &Lab) -> Vec<(&Goal, bool)> {
        self.goals.iter().map(|g| (g, g.check.holds(lab))).collect()
    }

    pub fn solved(&self, lab: &Lab) -> bool {
        self.check(lab).iter().all(|(_, ok)| *ok)
    }

    /// Runs the reference solution from the start; returns the console after it.
    pub fn run_solution(&self) -> Console {
        let mut console = self.start_console();
        console.run_in(Language::Bash, &self.solution.join("\n"));
        console
    }
}

impl Check {
    pub fn holds(&self, lab: &Lab) -> bool {
        match self {
            Check::SnapshotCount {
                group,
                disk,
                incremental,
                at_least,
                at_most,
            } => {
                let Ok(d) = lab.find_disk(group, disk) else {
                    return false;
                };
                let n = lab
                    .snapshots()
                    .filter(|s| {
                        s.origin.source_unique_id == d.unique_id
                            && incremental.is_none_or(|i| s.incremental == i)
                    })
                    .count();
                at_least.is_none_or(|m| n >= m) && at_most.is_none_or(|m| n <= m)
            }
            Check::SnapshotExists {
                group,
                name,
                incremental,
                location,
            } => lab.find_snapshot(group, name).is_ok_and(|s| {
                incremental.is_none_or(|i| s.incremental == i)
                    && location.as_ref().is_none_or(|l| &s.at.location == l)
            }),
            Check::SnapshotUsed {
                group,
                name,
                at_least,
                at_most,
            } => lab.find_snapshot(group, name).is_ok_and(|s| {
                at_least.is_none_or(|m| s.used_bytes() >= m)
                    && at_most.is_none_or(|m| s.used_bytes() <= m)
            }),
            Check::SnapshotComplete { group, name } => lab
                .find_snapshot(group, name)
                .is_ok_and(|s| s.is_ready(lab.now()) && s.completion_percent(lab.now()) == 100),
            Check::DiskEqualsSnapshot {
                group,
                disk,
                snapshot,
            } => {
                let (Ok(d), Ok(s)) = (
                    lab.find_disk(group, disk),
                    lab.find_snapshot(group, snapshot),
                ) else {
                    return false;
                };
                // The same extents hold the same bytes: cheap, and exact for restores.
                if d.data.page_map() == &s.content {
                    return true;
                }
                let ranges = d.data.page_map().written_ranges();
                if ranges != s.content.written_ranges() {
                    return false;
                }
                ranges.iter().all(|r| {
                    let bytes = d
                        .data
                        .read(r.start * 512, r.len() * 512)
                        .unwrap_or_default();
                    let mut expected = vec![0; bytes.len()];
                    s.content.read_into(r.start, &mut expected);
                    bytes == expected
                })
            }
            Check::DiffRanges {
                group,
                newer,
                older,
                page_ranges,
                clear_ranges,
            } => {
                let Ok(list) =
                    lab.page_ranges(group, newer, Some(older), &PageRangesRequest::default())
                else {
                    return false;
                };
                let count = |k| list.ranges.iter().filter(|r| r.kind == k).count();
                page_ranges.is_none_or(|n| count(RangeKind::PageRange) == n)
                    && clear_ranges.is_none_or(|n| count(RangeKind::ClearRange) == n)
            }
            Check::DiffRefused {
                group,
                newer,
                older,
                code,
            } => lab
                .page_ranges(group, newer, Some(older), &PageRangesRequest::default())
                .is_err_and(|e| e.code() == code),
            Check::RefusalSeen { code } => lab
                .events()
                .any(|e| matches!(&e.outcome, Outcome::Refused { code: c, .. } if c == code)),
            Check::RuleRefused { rule } => lab
                .events()
                .any(|e| matches!(&e.outcome, Outcome::Refused { rule: Some(r), .. } if r == rule)),
            Check::DailyCostAtMost { amount } => {
                let bill = lab.bill(&Default::default());
                !bill.snapshots.is_empty() && bill.daily_cost <= *amount
            }
            Check::MonthlySavingAtLeast { amount } => {
                lab.bill(&Default::default()).monthly_saving() >= *amount
            }
        }
    }
}

/// Lessons by id.
pub fn by_id() -> BTreeMap<String, Lesson> {
    all()
        .unwrap_or_default()
        .into_iter()
        .map(|l| (l.id.clone(), l))
        .collect()
}
