//! The three evaluations (三评, DOMAIN.md): area-chief opinions, monthly picks, the quarterly
//! re-evaluation and appeals. Types shared by server and browser, and the rules as pure
//! functions so they can be tested without a database.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::id_type;
use crate::domain::*;
use crate::error::AppError;

id_type!(/// A monthly pick or a quarterly result.
    ResultId);
id_type!(/// One person named best or worst in a result.
    NamingId);
id_type!(/// An appeal (复评申请).
    AppealId);
id_type!(/// An area chief's opinion (片长意见).
    OpinionId);

/// Best or worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    Best,
    Worst,
}

impl PickKind {
    pub fn code(self) -> &'static str {
        match self {
            PickKind::Best => "best",
            PickKind::Worst => "worst",
        }
    }
    pub fn from_code(s: &str) -> Option<PickKind> {
        match s {
            "best" => Some(PickKind::Best),
            "worst" => Some(PickKind::Worst),
            _ => None,
        }
    }
}

/// A calendar month, keyed `2026-04`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Month, AppError> {
        if !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
            return Err(AppError::invalid("month", "bad_period"));
        }
        Ok(Month { year, month })
    }
    pub fn containing(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, days_in_month(self.year, self.month))
            .unwrap_or(NaiveDate::MIN)
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
    /// The three sheets' periods of the month.
    pub fn periods(self) -> [SheetPeriod; 3] {
        [Dekad::Early, Dekad::Middle, Dekad::Late].map(|dekad| SheetPeriod {
            year: self.year,
            month: self.month,
            dekad,
        })
    }
    pub fn quarter(self) -> Quarter {
        Quarter {
            year: self.year,
            quarter: (self.month - 1) / 3 + 1,
        }
    }
    pub fn key(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }
    pub fn parse_key(s: &str) -> Result<Month, AppError> {
        let bad = || AppError::invalid("month", "bad_period");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }
    /// 23:59:59 local time on `day` of the following month (clamped to its length).
    pub fn deadline_in_next_month(self, day: u32, policy: &Policy) -> DateTime<Utc> {
        let n = self.next();
        let day = day.clamp(1, days_in_month(n.year, n.month));
        end_of_local_day(
            NaiveDate::from_ymd_opt(n.year, n.month, day).unwrap_or(NaiveDate::MAX),
            policy,
        )
    }
}

/// A quarter, keyed `2026-Q2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Quarter {
    pub year: i32,
    pub quarter: u32,
}

