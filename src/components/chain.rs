//! The snapshot chain of a disk as the layers its block map draws under
//! the map: each snapshot oldest first, then the disk's pending changes.

use snaplab_engine::model::Snapshot;
use snaplab_engine::range_set::RangeSet;
use snaplab_engine::Lab;

use super::block_map::{Layer, LayerKind};

/// The snapshot chain of `disk`, oldest first, then its pending changes:
/// what each layer of the block map shows.
pub fn chain_layers(lab: &Lab, disk: &snaplab_engine::model::Disk) -> Vec<Layer> {
    chain_layers_previewing(lab, disk, None)
}

/// The chain, with the layers that make up a restore of snapshot `restore`
/// marked: for an incremental snapshot, every layer of its family up to it
/// (a restore composes them); for a full one, itself alone.
pub fn chain_layers_previewing(
    lab: &Lab,
    disk: &snaplab_engine::model::Disk,
    restore: Option<&str>,
) -> Vec<Layer> {
    let target = restore.and_then(|name| {
        lab.snapshots()
            .find(|s| s.at.name == name && s.origin.source_unique_id == disk.unique_id)
            .cloned()
    });
    let composes = |s: &Snapshot| {
        target.as_ref().map(|t| {
            if t.incremental {
                s.incremental && s.family_id == t.family_id && s.seq <= t.seq
            } else {
                s.seq == t.seq
            }
        })
    };
    let mut snapshots: Vec<&Snapshot> = lab
        .snapshots()
        .filter(|s| s.origin.source_unique_id == disk.unique_id)
        .collect();
    snapshots.sort_by_key(|s| s.seq);
    let mut layers: Vec<Layer> = snapshots
        .into_iter()
        .map(|s| Layer {
            label: s.at.name.clone(),
            kind: if s.incremental {
                LayerKind::Incremental
            } else {
                LayerKind::Full
            },
            pages: if s.incremental {
                s.delta.clone()
            } else {
                RangeSet::from_ranges(s.content.written_ranges())
            },
            content: s.content.clone(),
            used: s.used_bytes(),
            composes: composes(s),
        })
        .collect();
    if !disk.changed.is_empty() {
        layers.push(Layer {
            label: "→ next".into(),
            kind: LayerKind::Pending,
            pages: disk.changed.clone(),
            content: disk.data.page_map().clone(),
            used: snaplab_engine::model::written_pages_within(disk.data.page_map(), &disk.changed)
                * 512,
            composes: target.as_ref().map(|_| false),
        });
    }
    layers
}
