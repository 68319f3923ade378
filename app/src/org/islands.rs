//! Islands of the administration page: accounts, CSV import, departments, supervisors and
//! areas. Each calls its JSON server function; the page then reloads from the server.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use super::*;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{Done, Status, post, reload};

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
            <Status lang error/><Done done/>
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
            <Status lang error/><Done done/>
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
            <Status lang error/><Done done/>
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
            <Status lang error/><Done done/>
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
            <Status lang error/><Done done/>
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
            <Status lang error/><Done done/>
        </form>
    }
}
