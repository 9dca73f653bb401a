//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use snaplab_engine::clock::Span;
use snaplab_engine::cmd;
use snaplab_engine::units::MIB;
use snaplab_engine::{AccessTarget, Command, Lab, WriteData};

pub const RG: &str = "rg-demo";

/// A lab with resource group `rg-demo` in West Europe.
pub fn lab() -> Lab {
    snaplab_engine::testkit::lab_with_group(RG)
}

/// A lab with `disk1`, `sku`, `size_gib`, 512-byte sectors.
pub fn lab_with_disk(sku: &str, size_gib: u64) -> Lab {
    let mut lab = lab();
    if sku.starts_with("PremiumV2") || sku.starts_with("Ultra") {
        lab.execute(Command::SetFeatureAccess(cmd::SetFeatureAccess {
            enabled: true,
        }))
        .unwrap();
    }
    create_disk(&mut lab, "disk1", sku, size_gib, 512);
    lab
}

pub fn create_disk(lab: &mut Lab, name: &str, sku: &str, size_gib: u64, sector: u64) {
    let Command::CreateDisk(mut create) = create_disk_command(name, sku, size_gib) else {
        unreachable!()
    };
    create.logical_sector_size = sector;
    lab.execute(Command::CreateDisk(create)).unwrap();
}

/// `az disk create -g rg-demo -n NAME --sku SKU --size-gb SIZE` (512-byte sectors).
pub fn create_disk_command(name: &str, sku: &str, size_gib: u64) -> Command {
    Command::CreateDisk(cmd::CreateDisk::new(RG, name, sku, size_gib))
}

pub fn write(
    lab: &mut Lab,
    disk: &str,
    offset: u64,
    length: u64,
    seed: u64,
) -> snaplab_engine::Result<String> {
    lab.execute(snaplab_engine::testkit::write(
        RG, disk, offset, length, seed,
    ))
}

pub fn write_bytes(lab: &mut Lab, disk: &str, offset: u64, bytes: Vec<u8>) {
    lab.execute(Command::Write(cmd::Write {
        group: RG.into(),
        disk: disk.into(),
        offset,
        data: WriteData::bytes(bytes),
    }))
    .unwrap();
}

pub fn clear(lab: &mut Lab, disk: &str, offset: u64, length: u64) {
    lab.execute(Command::Clear(cmd::Clear {
        group: RG.into(),
        disk: disk.into(),
        offset,
        length,
    }))
    .unwrap();
}

pub fn snapshot(lab: &mut Lab, disk: &str, name: &str) -> snaplab_engine::Result<String> {
    lab.execute(snaplab_engine::testkit::snapshot(RG, name, disk))
}

pub fn full_snapshot(lab: &mut Lab, disk: &str, name: &str) -> snaplab_engine::Result<String> {
    lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: RG.into(),
        name: name.into(),
        source: disk.into(),
        incremental: false,
        sku: None,
        location: None,
        copy_start: false,
    }))
}

pub fn delete_snapshot(lab: &mut Lab, name: &str) {
    lab.execute(Command::DeleteSnapshot(cmd::DeleteSnapshot {
        group: RG.into(),
        name: name.into(),
    }))
    .unwrap();
}

pub fn restore(lab: &mut Lab, snapshot: &str, disk: &str) -> snaplab_engine::Result<String> {
    lab.execute(Command::CreateDiskFromSnapshot(
        cmd::CreateDiskFromSnapshot {
            group: RG.into(),
            name: disk.into(),
            source: snapshot.into(),
            sku: None,
            size_gib: None,
        },
    ))
}

pub fn grant(lab: &mut Lab, snapshot: &str) -> snaplab_engine::Result<String> {
    lab.execute(Command::GrantAccess(cmd::GrantAccess {
        target: AccessTarget::Snapshot,
        group: RG.into(),
        name: snapshot.into(),
        duration_seconds: 3600,
        access: Default::default(),
    }))
}

pub fn advance(lab: &mut Lab, span: Span) {
    lab.execute(Command::AdvanceClock(cmd::AdvanceClock {
        millis: span.as_millis(),
    }))
    .unwrap();
}

pub fn used(lab: &Lab, snapshot: &str) -> u64 {
    lab.find_snapshot(RG, snapshot).unwrap().used_bytes()
}

pub fn read_disk(lab: &Lab, disk: &str, offset: u64, length: u64) -> Vec<u8> {
    lab.find_disk(RG, disk)
        .unwrap()
        .data
        .read(offset, length)
        .unwrap()
}

pub const M: u64 = MIB;

/// CPU time this thread has used, where the platform says (Linux's
/// `/proc/thread-self/stat`), else wall time since `since`. Bounds on how
/// long hostile input may take are checked on this, not on the wall clock:
/// on a shared 2-core machine under load, wall time measures the neighbours.
pub fn thread_time_since(since: (std::time::Instant, Option<f64>)) -> std::time::Duration {
    match (since.1, thread_cpu_seconds()) {
        (Some(start), Some(now)) => std::time::Duration::from_secs_f64((now - start).max(0.0)),
        _ => since.0.elapsed(),
    }
}

/// The starting point for [`thread_time_since`].
pub fn thread_clock() -> (std::time::Instant, Option<f64>) {
    (std::time::Instant::now(), thread_cpu_seconds())
}

fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 (1-based) of the whole line,
    // 12 and 13 after the name; in clock ticks, 100 a second on Linux.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
