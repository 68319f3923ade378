//! API tokens: created by the office for a server-to-server client, each acting as one
//! account with one of its roles, until it expires or is revoked. The secret is shown once;
//! only its SHA-256 is stored. Every use is audited (`token.used`).

use app::auth::{MAX_TOKEN_DAYS, NewToken, TokenId, TokenView};

use crate::entities::api_token;
use crate::service::prelude::*;

/// What every secret starts with, so a leaked one is recognisable.
const SECRET_PREFIX: &str = "xn_";

/// Characters of the secret kept to tell tokens apart (the prefix and 8 more).
const SHOWN_CHARS: usize = 11;

/// What an audit row records of a token (never the secret or its hash).
#[derive(Serialize)]
struct TokenState<'a> {
    name: &'a str,
    cadre_id: i32,
    role: &'a str,
    prefix: &'a str,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl<'a> From<&'a api_token::Model> for TokenState<'a> {
    fn from(t: &'a api_token::Model) -> Self {
        TokenState {
            name: &t.name,
            cadre_id: t.cadre_id,
            role: &t.role,
            prefix: &t.prefix,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

impl Service {
    fn token_view(
        &self,
        t: &api_token::Model,
        people: &HashMap<i32, Person>,
    ) -> Result<TokenView, AppError> {
        let role = Role::from_code(&t.role).stored("api_tokens", t.id, "role")?;
        Ok(TokenView {
            id: TokenId(t.id),
            name: t.name.clone(),
            account: people.person_ref(t.cadre_id),
            role,
            prefix: t.prefix.clone(),
            created_by: people.person_ref(t.created_by),
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            last_used_at: t.last_used_at,
            active: t.revoked_at.is_none() && t.expires_at > self.now(),
        })
    }

    /// Checks a new token's account, role and expiry; returns the end of its last day.
    async fn check_new_token(
        &self,
        account: CadreId,
        role: Role,
        expires_on: NaiveDate,
    ) -> Result<DateTime<Utc>, AppError> {
        let c = cadre::Entity::find_by_id(account.0)
            .one(&self.db)
            .await
            .ie()?
            .filter(|c| c.active)
            .ok_or_else(|| AppError::invalid("account", "unknown_cadre"))?;
        if !roles_of(&c)?.contains(&role) {
            return Err(AppError::invalid("role", "bad_role"));
        }
        let today = self.today();
        if expires_on <= today || expires_on > today + Duration::days(MAX_TOKEN_DAYS) {
            return Err(AppError::invalid("expires_on", "out_of_range"));
        }
        Ok(end_of_local_day(expires_on, &self.policy))
    }
}

#[async_trait::async_trait]
impl app::ports::ApiTokens for Service {
    async fn token_user(&self, secret: &str) -> Result<Option<Me>, AppError> {
        let hash = auth::token_hash(secret);
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::SecretHash.eq(hash))
            .one(&self.db)
            .await
            .ie()?
        else {
            return Ok(None);
        };
        let now = self.now();
        if t.revoked_at.is_some() || t.expires_at <= now {
            return Ok(None);
        }
        let c = self.cadre(&self.db, t.cadre_id).await?;
        let role = Role::from_code(&t.role).stored("api_tokens", t.id, "role")?;
        // The token acts with its one role, and only while the account still has it.
        if !c.active || !roles_of(&c)?.contains(&role) {
            return Ok(None);
        }
        let mut me = self.me_of(&self.db, &c).await?;
        me.roles = vec![role];
        self.write(async |tx| {
            let mut am: api_token::ActiveModel = t.clone().into();
            am.last_used_at = Set(Some(now));
            am.update(tx).await.ie()?;
            let ev = AuditEvent::new(Some(t.cadre_id), "token.used", "api_token", t.id);
            Ok(Change::audited((), ev))
        })
        .await?;
        Ok(Some(me))
    }

    async fn create_token(
        &self,
        me: &Me,
        name: String,
        account: CadreId,
        role: Role,
        expires_on: NaiveDate,
    ) -> Result<NewToken, AppError> {
        Self::require(me, Role::Office)?;
        let name = validate_line("name", &name, 40)?;
        let expires_at = self.check_new_token(account, role, expires_on).await?;
        let secret = format!("{SECRET_PREFIX}{}", auth::new_token());
        let now = self.now();
        let t = self
            .write(async |tx| {
                let t = api_token::ActiveModel {
                    name: Set(name.clone()),
                    cadre_id: Set(account.0),
                    role: Set(role.code().into()),
                    secret_hash: Set(auth::token_hash(&secret)),
                    prefix: Set(secret.chars().take(SHOWN_CHARS).collect()),
                    created_by: Set(me.id.0),
                    created_at: Set(now),
                    expires_at: Set(expires_at),
                    revoked_at: Set(None),
                    revoked_by: Set(None),
                    last_used_at: Set(None),
                    ..Default::default()
                }
                .insert(tx)
                .await
                .ie()?;
                let mut ev = AuditEvent::new(Some(me.id.0), "token.created", "api_token", t.id);
                ev.after = Some(audit::digest_of(&TokenState::from(&t)));
                Ok(Change::audited(t, ev))
            })
            .await?;
        let people = self.people(&self.db).await?;
        Ok(NewToken {
            token: self.token_view(&t, &people)?,
            secret,
        })
    }

    async fn tokens(&self, me: &Me) -> Result<Vec<TokenView>, AppError> {
        Self::require(me, Role::Office)?;
        let people = self.people(&self.db).await?;
        api_token::Entity::find()
            .order_by_desc(api_token::Column::Id)
            .all(&self.db)
            .await
            .ie()?
            .iter()
            .map(|t| self.token_view(t, &people))
            .collect()
    }

    async fn revoke_token(&self, me: &Me, id: TokenId) -> Result<TokenView, AppError> {
        Self::require(me, Role::Office)?;
        let now = self.now();
        let t = self
            .write(async |tx| {
                let t = api_token::Entity::find_by_id(id.0)
                    .one(tx)
                    .await
                    .ie()?
                    .ok_or(AppError::NotFound {})?;
                if t.revoked_at.is_some() {
                    return Err(AppError::conflict("already_revoked"));
                }
                let before = audit::digest_of(&TokenState::from(&t));
                let mut am: api_token::ActiveModel = t.into();
                am.revoked_at = Set(Some(now));
                am.revoked_by = Set(Some(me.id.0));
                let t = am.update(tx).await.ie()?;
                let mut ev = AuditEvent::new(Some(me.id.0), "token.revoked", "api_token", t.id);
                ev.before = Some(before);
                ev.after = Some(audit::digest_of(&TokenState::from(&t)));
                Ok(Change::audited(t, ev))
            })
            .await?;
        let people = self.people(&self.db).await?;
        self.token_view(&t, &people)
    }
}
