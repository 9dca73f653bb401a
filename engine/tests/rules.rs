//! One test (or more) per rule of `shared/reference/azure-incremental-snapshots.md`,
//! named after the rule's id.

mod common;

use common::*;
use snaplab_engine::billing::{daily_quantity, PriceTable};
use snaplab_engine::clock::Span;
use snaplab_engine::cmd;
use snaplab_engine::diff::{PageRangesRequest, RangeKind};
use snaplab_engine::rest::az::snapshot_json;
use snaplab_engine::units::{GIB, MIB};
use snaplab_engine::{AccessTarget, Command, EngineError};

fn diff(
    lab: &snaplab_engine::Lab,
    newer: &str,
    older: Option<&str>,
) -> snaplab_engine::Result<Vec<(RangeKind, u64, u64)>> {
    let list = lab.page_ranges(RG, newer, older, &PageRangesRequest::default())?;
    assert_eq!(list.next_marker, None);
    Ok(list
        .ranges
        .iter()
        .map(|r| (r.kind, r.start, r.end))
        .collect())
}

// ---- 1. core semantics -------------------------------------------------------

#[test]
fn a1_first_snapshot_holds_all_used_data_later_ones_only_changes_and_each_restores_the_disk_then() {
    let mut lab = lab_with_disk("Premium_LRS", 16);
    write(&mut lab, "disk1", 0, 3 * M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    write(&mut lab, "disk1", 8 * M, M, 2).unwrap();
    snapshot(&mut lab, "disk1", "s2").unwrap();
    assert_eq!(used(&lab, "s1"), 3 * M);
    assert_eq!(used(&lab, "s2"), M);

    let then = read_disk(&lab, "disk1", 0, 9 * M);
    write(&mut lab, "disk1", 0, 9 * M, 3).unwrap();
    restore(&mut lab, "s2", "restored2").unwrap();
    restore(&mut lab, "s1", "restored1").unwrap();
    assert_eq!(read_disk(&lab, "restored2", 0, 9 * M), then);
    assert_eq!(
        read_disk(&lab, "restored1", 0, 3 * M),
        then[..3 * M as usize]
    );
    assert_eq!(read_disk(&lab, "restored1", 8 * M, M), vec![0; M as usize]);
}

#[test]
fn a2_standard_snapshots_are_usable_at_once() {
    let mut lab = lab_with_disk("StandardSSD_LRS", 4);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "s1")
            .unwrap()
            .completion_percent(lab.now()),
        100
    );
    restore(&mut lab, "s1", "copy").unwrap();
    grant(&mut lab, "s1").unwrap();
}

#[test]
fn a3_snapshots_of_a_disk_share_its_id_and_unique_id_and_a_recreated_disk_is_a_new_family() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    let disk = lab.find_disk(RG, "disk1").unwrap().clone();
    let s1 = lab.find_snapshot(RG, "s1").unwrap().clone();
    assert_eq!(s1.origin.source_resource_id, disk.id());
    assert_eq!(s1.origin.source_unique_id, disk.unique_id);

    lab.execute(Command::DeleteDisk(cmd::DeleteDisk {
        group: RG.into(),
        name: "disk1".into(),
    }))
    .unwrap();
    create_disk(&mut lab, "disk1", "Premium_LRS", 4, 512);
    snapshot(&mut lab, "disk1", "s2").unwrap();
    let s2 = lab.find_snapshot(RG, "s2").unwrap();
    assert_eq!(
        s2.origin.source_resource_id, s1.origin.source_resource_id,
        "same name, same ARM id"
    );
    assert_ne!(
        s2.origin.source_unique_id, s1.origin.source_unique_id,
        "new uniqueId"
    );
    assert_ne!(s2.family_id, s1.family_id, "so a new family");
}

#[test]
fn a4_family_id_is_shared_and_diff_across_families_is_refused() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    create_disk(&mut lab, "disk2", "Premium_LRS", 4, 512);
    snapshot(&mut lab, "disk1", "a1").unwrap();
    snapshot(&mut lab, "disk1", "a2").unwrap();
    snapshot(&mut lab, "disk2", "b1").unwrap();
    let family = |n| lab.find_snapshot(RG, n).unwrap().family_id.clone().unwrap();
    assert_eq!(family("a1"), family("a2"));
    assert_ne!(family("a1"), family("b1"));
    let err = diff(&lab, "b1", Some("a1")).unwrap_err();
    assert!(matches!(err, EngineError::DifferentFamily { .. }));
    assert_eq!(err.rule(), Some("A4"));
}

#[test]
fn a5_incremental_snapshots_are_standard_zrs_where_possible_else_lrs_and_follow_the_previous_sku() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "s1").unwrap().sku.name(),
        "Standard_ZRS"
    );
    full_snapshot(&mut lab, "disk1", "full").unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "full").unwrap().sku.name(),
        "Standard_LRS"
    );
    lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: RG.into(),
        name: "s2".into(),
        source: "disk1".into(),
        incremental: true,
        sku: Some("Standard_LRS".into()),
        location: None,
        copy_start: false,
    }))
    .unwrap();
    snapshot(&mut lab, "disk1", "s3").unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "s3").unwrap().sku.name(),
        "Standard_LRS",
        "defaults to the previous snapshot's sku"
    );

    lab.execute(Command::CreateGroup(cmd::CreateGroup {
        name: "rg-west-us".into(),
        location: "westus".into(),
    }))
    .unwrap();
    lab.execute(Command::CreateDisk(cmd::CreateDisk::new(
        "rg-west-us",
        "d",
        "Standard_LRS",
        1,
    )))
    .unwrap();
    lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: "rg-west-us".into(),
        name: "s".into(),
        source: "d".into(),
        incremental: true,
        sku: None,
        location: None,
        copy_start: false,
    }))
    .unwrap();
    assert_eq!(
        lab.find_snapshot("rg-west-us", "s").unwrap().sku.name(),
        "Standard_LRS",
        "West US has no ZRS"
    );
}

#[test]
fn a6_billing_is_used_gib_over_31_a_day() {
    assert_eq!(format!("{:.4}", daily_quantity(10 * GIB)), "0.3226");

    // The GA example: 100 GiB, then 20 GiB more → 100 GiB and 20 GiB; full would be 120 GiB.
    let mut lab = lab_with_disk("Premium_LRS", 1024);
    write(&mut lab, "disk1", 0, 100 * GIB, 1).unwrap();
    snapshot(&mut lab, "disk1", "first").unwrap();
    write(&mut lab, "disk1", 100 * GIB, 20 * GIB, 2).unwrap();
    snapshot(&mut lab, "disk1", "second").unwrap();
    assert_eq!(used(&lab, "first"), 100 * GIB);
    assert_eq!(used(&lab, "second"), 20 * GIB);
    let bill = lab.bill(&PriceTable::default());
    assert_eq!(bill.snapshots[1].full_equivalent_bytes, 120 * GIB);
    assert_eq!(
        format!("{:.4}", bill.snapshots[1].daily_quantity),
        format!("{:.4}", 20.0 / 31.0)
    );
    // Standard_ZRS at the sample 0.0625 a GiB-month: 120 GiB a month incremental vs 220 GiB full.
    assert!(
        (bill.monthly_cost - 120.0 * 0.0625).abs() < 1e-9,
        "{}",
        bill.monthly_cost
    );
    assert!((bill.full_equivalent_monthly_cost - 220.0 * 0.0625).abs() < 1e-9);
    assert!((bill.monthly_saving() - 100.0 * 0.0625).abs() < 1e-9);
}

