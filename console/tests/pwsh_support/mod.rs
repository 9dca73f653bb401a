//! Runs a PowerShell script on a new lab, as the PowerShell tests read it.

use snaplab_console::{Console, Line};
use snaplab_engine::Lab;

/// The script's output lines, error lines and exit status.
pub fn run(script: &str) -> (Vec<String>, Vec<String>, i32) {
    let t = Console::new(Lab::new()).run_pwsh(script);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    for l in &t.lines {
        match l {
            Line::Out(s) => out.push(s.clone()),
            Line::Err(s) => err.push(s.clone()),
        }
    }
    (out, err, t.status)
}
