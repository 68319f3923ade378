//! The browser-to-server helpers of the islands: typed calls to server functions ([`call`],
//! [`call_and_reload`]), reading a form ([`Fields`]), the status lines and the one generic
//! form island [`ApiForm`] with its checked [`FormAction`].
//!
//! Islands send a server function's own argument struct to that function's own `PATH`, so
//! renaming a path or an argument fails to compile. The answer is not decoded (the page
//! reloads after a change and the server renders the new state): decoding the large view
//! types would put their decoders into the WASM that every page loads.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::i18n::Lang;

/// Every server function's path prefix, for the browser's calls.
pub const API_PREFIX: &str = "/api/v1";

/// Reloads the page (after a change) — the server renders the new state.
pub(crate) fn reload() {
    let _ = window().location().reload();
}

/// Calls the server function `F` with its arguments and keeps only success or the error.
pub(crate) async fn call<F: ServerFn + Serialize>(args: F) -> Result<(), AppError> {
    send(F::PATH, encode(&args)?).await.map(|_| ())
}

/// Calls `F` and decodes its answer (for the few forms that show what came back).
pub(crate) async fn call_for_answer<F>(args: F) -> Result<F::Output, AppError>
where
    F: ServerFn + Serialize,
    F::Output: serde::de::DeserializeOwned,
{
    call_for::<F, F::Output>(args).await
}

/// Calls `F` and decodes the part of its answer the island needs (`T` may name only some of
/// the answer's fields, which keeps the decoder small in the WASM).
pub(crate) async fn call_for<F, T>(args: F) -> Result<T, AppError>
where
    F: ServerFn + Serialize,
    T: serde::de::DeserializeOwned,
{
    let body = encode(&args)?;
    #[cfg(feature = "hydrate")]
    {
        send(F::PATH, body)
            .await?
            .json::<T>()
            .await
            .map_err(|_| AppError::Internal {})
    }
    #[cfg(not(feature = "hydrate"))]
    {
        send(F::PATH, body).await?;
        Err(AppError::Internal {})
    }
}

/// Calls `F` in the background and reloads the page when it succeeds; a failure shows in
/// `error`. `pending` is set while the call runs (the buttons are disabled by it).
pub(crate) fn call_and_reload<F: ServerFn + Serialize>(
    args: F,
    error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
) {
    spawn_reloading(F::PATH, encode(&args), error, pending);
}

/// The non-generic part of [`call_and_reload`] (one copy in the WASM, not one per function).
fn spawn_reloading(
    path: &'static str,
    body: Result<String, AppError>,
    error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
) {
    pending.set(true);
    spawn_local(async move {
        let sent = match body {
            Ok(body) => send(path, body).await.map(|_| ()),
            Err(e) => Err(e),
        };
        match sent {
            Ok(()) => reload(),
            Err(e) => error.set(Some(e)),
        }
        pending.set(false);
    });
}

fn encode<T: Serialize>(args: &T) -> Result<String, AppError> {
    serde_json::to_string(args).map_err(|_| AppError::BadRequest {})
}

/// How long a call waits for the server's answer before it counts as a timeout.
#[cfg(feature = "hydrate")]
const CALL_TIMEOUT_MS: u32 = 20_000;

/// POSTs a JSON body to a server function's path. A refusal is decoded into the
/// [`AppError`] the server sent; no connection, no answer in time and a server failure
/// (5xx, also from a proxy) are [`AppError::Network`] with their cause, never a refusal.
#[cfg(feature = "hydrate")]
async fn send(path: &str, body: String) -> Result<gloo_net::http::Response, AppError> {
    use crate::error::NetworkCause;
    let signal = timeout_signal(CALL_TIMEOUT_MS);
    let request = gloo_net::http::Request::post(path)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .abort_signal(signal.as_ref())
        .body(body)
        .map_err(|_| AppError::BadRequest {})?;
    let response = request.send().await.map_err(network_failure)?;
    if let Some(date) = response.headers().get("date") {
        let at = js_sys::Date::parse(&date);
        if at.is_finite() {
            set_clock_offset(at + 500.0 - js_sys::Date::now());
        }
    }
    if response.ok() {
        return Ok(response);
    }
    let cause = match response.status() {
        408 => Some(NetworkCause::Timeout),
        s if s >= 500 => Some(NetworkCause::Server),
        _ => None,
    };
    if let Some(cause) = cause {
        return Err(AppError::Network { cause });
    }
    Err(response
        .json::<AppError>()
        .await
        .unwrap_or(AppError::Internal {}))
}