#[test]
fn an_empty_bill_is_zero_not_negative_zero() {
    let bill = lab().bill(&PriceTable::default());
    assert_eq!(
        format!(
            "{:.4} {:.4} {:.4}",
            bill.daily_cost,
            bill.monthly_cost,
            bill.monthly_saving()
        ),
        "0.0000 0.0000 0.0000"
    );
}

#[test]
fn a7_an_empty_incremental_snapshot_is_0_mib_or_6_mib_with_4096_byte_sectors() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    snapshot(&mut lab, "disk1", "empty").unwrap();
    assert_eq!(used(&lab, "empty"), 0);

    lab.execute(Command::SetFeatureAccess(cmd::SetFeatureAccess {
        enabled: true,
    }))
    .unwrap();
    create_disk(&mut lab, "ultra", "UltraSSD_LRS", 4, 4096);
    snapshot(&mut lab, "ultra", "u-empty").unwrap();
    assert_eq!(used(&lab, "u-empty"), 6 * MIB);
}

#[test]
fn a8_rewriting_identical_bytes_counts_as_a_change_is_billed_and_diffed() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    write_bytes(&mut lab, "disk1", 0, vec![7; 4096]);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    write_bytes(&mut lab, "disk1", 1024, vec![7; 512]);
    snapshot(&mut lab, "disk1", "s2").unwrap();
    assert_eq!(used(&lab, "s2"), 512);
    assert_eq!(
        diff(&lab, "s2", Some("s1")).unwrap(),
        vec![(RangeKind::PageRange, 1024, 1535)]
    );
}

#[test]
fn a9_deleting_a_middle_snapshot_merges_what_is_still_needed_into_the_next() {
    let mut lab = lab_with_disk("Premium_LRS", 64);
    write(&mut lab, "disk1", 0, 10 * M, 1).unwrap(); // A = 10 MiB
    snapshot(&mut lab, "disk1", "A").unwrap();
    write(&mut lab, "disk1", 0, 4 * M, 2).unwrap(); // B = 4 MiB, overwriting part of A
    snapshot(&mut lab, "disk1", "B").unwrap();
    write(&mut lab, "disk1", 20 * M, M, 3).unwrap();
    snapshot(&mut lab, "disk1", "C").unwrap();
    let c_before = used(&lab, "C");
    let b_bytes = read_disk(&lab, "disk1", 0, 10 * M);

    delete_snapshot(&mut lab, "A");
    assert_eq!(
        used(&lab, "B"),
        10 * M,
        "as AWS documents: A=10, B=4, delete A → B is 10"
    );
    assert_eq!(used(&lab, "C"), c_before, "later ones are unaffected");
    restore(&mut lab, "B", "rb").unwrap();
    assert_eq!(read_disk(&lab, "rb", 0, 10 * M), b_bytes);

    // Deleting the newest hands its changes back to the disk: the next snapshot holds them.
    delete_snapshot(&mut lab, "C");
    snapshot(&mut lab, "disk1", "D").unwrap();
    assert_eq!(used(&lab, "D"), M);
}

#[test]
fn a10_a11_trim_clears_pages_which_read_as_zero_stop_counting_and_are_not_listed() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    write(&mut lab, "disk1", 0, 8 * 512, 1).unwrap();
    clear(&mut lab, "disk1", 2 * 512, 2 * 512);
    assert_eq!(read_disk(&lab, "disk1", 1024, 1024), vec![0; 1024]);
    assert_eq!(
        lab.find_disk(RG, "disk1").unwrap().data.used_bytes(),
        6 * 512
    );
    snapshot(&mut lab, "disk1", "s1").unwrap();
    assert_eq!(used(&lab, "s1"), 6 * 512);
    assert_eq!(
        diff(&lab, "s1", None).unwrap(),
        vec![
            (RangeKind::PageRange, 0, 1023),
            (RangeKind::PageRange, 2048, 4095)
        ]
    );
    let misaligned = write(&mut lab, "disk1", 100, 512, 1).unwrap_err();
    assert_eq!(
        (misaligned.code(), misaligned.rule()),
        ("InvalidPageRange", Some("A10"))
    );
}

// ---- section 5: the diff ------------------------------------------------------------

#[test]
fn diff_worked_case_from_azurite_298_and_812() {
    // 1024-byte blob, write 0–1023, snapshot, write 0–511, clear 512–1023, diff.
    let mut lab = lab_with_disk("Premium_LRS", 1);
    write_bytes(&mut lab, "disk1", 0, vec![1; 1024]);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    write_bytes(&mut lab, "disk1", 0, vec![2; 512]);
    clear(&mut lab, "disk1", 512, 512);
    snapshot(&mut lab, "disk1", "s2").unwrap();
    assert_eq!(
        diff(&lab, "s2", Some("s1")).unwrap(),
        vec![
            (RangeKind::PageRange, 0, 511),
            (RangeKind::ClearRange, 512, 1023)
        ]
    );
    let xml = lab
        .page_ranges(RG, "s2", Some("s1"), &PageRangesRequest::default())
        .unwrap()
        .to_xml();
    assert!(xml.contains("<PageList><PageRange><Start>0</Start><End>511</End></PageRange><ClearRange><Start>512</Start><End>1023</End></ClearRange><NextMarker /></PageList>"), "{xml}");
}

#[test]
fn diff_no_change_is_an_empty_list_and_unchanged_ranges_do_not_appear() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    snapshot(&mut lab, "disk1", "s2").unwrap();
    assert_eq!(diff(&lab, "s2", Some("s1")).unwrap(), vec![]);
}

#[test]
fn diff_spans_several_snapshots_and_is_refused_when_reversed_or_deleted() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    write(&mut lab, "disk1", 0, 512, 1).unwrap();
    snapshot(&mut lab, "disk1", "s2").unwrap();
    write(&mut lab, "disk1", 4096, 512, 1).unwrap();
    snapshot(&mut lab, "disk1", "s3").unwrap();
    assert_eq!(
        diff(&lab, "s3", Some("s1")).unwrap(),
        vec![
            (RangeKind::PageRange, 0, 511),
            (RangeKind::PageRange, 4096, 4607)
        ]
    );
    let err = diff(&lab, "s1", Some("s3")).unwrap_err();
    assert_eq!(err.code(), "PreviousSnapshotCannotBeNewer");
    delete_snapshot(&mut lab, "s1");
    let err = diff(&lab, "s3", Some("s1")).unwrap_err();
    assert_eq!(err.code(), "PreviousSnapshotNotFound");
}

