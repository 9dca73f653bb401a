//! `snaplab`: run Azure CLI scripts against a simulated lab, natively.
//!
//! ```text
//! snaplab run script.sh [--state lab.snaplab]    # or the script on standard input
//! ```
//! `--state` loads the lab from a file exported by the app (or an earlier
//! run) and saves it back after the script; the output is the same as the
//! app's console prints for the same script.

use std::io::{Read, Write};
use std::process::ExitCode;

use snaplab_console::{Console, Language, Line};
use snaplab_engine::state_file;

const USAGE: &str = "usage: snaplab run [SCRIPT] [--shell az|pwsh] [--state LAB.snaplab]\n\
       snaplab deploy TEMPLATE.json -g RESOURCE_GROUP [--parameters name=value ...] [--state LAB.snaplab]\n\
  SCRIPT   a bash script of az / sim commands, or Azure PowerShell if it ends in .ps1 or\n\
           --shell pwsh is given (standard input if omitted or '-')\n\
  deploy   the same as 'az deployment group create -g RG --template-file TEMPLATE.json'\n\
  --state  load the lab from this file (the app's export format) and save it back\n";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("snaplab: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut script_path = None;
    let mut state = None;
    let mut rest = args.iter();
    let mut deploy_script = None;
    let mut language = None;
    match rest.next().map(String::as_str) {
        Some("run") => {}
        Some("deploy") => {
            // `snaplab deploy T.json -g RG [--parameters k=v …] [--state F]` is
            // the az command, run by the same console.
            let mut words = vec![
                "az".to_string(),
                "deployment".into(),
                "group".into(),
                "create".into(),
            ];
            let mut template = None;
            let mut parts = rest.by_ref().peekable();
            while let Some(a) = parts.next() {
                match a.as_str() {
                    "--state" => state = Some(parts.next().ok_or("--state needs a file")?.clone()),
                    "-g" | "--resource-group" | "--parameters" | "-p" => {
                        words.push(a.clone());
                        words.push(parts.next().ok_or(format!("{a} needs a value"))?.clone());
                    }
                    other if other.contains('=') => words.push(other.to_string()),
                    other => template = Some(other.to_string()),
                }
            }
            let template = template.ok_or(format!("deploy needs a template file\n{USAGE}"))?;
            words.push("--template-file".into());
            words.push(template);
            deploy_script = Some(
                words
                    .iter()
                    .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        Some("--help" | "-h") | None => {
            print!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Some(other) => return Err(format!("unknown command '{other}'\n{USAGE}")),
    }
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--state" => state = Some(rest.next().ok_or("--state needs a file")?.clone()),
            "--shell" => {
                language = Some(match rest.next().map(String::as_str) {
                    Some("az" | "bash") => Language::Bash,
                    Some("pwsh" | "powershell") => Language::PowerShell,
                    other => return Err(format!("--shell takes az or pwsh, not {other:?}")),
                })
            }
            path => script_path = Some(path.to_string()),
        }
    }
    let language = language.unwrap_or(
        if script_path.as_deref().is_some_and(|p| p.ends_with(".ps1")) {
            Language::PowerShell
        } else {
            Language::Bash
        },
    );
    let script = match (deploy_script, script_path.as_deref()) {
        (Some(script), _) => script,
        (None, path) => read_script(path)?,
    };
    run_script(&script, language, state)
}

fn read_script(path: Option<&str>) -> Result<String, String> {
    Ok(match path {
        None | Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("reading standard input: {e}"))?;
            text
        }
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?,
    })
}

fn run_script(script: &str, language: Language, state: Option<String>) -> Result<ExitCode, String> {
    // The lab: from the state file if there is one, else new. It opens as
    // the app opens its database (through the file's index: the checkpoint
    // and the log after it), and a run appends what it changed.
    let file = match &state {
        Some(path) => match std::fs::File::open(path) {
            Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => Some(file),
            Ok(_) => {
                return Err(format!(
                    "reading {path}: it is not a file (nothing was run; the file was not changed)"
                ))
            }
            // Only "not found" means a new lab: any other read error stops
            // here, rather than running against a fresh lab and overwriting
            // the file.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(format!(
                    "reading {path}: {e} (nothing was run; the file was not changed)"
                ))
            }
        },
        None => None,
    };
    let (mut session, loaded) = state_file::open(file.as_ref()).map_err(|e| match &state {
        Some(path) => format!("{path}: ({}) {e}", e.code()),
        None => format!("({}) {e}", e.code()),
    })?;
    if let (Some(path), Some(loaded)) = (&state, &loaded) {
        if loaded.ignored > 0 {
            eprintln!(
                "WARNING: {path}: its last {} bytes are a save that did not finish (or were damaged) and were passed over: the lab is as the save before it left it.",
                loaded.ignored
            );
        }
    }
    let mut console = Console::new(session.lab().clone());
    console.files = Box::new(|path| std::fs::read_to_string(path).ok());
    let transcript = console.run_in(language, script);

    // What ran is saved before anything is printed: a reader that goes away
    // (`… | head`) cannot lose the lab.
    if let Some(path) = &state {
        // Store what ran, through the same journal the app uses.
        for command in std::mem::take(&mut console.executed) {
            let _ = session.execute(command);
        }
        let save = state_file::save(&mut session, loaded.as_ref(), file.as_ref())
            .map_err(|e| format!("({}) {e}", e.code()))?;
        let unchanged = "the previous lab file is unchanged";
        match save {
            state_file::Save::Nothing => {}
            state_file::Save::Append { at, bytes } => append_at(std::path::Path::new(path), at, &bytes)
                .map_err(|e| format!("writing {path}: {e} ({unchanged}: a partly written frame is ignored when it is next opened)"))?,
            state_file::Save::Rewrite(bytes) => write_atomically(std::path::Path::new(path), &bytes)
                .map_err(|e| format!("writing {path}: {e} ({unchanged})"))?,
        }
    }
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    for line in &transcript.lines {
        let written = match line {
            Line::Out(s) => writeln!(out, "{s}"),
            Line::Err(s) => writeln!(err, "{s}"),
        };
        match written {
            Ok(()) => {}
            // The reader closed the pipe: stop printing, as head expects.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(ExitCode::from(transcript.status.clamp(0, 255) as u8))
}

/// Writes `bytes` at `at` and ends the file there (cutting off what a
/// crashed run may have left after its whole part), then flushes: until the
/// flush, a crash leaves a torn frame that the next open passes over.
fn append_at(path: &std::path::Path, at: u64, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.seek(SeekFrom::Start(at))?;
    file.write_all(bytes)?;
    file.set_len(at + bytes.len() as u64)?;
    file.sync_all()
}

/// Replaces `path` with `bytes` so that a crash, a full disk or a kill at
/// any moment leaves either the old file or the new one, never half of
/// one: a temporary file beside it, flushed to disk, then renamed over it.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "lab.snaplab".into());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        // The rename itself, made durable (best effort: not every platform
        // can open a directory).
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
