//! Server functions of the record: today, saving a day, sheets, submitting, review and the
//! archive. Each authorises on the server (through [`crate::ports::authed`]) first.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::*;
use crate::domain::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::ports::authed;

/// The *Today* screen for the caller's own record (`day` defaults to today). Cadres.
#[server(prefix = "/api/v1", endpoint = "record/today", input = Json)]
pub async fn get_today(day: Option<NaiveDate>) -> Result<TodayView, AppError> {
    let (b, me) = authed().await?;
    b.today(&me, day).await
}

/// Saves one day's two lines in the caller's own open sheet. Applied once per `client_id`.
#[server(prefix = "/api/v1", endpoint = "record/save_entry", input = Json)]
pub async fn save_entry(input: EntryInput) -> Result<DayEntryView, AppError> {
    let (b, me) = authed().await?;
    b.save_entry(&me, input).await
}

/// The caller's own sheets, newest first. Cadres.
#[server(prefix = "/api/v1", endpoint = "record/my_sheets", input = Json)]
pub async fn my_sheets() -> Result<Vec<SheetSummary>, AppError> {
    let (b, me) = authed().await?;
    b.my_sheets(&me).await
}

/// One sheet with rows and history. The cadre, their supervising leader for that period,
/// principals, committee and office.
#[server(prefix = "/api/v1", endpoint = "record/sheet", input = Json)]
pub async fn get_sheet(id: SheetId) -> Result<SheetView, AppError> {
    let (b, me) = authed().await?;
    b.sheet(&me, id).await
}

/// The caller's own sheet for a period (`2026-04-1` style key), created empty if needed.
#[server(prefix = "/api/v1", endpoint = "record/my_sheet", input = Json)]
pub async fn my_sheet_for(period: String) -> Result<SheetView, AppError> {
    let (b, me) = authed().await?;
    let period = SheetPeriod::parse_key(&period)?;
    b.my_sheet_for(&me, period).await
}

/// Submits the caller's own open sheet; it is then locked. Late after the due time.
#[server(prefix = "/api/v1", endpoint = "record/submit", input = Json)]
pub async fn submit_sheet(id: SheetId) -> Result<SheetView, AppError> {
    let (b, me) = authed().await?;
    b.submit_sheet(&me, id).await
}

/// Marks a submitted sheet reviewed, with an optional comment. Its supervising leader only.
#[server(prefix = "/api/v1", endpoint = "review/mark_reviewed", input = Json)]
pub async fn review_sheet(id: SheetId, comment: Option<String>) -> Result<SheetView, AppError> {
    let (b, me) = authed().await?;
    b.review_sheet(&me, id, comment).await
}

/// Returns a submitted sheet to its cadre with a reason. Its supervising leader only.
#[server(prefix = "/api/v1", endpoint = "review/return", input = Json)]
pub async fn return_sheet(id: SheetId, reason: String) -> Result<SheetView, AppError> {
    let (b, me) = authed().await?;
    b.return_sheet(&me, id, reason).await
}

/// A supervising leader's inbox for a dekad (`2026-04-1` style key; default: the last
/// dekad that has fallen due). Supervising leaders.
#[server(prefix = "/api/v1", endpoint = "review/inbox", input = Json)]
pub async fn get_inbox(period: Option<String>) -> Result<InboxView, AppError> {
    let (b, me) = authed().await?;
    let period = period
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(SheetPeriod::parse_key);
    b.inbox(&me, period.transpose()?).await
}

/// Searches every sheet by person, department, period and text. Office, principals, committee.
#[server(prefix = "/api/v1", endpoint = "archive/search", input = Json)]
pub async fn archive_search(query: ArchiveQuery) -> Result<ArchiveResults, AppError> {
    let (b, me) = authed().await?;
    b.archive_search(&me, query).await
}
