//! Plain domain types shared by the server and the browser: ids, roles, periods, places and
//! the data the pages show. Names follow `DOMAIN.md`. Validation lives in `parse`
//! constructors so that the same rules run on both sides.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Utc,
};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::AppError;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub i32);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub(crate) use id_type;

id_type!(/// A person on the township's staff.
    CadreId);
id_type!(/// One ten-day record sheet.
    SheetId);
id_type!(/// One day's two lines.
    EntryId);
id_type!(/// A village of an area (片).
    VillageId);
id_type!(/// A department of the township office.
    DepartmentId);
id_type!(/// An area (片), a cluster of villages.
    AreaId);

/// What a person may do in the system; one person may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Keeps a daily record (everybody on staff).
    Cadre,
    /// 分管领导: reads and reviews the sheets of the cadres they supervise.
    Supervisor,
    /// 片长: gives opinions on cadres working in their area.
    AreaChief,
    /// 书记、镇长.
    Principal,
    /// 镇党委.
    Committee,
    /// 党政办: accounts, organisation, archive.
    Office,
    /// 市效能办: read-only spot checks.
    Inspector,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Cadre,
        Role::Supervisor,
        Role::AreaChief,
        Role::Principal,
        Role::Committee,
        Role::Office,
        Role::Inspector,
    ];

    /// The stable code used in the database, CSV files and the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Cadre => "cadre",
            Role::Supervisor => "supervisor",
            Role::AreaChief => "area_chief",
            Role::Principal => "principal",
            Role::Committee => "committee",
            Role::Office => "office",
            Role::Inspector => "inspector",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    /// Parses a list like `cadre,supervisor` (also `;` or `|` separated); unknown codes are errors.
    pub fn parse_list(s: &str) -> Result<Vec<Role>, String> {
        let mut roles = Vec::new();
        for part in s
            .split([',', ';', '|'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let role = Role::from_code(part).ok_or_else(|| part.to_string())?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        roles.sort();
        Ok(roles)
    }

    pub fn join(roles: &[Role]) -> String {
        roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

/// A third of a month: 上旬 (1–10), 中旬 (11–20), 下旬 (21–end).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dekad {
    Early,
    Middle,
    Late,
}

impl Dekad {
    pub fn number(self) -> i32 {
        match self {
            Dekad::Early => 1,
            Dekad::Middle => 2,
            Dekad::Late => 3,
        }
    }

    pub fn from_number(n: i32) -> Option<Dekad> {
        match n {
            1 => Some(Dekad::Early),
            2 => Some(Dekad::Middle),
            3 => Some(Dekad::Late),
            _ => None,
        }
    }

    pub fn of_day(day: u32) -> Dekad {
        match day {
            0..=10 => Dekad::Early,
            11..=20 => Dekad::Middle,
            _ => Dekad::Late,
        }
    }
}

/// The period one sheet covers: (year, month, dekad).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SheetPeriod {
    pub year: i32,
    pub month: u32,
    pub dekad: Dekad,
}

/// Number of days in a month, accounting for leap years.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

impl SheetPeriod {
    /// Builds a period, refusing impossible months.
    pub fn new(year: i32, month: u32, dekad: Dekad) -> Result<Self, AppError> {
        if !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
            return Err(AppError::invalid("period", "bad_period"));
        }
        Ok(SheetPeriod { year, month, dekad })
    }

    /// The period that contains `date`.
    pub fn containing(date: NaiveDate) -> Self {
        SheetPeriod {
            year: date.year(),
            month: date.month(),
            dekad: Dekad::of_day(date.day()),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let d = match self.dekad {
            Dekad::Early => 1,
            Dekad::Middle => 11,
            Dekad::Late => 21,
        };
        NaiveDate::from_ymd_opt(self.year, self.month, d).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        let d = match self.dekad {
            Dekad::Early => 10,
            Dekad::Middle => 20,
            Dekad::Late => days_in_month(self.year, self.month),
        };
        NaiveDate::from_ymd_opt(self.year, self.month, d).unwrap_or(NaiveDate::MIN)
    }

    /// Every day of the period, in order (8 to 11 days).
    pub fn days(self) -> Vec<NaiveDate> {
        let mut out = Vec::with_capacity(11);
        let mut d = self.first_day();
        while d <= self.last_day() {
            out.push(d);
            d = d.succ_opt().unwrap_or(NaiveDate::MAX);
        }
        out
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        SheetPeriod::containing(date) == self
    }

    pub fn next(self) -> Self {
        SheetPeriod::containing(self.last_day().succ_opt().unwrap_or(NaiveDate::MAX))
    }

    pub fn prev(self) -> Self {
        SheetPeriod::containing(self.first_day().pred_opt().unwrap_or(NaiveDate::MIN))
    }

    /// The moment the sheet falls due under `policy` (e.g. 23:59 the day after the dekad ends,
    /// local time), in UTC. Submissions after it are late.
    pub fn due(self, policy: &Policy) -> DateTime<Utc> {
        let day = self.last_day() + Duration::days(i64::from(policy.due_days_after));
        let time = NaiveTime::from_hms_opt(policy.due_hour, policy.due_minute, 59)
            .unwrap_or(NaiveTime::MIN);
        policy
            .tz()
            .from_local_datetime(&day.and_time(time))
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// A compact stable key, e.g. `2026-04-1`.
    pub fn key(self) -> String {
        format!("{}-{:02}-{}", self.year, self.month, self.dekad.number())
    }

    /// Parses the output of [`SheetPeriod::key`].
    pub fn parse_key(s: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("period", "bad_period");
        let mut it = s.split('-');
        let year = it.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let month = it.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let dekad = it
            .next()
            .and_then(|p| p.parse().ok())
            .and_then(Dekad::from_number)
            .ok_or_else(bad)?;
        if it.next().is_some() {
            return Err(bad());
        }
        SheetPeriod::new(year, month, dekad)
    }
}

/// Policy settings that the record rules depend on (DOMAIN.md "Policy defaults").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Policy {
    /// Offset of the township's time zone from UTC, in minutes (Asia/Shanghai: +480, no DST).
    pub tz_offset_minutes: i32,
    /// Days after the dekad's last day on which the sheet is due.
    pub due_days_after: u32,
    pub due_hour: u32,
    pub due_minute: u32,
    /// Maximum characters per line.
    pub max_line_chars: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            tz_offset_minutes: 8 * 60,
            due_days_after: 1,
            due_hour: 23,
            due_minute: 59,
            max_line_chars: 200,
        }
    }
}

