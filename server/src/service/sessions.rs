//! Sessions and passwords: sign-in with its slow-down, sign-out, changing one's password.

use crate::service::prelude::*;

/// A session's last use is written at most this often, so reading pages does not turn
/// into a write per request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(5);

/// An argon2id hash of a random string, checked when the user name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Y0bY5xvZcB8oX8Mf1bJxkzJ0VtQO+0pP3rLw6wIYHo";

impl Service {
    /// Answers a slowed-down sign-in: 429 after the refusal pause (never longer than the
    /// wait itself).
    async fn too_many(&self, wait: u64) -> AppError {
        let pause = self.refusal_pause.min(std::time::Duration::from_secs(wait));
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        AppError::TooManyRequests {
            retry_after_secs: wait,
        }
    }

    /// Ends every session of a person but `keep` (its token hash), in the caller's
    /// transaction.
    pub(in crate::service) async fn end_sessions<C: ConnectionTrait>(
        db: &C,
        cadre_id: i32,
        keep: Option<&str>,
    ) -> Result<(), AppError> {
        let mut q = session::Entity::delete_many().filter(session::Column::CadreId.eq(cadre_id));
        if let Some(k) = keep {
            q = q.filter(session::Column::TokenHash.ne(k));
        }
        q.exec(db).await.ie()?;
        Ok(())
    }

    /// Admits the attempt past the slow-down, checks the password (against a dummy hash
    /// for an unknown name) and refuses wrong credentials and inactive accounts alike;
    /// returns the account signing in.
    async fn check_credentials(
        &self,
        name: &str,
        password: &str,
        from: &app::ports::SignInFrom,
        now: DateTime<Utc>,
        found: Option<cadre::Model>,
    ) -> Result<cadre::Model, AppError> {
        // Decided and counted before the password is checked, for known and unknown names
        // alike (the answers must not tell them apart).
        let stored = found.as_ref().map(|c| (c.failed_logins, c.last_failed_at));
        let ticket = match self.throttle.admit(name, from.addr, now, stored) {
            Ok(t) => t,
            Err(wait) => return Err(self.too_many(wait).await),
        };
        let hash = found
            .as_ref()
            .map_or(DUMMY_HASH, |c| c.password_hash.as_str());
        let matches = match self.hasher.verify(password, hash).await {
            Ok(m) => m,
            Err(e) => {
                self.throttle.cancelled(ticket);
                return Err(e);
            }
        };
        let c = match found {
            Some(c) if matches && c.active => c,
            Some(c) => {
                self.record_failed_sign_in(&c).await?;
                return Err(AppError::invalid("password", "bad_credentials"));
            }
            None => {
                // Unknown names leave no row (a flood of them must not take the write lock
                // or fill the audit trail); the log keeps a digest of the name.
                tracing::warn!(
                    name = %audit::digest_of(&name),
                    addr = ?from.addr,
                    "sign-in with an unknown user name"
                );
                return Err(AppError::invalid("password", "bad_credentials"));
            }
        };
        self.throttle.succeeded(ticket);
        Ok(c)
    }

    /// Opens a new session for a successful sign-in, with its audit row: clears the
    /// account's failure count, ends the session the request came with and the person's
    /// expired ones. Returns the new session's token.
    async fn open_session(
        &self,
        c: &cadre::Model,
        from: &app::ports::SignInFrom,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        self.write(async |tx| {
            if c.failed_logins != 0 {
                let mut am: cadre::ActiveModel = c.clone().into();
                am.failed_logins = Set(0);
                am.last_failed_at = Set(None);
                am.update(tx).await.ie()?;
            }
            // A session token sent along with the sign-in is never carried over (fixation):
            // that session ends; so do this person's expired ones.
            if let Some(old) = &from.old_token {
                session::Entity::delete_by_id(auth::token_hash(old))
                    .exec(tx)
                    .await
                    .ie()?;
            }
            session::Entity::delete_many()
                .filter(session::Column::CadreId.eq(c.id))
                .filter(session::Column::ExpiresAt.lte(now))
                .exec(tx)
                .await
                .ie()?;
            let token = auth::new_token();
            session::ActiveModel {
                token_hash: Set(auth::token_hash(&token)),
                cadre_id: Set(c.id),
                created_at: Set(now),
                expires_at: Set(now + self.sessions.max),
                last_seen_at: Set(now),
            }
            .insert(tx)
            .await
            .ie()?;
            let ev = AuditEvent::new(Some(c.id), "auth.signed_in", "cadre", c.id);
            Ok(Change::audited(token, ev))
        })
        .await
    }

