//! A disk made for upload (`createOption: Upload`), as Azure's "upload a
//! VHD" docs drive it: created `ReadyToUpload`, a write SAS makes it
//! `ActiveUpload`, pages are written, revoking the SAS ends the upload and
//! it is an ordinary disk. Until then it cannot be snapshotted, attached,
//! resized, read or deleted while being written.

mod common;

use common::RG;
use snaplab_engine::cmd::{self, Access, AccessTarget};
use snaplab_engine::rules::{UPLOAD_MAX_BYTES, UPLOAD_MIN_BYTES};
use snaplab_engine::units::{GIB, MIB};
use snaplab_engine::{rest, Command, Lab};

/// A 10 GiB VHD and its footer: the REST spec's example size.
const VHD: u64 = 10 * GIB + 512;

fn upload_disk(lab: &mut Lab, name: &str, bytes: u64) -> snaplab_engine::Result<String> {
    lab.execute(cmd::CreateDisk::upload(RG, name, "Standard_LRS", bytes).into())
}

fn grant(lab: &mut Lab, name: &str, access: Access) -> snaplab_engine::Result<String> {
    lab.execute(Command::GrantAccess(cmd::GrantAccess {
        access,
        ..cmd::GrantAccess::read(AccessTarget::Disk, RG, name, 3600)
    }))
}

fn revoke(lab: &mut Lab, name: &str) -> snaplab_engine::Result<String> {
    lab.execute(Command::RevokeAccess(cmd::RevokeAccess {
        target: AccessTarget::Disk,
        group: RG.into(),
        name: name.into(),
    }))
}

fn state(lab: &Lab, name: &str) -> &'static str {
    lab.find_disk(RG, name).unwrap().disk_state()
}

#[test]
fn an_upload_disk_is_its_vhds_size_and_renders_as_the_rest_spec_says() {
    let mut lab = common::lab();
    upload_disk(&mut lab, "up", VHD).unwrap();
    assert_eq!(state(&lab, "up"), "ReadyToUpload");
    let body = serde_json::to_value(rest::disk(lab.find_disk(RG, "up").unwrap(), &lab)).unwrap();
    let props = &body["properties"];
    assert_eq!(props["creationData"]["createOption"], "Upload");
    assert_eq!(props["creationData"]["uploadSizeBytes"], VHD);
    assert_eq!(props["diskState"], "ReadyToUpload");
    // Every byte of the VHD, footer included, is the disk's.
    assert_eq!(props["diskSizeBytes"], VHD);
    assert_eq!(props["diskSizeGB"], 10);
}

#[test]
fn the_upload_size_is_the_spec_range_in_whole_pages() {
    let mut lab = common::lab();
    assert_eq!(UPLOAD_MIN_BYTES, 20 * MIB + 512);
    assert_eq!(UPLOAD_MAX_BYTES, 35_183_298_347_520, "the spec's number");
    for (bytes, ok) in [
        (UPLOAD_MIN_BYTES - 512, false),
        (UPLOAD_MIN_BYTES, true),
        (UPLOAD_MIN_BYTES + 1, false),
        (UPLOAD_MAX_BYTES, true),
        (UPLOAD_MAX_BYTES + 512, false),
        (0, false),
    ] {
        let name = format!("u{bytes}");
        let result = upload_disk(&mut lab, &name, bytes);
        assert_eq!(result.is_ok(), ok, "{bytes}: {result:?}");
        if let Err(e) = result {
            assert_eq!(e.code(), "InvalidParameter");
            assert!(
                lab.find_disk(RG, &name).is_err(),
                "a refused create leaves nothing"
            );
        }
    }
}

