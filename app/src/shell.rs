//! The HTML document, the router with every page's route, and the 404 page.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::admin::AdminPage;
use crate::auth::pages::*;
use crate::error::AppError;
use crate::eval::pages::*;
use crate::home::TodayPage;
use crate::i18n::Lang;
use crate::offline::OfflinePage;
use crate::record::pages::*;
use crate::rewards::pages::*;
use crate::ui::layout::error_view;
use crate::ui::tr;

/// The language chosen by the request's cookie, else by its `Accept-Language`.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>();
        let header = |name: http::header::HeaderName| {
            parts
                .as_ref()
                .and_then(|p| p.headers.get(name))
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Lang::from_request(
            header(http::header::COOKIE).as_deref(),
            header(http::header::ACCEPT_LANGUAGE).as_deref(),
        )
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
                <meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content"/>
                <meta name="theme-color" content="#b3261e"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/apple-touch-icon.png"/>
                <meta name="mobile-web-app-capable" content="yes"/>
                <meta name="apple-mobile-web-app-title" content=tr("app.name")/>
                <script src="/xn.js" defer></script>
                // The islands' loader waits here; /xn.js puts it in the page only when the
                // page has an island, so pages without one load no JS glue and no WASM.
                <template id="xn-islands">
                    <HydrationScripts options=options islands=true/>
                </template>
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
                <Route path=path!("/offline") view=OfflinePage ssr=SsrMode::Async/>
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

/// The 404 page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    error_view(&AppError::NotFound {})
}
