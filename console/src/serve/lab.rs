//! The lab a server serves: kept in its file under the lab file's lock for
//! the whole serve (one writer, as `snaplab run --state` is one), or only in
//! memory. Every command goes through [`Served::execute`], which commits it
//! and saves the file before the request is answered: a request that got
//! its answer is on disk. The server holds this behind one mutex, so
//! requests run concurrently up to here and change the lab one at a time.

use std::collections::HashMap;
#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;

use snaplab_engine::clock::Instant;
use snaplab_engine::cmd::{AdvanceClock, SelectSubscription};
use snaplab_engine::{Command, EngineError, Lab};

use crate::failure::Failure;
#[cfg(not(target_arch = "wasm32"))]
use crate::labfile::{OpenLab, RealIo};
use crate::runner::{Locks, Runner};
use crate::{Console, Language, Line};

/// The real file system, for the whole serve (the lock borrows it).
#[cfg(not(target_arch = "wasm32"))]
pub static IO: RealIo = RealIo;

/// How the simulated clock moves (`--clock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// With wall time: before each request, the lab's clock is advanced by
    /// the whole seconds that passed since the last request.
    Wall(std::time::Instant),
    /// Only with `sim clock advance` (through `/snaplab/run`).
    Manual,
}

/// Where the served lab lives.
pub enum Store {
    #[cfg(not(target_arch = "wasm32"))]
    File(Box<OpenLab<'static, RealIo>>),
    Memory(Box<Lab>),
}

/// A long-running operation, as its status URL reports it.
#[derive(Debug, Clone)]
pub struct Operation {
    pub started: Instant,
    /// What its `Location` URL answers once it is done: a POST's result
    /// (`{"accessSAS": …}`), or for a PUT the resource's URL to read.
    pub result: Finished,
}

#[derive(Debug, Clone)]
pub enum Finished {
    Body(serde_json::Value),
    /// The path of the resource (GET it for the body).
    Resource(String),
    Nothing,
}

pub struct Served {
    pub store: Store,
    pub clock: Clock,
    /// Whole milliseconds of wall time already moved onto the lab's clock.
    advanced_ms: u64,
    pub operations: HashMap<String, Operation>,
    next_operation: u64,
    /// The template deployments run here, by lower-cased resource id: their
    /// REST bodies (kept while the server runs, as operations are).
    pub deployments: HashMap<String, serde_json::Value>,
}

impl Served {
    pub fn new(store: Store, clock: Clock) -> Served {
        Served {
            store,
            clock,
            advanced_ms: 0,
            operations: HashMap::new(),
            next_operation: 0,
            deployments: HashMap::new(),
        }
    }

    pub fn lab(&self) -> &Lab {
        match &self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(open) => open.session.lab(),
            Store::Memory(lab) => lab,
        }
    }

    /// The lab of a server kept in memory, once it is done with.
    pub fn into_memory_lab(self) -> Option<Lab> {
        match self.store {
            Store::Memory(lab) => Some(*lab),
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(_) => None,
        }
    }

    /// Where the lab is kept, for the start-up banner.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn kept(&self) -> String {
        match &self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(open) => format!(
                "Lab file: {} (locked while served; every change is saved before its answer)",
                open.lock.path().display()
            ),
            Store::Memory(_) => {
                "Lab: in memory only (not saved: give --state FILE to keep it)".to_string()
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn path(&self) -> Option<PathBuf> {
        match &self.store {
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(open) => Some(open.lock.path().to_path_buf()),
            Store::Memory(_) => None,
        }
    }

    /// Runs `command` on the lab and, for a lab file, saves it. A refused
    /// command is logged and saved too, as `snaplab run` keeps it. A save
    /// that fails is a `StorageFailed` refusal: the client must not think
    /// a change is kept that is not.
    pub fn execute(&mut self, command: Command) -> Result<String, EngineError> {
        match &mut self.store {
            Store::Memory(lab) => lab.execute(command),
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(open) => {
                let result = open.session.execute(command);
                open.save()
                    .map_err(|e| EngineError::StorageFailed { detail: e.message })?;
                result
            }
        }
    }

    /// Runs a console script on the lab, as `snaplab run --state` does:
    /// the console on a copy, then what it executed replayed into the
    /// session and saved. Output lines (standard error's too) and status.
    pub fn run_script(&mut self, script: &str) -> Result<(String, i32), EngineError> {
        let mut console = Console::new(self.lab().clone());
        let transcript = console.run_in(Language::Bash, script);
        self.adopt(console.lab, std::mem::take(&mut console.executed))?;
        let mut output = String::new();
        for line in &transcript.lines {
            let (Line::Out(s) | Line::Err(s)) = line;
            output.push_str(s);
            output.push('\n');
        }
        Ok((output, transcript.status))
    }

    /// Runs `work` with a console runner on a copy of the lab, then keeps
    /// what it executed (replayed into the session and saved), as a script
    /// run is kept: a template deployment, which the console's ARM
    /// evaluator runs.
    pub fn run_with<T>(
        &mut self,
        work: impl FnOnce(&mut Runner) -> Result<T, Failure>,
    ) -> Result<Result<T, Failure>, EngineError> {
        let mut lab = self.lab().clone();
        let locks = Locks::none();
        let mut executed = Vec::new();
        let result = work(&mut Runner::new(&mut lab, &locks, &mut executed));
        self.adopt(lab, executed)?;
        Ok(result)
    }

    /// The lab a console ran on, and the commands it executed: kept.
    #[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
    fn adopt(&mut self, lab: Lab, executed: Vec<Command>) -> Result<(), EngineError> {
        match &mut self.store {
            Store::Memory(served) => **served = lab,
            #[cfg(not(target_arch = "wasm32"))]
            Store::File(open) => {
                for command in executed {
                    let _ = open.session.execute(command);
                }
                open.save()
                    .map_err(|e| EngineError::StorageFailed { detail: e.message })?;
            }
        }
        Ok(())
    }

    /// With `--clock wall`: moves the lab's clock on by the whole seconds
    /// of wall time since the last move (one logged `sim clock advance`).
    pub fn follow_wall_clock(&mut self) -> Result<(), EngineError> {
        let Clock::Wall(start) = self.clock else {
            return Ok(());
        };
        let elapsed = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let due = (elapsed - self.advanced_ms.min(elapsed)) / 1000 * 1000;
        if due == 0 {
            return Ok(());
        }
        self.advanced_ms += due;
        self.execute(Command::AdvanceClock(AdvanceClock { millis: due }))
            .map(|_| ())
    }

    /// Makes `subscription` the lab's current one (the engine's commands
    /// act on the current subscription, as az's do).
    pub fn select(&mut self, subscription: &str) -> Result<(), EngineError> {
        if self
            .lab()
            .current_subscription()
            .id
            .eq_ignore_ascii_case(subscription)
        {
            return Ok(());
        }
        self.execute(Command::SelectSubscription(SelectSubscription {
            subscription: subscription.to_string(),
        }))
        .map(|_| ())
    }

    /// Records an operation and returns its id.
    pub fn start_operation(&mut self, result: Finished) -> String {
        self.next_operation += 1;
        let id = format!("5a0b1ab7-0000-4000-8000-{:012x}", self.next_operation);
        self.operations.insert(
            id.clone(),
            Operation {
                started: self.lab().now(),
                result,
            },
        );
        id
    }
}
