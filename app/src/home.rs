//! The home screen, *Today*: the record's form for the day with the open sheet's state, and
//! the evaluations' reminders. It sits above both features, next to the shell.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::auth::pages::signed_in_page;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::tf;
use crate::policy::Policy;
use crate::record::api;
use crate::record::islands::TodayForm;
use crate::record::outbox_ui::OutboxIsland;
use crate::record::pages::StateBadge;
use crate::ui::{day_label, flash_error, local_time, period_label, query, tr, use_lang};

/// What the no-JavaScript *Today* form sent when the save was refused: the page is shown
/// again at once (422) with the error and the text as typed, so nothing is lost. It is
/// handed to the page in the render's context — user text never travels in a URL.
#[derive(Clone, Debug)]
pub struct TodayRetry {
    pub work: String,
    pub outcome: String,
    pub place: Option<Place>,
    pub village_id: Option<VillageId>,
    pub place_note: String,
    pub error: AppError,
}

/// *Today*: the day's two lines (or an earlier open day via `?day=`), the open sheet's state
/// and the days still empty.
#[component]
pub fn TodayPage() -> impl IntoView {
    let lang = use_lang();
    let day = query("day").and_then(|d| d.parse::<NaiveDate>().ok());
    // After a refused no-JavaScript save: the text as typed (see `TodayRetry`).
    let retry = use_context::<TodayRetry>();
    // "Saved" after a no-JavaScript save shows beside the save button.
    let flash = flash_error(retry.as_ref().map(|r| &r.error));
    let saved = query("saved").is_some();
    signed_in_page(move |me| async move {
        let v = api::get_today(day).await?;
        let reminders = crate::eval::api::get_reminders().await.unwrap_or_default();
        let entry = v.entry.clone();
        let retry = retry.map(|r| (r.work, r.outcome, r.place, r.village_id, r.place_note));
        let heading = if v.day == v.today {
            tf(lang, "today.heading", &[("day", &day_label(v.day))])
        } else {
            tf(lang, "today.heading_earlier", &[("day", &day_label(v.day))])
        };
        let s = v.sheet.clone();
        let sheet_href = match s.id {
            Some(id) => format!("/sheets/{id}"),
            None => format!("/my-sheet/{}", s.period.key()),
        };
        Ok(view! {
            <h1>{heading}</h1>
            <p class="sheet-line">
                {period_label(s.period)} " " <StateBadge state=s.state/> " "
                {tf(lang, "sheet.written", &[("n", &s.days_written.to_string()), ("total", &s.days_total.to_string())])}
                " · " <a href=sheet_href>{tr("today.open_sheet")}</a>
            </p>
            {flash}
            {crate::eval::pages::reminders_view(reminders)}
            {if v.writable {
                view! {
                    <TodayForm
                        lang=lang
                        person=me.id
                        now_ms=v.now.timestamp_millis()
                        day=v.day
                        client_id=v.client_id.clone()
                        work=retry.as_ref().map(|r| r.0.clone()).or_else(|| entry.as_ref().map(|e| e.work.clone())).unwrap_or_default()
                        outcome=retry.as_ref().map(|r| r.1.clone()).or_else(|| entry.as_ref().map(|e| e.outcome.clone())).unwrap_or_default()
                        place=retry.as_ref().and_then(|r| r.2).or_else(|| entry.as_ref().map(|e| e.place)).or(v.last_place).unwrap_or(Place::Office)
                        village_id=retry.as_ref().map(|r| r.3).unwrap_or_else(|| entry.as_ref().map_or(v.last_village_id, |e| e.village_id))
                        place_note=retry.as_ref().map(|r| r.4.clone()).or_else(|| entry.as_ref().and_then(|e| e.place_note.clone())).unwrap_or_default()
                        villages=v.villages.clone()
                        max_chars=Policy::default().max_line_chars
                        version=entry.as_ref().map_or(0, |e| e.version)
                        saved=saved
                    />
                }
                .into_any()
            } else {
                view! {
                    <p class="notice">{tr("today.not_writable")}</p>
                    <OutboxIsland lang=lang person=me.id/>
                }
                .into_any()
            }}
            {entry.map(|e| view! {
                <p class="muted">{tf(lang, "today.written_at", &[("t", &local_time(e.written_at))])}</p>
            })}
            {(!v.missing_days.is_empty()).then(|| view! {
                <section class="card">
                    <h2>{tr("today.missing")}</h2>
                    <ul class="day-links">
                        {v.missing_days.iter().map(|d| view! {
                            <li><a href=format!("/?day={d}")>{day_label(*d)}</a></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        })
    })
}