#[test]
fn until_its_upload_is_over_a_disk_refuses_what_needs_its_data() {
    let mut lab = common::lab();
    upload_disk(&mut lab, "up", VHD).unwrap();
    let refused = |r: snaplab_engine::Result<String>| {
        let e = r.unwrap_err();
        assert_eq!(e.code(), "OperationNotAllowed", "{e}");
        e.to_string()
    };
    let snapshot = || {
        Command::CreateSnapshot(cmd::CreateSnapshot {
            group: RG.into(),
            name: "s".into(),
            source: "up".into(),
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        })
    };
    // ReadyToUpload: no snapshot, no read SAS, no write (there is no SAS to write through).
    assert!(refused(lab.execute(snapshot())).contains("diskState ReadyToUpload"));
    refused(grant(&mut lab, "up", Access::Read));
    refused(common::write(&mut lab, "up", 0, 4096, 1));
    refused(lab.execute(cmd::ResizeDisk::to(RG, "up", 20).into()));
    assert_eq!(state(&lab, "up"), "ReadyToUpload");

    // A write SAS: ActiveUpload, with write permission; granting it again is the same SAS.
    let url = grant(&mut lab, "up", Access::Write).unwrap();
    assert!(url.contains("sp=rw"), "{url}");
    assert_eq!(grant(&mut lab, "up", Access::Write).unwrap(), url);
    assert_eq!(state(&lab, "up"), "ActiveUpload");
    // Being written, it cannot be deleted or snapshotted.
    assert!(refused(lab.execute(snapshot())).contains("diskState ActiveUpload"));
    refused(lab.execute(Command::DeleteDisk(cmd::DeleteDisk {
        group: RG.into(),
        name: "up".into(),
    })));
    // The VHD, its footer last.
    common::write(&mut lab, "up", 0, MIB, 7).unwrap();
    common::write_bytes(&mut lab, "up", VHD - 512, b"conectix".repeat(64));
    assert_eq!(
        &common::read_disk(&lab, "up", VHD - 512, 512)[..8],
        b"conectix"
    );

    // Revoking ends the upload: an ordinary disk, whose snapshot holds every page.
    assert!(revoke(&mut lab, "up").unwrap().contains("upload is over"));
    assert_eq!(state(&lab, "up"), "Unattached");
    lab.execute(snapshot()).unwrap();
    let s = lab.find_snapshot(RG, "s").unwrap();
    assert_eq!(s.disk_size_bytes, VHD);
    assert_eq!(s.used_bytes(), MIB + 512);
    // Its upload is over: no second write SAS; a read SAS as any disk.
    refused(grant(&mut lab, "up", Access::Write));
    assert!(grant(&mut lab, "up", Access::Read)
        .unwrap()
        .contains("sp=r&"));
    assert_eq!(state(&lab, "up"), "ActiveSAS");

    // A disk restored from its snapshot keeps the footer.
    common::restore(&mut lab, "s", "copy").unwrap();
    assert_eq!(lab.find_disk(RG, "copy").unwrap().data.size_bytes(), VHD);
    assert_eq!(
        &common::read_disk(&lab, "copy", VHD - 512, 512)[..8],
        b"conectix"
    );
}

#[test]
fn write_access_is_only_for_disks_made_for_upload() {
    let mut lab = common::lab_with_disk("Premium_LRS", 4);
    let e = grant(&mut lab, "disk1", Access::Write).unwrap_err();
    assert_eq!(e.code(), "OperationNotAllowed");
    assert!(e.to_string().contains("createOption Empty"), "{e}");
    common::snapshot(&mut lab, "disk1", "s1").unwrap();
    let e = lab
        .execute(Command::GrantAccess(cmd::GrantAccess {
            access: Access::Write,
            ..cmd::GrantAccess::read(AccessTarget::Snapshot, RG, "s1", 60)
        }))
        .unwrap_err();
    assert!(e.to_string().contains("a snapshot"), "{e}");
    assert_eq!(state(&lab, "disk1"), "Unattached");
    assert!(!lab.find_snapshot(RG, "s1").unwrap().sas_active);
}

#[test]
fn the_access_level_is_kept_in_the_log_only_when_it_is_write() {
    let read = serde_json::to_value(Command::GrantAccess(cmd::GrantAccess::read(
        AccessTarget::Disk,
        RG,
        "d",
        60,
    )))
    .unwrap();
    assert!(
        read.get("access").is_none(),
        "logs from before keep their bytes: {read}"
    );
    let write = serde_json::to_value(Command::GrantAccess(cmd::GrantAccess {
        access: Access::Write,
        ..cmd::GrantAccess::read(AccessTarget::Disk, RG, "d", 60)
    }))
    .unwrap();
    assert_eq!(write["access"], "Write");
    let back: Command = serde_json::from_value(write.clone()).unwrap();
    assert_eq!(serde_json::to_value(back).unwrap(), write);
    assert_eq!(Access::parse("write").unwrap(), Access::Write);
    assert!(Access::parse("readwrite").is_err());
}

