//! Configuration from environment variables, read once at start-up; a bad value stops the
//! start with a message naming the variable. Every variable is listed in `.env.example` and
//! in the README's "Security and operations" section.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://data/xiaoneng.db?mode=rwc` (default) or `postgres://…`.
    pub database_url: String,
    /// `XN_LISTEN`: address to listen on (default `127.0.0.1:3000`).
    pub listen: SocketAddr,
    /// `XN_SITE_ROOT`: directory with the built site (`pkg/`, favicon) (default `target/site`).
    pub site_root: String,
    /// `XN_SECURE_COOKIES`: mark cookies `Secure` and send HSTS (set when served over HTTPS)
    /// (default false).
    pub secure_cookies: bool,
    /// `XN_PUBLIC_ORIGIN`: the origin browsers see, e.g. `https://xiaoneng.example.gov.cn`.
    /// State-changing requests must come from it. Unset: the request's own `Host`.
    pub public_origin: Option<String>,
    /// `XN_CLIENT_IP_HEADER`: behind a reverse proxy, the header holding the client address
    /// (`X-Forwarded-For` or `X-Real-IP`); unset: the TCP peer address.
    pub client_ip_header: Option<http::HeaderName>,
    /// `XN_SESSION_IDLE_MINUTES` (default 720 = 12 h) and `XN_SESSION_MAX_HOURS` (default
    /// 168 = 7 days): a session ends after that long without use, and in any case that long
    /// after sign-in.
    pub session_idle: chrono::Duration,
    pub session_max: chrono::Duration,
    /// `XN_MAX_CONNECTIONS` (default 512): open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// `XN_HEADER_TIMEOUT_SECS` (default 10): a connection that does not send a request's
    /// headers within this time (also an idle keep-alive one) is closed.
    pub header_timeout: Duration,
    /// `XN_REQUEST_TIMEOUT_SECS` (default 30): a request not answered within this time gets 408.
    pub request_timeout: Duration,
    /// `XN_HASH_THREADS` (default: half the cores, at least 1): password hashes computed at
    /// once, off the request threads.
    pub hash_threads: usize,
    /// `XN_BACKUP_DIR`: take a backup there every day (SQLite only); unset: no automatic backup.
    pub backup_dir: Option<PathBuf>,
    /// `XN_BACKUP_KEEP` (default 14): how many automatic backups to keep.
    pub backup_keep: usize,
    /// `XN_AUDIT_ANCHOR`: a file (ideally on other storage) to which the server appends the
    /// audit chain's head every hour, for `xiaoneng audit verify --anchor`.
    pub audit_anchor: Option<PathBuf>,
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
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| default.to_string())
}

fn optional(name: &'static str) -> Option<String> {
    Some(var(name, "")).filter(|v| !v.is_empty())
}

/// A whole number in `range`, or the variable's error.
fn number(
    name: &'static str,
    default: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let s = var(name, default);
    s.parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or(ConfigError {
            name,
            value: s,
            why: "must be a whole number in the allowed range (see README)",
        })
}

fn flag(name: &'static str, default: &str) -> Result<bool, ConfigError> {
    let s = var(name, default);
    match s.as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(ConfigError {
            name,
            value: s,
            why: "must be true or false",
        }),
    }
}

/// `scheme://host[:port]` without a path, lower-cased; `None` if it is not one.
pub fn normalise_origin(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = s.split_once("://")?;
    let ok = matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
        && rest.parse::<http::uri::Authority>().is_ok();
    ok.then_some(s)
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
        let public_origin = match optional("XN_PUBLIC_ORIGIN") {
            None => None,
            Some(s) => Some(normalise_origin(&s).ok_or(ConfigError {
                name: "XN_PUBLIC_ORIGIN",
                value: s,
                why: "must be scheme://host[:port], e.g. https://xiaoneng.example.gov.cn",
            })?),
        };
        let client_ip_header = match optional("XN_CLIENT_IP_HEADER") {
            None => None,
            Some(s) => {
                let lower = s.to_ascii_lowercase();
                if !matches!(lower.as_str(), "x-forwarded-for" | "x-real-ip") {
                    return Err(ConfigError {
                        name: "XN_CLIENT_IP_HEADER",
                        value: s,
                        why: "must be X-Forwarded-For or X-Real-IP",
                    });
                }
                Some(http::HeaderName::from_static(if lower == "x-real-ip" {
                    "x-real-ip"
                } else {
                    "x-forwarded-for"
                }))
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
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let default_hash = (cores / 2).max(1).to_string();
        Ok(Config {
            database_url,
            listen,
            site_root: var("XN_SITE_ROOT", "target/site"),
            secure_cookies: flag("XN_SECURE_COOKIES", "false")?,
            public_origin,
            client_ip_header,
            session_idle: chrono::Duration::minutes(number(
                "XN_SESSION_IDLE_MINUTES",
                "720",
                5..=43_200,
            )? as i64),
            session_max: chrono::Duration::hours(
                number("XN_SESSION_MAX_HOURS", "168", 1..=2_160)? as i64
            ),
            max_connections: number("XN_MAX_CONNECTIONS", "512", 8..=100_000)? as usize,
            header_timeout: Duration::from_secs(number("XN_HEADER_TIMEOUT_SECS", "10", 1..=300)?),
            request_timeout: Duration::from_secs(number(
                "XN_REQUEST_TIMEOUT_SECS",
                "30",
                1..=3_600,
            )?),
            hash_threads: number("XN_HASH_THREADS", &default_hash, 1..=64)? as usize,
            backup_dir: optional("XN_BACKUP_DIR").map(PathBuf::from),
            backup_keep: number("XN_BACKUP_KEEP", "14", 1..=3_650)? as usize,
            audit_anchor: optional("XN_AUDIT_ANCHOR").map(PathBuf::from),
            demo_seed,
            start_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        assert_eq!(
            normalise_origin("HTTPS://Xn.Example.gov.cn/").as_deref(),
            Some("https://xn.example.gov.cn")
        );
        assert_eq!(
            normalise_origin("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        for bad in [
            "xn.example",
            "ftp://x",
            "https://x/app",
            "https://",
            "https://a b",
        ] {
            assert_eq!(normalise_origin(bad), None, "{bad}");
        }
    }
}
