//! The open plan: how a stored lab is opened, written once, without I/O.
//!
//! Every host (the native [`super::session::Session`] over a
//! [`super::session::BlockStore`], the `--state` file, the browser's
//! IndexedDB, which is asynchronous) drives the same state machine: the
//! plan says what to read ([`Need`]), the host reads it and feeds it back,
//! as redb keeps its I/O behind a small trait, turned inside out so that an
//! async host can await between steps. The plan decides:
//!
//! 1. the newest checkpoint, from the checkpoint keys alone;
//! 2. what a lab opens from: every record but the log entries that
//!    checkpoint stands in for ([`recent_ranges`]);
//! 3. the whole store instead when that cannot make the lab (no checkpoint,
//!    or one that does not match its log or cannot be read);
//! 4. recovery: a new store's schema record and lab id, and the repairs
//!    the journal found (stale checkpoints, an interrupted operation's
//!    chunks), committed now or handed back to go with the next write
//!    ([`OpenOptions::repair_now`]: a read-only run writes nothing);
//! 5. the starter commands of a new lab, each committed as an operation.

use std::collections::{BTreeMap, VecDeque};

use super::checkpoint::checkpoint_key;
use super::journal::{Journal, Prepared};
use super::records::{log_key, newest_checkpoint, Batch, Value, LAB_ID_KEY};
use crate::cmd::Command;
use crate::error::Result;

/// Keys from `from` (included) to `to` (excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRange {
    pub from: String,
    pub to: String,
}

impl KeyRange {
    fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        KeyRange {
            from: from.into(),
            to: to.into(),
        }
    }
    pub fn contains(&self, key: &str) -> bool {
        self.from.as_str() <= key && key < self.to.as_str()
    }
}

/// Above every key (all keys are text, and all text sorts below U+10FFFF).
pub const KEYS_END: &str = "\u{10FFFF}";

/// The checkpoint keys' range.
pub fn checkpoint_range() -> KeyRange {
    KeyRange::new("checkpoint/", "checkpoint0")
}

/// What a lab opens from, given its newest checkpoint: everything but the
/// log entries before it.
pub fn recent_ranges(newest: Option<usize>) -> Vec<KeyRange> {
    let log_from = newest.map_or("log/".to_string(), log_key);
    vec![
        KeyRange::new("", "log/"),
        KeyRange::new(log_from, "log0"),
        KeyRange::new("log0", KEYS_END),
    ]
}

/// What the plan needs from its host next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The keys in [`checkpoint_range`]: answer with [`OpenPlan::checkpoint_keys`].
    CheckpointKeys,
    /// The records in these ranges: answer with [`OpenPlan::records`].
    Recent(Vec<KeyRange>),
    /// Every record: answer with [`OpenPlan::records`].
    Everything,
    /// Commit `batch` if the stored lab is still `fence` (its id and log
    /// length; `None` for a store that has no id yet), then call
    /// [`OpenPlan::committed`].
    Commit {
        batch: Batch,
        fence: Option<(String, usize)>,
    },
    /// The lab is open: take it with [`OpenPlan::finish`].
    Done,
}

/// What a host asks of the plan.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// An id to give a lab that has none (the browser's `meta/lab`).
    pub new_lab_id: Option<String>,
    /// Commands a new (empty) lab starts with.
    pub starters: Vec<Command>,
    /// Commit the journal's repairs at open (the browser), rather than hand
    /// them back to go with the next write (a native run, which must leave
    /// the file as it was if it only reads).
    pub repair_now: bool,
    /// The host's seal key ([`super::seal`]): a native host keeps one, so
    /// that only the checkpoints it sealed are trusted without decoding.
    pub seal: Option<super::seal::SealKey>,
}

/// A lab opened.
#[derive(Debug)]
pub struct Outcome {
    pub journal: Journal,
    /// The checkpoint the lab was opened from, if one was trusted.
    pub from_checkpoint: Option<usize>,
    /// Repairs not yet committed: commit them with the next write.
    pub repairs: Batch,
    /// The lab's id (`meta/lab`), if it has or was given one.
    pub lab_id: Option<String>,
    /// What opening found wrong and passed over (shown to the user).
    pub warnings: Vec<String>,
    /// Was every record read (not only what a lab opens from)?
    pub read_everything: bool,
    /// The records the lab was opened from (what the host fed, with the
    /// commits made since applied). Shared, not copied: the lab's pending
    /// maps and history are slices of its newest checkpoint.
    pub records: BTreeMap<String, Value>,
}

#[derive(Debug)]
enum State {
    Keys,
    Recent(Option<usize>),
    Everything,
    Committing,
    Done,
}

/// The open plan (see the module notes).
#[derive(Debug)]
pub struct OpenPlan {
    options: OpenOptions,
    state: State,
    outcome: Option<Outcome>,
    commits: VecDeque<Batch>,
    /// The starter being committed.
    starting: Option<Prepared>,
    starters: VecDeque<Command>,
}

