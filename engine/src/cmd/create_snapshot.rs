//! `az snapshot create`: a full or incremental snapshot of a disk, a copy of a
//! snapshot within its region, or (`--copy-start`) to another region (see `copy_start.rs`).

use super::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSnapshot {
    pub group: String,
    pub name: String,
    /// A disk or snapshot, by ARM id or by name in `group`.
    pub source: String,
    pub incremental: bool,
    pub sku: Option<String>,
    pub location: Option<String>,
    /// `--copy-start`: copy a snapshot to another region (D1).
    pub copy_start: bool,
}

impl Operation for CreateSnapshot {
    fn kind(&self) -> Kind {
        if self.copy_start {
            Kind::CopySnapshotToRegion
        } else {
            Kind::CreateSnapshot
        }
    }

    fn resource(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    fn apply(&self, lab: &mut LabState) -> Result<String> {
        let sku = self.sku.as_deref().map(SnapshotSku::parse).transpose()?;
        let target_location = self.location.as_deref().map(region).transpose()?;
        let source = resolve_source(lab, &self.group, &self.source)?;
        if let Ok(existing) = lab.find_snapshot(&self.group, &self.name) {
            // A PUT of a snapshot that exists: create-or-update, as in Azure.
            let here = &existing.at.location;
            if let Some(r) = target_location {
                if !r.name.eq_ignore_ascii_case(here) {
                    return Err(EngineError::PropertyChangeNotAllowed {
                        property: "location",
                        hint: format!("Snapshot '{}' is in {here}.", self.name),
                    });
                }
            }
            let existing = existing.at.key();
            return self.update_existing(lab, &existing, &source, sku);
        }
        match source {
            Source::Disk(key) => {
                rules::d1_copy_start_source_is_snapshot(self.copy_start)?;
                let disk = lab.disk_at(&key).cloned().ok_or_else(|| self.gone())?;
                rules::upload_over(&disk, "snapshot create")?;
                if let Some(r) = target_location {
                    rules::d1_snapshot_in_disk_region(&disk, r.name)?;
                }
                self.snapshot_disk(lab, disk, sku)
            }
            Source::Snapshot(key) => {
                let src = lab.snapshot_at(&key).cloned().ok_or_else(|| self.gone())?;
                let target = target_location.map_or(src.at.location.clone(), |r| r.name.to_string());
                rules::d1_other_region_needs_copy_start(&src, &target, self.copy_start)?;
                if self.copy_start {
                    self.copy_to_region(lab, &src, &target, sku)
                } else {
                    self.copy_in_region(lab, &src, sku)
                }
            }
        }
    }
}

/// A disk or a snapshot, as `--source` names it.
enum Source {
    Disk(Key),
    Snapshot(Key),
}

fn resolve_source(lab: &LabState, group: &str, source: &str) -> Result<Source> {
    if let Some(id) = parse_arm_id(source) {
        let key = Key::new(&id.subscription, &id.group, &id.name);
        return match id.kind.to_lowercase().as_str() {
            "disks" if lab.disk_at(&key).is_some() => Ok(Source::Disk(key)),
            "snapshots" if lab.snapshot_at(&key).is_some() => Ok(Source::Snapshot(key)),
            "disks" | "snapshots" => Err(EngineError::ResourceNotFound {
                kind: if id.kind.eq_ignore_ascii_case("disks") {
                    "disks"
                } else {
                    "snapshots"
                },
                name: id.name,
                group: id.group,
            }),
            _ => Err(EngineError::InvalidParameter {
                reason: format!("'{source}' is neither a disk nor a snapshot id."),
            }),
        };
    }
    lab.require_group(group)?;
    let key = Key::new(&lab.current_subscription().id, group, source);
    if lab.disk_at(&key).is_some() {
        Ok(Source::Disk(key))
    } else if lab.snapshot_at(&key).is_some() {
        Ok(Source::Snapshot(key))
    } else {
        Err(EngineError::ResourceNotFound {
            kind: "disks",
            name: source.to_string(),
            group: group.to_string(),
        })
    }
}

impl CreateSnapshot {
    /// The source resolved a moment ago is not there (it cannot happen:
    /// nothing changed the lab in between), as "not found" all the same.
    pub(super) fn gone(&self) -> EngineError {
        EngineError::ResourceNotFound {
            kind: "snapshots",
            name: self.source.clone(),
            group: self.group.clone(),
        }
    }

    /// Where the new snapshot goes (refused if one is already there) and
    /// its ids: the common start of every way of making one.
    pub(super) fn birth(&self, lab: &mut LabState, location: &str) -> Result<Birth> {
        let at = lab.place(&self.group, &self.name, Some(location), "snapshot")?;
        if lab.snapshot_at(&at.key()).is_some() {
            return Err(EngineError::AlreadyExists {
                kind: "snapshot",
                name: self.name.clone(),
                group: self.group.clone(),
            });
        }
        Ok(Birth {
            at,
            unique_id: String::new(),
            seq: 0,
            time: lab.now(),
        })
    }

    /// Hands out the creation order and unique id, once every check passed.
    pub(super) fn numbered(lab: &mut LabState, birth: Birth) -> Birth {
        let seq = lab.next_snapshot_seq();
        Birth {
            seq,
            unique_id: lab.next_unique_id(),
            ..birth
        }
    }