#[test]
fn diff_pages_with_marker_and_maxresults_and_honours_a_byte_range() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    for i in 0..25 {
        write(&mut lab, "disk1", i * 2048, 512, i).unwrap(); // 25 separate ranges
    }
    snapshot(&mut lab, "disk1", "s2").unwrap();
    let mut request = PageRangesRequest {
        max_results: Some(10),
        ..Default::default()
    };
    let mut pages = Vec::new();
    loop {
        let list = lab.page_ranges(RG, "s2", Some("s1"), &request).unwrap();
        pages.push(list.ranges.len());
        match list.next_marker {
            Some(m) => request.marker = Some(m),
            None => break,
        }
    }
    assert_eq!(pages, vec![10, 10, 5]);
    // At most 10,000 a page even when more is asked for.
    let all = lab
        .page_ranges(
            RG,
            "s2",
            Some("s1"),
            &PageRangesRequest {
                max_results: Some(50_000),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(all.ranges.len(), 25);

    let window = lab
        .page_ranges(
            RG,
            "s2",
            Some("s1"),
            &PageRangesRequest {
                byte_range: Some((2048, 6143)),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        window
            .ranges
            .iter()
            .map(|r| (r.start, r.end))
            .collect::<Vec<_>>(),
        vec![(2048, 2559), (4096, 4607)]
    );
    let bad = lab.page_ranges(
        RG,
        "s2",
        None,
        &PageRangesRequest {
            byte_range: Some((100, 611)),
            ..Default::default()
        },
    );
    assert_eq!(bad.unwrap_err().code(), "InvalidPageRange");
    let bad = lab.page_ranges(
        RG,
        "s2",
        None,
        &PageRangesRequest {
            marker: Some("garbage".into()),
            ..Default::default()
        },
    );
    assert_eq!(bad.unwrap_err().code(), "InvalidQueryParameterValue");
}

// ---- 2. restrictions ---------------------------------------------------------------

#[test]
fn b1_at_most_7_incremental_snapshots_per_disk_every_5_minutes() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    for i in 0..7 {
        snapshot(&mut lab, "disk1", &format!("s{i}")).unwrap();
        advance(&mut lab, Span::seconds(10));
    }
    let before = lab.snapshots().count();
    let err = snapshot(&mut lab, "disk1", "s7").unwrap_err();
    assert_eq!(err.code(), "SnapshotOperationRateExceeded");
    assert!(err.is_simulated());
    assert_eq!(
        err.to_string(),
        "At most 7 incremental snapshots per disk every 5 minutes (rule B1): the 8th at 10:01:10 is refused; the next is allowed at 10:05:00."
    );
    assert_eq!(lab.snapshots().count(), before);
    // Full snapshots are not limited, and other disks are not affected.
    full_snapshot(&mut lab, "disk1", "full").unwrap();
    advance(&mut lab, Span::seconds(230)); // 10:05:00
    snapshot(&mut lab, "disk1", "s7").unwrap();
    let refusal = lab.events().rev().find(|e| e.outcome.is_refusal()).unwrap();
    assert_eq!(refusal.operation, "snapshot create");
}

#[test]
fn b2_at_most_500_incremental_snapshots_per_disk_at_one_time() {
    let mut lab = lab_with_disk("Standard_LRS", 1);
    for i in 0..500 {
        snapshot(&mut lab, "disk1", &format!("s{i}")).unwrap();
        advance(&mut lab, Span::minutes(1));
    }
    let err = snapshot(&mut lab, "disk1", "s500").unwrap_err();
    assert_eq!(err.code(), "SnapshotCountExceeded");
    assert!(err.to_string().contains("500"));
    delete_snapshot(&mut lab, "s0");
    snapshot(&mut lab, "disk1", "s500").unwrap();
}

#[test]
fn b3_sas_on_at_most_5_snapshots_of_a_family() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    for i in 0..6 {
        snapshot(&mut lab, "disk1", &format!("s{i}")).unwrap();
    }
    for i in 0..5 {
        let url = grant(&mut lab, &format!("s{i}")).unwrap();
        assert!(
            url.starts_with("https://md-") && url.contains("sig=SIMULATED"),
            "{url}"
        );
    }
    let err = grant(&mut lab, "s5").unwrap_err();
    assert_eq!(err.rule(), Some("B3"));
    assert!(err.to_string().contains("s0, s1, s2, s3, s4"), "{err}");
    let json = snapshot_json(lab.find_snapshot(RG, "s0").unwrap(), lab.now());
    assert_eq!(json["diskState"], "ActiveSAS");
    lab.execute(Command::RevokeAccess(cmd::RevokeAccess {
        target: AccessTarget::Snapshot,
        group: RG.into(),
        name: "s0".into(),
    }))
    .unwrap();
    grant(&mut lab, "s5").unwrap();
}

#[test]
fn b4_not_creatable_outside_the_disks_subscription_nor_movable_there() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    let disk_id = lab.find_disk(RG, "disk1").unwrap().id();
    lab.execute(Command::AddSubscription(cmd::AddSubscription {
        name: "Other".into(),
    }))
    .unwrap();
    let err = lab
        .execute(Command::MoveSnapshot(cmd::MoveSnapshot {
            group: RG.into(),
            name: "s1".into(),
            target_group: RG.into(),
            target_subscription: Some("Other".into()),
        }))
        .unwrap_err();
    assert_eq!(err.rule(), Some("B4"));
    lab.execute(Command::SelectSubscription(cmd::SelectSubscription {
        subscription: "Other".into(),
    }))
    .unwrap();
    lab.execute(Command::CreateGroup(cmd::CreateGroup {
        name: "rg-other".into(),
        location: "westeurope".into(),
    }))
    .unwrap();
    let err = lab
        .execute(Command::CreateSnapshot(cmd::CreateSnapshot {
            group: "rg-other".into(),
            name: "s-other".into(),
            source: disk_id,
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        }))
        .unwrap_err();
    assert_eq!(err.rule(), Some("B4"));
}

#[test]
fn b5_not_movable_to_another_group_but_copyable_there_and_full_snapshots_move() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    full_snapshot(&mut lab, "disk1", "f1").unwrap();
    lab.execute(Command::CreateGroup(cmd::CreateGroup {
        name: "rg-copy".into(),
        location: "westeurope".into(),
    }))
    .unwrap();
    let err = lab
        .execute(Command::MoveSnapshot(cmd::MoveSnapshot {
            group: RG.into(),
            name: "s1".into(),
            target_group: "rg-copy".into(),
            target_subscription: None,
        }))
        .unwrap_err();
    assert_eq!(err.rule(), Some("B5"));
    let id = lab.find_snapshot(RG, "s1").unwrap().id();
    lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: "rg-copy".into(),
        name: "s1-copy".into(),
        source: id,
        incremental: true,
        sku: None,
        location: None,
        copy_start: false,
    }))
    .unwrap();
    assert_eq!(
        lab.find_snapshot("rg-copy", "s1-copy")
            .unwrap()
            .used_bytes(),
        M
    );
    lab.execute(Command::MoveSnapshot(cmd::MoveSnapshot {
        group: RG.into(),
        name: "f1".into(),
        target_group: "rg-copy".into(),
        target_subscription: None,
    }))
    .unwrap();
    assert!(lab.find_snapshot("rg-copy", "f1").is_ok());
}

#[test]
fn b6_no_diff_across_a_resize_over_4_tib_but_diffs_work_again_after() {
    let mut lab = lab_with_disk("Premium_LRS", 2048);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    snapshot(&mut lab, "disk1", "before").unwrap();
    let msg = lab
        .execute(Command::ResizeDisk(cmd::ResizeDisk {
            group: RG.into(),
            name: "disk1".into(),
            size_gib: 6144,
            iops: None,
            mbps: None,
        }))
        .unwrap();
    assert!(msg.contains("4 TiB boundary"));
    write(&mut lab, "disk1", 5000 * GIB, M, 2).unwrap();
    snapshot(&mut lab, "disk1", "after1").unwrap();
    write(&mut lab, "disk1", 0, 512, 3).unwrap();
    snapshot(&mut lab, "disk1", "after2").unwrap();
    let err = diff(&lab, "after1", Some("before")).unwrap_err();
    assert_eq!(
        (err.code(), err.rule()),
        ("SnapshotDiffAcrossSizeBoundary", Some("B6"))
    );
    assert_eq!(
        diff(&lab, "after2", Some("after1")).unwrap(),
        vec![(RangeKind::PageRange, 0, 511)]
    );
    // The first after the resize is downloaded in full: plain page ranges work.
    assert_eq!(diff(&lab, "after1", None).unwrap().len(), 2);
}

