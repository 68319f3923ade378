//! sea-orm entities, one per table. They stay in the server; pages and the API see the plain
//! types of `app::domain`, mapped in the service layer.

pub mod api_token;
pub mod appeal;
pub mod area;
pub mod area_opinion;
pub mod audit_log;
pub mod bonus_base;
pub mod cadre;
pub mod case;
pub mod case_note;
pub mod day_entry;
pub mod department;
pub mod entry_save;
pub mod eval_naming;
pub mod eval_result;
pub mod eval_revision;
pub mod ledger_closure;
pub mod notice;
pub mod outcome;
pub mod policy_version;
pub mod quarter_choice;
pub mod session;
pub mod sheet;
pub mod sheet_event;
pub mod supervision;
pub mod village;
