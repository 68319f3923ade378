//! The outbox in the browser: its store (IndexedDB, through `xnOutbox` of `/xn.js`), the
//! drain that sends its lines through `record/save_entry`, and the list of unsent lines on
//! *Today*. The rules are in [`super::outbox`].

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::{GetToday, SaveEntry};
use super::outbox::{Answer, LineState, OutboxLine, backoff_ms};
use crate::domain::*;
use crate::i18n::{Lang, t, tf};
use crate::ui::day_label_in;
use crate::ui::forms::{call_for, text_of};

/// A new idempotency key for a save, made in the browser.
pub fn new_client_id() -> String {
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let now = js_sys::Date::now() as u64;
    format!("c{now:x}{a:08x}{b:08x}")
}

/// "14:05", at the browser's clock.
pub fn clock_now() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
}

/// The store's calls. Each is `None`/`false` where the browser has no IndexedDB (the form
/// then sends directly, as it did before the outbox).
mod store {
    use super::OutboxLine;
    use crate::domain::CadreId;

    #[cfg(feature = "hydrate")]
    mod js {
        use wasm_bindgen::prelude::*;
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(catch, js_namespace = xnOutbox, js_name = save)]
            pub fn save(json: &str) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(catch, js_namespace = xnOutbox, js_name = update)]
            pub fn update(json: &str) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(catch, js_namespace = xnOutbox, js_name = list)]
            pub fn list(person: i32) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(catch, js_namespace = xnOutbox, js_name = remove)]
            pub fn remove(id: &str) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(catch, js_namespace = xnOutbox, js_name = claim)]
            pub fn claim(
                id: &str,
                tab: &str,
                now: f64,
                lease: f64,
            ) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(catch, js_namespace = xnOutbox, js_name = persist)]
            pub fn persist() -> Result<js_sys::Promise, JsValue>;
        }
    }

    #[cfg(feature = "hydrate")]
    async fn run(
        p: Result<js_sys::Promise, wasm_bindgen::JsValue>,
    ) -> Option<wasm_bindgen::JsValue> {
        wasm_bindgen_futures::JsFuture::from(p.ok()?).await.ok()
    }

    #[cfg(feature = "hydrate")]
    fn json(line: &OutboxLine) -> Option<String> {
        serde_json::to_string(line).ok()
    }

    /// Keeps a new line, in place of the same day's unsent line of the same person.
    pub async fn keep(line: &OutboxLine) -> bool {
        #[cfg(feature = "hydrate")]
        if let Some(j) = json(line) {
            return run(js::save(&j)).await.is_some();
        }
        let _ = line;
        false
    }

    /// Writes a line back, if it is still in the store (not deleted or replaced meanwhile).
    pub async fn update(line: &OutboxLine) {
        #[cfg(feature = "hydrate")]
        if let Some(j) = json(line) {
            run(js::update(&j)).await;
        }
        let _ = line;
    }

    /// The person's lines, oldest day first.
    pub async fn lines(person: CadreId) -> Option<Vec<OutboxLine>> {
        #[cfg(feature = "hydrate")]
        {
            let text = run(js::list(person.0)).await?.as_string()?;
            // A stored line that does not read is kept in the store, not dropped: it shows
            // as nothing here, and the rest still go.
            let raw: Vec<String> = serde_json::from_str(&text).ok()?;
            return Some(
                raw.iter()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
            );
        }
        #[allow(unreachable_code)]
        {
            let _ = person;
            None
        }
    }

    pub async fn remove(id: &str) {
        #[cfg(feature = "hydrate")]
        run(js::remove(id)).await;
        let _ = id;
    }

    /// Takes a queued line to send it (one tab at a time): the line as now stored.
    pub async fn claim(id: &str, tab: &str, now: f64) -> Option<OutboxLine> {
        #[cfg(feature = "hydrate")]
        {
            let lease = super::super::outbox::LEASE_MS;
            let text = run(js::claim(id, tab, now, lease)).await?.as_string()?;
            return serde_json::from_str(&text).ok();
        }
        #[allow(unreachable_code)]
        {
            let _ = (id, tab, now);
            None
        }
    }

    /// Asks the browser to keep the store when space runs short: `Some(false)` if refused.
    pub async fn persist() -> Option<bool> {
        #[cfg(feature = "hydrate")]
        {
            let v = run(js::persist()).await?.as_string()?;
            return match v.as_str() {
                "granted" => Some(true),
                "denied" => Some(false),
                _ => None,
            };
        }
        #[allow(unreachable_code)]
        None
    }
}

