//! Lookups every feature shares: people with their departments and roles, villages.

use crate::service::prelude::*;

/// Someone's roles as stored.
pub(crate) fn roles_of(c: &cadre::Model) -> Result<Vec<Role>, AppError> {
    Role::parse_list(&c.roles).stored("cadres", c.id, "roles")
}

/// Who someone is, for views.
#[derive(Clone, Default)]
pub(crate) struct Person {
    pub name: String,
    pub roles: Vec<Role>,
    pub department: String,
    pub active: bool,
    pub area_id: Option<i32>,
}

impl Service {
    pub(in crate::service) async fn department_names<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, String>, AppError> {
        Ok(department::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }

    /// Who someone is, as pages and server functions see them (the demo uses it too).
    pub(crate) async fn me_of<C: ConnectionTrait>(
        &self,
        db: &C,
        c: &cadre::Model,
    ) -> Result<Me, AppError> {
        let dept = department::Entity::find_by_id(c.department_id)
            .one(db)
            .await
            .ie()?;
        Ok(Me {
            id: CadreId(c.id),
            username: c.username.clone(),
            name: c.name.clone(),
            department: dept.map(|d| d.name).unwrap_or_default(),
            roles: roles_of(c)?,
        })
    }

    pub(in crate::service) async fn cadre<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i32,
    ) -> Result<cadre::Model, AppError> {
        cadre::Entity::find_by_id(id)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})
    }

    /// A person by id as the API names them.
    pub(in crate::service) async fn person<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i32,
    ) -> Result<PersonRef, AppError> {
        Ok(PersonRef::new(CadreId(id), self.cadre(db, id).await?.name))
    }

    pub(in crate::service) async fn village_names<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, String>, AppError> {
        Ok(village::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect())
    }
}

/// People by id, as the API names them.
pub(crate) trait PeopleExt {
    /// `{id, name}` of a person (the name is empty only if the id is unknown, which the
    /// foreign keys rule out).
    fn person_ref(&self, id: i32) -> PersonRef;
}

impl PeopleExt for HashMap<i32, Person> {
    fn person_ref(&self, id: i32) -> PersonRef {
        PersonRef::new(
            CadreId(id),
            self.get(&id).map(|p| p.name.clone()).unwrap_or_default(),
        )
    }
}

impl Service {
    pub(in crate::service) async fn people<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, Person>, AppError> {
        let depts = self.department_names(db).await?;
        cadre::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| {
                let person = Person {
                    name: c.name.clone(),
                    roles: roles_of(&c)?,
                    department: depts.get(&c.department_id).cloned().unwrap_or_default(),
                    active: c.active,
                    area_id: c.area_id,
                };
                Ok((c.id, person))
            })
            .collect()
    }
}
