//! The one island of the rewards pages: a generic form that posts its fields as a JSON object
//! to a server function and then reloads (or follows the new record). Every rewards form is
//! server-rendered markup inside it, so the pages add almost nothing to the WASM that every
//! page loads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::islands::{Fields, post_value, reload};

/// Posts the named fields of the form to `/api/v1/{path}`, merged over `fixed`. Fields in
/// `ints` are sent as numbers and those in `bools` as `true`/`false` (empty ones as null);
/// the rest as strings. On success the page reloads, or goes to `follow` + the answer's `id`.
/// `confirm` asks first (closing a period, publishing a notice).
#[island]
pub fn ApiForm(
    lang: Lang,
    path: String,
    fixed: Value,
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
        let mut body: Map<String, Value> = fixed.as_object().cloned().unwrap_or_default();
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
            match post_value(&path, Value::Object(body), follow.is_some()).await {
                Ok(v) => match (follow, v.get("id").and_then(Value::as_i64)) {
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
