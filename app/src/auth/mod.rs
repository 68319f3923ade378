//! Signing in: the sign-in and account pages, the password form, the auth server functions
//! and the gate every signed-in page goes through. The lowest feature; every other uses it.

pub mod api;
pub mod islands;
pub mod pages;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{PersonRef, Role};

crate::domain::id_type!(TokenId);

/// An API token as the office sees it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct TokenView {
    pub id: TokenId,
    pub name: String,
    /// The account the token acts as.
    pub account: PersonRef,
    /// The one role it acts with.
    pub role: Role,
    /// The secret's first characters (`xn_1a2b3c4d`), to tell tokens apart.
    pub prefix: String,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Neither revoked nor expired.
    pub active: bool,
}

/// A new token with its secret: shown this once, then only its hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NewToken {
    pub token: TokenView,
    /// `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// The longest a token may live, in days.
pub const MAX_TOKEN_DAYS: i64 = 366;
