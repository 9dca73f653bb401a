//! Refusals, in the terms an Azure user knows.
//!
//! Every public entry point of the engine validates its input and, when it
//! refuses, returns an [`EngineError`] with an Azure-style `code` (what `az`
//! prints in parentheses) and a message naming the rule and the numbers.
//! A refused operation never changes state.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// An offset or length that is not a whole number of 512-byte pages (A10).
    #[error("The offset {offset} and length {length} must both be multiples of 512 bytes: a managed disk is written in 512-byte pages (rule A10).")]
    MisalignedRange { offset: u64, length: u64 },

    /// A range that reaches past the end of the disk.
    #[error("The range {offset}..{end} (bytes) reaches past the end of the disk, which is {disk_size} bytes.")]
    RangePastEnd { offset: u64, end: u64, disk_size: u64 },

    /// A disk size outside 1..=32,767 GiB.
    #[error("The disk size {size_gib} GiB is not allowed: a managed disk is 1 to 32,767 GiB.")]
    InvalidDiskSize { size_gib: u64 },

    /// A logical sector size other than 512 or 4096 (C6).
    #[error("The logical sector size {sector_size} is not allowed: use 512 or 4096 (rule C6).")]
    InvalidSectorSize { sector_size: u64 },
}

impl EngineError {
    /// The code Azure (or, where marked, the simulator) reports for this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::MisalignedRange { .. } | EngineError::RangePastEnd { .. } => "InvalidPageRange",
            EngineError::InvalidDiskSize { .. } | EngineError::InvalidSectorSize { .. } => "InvalidParameter",
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
