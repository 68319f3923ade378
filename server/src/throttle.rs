//! The sign-in slow-down, per account name and per client address, decided and counted in
//! one step under a mutex — so parallel guesses cannot all read the same old count — and
//! before any password is checked. It lives in memory (a failed guess never takes the
//! database's write lock); a known account's count is also stored with the account, which
//! seeds the memory after a restart.
//!
//! - Per account name (known or not, so the answers do not tell which names exist): five
//!   free failures, then 2 s, 4 s, 8 s … at most 15 minutes between attempts
//!   ([`crate::auth::sign_in_delay`]). An attempt is counted as a failure when it is let
//!   through and forgiven when the password was right.
//! - Per client address: a bucket of [`ADDR_BURST`] failures refilled at
//!   [`ADDR_PER_HOUR`] an hour, against spraying many accounts from one place while an
//!   office behind one address can still mistype.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::auth::wait_remaining;

/// Failures one client address may have in a burst.
pub const ADDR_BURST: f64 = 30.0;
/// Failures per hour one client address regains.
pub const ADDR_PER_HOUR: f64 = 30.0;
/// Entries kept before stale ones are dropped; beyond twice this, new names wait.
const SOFT_CAP: usize = 20_000;

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: i32,
    last: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

impl Bucket {
    fn refill(&mut self, now: DateTime<Utc>) {
        let hours = (now - self.at).num_milliseconds().max(0) as f64 / 3_600_000.0;
        self.tokens = (self.tokens + hours * ADDR_PER_HOUR).min(ADDR_BURST);
        self.at = now;
    }
}

#[derive(Default)]
struct State {
    names: HashMap<String, Failures>,
    addrs: HashMap<IpAddr, Bucket>,
    /// When stale entries were last dropped (at most once a minute: it walks every entry).
    pruned: Option<DateTime<Utc>>,
}

/// The admission ticket of one sign-in attempt, to settle once the password is checked.
#[derive(Debug)]
pub struct Ticket {
    name: String,
    addr: Option<IpAddr>,
    /// The name's count before this attempt, restored when the attempt succeeds.
    before: Failures,
}

/// The in-memory sign-in throttle.
#[derive(Default)]
pub struct Throttle {
    state: Mutex<State>,
}

/// The key of a client address: IPv6 clients are counted per /64, which one household or
/// phone usually holds whole.
fn addr_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

impl Throttle {
    /// The wait already known from memory alone, before anything else is looked at: an
    /// address out of tokens, or a name still waiting. Cheap, so a flood of guesses costs
    /// no database work.
    pub fn precheck(&self, name: &str, addr: Option<IpAddr>, now: DateTime<Utc>) -> Option<u64> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = addr.map(addr_key)
            && let Some(b) = st.addrs.get_mut(&a)
        {
            b.refill(now);
            if b.tokens < 1.0 {
                return Some((((1.0 - b.tokens) * 3600.0 / ADDR_PER_HOUR).ceil() as u64).max(1));
            }
        }
        let f = st.names.get(name)?;
        wait_remaining(f.count, f.last, now)
    }

    /// Lets an attempt through (counting it as a failure in advance) or says how many
    /// seconds to wait. `stored` gives a known account's stored count, used when memory
    /// holds none (after a restart).
    pub fn admit(
        &self,
        name: &str,
        addr: Option<IpAddr>,
        now: DateTime<Utc>,
        stored: Option<(i32, Option<DateTime<Utc>>)>,
    ) -> Result<Ticket, u64> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let due = st.pruned.is_none_or(|p| now - p >= Duration::minutes(1));
        if st.names.len() + st.addrs.len() > SOFT_CAP && due {
            prune(&mut st, now);
            st.pruned = Some(now);
        }
        let addr = addr.map(addr_key);
        if let Some(a) = addr {
            let b = st.addrs.entry(a).or_insert(Bucket {
                tokens: ADDR_BURST,
                at: now,
            });
            b.refill(now);
            if b.tokens < 1.0 {
                let secs = ((1.0 - b.tokens) * 3600.0 / ADDR_PER_HOUR).ceil() as u64;
                return Err(secs.max(1));
            }
        }
        let full = st.names.len() > 2 * SOFT_CAP && !st.names.contains_key(name);
        if full {
            return Err(60);
        }
        let before = *st.names.entry(name.to_string()).or_insert_with(|| {
            let (count, last) = stored.unwrap_or((0, None));
            Failures { count, last }
        });
        if let Some(wait) = wait_remaining(before.count, before.last, now) {
            return Err(wait);
        }
        st.names.insert(
            name.to_string(),
            Failures {
                count: before.count + 1,
                last: Some(now),
            },
        );
        if let Some(a) = addr
            && let Some(b) = st.addrs.get_mut(&a)
        {
            b.tokens -= 1.0;
        }
        Ok(Ticket {
            name: name.to_string(),
            addr,
            before,
        })
    }

    /// The password was right: the name starts afresh and the address gets its token back.
    pub fn succeeded(&self, ticket: Ticket) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.names.remove(&ticket.name);
        if let Some(a) = ticket.addr
            && let Some(b) = st.addrs.get_mut(&a)
        {
            b.tokens = (b.tokens + 1.0).min(ADDR_BURST);
        }
    }

    /// The attempt did not get to check a password (e.g. the server was too busy): undo
    /// what admitting it counted.
    pub fn cancelled(&self, ticket: Ticket) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.names.insert(ticket.name.clone(), ticket.before);
        if let Some(a) = ticket.addr
            && let Some(b) = st.addrs.get_mut(&a)
        {
            b.tokens = (b.tokens + 1.0).min(ADDR_BURST);
        }
    }

    /// The failures counted for `name` (for the account's stored copy).
    pub fn failures(&self, name: &str) -> i32 {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.names.get(name).map_or(0, |f| f.count)
    }

    /// Forgets a name's failures (after its password was reset).
    pub fn forget(&self, name: &str) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.names.remove(name);
    }
}

