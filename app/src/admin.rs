//! The general office's administration page: accounts, CSV import, supervisors, areas and
//! departments. Above `org` and `record` (it takes today's date from the record), like `home`.

use leptos::prelude::*;

use crate::auth::pages::signed_in_page;
use crate::domain::*;
use crate::i18n::{Lang, tf};
use crate::org::api;
use crate::org::islands::*;
use crate::org::*;
use crate::record;
use crate::ui::{tr, use_lang};

/// The general office: accounts, CSV import, departments.
#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = use_lang();
    signed_in_page(move |_me| async move {
        let accounts = api::list_accounts().await?;
        let departments = api::list_departments().await?;
        let today = record::api::get_today(None).await.map(|t| t.today)?;
        let areas = api::list_areas().await?;
        let tokens = crate::auth::api::list_tokens().await?;
        let names: Vec<String> = departments.iter().map(|d| d.name.clone()).collect();
        let active: Vec<&AccountView> = accounts.iter().filter(|a| a.active).collect();
        let cadres: Vec<(CadreId, String)> = active
            .iter()
            .map(|a| (a.id, format!("{} ({})", a.name, a.username)))
            .collect();
        let leaders: Vec<(CadreId, String)> = active
            .iter()
            .filter(|a| a.roles.contains(&Role::Supervisor))
            .map(|a| (a.id, a.name.clone()))
            .collect();
        // Each section is type-erased: one nested view type for the whole page is too deep.
        Ok(view! {
            <h1>{tr("admin.title")}</h1>
            {account_forms(lang, names)}
            <details class="card">
                <summary>{tr("admin.supervision")}</summary>
                <AssignSupervisorForm lang=lang cadres=cadres.clone() supervisors=leaders today=today/>
            </details>
            {areas_section(lang, areas, cadres)}
            {departments_section(lang, departments)}
            {tokens_section(lang, tokens, cadres_for_tokens(&accounts), today)}
            {accounts_table(lang, accounts)}
        })
    })
}

/// Active accounts a token may act as, by name and user name.
fn cadres_for_tokens(accounts: &[AccountView]) -> Vec<(CadreId, String)> {
    accounts
        .iter()
        .filter(|a| a.active)
        .map(|a| (a.id, format!("{} ({})", a.name, a.username)))
        .collect()
}

/// API tokens for other systems: the form for a new one, and every token with its state.
fn tokens_section(
    lang: Lang,
    tokens: Vec<crate::auth::TokenView>,
    accounts: Vec<(CadreId, String)>,
    today: chrono::NaiveDate,
) -> AnyView {
    use crate::ui::local_time;
    let until = (today + chrono::Duration::days(90)).to_string();
    view! {
        <details class="card">
            <summary>{tf(lang, "tokens.title", &[("n", &tokens.iter().filter(|t| t.active).count().to_string())])}</summary>
            <p class="muted small">{tr("tokens.help")}</p>
            <crate::auth::islands::CreateTokenForm lang=lang accounts=accounts until=until/>
            {(!tokens.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="list">
                        <thead><tr>
                            <th>{tr("tokens.name")}</th><th>{tr("field.account")}</th><th>{tr("field.role")}</th>
                            <th>{tr("tokens.prefix")}</th><th>{tr("field.expires_on")}</th><th>{tr("tokens.last_used")}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {tokens.into_iter().map(|t| view! {
                                <tr class:inactive=!t.active>
                                    <td data-label=tr("tokens.name")>{t.name}</td>
                                    <td data-label=tr("field.account")>{t.account.name}</td>
                                    <td data-label=tr("field.role")>{tr(&format!("role.{}", t.role.code()))}</td>
                                    <td data-label=tr("tokens.prefix") class="mono">{format!("{}…", t.prefix)}</td>
                                    <td data-label=tr("field.expires_on")>{local_time(t.expires_at)}</td>
                                    <td data-label=tr("tokens.last_used")>{t.last_used_at.map(local_time).unwrap_or_else(|| "—".into())}</td>
                                    <td>{if t.active {
                                        revoke_form(lang, t.id)
                                    } else {
                                        view! { <span class="muted">{tr(if t.revoked_at.is_some() { "tokens.revoked" } else { "tokens.expired" })}</span> }.into_any()
                                    }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </details>
    }
    .into_any()
}

/// The revoke button of one token (the generic form island, with a confirmation).
fn revoke_form(lang: Lang, id: crate::auth::TokenId) -> AnyView {
    use crate::ui::forms::{ApiForm, FormAction};
    let action = FormAction::of::<crate::auth::api::RevokeToken>(&["id"]).ints(&["id"]);
    view! {
        <ApiForm lang=lang action=action confirm=crate::i18n::t(lang, "tokens.revoke_confirm") class="inline".to_string()>
            <input type="hidden" name="id" value=id.0.to_string()/>
            <button type="submit" class="small">{tr("tokens.revoke")}</button>
        </ApiForm>
    }
    .into_any()
}

/// Creating one account, or many from CSV.
fn account_forms(lang: Lang, departments: Vec<String>) -> AnyView {
    view! {
        <details class="card">
            <summary>{tr("admin.new_account")}</summary>
            <CreateAccountForm lang=lang departments=departments/>
        </details>
        <details class="card">
            <summary>{tr("admin.import")}</summary>
            <p class="muted">{tr("admin.import_help")}</p>
            <ImportForm lang=lang/>
        </details>
    }
    .into_any()
}

/// The areas with their villages and chiefs (any active cadre may be a chief).
fn areas_section(lang: Lang, areas: Vec<AreaView>, people: Vec<(CadreId, String)>) -> AnyView {
    view! {
        <details class="card">
            <summary>{tr("admin.areas")}</summary>
            <ul class="plain areas">
                {areas.into_iter().map(|a| {
                    let chiefs = people.clone();
                    view! {
                        <li class="area">
                            <strong>{a.name.clone()}</strong>
                            <span class="muted">{format!(" · {}", a.villages.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join("、"))}</span>
                            <AreaForm lang=lang area=Some(a.id) chief=a.chief.as_ref().map(|c| c.id) people=chiefs/>
                        </li>
                    }
                }).collect_view()}
                <li><AreaForm lang=lang area=None chief=None people=Vec::new()/></li>
            </ul>
        </details>
    }
    .into_any()
}

fn departments_section(lang: Lang, departments: Vec<DepartmentView>) -> AnyView {
    view! {
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
    .into_any()
}

/// Every account with its roles, leader, state and actions.
fn accounts_table(lang: Lang, accounts: Vec<AccountView>) -> AnyView {
    view! {
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
                            <td>{a.supervisor.map(|s| s.name).unwrap_or_default()}</td>
                            <td>{tr(if a.active { "admin.active" } else { "admin.inactive" })}</td>
                            <td><AccountActions lang=lang id=a.id active=a.active/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
