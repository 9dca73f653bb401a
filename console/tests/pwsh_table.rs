//! The PowerShell cmdlet table is the only list of cmdlets (dispatch,
//! pipeline stages, `Get-Help`, "did you mean" and `explain` all read it),
//! and the values a script builds stay within the shell's budgets.

use std::time::{Duration, Instant};

use snaplab_console::pwsh::cmdlets::{self, all, find};
use snaplab_console::Console;
use snaplab_engine::Lab;

mod pwsh_support;

use pwsh_support::run;

/// The 23 cmdlets the evaluator knew before the table, from its old
/// `known` list, and the stages its pipeline ran: none may be lost.
const BEFORE: &[&str] = &[
    "New-AzResourceGroup",
    "Get-AzResourceGroup",
    "Remove-AzResourceGroup",
    "Remove-AzDisk",
    "Start-Sleep",
    "Get-AzDisk",
    "Get-AzSnapshot",
    "New-AzSnapshotConfig",
    "New-AzSnapshot",
    "Remove-AzSnapshot",
    "Grant-AzSnapshotAccess",
    "Revoke-AzSnapshotAccess",
    "Grant-AzDiskAccess",
    "Revoke-AzDiskAccess",
    "New-AzDiskUpdateConfig",
    "Update-AzDisk",
    "New-AzDiskConfig",
    "New-AzDisk",
    "New-Object",
    "Install-Module",
    "Connect-AzAccount",
    "Write-Output",
    "Write-Host",
    "Where-Object",
    "where",
    "ForEach-Object",
    "foreach",
    "Select-Object",
    "select",
    "Sort-Object",
    "sort",
    "Measure-Object",
    "Format-Table",
    "ft",
    "Format-List",
    "fl",
    "Out-Null",
];