/// A line the server now has (shown as sent on this page).
#[derive(Clone, Debug, PartialEq)]
pub struct SentLine {
    pub client_id: String,
    pub day: NaiveDate,
    pub version: u32,
    pub at: String,
}

/// What the island reads of a save's answer.
#[derive(serde::Deserialize)]
struct Saved {
    version: u32,
}

/// What the island reads of the server's day in a conflict.
#[derive(serde::Deserialize)]
struct ServerDay {
    entry: Option<ServerEntry>,
}

#[derive(serde::Deserialize)]
struct ServerEntry {
    work: String,
    outcome: String,
    version: u32,
}

/// The signed-in cadre's outbox on this page.
#[derive(Clone, Copy)]
pub struct Outbox {
    person: CadreId,
    /// The person's unsent lines, as stored.
    pub lines: RwSignal<Vec<OutboxLine>>,
    /// The client id being sent now.
    pub sending: RwSignal<Option<String>>,
    pub sent: RwSignal<Vec<SentLine>>,
    /// The session ended: lines wait for the same person to sign in again.
    pub signed_out: RwSignal<bool>,
    /// The browser would not promise to keep the store.
    pub persist_refused: RwSignal<bool>,
    /// Which line is being edited.
    pub editing: RwSignal<Option<String>>,
    failures: RwSignal<u32>,
    busy: RwSignal<bool>,
    again: RwSignal<bool>,
    retry_set: RwSignal<bool>,
    tab: StoredValue<String>,
}

impl Outbox {
    pub fn new(person: CadreId) -> Self {
        Outbox {
            person,
            lines: RwSignal::new(Vec::new()),
            sending: RwSignal::new(None),
            sent: RwSignal::new(Vec::new()),
            signed_out: RwSignal::new(false),
            persist_refused: RwSignal::new(false),
            editing: RwSignal::new(None),
            failures: RwSignal::new(0),
            busy: RwSignal::new(false),
            again: RwSignal::new(false),
            retry_set: RwSignal::new(false),
            tab: StoredValue::new(String::new()),
        }
    }

    pub fn person(self) -> CadreId {
        self.person
    }

    /// In the browser: reads the store and sends what waits, now, when the connection comes
    /// back, when the page is shown again and on a timer that backs off.
    pub fn start(self) {
        Effect::new(move |_| {
            self.tab.set_value(new_client_id());
            // Back online: try at once, and the wait between tries starts short again.
            let on_online = window_event_listener_untyped("online", move |_| {
                self.failures.set(0);
                self.drain();
            });
            let on_shown = window_event_listener_untyped("visibilitychange", move |_| {
                if !document().hidden() {
                    self.drain();
                }
            });
            // The page lives as long as its listeners.
            std::mem::forget((on_online, on_shown));
            self.drain();
        });
    }

    /// Keeps a new line and sends it. `false` if the browser has no store for it.
    pub async fn keep(self, line: OutboxLine) -> bool {
        if !store::keep(&line).await {
            return false;
        }
        if let Some(false) = store::persist().await {
            self.persist_refused.set(true);
        }
        self.drain();
        true
    }

    /// Sends every queued line of the person, one tab at a time, each once.
    pub fn drain(self) {
        if self.busy.get_untracked() {
            self.again.set(true);
            return;
        }
        self.busy.set(true);
        spawn_local(async move {
            // A reason to send that came during a pass (the connection is back, the page is
            // shown) is another pass, also after one that stopped early.
            loop {
                self.again.set(false);
                self.drain_once().await;
                if !self.again.get_untracked() {
                    break;
                }
            }
            self.busy.set(false);
        });
    }

    async fn refresh(self) -> Option<Vec<OutboxLine>> {
        let lines = store::lines(self.person).await?;
        self.lines.set(lines.clone());
        Some(lines)
    }

    /// One pass over the queued lines; it stops early when a line got no answer or the
    /// session ended (the next would meet the same).
    async fn drain_once(self) {
        let Some(lines) = self.refresh().await else {
            return;
        };
        let tab = self.tab.get_value();
        let mut held = false;
        for line in lines {
            if !line.sendable(&tab, js_sys::Date::now()) {
                // Lent to another tab (or to one that was closed while sending: its lease
                // runs out): looked at again later.
                held |= line.state == LineState::Queued;
                continue;
            }
            let Some(claimed) = store::claim(&line.client_id, &tab, js_sys::Date::now()).await
            else {
                continue;
            };
            let answer = self.send(&claimed).await;
            if !answer.goes_on() {
                self.refresh().await;
                self.retry_later();
                return;
            }
        }
        self.refresh().await;
        if held {
            self.retry_later();
        }
    }

