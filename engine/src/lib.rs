//! # snaplab-engine
//!
//! A deterministic model of Azure managed disks and their full and
//! incremental snapshots. It has no web dependency and reads no clock: the
//! same engine runs in the browser (compiled to wasm) and natively, and every
//! run can be replayed from its operation log.
//!
//! ## Layout
//!
//! | concept | file |
//! |---|---|
//! | the lab: its state and the operation log (or the part after a checkpoint) it is the replay of; `execute`, `replay`; derefs to its state | [`lab`] (`lab.rs`) |
//! | the lab's state: resources, clock, the newest events, cost points, ended days' usage; queries, and the accessors commands change it through (`disk_mut`, …); knows nothing of commands | [`state`] (`state.rs`) |
//! | every operation, one struct per file (kind, resource, `apply(&self)` with all its logic); the `commands!` table that makes `Command`, `Kind` and `Kind::ALL` | [`cmd`] (`cmd/`) |
//! | the table of rules (id, summary, source) and one function per refusal (B1 "7 per 5 minutes", …) | [`rules`] (`rules.rs`) |
//! | the page-range diff: PageRange / ClearRange, markers | [`diff`] (`diff.rs`) |
//! | billing: used size, used GiB / 31 a day, sample prices | [`billing`] (`billing.rs`) |
//! | disks, snapshots, VMs and their Azure fields; their constructors; `CreateOption` | [`model`] (`model.rs`) |
//! | each resource as its Azure REST body (stated api-versions), and az's flattened view of it | [`rest`] (`rest/`) |
//! | SKUs and regions (ZRS, C7 lists) | [`catalog`] (`catalog.rs`) |
//! | names, ARM ids, deterministic unique ids | [`naming`] (`naming.rs`) |
//! | stable checksums (FNV-1a, XXH64) of stored labs, lab files, checkpoint sections and share links | [`checksum`] (`checksum.rs`) |
//! | simulated time | [`clock`] (`clock.rs`) |
//! | how long background copies take (simulated rates) | [`copy_timing`] (`copy_timing.rs`) |
//! | the event log read by the UI and lessons | [`events`] (`events.rs`) |
//! | persistence: records, the journal, the open plan every host drives, stores, the lab file format (`store` re-exports its names) | [`persist`] (`persist/`) |
//! | checkpoints: the lab at a log position, so opening replays only the tail (part of the persistence core) | [`checkpoint`] (`persist/checkpoint.rs`) |
//! | share links: the operation log in a URL | [`share`] (`share.rs`) |
//! | the native program's `--state` file: an export, then appended frames with an index | [`state_file`] (`persist/state_file.rs`) |
//! | a lab file checked whole (base, every frame, every indexed record) and what verifies recovered: `snaplab check` / `recover` | [`recovery`] (`recovery.rs`) |
//! | moving through history from kept labs, not a full replay | [`timeline`] (`timeline.rs`) |
//! | test kit (feature `testkit`): fixtures, and realistic workloads for tests and benchmarks (a training day) | `testkit` (`testkit/mod.rs`, `testkit/workload.rs`) |
//! | a disk's data: checked writes, reads and clears | [`disk`] (`disk.rs`) |
//! | a value kept encoded until first read, its decode shared by clones (the lab's history, opened from a checkpoint) | [`lazy`] (`lazy.rs`) |
//! | the sparse, persistent map of written pages | [`page_map`] (`page_map.rs`) |
//! | sets of changed pages | [`range_set`] (`range_set.rs`) |
//! | what a write holds: real bytes or a generated pattern | [`payload`] (`payload.rs`) |
//! | the 512-byte page, sizes and their display | [`units`] (`units.rs`) |
//! | refusals with Azure-style codes | [`error`] (`error.rs`) |
//!
//! The modules are layers, each using only those below it (checked by
//! `tests/shape.rs`): `units`, `clock`, `payload`, `page_map`, `lazy`, `error`,
//! `catalog`, … → `model`, `disk` → `state` → `rules`, `billing`, `diff`,
//! `rest` → `cmd` → `lab` → `persist`, `timeline`, `share`, `recovery`.
//!
//! The rules modelled are in `shared/reference/azure-incremental-snapshots.md`;
//! comments and test names cite them by id (A10 = "a disk is a page blob of
//! 512-byte pages", B1 = "at most 7 incremental snapshots per disk every 5 minutes").

pub mod billing;
pub mod catalog;
pub mod checksum;
pub mod clock;
pub mod cmd;
pub mod copy_timing;
pub mod diff;
pub mod disk;
pub mod error;
pub mod events;
pub mod lab;
pub mod lazy;
pub mod model;
pub mod naming;
pub mod page_map;
pub mod payload;
pub mod persist;
pub mod range_set;
pub mod recovery;
pub mod rest;
pub mod rules;
pub mod share;
pub mod state;
pub use persist::{checkpoint, state_file, store};
pub mod timeline;
pub mod units;

/// Fixtures and workloads for tests and benchmarks: only with the `testkit`
/// feature (every crate's dev-dependency on the engine turns it on).
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use cmd::{AccessTarget, Command, Kind, Operation, WriteData};
pub use disk::DiskData;
pub use error::{EngineError, Result};
pub use lab::{Lab, Log};
pub use page_map::{PageMap, PageRange};
pub use payload::{PatternKind, Payload};
