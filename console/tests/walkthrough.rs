//! Every code block of the seed 001 walkthrough runs, in order, on the lab a
//! new user has (rg-snaplab with a 32 GiB disk1), and does what its section
//! says.

use snaplab_console::walkthrough::seed_001;
use snaplab_console::{Console, Language};

#[test]
fn every_block_runs_in_order_on_a_new_lab_and_does_what_its_section_says() {
    let lab = snaplab_engine::testkit::lab_with_disk("rg-snaplab", "disk1", 32);
    let mut console = Console::new(lab);
    let walk = seed_001();
    assert_eq!(walk.sections.len(), 7);
    let mut outputs = Vec::new();
    for (i, section) in walk.sections.iter().enumerate() {
        assert!(
            !section.text.en.is_empty() && !section.text.sv.is_empty(),
            "section {i} has both languages"
        );
        let t = console.run_in(section.language(), &section.code_for("rg-snaplab", "disk1"));
        outputs.push((t.status, t.stdout(), t.stderr()));
    }
    let ok = |i: usize| assert_eq!(outputs[i].0, 0, "section {}: {:?}", i + 1, outputs[i]);
    for i in [0, 1, 2, 3, 4, 6] {
        ok(i);
    }
    // 2: a table with the new incremental snapshot; 3: the list holds it.
    assert!(outputs[1].1.contains("True"), "{}", outputs[1].1);
    assert!(outputs[2].1.contains("walk-cli"), "{}", outputs[2].1);
    // 4: PowerShell prints the snapshot as Format-List does.
    assert!(
        outputs[3].1.contains("Incremental") && outputs[3].1.contains("walk-ps"),
        "{}",
        outputs[3].1
    );
    // 5: ready at once (a Premium_LRS disk).
    assert_eq!(outputs[4].1, "100.0\n");
    // 6: two snapshots exist from sections 2 and 4, so the 6th of the burst is the 8th in 5 minutes.
    assert!(outputs[5].2.contains("rule B1"), "{}", outputs[5].2);
    assert!(
        outputs[5].1.contains("snapshot 6 was refused"),
        "{}",
        outputs[5].1
    );
    // 7: a 512-byte sector disk: VHD.
    assert_eq!(outputs[6].1, "512\n");
    assert_eq!(Language::Bash, walk.sections[0].language());
}
