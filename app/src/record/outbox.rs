//! The phone's outbox, as rules: a line saved on the phone waits here until the server has
//! it. Each line is `queued` until a tab takes it to send (`sending`); the answer makes it
//! `sent` (it leaves the outbox), a `conflict` (the server holds a newer version: the cadre
//! chooses), `refused` (a business refusal, kept with the server's message) or `queued`
//! again (not reached, or signed out: sent later). Pure: the browser side stores the lines
//! (IndexedDB) and drives the sends.

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use super::EntryInput;
use crate::domain::*;
use crate::error::AppError;

/// How long a tab holds a line it is sending (longer than a call's timeout): another tab
/// sends it only after that, with the same client id, so a line lost with its tab is still
/// applied once.
pub const LEASE_MS: f64 = 30_000.0;

/// One line waiting on the phone: one day's two lines of one cadre.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxLine {
    /// The save's idempotency key: every send of this line names it.
    pub client_id: String,
    /// Who wrote it: it is only ever sent as theirs.
    pub person: CadreId,
    pub day: NaiveDate,
    pub work: String,
    pub outcome: String,
    pub place: Place,
    pub village_id: Option<VillageId>,
    pub place_note: String,
    /// The version of the day's entry the line was written over (0: none).
    pub base_version: u32,
    /// When it was written, at the server's clock (the phone's clock plus its offset), in
    /// ms since 1970 (a number: no date parser in the WASM for it).
    pub written_at_ms: i64,
    /// How many sends were started; after one, the server may hold it already.
    pub attempts: u32,
    pub state: LineState,
    /// The tab sending it now, and until when it holds it (ms since 1970).
    #[serde(default)]
    pub lease_tab: String,
    #[serde(default)]
    pub lease_until: f64,
}

/// Where an unsent line stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// Externally tagged ("queued", {"conflict": {...}}): decoding it needs no buffering, which
// keeps the WASM small.
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Waiting to be sent (again).
    Queued,
    /// The server holds a newer version of the day, saved elsewhere.
    Conflict {
        server_version: u32,
        server_work: String,
        server_outcome: String,
    },
    /// The server refused it (sheet submitted meanwhile, day closed, ...): kept, with why.
    Refused { error: AppError },
}

/// What a send's answer means for its line.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Stored, as this version.
    Stored { version: u32 },
    /// No answer (offline, timeout, a server failure, too many requests): send again later.
    Unreached,
    /// The session ended: keep every line, ask to sign in again, send nothing more.
    SignedOut,
    /// The server holds a newer version: the cadre chooses.
    Newer,
    /// A refusal with the server's reason.
    Refused(AppError),
}

impl Answer {
    /// Reads a send's result.
    pub fn of(result: Result<u32, AppError>) -> Answer {
        match result {
            Ok(version) => Answer::Stored { version },
            Err(AppError::Network { .. })
            | Err(AppError::TooManyRequests { .. })
            | Err(AppError::Timeout {})
            | Err(AppError::Internal {}) => Answer::Unreached,
            Err(AppError::Unauthenticated {}) => Answer::SignedOut,
            Err(AppError::Conflict { reason }) if reason == "newer_version" => Answer::Newer,
            Err(e) => Answer::Refused(e),
        }
    }

    /// Whether the drain goes on with the next line after this answer (a line that got no
    /// answer or a lost session stops it: the next would meet the same).
    pub fn goes_on(&self) -> bool {
        !matches!(self, Answer::Unreached | Answer::SignedOut)
    }
}

impl OutboxLine {
    /// A line as the *Today* form saved it.
    pub fn of_input(person: CadreId, input: &EntryInput, written_at_ms: i64) -> Self {
        OutboxLine {
            client_id: input.client_id.clone(),
            person,
            day: input.day,
            work: input.work.clone(),
            outcome: input.outcome.clone(),
            place: input.place,
            village_id: input.village_id,
            place_note: input.place_note.clone().unwrap_or_default(),
            base_version: input.base_version.unwrap_or(0),
            written_at_ms,
            attempts: 0,
            state: LineState::Queued,
            lease_tab: String::new(),
            lease_until: 0.0,
        }
    }

