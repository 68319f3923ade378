//! Accounts: creating, deactivating, password resets, supervision and the CSV import.

use super::*;

#[derive(Serialize)]
pub(super) struct AccountState<'a> {
    username: &'a str,
    name: &'a str,
    title: &'a str,
    department_id: i32,
    roles: &'a str,
    active: bool,
}

impl<'a> From<&'a cadre::Model> for AccountState<'a> {
    fn from(c: &'a cadre::Model) -> Self {
        AccountState {
            username: &c.username,
            name: &c.name,
            title: &c.title,
            department_id: c.department_id,
            roles: &c.roles,
            active: c.active,
        }
    }
}

/// A supervisor named in an import: already stored, or a row of the same file.
#[derive(Clone, Copy)]
enum SupervisorRef {
    Id(i32),
    Batch(i32),
}

/// An import row ready to store: its index in the file, the account, department and
/// supervisor.
type CheckedRow = (i32, NewAccount, i32, Option<SupervisorRef>);

impl Service {
    async fn account_view<C: ConnectionTrait>(
        &self,
        db: &C,
        c: &cadre::Model,
    ) -> Result<AccountView, AppError> {
        let depts = self.department_names(db).await?;
        let sup = self
            .supervisor_of(db, c.id, SheetPeriod::containing(self.today()))
            .await?;
        let supervisor = match sup {
            Some(id) => Some(self.person(db, id).await?),
            None => None,
        };
        Ok(AccountView {
            id: CadreId(c.id),
            username: c.username.clone(),
            name: c.name.clone(),
            title: c.title.clone(),
            department: depts.get(&c.department_id).cloned().unwrap_or_default(),
            roles: roles_of(c)?,
            active: c.active,
            supervisor,
        })
    }

    /// Checks a new account against the database (and names already taken in this batch);
    /// returns the department id and supervisor id.
    async fn check_new_account<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &NewAccount,
        taken: &HashSet<String>,
        batch_supervisors: &HashMap<String, i32>,
    ) -> Result<(i32, Option<SupervisorRef>), AppError> {
        if taken.contains(&a.username)
            || cadre::Entity::find()
                .filter(cadre::Column::Username.eq(a.username.as_str()))
                .one(db)
                .await
                .ie()?
                .is_some()
        {
            return Err(AppError::invalid("username", "duplicate_username"));
        }
        let dept = department::Entity::find()
            .filter(department::Column::Name.eq(a.department.as_str()))
            .one(db)
            .await
            .ie()?
            .ok_or_else(|| AppError::invalid("department", "unknown_department"))?;
        let sup = match a
            .supervisor_username
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(u) => {
                if let Some(idx) = batch_supervisors.get(u) {
                    Some(SupervisorRef::Batch(*idx))
                } else {
                    let found = cadre::Entity::find()
                        .filter(cadre::Column::Username.eq(u))
                        .one(db)
                        .await
                        .ie()?;
                    match found {
                        Some(s) if s.active && roles_of(&s)?.contains(&Role::Supervisor) => {
                            Some(SupervisorRef::Id(s.id))
                        }
                        _ => {
                            return Err(AppError::invalid(
                                "supervisor_username",
                                "unknown_supervisor",
                            ));
                        }
                    }
                }
            }
        };
        Ok((dept.id, sup))
    }

    async fn insert_account<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        a: &NewAccount,
        dept_id: i32,
        supervisor: Option<i32>,
        password_hash: String,
    ) -> Result<cadre::Model, AppError> {
        let c = cadre::ActiveModel {
            username: Set(a.username.clone()),
            name: Set(a.name.clone()),
            title: Set(a.title.clone()),
            department_id: Set(dept_id),
            area_id: Set(None),
            roles: Set(Role::join(&a.roles)),
            password_hash: Set(password_hash),
            active: Set(true),
            failed_logins: Set(0),
            last_failed_at: Set(None),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .ie()?;
        if let Some(sup) = supervisor {
            supervision::ActiveModel {
                cadre_id: Set(c.id),
                supervisor_id: Set(sup),
                valid_from: Set(self.today()),
                valid_to: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await
            .ie()?;
        }
        let ev = AuditEvent::new(Some(me.id.0), "account.created", "cadre", c.id)
            .states(None::<&()>, Some(&AccountState::from(&c)));
        self.append_audit(db, ev).await?;
        Ok(c)
    }

    /// Checks every row of an account import against the database; all or nothing: any
    /// bad row makes the whole file a `RowErrors` answer.
    async fn check_import<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: Vec<crate::import::Row>,
    ) -> Result<Vec<CheckedRow>, AppError> {
        let mut errors = Vec::new();
        let mut taken = HashSet::new();
        // Supervisors named by rows of the same file, wherever they stand in it.
        let batch_sups: HashMap<String, i32> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, (_, r))| {
                r.as_ref()
                    .ok()
                    .filter(|a| a.roles.contains(&Role::Supervisor))
                    .map(|a| (a.username.clone(), i as i32))
            })
            .collect();
        let mut checked = Vec::new();
        for (idx, (line, row)) in rows.into_iter().enumerate() {
            let row = row.and_then(|r| {
                crate::passwords::check_new("password", &r.password, &r.username)
                    .map(|()| r)
                    .map_err(|e| match e {
                        AppError::Invalid { field, reason } => (field, reason),
                        _ => ("password".into(), "password_common".into()),
                    })
            });
            let row = match row {
                Ok(r) => r,
                Err((field, reason)) => {
                    errors.push(ImportRowError {
                        line,
                        field,
                        reason,
                    });
                    continue;
                }
            };
            match self.check_new_account(db, &row, &taken, &batch_sups).await {
                Ok((dept, sup)) => {
                    taken.insert(row.username.clone());
                    checked.push((idx as i32, row, dept, sup));
                }
                Err(AppError::Invalid { field, reason }) => errors.push(ImportRowError {
                    line,
                    field,
                    reason,
                }),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::RowErrors { errors });
        }
        Ok(checked)
    }
}

