//! The shell and the az parser never panic: random and mutated scripts get
//! a parse error with line and column, or an az error, never a crash. (A
//! top-level list prints one item a line in TSV, as knack does.) And
//! the native program round-trips a lab through --state.

use proptest::prelude::*;
use snaplab_console::{shell, Console};
use snaplab_engine::Lab;

const SEED_SCRIPT: &str = r#"diskName="disk1"
rg=rg-x
az group create -n $rg -l westeurope -o none
az disk create -g $rg -n $diskName --size-gb 8 -o none
id=$(az disk show -n $diskName -g $rg --query "id" --output tsv)
az snapshot create -g $rg -n s1 --source $id --incremental true --query "[name, incremental]" -o tsv
sim write -g $rg --disk $diskName --offset 1M --length 4K
az snapshot list -g $rg --query "[?incremental].name" -o json
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_scripts_never_panic(script in "[ -~\n\t]{0,200}") {
        let refused = shell::check(&script).is_err();
        let mut console = Console::new(Lab::new());
        let t = console.run(&script);
        prop_assert!(t.status >= 0);
        // A script that does not parse runs nothing: the lab is as it was.
        if refused {
            prop_assert!(t.status != 0);
            prop_assert_eq!(console.lab.log().len(), 0);
            prop_assert!(console.executed.is_empty());
        }
    }

    #[test]
    fn random_jmespath_queries_never_panic(query in "[\\[\\]{}()@.*?!|&<>=,:'`\"a-z0-9 -]{0,60}") {
        let mut console = Console::new(Lab::new());
        console.run("az group create -n rg -l westeurope -o none");
        let quoted = format!("'{}'", query.replace('\'', "'\\''"));
        let t = console.run(&format!("az group list --query {quoted} -o json"));
        prop_assert!(matches!(t.status, 0..=2), "{}", t.stderr());
    }

    #[test]
    fn mutated_seed_scripts_never_panic(cut in 0usize..400, insert in "[-$()\"'{}\\[\\]=|&;#\\\\ a-z0-9\n]{0,6}") {
        let mut chars: Vec<char> = SEED_SCRIPT.chars().collect();
        let at = cut.min(chars.len());
        chars.splice(at..at, insert.chars());
        let script: String = chars.into_iter().collect();
        let refused = shell::check(&script);
        if let Err(e) = &refused {
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
        let mut console = Console::new(Lab::new());
        let t = console.run(&script);
        if refused.is_err() {
            prop_assert!(t.status != 0);
            prop_assert_eq!(console.lab.log().len(), 0);
        }
    }
}

#[test]
fn the_unmutated_script_runs() {
    let mut console = Console::new(Lab::new());
    let t = console.run(SEED_SCRIPT);
    assert_eq!(t.status, 0, "{:?}", t.lines);
    assert_eq!(
        t.stdout(),
        "s1\ntrue\n{\n  \"result\": \"wrote 4 KiB at byte 1048576 of disk1\"\n}\n[\n  \"s1\"\n]\n"
    );
}

