//! Xiaoneng's shared library: domain types and rules, translations, the server-function API
//! and the UI. Built for the server with `ssr` and for the browser (WASM, islands) with
//! `hydrate`; no database crate is ever a dependency of this crate.
//!
//! Layout (arrows point to what a module may use): `shell` → `home`, `admin` (pages that
//! combine features), `offline` (working without a connection) → the features `rewards` → `eval` → `record` → `org` → `auth` → `ui` →
//! the kernel (`domain`, `calendar`, `policy`, `error`, `i18n`). Each feature is a folder:
//! types and rules in `mod.rs` (and named submodules), `api` (server functions), `pages`,
//! `islands`. The server-only `ports` (the backend traits) sees every feature's types.

// Deeply nested view types (islands inside pages) need more than the default 128.
#![recursion_limit = "256"]

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod domain;
pub mod error;
pub mod eval;
pub mod home;
pub mod i18n;
pub mod offline;
pub mod org;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod record;
pub mod rewards;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod ssr_util;
pub mod ui;

/// Browser entry point: hydrates the interactive islands of a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // `/xn.js` then makes each island live and marks `<body data-hydrated>` once all are.
}
