//! Tab completion and "did you mean" while typing (`complete.rs`): every
//! az command and every argument az describes completes from its first
//! letters; choices, the lab's names, PowerShell's cmdlets and parameters;
//! the current simple command found through quotes, `$(…)`, pipes and
//! lists; hostile input answered at once with nothing.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use snaplab_console::az::args::description;
use snaplab_console::az::COMMANDS;
use snaplab_console::complete::{advise, complete, Completion, MAX_LINE};
use snaplab_console::pwsh::cmdlets;
use snaplab_console::{Console, Language};
use snaplab_engine::Lab;

use Language::{Bash, PowerShell};

/// A lab with two groups, disks and snapshots in each.
fn lab() -> Lab {
    let mut console = Console::new(Lab::new());
    let t = console.run(
        "az group create -n rg-snaplab -l westeurope -o none
az group create -n rg-other -l westeurope -o none
az disk create -g rg-snaplab -n disk1 --size-gb 32 -o none
az disk create -g rg-snaplab -n data2 --size-gb 32 -o none
az disk create -g rg-other -n disk-elsewhere --size-gb 32 -o none
az snapshot create -g rg-snaplab -n snap-monday --source disk1 --incremental true -o none
az snapshot create -g rg-snaplab -n snap-tuesday --source disk1 --incremental true -o none
az snapshot create -g rg-other -n snap-other --source disk-elsewhere --incremental true -o none",
    );
    assert_eq!(t.status, 0, "{}", t.stderr());
    console.into_parts().0
}

/// Completes at the end of `line`.
fn at_end(line: &str, lab: &Lab, shell: Language) -> Completion {
    complete(line, line.len(), lab, shell)
}

fn candidates(line: &str, lab: &Lab, shell: Language) -> Vec<String> {
    at_end(line, lab, shell).candidates
}

#[test]
fn groups_commands_and_the_issues_examples_complete() {
    let lab = lab();
    let c = at_end("az snap", &lab, Bash);
    assert_eq!(c.candidates, ["snapshot"]);
    assert_eq!(c.replace, 3..7);
    assert_eq!(c.common_prefix, "snapshot");
    assert_eq!(candidates("az snapshot cr", &lab, Bash), ["create"]);
    assert_eq!(candidates("az d", &lab, Bash), ["deployment", "disk"]);
    assert_eq!(at_end("az d", &lab, Bash).common_prefix, "d");
    assert_eq!(candidates("a", &lab, Bash), ["az"]);
    assert_eq!(candidates("sim cl", &lab, Bash), ["clock"]);
    assert_eq!(candidates("sim clock ", &lab, Bash), ["advance", "show"]);
    // --so: only arguments of that command.
    let so = candidates("az snapshot create -g rg-snaplab --so", &lab, Bash);
    assert_eq!(so, ["--source", "--source-storage-account-id"]);
    let c = at_end("az snapshot create --so", &lab, Bash);
    assert_eq!((c.replace, c.common_prefix.as_str()), (19..23, "--source"));
    assert!(candidates("az snapshot show --so", &lab, Bash).is_empty());
    // Choices after an option with choices.
    assert_eq!(
        candidates("az disk create --sku Prem", &lab, Bash),
        ["Premium_LRS", "Premium_ZRS", "PremiumV2_LRS"]
    );
    let c = at_end("az disk create --sku=Standard_", &lab, Bash);
    assert_eq!(c.replace, 21..30);
    assert_eq!(c.candidates, ["Standard_LRS"]);
    assert_eq!(
        candidates("az disk list -o t", &lab, Bash),
        ["table", "tsv"]
    );
    // Aliases: the short form is an option string too.
    assert!(candidates("az disk show -", &lab, Bash).contains(&"-n".to_string()));
    // Options given already are not offered again.
    let rest = candidates("az disk show -n disk1 --", &lab, Bash);
    assert!(
        !rest.contains(&"--name".to_string()) && rest.contains(&"--resource-group".to_string())
    );
}

