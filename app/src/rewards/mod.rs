//! The three rewards and penalties (三奖惩, DOMAIN.md): outcomes of published quarterly results
//! ([`outcomes`]), cases and notices (here), money ([`money`]) and the bonus ledger ([`ledger`]).

pub mod api;
pub mod ledger;
#[cfg(test)]
mod ledger_tests;
pub mod money;
pub mod outcomes;
pub mod pages;
#[cfg(test)]
mod tests;

pub use ledger::*;
pub use money::*;
pub use outcomes::*;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::id_type;
use crate::domain::*;
use crate::error::AppError;
use crate::eval::*;
use crate::policy::OutcomePolicy;

id_type!(/// One outcome of a published result for one cadre.
    OutcomeId);
id_type!(/// A talk, warning or rectification followed to closure.
    CaseId);
id_type!(/// A commendation or criticism notice (通报).
    NoticeId);

/// One consequence for one cadre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// 通报表扬.
    Commendation,
    /// Bonus uplift on the quarter and the year-end bonus.
    Uplift,
    /// 谈话 with a principal.
    Talk,
    /// 告诫.
    Warning,
    /// 限期整改.
    Rectification,
    /// 通报批评 (consecutive worst).
    PublicCriticism,
    /// Base salary only: the year's quarterly and year-end bonuses withheld.
    Withholding,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 7] = [
        OutcomeKind::Commendation,
        OutcomeKind::Uplift,
        OutcomeKind::Talk,
        OutcomeKind::Warning,
        OutcomeKind::Rectification,
        OutcomeKind::PublicCriticism,
        OutcomeKind::Withholding,
    ];
    pub fn code(self) -> &'static str {
        match self {
            OutcomeKind::Commendation => "commendation",
            OutcomeKind::Uplift => "uplift",
            OutcomeKind::Talk => "talk",
            OutcomeKind::Warning => "warning",
            OutcomeKind::Rectification => "rectification",
            OutcomeKind::PublicCriticism => "public_criticism",
            OutcomeKind::Withholding => "withholding",
        }
    }
    pub fn from_code(s: &str) -> Option<OutcomeKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// Whether the outcome is followed as a case.
    pub fn is_case(self) -> bool {
        matches!(
            self,
            OutcomeKind::Talk | OutcomeKind::Warning | OutcomeKind::Rectification
        )
    }
}

/// Where an outcome stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// Waits for an open appeal on a naming it hangs on.
    Pending,
    Active,
    /// The naming it hung on was overturned or changed; kept for the record.
    Withdrawn,
}

