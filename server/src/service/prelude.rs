//! The imports every service room uses: the domain types of `app`, sea-orm's query traits,
//! the entities and the service's own helpers. One glob here instead of a dozen `use` lines
//! per file that drift with every edit.

pub(crate) use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

pub(crate) use app::calendar::*;
pub(crate) use app::domain::*;
pub(crate) use app::error::{AppError, ImportRowError};
pub(crate) use app::eval::*;
pub(crate) use app::org::*;
pub(crate) use app::policy::*;
pub(crate) use app::ports::*;
pub(crate) use app::record::*;
pub(crate) use app::rewards::*;
pub(crate) use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
pub(crate) use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
pub(crate) use serde::{Deserialize, Serialize};

pub(crate) use crate::audit::{self, AuditEvent};
pub(crate) use crate::auth;
pub(crate) use crate::entities::{
    appeal, area, area_opinion, bonus_base, cadre, case, case_note, day_entry, department,
    entry_save, eval_naming, eval_result, eval_revision, ledger_closure, notice, outcome,
    policy_version, quarter_choice, session, sheet, sheet_event, supervision, village,
};
pub(crate) use crate::service::lookups::{PeopleExt, Person, roles_of};
pub(super) use crate::service::record::status_of;
pub(crate) use crate::service::{Change, OrInternal, Service, Stored, clean_text, required_name};
