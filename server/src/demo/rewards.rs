//! The demo township's rewards and penalties, played through the service as the office and
//! the principals would have done it, each step at its own (past) time: outcomes after every
//! quarterly publication, talks and warnings recorded, rectification plans followed and
//! mostly closed (one left open), commendation and criticism notices, base bonuses imported
//! and the quarter before last closed — so a later withholding shows as a correction line.
//! Deterministic from the date.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use app::calendar::LedgerPeriod;
use app::domain::{Me, Role};
use app::policy::Policy;
use app::ports::{Cases, Ledger, Notices};
use app::rewards::{CaseState, NoteKind, NoticeKind, OutcomeKind, OutcomeStatus};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use crate::entities::{cadre, case, eval_result, outcome};
use crate::service::Service;

fn err(e: app::error::AppError) -> DbErr {
    DbErr::Custom(format!("demo rewards: {e:?}"))
}

/// What one cadre earns as a quarterly bonus in the demo (yuan): leaders more.
fn base_for(c: &cadre::Model, roles: &[Role]) -> u32 {
    let step = (c.id % 5) as u32 * 100;
    if roles.contains(&Role::Principal) {
        5000
    } else if roles.contains(&Role::Supervisor) {
        4200 + step
    } else {
        3000 + step
    }
}

pub async fn seed(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<u64, DbErr> {
    let clock_at = Arc::new(AtomicI64::new(now.timestamp_micros()));
    let read = clock_at.clone();
    let svc = Service::new(
        db.clone(),
        policy.clone(),
        Arc::new(move || {
            DateTime::from_timestamp_micros(read.load(Ordering::SeqCst)).unwrap_or_default()
        }),
    );
    let set = |t: DateTime<Utc>| clock_at.store(t.min(now).timestamp_micros(), Ordering::SeqCst);
    let people = cadre::Entity::find()
        .order_by_asc(cadre::Column::Id)
        .all(db)
        .await?;
    let roles = |c: &cadre::Model| Role::parse_list(&c.roles).unwrap_or_default();
    let me_with = |role: Role| people.iter().find(|c| roles(c).contains(&role)).cloned();
    let (Some(office), Some(principal)) = (me_with(Role::Office), me_with(Role::Principal)) else {
        return Ok(0);
    };
    let office: Me = svc.me_of(db, &office).await.map_err(err)?;
    let principal: Me = svc.me_of(db, &principal).await.map_err(err)?;
    let mut steps = 0u64;

    let results = eval_result::Entity::find()
        .filter(eval_result::Column::Kind.eq("quarterly"))
        .filter(eval_result::Column::PublishedAt.is_not_null())
        .order_by_asc(eval_result::Column::Year)
        .order_by_asc(eval_result::Column::Period)
        .all(db)
        .await?;
    let Some(first) = results.first().and_then(|r| r.published_at) else {
        return Ok(0);
    };

    // Base bonuses for the year, imported by the office soon after the first result.
    set(first + Duration::days(8));
    let year = results
        .last()
        .map(|r| r.year)
        .unwrap_or(first.format("%Y").to_string().parse().unwrap_or(2026));
    let mut csv = String::from("username,period,amount\n");
    for c in people.iter().filter(|c| c.active) {
        let b = base_for(c, &roles(c));
        for p in LedgerPeriod::of_year(year) {
            let amount = if p.is_year_end() { b * 3 } else { b };
            csv.push_str(&format!("{},{},{amount}.00\n", c.username, p.key()));
        }
    }
    svc.import_bases(&office, csv).await.map_err(err)?;
    steps += 1;

    for r in &results {
        let Some(published) = r.published_at else {
            continue;
        };
        if published > now {
            continue;
        }
        // Outcomes as of the publication.
        set(published + Duration::minutes(5));
        {
            let tx = db.begin().await?;
            svc.recompute_in(&tx, None).await.map_err(err)?;
            tx.commit().await?;
        }
        // A week later: talks held and warnings given, rectification plans made.
        let week = published + Duration::days(6);
        if week < now {
            set(week);
            let day = policy.local_date(week);
            for c in open_cases(db, r.id).await? {
                let (kind, body, response, held, deadline) = match c.kind.as_str() {
                    "talk" => (
                        NoteKind::Talk,
                        "指出本季度记录不实、下村少、交办事项滞后等问题，要求按时记实、每周向分管领导汇报。",
                        Some("接受批评，保证整改。".to_string()),
                        Some(day),
                        None,
                    ),
                    "warning" => (
                        NoteKind::Warning,
                        "书面告诫：再次被评为最差将按规定通报批评、停发奖金。",
                        None,
                        None,
                        None,
                    ),
                    _ => (
                        NoteKind::Plan,
                        "每日按时记实；每周至少三天下村；交办事项限期办结并报告。",
                        None,
                        None,
                        Some(day + Duration::days(30)),
                    ),
                };
                svc.add_case_note(
                    &principal,
                    app::rewards::CaseId(c.id),
                    kind,
                    body.into(),
                    response,
                    held,
                    deadline,
                    None,
                )
                .await
                .map_err(err)?;
                steps += 1;
            }
            // The commendation notice, and a criticism notice when the streak rule hit.
            for kind in [NoticeKind::Commendation, NoticeKind::Criticism] {
                let active = outcome::Entity::find()
                    .filter(outcome::Column::ResultId.eq(r.id))
                    .filter(outcome::Column::Kind.eq(kind.outcome().code()))
                    .filter(outcome::Column::Status.eq(OutcomeStatus::Active.code()))
                    .count(db)
                    .await?;
                if active == 0 {
                    continue;
                }
                let draft = svc
                    .draft_notice(&office, app::eval::ResultId(r.id), kind, None)
                    .await
                    .map_err(err)?;
                svc.publish_notice(&office, draft.id).await.map_err(err)?;
                steps += 1;
            }
        }
        // Five weeks later: rectifications followed up and closed, all but the last one.
        let later = published + Duration::days(40);
        if later < now {
            set(later);
            let open: Vec<case::Model> = open_cases(db, r.id)
                .await?
                .into_iter()
                .filter(|c| c.kind == OutcomeKind::Rectification.code())
                .collect();
            let n = open.len();
            for (i, c) in open.into_iter().enumerate() {
                let id = app::rewards::CaseId(c.id);
                svc.add_case_note(
                    &principal,
                    id,
                    NoteKind::FollowUp,
                    "按计划整改，记录表按时提交，下村次数增加。".into(),
                    None,
                    None,
                    None,
                    None,
                )
                .await
                .map_err(err)?;
                if i + 1 < n {
                    svc.add_case_note(
                        &principal,
                        id,
                        NoteKind::Closure,
                        "整改期内记录完整、交办事项按期办结，整改到位。".into(),
                        None,
                        None,
                        None,
                        Some(true),
                    )
                    .await
                    .map_err(err)?;
                }
                steps += 1;
            }
        }
        // The quarter's bonuses are closed three weeks after the quarter's result.
        let close = published + Duration::days(21);
        let period = LedgerPeriod {
            year: r.year,
            slot: r.period as u32,
        };
        if close < now && r.year == year {
            set(close);
            svc.close_period(&office, period).await.map_err(err)?;
            steps += 1;
        }
    }
    // Where things stand today.
    set(now);
    let tx = db.begin().await?;
    svc.recompute_in(&tx, None).await.map_err(err)?;
    tx.commit().await?;
    Ok(steps)
}

async fn open_cases(db: &DatabaseConnection, result: i32) -> Result<Vec<case::Model>, DbErr> {
    let outcomes: Vec<i32> = outcome::Entity::find()
        .filter(outcome::Column::ResultId.eq(result))
        .filter(outcome::Column::Status.eq(OutcomeStatus::Active.code()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    case::Entity::find()
        .filter(case::Column::OutcomeId.is_in(outcomes))
        .filter(case::Column::State.eq(CaseState::Open.code()))
        .order_by_asc(case::Column::Id)
        .all(db)
        .await
}
