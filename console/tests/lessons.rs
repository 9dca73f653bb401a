//! Every lesson's reference solution solves it; the start does not; a wrong
//! solution is not accepted; disabled commands are refused.

use snaplab_console::lessons;
use snaplab_engine::{cmd, Command, Kind};

#[test]
fn every_reference_solution_solves_its_lesson_and_the_start_does_not() {
    let all = lessons::all().expect("every lesson file parses");
    assert!(all.len() >= 10, "at least 10 lessons");
    for lesson in &all {
        let start = lesson.start_console();
        assert!(
            !lesson.solved(&start.lab),
            "{}: solved before anything was done",
            lesson.id
        );
        let solved = lesson.run_solution();
        let failing: Vec<_> = lesson
            .check(&solved.lab)
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(g, _)| g.text.en.clone())
            .collect();
        assert!(
            failing.is_empty(),
            "{}: the reference solution leaves unmet: {failing:?}",
            lesson.id
        );
        for text in std::iter::once(&lesson.title)
            .chain([&lesson.intro])
            .chain(lesson.hints.iter())
            .chain(lesson.goals.iter().map(|g| &g.text))
        {
            assert!(
                !text.en.trim().is_empty() && !text.sv.trim().is_empty(),
                "{}: a text lacks a language",
                lesson.id
            );
        }
    }
}

#[test]
fn wrong_solutions_are_not_accepted() {
    let by_id = lessons::by_id();
    // A full snapshot instead of an incremental one.
    let l = &by_id["first-incremental"];
    let mut c = l.start_console();
    c.run("az snapshot create -g rg -n snap1 --source disk1 -o none");
    assert!(!l.solved(&c.lab));
    // A snapshot taken without the rewrite bills nothing.
    let l = &by_id["identical-rewrite"];
    let mut c = l.start_console();
    c.run("az snapshot create -g rg -n snap2 --source disk1 --incremental -o none");
    assert!(!l.solved(&c.lab));
    // Copying the delta with the wrong data.
    let l = &by_id["copy-only-the-delta"];
    let mut c = l.start_console();
    c.run("sim write -g rg --disk target --offset 2M --length 1M --seed 3 -o none");
    assert!(!l.solved(&c.lab));
    // Restoring the wrong snapshot.
    let l = &by_id["restore"];
    let mut c = l.start_console();
    c.run("az disk create -g rg -n disk2 --source snap1 -o none");
    assert!(!l.solved(&c.lab));
    // Not waiting for the background copy.
    let l = &by_id["background-copy"];
    let mut c = l.start_console();
    let t = c.run("sim feature enable\naz snapshot create -g rg -n v2snap --source v2disk --incremental -o none\naz disk create -g rg -n v2restored --source v2snap -o none");
    assert!(t.stderr().contains("rule C2"), "{}", t.stderr());
    assert!(!l.solved(&c.lab));
    // The change written where the loop's pieces landed (from 0), and the
    // missing tail written as new data: neither is what snap2 holds.
    let l = &by_id["corrupt-backup"];
    let mut c = l.start_console();
    c.run("sim write -g rg --disk backup --offset 0M --length 9M --seed 2 -o none");
    assert!(!l.solved(&c.lab));
    let mut c = l.start_console();
    c.run("sim write -g rg --disk backup --offset 9M --length 6M --seed 2 -o none");
    assert!(!l.solved(&c.lab));
}

#[test]
fn disabled_commands_are_refused_in_their_lesson() {
    let l = &lessons::by_id()["copy-only-the-delta"];
    let mut c = l.start_console();
    let log_before = c.lab.log().count();
    let t = c.run("az disk create -g rg -n cheat --source snap2");
    assert_eq!(t.status, 1);
    assert!(
        t.stderr()
            .starts_with("ERROR: (DisabledInLesson) 'az disk create' is disabled in this lesson"),
        "{}",
        t.stderr()
    );
    assert!(c.lab.find_disk("rg", "cheat").is_err());
    assert_eq!(
        c.lab.log().count(),
        log_before,
        "a locked command never reaches the log"
    );
}

/// The lock is checked by kind at the one execution point, so no front end
/// gets around it: not PowerShell, not an ARM template (which is refused
/// before any of its resources is created), not a direct call (a click).
#[test]
fn neither_powershell_nor_arm_nor_a_click_runs_a_command_a_lesson_disables() {
    let l = &lessons::by_id()["copy-only-the-delta"];

    let mut c = l.start_console();
    let before = c.lab.log().count();
    let t = c.run_pwsh(
        "$snap = Get-AzSnapshot -ResourceGroupName rg -SnapshotName snap2\n$cfg = New-AzDiskConfig -Location westeurope -CreateOption Copy -SourceResourceId $snap.Id\nNew-AzDisk -ResourceGroupName rg -DiskName cheat -Disk $cfg",
    );
    assert_ne!(t.status, 0);
    assert!(
        t.stderr().contains("is disabled in this lesson"),
        "{}",
        t.stderr()
    );
    assert!(c.lab.find_disk("rg", "cheat").is_err());
    assert_eq!(c.lab.log().count(), before);

    // A template whose first resource is allowed and second is not: nothing
    // is created, not even the first.
    let template = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "resources": [
        {"type": "Microsoft.Compute/snapshots", "apiVersion": "2022-03-02", "name": "allowed",
         "location": "westeurope",
         "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": "[resourceId('Microsoft.Compute/snapshots', 'snap2')]"}, "incremental": true}},
        {"type": "Microsoft.Compute/disks", "apiVersion": "2022-03-02", "name": "cheat",
         "location": "westeurope",
         "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": "[resourceId('Microsoft.Compute/snapshots', 'snap2')]"}}}
      ]
    }"#;
    let mut c = l.start_console();
    let before = c.lab.log().count();
    match c.deploy("rg", template, &Default::default()) {
        Err(snaplab_console::az::Failure::Refused(e)) => assert_eq!(e.code(), "DisabledInLesson"),
        other => panic!("the deployment should be refused, got {other:?}"),
    }
    assert!(
        c.lab.find_snapshot("rg", "allowed").is_err(),
        "nothing was created"
    );
    assert!(c.lab.find_disk("rg", "cheat").is_err());
    assert_eq!(c.lab.log().count(), before);

    // A click in the app executes through the same runner.
    let mut c = l.start_console();
    let click = Command::CreateDiskFromSnapshot(cmd::CreateDiskFromSnapshot {
        group: "rg".into(),
        name: "cheat".into(),
        source: "snap2".into(),
        sku: None,
        size_gib: None,
    });
    assert_eq!(c.execute(click).unwrap_err().code(), "DisabledInLesson");
    // Without the lesson, the same three work.
    let mut free = l.start_console();
    free.locks = snaplab_console::Locks::none();
    assert!(free.deploy("rg", template, &Default::default()).is_ok());
    assert!(free.lab.find_disk("rg", "cheat").is_ok());
}

#[test]
fn every_lessons_disabled_entry_names_real_commands() {
    for lesson in lessons::all().unwrap() {
        let locks = snaplab_console::Locks::from_entries(&lesson.disabled)
            .unwrap_or_else(|e| panic!("lesson {}: {e}", lesson.id));
        for entry in &lesson.disabled {
            assert!(!Kind::matching(entry).is_empty(), "{entry}");
        }
        if lesson.id == "copy-only-the-delta" {
            assert!(
                locks.is_locked(Kind::RestoreDisk),
                "restoring is what that lesson disables"
            );
            assert!(!locks.is_locked(Kind::CreateSnapshot));
        }
    }
    assert!(snaplab_console::Locks::from_entries(&["az disk creat".into()]).is_err());
}
