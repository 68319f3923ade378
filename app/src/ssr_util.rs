//! Server-side helpers for server functions: cookies on the response.

use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::ports::SESSION_COOKIE;

/// Session lifetime in seconds (14 days).
pub const SESSION_SECONDS: i64 = 14 * 24 * 3600;

/// Whether cookies carry `Secure`; set by the server from its configuration.
#[derive(Clone, Copy, Debug, Default)]
pub struct CookieSecurity(pub bool);

/// Sets (or, with `clear`, removes) the session cookie on the current response.
pub fn set_session_cookie(token: &str, clear: bool) {
    let secure = use_context::<CookieSecurity>().unwrap_or_default().0;
    let max_age = if clear { 0 } else { SESSION_SECONDS };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    if let (Some(opts), Ok(v)) = (use_context::<ResponseOptions>(), cookie.parse()) {
        opts.append_header(http::header::SET_COOKIE, v);
    }
}
