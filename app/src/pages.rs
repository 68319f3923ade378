//! Server-rendered pages. Each loads its data through the same server functions the API
//! exposes (called in-process on the server), wraps it in the layout and embeds islands
//! for the interactive parts.

use std::future::Future;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api;
use crate::app::{
    Layout, StateBadge, day_label, error_view, local_time, period_label, tr, use_lang,
};
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::islands::*;

/// Loads the signed-in person, then the page's data, and renders it inside the layout.
/// Not signed in: redirect to the sign-in page. Errors: a message with the right status.
pub(crate) fn signed_in_page<F, Fut, V>(load: F) -> impl IntoView
where
    F: FnOnce(Me) -> Fut + Send + 'static,
    Fut: Future<Output = Result<V, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let me = match api::current_user().await {
                    Ok(Some(me)) => me,
                    Ok(None) => return error_view(&AppError::Unauthenticated {}),
                    Err(e) => return error_view(&e),
                };
                match load(me.clone()).await {
                    Ok(v) => view! { <Layout me=me>{v}</Layout> }.into_any(),
                    Err(e) => view! { <Layout me=me>{error_view(&e)}</Layout> }.into_any(),
                }
            })}
        </Suspense>
    }
}

pub(crate) fn query(key: &str) -> Option<String> {
    use_query_map()
        .get_untracked()
        .get(key)
        .filter(|v| !v.is_empty())
}

/// What the no-JavaScript *Today* form sent when the save was refused: the page is shown
/// again at once (422) with the error and the text as typed, so nothing is lost. It is
/// handed to the page in the render's context — user text never travels in a URL.
#[derive(Clone, Debug)]
pub struct TodayRetry {
    pub work: String,
    pub outcome: String,
    pub place: Option<Place>,
    pub village_id: Option<VillageId>,
    pub place_note: String,
    pub error: AppError,
}

/// A message for a no-JavaScript form: `saved` or an error reason code from the query string
/// (codes only, never text to show; an unknown code shows nothing), or the refused save.
fn flash(retry: Option<&TodayRetry>) -> impl IntoView + use<> {
    let lang = use_lang();
    let saved = query("saved").is_some();
    let known = |key: &str| crate::i18n::has_key(key).then(|| t(lang, key));
    let err = match retry {
        Some(r) => Some(r.error.message(lang)),
        None => query("error").and_then(|reason| {
            let msg = known(&format!("err.{reason}"))?;
            Some(
                match query("field").and_then(|f| known(&format!("field.{f}"))) {
                    Some(label) => format!("{label}: {msg}"),
                    None => msg,
                },
            )
        }),
    };
    view! {
        {saved.then(|| view! { <p class="ok" role="status">{tr("today.saved")}</p> })}
        {err.map(|m| view! { <p class="error" role="alert">{m}</p> })}
    }
}

/// Sign-in page: a plain form posted to `/login`, so it works without JavaScript.
#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let other = lang.other();
    view! {
        <main class="page login">
            <h1 class="login-title">{tr("app.name")}</h1>
            <p class="muted">{tr("login.subtitle")}</p>
            {flash(None)}
            <form method="post" action="/login" class="card">
                <label for="username">{tr("field.username")}</label>
                <input id="username" name="username" type="text" autocomplete="username"
                    autocapitalize="none" required/>
                <label for="password">{tr("field.password")}</label>
                <input id="password" name="password" type="password"
                    autocomplete="current-password" required/>
                <button type="submit" class="primary">{tr("login.submit")}</button>
            </form>
            <p><a href=format!("/lang/{}", other.tag())>{t(other, "lang.switch")}</a></p>
        </main>
    }
}

