//! Islands of the record: the *Today* form, submitting a sheet and the review panel. Each
//! calls its JSON server function; the page then reloads from the server.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::{ReturnSheet, ReviewSheet, SaveEntry, SubmitSheet};
use super::outbox::{LineState, OutboxLine};
use super::outbox_ui::{Outbox, OutboxPanel, clock_now, new_client_id};
use super::*;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{
    Done, Fields, Status, call_and_reload, call_for, server_clock_ms, set_clock_offset, text_of,
};

/// Where a save stands, as the *Today* form shows it.
#[derive(Clone, Debug, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    /// Saved on the server, at this browser time ("14:05").
    Saved(String),
    /// Not sent: the server was not reached (the lines stay in the form).
    Unsent(AppError),
    /// Kept in the phone's outbox, sent when the server is reached.
    Queued,
}

/// What the island reads of a save's answer: the entry's new version.
#[derive(serde::Deserialize)]
struct Saved {
    version: u32,
}

/// The *Today* form. Without WASM it is a plain form posted to `/today`; once hydrated a
/// save goes into the phone's outbox first and from there through `record/save_entry`,
/// naming the version of the entry it was shown with (`version`, 0: none); the outbox's
/// unsent lines show below it. `now_ms`: the server's time of the page.
#[island]
pub fn TodayForm(
    lang: Lang,
    person: CadreId,
    now_ms: i64,
    day: NaiveDate,
    client_id: String,
    work: String,
    outcome: String,
    place: Place,
    village_id: Option<VillageId>,
    place_note: String,
    villages: Vec<VillageOption>,
    max_chars: usize,
    version: u32,
    /// Just saved by the plain form (`?saved`).
    saved: bool,
) -> impl IntoView {
    let client_id = RwSignal::new(client_id);
    let version = RwSignal::new(version);
    let work_s = RwSignal::new(work.clone());
    let outcome_s = RwSignal::new(outcome.clone());
    let error = RwSignal::new(None::<AppError>);
    let state = RwSignal::new(if saved {
        SaveState::Saved(String::new())
    } else {
        SaveState::Idle
    });
    let signals = SaveSignals {
        client_id,
        version,
        error,
        state,
    };
    let outbox = Outbox::new(person);
    go_live(signals, outbox, day, now_ms);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if state.get_untracked() == SaveState::Saving {
            return;
        }
        // Read what the form holds now: text typed before the page became interactive
        // counts too (the signals only drive the counters).
        let mut input = entry_of(
            &Fields::of_event(&ev),
            client_id.get_untracked(),
            day,
            place,
        );
        input.base_version = Some(version.get_untracked());
        save_through(signals, outbox, input);
    };

    let count =
        move |s: RwSignal<String>| move || format!("{}/{}", s.get().chars().count(), max_chars);
    view! {
        <form method="post" action="/today" class="card today-form" on:submit=on_submit>
            <input type="hidden" name="client_id" prop:value=move || client_id.get() value=client_id.get_untracked()/>
            <input type="hidden" name="base_version" prop:value=move || version.get().to_string() value=version.get_untracked().to_string()/>
            <input type="hidden" name="day" value=day.to_string()/>
            <label for="work">{t(lang, "field.work")}</label>
            <textarea id="work" name="work" rows="3" maxlength=max_chars required
                placeholder=t(lang, "today.work_placeholder")
                on:input=move |ev| work_s.set(event_target_value(&ev))>{crate::ui::textarea_text(&work)}</textarea>
            <span class="counter">{count(work_s)}</span>
            <label for="outcome">{t(lang, "field.outcome")}</label>
            <textarea id="outcome" name="outcome" rows="3" maxlength=max_chars required
                placeholder=t(lang, "today.outcome_placeholder")
                on:input=move |ev| outcome_s.set(event_target_value(&ev))>{crate::ui::textarea_text(&outcome)}</textarea>
            <span class="counter">{count(outcome_s)}</span>
            {place_chips(lang, place)}
            {village_select(lang, villages, village_id)}
            {place_note_field(lang, place_note)}
            <Status lang error/>
            {save_bar(lang, state)}
        </form>
        <OutboxPanel lang outbox/>
    }
}

/// Once the form is live in the browser: its own client id (a page opened from the phone's
/// cache names one that may have been used), the clock's offset, the outbox sending and the
/// form following its own line there.
fn go_live(s: SaveSignals, outbox: Outbox, day: NaiveDate, now_ms: i64) {
    Effect::new(move |_| {
        s.client_id.set(new_client_id());
        page_clock(now_ms);
    });
    outbox.start();
    follow_outbox(s, outbox, day);
}