    /// Whether a drain sends it now: queued and not held by another tab.
    pub fn sendable(&self, tab: &str, now_ms: f64) -> bool {
        self.state == LineState::Queued
            && (self.lease_tab.is_empty() || self.lease_tab == tab || self.lease_until <= now_ms)
    }

    /// What is sent: the line as written, when and as whose, over which version.
    pub fn to_input(&self) -> EntryInput {
        EntryInput {
            client_id: self.client_id.clone(),
            day: self.day,
            work: self.work.clone(),
            outcome: self.outcome.clone(),
            place: self.place,
            village_id: self.village_id,
            place_note: Some(self.place_note.clone()),
            device_written_at: DateTime::from_timestamp_millis(self.written_at_ms),
            base_version: Some(self.base_version),
            author: Some(self.person),
        }
    }

    /// The line once a send started: counted, held by `tab` for [`LEASE_MS`].
    pub fn sending(mut self, tab: &str, now_ms: f64) -> Self {
        self.attempts += 1;
        self.lease_tab = tab.into();
        self.lease_until = now_ms + LEASE_MS;
        self
    }

    /// The line after a send's answer; `None` once the server has it.
    pub fn answered(mut self, answer: &Answer) -> Option<Self> {
        self.lease_tab.clear();
        self.lease_until = 0.0;
        match answer {
            Answer::Stored { .. } => return None,
            Answer::Unreached | Answer::SignedOut => self.state = LineState::Queued,
            // Filled in with the server's text once it is read (see `in_conflict`).
            Answer::Newer => {
                self.state = LineState::Conflict {
                    server_version: 0,
                    server_work: String::new(),
                    server_outcome: String::new(),
                }
            }
            Answer::Refused(e) => self.state = LineState::Refused { error: e.clone() },
        }
        Some(self)
    }

    /// A conflict with what the server holds.
    pub fn in_conflict(mut self, version: u32, work: String, outcome: String) -> Self {
        self.state = LineState::Conflict {
            server_version: version,
            server_work: work,
            server_outcome: outcome,
        };
        self
    }

    /// The line with its text changed before it was sent. Once a send of it was started the
    /// server may hold the old text under the old id: the new text goes under `fresh_id`.
    pub fn edited(mut self, work: String, outcome: String, fresh_id: String) -> Self {
        self.work = work;
        self.outcome = outcome;
        self.requeue(fresh_id)
    }

    /// Kept over a newer version on the server: sent again over that version, as a new save.
    pub fn keep_mine(mut self, fresh_id: String) -> Self {
        if let LineState::Conflict { server_version, .. } = self.state {
            self.base_version = server_version;
        }
        self.client_id = fresh_id;
        self.attempts = 0;
        self.state = LineState::Queued;
        self
    }

    /// Queued again (after an edit, or to retry a refused line).
    pub fn requeue(mut self, fresh_id: String) -> Self {
        if self.attempts > 0 {
            self.client_id = fresh_id;
            self.attempts = 0;
        }
        self.state = LineState::Queued;
        self.lease_tab.clear();
        self.lease_until = 0.0;
        self
    }
}

