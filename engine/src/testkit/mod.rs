//! The test kit: fixtures that tests of every crate share, and realistic
//! workloads for tests and benchmarks ([`workload`]). Compiled only with
//! the `testkit` feature, which each crate's dev-dependency on the engine
//! turns on: none of it is the engine's API.
//!
//! Commands with the fields every test would write the same way have
//! their own constructors ([`CreateDisk::premium`](crate::cmd::CreateDisk::premium),
//! [`CreateDisk::new`](crate::cmd::CreateDisk::new)); what is here builds on them.

pub mod workload;

use crate::cmd::{self, Command, WriteData};
use crate::payload::PatternKind;
use crate::Lab;

/// The region fixtures put their resource groups in.
pub const REGION: &str = "westeurope";

/// `az group create -n NAME -l westeurope`.
pub fn group(name: &str) -> Command {
    Command::CreateGroup(cmd::CreateGroup {
        name: name.into(),
        location: REGION.into(),
    })
}

/// `az snapshot create --incremental` of `disk` in `group`.
pub fn snapshot(group: &str, name: &str, disk: &str) -> Command {
    Command::CreateSnapshot(cmd::CreateSnapshot {
        group: group.into(),
        name: name.into(),
        source: disk.into(),
        incremental: true,
        sku: None,
        location: None,
        copy_start: false,
    })
}

/// `az snapshot create --incremental false` (a full snapshot) of `disk` in `group`.
pub fn full_snapshot(group: &str, name: &str, disk: &str) -> Command {
    let Command::CreateSnapshot(mut create) = snapshot(group, name, disk) else {
        unreachable!("snapshot() makes a CreateSnapshot")
    };
    create.incremental = false;
    Command::CreateSnapshot(create)
}

/// `length` random bytes from `seed`, written to `disk` at `offset`.
pub fn write(group: &str, disk: &str, offset: u64, length: u64, seed: u64) -> Command {
    Command::Write(cmd::Write {
        group: group.into(),
        disk: disk.into(),
        offset,
        data: WriteData::Pattern {
            pattern: PatternKind::Random,
            seed,
            length,
        },
    })
}

/// A lab with resource group `group` (in [`REGION`]).
pub fn lab_with_group(group_name: &str) -> Lab {
    let mut lab = Lab::new();
    lab.execute(group(group_name)).expect("a new group");
    lab
}

/// A lab with resource group `group` and a Premium SSD `disk` of `size_gib`.
pub fn lab_with_disk(group: &str, disk: &str, size_gib: u64) -> Lab {
    let mut lab = lab_with_group(group);
    lab.execute(cmd::CreateDisk::premium(group, disk, size_gib).into())
        .expect("a new disk");
    lab
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_lab_with_a_disk_has_the_group_and_the_disk_asked_for() {
        let mut lab = super::lab_with_disk("rg", "d", 4);
        let disk = lab.find_disk("rg", "d").unwrap();
        assert_eq!((disk.size_gib(), disk.sku.name()), (4, "Premium_LRS"));
        assert_eq!(disk.at.location, super::REGION);
        lab.execute(super::write("rg", "d", 0, 4096, 1)).unwrap();
        lab.execute(super::snapshot("rg", "s", "d")).unwrap();
        assert_eq!(lab.find_snapshot("rg", "s").unwrap().used_bytes(), 4096);
    }
}
