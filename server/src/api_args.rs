//! A server function's arguments are read here first, the way the function will read them,
//! so that a body that does not fit is answered with the field that does not fit and why:
//! `{"error": "malformed", "field": "input.day", "reason": "wrong_value", "detail": …}`
//! (400). A body that fits passes on unchanged.

use std::collections::HashMap;

use app::error::AppError;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

/// Reads a body as one server function's arguments.
pub type ArgCheck = fn(&[u8]) -> Result<(), AppError>;

/// The check of every documented server function, by path.
pub fn checks() -> HashMap<&'static str, ArgCheck> {
    let mut g = crate::openapi::generator();
    crate::openapi::operations(&mut g)
        .into_iter()
        .map(|op| (op.path, op.check))
        .collect()
}

/// Reads `body` as `T`; the error names the field path and the reason.
pub fn check<T: DeserializeOwned>(body: &[u8]) -> Result<(), AppError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => Ok(()),
        Err(e) => Err(malformed(e)),
    }
}

/// The longest `detail` sent (serde's own sentence, in English).
const MAX_DETAIL: usize = 200;

fn malformed(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = e.inner();
    let text = inner.to_string();
    // serde_json ends its messages with " at line L column C"; the path says where.
    let sentence = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(s, _)| s);
    // "." is the whole body; "?" a place the parser could not name (broken JSON).
    let mut path: Vec<String> = match e.path().to_string() {
        p if p == "." || p == "?" => Vec::new(),
        p => vec![p],
    };
    let reason = match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => "syntax",
        Category::Data if sentence.starts_with("missing field `") => {
            if let Some(name) = sentence
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                path.push(name.to_string());
            }
            "missing"
        }
        Category::Data if sentence.starts_with("invalid type") => "wrong_type",
        Category::Data => "wrong_value",
    };
    AppError::Malformed {
        field: path.join("."),
        reason: reason.into(),
        detail: sentence.chars().take(MAX_DETAIL).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        day: chrono::NaiveDate,
        n: u32,
        tags: Vec<u8>,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Args {
        input: Inner,
    }

    fn fails(body: &str) -> (String, String) {
        match check::<Args>(body.as_bytes()) {
            Err(AppError::Malformed { field, reason, .. }) => (field, reason),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn a_body_that_does_not_fit_names_the_field_and_the_reason() {
        let ok = r#"{"input": {"day": "2026-04-15", "n": 1, "tags": [1]}}"#;
        assert!(check::<Args>(ok.as_bytes()).is_ok());
        let f = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            fails(r#"{"input": {"day": "2026-02-30", "n": 1, "tags": []}}"#),
            f("input.day", "wrong_value")
        );
        assert_eq!(
            fails(r#"{"input": {"day": "2026-04-15", "n": "1", "tags": []}}"#),
            f("input.n", "wrong_type")
        );
        assert_eq!(
            fails(r#"{"input": {"day": "2026-04-15", "tags": []}}"#),
            f("input.n", "missing")
        );
        assert_eq!(fails(r#"{}"#), f("input", "missing"));
        assert_eq!(
            fails(r#"{"input": {"day": "2026-04-15", "n": 1, "tags": [1, 300]}}"#),
            f("input.tags[1]", "wrong_value")
        );
        assert_eq!(fails(r#"{"input": {"day": "#).1, "syntax");
        assert_eq!(fails("{not json"), f("", "syntax"));
    }
}