impl OpenPlan {
    pub fn new(options: OpenOptions) -> Self {
        OpenPlan {
            starters: options.starters.iter().cloned().collect(),
            options,
            state: State::Keys,
            outcome: None,
            commits: VecDeque::new(),
            starting: None,
        }
    }

    /// What to do next.
    pub fn need(&mut self) -> Need {
        match &self.state {
            State::Keys => Need::CheckpointKeys,
            State::Recent(newest) => Need::Recent(recent_ranges(*newest)),
            State::Everything => Need::Everything,
            State::Committing => self.next_commit(),
            State::Done => Need::Done,
        }
    }

    /// The stored checkpoint keys.
    pub fn checkpoint_keys(&mut self, keys: &[String]) {
        self.state = match newest_checkpoint(keys) {
            Some(newest) => State::Recent(Some(newest)),
            // Without a checkpoint, what a lab opens from is everything.
            None => State::Everything,
        };
    }

    /// The records asked for. An error is final; after a read of what a
    /// lab opens from failed to make it, the plan asks for everything.
    pub fn records(&mut self, mut records: BTreeMap<String, Vec<u8>>) -> Result<()> {
        let everything = matches!(self.state, State::Everything | State::Keys);
        // The newest checkpoint is handed over, not lent: what the lab
        // leaves encoded shares its bytes (a copy would be most of what
        // opening a long day's lab costs).
        let newest = newest_checkpoint(records.keys())
            .map(checkpoint_key)
            .and_then(|key| Some((key.clone(), Value::from(records.remove(&key)?))));
        let opened =
            match Journal::open_sealed(&records, newest.as_ref(), self.options.seal.as_ref()) {
                Ok(opened) => opened,
                Err(_) if !everything => {
                    self.state = State::Everything;
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
        let mut records: BTreeMap<String, Value> =
            records.into_iter().map(|(k, v)| (k, v.into())).collect();
        records.extend(newest);
        let new = records.is_empty();
        let stored_id = records
            .get(LAB_ID_KEY)
            .map(|v| String::from_utf8_lossy(v).to_string());
        let mut setup = Batch::default();
        let mut repairs = opened.recovery;
        let lab_id = match (&stored_id, &self.options.new_lab_id) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(id)) => {
                setup
                    .puts
                    .push((LAB_ID_KEY.into(), id.clone().into_bytes().into()));
                Some(id.clone())
            }
            (None, None) => None,
        };
        if new || self.options.repair_now {
            setup.merge(std::mem::take(&mut repairs));
        }
        if !setup.is_empty() {
            self.commits.push_back(setup);
        }
        if opened.journal.lab().operations() > 0 {
            self.starters.clear();
        }
        self.outcome = Some(Outcome {
            journal: opened.journal,
            from_checkpoint: opened.from_checkpoint,
            repairs,
            lab_id,
            warnings: opened.warnings,
            read_everything: everything,
            records,
        });
        self.state = State::Committing;
        Ok(())
    }

    fn next_commit(&mut self) -> Need {
        let outcome = self.outcome.as_mut().expect("opened before committing");
        let fence = |outcome: &Outcome, lab_known: bool| {
            lab_known
                .then(|| outcome.lab_id.clone())
                .flatten()
                .map(|id| (id, outcome.journal.entries()))
        };
        if let Some(batch) = self.commits.front() {
            // The first commit may be the one that names the lab.
            let known = outcome.records.contains_key(LAB_ID_KEY);
            return Need::Commit {
                batch: batch.clone(),
                fence: fence(outcome, known),
            };
        }
        if self.starting.is_none() {
            match self.starters.pop_front() {
                Some(command) => self.starting = Some(outcome.journal.prepare(command)),
                None => {
                    self.state = State::Done;
                    return Need::Done;
                }
            }
        }
        let prepared = self.starting.as_ref().expect("prepared");
        Need::Commit {
            batch: prepared.batch.clone(),
            fence: fence(outcome, true),
        }
    }

    /// The batch [`Need::Commit`] named is committed.
    pub fn committed(&mut self) {
        let outcome = self.outcome.as_mut().expect("opened before committing");
        let batch = match self.commits.pop_front() {
            Some(batch) => batch,
            None => {
                let prepared = self.starting.take().expect("a starter was committing");
                let _ = outcome.journal.accept(&prepared);
                prepared.batch
            }
        };
        for key in &batch.deletes {
            outcome.records.remove(key);
        }
        outcome.records.extend(batch.puts);
    }

    /// The opened lab, once [`Need::Done`].
    pub fn finish(self) -> Outcome {
        assert!(matches!(self.state, State::Done), "the plan is not done");
        self.outcome.expect("opened")
    }
}
