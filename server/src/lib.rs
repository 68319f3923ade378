//! The Xiaoneng server: configuration, persistence (sea-orm), the record service behind the
//! server functions, the audit chain, the demo township and the HTTP router.

pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod entities;
pub mod eval;
pub mod import;
pub mod openapi;
pub mod rewards;
pub mod service;
pub mod web;

use std::collections::HashSet;
use std::sync::Arc;

/// Paths of every server function compiled into this binary.
pub fn registered_api_paths() -> HashSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect()
}

/// Builds the router around a service (used by `serve`, the tests and the benchmarks).
pub fn app_router(
    service: Arc<service::Service>,
    site_root: &str,
    secure_cookies: bool,
) -> axum::Router {
    let addr = "127.0.0.1:3000"
        .parse()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([127, 0, 0, 1], 3000)));
    web::router(web::AppState {
        leptos_options: web::leptos_options(site_root, addr),
        service,
        secure_cookies,
        api_paths: Arc::new(registered_api_paths()),
    })
}
