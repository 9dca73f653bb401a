//! The lab's history as the app holds it: the redo stack (here, not in the
//! History tab, so switching tabs keeps it) and the log before the
//! checkpoint a lab was opened from, read only when something needs it.

use std::collections::BTreeMap;

use snaplab_engine::store::Journal;
use snaplab_engine::{Command, Log};

#[derive(Debug, Clone, Default)]
pub struct History {
    /// Undone operations, the newest undone last: Redo submits it again.
    pub redo: Vec<Command>,
    /// The log before the checkpoint the lab was opened from, once read
    /// (the lab shows before it is): attached to each later journal of the
    /// same lab, which was staged without it.
    pub older: Option<Log>,
    /// Reading that older log failed: why (it is not asked for again).
    pub older_failed: Option<String>,
    /// Counts the labs opened or replaced: the key of "read its older log".
    pub lineage: u64,
    /// Something needs the older log (the History tab, undo, time travel):
    /// it is read only then, so a long lab opens without holding it.
    pub older_wanted: bool,
}

impl History {
    /// The log entries (1 to the returned number) `journal`'s lab was opened
    /// without, when something wants them and they can still be read.
    pub fn wants_older(&self, journal: &Journal) -> Option<usize> {
        let base = journal.lab().log_base();
        (base > 0 && self.older_wanted && self.older_failed.is_none()).then_some(base)
    }

    /// A journal staged before the older log was read gets it too.
    pub fn with_older(&self, mut journal: Journal) -> Journal {
        if let Some(older) = &self.older {
            if !journal.lab().has_whole_log() {
                journal.attach_older_log(older.clone());
            }
        }
        journal
    }

    /// A new lab (or the same one reopened): the older log read before
    /// belongs to what it replaced.
    pub fn new_lineage(&mut self) {
        self.older = None;
        self.older_failed = None;
        self.older_wanted = false;
        self.lineage += 1;
    }

    /// Attaches the older log as read (its records) to `journal`; or says
    /// why it could not be (then it is not asked for again).
    pub fn attach_older(
        &mut self,
        journal: &mut Journal,
        base: usize,
        read: Result<&BTreeMap<String, Vec<u8>>, String>,
    ) -> Result<(), String> {
        let attached =
            read.and_then(|records| journal.attach_older(records).map_err(|e| e.to_string()));
        match &attached {
            Ok(()) => self.older = journal.older_log(base),
            Err(why) => self.older_failed = Some(why.clone()),
        }
        attached
    }
}
