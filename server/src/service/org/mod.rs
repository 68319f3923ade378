//! The organisation: departments, areas with their chiefs, villages; accounts in `staff`.

mod staff;

use staff::AccountState;

use crate::service::prelude::*;

impl Service {
    async fn area_view<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &area::Model,
    ) -> Result<AreaView, AppError> {
        let villages = village::Entity::find()
            .filter(village::Column::AreaId.eq(a.id))
            .order_by_asc(village::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|v| VillageOption {
                id: VillageId(v.id),
                name: v.name,
                area: a.name.clone(),
            })
            .collect();
        let chief = match a.chief_id {
            Some(id) => Some(self.person(db, id).await?),
            None => None,
        };
        Ok(AreaView {
            id: AreaId(a.id),
            name: a.name.clone(),
            chief,
            villages,
        })
    }
}

#[async_trait::async_trait]
impl app::ports::Org for Service {
    async fn departments(&self, _me: &Me) -> Result<Vec<DepartmentView>, AppError> {
        Ok(department::Entity::find()
            .order_by_asc(department::Column::Id)
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|d| DepartmentView {
                id: DepartmentId(d.id),
                name: d.name,
            })
            .collect())
    }

    async fn villages(&self, _me: &Me) -> Result<Vec<VillageOption>, AppError> {
        let areas: HashMap<i32, String> = area::Entity::find()
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        Ok(village::Entity::find()
            .order_by_asc(village::Column::AreaId)
            .order_by_asc(village::Column::Id)
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|v| VillageOption {
                id: VillageId(v.id),
                area: areas.get(&v.area_id).cloned().unwrap_or_default(),
                name: v.name,
            })
            .collect())
    }

    async fn create_department(&self, me: &Me, name: String) -> Result<DepartmentView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("department", &name)?;
        let d = self
            .write(async |tx| {
                if department::Entity::find()
                    .filter(department::Column::Name.eq(name.as_str()))
                    .one(tx)
                    .await
                    .ie()?
                    .is_some()
                {
                    return Err(AppError::conflict("department_exists"));
                }
                let d = department::ActiveModel {
                    name: Set(name),
                    ..Default::default()
                }
                .insert(tx)
                .await
                .ie()?;
                let mut ev =
                    AuditEvent::new(Some(me.id.0), "org.department_created", "department", d.id);
                ev.after = Some(audit::digest_of(&d.name));
                Ok(Change::audited(d, ev))
            })
            .await?;
        Ok(DepartmentView {
            id: DepartmentId(d.id),
            name: d.name,
        })
    }

    async fn rename_department(
        &self,
        me: &Me,
        id: DepartmentId,
        name: String,
    ) -> Result<DepartmentView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("department", &name)?;
        let d = self
            .write(async |tx| {
                let d = department::Entity::find_by_id(id.0)
                    .one(tx)
                    .await
                    .ie()?
                    .ok_or(AppError::NotFound {})?;
                if let Some(other) = department::Entity::find()
                    .filter(department::Column::Name.eq(name.as_str()))
                    .one(tx)
                    .await
                    .ie()?
                    && other.id != d.id
                {
                    return Err(AppError::conflict("department_exists"));
                }
                let before = audit::digest_of(&d.name);
                let mut am: department::ActiveModel = d.into();
                am.name = Set(name);
                let d = am.update(tx).await.ie()?;
                let mut ev =
                    AuditEvent::new(Some(me.id.0), "org.department_renamed", "department", d.id);
                ev.before = Some(before);
                ev.after = Some(audit::digest_of(&d.name));
                Ok(Change::audited(d, ev))
            })
            .await?;
        Ok(DepartmentView {
            id: DepartmentId(d.id),
            name: d.name,
        })
    }

    async fn areas(&self, _me: &Me) -> Result<Vec<AreaView>, AppError> {
        let areas = area::Entity::find()
            .order_by_asc(area::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let mut out = Vec::new();
        for a in &areas {
            out.push(self.area_view(&self.db, a).await?);
        }
        Ok(out)
    }

    async fn create_area(&self, me: &Me, name: String) -> Result<AreaView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("area", &name)?;
        self.write(async |tx| {
            if area::Entity::find()
                .filter(area::Column::Name.eq(name.as_str()))
                .one(tx)
                .await
                .ie()?
                .is_some()
            {
                return Err(AppError::conflict("area_exists"));
            }
            let a = area::ActiveModel {
                name: Set(name),
                chief_id: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            let mut ev = AuditEvent::new(Some(me.id.0), "org.area_created", "area", a.id);
            ev.after = Some(audit::digest_of(&a.name));
            self.append_audit(tx, ev).await?;
            let view = self.area_view(tx, &a).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn create_village(
        &self,
        me: &Me,
        area_id: AreaId,
        name: String,
    ) -> Result<AreaView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("village_id", &name)?;
        self.write(async |tx| {
            let a = area::Entity::find_by_id(area_id.0)
                .one(tx)
                .await
                .ie()?
                .ok_or(AppError::NotFound {})?;
            if village::Entity::find()
                .filter(village::Column::Name.eq(name.as_str()))
                .one(tx)
                .await
                .ie()?
                .is_some()
            {
                return Err(AppError::conflict("village_exists"));
            }
            let v = village::ActiveModel {
                name: Set(name),
                area_id: Set(a.id),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            let mut ev = AuditEvent::new(Some(me.id.0), "org.village_created", "village", v.id);
            ev.after = Some(audit::digest_of(&(&v.name, v.area_id)));
            self.append_audit(tx, ev).await?;
            let view = self.area_view(tx, &a).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn set_area_chief(
        &self,
        me: &Me,
        area_id: AreaId,
        chief: Option<CadreId>,
    ) -> Result<AreaView, AppError> {
        Self::require(me, Role::Office)?;
        self.write(async |tx| {
            let a = area::Entity::find_by_id(area_id.0)
                .one(tx)
                .await
                .ie()?
                .ok_or(AppError::NotFound {})?;
            if let Some(c) = chief {
                let person = self
                    .cadre(tx, c.0)
                    .await
                    .map_err(|_| AppError::invalid("area_chief", "unknown_cadre"))?;
                if !person.active {
                    return Err(AppError::invalid("area_chief", "unknown_cadre"));
                }
                let mut roles = roles_of(&person)?;
                if !roles.contains(&Role::AreaChief) {
                    roles.push(Role::AreaChief);
                    roles.sort();
                    let before = audit::digest_of(&AccountState::from(&person));
                    let mut am: cadre::ActiveModel = person.into();
                    am.roles = Set(Role::join(&roles));
                    let person = am.update(tx).await.ie()?;
                    let mut ev =
                        AuditEvent::new(Some(me.id.0), "account.roles_changed", "cadre", person.id);
                    ev.before = Some(before);
                    ev.after = Some(audit::digest_of(&AccountState::from(&person)));
                    self.append_audit(tx, ev).await?;
                }
            }
            let before = a.chief_id;
            let mut am: area::ActiveModel = a.into();
            am.chief_id = Set(chief.map(|c| c.0));
            let a = am.update(tx).await.ie()?;
            let mut ev = AuditEvent::new(Some(me.id.0), "org.area_chief_set", "area", a.id);
            ev.before = Some(audit::digest_of(&before));
            ev.after = Some(audit::digest_of(&a.chief_id));
            self.append_audit(tx, ev).await?;
            let view = self.area_view(tx, &a).await?;
            Ok(Change::recorded(view))
        })
        .await
    }
}
