//! Names, ARM resource ids and unique ids.
//!
//! Azure's naming rules for the resources the simulator has, and ids that
//! look like real ones. Unique ids come from a counter in the lab's state
//! (mixed into a UUID's shape), never from randomness, so a replay of the
//! operation log produces the same ids.

use crate::checksum::stable_hash;
use crate::error::{EngineError, Result};
use crate::payload::splitmix64;

/// Disks, snapshots and VMs: 1–80 characters; letters, digits, `_`, `.`, `-`;
/// starts with a letter or digit; ends with a letter, digit or `_`.
pub fn check_compute_name(kind: &'static str, name: &str) -> Result<()> {
    let bad = |reason| {
        Err(EngineError::InvalidName {
            kind,
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() || name.chars().count() > 80 {
        return bad("it must be 1 to 80 characters long.");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return bad("it may contain only letters, digits, underscores, periods and hyphens.");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return bad("it must start with a letter or digit.");
    }
    if !name.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return bad("it must end with a letter, digit or underscore.");
    }
    Ok(())
}

/// Resource groups: 1–90 characters; letters, digits, `_`, `(`, `)`, `-`, `.`;
/// not ending with a period.
pub fn check_group_name(name: &str) -> Result<()> {
    let bad = |reason| {
        Err(EngineError::InvalidName {
            kind: "resource group",
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() || name.chars().count() > 90 {
        return bad("it must be 1 to 90 characters long.");
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '(' | ')' | '-' | '.'))
    {
        return bad(
            "it may contain only letters, digits, underscores, parentheses, hyphens and periods.",
        );
    }
    if name.ends_with('.') {
        return bad("it must not end with a period.");
    }
    Ok(())
}

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/{kind}/{name}`
pub fn arm_id(subscription: &str, group: &str, kind: &str, name: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Compute/{kind}/{name}")
}

pub fn group_id(subscription: &str, group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}")
}

/// A deterministic UUID-shaped id from a counter and a salt.
pub fn uuid_from(counter: u64, salt: u64) -> String {
    let a = splitmix64(counter ^ salt.rotate_left(17));
    let b = splitmix64(a ^ counter.wrapping_add(0x5EED));
    // Version 4 and RFC 4122 variant bits, so it looks like what Azure prints.
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 | (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// `incrementalSnapshotFamilyId` of the snapshots of the disk with `unique_id`
/// (or of the copies of a family into a region, given that pair as text).
pub fn family_id_for(source: &str) -> String {
    uuid_from(stable_hash(source), 0xFA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compute_names_follow_azure_rules() {
        for ok in ["disk1", "my-disk.v2_", "A", &"x".repeat(80)] {
            assert!(check_compute_name("disk", ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "1 to 80"),
            ("-disk", "start"),
            ("disk-", "end"),
            ("disk one", "only"),
            ("dísk", "only"),
        ] {
            let err = check_compute_name("disk", bad).unwrap_err();
            assert_eq!(err.code(), "InvalidResourceName");
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
        assert!(check_compute_name("snapshot", &"x".repeat(81)).is_err());
    }

    #[test]
    fn group_names_follow_azure_rules() {
        assert!(check_group_name("rg-demo(1)").is_ok());
        assert!(check_group_name("rg.").is_err());
        assert!(check_group_name("rg/x").is_err());
    }

    #[test]
    fn uuids_are_deterministic_distinct_and_well_formed() {
        let a = uuid_from(1, 7);
        assert_eq!(a, uuid_from(1, 7));
        assert_ne!(a, uuid_from(2, 7));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(
            arm_id("s", "rg", "disks", "d"),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d"
        );
    }
}