    /// Creating a snapshot that already exists: the same request again
    /// changes nothing and succeeds (ARM's PUT is idempotent, so a re-run
    /// script or template works); a new SKU is an update (A5); a different
    /// source, kind or create option cannot change once the snapshot exists.
    fn update_existing(
        &self,
        lab: &mut LabState,
        existing: &Key,
        source: &Source,
        sku: Option<SnapshotSku>,
    ) -> Result<String> {
        let source_id = match source {
            Source::Disk(key) => lab.disk_at(key).map(|d| d.id()),
            Source::Snapshot(key) => lab.snapshot_at(key).map(|s| s.id()),
        }
        .ok_or_else(|| self.gone())?;
        let snapshot = lab.snapshot_at(existing).ok_or_else(|| self.gone())?;
        let name = snapshot.at.name.clone();
        if !snapshot
            .origin
            .source_resource_id
            .eq_ignore_ascii_case(&source_id)
        {
            return Err(EngineError::PropertyChangeNotAllowed {
                property: "sourceResourceId",
                hint: format!(
                    "Snapshot '{name}' was taken of {}; to snapshot {source_id}, choose another name.",
                    snapshot.origin.source_resource_id
                ),
            });
        }
        if snapshot.incremental != self.incremental {
            return Err(EngineError::PropertyChangeNotAllowed {
                property: "incremental",
                hint: format!(
                    "Snapshot '{name}' is {}; a snapshot cannot become {} (choose another name).",
                    if snapshot.incremental { "incremental" } else { "full" },
                    if self.incremental { "incremental" } else { "full" }
                ),
            });
        }
        let was_copy_start = snapshot.origin.create_option == CreateOption::CopyStart;
        if was_copy_start != self.copy_start {
            return Err(EngineError::PropertyChangeNotAllowed {
                property: "createOption",
                hint: format!(
                    "Snapshot '{name}' was made with createOption {}.",
                    snapshot.origin.create_option
                ),
            });
        }
        match sku {
            Some(sku) if sku != snapshot.sku => {
                lab.snapshot_at_mut(existing)?.sku = sku;
                Ok(format!(
                    "snapshot {name} exists: updated, now stored as {}",
                    sku.name()
                ))
            }
            _ => Ok(format!(
                "snapshot {name} exists with these properties: nothing changed (create-or-update)"
            )),
        }
    }

    /// A full or incremental snapshot of `disk`.
    fn snapshot_disk(&self, lab: &mut LabState, disk: Disk, sku: Option<SnapshotSku>) -> Result<String> {
        let now = lab.now();
        let incremental = self.incremental;
        let birth = self.birth(lab, &disk.at.location)?;
        let home = region(&disk.at.location)?;
        let family_id = family_id_for(&disk.unique_id);
        if incremental {
            rules::b4_same_subscription(&disk.at.subscription, &birth.at.subscription)?;
            rules::c1_feature_access(lab, &disk)?;
            rules::c7_region(disk.sku, home)?;
            rules::c3_pending(lab, &disk)?;
            rules::b1_snapshot_rate(&disk.incremental_snapshot_times, now)?;
            let existing = lab
                .snapshots()
                .filter(|s| s.family_id.as_deref() == Some(family_id.as_str()))
                .count();
            rules::b2_snapshot_count(&disk, existing)?;
        } else {
            rules::c8_incremental_only(&disk, incremental)?;
        }
        // A5: incremental snapshots default to the previous one's SKU, else ZRS where the region has it.
        let sku = sku.unwrap_or_else(|| {
            if incremental {
                lab.family(&family_id)
                    .last()
                    .map(|s| s.sku)
                    .unwrap_or_else(|| SnapshotSku::default_for(home))
            } else {
                SnapshotSku::StandardLrs
            }
        });
        let birth = Self::numbered(lab, birth);
        let d = lab.disk_at_mut(&disk.at.key())?;
        let delta = if incremental {
            d.incremental_snapshot_times
                .retain(|t| now - *t < rules::B1_WINDOW);
            d.incremental_snapshot_times.push(now);
            // The disk's changes since its last incremental snapshot move into this one (A1).
            std::mem::take(&mut d.changed)
        } else {
            RangeSet::new()
        };
        let mut snapshot = Snapshot::of_disk(birth, &disk, incremental, sku, delta);
        if disk.sku.is_v2_or_ultra() {
            // C2: the data copies in the background; completionPercent rises to 100.
            snapshot.background = Some(Progress {
                started: now,
                duration: copy_duration(snapshot.used_bytes(), BACKGROUND_COPY_BYTES_PER_SECOND),
            });
        }
        let summary = format!(
            "{} snapshot {} of {} created: {} used",
            if incremental { "incremental" } else { "full" },
            self.name,
            disk.at.name,
            human_bytes(snapshot.used_bytes())
        );
        lab.insert_snapshot(snapshot);
        Ok(summary)
    }

    /// A copy of a snapshot within its region (to another resource group, B5):
    /// a new snapshot with the same data, in a family of its own.
    fn copy_in_region(
        &self,
        lab: &mut LabState,
        src: &Snapshot,
        sku: Option<SnapshotSku>,
    ) -> Result<String> {
        let birth = self.birth(lab, &src.at.location)?;
        rules::c2_ready(src, lab.now(), "be copied")?;
        rules::b4_same_subscription(&src.at.subscription, &birth.at.subscription)?;
        let birth = Self::numbered(lab, birth);
        let snapshot = Snapshot::copy_of(birth, src, self.incremental, sku.unwrap_or(src.sku));
        let summary = format!(
            "snapshot {} copied to {}/{}",
            snapshot.origin.source_resource_id, self.group, self.name
        );
        lab.insert_snapshot(snapshot);
        Ok(summary)
    }
}
