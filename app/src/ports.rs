//! The ports the server functions need, implemented by the `server` crate with sea-orm and
//! handed in through Leptos context. Keeping them here as traits means no database crate is
//! ever compiled into the browser build.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::calendar::*;
use crate::domain::*;
use crate::error::AppError;
use crate::eval::*;
use crate::org::*;
use crate::policy::*;
use crate::record::*;
use crate::rewards::*;

/// Everything the UI's server functions ask of the server: one trait per room, each
/// implemented in its own file of the server's service. Every method that takes `me`
/// authorises on the record it touches; callers only pass who is asking.
pub trait Backend: Sessions + ApiTokens + Records + Org + Staff + Evaluations + Rewards {}

impl<T: Sessions + ApiTokens + Records + Org + Staff + Evaluations + Rewards> Backend for T {}

/// The three evaluations (三评).
pub trait Evaluations:
    PolicyVersions + Opinions + MonthlyPicks + Quarterly + Appeals + EvalCalendar
{
}

impl<T: PolicyVersions + Opinions + MonthlyPicks + Quarterly + Appeals + EvalCalendar> Evaluations
    for T
{
}

/// The three rewards and penalties (三奖惩).
pub trait Rewards: Outcomes + Cases + Notices + Ledger {}

impl<T: Outcomes + Cases + Notices + Ledger> Rewards for T {}

/// A finance export: file name, content type and bytes.
pub struct Download {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Sessions and passwords.
#[async_trait::async_trait]
pub trait Sessions: Send + Sync + 'static {
    /// The person behind a session token, if the session is valid.
    async fn session_user(&self, token: &str) -> Result<Option<Me>, AppError>;
    /// Checks the password (slowed down per account name and per client address); returns
    /// the person and a new session token. A session token sent along is ended, never reused.
    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: &SignInFrom,
    ) -> Result<(Me, String), AppError>;
    async fn sign_out(&self, me: &Me, token: &str) -> Result<(), AppError>;
    /// Changes one's own password and ends one's other sessions (`token`: the current one).
    async fn change_password(
        &self,
        me: &Me,
        token: &str,
        old: &str,
        new: &str,
    ) -> Result<(), AppError>;
}

/// API tokens for server-to-server clients (`Authorization: Bearer`).
#[async_trait::async_trait]
pub trait ApiTokens: Send + Sync + 'static {
    /// The account a valid token acts as, with only the token's role; each use is audited.
    async fn token_user(&self, secret: &str) -> Result<Option<Me>, AppError>;
    async fn create_token(
        &self,
        me: &Me,
        name: String,
        account: CadreId,
        role: Role,
        expires_on: NaiveDate,
    ) -> Result<crate::auth::NewToken, AppError>;
    async fn tokens(&self, me: &Me) -> Result<Vec<crate::auth::TokenView>, AppError>;
    async fn revoke_token(
        &self,
        me: &Me,
        id: crate::auth::TokenId,
    ) -> Result<crate::auth::TokenView, AppError>;
}

/// The daily work record (一记): Today, entries, ten-day sheets, the inbox, the archive.
#[async_trait::async_trait]
pub trait Records: Send + Sync + 'static {
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
    async fn archive_search(&self, me: &Me, q: ArchiveQuery) -> Result<ArchiveResults, AppError>;
}

/// The organisation: departments, areas and their chiefs, villages.
#[async_trait::async_trait]
pub trait Org: Send + Sync + 'static {
    async fn departments(&self, me: &Me) -> Result<Vec<DepartmentView>, AppError>;
    async fn villages(&self, me: &Me) -> Result<Vec<VillageOption>, AppError>;
    async fn create_department(&self, me: &Me, name: String) -> Result<DepartmentView, AppError>;
    async fn rename_department(
        &self,
        me: &Me,
        id: DepartmentId,
        name: String,
    ) -> Result<DepartmentView, AppError>;
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

/// Accounts: who works here, their roles, passwords, supervision, the CSV import.
#[async_trait::async_trait]
pub trait Staff: Send + Sync + 'static {
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
    async fn import_cadres(&self, me: &Me, csv: String) -> Result<ImportReport, AppError>;
}

/// The versioned evaluation policy.
#[async_trait::async_trait]
pub trait PolicyVersions: Send + Sync + 'static {
    async fn policy_history(&self, me: &Me) -> Result<PolicyHistory, AppError>;
    async fn update_policy(
        &self,
        me: &Me,
        policy: EvalPolicy,
        note: String,
    ) -> Result<PolicyVersion, AppError>;
}

