//! The frame around every signed-in page (header, navigation, sign-out) and the error page.

use leptos::prelude::*;

use crate::domain::{Me, Role};
use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::ui::{tr, use_lang};

/// Header with navigation for the signed-in person's roles, language switch and sign-out.
#[component]
pub fn Layout(me: Me, children: Children) -> impl IntoView {
    let lang = use_lang();
    let mut links = vec![("/", "nav.today"), ("/sheets", "nav.sheets")];
    if me.has(Role::Supervisor) {
        links.push(("/inbox", "nav.inbox"));
    }
    links.push(("/eval", "nav.eval"));
    if me.has(Role::Principal) || me.has(Role::Committee) || me.has(Role::Office) {
        links.push(("/rewards", "nav.rewards"));
    } else {
        links.push(("/rewards/mine", "nav.rewards"));
    }
    if me.sees_all_sheets() {
        links.push(("/archive", "nav.archive"));
    }
    if me.has(Role::Office) {
        links.push(("/admin", "nav.admin"));
    }
    links.push(("/account", "nav.account"));
    let other = lang.other();
    // Whose page this is: the service worker keeps pages for offline use per person.
    #[cfg(feature = "ssr")]
    crate::ssr_util::mark_person(me.id);
    view! {
        <OfflineBanner/>
        <header class="topbar">
            <a class="brand" href="/">{tr("app.name")}</a>
            <span class="who">{me.name.clone()}</span>
            <a class="lang" href=format!("/lang/{}", other.tag()) hreflang=other.tag()>
                {t(other, "lang.switch")}
            </a>
            // `/xn.js` asks first when this person still has unsent lines on the phone.
            <form method="post" action="/logout" class="inline" data-person=me.id.0.to_string()
                data-unsent=tr("nav.unsent_warning")>
                <button type="submit" class="link">{tr("nav.sign_out")}</button>
            </form>
        </header>
        <nav class="tabs" aria-label=tr("nav.label")>
            {links
                .into_iter()
                .map(|(href, key)| view! { <a href=href>{tr(key)}</a> })
                .collect_view()}
        </nav>
        <main class="page">{children()}</main>
    }
}

/// Shows an error; on the server it also sets the HTTP status, and sends people who are not
/// signed in to the sign-in page.
pub fn error_view(e: &AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    {
        if matches!(e, AppError::Unauthenticated {}) {
            leptos_axum::redirect("/login");
        }
        let code = match e {
            AppError::Unauthenticated {} => http::StatusCode::SEE_OTHER,
            _ => http::StatusCode::from_u16(e.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        };
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(code);
        }
    }
    let msg = e.message(use_lang());
    view! {
        <main class="page">
            <p class="error" role="alert">{msg}</p>
            <p><a href="/">{tr("nav.back_home")}</a></p>
        </main>
    }
    .into_any()
}

/// What the service worker writes into a kept page's banner: when it was kept.
pub const KEPT_AT_MARK: &str = "__XN_KEPT_AT__";

/// The id of the banner the service worker shows on a kept page opened offline.
pub const BANNER_ID: &str = "xn-offline";

/// The banner of a kept page: hidden online; the service worker shows it, with the time the
/// page was kept, when it serves the page without a connection.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    view! {
        <p id=BANNER_ID class="offline-banner" role="status" hidden>
            {tf(use_lang(), "offline.banner", &[("t", KEPT_AT_MARK)])}
        </p>
    }
}
