//! Islands of the record: the *Today* form, submitting a sheet and the review panel. Each
//! calls its JSON server function; the page then reloads from the server.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::{ReturnSheet, ReviewSheet, SaveEntry, SubmitSheet};
use super::*;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{Done, Fields, Status, call_and_reload, call_for, text_of};

/// A new idempotency key for a save, made in the browser.
fn new_client_id() -> String {
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let now = js_sys::Date::now() as u64;
    format!("c{now:x}{a:08x}{b:08x}")
}

/// Where a save stands, as the *Today* form shows it.
#[derive(Clone, Debug, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    /// Saved on the server, at this browser time ("14:05").
    Saved(String),
    /// Not sent: the server was not reached (the lines stay in the form).
    Unsent(AppError),
}

/// What the island reads of a save's answer: the entry's new version.
#[derive(serde::Deserialize)]
struct Saved {
    version: u32,
}

/// The *Today* form. Without WASM it is a plain form posted to `/today`; once hydrated it
/// saves through `record/save_entry` without leaving the page, naming the version of the
/// entry it was shown with (`version`, 0: none).
#[island]
pub fn TodayForm(
    lang: Lang,
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
    // A page opened from the phone's cache names a client id that may have been used:
    // the live form makes its own (effects run in the browser only).
    Effect::new(move |_| client_id.set(new_client_id()));
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
        // Sent now, it is judged at its receipt: no device time (a phone's clock may be
        // off). Only a save replayed later from the outbox names when it was written.
        send_save(signals, input);
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

/// Checks the lines and sends them: a refusal shows by its field, a network failure leaves
/// the lines in the form as not sent.
fn send_save(s: SaveSignals, input: EntryInput) {
    if let Err(e) = input.clone().validate(&Policy::default()) {
        s.error.set(Some(e));
        s.state.set(SaveState::Idle);
        return;
    }
    s.error.set(None);
    s.state.set(SaveState::Saving);
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
    }
}

/// "14:05", at the browser's clock.
fn clock_now() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
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
#[island]
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
#[island]
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