    /// Records a failed sign-in of a known account: its stored count (which outlives a
    /// restart) and an audit row.
    async fn record_failed_sign_in(&self, c: &cadre::Model) -> Result<(), AppError> {
        let now = self.now();
        let failures = self.throttle.failures(&c.username).max(c.failed_logins + 1);
        self.write(async |tx| {
            cadre::Entity::update_many()
                .col_expr(
                    cadre::Column::FailedLogins,
                    sea_orm::sea_query::Expr::value(failures),
                )
                .col_expr(
                    cadre::Column::LastFailedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(cadre::Column::Id.eq(c.id))
                .exec(tx)
                .await
                .ie()?;
            let ev = AuditEvent::new(Some(c.id), "auth.sign_in_failed", "cadre", c.id);
            Ok(Change::audited((), ev))
        })
        .await
    }
}

#[async_trait::async_trait]
impl app::ports::Sessions for Service {
    async fn session_user(&self, token: &str) -> Result<Option<Me>, AppError> {
        self.session_lookups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let hash = auth::token_hash(token);
        let Some(s) = session::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await
            .ie()?
        else {
            return Ok(None);
        };
        let now = self.now();
        let idle_end = s.last_seen_at + self.sessions.idle;
        if s.expires_at <= now || idle_end <= now {
            return Ok(None);
        }
        let c = self.cadre(&self.db, s.cadre_id).await?;
        if !c.active {
            return Ok(None);
        }
        if now - s.last_seen_at >= TOUCH_EVERY {
            // Not under the write lock: one row's time of use, no audit-worthy change.
            session::Entity::update_many()
                .col_expr(
                    session::Column::LastSeenAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(session::Column::TokenHash.eq(hash))
                .exec(&self.db)
                .await
                .ie()?;
        }
        Ok(Some(self.me_of(&self.db, &c).await?))
    }

    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: &app::ports::SignInFrom,
    ) -> Result<(Me, String), AppError> {
        let now = self.now();
        let name = username.trim();
        if let Some(wait) = self.throttle.precheck(name, from.addr, now) {
            return Err(self.too_many(wait).await);
        }
        let found = cadre::Entity::find()
            .filter(cadre::Column::Username.eq(name))
            .one(&self.db)
            .await
            .ie()?;
        let c = self
            .check_credentials(name, password, from, now, found)
            .await?;
        let token = self.open_session(&c, from, now).await?;
        Ok((self.me_of(&self.db, &c).await?, token))
    }

    async fn sign_out(&self, me: &Me, token: &str) -> Result<(), AppError> {
        self.write(async |tx| {
            session::Entity::delete_by_id(auth::token_hash(token))
                .exec(tx)
                .await
                .ie()?;
            let ev = AuditEvent::new(Some(me.id.0), "auth.signed_out", "cadre", me.id);
            Ok(Change::audited((), ev))
        })
        .await
    }

    async fn change_password(
        &self,
        me: &Me,
        token: &str,
        old: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let c = self.cadre(&self.db, me.id.0).await?;
        crate::passwords::check_new("new_password", new, &c.username)?;
        if !self.hasher.verify(old, &c.password_hash).await? {
            return Err(AppError::invalid("old_password", "wrong_password"));
        }
        let hash = self.hasher.hash(new).await?;
        self.write(async |tx| {
            let mut am: cadre::ActiveModel = c.into();
            am.password_hash = Set(hash);
            am.update(tx).await.ie()?;
            // Whoever else holds a session of this person (a lost phone) is signed out.
            Self::end_sessions(tx, me.id.0, Some(&auth::token_hash(token))).await?;
            let ev = AuditEvent::new(Some(me.id.0), "account.password_changed", "cadre", me.id);
            Ok(Change::audited((), ev))
        })
        .await
    }
}
