//! The cmdlets around the Az ones: `Start-Sleep` (simulated time),
//! `Write-Output`/`Write-Host`, `New-Object` (an ArrayList), and the set-up
//! lines docs begin with
//! (`Install-Module`, `Connect-AzAccount`), which are simulated.

use serde_json::Value;
use snaplab_engine::{cmd, Command};

use crate::pwsh::pipeline;
use crate::pwsh::table::{Args, Cmdlet, Param, Type};
use crate::pwsh::value::{fits_string, text, PsError};
use crate::runner::Runner;

pub const CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "Start-Sleep",
        aliases: &[],
        summary: "Waits: the lab's simulated clock moves on, so a 'wait until done' loop ends.",
        params: &[Param::new("Seconds", "How many seconds to wait.")
            .ty(Type::Number)
            .positional()],
        confirms: false,
        command: Some(start_sleep),
        stage: None,
    },
    Cmdlet {
        name: "New-Object",
        aliases: &[],
        summary: "Creates an object: System.Collections.ArrayList in the simulator.",
        params: &[Param::new("TypeName", "The .NET type to create.").positional()],
        confirms: false,
        command: Some(new_object),
        stage: None,
    },
    Cmdlet {
        name: "Write-Output",
        aliases: &[],
        summary: "Writes objects to the pipeline (and so to the console).",
        params: &[Param::new(
            "InputObject",
            "The objects to write (the unnamed arguments).",
        )
        .ty(Type::Any)],
        confirms: false,
        command: Some(write),
        stage: Some(pipeline::write_output),
    },
    Cmdlet {
        name: "Write-Host",
        aliases: &[],
        summary: "Writes text to the console.",
        params: &[Param::new("Object", "The text to write (the unnamed arguments).").ty(Type::Any)],
        confirms: false,
        command: Some(write),
        stage: None,
    },
    Cmdlet {
        name: "Install-Module",
        aliases: &[],
        summary: "Simulated: the Az module is built into Snaplab.",
        params: &[Param::new("Name", "The module (Az).")],
        confirms: false,
        command: Some(install_module),
        stage: None,
    },
    Cmdlet {
        name: "Connect-AzAccount",
        aliases: &[],
        summary: "Simulated: signs in as the lab's trainer account.",
        params: &[],
        confirms: false,
        command: Some(connect),
        stage: None,
    },
];

fn start_sleep(rt: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let seconds = args
        .get("seconds")
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s >= 0.0)
        .ok_or_else(|| {
            args.fail("Cannot validate argument on parameter 'Seconds'. Give a number of seconds.")
        })?;
    let millis = (seconds * 1000.0).ceil() as u64;
    if millis > 0 {
        args.exec(rt, Command::AdvanceClock(cmd::AdvanceClock { millis }))?;
    }
    Ok(Value::Null)
}

fn new_object(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let kind = args.get("typename").unwrap_or_default();
    if kind.eq_ignore_ascii_case("System.Collections.ArrayList") {
        Ok(Value::Array(vec![]))
    } else {
        Err(PsError::new(format!(
            "New-Object: the simulator creates System.Collections.ArrayList only, not '{kind}'."
        )))
    }
}

/// `Write-Output` and `Write-Host` as commands: their arguments' text.
fn write(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    let named = args.value("inputobject").or(args.value("object"));
    let given = match (args.positional.is_empty(), named) {
        (true, Some(v)) => vec![v.clone()],
        _ => args.positional.clone(),
    };
    let joined = given.iter().map(text).collect::<Vec<_>>().join(" ");
    fits_string(joined.len())?;
    Ok(Value::String(joined))
}

fn install_module(_: &mut Runner, args: &Args) -> Result<Value, PsError> {
    Ok(Value::String(format!(
        "Install-Module: simulated. The Az module ({}) is built into Snaplab.",
        args.get("name").unwrap_or_else(|| "Az".into())
    )))
}

fn connect(rt: &mut Runner, _: &Args) -> Result<Value, PsError> {
    let sub = rt.lab().current_subscription();
    Ok(Value::String(format!("Account                  SubscriptionName  TenantId                             Environment\n-------                  ----------------  --------                             -----------\ntrainer@snaplab.example  {}  00000000-0000-0000-0000-5a0b1ab7e9a7 AzureCloud\n(simulated: no Azure account is used)", sub.name)))
}
