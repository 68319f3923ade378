//! Pages of the record: one's sheets, a sheet, its print view, the supervising leader's
//! inbox and the archive search.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api;
use super::islands::*;
use super::*;
use crate::auth::pages::signed_in_page;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t, tf};
use crate::ui::layout::error_view;
use crate::ui::{
    PrintButton, day_label, local_time, moment_label, period_label, query, tr, use_lang,
};

/// A coloured badge for a sheet state.
#[component]
pub fn StateBadge(state: SheetState) -> impl IntoView {
    let code = state.code();
    view! { <span class=format!("badge badge-{code}")>{tr(&format!("state.{code}"))}</span> }
}

/// The signed-in cadre's sheets.
#[component]
pub fn MySheetsPage() -> impl IntoView {
    signed_in_page(|_me| async move {
        let sheets = api::my_sheets().await?;
        Ok(view! {
            <h1>{tr("sheets.title")}</h1>
            {sheet_table(sheets, false)}
        })
    })
}

/// A table of sheet summaries; `with_person` adds name and department columns.
fn sheet_table(rows: Vec<SheetSummary>, with_person: bool) -> impl IntoView {
    let lang = use_lang();
    if rows.is_empty() {
        return view! { <p class="muted">{tr("list.empty")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="list">
                <thead>
                    <tr>
                        {if with_person {
                            view! { <th>{tr("field.name")}</th><th>{tr("field.department")}</th> }.into_any()
                        } else {
                            view! { <th>{tr("field.period")}</th> }.into_any()
                        }}
                        <th>{tr("field.state")}</th>
                        <th>{tr("field.days")}</th>
                        <th>{tr("field.submitted_at")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|s| {
                        let href = match s.id {
                            Some(id) => format!("/sheets/{id}"),
                            None => String::new(),
                        };
                        let overdue = s.state == SheetState::Overdue;
                        let label = if with_person { s.cadre.name.clone() } else { period_label(s.period) };
                        view! {
                            <tr class:row-overdue=overdue>
                                <td>{link_or_text(&href, label)}</td>
                                {with_person.then(|| view! { <td>{s.department.clone()}</td> })}
                                <td><StateBadge state=s.state/></td>
                                <td>{tf(lang, "sheet.written", &[("n", &s.days_written.to_string()), ("total", &s.days_total.to_string())])}</td>
                                <td>{s.submitted_at.map(local_time).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn link_or_text(href: &str, text: String) -> AnyView {
    if href.is_empty() {
        view! { <span>{text}</span> }.into_any()
    } else {
        view! { <a href=href.to_string()>{text}</a> }.into_any()
    }
}

fn sheet_id_param() -> Result<SheetId, AppError> {
    use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse().ok())
        .map(SheetId)
        .ok_or(AppError::NotFound {})
}

/// One sheet: rows, state, history and the actions the viewer may take.
#[component]
pub fn SheetPage() -> impl IntoView {
    let id = sheet_id_param();
    signed_in_page(move |me| async move {
        let v = api::get_sheet(id?).await?;
        Ok(sheet_view(me, v))
    })
}

/// The cadre's own sheet for a period, by period key.
#[component]
pub fn MySheetPage() -> impl IntoView {
    let period = use_params_map()
        .get_untracked()
        .get("period")
        .unwrap_or_default();
    signed_in_page(move |me| async move {
        let v = api::my_sheet_for(period).await?;
        Ok(sheet_view(me, v))
    })
}

fn sheet_view(me: Me, v: SheetView) -> impl IntoView {
    let lang = use_lang();
    let s = v.summary.clone();
    let own = s.cadre.id == me.id;
    let empty_days = v.days.iter().filter(|d| d.entry.is_none()).count() as u32;
    let today = v.today;
    view! {
        <h1>{format!("{} · {}", s.cadre.name, period_label(s.period))}</h1>
        <p class="sheet-line">
            <StateBadge state=s.state/> " " {s.department.clone()} " · "
            {tf(lang, "sheet.due", &[("t", &local_time(s.due))])}
            {s.submitted_at.map(|t| format!(" · {}", tf(lang, "sheet.submitted_at", &[("t", &local_time(t))])))}
            {s.first_submitted_at.filter(|f| Some(*f) != s.submitted_at).map(|t| format!(" · {}", tf(lang, "sheet.first_submitted", &[("t", &local_time(t))])))}
            {(s.late && s.state != SheetState::Late).then(|| view! { " " <span class="badge state-late">{tr("sheet.late_first")}</span> })}
        </p>
        {v.supervisor.clone().map(|n| view! { <p class="muted">{tf(lang, "sheet.supervisor", &[("name", &n.name)])}</p> })}
        {v.review_comment.clone().map(|c| view! {
            <blockquote class="comment">{c}<footer>{v.reviewer.clone().map(|r| r.name).unwrap_or_default()}</footer></blockquote>
        })}
        <ol class="days">
            {v.days.iter().map(|d| {
                let e = d.entry.clone();
                let empty = e.is_none();
                let writable = own && d.writable;
                view! {
                    <li class="day" class:empty=empty id=format!("d-{}", d.day)>
                        <div class="day-head">
                            <strong>{day_label(d.day)}</strong>
                            {e.as_ref().map(|e| view! {
                                <span class="place">{place_text(e)}</span>
                            })}
                            {e.as_ref().and_then(DayEntryView::synced_late).map(|t| view! {
                                <span class="badge badge-synced">{tf(use_lang(), "sheet.synced_late", &[("t", &moment_label(t))])}</span>
                            })}
                            {e.as_ref().filter(|e| written_later(e)).map(|e| view! {
                                <span class="written-later">{tf(use_lang(), "sheet.written_later", &[("t", &local_time(e.written_at))])}</span>
                            })}
                            {writable.then(|| view! {
                                <a class="small" href=format!("/?day={}", d.day)>{tr(if e.is_some() { "sheet.edit_day" } else if d.day == today { "sheet.write_today" } else { "sheet.fill_day" })}</a>
                            })}
                        </div>
                        {match e {
                            Some(e) => view! {
                                <p class="line"><span class="tag">{tr("field.work")}</span>{e.work}</p>
                                <p class="line"><span class="tag">{tr("field.outcome")}</span>{e.outcome}</p>
                            }.into_any(),
                            None => view! { <p class="muted">{tr("sheet.no_entry")}</p> }.into_any(),
                        }}
                    </li>
                }
            }).collect_view()}
        </ol>
        {(own && v.can_submit).then(|| match s.id {
            Some(id) => view! { <SubmitSheetButton lang=lang id=id empty_days=empty_days/> }.into_any(),
            None => ().into_any(),
        })}
        {v.can_review.then(|| match s.id {
            Some(id) => view! { <ReviewPanel lang=lang id=id/> }.into_any(),
            None => ().into_any(),
        })}
        {s.id.map(|id| view! { <p><a href=format!("/sheets/{id}/print")>{tr("sheet.print")}</a></p> })}
        {(v.versions.len() > 1 || v.versions.iter().any(|x| x.returned.is_some()))
            .then(|| versions_section(&v.versions))}
        {(!v.history.is_empty()).then(|| view! {
            <section class="card">
                <h2>{tr("sheet.history")}</h2>
                <ul class="history">
                    {v.history.iter().map(|h| view! {
                        <li>
                            <time>{local_time(h.at)}</time> " "
                            {tr(&format!("event.{}", h.kind))} " · " {h.actor.name.clone()}
                            {h.note.clone().map(|n| view! { <span class="note">{format!("：{n}")}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// Every submission of a sheet as handed in, the newest open: who returned it, when and why,
/// what changed from the one before, and its lines.
fn versions_section(versions: &[SheetVersion]) -> impl IntoView + use<> {
    let lang = use_lang();
    let last = versions.len();
    view! {
        <section class="card versions">
            <h2>{tr("sheet.versions")}</h2>
            <p class="muted small">{tr("sheet.versions_help")}</p>
            <ol class="versions">
                {versions.iter().map(|x| {
                    let n = x.number.to_string();
                    view! {
                        <li id=format!("v-{n}")>
                            <details open=x.number as usize == last>
                                <summary>
                                    <strong>{tf(lang, "sheet.version_n", &[("n", &n)])}</strong>
                                    " · " {tf(lang, "sheet.submitted_at", &[("t", &local_time(x.submitted_at))])}
                                    {x.returned.is_some().then(|| view! { " " <span class="badge badge-returned">{tr("event.returned")}</span> })}
                                    {x.reviewed_at.map(|t| view! { " " <span class="muted small">{tf(lang, "sheet.reviewed_on", &[("t", &local_time(t))])}</span> })}
                                </summary>
                                {x.returned.clone().map(|r| view! {
                                    <p class="returned">
                                        {tf(lang, "sheet.returned_by", &[("name", &r.by.name), ("t", &local_time(r.at))])}
                                        "：" {r.reason}
                                    </p>
                                })}
                                {(!x.changes.is_empty()).then(|| view! {
                                    <p class="muted small">{tr("sheet.changes")}</p>
                                    <ul class="changes">
                                        {x.changes.iter().map(|c| view! {
                                            <li><a href=format!("#v{n}-{}", c.day)>{day_label(c.day)}</a> " " {change_text(lang, c)}</li>
                                        }).collect_view()}
                                    </ul>
                                })}
                                {match x.entries.clone() {
                                    Some(entries) => view! {
                                        <ol class="days compact">
                                            {entries.into_iter().map(|e| {
                                                let changed = x.changes.iter().any(|c| c.day == e.day);
                                                view! {
                                                    <li class="day" class:changed=changed id=format!("v{n}-{}", e.day)>
                                                        <div class="day-head"><strong>{day_label(e.day)}</strong></div>
                                                        <p class="line"><span class="tag">{tr("field.work")}</span>{e.work}</p>
                                                        <p class="line"><span class="tag">{tr("field.outcome")}</span>{e.outcome}</p>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ol>
                                    }.into_any(),
                                    None => view! { <p class="muted">{tr("sheet.not_kept")}</p> }.into_any(),
                                }}
                            </details>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// "newly written", "removed" or "changed: work, outcome" in `lang`.
fn change_text(lang: Lang, c: &DayChange) -> String {
    match c.kind {
        ChangeKind::Added => t(lang, "sheet.change.added"),
        ChangeKind::Removed => t(lang, "sheet.change.removed"),
        ChangeKind::Changed => {
            let sep = if lang == Lang::Zh { "、" } else { ", " };
            let fields: Vec<String> = c.fields.iter().map(|f| t(lang, f.label_key())).collect();
            tf(
                lang,
                "sheet.change.changed",
                &[("fields", &fields.join(sep))],
            )
        }
    }
}

/// Whether an entry was first written on a later day than the day it is about (补记).
fn written_later(e: &DayEntryView) -> bool {
    Policy::default().local_date(e.written_at) > e.day
}

fn place_text(e: &DayEntryView) -> String {
    let lang = use_lang();
    let base = t(lang, &format!("place.{}", e.place.code()));
    match (&e.village, &e.place_note) {
        (Some(v), _) => format!("{base} · {v}"),
        (None, Some(n)) => format!("{base} · {n}"),
        _ => base,
    }
}

/// The A4 print view of a sheet, laid out like the paper 求真务实记录表.
#[component]
pub fn PrintPage() -> impl IntoView {
    let id = sheet_id_param();
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let v = match id {
                    Ok(id) => api::get_sheet(id).await,
                    Err(e) => Err(e),
                };
                match v {
                    Ok(v) => print_view(v).into_any(),
                    Err(e) => error_view(&e),
                }
            })}
        </Suspense>
    }
}

fn print_view(v: SheetView) -> impl IntoView {
    let s = v.summary.clone();
    view! {
        <article class="print-sheet">
            <h1>{tr("print.title")}</h1>
            <table class="print-head">
                <tbody>
                    <tr>
                        <th>{tr("field.name")}</th><td>{s.cadre.name.clone()}</td>
                        <th>{tr("field.department")}</th><td>{s.department.clone()}</td>
                    </tr>
                    <tr>
                        <th>{tr("field.period")}</th><td>{period_label(s.period)}</td>
                        <th>{tr("field.submitted_at")}</th>
                        <td>{s.submitted_at.map(local_time).unwrap_or_else(|| "—".into())}</td>
                    </tr>
                </tbody>
            </table>
            <table class="print-days">
                <thead>
                    <tr><th>{tr("field.date")}</th><th>{tr("field.work")}</th><th>{tr("field.outcome")}</th></tr>
                </thead>
                <tbody>
                    {v.days.iter().map(|d| {
                        let e = d.entry.clone();
                        view! {
                            <tr>
                                <td class="date">{day_label(d.day)}
                                    {e.as_ref().and_then(DayEntryView::synced_late).map(|t| view! {
                                        <span class="synced-late">{tf(use_lang(), "sheet.synced_late", &[("t", &moment_label(t))])}</span>
                                    })}
                                </td>
                                <td>{e.as_ref().map(|e| e.work.clone()).unwrap_or_default()}</td>
                                <td>{e.as_ref().map(|e| e.outcome.clone()).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(v.versions.len() > 1).then(|| view! {
                <p class="print-note">{tf(use_lang(), "print.versions_note", &[("n", &v.versions.len().to_string())])}</p>
            })}
            <div class="print-comment">
                <strong>{tr("print.leader_comment")}</strong>
                <p>{v.review_comment.clone().unwrap_or_default()}</p>
                <p class="sign">{tr("print.signature")} " " {v.reviewer.clone().map(|r| r.name).unwrap_or_default()}</p>
            </div>
            <p class="no-print">
                <PrintButton lang=use_lang()/>
                " " <a href=format!("/sheets/{}", s.id.map(|i| i.0).unwrap_or(0))>{tr("nav.back")}</a>
            </p>
        </article>
    }
}

/// A supervising leader's inbox for one dekad, with links to the neighbouring dekads.
#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let period = query("period");
    signed_in_page(move |_me| async move {
        let v = api::get_inbox(period).await?;
        let p = v.period;
        let count = |st: &[SheetState]| {
            v.rows
                .iter()
                .filter(|r| st.contains(&r.sheet.state))
                .count()
        };
        let waiting = count(&[SheetState::Submitted, SheetState::Late]);
        let missing = count(&[SheetState::Draft, SheetState::Overdue]);
        let done = count(&[SheetState::Reviewed]);
        let rows: Vec<SheetSummary> = v.rows.into_iter().map(|r| r.sheet).collect();
        Ok(view! {
            <h1>{tr("inbox.title")}</h1>
            <nav class="period-nav">
                <a href=format!("/inbox?period={}", p.prev().key())>{tr("period.prev")}</a>
                <strong>{period_label(p)}</strong>
                <a href=format!("/inbox?period={}", p.next().key())>{tr("period.next")}</a>
            </nav>
            <p class="counts">
                {tf(lang, "inbox.counts", &[("waiting", &waiting.to_string()), ("missing", &missing.to_string()), ("done", &done.to_string())])}
            </p>
            {sheet_table(rows, true)}
        })
    })
}

/// The general office's archive: search every sheet, open it, print it.
#[component]
pub fn ArchivePage() -> impl IntoView {
    let lang = use_lang();
    let q = ArchiveQuery {
        person: query("person"),
        department_id: query("department")
            .and_then(|d| d.parse().ok())
            .map(DepartmentId),
        from: query("from").and_then(|d| d.parse().ok()),
        to: query("to").and_then(|d| d.parse().ok()),
        text: query("text"),
        page: query("page").and_then(|p| p.parse().ok()).unwrap_or(0),
    };
    signed_in_page(move |_me| async move {
        let departments = crate::org::api::list_departments().await?;
        let page = api::archive_search(q.clone()).await?;
        let pages = page.total.div_ceil(u64::from(page.per_page.max(1)));
        let link = |n: u32| archive_link(&q, n);
        Ok(view! {
            <h1>{tr("archive.title")}</h1>
            {search_form(&q, departments)}
            <p class="counts">{tf(lang, "archive.total", &[("n", &page.total.to_string())])}</p>
            {hits_list(page.hits)}
            <nav class="pager">
                {(page.page > 0).then(|| view! { <a href=link(page.page - 1)>{tr("period.prev_page")}</a> })}
                {(u64::from(page.page) + 1 < pages).then(|| view! { <a href=link(page.page + 1)>{tr("period.next_page")}</a> })}
            </nav>
        })
    })
}

/// The archive's address for page `n` of the same search (the query's own text encoded).
fn archive_link(q: &ArchiveQuery, n: u32) -> String {
    let mut parts = vec![format!("page={n}")];
    let enc = |s: &str| {
        s.replace('%', "%25")
            .replace('&', "%26")
            .replace(' ', "%20")
            .replace('#', "%23")
    };
    if let Some(p) = &q.person {
        parts.push(format!("person={}", enc(p)));
    }
    if let Some(d) = q.department_id {
        parts.push(format!("department={d}"));
    }
    if let Some(d) = q.from {
        parts.push(format!("from={d}"));
    }
    if let Some(d) = q.to {
        parts.push(format!("to={d}"));
    }
    if let Some(t) = &q.text {
        parts.push(format!("text={}", enc(t)));
    }
    format!("/archive?{}", parts.join("&"))
}

/// The search form, filled with the current query.
fn search_form(
    q: &ArchiveQuery,
    departments: Vec<crate::org::DepartmentView>,
) -> impl IntoView + use<> {
    view! {
        <form method="get" action="/archive" class="card grid-form" role="search">
            <label for="a-person">{tr("archive.person")}</label>
            <input id="a-person" name="person" type="search" value=q.person.clone().unwrap_or_default()/>
            <label for="a-department">{tr("field.department")}</label>
            <select id="a-department" name="department">
                <option value="">{tr("archive.all")}</option>
                {departments.into_iter().map(|d| view! {
                    <option value=d.id.0.to_string() selected=Some(d.id) == q.department_id>{d.name}</option>
                }).collect_view()}
            </select>
            <label for="a-from">{tr("archive.from")}</label>
            <input id="a-from" name="from" type="date" value=q.from.map(|d| d.to_string()).unwrap_or_default()/>
            <label for="a-to">{tr("archive.to")}</label>
            <input id="a-to" name="to" type="date" value=q.to.map(|d| d.to_string()).unwrap_or_default()/>
            <label for="a-text">{tr("archive.text")}</label>
            <input id="a-text" name="text" type="search" value=q.text.clone().unwrap_or_default()/>
            <button type="submit" class="primary">{tr("archive.search")}</button>
        </form>
    }
}

/// The sheets found, each with its snippet and print link.
fn hits_list(hits: Vec<ArchiveHit>) -> impl IntoView {
    view! {
        <ul class="hits">
            {hits.into_iter().map(|h| {
                let s = h.sheet;
                let id = s.id.map(|i| i.0).unwrap_or(0);
                view! {
                    <li class="hit card">
                        <a href=format!("/sheets/{id}")><strong>{s.cadre.name.clone()}</strong> " · " {period_label(s.period)}</a>
                        " " <StateBadge state=s.state/>
                        <span class="muted">{format!(" {}", s.department)}</span>
                        {h.snippet.map(|sn| view! { <p class="snippet">{sn}</p> })}
                        {(!h.versions.is_empty()).then(|| {
                            let lang = use_lang();
                            let sep = if lang == Lang::Zh { "、" } else { ", " };
                            let n: Vec<String> = h.versions.iter().map(u32::to_string).collect();
                            view! { <p class="muted small">{tf(lang, "archive.in_versions", &[("n", &n.join(sep))])}</p> }
                        })}
                        <a class="small" href=format!("/sheets/{id}/print")>{tr("sheet.print")}</a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
