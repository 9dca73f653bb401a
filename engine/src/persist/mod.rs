//! Persistence: one core that the native session, the `--state` file and
//! the browser's IndexedDB service all use, in one direction (each module
//! uses only those above it in this table).
//!
//! | part | file |
//! |---|---|
//! | the records and their keys, batches, the log's running digest | [`records`] (`records.rs`) |
//! | the journal: the lab, what to store for each operation, opening from records (checkpoint trusted only if it matches its log) | [`journal`] (`journal.rs`) |
//! | the open plan: a sans-I/O state machine every host drives (what to read, fallback, recovery, lab id, starters) | [`plan`] (`plan.rs`) |
//! | synchronous hosts: `BlockStore`, in-memory, faulty and recording stores, `Session` | [`session`] (`session.rs`) |
//! | the lab file format: an export, then appended frames with an index | [`file`] (`file.rs`) |
//! | importing a lab file | [`transfer`] (`transfer.rs`) |
//! | the native `--state` file as a host: open through its index, save by appending | [`state_file`] (`state_file.rs`) |
//!
//! The checkpoint codec is [`checkpoint`] (used by the journal; the crate root re-exports it as `checkpoint`).
//! [`store`] gathers the names the rest of the workspace uses.

pub mod checkpoint;
pub mod file;
pub mod journal;
pub mod plan;
pub mod records;
pub mod seal;
pub mod session;
pub mod state_file;
pub mod transfer;

/// The storage names the app, the console and the tests use, in one place.
pub mod store {
    pub use super::file::{export, export_located, EXPORT_FORMAT, EXPORT_MAGIC};
    pub use super::journal::{decoded_log_entries, Journal, Opened, Prepared, FREED_BYTES_KEPT};
    pub use super::plan::{KeyRange, Need, OpenOptions, OpenPlan, Outcome};
    pub use super::records::*;
    pub use super::session::{
        drive, records_for, BlockStore, FaultyStore, MemoryStore, Recording, Session, StoreError,
    };
    pub use super::transfer::import;
}