impl OutcomeStatus {
    pub fn code(self) -> &'static str {
        match self {
            OutcomeStatus::Pending => "pending",
            OutcomeStatus::Active => "active",
            OutcomeStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<OutcomeStatus> {
        match s {
            "pending" => Some(OutcomeStatus::Pending),
            "active" => Some(OutcomeStatus::Active),
            "withdrawn" => Some(OutcomeStatus::Withdrawn),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Views

/// One outcome as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OutcomeView {
    pub id: OutcomeId,
    pub cadre: PersonRef,
    pub department: String,
    pub result: ResultId,
    pub quarter: String,
    pub kind: OutcomeKind,
    pub status: OutcomeStatus,
    pub policy_version: i32,
    /// The streak behind a consecutive-worst outcome.
    pub basis: Vec<String>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    pub case: Option<CaseId>,
}

/// Talk, warning or rectification case state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Open,
    /// A talk held or a warning given.
    Done,
    /// Rectification closed: met.
    Met,
    /// Rectification closed: not met.
    NotMet,
    /// Its outcome was withdrawn.
    Withdrawn,
}

impl CaseState {
    pub fn code(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Done => "done",
            CaseState::Met => "met",
            CaseState::NotMet => "not_met",
            CaseState::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<CaseState> {
        match s {
            "open" => Some(CaseState::Open),
            "done" => Some(CaseState::Done),
            "met" => Some(CaseState::Met),
            "not_met" => Some(CaseState::NotMet),
            "withdrawn" => Some(CaseState::Withdrawn),
            _ => None,
        }
    }
}

/// Whether an open case is past its due day.
pub fn case_overdue(state: CaseState, due: NaiveDate, today: NaiveDate) -> bool {
    state == CaseState::Open && today > due
}

/// What a case note records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The talk: when, what was said, the cadre's response. Completes a talk case.
    Talk,
    /// The warning given. Completes a warning case.
    Warning,
    /// The rectification plan and its deadline.
    Plan,
    FollowUp,
    /// Closes a rectification: met or not met, with a note.
    Closure,
    /// Owner changed.
    Owner,
    /// Case withdrawn with its outcome (written by the system).
    Withdrawn,
}

impl NoteKind {
    pub const ALL: [NoteKind; 7] = [
        NoteKind::Talk,
        NoteKind::Warning,
        NoteKind::Plan,
        NoteKind::FollowUp,
        NoteKind::Closure,
        NoteKind::Owner,
        NoteKind::Withdrawn,
    ];
    pub fn code(self) -> &'static str {
        match self {
            NoteKind::Talk => "talk",
            NoteKind::Warning => "warning",
            NoteKind::Plan => "plan",
            NoteKind::FollowUp => "follow_up",
            NoteKind::Closure => "closure",
            NoteKind::Owner => "owner",
            NoteKind::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<NoteKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// A kind a person may write (`owner` and `withdrawn` notes are the system's own).
    pub fn parse_written(s: &str) -> Result<NoteKind, AppError> {
        NoteKind::from_code(s)
            .filter(|k| !matches!(k, NoteKind::Owner | NoteKind::Withdrawn))
            .ok_or_else(|| AppError::invalid("kind", "bad_kind"))
    }
}

/// The file formats of the ledger export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Result<ExportFormat, AppError> {
        match s {
            "xlsx" => Ok(ExportFormat::Xlsx),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(AppError::invalid("format", "bad_format")),
        }
    }
}

/// Which notes a case of a kind accepts, and what the note does to it.
pub fn note_allowed(case: OutcomeKind, note: NoteKind) -> bool {
    match note {
        NoteKind::Talk => case == OutcomeKind::Talk,
        NoteKind::Warning => case == OutcomeKind::Warning,
        NoteKind::Plan | NoteKind::Closure => case == OutcomeKind::Rectification,
        NoteKind::FollowUp => true,
        NoteKind::Owner | NoteKind::Withdrawn => false,
    }
}

/// A note to add to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CaseNoteInput {
    pub case: CaseId,
    /// `talk`, `warning`, `plan`, `follow_up` or `closure`.
    pub kind: String,
    pub body: String,
    /// The cadre's response (talks).
    #[serde(default)]
    pub response: Option<String>,
    /// When the talk was held (`YYYY-MM-DD`).
    #[serde(default)]
    pub held_on: Option<String>,
    /// The rectification deadline (plans, `YYYY-MM-DD`).
    #[serde(default)]
    pub deadline: Option<String>,
    /// Closure: met (`true`) or not met (`false`).
    #[serde(default)]
    pub met: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CaseNoteView {
    pub kind: NoteKind,
    /// `None` for notes the system wrote.
    pub author: Option<PersonRef>,
    pub body: String,
    pub response: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub met: Option<bool>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CaseView {
    pub id: CaseId,
    pub outcome: OutcomeId,
    pub cadre: PersonRef,
    pub department: String,
    pub kind: OutcomeKind,
    pub quarter: String,
    pub result: ResultId,
    pub reason: String,
    pub owner: PersonRef,
    pub opened_at: DateTime<Utc>,
    pub due: NaiveDate,
    pub state: CaseState,
    pub overdue: bool,
    /// Its outcome waits for an appeal: nothing can be recorded until it is decided.
    pub on_hold: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub notes: Vec<CaseNoteView>,
    /// What the viewer may do: note kinds they may add, and whether they may reassign.
    #[serde(default)]
    pub may_note: Vec<NoteKind>,
    #[serde(default)]
    pub may_assign: bool,
    /// Who the case may be given to (principals).
    #[serde(default)]
    pub owners: Vec<PersonRef>,
    /// The server's local date (forms default to it).
    pub today: NaiveDate,
}

/// A published quarterly result with its outcomes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct QuarterOutcomes {
    pub result: ResultId,
    pub quarter: String,
    pub published_at: Option<DateTime<Utc>>,
    pub under_appeal: bool,
    pub outcomes: Vec<OutcomeView>,
}

/// The rewards overview for principals, committee and office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RewardsBoard {
    pub quarters: Vec<QuarterOutcomes>,
    pub cases: Vec<CaseView>,
    pub notices: Vec<NoticeSummary>,
    pub policy_version: i32,
    pub policy: OutcomePolicy,
    /// The viewer may draft notices (office, principals).
    pub may_draft: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Commendation,
    Criticism,
}

