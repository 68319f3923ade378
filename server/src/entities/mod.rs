//! sea-orm entities, one per table. They stay in the server; pages and the API see the plain
//! types of `app::domain`, mapped in the service layer.

pub mod area;
pub mod audit_log;
pub mod cadre;
pub mod day_entry;
pub mod department;
pub mod entry_save;
pub mod session;
pub mod sheet;
pub mod sheet_event;
pub mod supervision;
pub mod village;