#[test]
fn b7_disks_only_grow_and_not_while_attached_to_a_running_vm() {
    let mut lab = lab_with_disk("Premium_LRS", 64);
    let resize = |lab: &mut snaplab_engine::Lab, gib| {
        lab.execute(Command::ResizeDisk(cmd::ResizeDisk {
            group: RG.into(),
            name: "disk1".into(),
            size_gib: gib,
            iops: None,
            mbps: None,
        }))
    };
    let err = resize(&mut lab, 32).unwrap_err();
    assert_eq!(err.rule(), Some("B7"));
    lab.execute(Command::CreateVm(cmd::CreateVm {
        group: RG.into(),
        name: "vm1".into(),
        location: None,
    }))
    .unwrap();
    lab.execute(Command::AttachDisk(cmd::AttachDisk {
        group: RG.into(),
        vm: "vm1".into(),
        disk: "disk1".into(),
    }))
    .unwrap();
    assert!(matches!(
        resize(&mut lab, 128).unwrap_err(),
        EngineError::ResizeWhileAttached { .. }
    ));
    lab.execute(Command::SetVmRunning(cmd::SetVmRunning {
        group: RG.into(),
        name: "vm1".into(),
        running: false,
    }))
    .unwrap();
    resize(&mut lab, 128).unwrap();
    assert_eq!(lab.find_disk(RG, "disk1").unwrap().size_gib(), 128);
}

#[test]
fn a_disk_converts_its_type_when_detached_or_its_vm_is_deallocated() {
    let mut lab = lab_with_disk("Standard_LRS", 64);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    let convert = |lab: &mut snaplab_engine::Lab, sku: &str| {
        lab.execute(Command::ConvertDisk(cmd::ConvertDisk {
            group: RG.into(),
            name: "disk1".into(),
            sku: sku.into(),
        }))
    };
    let before = read_disk(&lab, "disk1", 0, M);
    assert!(convert(&mut lab, "Premium_LRS")
        .unwrap()
        .contains("converted from Standard_LRS to Premium_LRS"));
    let converted = lab.find_disk(RG, "disk1").unwrap();
    assert_eq!(converted.sku.name(), "Premium_LRS");
    assert_eq!(converted.size_gib(), 64);
    assert_eq!(read_disk(&lab, "disk1", 0, M), before, "the data stays");
    assert!(convert(&mut lab, "Premium_LRS")
        .unwrap()
        .contains("already"));
    for sku in ["StandardSSD_ZRS", "Premium_ZRS", "StandardSSD_LRS"] {
        convert(&mut lab, sku).unwrap();
    }
    // Ultra disks never convert in place; Premium SSD v2 is not modelled.
    for sku in ["UltraSSD_LRS", "PremiumV2_LRS"] {
        let err = convert(&mut lab, sku).unwrap_err();
        assert!(
            matches!(err, EngineError::DiskTypeChangeNotAllowed { .. }),
            "{err}"
        );
        assert_eq!(err.code(), "OperationNotAllowed");
    }
    assert_eq!(
        convert(&mut lab, "Premium_GRS").unwrap_err().code(),
        "InvalidParameter"
    );
    // Attached to a running VM: refused, and nothing changes; deallocated: converts.
    lab.execute(Command::CreateVm(cmd::CreateVm {
        group: RG.into(),
        name: "vm1".into(),
        location: None,
    }))
    .unwrap();
    lab.execute(Command::AttachDisk(cmd::AttachDisk {
        group: RG.into(),
        vm: "vm1".into(),
        disk: "disk1".into(),
    }))
    .unwrap();
    let err = convert(&mut lab, "Premium_LRS").unwrap_err();
    assert!(err.to_string().contains("running VM 'vm1'"), "{err}");
    assert_eq!(
        lab.find_disk(RG, "disk1").unwrap().sku.name(),
        "StandardSSD_LRS"
    );
    lab.execute(Command::SetVmRunning(cmd::SetVmRunning {
        group: RG.into(),
        name: "vm1".into(),
        running: false,
    }))
    .unwrap();
    convert(&mut lab, "Premium_LRS").unwrap();
    assert_eq!(
        lab.find_disk(RG, "disk1").unwrap().sku.name(),
        "Premium_LRS"
    );
}

#[test]
fn a_premium_v2_disk_restored_from_a_snapshot_has_the_default_performance() {
    // The docs' move to Premium SSD v2: a snapshot of a Premium SSD, and a
    // v2 disk from it, provisioned at 3,000 IOPS and 125 MB/s as a new one is.
    let mut lab = lab_with_disk("Premium_LRS", 64);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    lab.execute(Command::CreateDiskFromSnapshot(
        cmd::CreateDiskFromSnapshot {
            group: RG.into(),
            name: "v2".into(),
            source: "s1".into(),
            sku: Some("PremiumV2_LRS".into()),
            size_gib: None,
        },
    ))
    .unwrap();
    assert_eq!(
        lab.find_disk(RG, "v2").unwrap().performance,
        Some((3_000, 125))
    );
    restore(&mut lab, "s1", "v1").unwrap();
    assert_eq!(lab.find_disk(RG, "v1").unwrap().performance, None);
}

#[test]
fn a_managed_disk_is_copied_from_another_by_id_or_name() {
    let mut lab = lab_with_disk("Premium_LRS", 64);
    write(&mut lab, "disk1", 0, 2 * M, 1).unwrap();
    let copy = |lab: &mut snaplab_engine::Lab,
                name: &str,
                source: &str,
                sku: Option<&str>,
                size: Option<u64>| {
        lab.execute(Command::CreateDiskFromSnapshot(
            cmd::CreateDiskFromSnapshot {
                group: RG.into(),
                name: name.into(),
                source: source.into(),
                sku: sku.map(str::to_string),
                size_gib: size,
            },
        ))
    };
    let id = lab.find_disk(RG, "disk1").unwrap().id();
    assert!(copy(&mut lab, "c1", &id, None, None)
        .unwrap()
        .contains("copied from disk disk1"));
    let c1 = lab.find_disk(RG, "c1").unwrap();
    assert_eq!((c1.sku.name(), c1.size_gib()), ("Premium_LRS", 64));
    assert_eq!(
        read_disk(&lab, "c1", 0, 2 * M),
        read_disk(&lab, "disk1", 0, 2 * M)
    );
    // The copy is a disk of its own: writing to the source leaves it as it was.
    let before = read_disk(&lab, "c1", 0, M);
    write(&mut lab, "disk1", 0, M, 9).unwrap();
    assert_eq!(read_disk(&lab, "c1", 0, M), before);
    // Its first incremental snapshot holds all its data.
    snapshot(&mut lab, "c1", "c1-s1").unwrap();
    assert_eq!(used(&lab, "c1-s1"), 2 * M);
    // By name (no snapshot has it), another type, larger; never smaller.
    copy(&mut lab, "c2", "disk1", Some("StandardSSD_LRS"), Some(128)).unwrap();
    let c2 = lab.find_disk(RG, "c2").unwrap();
    assert_eq!((c2.sku.name(), c2.size_gib()), ("StandardSSD_LRS", 128));
    assert_eq!(
        copy(&mut lab, "c3", &id, None, Some(32))
            .unwrap_err()
            .code(),
        "OperationNotAllowed"
    );
    // The same copy again changes nothing; another source under that name is refused.
    assert!(copy(&mut lab, "c1", &id, None, None)
        .unwrap()
        .contains("nothing changed"));
    let c2_id = lab.find_disk(RG, "c2").unwrap().id();
    assert_eq!(
        copy(&mut lab, "c1", &c2_id, None, None).unwrap_err().code(),
        "PropertyChangeNotAllowed"
    );
    // Premium SSD v2 is copied through a snapshot here.
    assert_eq!(
        copy(&mut lab, "c4", &id, Some("PremiumV2_LRS"), None)
            .unwrap_err()
            .code(),
        "InvalidParameter"
    );
    let gone = id.replace("disk1", "nope");
    assert_eq!(
        copy(&mut lab, "c5", &gone, None, None).unwrap_err().code(),
        "ResourceNotFound"
    );
}

