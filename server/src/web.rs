//! The HTTP router: pages (server-rendered Leptos), the JSON API under `/api/v1/`, the
//! no-JavaScript form handlers, static files, `/healthz` and the OpenAPI document.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use app::domain::{EntryInput, Place, VillageId};
use app::error::AppError;
use app::i18n::{LANG_COOKIE, Lang};
use app::ports::{Backend, BackendRef, SESSION_COOKIE};
use app::ssr_util::{CookieSecurity, SESSION_SECONDS};
use axum::body::Body;
use axum::extract::{Form, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::service::Service;

/// Largest request body the API accepts (the CSV import is the biggest).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What the router needs.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub service: Arc<Service>,
    pub secure_cookies: bool,
    /// Server function paths registered in this binary.
    pub api_paths: Arc<HashSet<String>>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

/// Leptos options for a site root (the directory holding `pkg/`).
/// File names carry content hashes when cargo-leptos left `hash.txt` next to the binary.
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("xiaoneng")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hash_file_present())
        .build()
}

/// Whether `hash.txt` (written by `cargo leptos build` with `hash-files`) is beside the binary.
pub fn hash_file_present() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("hash.txt")))
        .is_some_and(|p| p.exists())
}

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let backend: BackendRef = state.service.clone();
    let secure = CookieSecurity(state.secure_cookies);
    let page_ctx = {
        let backend = backend.clone();
        move || {
            provide_context(backend.clone());
            provide_context(secure);
        }
    };
    let routes = generate_route_list(app::app::App);
    let site_root = PathBuf::from(state.leptos_options.site_root.as_ref());
    let pkg = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    let assets = ServeDir::new(&site_root)
        .precompressed_br()
        .precompressed_gzip();
    // Hashed names never change content: cache them for a year. Without hashes, revalidate.
    let pkg_cache = if state.leptos_options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=0, must-revalidate"
    };
    let cache = |v: &'static str| {
        SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(v))
    };

    let api = Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::handler))
        .route(crate::openapi::LEDGER_EXPORT, get(ledger_export))
        .route(crate::openapi::NOTICE_DOWNLOAD, get(notice_download))
        .route("/api/v1/{*name}", post(server_fn_handler));

    Router::new()
        .route("/healthz", get(healthz))
        .route("/login", post(login_form))
        .route("/logout", post(logout_form))
        .route("/today", post(today_form))
        .route("/lang/{tag}", get(set_lang))
        .merge(api)
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(cache(pkg_cache))
                .service(pkg),
        )
        .leptos_routes_with_context(&state, routes, page_ctx, {
            let opts = state.leptos_options.clone();
            move || app::app::shell(opts.clone())
        })
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(cache("public, max-age=86400"))
                .service(assets),
        )
        // leptos_routes also mounts each server function at its own path, so the error
        // mapping wraps the whole router and picks out API paths itself.
        .layer(middleware::from_fn(api_errors))
        // Pages and JSON are compressed on the fly; static files are sent precompressed.
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> Response {
    if !state.api_paths.contains(req.uri().path()) {
        return error_response(
            &AppError::NotFound {},
            Lang::from_cookie_header(cookie_header(req.headers())),
        );
    }
    let backend: BackendRef = state.service.clone();
    let secure = CookieSecurity(state.secure_cookies);
    leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(backend.clone());
            provide_context(secure);
        },
        req,
    )
    .await
    .into_response()
}

/// A JSON error body with the right status and a `message` in the caller's language.
pub fn error_response(e: &AppError, lang: Lang) -> Response {
    let mut body = serde_json::to_value(e).unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("message".into(), e.message(lang).into());
    }
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, Json(body)).into_response();
    if let AppError::TooManyRequests { retry_after_secs } = e
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn cookie_header(h: &HeaderMap) -> Option<&str> {
    h.get(header::COOKIE).and_then(|v| v.to_str().ok())
}

