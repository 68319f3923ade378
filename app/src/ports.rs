//! The ports the server functions need, implemented by the `server` crate with sea-orm and
//! handed in through Leptos context. Keeping them here as traits means no database crate is
//! ever compiled into the browser build.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::domain::*;
use crate::error::AppError;

/// Everything the UI's server functions ask of the server. Every method that takes `me`
/// authorises on the record it touches; callers only pass who is asking.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The person behind a session token, if the session is valid.
    async fn session_user(&self, token: &str) -> Result<Option<Me>, AppError>;
    /// Checks the password; returns the person and a new session token.
    async fn sign_in(&self, username: &str, password: &str) -> Result<(Me, String), AppError>;
    async fn sign_out(&self, me: &Me, token: &str) -> Result<(), AppError>;
    async fn change_password(&self, me: &Me, old: &str, new: &str) -> Result<(), AppError>;

    async fn today(&self, me: &Me, day: Option<NaiveDate>) -> Result<TodayView, AppError>;
    async fn save_entry(&self, me: &Me, input: EntryInput) -> Result<DayEntryView, AppError>;
    async fn my_sheets(&self, me: &Me) -> Result<Vec<SheetSummary>, AppError>;
    async fn sheet(&self, me: &Me, id: SheetId) -> Result<SheetView, AppError>;
    /// The cadre's own sheet for a period, created empty if needed.
    async fn my_sheet_for(&self, me: &Me, period: SheetPeriod) -> Result<SheetView, AppError>;
    async fn submit_sheet(&self, me: &Me, id: SheetId) -> Result<SheetView, AppError>;
    async fn review_sheet(
        &self,
        me: &Me,
        id: SheetId,
        comment: Option<String>,
    ) -> Result<SheetView, AppError>;
    async fn return_sheet(
        &self,
        me: &Me,
        id: SheetId,
        reason: String,
    ) -> Result<SheetView, AppError>;
    async fn inbox(&self, me: &Me, period: Option<SheetPeriod>) -> Result<InboxView, AppError>;
    async fn archive_search(&self, me: &Me, q: ArchiveQuery) -> Result<ArchivePage, AppError>;

    async fn departments(&self, me: &Me) -> Result<Vec<DepartmentView>, AppError>;
    async fn villages(&self, me: &Me) -> Result<Vec<VillageOption>, AppError>;
    async fn accounts(&self, me: &Me) -> Result<Vec<AccountView>, AppError>;
    async fn create_account(&self, me: &Me, new: NewAccount) -> Result<AccountView, AppError>;
    async fn set_account_active(
        &self,
        me: &Me,
        id: CadreId,
        active: bool,
    ) -> Result<AccountView, AppError>;
    async fn reset_password(&self, me: &Me, id: CadreId, password: String) -> Result<(), AppError>;
    async fn assign_supervisor(
        &self,
        me: &Me,
        cadre: CadreId,
        supervisor: CadreId,
        from: NaiveDate,
    ) -> Result<AccountView, AppError>;
    async fn create_department(&self, me: &Me, name: String) -> Result<DepartmentView, AppError>;
    async fn rename_department(
        &self,
        me: &Me,
        id: DepartmentId,
        name: String,
    ) -> Result<DepartmentView, AppError>;
    async fn import_cadres(&self, me: &Me, csv: String) -> Result<ImportReport, AppError>;
    async fn areas(&self, me: &Me) -> Result<Vec<AreaView>, AppError>;
    async fn create_area(&self, me: &Me, name: String) -> Result<AreaView, AppError>;
    async fn create_village(
        &self,
        me: &Me,
        area: AreaId,
        name: String,
    ) -> Result<AreaView, AppError>;
    async fn set_area_chief(
        &self,
        me: &Me,
        area: AreaId,
        chief: Option<CadreId>,
    ) -> Result<AreaView, AppError>;
}

/// The shared handle put into Leptos context by the server.
pub type BackendRef = Arc<dyn Backend>;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "xn_session";

/// The backend from context.
pub fn backend() -> Result<BackendRef, AppError> {
    leptos::prelude::use_context::<BackendRef>().ok_or(AppError::Internal {})
}

/// The session token from the request's cookies, if any.
pub fn session_token() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == SESSION_COOKIE && !v.is_empty()).then(|| v.to_string())
        })
}

/// The backend and the signed-in person, or `Unauthenticated`.
pub async fn authed() -> Result<(BackendRef, Me), AppError> {
    let b = backend()?;
    let token = session_token().ok_or(AppError::Unauthenticated {})?;
    let me = b
        .session_user(&token)
        .await?
        .ok_or(AppError::Unauthenticated {})?;
    Ok((b, me))
}
