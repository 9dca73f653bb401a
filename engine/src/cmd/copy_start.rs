//! `az snapshot create --copy-start`: an incremental snapshot copied to another
//! region (D1–D4). Part of [`CreateSnapshot`](super::CreateSnapshot); kept apart
//! because the cross-region rules are a topic of their own.

use super::prelude::*;
use super::CreateSnapshot;

impl CreateSnapshot {
    /// `--copy-start` to another region (D1–D4): only the changes since the
    /// last snapshot of the family already copied there cross regions (D2).
    pub(super) fn copy_to_region(
        &self,
        lab: &mut LabState,
        src: &Snapshot,
        target: &str,
        sku: Option<SnapshotSku>,
    ) -> Result<String> {
        let now = lab.now();
        let birth = self.birth(lab, target)?;
        rules::d1_copy_start_incremental(src.incremental, self.incremental)?;
        rules::d1_copy_start_to_other_region(src, target)?;
        rules::b4_same_subscription(&src.at.subscription, &birth.at.subscription)?;
        rules::c2_ready(src, now, "be copied")?;
        let source_family = src
            .family_id
            .clone()
            .expect("incremental snapshots have a family");
        let copying = |s: &&Snapshot| {
            s.origin.create_option == CreateOption::CopyStart
                && s.background.is_some_and(|p| !p.is_done(now))
                && s.copy_error.is_none()
        };
        let running = lab.snapshots().filter(copying).find(|s| {
            s.origin
                .source_snapshot
                .as_ref()
                .and_then(|k| lab.snapshot_at(k))
                .and_then(|s| s.family_id.as_deref())
                == Some(source_family.as_str())
        });
        rules::d3_one_copy_per_disk(src, running)?;
        // D3: at most 100 in parallel per subscription per target region.
        let parallel = lab
            .snapshots()
            .filter(copying)
            .filter(|s| s.at.location == target && s.at.subscription == birth.at.subscription)
            .count();
        rules::d3_parallel_copies(parallel, target)?;
        let target_family = family_id_for(&format!("{source_family}@{target}"));
        let previous = lab
            .family(&target_family)
            .into_iter()
            .rev()
            .find(|s| s.copy_error.is_none())
            .cloned();
        // D3: in creation order, judged by the previous copy's source even when
        // that source has since been deleted (its order is kept with the copy).
        let already = previous.as_ref().and_then(|p| {
            let name = p
                .origin
                .source_resource_id
                .rsplit('/')
                .next()
                .unwrap_or_default();
            p.origin.source_seq.map(|seq| (name.to_string(), seq))
        });
        rules::d3_creation_order(src, already, target)?;
        let delta = crossing(lab, src, &source_family, previous.as_ref());
        let transferred_bytes = written_pages_within(&src.content, &delta) * PAGE_SIZE;
        let sku = match sku {
            Some(sku) => sku,
            None => SnapshotSku::default_for(region(target)?),
        };
        let background = Progress {
            started: now,
            duration: copy_duration(transferred_bytes, CROSS_REGION_BYTES_PER_SECOND),
        };
        let birth = Self::numbered(lab, birth);
        let snapshot = Snapshot::copy_to_region(
            birth,
            src,
            target_family,
            sku,
            delta,
            transferred_bytes,
            background,
        );
        let summary = format!(
            "copy of {} to {target} started: {} to transfer",
            src.at.name,
            human_bytes(transferred_bytes)
        );
        lab.insert_snapshot(snapshot);
        Ok(summary)
    }
}

/// D2: what crosses regions when `src` is copied: what changed since the
/// source of `previous`, the newest copy in the target region.
fn crossing(
    lab: &LabState,
    src: &Snapshot,
    source_family: &str,
    previous: Option<&Snapshot>,
) -> RangeSet {
    let previous_source = previous
        .and_then(|p| p.origin.source_snapshot.as_ref())
        .and_then(|k| lab.snapshot_at(k));
    match previous_source {
        Some(prev_src) => {
            let mut changed = RangeSet::new();
            for member in lab.family(source_family) {
                if member.seq > prev_src.seq && member.seq <= src.seq {
                    changed.union_with(&member.delta);
                }
            }
            changed
        }
        // The whole snapshot crosses. Its changes against the copy before it
        // (whose source is gone, so the source family cannot say) are at
        // most the pages written in either: a page cleared since is a
        // change too, or deleting that older copy later would bill this one
        // for a page it does not hold (A9).
        None => {
            let mut changed = RangeSet::from_ranges(src.content.written_ranges());
            if let Some(previous) = previous {
                changed.union_with(&RangeSet::from_ranges(previous.content.written_ranges()));
            }
            changed
        }
    }
}
