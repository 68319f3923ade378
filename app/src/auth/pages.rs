//! The sign-in page, one's own account page, and [`signed_in_page`], the gate every page
//! goes through (signed in or sent to sign in, then the layout).

use std::future::Future;

use leptos::prelude::*;

use super::api;
use super::islands::*;
use crate::domain::*;
use crate::error::AppError;
use crate::i18n::t;
use crate::ui::layout::{Layout, error_view};
use crate::ui::{flash, tr, use_lang};

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
