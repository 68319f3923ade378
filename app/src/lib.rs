//! Xiaoneng's shared library: domain types and rules, translations, the server-function API
//! and the UI. Built for the server with `ssr` and for the browser (WASM, islands) with
//! `hydrate`; no database crate is ever a dependency of this crate.

// Deeply nested view types (islands inside pages) need more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod eval;
pub mod eval_api;
pub mod eval_islands;
pub mod eval_pages;
pub mod i18n;
pub mod islands;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod reward_api;
pub mod reward_islands;
pub mod reward_pages;
pub mod rewards;
#[cfg(feature = "ssr")]
pub mod ssr_util;
pub mod ui;

/// Browser entry point: hydrates the interactive islands of a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker for tests (and styles) that the interactive parts are live.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "1");
    }
}
