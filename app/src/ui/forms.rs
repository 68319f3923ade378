//! The browser-to-server helpers of the islands: reading a form ([`Fields`]), posting JSON
//! ([`post`], [`post_text`]), reloading, the status lines and the generic [`ApiForm`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::i18n::Lang;

/// Every server function's path prefix, for the browser's calls.
pub const API_PREFIX: &str = "/api/v1";

/// Reloads the page (after a change) — the server renders the new state.
pub(crate) fn reload() {
    let _ = window().location().reload();
}

/// POSTs a JSON object to an API path and keeps only success or the error. The page reloads
/// after a change, so the answer's data is not needed — and not decoding it keeps the large
/// view types' decoders out of the WASM that every page loads.
pub(crate) async fn post(path: &str, body: serde_json::Value) -> Result<(), AppError> {
    post_text(path, body, false).await.map(|_| ())
}

/// Like [`post`], but keeps the answer's text when `keep` is set (to follow a new record's
/// id) — without decoding it, so no view decoders reach the WASM.
pub(crate) async fn post_text(
    path: &str,
    body: serde_json::Value,
    keep: bool,
) -> Result<String, AppError> {
    #[cfg(feature = "hydrate")]
    {
        let request = gloo_net::http::Request::post(&format!("{}/{path}", API_PREFIX))
            .header("Accept", "application/json")
            .json(&body)
            .map_err(|_| AppError::BadRequest {})?;
        let response = request.send().await.map_err(|_| AppError::Conflict {
            reason: "network".into(),
        })?;
        if response.ok() {
            if keep {
                return Ok(response.text().await.unwrap_or_default());
            }
            return Ok(String::new());
        }
        Err(response
            .json::<AppError>()
            .await
            .unwrap_or(AppError::Internal {}))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, body, keep);
        Err(AppError::Internal {})
    }
}

/// The text of a textarea (or input) by id as the browser has it now, including what was
/// typed before the page became interactive.
pub(crate) fn text_of(id: &str) -> String {
    use wasm_bindgen::JsCast;
    let Some(e) = document().get_element_by_id(id) else {
        return String::new();
    };
    if let Some(t) = e.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return t.value();
    }
    e.dyn_ref::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The values of a form as the browser has them now. Reading the form at submit time (not
/// signals fed by input events) keeps what was typed before the page became interactive,
/// which on a slow village connection is common.
pub(crate) struct Fields(Option<web_sys::FormData>);

impl Fields {
    pub(crate) fn of_event(ev: &leptos::ev::SubmitEvent) -> Fields {
        use wasm_bindgen::JsCast;
        Fields(
            ev.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| web_sys::FormData::new_with_form(&f).ok()),
        )
    }

    pub(crate) fn of_id(id: &str) -> Fields {
        use wasm_bindgen::JsCast;
        Fields(
            document()
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| web_sys::FormData::new_with_form(&f).ok()),
        )
    }

    pub(crate) fn get(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|f| f.get(name).as_string())
            .unwrap_or_default()
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .as_ref()
            .map(|f| {
                f.get_all(name)
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn ids<T>(&self, name: &str, f: fn(i32) -> T) -> Vec<T> {
        self.all(name)
            .iter()
            .filter_map(|v| v.parse().ok())
            .map(f)
            .collect()
    }
}

/// The error line under a form: hidden until a call fails, then the error's message.
#[component]
pub(crate) fn Status(lang: Lang, error: RwSignal<Option<AppError>>) -> impl IntoView {
    view! {
        <p class="error" role="alert" hidden=move || error.get().is_none()>
            {move || error.get().map(|e| e.message(lang)).unwrap_or_default()}
        </p>
    }
}

/// The done line that follows [`Status`] under the forms that confirm a change in place.
#[component]
pub(crate) fn Done(done: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <p class="ok" role="status" hidden=move || done.get().is_none()>
            {move || done.get().unwrap_or_default()}
        </p>
    }
}

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