/// Drops what no longer slows anybody down: names without a failure for a day, full
/// address buckets.
fn prune(st: &mut State, now: DateTime<Utc>) {
    st.names
        .retain(|_, f| f.last.is_some_and(|l| now - l < Duration::hours(24)));
    st.addrs.retain(|_, b| {
        b.refill(now);
        b.tokens < ADDR_BURST
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-15T02:00:00Z")
            .map(|d| d.to_utc())
            .unwrap_or_default()
    }

    #[test]
    fn five_free_attempts_then_the_wait_grows() {
        let th = Throttle::default();
        let now = t0();
        for _ in 0..5 {
            assert!(th.admit("alice", None, now, None).is_ok());
        }
        // Admitted attempts count at once: a sixth in the same instant waits.
        assert_eq!(th.admit("alice", None, now, None).err(), Some(2));
        assert!(
            th.admit("alice", None, now + Duration::seconds(2), None)
                .is_ok()
        );
        assert_eq!(
            th.admit("alice", None, now + Duration::seconds(2), None)
                .err(),
            Some(4)
        );
    }

    #[test]
    fn success_forgives_and_unknown_names_are_slowed_the_same() {
        let th = Throttle::default();
        let now = t0();
        let t = th
            .admit("alice", None, now, None)
            .unwrap_or_else(|_| panic!());
        th.succeeded(t);
        assert_eq!(th.failures("alice"), 0);
        for _ in 0..5 {
            assert!(th.admit("nobody-here", None, now, None).is_ok());
        }
        assert!(th.admit("nobody-here", None, now, None).is_err());
    }

    #[test]
    fn a_stored_count_seeds_the_memory() {
        let th = Throttle::default();
        let now = t0();
        assert!(th.admit("bob", None, now, Some((9, Some(now)))).is_err());
    }

    #[test]
    fn one_address_spraying_many_names_runs_out_of_tokens() {
        let th = Throttle::default();
        let now = t0();
        let addr: IpAddr = "203.0.113.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let mut let_through = 0;
        for i in 0..100 {
            if th.admit(&format!("user{i}"), Some(addr), now, None).is_ok() {
                let_through += 1;
            }
        }
        assert_eq!(let_through, ADDR_BURST as usize);
        // Two minutes later one more token has come back.
        assert!(
            th.admit("user200", Some(addr), now + Duration::seconds(121), None)
                .is_ok()
        );
        // Another address is not affected.
        let other: IpAddr = "198.51.100.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(th.admit("user300", Some(other), now, None).is_ok());
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::from([0; 16]));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(IpAddr::from([0; 16]));
        assert_eq!(addr_key(a), addr_key(b));
    }
}
