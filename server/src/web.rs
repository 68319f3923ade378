//! The HTTP router: pages (server-rendered Leptos), the JSON API under `/api/v1/`, the
//! no-JavaScript form handlers, static files, `/healthz` and the OpenAPI document.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use app::domain::{Place, VillageId};
use app::error::AppError;
use app::i18n::{LANG_COOKIE, Lang};
use app::ports::{BackendRef, Records, SESSION_COOKIE, Sessions, SignInFrom};
use app::record::EntryInput;
use app::ssr_util::{ClientAddr, CookieSecurity};
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

use crate::service::Service;

/// Largest request body the API accepts (the CSV import is the biggest).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What the router needs.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub service: Arc<Service>,
    pub web: Arc<WebSettings>,
    /// Server function paths registered in this binary.
    pub api_paths: Arc<HashSet<String>>,
    /// How each server function reads its arguments (to name a field that does not fit).
    pub arg_checks: Arc<HashMap<&'static str, crate::api_args::ArgCheck>>,
}

/// The web side's security settings (from [`crate::config::Config`]).
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// Cookies `Secure` and HSTS sent (HTTPS).
    pub secure_cookies: bool,
    /// The origin state-changing requests must come from; `None`: the request's `Host`.
    pub public_origin: Option<String>,
    /// Behind a reverse proxy: the header with the client's address.
    pub client_ip_header: Option<http::HeaderName>,
    /// A request not answered within this time gets 408.
    pub request_timeout: std::time::Duration,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            secure_cookies: false,
            public_origin: None,
            client_ip_header: None,
            request_timeout: std::time::Duration::from_secs(30),
        }
    }
}

impl AppState {
    /// How the session cookie is written.
    pub fn cookies(&self) -> CookieSecurity {
        CookieSecurity {
            secure: self.web.secure_cookies,
            max_age_secs: self.service.sessions.max.num_seconds(),
        }
    }
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

/// How long the browser may keep `/pkg` files.
#[derive(Clone)]
struct PkgCache {
    /// Names carry content hashes (`hash.txt` beside the binary).
    hashed: bool,
    /// A split build (lazy islands in chunks of their own).
    split: bool,
    /// The start of the main WASM's path inside `/pkg` (`/xiaoneng.`).
    main_wasm: String,
}

impl PkgCache {
    /// Whether the file at `path` (inside `/pkg`) is kept for a year. In a split build the
    /// JS glue, the split loader and the main WASM name each other, and cargo-leptos hashes
    /// the glue and the WASM before it writes the loader's name into them: a new build can
    /// keep their names with new content. The browser asks for those three again each time
    /// (a 304 when unchanged; the service worker answers them offline). The chunks and the
    /// CSS are named by all of their content. Scripts are small: always asked again.
    fn for_a_year(&self, path: &str) -> bool {
        let script = path.ends_with(".js");
        let main_wasm = path.starts_with(&self.main_wasm) && path.ends_with(".wasm");
        self.hashed && !script && !(self.split && main_wasm)
    }
}

/// Sets the `Cache-Control` of a `/pkg` answer (only answers that were found are cacheable).
async fn pkg_cache_control(State(kept): State<PkgCache>, req: Request, next: Next) -> Response {
    let year = kept.for_a_year(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let value = if year {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=0, must-revalidate"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
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
    let secure = state.cookies();
    let page_ctx = {
        let backend = backend.clone();
        move || {
            provide_context(backend.clone());
            provide_context(secure);
        }
    };
    let routes = generate_route_list(app::shell::App);
    let site_root = PathBuf::from(state.leptos_options.site_root.as_ref());
    let pkg = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    let assets = ServeDir::new(&site_root)
        .precompressed_br()
        .precompressed_gzip();
    // Hashed names never change content: cache them for a year; see `pkg_cache_control` for
    // the files of a split build whose names do not follow all of their content.
    let shell = crate::offline::Shell::of(&state.leptos_options);
    let kept = PkgCache {
        hashed: state.leptos_options.hash_files,
        split: shell.is_split(),
        main_wasm: format!("/{}.", state.leptos_options.output_name),
    };
    // Only files that were found are cacheable; a 404 must not be kept for a day.
    let cache = |v: &'static str| {
        tower::util::MapResponseLayer::new(move |mut res: http::Response<_>| {
            if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(v));
            }
            res
        })
    };