#[test]
fn a_lab_with_disks_in_every_upload_stage_replays_and_checkpoints_to_the_same_lab() {
    let mut lab = common::lab();
    upload_disk(&mut lab, "ready", UPLOAD_MIN_BYTES).unwrap();
    upload_disk(&mut lab, "active", UPLOAD_MIN_BYTES).unwrap();
    grant(&mut lab, "active", Access::Write).unwrap();
    common::write(&mut lab, "active", 0, 8192, 3).unwrap();
    upload_disk(&mut lab, "done", VHD).unwrap();
    grant(&mut lab, "done", Access::Write).unwrap();
    common::write(&mut lab, "done", VHD - 4096, 4096, 4).unwrap();
    revoke(&mut lab, "done").unwrap();
    // And a read SAS with its expiry.
    grant(&mut lab, "done", Access::Read).unwrap();
    let replayed = Lab::replay(lab.log());
    assert!(replayed.disks().eq(lab.disks()));
    let bytes = snaplab_engine::checkpoint::encode(&lab);
    let decoded = snaplab_engine::checkpoint::decode(&bytes, |_| None).unwrap();
    assert!(
        decoded.disks().eq(lab.disks()),
        "the checkpoint keeps each stage"
    );
    for (name, state) in [
        ("ready", "ReadyToUpload"),
        ("active", "ActiveUpload"),
        ("done", "ActiveSAS"),
    ] {
        assert_eq!(decoded.find_disk(RG, name).unwrap().disk_state(), state);
    }
}

/// A SAS runs out when its duration has passed on the lab's clock: a read
/// SAS ends there (the disk or snapshot is no longer ActiveSAS, an event
/// says so at that time, and it no longer counts toward B3); the URL's
/// `se` is that time.
#[test]
fn a_sas_runs_out_when_the_clock_passes_its_duration() {
    use snaplab_engine::clock::Span;
    let mut lab = common::lab_with_disk("Premium_LRS", 4);
    common::snapshot(&mut lab, "disk1", "s1").unwrap();
    let granted = lab.now();
    let url = lab
        .execute(Command::GrantAccess(cmd::GrantAccess::read(
            AccessTarget::Snapshot,
            RG,
            "s1",
            60,
        )))
        .unwrap();
    let expected_se = (granted + Span::seconds(60)).to_azure_string()[..19].replace(':', "%3A");
    assert!(url.contains(&format!("se={expected_se}Z&")), "{url}");
    common::advance(&mut lab, Span::seconds(59));
    assert!(lab.find_snapshot(RG, "s1").unwrap().sas_active);
    common::advance(&mut lab, Span::seconds(30));
    let s = lab.find_snapshot(RG, "s1").unwrap();
    assert!(!s.sas_active, "ran out at 60 s");
    assert_eq!(
        rest::snapshot(s, lab.now()).properties.disk_state,
        "Unattached"
    );
    let expired: Vec<_> = lab
        .events()
        .filter(|e| e.operation == "SAS expired")
        .map(|e| e.time)
        .collect();
    assert_eq!(expired, vec![granted + Span::seconds(60)]);

    // B3 counts live SASs only: five of one family, run out, make room for more.
    for i in 2..=6 {
        common::snapshot(&mut lab, "disk1", &format!("s{i}")).unwrap();
    }
    for i in 2..=6 {
        common::grant(&mut lab, &format!("s{i}")).unwrap();
    }
    assert_eq!(
        common::grant(&mut lab, "s1").unwrap_err().rule(),
        Some("B3")
    );
    common::advance(&mut lab, Span::hours(2));
    common::grant(&mut lab, "s1").unwrap();

    // A huge duration ends with the simulated clock instead of overflowing.
    let far = lab
        .execute(Command::GrantAccess(cmd::GrantAccess::read(
            AccessTarget::Disk,
            RG,
            "disk1",
            u64::MAX,
        )))
        .unwrap();
    assert!(far.contains("se=2126-"), "{far}");
    // Replayed, the same: expiry is in the log's own time.
    assert!(Lab::replay(lab.log()).snapshots().eq(lab.snapshots()));
}
