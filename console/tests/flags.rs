//! az's argument rules for flags, as azure-cli's parser applies them: a
//! three-state flag (`--incremental`, `--copy-start`) alone means true and
//! takes an optional `true`/`false` in any case; any other value is an
//! invalid choice (exit 2, in azure-cli's wording), never a silent true. A switch (`--yes`) takes no
//! value. A stray word is "unrecognized arguments". Nothing refused changes
//! the lab.

use snaplab_console::Console;

fn console() -> Console {
    Console::new(snaplab_engine::testkit::lab_with_disk("rg", "d", 4))
}

fn incremental(c: &Console, name: &str) -> Option<bool> {
    c.lab.find_snapshot("rg", name).ok().map(|s| s.incremental)
}

#[test]
fn three_state_flags_take_true_or_false_in_any_case() {
    let mut c = console();
    for (i, flag) in [
        "--incremental",
        "--incremental true",
        "--incremental TRUE",
        "--incremental=True",
    ]
    .iter()
    .enumerate()
    {
        let t = c.run(&format!(
            "az snapshot create -g rg -n on{i} --source d {flag} -o none"
        ));
        assert_eq!(t.status, 0, "{flag}: {}", t.stderr());
        assert_eq!(incremental(&c, &format!("on{i}")), Some(true), "{flag}");
    }
    for (i, flag) in [
        "--incremental false",
        "--incremental=False",
        "--incremental FALSE",
    ]
    .iter()
    .enumerate()
    {
        let t = c.run(&format!(
            "az snapshot create -g rg -n off{i} --source d {flag} -o none"
        ));
        assert_eq!(t.status, 0, "{flag}: {}", t.stderr());
        assert_eq!(
            incremental(&c, &format!("off{i}")),
            Some(false),
            "{flag} makes a full snapshot"
        );
    }
}

#[test]
fn any_other_value_is_an_invalid_choice_and_creates_nothing() {
    let mut c = console();
    let before = c.lab.log().count();
    for flag in [
        "--incremental no",
        "--incremental=yes",
        "--incremental 1",
        "--copy-start maybe",
    ] {
        let t = c.run(&format!("az snapshot create -g rg -n x --source d {flag}"));
        assert_eq!(t.status, 2, "{flag}");
        let value = flag.split([' ', '=']).nth(1).unwrap();
        let option = flag.split([' ', '=']).next().unwrap();
        assert_eq!(
            t.stderr(),
            // azure-cli's own _check_value (core/parser.py), not argparse's wording.
            format!("ERROR: az snapshot create: '{value}' is not a valid value for '{option}'. Allowed values: true, false.\n")
        );
    }
    assert_eq!(c.lab.log().count(), before, "nothing reached the lab");
    assert!(incremental(&c, "x").is_none());
}

#[test]
fn switches_take_no_value_and_stray_words_are_unrecognized() {
    let mut c = console();
    let t = c.run("az snapshot create -g rg -n s --source d --incremental true extra words");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (2, "ERROR: unrecognized arguments: extra words\n")
    );
    assert!(incremental(&c, "s").is_none());
    let t = c.run("az group delete -n rg --yes=true");
    assert_eq!(
        (t.status, t.stderr().as_str()),
        (
            2,
            // argparse names an action by all its option strings.
            "ERROR: argument --yes/-y: ignored explicit argument 'true'\n"
        )
    );
    assert!(c.lab.find_disk("rg", "d").is_ok(), "not deleted");
    // Commands that do take words still do.
    assert_eq!(c.run("sim clock advance 5m -o none").status, 0);
}

#[test]
fn help_on_az_on_every_group_and_on_every_command_exits_0() {
    let mut c = console();
    let t = c.run("az --help");
    assert_eq!(t.status, 0, "{}", t.stderr());
    assert!(t.stdout().starts_with("Group\n    az\n"), "{}", t.stdout());
    assert!(t.stdout().contains("snapshot create"));
    for group in [
        "az snapshot",
        "az disk",
        "az vm",
        "az vm disk",
        "az group",
        "az account",
        "sim",
        "sim clock",
    ] {
        let t = c.run(&format!("{group} --help"));
        assert_eq!(t.status, 0, "{group}: {}", t.stderr());
        assert!(
            t.stdout().starts_with(&format!("Group\n    {group}\n")),
            "{group}: {}",
            t.stdout()
        );
    }
    for spec in snaplab_console::az::COMMANDS {
        let t = c.run(&format!("{} --help", spec.path.join(" ")));
        assert_eq!(t.status, 0, "{:?}: {}", spec.path, t.stderr());
        assert!(t.stdout().contains(spec.summary), "{:?}", spec.path);
    }
    // A misspelled group is still refused, with a suggestion.
    let t = c.run("az snapshto --help");
    assert_eq!(t.status, 2);
    assert!(
        t.stderr().contains("Did you mean 'az snapshot'?"),
        "{}",
        t.stderr()
    );
}
