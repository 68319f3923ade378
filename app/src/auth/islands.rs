//! The island of one's own account: changing one's password.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::ui::forms::{Done, Status, post};

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
            <Status lang error/><Done done/>
            <button type="submit" class="primary">{t(lang, "account.change_password")}</button>
        </form>
    }
}