/// Why a request got no answer: the browser is offline, the wait ran out, or the
/// connection failed on the way (offline for the user, too).
#[cfg(feature = "hydrate")]
fn network_failure(e: gloo_net::Error) -> AppError {
    use crate::error::NetworkCause;
    let timed_out = matches!(&e, gloo_net::Error::JsError(j)
        if j.name == "TimeoutError" || j.name == "AbortError");
    let cause = if timed_out && window().navigator().on_line() {
        NetworkCause::Timeout
    } else {
        NetworkCause::Offline
    };
    AppError::Network { cause }
}

/// `AbortSignal.timeout(ms)` where the browser has it (older in-app browsers do not: their
/// calls then wait as long as the browser lets them).
#[cfg(feature = "hydrate")]
fn timeout_signal(ms: u32) -> Option<web_sys::AbortSignal> {
    use wasm_bindgen::JsCast;
    let ctor = js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let timeout = js_sys::Reflect::get(&ctor, &"timeout".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    timeout.call1(&ctor, &ms.into()).ok()?.dyn_into().ok()
}

/// Where the phone keeps how far its clock is from the server's (ms, server minus phone).
const CLOCK_OFFSET_KEY: &str = "xn.clock_offset";

/// Notes how far the phone's clock is from the server's, as last seen (a page's render time,
/// an answer's `Date`): a line saved offline says when it was written at the server's clock.
pub(crate) fn set_clock_offset(ms: f64) {
    if let Ok(Some(s)) = window().local_storage() {
        let _ = s.set_item(CLOCK_OFFSET_KEY, &format!("{ms:.0}"));
    }
}

/// Now at the server's clock in ms since 1970, as well as the phone knows it (its own, if
/// it never heard).
pub(crate) fn server_clock_ms() -> i64 {
    let offset = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(CLOCK_OFFSET_KEY).ok().flatten())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    (js_sys::Date::now() + offset) as i64
}

/// Islands only run in the browser; the server build never sends.
#[cfg(not(feature = "hydrate"))]
async fn send(path: &str, body: String) -> Result<(), AppError> {
    let _ = (path, body);
    Err(AppError::Internal {})
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

/// What an [`ApiForm`] sends: the server function's path and the form fields that are its
/// arguments. Fields in `ints` are sent as numbers and those in `bools` as `true`/`false`
/// (empty ones as null); the rest as strings. Made only by [`FormAction::of`], which takes
/// the server function's type, so the path cannot drift from the function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAction {
    path: String,
    fields: Vec<String>,
    ints: Vec<String>,
    bools: Vec<String>,
}

