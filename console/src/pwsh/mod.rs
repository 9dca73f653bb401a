//! The Azure PowerShell subset seed 001's blocks use: variables, strings
//! with `$var` and `$($expr)` interpolation, property access (case-
//! insensitive, as PowerShell is), `foreach`, `if`/`elseif`/`else`,
//! `-and -or -not`, the comparison operators (`-eq`, `-like`, `-match`
//! with `$Matches`, `-in`, `-contains`, `-replace`, …), splatting (`@params`),
//! objects piped into Az cmdlets bound by property name, `$true $false $null`,
//! `New-Object System.Collections.ArrayList` with `.Add()` (which prints the
//! new index, as PowerShell does), and the Az cmdlets for disks and snapshots.
//! Objects print as `Format-List` does. Parsing never panics: bad input is a
//! [`ParseError`](crate::ParseError) with line and column.
//!
//! | stage | file |
//! |---|---|
//! | characters → tokens with line and column | [`lexer`] |
//! | tokens → syntax tree | [`parser`] |
//! | the syntax tree, printable as PowerShell | [`ast`] |
//! | running it: statements, expressions, dispatch through the table | [`eval`] |
//! | every parameter the real cmdlets have, and how a written name resolves | [`params`] |
//! | what a table entry is: a cmdlet, its parameters, bound arguments | [`table`] |
//! | the cmdlets: one table entry each, by resource; lookup, help, explain | [`cmdlets`] |
//! | pipeline stages (`Where-Object`, `Select-Object`, `Format-Table`, …) | [`pipeline`] |
//! | comparisons: `-eq`, `-like`, `-match`, `-in`, `-replace`, … | [`compare`] |
//! | values: truth, text, operators, and the size budgets | [`value`] |
//! | Az objects (`PSDisk`, `PSSnapshot`, `PSResourceGroup`) | [`objects`] |
//! | printing: `Format-List`, `Format-Table`, hashtables | [`format`] |

pub mod ast;
pub mod cmdlets;
pub mod compare;
pub mod eval;
mod format;
pub mod lexer;
mod objects;
pub mod params;
pub mod parser;
pub mod pipeline;
pub mod table;
pub mod value;

