//! The one error type every server function returns. It is safe to send to the browser:
//! variants carry message keys (translated in the UI and in the API middleware), never a
//! database error's text. Each variant has an HTTP status.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A client-safe error with a stable JSON shape: `{"error": "<kind>", ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AppError {
    #[error("not found")]
    NotFound {},
    #[error("not signed in")]
    Unauthenticated {},
    #[error("forbidden")]
    Forbidden {},
    /// A field failed validation; `reason` is a message key such as `too_long`.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The request conflicts with the record's state (e.g. `already_submitted`).
    #[error("conflict: {reason}")]
    Conflict { reason: String },
    /// Rows of an uploaded file failed validation; nothing was stored.
    #[error("rows rejected")]
    RowErrors { errors: Vec<ImportRowError> },
    /// Too many attempts; wait before trying again.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// The request itself could not be read.
    #[error("bad request")]
    BadRequest {},
    /// The body is not the function's arguments: `field` is the path of the part that does
    /// not fit (`input.day`, `lines[2].reason`; empty for the whole body), `reason` one of
    /// `syntax`, `missing`, `wrong_type`, `wrong_value`; `detail` is the parser's sentence
    /// (English).
    #[error("malformed {field}: {reason}")]
    Malformed {
        field: String,
        reason: String,
        detail: String,
    },
    /// The API takes JSON bodies only (`Content-Type: application/json`).
    #[error("unsupported media type")]
    UnsupportedMediaType {},
    /// The request was not completed in time (sent too slowly, or the server was busy).
    #[error("timeout")]
    Timeout {},
    /// Something failed on the server; the cause is logged there, not sent.
    #[error("internal error")]
    Internal {},
    /// The server was not reached, did not answer in time, or failed on the way (a 5xx,
    /// also from a proxy). Made in the browser, never sent by the server: unlike every other
    /// variant it is not a refusal, and a save that meets it waits to be sent again.
    #[error("network: {cause:?}")]
    #[serde(skip)]
    Network { cause: NetworkCause },
}

/// Why a call did not get a business answer from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NetworkCause {
    /// No connection (the browser is offline or the request never got through).
    Offline,
    /// No answer within the time the client waits.
    Timeout,
    /// A server error (5xx) on the way or on the server.
    Server,
}

impl AppError {
    pub fn invalid(field: &str, reason: &str) -> Self {
        AppError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn conflict(reason: &str) -> Self {
        AppError::Conflict {
            reason: reason.into(),
        }
    }

    /// The HTTP status this error is sent with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound {} => 404,
            AppError::Unauthenticated {} => 401,
            AppError::Forbidden {} => 403,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::RowErrors { .. } => 422,
            AppError::TooManyRequests { .. } => 429,
            AppError::BadRequest {} | AppError::Malformed { .. } => 400,
            AppError::UnsupportedMediaType {} => 415,
            AppError::Timeout {} => 408,
            AppError::Internal {} => 500,
            AppError::Network { .. } => 503,
        }
    }

    /// The translation key of the error's message.
    pub fn message_key(&self) -> String {
        match self {
            AppError::NotFound {} => "err.not_found".into(),
            AppError::Unauthenticated {} => "err.unauthenticated".into(),
            AppError::Forbidden {} => "err.forbidden".into(),
            AppError::Invalid { reason, .. } => format!("err.{reason}"),
            AppError::Conflict { reason } => format!("err.{reason}"),
            AppError::RowErrors { .. } => "err.rows_rejected".into(),
            AppError::TooManyRequests { .. } => "err.too_many".into(),
            AppError::BadRequest {} => "err.bad_request".into(),
            AppError::Malformed { reason, .. } => format!("err.malformed_{reason}"),
            AppError::UnsupportedMediaType {} => "err.unsupported_media_type".into(),
            AppError::Timeout {} => "err.timeout".into(),
            AppError::Internal {} => "err.internal".into(),
            AppError::Network { cause } => match cause {
                NetworkCause::Offline => "err.net_offline".into(),
                NetworkCause::Timeout => "err.net_timeout".into(),
                NetworkCause::Server => "err.net_server".into(),
            },
        }
    }

    /// Not an answer from the server: the call may succeed if it is sent again.
    pub fn is_network(&self) -> bool {
        matches!(self, AppError::Network { .. })
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A full sentence in `lang`: the field's label (if any) and the message.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        let msg = crate::i18n::t(lang, &self.message_key());
        if let AppError::Malformed { field, .. } = self {
            let key = if field.is_empty() {
                "err.malformed_body"
            } else {
                "err.malformed"
            };
            return crate::i18n::tf(lang, key, &[("field", field), ("why", &msg)]);
        }
        match self.field() {
            Some(f) => format!("{}: {}", crate::i18n::t(lang, &format!("field.{f}")), msg),
            None => msg.to_string(),
        }
    }
}

/// The reasons of a `malformed` error.
pub const MALFORMED_REASONS: &[&str] = &["syntax", "missing", "wrong_type", "wrong_value"];

/// Message keys (`err.<key>`) that belong to an error kind, not to a reason code.
const KIND_MESSAGES: &[&str] = &[
    "not_found",
    "unauthenticated",
    "forbidden",
    "too_many",
    "bad_request",
    "unsupported_media_type",
    "timeout",
    "internal",
    "rows_rejected",
    "net_offline",
    "net_timeout",
    "net_server",
];

/// Every reason code an `invalid`, `conflict` or CSV row error may carry: each has its
/// message (`err.<reason>`) in both languages, so the list is the language file's.
pub fn reason_codes() -> Vec<&'static str> {
    crate::i18n::keys(crate::i18n::Lang::Zh)
        .into_iter()
        .filter_map(|k| k.strip_prefix("err."))
        .filter(|k| !KIND_MESSAGES.contains(k) && !k.starts_with("malformed"))
        .collect()
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::BadRequest {},
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network {
                cause: NetworkCause::Offline,
            },
            _ => AppError::Internal {},
        }
    }
}

/// A CSV row that was not imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ImportRowError {
    /// 1-based line number in the file, counting the header.
    pub line: u32,
    pub field: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_as_tagged_json_and_ignore_extra_fields() {
        let e = AppError::invalid("work", "too_long");
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(
            s,
            r#"{"error":"invalid","field":"work","reason":"too_long"}"#
        );
        let with_msg = r#"{"error":"not_found","message":"没有找到"}"#;
        assert_eq!(
            serde_json::from_str::<AppError>(with_msg).unwrap(),
            AppError::NotFound {}
        );
        assert_eq!(AppError::NotFound {}.status_code(), 404);
    }
}