/// How long to wait before the next try after `failures` sends in a row got no answer:
/// 5 s, doubling, at most 5 minutes.
pub fn backoff_ms(failures: u32) -> u32 {
    5_000u32.saturating_mul(1 << failures.min(6)).min(300_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line() -> OutboxLine {
        let input = EntryInput {
            client_id: "c-first-0001".into(),
            day: NaiveDate::from_ymd_opt(2026, 4, 14).unwrap(),
            work: "走访".into(),
            outcome: "解决".into(),
            place: Place::Village,
            village_id: Some(VillageId(3)),
            place_note: None,
            device_written_at: None,
            base_version: Some(2),
            author: None,
        };
        let at = DateTime::parse_from_rfc3339("2026-04-14T02:00:00Z").unwrap();
        OutboxLine::of_input(CadreId(7), &input, at.timestamp_millis())
    }

    #[test]
    fn a_sent_line_names_its_author_its_time_and_its_base() {
        let i = line().to_input();
        assert_eq!(i.author, Some(CadreId(7)));
        assert_eq!(i.base_version, Some(2));
        assert_eq!(
            i.device_written_at.map(|t| t.to_rfc3339()),
            Some("2026-04-14T02:00:00+00:00".into())
        );
        assert_eq!(i.client_id, "c-first-0001");
    }

    #[test]
    fn answers_decide_the_line() {
        let sending = line().sending("tab-a", 1000.0);
        assert_eq!(sending.attempts, 1);
        assert!(!sending.sendable("tab-b", 2000.0), "held by the other tab");
        assert!(
            sending.sendable("tab-b", 1000.0 + LEASE_MS),
            "lease ran out"
        );
        assert_eq!(
            sending.clone().answered(&Answer::Stored { version: 3 }),
            None
        );
        let again = sending.clone().answered(&Answer::Unreached).unwrap();
        assert_eq!(again.state, LineState::Queued);
        assert_eq!(again.client_id, "c-first-0001", "resent under the same id");
        assert!(again.sendable("tab-b", 1.0));
        let refused = sending
            .clone()
            .answered(&Answer::Refused(AppError::conflict("sheet_locked")))
            .unwrap();
        assert!(matches!(refused.state, LineState::Refused { .. }));
        assert!(
            !refused.sendable("tab-a", 1.0),
            "a refused line waits for the cadre"
        );
        let conflict =
            sending
                .answered(&Answer::Newer)
                .unwrap()
                .in_conflict(5, "别处".into(), "改过".into());
        assert!(!conflict.sendable("tab-a", 1.0));
        let mine = conflict.keep_mine("c-fresh-0002".into());
        assert_eq!(
            (mine.base_version, mine.state.clone()),
            (5, LineState::Queued)
        );
        assert_eq!(mine.client_id, "c-fresh-0002");
    }

    #[test]
    fn results_are_read_as_answers() {
        use crate::error::NetworkCause;
        let net = AppError::Network {
            cause: NetworkCause::Offline,
        };
        assert_eq!(Answer::of(Err(net)), Answer::Unreached);
        assert_eq!(
            Answer::of(Err(AppError::Unauthenticated {})),
            Answer::SignedOut
        );
        assert_eq!(
            Answer::of(Err(AppError::conflict("newer_version"))),
            Answer::Newer
        );
        assert!(matches!(
            Answer::of(Err(AppError::conflict("wrong_account"))),
            Answer::Refused(_)
        ));
        assert!(!Answer::SignedOut.goes_on() && Answer::Newer.goes_on());
    }

    #[test]
    fn an_edit_after_a_started_send_takes_a_new_id() {
        let untried = line().edited("新".into(), "新".into(), "c-new-000001".into());
        assert_eq!(untried.client_id, "c-first-0001");
        let tried = line()
            .sending("t", 0.0)
            .answered(&Answer::Unreached)
            .unwrap()
            .edited("新".into(), "新".into(), "c-new-000001".into());
        assert_eq!(
            (tried.client_id.as_str(), tried.attempts),
            ("c-new-000001", 0)
        );
    }

    #[test]
    fn the_stored_form_reads_back() {
        let l = line().sending("t", 5.0);
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(serde_json::from_str::<OutboxLine>(&json).unwrap(), l);
    }

    proptest! {
        /// Whatever the answers, a line is never lost before the server has it, never changes
        /// its id while a send of it may be stored, and is never sent by two tabs at once.
        #[test]
        fn a_line_leaves_only_when_stored(answers in proptest::collection::vec(0u8..5, 1..20)) {
            let mut l = line();
            for a in answers {
                let answer = match a {
                    0 => Answer::Unreached,
                    1 => Answer::SignedOut,
                    2 => Answer::Newer,
                    3 => Answer::Refused(AppError::conflict("sheet_locked")),
                    _ => Answer::Stored { version: 9 },
                };
                if !l.sendable("a", 100.0) {
                    l = l.requeue("c-again-00001".into());
                }
                let id = l.client_id.clone();
                let sent = l.sending("a", 100.0);
                prop_assert!(!sent.sendable("b", 100.0));
                match sent.answered(&answer) {
                    None => {
                        let stored = matches!(answer, Answer::Stored { .. });
                        prop_assert!(stored);
                        break;
                    }
                    Some(next) => {
                        prop_assert_eq!(&next.client_id, &id);
                        l = next;
                    }
                }
            }
        }
    }

    #[test]
    fn backoff_grows_to_five_minutes() {
        assert_eq!(backoff_ms(0), 5_000);
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(30), 300_000);
    }
}
