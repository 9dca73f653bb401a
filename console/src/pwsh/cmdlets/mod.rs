//! The cmdlets, one table entry each: name, aliases, parameters (their
//! aliases, types, whether mandatory) and what runs it, as az's `Spec` does
//! for az. The table is the only list: the evaluator dispatches through it,
//! the parser takes a pipeline stage's alias from it, and `Get-Help`, "did
//! you mean" and `explain` read it.
//!
//! | cmdlets | file |
//! |---|---|
//! | resource groups | [`group`] |
//! | disks | [`disk`] |
//! | snapshots | [`snapshot`] |
//! | the rest: sleep, output, `New-Object`, `Get-Help`, sign-in | [`util`] |
//! | pipeline stages (`Where-Object`, …) | [`super::pipeline`] |

use std::collections::BTreeMap;

use serde_json::Value;
use snaplab_engine::{Command, EngineError};

use super::pipeline::StageFn;
use super::value::{text, PsError};
use crate::runner::Runner;

pub mod disk;
pub mod group;
pub mod snapshot;
pub mod util;

/// What a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    /// Present or not (`-Force`, `-Incremental`).
    Switch,
    /// An object another cmdlet made (`-Snapshot $config`): its .NET type.
    Object(&'static str),
    /// A script block (`{ $_.Incremental }`).
    Block,
    /// One property name or several (`-Property Name, DiskSizeGB`).
    Names,
    /// Anything (`Write-Output`'s objects).
    Any,
}

impl Type {
    /// As `Get-Help` shows it.
    pub fn shown(self) -> &'static str {
        match self {
            Type::String => "String",
            Type::Number => "Int32",
            Type::Switch => "SwitchParameter",
            Type::Object(t) => t,
            Type::Block => "ScriptBlock",
            Type::Names => "Object[]",
            Type::Any => "PSObject[]",
        }
    }
}

pub struct Param {
    pub name: &'static str,
    /// Other names Az.Compute declares for it (`-AccountType` for `-SkuName`).
    pub aliases: &'static [&'static str],
    pub ty: Type,
    /// Refused, before the cmdlet runs, when missing (or null, or empty).
    pub mandatory: bool,
    /// The first unnamed argument binds to it (`Start-Sleep 5`).
    pub positional: bool,
    pub help: &'static str,
}

impl Param {
    /// A parameter only its name and help describe (a string, optional).
    pub const fn new(name: &'static str, help: &'static str) -> Param {
        Param {
            name,
            aliases: &[],
            ty: Type::String,
            mandatory: false,
            positional: false,
            help,
        }
    }
    pub const fn ty(mut self, ty: Type) -> Param {
        self.ty = ty;
        self
    }
    pub const fn mandatory(mut self) -> Param {
        self.mandatory = true;
        self
    }
    pub const fn positional(mut self) -> Param {
        self.positional = true;
        self
    }
    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Param {
        self.aliases = aliases;
        self
    }
}

/// Runs a cmdlet on its bound arguments.
pub type CommandFn = fn(&mut Runner, &Args) -> Result<Value, PsError>;

pub struct Cmdlet {
    pub name: &'static str,
    /// Short names PowerShell knows it by (`?`, `where`, `ft`).
    pub aliases: &'static [&'static str],
    pub summary: &'static str,
    pub params: &'static [Param],
    /// Azure PowerShell asks before it deletes; the console cannot answer,
    /// so -Force is needed, as in a script run without a host.
    pub confirms: bool,
    /// What it does as a command (`Get-AzDisk -ResourceGroupName rg`).
    pub command: Option<CommandFn>,
    /// What it does to the items piped into it (`… | Sort-Object Name`).
    pub stage: Option<StageFn>,
}

/// Every cmdlet, in the order `Get-Help` lists them.
pub static GROUPS: &[&[Cmdlet]] = &[
    group::CMDLETS,
    disk::CMDLETS,
    snapshot::CMDLETS,
    util::CMDLETS,
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

/// A cmdlet's arguments, bound to its parameters: named ones under their
/// canonical name (lower case), aliases resolved, the first unnamed one
/// bound to a positional parameter. Names the table does not know are kept
/// as written and not used.
pub struct Args<'a> {
    /// The cmdlet's name as the script wrote it (errors quote it so).
    pub name: &'a str,
    params: BTreeMap<String, Value>,
    pub positional: Vec<Value>,
}

