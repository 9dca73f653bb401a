//! What kind of operation a command is, as a type: lessons disable kinds,
//! explain and hover help describe them, the event log names them, and each
//! has the one `az` (or `sim`) command a user types for it. The enum and
//! [`Kind::ALL`] are generated from the `commands!` table in `mod.rs`; the
//! matches here have no catch-all arm, so a new kind needs its lines here.

use super::Kind;

impl Kind {
    /// The command a user types for it: an `az` command, or the simulator's
    /// own `sim` verb where Azure has no command (writing bytes, the clock).
    pub fn az(self) -> &'static str {
        match self {
            Kind::AddSubscription => "sim subscription add",
            Kind::SelectSubscription => "az account set",
            Kind::EnableFeature => "sim feature enable",
            Kind::DisableFeature => "sim feature disable",
            Kind::CreateGroup => "az group create",
            Kind::DeleteGroup => "az group delete",
            Kind::CreateDisk | Kind::RestoreDisk => "az disk create",
            Kind::DeleteDisk => "az disk delete",
            Kind::ResizeDisk | Kind::ConvertDisk => "az disk update",
            Kind::Write => "sim write",
            Kind::Clear => "sim trim",
            Kind::CreateSnapshot | Kind::CopySnapshotToRegion => "az snapshot create",
            Kind::DeleteSnapshot => "az snapshot delete",
            Kind::UpdateSnapshotSku => "az snapshot update",
            Kind::MoveSnapshot => "az resource move",
            Kind::GrantDiskAccess => "az disk grant-access",
            Kind::GrantSnapshotAccess => "az snapshot grant-access",
            Kind::RevokeDiskAccess => "az disk revoke-access",
            Kind::RevokeSnapshotAccess => "az snapshot revoke-access",
            Kind::CreateVm => "az vm create",
            Kind::StartVm => "az vm start",
            Kind::DeallocateVm => "az vm deallocate",
            Kind::AttachDisk => "az vm disk attach",
            Kind::DetachDisk => "az vm disk detach",
            Kind::AdvanceClock => "sim clock advance",
        }
    }

    /// The short name in the event log. These strings are stored in no log
    /// (the log stores commands), but lessons and the UI have always shown
    /// them, so they stay as they were.
    pub fn operation(self) -> &'static str {
        match self {
            Kind::AddSubscription => "subscription add",
            Kind::SelectSubscription => "account set",
            Kind::EnableFeature | Kind::DisableFeature => "feature register",
            Kind::CreateGroup => "group create",
            Kind::DeleteGroup => "group delete",
            Kind::CreateDisk => "disk create",
            Kind::RestoreDisk => "disk create --source",
            Kind::DeleteDisk => "disk delete",
            Kind::ResizeDisk => "disk update --size-gb",
            Kind::ConvertDisk => "disk update --sku",
            Kind::Write => "write",
            Kind::Clear => "trim",
            Kind::CreateSnapshot => "snapshot create",
            Kind::CopySnapshotToRegion => "snapshot create --copy-start",
            Kind::DeleteSnapshot => "snapshot delete",
            Kind::UpdateSnapshotSku => "snapshot update",
            Kind::MoveSnapshot => "resource move",
            Kind::GrantDiskAccess | Kind::GrantSnapshotAccess => "grant-access",
            Kind::RevokeDiskAccess | Kind::RevokeSnapshotAccess => "revoke-access",
            Kind::CreateVm => "vm create",
            Kind::StartVm => "vm start",
            Kind::DeallocateVm => "vm deallocate",
            Kind::AttachDisk => "vm disk attach",
            Kind::DetachDisk => "vm disk detach",
            Kind::AdvanceClock => "clock advance",
        }
    }

    /// The kinds a lesson's "disabled" entry names: every kind whose command
    /// starts with it ("az disk create" is both creating and restoring a
    /// disk; "az snapshot" is every snapshot operation).
    pub fn matching(prefix: &str) -> Vec<Kind> {
        let prefix = prefix.trim();
        Kind::ALL
            .into_iter()
            .filter(|k| {
                let az = k.az();
                az == prefix
                    || (az.starts_with(prefix) && az.as_bytes().get(prefix.len()) == Some(&b' '))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_kind_once() {
        let mut seen = std::collections::BTreeSet::new();
        for k in Kind::ALL {
            assert!(seen.insert(k), "{k:?} twice");
        }
        assert_eq!(seen.len(), Kind::ALL.len());
    }

    #[test]
    fn all_holds_as_many_kinds_as_the_enum_has() {
        // Serde names each variant: every name read back is in ALL, and
        // ALL has every index the enum's discriminants run through.
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i, "{k:?} out of place in ALL");
            let name = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<Kind>(&name).unwrap(), k);
        }
        assert_eq!(Kind::ALL.len(), Kind::COUNT);
        assert_eq!(Kind::COUNT, 28);
    }

    /// A lesson locks a command by what a user types for it: every kind's
    /// own command must lock it (a kind missing from ALL would slip through).
    #[test]
    fn a_lesson_lock_on_each_kinds_command_covers_it() {
        for k in Kind::ALL {
            assert!(
                Kind::matching(k.az()).contains(&k),
                "locking '{}' does not lock {k:?}",
                k.az()
            );
        }
    }

    #[test]
    fn a_prefix_names_whole_words_only() {
        assert_eq!(
            Kind::matching("az disk create"),
            vec![Kind::CreateDisk, Kind::RestoreDisk]
        );
        assert_eq!(Kind::matching("az vm start"), vec![Kind::StartVm]);
        assert!(Kind::matching("az vm sta").is_empty());
        assert_eq!(Kind::matching("az snapshot").len(), 6);
    }
}
