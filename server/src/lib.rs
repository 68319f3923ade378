//! The Xiaoneng server: configuration, persistence (sea-orm), the record service behind the
//! server functions, the audit chain, the demo township and the HTTP router.

pub mod api_args;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cells;
pub mod config;
pub mod db;
pub mod demo;
pub mod entities;

pub mod import;
pub mod net;
pub mod offline;
pub mod openapi;
pub mod passwords;

pub mod security;
pub mod service;
pub mod throttle;
pub mod web;

use std::collections::HashSet;
use std::sync::Arc;

/// Paths of every server function compiled into this binary.
pub fn registered_api_paths() -> HashSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect()
}

/// Builds the router around a service with default web settings (tests, benchmarks).
pub fn app_router(
    service: Arc<service::Service>,
    site_root: &str,
    secure_cookies: bool,
) -> axum::Router {
    app_router_with(
        service,
        site_root,
        web::WebSettings {
            secure_cookies,
            ..Default::default()
        },
    )
}

/// Builds the router around a service.
pub fn app_router_with(
    service: Arc<service::Service>,
    site_root: &str,
    settings: web::WebSettings,
) -> axum::Router {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 3000));
    web::router(web::AppState {
        leptos_options: web::leptos_options(site_root, addr),
        service,
        web: Arc::new(settings),
        api_paths: Arc::new(registered_api_paths()),
        arg_checks: Arc::new(api_args::checks()),
    })
}