pub use cmdlets::explain;
pub use eval::Interpreter;
pub use parser::{check, parse};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Runner;
    use crate::Line;
    use std::collections::BTreeMap;

    fn run(script: &str) -> (Vec<Line>, i32) {
        let mut lab = snaplab_engine::Lab::new();
        let (mut executed, mut vars, locks) = (Vec::new(), BTreeMap::new(), crate::Locks::none());
        let rt = Runner::new(&mut lab, &locks, &mut executed);
        crate::pace::finish(Interpreter::new(rt, &mut vars, &mut crate::pace::Straight).run(script))
    }

    #[test]
    fn variables_interpolation_conditions_and_arraylist_add_printing_the_index() {
        let (out, status) = run("$a = 5\n$name = \"disk\"\n$list = New-Object System.Collections.ArrayList\nforeach ($i in @(1, 2, 3)) { if ($i -gt 1 -and -not ($i -eq 3)) { $list.Add(\"$name-$i\") } elseif ($i -eq 3) { Write-Output \"three $($a)\" } else { 'one' } }\n$list");
        assert_eq!(status, 0);
        let texts: Vec<String> = out
            .iter()
            .map(|l| match l {
                Line::Out(s) | Line::Err(s) => s.clone(),
            })
            .collect();
        assert_eq!(texts, vec!["one", "0", "three 5", "disk-2"]);
    }

    #[test]
    fn braced_variables_expand_in_strings_with_a_colon_after_them() {
        let (out, status) =
            run("$diskName = \"app-disk\"\nWrite-Output \"Snapshots of ${diskName}: 2\"");
        assert_eq!(status, 0);
        assert_eq!(out, vec![Line::Out("Snapshots of app-disk: 2".into())]);
    }

    #[test]
    fn parse_errors_have_line_and_column() {
        let e = check("$a = 1\nif ($a -eq 1 { }").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "expected ')'"));
        assert!(check("$x = \"open")
            .unwrap_err()
            .message
            .contains("not closed"));
        assert!(check("foreach ($x in $y) {").is_err());
    }

    /// The tree of `script`, printed back as PowerShell.
    fn tree(script: &str) -> String {
        parse(script)
            .unwrap()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn loops_and_hashtables_parse_into_their_own_nodes() {
        assert_eq!(
            tree("do {\n  $n = $n + 1\n} while ($n -lt 3)"),
            "do { $n = ($n + 1) } while (($n -lt 3))"
        );
        assert_eq!(
            tree("do { $n = $n - 1 } until ($n -eq 0)"),
            "do { $n = ($n - 1) } until (($n -eq 0))"
        );
        assert_eq!(tree("while ($true) { 'x' }"), "while ($true) { 'x' }");
        // `+=` and its kin are assignments of the operation, as PowerShell defines them.
        assert_eq!(tree("$a += $a"), "$a = ($a + $a)");
        assert_eq!(tree("$n -= 1; $s *= 2"), "$n = ($n - 1)\n$s = ($s * 2)");
        assert_eq!(
            tree("$h = @{\n  Name = 'disk1'\n  'Size GB' = 4; Zone = @(1)\n}"),
            "$h = @{Name = 'disk1'; 'Size GB' = 4; Zone = @(1)}"
        );
        assert_eq!(tree("$s[0].Name"), "($s[0]).Name");
        assert_eq!(tree("$s[$i + 1]"), "$s[($i + 1)]");
        assert!(check("do { 1 }")
            .unwrap_err()
            .message
            .contains("needs 'while"));
        assert!(check("$h = @{ = 1 }")
            .unwrap_err()
            .message
            .contains("hashtable key"));
    }

    #[test]
    fn the_parser_builds_the_tree_of_each_construct() {
        assert_eq!(tree("$rg = 'rg-seed'"), "$rg = 'rg-seed'");
        assert_eq!(
            tree("$snapshots = Get-AzSnapshot -ResourceGroupName $rg"),
            "$snapshots = Get-AzSnapshot -ResourceGroupName $rg"
        );
        assert_eq!(
            tree("foreach ($s in $snapshots) { if ($s.Incremental -eq $true -and -not ($s.Name -eq 'x')) { $list.Add($s.Name) } elseif ($s.DiskSizeGB -gt 4) { 'big' } else { Write-Output \"$($s.Name)\" } }"),
            "foreach ($s in $snapshots) { if ((($s.Incremental -eq $true) -and -not ($s.Name -eq 'x'))) { $list.Add($s.Name) } elseif (($s.DiskSizeGB -gt 4)) { 'big' } else { Write-Output \"$($s.Name)\" } }"
        );
        assert_eq!(tree("$a = @(1, 'two', $null)"), "$a = @(1, 'two', $null)");
        assert_eq!(
            tree("$x = $(Get-AzDisk)\n$y = $x.Sku.Name"),
            "$x = $(Get-AzDisk)\n$y = $x.Sku.Name"
        );
        assert_eq!(tree("New-AzSnapshotConfig -SourceUri $d.Id -Location westeurope -CreateOption Copy -Incremental"),
            "New-AzSnapshotConfig -SourceUri $d.Id -Location 'westeurope' -CreateOption 'Copy' -Incremental");
        // Pipelines, script blocks, arithmetic and members of an expression.
        assert_eq!(
            tree("$s | Where-Object { $_.Incremental } | Select-Object -First 1 -ExpandProperty Name"),
            "$s | Where-Object { $_.Incremental } | Select-Object -First 1 -ExpandProperty 'Name'"
        );
        assert_eq!(
            tree("$n = 'n=' + $x.Count * 2 - 1"),
            "$n = (('n=' + ($x.Count * 2)) - 1)"
        );
        assert_eq!(
            tree("($s | Measure-Object).Count"),
            "($s | Measure-Object).Count"
        );
        assert_eq!(
            tree("$s | ? { $_.Name -like 'a' } | % { $_.Name }"),
            "$s | Where-Object { ($_.Name -like 'a') } | ForEach-Object { $_.Name }"
        );
    }

    #[test]
    fn parse_errors_are_positioned_and_nesting_is_bounded() {
        let e = parse("$a = 1\nforeach ($x in @(1)) {\n  $y = 2\n").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        let e = parse("$a = (1").unwrap_err();
        assert_eq!(e.line, 1);
        let deep = "(".repeat(5_000) + "1" + &")".repeat(5_000);
        assert!(parse(&deep).unwrap_err().message.contains("deeper than 64"));
        let deep_blocks = "if ($true) { ".repeat(500) + &"}".repeat(500);
        assert!(parse(&deep_blocks)
            .unwrap_err()
            .message
            .contains("deeper than 64"));
        let deep_sub = "$(".repeat(3_000) + &")".repeat(3_000);
        assert!(parse(&deep_sub).is_err());
        assert!(parse(&("(".repeat(30) + "1" + &")".repeat(30))).is_ok());
    }
}
