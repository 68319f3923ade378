//! Configuration from environment variables, read once at start-up; a bad value stops the
//! start with a message naming the variable. Every variable is listed in `.env.example`.

use std::net::SocketAddr;

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://data/xiaoneng.db?mode=rwc` (default) or `postgres://…`.
    pub database_url: String,
    /// `XN_LISTEN`: address to listen on (default `127.0.0.1:3000`).
    pub listen: SocketAddr,
    /// `XN_SITE_ROOT`: directory with the built site (`pkg/`, favicon) (default `target/site`).
    pub site_root: String,
    /// `XN_SECURE_COOKIES`: mark cookies `Secure` (set when served over HTTPS) (default false).
    pub secure_cookies: bool,
    /// `XN_DEMO_SEED`: seed of the demo township (default 2026).
    pub demo_seed: u64,
    /// `XN_NOW`: for demonstrations and end-to-end tests only — start the clock at this
    /// RFC 3339 instant (it then runs at normal speed). Unset in production.
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A configuration variable with a value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name} has an invalid value {value:?}: {why}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub why: &'static str,
}

fn var(name: &'static str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = var("DATABASE_URL", "sqlite://data/xiaoneng.db?mode=rwc");
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                name: "DATABASE_URL",
                value: database_url,
                why: "must start with sqlite: or postgres://",
            });
        }
        let listen_s = var("XN_LISTEN", "127.0.0.1:3000");
        let listen = listen_s.parse().map_err(|_| ConfigError {
            name: "XN_LISTEN",
            value: listen_s.clone(),
            why: "must be host:port, e.g. 0.0.0.0:3000",
        })?;
        let secure_s = var("XN_SECURE_COOKIES", "false");
        let secure_cookies = match secure_s.as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            _ => {
                return Err(ConfigError {
                    name: "XN_SECURE_COOKIES",
                    value: secure_s,
                    why: "must be true or false",
                });
            }
        };
        let seed_s = var("XN_DEMO_SEED", "2026");
        let demo_seed = seed_s.parse().map_err(|_| ConfigError {
            name: "XN_DEMO_SEED",
            value: seed_s.clone(),
            why: "must be a number",
        })?;
        let now_s = var("XN_NOW", "");
        let start_at = if now_s.is_empty() {
            None
        } else {
            Some(
                chrono::DateTime::parse_from_rfc3339(&now_s)
                    .map_err(|_| ConfigError {
                        name: "XN_NOW",
                        value: now_s.clone(),
                        why: "must be an RFC 3339 time, e.g. 2026-04-15T02:00:00Z",
                    })?
                    .to_utc(),
            )
        };
        Ok(Config {
            database_url,
            listen,
            site_root: var("XN_SITE_ROOT", "target/site"),
            secure_cookies,
            demo_seed,
            start_at,
        })
    }
}