#[async_trait::async_trait]
impl app::ports::Staff for Service {
    async fn accounts(&self, me: &Me) -> Result<Vec<AccountView>, AppError> {
        Self::require(me, Role::Office)?;
        let cadres = cadre::Entity::find()
            .order_by_asc(cadre::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let depts = self.department_names(&self.db).await?;
        let names: HashMap<i32, String> = cadres.iter().map(|c| (c.id, c.name.clone())).collect();
        let today = self.today();
        let current: HashMap<i32, i32> = supervision::Entity::find()
            .filter(supervision::Column::ValidFrom.lte(today))
            .filter(
                Condition::any()
                    .add(supervision::Column::ValidTo.is_null())
                    .add(supervision::Column::ValidTo.gt(today)),
            )
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|s| (s.cadre_id, s.supervisor_id))
            .collect();
        cadres
            .iter()
            .map(|c| {
                Ok(AccountView {
                    id: CadreId(c.id),
                    username: c.username.clone(),
                    name: c.name.clone(),
                    title: c.title.clone(),
                    department: depts.get(&c.department_id).cloned().unwrap_or_default(),
                    roles: roles_of(c)?,
                    active: c.active,
                    supervisor: current
                        .get(&c.id)
                        .and_then(|s| names.get(s).map(|n| PersonRef::new(CadreId(*s), n.clone()))),
                })
            })
            .collect()
    }

