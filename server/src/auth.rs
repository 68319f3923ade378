//! Passwords (argon2id), session tokens, the sign-in slow-down rule and the small pool that
//! computes password hashes off the request threads.

use std::sync::Arc;

use app::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Computes argon2 hashes on tokio's blocking threads, at most `threads` at once, so
/// password checks can neither stall the request threads nor take every core. A request
/// that waits more than [`HASH_QUEUE_WAIT`] for its turn is told to try again (429).
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<tokio::sync::Semaphore>,
}

/// The longest a password check waits for a free hashing thread.
pub const HASH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Hasher {
    pub fn new(threads: usize) -> Self {
        Hasher {
            permits: Arc::new(tokio::sync::Semaphore::new(threads.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = AppError::TooManyRequests {
            retry_after_secs: 5,
        };
        let permit = tokio::time::timeout(HASH_QUEUE_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| busy.clone())?
            .map_err(|_| AppError::Internal {})?;
        let out = tokio::task::spawn_blocking(move || {
            let out = job();
            drop(permit);
            out
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing task failed");
            AppError::Internal {}
        })?;
        Ok(out)
    }

    /// Checks a password against a stored hash (a malformed hash never matches).
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        let (p, h) = (password.to_string(), hash.to_string());
        self.run(move || verify_password(&p, &h)).await
    }

    /// Hashes one password.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let p = password.to_string();
        self.run(move || hash_password(&p)).await?.map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal {}
        })
    }

    /// Hashes many passwords (a CSV import) in one job, so an import occupies one thread.
    pub async fn hash_all(&self, passwords: Vec<String>) -> Result<Vec<String>, AppError> {
        self.run(move || {
            passwords
                .iter()
                .map(|p| hash_password(p))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal {}
        })
    }
}

/// A new random session token (sent in the cookie) — only its hash is stored.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Failures allowed before sign-ins slow down.
pub const FREE_FAILURES: i32 = 5;

/// How long after the last failure the next attempt must wait: nothing for the first
/// [`FREE_FAILURES`] failures, then 2, 4, 8 … seconds, at most 15 minutes.
pub fn sign_in_delay(failures: i32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let exp = (failures - FREE_FAILURES).min(10) as u32;
    Duration::seconds((2i64 << exp).min(900))
}

/// Seconds still to wait before another attempt, if any.
pub fn wait_remaining(
    failures: i32,
    last_failed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<u64> {
    let last = last_failed?;
    let until = last + sign_in_delay(failures);
    (until > now).then(|| (until - now).num_seconds().max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    /// Hashing runs beside the request threads: on a one-thread runtime, another task
    /// keeps running while a password is checked (inline, it could not tick at all).
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_leaves_the_request_thread_free() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let stored = hash_password("correct horse").unwrap();
        let ticks = Arc::new(AtomicU32::new(0));
        let t = ticks.clone();
        let ticker = tokio::spawn(async move {
            loop {
                t.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        });
        let hasher = Hasher::new(1);
        let started = std::time::Instant::now();
        let mut ok = false;
        for _ in 0..3 {
            ok |= hasher.verify("wrong horse", &stored).await.unwrap();
        }
        let took = started.elapsed();
        ticker.abort();
        assert!(!ok);
        let n = ticks.load(Ordering::SeqCst);
        assert!(
            n >= 5,
            "{n} ticks during {took:?} of hashing: the hash ran on the request thread"
        );
    }

    #[test]
    fn sign_ins_slow_down_after_five_failures() {
        assert_eq!(sign_in_delay(4), Duration::zero());
        assert_eq!(sign_in_delay(5), Duration::seconds(2));
        assert_eq!(sign_in_delay(6), Duration::seconds(4));
        assert_eq!(sign_in_delay(40), Duration::seconds(900));
        let now = Utc::now();
        assert_eq!(wait_remaining(3, Some(now), now), None);
        assert!(wait_remaining(6, Some(now), now).is_some());
        assert_eq!(
            wait_remaining(6, Some(now - Duration::seconds(10)), now),
            None
        );
    }
}