impl NoticeKind {
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Commendation => "commendation",
            NoticeKind::Criticism => "criticism",
        }
    }
    pub fn from_code(s: &str) -> Option<NoticeKind> {
        match s {
            "commendation" => Some(NoticeKind::Commendation),
            "criticism" => Some(NoticeKind::Criticism),
            _ => None,
        }
    }
    /// The outcome a notice of this kind lists.
    pub fn outcome(self) -> OutcomeKind {
        match self {
            NoticeKind::Commendation => OutcomeKind::Commendation,
            NoticeKind::Criticism => OutcomeKind::PublicCriticism,
        }
    }
}

/// One name on a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeLine {
    pub cadre: PersonRef,
    pub department: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeSummary {
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub quarter: String,
    pub number: Option<String>,
    pub title: String,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub corrects: Option<NoticeId>,
    pub corrected_by: Option<NoticeId>,
    /// Published, not corrected, and the result's outcomes now name other people.
    #[serde(default)]
    pub stale: bool,
}

/// Another notice by id and number (the one a correction corrects, or corrected it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeRef {
    pub id: NoticeId,
    /// `镇通〔2026〕3号`; empty for a draft.
    pub number: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeView {
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub result: ResultId,
    pub quarter: String,
    pub number: Option<String>,
    pub title: String,
    pub preamble: String,
    pub issuer: String,
    pub lines: Vec<NoticeLine>,
    pub published: bool,
    pub issued_on: Option<NaiveDate>,
    pub corrects: Option<NoticeRef>,
    pub corrected_by: Option<NoticeRef>,
    /// Published, not corrected, and the result's outcomes now name other people (an appeal
    /// changed them): it needs a correction.
    #[serde(default)]
    pub stale: bool,
    /// The viewer may edit and publish the draft, or issue a correction.
    pub may_edit: bool,
    /// The audit chain's head at publication (`id:hash`), printed in the footer.
    #[serde(default)]
    pub audit_anchor: Option<String>,
}

/// The formal number of a notice: `镇效通〔2026〕3号`.
pub fn notice_number(year: i32, seq: i32) -> String {
    format!("镇效通〔{year}〕{seq}号")
}

/// A cadre's own rewards and penalties over time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MyRewards {
    pub results: Vec<MyNaming>,
    pub outcomes: Vec<OutcomeView>,
    pub cases: Vec<CaseView>,
    pub ledger: Vec<LedgerRow>,
}

/// What recomputing changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RecomputeReport {
    pub created: u32,
    pub activated: u32,
    pub made_pending: u32,
    pub withdrawn: u32,
    pub cases_opened: u32,
    pub cases_withdrawn: u32,
}

impl RecomputeReport {
    pub fn is_empty(&self) -> bool {
        *self == RecomputeReport::default()
    }
}
