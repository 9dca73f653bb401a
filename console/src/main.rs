//! `snaplab`: run Azure CLI scripts against a simulated lab, natively.
//!
//! ```text
//! snaplab run script.sh [--state lab.snaplab]    # or the script on standard input
//! snaplab run script.sh --server http://127.0.0.1:P  # on a served lab
//! snaplab deploy template.json -g rg [--state lab.snaplab]
//! snaplab serve [--port P] [--state lab.snaplab] [--clock wall|manual]
//! snaplab check lab.snaplab                      # verify every record and frame
//! snaplab recover lab.snaplab --to new.snaplab   # keep everything that verifies
//! snaplab completions bash
//! ```
//! `--state` loads the lab from a file exported by the app (or an earlier
//! run) and saves it back after the script, holding the file's lock from
//! open to the end of the save (see `snaplab_console::labfile`); the output
//! is the same as the app's console prints for the same script.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use snaplab_console::labfile::{self, LabLock, LockError, OpenLab, RealIo, Wait};
use snaplab_console::serve;
use snaplab_console::{Console, Language, Line};
use snaplab_engine::recovery;

#[derive(Parser)]
#[command(
    name = "snaplab",
    version,
    about = "Azure managed-disk incremental snapshots, simulated: run az / Azure PowerShell scripts and templates against a lab kept in a file",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a bash script of az / sim commands, or Azure PowerShell (a .ps1 file, or --shell pwsh).
    Run {
        /// The script (standard input if omitted or '-').
        #[arg(value_parser = clap::value_parser!(PathBuf))]
        script: Option<PathBuf>,
        /// The script's language (default: pwsh for a .ps1 file, else az).
        #[arg(long, value_enum)]
        shell: Option<Shell>,
        #[command(flatten)]
        state: StateArgs,
        /// Run the script on the lab a `snaplab serve` serves (its ARM endpoint, http://127.0.0.1:P).
        #[arg(long, value_name = "URL", conflicts_with_all = ["state", "no_wait"])]
        server: Option<String>,
        /// Print the REST requests behind each az command and their answers (as az --debug logs them).
        #[arg(long, conflicts_with = "server")]
        show_requests: bool,
    },
    /// The same as 'az deployment group create -g RG --template-file TEMPLATE'.
    Deploy {
        #[arg(value_parser = clap::value_parser!(PathBuf))]
        template: PathBuf,
        /// The resource group to deploy into.
        #[arg(short = 'g', long = "resource-group")]
        group: String,
        /// Template parameters: name=value (several may follow one --parameters).
        #[arg(short = 'p', long, num_args = 1..)]
        parameters: Vec<String>,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Serve the lab as a local Azure endpoint (ARM on 127.0.0.1) until Ctrl+C.
    Serve {
        /// The port (0: any free one; the one chosen is printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// How the lab's clock moves: with real time, or only with `sim clock advance`.
        #[arg(long, value_enum, default_value_t = ClockArg::Wall)]
        clock: ClockArg,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Verify every record and frame of a lab file and report any damage (exit 0 clean, 1 damaged).
    Check {
        #[arg(value_parser = clap::value_parser!(PathBuf))]
        file: PathBuf,
    },
    /// Write a new lab file from everything in FILE that verifies, and report what was dropped.
    Recover {
        #[arg(value_parser = clap::value_parser!(PathBuf))]
        file: PathBuf,
        /// The new lab file (never overwritten if it exists).
        #[arg(long, value_parser = clap::value_parser!(PathBuf))]
        to: PathBuf,
    },
    /// Print a shell completion script (e.g. `snaplab completions bash > ~/.local/share/bash-completion/completions/snaplab`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct StateArgs {
    /// Load the lab from this file (the app's export format) and save it back.
    #[arg(long, value_name = "LAB.snaplab", value_parser = clap::value_parser!(PathBuf))]
    state: Option<PathBuf>,
    /// If another run is using the lab file, refuse at once instead of waiting.
    #[arg(long)]
    no_wait: bool,
    /// How long to wait for another run to finish with the lab file.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    wait_timeout: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClockArg {
    Wall,
    Manual,
}

#[derive(Clone, Copy, ValueEnum)]
enum Shell {
    #[value(alias = "bash")]
    Az,
    #[value(alias = "powershell")]
    Pwsh,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            script,
            shell,
            state,
            server: Some(server),
            ..
        } => run_on_server(script.as_deref(), shell, &state, &server),
        Command::Run {
            script,
            shell,
            state,
            server: None,
            show_requests,
        } => run(script.as_deref(), shell, &state, show_requests),
        Command::Serve { port, clock, state } => serve::serve(serve::Options {
            port,
            state: state.state.clone(),
            wait: wait_of(&state),
            wall_clock: clock == ClockArg::Wall,
        })
        .map(|()| ExitCode::SUCCESS),
        Command::Deploy {
            template,
            group,
            parameters,
            state,
        } => deploy(&template, &group, &parameters, &state),
        Command::Check { file } => check(&file),
        Command::Recover { file, to } => recover(&file, &to),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "snaplab",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|message| {
        eprintln!("snaplab: {message}");
        ExitCode::from(2)
    })
}

