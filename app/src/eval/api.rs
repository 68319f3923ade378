//! Server functions of the three evaluations (三评) under `/api/v1/eval/`, `/api/v1/appeal/`
//! and `/api/v1/policy/`. Same conventions as [`crate::record::api`]: JSON by POST,
//! [`AppError`] with a matching status, authorisation on the server for every record.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::*;
#[cfg(feature = "ssr")]
use crate::calendar::{Month, Quarter, optional_key};
use crate::domain::*;
use crate::error::AppError;
use crate::policy::*;

#[cfg(feature = "ssr")]
use crate::ports::authed;

/// The evaluation policy in force and every earlier version. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "policy/current", input = Json)]
pub async fn get_policy() -> Result<PolicyHistory, AppError> {
    let (b, me) = authed().await?;
    b.policy_history(&me).await
}

/// Adds a new policy version (past results keep theirs). Office.
#[server(prefix = "/api/v1", endpoint = "policy/update", input = Json)]
pub async fn update_policy(policy: EvalPolicy, note: String) -> Result<PolicyVersion, AppError> {
    let (b, me) = authed().await?;
    b.update_policy(&me, policy, note).await
}

/// An area chief's opinion screen for a month (`2026-04`; default: last month). Area chiefs.
#[server(prefix = "/api/v1", endpoint = "eval/opinions", input = Json)]
pub async fn get_opinions(month: Option<String>) -> Result<OpinionSheet, AppError> {
    let (b, me) = authed().await?;
    b.opinion_sheet(&me, optional_key(month, Month::parse_key)?)
        .await
}

/// Writes (or revises, keeping the earlier text) an opinion on a cadre of one's area.
/// The chief of that cadre's area.
#[server(prefix = "/api/v1", endpoint = "eval/save_opinion", input = Json)]
pub async fn save_opinion(
    month: String,
    cadre: CadreId,
    text: String,
    rating: Option<u32>,
) -> Result<OpinionView, AppError> {
    let (b, me) = authed().await?;
    b.save_opinion(&me, Month::parse_key(&month)?, cadre, text, rating)
        .await
}

/// A supervising leader's pick screen for a month (default: last month). Supervising leaders.
#[server(prefix = "/api/v1", endpoint = "eval/pick_board", input = Json)]
pub async fn get_pick_board(month: Option<String>) -> Result<PickBoard, AppError> {
    let (b, me) = authed().await?;
    b.pick_board(&me, optional_key(month, Month::parse_key)?)
        .await
}

/// Submits the month's best and worst with reasons and citations; locked afterwards.
/// Supervising leaders, for their own cadres.
#[server(prefix = "/api/v1", endpoint = "eval/submit_pick", input = Json)]
pub async fn submit_pick(input: MonthlyPickInput) -> Result<ResultView, AppError> {
    let (b, me) = authed().await?;
    b.submit_pick(&me, input.parse()?).await
}

/// A monthly pick or quarterly result, as far as the caller may see it.
#[server(prefix = "/api/v1", endpoint = "eval/result", input = Json)]
pub async fn get_result(id: ResultId) -> Result<ResultView, AppError> {
    let (b, me) = authed().await?;
    b.result(&me, id).await
}

/// The quarter's pool with every reason, citation and opinion (`2026-Q2`); `kind` keeps
/// only the best or only the worst. Deciders.
#[server(prefix = "/api/v1", endpoint = "eval/pool", input = Json)]
pub async fn get_pool(
    quarter: Option<String>,
    kind: Option<PickKind>,
) -> Result<PoolView, AppError> {
    let (b, me) = authed().await?;
    let mut v = b
        .pool(&me, optional_key(quarter, Quarter::parse_key)?)
        .await?;
    match kind {
        Some(PickKind::Best) => v.worst.clear(),
        Some(PickKind::Worst) => v.best.clear(),
        None => {}
    }
    Ok(v)
}

/// Published quarterly results, newest first, a page at a time (`year` filters): the
/// committee, office and deciders see them in full, everyone else the current names and
/// reasons. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "eval/published", input = Json)]
pub async fn list_published_results(
    year: Option<i32>,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<Page<ResultView>, AppError> {
    let (b, me) = authed().await?;
    let all = b.published_results(&me, year).await?;
    PageQuery::new(page, per_page).cut(all)
}

/// Records a preliminary (`confirm: false`) or confirming choice for the quarter; the
/// result is decided when enough deciders confirm the same lists. Deciders.
#[server(prefix = "/api/v1", endpoint = "eval/choose", input = Json)]
pub async fn choose(
    quarter: String,
    confirm: bool,
    best: Vec<CadreId>,
    worst: Vec<CadreId>,
    note: Option<String>,
) -> Result<PoolView, AppError> {
    let (b, me) = authed().await?;
    let quarter = Quarter::parse_key(&quarter)?;
    b.choose(&me, quarter, confirm, best, worst, note).await
}

/// Withdraws one's own choice while the quarter is undecided. Deciders.
#[server(prefix = "/api/v1", endpoint = "eval/withdraw", input = Json)]
pub async fn withdraw_choice(quarter: String) -> Result<PoolView, AppError> {
    let (b, me) = authed().await?;
    b.withdraw_choice(&me, Quarter::parse_key(&quarter)?).await
}

/// Publishes the decided quarterly result with today's date. Deciders.
#[server(prefix = "/api/v1", endpoint = "eval/publish", input = Json)]
pub async fn publish(quarter: String) -> Result<ResultView, AppError> {
    let (b, me) = authed().await?;
    b.publish(&me, Quarter::parse_key(&quarter)?).await
}

/// The caller's own published namings with their appeals. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "eval/mine", input = Json)]
pub async fn my_results() -> Result<Vec<MyNaming>, AppError> {
    let (b, me) = authed().await?;
    b.my_results(&me).await
}

/// The evaluation calendar for a month and its quarter. Signed-in users (names of who is
/// behind only for principals, committee and office).
#[server(prefix = "/api/v1", endpoint = "eval/calendar", input = Json)]
pub async fn get_calendar(month: Option<String>) -> Result<CalendarView, AppError> {
    let (b, me) = authed().await?;
    b.calendar(&me, optional_key(month, Month::parse_key)?)
        .await
}

/// What is due from the caller. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "eval/reminders", input = Json)]
pub async fn get_reminders() -> Result<Vec<Reminder>, AppError> {
    let (b, me) = authed().await?;
    b.reminders(&me).await
}

/// Appeals a published naming of oneself within the window. The named cadre.
#[server(prefix = "/api/v1", endpoint = "appeal/file", input = Json)]
pub async fn file_appeal(naming: NamingId, ground: String) -> Result<AppealView, AppError> {
    let (b, me) = authed().await?;
    b.file_appeal(&me, naming, ground).await
}

/// Appeals: all for the committee and principals, one's own otherwise.
#[server(prefix = "/api/v1", endpoint = "appeal/list", input = Json)]
pub async fn list_appeals() -> Result<AppealList, AppError> {
    let (b, me) = authed().await?;
    b.appeals(&me).await
}

/// Answers an open appeal: uphold, overturn or change (with a replacement), in writing.
/// A changed result is re-published with its history. Party committee.
#[server(prefix = "/api/v1", endpoint = "appeal/answer", input = Json)]
pub async fn answer_appeal(
    id: AppealId,
    outcome: AppealOutcome,
    answer: String,
    replacement: Option<CadreId>,
) -> Result<AppealView, AppError> {
    let (b, me) = authed().await?;
    b.answer_appeal(&me, id, outcome, answer, replacement).await
}
