//! The demo township's evaluations: for every month whose pick deadline has passed, the area
//! chiefs' opinions and each supervising leader's best and worst (citing real entries); for
//! every quarter whose decision is due, both principals' confirmations and the published
//! result; and on the latest published result two appeals, one answered and one open.
//! Deterministic from the seed and the date.

use std::collections::HashMap;

use app::calendar::Month;
use app::domain::Role;
use app::eval::{AppealStatus, PickKind};
use app::policy::EvalPolicy;
use app::policy::Policy;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::content::DemoRng;
use crate::entities::{
    appeal, area, area_opinion, cadre, day_entry, eval_naming, eval_result, eval_revision,
    quarter_choice, sheet, supervision,
};
use crate::service::supervisors_from;

const GOOD_OPINIONS: &[&str] = &[
    "驻村工作扎实，群众反映好，入户走访记录翔实。",
    "积极配合片区工作，防汛值守认真负责。",
    "协调村里矛盾纠纷主动，处理及时。",
    "熟悉村情民意，政策宣传到位。",
    "片区重点项目推进中出力多，能吃苦。",
];
const PLAIN_OPINIONS: &[&str] = &[
    "能完成片区交办任务，主动性还可加强。",
    "下村次数偏少，与村干部沟通不够。",
    "工作按部就班，创新不足。",
    "驻村时间不稳定，群众找人有时找不到。",
];
const BEST_REASONS: &[&str] = &[
    "本月记录完整扎实，连续下村走访，化解矛盾成效明显，片长评价高。",
    "牵头完成重点任务，记录中成效具体可查，群众认可度高。",
    "防汛抗旱值守到位，记录及时，工作有结果有数据。",
    "主动承担急难任务，按时上交记录表，质量高。",
];
const WORST_REASONS: &[&str] = &[
    "本月多日未记或补记，交办事项推进慢，片长反映下村少。",
    "记录内容空泛，成效不具体，记录表迟交。",
    "工作被动，交办事项多次催办才完成。",
    "在岗情况一般，记录与实际工作不符处较多。",
];

fn at(t: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    t.min(now - Duration::minutes(30))
}