impl Policy {
    pub fn tz(&self) -> FixedOffset {
        FixedOffset::east_opt(self.tz_offset_minutes * 60).unwrap_or_else(|| Utc.fix())
    }

    /// The township's calendar date at instant `now`.
    pub fn local_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz()).date_naive()
    }
}

/// Where a day's work was done; evidence for spot checks and liaison work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Office,
    Village,
    Enterprise,
    Away,
}

impl Place {
    pub const ALL: [Place; 4] = [
        Place::Office,
        Place::Village,
        Place::Enterprise,
        Place::Away,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Place::Office => "office",
            Place::Village => "village",
            Place::Enterprise => "enterprise",
            Place::Away => "away",
        }
    }

    pub fn from_code(code: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Checks one line of the record: not blank, at most `max` characters, one line.
pub fn validate_line(field: &str, text: &str, max: usize) -> Result<String, AppError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AppError::invalid(field, "empty"));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::invalid(field, "too_long"));
    }
    if trimmed.contains(['\n', '\r']) {
        return Err(AppError::invalid(field, "one_line"));
    }
    Ok(trimmed.to_string())
}

/// A request to save one day's two lines. `client_id` is generated by the client so that a
/// repeated save (double click, retry, offline outbox) is applied once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct EntryInput {
    pub client_id: String,
    pub day: NaiveDate,
    pub work: String,
    pub outcome: String,
    pub place: Place,
    #[serde(default)]
    pub village_id: Option<VillageId>,
    #[serde(default)]
    pub place_note: Option<String>,
}

