//! The three rewards and penalties (三奖惩) on sea-orm: outcomes derived from published results,
//! talk / warning / rectification cases, notices (通报) and the bonus ledger with its exports.
//! The rules are the pure functions of `app::rewards`; this room loads what they need and
//! authorises every call on the record it touches.

mod cases;
mod export;
mod ledger;
mod notices;
mod outcomes;

pub use notices::published_anchors;

use crate::service::prelude::*;

const QUARTERLY: &str = "quarterly";

const MONTHLY: &str = "monthly";

const DRAFT: &str = "draft";

const PUBLISHED: &str = "published";
/// Longest note, notice preamble or talk record.
const MAX_NOTE_CHARS: usize = 2000;

fn quarter_of(r: &eval_result::Model) -> Quarter {
    Quarter {
        year: r.year,
        quarter: r.period as u32,
    }
}

fn key3(cadre: i32, result: i32, kind: &str) -> (i32, i32, String) {
    (cadre, result, kind.to_string())
}

impl Service {
    fn may_see_rewards(me: &Me) -> bool {
        me.has(Role::Principal) || me.has(Role::Committee) || me.has(Role::Office)
    }

    fn may_draft_notices(me: &Me) -> bool {
        me.has(Role::Principal) || me.has(Role::Office)
    }
}