    async fn create_account(&self, me: &Me, new: NewAccount) -> Result<AccountView, AppError> {
        Self::require(me, Role::Office)?;
        let new = new.validate()?;
        crate::passwords::check_new("password", &new.password, &new.username)?;
        let hash = self.hasher.hash(&new.password).await?;
        self.write(async |tx| {
            let (dept, sup) = self
                .check_new_account(tx, &new, &HashSet::new(), &HashMap::new())
                .await?;
            let sup = match sup {
                Some(SupervisorRef::Id(id)) => Some(id),
                _ => None,
            };
            let c = self.insert_account(tx, me, &new, dept, sup, hash).await?;
            let view = self.account_view(tx, &c).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn set_account_active(
        &self,
        me: &Me,
        id: CadreId,
        active: bool,
    ) -> Result<AccountView, AppError> {
        Self::require(me, Role::Office)?;
        if id == me.id {
            return Err(AppError::conflict("self_action"));
        }
        self.write(async |tx| {
            let c = self.cadre(tx, id.0).await?;
            let before = audit::digest_of(&AccountState::from(&c));
            let mut am: cadre::ActiveModel = c.into();
            am.active = Set(active);
            let c = am.update(tx).await.ie()?;
            if !active {
                session::Entity::delete_many()
                    .filter(session::Column::CadreId.eq(c.id))
                    .exec(tx)
                    .await
                    .ie()?;
            }
            let mut ev = AuditEvent::new(
                Some(me.id.0),
                if active {
                    "account.activated"
                } else {
                    "account.deactivated"
                },
                "cadre",
                c.id,
            );
            ev.before = Some(before);
            ev.after = Some(audit::digest_of(&AccountState::from(&c)));
            self.append_audit(tx, ev).await?;
            let view = self.account_view(tx, &c).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn reset_password(&self, me: &Me, id: CadreId, password: String) -> Result<(), AppError> {
        Self::require(me, Role::Office)?;
        let c = self.cadre(&self.db, id.0).await?;
        crate::passwords::check_new("password", &password, &c.username)?;
        let hash = self.hasher.hash(&password).await?;
        self.write(async |tx| {
            let c = self.cadre(tx, id.0).await?;
            let username = c.username.clone();
            let mut am: cadre::ActiveModel = c.into();
            am.password_hash = Set(hash);
            am.failed_logins = Set(0);
            am.last_failed_at = Set(None);
            am.update(tx).await.ie()?;
            Self::end_sessions(tx, id.0, None).await?;
            self.throttle.forget(&username);
            let ev = AuditEvent::new(Some(me.id.0), "account.password_reset", "cadre", id);
            Ok(Change::audited((), ev))
        })
        .await
    }

    async fn assign_supervisor(
        &self,
        me: &Me,
        cadre_id: CadreId,
        supervisor: CadreId,
        from: NaiveDate,
    ) -> Result<AccountView, AppError> {
        Self::require(me, Role::Office)?;
        if cadre_id == supervisor {
            return Err(AppError::invalid("supervisor", "unknown_supervisor"));
        }
        self.write(async |tx| {
            let c = self.cadre(tx, cadre_id.0).await?;
            let s = self
                .cadre(tx, supervisor.0)
                .await
                .map_err(|_| AppError::invalid("supervisor", "unknown_supervisor"))?;
            if !s.active || !roles_of(&s)?.contains(&Role::Supervisor) {
                return Err(AppError::invalid("supervisor", "unknown_supervisor"));
            }
            let open = supervision::Entity::find()
                .filter(supervision::Column::CadreId.eq(c.id))
                .filter(supervision::Column::ValidTo.is_null())
                .all(tx)
                .await
                .ie()?;
            for o in open {
                if o.valid_from >= from {
                    return Err(AppError::invalid("from", "bad_period"));
                }
                let mut am: supervision::ActiveModel = o.into();
                am.valid_to = Set(Some(from));
                am.update(tx).await.ie()?;
            }
            supervision::ActiveModel {
                cadre_id: Set(c.id),
                supervisor_id: Set(s.id),
                valid_from: Set(from),
                valid_to: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            let mut ev = AuditEvent::new(Some(me.id.0), "org.supervisor_assigned", "cadre", c.id);
            ev.after = Some(format!("supervisor={} from={from}", s.id));
            self.append_audit(tx, ev).await?;
            let view = self.account_view(tx, &c).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn import_cadres(&self, me: &Me, csv: String) -> Result<ImportReport, AppError> {
        Self::require(me, Role::Office)?;
        let rows = crate::import::parse_csv(&csv)?;
        // Checked once without the lock, so that passwords are hashed (slow: ~25 ms each)
        // only for a file that will be stored, and never while the lock is held; checked
        // again under the lock in case something changed meanwhile.
        let checked = self.check_import(&self.db, rows.clone()).await?;
        let hashes = self
            .hasher
            .hash_all(
                checked
                    .iter()
                    .map(|(_, r, _, _)| r.password.clone())
                    .collect(),
            )
            .await?;
        self.write(async |tx| {
            let mut checked = self.check_import(tx, rows).await?;
            let mut hashes: HashMap<i32, String> = checked
                .iter()
                .map(|(idx, _, _, _)| *idx)
                .zip(hashes)
                .collect();
            let mut created_ids: HashMap<i32, i32> = HashMap::new();
            // Supervisors first, so rows can name a supervisor from the same file.
            checked.sort_by_key(|(_, r, _, _)| !r.roles.contains(&Role::Supervisor));
            let mut pending_links = Vec::new();
            for (idx, row, dept, sup) in &checked {
                let hash = hashes.remove(idx).ok_or(AppError::Internal {})?;
                let direct = match sup {
                    Some(SupervisorRef::Id(id)) => Some(*id),
                    Some(SupervisorRef::Batch(b)) => created_ids.get(b).copied(),
                    None => None,
                };
                let c = self
                    .insert_account(tx, me, row, *dept, direct, hash)
                    .await?;
                created_ids.insert(*idx, c.id);
                if let (Some(SupervisorRef::Batch(b)), None) = (sup, direct) {
                    pending_links.push((c.id, *b));
                }
            }
            for (cadre_id, b) in pending_links {
                if let Some(sup) = created_ids.get(&b) {
                    supervision::ActiveModel {
                        cadre_id: Set(cadre_id),
                        supervisor_id: Set(*sup),
                        valid_from: Set(self.today()),
                        valid_to: Set(None),
                        ..Default::default()
                    }
                    .insert(tx)
                    .await
                    .ie()?;
                }
            }
            Ok(Change::recorded(()))
        })
        .await?;
        Ok(ImportReport {
            created: checked.len() as u32,
            errors: Vec::new(),
        })
    }
}