impl EntryInput {
    /// Validates the parts that need no database: id shape, lines, place details.
    pub fn validate(mut self, policy: &Policy) -> Result<Self, AppError> {
        let id_ok = (8..=64).contains(&self.client_id.len())
            && self
                .client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(AppError::invalid("client_id", "bad_client_id"));
        }
        self.work = validate_line("work", &self.work, policy.max_line_chars)?;
        self.outcome = validate_line("outcome", &self.outcome, policy.max_line_chars)?;
        self.place_note = match self.place_note.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(n) if n.chars().count() > 100 => {
                return Err(AppError::invalid("place_note", "too_long"));
            }
            Some(n) => Some(n.to_string()),
        };
        match self.place {
            Place::Village if self.village_id.is_none() => {
                return Err(AppError::invalid("village_id", "village_required"));
            }
            Place::Village => {}
            _ => self.village_id = None,
        }
        if matches!(self.place, Place::Enterprise | Place::Away) && self.place_note.is_none() {
            return Err(AppError::invalid("place_note", "place_note_required"));
        }
        Ok(self)
    }
}

/// The stored state of a sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SheetStatus {
    Draft,
    Submitted,
    Returned,
    Reviewed,
}

impl SheetStatus {
    pub fn code(self) -> &'static str {
        match self {
            SheetStatus::Draft => "draft",
            SheetStatus::Submitted => "submitted",
            SheetStatus::Returned => "returned",
            SheetStatus::Reviewed => "reviewed",
        }
    }

    pub fn from_code(code: &str) -> Option<SheetStatus> {
        [
            SheetStatus::Draft,
            SheetStatus::Submitted,
            SheetStatus::Returned,
            SheetStatus::Reviewed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// The cadre may still write in a sheet in this state.
    pub fn is_open(self) -> bool {
        matches!(self, SheetStatus::Draft | SheetStatus::Returned)
    }
}

/// What a person sees as a sheet's state: the stored status plus lateness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SheetState {
    /// Open, not yet due.
    Draft,
    /// Open and past its due time.
    Overdue,
    /// Submitted on time, not yet read.
    Submitted,
    /// Submitted after the due time, not yet read.
    Late,
    /// Sent back to the cadre with a reason.
    Returned,
    /// Read by the supervising leader.
    Reviewed,
}

impl SheetState {
    pub fn derive(status: SheetStatus, late: bool, overdue: bool) -> SheetState {
        match status {
            SheetStatus::Draft if overdue => SheetState::Overdue,
            SheetStatus::Draft => SheetState::Draft,
            SheetStatus::Submitted if late => SheetState::Late,
            SheetStatus::Submitted => SheetState::Submitted,
            SheetStatus::Returned => SheetState::Returned,
            SheetStatus::Reviewed => SheetState::Reviewed,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SheetState::Draft => "draft",
            SheetState::Overdue => "overdue",
            SheetState::Submitted => "submitted",
            SheetState::Late => "late",
            SheetState::Returned => "returned",
            SheetState::Reviewed => "reviewed",
        }
    }
}

/// Which open sheets a cadre may still write in, given today's local date: the current dekad
/// and the previous one (until it is submitted), and any sheet returned to them. Future days
/// never.
pub fn day_is_writable(day: NaiveDate, today: NaiveDate, status: SheetStatus) -> bool {
    if day > today || !status.is_open() {
        return false;
    }
    if status == SheetStatus::Returned {
        return true;
    }
    let current = SheetPeriod::containing(today);
    let period = SheetPeriod::containing(day);
    period == current || period == current.prev()
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Me {
    pub id: CadreId,
    pub username: String,
    pub name: String,
    pub department: String,
    pub roles: Vec<Role>,
}

impl Me {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Principals, the committee and the office see every sheet.
    pub fn sees_all_sheets(&self) -> bool {
        self.has(Role::Principal) || self.has(Role::Committee) || self.has(Role::Office)
    }
}

/// A village one can pick as the place of work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct VillageOption {
    pub id: VillageId,
    pub name: String,
    pub area: String,
}

/// One day's row as shown in a sheet or the Today form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DayEntryView {
    pub id: EntryId,
    pub day: NaiveDate,
    pub work: String,
    pub outcome: String,
    pub place: Place,
    pub village_id: Option<VillageId>,
    pub village: Option<String>,
    pub place_note: Option<String>,
    /// When it was first written (UTC).
    pub written_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of a sheet: a day, whether it can still be written, and its entry if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SheetDay {
    pub day: NaiveDate,
    pub writable: bool,
    pub entry: Option<DayEntryView>,
}

