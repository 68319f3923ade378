//! Islands: the only parts of a page that ship to the browser as WASM. Each works on top of a
//! server-rendered page and calls the JSON server functions; after a change the page is
//! reloaded from the server, which stays the single source of truth.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use serde_json::json;

/// Reloads the page (after a change) — the server renders the new state.
pub(crate) fn reload() {
    let _ = window().location().reload();
}

/// POSTs a JSON object to an API path and keeps only success or the error. The page reloads
/// after a change, so the answer's data is not needed — and not decoding it keeps the large
/// view types' decoders out of the WASM that every page loads.
pub(crate) async fn post(path: &str, body: serde_json::Value) -> Result<(), AppError> {
    post_text(path, body, false).await.map(|_| ())
}

/// Like [`post`], but keeps the answer's text when `keep` is set (to follow a new record's
/// id) — without decoding it, so no view decoders reach the WASM.
pub(crate) async fn post_text(
    path: &str,
    body: serde_json::Value,
    keep: bool,
) -> Result<String, AppError> {
    #[cfg(feature = "hydrate")]
    {
        let request = gloo_net::http::Request::post(&format!("{}/{path}", crate::api::API_PREFIX))
            .header("Accept", "application/json")
            .json(&body)
            .map_err(|_| AppError::BadRequest {})?;
        let response = request.send().await.map_err(|_| AppError::Conflict {
            reason: "network".into(),
        })?;
        if response.ok() {
            if keep {
                return Ok(response.text().await.unwrap_or_default());
            }
            return Ok(String::new());
        }
        Err(response
            .json::<AppError>()
            .await
            .unwrap_or(AppError::Internal {}))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, body, keep);
        Err(AppError::Internal {})
    }
}

/// The values of a form as the browser has them now. Reading the form at submit time (not
/// signals fed by input events) keeps what was typed before the page became interactive,
/// which on a slow village connection is common.
pub(crate) struct Fields(Option<web_sys::FormData>);

impl Fields {
    pub(crate) fn of_event(ev: &leptos::ev::SubmitEvent) -> Fields {
        use wasm_bindgen::JsCast;
        Fields(
            ev.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| web_sys::FormData::new_with_form(&f).ok()),
        )
    }

    pub(crate) fn of_id(id: &str) -> Fields {
        use wasm_bindgen::JsCast;
        Fields(
            document()
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| web_sys::FormData::new_with_form(&f).ok()),
        )
    }

    pub(crate) fn get(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|f| f.get(name).as_string())
            .unwrap_or_default()
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .as_ref()
            .map(|f| {
                f.get_all(name)
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn ids<T>(&self, name: &str, f: fn(i32) -> T) -> Vec<T> {
        self.all(name)
            .iter()
            .filter_map(|v| v.parse().ok())
            .map(f)
            .collect()
    }
}

/// A new idempotency key for a save, made in the browser.
fn new_client_id() -> String {
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let now = js_sys::Date::now() as u64;
    format!("c{now:x}{a:08x}{b:08x}")
}

/// A small status line under a form: pending, error or done.
#[component]
fn Status(
    lang: Lang,
    error: RwSignal<Option<AppError>>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <p class="error" role="alert" hidden=move || error.get().is_none()>
            {move || error.get().map(|e| e.message(lang)).unwrap_or_default()}
        </p>
        <p class="ok" role="status" hidden=move || done.get().is_none()>
            {move || done.get().unwrap_or_default()}
        </p>
    }
}

/// A button that opens the browser's print dialog. An island rather than an `onclick`
/// attribute: the pages' Content-Security-Policy allows no inline script at all.
#[island]
pub fn PrintButton(lang: Lang, #[prop(optional)] class: Option<String>) -> impl IntoView {
    view! {
        <button type="button" class=class.unwrap_or_default()
            on:click=move |_| { let _ = window().print(); }>
            {t(lang, "print.print")}
        </button>
    }
}

