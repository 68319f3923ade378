//! The policies, versioned settings the rules depend on: the record [`Policy`], the evaluation
//! [`EvalPolicy`] with its [`OutcomePolicy`], and their validation.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Role;
use crate::error::AppError;

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
    /// How long a line may wait on a phone (offline) and still be judged writable by when
    /// it was written there rather than by when it arrived, in hours. Days of the current
    /// and the previous dekad are writable anyway, so this matters for a line kept longer
    /// than that grace; the default, two weeks, covers a fortnight without signal.
    #[serde(default = "default_offline_window_hours")]
    pub offline_window_hours: u32,
}

fn default_offline_window_hours() -> u32 {
    14 * 24
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            tz_offset_minutes: 8 * 60,
            due_days_after: 1,
            due_hour: 23,
            due_minute: 59,
            max_line_chars: 200,
            offline_window_hours: default_offline_window_hours(),
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
    pub outcomes: OutcomePolicy,
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
            outcomes: OutcomePolicy::default(),
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

/// What counts as "worst three times in a row".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreakUnit {
    /// Final results of consecutive quarters (the default reading).
    Quarters,
    /// Consecutive monthly picks.
    MonthlyPicks,
}

/// The outcome rules, part of the versioned evaluation policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct OutcomePolicy {
    /// Uplift of the best on that quarter's bonus and on the year-end bonus, in per cent.
    pub best_uplift_pct: u32,
    /// How many consecutive worst namings cost public criticism and the year's bonuses.
    pub worst_streak: u32,
    pub streak_unit: StreakUnit,
    /// Days after an outcome takes effect within which the talk and the warning are due.
    pub talk_due_days: u32,
    /// Days after an outcome takes effect within which the rectification is due.
    pub rectification_days: u32,
}

impl Default for OutcomePolicy {
    fn default() -> Self {
        OutcomePolicy {
            best_uplift_pct: 20,
            worst_streak: 3,
            streak_unit: StreakUnit::Quarters,
            talk_due_days: 10,
            rectification_days: 30,
        }
    }
}

impl OutcomePolicy {
    pub fn validate(&self) -> Result<(), AppError> {
        let check = |ok: bool, field: &str| {
            if ok {
                Ok(())
            } else {
                Err(AppError::invalid(field, "out_of_range"))
            }
        };
        check(self.best_uplift_pct <= 100, "best_uplift_pct")?;
        check((2..=12).contains(&self.worst_streak), "worst_streak")?;
        check((1..=60).contains(&self.talk_due_days), "talk_due_days")?;
        check(
            (1..=180).contains(&self.rectification_days),
            "rectification_days",
        )
    }
}