/// An event in a sheet's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SheetEventView {
    pub kind: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// A short line about a sheet for lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SheetSummary {
    pub id: Option<SheetId>,
    pub cadre_id: CadreId,
    pub cadre: String,
    pub department: String,
    pub period: SheetPeriod,
    pub state: SheetState,
    pub days_written: u32,
    pub days_total: u32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub due: DateTime<Utc>,
}

/// A whole sheet with its rows and history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct SheetView {
    pub summary: SheetSummary,
    pub days: Vec<SheetDay>,
    pub history: Vec<SheetEventView>,
    pub review_comment: Option<String>,
    pub reviewer: Option<String>,
    pub supervisor: Option<String>,
    /// What the viewer may do now.
    pub can_submit: bool,
    pub can_review: bool,
}

/// The *Today* screen's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct TodayView {
    pub today: NaiveDate,
    pub day: NaiveDate,
    pub writable: bool,
    pub entry: Option<DayEntryView>,
    pub villages: Vec<VillageOption>,
    pub sheet: SheetSummary,
    /// Days of the open sheets that are still empty and writable.
    pub missing_days: Vec<NaiveDate>,
    /// A fresh idempotency key for the next save.
    pub client_id: String,
}

/// One row of a supervising leader's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct InboxRow {
    pub sheet: SheetSummary,
}

/// A supervising leader's inbox for one dekad.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct InboxView {
    pub period: SheetPeriod,
    pub rows: Vec<InboxRow>,
}

/// Archive search criteria; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ArchiveQuery {
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub page: u32,
}

/// One archive hit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ArchiveHit {
    pub sheet: SheetSummary,
    /// A matching line, when searching by text.
    pub snippet: Option<String>,
}

/// A page of archive hits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ArchivePage {
    pub hits: Vec<ArchiveHit>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

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
    pub chief_id: Option<CadreId>,
    pub chief: Option<String>,
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
    pub supervisor: Option<String>,
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

/// Minimum password length for accounts.
pub const MIN_PASSWORD_CHARS: usize = 8;

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

