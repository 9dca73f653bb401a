//! What went wrong running a command, and how az prints it.
//!
//! Its own module because every front end that runs az commands (the `az`
//! table, ARM deployments, the console) returns it: kept in `az/`, ARM and
//! `az` imported each other.

use snaplab_engine::EngineError;

/// The error block az prints for a refusal. The simulator's label, where
/// the code is its own choice, is a line of its own.
pub fn az_error(e: &EngineError) -> String {
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

/// What went wrong running a command.
#[derive(Debug)]
pub enum Failure {
    /// The engine refused: printed as az prints service errors, exit status
    /// 1, or 3 for what the service answers 404 (azure-cli's
    /// ResourceNotFoundError).
    Refused(EngineError),
    /// The command line itself is wrong: exit status 2.
    Usage(String),
    /// A client-side error az raises itself (CLIError): exit status 1.
    Error(String),
    /// The service refused the request's body (the endpoint's own checks,
    /// shared with the console: `serve::body`): its HTTP status, code and
    /// message, printed as az prints a service error.
    Service {
        status: u16,
        code: &'static str,
        message: String,
    },
    /// A command that asks "Are you sure?" ran without `--yes`: the
    /// console is not a terminal az can prompt on, so az cancels, exit 1.
    Cancelled,
}

impl Failure {
    /// What az prints to standard error, and its exit status.
    pub fn printed(&self) -> (String, i32) {
        match self {
            Failure::Refused(e) if snaplab_engine::rest::http_status(e) == 404 => (az_error(e), 3),
            Failure::Refused(e) => (az_error(e), 1),
            Failure::Usage(message) => (format!("ERROR: {message}\n"), 2),
            Failure::Error(message) => (format!("ERROR: {message}\n"), 1),
            Failure::Service {
                status,
                code,
                message,
            } => (
                format!("ERROR: ({code}) {message}\nCode: {code}\nMessage: {message}\n"),
                if *status == 404 { 3 } else { 1 },
            ),
            // azure-cli's _user_confirmed: a warning, then CLIError.
            Failure::Cancelled => (
                "WARNING: Unable to prompt for confirmation as no tty available. Use --yes.\nERROR: Operation cancelled.\n".into(),
                1,
            ),
        }
    }
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        Failure::Refused(e)
    }
}
