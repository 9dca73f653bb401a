//! The cmdlets, one table entry each ([`Cmdlet`]: name, aliases,
//! parameters with their aliases, types and whether mandatory, and what runs
//! it), as az's `Spec` does for az. The table is the only list: the
//! evaluator dispatches through it, the parser takes a pipeline stage's
//! short name from it, and `Get-Help`, "did you mean" and `explain` read it.
//!
//! | cmdlets | file |
//! |---|---|
//! | resource groups | [`group`] |
//! | disks | [`disk`] |
//! | snapshots | [`snapshot`] |
//! | the rest: sleep, output, `New-Object`, sign-in | [`util`] |
//! | `Get-Help`, which reads the table, and the table itself | here |
//! | pipeline stages (`Where-Object`, …) | [`super::pipeline`] |

use serde_json::Value;

use super::table::{Args, Cmdlet, Param, Type};
use super::value::PsError;
use crate::runner::Runner;

pub mod disk;
pub mod group;
pub mod snapshot;
pub mod util;

/// `Get-Help`: kept with the table it reads.
const HELP: &[Cmdlet] = &[Cmdlet {
    name: "Get-Help",
    aliases: &[],
    summary: "Shows what a cmdlet does and its parameters; all cmdlets when none is named.",
    params: &[Param::new("Name", "The cmdlet to describe.").positional()],
    confirms: false,
    command: Some(get_help),
    stage: None,
}];

/// Every cmdlet, in the order `Get-Help` lists them.
pub static GROUPS: &[&[Cmdlet]] = &[
    group::CMDLETS,
    disk::CMDLETS,
    snapshot::CMDLETS,
    util::CMDLETS,
    HELP,
    super::pipeline::CMDLETS,
];

pub fn all() -> impl Iterator<Item = &'static Cmdlet> {
    GROUPS.iter().flat_map(|g| g.iter())
}

/// The cmdlet `name` (or an alias of it) names, in any case.
pub fn find(name: &str) -> Option<&'static Cmdlet> {
    all().find(|c| {
        c.name.eq_ignore_ascii_case(name) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The closest cmdlet name to a misspelled one.
pub fn suggest(name: &str) -> Option<&'static str> {
    let names: Vec<&str> = all().map(|c| c.name).collect();
    crate::suggest::closest(name, &names)
}

/// PowerShell's error for a command name it does not know, with the
/// closest cmdlet (the evaluator's error, and the console's advice while
/// typing).
pub fn not_recognized(name: &str) -> String {
    let hint = suggest(name)
        .map(|c| format!(" Did you mean '{c}'?"))
        .unwrap_or_default();
    format!("{name}: The term '{name}' is not recognized as a name of a cmdlet, function, script file, or executable program.{hint}")
}

/// The stages that run only in a pipeline, as a sentence ("A, B and C").
pub fn pipeline_only() -> String {
    let names: Vec<&str> = all()
        .filter(|c| c.stage.is_some() && c.command.is_none())
        .map(|c| c.name)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.to_string(),
        None => String::new(),
    }
}

/// `explain Get-AzDisk -ResourceGroupName rg`: each parameter of a cmdlet,
/// from the table. `None` when the first word names no cmdlet.
pub fn explain(argv: &[String]) -> Option<String> {
    let cmdlet = find(argv.first()?)?;
    let mut out = format!("{}: {}\n", cmdlet.name, cmdlet.summary);
    let mut rest = argv[1..].iter().peekable();
    while let Some(word) = rest.next() {
        let Some(given) = word.strip_prefix('-') else {
            out += &format!("  {word} — a value for the first positional parameter\n");
            continue;
        };
        match cmdlet.param(given) {
            Some(p) => {
                let value = match p.ty {
                    Type::Switch => None,
                    _ => rest.next_if(|w| !w.starts_with('-')).cloned(),
                };
                out += &format!(
                    "  -{}{} — {}\n",
                    p.name,
                    value.map(|v| format!(" {v}")).unwrap_or_default(),
                    p.help
                );
            }
            None => out += &format!("  {word} — not a parameter of this cmdlet\n"),
        }
    }
    Some(out)
}

fn get_help(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let Some(name) = args.get("name") else {
        let lines: Vec<String> = all()
            .map(|c| format!("{:<26} {}", c.name, c.summary))
            .collect();
        return Ok(Value::String(format!(
            "\nName                       Synopsis\n----                       --------\n{}\n",
            lines.join("\n")
        )));
    };
    match find(&name) {
        Some(cmdlet) => Ok(Value::String(cmdlet.help())),
        None => {
            let hint = suggest(&name)
                .map(|c| format!(" Did you mean '{c}'?"))
                .unwrap_or_default();
            Err(args.fail(format!(
                "Get-Help could not find {name} in a help file in this session.{hint}"
            )))
        }
    }
}