/// A CSV row that was not imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ImportRowError {
    /// 1-based line number in the file, counting the header.
    pub line: u32,
    pub field: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dekads_split_months_including_february_and_leap_years() {
        let cases = [
            (d(2026, 1, 31), Dekad::Late, 21, 31, 11),
            (d(2026, 2, 28), Dekad::Late, 21, 28, 8),
            (d(2028, 2, 29), Dekad::Late, 21, 29, 9),
            (d(2100, 2, 21), Dekad::Late, 21, 28, 8),
            (d(2026, 4, 30), Dekad::Late, 21, 30, 10),
            (d(2026, 4, 10), Dekad::Early, 1, 10, 10),
            (d(2026, 4, 11), Dekad::Middle, 11, 20, 10),
            (d(2026, 4, 20), Dekad::Middle, 11, 20, 10),
        ];
        for (date, dekad, first, last, n) in cases {
            let p = SheetPeriod::containing(date);
            assert_eq!(p.dekad, dekad, "{date}");
            assert_eq!(p.first_day().day(), first, "{date}");
            assert_eq!(p.last_day().day(), last, "{date}");
            assert_eq!(p.days().len(), n, "{date}");
            assert!(p.contains(date));
        }
    }

    #[test]
    fn next_and_prev_cross_month_and_year_ends() {
        let p = SheetPeriod::containing(d(2026, 12, 25));
        assert_eq!(p.next(), SheetPeriod::containing(d(2027, 1, 1)));
        assert_eq!(p.next().prev(), p);
        let q = SheetPeriod::containing(d(2026, 3, 2));
        assert_eq!(q.prev(), SheetPeriod::containing(d(2026, 2, 28)));
    }

    #[test]
    fn due_is_2359_shanghai_the_day_after_the_dekad() {
        let policy = Policy::default();
        let p = SheetPeriod::containing(d(2026, 4, 5));
        // 2026-04-11 23:59:59 +08:00 == 15:59:59 UTC.
        assert_eq!(p.due(&policy).to_rfc3339(), "2026-04-11T15:59:59+00:00");
        // Late dekad of February in a leap year: due on 1 March.
        let f = SheetPeriod::containing(d(2028, 2, 25));
        assert_eq!(f.due(&policy).to_rfc3339(), "2028-03-01T15:59:59+00:00");
        // Year end: due on 1 January.
        let y = SheetPeriod::containing(d(2026, 12, 31));
        assert_eq!(y.due(&policy).to_rfc3339(), "2027-01-01T15:59:59+00:00");
    }

    #[test]
    fn local_date_uses_township_time_zone() {
        let policy = Policy::default();
        let t = DateTime::parse_from_rfc3339("2026-04-10T16:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(policy.local_date(t), d(2026, 4, 11));
    }

    #[test]
    fn period_keys_round_trip_and_reject_garbage() {
        let p = SheetPeriod::containing(d(2026, 4, 15));
        assert_eq!(SheetPeriod::parse_key(&p.key()).unwrap(), p);
        for bad in ["", "2026", "2026-13-1", "2026-04-4", "x-y-z", "2026-04-1-1"] {
            assert!(SheetPeriod::parse_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lines_are_trimmed_bounded_and_single() {
        assert_eq!(validate_line("work", "  走访 ", 200).unwrap(), "走访");
        assert!(validate_line("work", "   ", 200).is_err());
        let long: String = "字".repeat(201);
        assert!(validate_line("work", &long, 200).is_err());
        let exact: String = "字".repeat(200);
        assert!(validate_line("work", &exact, 200).is_ok());
        assert!(validate_line("work", "a\nb", 200).is_err());
    }

    #[test]
    fn entry_input_requires_place_details() {
        let base = EntryInput {
            client_id: "abcdef1234".into(),
            day: d(2026, 4, 1),
            work: "走访".into(),
            outcome: "解决问题".into(),
            place: Place::Village,
            village_id: None,
            place_note: None,
        };
        let p = Policy::default();
        assert!(base.clone().validate(&p).is_err());
        let ok = EntryInput {
            village_id: Some(VillageId(1)),
            ..base.clone()
        };
        assert!(ok.validate(&p).is_ok());
        let ent = EntryInput {
            place: Place::Enterprise,
            ..base.clone()
        };
        assert!(ent.validate(&p).is_err());
        let short_id = EntryInput {
            client_id: "x".into(),
            place: Place::Office,
            ..base
        };
        assert!(short_id.validate(&p).is_err());
    }

    #[test]
    fn writable_days_follow_the_open_dekads() {
        let today = d(2026, 4, 12);
        assert!(day_is_writable(d(2026, 4, 12), today, SheetStatus::Draft));
        assert!(day_is_writable(d(2026, 4, 11), today, SheetStatus::Draft));
        assert!(day_is_writable(d(2026, 4, 3), today, SheetStatus::Draft));
        assert!(!day_is_writable(d(2026, 4, 13), today, SheetStatus::Draft));
        assert!(!day_is_writable(d(2026, 3, 25), today, SheetStatus::Draft));
        assert!(day_is_writable(
            d(2026, 3, 25),
            today,
            SheetStatus::Returned
        ));
        assert!(!day_is_writable(
            d(2026, 4, 11),
            today,
            SheetStatus::Submitted
        ));
    }

    proptest::proptest! {
        /// Every day from 2000 to 2100 lies in exactly one dekad of 8–11 days, and the
        /// dekads tile the calendar without gaps.
        #[test]
        fn dekads_tile_the_calendar(offset in 0i64..36_500) {
            let date = d(2000, 1, 1) + Duration::days(offset);
            let p = SheetPeriod::containing(date);
            proptest::prop_assert!(p.first_day() <= date && date <= p.last_day());
            proptest::prop_assert!((8..=11).contains(&p.days().len()));
            proptest::prop_assert_eq!(p.next().first_day(), p.last_day() + Duration::days(1));
            proptest::prop_assert_eq!(p.next().prev(), p);
            proptest::prop_assert!(p.due(&Policy::default()) > p.last_day().and_hms_opt(23, 59, 0).unwrap().and_utc());
        }
    }

    #[test]
    fn roles_parse_from_lists() {
        assert_eq!(
            Role::parse_list("supervisor, cadre").unwrap(),
            vec![Role::Cadre, Role::Supervisor]
        );
        assert_eq!(Role::parse_list("cadre;boss").unwrap_err(), "boss");
    }
}