/// *Today*: the day's two lines (or an earlier open day via `?day=`), the open sheet's state
/// and the days still empty.
#[component]
pub fn TodayPage() -> impl IntoView {
    let lang = use_lang();
    let day = query("day").and_then(|d| d.parse::<NaiveDate>().ok());
    // After a refused no-JavaScript save: the text as typed (see `TodayRetry`).
    let retry = use_context::<TodayRetry>();
    let flash = flash(retry.as_ref());
    signed_in_page(move |_me| async move {
        let v = api::get_today(day).await?;
        let reminders = crate::eval_api::get_reminders().await.unwrap_or_default();
        let entry = v.entry.clone();
        let retry = retry.map(|r| (r.work, r.outcome, r.place, r.village_id, r.place_note));
        let heading = if v.day == v.today {
            tf(lang, "today.heading", &[("day", &day_label(v.day))])
        } else {
            tf(lang, "today.heading_earlier", &[("day", &day_label(v.day))])
        };
        let s = v.sheet.clone();
        let sheet_href = match s.id {
            Some(id) => format!("/sheets/{id}"),
            None => format!("/my-sheet/{}", s.period.key()),
        };
        Ok(view! {
            <h1>{heading}</h1>
            <p class="sheet-line">
                {period_label(s.period)} " " <StateBadge state=s.state/> " "
                {tf(lang, "sheet.written", &[("n", &s.days_written.to_string()), ("total", &s.days_total.to_string())])}
                " · " <a href=sheet_href>{tr("today.open_sheet")}</a>
            </p>
            {flash}
            {crate::eval_pages::reminders_view(reminders)}
            {if v.writable {
                view! {
                    <TodayForm
                        lang=lang
                        day=v.day
                        client_id=v.client_id.clone()
                        work=retry.as_ref().map(|r| r.0.clone()).or_else(|| entry.as_ref().map(|e| e.work.clone())).unwrap_or_default()
                        outcome=retry.as_ref().map(|r| r.1.clone()).or_else(|| entry.as_ref().map(|e| e.outcome.clone())).unwrap_or_default()
                        place=retry.as_ref().and_then(|r| r.2).or_else(|| entry.as_ref().map(|e| e.place)).unwrap_or(Place::Office)
                        village_id=retry.as_ref().map(|r| r.3).unwrap_or_else(|| entry.as_ref().and_then(|e| e.village_id))
                        place_note=retry.as_ref().map(|r| r.4.clone()).or_else(|| entry.as_ref().and_then(|e| e.place_note.clone())).unwrap_or_default()
                        villages=v.villages.clone()
                        max_chars=Policy::default().max_line_chars
                    />
                }
                .into_any()
            } else {
                view! { <p class="notice">{tr("today.not_writable")}</p> }.into_any()
            }}
            {entry.map(|e| view! {
                <p class="muted">{tf(lang, "today.written_at", &[("t", &local_time(e.written_at))])}</p>
            })}
            {(!v.missing_days.is_empty()).then(|| view! {
                <section class="card">
                    <h2>{tr("today.missing")}</h2>
                    <ul class="day-links">
                        {v.missing_days.iter().map(|d| view! {
                            <li><a href=format!("/?day={d}")>{day_label(*d)}</a></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        })
    })
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
                        let label = if with_person { s.cadre.clone() } else { period_label(s.period) };
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
    let own = s.cadre_id == me.id;
    let empty_days = v.days.iter().filter(|d| d.entry.is_none()).count() as u32;
    view! {
        <h1>{format!("{} · {}", s.cadre, period_label(s.period))}</h1>
        <p class="sheet-line">
            <StateBadge state=s.state/> " " {s.department.clone()} " · "
            {tf(lang, "sheet.due", &[("t", &local_time(s.due))])}
            {s.submitted_at.map(|t| format!(" · {}", tf(lang, "sheet.submitted_at", &[("t", &local_time(t))])))}
        </p>
        {v.supervisor.clone().map(|n| view! { <p class="muted">{tf(lang, "sheet.supervisor", &[("name", &n)])}</p> })}
        {v.review_comment.clone().map(|c| view! {
            <blockquote class="comment">{c}<footer>{v.reviewer.clone().unwrap_or_default()}</footer></blockquote>
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
                            {e.as_ref().filter(|e| written_later(e)).map(|e| view! {
                                <span class="written-later">{tf(use_lang(), "sheet.written_later", &[("t", &local_time(e.written_at))])}</span>
                            })}
                            {writable.then(|| view! {
                                <a class="small" href=format!("/?day={}", d.day)>{tr(if e.is_some() { "sheet.edit_day" } else { "sheet.fill_day" })}</a>
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
        {(!v.history.is_empty()).then(|| view! {
            <section class="card">
                <h2>{tr("sheet.history")}</h2>
                <ul class="history">
                    {v.history.iter().map(|h| view! {
                        <li>
                            <time>{local_time(h.at)}</time> " "
                            {tr(&format!("event.{}", h.kind))} " · " {h.actor.clone()}
                            {h.note.clone().map(|n| view! { <span class="note">{format!("：{n}")}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
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
                        <th>{tr("field.name")}</th><td>{s.cadre.clone()}</td>
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
                                <td class="date">{day_label(d.day)}</td>
                                <td>{e.as_ref().map(|e| e.work.clone()).unwrap_or_default()}</td>
                                <td>{e.as_ref().map(|e| e.outcome.clone()).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="print-comment">
                <strong>{tr("print.leader_comment")}</strong>
                <p>{v.review_comment.clone().unwrap_or_default()}</p>
                <p class="sign">{tr("print.signature")} " " {v.reviewer.clone().unwrap_or_default()}</p>
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
        let departments = api::list_departments().await?;
        let page = api::archive_search(q.clone()).await?;
        let pages = page.total.div_ceil(u64::from(page.per_page.max(1)));
        let link = |n: u32| {
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
        };
        Ok(view! {
            <h1>{tr("archive.title")}</h1>
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
            <p class="counts">{tf(lang, "archive.total", &[("n", &page.total.to_string())])}</p>
            <ul class="hits">
                {page.hits.into_iter().map(|h| {
                    let s = h.sheet;
                    let id = s.id.map(|i| i.0).unwrap_or(0);
                    view! {
                        <li class="hit card">
                            <a href=format!("/sheets/{id}")><strong>{s.cadre.clone()}</strong> " · " {period_label(s.period)}</a>
                            " " <StateBadge state=s.state/>
                            <span class="muted">{format!(" {}", s.department)}</span>
                            {h.snippet.map(|sn| view! { <p class="snippet">{sn}</p> })}
                            <a class="small" href=format!("/sheets/{id}/print")>{tr("sheet.print")}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <nav class="pager">
                {(page.page > 0).then(|| view! { <a href=link(page.page - 1)>{tr("period.prev_page")}</a> })}
                {(u64::from(page.page) + 1 < pages).then(|| view! { <a href=link(page.page + 1)>{tr("period.next_page")}</a> })}
            </nav>
        })
    })
}

/// The signed-in person's account: password and language.
#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |me| async move {
        Ok(view! {
            <h1>{tr("account.title")}</h1>
            <dl class="card kv">
                <dt>{tr("field.name")}</dt><dd>{me.name.clone()}</dd>
                <dt>{tr("field.username")}</dt><dd>{me.username.clone()}</dd>
                <dt>{tr("field.department")}</dt><dd>{me.department.clone()}</dd>
                <dt>{tr("field.roles")}</dt>
                <dd>{me.roles.iter().map(|r| tr(&format!("role.{}", r.code()))).collect::<Vec<_>>().join("、")}</dd>
            </dl>
            <h2>{tr("account.change_password")}</h2>
            <ChangePasswordForm lang=lang/>
        })
    })
}

/// The general office: accounts, CSV import, departments.
#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |_me| async move {
        let accounts = api::list_accounts().await?;
        let departments = api::list_departments().await?;
        let names: Vec<String> = departments.iter().map(|d| d.name.clone()).collect();
        let active: Vec<&AccountView> = accounts.iter().filter(|a| a.active).collect();
        let cadres: Vec<(CadreId, String)> = active
            .iter()
            .map(|a| (a.id, format!("{} ({})", a.name, a.username)))
            .collect();
        let leaders_and_cadres = cadres.clone();
        let leaders: Vec<(CadreId, String)> = active
            .iter()
            .filter(|a| a.roles.contains(&Role::Supervisor))
            .map(|a| (a.id, a.name.clone()))
            .collect();
        let today = api::get_today(None).await.map(|t| t.today)?;
        let areas = api::list_areas().await?;
        // Each section is type-erased: one nested view type for the whole page is too deep.
        let forms = view! {
            <details class="card">
                <summary>{tr("admin.new_account")}</summary>
                <CreateAccountForm lang=lang departments=names/>
            </details>
            <details class="card">
                <summary>{tr("admin.import")}</summary>
                <p class="muted">{tr("admin.import_help")}</p>
                <ImportForm lang=lang/>
            </details>
        }
        .into_any();
        let org = view! {
            <details class="card">
                <summary>{tr("admin.supervision")}</summary>
                <AssignSupervisorForm lang=lang cadres=cadres supervisors=leaders today=today/>
            </details>
            <details class="card">
                <summary>{tr("admin.areas")}</summary>
                <ul class="plain areas">
                    {areas.into_iter().map(|a| {
                        let chiefs = leaders_and_cadres.clone();
                        view! {
                            <li class="area">
                                <strong>{a.name.clone()}</strong>
                                <span class="muted">{format!(" · {}", a.villages.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join("、"))}</span>
                                <AreaForm lang=lang area=Some(a.id) chief=a.chief_id people=chiefs/>
                            </li>
                        }
                    }).collect_view()}
                    <li><AreaForm lang=lang area=None chief=None people=Vec::new()/></li>
                </ul>
            </details>
            <details class="card">
                <summary>{tr("admin.departments")}</summary>
                <ul class="plain">
                    {departments.into_iter().map(|d| view! {
                        <li><DepartmentForm lang=lang id=Some(d.id) name=d.name/></li>
                    }).collect_view()}
                    <li><DepartmentForm lang=lang id=None name=String::new()/></li>
                </ul>
            </details>
        }
        .into_any();
        let table = view! {
            <h2>{tf(lang, "admin.accounts", &[("n", &accounts.len().to_string())])}</h2>
            <div class="table-wrap">
                <table class="list">
                    <thead>
                        <tr>
                            <th>{tr("field.name")}</th>
                            <th>{tr("field.username")}</th>
                            <th>{tr("field.department")}</th>
                            <th>{tr("field.roles")}</th>
                            <th>{tr("field.supervisor")}</th>
                            <th>{tr("field.state")}</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {accounts.into_iter().map(|a| view! {
                            <tr class:inactive=!a.active>
                                <td>{a.name}</td>
                                <td class="mono">{a.username}</td>
                                <td>{a.department}</td>
                                <td>{a.roles.iter().filter(|r| **r != Role::Cadre).map(|r| tr(&format!("role.{}", r.code()))).collect::<Vec<_>>().join("、")}</td>
                                <td>{a.supervisor.unwrap_or_default()}</td>
                                <td>{tr(if a.active { "admin.active" } else { "admin.inactive" })}</td>
                                <td><AccountActions lang=lang id=a.id active=a.active/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any();
        Ok(view! {
            <h1>{tr("admin.title")}</h1>
            {forms}
            {org}
            {table}
        })
    })
}
