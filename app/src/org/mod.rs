//! The organisation: departments, areas (片) and their villages, and the accounts the general
//! office keeps (new accounts one by one or from CSV).

pub mod api;
pub mod islands;

use serde::{Deserialize, Serialize};

use crate::domain::*;
use crate::error::{AppError, ImportRowError};

/// A department for pickers and the organisation screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DepartmentView {
    pub id: DepartmentId,
    pub name: String,
}

/// An area (片) with its chief and villages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AreaView {
    pub id: AreaId,
    pub name: String,
    pub chief: Option<PersonRef>,
    pub villages: Vec<VillageOption>,
}

/// An account as the general office sees it (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AccountView {
    pub id: CadreId,
    pub username: String,
    pub name: String,
    pub title: String,
    pub department: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub supervisor: Option<PersonRef>,
}

/// A new account from the office's form or a CSV row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NewAccount {
    pub username: String,
    pub name: String,
    #[serde(default)]
    pub title: String,
    pub department: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub supervisor_username: Option<String>,
    pub password: String,
}

impl NewAccount {
    pub fn validate(mut self) -> Result<Self, AppError> {
        self.username = self.username.trim().to_string();
        self.name = self.name.trim().to_string();
        self.title = self.title.trim().to_string();
        self.department = self.department.trim().to_string();
        let u_ok = (3..=32).contains(&self.username.len())
            && self
                .username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
        if !u_ok {
            return Err(AppError::invalid("username", "bad_username"));
        }
        if self.name.is_empty() || self.name.chars().count() > 40 {
            return Err(AppError::invalid("name", "bad_name"));
        }
        if self.department.is_empty() {
            return Err(AppError::invalid("department", "empty"));
        }
        if self.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::invalid("password", "password_short"));
        }
        if !self.roles.contains(&Role::Cadre) {
            self.roles.push(Role::Cadre);
            self.roles.sort();
        }
        Ok(self)
    }
}

/// The outcome of a CSV import: how many were created, and each bad row with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ImportReport {
    pub created: u32,
    pub errors: Vec<ImportRowError>,
}