/// The *Today* form. Without WASM it is a plain form posted to `/today`; once hydrated it
/// saves through `record/save_entry` without leaving the page.
#[island]
pub fn TodayForm(
    lang: Lang,
    day: NaiveDate,
    client_id: String,
    work: String,
    outcome: String,
    place: Place,
    village_id: Option<VillageId>,
    place_note: String,
    villages: Vec<VillageOption>,
    max_chars: usize,
) -> impl IntoView {
    let client_id = RwSignal::new(client_id);
    let work_s = RwSignal::new(work.clone());
    let outcome_s = RwSignal::new(outcome.clone());
    let place_s = RwSignal::new(place);
    let village_s = RwSignal::new(village_id.map(|v| v.0.to_string()).unwrap_or_default());
    let note_s = RwSignal::new(place_note.clone());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        // Read what the form holds now: text typed before the page became interactive
        // counts too (the signals only drive the counters).
        let f = Fields::of_event(&ev);
        let input = EntryInput {
            client_id: client_id.get_untracked(),
            day,
            work: f.get("work"),
            outcome: f.get("outcome"),
            place: Place::from_code(&f.get("place")).unwrap_or(place_s.get_untracked()),
            village_id: f.get("village_id").parse().ok().map(VillageId),
            place_note: Some(f.get("place_note")),
        };
        if let Err(e) = input.clone().validate(&Policy::default()) {
            error.set(Some(e));
            done.set(None);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match post("record/save_entry", json!({"input": input})).await {
                Ok(()) => {
                    error.set(None);
                    let now = js_sys::Date::new_0();
                    done.set(Some(format!(
                        "{} {:02}:{:02}",
                        t(lang, "today.saved"),
                        now.get_hours(),
                        now.get_minutes()
                    )));
                    client_id.set(new_client_id());
                }
                Err(e) => {
                    done.set(None);
                    error.set(Some(e));
                }
            }
            pending.set(false);
        });
    };

    let count =
        move |s: RwSignal<String>| move || format!("{}/{}", s.get().chars().count(), max_chars);
    view! {
        <form method="post" action="/today" class="card today-form" on:submit=on_submit>
            <input type="hidden" name="client_id" prop:value=move || client_id.get() value=client_id.get_untracked()/>
            <input type="hidden" name="day" value=day.to_string()/>
            <label for="work">{t(lang, "field.work")}</label>
            <textarea id="work" name="work" rows="3" maxlength=max_chars required
                placeholder=t(lang, "today.work_placeholder")
                on:input=move |ev| work_s.set(event_target_value(&ev))>{crate::ui::textarea_text(&work)}</textarea>
            <span class="counter">{count(work_s)}</span>
            <label for="outcome">{t(lang, "field.outcome")}</label>
            <textarea id="outcome" name="outcome" rows="3" maxlength=max_chars required
                placeholder=t(lang, "today.outcome_placeholder")
                on:input=move |ev| outcome_s.set(event_target_value(&ev))>{crate::ui::textarea_text(&outcome)}</textarea>
            <span class="counter">{count(outcome_s)}</span>
            <fieldset class="places">
                <legend>{t(lang, "field.place")}</legend>
                {Place::ALL
                    .into_iter()
                    .map(|p| {
                        let id = format!("place-{}", p.code());
                        view! {
                            <label class="chip" for=id.clone()>
                                <input type="radio" name="place" id=id.clone() value=p.code()
                                    checked=p == place
                                    on:change=move |_| place_s.set(p)/>
                                {t(lang, &format!("place.{}", p.code()))}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label for="village_id">{t(lang, "field.village_id")}</label>
            <select id="village_id" name="village_id"
                on:change=move |ev| village_s.set(event_target_value(&ev))>
                <option value="">{t(lang, "today.no_village")}</option>
                {villages
                    .into_iter()
                    .map(|v| {
                        let selected = Some(v.id) == village_id;
                        view! {
                            <option value=v.id.0.to_string() selected=selected>
                                {format!("{} · {}", v.area, v.name)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="place_note">{t(lang, "field.place_note")}</label>
            <input id="place_note" name="place_note" type="text" maxlength="100"
                value=place_note placeholder=t(lang, "today.note_placeholder")
                on:input=move |ev| note_s.set(event_target_value(&ev))/>
            <Status lang error done/>
            <button type="submit" class="primary" disabled=move || pending.get()>
                {t(lang, "today.save")}
            </button>
        </form>
    }
}

/// Submits the viewer's own sheet.
#[island]
pub fn SubmitSheetButton(lang: Lang, id: SheetId, empty_days: u32) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |_| {
        if empty_days > 0 {
            let msg = crate::i18n::tf(
                lang,
                "sheet.confirm_empty",
                &[("n", &empty_days.to_string())],
            );
            if !window().confirm_with_message(&msg).unwrap_or(false) {
                return;
            }
        }
        pending.set(true);
        spawn_local(async move {
            match post("record/submit", json!({"id": id})).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="actions">
            <button type="button" class="primary" on:click=submit disabled=move || pending.get()>
                {t(lang, "sheet.submit")}
            </button>
            <Status lang error done/>
        </div>
    }
}

/// The supervising leader's review: mark reviewed with an optional comment, or return with
/// a reason.
#[island]
pub fn ReviewPanel(lang: Lang, id: SheetId) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let act = move |returning: bool| {
        pending.set(true);
        let text = comment.get_untracked();
        spawn_local(async move {
            let res = if returning {
                post("review/return", json!({"id": id, "reason": text})).await
            } else {
                post(
                    "review/mark_reviewed",
                    json!({"id": id, "comment": Some(text).filter(|c| !c.trim().is_empty())}),
                )
                .await
            };
            match res {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <section class="card review">
            <label for="review-comment">{t(lang, "review.comment_label")}</label>
            <textarea id="review-comment" rows="3" maxlength="500"
                on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            <Status lang error done/>
            <div class="actions">
                <button type="button" class="primary" disabled=move || pending.get()
                    on:click=move |_| act(false)>{t(lang, "review.mark_reviewed")}</button>
                <button type="button" class="warn" disabled=move || pending.get()
                    on:click=move |_| act(true)>{t(lang, "review.return")}</button>
            </div>
        </section>
    }
}

/// Changes one's own password.
#[island]
pub fn ChangePasswordForm(lang: Lang) -> impl IntoView {
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let body =
                json!({"old_password": old.get_untracked(), "new_password": new.get_untracked()});
            match post("auth/change_password", body).await {
                Ok(()) => {
                    error.set(None);
                    done.set(Some(t(lang, "account.password_changed")));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card" on:submit=on_submit>
            <label for="old-password">{t(lang, "account.old_password")}</label>
            <input id="old-password" type="password" autocomplete="current-password" required
                on:input=move |ev| old.set(event_target_value(&ev))/>
            <label for="new-password">{t(lang, "account.new_password")}</label>
            <input id="new-password" type="password" autocomplete="new-password" required minlength="8"
                on:input=move |ev| new.set(event_target_value(&ev))/>
            <Status lang error done/>
            <button type="submit" class="primary">{t(lang, "account.change_password")}</button>
        </form>
    }
}

/// The office's form to create one account.
#[island]
pub fn CreateAccountForm(lang: Lang, departments: Vec<String>) -> impl IntoView {
    let f = [(); 6].map(|_| RwSignal::new(String::new()));
    let [username, name, title, department, supervisor, password] = f;
    let roles = RwSignal::new(String::from("cadre"));
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let roles = match Role::parse_list(&roles.get_untracked()) {
            Ok(r) => r,
            Err(_) => {
                error.set(Some(AppError::invalid("roles", "bad_role")));
                return;
            }
        };
        let account = NewAccount {
            username: username.get_untracked(),
            name: name.get_untracked(),
            title: title.get_untracked(),
            department: department.get_untracked(),
            roles,
            supervisor_username: Some(supervisor.get_untracked()).filter(|s| !s.trim().is_empty()),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match post("accounts/create", json!({"account": account})).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let input = move |id: &'static str, key: &'static str, sig: RwSignal<String>| {
        view! {
            <label for=id>{t(lang, key)}</label>
            <input id=id type="text" on:input=move |ev| sig.set(event_target_value(&ev))/>
        }
    };
    view! {
        <form class="card grid-form" on:submit=on_submit>
            {input("new-username", "field.username", username)}
            {input("new-name", "field.name", name)}
            {input("new-title", "field.title", title)}
            <label for="new-department">{t(lang, "field.department")}</label>
            <select id="new-department" on:change=move |ev| department.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {departments.into_iter().map(|d| view! { <option value=d.clone()>{d.clone()}</option> }).collect_view()}
            </select>
            <label for="new-roles">{t(lang, "field.roles")}</label>
            <input id="new-roles" type="text" value="cadre" on:input=move |ev| roles.set(event_target_value(&ev))/>
            {input("new-supervisor", "field.supervisor_username", supervisor)}
            <label for="new-password">{t(lang, "field.password")}</label>
            <input id="new-password" type="password" autocomplete="new-password"
                on:input=move |ev| password.set(event_target_value(&ev))/>
            <Status lang error done/>
            <button type="submit" class="primary">{t(lang, "admin.create")}</button>
        </form>
    }
}

/// Per-account actions: deactivate/reactivate and reset the password.
#[island]
pub fn AccountActions(lang: Lang, id: CadreId, active: bool) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let toggle = move |_| {
        spawn_local(async move {
            match post("accounts/set_active", json!({"id": id, "active": !active})).await {
                Ok(_) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let reset = move |_| {
        let Ok(Some(pw)) = window().prompt_with_message(&t(lang, "admin.reset_prompt")) else {
            return;
        };
        spawn_local(async move {
            match post("accounts/reset_password", json!({"id": id, "password": pw})).await {
                Ok(()) => done.set(Some(t(lang, "admin.reset_done"))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <span class="row-actions">
            <button type="button" class="small" on:click=toggle>
                {t(lang, if active { "admin.deactivate" } else { "admin.activate" })}
            </button>
            <button type="button" class="small" on:click=reset>{t(lang, "admin.reset_password")}</button>
            <Status lang error done/>
        </span>
    }
}

/// CSV import of cadres with a per-row error report.
#[island]
pub fn ImportForm(lang: Lang) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<ImportReport>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            // Success reloads the page, which lists the new accounts; row errors stay here.
            match post("accounts/import", json!({"csv": text.get_untracked()})).await {
                Ok(()) => reload(),
                Err(AppError::RowErrors { errors }) => {
                    done.set(None);
                    error.set(Some(AppError::RowErrors {
                        errors: errors.clone(),
                    }));
                    report.set(Some(ImportReport { created: 0, errors }));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card" on:submit=on_submit>
            <label for="import-file">{t(lang, "admin.import_file")}</label>
            <input id="import-file" type="file" accept=".csv,text/csv"
                on:change=move |ev| {
                    use wasm_bindgen::JsCast;
                    let file = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        .and_then(|i| i.files())
                        .and_then(|f| f.get(0));
                    if let Some(file) = file {
                        spawn_local(async move {
                            if let Ok(v) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                                text.set(v.as_string().unwrap_or_default());
                            }
                        });
                    }
                }/>
            <label for="import-csv">{t(lang, "admin.import_label")}</label>
            <textarea id="import-csv" rows="6" class="mono"
                placeholder="username,name,title,department,roles,supervisor,password"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <Status lang error done/>
            <ul class="import-errors">
                {move || report.get().map(|r| r.errors.into_iter().map(|e| view! {
                    <li>{crate::i18n::tf(lang, "admin.import_row_error", &[("line", &e.line.to_string()), ("field", &t(lang, &format!("field.{}", e.field))), ("reason", &t(lang, &format!("err.{}", e.reason)))])}</li>
                }).collect_view())}
            </ul>
            <button type="submit" class="primary">{t(lang, "admin.import")}</button>
        </form>
    }
}

/// Creates a department, or renames one when `id` is given.
#[island]
pub fn DepartmentForm(lang: Lang, id: Option<DepartmentId>, name: String) -> impl IntoView {
    let value = RwSignal::new(name.clone());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = value.get_untracked();
        spawn_local(async move {
            let res = match id {
                Some(id) => post("org/rename_department", json!({"id": id, "name": v})).await,
                None => post("org/create_department", json!({"name": v})).await,
            };
            match res {
                Ok(()) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let input_id = format!("dept-{}", id.map(|i| i.0).unwrap_or(0));
    view! {
        <form class="inline-form" on:submit=on_submit>
            <label class="sr-only" for=input_id.clone()>{t(lang, "field.department")}</label>
            <input id=input_id type="text" value=name on:input=move |ev| value.set(event_target_value(&ev))/>
            <button type="submit" class="small">
                {t(lang, if id.is_some() { "admin.rename" } else { "admin.add_department" })}
            </button>
            <Status lang error done/>
        </form>
    }
}

/// The office's form to change a cadre's supervising leader from a date; the old assignment
/// ends that day and stays in the history.
#[island]
pub fn AssignSupervisorForm(
    lang: Lang,
    cadres: Vec<(CadreId, String)>,
    supervisors: Vec<(CadreId, String)>,
    today: NaiveDate,
) -> impl IntoView {
    let cadre = RwSignal::new(String::new());
    let supervisor = RwSignal::new(String::new());
    let from = RwSignal::new(today.to_string());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(c), Ok(s)) = (
            cadre.get_untracked().parse(),
            supervisor.get_untracked().parse(),
        ) else {
            error.set(Some(AppError::invalid("supervisor", "empty")));
            return;
        };
        let Ok(date) = from.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(AppError::invalid("from", "bad_period")));
            return;
        };
        spawn_local(async move {
            // The page lists every account with its leader: reload to show the change.
            let body = json!({"cadre": CadreId(c), "supervisor": CadreId(s), "from": date});
            match post("accounts/assign_supervisor", body).await {
                Ok(()) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let options = |list: Vec<(CadreId, String)>| {
        list.into_iter()
            .map(|(id, name)| view! { <option value=id.0.to_string()>{name}</option> })
            .collect_view()
    };
    view! {
        <form class="card grid-form" on:submit=on_submit>
            <label for="assign-cadre">{t(lang, "field.name")}</label>
            <select id="assign-cadre" on:change=move |ev| cadre.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {options(cadres)}
            </select>
            <label for="assign-leader">{t(lang, "field.supervisor")}</label>
            <select id="assign-leader" on:change=move |ev| supervisor.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {options(supervisors)}
            </select>
            <label for="assign-from">{t(lang, "field.from")}</label>
            <input id="assign-from" type="date" value=today.to_string() on:input=move |ev| from.set(event_target_value(&ev))/>
            <Status lang error done/>
            <button type="submit" class="primary">{t(lang, "admin.assign")}</button>
        </form>
    }
}

/// For an existing area: add a village and choose the chief. Without `area`: create an area.
#[island]
pub fn AreaForm(
    lang: Lang,
    area: Option<AreaId>,
    chief: Option<CadreId>,
    people: Vec<(CadreId, String)>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked();
        spawn_local(async move {
            let res = match area {
                Some(a) => post("org/create_village", json!({"area": a, "name": n})).await,
                None => post("org/create_area", json!({"name": n})).await,
            };
            match res {
                Ok(()) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_chief = move |ev: leptos::ev::Event| {
        let Some(a) = area else { return };
        let chief = event_target_value(&ev).parse().ok().map(CadreId);
        spawn_local(async move {
            match post("org/set_area_chief", json!({"area": a, "chief": chief})).await {
                Ok(()) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let key = area.map(|a| a.0).unwrap_or(0);
    let input_id = format!("area-new-{key}");
    let chief_id = format!("area-chief-{key}");
    view! {
        {area.map(|_| view! {
            <div class="inline-form">
                <label for=chief_id.clone()>{t(lang, "field.area_chief")}</label>
                <select id=chief_id.clone() on:change=on_chief>
                    <option value="">"—"</option>
                    {people.into_iter().map(|(id, n)| view! {
                        <option value=id.0.to_string() selected=Some(id) == chief>{n}</option>
                    }).collect_view()}
                </select>
            </div>
        })}
        <form class="inline-form" on:submit=on_submit>
            <label class="sr-only" for=input_id.clone()>
                {t(lang, if area.is_some() { "admin.new_village" } else { "admin.new_area" })}
            </label>
            <input id=input_id type="text" placeholder=t(lang, if area.is_some() { "admin.new_village" } else { "admin.new_area" })
                on:input=move |ev| name.set(event_target_value(&ev))/>
            <button type="submit" class="small">
                {t(lang, if area.is_some() { "admin.add_village" } else { "admin.add_area" })}
            </button>
            <Status lang error done/>
        </form>
    }
}
