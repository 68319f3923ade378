//! Islands of the evaluation pages: the forms that change something. Each calls its JSON
//! server function and reloads the page on success; the server re-renders the new state.

use leptos::prelude::*;

use super::*;
use crate::domain::*;
use crate::error::AppError;
use crate::policy::*;

use super::api::{
    AnswerAppeal, Choose, FileAppeal, Publish, SaveOpinion, SubmitPick, UpdatePolicy,
    WithdrawChoice,
};
use crate::i18n::{Lang, t};
use crate::ui::forms::{Fields, Status, call_and_reload};

/// An area chief's opinion on one cadre for a month.
#[island(lazy)]
pub fn OpinionForm(
    lang: Lang,
    month: String,
    cadre: CadreId,
    text: String,
    rating: Option<u32>,
    rating_max: u32,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let id = format!("opinion-{cadre}");
    let rid = format!("rating-{cadre}");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let args = SaveOpinion {
            month: month.clone(),
            cadre,
            text: f.get("text"),
            rating: f.get("rating").parse::<u32>().ok(),
        };
        call_and_reload(args, error, pending);
    };
    view! {
        <form class="opinion-form" on:submit=on_submit>
            <label for=id.clone()>{t(lang, "field.text")}</label>
            <textarea id=id name="text" rows="2" maxlength="500" required>{crate::ui::textarea_text(&text)}</textarea>
            <label for=rid.clone()>{t(lang, "field.rating")}</label>
            <select id=rid name="rating">
                <option value="">{t(lang, "eval.no_rating")}</option>
                {(1..=rating_max).map(|r| view! {
                    <option value=r.to_string() selected=Some(r) == rating>{r.to_string()}</option>
                }).collect_view()}
            </select>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>
                {t(lang, "eval.save_opinion")}
            </button>
        </form>
    }
}

/// A candidate as the pick form needs it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PickOption {
    pub cadre: CadreId,
    pub name: String,
    pub entries: Vec<(EntryId, String)>,
}

#[derive(Clone, Copy)]
struct Slot {
    cadre: RwSignal<String>,
}

fn slot_view(
    lang: Lang,
    kind: PickKind,
    n: usize,
    slot: Slot,
    options: Vec<PickOption>,
) -> impl IntoView {
    let prefix = format!("{}-{n}", kind.code());
    let opts = options.clone();
    let cite_name = format!("{prefix}-cite");
    view! {
        <fieldset class=format!("pick-slot pick-{}", kind.code())>
            <legend>{t(lang, &format!("eval.kind.{}", kind.code()))}</legend>
            <label for=format!("{prefix}-cadre")>{t(lang, "field.cadre")}</label>
            <select id=format!("{prefix}-cadre") name=format!("{prefix}-cadre")
                on:change=move |ev| slot.cadre.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {options.iter().map(|o| view! {
                    <option value=o.cadre.0.to_string()>{o.name.clone()}</option>
                }).collect_view()}
            </select>
            <label for=format!("{prefix}-reason")>{t(lang, "field.reason")}</label>
            <textarea id=format!("{prefix}-reason") name=format!("{prefix}-reason") rows="2" maxlength="500"></textarea>
            <p class="label">{t(lang, "field.citations")}</p>
            <div class="cite-list">
                {move || {
                    let chosen: Option<i32> = slot.cadre.get().parse().ok();
                    let entries = opts
                        .iter()
                        .find(|o| Some(o.cadre.0) == chosen)
                        .map(|o| o.entries.clone())
                        .unwrap_or_default();
                    if entries.is_empty() {
                        return view! { <p class="muted">{t(lang, "eval.choose_person_first")}</p> }.into_any();
                    }
                    entries.into_iter().map(|(id, text)| view! {
                        <label class="cite">
                            <input type="checkbox" name=cite_name.clone() value=id.0.to_string()/>
                            <span>{text}</span>
                        </label>
                    }).collect_view().into_any()
                }}
            </div>
        </fieldset>
    }
}

