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
//! | the bash subset: words, quotes, `$var`, `$(...)`, `set -e` | [`shell`] (`shell.rs`) |
//! | `az` and `sim` commands: table, options, `--query`, `--help` | [`az`] (`az.rs`) |
//! | output formats: json, jsonc, table, tsv, yaml, none | [`output`] (`output.rs`) |
//! | the Azure PowerShell subset | [`pwsh`] (`pwsh.rs`) |
//! | lessons: goals checked on the lab, hints, reference solutions | [`lessons`] (`lessons.rs`, data in `www/lessons/`) |
//! | "did you mean" | [`suggest`] (`suggest.rs`) |
//! | drills: generated exercises the engine answers | [`drills`] (`drills.rs`) |
//! | `explain <command>`: each option, and the rules it touches | [`explain`] (`explain.rs`) |
//! | Resource Manager templates: expressions, snapshots and disks | [`arm`] (`arm.rs`) |
//! | the console itself: a lab, a shell, the commands it ran | [`Console`] (here) |
//! | the native program | `main.rs` |

pub mod arm;
pub mod az;
pub mod drills;
pub mod explain;
pub mod lessons;
pub mod output;
pub mod pwsh;
pub mod shell;
pub mod suggest;

use snaplab_engine::{Command, Lab};

pub use shell::{Line, ParseError};

/// A shell session over a lab.
pub struct Console {
    pub lab: Lab,
    /// Reads files named in commands (`--template-file`): the file system
    /// natively, nothing in the browser unless the app provides files.
    pub files: Box<dyn Fn(&str) -> Option<String>>,
    shell: shell::Shell,
    /// Command prefixes refused in the current lesson ("az snapshot delete").
    pub disabled: Vec<String>,
    /// PowerShell variables, kept between runs like the bash ones.
    ps_vars: std::collections::BTreeMap<String, serde_json::Value>,
    /// Every engine command the scripts ran, in order: replaying them on the
    /// lab the console started from gives the lab it ends with (the app
    /// stores them through its journal).
    pub executed: Vec<Command>,
}

struct Host<'a> {
    disabled: &'a [String],
    lab: &'a mut Lab,
    executed: &'a mut Vec<Command>,
    files: &'a dyn Fn(&str) -> Option<String>,
}

impl shell::Host for Host<'_> {
    fn run(&mut self, argv: &[String]) -> (String, String, i32) {
        match argv[0].as_str() {
            "az" | "sim" => {
                let line = argv.join(" ");
                if let Some(prefix) = self.disabled.iter().find(|p| line.starts_with(p.as_str())) {
                    return (String::new(), format!("ERROR: '{prefix}' is disabled in this lesson.\n"), 2);
                }
                if argv.len() == 1 {
                    return (az::help(argv), String::new(), 0);
                }
                match az::run(self.lab, self.executed, self.files, argv) {
                    Ok(out) => (out, String::new(), 0),
                    Err(az::Failure::Refused(e)) => {
                        let simulated = if e.is_simulated() { " (code chosen by the simulator)" } else { "" };
                        (String::new(), format!("ERROR: ({}) {e}\nCode: {}{simulated}\nMessage: {e}\n", e.code(), e.code()), 1)
                    }
                    Err(az::Failure::Usage(message)) => (String::new(), format!("ERROR: {message}\n"), 2),
                }
            }
            "explain" => match explain::explain(&argv[1..]) {
                Ok(text) => (text, String::new(), 0),
                Err(message) => (String::new(), format!("explain: {message}\n"), 2),
            },
            other => (String::new(), format!("bash: {other}: command not found (the simulator runs az, sim, echo, set and variable assignments)\n"), 127),
        }
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

impl Console {
    pub fn new(lab: Lab) -> Console {
        Console {
            lab,
            files: Box::new(|_| None),
            shell: shell::Shell::default(),
            disabled: Vec::new(),
            ps_vars: Default::default(),
            executed: Vec::new(),
        }
    }

    /// Runs a script in `language`.
    pub fn run_in(&mut self, language: Language, script: &str) -> Transcript {
        match language {
            Language::Bash => self.run(script),
            Language::PowerShell => self.run_pwsh(script),
        }
    }

    /// Runs an Azure PowerShell script; variables persist between runs.
    pub fn run_pwsh(&mut self, script: &str) -> Transcript {
        let (lines, status) =
            pwsh::Interpreter::new(&mut self.lab, &mut self.executed, &mut self.ps_vars)
                .run(script);
        Transcript { lines, status }
    }

    /// Runs a bash script (one command or many lines); variables persist between runs.
    pub fn run(&mut self, script: &str) -> Transcript {
        let mut lines = Vec::new();
        let mut host = Host {
            disabled: &self.disabled,
            lab: &mut self.lab,
            executed: &mut self.executed,
            files: self.files.as_ref(),
        };
        let status = self.shell.run(script, &mut host, &mut lines);
        Transcript { lines, status }
    }
}