#[test]
fn the_native_program_runs_a_script_and_keeps_the_lab_in_a_state_file() {
    let dir = std::env::temp_dir().join(format!("snaplab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("lab.snaplab");
    let script = dir.join("setup.sh");
    std::fs::write(&script, "az group create -n rg -l westeurope -o none\naz disk create -g rg -n d --size-gb 4 -o none\nsim write -g rg --disk d --offset 0 --text 'hello' -o none\naz snapshot create -g rg -n s1 --source d --incremental -o none\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_snaplab");
    let first = std::process::Command::new(bin)
        .args([
            "run",
            script.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(state.exists());

    // A second run sees the first one's lab.
    let second = std::process::Command::new(bin)
        .args(["run", "-", "--state", state.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"az snapshot show -g rg -n s1 --query \"[name, incremental]\" -o tsv\naz snapshot show -g rg -n nope\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&second.stdout), "s1\ntrue\n");
    // A missing resource is azure-cli's ResourceNotFoundError: exit status 3.
    assert_eq!(second.status.code(), Some(3), "the last command failed");
    // And the same script prints the same bytes as the console does in the app.
    let mut console = Console::new(Lab::new());
    let text = std::fs::read_to_string(&script).unwrap()
        + "az snapshot show -g rg -n s1 --query \"[name, incremental]\" -o tsv\n";
    assert_eq!(console.run(&text).stdout(), "s1\ntrue\n");

    // A run that changes the lab appends to the file (its earlier bytes
    // stay as they were); one cut off mid-save is passed over, with a
    // warning, and the next save cuts it off.
    let before = std::fs::read(&state).unwrap();
    let run = |script: &str| {
        std::process::Command::new(bin)
            .args(["run", "-", "--state", state.to_str().unwrap()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(script.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap()
    };
    let third = run("az snapshot create -g rg -n s2 --source d --incremental -o none\n");
    assert!(third.status.success());
    let after = std::fs::read(&state).unwrap();
    assert!(
        after.len() > before.len() && after[..before.len()] == before[..],
        "appended"
    );
    assert!(after.ends_with(b"SLSTATE1"));
    std::fs::write(&state, &after[..after.len() - 5]).unwrap();
    let fourth = run("az snapshot list -g rg --query \"[].name\" -o tsv\n");
    assert_eq!(
        String::from_utf8_lossy(&fourth.stdout),
        "s1\n",
        "the cut-off save is passed over"
    );
    let warning = String::from_utf8_lossy(&fourth.stderr);
    assert!(
        warning.contains("is a save that did not finish")
            || warning.contains("are a save that did not finish"),
        "{warning}"
    );
    let fifth = run("az snapshot create -g rg -n s3 --source d --incremental -o none\naz snapshot list -g rg --query \"[].name\" -o tsv\n");
    assert_eq!(String::from_utf8_lossy(&fifth.stdout), "s1\ns3\n");
    assert!(
        fifth.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&fifth.stderr)
    );
    let sixth = run("az snapshot list -g rg --query \"[].name\" -o tsv\n");
    assert_eq!(String::from_utf8_lossy(&sixth.stdout), "s1\ns3\n");
    assert!(
        sixth.stderr.is_empty(),
        "no warning once the torn save is cut off"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_templates_never_panic(cut in 0usize..700, insert in "[\\[\\]{}()'\",:a-zA-Z0-9 .-]{0,8}") {
        let template = r#"{"parameters":{"n":{"type":"string","defaultValue":"d"}},"resources":[{"type":"Microsoft.Compute/snapshots","name":"[concat(parameters('n'),'_s')]","location":"[resourceGroup().location]","apiVersion":"2022-03-22","properties":{"creationData":{"createOption":"Copy","sourceResourceId":"[resourceId('Microsoft.Compute/disks', parameters('n'))]"},"incremental":true}}]}"#;
        let mut chars: Vec<char> = template.chars().collect();
        let at = cut.min(chars.len());
        chars.splice(at..at, insert.chars());
        let mutated: String = chars.into_iter().collect();
        let mut console = Console::new(Lab::new());
        console.run("az group create -n rg -l westeurope -o none\naz disk create -g rg -n d --size-gb 1 -o none");
        let before = (console.lab.log().len(), console.lab.snapshots().count(), console.lab.disks().count());
        // ARM validates the whole template first: a refused one changes nothing.
        if console.deploy("rg", &mutated, &Default::default()).is_err() {
            let after = (console.lab.log().len(), console.lab.snapshots().count(), console.lab.disks().count());
            prop_assert_eq!(after, before);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_and_mutated_powershell_never_panics(script in "[ -~\n]{0,160}", cut in 0usize..300, insert in "[$(){}\"'=.,@ a-zA-Z0-9\n-]{0,6}") {
        let _ = snaplab_console::pwsh::check(&script);
        let mut console = Console::new(Lab::new());
        let _ = console.run_pwsh(&script);
        let seed = "$resourceGroupName = \"rg\"\n$snapshots = Get-AzSnapshot -ResourceGroupName $resourceGroupName\n$list = New-Object System.Collections.ArrayList\nforeach ($s in $snapshots) { if ($s.Incremental -and $s.CompletionPercent -lt 100) { $list.Add($s) } }\n$list\n";
        let mut chars: Vec<char> = seed.chars().collect();
        let at = cut.min(chars.len());
        chars.splice(at..at, insert.chars());
        let mutated: String = chars.into_iter().collect();
        let refused = snaplab_console::pwsh::check(&mutated);
        if let Err(e) = &refused {
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
        let logged = console.lab.log().len();
        let t = console.run_pwsh(&mutated);
        if refused.is_err() {
            prop_assert!(t.status != 0);
            prop_assert_eq!(console.lab.log().len(), logged);
        }
    }
}

#[test]
fn the_native_program_saves_before_printing_survives_a_closed_pipe_and_stops_on_a_read_error() {
    use std::io::{BufRead, BufReader, Write};
    let dir = std::env::temp_dir().join(format!("snaplab-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("lab.snaplab");
    let bin = env!("CARGO_BIN_EXE_snaplab");

    // `snaplab run … | head -1`: the reader goes away after one line.
    let mut child = std::process::Command::new(bin)
        .args(["run", "-", "--state", state.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"az group create -n rg -l westeurope -o none\naz disk create -g rg -n d --size-gb 4 -o none\nfor i in $(seq 1 20000); do echo line $i; done\naz snapshot create -g rg -n s1 --source d -o none\n")
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "line 1\n");
    // stdout is dropped here: the pipe is closed.
    let status = child.wait().unwrap();
    assert!(status.success(), "a closed pipe is not an error");
    let records = snaplab_engine::store::import(&std::fs::read(&state).unwrap()).unwrap();
    let lab = snaplab_engine::store::Journal::open(&records)
        .unwrap()
        .journal;
    assert!(
        lab.lab().find_snapshot("rg", "s1").is_ok(),
        "saved despite the closed pipe"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(leftovers, ["lab.snaplab"], "no temporary file is left");

    // A state path that exists but cannot be read as a file (a directory):
    // an error, nothing run, nothing written.
    let unreadable = dir.join("not-a-file");
    std::fs::create_dir_all(&unreadable).unwrap();
    let out = std::process::Command::new(bin)
        .args(["run", "-", "--state", unreadable.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("nothing was run; the file was not changed"),
        "{message}"
    );
    assert!(unreadable.is_dir());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `snaplab run -` on `script` with at most `kib` KiB of address space
/// (the shell's `ulimit -v`), so a run that builds what it should not dies.
#[cfg(target_os = "linux")]
fn run_native_within(kib: usize, script: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -v {kib} && exec \"$0\" run -"),
            env!("CARGO_BIN_EXE_snaplab"),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn scripts_that_print_or_build_gigabytes_stop_at_a_budget_within_bounded_memory() {
    // x is 1 MiB: 16 bytes doubled 16 times.
    let x = "x=aaaaaaaaaaaaaaaa\nfor i in $(seq 16); do x=$x$x; done\n";
    // 5,000 lines of 1 MiB would be 5 GiB of output.
    let lines = run_native_within(
        1 << 20,
        &format!("{x}for i in $(seq 5000); do echo \"$x\"; done\necho never\n"),
    );
    let stderr = String::from_utf8_lossy(&lines.stderr);
    assert!(
        stderr.contains("it printed more than 8 MiB (the simulator's output limit)"),
        "{stderr}"
    );
    assert_eq!(lines.status.code(), Some(1), "{stderr}");
    assert_eq!(lines.stdout.len(), 7 * ((1 << 20) + 1));

    // One `echo` of 3 GiB, one word or 3,072.
    for separator in ["", " "] {
        let words = vec!["$x"; 3 << 10].join(separator);
        let huge = run_native_within(1 << 20, &format!("{x}echo {words}\necho never\n"));
        let stderr = String::from_utf8_lossy(&huge.stderr);
        assert!(
            stderr.contains("one command's words would hold more than 4 MiB"),
            "{stderr}"
        );
        assert_eq!(huge.status.code(), Some(1), "{stderr}");
        assert!(huge.stdout.is_empty());
    }
}