/// The monthly pick: the quota's best and worst slots, each with a person, a reason and
/// the cited entries; a confirmation when sheets are missing.
#[island(lazy)]
pub fn PickForm(
    lang: Lang,
    month: String,
    want_best: u32,
    want_worst: u32,
    missing: u32,
    options: Vec<PickOption>,
) -> impl IntoView {
    let mk = || Slot {
        cadre: RwSignal::new(String::new()),
    };
    let best: Vec<Slot> = (0..want_best).map(|_| mk()).collect();
    let worst: Vec<Slot> = (0..want_worst).map(|_| mk()).collect();
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let lines = |f: &Fields, kind: PickKind, n: u32| -> Vec<PickLine> {
        (0..n)
            .map(|i| {
                let prefix = format!("{}-{i}", kind.code());
                PickLine {
                    cadre: CadreId(f.get(&format!("{prefix}-cadre")).parse().unwrap_or(0)),
                    reason: f.get(&format!("{prefix}-reason")),
                    citations: f.ids(&format!("{prefix}-cite"), EntryId),
                }
            })
            .collect()
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let input = MonthlyPickInput {
            month: month.clone(),
            best: lines(&f, PickKind::Best, want_best),
            worst: lines(&f, PickKind::Worst, want_worst),
            confirm_missing: f.get("confirm_missing") == "1",
        };
        call_and_reload(SubmitPick { input }, error, pending);
    };
    let slots =
        best.iter()
            .enumerate()
            .map(|(i, s)| slot_view(lang, PickKind::Best, i, *s, options.clone()).into_any())
            .chain(
                worst.iter().enumerate().map(|(i, s)| {
                    slot_view(lang, PickKind::Worst, i, *s, options.clone()).into_any()
                }),
            )
            .collect_view();
    view! {
        <form class="card pick-form" on:submit=on_submit>
            <h2>{t(lang, "eval.pick_form")}</h2>
            {slots}
            {(missing > 0).then(|| view! {
                <label class="confirm">
                    <input type="checkbox" id="confirm-missing" name="confirm_missing" value="1"/>
                    {crate::i18n::tf(lang, "eval.confirm_missing", &[("n", &missing.to_string())])}
                </label>
            })}
            <p class="muted">{t(lang, "eval.pick_locked_note")}</p>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>
                {t(lang, "eval.submit_pick")}
            </button>
        </form>
    }
}

/// A principal's quarterly choice: tick best and worst from the pool, record it as a
/// preliminary choice or confirm it; withdraw one's own.
#[island(lazy)]
pub fn QuarterForm(
    lang: Lang,
    quarter: String,
    best: Vec<(CadreId, String)>,
    worst: Vec<(CadreId, String)>,
    want_best: u32,
    want_worst: u32,
    has_choice: bool,
) -> impl IntoView {
    let chosen_best = RwSignal::new(0usize);
    let chosen_worst = RwSignal::new(0usize);
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let q2 = quarter.clone();
    let send = move |confirm: bool| {
        let f = Fields::of_id("quarter-form");
        let args = Choose {
            quarter: quarter.clone(),
            confirm,
            best: f.ids("best", CadreId),
            worst: f.ids("worst", CadreId),
            note: Some(f.get("note")).filter(|n| !n.trim().is_empty()),
        };
        call_and_reload(args, error, pending);
    };
    let send2 = send.clone();
    let withdraw = move |_| {
        call_and_reload(
            WithdrawChoice {
                quarter: q2.clone(),
            },
            error,
            pending,
        );
    };
    view! {
        <form class="card quarter-form" id="quarter-form" on:submit=|ev| ev.prevent_default()>
            <h2>{t(lang, "eval.quarter_form")}</h2>
            <fieldset>
                <legend>{crate::i18n::tf(lang, "eval.choose_best", &[("n", &want_best.to_string())])}
                    " " <span class="count">{move || chosen_best.get()}"/"{want_best}</span></legend>
                {choice_boxes(PickKind::Best, best, chosen_best)}
            </fieldset>
            <fieldset>
                <legend>{crate::i18n::tf(lang, "eval.choose_worst", &[("n", &want_worst.to_string())])}
                    " " <span class="count">{move || chosen_worst.get()}"/"{want_worst}</span></legend>
                {choice_boxes(PickKind::Worst, worst, chosen_worst)}
            </fieldset>
            <label for="q-note">{t(lang, "field.note")}</label>
            <textarea id="q-note" name="note" rows="2" maxlength="500"></textarea>
            <Status lang error/>
            <div class="actions">
                <button type="button" disabled=move || pending.get() on:click=move |_| send2(false)>
                    {t(lang, "eval.preliminary")}
                </button>
                <button type="button" class="primary" disabled=move || pending.get() on:click=move |_| send(true)>
                    {t(lang, "eval.confirm")}
                </button>
                {has_choice.then(|| view! {
                    <button type="button" class="warn" on:click=withdraw>{t(lang, "eval.withdraw")}</button>
                })}
            </div>
        </form>
    }
}

