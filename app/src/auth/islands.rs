//! The island of one's own account: changing one's password.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::api::ChangePassword;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{Done, Fields, Status, call};

/// Changes one's own password.
#[island]
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
