//! Server functions of signing in: sign in and out, who is signed in, one's own password.
//! Part of the JSON API under `/api/v1/`; errors are [`AppError`] with a matching status.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::ports::{authed, backend};

/// Like [`authed`], for what only a person signed in may do — a password, the tokens
/// themselves: an API token is refused (403).
#[cfg(feature = "ssr")]
async fn authed_in_person() -> Result<(crate::ports::BackendRef, Me), AppError> {
    if crate::ports::bearer_token().is_some() {
        return Err(AppError::Forbidden {});
    }
    authed().await
}

/// Signs in with user name and password; sets the `HttpOnly` session cookie.
/// Anyone may call it; repeated failures for one account slow down (429).
#[server(prefix = "/api/v1", endpoint = "auth/sign_in", input = Json)]
pub async fn sign_in(username: String, password: String) -> Result<Me, AppError> {
    let b = backend()?;
    let from = crate::ports::SignInFrom::current();
    let (me, token) = b.sign_in(&username, &password, &from).await?;
    crate::ssr_util::set_session_cookie(&token, false);
    Ok(me)
}

/// Ends the caller's session and clears the cookie. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "auth/sign_out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    let (b, me) = authed().await?;
    if let Some(token) = crate::ports::session_token() {
        b.sign_out(&me, &token).await?;
    }
    crate::ssr_util::set_session_cookie("", true);
    Ok(())
}

/// The signed-in person, or `None`. Anyone.
#[server(prefix = "/api/v1", endpoint = "auth/me", input = Json)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    match authed().await {
        Ok((_, me)) => Ok(Some(me)),
        Err(AppError::Unauthenticated {}) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Changes the caller's own password; their other sessions end. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "auth/change_password", input = Json)]
pub async fn change_password(old_password: String, new_password: String) -> Result<(), AppError> {
    let (b, me) = authed_in_person().await?;
    let token = crate::ports::session_token().unwrap_or_default();
    b.change_password(&me, &token, &old_password, &new_password)
        .await
}

/// Creates an API token for a server-to-server client: it acts as `account` with one of
/// its roles (`role`) until the end of `expires_on` (`YYYY-MM-DD`, at most a year ahead).
/// The answer holds the secret, shown this once. Office.
#[server(prefix = "/api/v1", endpoint = "tokens/create", input = Json)]
pub async fn create_token(
    name: String,
    account: CadreId,
    role: Role,
    expires_on: String,
) -> Result<super::NewToken, AppError> {
    let (b, me) = authed_in_person().await?;
    let day = crate::calendar::optional_day("expires_on", Some(expires_on))?
        .ok_or_else(|| AppError::invalid("expires_on", "required"))?;
    b.create_token(&me, name, account, role, day).await
}

/// Every API token, newest first (never a secret). Office.
#[server(prefix = "/api/v1", endpoint = "tokens/list", input = Json)]
pub async fn list_tokens() -> Result<Vec<super::TokenView>, AppError> {
    let (b, me) = authed_in_person().await?;
    b.tokens(&me).await
}

/// Revokes a token: it is refused from now on (kept in the list). Office.
#[server(prefix = "/api/v1", endpoint = "tokens/revoke", input = Json)]
pub async fn revoke_token(id: super::TokenId) -> Result<super::TokenView, AppError> {
    let (b, me) = authed_in_person().await?;
    b.revoke_token(&me, id).await
}