    let api = Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::handler))
        .route(crate::openapi::LEDGER_EXPORT, get(ledger_export))
        .route(crate::openapi::NOTICE_DOWNLOAD, get(notice_download))
        .route("/api/v1/{*name}", post(server_fn_handler));

    let worker = Arc::new(shell.script());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/sw.js", get(move || crate::offline::serve(worker.clone())))
        .route("/csp-report", post(crate::security::csp_report))
        .route("/login", post(login_form))
        .route("/logout", post(logout_form))
        .route("/today", post(today_form))
        .route("/lang/{tag}", get(set_lang))
        .merge(api)
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(kept, pkg_cache_control))
                .service(pkg),
        )
        .leptos_routes_with_context(&state, routes, page_ctx, {
            let opts = state.leptos_options.clone();
            move || app::shell::shell(opts.clone())
        })
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(cache("public, max-age=86400"))
                .service(assets),
        )
        // leptos_routes also mounts each server function at its own path, so the error
        // mapping wraps the whole router and picks out API paths itself.
        .layer(middleware::from_fn_with_state(state.clone(), api_arguments))
        .layer(middleware::from_fn(api_errors))
        // Pages and JSON are compressed on the fly; static files are sent precompressed.
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Outermost last: headers on every answer (also refusals and timeouts), then the
        // time limit, where the request comes from, whether it may change anything, and
        // what its body may be.
        .layer(middleware::from_fn(crate::security::api_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::same_site_only,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::client_addr,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::security::headers,
        ))
        .with_state(state)
}

/// Answers 408 to a request that is not done within the configured time (a body sent
/// too slowly, say), so it cannot hold its connection and resources for ever.
async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let lang = request_lang(req.headers());
    let api = req.uri().path().starts_with("/api/");
    match tokio::time::timeout(state.web.request_timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) if api => error_response(&AppError::Timeout {}, lang),
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            crate::security::plain_page(lang, &app::i18n::t(lang, "err.timeout")),
        )
            .into_response(),
    }
}

/// The language of a request's answers: the `xn_lang` cookie, else `Accept-Language`,
/// else Chinese.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::from_request(cookie_header(headers), accept)
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> Response {
    if !state.api_paths.contains(req.uri().path()) {
        return error_response(&AppError::NotFound {}, request_lang(req.headers()));
    }
    let backend: BackendRef = state.service.clone();
    let secure = state.cookies();
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

/// Reads a server function's POST body as its arguments before the function does; a body
/// that does not fit is answered here, naming the field (`api_args`).
async fn api_arguments(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let check = match state.arg_checks.get(req.uri().path()) {
        Some(check) if req.method() == axum::http::Method::POST => *check,
        _ => return next.run(req).await,
    };
    let lang = request_lang(req.headers());
    let (parts, body) = req.into_parts();
    // The body was already read within the size limit (`security::api_body`).
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return error_response(&AppError::BadRequest {}, lang),
    };
    if let Err(e) = check(&bytes) {
        return error_response(&e, lang);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
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
    let lang = request_lang(req.headers());
    let res = next.run(req).await;
    let status = res.status();
    if status.is_success() || status.is_redirection() {
        return res;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return crate::security::too_large(lang);
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
async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let from = SignInFrom {
        addr: addr.0,
        old_token: cookie_value(&headers, SESSION_COOKIE),
    };
    match state.service.sign_in(&f.username, &f.password, &from).await {
        Ok((_, token)) => see_other("/", Some(state.cookies().session_cookie(&token, false))),
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
    see_other("/login", Some(state.cookies().session_cookie("", true)))
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
    /// The version of the entry the form was shown with (empty: no check).
    #[serde(default)]
    base_version: String,
}

/// Saves the *Today* form when it was posted without JavaScript. Saved: back to *Today*
/// with "saved". Refused: the page is rendered again at once (422) with the error and the
/// text as typed, so nothing is lost — the text is never put into a redirect URL.
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
    let day = f.day.parse::<chrono::NaiveDate>().ok();
    let place = Place::from_code(&f.place);
    let village_id = f.village_id.parse().ok().map(VillageId);
    let result = match (day, place) {
        (None, _) => Err(AppError::invalid("day", "bad_period")),
        (_, None) => Err(AppError::invalid("place", "empty")),
        (Some(day), Some(place)) => {
            let input = EntryInput {
                client_id: f.client_id.clone(),
                day,
                work: f.work.clone(),
                outcome: f.outcome.clone(),
                place,
                village_id,
                place_note: Some(f.place_note.clone()),
                device_written_at: None,
                base_version: f.base_version.trim().parse().ok(),
                author: None,
            };
            state.service.save_entry(&me, input).await
        }
    };
    let day_q: Vec<(&str, String)> = day.map(|d| ("day", d.to_string())).into_iter().collect();
    match result {
        Ok(_) => {
            let mut q = day_q;
            q.push(("saved", "1".into()));
            see_other(&with_query("/", &q), None)
        }
        Err(error) => {
            let retry = app::home::TodayRetry {
                work: f.work,
                outcome: f.outcome,
                place,
                village_id,
                place_note: f.place_note,
                error,
            };
            render_today_again(&state, headers, &with_query("/", &day_q), retry).await
        }
    }
}

/// Renders *Today* (at `uri`, for the same person) with a refused save's text in context.
async fn render_today_again(
    state: &AppState,
    headers: HeaderMap,
    uri: &str,
    retry: app::home::TodayRetry,
) -> Response {
    let backend: BackendRef = state.service.clone();
    let cookies = state.cookies();
    let opts = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(backend.clone());
            provide_context(cookies);
            provide_context(retry.clone());
        },
        move || app::shell::shell(opts.clone()),
    );
    let mut req = Request::new(Body::empty());
    *req.uri_mut() = uri.parse().unwrap_or_else(|_| http::Uri::from_static("/"));
    *req.headers_mut() = headers;
    req.headers_mut().remove(header::CONTENT_TYPE);
    req.headers_mut().remove(header::CONTENT_LENGTH);
    let mut res = handler(req).await;
    if res.status().is_success() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
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
    let lang = request_lang(headers);
    let me = match cookie_value(headers, SESSION_COOKIE) {
        Some(t) => state.service.session_user(&t).await.ok().flatten(),
        None => None,
    };
    me.ok_or_else(|| error_response(&AppError::Unauthenticated {}, lang))
}

