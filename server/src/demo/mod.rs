//! The demo township (DOMAIN.md, "Demo township"): 92 cadres, 2 principal leaders, 8
//! supervising leaders, a general office of 3, 6 areas with area chiefs, 24 villages, and
//! every dekad's sheets from 1 April up to the day before `today`, written in plausible
//! Chinese. Deterministic from a seed number and the date it is generated on.

pub mod content;
pub mod evals;
pub mod rewards;

use app::calendar::SheetPeriod;
use app::policy::Policy;
use app::record::SheetStatus;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use sea_orm::{ActiveModelTrait, DbErr, EntityTrait, PaginatorTrait, Set, TransactionTrait};

use crate::audit::{self, AuditEvent};
use crate::entities::{
    area, cadre, day_entry, department, sheet, sheet_event, supervision, village,
};
use content::{AREAS, DEPARTMENTS, DemoPlace, DemoRng};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "xiaoneng2026";

/// The demo log-ins worth trying, with what each shows.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("cadre07", "a cadre: Today, sheets"),
    (
        "lead1",
        "a supervising leader: inbox, review, return, monthly pick",
    ),
    ("cadre01", "an area chief: opinions on the area's cadres"),
    ("office1", "the general office: archive, accounts, import"),
    (
        "shuji",
        "the Party secretary (principal, committee): quarterly pool, appeals",
    ),
    ("zhenzhang", "the township head (principal)"),
];

/// The first day of the demo record (the seed document's start).
pub fn start_date(today: NaiveDate) -> NaiveDate {
    let y = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    NaiveDate::from_ymd_opt(y, 4, 1).unwrap_or(today)
}

/// What the demo created.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub cadres: u64,
    pub sheets: u64,
    pub entries: u64,
    pub evaluations: u64,
    /// Steps of the rewards and penalties played through the service.
    pub rewards: u64,
}

/// A person of the demo township before insertion.
struct Person {
    username: String,
    name: String,
    title: &'static str,
    dept: usize,
    area: Option<usize>,
    roles: &'static str,
}

fn people(seed: u64) -> Vec<Person> {
    let names = content::person_names(92, seed);
    let mut out = Vec::with_capacity(92);
    let mut name = names.into_iter();
    let mut next = || name.next().unwrap_or_default();
    out.push(Person {
        username: "shuji".into(),
        name: next(),
        title: "党委书记",
        dept: 0,
        area: None,
        roles: "cadre,principal,committee",
    });
    out.push(Person {
        username: "zhenzhang".into(),
        name: next(),
        title: "镇长",
        dept: 0,
        area: None,
        roles: "cadre,principal",
    });
    let lead_titles = [
        "纪委书记",
        "副书记",
        "副镇长",
        "副镇长",
        "副镇长",
        "组织委员",
        "宣传委员",
        "武装部长",
    ];
    for (i, t) in lead_titles.iter().enumerate() {
        let roles = if i == 0 {
            "cadre,supervisor,committee"
        } else {
            "cadre,supervisor"
        };
        out.push(Person {
            username: format!("lead{}", i + 1),
            name: next(),
            title: t,
            dept: i % DEPARTMENTS.len().min(6),
            area: None,
            roles,
        });
    }
    for i in 0..3 {
        out.push(Person {
            username: format!("office{}", i + 1),
            name: next(),
            title: if i == 0 {
                "党政办主任"
            } else {
                "党政办科员"
            },
            dept: 0,
            area: None,
            roles: "cadre,office",
        });
    }
    let titles = ["科员", "科员", "科员", "办事员", "站长", "副主任", "主任"];
    for i in 0..79 {
        let area = Some(i % AREAS.len());
        let roles = if i < AREAS.len() {
            "cadre,area_chief"
        } else {
            "cadre"
        };
        out.push(Person {
            username: format!("cadre{:02}", i + 1),
            name: next(),
            title: titles[i % titles.len()],
            dept: 1 + (i % (DEPARTMENTS.len() - 1)),
            area,
            roles,
        });
    }
    out
}

