//! The rules for a save that may arrive late, replayed from a phone's outbox: when the line
//! was written on the device and how far that time is believed, and whether the client saw
//! the version it is about to overwrite. Pure; the server applies them inside the save's
//! transaction.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::error::AppError;
use crate::policy::Policy;

/// How far a phone's clock may run ahead of the server's: a device time up to this much
/// after the receipt is taken as the receipt; beyond it the save is refused.
pub const CLOCK_SKEW_SECS: i64 = 120;

/// A save that arrives this long after it was written is marked as synced late
/// ("离线记录，… 同步") wherever its lines are shown.
pub const LATE_SYNC_MINUTES: i64 = 5;

/// The times a save is judged by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveTimes {
    /// When the line was written on the device, as kept (bounded by the receipt).
    pub device: Option<DateTime<Utc>>,
    /// The instant whose local date decides whether the day was still writable: the device
    /// time within the policy's offline window, else the receipt.
    pub judged: DateTime<Utc>,
}

/// The local midnight that starts `day` in the township's time zone.
pub fn day_start(day: NaiveDate, policy: &Policy) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match policy.tz().from_local_datetime(&midnight).single() {
        Some(t) => t.with_timezone(&Utc),
        None => midnight.and_utc(),
    }
}

/// Bounds the device time of a save of `day` received at `received`: not after the receipt
/// (beyond a small clock skew it is refused), not before the day itself. Within the policy's
/// offline window the device time decides writability; an older one is kept but the save is
/// judged at its receipt.
pub fn save_times(
    day: NaiveDate,
    device: Option<DateTime<Utc>>,
    received: DateTime<Utc>,
    policy: &Policy,
) -> Result<SaveTimes, AppError> {
    let Some(device) = device else {
        return Ok(SaveTimes {
            device: None,
            judged: received,
        });
    };
    if device > received + Duration::seconds(CLOCK_SKEW_SECS) {
        return Err(AppError::invalid("device_written_at", "device_time_future"));
    }
    let device = device.min(received);
    if device < day_start(day, policy) {
        return Err(AppError::invalid(
            "device_written_at",
            "device_time_before_day",
        ));
    }
    let window = Duration::hours(i64::from(policy.offline_window_hours));
    let judged = if received - device <= window {
        device
    } else {
        received
    };
    Ok(SaveTimes {
        device: Some(device),
        judged,
    })
}

/// The version check of a save: `base` is the version of the day's entry the client last
/// saw (0: it saw none; `None`: the client does not track versions, last write wins),
/// `current` the stored one. A save made over an older version than the stored one is a
/// conflict the cadre resolves; it never silently overwrites.
pub fn check_version(base: Option<u32>, current: Option<u32>) -> Result<(), AppError> {
    match (base, current) {
        (None, _) | (Some(_), None) => Ok(()),
        (Some(b), Some(c)) if b == c => Ok(()),
        (Some(_), Some(_)) => Err(AppError::conflict("newer_version")),
    }
}

