//! Islands of the administration page: accounts, CSV import, departments, supervisors and
//! areas. Each calls its JSON server function; the page then reloads from the server.
//! Forms are read at submit time (not from signals fed by input events), so what was typed
//! before the page became interactive is sent too.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::{
    AssignSupervisor, CreateAccount, CreateArea, CreateDepartment, CreateVillage, ImportCadres,
    RenameDepartment, ResetPassword, SetAccountActive, SetAreaChief,
};
use super::*;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{Done, Fields, Status, call, call_and_reload, reload};

/// The office's form to create one account.
#[island(lazy)]
pub fn CreateAccountForm(lang: Lang, departments: Vec<String>) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let roles = match Role::parse_list(&f.get("roles")) {
            Ok(r) => r,
            Err(_) => {
                error.set(Some(AppError::invalid("roles", "bad_role")));
                return;
            }
        };
        let account = NewAccount {
            username: f.get("username"),
            name: f.get("name"),
            title: f.get("title"),
            department: f.get("department"),
            roles,
            supervisor_username: Some(f.get("supervisor")).filter(|s| !s.trim().is_empty()),
            password: f.get("password"),
        };
        call_and_reload(CreateAccount { account }, error, pending);
    };
    let input = move |id: &'static str, name: &'static str, key: &'static str| {
        view! {
            <label for=id>{t(lang, key)}</label>
            <input id=id name=name type="text"/>
        }
    };
    view! {
        <form class="card grid-form" on:submit=on_submit>
            {input("new-username", "username", "field.username")}
            {input("new-name", "name", "field.name")}
            {input("new-title", "title", "field.title")}
            <label for="new-department">{t(lang, "field.department")}</label>
            <select id="new-department" name="department">
                <option value="">"—"</option>
                {departments.into_iter().map(|d| view! { <option value=d.clone()>{d.clone()}</option> }).collect_view()}
            </select>
            <label for="new-roles">{t(lang, "field.roles")}</label>
            <input id="new-roles" name="roles" type="text" value="cadre"/>
            {input("new-supervisor", "supervisor", "field.supervisor_username")}
            <label for="new-password">{t(lang, "field.password")}</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password"/>
            <Status lang error/><Done done/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "admin.create")}</button>
        </form>
    }
}

/// Per-account actions: deactivate/reactivate and reset the password.
#[island(lazy)]
pub fn AccountActions(lang: Lang, id: CadreId, active: bool) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let toggle = move |_| {
        call_and_reload(
            SetAccountActive {
                id,
                active: !active,
            },
            error,
            pending,
        );
    };
    let reset = move |_| {
        let Ok(Some(pw)) = window().prompt_with_message(&t(lang, "admin.reset_prompt")) else {
            return;
        };
        spawn_local(async move {
            match call(ResetPassword { id, password: pw }).await {
                Ok(()) => done.set(Some(t(lang, "admin.reset_done"))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <span class="row-actions">
            <button type="button" class="small" on:click=toggle disabled=move || pending.get()>
                {t(lang, if active { "admin.deactivate" } else { "admin.activate" })}
            </button>
            <button type="button" class="small" on:click=reset>{t(lang, "admin.reset_password")}</button>
            <Status lang error/><Done done/>
        </span>
    }
}

/// CSV import of cadres with a per-row error report.
#[island(lazy)]
pub fn ImportForm(lang: Lang) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<ImportReport>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let csv = Fields::of_event(&ev).get("csv");
        spawn_local(async move {
            // Success reloads the page, which lists the new accounts; row errors stay here.
            match call(ImportCadres { csv }).await {
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
            <textarea id="import-csv" name="csv" rows="6" class="mono"
                placeholder="username,name,title,department,roles,supervisor,password"
                prop:value=move || text.get()></textarea>
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
#[island(lazy)]
pub fn DepartmentForm(lang: Lang, id: Option<DepartmentId>, name: String) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = Fields::of_event(&ev).get("name");
        match id {
            Some(id) => call_and_reload(RenameDepartment { id, name }, error, pending),
            None => call_and_reload(CreateDepartment { name }, error, pending),
        }
    };
    let input_id = format!("dept-{}", id.map(|i| i.0).unwrap_or(0));
    view! {
        <form class="inline-form" on:submit=on_submit>
            <label class="sr-only" for=input_id.clone()>{t(lang, "field.department")}</label>
            <input id=input_id name="name" type="text" value=name/>
            <button type="submit" class="small" disabled=move || pending.get()>
                {t(lang, if id.is_some() { "admin.rename" } else { "admin.add_department" })}
            </button>
            <Status lang error/><Done done/>
        </form>
    }
}

/// The office's form to change a cadre's supervising leader from a date; the old assignment
/// ends that day and stays in the history.
#[island(lazy)]
pub fn AssignSupervisorForm(
    lang: Lang,
    cadres: Vec<(CadreId, String)>,
    supervisors: Vec<(CadreId, String)>,
    today: NaiveDate,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let (Ok(c), Ok(s)) = (f.get("cadre").parse(), f.get("supervisor").parse()) else {
            error.set(Some(AppError::invalid("supervisor", "empty")));
            return;
        };
        let Ok(from) = f.get("from").parse::<NaiveDate>() else {
            error.set(Some(AppError::invalid("from", "bad_period")));
            return;
        };
        // The page lists every account with its leader: reload to show the change.
        let args = AssignSupervisor {
            cadre: CadreId(c),
            supervisor: CadreId(s),
            from,
        };
        call_and_reload(args, error, pending);
    };
    let options = |list: Vec<(CadreId, String)>| {
        list.into_iter()
            .map(|(id, name)| view! { <option value=id.0.to_string()>{name}</option> })
            .collect_view()
    };
    view! {
        <form class="card grid-form" on:submit=on_submit>
            <label for="assign-cadre">{t(lang, "field.name")}</label>
            <select id="assign-cadre" name="cadre">
                <option value="">"—"</option>
                {options(cadres)}
            </select>
            <label for="assign-leader">{t(lang, "field.supervisor")}</label>
            <select id="assign-leader" name="supervisor">
                <option value="">"—"</option>
                {options(supervisors)}
            </select>
            <label for="assign-from">{t(lang, "field.from")}</label>
            <input id="assign-from" name="from" type="date" value=today.to_string()/>
            <Status lang error/><Done done/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "admin.assign")}</button>
        </form>
    }
}

/// For an existing area: add a village and choose the chief. Without `area`: create an area.
#[island(lazy)]
pub fn AreaForm(
    lang: Lang,
    area: Option<AreaId>,
    chief: Option<CadreId>,
    people: Vec<(CadreId, String)>,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = Fields::of_event(&ev).get("name");
        match area {
            Some(area) => call_and_reload(CreateVillage { area, name }, error, pending),
            None => call_and_reload(CreateArea { name }, error, pending),
        }
    };
    let on_chief = move |ev: leptos::ev::Event| {
        let Some(area) = area else { return };
        let chief = event_target_value(&ev).parse().ok().map(CadreId);
        call_and_reload(SetAreaChief { area, chief }, error, pending);
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
            <input id=input_id name="name" type="text" placeholder=t(lang, if area.is_some() { "admin.new_village" } else { "admin.new_area" })/>
            <button type="submit" class="small" disabled=move || pending.get()>
                {t(lang, if area.is_some() { "admin.add_village" } else { "admin.add_area" })}
            </button>
            <Status lang error/><Done done/>
        </form>
    }
}