#[test]
fn a_put_with_another_sku_converts_and_a_refused_one_changes_nothing() {
    let mut lab = lab();
    lab.execute(disk("d", "Standard_LRS", 64)).unwrap();
    // Another sku and a larger size in one PUT: both, or neither.
    let refused = lab.execute(disk("d", "UltraSSD_LRS", 128)).unwrap_err();
    assert_eq!(refused.code(), "OperationNotAllowed");
    let d = lab.find_disk(RG, "d").unwrap();
    assert_eq!((d.sku.name(), d.size_gib()), ("Standard_LRS", 64));
    let done = lab.execute(disk("d", "Premium_LRS", 128)).unwrap();
    assert!(done.contains("converted"), "{done}");
    let d = lab.find_disk(RG, "d").unwrap();
    assert_eq!((d.sku.name(), d.size_gib()), ("Premium_LRS", 128));
    // A restored disk: the restore again with another sku converts it.
    snapshot(&mut lab, "d", "s").unwrap();
    restore(&mut lab, "s", "r").unwrap();
    let again = lab
        .execute(Command::CreateDiskFromSnapshot(
            cmd::CreateDiskFromSnapshot {
                group: RG.into(),
                name: "r".into(),
                source: "s".into(),
                sku: Some("StandardSSD_LRS".into()),
                size_gib: None,
            },
        ))
        .unwrap();
    assert!(again.contains("converted"), "{again}");
    assert_eq!(
        lab.find_disk(RG, "r").unwrap().sku.name(),
        "StandardSSD_LRS"
    );
}

#[test]
fn b8_codes_azure_does_not_document_are_marked_simulated() {
    let rate = EngineError::SnapshotRateExceeded {
        nth: 8,
        at: "x".into(),
        next_allowed: "y".into(),
    };
    assert_eq!(rate.code(), "SnapshotOperationRateExceeded");
    assert!(rate.is_simulated());
    let older = EngineError::PreviousSnapshotCannotBeNewer {
        newer: "a".into(),
        older: "b".into(),
    };
    assert!(!older.is_simulated(), "a documented blob code");
}

// ---- 3. Premium SSD v2 and Ultra -------------------------------------------------------

#[test]
fn c1_v2_and_ultra_snapshots_need_feature_access() {
    let mut lab = lab();
    create_disk(&mut lab, "v2", "PremiumV2_LRS", 4, 512);
    let err = snapshot(&mut lab, "v2", "s1").unwrap_err();
    assert_eq!(
        (err.code(), err.rule()),
        ("SubscriptionNotRegisteredForFeature", Some("C1"))
    );
    lab.execute(Command::SetFeatureAccess(cmd::SetFeatureAccess {
        enabled: true,
    }))
    .unwrap();
    snapshot(&mut lab, "v2", "s1").unwrap();
}

#[test]
fn c2_background_copy_blocks_restore_and_sas_until_100_percent() {
    let mut lab = lab_with_disk("PremiumV2_LRS", 64);
    write(&mut lab, "disk1", 0, 10 * GIB, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    let pct = |lab: &snaplab_engine::Lab| {
        lab.find_snapshot(RG, "s1")
            .unwrap()
            .completion_percent(lab.now())
    };
    assert_eq!(pct(&lab), 0);
    let err = restore(&mut lab, "s1", "r").unwrap_err();
    assert_eq!(err.rule(), Some("C2"));
    assert!(err.to_string().contains("0% complete"), "{err}");
    assert_eq!(grant(&mut lab, "s1").unwrap_err().rule(), Some("C2"));
    advance(&mut lab, Span::seconds(40)); // 10 GiB at 128 MiB/s = 80 s
    assert_eq!(pct(&lab), 50);
    advance(&mut lab, Span::seconds(40));
    assert_eq!(pct(&lab), 100);
    assert!(lab
        .events()
        .any(|e| e.actor == "platform" && e.operation == "background copy completed"));
    restore(&mut lab, "s1", "r").unwrap();
    // Other disk types report 100 at once.
    create_disk(&mut lab, "std", "Premium_LRS", 1, 512);
    snapshot(&mut lab, "std", "std-s").unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "std-s")
            .unwrap()
            .completion_percent(lab.now()),
        100
    );
}

#[test]
fn c3_at_most_3_snapshots_pending_while_background_copies_run() {
    let mut lab = lab_with_disk("UltraSSD_LRS", 64);
    write(&mut lab, "disk1", 0, GIB, 1).unwrap();
    for i in 0..3 {
        snapshot(&mut lab, "disk1", &format!("s{i}")).unwrap();
    }
    let err = snapshot(&mut lab, "disk1", "s3").unwrap_err();
    assert!(
        matches!(err, EngineError::TooManyPendingSnapshots { pending: 3, .. }),
        "{err:?}"
    );
    advance(&mut lab, Span::minutes(1));
    snapshot(&mut lab, "disk1", "s3").unwrap();
}

#[test]
fn c4_at_most_5_disks_created_at_once_from_one_such_snapshot_and_c5_no_attach_until_hydrated() {
    let mut lab = lab_with_disk("PremiumV2_LRS", 64);
    write(&mut lab, "disk1", 0, GIB, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    advance(&mut lab, Span::minutes(1));
    for i in 0..5 {
        restore(&mut lab, "s1", &format!("r{i}")).unwrap();
    }
    let err = restore(&mut lab, "s1", "r5").unwrap_err();
    assert_eq!(err.rule(), Some("C4"));

    lab.execute(Command::CreateVm(cmd::CreateVm {
        group: RG.into(),
        name: "vm1".into(),
        location: None,
    }))
    .unwrap();
    let err = lab
        .execute(Command::AttachDisk(cmd::AttachDisk {
            group: RG.into(),
            vm: "vm1".into(),
            disk: "r0".into(),
        }))
        .unwrap_err();
    assert_eq!(err.rule(), Some("C5"));
    assert_eq!(
        snaplab_engine::rest::az::disk_json(lab.find_disk(RG, "r0").unwrap(), &lab)
            ["completionPercent"],
        0.0
    );
    advance(&mut lab, Span::minutes(1));
    lab.execute(Command::AttachDisk(cmd::AttachDisk {
        group: RG.into(),
        vm: "vm1".into(),
        disk: "r0".into(),
    }))
    .unwrap();
    restore(&mut lab, "s1", "r5").unwrap();
    assert_eq!(lab.find_disk(RG, "r0").unwrap().disk_state(), "Attached");
}

#[test]
fn c6_4096_byte_sector_snapshots_create_only_ultra_and_v2_disks() {
    let mut lab = lab_with_disk("UltraSSD_LRS", 4);
    create_disk(&mut lab, "u4k", "UltraSSD_LRS", 4, 4096);
    snapshot(&mut lab, "u4k", "s4k").unwrap();
    advance(&mut lab, Span::minutes(1));
    let err = lab
        .execute(Command::CreateDiskFromSnapshot(
            cmd::CreateDiskFromSnapshot {
                group: RG.into(),
                name: "p".into(),
                source: "s4k".into(),
                sku: Some("Premium_LRS".into()),
                size_gib: None,
            },
        ))
        .unwrap_err();
    assert_eq!(err.rule(), Some("C6"));
    lab.execute(Command::CreateDiskFromSnapshot(
        cmd::CreateDiskFromSnapshot {
            group: RG.into(),
            name: "v".into(),
            source: "s4k".into(),
            sku: Some("PremiumV2_LRS".into()),
            size_gib: None,
        },
    ))
    .unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "s4k").unwrap().logical_sector_size,
        4096,
        "inherited from the parent"
    );
}