impl Cmdlet {
    /// The parameter `given` names (its name or an alias, any case).
    pub fn param(&self, given: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| {
            p.name.eq_ignore_ascii_case(given)
                || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(given))
        })
    }

    /// Binds evaluated arguments, then refuses what the table says is
    /// missing (confirmation first, then each mandatory parameter in order).
    pub fn bind<'a>(
        &self,
        name: &'a str,
        given: Vec<(Option<String>, Value)>,
    ) -> Result<Args<'a>, PsError> {
        let mut params = BTreeMap::new();
        let mut by_alias = Vec::new();
        let mut positional = Vec::new();
        for (p, value) in given {
            match p {
                Some(p) => match self.param(&p) {
                    Some(param) if param.name.eq_ignore_ascii_case(&p) => {
                        params.insert(param.name.to_lowercase(), value);
                    }
                    // A name given outright wins over the same given by alias.
                    Some(param) => by_alias.push((param.name.to_lowercase(), value)),
                    None => {
                        params.insert(p.to_lowercase(), value);
                    }
                },
                None => positional.push(value),
            }
        }
        for (key, value) in by_alias {
            params.entry(key).or_insert(value);
        }
        if let (Some(p), Some(first)) = (
            self.params.iter().find(|p| p.positional),
            positional.first(),
        ) {
            params
                .entry(p.name.to_lowercase())
                .or_insert_with(|| first.clone());
        }
        let args = Args {
            name,
            params,
            positional,
        };
        if self.confirms && !args.has("force") {
            return Err(args.fail("the simulator's console cannot answer the confirmation prompt; add -Force to confirm."));
        }
        for p in self.params.iter().filter(|p| p.mandatory) {
            match p.ty {
                Type::Object(_) => {
                    args.config(&p.name.to_lowercase(), p.name)?;
                }
                _ => {
                    args.need(&p.name.to_lowercase(), p.name)?;
                }
            }
        }
        Ok(args)
    }

    /// The syntax line `Get-Help` shows: `Name -Param <Type> [-Opt <Type>]`.
    pub fn syntax(&self) -> String {
        let mut line = self.name.to_string();
        for p in self.params {
            let shown = match p.ty {
                Type::Switch => format!("-{}", p.name),
                ty if p.positional => format!("[-{}] <{}>", p.name, ty.shown()),
                ty => format!("-{} <{}>", p.name, ty.shown()),
            };
            if p.mandatory {
                line += &format!(" {shown}");
            } else {
                line += &format!(" [{shown}]");
            }
        }
        line
    }

    /// What `Get-Help <cmdlet>` prints.
    pub fn help(&self) -> String {
        let mut out = format!(
            "\nNAME\n    {}\n\nSYNOPSIS\n    {}\n\nSYNTAX\n    {}\n",
            self.name,
            self.summary,
            self.syntax()
        );
        if !self.aliases.is_empty() {
            out += &format!("\nALIASES\n    {}\n", self.aliases.join(", "));
        }
        if !self.params.is_empty() {
            out += "\nPARAMETERS\n";
        }
        for p in self.params {
            out += &format!("    -{} <{}>\n        {}\n", p.name, p.ty.shown(), p.help);
            out += &format!("        Required?  {}\n", p.mandatory);
            if !p.aliases.is_empty() {
                out += &format!("        Aliases    {}\n", p.aliases.join(", "));
            }
        }
        if self.confirms {
            out += "\nREMARKS\n    Simulated: the console cannot answer a confirmation prompt, so -Force is needed.\n";
        }
        out
    }
}

impl Args<'_> {
    pub fn has(&self, key: &str) -> bool {
        self.params.contains_key(key)
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.params.get(key)
    }

    /// A parameter's text, if it was given and not $null.
    pub fn get(&self, key: &str) -> Option<String> {
        self.params.get(key).filter(|v| !v.is_null()).map(text)
    }

    /// A parameter's value as given (a number stays a number), or $null.
    pub fn raw(&self, key: &str) -> Value {
        self.params.get(key).cloned().unwrap_or(Value::Null)
    }

    /// A parameter that must be there and not empty, as PowerShell's
    /// validation says it.
    pub fn need(&self, key: &str, shown: &str) -> Result<String, PsError> {
        self.get(key).filter(|v| !v.is_empty()).ok_or_else(|| self.fail(format!("Cannot validate argument on parameter '{shown}'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.")))
    }

    /// A config object a cmdlet takes (-Snapshot, -Disk, -DiskUpdate).
    pub fn config(&self, key: &str, shown: &str) -> Result<Value, PsError> {
        self.params.get(key).cloned().ok_or_else(|| {
            self.fail(format!(
                "Cannot validate argument on parameter '{shown}'. The argument is null."
            ))
        })
    }

    /// An error this cmdlet reports.
    pub fn fail(&self, message: impl std::fmt::Display) -> PsError {
        PsError::new(format!("{}: {message}", self.name))
    }

    pub fn engine(&self, e: &EngineError) -> PsError {
        PsError::engine(self.name, e)
    }

    /// Runs an engine command through the runner (lesson locks, the record).
    pub fn exec(&self, rt: &mut Runner, command: Command) -> Result<String, PsError> {
        rt.execute(command).map_err(|e| self.engine(&e))
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
