//! Pages of the three rewards and penalties (三奖惩): the overview of outcomes and cases, a
//! case with its notes, a notice in its formal (printable) layout, the bonus ledger, and a
//! cadre's own view. Every form is an [`ApiForm`] around server-rendered fields.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api;
use super::*;
use crate::auth::pages::signed_in_page;
use crate::calendar::*;
use crate::domain::*;
use crate::error::AppError;
use crate::eval::PickKind;
use crate::eval::pages::kind_badge;
use crate::i18n::{Lang, tf};
use crate::policy::*;
use crate::ui::forms::ApiForm;
use crate::ui::{PrintButton, local_time, period_key_label, query, tr, use_lang};

/// What each form of these pages sends, named after the server function it calls.
mod actions {
    use super::NoteKind;
    use crate::rewards::api::*;
    use crate::ui::forms::FormAction;

    pub(super) fn draft_notice() -> FormAction {
        FormAction::of::<DraftNotice>(&["result", "kind"]).ints(&["result"])
    }

    pub(super) fn draft_correction() -> FormAction {
        FormAction::of::<DraftNotice>(&["result", "kind", "corrects"]).ints(&["result", "corrects"])
    }

    pub(super) fn recompute() -> FormAction {
        FormAction::of::<RecomputeOutcomes>(&[])
    }

    /// A case note sends the fields its kind has: a talk its date and the cadre's response,
    /// a plan its deadline, a closure whether the rectification was met.
    pub(super) fn case_note(kind: NoteKind) -> FormAction {
        let a = |fields: &[&str]| FormAction::of::<AddCaseNote>(fields).ints(&["case"]);
        match kind {
            NoteKind::Talk => a(&["case", "kind", "body", "response", "held_on"]),
            NoteKind::Plan => a(&["case", "kind", "body", "deadline"]),
            NoteKind::Closure => a(&["case", "kind", "body", "met"]).bools(&["met"]),
            _ => a(&["case", "kind", "body"]),
        }
    }

    pub(super) fn assign_case() -> FormAction {
        FormAction::of::<AssignCase>(&["case", "owner"]).ints(&["case", "owner"])
    }

    pub(super) fn update_notice() -> FormAction {
        FormAction::of::<UpdateNotice>(&["id", "title", "preamble", "issuer"]).ints(&["id"])
    }

    pub(super) fn publish_notice() -> FormAction {
        FormAction::of::<PublishNotice>(&["id"]).ints(&["id"])
    }

    pub(super) fn set_base() -> FormAction {
        FormAction::of::<SetBase>(&["period", "cadre", "amount"]).ints(&["cadre"])
    }

    pub(super) fn import_bases() -> FormAction {
        FormAction::of::<ImportBases>(&["csv"])
    }

    pub(super) fn close_period() -> FormAction {
        FormAction::of::<ClosePeriod>(&["period"])
    }

    /// Every form's action, for the test that checks them against the real arguments.
    #[cfg(test)]
    pub(super) fn all() -> Vec<FormAction> {
        let mut v = vec![
            draft_notice(),
            draft_correction(),
            recompute(),
            assign_case(),
            update_notice(),
            publish_notice(),
            set_base(),
            import_bases(),
            close_period(),
        ];
        v.extend(
            [
                NoteKind::Talk,
                NoteKind::Warning,
                NoteKind::Plan,
                NoteKind::FollowUp,
                NoteKind::Closure,
            ]
            .map(case_note),
        );
        v
    }
}

/// A value the form sends along without showing it.
fn hidden(name: &'static str, value: impl ToString) -> impl IntoView {
    view! { <input type="hidden" name=name value=value.to_string()/> }
}

fn yuan(m: Money) -> String {
    let g = m.grouped();
    match g.strip_prefix('-') {
        Some(abs) => format!("-¥{abs}"),
        None => format!("¥{g}"),
    }
}

fn param_id() -> Option<i32> {
    use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse().ok())
}

fn outcome_badge(kind: OutcomeKind, status: OutcomeStatus) -> impl IntoView {
    let (k, st) = (kind.code(), status.code());
    view! {
        <span class=format!("badge outcome outcome-{k} status-{st}") title=tr(&format!("rw.status.{st}"))>
            {tr(&format!("rw.kind.{k}"))}
        </span>
    }
}

fn case_state_badge(state: CaseState) -> impl IntoView {
    let st = state.code();
    view! { <span class=format!("badge case-{st}")>{tr(&format!("rw.case.{st}"))}</span> }
}

