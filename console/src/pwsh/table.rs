//! What a cmdlet table entry is: a [`Cmdlet`] with its [`Param`]s and the
//! function that runs it as a command ([`CommandFn`], on bound [`Args`]) or
//! as a pipeline stage ([`StageFn`], on a [`StageCall`], running script
//! blocks through a [`Script`]). The entries themselves are in
//! [`super::cmdlets`] and [`super::pipeline`]; this module depends on
//! neither, nor on the evaluator, so the modules form no loop.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;
use snaplab_engine::{Command, EngineError};

use super::ast::{Expr, Stmt};
use super::value::{get_ci, text, PsError};
use crate::runner::Runner;

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
    /// Unnamed arguments bind to these, in table order (`Start-Sleep 5`,
    /// `Remove-AzDisk rg disk1`).
    pub positional: bool,
    /// Bound from a piped object's property of its name or an alias
    /// (Az.Compute's `ValueFromPipelineByPropertyName`).
    pub piped: bool,
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
            piped: false,
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
    pub const fn piped(mut self) -> Param {
        self.piped = true;
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

/// A cmdlet's arguments, bound to its parameters: named ones under their
/// canonical name (lower case), aliases resolved, the unnamed ones bound
/// in order to the positional parameters. Names the table does not know are kept
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
                    // `-Switch:$false` leaves the switch off, as PowerShell binds it.
                    Some(param) if param.ty == Type::Switch && value == Value::Bool(false) => {}
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
        // Unnamed arguments bind, in order, to the positional parameters not
        // given by name (Az.Compute: ResourceGroupName at 0, the name at 1).
        let free: Vec<String> = self
            .params
            .iter()
            .filter(|p| p.positional && !params.contains_key(&p.name.to_lowercase()))
            .map(|p| p.name.to_lowercase())
            .collect();
        for (key, value) in free.into_iter().zip(&positional) {
            params.insert(key, value.clone());
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

    /// The arguments a piped `item` adds to those written: each parameter
    /// not given that takes a property by name (`ResourceGroupName`, and
    /// `DiskName` by its alias `Name`), and each config object parameter
    /// the item's type is (`New-AzDiskConfig … | New-AzDisk`), as Az.Compute
    /// declares `ValueFromPipeline` for them.
    pub fn from_pipeline(
        &self,
        given: &[(Option<String>, Value)],
        item: &Value,
    ) -> Vec<(Option<String>, Value)> {
        let written = |p: &Param| {
            given.iter().any(|(g, _)| {
                g.as_deref().is_some_and(|g| {
                    p.name.eq_ignore_ascii_case(g)
                        || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(g))
                })
            })
        };
        let mut more = Vec::new();
        for p in self.params.iter().filter(|p| !written(p)) {
            let found = match p.ty {
                Type::Object(ty) => {
                    (item.get("@type").and_then(Value::as_str) == Some(ty)).then(|| item.clone())
                }
                _ if p.piped => std::iter::once(p.name)
                    .chain(p.aliases.iter().copied())
                    .find_map(|n| get_ci(item, n).filter(|v| !v.is_null()).cloned()),
                _ => None,
            };
            if let Some(value) = found {
                more.push((Some(p.name.to_string()), value));
            }
        }
        more
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

/// A value the interpreter computes later (it may pause for the page).
pub type Eventually<'s, T> = Pin<Box<dyn Future<Output = Result<T, PsError>> + 's>>;

/// What a pipeline stage needs of the interpreter: an argument evaluated,
/// and a script block run for an item as `$_`.
pub trait Script {
    fn eval_expr<'s>(&'s mut self, e: &'s Expr) -> Eventually<'s, Value>;
    fn run_block_for<'s>(&'s mut self, block: &'s [Stmt], item: &'s Value)
        -> Eventually<'s, Value>;
}

/// A stage's arguments as written (script blocks stay unevaluated: the
/// stage runs them per item), and the property names (`-Property`, or the
/// first unnamed argument) already evaluated.
pub struct StageCall<'a> {
    /// The cmdlet's name as the script wrote it.
    pub name: &'a str,
    pub args: &'a [(Option<String>, Option<Expr>)],
    pub names: Vec<String>,
}

impl StageCall<'_> {
    /// `-key value` (`Some(None)` for a switch).
    pub fn named(&self, key: &str) -> Option<Option<Expr>> {
        self.args
            .iter()
            .find(|(p, _)| p.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(key)))
            .map(|(_, v)| v.clone())
    }

    pub fn first_positional(&self) -> Option<&Expr> {
        self.args
            .iter()
            .filter(|(p, _)| p.is_none())
            .find_map(|(_, v)| v.as_ref())
    }

    /// The script block given as `-key { … }` or as the first argument.
    pub fn block(&self, key: &str) -> Option<Vec<Stmt>> {
        match self
            .named(key)
            .flatten()
            .or_else(|| self.first_positional().cloned())
        {
            Some(Expr::Block(body)) => Some(body),
            _ => None,
        }
    }

    /// `-Property a, b`, or the first unnamed argument unless it is a block:
    /// evaluated once, before the stage runs.
    pub fn property_argument(args: &[(Option<String>, Option<Expr>)]) -> Option<Expr> {
        let call = StageCall {
            name: "",
            args,
            names: Vec::new(),
        };
        call.named("property")
            .flatten()
            .or_else(|| call.first_positional().cloned())
            .filter(|e| !matches!(e, Expr::Block(_)))
    }
}

pub type StageFuture<'s> = Eventually<'s, Vec<Value>>;

/// Runs a stage on the items piped into it.
pub type StageFn = for<'s> fn(&'s mut dyn Script, &'s StageCall<'s>, Vec<Value>) -> StageFuture<'s>;
