//! The one island of the rewards pages: a generic form that posts its fields as a JSON object
//! to a server function and then reloads (or follows the new record). Every rewards form is
//! server-rendered markup inside it, so the pages add almost nothing to the WASM that every
//! page loads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::islands::{Fields, post_text, reload};

/// Posts the named fields of the form (hidden inputs carry the fixed ones) to
/// `/api/v1/{path}`. Fields in `ints` are sent as numbers and those in `bools` as
/// `true`/`false` (empty ones as null); the rest as strings. On success the page reloads, or
/// goes to `follow` + the new record's `id`. `confirm` asks first (closing a period,
/// publishing a notice).
#[island]
pub fn ApiForm(
    lang: Lang,
    path: String,
    fields: Vec<String>,
    #[prop(optional)] ints: Option<Vec<String>>,
    #[prop(optional)] bools: Option<Vec<String>>,
    #[prop(optional)] follow: Option<String>,
    #[prop(optional)] confirm: Option<String>,
    #[prop(optional)] class: Option<String>,
    children: Children,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let (ints, bools) = (ints.unwrap_or_default(), bools.unwrap_or_default());
    let class = format!("api-form {}", class.unwrap_or_default());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(q) = &confirm
            && !window().confirm_with_message(q).unwrap_or(false)
        {
            return;
        }
        let f = Fields::of_event(&ev);
        let mut body: Map<String, Value> = Map::new();
        for name in &fields {
            let raw = f.get(name);
            let v = if ints.contains(name) {
                raw.trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or(Value::Null)
            } else if bools.contains(name) {
                match raw.as_str() {
                    "true" | "on" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Null,
                }
            } else {
                Value::String(raw)
            };
            body.insert(name.clone(), v);
        }
        let path = path.clone();
        let follow = follow.clone();
        pending.set(true);
        spawn_local(async move {
            match post_text(&path, Value::Object(body), follow.is_some()).await {
                Ok(text) => match (follow, leading_id(&text)) {
                    (Some(prefix), Some(id)) => {
                        let _ = window().location().set_href(&format!("{prefix}{id}"));
                    }
                    _ => reload(),
                },
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class=class on:submit=on_submit aria-busy=move || pending.get().to_string()>
            {children()}
            <p class="error" role="alert" hidden=move || error.get().is_none()>
                {move || error.get().map(|e| e.message(lang)).unwrap_or_default()}
            </p>
        </form>
    }
}

/// The `id` of a record answered as JSON: its views start with `{"id":N`. Reading it from the
/// text keeps a JSON parser for untyped values out of the WASM.
fn leading_id(text: &str) -> Option<i64> {
    let rest = text.trim_start().strip_prefix("{\"id\":")?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_leading_id() {
        assert_eq!(super::leading_id(r#"{"id":42,"kind":"x"}"#), Some(42));
        assert_eq!(super::leading_id(r#"{"kind":"x","id":42}"#), None);
        assert_eq!(super::leading_id("null"), None);
    }
}