impl Quarter {
    pub fn new(year: i32, quarter: u32) -> Result<Quarter, AppError> {
        if !(1..=4).contains(&quarter) || !(2000..=2100).contains(&year) {
            return Err(AppError::invalid("quarter", "bad_period"));
        }
        Ok(Quarter { year, quarter })
    }
    pub fn months(self) -> [Month; 3] {
        let first = (self.quarter - 1) * 3 + 1;
        [0, 1, 2].map(|i| Month {
            year: self.year,
            month: first + i,
        })
    }
    pub fn last_month(self) -> Month {
        self.months()[2]
    }
    pub fn prev(self) -> Quarter {
        if self.quarter == 1 {
            Quarter {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }
    pub fn next(self) -> Quarter {
        if self.quarter == 4 {
            Quarter {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }
    pub fn key(self) -> String {
        format!("{}-Q{}", self.year, self.quarter)
    }
    pub fn parse_key(s: &str) -> Result<Quarter, AppError> {
        let bad = || AppError::invalid("quarter", "bad_period");
        let (y, q) = s.trim().split_once("-Q").ok_or_else(bad)?;
        Quarter::new(y.parse().map_err(|_| bad())?, q.parse().map_err(|_| bad())?)
    }
}

/// 23:59:59 local time on `day`, in UTC.
pub fn end_of_local_day(day: NaiveDate, policy: &Policy) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    policy
        .tz()
        .from_local_datetime(&day.and_time(t))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The evaluation policy (DOMAIN.md "Policy defaults"). Stored with a version; every result
/// records the version it was made under, and a change never rewrites past results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct EvalPolicy {
    /// Best picks per supervising leader per month.
    pub monthly_best: u32,
    /// Worst picks per supervising leader per month.
    pub monthly_worst: u32,
    /// Area-chief opinions are due on this day of the next month (23:59).
    pub opinion_due_day: u32,
    /// Monthly picks are due on this day of the next month (23:59).
    pub pick_due_day: u32,
    /// Highest rating an area chief may give (ratings run 1..=this).
    pub rating_max: u32,
    /// Best workers chosen per quarter from the pool.
    pub quarterly_best: u32,
    /// Worst workers chosen per quarter from the pool.
    pub quarterly_worst: u32,
    /// The quarterly decision is due on this day of the month after the quarter (23:59).
    pub quarter_due_day: u32,
    /// The role whose members decide the quarter.
    pub deciding_role: Role,
    /// How many of them must confirm the same lists.
    pub confirmations_required: u32,
    /// Days after publication during which a named cadre may appeal.
    pub appeal_window_days: u32,
    /// Days within which the committee must answer an appeal.
    pub appeal_answer_days: u32,
    /// Count answer days as working days (Monday–Friday) instead of calendar days.
    pub appeal_working_days: bool,
    /// The rules of the rewards and penalties (三奖惩). Absent in policy versions written
    /// before they existed, which then read as the defaults.
    #[serde(default)]
    pub outcomes: crate::rewards::OutcomePolicy,
}

impl Default for EvalPolicy {
    fn default() -> Self {
        EvalPolicy {
            monthly_best: 1,
            monthly_worst: 1,
            opinion_due_day: 3,
            pick_due_day: 5,
            rating_max: 5,
            quarterly_best: 5,
            quarterly_worst: 3,
            quarter_due_day: 15,
            deciding_role: Role::Principal,
            confirmations_required: 2,
            appeal_window_days: 10,
            appeal_answer_days: 5,
            appeal_working_days: false,
            outcomes: crate::rewards::OutcomePolicy::default(),
        }
    }
}

impl EvalPolicy {
    /// Checks that the settings make sense together.
    pub fn validate(&self) -> Result<(), AppError> {
        let check = |ok: bool, field: &str| {
            if ok {
                Ok(())
            } else {
                Err(AppError::invalid(field, "out_of_range"))
            }
        };
        check(self.monthly_best <= 5, "monthly_best")?;
        check(self.monthly_worst <= 5, "monthly_worst")?;
        check(self.monthly_best + self.monthly_worst >= 1, "monthly_best")?;
        check((1..=28).contains(&self.opinion_due_day), "opinion_due_day")?;
        check((1..=28).contains(&self.pick_due_day), "pick_due_day")?;
        check(self.opinion_due_day <= self.pick_due_day, "opinion_due_day")?;
        check((2..=10).contains(&self.rating_max), "rating_max")?;
        check(self.quarterly_best <= 24, "quarterly_best")?;
        check(self.quarterly_worst <= 24, "quarterly_worst")?;
        check(
            self.quarterly_best + self.quarterly_worst >= 1,
            "quarterly_best",
        )?;
        check((1..=28).contains(&self.quarter_due_day), "quarter_due_day")?;
        // Deciders see every leader's picks before publication and the committee answers
        // appeals against the decision, so only the principals may decide.
        check(self.deciding_role == Role::Principal, "deciding_role")?;
        check(
            (1..=5).contains(&self.confirmations_required),
            "confirmations_required",
        )?;
        check(
            (1..=60).contains(&self.appeal_window_days),
            "appeal_window_days",
        )?;
        check(
            (1..=30).contains(&self.appeal_answer_days),
            "appeal_answer_days",
        )?;
        self.outcomes.validate()
    }

    pub fn opinion_due(&self, m: Month, p: &Policy) -> DateTime<Utc> {
        m.deadline_in_next_month(self.opinion_due_day, p)
    }

    pub fn pick_due(&self, m: Month, p: &Policy) -> DateTime<Utc> {
        m.deadline_in_next_month(self.pick_due_day, p)
    }

    pub fn quarter_due(&self, q: Quarter, p: &Policy) -> DateTime<Utc> {
        q.last_month()
            .deadline_in_next_month(self.quarter_due_day, p)
    }

    /// The last moment a named cadre may appeal a result published at `published`.
    pub fn appeal_window_closes(&self, published: DateTime<Utc>, p: &Policy) -> DateTime<Utc> {
        let day = p.local_date(published) + Duration::days(i64::from(self.appeal_window_days));
        end_of_local_day(day, p)
    }

    /// When the committee's answer to an appeal filed at `filed` falls due.
    pub fn appeal_due(&self, filed: DateTime<Utc>, p: &Policy) -> DateTime<Utc> {
        let mut day = p.local_date(filed);
        if self.appeal_working_days {
            let mut left = self.appeal_answer_days;
            while left > 0 {
                day = day.succ_opt().unwrap_or(NaiveDate::MAX);
                if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    left -= 1;
                }
            }
        } else {
            day += Duration::days(i64::from(self.appeal_answer_days));
        }
        end_of_local_day(day, p)
    }
}

/// A policy version as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PolicyVersion {
    pub version: i32,
    pub policy: EvalPolicy,
    pub note: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The current policy and every earlier version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PolicyHistory {
    pub current: PolicyVersion,
    pub versions: Vec<PolicyVersion>,
}

// ---------------------------------------------------------------------------------------
// Inputs

/// One person named in a monthly pick, with the reason and the entries it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PickLine {
    pub cadre: CadreId,
    pub reason: String,
    pub citations: Vec<EntryId>,
}

/// A supervising leader's monthly pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MonthlyPickInput {
    /// `2026-04`.
    pub month: String,
    pub best: Vec<PickLine>,
    pub worst: Vec<PickLine>,
    /// The leader knowingly picks while some of the month's sheets are not in.
    #[serde(default)]
    pub confirm_missing: bool,
}

