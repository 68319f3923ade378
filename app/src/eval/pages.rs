//! Pages of the three evaluations: calendar, opinions, monthly pick, quarterly pool,
//! results, one's own results and appeals, appeals for the committee, and the policy.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api;
use super::islands::*;
use super::*;
use crate::auth::pages::signed_in_page;
use crate::calendar::*;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t, tf};
use crate::ui::{
    day_label, local_time, month_label, period_key_label, quarter_label, query, tr, use_lang,
};

fn step_badge(state: StepState) -> impl IntoView {
    let code = state.code();
    view! { <span class=format!("badge step-{code}")>{tr(&format!("step.{code}"))}</span> }
}

pub(crate) fn kind_badge(kind: PickKind) -> impl IntoView {
    let code = kind.code();
    view! { <span class=format!("badge kind-{code}")>{tr(&format!("eval.kind.{code}"))}</span> }
}

fn glance_view(g: &MonthGlance) -> impl IntoView + use<> {
    let lang = use_lang();
    let sheets = g
        .sheets
        .iter()
        .map(|s| {
            let label = tr(&format!("dekad.{}", s.period.dekad.number()));
            let state = s.state.code();
            let text = format!("{label} {}/{}", s.days_written, s.days_total);
            let inner = view! { <span class=format!("badge badge-{state}") title=tr(&format!("state.{state}"))>{text}</span> };
            match s.sheet {
                Some(id) => view! { <a href=format!("/sheets/{id}")>{inner}</a> }.into_any(),
                None => inner.into_any(),
            }
        })
        .collect_view();
    let places = g
        .places
        .iter()
        .filter(|p| p.days > 0)
        .map(|p| {
            format!(
                "{} {}",
                t(lang, &format!("place.{}", p.place.code())),
                p.days
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <div class="glance">{sheets}</div>
        <p class="muted small">{tr("eval.places")}": "{if places.is_empty() { "—".to_string() } else { places }}</p>
    }
}

fn opinions_view(ops: &[OpinionView]) -> impl IntoView + use<> {
    let lang = use_lang();
    if ops.is_empty() {
        return view! { <p class="muted small">{tr("eval.no_opinion")}</p> }.into_any();
    }
    ops.iter()
        .map(|o| {
            let rating = o
                .rating
                .map(|r| tf(lang, "eval.rating_of", &[("r", &r.to_string())]))
                .unwrap_or_default();
            view! {
                <blockquote class="opinion">
                    <p>{o.text.clone()}</p>
                    <footer class="muted small">
                        {tf(lang, "eval.opinion_by", &[("who", &o.author.name)])} " " {rating} " · "
                        {local_time(o.written_at)}
                        {o.late.then(|| view! { " " <span class="badge badge-late">{tr("state.late")}</span> })}
                    </footer>
                </blockquote>
            }
        })
        .collect_view()
        .into_any()
}

fn citations_view(cites: &[CitationView]) -> impl IntoView + use<> {
    let lang = use_lang();
    if cites.is_empty() {
        return view! { <p class="muted small">{t(lang, "eval.no_citations")}</p> }.into_any();
    }
    view! {
        <ul class="citations">
            {cites.iter().map(|c| view! {
                <li>
                    <a href=format!("/sheets/{}#d-{}", c.sheet, c.day)>{day_label(c.day)}</a>
                    " " {c.work.clone()} <span class="muted">" → "{c.outcome.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn month_nav(base: &str, m: Month) -> impl IntoView + use<> {
    let lang = use_lang();
    view! {
        <nav class="period-nav">
            <a href=format!("{base}?month={}", m.prev().key())>{tr("month.prev")}</a>
            <strong>{month_label(lang, m)}</strong>
            <a href=format!("{base}?month={}", m.next().key())>{tr("month.next")}</a>
        </nav>
    }
}

/// The evaluation calendar: every step of a month and its quarter, with links to act.
#[component]
pub fn EvalPage() -> impl IntoView {
    let lang = use_lang();
    let month = query("month");
    signed_in_page(move |me| async move {
        let cal = api::get_calendar(month).await?;
        let reminders = api::get_reminders().await?;
        let m = cal.month;
        let mut links: Vec<(String, &str)> = vec![("/eval/mine".into(), "eval.link.mine")];
        if me.has(Role::AreaChief) {
            links.push((
                format!("/eval/opinions?month={}", m.key()),
                "eval.link.opinions",
            ));
        }
        if me.has(Role::Supervisor) {
            links.push((format!("/eval/pick?month={}", m.key()), "eval.link.pick"));
        }
        if me.has(Role::Principal) {
            links.push((
                format!("/eval/quarter?quarter={}", cal.quarter.key()),
                "eval.link.quarter",
            ));
        }
        links.push(("/eval/appeals".into(), "eval.link.appeals"));
        links.push(("/eval/policy".into(), "eval.link.policy"));
        Ok(view! {
            <h1>{tr("eval.title")}</h1>
            {reminders_view(reminders)}
            <nav class="eval-links">
                {links.into_iter().map(|(h, k)| view! { <a class="button-link" href=h>{tr(k)}</a> }).collect_view()}
            </nav>
            {month_nav("/eval", m)}
            <div class="table-wrap"><table class="list calendar">
                <thead><tr>
                    <th>{tr("cal.step")}</th><th>{tr("cal.period")}</th><th>{tr("cal.due")}</th>
                    <th>{tr("field.state")}</th><th>{tr("cal.progress")}</th>
                </tr></thead>
                <tbody>
                    {cal.steps.into_iter().map(|s| {
                        let behind = (!s.behind.is_empty()).then(|| view! {
                            <div class="behind">{tr("cal.behind")}": "{s.behind.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、")}</div>
                        });
                        view! {
                            <tr class=format!("row-step-{}", s.state.code())>
                                <td data-label=tr("cal.step")>{tr(&format!("cal.{}", s.step))}{behind}</td>
                                <td data-label=tr("cal.period")>{period_key_label(lang, &s.period)}</td>
                                <td data-label=tr("cal.due")>{s.due.map(local_time).unwrap_or_else(|| "—".into())}</td>
                                <td data-label=tr("field.state")>{step_badge(s.state)}</td>
                                <td data-label=tr("cal.progress")>{format!("{}/{}", s.done, s.total)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        })
    })
}

/// Reminders for the home screen and the calendar.
pub fn reminders_view(reminders: Vec<Reminder>) -> impl IntoView {
    let lang = use_lang();
    (!reminders.is_empty()).then(|| {
        view! {
            <section class="card reminders" aria-label=tr("eval.reminders")>
                <h2>{tr("eval.reminders")}</h2>
                <ul>
                    {reminders.into_iter().map(|r| {
                        let text = tf(lang, &format!("remind.{}", r.what), &[
                            ("period", &period_key_label(lang, &r.period)),
                            ("n", &r.count.to_string()),
                        ]);
                        view! {
                            <li class:overdue=r.overdue>
                                <a href=r.href.clone()>{text}</a>
                                <span class="muted small">" · "{tr("cal.due")}" "{local_time(r.due)}</span>
                                {r.overdue.then(|| view! { " " <span class="badge step-overdue">{tr("step.overdue")}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// An area chief's opinions for a month.
#[component]
pub fn OpinionsPage() -> impl IntoView {
    let lang = use_lang();
    let month = query("month");
    signed_in_page(move |_me| async move {
        let v = api::get_opinions(month).await?;
        let key = v.month.key();
        let rows = v.rows.clone();
        Ok(view! {
            <h1>{tr("eval.opinions_title")}</h1>
            {month_nav("/eval/opinions", v.month)}
            <p class="muted">{tf(lang, "eval.opinions_due", &[("t", &local_time(v.due))])}</p>
            {rows.is_empty().then(|| view! { <p class="notice">{tr("eval.no_area_cadres")}</p> })}
            {rows.into_iter().map(|r| {
                let (text, rating) = r.opinion.as_ref().map(|o| (o.text.clone(), o.rating)).unwrap_or_default();
                view! {
                    <section class="card person" data-cadre=r.cadre.id.0>
                        <h2>{r.cadre.name.clone()} <span class="muted small">" "{r.department.clone()}" · "{r.area.clone()}</span></h2>
                        {glance_view(&r.glance)}
                        <OpinionForm lang=lang month=key.clone() cadre=r.cadre.id text=text rating=rating rating_max=v.rating_max/>
                    </section>
                }
            }).collect_view()}
        })
    })
}

/// A supervising leader's monthly pick.
#[component]
pub fn PickPage() -> impl IntoView {
    let lang = use_lang();
    let month = query("month");
    signed_in_page(move |_me| async move {
        let b = api::get_pick_board(month).await?;
        let options: Vec<PickOption> = b
            .candidates
            .iter()
            .map(|c| PickOption {
                cadre: c.cadre.id,
                name: c.cadre.name.clone(),
                entries: c
                    .entries
                    .iter()
                    .map(|e| {
                        (
                            e.entry,
                            format!("{} {} → {}", e.day.format("%m-%d"), e.work, e.outcome),
                        )
                    })
                    .collect(),
            })
            .collect();
        let form = match &b.result {
            Some(r) => result_card(r.clone()).into_any(),
            None if b.candidates.is_empty() => view! { <p class="notice">{tr("eval.no_cadres")}</p> }.into_any(),
            None => view! {
                <PickForm lang=lang month=b.month.key() want_best=b.want_best want_worst=b.want_worst
                    missing=b.missing_sheets options=options/>
            }.into_any(),
        };
        Ok(view! {
            <h1>{tr("eval.pick_title")}</h1>
            {month_nav("/eval/pick", b.month)}
            <p class="muted">
                {tf(lang, "eval.pick_due", &[("t", &local_time(b.due))])} " · "
                {tf(lang, "eval.quota", &[("b", &b.want_best.to_string()), ("w", &b.want_worst.to_string())])} " · "
                {tf(lang, "eval.policy_version", &[("v", &b.policy_version.to_string())])}
            </p>
            {(b.missing_sheets > 0 && b.result.is_none()).then(|| view! {
                <p class="notice">{tf(lang, "eval.missing_sheets", &[("n", &b.missing_sheets.to_string())])}</p>
            })}
            {form}
            {b.candidates.into_iter().map(|c| {
                let past = c.past.iter().map(|p| format!("{} {}", month_label(lang, p.month), t(lang, &format!("eval.kind.{}", p.kind.code())))).collect::<Vec<_>>();
                view! {
                    <details class="card person" data-cadre=c.cadre.id.0>
                        <summary><strong>{c.cadre.name.clone()}</strong> <span class="muted small">" "{c.department.clone()}</span></summary>
                        {glance_view(&c.glance)}
                        <h3>{tr("eval.opinions")}</h3>
                        {opinions_view(&c.opinions)}
                        <p class="small">{tr("eval.past_picks")}": "{if past.is_empty() { "—".to_string() } else { past.join("、") }}</p>
                    </details>
                }
            }).collect_view()}
        })
    })
}

/// A result: names, reasons, citations, history, appeal marks.
pub fn result_card(r: ResultView) -> impl IntoView {
    let lang = use_lang();
    let title = match r.kind {
        ResultKind::Monthly => tf(
            lang,
            "eval.monthly_result",
            &[
                ("p", &period_key_label(lang, &r.period)),
                ("who", r.owner.as_ref().map_or("", |o| o.name.as_str())),
            ],
        ),
        ResultKind::Quarterly => tf(
            lang,
            "eval.quarterly_result",
            &[("p", &period_key_label(lang, &r.period))],
        ),
    };
    let published = match r.published_at {
        Some(p) if r.published => tf(lang, "eval.published_at", &[("t", &local_time(p))]),
        Some(p) => tf(lang, "eval.to_be_published", &[("t", &local_time(p))]),
        None => tr("eval.unpublished"),
    };
    view! {
        <section class="card result" data-result=r.id.0>
            <h2><a href=format!("/eval/results/{}", r.id)>{title}</a>
                {r.under_appeal.then(|| view! { " " <span class="badge step-overdue">{tr("eval.under_appeal")}</span> })}
            </h2>
            <p class="muted small">
                {published} " · " {tf(lang, "eval.revision", &[("n", &r.revision.to_string())])} " · "
                {tf(lang, "eval.policy_version", &[("v", &r.policy_version.to_string())])}
                {r.late.then(|| view! { " · " <span class="badge badge-late">{tr("state.late")}</span> })}
                {r.missing_confirmed.then(|| view! { " · " {tf(lang, "eval.missing_confirmed", &[("n", &r.missing_sheets.to_string())])} })}
            </p>
            <ul class="names">
                {r.names.iter().map(|n| view! {
                    <li class:withdrawn=n.removed_in.is_some() data-naming=n.id.0>
                        {kind_badge(n.kind)} " " <strong>{n.cadre.name.clone()}</strong>
                        <span class="muted small">" "{n.department.clone()}</span>
                        {n.under_appeal.then(|| view! { " " <span class="badge step-overdue">{tr("eval.under_appeal")}</span> })}
                        {n.removed_in.map(|rev| view! { " " <span class="badge">{tf(lang, "eval.withdrawn_in", &[("n", &rev.to_string())])}</span> })}
                        {(n.added_in > 1).then(|| view! { " " <span class="badge">{tf(lang, "eval.added_in", &[("n", &n.added_in.to_string())])}</span> })}
                        <p>{n.reason.clone()}</p>
                        {citations_view(&n.citations)}
                    </li>
                }).collect_view()}
            </ul>
            {(!r.history.is_empty()).then(|| view! {
                <details>
                    <summary>{tr("eval.history")}</summary>
                    <ol class="history">
                        {r.history.iter().map(|h| view! {
                            <li>{tf(lang, "eval.revision", &[("n", &h.revision.to_string())])}" · "{local_time(h.at)}" · "{h.by.name.clone()}": "{h.note.clone()}</li>
                        }).collect_view()}
                    </ol>
                </details>
            })}
        </section>
    }
}

/// One result on its own page.
#[component]
pub fn ResultPage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse().ok())
        .map(ResultId);
    signed_in_page(move |_me| async move {
        let id = id.ok_or(AppError::NotFound {})?;
        let r = api::get_result(id).await?;
        Ok(view! { {result_card(r)} <p><a href="/eval">{tr("nav.back")}</a></p> })
    })
}

/// The principals' quarterly pool and decision.
#[component]
pub fn QuarterPage() -> impl IntoView {
    let lang = use_lang();
    let quarter = query("quarter");
    signed_in_page(move |_me| async move {
        let v = api::get_pool(quarter, None).await?;
        let q = v.quarter;
        let mine = v.my_choice.as_ref().map(|c| choice_summary(&v, c));
        let others: Vec<String> = v
            .other_choices
            .iter()
            .map(|c| choice_summary(&v, c))
            .collect();
        let decision = decision_view(lang, &v);
        let leaders_behind: Vec<String> = v
            .leaders
            .iter()
            .filter(|l| l.state == StepState::Overdue)
            .map(|l| format!("{} {}", l.leader.name, month_label(lang, l.month)))
            .collect();
        let picked = v.leaders.iter().filter(|l| l.result.is_some()).count();
        Ok(view! {
            <h1>{tr("eval.quarter_title")}</h1>
            <nav class="period-nav">
                <a href=format!("/eval/quarter?quarter={}", q.prev().key())>{tr("quarter.prev")}</a>
                <strong>{quarter_label(lang, q)}</strong>
                <a href=format!("/eval/quarter?quarter={}", q.next().key())>{tr("quarter.next")}</a>
            </nav>
            <p class="muted">
                {tf(lang, "eval.quarter_due", &[("t", &local_time(v.due))])} " · "
                {tf(lang, "eval.picks_in", &[("n", &picked.to_string()), ("total", &v.leaders.len().to_string())])}
            </p>
            {(!leaders_behind.is_empty()).then(|| view! {
                <p class="notice overdue">{tr("eval.leaders_behind")}": "{leaders_behind.join("、")}</p>
            })}
            {mine.map(|m| view! { <p class="ok">{tr("eval.my_choice")}": "{m}</p> })}
            {(!others.is_empty()).then(|| view! {
                <ul class="card choices">{others.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
            })}
            {decision}
            {pool_section(lang, "eval.pool_best", v.best)}
            {pool_section(lang, "eval.pool_worst", v.worst)}
        }
        .into_any())
    })
}

/// One principal's choice in a line: who, preliminary or confirmed, and the names.
fn choice_summary(v: &PoolView, c: &ChoiceView) -> String {
    let name_of = |id: &CadreId| {
        v.best
            .iter()
            .chain(v.worst.iter())
            .find(|p| p.cadre.id == *id)
            .map(|p| p.cadre.name.clone())
            .unwrap_or_default()
    };
    let kind = if c.confirm {
        tr("eval.confirmed")
    } else {
        tr("eval.preliminary_short")
    };
    format!(
        "{} · {kind} · {}: {} · {}: {}",
        c.principal.name,
        tr("eval.kind.best"),
        c.best.iter().map(name_of).collect::<Vec<_>>().join("、"),
        tr("eval.kind.worst"),
        c.worst.iter().map(name_of).collect::<Vec<_>>().join("、"),
    )
}

/// The decided result (with its publish button while unpublished), the note that the pool
/// is not ready yet, or the form to choose.
fn decision_view(lang: Lang, v: &PoolView) -> AnyView {
    let q = v.quarter;
    let names = |ps: &[PoolPerson]| {
        ps.iter()
            .map(|p| (p.cadre.id, p.cadre.name.clone()))
            .collect::<Vec<_>>()
    };
    match &v.result {
        Some(r) => {
            let publish = r
                .published_at
                .is_none()
                .then(|| view! { <QuarterButton lang=lang quarter=q.key() action=QuarterAction::Publish/> });
            view! { {result_card(r.clone())} {publish} }.into_any()
        }
        None if !v.ready => view! { <p class="notice">{tr("eval.pool_not_ready")}</p> }.into_any(),
        None => view! {
            <QuarterForm lang=lang quarter=q.key() best=names(&v.best) worst=names(&v.worst)
                want_best=v.want_best want_worst=v.want_worst has_choice=v.my_choice.is_some()/>
        }
        .into_any(),
    }
}

fn pool_section(lang: Lang, title: &str, people: Vec<PoolPerson>) -> impl IntoView + use<> {
    let count: usize = people.iter().map(|p| p.picks.len()).sum();
    view! {
        <h2>{tr(title)} <span class="muted small">" "{tf(lang, "eval.pool_counts", &[("p", &people.len().to_string()), ("n", &count.to_string())])}</span></h2>
        {people.into_iter().map(|p| view! {
            <section class="card person" data-cadre=p.cadre.id.0>
                <h3>{p.cadre.name.clone()} <span class="muted small">" "{p.department.clone()}</span>
                    {(p.picks.len() > 1).then(|| view! { " " <span class="badge">{tf(lang, "eval.times", &[("n", &p.picks.len().to_string())])}</span> })}
                </h3>
                {p.picks.iter().map(|k| view! {
                    <div class="pool-pick">
                        <p><strong>{month_label(lang, k.month)}</strong>" · "{k.supervisor.name.clone()}
                            {k.under_appeal.then(|| view! { " " <span class="badge step-overdue">{tr("eval.under_appeal")}</span> })}
                        </p>
                        <p>{k.reason.clone()}</p>
                        {citations_view(&k.citations)}
                    </div>
                }).collect_view()}
                {opinions_view(&p.opinions)}
            </section>
        }).collect_view()}
    }
}

fn appeal_line(
    lang: Lang,
    a: &AppealView,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView + use<> {
    let status = a.status.code();
    let remaining = now
        .filter(|n| a.status == AppealStatus::Open && *n < a.due)
        .map(|n| {
            let mins = (a.due - n).num_minutes();
            tf(
                lang,
                "appeal.remaining",
                &[
                    ("d", &(mins / 1440).to_string()),
                    ("h", &(mins % 1440 / 60).to_string()),
                ],
            )
        });
    view! {
        <div class="appeal" class:overdue=a.overdue data-appeal=a.id.0>
            <p>
                <strong>{a.cadre.name.clone()}</strong> " · " {period_key_label(lang, &a.period)} " " {kind_badge(a.kind)} " "
                <span class=format!("badge appeal-{status}")>{tr(&format!("appeal.status.{status}"))}</span>
                {a.overdue.then(|| view! { " " <span class="badge step-overdue">{tr("step.overdue")}</span> })}
            </p>
            <p class="small">{tr("field.ground")}": "{a.ground.clone()}</p>
            <p class="muted small">
                {tf(lang, "appeal.filed", &[("t", &local_time(a.filed_at))])} " · "
                {tf(lang, "appeal.due", &[("t", &local_time(a.due))])}
                {remaining.map(|r| view! { " · " <strong class="remaining">{r}</strong> })}
            </p>
            {a.answer.clone().map(|ans| view! {
                <p class="answer">{tr("field.answer")}": "{ans}
                    {a.answered_at.is_some_and(|t| t > a.due).then(|| view! { " " <span class="badge badge-late">{tr("appeal.late_answer")}</span> })}
                    <span class="muted small">" — "{a.answered_by.as_ref().map(|p| p.name.clone()).unwrap_or_default()}" "{a.answered_at.map(local_time).unwrap_or_default()}</span>
                    {a.replacement.clone().map(|r| view! { <br/>{tr("field.replacement")}": "{r.name} })}
                </p>
            })}
            <p class="small"><a href=format!("/eval/results/{}", a.result)>{tr("eval.open_result")}</a></p>
        </div>
    }
}

/// One's own results with appeal forms and appeals.
#[component]
pub fn MyResultsPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |_me| async move {
        let mine = api::my_results().await?;
        let body = if mine.is_empty() {
            view! { <p class="muted">{tr("eval.no_results")}</p> }.into_any()
        } else {
            mine.into_iter().map(|n| {
                let kind = match n.result_kind { ResultKind::Monthly => "eval.monthly", ResultKind::Quarterly => "eval.quarterly" };
                view! {
                    <section class="card my-naming" class:withdrawn=n.withdrawn data-naming=n.naming.0>
                        <h2>{period_key_label(lang, &n.period)} " " {tr(kind)} " " {kind_badge(n.kind)}
                            {n.withdrawn.then(|| view! { " " <span class="badge">{tr("eval.withdrawn")}</span> })}
                        </h2>
                        <p>{n.reason.clone()}</p>
                        <p class="muted small">{tf(lang, "eval.published_at", &[("t", &local_time(n.published_at))])} " · "
                            <a href=format!("/eval/results/{}", n.result)>{tr("eval.open_result")}</a></p>
                        {n.appeals.iter().map(|a| appeal_line(lang, a, None)).collect_view()}
                        {n.can_appeal.then(|| view! {
                            <p class="muted small">{tf(lang, "eval.appeal_until", &[("t", &local_time(n.appeal_until))])}</p>
                            <AppealForm lang=lang naming=n.naming/>
                        })}
                    </section>
                }
            }).collect_view().into_any()
        };
        Ok(view! { <h1>{tr("eval.mine_title")}</h1> {body} })
    })
}

/// Appeals: the committee answers; principals watch; cadres see their own.
#[component]
pub fn AppealsPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |_me| async move {
        let list = api::list_appeals().await?;
        let open_views = list
            .open
            .iter()
            .map(|a| {
                let form = list.can_answer.then(
                    {
                        let replacements: Vec<(CadreId, String)> = a.candidates.iter().map(|p| (p.id, p.name.clone())).collect();
                        move || view! { <AnswerForm lang=lang id=a.id replacements=replacements.clone()/> }
                    },
                );
                view! { <section class="card">{appeal_line(lang, a, Some(list.now))}{form}</section> }
            })
            .collect_view();
        Ok(view! {
            <h1>{tr("eval.appeals_title")}</h1>
            <h2>{tf(lang, "eval.open_appeals", &[("n", &list.open.len().to_string())])}</h2>
            {list.open.is_empty().then(|| view! { <p class="muted">{tr("eval.no_open_appeals")}</p> })}
            {open_views}
            <h2>{tr("eval.decided_appeals")}</h2>
            {list.decided.iter().map(|a| view! { <section class="card">{appeal_line(lang, a, None)}</section> }).collect_view()}
        })
    })
}

/// The evaluation policy: current settings, history; the office adds versions.
#[component]
pub fn PolicyPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |me| async move {
        let h = api::get_policy().await?;
        let p = h.current.policy.clone();
        let rows = [
            ("monthly_best", p.monthly_best.to_string()),
            ("monthly_worst", p.monthly_worst.to_string()),
            ("opinion_due_day", p.opinion_due_day.to_string()),
            ("pick_due_day", p.pick_due_day.to_string()),
            ("rating_max", p.rating_max.to_string()),
            ("quarterly_best", p.quarterly_best.to_string()),
            ("quarterly_worst", p.quarterly_worst.to_string()),
            ("quarter_due_day", p.quarter_due_day.to_string()),
            (
                "deciding_role",
                t(lang, &format!("role.{}", p.deciding_role.code())),
            ),
            (
                "confirmations_required",
                p.confirmations_required.to_string(),
            ),
            ("appeal_window_days", p.appeal_window_days.to_string()),
            ("appeal_answer_days", p.appeal_answer_days.to_string()),
            (
                "appeal_working_days",
                t(lang, if p.appeal_working_days { "yes" } else { "no" }),
            ),
            ("best_uplift_pct", p.outcomes.best_uplift_pct.to_string()),
            ("worst_streak", p.outcomes.worst_streak.to_string()),
            (
                "streak_monthly",
                t(
                    lang,
                    if p.outcomes.streak_unit == crate::policy::StreakUnit::MonthlyPicks {
                        "yes"
                    } else {
                        "no"
                    },
                ),
            ),
            ("talk_due_days", p.outcomes.talk_due_days.to_string()),
            (
                "rectification_days",
                p.outcomes.rectification_days.to_string(),
            ),
        ];
        Ok(view! {
            <h1>{tr("policy.title")}</h1>
            <p class="muted">{tf(lang, "eval.policy_version", &[("v", &h.current.version.to_string())])}" · "{h.current.note.clone()}</p>
            <div class="table-wrap"><table class="list policy">
                <tbody>
                    {rows.into_iter().map(|(k, v)| view! {
                        <tr><td>{tr(&format!("policy.{k}"))}</td><td>{v}</td></tr>
                    }).collect_view()}
                </tbody>
            </table></div>
            {me.has(Role::Office).then(|| view! {
                <h2>{tr("policy.new_version")}</h2>
                <PolicyForm lang=lang policy=p.clone()/>
            })}
            <h2>{tr("policy.history")}</h2>
            <ol class="history">
                {h.versions.into_iter().map(|v| view! {
                    <li>{tf(lang, "eval.policy_version", &[("v", &v.version.to_string())])}" · "{local_time(v.created_at)}
                        {v.created_by.map(|b| format!(" · {b}"))}" · "{v.note}</li>
                }).collect_view()}
            </ol>
        })
    })
}
