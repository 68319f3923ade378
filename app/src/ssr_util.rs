//! Server-side helpers for server functions: cookies on the response, the client address.

use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "xn_session";

/// How the session cookie is written; set by the server from its configuration.
#[derive(Clone, Copy, Debug)]
pub struct CookieSecurity {
    /// Add `Secure` (served over HTTPS).
    pub secure: bool,
    /// The cookie's `Max-Age`: the session's absolute lifetime in seconds.
    pub max_age_secs: i64,
}

impl Default for CookieSecurity {
    fn default() -> Self {
        CookieSecurity {
            secure: false,
            max_age_secs: 7 * 24 * 3600,
        }
    }
}

impl CookieSecurity {
    /// The `Set-Cookie` value for a session token (or, with `clear`, one that removes it).
    pub fn session_cookie(&self, token: &str, clear: bool) -> String {
        let max_age = if clear { 0 } else { self.max_age_secs };
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
            if self.secure { "; Secure" } else { "" }
        )
    }
}

/// The client's address as the server determined it (TCP peer, or a trusted proxy's
/// header); put into the request's extensions by the server.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

/// Sets (or, with `clear`, removes) the session cookie on the current response.
pub fn set_session_cookie(token: &str, clear: bool) {
    let cookie = use_context::<CookieSecurity>()
        .unwrap_or_default()
        .session_cookie(token, clear);
    if let (Some(opts), Ok(v)) = (use_context::<ResponseOptions>(), cookie.parse()) {
        opts.append_header(http::header::SET_COOKIE, v);
    }
}

/// The Content-Security-Policy of a page, with the response's nonce for the few inline
/// scripts Leptos writes (loading and hydrating the islands). WASM needs
/// `'wasm-unsafe-eval'`; nothing else runs, nothing may frame the page.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
         report-uri /csp-report"
    )
}

/// Puts the page's policy (with this response's nonce) on the response.
pub fn set_page_csp() {
    if let (Some(nonce), Some(opts)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
        && let Ok(v) = http::HeaderValue::from_str(&page_csp(&nonce))
    {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The header naming whose page a response is (a person id, never user text): the service
/// worker keeps signed-in pages per person and drops them when another signs in.
pub const PERSON_HEADER: &str = "x-xn-person";

/// Marks the page being rendered as the signed-in person's.
pub fn mark_person(id: crate::domain::CadreId) {
    if let Some(opts) = use_context::<ResponseOptions>() {
        opts.insert_header(
            http::HeaderName::from_static(PERSON_HEADER),
            http::HeaderValue::from(id.0),
        );
    }
}