/// Maximum characters of a reason, ground, answer or opinion.
pub const MAX_REASON_CHARS: usize = 500;

/// Trims a required free text and bounds it.
pub fn required_text(field: &str, text: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, "reason_required"));
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(field, "too_long"));
    }
    Ok(t.to_string())
}

/// The rules of a monthly pick that need no database: quota, own cadres only, nobody both
/// best and worst (or twice), a reason for each, and at least one citation of that person's
/// entries of the month. `entry_owner` maps the month's entries to their cadre.
pub fn check_monthly_pick(
    policy: &EvalPolicy,
    eligible: &HashSet<CadreId>,
    entry_owner: &HashMap<EntryId, CadreId>,
    best: &[PickLine],
    worst: &[PickLine],
) -> Result<(), AppError> {
    // Quotas cannot exceed the number of cadres (a leader with one cadre picks no worst).
    let n = eligible.len() as u32;
    let want_best = policy.monthly_best.min(n);
    let want_worst = policy.monthly_worst.min(n.saturating_sub(want_best));
    if best.len() as u32 != want_best {
        return Err(AppError::invalid("best", "wrong_count"));
    }
    if worst.len() as u32 != want_worst {
        return Err(AppError::invalid("worst", "wrong_count"));
    }
    let mut seen = HashSet::new();
    for (field, line) in best
        .iter()
        .map(|l| ("best", l))
        .chain(worst.iter().map(|l| ("worst", l)))
    {
        if !eligible.contains(&line.cadre) {
            return Err(AppError::invalid(field, "not_your_cadre"));
        }
        if !seen.insert(line.cadre) {
            return Err(AppError::invalid(field, "picked_twice"));
        }
        required_text("reason", &line.reason)?;
        if line.citations.is_empty() {
            return Err(AppError::invalid("citations", "citation_required"));
        }
        let mut cited = HashSet::new();
        for e in &line.citations {
            if entry_owner.get(e) != Some(&line.cadre) || !cited.insert(*e) {
                return Err(AppError::invalid("citations", "bad_citation"));
            }
        }
    }
    Ok(())
}

/// One monthly naming in the quarter's pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PoolPick {
    pub naming: NamingId,
    pub result: ResultId,
    pub month: Month,
    pub supervisor: String,
    pub reason: String,
    pub citations: Vec<CitationView>,
    pub under_appeal: bool,
}

/// A person of the pool with every pick that put them there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PoolPerson {
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub picks: Vec<PoolPick>,
    pub opinions: Vec<OpinionView>,
}

/// Groups picks by person (someone picked twice counts once), keeping the order in which
/// people first appear. Pure; used for both the best and the worst pool.
pub fn group_pool(picks: Vec<(CadreId, PoolPick)>) -> Vec<(CadreId, Vec<PoolPick>)> {
    let mut order: Vec<CadreId> = Vec::new();
    let mut by: BTreeMap<CadreId, Vec<PoolPick>> = BTreeMap::new();
    for (c, p) in picks {
        if !by.contains_key(&c) {
            order.push(c);
        }
        by.entry(c).or_default().push(p);
    }
    order
        .into_iter()
        .map(|c| {
            let v = by.remove(&c).unwrap_or_default();
            (c, v)
        })
        .collect()
}

