//! # snaplab-engine
//!
//! A deterministic model of Azure managed disks and their full and
//! incremental snapshots. It has no web dependency and reads no clock: the
//! same engine runs in the browser (compiled to wasm) and natively.
//!
//! ## Layout
//!
//! | concept | file |
//! |---|---|
//! | the 512-byte page, sizes and their display | [`units`] (`units.rs`) |
//! | what a write holds: real bytes or a generated pattern | [`payload`] (`payload.rs`) |
//! | the sparse, persistent map of written pages | [`page_map`] (`page_map.rs`) |
//! | a disk's data: checked writes, reads and clears | [`disk`] (`disk.rs`) |
//! | refusals with Azure-style codes | [`error`] (`error.rs`) |
//!
//! The rules modelled are in `shared/reference/azure-incremental-snapshots.md`;
//! comments cite them by id (A10 = "a disk is a page blob of 512-byte pages").

pub mod disk;
pub mod error;
pub mod page_map;
pub mod payload;
pub mod units;

pub use disk::DiskData;
pub use error::{EngineError, Result};
pub use page_map::{PageMap, PageRange};
pub use payload::{Payload, PatternKind};
