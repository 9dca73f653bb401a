//! Every lesson's reference solution solves it; the start does not; a wrong
//! solution is not accepted; disabled commands are refused.

use snaplab_console::lessons;

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
}

#[test]
fn disabled_commands_are_refused_in_their_lesson() {
    let l = &lessons::by_id()["copy-only-the-delta"];
    let mut c = l.start_console();
    let t = c.run("az disk create -g rg -n cheat --source snap2");
    assert_eq!(
        t.stderr(),
        "ERROR: 'az disk create' is disabled in this lesson.\n"
    );
    assert!(c.lab.find_disk("rg", "cheat").is_err());
}

#[test]
fn every_command_has_an_az_equivalent_that_lessons_can_disable() {
    use snaplab_engine::Command;
    let restore = Command::CreateDiskFromSnapshot {
        group: "rg".into(),
        name: "x".into(),
        source: "s".into(),
        sku: None,
        size_gib: None,
    };
    assert_eq!(lessons::az_equivalent(&restore), "az disk create");
    let disabled = &lessons::by_id()["copy-only-the-delta"].disabled;
    assert!(
        disabled
            .iter()
            .any(|p| lessons::az_equivalent(&restore).starts_with(p.as_str())),
        "restoring is disabled in that lesson's UI too"
    );
}