/// The rules of a quarterly choice: only people in the matching pool, nobody twice or in
/// both lists, and exactly the policy numbers — or fewer when the pool is smaller. Someone
/// in both pools can be named only once, so the worst count is measured against the worst
/// pool without the people chosen best.
pub fn check_quarter_choice(
    policy: &EvalPolicy,
    best_pool: &HashSet<CadreId>,
    worst_pool: &HashSet<CadreId>,
    best: &[CadreId],
    worst: &[CadreId],
) -> Result<(), AppError> {
    if best_pool.is_empty() && worst_pool.is_empty() {
        return Err(AppError::conflict("pool_empty"));
    }
    let mut seen = HashSet::new();
    for c in best {
        if !best_pool.contains(c) {
            return Err(AppError::invalid("best", "not_in_pool"));
        }
        if !seen.insert(*c) {
            return Err(AppError::invalid("best", "picked_twice"));
        }
    }
    for c in worst {
        if !worst_pool.contains(c) {
            return Err(AppError::invalid("worst", "not_in_pool"));
        }
        if !seen.insert(*c) {
            return Err(AppError::invalid("worst", "picked_twice"));
        }
    }
    let want_best = (policy.quarterly_best as usize).min(best_pool.len());
    let left_worst = worst_pool.iter().filter(|c| !best.contains(c)).count();
    let want_worst = (policy.quarterly_worst as usize).min(left_worst);
    if best.len() != want_best {
        return Err(AppError::invalid("best", "wrong_count"));
    }
    if worst.len() != want_worst {
        return Err(AppError::invalid("worst", "wrong_count"));
    }
    Ok(())
}

/// Normalises a list for comparison (order does not matter).
pub fn same_list(a: &[CadreId], b: &[CadreId]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

// ---------------------------------------------------------------------------------------
// Views

/// A cited entry, linking to its sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CitationView {
    pub entry: EntryId,
    pub sheet: SheetId,
    pub day: NaiveDate,
    pub work: String,
    pub outcome: String,
}

/// An area chief's opinion on a cadre for a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OpinionView {
    pub id: OpinionId,
    pub cadre: CadreId,
    pub month: Month,
    pub author_id: CadreId,
    pub author: String,
    pub text: String,
    pub rating: Option<u32>,
    pub written_at: DateTime<Utc>,
    /// Written after the opinion deadline.
    pub late: bool,
    /// Earlier versions replaced by this one.
    pub revisions: u32,
}

/// One sheet of a month at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct GlanceSheet {
    pub period: SheetPeriod,
    pub sheet: Option<SheetId>,
    pub state: SheetState,
    pub days_written: u32,
    pub days_total: u32,
}

/// A cadre's month at a glance: the three sheets and where the work was done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MonthGlance {
    pub sheets: Vec<GlanceSheet>,
    /// Days per place (office, village, enterprise, away).
    pub places: Vec<(Place, u32)>,
    /// Sheets of the month not (yet) submitted.
    pub missing: u32,
}

/// A row of the area chief's opinion screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OpinionRow {
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub area: String,
    pub glance: MonthGlance,
    pub opinion: Option<OpinionView>,
}

/// The area chief's screen for a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OpinionSheet {
    pub month: Month,
    pub due: DateTime<Utc>,
    pub rating_max: u32,
    pub rows: Vec<OpinionRow>,
}

/// An entry a leader may cite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CiteOption {
    pub entry: EntryId,
    pub sheet: SheetId,
    pub day: NaiveDate,
    pub work: String,
    pub outcome: String,
    pub place: Place,
}

/// An earlier naming of the same person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PastPick {
    pub month: Month,
    pub kind: PickKind,
}

/// A cadre on the pick screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PickCandidate {
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub glance: MonthGlance,
    pub opinions: Vec<OpinionView>,
    pub past: Vec<PastPick>,
    pub entries: Vec<CiteOption>,
}

/// A supervising leader's pick screen for a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PickBoard {
    pub month: Month,
    pub due: DateTime<Utc>,
    pub policy_version: i32,
    pub want_best: u32,
    pub want_worst: u32,
    pub candidates: Vec<PickCandidate>,
    /// Sheets of the month not yet submitted, over all candidates.
    pub missing_sheets: u32,
    /// The submitted pick, once made (then locked).
    pub result: Option<ResultView>,
}

/// Monthly pick or quarterly result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    Monthly,
    Quarterly,
}

