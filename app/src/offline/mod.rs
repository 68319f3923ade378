//! Working without a connection: the page a phone shows for a page it has not kept (the
//! service worker keeps *Today* and the cadre's sheets; see `server/src/offline/sw.js`).
//! The banner a kept page shows when opened offline is part of `ui::layout`.

use leptos::prelude::*;

use crate::ui::tr;

/// The page shown offline for a page this phone has not kept. Precached by the service
/// worker in the language chosen when it was installed.
#[component]
pub fn OfflinePage() -> impl IntoView {
    view! {
        <main class="page offline-page">
            <h1>{tr("offline.title")}</h1>
            <p>{tr("offline.not_kept")}</p>
            <p>{tr("offline.kept_pages")}</p>
            <p><a class="button" href="/">{tr("offline.to_today")}</a></p>
        </main>
    }
}