/// Area-chief opinions (the first 评).
#[async_trait::async_trait]
pub trait Opinions: Send + Sync + 'static {
    async fn opinion_sheet(&self, me: &Me, month: Option<Month>) -> Result<OpinionSheet, AppError>;
    async fn save_opinion(
        &self,
        me: &Me,
        month: Month,
        cadre: CadreId,
        text: String,
        rating: Option<u32>,
    ) -> Result<OpinionView, AppError>;
}

/// The monthly pick of best and worst by each supervising leader.
#[async_trait::async_trait]
pub trait MonthlyPicks: Send + Sync + 'static {
    async fn pick_board(&self, me: &Me, month: Option<Month>) -> Result<PickBoard, AppError>;
    async fn submit_pick(&self, me: &Me, pick: MonthlyPick) -> Result<ResultView, AppError>;
    async fn result(&self, me: &Me, id: ResultId) -> Result<ResultView, AppError>;
}

/// The quarterly re-evaluation by the principals.
#[async_trait::async_trait]
pub trait Quarterly: Send + Sync + 'static {
    async fn pool(&self, me: &Me, quarter: Option<Quarter>) -> Result<PoolView, AppError>;
    /// Published quarterly results, newest first, each as `me` may see it.
    async fn published_results(
        &self,
        me: &Me,
        year: Option<i32>,
    ) -> Result<Vec<ResultView>, AppError>;
    async fn choose(
        &self,
        me: &Me,
        quarter: Quarter,
        confirm: bool,
        best: Vec<CadreId>,
        worst: Vec<CadreId>,
        note: Option<String>,
    ) -> Result<PoolView, AppError>;
    async fn withdraw_choice(&self, me: &Me, quarter: Quarter) -> Result<PoolView, AppError>;
    async fn publish(&self, me: &Me, quarter: Quarter) -> Result<ResultView, AppError>;
}

/// Appeals against a naming and their answers.
#[async_trait::async_trait]
pub trait Appeals: Send + Sync + 'static {
    async fn my_results(&self, me: &Me) -> Result<Vec<MyNaming>, AppError>;
    async fn file_appeal(
        &self,
        me: &Me,
        naming: NamingId,
        ground: String,
    ) -> Result<AppealView, AppError>;
    async fn appeals(&self, me: &Me) -> Result<AppealList, AppError>;
    async fn answer_appeal(
        &self,
        me: &Me,
        id: AppealId,
        outcome: AppealOutcome,
        answer: String,
        replacement: Option<CadreId>,
    ) -> Result<AppealView, AppError>;
}

/// The evaluation calendar and reminders.
#[async_trait::async_trait]
pub trait EvalCalendar: Send + Sync + 'static {
    async fn calendar(&self, me: &Me, month: Option<Month>) -> Result<CalendarView, AppError>;
    async fn reminders(&self, me: &Me) -> Result<Vec<Reminder>, AppError>;
}

/// Outcomes of published results (三奖惩) and the rewards views.
#[async_trait::async_trait]
pub trait Outcomes: Send + Sync + 'static {
    async fn rewards_board(&self, me: &Me) -> Result<RewardsBoard, AppError>;
    async fn recompute_outcomes(&self, me: &Me) -> Result<RecomputeReport, AppError>;
    async fn my_rewards(&self, me: &Me) -> Result<MyRewards, AppError>;
}

/// Talk, warning and rectification cases.
#[async_trait::async_trait]
pub trait Cases: Send + Sync + 'static {
    async fn case(&self, me: &Me, id: CaseId) -> Result<CaseView, AppError>;
    #[allow(clippy::too_many_arguments)]
    async fn add_case_note(
        &self,
        me: &Me,
        case: CaseId,
        kind: NoteKind,
        body: String,
        response: Option<String>,
        held_on: Option<NaiveDate>,
        deadline: Option<NaiveDate>,
        met: Option<bool>,
    ) -> Result<CaseView, AppError>;
    async fn assign_case(
        &self,
        me: &Me,
        case: CaseId,
        owner: CadreId,
    ) -> Result<CaseView, AppError>;
}