/// Takes the phone's clock offset from the page's render time, when the page came from the
/// server just now (not a kept copy opened offline, whose banner shows).
fn page_clock(now_ms: i64) {
    let fresh = document()
        .get_element_by_id(crate::ui::layout::BANNER_ID)
        .is_none_or(|b| b.has_attribute("hidden"));
    if fresh && now_ms > 0 {
        set_clock_offset(now_ms as f64 - js_sys::Date::now());
    }
}

/// Keeps the save in the outbox and sends it from there; where the browser has no store
/// for it, sends it directly (not kept if the connection fails: it stays in the form).
fn save_through(s: SaveSignals, outbox: Outbox, input: EntryInput) {
    if let Err(e) = input.clone().validate(&Policy::default()) {
        s.error.set(Some(e));
        s.state.set(SaveState::Idle);
        return;
    }
    s.error.set(None);
    s.state.set(SaveState::Saving);
    let line = OutboxLine::of_input(outbox.person(), &input, server_clock_ms());
    spawn_local(async move {
        if !outbox.keep(line).await {
            send_save(s, input);
        }
    });
}

/// Shows in the form where its own line stands in the outbox: sending, sent (the next save
/// is a new one over the version stored), waiting or refused. A line of this day still
/// waiting when the page opens is what the form shows.
fn follow_outbox(s: SaveSignals, outbox: Outbox, day: NaiveDate) {
    Effect::new(move |_| {
        let mine = s.client_id.get();
        let sent = outbox.sent.get();
        if let Some(done) = sent.iter().find(|l| l.client_id == mine) {
            s.client_id.set(new_client_id());
            s.version.set(done.version);
            s.state.set(SaveState::Saved(done.at.clone()));
            return;
        }
        let lines = outbox.lines.get();
        let unsent = |l: &&OutboxLine| !sent.iter().any(|d| d.client_id == l.client_id);
        let Some(line) = lines
            .iter()
            .filter(unsent)
            .find(|l| l.client_id == mine || l.day == day)
        else {
            return;
        };
        if line.client_id != mine {
            // An unsent line of this day from before: the form shows and continues it.
            s.client_id.set(line.client_id.clone());
            s.version.set(line.base_version);
            set_text("work", &line.work);
            set_text("outcome", &line.outcome);
        }
        let sending = outbox.sending.get().as_deref() == Some(line.client_id.as_str());
        s.state.set(match &line.state {
            _ if sending => SaveState::Saving,
            LineState::Queued => SaveState::Queued,
            LineState::Conflict { .. } => SaveState::Unsent(AppError::conflict("newer_version")),
            LineState::Refused { error } => SaveState::Unsent(error.clone()),
        });
    });
}

/// Puts text into a textarea of the form (as typing would: its counter follows).
fn set_text(id: &str, text: &str) {
    use wasm_bindgen::JsCast;
    if let Some(t) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    {
        t.set_value(text);
        if let Ok(ev) = web_sys::Event::new("input") {
            let _ = t.dispatch_event(&ev);
        }
    }
}

/// The place note (an enterprise's name, what the business away was), shown for those places.
fn place_note_field(lang: Lang, place_note: String) -> impl IntoView {
    view! {
        <div class="place-note-field">
            <label for="place_note">{t(lang, "field.place_note")}</label>
            <input id="place_note" name="place_note" type="text" maxlength="100"
                value=place_note placeholder=t(lang, "today.note_placeholder")/>
        </div>
    }
}

/// The save button, pinned in reach, with where the save stands beside it.
fn save_bar(lang: Lang, state: RwSignal<SaveState>) -> impl IntoView {
    let saving = move || state.get() == SaveState::Saving;
    view! {
        <div class="save-bar">
            <p class="save-state" role="status" aria-live="polite">{move || save_state_text(lang, &state.get())}</p>
            <button type="submit" class="primary" disabled=saving>
                {move || t(lang, if saving() { "today.saving" } else { "today.save" })}
            </button>
        </div>
    }
}

/// What a save changes in the *Today* form.
#[derive(Clone, Copy)]
struct SaveSignals {
    client_id: RwSignal<String>,
    version: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
    state: RwSignal<SaveState>,
}

/// Sends checked lines directly: a refusal shows by its field, a network failure leaves
/// the lines in the form as not sent.
fn send_save(s: SaveSignals, input: EntryInput) {
    spawn_local(async move {
        match call_for::<_, Saved>(SaveEntry { input }).await {
            Ok(saved) => {
                // The next save is a new one, over the version now stored.
                s.client_id.set(new_client_id());
                s.version.set(saved.version);
                s.state.set(SaveState::Saved(clock_now()));
            }
            Err(e) if e.is_network() => s.state.set(SaveState::Unsent(e)),
            Err(e) => {
                s.error.set(Some(e));
                s.state.set(SaveState::Idle);
            }
        }
    });
}