fn local(policy: &Policy, day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
    policy
        .tz()
        .from_local_datetime(&day.and_time(t))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Fills an empty database with the demo township. Refuses a database that has people.
pub async fn seed(
    db: &sea_orm::DatabaseConnection,
    seed: u64,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<DemoSummary, DbErr> {
    if cadre::Entity::find().count(db).await? > 0 {
        return Err(DbErr::Custom(
            "the database already has people in it; the demo needs an empty database".into(),
        ));
    }
    let today = policy.local_date(now);
    let tx = db.begin().await?;
    let mut dept_ids = Vec::new();
    for d in DEPARTMENTS {
        dept_ids.push(
            department::ActiveModel {
                name: Set((*d).into()),
                ..Default::default()
            }
            .insert(&tx)
            .await?
            .id,
        );
    }
    let mut area_ids = Vec::new();
    let mut villages: Vec<Vec<(i32, &str)>> = Vec::new();
    for (a, vs) in AREAS {
        let aid = area::ActiveModel {
            name: Set((*a).into()),
            chief_id: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await?
        .id;
        area_ids.push(aid);
        let mut list = Vec::new();
        for v in vs {
            let vid = village::ActiveModel {
                name: Set((*v).into()),
                area_id: Set(aid),
                ..Default::default()
            }
            .insert(&tx)
            .await?
            .id;
            list.push((vid, *v));
        }
        villages.push(list);
    }
    let start = start_date(today);
    let created = local(policy, start - Duration::days(7), 9, 0);
    let persons = people(seed);
    // Every account gets its own salt, like real ones (one shared hash would tell whoever
    // reads the table that all passwords are the same).
    let hashes = hash_all(persons.len())?;
    let mut ids = Vec::new();
    for (p, hash) in persons.iter().zip(hashes) {
        let c = cadre::ActiveModel {
            username: Set(p.username.clone()),
            name: Set(p.name.clone()),
            title: Set(p.title.into()),
            department_id: Set(dept_ids[p.dept]),
            area_id: Set(p.area.map(|a| area_ids[a])),
            roles: Set(p.roles.into()),
            password_hash: Set(hash),
            active: Set(true),
            failed_logins: Set(0),
            last_failed_at: Set(None),
            created_at: Set(created),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        ids.push(c.id);
    }
    // Area chiefs are cadre01..cadre06 (indexes 13..19).
    for (i, aid) in area_ids.iter().enumerate() {
        let mut am: area::ActiveModel = area::Entity::find_by_id(*aid)
            .one(&tx)
            .await?
            .ok_or(DbErr::RecordNotFound("area".into()))?
            .into();
        am.chief_id = Set(Some(ids[13 + i]));
        am.update(&tx).await?;
    }
    // Supervision: the 82 people below the leaders, round-robin over the 8 leaders (10–11 each);
    // from 1 August cadre10 moves from lead2 to lead3 to show the history.
    let mut supervisor_of = vec![None; persons.len()];
    for (k, idx) in (10..persons.len()).enumerate() {
        let lead = 2 + (k % 8);
        supervisor_of[idx] = Some(lead);
    }
    let moved = 22; // cadre10
    let switch = NaiveDate::from_ymd_opt(start.year(), 8, 1).unwrap_or(start);
    for idx in 0..supervisor_of.len() {
        let Some(sup) = supervisor_of[idx] else {
            continue;
        };
        let sup = &sup;
        if idx == moved {
            supervision::ActiveModel {
                cadre_id: Set(ids[idx]),
                supervisor_id: Set(ids[*sup]),
                valid_from: Set(start),
                valid_to: Set(Some(switch)),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            let other = if *sup == 9 { 2 } else { sup + 1 };
            supervisor_of[idx] = Some(other);
            supervision::ActiveModel {
                cadre_id: Set(ids[idx]),
                supervisor_id: Set(ids[other]),
                valid_from: Set(switch),
                valid_to: Set(None),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        } else {
            supervision::ActiveModel {
                cadre_id: Set(ids[idx]),
                supervisor_id: Set(ids[*sup]),
                valid_from: Set(start),
                valid_to: Set(None),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
    }

    let current = SheetPeriod::containing(today);
    let mut summary = DemoSummary {
        cadres: persons.len() as u64,
        ..Default::default()
    };
    let mut entries_batch: Vec<day_entry::ActiveModel> = Vec::new();
    let mut events_batch: Vec<sheet_event::ActiveModel> = Vec::new();
    let mut period = SheetPeriod::containing(start);
    while period <= current {
        for (idx, p) in persons.iter().enumerate() {
            let mut rng = DemoRng::new(
                seed ^ (idx as u64).wrapping_mul(0x9E37_79B9)
                    ^ ((period.year as u64) << 40)
                    ^ ((period.month as u64) << 32)
                    ^ (period.dekad.number() as u64) << 24,
            );
            let is_current = period == current;
            let is_last = period == current.prev();
            let dept = DEPARTMENTS[p.dept];
            // Which days get an entry: working days up to yesterday (current dekad) or all.
            let mut days = Vec::new();
            for d in period.days() {
                if d < start || d >= today {
                    continue;
                }
                let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
                if (weekend && !rng.chance(0.08)) || (!weekend && rng.chance(0.03)) {
                    continue;
                }
                days.push(d);
            }
            if days.is_empty() {
                continue;
            }
            // State of the sheet.
            let due = period.due(policy);
            let sup = supervisor_of[idx].map(|s| ids[s]);
            let roll = rng.below(100);
            // Still open: the current dekad; some of the last one before its due time; and
            // a few old sheets never handed in.
            let open = is_current || (is_last && now < due && roll < 45) || (roll < 2 && !is_last);
            let (status, submitted_at, late) = if open {
                (SheetStatus::Draft, None, false)
            } else {
                let late = roll >= 92;
                let day = if late {
                    period.last_day() + Duration::days(2 + (roll % 3) as i64)
                } else {
                    period.last_day() + Duration::days((roll % 2) as i64)
                };
                let at = local(policy, day, 16 + (roll % 5) as u32, (roll * 7 % 60) as u32);
                let at = if at > now {
                    now - Duration::hours(1)
                } else {
                    at
                };
                (SheetStatus::Submitted, Some(at), late && at > due)
            };
            let mut final_status = status;
            let mut reviewed_at = None;
            let mut comment = None;
            let mut events: Vec<(&str, i32, DateTime<Utc>, Option<String>)> = Vec::new();
            if let Some(at) = submitted_at {
                events.push(("submitted", ids[idx], at, None));
                if let Some(s) = sup {
                    let r = rng.below(100);
                    let review_at = at + Duration::hours(20 + (r % 40) as i64);
                    if r < 4 && review_at < now {
                        events.push((
                            "returned",
                            s,
                            review_at,
                            Some(content::return_reason(&mut rng)),
                        ));
                        let again = review_at + Duration::hours(6);
                        if is_last || again >= now {
                            final_status = SheetStatus::Returned;
                        } else {
                            events.push(("submitted", ids[idx], again, None));
                            let c = content::review_comment(&mut rng);
                            let done = again + Duration::hours(20);
                            if done < now {
                                events.push(("reviewed", s, done, Some(c.clone())));
                                final_status = SheetStatus::Reviewed;
                                reviewed_at = Some(done);
                                comment = Some(c);
                            }
                        }
                    } else if review_at < now && !(is_last && r < 60) {
                        let c = rng.chance(0.5).then(|| content::review_comment(&mut rng));
                        events.push(("reviewed", s, review_at, c.clone()));
                        final_status = SheetStatus::Reviewed;
                        reviewed_at = Some(review_at);
                        comment = c;
                    }
                }
            }
            // The lines, written before the sheet so that each submission stores what it
            // handed in (the snapshot); a returned sheet's first version had a thinner line.
            let mut lines = Vec::new();
            for d in days {
                let place = content::place_for(&mut rng, dept);
                let (village_id, village_name) = if place == DemoPlace::Village {
                    let list = &villages[p.area.unwrap_or(rng.below(AREAS.len() as u64) as usize)];
                    let (vid, vname) = *rng.pick(list);
                    (Some(vid), Some(vname))
                } else {
                    (None, None)
                };
                let (work, outcome) = content::entry_lines(&mut rng, dept, place, village_name);
                let (code, note) = match place {
                    DemoPlace::Office => ("office", None),
                    DemoPlace::Village => ("village", None),
                    DemoPlace::Enterprise => ("enterprise", Some("辖区企业走访")),
                    DemoPlace::Away => ("away", Some("县里会议培训")),
                };
                let at = local(policy, d, 17 + (rng.below(4) as u32), rng.below(60) as u32);
                lines.push((d, work, outcome, code, village_id, note, at));
            }
            let snapshot = |thin_first: bool| -> Result<String, DbErr> {
                let rows: Vec<serde_json::Value> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, (d, work, outcome, code, village_id, note, _))| {
                        let outcome = if thin_first && i == 0 {
                            content::THIN_OUTCOME
                        } else {
                            outcome.as_str()
                        };
                        serde_json::json!({
                            "day": d, "work": work, "outcome": outcome, "place": code,
                            "village_id": village_id, "place_note": note,
                        })
                    })
                    .collect();
                serde_json::to_string(&rows).map_err(|e| DbErr::Custom(e.to_string()))
            };
            let last_submitted = events
                .iter()
                .filter(|e| e.0 == "submitted")
                .map(|e| e.2)
                .next_back();
            let s = sheet::ActiveModel {
                cadre_id: Set(ids[idx]),
                year: Set(period.year),
                month: Set(period.month as i32),
                dekad: Set(period.dekad.number()),
                status: Set(final_status.code().into()),
                late: Set(late),
                submitted_at: Set(last_submitted),
                first_submitted_at: Set(submitted_at),
                reviewed_at: Set(reviewed_at),
                reviewer_id: Set(reviewed_at.and(sup)),
                review_comment: Set(comment),
                created_at: Set(local(policy, period.first_day(), 8, 30)),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            summary.sheets += 1;
            let returned = events.iter().any(|e| e.0 == "returned");
            let mut submissions = 0;
            for (kind, actor, at, note) in events {
                let snapshot = if kind == "submitted" {
                    submissions += 1;
                    Some(snapshot(returned && submissions == 1)?)
                } else {
                    None
                };
                events_batch.push(sheet_event::ActiveModel {
                    sheet_id: Set(s.id),
                    kind: Set(kind.into()),
                    actor_id: Set(actor),
                    at: Set(at),
                    note: Set(note),
                    snapshot: Set(snapshot),
                    ..Default::default()
                });
            }
            for (d, work, outcome, code, village_id, note, at) in lines {
                entries_batch.push(day_entry::ActiveModel {
                    sheet_id: Set(s.id),
                    day: Set(d),
                    work: Set(work),
                    outcome: Set(outcome),
                    place: Set(code.into()),
                    village_id: Set(village_id),
                    place_note: Set(note.map(String::from)),
                    written_at: Set(at),
                    updated_at: Set(at),
                    ..Default::default()
                });
                summary.entries += 1;
            }
            if entries_batch.len() >= 300 {
                day_entry::Entity::insert_many(std::mem::take(&mut entries_batch))
                    .exec(&tx)
                    .await?;
            }
            if events_batch.len() >= 300 {
                sheet_event::Entity::insert_many(std::mem::take(&mut events_batch))
                    .exec(&tx)
                    .await?;
            }
        }
        period = period.next();
    }
    if !entries_batch.is_empty() {
        day_entry::Entity::insert_many(entries_batch)
            .exec(&tx)
            .await?;
    }
    if !events_batch.is_empty() {
        sheet_event::Entity::insert_many(events_batch)
            .exec(&tx)
            .await?;
    }
    summary.evaluations = evals::seed(
        &tx,
        seed,
        now,
        policy,
        app::calendar::Month::containing(start),
    )
    .await?;
    let mut ev = AuditEvent::new(None, "demo.seeded", "township", seed);
    ev.after = Some(format!(
        "cadres={} sheets={} entries={} evaluations={}",
        summary.cadres, summary.sheets, summary.entries, summary.evaluations
    ));
    audit::append(&tx, now, ev).await?;
    tx.commit().await?;
    summary.rewards = rewards::seed(db, now, policy).await?;
    Ok(summary)
}

/// `n` hashes of the demo password with separate salts, computed on all cores.
fn hash_all(n: usize) -> Result<Vec<String>, DbErr> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |t| t.get())
        .min(n.max(1));
    let per = n.div_ceil(threads.max(1));
    let chunks: Vec<Result<Vec<String>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let count = per.min(n.saturating_sub(t * per));
                scope.spawn(move || {
                    (0..count)
                        .map(|_| {
                            crate::auth::hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("hashing thread failed".into()))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(n);
    for c in chunks {
        out.extend(c.map_err(DbErr::Custom)?);
    }
    Ok(out)
}
