//! The three evaluations (三评, DOMAIN.md): area-chief opinions, monthly picks, the quarterly
//! re-evaluation and appeals. Types shared by server and browser; the rules are in [`rules`].

pub mod api;
pub mod islands;
pub mod pages;
pub mod rules;
#[cfg(test)]
mod tests;

pub use rules::*;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::*;
use crate::domain::id_type;
use crate::domain::*;
use crate::policy::EvalPolicy;
use crate::record::SheetState;

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
    pub author: PersonRef,
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
    /// Days per place (office, village, enterprise, away), every place listed.
    pub places: Vec<PlaceDays>,
    /// Sheets of the month not (yet) submitted.
    pub missing: u32,
}

/// The days of a month written at one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PlaceDays {
    pub place: Place,
    pub days: u32,
}

/// A row of the area chief's opinion screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OpinionRow {
    pub cadre: PersonRef,
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
    pub cadre: PersonRef,
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
    pub cadre: PersonRef,
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
    pub by: PersonRef,
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
    pub owner: Option<PersonRef>,
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
    pub principal: PersonRef,
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
    pub leader: PersonRef,
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
    pub fn from_code(s: &str) -> Option<AppealStatus> {
        match s {
            "open" => Some(AppealStatus::Open),
            "upheld" => Some(AppealStatus::Upheld),
            "overturned" => Some(AppealStatus::Overturned),
            "changed" => Some(AppealStatus::Changed),
            _ => None,
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
    pub cadre: PersonRef,
    pub kind: PickKind,
    pub ground: String,
    pub filed_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub status: AppealStatus,
    /// Open past its due time.
    pub overdue: bool,
    pub answer: Option<String>,
    pub answered_by: Option<PersonRef>,
    pub answered_at: Option<DateTime<Utc>>,
    pub replacement: Option<PersonRef>,
    /// Who may be named instead (committee only, open appeals).
    #[serde(default)]
    pub candidates: Vec<PersonRef>,
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
    pub behind: Vec<PersonRef>,
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
