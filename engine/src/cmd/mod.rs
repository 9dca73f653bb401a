//! Every operation on the lab, one struct per file (as mini-redis's `cmd/`).
//!
//! The operation log is a list of [`Command`]s and `state = replay(log)`.
//! Each operation carries its typed [`Kind`] (which also gives its `az`
//! equivalent and its name in the event log), the resource it is about, and
//! its `apply`, which checks everything first (through the rule functions in
//! `rules.rs`) and only then changes the lab; `Lab::execute` also undoes a
//! half-applied command on error, so a refused command leaves no trace but
//! its event.
//!
//! Adding an operation: a file here with its struct and `impl Operation`,
//! and one line in the `commands!` table below naming it, its file and
//! its kinds (which makes the [`Kind`]s); then the compiler asks for each
//! new kind's `az` command and event-log name in `kind.rs`. The stored JSON
//! of a command is `{"op": "<variant in camelCase>", <its fields>}`, the
//! same as when `Command` was one enum of struct variants
//! (`tests/golden.rs` holds the engine to that).

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::catalog::region;
use crate::error::{EngineError, Result};
use crate::model::{Key, Placement};
use crate::naming::check_compute_name;
use crate::payload::PatternKind;
use crate::state::LabState;

mod copy_start;
mod kind;

pub use grant_access::Access;

/// What every operation file uses.
mod prelude {
    pub(super) use super::{AccessTarget, Kind, Operation, WriteData};
    pub(super) use crate::catalog::{region, DiskSku, SnapshotSku};
    pub(super) use crate::clock::Span;
    pub(super) use crate::copy_timing::{
        copy_duration, BACKGROUND_COPY_BYTES_PER_SECOND, CROSS_REGION_BYTES_PER_SECOND,
    };
    pub(super) use crate::disk::DiskData;
    pub(super) use crate::error::{EngineError, Result};
    pub(super) use crate::model::{
        written_pages_within, Birth, CopyError, CreateOption, Disk, DiskOrigin, Key, Placement,
        Progress, ResourceGroup, Snapshot, Subscription, UploadStage, Vm,
    };
    pub(super) use crate::naming::{check_group_name, family_id_for, uuid_from};
    pub(super) use crate::payload::PatternKind;
    pub(super) use crate::range_set::RangeSet;
    pub(super) use crate::rules;
    pub(super) use crate::state::{parse_arm_id, LabState};
    pub(super) use crate::units::{human_bytes, PAGE_SIZE};
    pub(super) use serde::{Deserialize, Serialize};
}

/// One operation on the lab.
pub trait Operation {
    /// What kind of operation this is (for lessons, explain, the event log):
    /// one of the kinds its line of the `commands!` table lists.
    fn kind(&self) -> Kind;
    /// The resource it is about, for the event log ("rg/disk1").
    fn resource(&self) -> String;
    /// Changes `lab`, or refuses. Called only through [`Lab::execute`],
    /// which restores the lab if this returns an error.
    fn apply(&self, lab: &mut LabState) -> Result<String>;
}

/// The table of operations: variant (= struct) name, its file, and the
/// kinds it can be. The `Command` enum, its dispatch, the `From`
/// conversions, the [`Kind`] enum and [`Kind::ALL`] are generated from this
/// list, so it is the one place an operation is registered: a kind that is
/// not listed here does not exist, and one listed is in `Kind::ALL`.
macro_rules! commands {
    ($($variant:ident => $file:ident: [$($kind:ident),+],)*) => {
        $(mod $file; pub use $file::$variant;)*

        /// Every operation on the lab.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "camelCase")]
        pub enum Command {
            $($variant($variant),)*
        }

        /// Every kind of operation. A command's kind can depend on its fields
        /// (`CreateSnapshot` with `copy_start` is a [`Kind::CopySnapshotToRegion`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub enum Kind {
            $($($kind,)+)*
        }

        impl Kind {
            /// How many kinds there are.
            pub const COUNT: usize = [$($(stringify!($kind),)+)*].len();
            /// Every kind, in the table's order.
            pub const ALL: [Kind; Kind::COUNT] = [$($(Kind::$kind,)+)*];
        }

        impl Command {
            /// What kind of operation this is.
            pub fn kind(&self) -> Kind {
                let kind = match self { $(Command::$variant(c) => c.kind(),)* };
                debug_assert!(
                    self.kinds().contains(&kind),
                    "{kind:?} is not a kind the commands! table lists for {self:?}"
                );
                kind
            }

            /// The kinds the table lists for this command's variant.
            pub fn kinds(&self) -> &'static [Kind] {
                match self { $(Command::$variant(_) => &[$(Kind::$kind),+],)* }
            }

            /// The resource the command is about, for the event log.
            pub fn resource(&self) -> String {
                match self { $(Command::$variant(c) => c.resource(),)* }
            }

            pub(crate) fn apply(&self, lab: &mut LabState) -> Result<String> {
                match self { $(Command::$variant(c) => c.apply(lab),)* }
            }
        }

        $(impl From<$variant> for Command {
            fn from(c: $variant) -> Command {
                Command::$variant(c)
            }
        })*
    };
}