/// A person named in a result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NamingView {
    pub id: NamingId,
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub kind: PickKind,
    pub reason: String,
    pub citations: Vec<CitationView>,
    /// Revision in which the naming was added / withdrawn (history is kept).
    pub added_in: i32,
    pub removed_in: Option<i32>,
    pub under_appeal: bool,
}

/// One publication of a result (the first, and each change after an appeal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RevisionView {
    pub revision: i32,
    pub at: DateTime<Utc>,
    pub by: String,
    pub note: String,
    pub appeal: Option<AppealId>,
}

/// A monthly pick or quarterly result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ResultView {
    pub id: ResultId,
    pub kind: ResultKind,
    /// `2026-04` or `2026-Q2`.
    pub period: String,
    /// The supervising leader of a monthly pick.
    pub owner: Option<String>,
    pub policy_version: i32,
    pub made_at: DateTime<Utc>,
    /// Made after its deadline.
    pub late: bool,
    pub published_at: Option<DateTime<Utc>>,
    /// Published by now (a monthly pick is published at its deadline).
    pub published: bool,
    pub revision: i32,
    pub missing_confirmed: bool,
    pub missing_sheets: u32,
    /// Current and withdrawn namings (see `removed_in`).
    pub names: Vec<NamingView>,
    pub history: Vec<RevisionView>,
    pub under_appeal: bool,
}

/// A principal's choice (preliminary or confirming).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChoiceView {
    pub principal: String,
    pub principal_id: CadreId,
    pub confirm: bool,
    pub best: Vec<CadreId>,
    pub worst: Vec<CadreId>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Whether a leader has picked a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LeaderPickState {
    pub leader: String,
    pub month: Month,
    pub state: StepState,
    pub result: Option<ResultId>,
}

/// The principals' quarterly pool page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PoolView {
    pub quarter: Quarter,
    pub due: DateTime<Utc>,
    pub policy_version: i32,
    pub want_best: u32,
    pub want_worst: u32,
    /// Every month is picked or past its deadline: choices may be made.
    pub ready: bool,
    pub leaders: Vec<LeaderPickState>,
    pub best: Vec<PoolPerson>,
    pub worst: Vec<PoolPerson>,
    pub my_choice: Option<ChoiceView>,
    /// Other deciders' choices: shown once the viewer has recorded their own.
    pub other_choices: Vec<ChoiceView>,
    pub result: Option<ResultView>,
}

/// Appeal decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppealOutcome {
    /// The result stands.
    Uphold,
    /// The naming is withdrawn.
    Overturn,
    /// The naming is withdrawn and another person from the pool is named instead.
    Change,
}

impl AppealOutcome {
    pub fn code(self) -> &'static str {
        match self {
            AppealOutcome::Uphold => "upheld",
            AppealOutcome::Overturn => "overturned",
            AppealOutcome::Change => "changed",
        }
    }
}

/// An appeal's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    Open,
    Upheld,
    Overturned,
    Changed,
}

impl AppealStatus {
    pub fn code(self) -> &'static str {
        match self {
            AppealStatus::Open => "open",
            AppealStatus::Upheld => "upheld",
            AppealStatus::Overturned => "overturned",
            AppealStatus::Changed => "changed",
        }
    }
    pub fn from_code(s: &str) -> AppealStatus {
        match s {
            "upheld" => AppealStatus::Upheld,
            "overturned" => AppealStatus::Overturned,
            "changed" => AppealStatus::Changed,
            _ => AppealStatus::Open,
        }
    }
}

/// An appeal as shown to the appellant, the committee and the principals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AppealView {
    pub id: AppealId,
    pub result: ResultId,
    pub result_kind: ResultKind,
    pub period: String,
    pub naming: NamingId,
    pub cadre: String,
    pub kind: PickKind,
    pub ground: String,
    pub filed_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub status: AppealStatus,
    /// Open past its due time.
    pub overdue: bool,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub replacement: Option<String>,
    /// Who may be named instead (committee only, open appeals).
    #[serde(default)]
    pub candidates: Vec<(CadreId, String)>,
}

/// Appeals visible to the viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AppealList {
    pub now: DateTime<Utc>,
    pub open: Vec<AppealView>,
    pub decided: Vec<AppealView>,
    pub can_answer: bool,
}

