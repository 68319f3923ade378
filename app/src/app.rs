//! The page shell, router and shared layout pieces.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::domain::{Me, Role};
use crate::error::AppError;
use crate::eval_pages::*;
use crate::i18n::{Lang, t};
use crate::pages::*;
use crate::reward_pages::*;

/// The language of the current request (server) or page (browser).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Translates `key` in the current language.
pub fn tr(key: &str) -> String {
    t(use_lang(), key)
}

/// The language chosen by the request's cookie.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>();
        let header = parts
            .as_ref()
            .and_then(|p| p.headers.get(http::header::COOKIE))
            .and_then(|v| v.to_str().ok());
        Lang::from_cookie_header(header)
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    provide_context(lang);
    #[cfg(feature = "ssr")]
    crate::ssr_util::set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b3261e"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options=options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The router: every page is rendered on the server (async mode, so it works without
/// JavaScript); islands add interactivity where present.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    if use_context::<Lang>().is_none() {
        provide_context(request_lang());
    }
    view! {
        <Title text=tr("app.title")/>
        <Router>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=TodayPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/sheets") view=MySheetsPage ssr=SsrMode::Async/>
                <Route path=path!("/sheets/:id") view=SheetPage ssr=SsrMode::Async/>
                <Route path=path!("/sheets/:id/print") view=PrintPage ssr=SsrMode::Async/>
                <Route path=path!("/my-sheet/:period") view=MySheetPage ssr=SsrMode::Async/>
                <Route path=path!("/inbox") view=InboxPage ssr=SsrMode::Async/>
                <Route path=path!("/archive") view=ArchivePage ssr=SsrMode::Async/>
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                <Route path=path!("/eval") view=EvalPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/opinions") view=OpinionsPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/pick") view=PickPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/quarter") view=QuarterPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/results/:id") view=ResultPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/mine") view=MyResultsPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/appeals") view=AppealsPage ssr=SsrMode::Async/>
                <Route path=path!("/eval/policy") view=PolicyPage ssr=SsrMode::Async/>
                <Route path=path!("/rewards") view=RewardsPage ssr=SsrMode::Async/>
                <Route path=path!("/rewards/mine") view=MyRewardsPage ssr=SsrMode::Async/>
                <Route path=path!("/cases/:id") view=CasePage ssr=SsrMode::Async/>
                <Route path=path!("/notices/:id") view=NoticePage ssr=SsrMode::Async/>
                <Route path=path!("/ledger") view=LedgerPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

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
    view! {
        <header class="topbar">
            <a class="brand" href="/">{tr("app.name")}</a>
            <span class="who">{me.name.clone()}</span>
            <a class="lang" href=format!("/lang/{}", other.tag()) hreflang=other.tag()>
                {t(other, "lang.switch")}
            </a>
            <form method="post" action="/logout" class="inline">
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

/// The 404 page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    error_view(&AppError::NotFound {})
}

/// A coloured badge for a sheet state.
#[component]
pub fn StateBadge(state: crate::domain::SheetState) -> impl IntoView {
    let code = state.code();
    view! { <span class=format!("badge badge-{code}")>{tr(&format!("state.{code}"))}</span> }
}

/// Formats a UTC instant in the township's local time.
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let policy = crate::domain::Policy::default();
    t.with_timezone(&policy.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A period's human label, e.g. "2026年4月上旬" / "Apr 2026, days 1–10".
pub fn period_label(p: crate::domain::SheetPeriod) -> String {
    let lang = use_lang();
    crate::i18n::tf(
        lang,
        &format!("period.label{}", p.dekad.number()),
        &[("y", &p.year.to_string()), ("m", &p.month.to_string())],
    )
}

/// A day's label with weekday, e.g. "4月12日 周日".
pub fn day_label(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let wd = d.weekday().num_days_from_monday();
    crate::i18n::tf(
        use_lang(),
        "day.label",
        &[
            ("m", &d.month().to_string()),
            ("d", &d.day().to_string()),
            ("w", &tr(&format!("weekday.{wd}"))),
        ],
    )
}