commands! {
    AddSubscription => add_subscription: [AddSubscription],
    SelectSubscription => select_subscription: [SelectSubscription],
    SetFeatureAccess => set_feature_access: [EnableFeature, DisableFeature],
    CreateGroup => create_group: [CreateGroup],
    DeleteGroup => delete_group: [DeleteGroup],
    CreateDisk => create_disk: [CreateDisk],
    CreateDiskFromSnapshot => create_disk_from_snapshot: [RestoreDisk],
    DeleteDisk => delete_disk: [DeleteDisk],
    ResizeDisk => resize_disk: [ResizeDisk],
    ConvertDisk => convert_disk: [ConvertDisk],
    Write => write: [Write],
    Clear => clear: [Clear],
    CreateSnapshot => create_snapshot: [CreateSnapshot, CopySnapshotToRegion],
    DeleteSnapshot => delete_snapshot: [DeleteSnapshot],
    UpdateSnapshotSku => update_snapshot_sku: [UpdateSnapshotSku],
    MoveSnapshot => move_snapshot: [MoveSnapshot],
    GrantAccess => grant_access: [GrantDiskAccess, GrantSnapshotAccess],
    RevokeAccess => revoke_access: [RevokeDiskAccess, RevokeSnapshotAccess],
    CreateVm => create_vm: [CreateVm],
    SetVmRunning => set_vm_running: [StartVm, DeallocateVm],
    AttachDisk => attach_disk: [AttachDisk],
    DetachDisk => detach_disk: [DetachDisk],
    AdvanceClock => advance_clock: [AdvanceClock],
}

impl Command {
    /// The short name of the operation in the event log ("snapshot create").
    pub fn operation(&self) -> &'static str {
        self.kind().operation()
    }

    /// The command a user types for it ("az snapshot create").
    pub fn az(&self) -> &'static str {
        self.kind().az()
    }
}

/// What a write puts on the disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum WriteData {
    /// Real bytes (what a user typed or uploaded), hex-encoded in the log.
    Bytes {
        #[serde(with = "hex_bytes")]
        bytes: Bytes,
    },
    /// `length` bytes of a generated pattern.
    Pattern {
        pattern: PatternKind,
        seed: u64,
        length: u64,
    },
    /// Real bytes kept by the store as blob `blob` (how the stored operation
    /// log refers to them; the journal puts the bytes back before replaying).
    Stored { blob: u64, length: u64 },
    /// Real bytes no disk or snapshot refers to any more, freed by the store
    /// (or never kept, for a refused write). Replays as zeros, which nothing
    /// can read: no page that held them is still reachable.
    Freed { length: u64 },
}

impl WriteData {
    /// Real bytes. Shared, not copied, as the command is logged and applied.
    pub fn bytes(bytes: impl Into<Bytes>) -> WriteData {
        WriteData::Bytes {
            bytes: bytes.into(),
        }
    }

    pub fn length(&self) -> u64 {
        match self {
            WriteData::Bytes { bytes } => bytes.len() as u64,
            WriteData::Pattern { length, .. }
            | WriteData::Stored { length, .. }
            | WriteData::Freed { length } => *length,
        }
    }
}

/// Which kind of resource a SAS is granted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AccessTarget {
    Disk,
    Snapshot,
}

impl LabState {
    pub(crate) fn require_vm(&self, group: &str, name: &str) -> Result<Key> {
        self.require_group(group)?;
        self.vm(&self.current_subscription, group, name)
            .map(|vm| vm.at.key())
            .ok_or_else(|| EngineError::ResourceNotFound {
                kind: "virtualMachines",
                name: name.to_string(),
                group: group.to_string(),
            })
    }

    /// The canonical placement of a new resource in `group` of the current subscription.
    pub(crate) fn place(
        &self,
        group: &str,
        name: &str,
        location: Option<&str>,
        kind: &'static str,
    ) -> Result<Placement> {
        let rg = self.require_group(group)?;
        check_compute_name(kind, name)?;
        let location = match location {
            Some(l) => region(l)?.name.to_string(),
            None => rg.location.clone(),
        };
        Ok(Placement {
            subscription: self.current_subscription.clone(),
            group: rg.name.clone(),
            name: name.to_string(),
            location,
        })
    }
}

/// Bytes as a hex string in the operation log (readable, and JSON-safe).
mod hex_bytes {
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() % 2 != 0 {
            return Err(serde::de::Error::custom(
                "hex bytes need an even number of digits",
            ));
        }
        // Byte by byte: text from a file or link may hold any character, and
        // slicing a str between the bytes of one would panic.
        let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        text.as_bytes()
            .chunks(2)
            .map(|pair| match (digit(pair[0]), digit(pair[1])) {
                (Some(high), Some(low)) => Ok(high << 4 | low),
                _ => Err(serde::de::Error::custom(
                    "hex bytes must be the digits 0-9 and a-f",
                )),
            })
            .collect::<Result<Vec<u8>, _>>()
            .map(Bytes::from)
    }
}