fn cookie_value(h: &HeaderMap, name: &str) -> Option<String> {
    cookie_header(h)?.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

/// Server functions answer errors with status 500 and the error as JSON; this gives each
/// its real status (404, 409, 422 …) and a translated `message`. An error body that is not
/// ours (say, a request body over the limit) becomes a plain JSON error too.
async fn api_errors(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let lang = Lang::from_cookie_header(cookie_header(req.headers()));
    let res = next.run(req).await;
    let status = res.status();
    if status.is_success() || status.is_redirection() {
        return res;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let mut r = error_response(&AppError::invalid("request", "too_long"), lang);
        *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return r;
    }
    let (parts, body) = res.into_parts();
    let bytes = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return error_response(&AppError::Internal {}, lang),
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(e) => error_response(&e, lang),
        Err(_) if parts.status == StatusCode::METHOD_NOT_ALLOWED => {
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) if parts.status.is_client_error() => error_response(&AppError::BadRequest {}, lang),
        Err(_) => error_response(&AppError::Internal {}, lang),
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.service.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

fn see_other(location: &str, cookie: Option<String>) -> Response {
    let mut res = Redirect::to(location).into_response();
    if let Some(c) = cookie
        && let Ok(v) = HeaderValue::from_str(&c)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn error_query(e: &AppError) -> Vec<(&'static str, String)> {
    let reason = e.message_key().trim_start_matches("err.").to_string();
    let mut q = vec![("error", reason)];
    if let Some(f) = e.field() {
        q.push(("field", f.to_string()));
    }
    q
}

fn with_query(path: &str, q: &[(&str, String)]) -> String {
    match serde_urlencoded::to_string(q) {
        Ok(s) if !s.is_empty() => format!("{path}?{s}"),
        _ => path.to_string(),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

/// Sign-in for the plain HTML form (works without JavaScript).
async fn login_form(State(state): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    match state.service.sign_in(&f.username, &f.password).await {
        Ok((_, token)) => see_other(
            "/",
            Some(session_cookie(
                &token,
                SESSION_SECONDS,
                state.secure_cookies,
            )),
        ),
        Err(e) => see_other(&with_query("/login", &error_query(&e)), None),
    }
}

async fn logout_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE)
        && let Ok(Some(me)) = state.service.session_user(&token).await
        && let Err(e) = state.service.sign_out(&me, &token).await
    {
        tracing::warn!(error = %e, "sign-out failed");
    }
    see_other("/login", Some(session_cookie("", 0, state.secure_cookies)))
}

#[derive(Deserialize)]
struct TodayForm {
    client_id: String,
    day: String,
    work: String,
    outcome: String,
    place: String,
    #[serde(default)]
    village_id: String,
    #[serde(default)]
    place_note: String,
}

/// Saves the *Today* form when it was posted without JavaScript, then shows the page again:
/// with "saved", or with the error and the text as typed so nothing is lost.
async fn today_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<TodayForm>,
) -> Response {
    let Some(me) = (match cookie_value(&headers, SESSION_COOKIE) {
        Some(t) => state.service.session_user(&t).await.ok().flatten(),
        None => None,
    }) else {
        return see_other("/login", None);
    };
    let day = f.day.parse::<chrono::NaiveDate>();
    let result = match (&day, Place::from_code(&f.place)) {
        (Err(_), _) => Err(AppError::invalid("day", "bad_period")),
        (_, None) => Err(AppError::invalid("place", "empty")),
        (Ok(day), Some(place)) => {
            let input = EntryInput {
                client_id: f.client_id.clone(),
                day: *day,
                work: f.work.clone(),
                outcome: f.outcome.clone(),
                place,
                village_id: f.village_id.parse().ok().map(VillageId),
                place_note: Some(f.place_note.clone()),
            };
            state.service.save_entry(&me, input).await
        }
    };
    let mut q = vec![("day", f.day.clone())];
    match result {
        Ok(_) => q.push(("saved", "1".into())),
        Err(e) => {
            q.extend(error_query(&e));
            q.extend([
                ("work", f.work),
                ("outcome", f.outcome),
                ("place", f.place),
                ("village_id", f.village_id),
                ("place_note", f.place_note),
            ]);
        }
    }
    see_other(&with_query("/", &q), None)
}

/// Switches the UI language and goes back where the person came from.
async fn set_lang(Path(tag): Path<String>, headers: HeaderMap) -> Response {
    let lang = Lang::from_tag(&tag).unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            // Only same-site paths.
            let path = r
                .split_once("://")
                .map(|(_, rest)| rest.find('/').map(|i| &rest[i..]).unwrap_or("/"));
            path.map(str::to_string)
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/lang/"))
        .unwrap_or_else(|| "/".into());
    see_other(
        &back,
        Some(format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            lang.tag()
        )),
    )
}

#[derive(Deserialize)]
struct ExportQuery {
    period: String,
    #[serde(default = "default_format")]
    format: String,
}

fn default_format() -> String {
    "xlsx".into()
}

#[derive(Deserialize)]
struct NoticeQuery {
    id: i32,
}

/// The signed-in person of a plain GET request, or the error response to send.
async fn me_of_request(state: &AppState, headers: &HeaderMap) -> Result<app::domain::Me, Response> {
    let lang = Lang::from_cookie_header(cookie_header(headers));
    let me = match cookie_value(headers, SESSION_COOKIE) {
        Some(t) => state.service.session_user(&t).await.ok().flatten(),
        None => None,
    };
    me.ok_or_else(|| error_response(&AppError::Unauthenticated {}, lang))
}

fn download_response(d: app::ports::Download) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", d.filename);
    (
        [
            (header::CONTENT_TYPE, d.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        d.bytes,
    )
        .into_response()
}

/// `GET /api/v1/ledger/export?period=2026-Q3&format=xlsx|csv`: the ledger for finance. Office;
/// every export is audited.
async fn ledger_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> Response {
    use app::ports::Rewards;
    let me = match me_of_request(&state, &headers).await {
        Ok(me) => me,
        Err(r) => return r,
    };
    match state.service.export_ledger(&me, q.period, q.format).await {
        Ok(d) => download_response(d),
        Err(e) => error_response(&e, Lang::from_cookie_header(cookie_header(&headers))),
    }
}

/// `GET /api/v1/notices/download?id=3`: a notice as a standalone HTML file (A4 print layout).
async fn notice_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Response {
    use app::ports::Rewards;
    let me = match me_of_request(&state, &headers).await {
        Ok(me) => me,
        Err(r) => return r,
    };
    match state
        .service
        .notice_download(&me, app::rewards::NoticeId(q.id))
        .await
    {
        Ok(d) => download_response(d),
        Err(e) => error_response(&e, Lang::from_cookie_header(cookie_header(&headers))),
    }
}
