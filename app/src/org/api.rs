//! Server functions of the organisation: departments, villages, areas and the accounts the
//! general office keeps. Each authorises on the server (through [`crate::ports::authed`]) first.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::*;
use crate::domain::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::ports::authed;

/// Departments, for pickers. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "org/departments", input = Json)]
pub async fn list_departments() -> Result<Vec<DepartmentView>, AppError> {
    let (b, me) = authed().await?;
    b.departments(&me).await
}

/// Villages with their areas, for the place picker. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "org/villages", input = Json)]
pub async fn list_villages() -> Result<Vec<VillageOption>, AppError> {
    let (b, me) = authed().await?;
    b.villages(&me).await
}

/// Creates a department. Office.
#[server(prefix = "/api/v1", endpoint = "org/create_department", input = Json)]
pub async fn create_department(name: String) -> Result<DepartmentView, AppError> {
    let (b, me) = authed().await?;
    b.create_department(&me, name).await
}

/// Renames a department. Office.
#[server(prefix = "/api/v1", endpoint = "org/rename_department", input = Json)]
pub async fn rename_department(id: DepartmentId, name: String) -> Result<DepartmentView, AppError> {
    let (b, me) = authed().await?;
    b.rename_department(&me, id, name).await
}

/// Every account. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/list", input = Json)]
pub async fn list_accounts() -> Result<Vec<AccountView>, AppError> {
    let (b, me) = authed().await?;
    b.accounts(&me).await
}

/// Creates an account. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/create", input = Json)]
pub async fn create_account(account: NewAccount) -> Result<AccountView, AppError> {
    let (b, me) = authed().await?;
    b.create_account(&me, account).await
}

/// Deactivates or reactivates an account (accounts are never deleted). Office.
#[server(prefix = "/api/v1", endpoint = "accounts/set_active", input = Json)]
pub async fn set_account_active(id: CadreId, active: bool) -> Result<AccountView, AppError> {
    let (b, me) = authed().await?;
    b.set_account_active(&me, id, active).await
}

/// Sets a new password for an account and ends its sessions. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/reset_password", input = Json)]
pub async fn reset_password(id: CadreId, password: String) -> Result<(), AppError> {
    let (b, me) = authed().await?;
    b.reset_password(&me, id, password).await
}

/// Makes `supervisor` the supervising leader of `cadre` from a date; the previous assignment
/// ends that day and stays in the history. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/assign_supervisor", input = Json)]
pub async fn assign_supervisor(
    cadre: CadreId,
    supervisor: CadreId,
    from: NaiveDate,
) -> Result<AccountView, AppError> {
    let (b, me) = authed().await?;
    b.assign_supervisor(&me, cadre, supervisor, from).await
}

/// Imports cadres from CSV text (`username,name,title,department,roles,supervisor,password`);
/// good rows are created, bad rows are reported by line. Office.
#[server(prefix = "/api/v1", endpoint = "accounts/import", input = Json)]
pub async fn import_cadres(csv: String) -> Result<ImportReport, AppError> {
    let (b, me) = authed().await?;
    b.import_cadres(&me, csv).await
}

/// Areas (片) with chiefs and villages. Signed-in users.
#[server(prefix = "/api/v1", endpoint = "org/areas", input = Json)]
pub async fn list_areas() -> Result<Vec<AreaView>, AppError> {
    let (b, me) = authed().await?;
    b.areas(&me).await
}

/// Creates an area. Office.
#[server(prefix = "/api/v1", endpoint = "org/create_area", input = Json)]
pub async fn create_area(name: String) -> Result<AreaView, AppError> {
    let (b, me) = authed().await?;
    b.create_area(&me, name).await
}

/// Adds a village to an area. Office.
#[server(prefix = "/api/v1", endpoint = "org/create_village", input = Json)]
pub async fn create_village(area: AreaId, name: String) -> Result<AreaView, AppError> {
    let (b, me) = authed().await?;
    b.create_village(&me, area, name).await
}

/// Names (or clears) an area's chief; the person gains the area-chief role. Office.
#[server(prefix = "/api/v1", endpoint = "org/set_area_chief", input = Json)]
pub async fn set_area_chief(area: AreaId, chief: Option<CadreId>) -> Result<AreaView, AppError> {
    let (b, me) = authed().await?;
    b.set_area_chief(&me, area, chief).await
}