/// The line beside the save button: saving, saved at, or not sent and why.
fn save_state_text(lang: Lang, s: &SaveState) -> String {
    match s {
        SaveState::Idle => String::new(),
        SaveState::Saving => t(lang, "today.saving"),
        SaveState::Saved(at) if at.is_empty() => t(lang, "today.saved"),
        SaveState::Saved(at) => format!("{} {at}", t(lang, "today.saved")),
        SaveState::Unsent(e) => format!("{}：{}", t(lang, "today.unsent"), e.message(lang)),
        SaveState::Queued => t(lang, "today.queued"),
    }
}

/// The day's entry as the form holds it (the place it was shown with, if none is ticked).
fn entry_of(f: &Fields, client_id: String, day: NaiveDate, place: Place) -> EntryInput {
    EntryInput {
        client_id,
        day,
        work: f.get("work"),
        outcome: f.get("outcome"),
        place: Place::from_code(&f.get("place")).unwrap_or(place),
        village_id: f.get("village_id").parse().ok().map(VillageId),
        place_note: Some(f.get("place_note")),
        device_written_at: None,
        base_version: None,
        author: None,
    }
}

/// Where the day was spent, as chips (radio buttons).
fn place_chips(lang: Lang, place: Place) -> impl IntoView {
    view! {
        <fieldset class="places">
            <legend>{t(lang, "field.place")}</legend>
            {Place::ALL
                .into_iter()
                .map(|p| {
                    let id = format!("place-{}", p.code());
                    view! {
                        <label class="chip" for=id.clone()>
                            <input type="radio" name="place" id=id.clone() value=p.code()
                                checked=p == place/>
                            {t(lang, &format!("place.{}", p.code()))}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// The village the day was spent in, if any.
fn village_select(
    lang: Lang,
    villages: Vec<VillageOption>,
    village_id: Option<VillageId>,
) -> impl IntoView {
    view! {
        <div class="village-field">
        <label for="village_id">{t(lang, "field.village_id")}</label>
        <select id="village_id" name="village_id">
            <option value="">{t(lang, "today.no_village")}</option>
            {villages
                .into_iter()
                .map(|v| {
                    let selected = Some(v.id) == village_id;
                    view! {
                        <option value=v.id.0.to_string() selected=selected>
                            {format!("{} · {}", v.area, v.name)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        </div>
    }
}

/// Submits the viewer's own sheet.
#[island(lazy)]
pub fn SubmitSheetButton(lang: Lang, id: SheetId, empty_days: u32) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |_| {
        if empty_days > 0 {
            let msg = crate::i18n::tf(
                lang,
                "sheet.confirm_empty",
                &[("n", &empty_days.to_string())],
            );
            if !window().confirm_with_message(&msg).unwrap_or(false) {
                return;
            }
        }
        call_and_reload(SubmitSheet { id }, error, pending);
    };
    view! {
        <div class="actions">
            <button type="button" class="primary" on:click=submit disabled=move || pending.get()>
                {t(lang, "sheet.submit")}
            </button>
            <Status lang error/><Done done/>
        </div>
    }
}

/// The supervising leader's review: mark reviewed with an optional comment, or return with
/// a reason.
#[island(lazy)]
pub fn ReviewPanel(lang: Lang, id: SheetId) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let act = move |returning: bool| {
        // Read at click time: a leader who typed before the page was interactive keeps it.
        let text = text_of("review-comment");
        if returning {
            call_and_reload(ReturnSheet { id, reason: text }, error, pending);
        } else {
            let comment = Some(text).filter(|c| !c.trim().is_empty());
            call_and_reload(ReviewSheet { id, comment }, error, pending);
        }
    };
    view! {
        <section class="card review">
            <label for="review-comment">{t(lang, "review.comment_label")}</label>
            <textarea id="review-comment" rows="3" maxlength="500"></textarea>
            <Status lang error/><Done done/>
            <div class="actions">
                <button type="button" class="primary" disabled=move || pending.get()
                    on:click=move |_| act(false)>{t(lang, "review.mark_reviewed")}</button>
                <button type="button" class="warn" disabled=move || pending.get()
                    on:click=move |_| act(true)>{t(lang, "review.return")}</button>
            </div>
        </section>
    }
}
