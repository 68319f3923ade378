//! The calendar of the work: dekads and sheet periods, months and quarters, ledger periods,
//! and the due dates the policies set on them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::policy::{EvalPolicy, Policy};

/// An optional key argument (a month, quarter or ledger period) as the API takes it: absent
/// or blank means "the default", which the service knows; anything else must parse.
pub fn optional_key<T>(
    key: Option<String>,
    parse: fn(&str) -> Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    match key.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(k) => parse(k).map(Some),
    }
}

/// An optional `YYYY-MM-DD` date argument; blank means none. A bad one is `field`'s
/// `bad_date`.
pub fn optional_day(field: &str, day: Option<String>) -> Result<Option<NaiveDate>, AppError> {
    match day.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field, "bad_date")),
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
        format!("{:04}-{:02}-{}", self.year, self.month, self.dekad.number())
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

/// A calendar month, keyed `2026-04`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
        format!("{:04}-{:02}", self.year, self.month)
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
        format!("{:04}-Q{}", self.year, self.quarter)
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

/// Due dates of the evaluation policy's steps, in UTC.
impl EvalPolicy {
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

/// A bonus period of the ledger: a quarter's bonus or a year's year-end bonus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LedgerPeriod {
    pub year: i32,
    /// 1–4 for a quarter, 5 for the year-end bonus (so periods sort in payment order).
    pub slot: u32,
}

impl LedgerPeriod {
    pub fn quarter(q: Quarter) -> LedgerPeriod {
        LedgerPeriod {
            year: q.year,
            slot: q.quarter,
        }
    }
    pub fn year_end(year: i32) -> LedgerPeriod {
        LedgerPeriod { year, slot: 5 }
    }
    pub fn is_year_end(self) -> bool {
        self.slot == 5
    }
    /// `2026-Q3` or `2026-YE`.
    pub fn key(self) -> String {
        if self.is_year_end() {
            format!("{:04}-YE", self.year)
        } else {
            format!("{:04}-Q{}", self.year, self.slot)
        }
    }
    pub fn parse_key(s: &str) -> Result<LedgerPeriod, AppError> {
        let s = s.trim();
        if let Some(y) = s.strip_suffix("-YE") {
            let year: i32 = y
                .parse()
                .map_err(|_| AppError::invalid("period", "bad_period"))?;
            if !(2000..=2100).contains(&year) {
                return Err(AppError::invalid("period", "bad_period"));
            }
            return Ok(LedgerPeriod::year_end(year));
        }
        Quarter::parse_key(s)
            .map(LedgerPeriod::quarter)
            .map_err(|_| AppError::invalid("period", "bad_period"))
    }
    pub fn next(self) -> LedgerPeriod {
        if self.slot >= 5 {
            LedgerPeriod {
                year: self.year + 1,
                slot: 1,
            }
        } else {
            LedgerPeriod {
                year: self.year,
                slot: self.slot + 1,
            }
        }
    }
    /// The periods of a year in payment order.
    pub fn of_year(year: i32) -> [LedgerPeriod; 5] {
        [1, 2, 3, 4, 5].map(|slot| LedgerPeriod { year, slot })
    }
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
}

/// Periods travel as their keys, in both directions (`2026-04-1`, `2026-04`, `2026-Q2`,
/// `2026-YE`); the object shape of earlier versions (`{"year": 2026, "month": 4}`, …) is
/// still read.
macro_rules! key_serde {
    ($ty:ident, $what:literal, $example:literal, $pattern:literal, $legacy:ident { $($f:ident: $t:ty),* } => $make:expr) => {
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.key())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let bad = || {
                    serde::de::Error::custom(concat!("not ", $what, " (expected like \"", $example, "\")"))
                };
                // The server also reads the object shape of earlier versions (stored JSON,
                // old clients); the browser only ever gets keys (and stays small).
                #[cfg(feature = "ssr")]
                {
                    #[derive(Deserialize)]
                    struct $legacy { $($f: $t),* }
                    #[derive(Deserialize)]
                    #[serde(untagged)]
                    enum Wire {
                        Key(String),
                        Parts($legacy),
                    }
                    match Wire::deserialize(d)? {
                        Wire::Key(k) => $ty::parse_key(&k).map_err(|_| bad()),
                        Wire::Parts($legacy { $($f),* }) => ($make).map_err(|_| bad()),
                    }
                }
                #[cfg(not(feature = "ssr"))]
                {
                    let k = String::deserialize(d)?;
                    $ty::parse_key(&k).map_err(|_| bad())
                }
            }
        }

        #[cfg(feature = "ssr")]
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": concat!($what, ", as its key, e.g. `", $example, "`"),
                    "examples": [$example],
                })
            }
        }
    };
}

key_serde!(SheetPeriod, "a dekad", "2026-04-1", "^[0-9]{4}-[0-9]{2}-[123]$",
    SheetPeriodParts { year: i32, month: u32, dekad: Dekad } => SheetPeriod::new(year, month, dekad));
key_serde!(Month, "a month", "2026-04", "^[0-9]{4}-[0-9]{2}$",
    MonthParts { year: i32, month: u32 } => Month::new(year, month));
key_serde!(Quarter, "a quarter", "2026-Q2", "^[0-9]{4}-Q[1-4]$",
    QuarterParts { year: i32, quarter: u32 } => Quarter::new(year, quarter));
key_serde!(LedgerPeriod, "a bonus period", "2026-Q3", "^[0-9]{4}-(Q[1-4]|YE)$",
    LedgerPeriodParts { year: i32, slot: u32 } => LedgerPeriod::parse_key(&if slot == 5 { format!("{year}-YE") } else { format!("{year}-Q{slot}") }));

#[cfg(all(test, feature = "ssr"))]
mod key_serde_tests {
    use super::*;

    #[test]
    fn periods_travel_as_keys_and_earlier_objects_are_still_read() {
        let p = SheetPeriod::new(2026, 4, Dekad::Middle).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), r#""2026-04-2""#);
        let m = Month::new(2026, 4).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#""2026-04""#);
        let q = Quarter::new(2026, 2).unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), r#""2026-Q2""#);
        let ye = LedgerPeriod::year_end(2026);
        assert_eq!(serde_json::to_string(&ye).unwrap(), r#""2026-YE""#);
        for (json, want) in [
            (r#""2026-04-2""#, p),
            (r#"{"year": 2026, "month": 4, "dekad": "middle"}"#, p),
        ] {
            assert_eq!(serde_json::from_str::<SheetPeriod>(json).unwrap(), want);
        }
        assert_eq!(
            serde_json::from_str::<Month>(r#"{"year":2026,"month":4}"#).unwrap(),
            m
        );
        assert_eq!(
            serde_json::from_str::<Quarter>(r#"{"year":2026,"quarter":2}"#).unwrap(),
            q
        );
        assert_eq!(
            serde_json::from_str::<LedgerPeriod>(r#"{"year":2026,"slot":5}"#).unwrap(),
            ye
        );
        assert_eq!(
            serde_json::from_str::<LedgerPeriod>(r#""2026-Q3""#)
                .unwrap()
                .key(),
            "2026-Q3"
        );
        for bad in [
            r#""2026-13""#,
            r#""april""#,
            r#"{"year":2026,"month":13}"#,
            "7",
        ] {
            let e = serde_json::from_str::<Month>(bad).unwrap_err().to_string();
            assert!(
                e.contains("2026-04") || e.contains("untagged"),
                "{bad}: {e}"
            );
        }
        assert!(serde_json::from_str::<Quarter>(r#""2026-Q5""#).is_err());
    }
}
