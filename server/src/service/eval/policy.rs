//! The versioned evaluation policy: its history and new versions.

use super::*;

impl Service {
    /// The current evaluation policy and its version.
    pub(in crate::service) async fn eval_policy<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<(i32, EvalPolicy), AppError> {
        let row = policy_version::Entity::find()
            .order_by_desc(policy_version::Column::Id)
            .one(db)
            .await
            .ie()?;
        Ok(match row {
            Some(r) => (r.id, Self::policy_of(&r)?),
            None => (0, EvalPolicy::default()),
        })
    }

    pub(in crate::service) async fn eval_policy_at<C: ConnectionTrait>(
        &self,
        db: &C,
        version: i32,
    ) -> Result<EvalPolicy, AppError> {
        match policy_version::Entity::find_by_id(version)
            .one(db)
            .await
            .ie()?
        {
            Some(r) => Self::policy_of(&r),
            // Results made before any version was stored follow the defaults (version 0).
            None => Ok(EvalPolicy::default()),
        }
    }

    /// A stored policy version's settings. Fields added after a version was written read
    /// as their defaults (serde's `default`); anything else that does not decode is an error.
    fn policy_of(r: &policy_version::Model) -> Result<EvalPolicy, AppError> {
        serde_json::from_str(&r.settings).stored("policy_versions", r.id, "settings")
    }
}

#[async_trait::async_trait]
impl app::ports::PolicyVersions for Service {
    async fn policy_history(&self, _me: &Me) -> Result<PolicyHistory, AppError> {
        let people = self.people(&self.db).await?;
        let rows = policy_version::Entity::find()
            .order_by_desc(policy_version::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let versions: Vec<PolicyVersion> = rows
            .into_iter()
            .map(|r| {
                Ok(PolicyVersion {
                    version: r.id,
                    policy: Self::policy_of(&r)?,
                    note: r.note,
                    created_by: r
                        .created_by
                        .and_then(|c| people.get(&c).map(|p| p.name.clone())),
                    created_at: r.created_at,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let current = versions.first().cloned().ok_or(AppError::Internal {})?;
        Ok(PolicyHistory { current, versions })
    }

    async fn update_policy(
        &self,
        me: &Me,
        policy: EvalPolicy,
        note: String,
    ) -> Result<PolicyVersion, AppError> {
        Self::require(me, Role::Office)?;
        policy.validate()?;
        let note = required_text("note", &note)?;
        let row = self
            .write(async |tx| {
                let (_, current) = self.eval_policy(tx).await?;
                if current == policy {
                    return Err(AppError::conflict("policy_unchanged"));
                }
                let settings = serde_json::to_string(&policy).map_err(|_| AppError::Internal {})?;
                let row = policy_version::ActiveModel {
                    settings: Set(settings),
                    note: Set(note.clone()),
                    created_by: Set(Some(me.id.0)),
                    created_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(tx)
                .await
                .ie()?;
                let mut ev = AuditEvent::new(Some(me.id.0), "policy.changed", "policy", row.id);
                ev.before = Some(audit::digest_of(&current));
                ev.after = Some(audit::digest_of(&policy));
                Ok(Change::audited(row, ev))
            })
            .await?;
        Ok(PolicyVersion {
            version: row.id,
            policy,
            note,
            created_by: Some(me.name.clone()),
            created_at: row.created_at,
        })
    }
}
