//! The native program's `--state` file, opened and saved in time that
//! follows the live state and the change, not the history.

//!
//! The file's format is [`super::file`]'s. Opening drives the
//! [`OpenPlan`] with the file as its host: the checkpoint keys and what a
//! lab opens from come through the last frame's index, everything through
//! a read of the whole file. Saving appends one frame (what changed, and
//! the new index), or writes the file anew when the frames have outgrown
//! the base.

pub use super::file::{frame, frame_summed, load_recent, load_whole, outgrown, parse, write_new};
pub use super::file::{FileSum, Loaded, Loc, ReadAt, Summing};
use super::plan::{Need, OpenOptions, OpenPlan};
use super::records::Batch;
use super::session::{self as store, BlockStore};
use std::collections::BTreeMap;

use crate::error::{EngineError, Result};

/// A lab opened from its state file, recording what the run changes.
pub type StateSession = store::Session<store::Recording<store::MemoryStore>>;

/// Opens the lab a state file holds, driving the [`OpenPlan`]: the
/// checkpoint and the log after it, read through the index; everything
/// when there is no usable index or checkpoint. `None` for a new file.
/// Repairs wait for the run's first write, so a run that only reads
/// leaves the file as it was.
///
/// `seal`: the host's key ([`super::seal`]): only checkpoints it sealed are
/// opened without decoding them whole, and the checkpoints saved are sealed.
pub fn open(
    file: Option<&(impl ReadAt + ?Sized)>,
    seal: Option<&super::seal::SealKey>,
) -> Result<(StateSession, Option<Loaded>)> {
    let mut plan = OpenPlan::new(OpenOptions {
        seal: seal.copied(),
        ..OpenOptions::default()
    });
    let mut loaded: Option<Loaded> = None;
    let mut setup = Batch::default();
    loop {
        match plan.need() {
            Need::CheckpointKeys => {
                loaded = file.map(load_recent).transpose()?;
                let keys: Vec<String> = loaded
                    .iter()
                    .flat_map(|l| l.records.keys())
                    .filter(|k| k.starts_with("checkpoint/"))
                    .cloned()
                    .collect();
                plan.checkpoint_keys(&keys);
            }
            Need::Recent(ranges) => {
                // The index holds exactly what a lab opens from.
                let records = loaded.as_ref().map(|l| {
                    l.records
                        .iter()
                        .filter(|(k, _)| ranges.iter().any(|r| r.contains(k)))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                });
                plan.records(records.unwrap_or_default())?;
            }
            Need::Everything => {
                if let (Some(file), Some(false)) = (file, loaded.as_ref().map(|l| l.whole)) {
                    loaded = Some(load_whole(file)?);
                }
                plan.records(
                    loaded
                        .as_ref()
                        .map(|l| l.records.clone())
                        .unwrap_or_default(),
                )?;
            }
            Need::Commit { batch, .. } => {
                setup.merge(batch);
                plan.committed();
            }
            Need::Done => break,
        }
    }
    let mut outcome = plan.finish();
    let mut memory = store::MemoryStore::new();
    memory
        .commit(Batch {
            puts: std::mem::take(&mut outcome.records).into_iter().collect(),
            ..Batch::default()
        })
        .map_err(|e| EngineError::StorageFailed { detail: e.0 })?;
    let recording = store::Recording {
        inner: memory,
        changes: setup,
    };
    Ok((store::Session::opened(recording, outcome), loaded))
}

/// How to store a run's changes.
#[derive(Debug, PartialEq, Eq)]
pub enum Save {
    /// Nothing changed: the file is left as it is.
    Nothing,
    /// Write `bytes` at `at`, and end the file there (a torn frame after
    /// the file's whole part is cut off), then flush.
    Append { at: u64, bytes: Vec<u8> },
    /// Replace the file with `bytes`, atomically.
    Rewrite(Vec<u8>),
}

/// Stores a checkpoint of the lab as it is (so the next run replays
/// nothing) and works out how to save what the run changed.
pub fn save(
    session: &mut StateSession,
    loaded: Option<&Loaded>,
    file: Option<&(impl ReadAt + ?Sized)>,
) -> Result<Save> {
    session.checkpoint()?;
    let records = session.store().inner.records();
    let changes = &session.store().changes;
    let (Some(loaded), Some(file)) = (loaded, file) else {
        return Ok(Save::Rewrite(write_new(records)));
    };
    // A run that changed nothing leaves the file exactly as it was (one
    // read whole is read whole again next time), unless a save that did
    // not finish trails it: that is cut off, as SQLite rolls back a hot
    // journal on a read. Nothing a save wrote is ever dropped by it.
    let indexed = !loaded.whole && loaded.end == file.size();
    if changes.is_empty() && (indexed || loaded.ignored == 0) {
        return Ok(Save::Nothing);
    }
    if !outgrown(loaded) {
        let place = (loaded.base, loaded.end);
        if let Some(bytes) = frame_summed(loaded.sum, &loaded.locs, records, changes, place) {
            return Ok(Save::Append {
                at: loaded.end,
                bytes,
            });
        }
    }
    // Written anew: every record, the file's with this run's changes.
    let mut all = if loaded.whole {
        loaded.records.clone()
    } else {
        verified_whole(loaded, file)?
    };
    for key in &changes.deletes {
        all.remove(key);
    }
    for (key, value) in &changes.puts {
        all.insert(key.clone(), value.to_vec());
    }
    Ok(Save::Rewrite(write_new(&all)))
}

/// Every record of a file opened through its index, for a rewrite: read
/// whole, every frame's checksum checked, and each record the run read
/// through the index found the same. Otherwise nothing is rewritten (a
/// rewrite made from "everything up to the first bad frame" would drop
/// the saves after it).
fn verified_whole(
    loaded: &Loaded,
    file: &(impl ReadAt + ?Sized),
) -> Result<BTreeMap<String, Vec<u8>>> {
    let whole = load_whole(file)?;
    let refused = |why: String| {
        EngineError::InvalidLabFile {
        detail: format!("the lab file is damaged: {why}; it was not rewritten, and this run's changes were not saved"),
    }
    };
    if whole.ignored > 0 || whole.end != loaded.end {
        return Err(refused(format!(
            "only its first {} of {} bytes are whole saves",
            whole.end, loaded.end
        )));
    }
    for (key, loc) in &loaded.locs {
        if whole.locs.get(key).map(|l| l.hash) != Some(loc.hash) {
            return Err(refused(format!("{key} is not what its index says")));
        }
    }
    Ok(whole.records)
}