    /// Sends one claimed line and stores what its answer made of it.
    async fn send(self, line: &OutboxLine) -> Answer {
        self.sending.set(Some(line.client_id.clone()));
        let input = line.to_input();
        let result = call_for::<_, Saved>(SaveEntry { input }).await;
        let answer = Answer::of(result.map(|s| s.version));
        self.sending.set(None);
        match line.clone().answered(&answer) {
            None => {
                store::remove(&line.client_id).await;
                self.lines
                    .update(|v| v.retain(|x| x.client_id != line.client_id));
                if let Answer::Stored { version } = answer {
                    self.sent.update(|s| {
                        s.push(SentLine {
                            client_id: line.client_id.clone(),
                            day: line.day,
                            version,
                            at: clock_now(),
                        })
                    });
                }
            }
            Some(next) if answer == Answer::Newer => store::update(&server_side(next).await).await,
            Some(next) => store::update(&next).await,
        }
        match &answer {
            Answer::Unreached => self.failures.update(|f| *f += 1),
            Answer::SignedOut => self.signed_out.set(true),
            _ => {
                self.failures.set(0);
                self.signed_out.set(false);
            }
        }
        answer
    }

    /// Tries again after a wait that grows with each failure (while the page is open).
    fn retry_later(self) {
        if self.signed_out.get_untracked() || self.retry_set.get_untracked() {
            return;
        }
        self.retry_set.set(true);
        let wait = backoff_ms(self.failures.get_untracked().saturating_sub(1));
        set_timeout(
            move || {
                self.retry_set.set(false);
                self.drain();
            },
            std::time::Duration::from_millis(wait.into()),
        );
    }

    /// Changes a stored line (edit, keep mine, retry; perhaps under a new client id, in
    /// place of the old one) and sends what is queued.
    fn change(self, line: OutboxLine) {
        spawn_local(async move {
            store::keep(&line).await;
            self.editing.set(None);
            self.drain();
        });
    }

    fn delete(self, id: String) {
        spawn_local(async move {
            store::remove(&id).await;
            self.refresh().await;
        });
    }
}

/// A conflicting line with the server's version of its day beside it.
async fn server_side(line: OutboxLine) -> OutboxLine {
    let day = call_for::<_, ServerDay>(GetToday {
        day: Some(line.day),
    })
    .await;
    match day.ok().and_then(|d| d.entry) {
        Some(e) => line.in_conflict(e.version, e.work, e.outcome),
        None => line,
    }
}