fn case_row(c: &CaseView) -> impl IntoView + use<> {
    let lang = use_lang();
    view! {
        <li class="case-row" class:overdue=c.overdue data-case=c.id.0>
            <a href=format!("/cases/{}", c.id)>
                <strong>{c.cadre.name.clone()}</strong> " · " {tr(&format!("rw.kind.{}", c.kind.code()))}
            </a>
            " " {case_state_badge(c.state)}
            {c.overdue.then(|| view! { " " <span class="badge step-overdue">{tr("step.overdue")}</span> })}
            {c.on_hold.then(|| view! { " " <span class="badge status-pending">{tr("rw.on_hold")}</span> })}
            <span class="muted small">
                " · " {period_key_label(lang, &c.quarter)}
                " · " {tf(lang, "rw.owner", &[("n", &c.owner.name)])}
                " · " {tf(lang, "rw.due", &[("d", &c.due.to_string())])}
            </span>
        </li>
    }
}

/// Outcomes of one result, grouped by person.
fn outcome_groups(outcomes: &[OutcomeView]) -> impl IntoView + use<> {
    let lang = use_lang();
    let mut people: Vec<(CadreId, Vec<&OutcomeView>)> = Vec::new();
    for o in outcomes {
        match people.iter_mut().find(|(c, _)| *c == o.cadre.id) {
            Some((_, list)) => list.push(o),
            None => people.push((o.cadre.id, vec![o])),
        }
    }
    people
        .into_iter()
        .map(|(cadre, list)| {
            let first = list[0];
            let all_withdrawn = list.iter().all(|o| o.status == OutcomeStatus::Withdrawn);
            let reasons: Vec<String> = {
                let mut r: Vec<String> = list.iter().map(|o| o.reason.clone()).filter(|r| !r.is_empty()).collect();
                r.dedup();
                r
            };
            let withdrawn_at = list.iter().find_map(|o| o.withdrawn_at);
            view! {
                <div class="outcome-person" class:withdrawn=all_withdrawn data-cadre=cadre.0>
                    <p>
                        <strong>{first.cadre.name.clone()}</strong>
                        <span class="muted small">" " {first.department.clone()}</span>
                    </p>
                    <p class="badges">
                        {list.iter().map(|o| view! { {outcome_badge(o.kind, o.status)} " " }).collect_view()}
                        {list.iter().any(|o| o.status == OutcomeStatus::Pending).then(|| view! { <span class="badge status-pending">{tr("rw.status.pending")}</span> })}
                        {all_withdrawn.then(|| view! { <span class="badge status-withdrawn">{tr("rw.status.withdrawn")}</span> })}
                    </p>
                    {reasons.into_iter().map(|r| view! { <p class="small">{r}</p> }).collect_view()}
                    {withdrawn_at.map(|t| view! { <p class="muted small">{tf(lang, "rw.withdrawn_at", &[("t", &local_time(t))])}</p> })}
                    <p class="small">
                        {list.iter().filter_map(|o| o.case.map(|c| (c, o.kind))).map(|(c, k)| view! {
                            <a href=format!("/cases/{c}")>{tr(&format!("rw.kind.{}", k.code()))}</a> " "
                        }).collect_view()}
                    </p>
                </div>
            }
        })
        .collect_view()
}

/// The overview for principals, committee and office.
#[component]
pub fn RewardsPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |me| async move {
        let b = api::get_rewards_board(None).await?;
        let quarters = b
            .quarters
            .iter()
            .map(|q| quarter_outcomes(lang, &b, q))
            .collect_view();
        let office = me.has(Role::Office);
        let ledger_link = (office || me.has(Role::Principal))
            .then(|| view! { <a class="button-link" href="/ledger">{tr("rw.ledger_title")}</a> });
        let recompute = (office || me.has(Role::Principal)).then(|| {
            view! {
                <ApiForm lang=lang action=actions::recompute() class="inline".into()>
                    <button type="submit" class="link">{tr("rw.recompute")}</button>
                </ApiForm>
            }
        });
        Ok(view! {
            <h1>{tr("rw.title")}</h1>
            <p class="muted small">{policy_line(lang, &b)} " · " <a href="/eval/policy">{tr("policy.title")}</a></p>
            <div class="actions">{ledger_link} " " <a class="button-link" href="/rewards/mine">{tr("rw.mine_title")}</a> " " {recompute}</div>
            {cases_section(lang, &b.cases)}
            {notices_section(&b.notices)}
            {b.quarters.is_empty().then(|| view! { <p class="muted">{tr("rw.no_results")}</p> })}
            {quarters}
        })
    })
}

