//! # snaplab-console
//!
//! Azure CLI scripts, run against the Snaplab engine: the same interpreter
//! serves the app's console panel and the native `snaplab` program, so both
//! print the same bytes for the same script. Pure Rust, no web dependency.
//!
//! ## Layout
//!
//! | concept | file |
//! |---|---|
//! | bash: lexer, parser, syntax tree, evaluator (`if`, loops, pipes, `[[ ]]`, limits) | [`shell`] (`shell/`) |
//! | `az` and `sim` commands: one table entry each (options, help, rules, handler) | [`az`] (`az/`) |
//! | output formats: json, jsonc, table, tsv, yaml, none | [`output`] (`output.rs`) |
//! | Azure PowerShell: lexer, parser, syntax tree, evaluator and cmdlets | [`pwsh`] (`pwsh/`) |
//! | the one execution point: lesson locks, the record of what ran | [`runner`] (`runner.rs`) |
//! | lessons: goals checked on the lab, hints, reference solutions | [`lessons`] (`lessons.rs`, data in `www/lessons/`) |
//! | "did you mean" | [`suggest`] (`suggest.rs`) |
//! | drills: generated exercises the engine answers | [`drills`] (`drills.rs`) |
//! | `explain <command>`: each option, and the rules it touches | [`explain`] (`explain.rs`) |
//! | Resource Manager templates: lexer, parser, syntax tree, evaluator, deployment (linear, capped, preflight) | [`arm`] (`arm/`) |
//! | the console itself: a lab, a shell, the commands it ran | [`Console`] (here) |
//! | the native program | `main.rs` |

pub mod arm;
pub mod az;
pub mod drills;
pub mod explain;
pub mod lessons;
pub mod output;
pub mod pace;
pub mod pwsh;
pub mod runner;
pub mod shell;
pub mod suggest;
pub mod walkthrough;

use snaplab_engine::{Command, Lab};

pub use runner::{Engine, Locks, Runner, Staged};
pub use shell::{Line, ParseError};

/// What a console remembers between runs, as Cloud Shell does: bash and
/// PowerShell variables and the shell's options. The app keeps it across
/// runs while the lab itself lives in its journal.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    shell: shell::Shell,
    ps_vars: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Reads a file a command names (`--template-file`).
pub type FileReader = Box<dyn Fn(&str) -> Option<String>>;

/// A shell session over a lab (natively a [`Lab`]; in the app, its journal).
pub struct Console<E: Engine = Lab> {
    pub lab: E,
    /// Reads files named in commands (`--template-file`): the file system
    /// natively, nothing in the browser unless the app provides files.
    pub files: FileReader,
    memory: Memory,
    /// The commands the current lesson disables, by kind.
    pub locks: Locks,
    /// Every engine command the scripts ran, in order: replaying them on the
    /// lab the console started from gives the lab it ends with.
    pub executed: Vec<Command>,
}

struct Host<'a> {
    rt: Runner<'a>,
    files: &'a dyn Fn(&str) -> Option<String>,
}

/// The error block az prints for a refusal. The simulator's label, where
/// the code is its own choice, is a line of its own.
pub fn az_error(e: &snaplab_engine::EngineError) -> String {
    let simulated = if e.is_simulated() {
        "(simulated: Azure documents no code for this; the simulator chose it)\n"
    } else {
        ""
    };
    format!(
        "ERROR: ({code}) {e}\nCode: {code}\nMessage: {e}\n{simulated}",
        code = e.code()
    )
}

impl shell::Host for Host<'_> {
    fn run(&mut self, argv: &[String]) -> (String, String, i32) {
        match argv[0].as_str() {
            "az" | "sim" => {
                if argv.len() == 1 {
                    return (az::help(argv), String::new(), 0);
                }
                let mut warnings = String::new();
                match az::run(&mut self.rt, self.files, argv, &mut warnings) {
                    Ok(out) => (out, warnings, 0),
                    Err(failure) => {
                        let (stderr, status) = failure.printed();
                        (String::new(), warnings + &stderr, status)
                    }
                }
            }
            "explain" => match explain::explain(&argv[1..]) {
                Ok(text) => (text, String::new(), 0),
                Err(message) => (String::new(), format!("explain: {message}\n"), 2),
            },
            other => (
                String::new(),
                format!("bash: {other}: command not found (the simulator runs az, sim and explain, and the shell builtins echo, test, [, [[, seq, sleep, set, export, true, false, and grep, head, tail, wc, cat in pipes)\n"),
                127,
            ),
        }
    }

    fn commands(&self) -> usize {
        self.rt.count()
    }
}

