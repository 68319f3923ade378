//! Server functions: the public JSON API under `/api/v1/`. Each takes a JSON object of its
//! arguments by POST and returns JSON; errors are [`AppError`] with a matching HTTP status.
//! Every function authorises on the server (through [`crate::ports::authed`]) before anything
//! else; the backend then checks the record itself.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::*;
use crate::error::AppError;

/// Every server function's path, for the OpenAPI document and its test.
pub const API_PREFIX: &str = "/api/v1";

#[cfg(feature = "ssr")]
use crate::ports::{authed, backend};

/// Signs in with user name and password; sets the `HttpOnly` session cookie.
/// Anyone may call it; repeated failures for one account slow down (429).
#[server(prefix = "/api/v1", endpoint = "auth/sign_in", input = Json)]
pub async fn sign_in(username: String, password: String) -> Result<Me, AppError> {
    let b = backend()?;
    let from = crate::ports::SignInFrom::current();
    let (me, token) = b.sign_in(&username, &password, &from).await?;
    crate::ssr_util::set_session_cookie(&token, false);
    Ok(me)
}

/// Ends the caller's session and clears the cookie. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "auth/sign_out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    let (b, me) = authed().await?;
    if let Some(token) = crate::ports::session_token() {
        b.sign_out(&me, &token).await?;
    }
    crate::ssr_util::set_session_cookie("", true);
    Ok(())
}

/// The signed-in person, or `None`. Anyone.
#[server(prefix = "/api/v1", endpoint = "auth/me", input = Json)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    match authed().await {
        Ok((_, me)) => Ok(Some(me)),
        Err(AppError::Unauthenticated {}) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Changes the caller's own password; their other sessions end. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "auth/change_password", input = Json)]
pub async fn change_password(old_password: String, new_password: String) -> Result<(), AppError> {
    let (b, me) = authed().await?;
    let token = crate::ports::session_token().unwrap_or_default();
    b.change_password(&me, &token, &old_password, &new_password)
        .await
}

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
pub async fn archive_search(query: ArchiveQuery) -> Result<ArchivePage, AppError> {
    let (b, me) = authed().await?;
    b.archive_search(&me, query).await
}

/// Departments, for pickers. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "org/departments", input = Json)]
pub async fn list_departments() -> Result<Vec<DepartmentView>, AppError> {
    let (b, me) = authed().await?;
    b.departments(&me).await
}

/// Villages with their areas, for the place picker. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "org/villages", input = Json)]
pub async fn list_villages() -> Result<Vec<VillageOption>, AppError> {
    let (b, me) = authed().await?;
    b.villages(&me).await
}

/// Creates a department. Office.
#[server(prefix = "/api/v1", endpoint = "org/create_department", input = Json)]
pub async fn create_department(name: String) -> Result<DepartmentView, AppError> {
    let (b, me) = authed().await?;
    b.create_department(&me, name).await
}

/// Renames a department. Office.
#[server(prefix = "/api/v1", endpoint = "org/rename_department", input = Json)]
pub async fn rename_department(id: DepartmentId, name: String) -> Result<DepartmentView, AppError> {
    let (b, me) = authed().await?;
    b.rename_department(&me, id, name).await
}

/// Every account. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/list", input = Json)]
pub async fn list_accounts() -> Result<Vec<AccountView>, AppError> {
    let (b, me) = authed().await?;
    b.accounts(&me).await
}

/// Creates an account. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/create", input = Json)]
pub async fn create_account(account: NewAccount) -> Result<AccountView, AppError> {
    let (b, me) = authed().await?;
    b.create_account(&me, account).await
}

/// Deactivates or reactivates an account (accounts are never deleted). Office.
#[server(prefix = "/api/v1", endpoint = "accounts/set_active", input = Json)]
pub async fn set_account_active(id: CadreId, active: bool) -> Result<AccountView, AppError> {
    let (b, me) = authed().await?;
    b.set_account_active(&me, id, active).await
}

/// Sets a new password for an account and ends its sessions. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/reset_password", input = Json)]
pub async fn reset_password(id: CadreId, password: String) -> Result<(), AppError> {
    let (b, me) = authed().await?;
    b.reset_password(&me, id, password).await
}

/// Makes `supervisor` the supervising leader of `cadre` from a date; the previous assignment
/// ends that day and stays in the history. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/assign_supervisor", input = Json)]
pub async fn assign_supervisor(
    cadre: CadreId,
    supervisor: CadreId,
    from: NaiveDate,
) -> Result<AccountView, AppError> {
    let (b, me) = authed().await?;
    b.assign_supervisor(&me, cadre, supervisor, from).await
}

/// Imports cadres from CSV text (`username,name,title,department,roles,supervisor,password`);
/// good rows are created, bad rows are reported by line. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/import", input = Json)]
pub async fn import_cadres(csv: String) -> Result<ImportReport, AppError> {
    let (b, me) = authed().await?;
    b.import_cadres(&me, csv).await
}

/// Areas (片) with chiefs and villages. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "org/areas", input = Json)]
pub async fn list_areas() -> Result<Vec<AreaView>, AppError> {
    let (b, me) = authed().await?;
    b.areas(&me).await
}

/// Creates an area. Office.
#[server(prefix = "/api/v1", endpoint = "org/create_area", input = Json)]
pub async fn create_area(name: String) -> Result<AreaView, AppError> {
    let (b, me) = authed().await?;
    b.create_area(&me, name).await
}

/// Adds a village to an area. Office.
#[server(prefix = "/api/v1", endpoint = "org/create_village", input = Json)]
pub async fn create_village(area: AreaId, name: String) -> Result<AreaView, AppError> {
    let (b, me) = authed().await?;
    b.create_village(&me, area, name).await
}

/// Names (or clears) an area's chief; the person gains the area-chief role. Office.
#[server(prefix = "/api/v1", endpoint = "org/set_area_chief", input = Json)]
pub async fn set_area_chief(area: AreaId, chief: Option<CadreId>) -> Result<AreaView, AppError> {
    let (b, me) = authed().await?;
    b.set_area_chief(&me, area, chief).await
}