/// The outcome policy in force, in one line.
fn policy_line(lang: Lang, b: &RewardsBoard) -> String {
    let p = &b.policy;
    let unit = tr(match p.streak_unit {
        StreakUnit::Quarters => "rw.unit.quarters",
        StreakUnit::MonthlyPicks => "rw.unit.months",
    });
    tf(
        lang,
        "rw.policy_line",
        &[
            ("v", &b.policy_version.to_string()),
            ("pct", &p.best_uplift_pct.to_string()),
            ("n", &p.worst_streak.to_string()),
            ("unit", &unit),
        ],
    )
}

/// Open cases (with how many are overdue), the closed ones folded away.
fn cases_section(lang: Lang, cases: &[CaseView]) -> AnyView {
    let (open, closed): (Vec<&CaseView>, Vec<&CaseView>) =
        cases.iter().partition(|c| c.state == CaseState::Open);
    let overdue = open.iter().filter(|c| c.overdue).count();
    view! {
        <section class="card" id="cases">
            <h2>{tf(lang, "rw.open_cases", &[("n", &open.len().to_string())])}
                {(overdue > 0).then(|| view! { " " <span class="badge step-overdue">{tf(lang, "rw.overdue_n", &[("n", &overdue.to_string())])}</span> })}
            </h2>
            {open.is_empty().then(|| view! { <p class="muted">{tr("rw.no_cases")}</p> })}
            <ul class="plain">{open.iter().map(|c| case_row(c)).collect_view()}</ul>
            {(!closed.is_empty()).then(|| view! {
                <details><summary>{tf(lang, "rw.closed_cases", &[("n", &closed.len().to_string())])}</summary>
                    <ul class="plain">{closed.iter().map(|c| case_row(c)).collect_view()}</ul>
                </details>
            })}
        </section>
    }
    .into_any()
}

fn notices_section(notices: &[NoticeSummary]) -> AnyView {
    let items = notices.iter().map(|n| view! {
        <li>
            <a href=format!("/notices/{}", n.id)>{n.title.clone()}</a>
            " " <span class="muted small">{n.number.clone().unwrap_or_else(|| tr("rw.draft"))}</span>
            {(!n.published).then(|| view! { " " <span class="badge status-pending">{tr("rw.draft")}</span> })}
            {n.corrected_by.map(|_| view! { " " <span class="badge status-withdrawn">{tr("rw.corrected")}</span> })}
            {n.stale.then(|| view! { " " <span class="badge step-overdue">{tr("rw.stale")}</span> })}
        </li>
    }).collect_view();
    view! {
        <section class="card">
            <h2>{tr("rw.notices")}</h2>
            {notices.is_empty().then(|| view! { <p class="muted">{tr("rw.no_notices")}</p> })}
            <ul class="plain">{items}</ul>
        </section>
    }
    .into_any()
}

/// A published quarter's outcomes, with the buttons to draft its notices (for those who
/// may, while the quarter has such outcomes and no notice of that kind yet).
fn quarter_outcomes(lang: Lang, b: &RewardsBoard, q: &QuarterOutcomes) -> AnyView {
    let has = |k: OutcomeKind| {
        q.outcomes
            .iter()
            .any(|o| o.kind == k && o.status == OutcomeStatus::Active)
    };
    let drafts = b.may_draft.then(|| {
        let mut forms = Vec::new();
        for (kind, k, label) in [
            (
                NoticeKind::Commendation,
                OutcomeKind::Commendation,
                "rw.draft_commendation",
            ),
            (
                NoticeKind::Criticism,
                OutcomeKind::PublicCriticism,
                "rw.draft_criticism",
            ),
        ] {
            let exists = b
                .notices
                .iter()
                .any(|n| n.quarter == q.quarter && n.kind == kind && n.corrects.is_none());
            if has(k) && !exists {
                let rid = q.result.0;
                forms.push(view! {
                    <ApiForm lang=lang action=actions::draft_notice()
                        follow="/notices/".to_string() class="inline".into()>
                        {hidden("result", rid)} {hidden("kind", kind.code())}
                        <button type="submit" class="secondary">{tr(label)}</button>
                    </ApiForm>
                });
            }
        }
        forms
    });
    view! {
        <section class="card quarter-outcomes" data-quarter=q.quarter.clone()>
            <h2>
                {period_key_label(lang, &q.quarter)}
                {q.under_appeal.then(|| view! { " " <span class="badge status-pending">{tr("eval.under_appeal")}</span> })}
            </h2>
            <p class="muted small">
                {q.published_at.map(|t| tf(lang, "eval.published_at", &[("t", &local_time(t))]))}
                " · " <a href=format!("/eval/results/{}", q.result)>{tr("eval.open_result")}</a>
            </p>
            {q.outcomes.is_empty().then(|| view! { <p class="muted">{tr("rw.no_outcomes")}</p> })}
            {outcome_groups(&q.outcomes)}
            <div class="actions">{drafts}</div>
        </section>
    }
    .into_any()
}