/// A published result naming the viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MyNaming {
    pub result: ResultId,
    pub result_kind: ResultKind,
    pub period: String,
    pub naming: NamingId,
    pub kind: PickKind,
    pub reason: String,
    pub published_at: DateTime<Utc>,
    pub withdrawn: bool,
    pub appeal_until: DateTime<Utc>,
    pub can_appeal: bool,
    pub appeals: Vec<AppealView>,
}

/// State of a calendar step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not yet due, not done.
    Pending,
    Done,
    /// Done after its due time.
    Late,
    /// Past due and not done.
    Overdue,
}

impl StepState {
    /// Derives a step's state from whether it is done, when, and the clock.
    pub fn derive(
        done_at: Option<DateTime<Utc>>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StepState {
        match done_at {
            Some(t) if t > due => StepState::Late,
            Some(_) => StepState::Done,
            None if now > due => StepState::Overdue,
            None => StepState::Pending,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Done => "done",
            StepState::Late => "late",
            StepState::Overdue => "overdue",
        }
    }
}

/// One step of the evaluation calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CalendarStep {
    /// `sheets`, `opinions`, `picks`, `quarter_decision`, `publication`, `appeals`.
    pub step: String,
    pub period: String,
    pub due: Option<DateTime<Utc>>,
    pub state: StepState,
    pub done: u32,
    pub total: u32,
    /// Who is behind (shown to principals, committee and office).
    pub behind: Vec<String>,
}

/// The evaluation calendar for a month and its quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CalendarView {
    pub month: Month,
    pub quarter: Quarter,
    pub now: DateTime<Utc>,
    pub steps: Vec<CalendarStep>,
}

