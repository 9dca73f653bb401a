//! Resource groups: `New-AzResourceGroup`, `Get-AzResourceGroup`,
//! `Remove-AzResourceGroup`.

use serde_json::Value;
use snaplab_engine::{cmd, Command};

use crate::pwsh::objects::ps_group;
use crate::pwsh::table::{Args, Cmdlet, Param, Type};
use crate::pwsh::value::PsError;
use crate::runner::Runner;

pub const CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "New-AzResourceGroup",
        aliases: &[],
        summary: "Creates an Azure resource group.",
        params: &[
            Param::new("Name", "The name of the resource group.").mandatory(),
            Param::new("Location", "The Azure region it lives in (westeurope).").mandatory(),
        ],
        confirms: false,
        command: Some(new),
        stage: None,
    },
    Cmdlet {
        name: "Get-AzResourceGroup",
        aliases: &[],
        summary: "Gets resource groups: one by name, or all in the subscription.",
        params: &[Param::new(
            "Name",
            "The resource group to get; all when left out.",
        )],
        confirms: false,
        command: Some(get),
        stage: None,
    },
    Cmdlet {
        name: "Remove-AzResourceGroup",
        aliases: &[],
        summary: "Removes a resource group and everything in it.",
        params: &[
            Param::new("Name", "The resource group to remove.").mandatory(),
            Param::new("Force", "Removes without asking.").ty(Type::Switch),
        ],
        confirms: true,
        command: Some(remove),
        stage: None,
    },
];

fn new(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let group = args.need("name", "Name")?;
    let location = args.need("location", "Location")?;
    args.exec(
        rt,
        Command::CreateGroup(cmd::CreateGroup {
            name: group.clone(),
            location,
        }),
    )?;
    found(rt, args, &group)
}

/// The group of the current subscription named `name`, as a PSResourceGroup.
fn found(rt: &Runner, args: &Args, name: &str) -> Result<Value, PsError> {
    let lab = rt.lab();
    lab.group(&lab.current_subscription().id, name)
        .map(ps_group)
        .ok_or_else(|| args.fail("Provided resource group does not exist."))
}

fn get(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    Ok(match args.get("name") {
        Some(group) => found(rt, args, &group)?,
        None => Value::Array(
            rt.lab()
                .groups()
                .filter(|g| g.subscription == rt.lab().current_subscription().id)
                .map(ps_group)
                .collect(),
        ),
    })
}

fn remove(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    args.exec(
        rt,
        Command::DeleteGroup(cmd::DeleteGroup {
            name: args.need("name", "Name")?,
        }),
    )?;
    Ok(Value::Bool(true))
}
