//! The island of one's own account: changing one's password.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::{ChangePassword, CreateToken};
use crate::domain::{CadreId, Role};
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{Done, Fields, Status, call, call_for_answer};

/// Changes one's own password.
#[island(lazy)]
pub fn ChangePasswordForm(lang: Lang) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Read at submit time: what was typed before the page became interactive counts.
        let f = Fields::of_event(&ev);
        let args = ChangePassword {
            old_password: f.get("old_password"),
            new_password: f.get("new_password"),
        };
        spawn_local(async move {
            match call(args).await {
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
            <input id="old-password" name="old_password" type="password" autocomplete="current-password" required/>
            <label for="new-password">{t(lang, "account.new_password")}</label>
            <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="8"/>
            <Status lang error/><Done done/>
            <button type="submit" class="primary">{t(lang, "account.change_password")}</button>
        </form>
    }
}

/// The office's form for a new API token; shows the secret once, in place.
#[island(lazy)]
pub fn CreateTokenForm(
    lang: Lang,
    accounts: Vec<(CadreId, String)>,
    until: String,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let secret = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Fields::of_event(&ev);
        let Some(account) = f.get("account").parse().ok().map(CadreId) else {
            error.set(Some(AppError::invalid("account", "required")));
            return;
        };
        let Some(role) = Role::from_code(&f.get("role")) else {
            error.set(Some(AppError::invalid("role", "bad_role")));
            return;
        };
        let args = CreateToken {
            name: f.get("name"),
            account,
            role,
            expires_on: f.get("expires_on"),
        };
        pending.set(true);
        spawn_local(async move {
            match call_for_answer(args).await {
                Ok(made) => {
                    error.set(None);
                    secret.set(Some(made.secret));
                }
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class="card grid-form" on:submit=on_submit>
            <label for="token-name">{t(lang, "tokens.name")}</label>
            <input id="token-name" name="name" type="text" maxlength="40" required/>
            <label for="token-account">{t(lang, "field.account")}</label>
            <select id="token-account" name="account" required>
                {accounts.into_iter().map(|(id, n)| view! { <option value=id.0.to_string()>{n}</option> }).collect_view()}
            </select>
            <label for="token-role">{t(lang, "field.role")}</label>
            <select id="token-role" name="role">
                {Role::ALL.into_iter().filter(|r| *r != Role::Cadre).map(|r| view! {
                    <option value=r.code()>{t(lang, &format!("role.{}", r.code()))}</option>
                }).collect_view()}
                <option value="cadre">{t(lang, "role.cadre")}</option>
            </select>
            <label for="token-until">{t(lang, "field.expires_on")}</label>
            <input id="token-until" name="expires_on" type="date" value=until required/>
            <button type="submit" class="primary" disabled=move || pending.get()>{t(lang, "tokens.create")}</button>
            <Status lang error/>
        </form>
        <div class="card token-secret" role="status" hidden=move || secret.get().is_none()>
            <p><strong>{t(lang, "tokens.secret_once")}</strong></p>
            <label for="token-secret">{t(lang, "tokens.secret")}</label>
            <input id="token-secret" class="mono" type="text" readonly value=move || secret.get().unwrap_or_default()/>
            <p><button type="button" class="small" on:click=|_| crate::ui::forms::reload()>{t(lang, "tokens.done")}</button></p>
        </div>
    }
}
