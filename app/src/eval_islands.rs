//! Islands of the evaluation pages: the forms that change something. Each calls its JSON
//! server function and reloads the page on success; the server re-renders the new state.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::*;
use crate::error::AppError;
use crate::eval::*;
use crate::eval_api as api;
use crate::i18n::{Lang, t};

fn reload() {
    let _ = window().location().reload();
}

#[component]
fn Status(lang: Lang, error: RwSignal<Option<AppError>>) -> impl IntoView {
    view! {
        <p class="error" role="alert" hidden=move || error.get().is_none()>
            {move || error.get().map(|e| e.message(lang)).unwrap_or_default()}
        </p>
    }
}

/// An area chief's opinion on one cadre for a month.
#[island]
pub fn OpinionForm(
    lang: Lang,
    month: String,
    cadre: CadreId,
    text: String,
    rating: Option<u32>,
    rating_max: u32,
) -> impl IntoView {
    let text_s = RwSignal::new(text.clone());
    let rating_s = RwSignal::new(rating.map(|r| r.to_string()).unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let id = format!("opinion-{cadre}");
    let rid = format!("rating-{cadre}");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let month = month.clone();
        pending.set(true);
        spawn_local(async move {
            let rating = rating_s.get_untracked().parse().ok();
            match api::save_opinion(month, cadre, text_s.get_untracked(), rating).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class="opinion-form" on:submit=on_submit>
            <label for=id.clone()>{t(lang, "field.text")}</label>
            <textarea id=id rows="2" maxlength="500" required
                on:input=move |ev| text_s.set(event_target_value(&ev))>{text}</textarea>
            <label for=rid.clone()>{t(lang, "field.rating")}</label>
            <select id=rid on:change=move |ev| rating_s.set(event_target_value(&ev))>
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
    reason: RwSignal<String>,
    cites: RwSignal<Vec<EntryId>>,
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
    view! {
        <fieldset class=format!("pick-slot pick-{}", kind.code())>
            <legend>{t(lang, &format!("eval.kind.{}", kind.code()))}</legend>
            <label for=format!("{prefix}-cadre")>{t(lang, "field.cadre")}</label>
            <select id=format!("{prefix}-cadre") on:change=move |ev| {
                slot.cadre.set(event_target_value(&ev));
                slot.cites.set(Vec::new());
            }>
                <option value="">"—"</option>
                {options.iter().map(|o| view! {
                    <option value=o.cadre.0.to_string()>{o.name.clone()}</option>
                }).collect_view()}
            </select>
            <label for=format!("{prefix}-reason")>{t(lang, "field.reason")}</label>
            <textarea id=format!("{prefix}-reason") rows="2" maxlength="500"
                on:input=move |ev| slot.reason.set(event_target_value(&ev))></textarea>
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
                            <input type="checkbox" value=id.0.to_string()
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    slot.cites.update(|c| {
                                        c.retain(|x| *x != id);
                                        if on { c.push(id); }
                                    });
                                }/>
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
#[island]
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
        reason: RwSignal::new(String::new()),
        cites: RwSignal::new(Vec::new()),
    };
    let best: Vec<Slot> = (0..want_best).map(|_| mk()).collect();
    let worst: Vec<Slot> = (0..want_worst).map(|_| mk()).collect();
    let confirm = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let lines = |slots: &[Slot]| -> Vec<PickLine> {
        slots
            .iter()
            .map(|s| PickLine {
                cadre: CadreId(s.cadre.get_untracked().parse().unwrap_or(0)),
                reason: s.reason.get_untracked(),
                citations: s.cites.get_untracked(),
            })
            .collect()
    };
    let (b2, w2) = (best.clone(), worst.clone());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = MonthlyPickInput {
            month: month.clone(),
            best: lines(&b2),
            worst: lines(&w2),
            confirm_missing: confirm.get_untracked(),
        };
        pending.set(true);
        spawn_local(async move {
            match api::submit_pick(input).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
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
                    <input type="checkbox" id="confirm-missing" on:change=move |ev| confirm.set(event_target_checked(&ev))/>
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
#[island]
pub fn QuarterForm(
    lang: Lang,
    quarter: String,
    best: Vec<(CadreId, String)>,
    worst: Vec<(CadreId, String)>,
    want_best: u32,
    want_worst: u32,
    has_choice: bool,
) -> impl IntoView {
    let chosen_best = RwSignal::new(Vec::<CadreId>::new());
    let chosen_worst = RwSignal::new(Vec::<CadreId>::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let q2 = quarter.clone();
    let send = move |confirm: bool| {
        let quarter = quarter.clone();
        pending.set(true);
        spawn_local(async move {
            let n = Some(note.get_untracked()).filter(|n| !n.trim().is_empty());
            match api::choose(
                quarter,
                confirm,
                chosen_best.get_untracked(),
                chosen_worst.get_untracked(),
                n,
            )
            .await
            {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let send2 = send.clone();
    let withdraw = move |_| {
        let quarter = q2.clone();
        spawn_local(async move {
            match api::withdraw_choice(quarter).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let boxes =
        move |kind: PickKind, people: Vec<(CadreId, String)>, sig: RwSignal<Vec<CadreId>>| {
            people
                .into_iter()
                .map(|(id, name)| {
                    let html_id = format!("q-{}-{}", kind.code(), id.0);
                    view! {
                        <label class="chip" for=html_id.clone()>
                            <input type="checkbox" id=html_id.clone() on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                sig.update(|v| {
                                    v.retain(|x| *x != id);
                                    if on { v.push(id); }
                                });
                            }/>
                            {name}
                        </label>
                    }
                })
                .collect_view()
        };
    view! {
        <form class="card quarter-form" on:submit=|ev| ev.prevent_default()>
            <h2>{t(lang, "eval.quarter_form")}</h2>
            <fieldset>
                <legend>{crate::i18n::tf(lang, "eval.choose_best", &[("n", &want_best.to_string())])}
                    " " <span class="count">{move || chosen_best.get().len()}"/"{want_best}</span></legend>
                {boxes(PickKind::Best, best, chosen_best)}
            </fieldset>
            <fieldset>
                <legend>{crate::i18n::tf(lang, "eval.choose_worst", &[("n", &want_worst.to_string())])}
                    " " <span class="count">{move || chosen_worst.get().len()}"/"{want_worst}</span></legend>
                {boxes(PickKind::Worst, worst, chosen_worst)}
            </fieldset>
            <label for="q-note">{t(lang, "field.note")}</label>
            <textarea id="q-note" rows="2" maxlength="500" on:input=move |ev| note.set(event_target_value(&ev))></textarea>
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

/// Withdraws one's own confirmed choice while the quarter is undecided.
#[island]
pub fn WithdrawButton(lang: Lang, quarter: String) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let click = move |_| {
        let quarter = quarter.clone();
        spawn_local(async move {
            match api::withdraw_choice(quarter).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="actions">
            <button type="button" class="warn" on:click=click>{t(lang, "eval.withdraw")}</button>
            <Status lang error/>
        </div>
    }
}

/// Publishes the decided quarterly result.
#[island]
pub fn PublishButton(lang: Lang, quarter: String) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let click = move |_| {
        let quarter = quarter.clone();
        spawn_local(async move {
            match api::publish(quarter).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="actions">
            <button type="button" class="primary" on:click=click>{t(lang, "eval.publish")}</button>
            <Status lang error/>
        </div>
    }
}

/// A named cadre's appeal.
#[island]
pub fn AppealForm(lang: Lang, naming: NamingId) -> impl IntoView {
    let ground = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let id = format!("ground-{naming}");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pending.set(true);
        spawn_local(async move {
            match api::file_appeal(naming, ground.get_untracked()).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class="appeal-form" on:submit=on_submit>
            <label for=id.clone()>{t(lang, "field.ground")}</label>
            <textarea id=id rows="3" maxlength="500" on:input=move |ev| ground.set(event_target_value(&ev))></textarea>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "eval.file_appeal")}</button>
        </form>
    }
}

/// The committee's answer to an appeal.
#[island]
pub fn AnswerForm(lang: Lang, id: AppealId, replacements: Vec<(CadreId, String)>) -> impl IntoView {
    let outcome = RwSignal::new(String::from("uphold"));
    let answer = RwSignal::new(String::new());
    let replacement = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let o = match outcome.get_untracked().as_str() {
            "overturn" => AppealOutcome::Overturn,
            "change" => AppealOutcome::Change,
            _ => AppealOutcome::Uphold,
        };
        let rep = replacement.get_untracked().parse().ok().map(CadreId);
        pending.set(true);
        spawn_local(async move {
            match api::answer_appeal(id, o, answer.get_untracked(), rep).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let oid = format!("outcome-{id}");
    let aid = format!("answer-{id}");
    let rid = format!("replacement-{id}");
    view! {
        <form class="answer-form" on:submit=on_submit>
            <label for=oid.clone()>{t(lang, "field.outcome_decision")}</label>
            <select id=oid on:change=move |ev| outcome.set(event_target_value(&ev))>
                {["uphold", "overturn", "change"].map(|o| view! {
                    <option value=o>{t(lang, &format!("appeal.outcome.{o}"))}</option>
                }).collect_view()}
            </select>
            <div hidden=move || outcome.get() != "change">
                <label for=rid.clone()>{t(lang, "field.replacement")}</label>
                <select id=rid on:change=move |ev| replacement.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {replacements.into_iter().map(|(c, n)| view! {
                        <option value=c.0.to_string()>{n}</option>
                    }).collect_view()}
                </select>
            </div>
            <label for=aid.clone()>{t(lang, "field.answer")}</label>
            <textarea id=aid rows="3" maxlength="500" on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "eval.answer")}</button>
        </form>
    }
}

/// The office's policy form: every setting, a note, saved as a new version.
#[island]
pub fn PolicyForm(lang: Lang, policy: EvalPolicy) -> impl IntoView {
    let p = RwSignal::new(policy.clone());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    type Setter = fn(&mut EvalPolicy, u32);
    type Getter = fn(&EvalPolicy) -> u32;
    let fields: [(&str, Getter, Setter); 12] = [
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
    ];
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pending.set(true);
        spawn_local(async move {
            match api::update_policy(p.get_untracked(), note.get_untracked()).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class="card grid-form policy-form" on:submit=on_submit>
            {fields.into_iter().map(|(name, get, set)| {
                let id = format!("policy-{name}");
                view! {
                    <label for=id.clone()>{t(lang, &format!("policy.{name}"))}</label>
                    <input id=id type="number" min="0" value=get(&policy).to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                p.update(|p| set(p, v));
                            }
                        }/>
                }
            }).collect_view()}
            <label for="policy-note">{t(lang, "field.note")}</label>
            <input id="policy-note" type="text" maxlength="500" on:input=move |ev| note.set(event_target_value(&ev))/>
            <Status lang error/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "policy.save")}</button>
        </form>
    }
}