/// The pool's people of one kind as ticks, counting the ticked ones into `count`.
fn choice_boxes(
    kind: PickKind,
    people: Vec<(CadreId, String)>,
    count: RwSignal<usize>,
) -> impl IntoView {
    people
        .into_iter()
        .map(|(id, name)| {
            let html_id = format!("q-{}-{}", kind.code(), id.0);
            view! {
                <label class="chip" for=html_id.clone()>
                    <input type="checkbox" id=html_id.clone() name=kind.code() value=id.0.to_string()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            count.update(|c| if on { *c += 1 } else { *c = c.saturating_sub(1) });
                        }/>
                    {name}
                </label>
            }
        })
        .collect_view()
}

/// What a quarter button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum QuarterAction {
    /// Withdraw one's own confirmed choice while the quarter is undecided.
    Withdraw,
    /// Publish the decided result.
    Publish,
}

/// One action on the quarter; reloads on success.
#[island(lazy)]
pub fn QuarterButton(lang: Lang, quarter: String, action: QuarterAction) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let click = move |_| {
        let quarter = quarter.clone();
        match action {
            QuarterAction::Withdraw => call_and_reload(WithdrawChoice { quarter }, error, pending),
            QuarterAction::Publish => call_and_reload(Publish { quarter }, error, pending),
        }
    };
    let (class, label) = match action {
        QuarterAction::Withdraw => ("warn", "eval.withdraw"),
        QuarterAction::Publish => ("primary", "eval.publish"),
    };
    view! {
        <div class="actions">
            <button type="button" class=class on:click=click disabled=move || pending.get()>{t(lang, label)}</button>
            <Status lang error/>
        </div>
    }
}

/// A named cadre's appeal.
#[island(lazy)]
pub fn AppealForm(lang: Lang, naming: NamingId) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let id = format!("ground-{naming}");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ground = Fields::of_event(&ev).get("ground");
        call_and_reload(FileAppeal { naming, ground }, error, pending);
    };
    view! {
        <form class="appeal-form" on:submit=on_submit>
            <label for=id.clone()>{t(lang, "field.ground")}</label>
            <textarea id=id name="ground" rows="3" maxlength="500"></textarea>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "eval.file_appeal")}</button>
        </form>
    }
}

/// The committee's answer to an appeal.
#[island(lazy)]
pub fn AnswerForm(lang: Lang, id: AppealId, replacements: Vec<(CadreId, String)>) -> impl IntoView {
    let outcome = RwSignal::new(String::from("uphold"));
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let o = match f.get("outcome").as_str() {
            "overturn" => AppealOutcome::Overturn,
            "change" => AppealOutcome::Change,
            _ => AppealOutcome::Uphold,
        };
        // A replacement only counts for a change (the field may still hold a value).
        let replacement = (o == AppealOutcome::Change)
            .then(|| f.get("replacement").parse().ok().map(CadreId))
            .flatten();
        let args = AnswerAppeal {
            id,
            outcome: o,
            answer: f.get("answer"),
            replacement,
        };
        call_and_reload(args, error, pending);
    };
    let oid = format!("outcome-{id}");
    let aid = format!("answer-{id}");
    let rid = format!("replacement-{id}");
    view! {
        <form class="answer-form" on:submit=on_submit>
            <label for=oid.clone()>{t(lang, "field.outcome_decision")}</label>
            <select id=oid name="outcome" on:change=move |ev| outcome.set(event_target_value(&ev))>
                {["uphold", "overturn", "change"].map(|o| view! {
                    <option value=o>{t(lang, &format!("appeal.outcome.{o}"))}</option>
                }).collect_view()}
            </select>
            <div hidden=move || outcome.get() != "change">
                <label for=rid.clone()>{t(lang, "field.replacement")}</label>
                <select id=rid name="replacement">
                    <option value="">"—"</option>
                    {replacements.into_iter().map(|(c, n)| view! {
                        <option value=c.0.to_string()>{n}</option>
                    }).collect_view()}
                </select>
            </div>
            <label for=aid.clone()>{t(lang, "field.answer")}</label>
            <textarea id=aid name="answer" rows="3" maxlength="500"></textarea>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "eval.answer")}</button>
        </form>
    }
}

