//! The one place a console command reaches the engine.
//!
//! Bash (`az`, `sim`), PowerShell, ARM deployments and the app's own buttons
//! all execute engine commands through [`Runner::execute`], so a lesson's
//! locks and the record of what ran are checked and kept in one place: no
//! front end can run a command a lesson disables, and the record is exactly
//! what was executed (refusals included, as the lab's log has them).
//!
//! The runner executes against an [`Engine`]: natively a [`Lab`]; in the
//! app, the journal that stores each command as it runs, so what the
//! console prints is what happened to the stored lab.

use std::collections::BTreeSet;

use snaplab_engine::{Command, EngineError, Kind, Lab};

/// What commands run against.
pub trait Engine {
    fn lab(&self) -> &Lab;
    /// Executes one command wholly or not at all (see [`Lab::execute`]).
    fn execute(&mut self, command: Command) -> snaplab_engine::Result<String>;
}

impl Engine for Lab {
    fn lab(&self) -> &Lab {
        self
    }
    fn execute(&mut self, command: Command) -> snaplab_engine::Result<String> {
        Lab::execute(self, command)
    }
}

/// The kinds of command a lesson disables, from its "disabled" entries
/// ("az disk create" disables creating and restoring a disk).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locks {
    kinds: BTreeSet<Kind>,
}

impl Locks {
    /// Locks from a lesson's entries; an entry that names no command is an
    /// error, so a typo in a lesson file cannot silently lock nothing.
    pub fn from_entries(entries: &[String]) -> Result<Locks, String> {
        let mut kinds = BTreeSet::new();
        for entry in entries {
            let matched = Kind::matching(entry);
            if matched.is_empty() {
                return Err(format!("'{entry}' names no command"));
            }
            kinds.extend(matched);
        }
        Ok(Locks { kinds })
    }

    pub fn none() -> Locks {
        Locks::default()
    }

    pub fn is_locked(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The refusal for `command`, if a lock holds it.
    pub fn check(&self, command: &Command) -> Result<(), EngineError> {
        let kind = command.kind();
        if self.is_locked(kind) {
            return Err(EngineError::DisabledInLesson { command: kind.az() });
        }
        Ok(())
    }
}

/// Executes commands for a front end: checks the locks, runs the command on
/// the engine, records it.
pub struct Runner<'a> {
    engine: &'a mut dyn Engine,
    locks: &'a Locks,
    executed: &'a mut Vec<Command>,
    /// `executed`'s length when this runner started.
    started: usize,
}

impl<'a> Runner<'a> {
    pub fn new(
        engine: &'a mut dyn Engine,
        locks: &'a Locks,
        executed: &'a mut Vec<Command>,
    ) -> Self {
        let started = executed.len();
        Runner {
            engine,
            locks,
            executed,
            started,
        }
    }

    /// Commands this runner has run (refused ones included).
    pub fn count(&self) -> usize {
        self.executed.len() - self.started
    }

    pub fn lab(&self) -> &Lab {
        self.engine.lab()
    }

    /// Checks that `command` is allowed before running anything (ARM
    /// validates a whole template this way before its first resource).
    pub fn check(&self, command: &Command) -> Result<(), EngineError> {
        self.locks.check(command)
    }

    /// Runs `command`. A locked command is refused here and never reaches
    /// the lab (nor its log); every other command is recorded, refused or
    /// not, since the lab's log has it either way.
    pub fn execute(&mut self, command: Command) -> Result<String, EngineError> {
        self.locks.check(&command)?;
        let result = self.engine.execute(command.clone());
        self.executed.push(command);
        result
    }
}

/// An engine over a storage journal: each command is prepared and accepted
/// on the journal, and what it stores is merged into one
/// [`Batch`](snaplab_engine::store::Batch). The app
/// runs a click or a whole console script this way, then commits the batch
/// in one IndexedDB transaction; only when that succeeds does the journal
/// become the app's, so what the console printed is what was stored.
#[derive(Debug, Clone)]
pub struct Staged {
    pub journal: snaplab_engine::store::Journal,
    pub batch: snaplab_engine::store::Batch,
    /// How many commands reached the journal (refused ones included).
    pub count: usize,
}

impl Staged {
    pub fn new(journal: snaplab_engine::store::Journal) -> Staged {
        Staged {
            journal,
            batch: Default::default(),
            count: 0,
        }
    }
}

impl Engine for Staged {
    fn lab(&self) -> &Lab {
        self.journal.lab()
    }
    fn execute(&mut self, command: Command) -> snaplab_engine::Result<String> {
        let prepared = self.journal.prepare(command);
        self.batch.merge(prepared.batch.clone());
        self.count += 1;
        self.journal.accept(&prepared)
    }
}