fn download_response(d: app::ports::Download) -> Response {
    // File names are made by the server from ids and periods, never from user text.
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
    use app::ports::Ledger;
    let me = match me_of_request(&state, &headers).await {
        Ok(me) => me,
        Err(r) => return r,
    };
    let lang = request_lang(&headers);
    let parsed = app::calendar::LedgerPeriod::parse_key(&q.period)
        .and_then(|p| Ok((p, app::rewards::ExportFormat::parse(&q.format)?)));
    let (period, format) = match parsed {
        Ok(v) => v,
        Err(e) => return error_response(&e, lang),
    };
    match state.service.export_ledger(&me, period, format).await {
        Ok(d) => download_response(d),
        Err(e) => error_response(&e, request_lang(&headers)),
    }
}

/// `GET /api/v1/notices/download?id=3`: a notice as a standalone HTML file (A4 print layout).
async fn notice_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Response {
    use app::ports::Notices;
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
        Err(e) => error_response(&e, request_lang(&headers)),
    }
}

#[cfg(test)]
mod tests {
    use super::PkgCache;

    #[test]
    fn a_split_build_keeps_chunks_and_css_for_a_year_and_asks_again_for_its_cycle() {
        let kept = |hashed, split| PkgCache {
            hashed,
            split,
            main_wasm: "/xiaoneng.".into(),
        };
        let split = kept(true, true);
        assert!(split.for_a_year("/chunk_20.PqWzy8KpDWiAasi2taYvdQ.wasm"));
        assert!(split.for_a_year("/split_pick_form_loader_1.HDboM4Y6O6MvcGcICqk1GA.wasm"));
        assert!(split.for_a_year("/xiaoneng.6sG2weta8XkwdtghjeMaQA.css"));
        assert!(!split.for_a_year("/xiaoneng.3SmbQogYpwnXoxrHOOye9w.wasm"));
        assert!(!split.for_a_year("/xiaoneng.Vqk7IM8uX8aFJ2IMBDsd7A.js"));
        assert!(!split.for_a_year("/__wasm_split.PKYhO5gbs6HFwF2AMXcFlg.js"));
        // Without a split the main WASM is named by its content; without hashes nothing is.
        assert!(kept(true, false).for_a_year("/xiaoneng.3SmbQogYpwnXoxrHOOye9w.wasm"));
        assert!(!kept(false, false).for_a_year("/xiaoneng.css"));
    }
}