/// When a save arrived long enough after it was written to be marked: its arrival.
pub fn late_sync(device: Option<DateTime<Utc>>, received: DateTime<Utc>) -> Option<DateTime<Utc>> {
    device.filter(|d| received - *d >= Duration::minutes(LATE_SYNC_MINUTES))?;
    Some(received)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn reason(e: AppError) -> String {
        match e {
            AppError::Invalid { reason, .. } | AppError::Conflict { reason } => reason,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_line_written_on_the_last_day_and_synced_two_days_later_is_judged_at_the_device_time() {
        let p = Policy::default();
        // Written 10 April 21:00 Beijing time, received 12 April 08:10.
        let t = save_times(
            day("2026-04-10"),
            Some(at("2026-04-10T13:00:00Z")),
            at("2026-04-12T00:10:00Z"),
            &p,
        );
        let t = t.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(t.judged, at("2026-04-10T13:00:00Z"));
        assert_eq!(p.local_date(t.judged), day("2026-04-10"));
        assert_eq!(
            late_sync(t.device, at("2026-04-12T00:10:00Z")),
            Some(at("2026-04-12T00:10:00Z"))
        );
    }

    #[test]
    fn device_times_in_the_future_or_before_the_day_are_refused() {
        let p = Policy::default();
        let recv = at("2026-04-12T00:10:00Z");
        let future = save_times(
            day("2026-04-12"),
            Some(at("2026-04-12T00:20:00Z")),
            recv,
            &p,
        );
        assert_eq!(future.map_err(reason), Err("device_time_future".into()));
        // 11 April 23:59 Beijing time is before the 12th.
        let early = save_times(
            day("2026-04-12"),
            Some(at("2026-04-11T15:59:00Z")),
            recv,
            &p,
        );
        assert_eq!(early.map_err(reason), Err("device_time_before_day".into()));
        // Midnight itself is the day.
        let midnight = save_times(
            day("2026-04-12"),
            Some(at("2026-04-11T16:00:00Z")),
            recv,
            &p,
        );
        assert!(midnight.is_ok());
    }

    #[test]
    fn a_clock_a_little_ahead_counts_as_the_receipt_and_no_device_time_is_the_receipt() {
        let p = Policy::default();
        let recv = at("2026-04-12T00:10:00Z");
        let ahead = save_times(
            day("2026-04-12"),
            Some(at("2026-04-12T00:11:00Z")),
            recv,
            &p,
        );
        assert_eq!(
            ahead.ok(),
            Some(SaveTimes {
                device: Some(recv),
                judged: recv
            })
        );
        let none = save_times(day("2026-04-12"), None, recv, &p);
        assert_eq!(
            none.ok(),
            Some(SaveTimes {
                device: None,
                judged: recv
            })
        );
        assert_eq!(late_sync(Some(recv), recv), None);
        assert_eq!(late_sync(None, recv), None);
    }

    #[test]
    fn versions_conflict_only_when_the_client_saw_another_one() {
        assert!(check_version(None, Some(4)).is_ok());
        assert!(check_version(Some(0), None).is_ok());
        assert!(check_version(Some(3), Some(3)).is_ok());
        assert_eq!(
            check_version(Some(0), Some(1)).map_err(reason),
            Err("newer_version".into())
        );
        assert_eq!(
            check_version(Some(2), Some(3)).map_err(reason),
            Err("newer_version".into())
        );
    }

    proptest! {
        /// Whatever the times, a kept device time lies between the day's start and the
        /// receipt, and the judged instant is the device time or the receipt.
        #[test]
        fn kept_times_are_bounded(
            day_offset in 0i64..20,
            device_offset in -3_000_000i64..3_000_000,
            recv_offset in 0i64..2_000_000,
        ) {
            let p = Policy::default();
            let d = day("2026-04-01") + Duration::days(day_offset);
            let start = day_start(d, &p);
            let recv = start + Duration::seconds(recv_offset);
            let device = recv + Duration::seconds(device_offset);
            match save_times(d, Some(device), recv, &p) {
                Ok(t) => {
                    let kept = t.device.unwrap_or(recv);
                    prop_assert!(kept >= start && kept <= recv);
                    prop_assert!(t.judged == kept || t.judged == recv);
                    prop_assert!(device <= recv + Duration::seconds(CLOCK_SKEW_SECS));
                    if recv - kept > Duration::hours(i64::from(p.offline_window_hours)) {
                        prop_assert_eq!(t.judged, recv);
                    }
                }
                Err(e) => {
                    let r = reason(e);
                    prop_assert!(
                        (r == "device_time_future" && device > recv + Duration::seconds(CLOCK_SKEW_SECS))
                            || (r == "device_time_before_day" && device.min(recv) < start)
                    );
                }
            }
        }

        /// A save passes the version check exactly when it saw the stored version, or does
        /// not track versions, or there is nothing stored.
        #[test]
        fn the_version_check_is_exact(base in proptest::option::of(0u32..5), current in proptest::option::of(1u32..5)) {
            let ok = check_version(base, current).is_ok();
            prop_assert_eq!(ok, base.is_none() || current.is_none() || base == current);
        }
    }
}