#[test]
fn c7_v2_snapshots_only_in_the_listed_regions() {
    let mut lab = Lab::new();
    lab.execute(Command::SetFeatureAccess(cmd::SetFeatureAccess {
        enabled: true,
    }))
    .unwrap();
    lab.execute(Command::CreateGroup(cmd::CreateGroup {
        name: "rg-se".into(),
        location: "swedencentral".into(),
    }))
    .unwrap();
    lab.execute(Command::CreateDisk(cmd::CreateDisk::new(
        "rg-se",
        "v2",
        "PremiumV2_LRS",
        4,
    )))
    .unwrap();
    let err = lab
        .execute(Command::CreateSnapshot(cmd::CreateSnapshot {
            group: "rg-se".into(),
            name: "s".into(),
            source: "v2".into(),
            incremental: true,
            sku: None,
            location: None,
            copy_start: false,
        }))
        .unwrap_err();
    assert_eq!(err.rule(), Some("C7"));
}

use snaplab_engine::Lab;

// ---- 4. copy to another region ----------------------------------------------------------

fn copy_start(
    lab: &mut Lab,
    source: &str,
    name: &str,
    region: &str,
) -> snaplab_engine::Result<String> {
    let id = lab.find_snapshot(RG, source).unwrap().id();
    lab.execute(Command::CreateSnapshot(cmd::CreateSnapshot {
        group: RG.into(),
        name: name.into(),
        source: id,
        incremental: true,
        sku: None,
        location: Some(region.into()),
        copy_start: true,
    }))
}