/// Seeds the evaluations from `start` on; returns the number of opinions, namings and appeals.
pub async fn seed<C: ConnectionTrait>(
    db: &C,
    seed: u64,
    now: DateTime<Utc>,
    policy: &Policy,
    start: Month,
) -> Result<u64, DbErr> {
    let ep = EvalPolicy::default();
    let mut rng = DemoRng::new(seed ^ 0xE7A1_5EED);
    let people = cadre::Entity::find().all(db).await?;
    let roles = |c: &cadre::Model| Role::parse_list(&c.roles).unwrap_or_default();
    let principals: Vec<i32> = people
        .iter()
        .filter(|c| roles(c).contains(&Role::Principal))
        .map(|c| c.id)
        .collect();
    let committee: Vec<i32> = people
        .iter()
        .filter(|c| roles(c).contains(&Role::Committee) && !roles(c).contains(&Role::Principal))
        .map(|c| c.id)
        .collect();
    let areas = area::Entity::find().all(db).await?;
    let chief_of_area: HashMap<i32, i32> = areas
        .iter()
        .filter_map(|a| a.chief_id.map(|c| (a.id, c)))
        .collect();
    let supervisions = supervision::Entity::find().all(db).await?;
    let mut rows = 0u64;
    let mut month = start;
    let mut monthly: HashMap<Month, Vec<(i32, eval_result::Model)>> = HashMap::new();
    let mut names_of: HashMap<i32, Vec<eval_naming::Model>> = HashMap::new();
    let mut designated: Option<i32> = None;
    while ep.pick_due(month, policy) < now {
        let sups = supervisors_from(supervisions.clone(), month);
        // Entries of the month per cadre.
        let sheets = sheet::Entity::find()
            .filter(sheet::Column::Year.eq(month.year))
            .filter(sheet::Column::Month.eq(month.month as i32))
            .all(db)
            .await?;
        let owner: HashMap<i32, i32> = sheets.iter().map(|s| (s.id, s.cadre_id)).collect();
        let entries = day_entry::Entity::find()
            .filter(day_entry::Column::SheetId.is_in(sheets.iter().map(|s| s.id)))
            .order_by_asc(day_entry::Column::Id)
            .all(db)
            .await?;
        let mut entries_of: HashMap<i32, Vec<i32>> = HashMap::new();
        for e in &entries {
            if let Some(c) = owner.get(&e.sheet_id) {
                entries_of.entry(*c).or_default().push(e.id);
            }
        }
        // Opinions: each chief on each cadre of the area, a day or two before the deadline.
        let opinion_due = ep.opinion_due(month, policy);
        for c in people.iter().filter(|c| c.active) {
            let Some(chief) = c.area_id.and_then(|a| chief_of_area.get(&a)) else {
                continue;
            };
            if *chief == c.id {
                continue;
            }
            let good = rng.chance(0.7);
            let text = if good {
                rng.pick(GOOD_OPINIONS)
            } else {
                rng.pick(PLAIN_OPINIONS)
            };
            area_opinion::ActiveModel {
                cadre_id: Set(c.id),
                author_id: Set(*chief),
                year: Set(month.year),
                month: Set(month.month as i32),
                text: Set((*text).into()),
                rating: Set(Some(if good {
                    4 + rng.below(2) as i32
                } else {
                    2 + rng.below(2) as i32
                })),
                late: Set(false),
                written_at: Set(at(
                    opinion_due - Duration::hours(20 + rng.below(30) as i64),
                    now,
                )),
                ..Default::default()
            }
            .insert(db)
            .await?;
            rows += 1;
        }
        // Picks: each leader names one best and one worst with citations.
        let due = ep.pick_due(month, policy);
        let mut leaders: Vec<i32> = sups.values().copied().collect();
        leaders.sort();
        leaders.dedup();
        let first_leader = leaders.first().copied();
        for leader in leaders {
            let mut mine: Vec<i32> = sups
                .iter()
                .filter(|(c, s)| **s == leader && entries_of.contains_key(c))
                .map(|(c, _)| *c)
                .collect();
            mine.sort();
            if mine.len() < 2 {
                continue;
            }
            let mut b = mine[rng.below(mine.len() as u64) as usize];
            let mut w = mine[rng.below(mine.len() as u64) as usize];
            if w == b {
                w = mine[(mine.iter().position(|x| *x == b).unwrap_or(0) + 1) % mine.len()];
            }
            // One cadre of the first leader is picked worst every month, so the
            // consecutive-worst rule (连续3次) shows in the demo.
            if Some(leader) == first_leader {
                let plain = mine
                    .iter()
                    .copied()
                    .find(|c| {
                        people
                            .iter()
                            .any(|p| p.id == *c && roles(p) == [Role::Cadre])
                    })
                    .unwrap_or(mine[0]);
                let x = *designated.get_or_insert(plain);
                if mine.contains(&x) {
                    w = x;
                    if b == x {
                        b = mine.iter().copied().find(|c| *c != x).unwrap_or(b);
                    }
                }
            }
            let made = at(due - Duration::hours(10 + rng.below(60) as i64), now);
            let r = eval_result::ActiveModel {
                scope: Set(format!("m:{}:{leader}", month.key())),
                kind: Set("monthly".into()),
                year: Set(month.year),
                period: Set(month.month as i32),
                owner_id: Set(Some(leader)),
                policy_version: Set(1),
                made_by: Set(leader),
                made_at: Set(made),
                late: Set(false),
                published_at: Set(Some(due)),
                revision: Set(1),
                missing_confirmed: Set(false),
                missing_sheets: Set(0),
                ..Default::default()
            }
            .insert(db)
            .await?;
            eval_revision::ActiveModel {
                result_id: Set(r.id),
                revision: Set(1),
                by_id: Set(leader),
                at: Set(made),
                note: Set("submitted".into()),
                appeal_id: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
            for (kind, who, reasons) in [
                (PickKind::Best, b, BEST_REASONS),
                (PickKind::Worst, w, WORST_REASONS),
            ] {
                let list = entries_of.get(&who).cloned().unwrap_or_default();
                let mut cites = vec![list[rng.below(list.len() as u64) as usize]];
                let second = list[rng.below(list.len() as u64) as usize];
                if second != cites[0] {
                    cites.push(second);
                }
                let n = eval_naming::ActiveModel {
                    result_id: Set(r.id),
                    cadre_id: Set(who),
                    kind: Set(kind.code().into()),
                    reason: Set((*rng.pick(reasons)).into()),
                    citations: Set(serde_json::to_string(&cites).unwrap_or_else(|_| "[]".into())),
                    added_in: Set(1),
                    removed_in: Set(None),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                names_of.entry(r.id).or_default().push(n);
                rows += 1;
            }
            monthly.entry(month).or_default().push((leader, r));
        }
        month = month.next();
    }

    // The quarter before the system started: the office entered its paper result (names and
    // reasons, no citations) so that streaks reach back into it.
    let paper = start.quarter().prev();
    let paper_published = ep.quarter_due(paper, policy) - Duration::days(3);
    if let Some(x) = designated.filter(|_| paper_published < now && principals.len() >= 2) {
        let mut plain: Vec<i32> = people
            .iter()
            .filter(|c| c.id != x && roles(c) == [Role::Cadre])
            .map(|c| c.id)
            .collect();
        plain.sort();
        let mut others = Vec::new();
        while others.len() < 7 && !plain.is_empty() {
            others.push(plain.remove(rng.below(plain.len() as u64) as usize));
        }
        let r = eval_result::ActiveModel {
            scope: Set(format!("q:{}", paper.key())),
            kind: Set("quarterly".into()),
            year: Set(paper.year),
            period: Set(paper.quarter as i32),
            owner_id: Set(None),
            policy_version: Set(1),
            made_by: Set(principals[0]),
            made_at: Set(paper_published),
            late: Set(false),
            published_at: Set(Some(paper_published)),
            revision: Set(1),
            missing_confirmed: Set(false),
            missing_sheets: Set(0),
            ..Default::default()
        }
        .insert(db)
        .await?;
        eval_revision::ActiveModel {
            result_id: Set(r.id),
            revision: Set(1),
            by_id: Set(principals[0]),
            at: Set(paper_published),
            note: Set("纸质评定录入 / entered from the paper record".into()),
            appeal_id: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let worst: Vec<i32> = std::iter::once(x)
            .chain(others.iter().skip(5).copied())
            .collect();
        for (kind, list, reasons) in [
            (PickKind::Best, &others[..others.len().min(5)], BEST_REASONS),
            (PickKind::Worst, &worst[..], WORST_REASONS),
        ] {
            for c in list {
                eval_naming::ActiveModel {
                    result_id: Set(r.id),
                    cadre_id: Set(*c),
                    kind: Set(kind.code().into()),
                    reason: Set(format!("（据纸质评定录入）{}", rng.pick(reasons))),
                    citations: Set("[]".into()),
                    added_in: Set(1),
                    removed_in: Set(None),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                rows += 1;
            }
        }
    }

    // Quarters whose decision is due: both principals confirm, published two days before.
    let mut latest: Option<eval_result::Model> = None;
    let mut q = start.quarter();
    while ep.quarter_due(q, policy) < now && principals.len() >= 2 {
        let mut best_pool: Vec<(i32, String)> = Vec::new();
        let mut worst_pool: Vec<(i32, String)> = Vec::new();
        for m in q.months() {
            for (_, r) in monthly.get(&m).map(Vec::as_slice).unwrap_or(&[]) {
                for n in names_of.get(&r.id).map(Vec::as_slice).unwrap_or(&[]) {
                    let pool = if n.kind == "best" {
                        &mut best_pool
                    } else {
                        &mut worst_pool
                    };
                    pool.push((n.cadre_id, format!("{}月：{}", m.month, n.reason)));
                }
            }
        }
        if best_pool.is_empty() {
            q = q.next();
            continue;
        }
        // Prefer people picked more than once; ties by order of appearance.
        let choose = |pool: &[(i32, String)], n: usize, avoid: &[i32]| -> Vec<i32> {
            let mut count: Vec<(i32, usize, usize)> = Vec::new();
            for (i, (c, _)) in pool.iter().enumerate() {
                match count.iter_mut().find(|x| x.0 == *c) {
                    Some(x) => x.1 += 1,
                    None => count.push((*c, 1, i)),
                }
            }
            count.retain(|x| !avoid.contains(&x.0));
            count.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
            count.into_iter().take(n).map(|x| x.0).collect()
        };
        let best = choose(&best_pool, ep.quarterly_best as usize, &[]);
        let worst = choose(&worst_pool, ep.quarterly_worst as usize, &best);
        let due = ep.quarter_due(q, policy);
        let decided = at(due - Duration::days(3), now);
        for (i, p) in principals.iter().take(2).enumerate() {
            quarter_choice::ActiveModel {
                year: Set(q.year),
                quarter: Set(q.quarter as i32),
                principal_id: Set(*p),
                confirm: Set(true),
                best: Set(serde_json::to_string(&best).unwrap_or_default()),
                worst: Set(serde_json::to_string(&worst).unwrap_or_default()),
                note: Set(None),
                at: Set(decided - Duration::hours(2 - i as i64)),
                withdrawn_at: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        let published = at(due - Duration::days(2), now);
        let r = eval_result::ActiveModel {
            scope: Set(format!("q:{}", q.key())),
            kind: Set("quarterly".into()),
            year: Set(q.year),
            period: Set(q.quarter as i32),
            owner_id: Set(None),
            policy_version: Set(1),
            made_by: Set(principals[1]),
            made_at: Set(decided),
            late: Set(false),
            published_at: Set(Some(published)),
            revision: Set(1),
            missing_confirmed: Set(false),
            missing_sheets: Set(0),
            ..Default::default()
        }
        .insert(db)
        .await?;
        eval_revision::ActiveModel {
            result_id: Set(r.id),
            revision: Set(1),
            by_id: Set(principals[0]),
            at: Set(published),
            note: Set("published".into()),
            appeal_id: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for (kind, list, pool) in [("best", &best, &best_pool), ("worst", &worst, &worst_pool)] {
            for c in list {
                let reason = pool
                    .iter()
                    .filter(|p| p.0 == *c)
                    .map(|p| p.1.clone())
                    .collect::<Vec<_>>()
                    .join("；");
                let n = eval_naming::ActiveModel {
                    result_id: Set(r.id),
                    cadre_id: Set(*c),
                    kind: Set(kind.into()),
                    reason: Set(reason),
                    citations: Set("[]".into()),
                    added_in: Set(1),
                    removed_in: Set(None),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                names_of.entry(r.id).or_default().push(n);
            }
        }
        latest = Some(r);
        q = q.next();
    }

    // Two appeals on the latest published result (quarterly, else the latest monthly ones).
    let targets: Vec<(eval_result::Model, eval_naming::Model)> = match &latest {
        Some(r) => names_of
            .get(&r.id)
            .map(|v| {
                v.iter()
                    .filter(|n| n.kind == "worst")
                    .map(|n| (r.clone(), n.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        None => {
            let mut months: Vec<&Month> = monthly.keys().collect();
            months.sort();
            months
                .last()
                .and_then(|m| monthly.get(m))
                .map(|rs| {
                    rs.iter()
                        .filter_map(|(_, r)| {
                            names_of
                                .get(&r.id)?
                                .iter()
                                .find(|n| n.kind == "worst")
                                .map(|n| (r.clone(), n.clone()))
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
    };
    let answerer = committee.first().copied().or(principals.first().copied());
    if let (Some(answerer), Some((r1, n1))) = (answerer, targets.first()) {
        let published = r1.published_at.unwrap_or(now);
        let filed = at(published + Duration::minutes(34 * 60 + 17), now);
        let answered = at(filed + Duration::minutes(50 * 60 + 23), now);
        if filed > published && answered > filed {
            appeal::ActiveModel {
                result_id: Set(r1.id),
                naming_id: Set(n1.id),
                cadre_id: Set(n1.cadre_id),
                ground: Set("本人当月有多日在村里处理急事，记录为补记，请求复核。".into()),
                policy_version: Set(1),
                filed_at: Set(filed),
                due_at: Set(ep.appeal_due(filed, policy)),
                status: Set(AppealStatus::Upheld.code().into()),
                answer: Set(Some(
                    "经核查记录表和片长意见，补记情况属实但交办事项确实滞后，维持原评定。".into(),
                )),
                answered_by: Set(Some(answerer)),
                answered_at: Set(Some(answered)),
                replacement_id: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
            rows += 1;
        }
    }
    if let Some((r2, n2)) = targets.get(1) {
        let published = r2.published_at.unwrap_or(now);
        let window = ep.appeal_window_closes(published, policy);
        let filed = at(window - Duration::minutes(13 * 60 + 41), now);
        if filed > published {
            appeal::ActiveModel {
                result_id: Set(r2.id),
                naming_id: Set(n2.id),
                cadre_id: Set(n2.cadre_id),
                ground: Set("当月抽调参加县里专项工作，记录表已注明，评为最差不合实际。".into()),
                policy_version: Set(1),
                filed_at: Set(filed),
                due_at: Set(ep.appeal_due(filed, policy)),
                status: Set(AppealStatus::Open.code().into()),
                answer: Set(None),
                answered_by: Set(None),
                answered_at: Set(None),
                replacement_id: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
            rows += 1;
        }
    }
    Ok(rows)
}
