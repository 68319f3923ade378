//! Request hygiene around the whole router: where a request comes from (client address,
//! cross-site refusal), what an API body may be (JSON only, size-limited, 413 and 415), and
//! the security headers on every answer.
//!
//! Cross-site requests: a browser attaches our session cookie to any request it sends us,
//! whoever's page asked for it, so a state-changing request is only accepted when it shows
//! it comes from our own pages — `Sec-Fetch-Site: same-origin` (or `none`: typed by the
//! user), or, from browsers that do not send that header, an `Origin` or `Referer` of the
//! public origin. A request with none of the three is not from a browser; it is accepted
//! only if it carries no session cookie, so it cannot ride on somebody's session.

use std::net::IpAddr;

use app::error::AppError;
use app::i18n::{Lang, t};
use app::ports::SESSION_COOKIE;
use app::ssr_util::ClientAddr;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http_body_util::BodyExt;

use crate::web::{AppState, MAX_BODY_BYTES, error_response, request_lang};

/// Header names not in `http::header`.
const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// Works out the client's address — the TCP peer, or behind a configured reverse proxy
/// the address it reports — and hands it to the handlers as [`ClientAddr`].
pub async fn client_addr(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let addr = match &state.web.client_ip_header {
        Some(name) => req
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            // The proxy appends the address it saw: the last entry is the one to trust.
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
            .or(peer),
        None => peer,
    };
    req.extensions_mut().insert(ClientAddr(addr));
    // The session is looked up lazily, once per request (see `SessionMemo`).
    req.extensions_mut()
        .insert(app::ports::SessionMemo::default());
    next.run(req).await
}

/// Whether the request changes state (and so must come from our own pages).
fn changes_state(req: &Request) -> bool {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    // The language switch is a GET that sets a cookie; every ledger export is audited.
    (!safe && path != "/csp-report")
        || path.starts_with("/lang/")
        || path == crate::openapi::LEDGER_EXPORT
}

/// The origins our pages are served from: the configured public origin, or else the
/// request's own host under either scheme.
fn allowed_origin(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let Some(origin) = crate::config::normalise_origin(origin) else {
        return false;
    };
    match &state.web.public_origin {
        Some(public) => &origin == public,
        None => headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase)
            .is_some_and(|host| {
                origin == format!("http://{host}") || origin == format!("https://{host}")
            }),
    }
}

/// The origin part (`scheme://host:port`) of a `Referer`.
fn referer_origin(referer: &str) -> Option<&str> {
    let (scheme, rest) = referer.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&referer[..scheme.len() + 3 + end])
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .any(|kv| {
            kv.trim()
                .split_once('=')
                .is_some_and(|(k, _)| k == SESSION_COOKIE)
        })
}

/// Whether a state-changing request may proceed (see the module documentation).
pub fn from_our_site(state: &AppState, headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get(SEC_FETCH_SITE) {
        return matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = get(header::ORIGIN.as_str()) {
        return allowed_origin(state, headers, origin);
    }
    if let Some(referer) = get(header::REFERER.as_str()) {
        return referer_origin(referer).is_some_and(|o| allowed_origin(state, headers, o));
    }
    !has_session_cookie(headers)
}

/// Refuses cross-site state-changing requests with 403: JSON for the API, a short page in
/// the person's language for the plain form endpoints.
pub async fn same_site_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !changes_state(&req) || from_our_site(&state, req.headers()) {
        return next.run(req).await;
    }
    let lang = request_lang(req.headers());
    tracing::warn!(path = %req.uri().path(), "cross-site request refused");
    if req.uri().path().starts_with("/api/") {
        let mut res = error_response(&AppError::Forbidden {}, lang);
        *res.body_mut() = Body::from(
            serde_json::json!({
                "error": "forbidden",
                "reason": "cross_site",
                "message": t(lang, "err.cross_site"),
            })
            .to_string(),
        );
        return res;
    }
    (
        StatusCode::FORBIDDEN,
        plain_page(lang, &t(lang, "err.cross_site")),
    )
        .into_response()
}

/// A minimal page for answers that are not rendered by the app (refusals, timeouts).
pub fn plain_page(lang: Lang, message: &str) -> Html<String> {
    let esc = crate::cells::html_escape(message);
    Html(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{esc}</title></head><body>\
         <p role=\"alert\">{esc}</p><p><a href=\"/\">{}</a></p></body></html>",
        lang.tag(),
        crate::cells::html_escape(&t(lang, "nav.back_home")),
    ))
}

/// API bodies: only JSON is accepted (415 otherwise), and the body is read here, within the
/// size limit, so an over-long body is refused with 413 however it is sent (also chunked).
/// An empty body (with no `Content-Type`, or JSON's) stands for `{}`: a function without
/// arguments can be called with nothing.
pub async fn api_body(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let lang = request_lang(req.headers());
    let content_type = req.headers().get(header::CONTENT_TYPE);
    let typed = content_type.is_some();
    // Without a type the body is judged below: only an empty one may come so.
    let json = content_type.is_none_or(|v| {
        v.to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return error_response(&AppError::UnsupportedMediaType {}, lang);
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(lang),
        Err(_) => return error_response(&AppError::BadRequest {}, lang),
    };
    let bytes = if bytes.trim_ascii().is_empty() {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        axum::body::Bytes::from_static(b"{}")
    } else if !typed {
        return error_response(&AppError::UnsupportedMediaType {}, lang);
    } else {
        bytes
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// 413 with the usual error body.
pub fn too_large(lang: Lang) -> Response {
    let mut r = error_response(&AppError::invalid("request", "body_too_large"), lang);
    *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    r
}

/// The policy for answers that are not pages: nothing may run, nothing may frame them.
const CSP_NONE: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Security headers on every answer. Pages set their own CSP (with the nonce); anything
/// else gets one that allows nothing. Answers without a caching rule of their own (pages,
/// JSON — personal data) are not stored by browsers or proxies.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP_NONE);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(h, header::CACHE_CONTROL, "no-store");
    // The office's clock (also when a demonstration starts it elsewhere): phones take their
    // offset from it to say when a line saved offline was written.
    let date = state
        .service
        .now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(v) = HeaderValue::from_str(&date) {
        h.insert(header::DATE, v);
    }
    if state.web.secure_cookies {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

/// `POST /csp-report`: browsers report policy violations here; they are logged (a few
/// kilobytes at most per report), nothing is stored.
pub async fn csp_report(body: axum::body::Bytes) -> StatusCode {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    tracing::warn!(report = %text, "content security policy violation");
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_of_a_referer_is_its_scheme_and_authority() {
        assert_eq!(
            referer_origin("https://xn.example/eval?x=1"),
            Some("https://xn.example")
        );
        assert_eq!(
            referer_origin("http://127.0.0.1:3000"),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(referer_origin("nonsense"), None);
    }
}