impl FormAction {
    /// A form calling `F` with the named fields. A name that is not one of `F`'s arguments
    /// is a programming error: debug builds (every test) panic on it, so a renamed argument
    /// fails the suite rather than a user's click.
    pub fn of<F>(fields: &[&str]) -> FormAction
    where
        F: ServerFn + serde::de::DeserializeOwned,
    {
        #[cfg(debug_assertions)]
        {
            let known = argument_names::<F>();
            for name in fields {
                assert!(
                    known.contains(name),
                    "{}: `{name}` is not an argument of {} (its arguments: {known:?})",
                    F::PATH,
                    std::any::type_name::<F>(),
                );
            }
        }
        FormAction {
            path: F::PATH.to_string(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            ints: Vec::new(),
            bools: Vec::new(),
        }
    }

    /// Sends these fields (already named in [`FormAction::of`]) as numbers.
    pub fn ints(mut self, names: &[&str]) -> FormAction {
        self.ints = self.kinds(names);
        self
    }

    /// Sends these fields (already named in [`FormAction::of`]) as `true`/`false`.
    pub fn bools(mut self, names: &[&str]) -> FormAction {
        self.bools = self.kinds(names);
        self
    }

    fn kinds(&self, names: &[&str]) -> Vec<String> {
        debug_assert!(
            names.iter().all(|n| self.fields.iter().any(|f| f == n)),
            "{}: {names:?} must be among the form's fields {:?}",
            self.path,
            self.fields
        );
        names.iter().map(|n| n.to_string()).collect()
    }

    /// The JSON body of the form as the browser has it now.
    fn body(&self, f: &Fields) -> Value {
        let mut body: Map<String, Value> = Map::new();
        for name in &self.fields {
            let raw = f.get(name);
            let v = if self.ints.contains(name) {
                raw.trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or(Value::Null)
            } else if self.bools.contains(name) {
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
        Value::Object(body)
    }
}

/// The argument names of a server function as its derived `Deserialize` declares them:
/// a probe deserializer records the field list serde hands to `deserialize_struct`.
#[cfg(debug_assertions)]
pub fn argument_names<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Deserializer, Visitor};

    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.pad("probe")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Stop {
            Stop
        }
    }
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            *self.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut names));
    names
}

/// The reply of a server function that made a record: only its `id` is read.
#[derive(Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Created {
    id: i64,
}

#[cfg(feature = "hydrate")]
async fn created_id(response: gloo_net::http::Response) -> Option<i64> {
    response.json::<Created>().await.ok().map(|c| c.id)
}

#[cfg(not(feature = "hydrate"))]
async fn created_id(_: ()) -> Option<i64> {
    None
}

/// The one generic form island: posts the [`FormAction`]'s fields of the form (hidden inputs
/// carry the fixed ones) to its server function. On success the page reloads, or goes to
/// `follow` + the new record's `id`. `confirm` asks first (closing a period, publishing a
/// notice).
#[island(lazy)]
pub fn ApiForm(
    lang: Lang,
    action: FormAction,
    #[prop(optional)] follow: Option<String>,
    #[prop(optional)] confirm: Option<String>,
    #[prop(optional)] class: Option<String>,
    children: Children,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let class = format!("api-form {}", class.unwrap_or_default());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(q) = &confirm
            && !window().confirm_with_message(q).unwrap_or(false)
        {
            return;
        }
        let body = action.body(&Fields::of_event(&ev)).to_string();
        let path = action.path.clone();
        let follow = follow.clone();
        pending.set(true);
        spawn_local(async move {
            match send(&path, body).await {
                Ok(response) => match follow {
                    Some(prefix) => match created_id(response).await {
                        Some(id) => {
                            let _ = window().location().set_href(&format!("{prefix}{id}"));
                        }
                        None => reload(),
                    },
                    None => reload(),
                },
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class=class on:submit=on_submit aria-busy=move || pending.get().to_string()>
            {children()}
            <Status lang error/>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_server_functions_arguments() {
        assert_eq!(
            argument_names::<crate::rewards::api::DraftNotice>(),
            &["result", "kind", "corrects"]
        );
        assert!(argument_names::<crate::rewards::api::RecomputeOutcomes>().is_empty());
    }

    #[test]
    #[should_panic(expected = "not an argument")]
    fn a_renamed_argument_fails() {
        let _ = FormAction::of::<crate::rewards::api::DraftNotice>(&["result", "sort"]);
    }

    #[test]
    fn sends_ints_and_bools_as_such() {
        let a = FormAction::of::<crate::rewards::api::AddCaseNote>(&["case", "body", "met"])
            .ints(&["case"])
            .bools(&["met"]);
        assert_eq!(a.path, "/api/v1/cases/note");
        assert_eq!(a.ints, ["case"]);
        assert_eq!(a.bools, ["met"]);
    }
}