#[test]
fn every_cmdlet_dispatch_knows_is_in_the_table_and_help_suggest_and_explain_find_it() {
    for name in BEFORE {
        assert!(find(name).is_some(), "{name} is missing from the table");
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in all() {
        for n in std::iter::once(c.name).chain(c.aliases.iter().copied()) {
            assert!(seen.insert(n.to_lowercase()), "{n} is in the table twice");
        }
        assert!(
            c.command.is_some() || c.stage.is_some(),
            "{} runs nothing",
            c.name
        );
        let mut params = std::collections::BTreeSet::new();
        for p in c.params {
            for n in std::iter::once(p.name).chain(p.aliases.iter().copied()) {
                assert!(params.insert(n.to_lowercase()), "{}: -{n} twice", c.name);
            }
        }
        // Dispatch: as a command, or as a pipeline stage, never "not recognized".
        let script = if c.command.is_some() {
            c.name.to_string()
        } else {
            format!("@(1) | {}", c.name)
        };
        let (_, err, _) = run(&script);
        let err = err.join("\n");
        assert!(!err.contains("not recognized"), "{script}: {err}");
        assert!(!err.contains("pipeline runs"), "{script}: {err}");
        if c.stage.is_some() {
            for alias in c.aliases {
                let (_, err, _) = run(&format!("@(1) | {alias} {{ $_ }}"));
                assert!(!err.join("\n").contains("pipeline runs"), "{alias}");
            }
        }
        // "Did you mean": a typo of each name (its last letter but one
        // dropped; a word without a dash is not a cmdlet to the parser) finds it.
        let n = c.name.chars().count();
        let typo: String = c
            .name
            .chars()
            .take(n - 2)
            .chain(c.name.chars().skip(n - 1))
            .collect();
        assert_eq!(cmdlets::suggest(&typo), Some(c.name), "{typo}");
        let (_, err, status) = run(&format!("{typo} -Force"));
        assert_eq!(status, 1);
        assert!(
            err.join("\n")
                .ends_with(&format!("not recognized as a name of a cmdlet, function, script file, or executable program. Did you mean '{}'?", c.name)),
            "{typo}: {err:?}"
        );
        // Get-Help and explain read the same entry.
        let (out, err, status) = run(&format!("Get-Help {}", c.name));
        assert_eq!(status, 0, "{err:?}");
        let help = out.join("\n");
        assert!(help.contains(&format!("NAME\n    {}\n", c.name)), "{help}");
        for p in c.params {
            assert!(help.contains(&format!("    -{} <", p.name)), "{help}");
        }
        let words = vec![c.name.to_string()];
        let explained = snaplab_console::explain::explain(&words).unwrap();
        assert_eq!(explained, format!("{}: {}\n", c.name, c.summary));
    }
    // A name the table lacks is refused, by the dispatcher and the pipeline.
    let (_, err, status) = run("Get-AzVM -ResourceGroupName rg");
    assert_eq!(status, 1);
    assert!(
        err[0].contains("The term 'Get-AzVM' is not recognized"),
        "{err:?}"
    );
    // A cmdlet binds piped objects by property name now (issue 21): a number
    // has no property it takes, so PowerShell's binding error is given.
    let (_, err, _) = run("@(1) | Get-AzDisk");
    assert_eq!(err, vec!["Get-AzDisk: The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."]);
}

#[test]
fn the_table_binds_aliases_mandatory_parameters_and_positions() {
    let mut c = Console::new(Lab::new());
    let t = c.run_pwsh("New-AzResourceGroup -Name rg -Location westeurope\n$d = New-AzDiskConfig -Location westeurope -CreateOption Empty -DiskSizeGB 8 -AccountType Premium_LRS\nNew-AzDisk -ResourceGroupName rg -DiskName d1 -Disk $d | Select-Object -ExpandProperty Sku | Select-Object -ExpandProperty Name\n(Get-AzDisk -ResourceGroupName rg -Name d1).DiskSizeGB");
    assert_eq!(t.status, 0, "{:?}", t.lines);
    assert!(t.stdout().ends_with("Premium_LRS\n8\n"), "{}", t.stdout());
    // Mandatory parameters are refused before the cmdlet runs, in order.
    let t = c.run_pwsh("New-AzSnapshot -ResourceGroupName rg -Snapshot $null");
    assert_eq!(t.stderr(), "New-AzSnapshot: Cannot validate argument on parameter 'SnapshotName'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.\n");
    let t = c.run_pwsh("New-AzSnapshot -ResourceGroupName rg -SnapshotName s");
    assert_eq!(
        t.stderr(),
        "New-AzSnapshot: Cannot validate argument on parameter 'Snapshot'. The argument is null.\n"
    );
    // Confirmation before anything else.
    let t = c.run_pwsh("Remove-AzDisk");
    assert!(
        t.stderr().contains("add -Force to confirm"),
        "{}",
        t.stderr()
    );
    // A positional argument binds to the positional parameter.
    let t = c.run_pwsh("$l = New-Object System.Collections.ArrayList\n$l.Add('a')\nStart-Sleep 2");
    assert_eq!((t.stdout().as_str(), t.status), ("0\n", 0));
    // A stage alone gets no input, as in PowerShell.
    let t = c.run_pwsh("Measure-Object");
    assert_eq!(t.stdout(), "\nCount : 0\n\n");
    // explain, from bash, for a cmdlet and its parameters.
    let t = c.run("explain Get-AzSnapshot -ResourceGroupName rg -Name s1 -Bogus");
    assert_eq!(t.stdout(), "Get-AzSnapshot: Gets a snapshot, or the snapshots of a resource group or subscription.\n  -ResourceGroupName rg — The resource group the snapshot is in.\n  -SnapshotName s1 — The name of the snapshot.\n  -Bogus — not a parameter of this cmdlet\n");
}

/// The last line a script printed before it was stopped, and its error.
fn stopped(script: &str) -> (String, String) {
    let started = Instant::now();
    let (out, err, status) = run(script);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{script}: too slow"
    );
    assert_eq!(status, 1, "{script}");
    (out.last().cloned().unwrap_or_default(), err.join("\n"))
}

#[test]
fn string_doubling_stops_at_the_shells_variable_limit() {
    let (last, err) = stopped("$s = 'x'\nwhile ($true) { $s.Length; $s = $s + $s }\n'after'");
    // 1 MiB is the last length a string reaches: the next doubling is refused.
    assert_eq!(last, "1048576");
    assert_eq!(err, "OutOfMemoryException: a string would hold more than 1 MiB (simulated: the simulator's size limit; PowerShell would go on until memory ran out). The script was stopped.");
    let (last, err) = stopped("$s = 'ab'\nwhile ($true) { $s.Length; $s += $s }");
    assert_eq!(last, "1048576");
    assert!(err.starts_with("OutOfMemoryException: a string"), "{err}");
    // Interpolation builds strings too.
    let (_, err) = stopped("$s = 'x' * 1048576\n\"$s$s\"");
    assert!(err.starts_with("OutOfMemoryException: a string"), "{err}");
}

