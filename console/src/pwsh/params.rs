//! Every parameter the real cmdlets declare, from
//! `console/data/pwsh-params.json` (read from Az.Compute's, Az.Resources',
//! Az.Accounts' and PowerShell's public source; how: docs/fidelity.md), and
//! how PowerShell's binder resolves a written name against them: an exact
//! name or alias first, then a unique prefix; none is
//! `NamedParameterNotFound`, several is ambiguous. The table in
//! [`super::cmdlets`] says which of them the simulator models; the rest are
//! accepted with a warning, as the az side does for its unmodelled options.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::table::Cmdlet;

pub const DESCRIPTION_JSON: &str = include_str!("../../data/pwsh-params.json");

/// One parameter as the cmdlet's source declares it.
#[derive(Debug, Deserialize)]
pub struct Described {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default)]
    pub position: Option<u32>,
    /// The parameter sets it belongs to (all when empty).
    #[serde(default)]
    pub sets: Vec<String>,
}

impl Described {
    fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

#[derive(Debug, Deserialize)]
pub struct DescribedCmdlet {
    pub module: String,
    /// `repository:path@commit` of the file read.
    pub source: String,
    /// `SupportsShouldProcess`: -WhatIf and -Confirm exist.
    pub should_process: bool,
    pub parameters: Vec<Described>,
}

#[derive(Debug, Deserialize)]
pub struct Description {
    /// PowerShell's common parameters, on every cmdlet.
    pub common: Vec<Described>,
    /// -WhatIf and -Confirm.
    pub should_process: Vec<Described>,
    pub cmdlets: BTreeMap<String, DescribedCmdlet>,
}

/// The description, parsed once.
pub fn description() -> &'static Description {
    static PARSED: OnceLock<Description> = OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str(DESCRIPTION_JSON).expect("console/data/pwsh-params.json parses")
    })
}

/// What a written parameter name binds to.
#[derive(Debug, PartialEq, Eq)]
pub enum Bound {
    /// A parameter the simulator models: the name to hand the binder (as
    /// written when it is a name or alias, completed when a prefix).
    Modelled(String),
    /// A real parameter the simulator does not model: its full name.
    Unmodelled(String),
}

/// Every parameter `cmdlet` has in PowerShell, in declaration order: its
/// own (the description's, or the table's when it is not described), then
/// the common ones.
pub fn all_parameters(cmdlet: &Cmdlet) -> Vec<&'static Described> {
    let d = description();
    let mut out: Vec<&Described> = Vec::new();
    let own = d.cmdlets.get(cmdlet.name);
    if let Some(own) = own {
        out.extend(&own.parameters);
    }
    out.extend(&d.common);
    if own.is_some_and(|o| o.should_process) {
        out.extend(&d.should_process);
    }
    out
}

/// Resolves `given` (without its dash) for `cmdlet` as PowerShell's binder
/// does; the error is PowerShell's message, after the cmdlet's name.
pub fn resolve(cmdlet: &Cmdlet, given: &str) -> Result<Bound, String> {
    // A name in the table is always modelled, even were it not described.
    if cmdlet.param(given).is_some() {
        return Ok(Bound::Modelled(given.to_string()));
    }
    let all = all_parameters(cmdlet);
    let exact = all
        .iter()
        .find(|p| p.names().any(|n| n.eq_ignore_ascii_case(given)));
    let found = match exact {
        Some(p) => *p,
        None => {
            let lower = given.to_lowercase();
            let matches: Vec<&'static Described> = all
                .iter()
                .copied()
                .filter(|p| p.names().any(|n| n.to_lowercase().starts_with(&lower)))
                .collect();
            match matches.as_slice() {
                [] => {
                    return Err(format!(
                        "A parameter cannot be found that matches parameter name '{given}'."
                    ))
                }
                [one] => *one,
                many => {
                    let names: String = many.iter().map(|p| format!(" -{}", p.name)).collect();
                    return Err(format!("Parameter cannot be processed because the parameter name '{given}' is ambiguous. Possible matches include:{names}."));
                }
            }
        }
    };
    Ok(match cmdlet.param(&found.name) {
        Some(p) => Bound::Modelled(p.name.to_string()),
        None => Bound::Unmodelled(found.name.clone()),
    })
}

/// The warning for a parameter accepted and not modelled, worded as the az
/// side's.
pub fn unmodelled_warning(name: &str) -> String {
    format!("WARNING: simulated: -{name} is accepted and not modelled")
}

/// What `-WhatIf` reports for a cmdlet, where the simulator knows it: the
/// parameter that names the target and the operation. Az.Compute's
/// generated disk and snapshot cmdlets call `ShouldProcess(<the disk's or
/// snapshot's name>, <the cmdlet's verb>)` (read in DiskDeleteMethod.cs and
/// DiskGrantAccessMethod.cs; one generator writes them all), which
/// PowerShell reports as `What if: Performing the operation "Remove" on
/// target "d1".` and then does not run the cmdlet.
pub fn what_if(cmdlet: &str) -> Option<(&'static str, &'static str)> {
    let verb = cmdlet.split('-').next()?;
    let target = match cmdlet.split_once("-Az")?.1 {
        "Disk" | "DiskAccess" => "diskname",
        "Snapshot" | "SnapshotAccess" => "snapshotname",
        _ => return None,
    };
    let verb = match verb {
        "New" => "New",
        "Update" => "Update",
        "Remove" => "Remove",
        "Grant" => "Grant",
        "Revoke" => "Revoke",
        _ => return None,
    };
    Some((target, verb))
}

/// PowerShell's `-WhatIf` line.
pub fn what_if_line(target: &str, operation: &str) -> String {
    format!("What if: Performing the operation \"{operation}\" on target \"{target}\".")
}

/// `-WhatIf` asks what a cmdlet would do without doing it. Where the
/// simulator does not know ShouldProcess's report (the resource group and
/// config cmdlets), running the cmdlet would do exactly what the learner
/// asked not to, so it is refused, labelled.
pub fn what_if_refusal(cmdlet: &str) -> String {
    format!("{cmdlet}: simulated: -WhatIf is not modelled, so {cmdlet} did not run and changed nothing (run it without -WhatIf to make the change).")
}