/// Something due from the viewer, for the home screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Reminder {
    /// `opinions`, `pick`, `quarter`, `publish`, `answer_appeal`, `appeal_window`.
    pub what: String,
    pub period: String,
    pub due: DateTime<Utc>,
    pub overdue: bool,
    pub count: u32,
    pub href: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn line(c: i32, entries: &[i32]) -> PickLine {
        PickLine {
            cadre: CadreId(c),
            reason: "理由".into(),
            citations: entries.iter().map(|e| EntryId(*e)).collect(),
        }
    }

    #[test]
    fn monthly_pick_rules_table() {
        let p = EvalPolicy::default();
        let eligible: HashSet<CadreId> = [1, 2, 3].map(CadreId).into();
        let owner: HashMap<EntryId, CadreId> = [(10, 1), (11, 1), (20, 2), (30, 3)]
            .map(|(e, c)| (EntryId(e), CadreId(c)))
            .into();
        let reason = |r: Result<(), AppError>| match r {
            Ok(()) => "ok".to_string(),
            Err(AppError::Invalid { reason, .. }) => reason,
            Err(e) => format!("{e}"),
        };
        let empty_reason = PickLine {
            reason: "  ".into(),
            ..line(1, &[10])
        };
        let cases: Vec<(Vec<PickLine>, Vec<PickLine>, &str)> = vec![
            (vec![line(1, &[10])], vec![line(2, &[20])], "ok"),
            (vec![line(1, &[10, 11])], vec![line(3, &[30])], "ok"),
            (vec![], vec![line(2, &[20])], "wrong_count"),
            (
                vec![line(1, &[10]), line(3, &[30])],
                vec![line(2, &[20])],
                "wrong_count",
            ),
            (vec![line(1, &[10])], vec![], "wrong_count"),
            (vec![line(1, &[10])], vec![line(1, &[11])], "picked_twice"),
            (vec![line(9, &[10])], vec![line(2, &[20])], "not_your_cadre"),
            (vec![empty_reason], vec![line(2, &[20])], "reason_required"),
            (
                vec![line(1, &[])],
                vec![line(2, &[20])],
                "citation_required",
            ),
            (vec![line(1, &[20])], vec![line(2, &[20])], "bad_citation"),
            (vec![line(1, &[99])], vec![line(2, &[20])], "bad_citation"),
            (
                vec![line(1, &[10, 10])],
                vec![line(2, &[20])],
                "bad_citation",
            ),
        ];
        for (i, (best, worst, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                reason(check_monthly_pick(&p, &eligible, &owner, &best, &worst)),
                want,
                "case {i}"
            );
        }
        // A leader with a single cadre names only the best.
        let one: HashSet<CadreId> = [CadreId(1)].into();
        assert!(check_monthly_pick(&p, &one, &owner, &[line(1, &[10])], &[]).is_ok());
        // Policy 2 + 1 needs three names.
        let p2 = EvalPolicy {
            monthly_best: 2,
            ..EvalPolicy::default()
        };
        assert!(
            check_monthly_pick(
                &p2,
                &eligible,
                &owner,
                &[line(1, &[10]), line(3, &[30])],
                &[line(2, &[20])]
            )
            .is_ok()
        );
    }

    #[test]
    fn quarter_choice_rules_table() {
        let p = EvalPolicy::default();
        let best_pool: HashSet<CadreId> = (1..=10).map(CadreId).collect();
        let worst_pool: HashSet<CadreId> = (20..=26).map(CadreId).collect();
        let ids = |v: &[i32]| v.iter().map(|i| CadreId(*i)).collect::<Vec<_>>();
        let check = |b: &[i32], w: &[i32]| match check_quarter_choice(
            &p,
            &best_pool,
            &worst_pool,
            &ids(b),
            &ids(w),
        ) {
            Ok(()) => "ok".to_string(),
            Err(AppError::Invalid { reason, .. }) => reason,
            Err(e) => e.to_string(),
        };
        assert_eq!(check(&[1, 2, 3, 4, 5], &[20, 21, 22]), "ok");
        assert_eq!(check(&[1, 2, 3, 4], &[20, 21, 22]), "wrong_count");
        assert_eq!(check(&[1, 2, 3, 4, 5], &[20, 21]), "wrong_count");
        assert_eq!(check(&[1, 2, 3, 4, 99], &[20, 21, 22]), "not_in_pool");
        assert_eq!(check(&[1, 2, 3, 4, 20], &[21, 22, 23]), "not_in_pool");
        assert_eq!(check(&[1, 1, 3, 4, 5], &[20, 21, 22]), "picked_twice");
        assert_eq!(check(&[1, 2, 3, 4, 5], &[20, 20, 22]), "picked_twice");
        // Someone in both pools cannot be named both...
        let both: HashSet<CadreId> = (1..=3).map(CadreId).collect();
        let r = check_quarter_choice(&p, &both, &both, &ids(&[1, 2, 3]), &ids(&[1, 2, 3]));
        assert_eq!(r, Err(AppError::invalid("worst", "picked_twice")));
        // ...and the worst count shrinks to who is left, so an overlap never blocks a decision.
        assert!(check_quarter_choice(&p, &both, &both, &ids(&[1, 2, 3]), &[]).is_ok());
        let best5: HashSet<CadreId> = (1..=5).map(CadreId).collect();
        let worst3: HashSet<CadreId> = [5, 6, 7].map(CadreId).into();
        let r = check_quarter_choice(&p, &best5, &worst3, &ids(&[1, 2, 3, 4, 5]), &ids(&[6, 7]));
        assert!(r.is_ok(), "{r:?}");
        let r = check_quarter_choice(&p, &best5, &worst3, &ids(&[1, 2, 3, 4, 5]), &ids(&[6]));
        assert_eq!(r, Err(AppError::invalid("worst", "wrong_count")));
        // An empty pool cannot be decided.
        let r = check_quarter_choice(&p, &HashSet::new(), &HashSet::new(), &[], &[]);
        assert_eq!(r, Err(AppError::conflict("pool_empty")));
        // A small pool is chosen whole.
        let small: HashSet<CadreId> = (1..=2).map(CadreId).collect();
        let none = HashSet::new();
        assert!(check_quarter_choice(&p, &small, &none, &ids(&[1, 2]), &[]).is_ok());
    }

    #[test]
    fn pool_groups_people_picked_twice() {
        let pick = |n: i32, m: u32| PoolPick {
            naming: NamingId(n),
            result: ResultId(n),
            month: Month {
                year: 2026,
                month: m,
            },
            supervisor: "l".into(),
            reason: "r".into(),
            citations: vec![],
            under_appeal: false,
        };
        let grouped = group_pool(vec![
            (CadreId(5), pick(1, 4)),
            (CadreId(3), pick(2, 4)),
            (CadreId(5), pick(3, 5)),
        ]);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0].0, CadreId(5));
        assert_eq!(grouped[0].1.len(), 2);
        assert_eq!(grouped[1].1.len(), 1);
    }

    #[test]
    fn appeal_deadlines_cross_month_and_year_ends() {
        let p = Policy::default();
        let e = EvalPolicy::default();
        // Filed 28 Feb 2026 15:00 Shanghai → due 5 Mar 23:59:59 Shanghai.
        assert_eq!(
            e.appeal_due(utc("2026-02-28T07:00:00Z"), &p),
            utc("2026-03-05T15:59:59Z")
        );
        // Leap year.
        assert_eq!(
            e.appeal_due(utc("2028-02-28T07:00:00Z"), &p),
            utc("2028-03-04T15:59:59Z")
        );
        // Late evening UTC is already the next day in Shanghai.
        assert_eq!(
            e.appeal_due(utc("2026-12-28T17:00:00Z"), &p),
            utc("2027-01-03T15:59:59Z")
        );
        // Working days skip the weekend: filed Friday 2026-05-29 → due Friday 2026-06-05.
        let w = EvalPolicy {
            appeal_working_days: true,
            ..e.clone()
        };
        assert_eq!(
            w.appeal_due(utc("2026-05-29T02:00:00Z"), &p),
            utc("2026-06-05T15:59:59Z")
        );
        // The filing window: 10 days after publication, end of that local day.
        assert_eq!(
            e.appeal_window_closes(utc("2026-07-25T02:00:00Z"), &p),
            utc("2026-08-04T15:59:59Z")
        );
        // Monthly pick deadline: 5th of the next month, across the year end.
        let dec = Month::new(2026, 12).unwrap();
        assert_eq!(e.pick_due(dec, &p), utc("2027-01-05T15:59:59Z"));
        assert_eq!(
            e.quarter_due(Quarter::new(2026, 2).unwrap(), &p),
            utc("2026-07-15T15:59:59Z")
        );
    }

    #[test]
    fn keys_round_trip_and_reject_nonsense() {
        assert_eq!(Month::parse_key("2026-04").unwrap().key(), "2026-04");
        assert_eq!(Quarter::parse_key("2026-Q2").unwrap().key(), "2026-Q2");
        for bad in ["2026-13", "x", "2026", "1999-01"] {
            assert!(Month::parse_key(bad).is_err(), "{bad}");
        }
        for bad in ["2026-Q5", "2026-2", "Q2"] {
            assert!(Quarter::parse_key(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Month::new(2026, 5).unwrap().quarter(),
            Quarter::new(2026, 2).unwrap()
        );
        assert!(EvalPolicy::default().validate().is_ok());
        let bad = EvalPolicy {
            confirmations_required: 0,
            ..EvalPolicy::default()
        };
        assert!(bad.validate().is_err());
    }

    proptest! {
        #[test]
        fn appeal_due_is_after_filing_and_within_bounds(
            secs in 946_684_800i64..4_102_444_800i64,
            days in 1u32..30,
            working in any::<bool>(),
        ) {
            let p = Policy::default();
            let e = EvalPolicy { appeal_answer_days: days, appeal_working_days: working, ..EvalPolicy::default() };
            let filed = DateTime::from_timestamp(secs, 0).unwrap();
            let due = e.appeal_due(filed, &p);
            prop_assert!(due > filed);
            let local_due = p.local_date(due);
            let local_filed = p.local_date(filed);
            let span = (local_due - local_filed).num_days();
            if working {
                prop_assert!(span >= i64::from(days));
                prop_assert!(span <= i64::from(days) + 2 * (i64::from(days) / 5 + 1));
                prop_assert!(!matches!(local_due.weekday(), Weekday::Sat | Weekday::Sun));
            } else {
                prop_assert_eq!(span, i64::from(days));
            }
            // The window closes at the end of a local day, after the publication.
            let w = e.appeal_window_closes(filed, &p);
            prop_assert!(w > filed);
            prop_assert_eq!(end_of_local_day(p.local_date(w), &p), w);
        }

        #[test]
        fn pool_grouping_keeps_every_pick(picks in proptest::collection::vec((0i32..10, 0i32..1000), 0..48)) {
            let input: Vec<(CadreId, PoolPick)> = picks.iter().map(|(c, n)| (CadreId(*c), PoolPick {
                naming: NamingId(*n), result: ResultId(0), month: Month { year: 2026, month: 4 },
                supervisor: String::new(), reason: String::new(), citations: vec![], under_appeal: false,
            })).collect();
            let grouped = group_pool(input);
            let total: usize = grouped.iter().map(|g| g.1.len()).sum();
            prop_assert_eq!(total, picks.len());
            let people: HashSet<CadreId> = grouped.iter().map(|g| g.0).collect();
            prop_assert_eq!(people.len(), grouped.len());
        }
    }
}