fn run(
    script: Option<&Path>,
    shell: Option<Shell>,
    state: &StateArgs,
    show_requests: bool,
) -> Result<ExitCode, String> {
    let language = match shell {
        Some(Shell::Az) => Language::Bash,
        Some(Shell::Pwsh) => Language::PowerShell,
        None if script.is_some_and(|p| p.extension().is_some_and(|e| e == "ps1")) => {
            Language::PowerShell
        }
        None => Language::Bash,
    };
    let text = read_script(script)?;
    run_script(&text, language, state, show_requests)
}

/// `snaplab run --server URL`: the script goes to the server's
/// `/snaplab/run`, which runs it on the served lab; its output is printed
/// and its exit status kept.
fn run_on_server(
    script: Option<&Path>,
    shell: Option<Shell>,
    state: &StateArgs,
    server: &str,
) -> Result<ExitCode, String> {
    if matches!(shell, Some(Shell::Pwsh))
        || script.is_some_and(|p| p.extension().is_some_and(|e| e == "ps1"))
    {
        return Err(
            "--server runs az / sim scripts; a served lab does not run PowerShell yet".into(),
        );
    }
    if state.wait_timeout != 30 {
        return Err("--wait-timeout is for --state; a server takes requests at once".into());
    }
    let text = read_script(script)?;
    let answer = serve::client::send(
        server,
        "POST",
        "/snaplab/run",
        &[("Content-Type", "text/plain; charset=utf-8")],
        text.as_bytes(),
    )?;
    let status = match answer.header("x-snaplab-exit-status").map(str::parse::<u8>) {
        Some(Ok(status)) => status,
        // Not the script's answer: the server refused the request itself.
        _ => {
            return Err(format!(
                "{server} answered {}: {}",
                answer.status,
                answer.text()
            ))
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&answer.body).and_then(|()| out.flush());
    Ok(ExitCode::from(status))
}

/// `snaplab deploy T.json -g RG [--parameters k=v …]` is the az command,
/// run by the same console.
fn deploy(
    template: &Path,
    group: &str,
    parameters: &[String],
    state: &StateArgs,
) -> Result<ExitCode, String> {
    let template = template.to_str().ok_or_else(|| {
        format!(
            "{}: the template's name is not UTF-8 text, which az needs",
            template.display()
        )
    })?;
    let mut words = vec!["az", "deployment", "group", "create", "-g", group];
    if !parameters.is_empty() {
        words.push("--parameters");
        words.extend(parameters.iter().map(String::as_str));
    }
    words.extend(["--template-file", template]);
    let script = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    run_script(&script, Language::Bash, state, false)
}

fn read_script(path: Option<&Path>) -> Result<String, String> {
    match path {
        None => read_stdin(),
        Some(p) if p.as_os_str() == "-" => read_stdin(),
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
        }
    }
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("reading standard input: {e}"))?;
    Ok(text)
}