#[test]
fn tab_inserts_the_only_candidate_and_a_space_or_the_common_prefix() {
    let lab = lab();
    let line = "az snap";
    assert_eq!(
        at_end(line, &lab, Bash).apply(line),
        ("az snapshot ".into(), 12)
    );
    // In the middle of a line: what follows the cursor stays.
    let line = "az snap -o table";
    assert_eq!(
        complete(line, 7, &lab, Bash).apply(line),
        ("az snapshot  -o table".into(), 12)
    );
    let line = "az snapshot show -n snap-";
    let c = at_end(line, &lab, Bash);
    assert_eq!(c.candidates.len(), 3);
    assert_eq!(c.apply(line), (line.to_string(), line.len()));
    let line = "az snapshot show -g rg-snaplab -n s";
    assert_eq!(
        at_end(line, &lab, Bash).apply(line).0,
        "az snapshot show -g rg-snaplab -n snap-"
    );
    // PowerShell's spelling replaces what was typed in another case.
    let line = "new-azsnapshotc";
    assert_eq!(
        at_end(line, &lab, PowerShell).apply(line).0,
        "New-AzSnapshotConfig "
    );
    let line = "az nothing";
    assert_eq!(
        at_end(line, &lab, Bash).apply(line),
        (line.to_string(), line.len())
    );
}

#[test]
fn resource_names_follow_what_the_option_names() {
    let lab = lab();
    // -n of a snapshot command: snapshots; of a disk command: disks.
    assert_eq!(
        candidates("az snapshot show -n ", &lab, Bash),
        ["snap-monday", "snap-other", "snap-tuesday"]
    );
    assert_eq!(
        candidates("az snapshot show -g rg-snaplab -n ", &lab, Bash),
        ["snap-monday", "snap-tuesday"]
    );
    assert_eq!(
        candidates("az disk show -g rg-snaplab --name d", &lab, Bash),
        ["data2", "disk1"]
    );
    assert_eq!(
        candidates("az disk show -n disk", &lab, Bash),
        ["disk-elsewhere", "disk1"]
    );
    assert_eq!(
        candidates("az snapshot list -g rg-", &lab, Bash),
        ["rg-other", "rg-snaplab"]
    );
    assert_eq!(
        candidates("az group show -n rg-s", &lab, Bash),
        ["rg-snaplab"]
    );
    // --source of a disk: a snapshot first of all; of a snapshot: a disk.
    assert_eq!(
        candidates("az disk create -g rg-snaplab --source snap-m", &lab, Bash),
        ["snap-monday"]
    );
    assert_eq!(
        candidates("az snapshot create -g rg-snaplab --source di", &lab, Bash),
        ["disk1"]
    );
    assert_eq!(
        candidates("sim write -g rg-other --disk ", &lab, Bash),
        ["disk-elsewhere"]
    );
    assert_eq!(
        candidates("sim diff --snapshot snap-t", &lab, Bash),
        ["snap-tuesday"]
    );
    // Names are Azure's: case does not matter.
    assert_eq!(
        candidates("az snapshot show -n SNAP-M", &lab, Bash),
        ["snap-monday"]
    );
}

#[test]
fn powershell_cmdlets_and_parameters_complete_in_any_case() {
    let lab = lab();
    let c = at_end("Get-AzSn", &lab, PowerShell);
    assert_eq!(c.candidates, ["Get-AzSnapshot"]);
    assert_eq!(
        at_end("get-azsn", &lab, PowerShell).common_prefix,
        "Get-AzSnapshot"
    );
    assert_eq!(
        candidates("Get-AzDisk -Resou", &lab, PowerShell),
        ["-ResourceGroupName"]
    );
    assert_eq!(
        candidates("get-azdisk -resou", &lab, PowerShell),
        ["-ResourceGroupName"]
    );
    assert_eq!(
        candidates(
            "Get-AzSnapshot -ResourceGroupName rg-snaplab -SnapshotName snap-",
            &lab,
            PowerShell
        ),
        ["snap-monday", "snap-tuesday"]
    );
    assert_eq!(
        candidates("Get-AzDisk -DiskName d", &lab, PowerShell),
        ["data2", "disk-elsewhere", "disk1"]
    );
    assert_eq!(
        candidates("Remove-AzResourceGroup -Name rg-o", &lab, PowerShell),
        ["rg-other"]
    );
    // After an assignment, and inside a pipeline's script block.
    assert_eq!(candidates("$d = Get-AzD", &lab, PowerShell), ["Get-AzDisk"]);
    assert_eq!(
        candidates("Get-AzDisk | ForEach-Object { Get-AzSn", &lab, PowerShell),
        ["Get-AzSnapshot"]
    );
}

