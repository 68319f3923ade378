//! Server functions of the three rewards and penalties (三奖惩) under `/api/v1/rewards/`,
//! `/api/v1/cases/`, `/api/v1/notices/` and `/api/v1/ledger/`. Same conventions as
//! [`crate::record::api`]: JSON by POST, [`AppError`] with a matching status, authorisation on
//! the server for every record. The two file downloads (ledger export, notice) are plain GETs
//! served by the server crate.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::*;
#[cfg(feature = "ssr")]
use crate::calendar::{LedgerPeriod, optional_day, optional_key};
use crate::domain::*;
use crate::error::AppError;
use crate::eval::ResultId;

#[cfg(feature = "ssr")]
use crate::ports::authed;

/// Outcomes of every published quarterly result, the cases and the notices (`quarter`,
/// e.g. `2026-Q2`, keeps one quarter's). Principals,
/// committee, office.
#[server(prefix = "/api/v1", endpoint = "rewards/board", input = Json)]
pub async fn get_rewards_board(quarter: Option<String>) -> Result<RewardsBoard, AppError> {
    let (b, me) = authed().await?;
    let q = optional_key(quarter, crate::calendar::Quarter::parse_key)?;
    let mut board = b.rewards_board(&me).await?;
    if let Some(q) = q.map(crate::calendar::Quarter::key) {
        board.quarters.retain(|x| x.quarter == q);
        board.cases.retain(|c| c.quarter == q);
        board.notices.retain(|n| n.quarter == q);
    }
    Ok(board)
}

/// The notices the caller may see, newest first, a page at a time; `kind` and `year`
/// filter. Published notices for everyone signed in, drafts also for office and principals.
#[server(prefix = "/api/v1", endpoint = "notices/list", input = Json)]
pub async fn list_notices(
    kind: Option<NoticeKind>,
    year: Option<i32>,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<Page<NoticeSummary>, AppError> {
    let (b, me) = authed().await?;
    let mut all = b.notices(&me).await?;
    all.retain(|n| {
        kind.is_none_or(|k| n.kind == k)
            && year.is_none_or(|y| n.quarter.starts_with(&format!("{y}-")))
    });
    PageQuery::new(page, per_page).cut(all)
}

/// Derives the outcomes again from the published results; idempotent (a second run reports
/// no change). Office, principals.
#[server(prefix = "/api/v1", endpoint = "rewards/recompute", input = Json)]
pub async fn recompute_outcomes() -> Result<RecomputeReport, AppError> {
    let (b, me) = authed().await?;
    b.recompute_outcomes(&me).await
}

/// The caller's own results, outcomes, cases and bonus lines. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "rewards/mine", input = Json)]
pub async fn get_my_rewards() -> Result<MyRewards, AppError> {
    let (b, me) = authed().await?;
    b.my_rewards(&me).await
}

/// A talk, warning or rectification case with its notes. Principals, committee, office, its
/// owner and its cadre.
#[server(prefix = "/api/v1", endpoint = "cases/get", input = Json)]
pub async fn get_case(id: CaseId) -> Result<CaseView, AppError> {
    let (b, me) = authed().await?;
    b.case(&me, id).await
}

/// Adds a note to an open case: `talk` (principals; needs `held_on`), `warning` (principals),
/// `plan` (needs `deadline`), `follow_up`, `closure` (needs `met` and a note). Principals or
/// the case's owner.
#[server(prefix = "/api/v1", endpoint = "cases/note", input = Json)]
pub async fn add_case_note(
    case: CaseId,
    kind: String,
    body: String,
    response: Option<String>,
    held_on: Option<String>,
    deadline: Option<String>,
    met: Option<bool>,
) -> Result<CaseView, AppError> {
    let (b, me) = authed().await?;
    let kind = NoteKind::parse_written(&kind)?;
    let held_on = optional_day("held_on", held_on)?;
    let deadline = optional_day("deadline", deadline)?;
    b.add_case_note(&me, case, kind, body, response, held_on, deadline, met)
        .await
}

/// Gives an open case to another principal. Principals.
#[server(prefix = "/api/v1", endpoint = "cases/assign", input = Json)]
pub async fn assign_case(case: CaseId, owner: CadreId) -> Result<CaseView, AppError> {
    let (b, me) = authed().await?;
    b.assign_case(&me, case, owner).await
}

/// A notice: published ones for everyone signed in, drafts for office and principals.
#[server(prefix = "/api/v1", endpoint = "notices/get", input = Json)]
pub async fn get_notice(id: NoticeId) -> Result<NoticeView, AppError> {
    let (b, me) = authed().await?;
    b.notice(&me, id).await
}

/// Drafts a commendation or criticism notice from a published result's active outcomes, or
/// a correction of a published notice (`corrects`). Office, principals.
#[server(prefix = "/api/v1", endpoint = "notices/draft", input = Json)]
pub async fn draft_notice(
    result: ResultId,
    kind: NoticeKind,
    corrects: Option<NoticeId>,
) -> Result<NoticeView, AppError> {
    let (b, me) = authed().await?;
    b.draft_notice(&me, result, kind, corrects).await
}

/// Edits a draft notice's title, text and issuer; published notices never change. Office,
/// principals.
#[server(prefix = "/api/v1", endpoint = "notices/update", input = Json)]
pub async fn update_notice(
    id: NoticeId,
    title: String,
    preamble: String,
    issuer: String,
) -> Result<NoticeView, AppError> {
    let (b, me) = authed().await?;
    b.update_notice(&me, id, title, preamble, issuer).await
}

/// Publishes a draft notice with the next number of the year and today's date. Office,
/// principals.
#[server(prefix = "/api/v1", endpoint = "notices/publish", input = Json)]
pub async fn publish_notice(id: NoticeId) -> Result<NoticeView, AppError> {
    let (b, me) = authed().await?;
    b.publish_notice(&me, id).await
}

/// The bonus ledger of a period (`2026-Q3`, `2026-YE`; default: last quarter). Office,
/// principals.
#[server(prefix = "/api/v1", endpoint = "ledger/get", input = Json)]
pub async fn get_ledger(period: Option<String>) -> Result<LedgerView, AppError> {
    let (b, me) = authed().await?;
    b.ledger(&me, optional_key(period, LedgerPeriod::parse_key)?)
        .await
}

/// Enters a cadre's base bonus for an open period (`amount` as a decimal string). Office.
#[server(prefix = "/api/v1", endpoint = "ledger/set_base", input = Json)]
pub async fn set_base(
    cadre: CadreId,
    period: String,
    amount: String,
) -> Result<BaseReport, AppError> {
    let (b, me) = authed().await?;
    let period = LedgerPeriod::parse_key(&period)?;
    let amount = Money::parse("amount", &amount)?;
    b.set_base(&me, cadre, period, amount).await
}

/// Imports base bonuses from CSV (`username,period,amount`), all or nothing. Office.
#[server(prefix = "/api/v1", endpoint = "ledger/import", input = Json)]
pub async fn import_bases(csv: String) -> Result<BaseReport, AppError> {
    let (b, me) = authed().await?;
    b.import_bases(&me, csv).await
}

/// Closes a period that has ended: its lines are frozen; later changes become correction
/// lines of the next open period. Office.
#[server(prefix = "/api/v1", endpoint = "ledger/close", input = Json)]
pub async fn close_period(period: String) -> Result<LedgerView, AppError> {
    let (b, me) = authed().await?;
    b.close_period(&me, LedgerPeriod::parse_key(&period)?).await
}
