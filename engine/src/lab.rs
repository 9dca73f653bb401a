//! The lab: its state ([`LabState`]: resources, clock, events, costs) and
//! the operation log it is the replay of. State changes only through
//! [`Lab::execute`], which applies one [`Command`] to the state wholly or
//! not at all and logs it; `state = replay(log)`. A `Lab` derefs to its
//! state, so every query (`lab.disks()`, `lab.now()`, …) reads it directly.

use std::ops::Deref;

use imbl::Vector;

use crate::cmd::Command;
use crate::error::Result;
use crate::events::{Event, Outcome};
pub use crate::state::{
    parse_arm_id, ArmId, CostPoint, DayUsage, LabState, SnapshotUse, COST_POINTS_KEPT, DAYS_KEPT,
    DEFAULT_SUBSCRIPTION_ID, DEFAULT_SUBSCRIPTION_NAME, EVENTS_KEPT,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Lab {
    /// What the log's replay produced; the only part commands change.
    pub(crate) state: LabState,
    /// Commands executed before the first one in `log` (0 when `log` holds
    /// the whole history): a lab opened from a checkpoint starts with only
    /// the log after it, and the earlier part is attached when it is read
    /// ([`Lab::attach_older`]).
    pub(crate) log_base: usize,
    /// Every command executed since `log_base`, refused ones included:
    /// `state = replay(log)`.
    pub(crate) log: Vector<Command>,
}

/// An operation log (or part of one), shared: copies are O(1).
pub type Log = Vector<Command>;

impl Deref for Lab {
    type Target = LabState;
    fn deref(&self) -> &LabState {
        &self.state
    }
}

impl Default for Lab {
    fn default() -> Self {
        Lab::new()
    }
}

impl Lab {
    /// An empty lab: one subscription, no resources, the clock at
    /// [`crate::clock::LAB_EPOCH`], an empty log.
    pub fn new() -> Lab {
        Lab {
            state: LabState::new(),
            log_base: 0,
            log: Vector::new(),
        }
    }

    /// The state alone (what a command's `apply` sees).
    pub fn state(&self) -> &LabState {
        &self.state
    }

    /// Rebuilds a lab by replaying an operation log (refused commands included:
    /// they are refused again, and logged again).
    pub fn replay<'a>(log: impl IntoIterator<Item = &'a Command>) -> Lab {
        let mut lab = Lab::new();
        for command in log {
            let _ = lab.execute(command.clone());
        }
        lab
    }

    /// Applies `command` wholly or not at all, and records it and its outcome.
    /// Returns a one-line summary of what happened.
    pub fn execute(&mut self, command: Command) -> Result<String> {
        // The maps are persistent: this copy costs O(1), and restoring it on a
        // refusal guarantees that a refused command changes nothing.
        let before = self.state.clone();
        let operation = command.operation();
        let resource = command.resource();
        let started = self.state.clock;
        let first_new_event = self.state.history.get_mut().events.len();
        let result = command.apply(&mut self.state);
        if result.is_err() {
            self.state = before;
        } else {
            self.state.note_days(&before);
        }
        self.log.push_back(command);
        if result.is_ok() {
            self.note_cost();
        }
        let outcome = match &result {
            Ok(detail) => Outcome::Succeeded {
                detail: detail.clone(),
            },
            Err(err) => Outcome::refused(err),
        };
        // Before any platform events the command caused (copies finishing while
        // the clock advanced), so the log reads in time order.
        let events = &mut self.state.history.get_mut().events;
        events.insert(
            first_new_event,
            Event {
                time: started,
                actor: "user",
                operation: operation.to_string(),
                resource,
                outcome,
            },
        );
        while events.len() > EVENTS_KEPT {
            events.pop_front();
        }
        result
    }

    /// Adds a point to the cost history when the cost changed.
    fn note_cost(&mut self) {
        let (daily, full) = self
            .state
            .daily_costs(&crate::billing::PriceTable::default());
        let unchanged = self
            .state
            .history
            .get()
            .costs
            .last()
            .map_or(daily == 0.0 && full == 0.0, |p| {
                p.daily_cost == daily && p.full_equivalent_daily_cost == full
            });
        if !unchanged {
            let operations = self.operations();
            let at = self.state.clock;
            let costs = &mut self.state.history.get_mut().costs;
            costs.push_back(CostPoint {
                at,
                operations,
                daily_cost: daily,
                full_equivalent_daily_cost: full,
            });
            if costs.len() > COST_POINTS_KEPT {
                // Deterministic, so a replay thins exactly as the lab did.
                let half = costs.len() / 2;
                let newer = costs.split_off(half);
                let older: Vector<CostPoint> = costs.iter().step_by(2).copied().collect();
                *costs = older;
                costs.append(newer);
            }
        }
    }

    /// The log in memory: the whole history when [`log_base`](Self::log_base)
    /// is 0, else the commands after the first `log_base`.
    pub fn log(&self) -> impl DoubleEndedIterator<Item = &Command> + ExactSizeIterator {
        self.log.iter()
    }
    /// The log in memory, shared (a persistent vector: the copy is O(1)).
    pub fn log_shared(&self) -> Vector<Command> {
        self.log.clone()
    }
    /// How many commands ran before the log in memory (0: it is all there).
    pub fn log_base(&self) -> usize {
        self.log_base
    }
    /// Does the log in memory hold the whole history?
    pub fn has_whole_log(&self) -> bool {
        self.log_base == 0
    }
    /// How many commands have run, refused ones included.
    pub fn operations(&self) -> usize {
        self.log_base + self.log.len()
    }
    /// Puts the first `log_base` commands back in front of the log (read
    /// later than the checkpoint the lab was opened from). Refused, leaving
    /// the lab as it was, unless exactly that many are given.
    pub fn attach_older(&mut self, older: Vector<Command>) -> bool {
        if older.len() != self.log_base {
            return false;
        }
        let mut log = older;
        log.append(std::mem::take(&mut self.log));
        self.log = log;
        self.log_base = 0;
        true
    }
}