/// Notices (通报).
#[async_trait::async_trait]
pub trait Notices: Send + Sync + 'static {
    async fn notice(&self, me: &Me, id: NoticeId) -> Result<NoticeView, AppError>;
    /// The notices `me` may see (published ones; drafts too for office and principals),
    /// newest first.
    async fn notices(&self, me: &Me) -> Result<Vec<NoticeSummary>, AppError>;
    async fn draft_notice(
        &self,
        me: &Me,
        result: ResultId,
        kind: NoticeKind,
        corrects: Option<NoticeId>,
    ) -> Result<NoticeView, AppError>;
    async fn update_notice(
        &self,
        me: &Me,
        id: NoticeId,
        title: String,
        preamble: String,
        issuer: String,
    ) -> Result<NoticeView, AppError>;
    async fn publish_notice(&self, me: &Me, id: NoticeId) -> Result<NoticeView, AppError>;
    async fn notice_download(&self, me: &Me, id: NoticeId) -> Result<Download, AppError>;
}

/// The bonus ledger and its exports.
#[async_trait::async_trait]
pub trait Ledger: Send + Sync + 'static {
    async fn ledger(&self, me: &Me, period: Option<LedgerPeriod>) -> Result<LedgerView, AppError>;
    async fn set_base(
        &self,
        me: &Me,
        cadre: CadreId,
        period: LedgerPeriod,
        amount: Money,
    ) -> Result<BaseReport, AppError>;
    async fn import_bases(&self, me: &Me, csv: String) -> Result<BaseReport, AppError>;
    async fn close_period(&self, me: &Me, period: LedgerPeriod) -> Result<LedgerView, AppError>;
    async fn export_ledger(
        &self,
        me: &Me,
        period: LedgerPeriod,
        format: ExportFormat,
    ) -> Result<Download, AppError>;
}

/// The shared handle put into Leptos context by the server.
pub type BackendRef = Arc<dyn Backend>;

pub use crate::ssr_util::SESSION_COOKIE;

/// The backend from context.
pub fn backend() -> Result<BackendRef, AppError> {
    leptos::prelude::use_context::<BackendRef>().ok_or(AppError::Internal {})
}

/// Where a sign-in comes from: the client address (for the per-address slow-down) and the
/// session token the browser already held, if any (ended at sign-in).
#[derive(Clone, Debug, Default)]
pub struct SignInFrom {
    pub addr: Option<std::net::IpAddr>,
    pub old_token: Option<String>,
}

impl SignInFrom {
    /// The current request's client address and session cookie.
    pub fn current() -> Self {
        let addr = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::ssr_util::ClientAddr>().copied())
            .and_then(|a| a.0);
        SignInFrom {
            addr,
            old_token: session_token(),
        }
    }
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

/// The secret of an `Authorization: Bearer` header on an API request (`/api/…`), if any.
pub fn bearer_token() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    if !parts.uri.path().starts_with("/api/") {
        return None;
    }
    let value = parts
        .headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, secret) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !secret.trim().is_empty())
        .then(|| secret.trim().to_string())
}

/// The request's session, resolved at most once. The server puts an empty memo into every
/// request's extensions; the page guard and every server function the page calls share it
/// (through the cloned request parts), so a page costs one session lookup, not one per call.
#[derive(Clone, Default)]
pub struct SessionMemo(Arc<std::sync::OnceLock<Option<Me>>>);

impl SessionMemo {
    /// The memo of the current request, if the server provided one.
    fn current() -> Option<SessionMemo> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<SessionMemo>().cloned())
    }
}

/// The backend and the signed-in person, or `Unauthenticated`.
pub async fn authed() -> Result<(BackendRef, Me), AppError> {
    let b = backend()?;
    let memo = SessionMemo::current();
    if let Some(known) = memo.as_ref().and_then(|m| m.0.get()) {
        return known
            .clone()
            .map(|me| (b, me))
            .ok_or(AppError::Unauthenticated {});
    }
    // An API token counts on the API only: it never opens a page. On the API it wins over
    // a session cookie sent along.
    let me = match (bearer_token(), session_token()) {
        (Some(secret), _) => b.token_user(&secret).await?,
        (None, Some(token)) => b.session_user(&token).await?,
        (None, None) => None,
    };
    if let Some(m) = &memo {
        // A concurrent call of the same request may have set it first; both read the same.
        let _ = m.0.set(me.clone());
    }
    me.map(|me| (b, me)).ok_or(AppError::Unauthenticated {})
}
