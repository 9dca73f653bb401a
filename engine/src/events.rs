//! The event log: every operation and refusal, with time, actor, resource and
//! result. The UI's violations panel and the lessons read it.

use serde::Serialize;

use crate::clock::Instant;
use crate::error::EngineError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub time: Instant,
    /// Who acted: "user", or "platform" for background work finishing.
    pub actor: &'static str,
    /// The operation, as a short verb phrase: "snapshot create".
    pub operation: String,
    /// The resource it was about (an ARM id or a name).
    pub resource: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum Outcome {
    Succeeded {
        detail: String,
    },
    Refused {
        code: String,
        message: String,
        rule: Option<String>,
        simulated: bool,
    },
}

impl Outcome {
    pub fn refused(err: &EngineError) -> Outcome {
        Outcome::Refused {
            code: err.code().to_string(),
            message: err.to_string(),
            rule: err.rule().map(str::to_string),
            simulated: err.is_simulated(),
        }
    }
    pub fn is_refusal(&self) -> bool {
        matches!(self, Outcome::Refused { .. })
    }
}