/// The unsent lines on *Today*: each with where it stands, to edit or delete until sent,
/// conflicts to choose, and what was sent on this page.
#[component]
pub fn OutboxPanel(lang: Lang, outbox: Outbox) -> impl IntoView {
    let o = outbox;
    let shown = move || !o.lines.get().is_empty() || !o.sent.get().is_empty() || o.signed_out.get();
    view! {
        <Show when=shown>
            <section class="card outbox" aria-labelledby="outbox-h">
                <h2 id="outbox-h">{move || {
                    let n = o.lines.get().len();
                    if n == 0 { t(lang, "outbox.all_sent") } else { tf(lang, "outbox.heading", &[("n", &n.to_string())]) }
                }}</h2>
                {move || o.signed_out.get().then(|| view! {
                    <p class="notice" role="alert">{t(lang, "outbox.signed_out")} " "
                        <a href="/login">{t(lang, "outbox.sign_in")}</a></p>
                })}
                {move || o.persist_refused.get().then(|| view! {
                    <p class="muted small">{t(lang, "outbox.persist_refused")}</p>
                })}
                <ul class="outbox-lines">
                    {move || o.lines.get().into_iter().map(|l| line_view(lang, o, l)).collect_view()}
                </ul>
                <ul class="outbox-sent">
                    {move || o.sent.get().into_iter().map(|s| view! {
                        <li>{day_label_in(lang, s.day)} " · " {tf(lang, "outbox.sent", &[("t", &s.at)])}</li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// One unsent line.
fn line_view(lang: Lang, o: Outbox, l: OutboxLine) -> impl IntoView {
    let id = l.client_id.clone();
    let sending = {
        let id = id.clone();
        move || o.sending.get().as_deref() == Some(id.as_str())
    };
    let editing = {
        let id = id.clone();
        move || o.editing.get().as_deref() == Some(id.as_str())
    };
    let (kind, state_text) = match &l.state {
        LineState::Queued => ("queued", t(lang, "outbox.queued")),
        LineState::Conflict { .. } => ("conflict", t(lang, "outbox.conflict")),
        LineState::Refused { error } => (
            "refused",
            tf(lang, "outbox.refused", &[("msg", &error.message(lang))]),
        ),
    };
    let state_line = {
        let sending = sending.clone();
        move || {
            if sending() {
                t(lang, "today.saving")
            } else {
                state_text.clone()
            }
        }
    };
    view! {
        <li class="outbox-line" data-state=kind>
            <p class="line-head"><strong>{day_label_in(lang, l.day)}</strong>
                " " <span class="badge">{state_line}</span></p>
            {move || if editing() { edit_view(lang, o, l.clone()).into_any() } else { line_body(lang, o, l.clone()).into_any() }}
        </li>
    }
}

/// A line as written, with what may be done with it.
fn line_body(lang: Lang, o: Outbox, l: OutboxLine) -> impl IntoView {
    let conflict = match &l.state {
        LineState::Conflict {
            server_work,
            server_outcome,
            ..
        } => Some((server_work.clone(), server_outcome.clone())),
        _ => None,
    };
    let refused = matches!(l.state, LineState::Refused { .. });
    let (edit_id, delete_id, keep_server_id) = (
        l.client_id.clone(),
        l.client_id.clone(),
        l.client_id.clone(),
    );
    let (mine, retry) = (l.clone(), l.clone());
    view! {
        <p class="line-text">{l.work.clone()}</p>
        <p class="line-text">{l.outcome.clone()}</p>
        {conflict.map(|(w, c)| view! {
            <div class="conflict">
                <p class="muted small">{t(lang, "outbox.server")}</p>
                <p class="line-text">{w}</p><p class="line-text">{c}</p>
                <div class="actions">
                    <button type="button" class="primary" on:click=move |_| o.change(mine.clone().keep_mine(new_client_id()))>
                        {t(lang, "outbox.keep_mine")}</button>
                    <button type="button" on:click=move |_| o.delete(keep_server_id.clone())>
                        {t(lang, "outbox.keep_server")}</button>
                </div>
            </div>
        })}
        <div class="actions">
            {refused.then(|| view! {
                <button type="button" on:click=move |_| o.change(retry.clone().requeue(new_client_id()))>
                    {t(lang, "outbox.retry")}</button>
            })}
            <button type="button" class="link" on:click=move |_| o.editing.set(Some(edit_id.clone()))>
                {t(lang, "outbox.edit")}</button>
            <button type="button" class="link warn" on:click=move |_| {
                if window().confirm_with_message(&t(lang, "outbox.confirm_delete")).unwrap_or(false) {
                    o.delete(delete_id.clone());
                }
            }>{t(lang, "outbox.delete")}</button>
        </div>
    }
}

/// Editing an unsent line's two lines.
fn edit_view(lang: Lang, o: Outbox, l: OutboxLine) -> impl IntoView {
    let (work, outcome) = (l.work.clone(), l.outcome.clone());
    let save = move |_| {
        let (work, outcome) = (text_of("outbox-work"), text_of("outbox-outcome"));
        if work.trim().is_empty() || outcome.trim().is_empty() {
            return;
        }
        o.change(l.clone().edited(work, outcome, new_client_id()));
    };
    view! {
        <label for="outbox-work">{t(lang, "field.work")}</label>
        <textarea id="outbox-work" rows="3">{crate::ui::textarea_text(&work)}</textarea>
        <label for="outbox-outcome">{t(lang, "field.outcome")}</label>
        <textarea id="outbox-outcome" rows="3">{crate::ui::textarea_text(&outcome)}</textarea>
        <div class="actions">
            <button type="button" class="primary" on:click=save>{t(lang, "outbox.save_edit")}</button>
            <button type="button" on:click=move |_| o.editing.set(None)>{t(lang, "outbox.cancel")}</button>
        </div>
    }
}

/// The outbox alone, on *Today* when the day's form is not shown (the day is not writable):
/// lines of other days still go.
#[island]
pub fn OutboxIsland(lang: Lang, person: CadreId) -> impl IntoView {
    let outbox = Outbox::new(person);
    outbox.start();
    view! { <OutboxPanel lang outbox/> }
}
