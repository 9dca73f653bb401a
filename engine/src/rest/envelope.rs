//! ARM's envelopes around resources: the error response every failed
//! request answers, the `{"value": [...]}` of a list, and the subscription
//! body (`Microsoft.Resources` `Subscription`), with the HTTP status ARM
//! answers each engine refusal with.

use serde::{Deserialize, Serialize};

use crate::error::EngineError;
use crate::model::Subscription;

/// ARM common-types `ErrorResponse`: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

/// ARM common-types `ErrorDetail` (the members the simulator sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// An error body with `code` and `message`.
pub fn error_response(code: &str, message: &str) -> ErrorResponse {
    ErrorResponse {
        error: ErrorDetail {
            code: code.to_string(),
            message: message.to_string(),
        },
    }
}

/// The error body of an engine refusal: its Azure code and its message.
pub fn engine_error(e: &EngineError) -> ErrorResponse {
    error_response(e.code(), &e.to_string())
}

/// The HTTP status ARM answers a refusal with, by its code: 404 for what
/// is not there, 409 for a request the resource's state refuses, 403 for
/// what the lesson disables, 500 for the lab's own storage, 400 for the
/// rest (a bad parameter). A rate refusal is 409, not 429: the SDKs retry
/// a 429 on their own, and the 7-per-5-minutes rule (B1) is meant to be seen.
pub fn http_status(e: &EngineError) -> u16 {
    match e.code() {
        "ResourceNotFound" | "ResourceGroupNotFound" | "SubscriptionNotFound" => 404,
        "Conflict"
        | "OperationNotAllowed"
        | "PropertyChangeNotAllowed"
        | "SnapshotOperationRateExceeded"
        | "SnapshotCountExceeded" => 409,
        "DisabledInLesson" | "SubscriptionNotRegisteredForFeature" => 403,
        "QuotaExceeded" | "InvalidStoredLab" => 500,
        _ => 400,
    }
}

/// A page of a list: `{"value": [...]}` (every list is one page here, so
/// no `nextLink`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListBody<T> {
    pub value: Vec<T>,
}

pub fn list<T>(value: Vec<T>) -> ListBody<T> {
    ListBody { value }
}

/// `Microsoft.Resources` `Subscription` (the members the simulator models).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionResource {
    pub id: String,
    pub subscription_id: String,
    pub display_name: String,
    pub state: String,
    pub tenant_id: String,
}

/// The lab's one tenant (the one `az account show` prints).
pub const TENANT_ID: &str = "00000000-0000-0000-0000-5a0b1ab7e9a7";

/// `GET /subscriptions/{id}`.
pub fn subscription(subscription: &Subscription) -> SubscriptionResource {
    SubscriptionResource {
        id: format!("/subscriptions/{}", subscription.id),
        subscription_id: subscription.id.clone(),
        display_name: subscription.name.clone(),
        state: "Enabled".to_string(),
        tenant_id: TENANT_ID.to_string(),
    }
}

/// The Blob service's error body (`x-ms-error-code` carries the same code):
/// `<Error><Code>…</Code><Message>…</Message></Error>`, the text escaped.
pub fn storage_error_xml(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{}</Code><Message>{}</Message></Error>",
        xml_escape(code),
        xml_escape(message)
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