/// Which shell a script is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Azure CLI in bash.
    Bash,
    /// Azure PowerShell.
    PowerShell,
}

/// What a script printed, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub lines: Vec<Line>,
    pub status: i32,
}

impl Transcript {
    pub fn stdout(&self) -> String {
        self.lines
            .iter()
            .filter_map(|l| {
                if let Line::Out(s) = l {
                    Some(format!("{s}\n"))
                } else {
                    None
                }
            })
            .collect()
    }
    pub fn stderr(&self) -> String {
        self.lines
            .iter()
            .filter_map(|l| {
                if let Line::Err(s) = l {
                    Some(format!("{s}\n"))
                } else {
                    None
                }
            })
            .collect()
    }
}

impl Console<Lab> {
    pub fn new(lab: Lab) -> Console {
        Console::with_memory(lab, Memory::default())
    }
}

impl<E: Engine> Console<E> {
    /// A console over `lab` that remembers what an earlier one did.
    pub fn with_memory(lab: E, memory: Memory) -> Console<E> {
        Console {
            lab,
            files: Box::new(|_| None),
            memory,
            locks: Locks::none(),
            executed: Vec::new(),
        }
    }

    /// What this console remembers, to carry into the next run.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn into_parts(self) -> (E, Memory, Vec<Command>) {
        (self.lab, self.memory, self.executed)
    }

    /// Runs a script in `language`.
    pub fn run_in(&mut self, language: Language, script: &str) -> Transcript {
        pace::finish(self.run_paced(language, script, &mut pace::Straight))
    }

    /// Runs a script in `language`, pausing and stopping as `pacer` says
    /// (the browser's console: its output shows as it comes, and Stop works).
    pub async fn run_paced(
        &mut self,
        language: Language,
        script: &str,
        pacer: &mut dyn pace::Pacer,
    ) -> Transcript {
        let rt = Runner::new(&mut self.lab, &self.locks, &mut self.executed);
        match language {
            Language::Bash => {
                let mut lines = Vec::new();
                let mut host = Host {
                    rt,
                    files: self.files.as_ref(),
                };
                let status = self
                    .memory
                    .shell
                    .run_paced(script, &mut host, &mut lines, pacer)
                    .await;
                Transcript { lines, status }
            }
            Language::PowerShell => {
                let (lines, status) = pwsh::Interpreter::new(rt, &mut self.memory.ps_vars, pacer)
                    .run(script)
                    .await;
                Transcript { lines, status }
            }
        }
    }

    /// Runs an Azure PowerShell script; variables persist between runs.
    pub fn run_pwsh(&mut self, script: &str) -> Transcript {
        self.run_in(Language::PowerShell, script)
    }

    /// Runs a bash script (one command or many lines); variables persist between runs.
    pub fn run(&mut self, script: &str) -> Transcript {
        self.run_in(Language::Bash, script)
    }

    /// Deploys a Resource Manager template into `group` (what
    /// `az deployment group create` and `snaplab deploy` do).
    pub fn deploy(
        &mut self,
        group: &str,
        template: &str,
        parameters: &std::collections::BTreeMap<String, String>,
    ) -> Result<serde_json::Value, az::Failure> {
        let mut rt = Runner::new(&mut self.lab, &self.locks, &mut self.executed);
        arm::deploy(&mut rt, group, template, parameters)
    }

    /// Runs one engine command the way a click in the app does: through the
    /// same runner as the shells, so lesson locks and the record apply.
    pub fn execute(&mut self, command: Command) -> snaplab_engine::Result<String> {
        Runner::new(&mut self.lab, &self.locks, &mut self.executed).execute(command)
    }
}