fn note_form(lang: Lang, case: CaseId, kind: NoteKind, today: String) -> impl IntoView {
    let code = kind.code();
    let id = move |f: &str| format!("{code}-{f}");
    let body_label = match kind {
        NoteKind::Talk => "rw.talk_said",
        NoteKind::Warning => "rw.warning_text",
        NoteKind::Plan => "rw.plan_text",
        NoteKind::Closure => "rw.closure_text",
        _ => "rw.follow_up_text",
    };
    view! {
        <section class="card note-form" data-note=kind.code()>
            <h2>{tr(&format!("rw.note.{}", kind.code()))}</h2>
            <ApiForm lang=lang action=actions::case_note(kind)>
                {hidden("case", case.0)} {hidden("kind", code)}
                {(kind == NoteKind::Talk).then(|| view! {
                    <label for=id("held_on")>{tr("rw.held_on")}</label>
                    <input id=id("held_on") type="date" name="held_on" value=today.clone() max=today.clone() required/>
                })}
                {(kind == NoteKind::Plan).then(|| view! {
                    <label for=id("deadline")>{tr("rw.deadline")}</label>
                    <input id=id("deadline") type="date" name="deadline" min=today.clone() required/>
                })}
                {(kind == NoteKind::Closure).then(|| view! {
                    <label for=id("met")>{tr("rw.closure_result")}</label>
                    <select id=id("met") name="met" required>
                        <option value="">{tr("rw.choose")}</option>
                        <option value="true">{tr("rw.case.met")}</option>
                        <option value="false">{tr("rw.case.not_met")}</option>
                    </select>
                })}
                <label for=id("body")>{tr(body_label)}</label>
                <textarea id=id("body") name="body" rows="3" maxlength="500"></textarea>
                {(kind == NoteKind::Talk).then(|| view! {
                    <label for=id("response")>{tr("rw.talk_response")}</label>
                    <textarea id=id("response") name="response" rows="2" maxlength="500"></textarea>
                })}
                <button type="submit" class="primary">{tr(&format!("rw.save.{}", kind.code()))}</button>
            </ApiForm>
        </section>
    }
}