#[test]
fn every_az_command_completes_from_its_first_three_letters() {
    let lab = lab();
    for spec in COMMANDS {
        for depth in 1..spec.path.len() {
            let word = spec.path[depth];
            let typed = &word[..word.len().min(3)];
            let line = format!("{} {typed}", spec.path[..depth].join(" "));
            let found = candidates(&line, &lab, Bash);
            assert!(found.iter().any(|c| c == word), "{line}: {found:?}");
            // Only the level asked for, all beginning with what was typed.
            assert!(
                found.iter().all(|c| c.starts_with(typed)),
                "{line}: {found:?}"
            );
        }
    }
}

#[test]
fn every_described_argument_completes_from_dashes_and_three_letters() {
    let lab = lab();
    let mut checked = 0;
    for (name, command) in &description().commands {
        for argument in &command.arguments {
            for option in argument.options.iter().filter(|o| o.starts_with("--")) {
                let typed = &option[..option.len().min(5)];
                let line = format!("az {name} {typed}");
                let found = candidates(&line, &lab, Bash);
                // az's help hides these, and so does completion.
                assert_eq!(
                    found.contains(option),
                    !argument.hidden,
                    "{line}: {found:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn every_cmdlet_and_parameter_completes() {
    let lab = lab();
    for cmdlet in cmdlets::all() {
        let typed = &cmdlet.name[..cmdlet.name.len().min(6)].to_lowercase();
        let found = candidates(typed, &lab, PowerShell);
        assert!(found.iter().any(|c| c == cmdlet.name), "{typed}: {found:?}");
        for param in cmdlet.params {
            let line = format!(
                "{} -{}",
                cmdlet.name,
                &param.name[..param.name.len().min(3)]
            );
            let found = candidates(&line, &lab, PowerShell);
            assert!(
                found.contains(&format!("-{}", param.name)),
                "{line}: {found:?}"
            );
        }
    }
}

#[test]
fn the_current_simple_command_is_found_through_quotes_substitutions_and_lists() {
    let lab = lab();
    for (line, expected) in [
        ("id=$(az snapshot sh", vec!["show"]),
        ("echo \"$(az snapshot show -n snap-mo", vec!["snap-monday"]),
        ("az disk list | grep x; az snap", vec!["snapshot"]),
        ("az group list && az snap", vec!["snapshot"]),
        ("az group list || az snap", vec!["snapshot"]),
        ("if true; then az snap", vec!["snapshot"]),
        (
            "for d in a b; do az snapshot show -n \"snap-t",
            vec!["snap-tuesday"],
        ),
        ("x=1\naz snap", vec!["snapshot"]),
        ("(az snap", vec!["snapshot"]),
        (
            "az disk show -n \"$(echo a)\" -g rg-snaplab --qu",
            vec!["--query"],
        ),
        ("explain az snapshot cr", vec!["create"]),
    ] {
        assert_eq!(candidates(line, &lab, Bash), expected, "{line}");
    }
    // Inside a quoted string, a comment, or after a command the console
    // does not know: nothing.
    for line in [
        "echo 'az snap",
        "# az snap",
        "grep az snap",
        "az snapshto cr",
    ] {
        assert!(candidates(line, &lab, Bash).is_empty(), "{line}");
    }
    // The cursor need not be at the end: what is before it is completed.
    let line = "az snap -o table";
    let c = complete(line, 7, &lab, Bash);
    assert_eq!(
        (c.replace, c.candidates),
        (3..7, vec!["snapshot".to_string()])
    );
    // A cursor inside a character is moved back to its start, not a panic:
    // "az " then offers every group.
    let c = complete("az é", 4, &lab, Bash);
    assert_eq!(c.replace, 3..3);
    assert!(c.candidates.contains(&"snapshot".to_string()), "{c:?}");
}

#[test]
fn hostile_lines_return_at_once_with_nothing() {
    let lab = lab();
    let start = Instant::now();
    let big = format!("az snapshot show -n {}", "x".repeat(1 << 20));
    // A megabyte of commands before one that would complete: refused whole.
    let long = "true; ".repeat((1 << 20) / 6) + "az snap";
    let nested = format!("{}az snap", "$(".repeat(MAX_LINE / 2 - 10));
    let quotes = "\"'".repeat(MAX_LINE / 2 - 10) + "az snap";
    for line in [&big, &long, &nested, &quotes] {
        for shell in [Bash, PowerShell] {
            let c = at_end(line, &lab, shell);
            assert!(c.candidates.is_empty(), "{}", &line[..40]);
            assert_eq!(c.replace, line.len()..line.len());
            assert_eq!(advise(line, line.len(), shell), None);
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn did_you_mean_while_typing_says_what_az_and_powershell_say() {
    // A misspelled group, once typed whole: az's own message.
    assert_eq!(
        advise("az snapshto ", 12, Bash).as_deref(),
        Some("ERROR: 'snapshto' is misspelled or not recognized by the system.\nDid you mean 'az snapshot'?\nSee 'az --help'.")
    );
    // The same text the command prints when it runs.
    let mut console = Console::new(lab());
    for line in [
        "az snapshot create -g rg-snaplab -n s --sourc disk1",
        "az disk create -g rg-snaplab -n d --sku Premium_LR --size-gb 4",
        "az snapshot lst",
    ] {
        let ran = console.run(line).stderr();
        let advice = advise(&format!("{line} "), line.len() + 1, Bash).expect(line);
        assert_eq!(format!("{advice}\n"), ran, "{line}");
    }
    // Still typing: a group, an option waiting for its value, a required
    // argument not given yet, the word under the cursor. Values a script
    // fills in ($x, $(…)) are not judged.
    for line in [
        "az snapshot ",
        "az snapshot create -g ",
        "az snapshot create -g rg ",
        "az snapshot create --sourc",
        "az disk create --sku $sku ",
        "az disk create --sku \"$(echo x)\" ",
        "echo hello ",
        "",
    ] {
        assert_eq!(advise(line, line.len(), Bash), None, "{line}");
    }
    assert_eq!(
        advise("Get-AzSnapshto ", 15, PowerShell).as_deref(),
        Some("Get-AzSnapshto: The term 'Get-AzSnapshto' is not recognized as a name of a cmdlet, function, script file, or executable program. Did you mean 'Get-AzSnapshot'?")
    );
    assert_eq!(
        advise("Get-AzDisk -ResourceGrupName rg ", 32, PowerShell).as_deref(),
        Some("Get-AzDisk: A parameter cannot be found that matches parameter name 'ResourceGrupName'. Did you mean '-ResourceGroupName'?")
    );
    for line in [
        "Get-AzDisk -Resou rg ",
        "Get-AzDisk -ErrorAction Stop ",
        "$x.Name ",
        "$d = Get-AzDisk ",
    ] {
        assert_eq!(advise(line, line.len(), PowerShell), None, "{line}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any line, any cursor: no panic, the range ends at the cursor and
    /// lies in the line, and every candidate begins with the common prefix.
    #[test]
    fn any_line_completes_within_itself(line in "[ -~\\n$()'\"|;&{}é]{0,80}", at in 0usize..100, pwsh in any::<bool>()) {
        let lab = Lab::new();
        let shell = if pwsh { PowerShell } else { Bash };
        let c = complete(&line, at, &lab, shell);
        prop_assert!(c.replace.start <= c.replace.end && c.replace.end <= line.len());
        prop_assert!(line.is_char_boundary(c.replace.start) && line.is_char_boundary(c.replace.end));
        for candidate in &c.candidates {
            prop_assert!(candidate.to_lowercase().starts_with(&c.common_prefix.to_lowercase()));
        }
        let _ = advise(&line, at, shell);
    }
}
