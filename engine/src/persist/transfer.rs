//! Labs that travel: a lab file imported whole, never trusted blindly.

use std::collections::BTreeMap;

use super::file;
use super::journal::Journal;
use super::records::corrupt;
use crate::error::{EngineError, Result};

/// Reads a foreign lab file (an import, a file someone sent), checking it
/// whole before anything is changed: format, checksum, and a replay of its
/// whole log. Any checkpoint it carries is dropped unread, and one made
/// from the replay is stored with it, so the lab opens quickly from then on.
pub fn import(file: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let invalid = |e| match e {
        EngineError::StorageCorrupt { detail } => EngineError::InvalidLabFile { detail },
        other => other,
    };
    let mut records = read_export(file).map_err(invalid)?;
    records.retain(|key, _| !key.starts_with("checkpoint/"));
    let opened = Journal::open(&records).map_err(invalid)?;
    debug_assert!(opened.from_checkpoint.is_none());
    for (key, value) in opened.journal.checkpoint_batch().puts {
        records.insert(key, value.to_vec());
    }
    Ok(records)
}

/// Every record of a lab file: its export, then the frames the native
/// program appended to it ([`crate::state_file`]).
/// A file that ends partway through a frame is refused: an import takes
/// a file whole or not at all.
fn read_export(file: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let loaded = file::parse(file)?;
    if loaded.ignored > 0 {
        return Err(corrupt(format!(
            "the lab file is damaged: its last {} bytes are not a whole save",
            loaded.ignored
        )));
    }
    Ok(loaded.records)
}