#[test]
fn d1_d2_copystart_completes_over_time_and_transfers_only_the_delta() {
    let mut lab = lab_with_disk("Premium_LRS", 64);
    write(&mut lab, "disk1", 0, 10 * GIB, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    write(&mut lab, "disk1", 0, GIB, 2).unwrap();
    snapshot(&mut lab, "disk1", "s2").unwrap();

    copy_start(&mut lab, "s1", "s1-ne", "northeurope").unwrap();
    let copy = lab.find_snapshot(RG, "s1-ne").unwrap();
    assert_eq!(copy.transferred_bytes, 10 * GIB);
    assert_eq!(copy.origin.create_option.as_str(), "CopyStart");
    assert_eq!(copy.completion_percent(lab.now()), 0);
    assert_eq!(
        restore(&mut lab, "s1-ne", "x").unwrap_err().rule(),
        Some("C2")
    );
    // D3: one at a time per disk.
    assert_eq!(
        copy_start(&mut lab, "s2", "s2-ne", "northeurope")
            .unwrap_err()
            .rule(),
        Some("D3")
    );
    advance(&mut lab, Span::seconds(160)); // 10 GiB at 64 MiB/s
    assert_eq!(
        lab.find_snapshot(RG, "s1-ne")
            .unwrap()
            .completion_percent(lab.now()),
        100
    );

    copy_start(&mut lab, "s2", "s2-ne", "northeurope").unwrap();
    assert_eq!(
        lab.find_snapshot(RG, "s2-ne").unwrap().transferred_bytes,
        GIB,
        "only the delta (D2)"
    );
    advance(&mut lab, Span::minutes(1));
    // Restoring the copy gives the source's data, and copies diff among themselves.
    restore(&mut lab, "s2-ne", "restored-ne").unwrap();
    assert_eq!(
        read_disk(&lab, "restored-ne", 0, M),
        read_disk(&lab, "disk1", 0, M)
    );
    assert_eq!(
        diff(&lab, "s2-ne", Some("s1-ne")).unwrap(),
        vec![(RangeKind::PageRange, 0, GIB - 1)]
    );
}

#[test]
fn d3_copies_go_in_creation_order() {
    let mut lab = lab_with_disk("Premium_LRS", 4);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    snapshot(&mut lab, "disk1", "s2").unwrap();
    copy_start(&mut lab, "s2", "s2-ne", "northeurope").unwrap();
    advance(&mut lab, Span::minutes(1));
    let err = copy_start(&mut lab, "s1", "s1-ne", "northeurope").unwrap_err();
    assert!(matches!(err, EngineError::CopyOutOfOrder { .. }), "{err:?}");

    // Still so once s2 (the last copy's source) is deleted: the copy keeps
    // its source's place. (Found by the reference model: copying s1 after
    // s2's source was gone put an older copy after a newer one, and deleting
    // the newer then billed the older for a page it does not hold.)
    write(&mut lab, "disk1", 0, 512, 7).unwrap();
    delete_snapshot(&mut lab, "s2");
    let err = copy_start(&mut lab, "s1", "s1-ne", "northeurope").unwrap_err();
    assert!(
        matches!(&err, EngineError::CopyOutOfOrder { already, .. } if already == "s2"),
        "{err:?}"
    );
    // A newer snapshot may still be copied.
    snapshot(&mut lab, "disk1", "s3").unwrap();
    copy_start(&mut lab, "s3", "s3-ne", "northeurope").unwrap();
}

#[test]
fn d2_a_whole_copy_after_its_predecessors_source_is_gone_still_bills_only_what_it_holds() {
    // Found by the reference model. s1 (4 pages) is copied; a page is then
    // cleared and s1 deleted, so the next copy crosses whole; deleting the
    // first copy must leave the second billed for its 3 pages, not 4.
    let mut lab = lab_with_disk("Premium_LRS", 4);
    write(&mut lab, "disk1", 41 * 512, 4 * 512, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    clear(&mut lab, "disk1", 41 * 512, 512);
    copy_start(&mut lab, "s1", "s1-ne", "northeurope").unwrap();
    advance(&mut lab, Span::minutes(1));
    delete_snapshot(&mut lab, "s1");
    snapshot(&mut lab, "disk1", "s2").unwrap();
    copy_start(&mut lab, "s2", "s2-ne", "northeurope").unwrap();
    advance(&mut lab, Span::minutes(1));
    assert_eq!(
        lab.find_snapshot(RG, "s2-ne").unwrap().used_bytes(),
        3 * 512
    );
    delete_snapshot(&mut lab, "s1-ne");
    assert_eq!(
        lab.find_snapshot(RG, "s2-ne").unwrap().used_bytes(),
        3 * 512
    );
}

#[test]
fn d4_deleting_the_source_during_a_copy_fails_it_with_copysourcenotfound() {
    let mut lab = lab_with_disk("Premium_LRS", 64);
    write(&mut lab, "disk1", 0, GIB, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    copy_start(&mut lab, "s1", "s1-ne", "northeurope").unwrap();
    advance(&mut lab, Span::seconds(8)); // half of 16 s
    delete_snapshot(&mut lab, "s1");
    let copy = lab.find_snapshot(RG, "s1-ne").unwrap();
    let json = snapshot_json(copy, lab.now());
    assert_eq!(
        json["copyCompletionError"]["errorCode"],
        "CopySourceNotFound"
    );
    advance(&mut lab, Span::minutes(5));
    assert!(!lab.find_snapshot(RG, "s1-ne").unwrap().is_ready(lab.now()));
    assert_eq!(
        restore(&mut lab, "s1-ne", "x").unwrap_err().rule(),
        Some("C2")
    );
}

#[test]
fn d5_cross_region_bytes_are_billed_as_bandwidth() {
    let mut lab = lab_with_disk("Premium_LRS", 64);
    write(&mut lab, "disk1", 0, 2 * GIB, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    copy_start(&mut lab, "s1", "s1-ne", "northeurope").unwrap();
    let bill = lab.bill(&PriceTable::default());
    assert!(
        (bill.bandwidth_cost - 2.0 * 0.02).abs() < 1e-9,
        "{}",
        bill.bandwidth_cost
    );
}

#[test]
fn d6_the_dotnet_sample_copies_a_chain_by_diffs_in_4_mib_chunks() {
    let mut lab = lab_with_disk("Premium_LRS", 1);
    create_disk(&mut lab, "target", "Premium_LRS", 1, 512);
    write(&mut lab, "disk1", 0, 9 * M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    write(&mut lab, "disk1", 2 * M, 512, 2).unwrap();
    clear(&mut lab, "disk1", 5 * M, 3 * M);
    write_bytes(&mut lab, "disk1", 100 * M, vec![9; 4096]);
    snapshot(&mut lab, "disk1", "s2").unwrap();

    let mut previous: Option<&str> = None;
    for snap in ["s1", "s2"] {
        let list = lab
            .page_ranges(RG, snap, previous, &PageRangesRequest::default())
            .unwrap();
        let source = lab.find_snapshot(RG, snap).unwrap().clone();
        for range in list.ranges {
            match range.kind {
                RangeKind::ClearRange => clear(&mut lab, "target", range.start, range.bytes()),
                RangeKind::PageRange => {
                    let mut at = range.start;
                    while at <= range.end {
                        let len = (range.end + 1 - at).min(4 * M);
                        let mut buf = vec![0; len as usize];
                        source.content.read_into(at / 512, &mut buf);
                        write_bytes(&mut lab, "target", at, buf);
                        at += len;
                    }
                }
            }
        }
        previous = Some(snap);
    }
    assert_eq!(
        read_disk(&lab, "target", 0, 200 * M),
        read_disk(&lab, "disk1", 0, 200 * M)
    );
}

// ---- 6. resource shapes -------------------------------------------------------------------

#[test]
fn snapshot_json_has_the_property_names_az_prints() {
    let mut lab = lab_with_disk("Premium_LRS", 8);
    write(&mut lab, "disk1", 0, M, 1).unwrap();
    snapshot(&mut lab, "disk1", "s1").unwrap();
    let json = snapshot_json(lab.find_snapshot(RG, "s1").unwrap(), lab.now());
    for key in [
        "completionPercent",
        "creationData",
        "diskSizeBytes",
        "diskSizeGB",
        "diskState",
        "id",
        "incremental",
        "incrementalSnapshotFamilyId",
        "location",
        "name",
        "provisioningState",
        "sku",
        "timeCreated",
        "type",
        "uniqueId",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    // A copy that did not fail has no copyCompletionError: the service sends
    // none, and azure-cli 2.91.0 prints what was sent.
    assert_eq!(json.get("copyCompletionError"), None);
    assert_eq!(
        json["diskSizeBytes"],
        8 * GIB,
        "the provisioned size, not the used size"
    );
    assert_eq!(json["creationData"]["createOption"], "Copy");
    assert_eq!(json["type"], "Microsoft.Compute/snapshots");
    assert_eq!(json["timeCreated"], "2026-01-05T10:00:00.0000000+00:00");
    assert_eq!(json["id"], "/subscriptions/00000000-0000-0000-0000-5a0b1ab00001/resourceGroups/rg-demo/providers/Microsoft.Compute/snapshots/s1");
}

// ---- the event log ---------------------------------------------------------------------------

#[test]
fn event_log_records_operations_refusals_and_background_work_in_time_order() {
    let mut lab = lab_with_disk("PremiumV2_LRS", 8);
    snapshot(&mut lab, "disk1", "s1").unwrap();
    let _ = write(&mut lab, "disk1", 3, 512, 1);
    advance(&mut lab, Span::minutes(1));
    let events: Vec<_> = lab.events().collect();
    let tail: Vec<(&str, &str, bool)> = events[events.len() - 4..]
        .iter()
        .map(|e| (e.actor, e.operation.as_str(), e.outcome.is_refusal()))
        .collect();
    assert_eq!(
        tail,
        vec![
            ("user", "snapshot create", false),
            ("user", "write", true),
            ("user", "clock advance", false),
            ("platform", "background copy completed", false),
        ]
    );
    assert!(
        events.windows(2).all(|w| w[0].time <= w[1].time),
        "in time order"
    );
    let refused = events.iter().find(|e| e.outcome.is_refusal()).unwrap();
    assert_eq!(refused.resource, "rg-demo/disk1");
    match &refused.outcome {
        snaplab_engine::events::Outcome::Refused { code, rule, .. } => {
            assert_eq!(code, "InvalidPageRange");
            assert_eq!(rule.as_deref(), Some("A10"));
        }
        other => panic!("{other:?}"),
    }
}

/// `az disk create -g rg-demo -n NAME --sku SKU --size-gb SIZE`.
fn disk(name: &str, sku: &str, size: u64) -> Command {
    Command::CreateDisk(cmd::CreateDisk::new(RG, name, sku, size))
}

#[test]
fn bad_input_is_refused_with_azure_codes() {
    let mut lab = lab();
    assert_eq!(
        lab.execute(disk("bad name!", "Premium_LRS", 4))
            .unwrap_err()
            .code(),
        "InvalidResourceName"
    );
    assert_eq!(
        lab.execute(disk("d", "Premium_GRS", 4)).unwrap_err().code(),
        "InvalidParameter"
    );
    assert_eq!(
        lab.execute(disk("d", "Premium_LRS", 40_000))
            .unwrap_err()
            .code(),
        "InvalidParameter"
    );
    let missing_group = Command::CreateDisk(cmd::CreateDisk::premium("nope", "d", 4));
    assert_eq!(
        lab.execute(missing_group).unwrap_err().code(),
        "ResourceGroupNotFound"
    );
    lab.execute(disk("d", "Premium_LRS", 4)).unwrap();
    // Create-or-update (ARM's PUT); names are case-insensitive.
    assert!(lab
        .execute(disk("D", "Premium_LRS", 4))
        .unwrap()
        .contains("nothing changed"));
    // Another SKU converts the disk's type (as Azure converts a detached
    // disk), in place.
    assert!(lab
        .execute(disk("D", "Standard_LRS", 4))
        .unwrap()
        .contains("converted from Premium_LRS to Standard_LRS"));
    assert_eq!(lab.disks().count(), 1);
    assert_eq!(
        snapshot(&mut lab, "ghost", "s").unwrap_err().code(),
        "ResourceNotFound"
    );
    let bad_region = Command::CreateGroup(cmd::CreateGroup {
        name: "rg2".into(),
        location: "mars".into(),
    });
    assert_eq!(
        lab.execute(bad_region).unwrap_err().code(),
        "LocationNotAvailableForResourceType"
    );
    assert_eq!(lab.disks().count(), 1);
}

#[test]
fn d3_at_most_100_copies_run_in_parallel_into_one_region() {
    let mut lab = lab();
    // One disk per copy: a disk's snapshots are copied one at a time.
    for i in 0..101 {
        let disk = format!("d{i}");
        create_disk(&mut lab, &disk, "Premium_LRS", 4, 512);
        write(&mut lab, &disk, 0, MIB, i).unwrap();
        snapshot(&mut lab, &disk, &format!("s{i}")).unwrap();
    }
    for i in 0..100 {
        copy_start(&mut lab, &format!("s{i}"), &format!("c{i}"), "northeurope").unwrap();
    }
    let err = copy_start(&mut lab, "s100", "c100", "northeurope").unwrap_err();
    assert_eq!(err.rule(), Some("D3"));
    assert!(
        matches!(err, EngineError::TooManyParallelCopies { count: 100, .. }),
        "{err}"
    );
    // Another region has its own 100.
    copy_start(&mut lab, "s100", "c100-we", "eastus").unwrap();
    // Once the copies finish, there is room again.
    lab.execute(Command::AdvanceClock(cmd::AdvanceClock {
        millis: 24 * 3_600_000,
    }))
    .unwrap();
    copy_start(&mut lab, "s100", "c100", "northeurope").unwrap();
}

#[test]
fn c6_a_disk_with_4096_byte_sectors_must_be_ultra_or_premium_v2() {
    let mut lab = lab();
    let create = |sku: &str, name: &str| {
        Command::CreateDisk(cmd::CreateDisk::new(RG, name, sku, 4).sector_size(4096))
    };
    let err = lab.execute(create("Premium_LRS", "p")).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("InvalidParameter", Some("C6")));
    assert!(err.to_string().contains("not Premium_LRS"), "{err}");
    assert!(lab.find_disk(RG, "p").is_err(), "refused: not created");
    lab.execute(create("PremiumV2_LRS", "v2")).unwrap();
    lab.execute(create("UltraSSD_LRS", "u")).unwrap();
}

#[test]
fn ultra_and_premium_v2_disks_go_up_to_64_tib_others_to_32767_gib() {
    let mut lab = lab();
    lab.execute(Command::SetFeatureAccess(cmd::SetFeatureAccess {
        enabled: true,
    }))
    .unwrap();
    let create = |name: &str, sku: &str, size_gib: u64| {
        Command::CreateDisk(cmd::CreateDisk::new(RG, name, sku, size_gib))
    };
    lab.execute(create("big-ultra", "UltraSSD_LRS", 65_536))
        .unwrap();
    lab.execute(create("big-v2", "PremiumV2_LRS", 65_536))
        .unwrap();
    assert_eq!(
        lab.find_disk(RG, "big-v2").unwrap().data.size_bytes(),
        64 * 1024 * GIB
    );
    let err = lab
        .execute(create("too-big", "Premium_LRS", 40_000))
        .unwrap_err();
    assert_eq!(err.code(), "InvalidParameter");
    assert!(
        err.to_string()
            .contains("a Premium_LRS disk is 1 to 32,767 GiB"),
        "{err}"
    );
    lab.execute(create("p", "Premium_LRS", 32_000)).unwrap();
    // Growing past the type's limit is refused too, and leaves the disk as it was.
    let grow = |name: &str, size_gib: u64| {
        Command::ResizeDisk(cmd::ResizeDisk {
            group: RG.into(),
            name: name.into(),
            size_gib,
            iops: None,
            mbps: None,
        })
    };
    assert!(lab.execute(grow("p", 40_000)).is_err());
    assert_eq!(lab.find_disk(RG, "p").unwrap().size_gib(), 32_000);
    lab.execute(create("v2", "PremiumV2_LRS", 40_000)).unwrap();
    lab.execute(grow("v2", 65_536)).unwrap();
    assert!(lab.execute(grow("v2", 65_537)).is_err());
}

#[test]
fn the_simulated_clock_stops_100_years_after_the_start() {
    let mut lab = lab();
    let advance = |millis: u64| Command::AdvanceClock(cmd::AdvanceClock { millis });
    let err = lab.execute(advance(u64::MAX)).unwrap_err();
    assert_eq!(err.code(), "InvalidParameter");
    assert!(err.to_string().contains("runs until 2126-"), "{err}");
    assert_eq!(
        lab.now(),
        snaplab_engine::clock::LAB_EPOCH,
        "a refused advance moves nothing"
    );
    // Up to the end is fine; a millisecond more is not.
    let to_end = (snaplab_engine::clock::CLOCK_END - lab.now()).as_millis();
    lab.execute(advance(to_end)).unwrap();
    assert_eq!(lab.now(), snaplab_engine::clock::CLOCK_END);
    assert!(lab.execute(advance(1)).is_err());
}

// ---- create-or-update and idempotent deletes (ARM's PUT and DELETE) ---------

#[test]
fn creating_what_exists_is_create_or_update_and_deleting_what_is_gone_succeeds() {
    let mut lab = lab();
    lab.execute(disk("d", "Premium_LRS", 4)).unwrap();
    lab.execute(disk("e", "Premium_LRS", 4)).unwrap();
    snapshot(&mut lab, "d", "s").unwrap();
    let before = lab.find_snapshot(RG, "s").unwrap().clone();

    // The seed's script run twice: the second run changes nothing.
    let again = snapshot(&mut lab, "d", "s").unwrap();
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(lab.find_snapshot(RG, "s").unwrap(), &before);
    assert_eq!(lab.snapshots().count(), 1);

    // What cannot change once it exists is refused, naming the property.
    let other = snapshot(&mut lab, "e", "s").unwrap_err();
    assert_eq!(other.code(), "PropertyChangeNotAllowed");
    assert!(other.to_string().contains("'sourceResourceId'"), "{other}");
    let full = lab
        .execute(Command::CreateSnapshot(cmd::CreateSnapshot {
            group: RG.into(),
            name: "s".into(),
            source: "d".into(),
            incremental: false,
            sku: None,
            location: None,
            copy_start: false,
        }))
        .unwrap_err();
    assert!(full.to_string().contains("'incremental'"), "{full}");

    // A larger size on an existing disk is a resize; a smaller one is B7.
    lab.execute(disk("d", "Premium_LRS", 8)).unwrap();
    assert_eq!(lab.find_disk(RG, "d").unwrap().size_gib(), 8);
    assert_eq!(
        lab.execute(disk("d", "Premium_LRS", 4)).unwrap_err().rule(),
        Some("B7")
    );

    // New IOPS / MB/s on an existing Premium SSD v2 are provisioned (the PUT
    // az disk update sends), within C9's range; the same ones change nothing.
    let mut v2 = lab_with_disk("PremiumV2_LRS", 100);
    let put = |iops, mbps| {
        let mut put = cmd::CreateDisk::new(RG, "disk1", "PremiumV2_LRS", 100);
        (put.iops, put.mbps) = (Some(iops), Some(mbps));
        Command::CreateDisk(put)
    };
    v2.execute(put(6000, 200)).unwrap();
    assert_eq!(
        v2.find_disk(RG, "disk1").unwrap().performance,
        Some((6000, 200))
    );
    assert!(v2
        .execute(put(6000, 200))
        .unwrap()
        .contains("nothing changed"));
    assert_eq!(v2.execute(put(90_000, 200)).unwrap_err().rule(), Some("C9"));

    // Deleting twice: the second delete succeeds and changes nothing.
    let delete = || {
        Command::DeleteSnapshot(cmd::DeleteSnapshot {
            group: RG.into(),
            name: "s".into(),
        })
    };
    lab.execute(delete()).unwrap();
    assert!(lab.execute(delete()).unwrap().contains("nothing to delete"));
    let delete_disk = || {
        Command::DeleteDisk(cmd::DeleteDisk {
            group: RG.into(),
            name: "e".into(),
        })
    };
    lab.execute(delete_disk()).unwrap();
    assert!(lab.execute(delete_disk()).is_ok());
    assert_eq!(lab.disks().count(), 1);
    // A missing group is still an error, as in Azure.
    let lost = lab
        .execute(Command::DeleteSnapshot(cmd::DeleteSnapshot {
            group: "nope".into(),
            name: "s".into(),
        }))
        .unwrap_err();
    assert_eq!(lost.code(), "ResourceGroupNotFound");
}