type Getter = fn(&EvalPolicy) -> u32;
type Setter = fn(&mut EvalPolicy, u32);

/// The policy's numeric settings as the form shows them: name, how to read it, how to set
/// it (yes/no settings as 1/0).
const POLICY_FIELDS: [(&str, Getter, Setter); 17] = [
    (
        "monthly_best",
        |p| p.monthly_best,
        |p, v| p.monthly_best = v,
    ),
    (
        "monthly_worst",
        |p| p.monthly_worst,
        |p, v| p.monthly_worst = v,
    ),
    (
        "opinion_due_day",
        |p| p.opinion_due_day,
        |p, v| p.opinion_due_day = v,
    ),
    (
        "pick_due_day",
        |p| p.pick_due_day,
        |p, v| p.pick_due_day = v,
    ),
    ("rating_max", |p| p.rating_max, |p, v| p.rating_max = v),
    (
        "quarterly_best",
        |p| p.quarterly_best,
        |p, v| p.quarterly_best = v,
    ),
    (
        "quarterly_worst",
        |p| p.quarterly_worst,
        |p, v| p.quarterly_worst = v,
    ),
    (
        "quarter_due_day",
        |p| p.quarter_due_day,
        |p, v| p.quarter_due_day = v,
    ),
    (
        "confirmations_required",
        |p| p.confirmations_required,
        |p, v| p.confirmations_required = v,
    ),
    (
        "appeal_window_days",
        |p| p.appeal_window_days,
        |p, v| p.appeal_window_days = v,
    ),
    (
        "appeal_answer_days",
        |p| p.appeal_answer_days,
        |p, v| p.appeal_answer_days = v,
    ),
    (
        "appeal_working_days",
        |p| u32::from(p.appeal_working_days),
        |p, v| p.appeal_working_days = v != 0,
    ),
    (
        "best_uplift_pct",
        |p| p.outcomes.best_uplift_pct,
        |p, v| p.outcomes.best_uplift_pct = v,
    ),
    (
        "worst_streak",
        |p| p.outcomes.worst_streak,
        |p, v| p.outcomes.worst_streak = v,
    ),
    (
        "streak_monthly",
        |p| u32::from(p.outcomes.streak_unit == crate::policy::StreakUnit::MonthlyPicks),
        |p, v| {
            p.outcomes.streak_unit = if v != 0 {
                crate::policy::StreakUnit::MonthlyPicks
            } else {
                crate::policy::StreakUnit::Quarters
            }
        },
    ),
    (
        "talk_due_days",
        |p| p.outcomes.talk_due_days,
        |p, v| p.outcomes.talk_due_days = v,
    ),
    (
        "rectification_days",
        |p| p.outcomes.rectification_days,
        |p, v| p.outcomes.rectification_days = v,
    ),
];

/// The office's policy form: every setting, a note, saved as a new version.
#[island(lazy)]
pub fn PolicyForm(lang: Lang, policy: EvalPolicy) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let fields = POLICY_FIELDS;
    let base = policy.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let mut p = base.clone();
        for (name, _, set) in fields {
            match f.get(name).trim().parse::<u32>() {
                Ok(v) => set(&mut p, v),
                Err(_) => {
                    error.set(Some(AppError::invalid(name, "out_of_range")));
                    return;
                }
            }
        }
        let args = UpdatePolicy {
            policy: p,
            note: f.get("note"),
        };
        call_and_reload(args, error, pending);
    };
    view! {
        <form class="card grid-form policy-form" on:submit=on_submit>
            {fields.into_iter().map(|(name, get, _)| {
                let id = format!("policy-{name}");
                view! {
                    <label for=id.clone()>{t(lang, &format!("policy.{name}"))}</label>
                    <input id=id name=name type="number" min="0" value=get(&policy).to_string()/>
                }
            }).collect_view()}
            <label for="policy-note">{t(lang, "field.note")}</label>
            <input id="policy-note" name="note" type="text" maxlength="500"/>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "policy.save")}</button>
        </form>
    }
}