#[test]
fn array_doubling_and_repetition_stop_at_the_value_limit() {
    let (last, err) = stopped("$a = @(1)\nwhile ($true) { $a.Count; $a += $a }");
    // 32 bytes an item: 2^18 items double to 2^19, 16 MiB, and a bit.
    assert_eq!(last, "262144");
    assert_eq!(err, "OutOfMemoryException: a value would hold more than 16 MiB (simulated: the simulator's size limit; PowerShell would go on until memory ran out). The script was stopped.");
    // `*` repeats strings and arrays, and weighs the repeat before building it.
    let (out, err, status) = run("'ab' * 3\n@(1, 2) * 2\n3 * 4\n'x' * 0");
    assert_eq!(
        (out, err, status),
        (
            vec![
                "ababab".into(),
                "1".into(),
                "2".into(),
                "1".into(),
                "2".into(),
                "12".into(),
                "".into()
            ],
            vec![],
            0
        )
    );
    let (_, err) = stopped("'x' * 1000000000000");
    assert!(err.starts_with("OutOfMemoryException: a string"), "{err}");
    let (_, err) = stopped("@(1, 2) * 1000000000000000");
    assert!(err.starts_with("OutOfMemoryException: an array"), "{err}");
    // .Add() grows a list one item at a time: weighed per item.
    let (last, err) = stopped("$s = 'x' * 1048576\n$l = New-Object System.Collections.ArrayList\nwhile ($true) { $i = $l.Add($s); $l.Count }");
    assert_eq!(last, "15");
    assert!(err.starts_with("OutOfMemoryException: a value"), "{err}");
    // A cmdlet's arguments are copies, weighed together.
    let many = " $a".repeat(100);
    let (_, err) = stopped(&format!("$a = @('x' * 1048576)\nWrite-Output{many}"));
    assert!(err.starts_with("OutOfMemoryException: a value"), "{err}");
    let (_, err) = stopped("$a = @('x' * 1048576) * 15\n$s = Write-Output $a");
    assert!(err.starts_with("OutOfMemoryException: a string"), "{err}");
    // Nesting a value in itself.
    let (last, err) = stopped("$a = 1\n$n = 0\nwhile ($true) { $a = @($a); $n = $n + 1; $n }");
    assert_eq!(last, "64");
    assert!(err.contains("nest more than 64 levels"), "{err}");
}

#[test]
fn output_and_tables_stay_within_their_budgets() {
    let (out, err, status) = run("$s = 'x' * 1048576\nwhile ($true) { $s }");
    assert_eq!(status, 1);
    // The eighth line of 1 MiB (with its newline) would pass 8 MiB.
    assert_eq!(out.len(), 7);
    assert_eq!(
        err,
        vec!["The script was stopped: it printed more than 8 MiB (the simulator's output limit)"]
    );
    let (out, err, _) = run("$i = 0\nwhile ($true) { $i }");
    assert!(out.len() <= 100_000, "{}", out.len());
    assert!(err[0].contains("limit"), "{err:?}");
    // One wide cell pads every row of a table.
    let (_, err) = stopped("$w = 'x' * 1000000\n$items = @(@{ Name = $w }) + (@(@{ Name = 'a' }) * 40)\n$items | Format-Table Name");
    assert!(err.starts_with("OutOfMemoryException: a table"), "{err}");
}

/// A PSResourceGroup is read from the group's REST body: the stored name
/// (as created, whatever case a later `-Name` uses) and its ARM id.
#[test]
fn a_resource_group_object_comes_from_its_rest_body() {
    let (out, err, status) = run(
        "New-AzResourceGroup -Name RG-Mixed -Location westeurope | Out-Null\n\
         $g = Get-AzResourceGroup -Name rg-mixed\n\
         $g.ResourceGroupName; $g.ResourceId; $g.Location; $g.ProvisioningState\n\
         (Get-AzResourceGroup).Count",
    );
    assert_eq!(status, 0, "{err:?}");
    assert_eq!(
        out,
        [
            "RG-Mixed",
            "/subscriptions/00000000-0000-0000-0000-5a0b1ab00001/resourceGroups/RG-Mixed",
            "westeurope",
            "Succeeded",
            "1",
        ]
    );
    let (_, err, status) = run("Get-AzResourceGroup -Name nowhere");
    assert_eq!(status, 1);
    assert!(
        err.iter()
            .any(|l| l.contains("Provided resource group does not exist.")),
        "{err:?}"
    );
}