/// A case: who, why, owner and due date, the notes so far, and the forms the viewer may use.
#[component]
pub fn CasePage() -> impl IntoView {
    let lang = use_lang();
    let id = param_id().map(CaseId);
    signed_in_page(move |_me| async move {
        let id = id.ok_or(AppError::NotFound {})?;
        let c = api::get_case(id).await?;
        // The server's date (its clock may be pinned), not the browser's.
        let today = c.today.to_string();
        let notes = c.notes.iter().map(|n| {
            let k = n.kind.code();
            view! {
                <li class=format!("note note-{k}")>
                    <p><strong>{tr(&format!("rw.note.{k}"))}</strong>
                        <span class="muted small">" · " {n.author.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| tr("rw.note.system"))} " · " {local_time(n.at)}</span></p>
                    {n.held_on.map(|d| view! { <p class="small">{tr("rw.held_on")} ": " {d.to_string()}</p> })}
                    {n.deadline.map(|d| view! { <p class="small">{tr("rw.deadline")} ": " {d.to_string()}</p> })}
                    {n.met.map(|m| view! { <p class="small">{tr(if m { "rw.case.met" } else { "rw.case.not_met" })}</p> })}
                    <p>{n.body.clone()}</p>
                    {n.response.clone().map(|r| view! { <p class="small">{tr("rw.talk_response")} ": " {r}</p> })}
                </li>
            }
        }).collect_view();
        let forms = c
            .may_note
            .iter()
            .map(|k| note_form(lang, c.id, *k, today.clone()))
            .collect_view();
        let assign = (c.may_assign && !c.owners.is_empty()).then(|| view! {
            <section class="card">
                <h2>{tr("rw.assign")}</h2>
                <ApiForm lang=lang action=actions::assign_case()>
                    {hidden("case", c.id.0)}
                    <label for="owner">{tr("rw.owner_label")}</label>
                    <select id="owner" name="owner">
                        {c.owners.iter().map(|p| view! { <option value=p.id.0 selected=p.id == c.owner.id>{p.name.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">{tr("rw.assign")}</button>
                </ApiForm>
            </section>
        });
        Ok(view! {
            <h1>{tr(&format!("rw.kind.{}", c.kind.code()))} " · " {c.cadre.name.clone()}</h1>
            <section class="card case-head" class:overdue=c.overdue>
                <p>{case_state_badge(c.state)}
                    {c.overdue.then(|| view! { " " <span class="badge step-overdue">{tr("step.overdue")}</span> })}
                    {c.on_hold.then(|| view! { " " <span class="badge status-pending">{tr("rw.on_hold")}</span> })}</p>
                <p class="muted small">{c.department.clone()} " · " {period_key_label(lang, &c.quarter)} " · "
                    <a href=format!("/eval/results/{}", c.result)>{tr("eval.open_result")}</a></p>
                {(!c.reason.is_empty()).then(|| view! { <p>{tr("rw.naming_reason")} ": " {c.reason.clone()}</p> })}
                <p>{tf(lang, "rw.owner", &[("n", &c.owner.name)])} " · " {tf(lang, "rw.due", &[("d", &c.due.to_string())])}
                    {c.closed_at.map(|t| view! { " · " {tf(lang, "rw.closed_at", &[("t", &local_time(t))])} })}</p>
                {c.on_hold.then(|| view! { <p class="notice">{tr("rw.on_hold_text")}</p> })}
            </section>
            <section class="card">
                <h2>{tr("rw.notes")}</h2>
                {c.notes.is_empty().then(|| view! { <p class="muted">{tr("rw.no_notes")}</p> })}
                <ol class="plain notes">{notes}</ol>
            </section>
            {forms}
            {assign}
            <p><a href="/rewards#cases">{tr("nav.back")}</a></p>
        })
    })
}

/// A notice in the formal layout, printable on A4; drafts can be edited and published.
#[component]
pub fn NoticePage() -> impl IntoView {
    let lang = use_lang();
    let id = param_id().map(NoticeId);
    signed_in_page(move |_me| async move {
        let id = id.ok_or(AppError::NotFound {})?;
        let n = api::get_notice(id).await?;
        let date = n.issued_on.map(|d| {
            use chrono::Datelike;
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        });
        let (title, preamble, issuer) = (n.title.clone(), n.preamble.clone(), n.issuer.clone());
        let edit = (n.may_edit && !n.published).then(move || view! {
            <section class="card no-print">
                <h2>{tr("rw.edit_draft")}</h2>
                <ApiForm lang=lang action=actions::update_notice()>
                    {hidden("id", n.id.0)}
                    <label for="title">{tr("rw.notice_title")}</label>
                    <input id="title" name="title" value=title maxlength="200"/>
                    <label for="preamble">{tr("rw.notice_text")}</label>
                    <textarea id="preamble" name="preamble" rows="5" maxlength="2000">{crate::ui::textarea_text(&preamble)}</textarea>
                    <label for="issuer">{tr("rw.issuer")}</label>
                    <input id="issuer" name="issuer" value=issuer maxlength="100"/>
                    <button type="submit" class="secondary">{tr("rw.save_draft")}</button>
                </ApiForm>
                <ApiForm lang=lang action=actions::publish_notice() confirm=tr("rw.publish_confirm")>
                    {hidden("id", n.id.0)}
                    <button type="submit" class="primary">{tr("rw.publish_notice")}</button>
                </ApiForm>
            </section>
        });
        let correct = (n.may_edit && n.published).then(|| view! {
            <ApiForm lang=lang action=actions::draft_correction()
                follow="/notices/".to_string() class="inline".into()>
                {hidden("result", n.result.0)} {hidden("kind", n.kind.code())} {hidden("corrects", n.id.0)}
                <button type="submit" class="secondary">{tr("rw.draft_correction")}</button>
            </ApiForm>
        });
        Ok(view! {
            <div class="actions no-print">
                <PrintButton lang=lang class="secondary".to_string()/> " "
                <a class="button-link" href=format!("/api/v1/notices/download?id={}", n.id) download>{tr("rw.download")}</a> " "
                {correct}
            </div>
            {(!n.published).then(|| view! { <p class="notice no-print">{tr("rw.draft_note")}</p> })}
            {n.stale.then(|| view! { <p class="notice overdue no-print">{tr("rw.stale_text")}</p> })}
            {n.corrected_by.clone().map(|c| view! {
                <p class="notice no-print">{tr("rw.corrected_by")} " " <a href=format!("/notices/{}", c.id)>{c.number}</a></p>
            })}
            <article class="notice-doc" lang="zh-CN">
                <h1>{n.title.clone()}</h1>
                <p class="doc-number">{n.number.clone().unwrap_or_else(|| tr("rw.draft"))}</p>
                {n.corrects.clone().map(|c| view! {
                    <p class="doc-corrects">"本通报更正" <a href=format!("/notices/{}", c.id)>{c.number}</a> "。"</p>
                })}
                <p class="doc-text">{n.preamble.clone()}</p>
                <table class="doc-table">
                    <thead><tr><th>"序号"</th><th>"姓名"</th><th>"单位"</th><th>"事由"</th></tr></thead>
                    <tbody>
                        {n.lines.iter().enumerate().map(|(i, l)| view! {
                            <tr><td>{(i + 1).to_string()}</td><td>{l.cadre.name.clone()}</td><td>{l.department.clone()}</td><td>{l.reason.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="doc-issuer">{n.issuer.clone()}</p>
                <p class="doc-date">{date}</p>
                {n.audit_anchor.clone().map(|a| view! {
                    <p class="doc-anchor">"审计链锚点 " {a}</p>
                })}
            </article>
            {edit}
            <p class="no-print"><a href="/rewards">{tr("nav.back")}</a></p>
        })
    })
}

fn adjustments_view(adj: &[Adjustment]) -> impl IntoView + use<> {
    let lang = use_lang();
    adj.iter()
        .map(|a| {
            let k = a.kind.code();
            let text = match a.kind {
                AdjustmentKind::Uplift => tf(lang, "rw.adj.uplift", &[("pct", &a.pct.unwrap_or(0).to_string()), ("q", &period_key_label(lang, &a.source))]),
                AdjustmentKind::Withholding => tf(lang, "rw.adj.withholding", &[("q", &period_key_label(lang, &a.source))]),
                AdjustmentKind::Correction => tf(lang, "rw.adj.correction", &[("p", &a.source)]),
            };
            view! {
                <li class=format!("adj adj-{k}") class:pending=a.pending>
                    {text} ": " <strong>{yuan(a.amount)}</strong>
                    {a.pending.then(|| view! { " " <span class="badge status-pending">{tr("rw.status.pending")}</span> })}
                    {a.result.map(|r| view! { " " <a class="small" href=format!("/eval/results/{r}")>{tr("rw.source")}</a> })}
                </li>
            }
        })
        .collect_view()
}

fn ledger_rows(rows: &[LedgerRow]) -> impl IntoView + use<> {
    rows.iter()
        .map(|r| {
            view! {
                <tr data-user=r.username.clone()>
                    <td><strong>{r.name.clone()}</strong><br/><span class="muted small">{r.department.clone()}</span></td>
                    <td class="num">{r.base.map(yuan).unwrap_or_else(|| "—".into())}</td>
                    <td><ul class="plain small">{adjustments_view(&r.adjustments)}</ul></td>
                    <td class="num"><strong>{yuan(r.due)}</strong></td>
                </tr>
            }
        })
        .collect_view()
}

/// The bonus ledger: the office enters or imports bases, closes periods and exports.
#[component]
pub fn LedgerPage() -> impl IntoView {
    let lang = use_lang();
    let period = query("period");
    signed_in_page(move |me| async move {
        let l = api::get_ledger(period).await?;
        let office = me.has(Role::Office);
        let editable = office && !l.closed;
        let head = view! {
            <thead><tr><th>{tr("rw.col.cadre")}</th><th class="num">{tr("rw.col.base")}</th><th>{tr("rw.col.adjustments")}</th><th class="num">{tr("rw.col.due")}</th></tr></thead>
        };
        Ok(view! {
            <h1>{tr("rw.ledger_title")}</h1>
            <form method="get" action="/ledger" class="inline no-print">
                <label for="period">{tr("rw.period")}</label>
                <select id="period" name="period">
                    {l.periods.iter().map(|p| view! { <option value=p.clone() selected=*p == l.period>{ledger_period_label(lang, p)}</option> }).collect_view()}
                </select>
                <button type="submit" class="secondary">{tr("rw.show")}</button>
            </form>
            {ledger_summary(lang, &l, office, editable)}
            {editable.then(|| base_forms(lang, &l))}
            {(!l.corrections.is_empty()).then(|| view! {
                <section class="card corrections">
                    <h2>{tr("rw.corrections")}</h2>
                    <p class="muted small">{tr("rw.corrections_help")}</p>
                    <div class="table-wrap"><table class="ledger">{head.clone()}<tbody>{ledger_rows(&l.corrections)}</tbody></table></div>
                </section>
            })}
            <section class="card">
                <h2>{tr("rw.lines")}</h2>
                {l.rows.is_empty().then(|| view! { <p class="muted">{tr("rw.no_lines")}</p> })}
                <div class="table-wrap"><table class="ledger">{head}<tbody>{ledger_rows(&l.rows)}</tbody></table></div>
            </section>
        })
    })
}

/// A ledger period for people: "2026年第三季度", or the year-end bonus of a year.
fn ledger_period_label(lang: Lang, key: &str) -> String {
    LedgerPeriod::parse_key(key)
        .map(|p| {
            if p.is_year_end() {
                tf(lang, "rw.year_end", &[("y", &p.year.to_string())])
            } else {
                period_key_label(lang, key)
            }
        })
        .unwrap_or_else(|_| key.to_string())
}

/// The period's totals and state, with the office's exports and (while open) closing it.
fn ledger_summary(lang: Lang, l: &LedgerView, office: bool, editable: bool) -> AnyView {
    let period_key = l.period.clone();
    let close = editable.then(move || view! {
        <ApiForm lang=lang action=actions::close_period() confirm=tr("rw.close_confirm") class="inline".into()>
            {hidden("period", period_key)}
            <button type="submit" class="secondary">{tr("rw.close_period")}</button>
        </ApiForm>
    });
    let exports = office.then(|| view! {
        <a class="button-link" href=format!("/api/v1/ledger/export?period={}&format=xlsx", l.period) download>{tr("rw.export_xlsx")}</a> " "
        <a class="button-link" href=format!("/api/v1/ledger/export?period={}&format=csv", l.period) download>{tr("rw.export_csv")}</a>
    });
    view! {
        <section class="card ledger-summary">
            <h2>{ledger_period_label(lang, &l.period)}
                {l.closed.then(|| view! { " " <span class="badge case-done">{tr("rw.closed")}</span> })}</h2>
            <p>{tr("rw.total_base")} ": " <strong>{yuan(l.total_base)}</strong> " · "
                {tr("rw.total_due")} ": " <strong class="total-due">{yuan(l.total_due)}</strong></p>
            {l.closed_at.map(|t| view! { <p class="muted small">{tf(lang, "rw.ledger_closed_at", &[("t", &local_time(t))])}</p> })}
            {(l.missing_bases > 0 && !l.closed).then(|| view! { <p class="notice">{tf(lang, "rw.missing_bases", &[("n", &l.missing_bases.to_string())])}</p> })}
            <div class="actions no-print">{exports} " " {close}</div>
        </section>
    }
    .into_any()
}

/// The office's forms for an open period: one cadre's base, or many from CSV.
fn base_forms(lang: Lang, l: &LedgerView) -> AnyView {
    let period = l.period.clone();
    let people = l
        .people
        .iter()
        .map(|p| view! { <option value=p.id.0>{format!("{}（{}）", p.name, p.username)}</option> })
        .collect_view();
    view! {
        <details class="card no-print">
            <summary>{tr("rw.enter_base")}</summary>
            <ApiForm lang=lang action=actions::set_base()>
                {hidden("period", period)}
                <label for="cadre">{tr("rw.col.cadre")}</label>
                <select id="cadre" name="cadre" required>
                    {people}
                </select>
                <label for="amount">{tr("rw.amount")}</label>
                <input id="amount" name="amount" inputmode="decimal" placeholder="3000.00" required/>
                <button type="submit" class="primary">{tr("rw.save_base")}</button>
            </ApiForm>
        </details>
        <details class="card no-print">
            <summary>{tr("rw.import_bases")}</summary>
            <p class="muted small">{tr("rw.import_help")}</p>
            <ApiForm lang=lang action=actions::import_bases()>
                <label for="csv">"CSV"</label>
                <textarea id="csv" name="csv" rows="5" placeholder="username,period,amount"></textarea>
                <button type="submit" class="secondary">{tr("rw.import")}</button>
            </ApiForm>
        </details>
    }
    .into_any()
}

/// A cadre's own results, outcomes, cases and bonus lines over time.
#[component]
pub fn MyRewardsPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |_me| async move {
        let m = api::get_my_rewards().await?;
        let results = m.results.iter().map(|n| view! {
            <li>
                {period_key_label(lang, &n.period)} " " {kind_badge(n.kind)}
                {n.withdrawn.then(|| view! { " " <span class="badge status-withdrawn">{tr("eval.withdrawn")}</span> })}
                {n.appeals.iter().map(|a| {
                    let st = a.status.code();
                    view! { " " <span class=format!("badge appeal-{st}")>{tr(&format!("appeal.status.{st}"))}</span> }
                }).collect_view()}
                " " <a class="small" href=format!("/eval/results/{}", n.result)>{tr("eval.open_result")}</a>
            </li>
        }).collect_view();
        // One block per quarter: the outcomes' badges and their reasons once.
        let mut quarters: Vec<(String, Vec<OutcomeView>)> = Vec::new();
        for o in &m.outcomes {
            match quarters.iter_mut().find(|(q, _)| *q == o.quarter) {
                Some((_, list)) => list.push(o.clone()),
                None => quarters.push((o.quarter.clone(), vec![o.clone()])),
            }
        }
        let outcomes = quarters
            .into_iter()
            .map(|(q, list)| {
                view! {
                    <li>
                        <h3 class="small">{period_key_label(lang, &q)}</h3>
                        {outcome_groups(&list)}
                    </li>
                }
            })
            .collect_view();
        let cases = m.cases.iter().map(case_row).collect_view();
        let best = m
            .results
            .iter()
            .filter(|n| n.kind == PickKind::Best && !n.withdrawn)
            .count();
        let worst = m
            .results
            .iter()
            .filter(|n| n.kind == PickKind::Worst && !n.withdrawn)
            .count();
        Ok(view! {
            <h1>{tr("rw.mine_title")}</h1>
            <p class="muted">{tf(lang, "rw.mine_summary", &[("b", &best.to_string()), ("w", &worst.to_string())])}</p>
            <section class="card">
                <h2>{tr("rw.my_outcomes")}</h2>
                {m.outcomes.is_empty().then(|| view! { <p class="muted">{tr("rw.no_outcomes")}</p> })}
                <ul class="plain">{outcomes}</ul>
            </section>
            <section class="card">
                <h2>{tr("rw.my_cases")}</h2>
                {m.cases.is_empty().then(|| view! { <p class="muted">{tr("rw.no_cases")}</p> })}
                <ul class="plain">{cases}</ul>
            </section>
            <section class="card">
                <h2>{tr("rw.my_bonus")}</h2>
                {m.ledger.is_empty().then(|| view! { <p class="muted">{tr("rw.no_lines")}</p> })}
                <ul class="plain">
                    {m.ledger.iter().map(|r| view! {
                        <li>
                            <strong>{r.period.clone()}</strong> " · " {tr("rw.col.base")} " " {r.base.map(yuan).unwrap_or_else(|| "—".into())}
                            " · " {tr("rw.col.due")} " " <strong>{yuan(r.due)}</strong>
                            <ul class="plain small">{adjustments_view(&r.adjustments)}</ul>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
            <section class="card">
                <h2>{tr("rw.my_results")}</h2>
                {m.results.is_empty().then(|| view! { <p class="muted">{tr("eval.no_results")}</p> })}
                <ul class="plain">{results}</ul>
                <p><a href="/eval/mine">{tr("eval.mine_title")}</a></p>
            </section>
        })
    })
}

#[cfg(test)]
mod tests {
    /// Making an action checks its fields against the server function's real arguments
    /// (and panics on a name that is not one); this makes every one of them.
    #[test]
    fn every_form_sends_real_arguments() {
        let all = super::actions::all();
        assert_eq!(all.len(), 14);
    }
}