fn run_script(
    script: &str,
    language: Language,
    args: &StateArgs,
    show_requests: bool,
) -> Result<ExitCode, String> {
    // The lab: from the state file if there is one (locked until it is
    // saved: one writer at a time), else new.
    let io = RealIo;
    let mut lab = match &args.state {
        Some(path) => Some(open_state(&io, path, args)?),
        None => None,
    };
    let start = match &lab {
        Some(lab) => lab.session.lab().clone(),
        None => snaplab_engine::Lab::new(),
    };
    let mut console = Console::new(start);
    console.files = Box::new(|path| std::fs::read_to_string(path).ok());
    console.show_requests(show_requests);
    let transcript = console.run_in(language, script);

    // What ran is saved before anything is printed: a reader that goes away
    // (`… | head`) cannot lose the lab.
    let mut saved = None;
    if let Some(lab) = &mut lab {
        // Store what ran, through the same journal the app uses.
        for command in std::mem::take(&mut console.executed) {
            let _ = lab.session.execute(command);
        }
        lab.save().map_err(|e| e.message)?;
        saved = Some(lab.lock.path().to_path_buf());
    }
    // The lock is released here: the save is on disk.
    drop(lab);
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    for line in &transcript.lines {
        let written = match line {
            Line::Out(s) => writeln!(out, "{s}"),
            Line::Err(s) => writeln!(err, "{s}"),
        };
        match written.and_then(|()| out.flush()) {
            Ok(()) => {}
            // The reader closed the pipe: stop printing, as head expects.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
            Err(e) => {
                return Err(match &saved {
                    Some(path) => format!("writing the output: {e} (the lab WAS saved to {}: this run's changes are in it; do not run the script again)", path.display()),
                    None => format!("writing the output: {e}"),
                })
            }
        }
    }
    Ok(ExitCode::from(transcript.status.clamp(0, 255) as u8))
}

/// Checks and locks the `--state` file and opens its lab.
fn open_state<'io>(
    io: &'io RealIo,
    path: &Path,
    args: &StateArgs,
) -> Result<OpenLab<'io, RealIo>, String> {
    let real = labfile::resolve_for_writing(path)?;
    // A served lab stays locked until its server stops: waiting is
    // pointless, and the script belongs to the server.
    if let Some(url) = serve::served_at(&real) {
        if let Err(LockError::Busy) = LabLock::acquire(io, &real, Wait::No, || {}) {
            return Err(format!(
                "{}: the lab is served by `snaplab serve` at {url} and locked while it is (nothing was run); run the script on it there: snaplab run --server {url} SCRIPT",
                path.display()
            ));
        }
    }
    let lab = OpenLab::open(io, &real, wait_of(args), || {
        eprintln!(
            "snaplab: {} is in use by another snaplab run; waiting up to {} s for it to finish (--no-wait refuses at once)",
            path.display(),
            args.wait_timeout
        );
    })?;
    for warning in &lab.warnings {
        eprintln!("{warning}");
    }
    Ok(lab)
}

fn wait_of(args: &StateArgs) -> Wait {
    if args.no_wait {
        Wait::No
    } else {
        Wait::UpTo(Duration::from_secs(args.wait_timeout))
    }
}

/// `snaplab check FILE`: every record and frame verified, damage reported.
fn check(path: &Path) -> Result<ExitCode, String> {
    let file = open_to_read(path)?;
    let report = recovery::check(&file);
    for line in report.describe() {
        println!("{line}");
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `snaplab recover FILE --to NEW`: a new lab file from what verifies.
fn recover(path: &Path, to: &Path) -> Result<ExitCode, String> {
    let file = open_to_read(path)?;
    let report = recovery::check(&file);
    let bytes = report.recovered_file().map_err(|e| {
        format!(
            "{}: nothing in it that verifies opens as a lab ({e}); {} was not written",
            path.display(),
            to.display()
        )
    })?;
    let mut new = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| {
            format!(
                "{}: {e} (it is never overwritten: give a new name)",
                to.display()
            )
        })?;
    let written = new.write_all(&bytes).and_then(|()| new.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(to);
        return Err(format!(
            "writing {}: {e} (removed; {} is unchanged)",
            to.display(),
            path.display()
        ));
    }
    for line in report.describe() {
        println!("{line}");
    }
    println!(
        "recovered: {} written ({} records, {} bytes); {} is unchanged",
        to.display(),
        report.recovered.len(),
        bytes.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Opens a lab file to read it (never a FIFO: checked first, and opened
/// without blocking), under a shared lock so no run is midway through a save.
fn open_to_read(path: &Path) -> Result<std::fs::File, String> {
    let real = labfile::resolve_for_reading(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(&real)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(format!("{}: it is not a regular file", path.display()));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match file.try_lock_shared() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "{}: still in use by another snaplab run after 30 s",
                    path.display()
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(format!("{}: {e}", path.display())),
        }
    }
}
