//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of every server function. Request and
//! response schemas come from the domain types themselves (schemars), so they cannot drift;
//! a test checks that the documented paths and the registered server functions are the same.

use app::domain::*;
use app::error::AppError;
use app::eval::*;
use app::org::*;
use app::policy::{EvalPolicy, PolicyHistory, PolicyVersion};
use app::record::*;
use app::rewards::*;
use axum::Json;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

/// One documented operation.
pub struct Op {
    pub path: &'static str,
    pub summary: &'static str,
    pub who: &'static str,
    args: Vec<(&'static str, Schema, bool)>,
    response: Schema,
}

fn s<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

macro_rules! op {
    ($g:ident, $path:literal, $summary:literal, $who:literal, [$(($name:literal, $ty:ty, $req:expr)),*], $resp:ty) => {
        Op {
            path: concat!("/api/v1/", $path),
            summary: $summary,
            who: $who,
            args: vec![$(($name, s::<$ty>($g), $req)),*],
            response: s::<$resp>($g),
        }
    };
}

/// Every operation, in the order of the API's sections.
pub fn operations(g: &mut SchemaGenerator) -> Vec<Op> {
    vec![
        op!(
            g,
            "auth/sign_in",
            "Sign in; sets the session cookie",
            "anyone",
            [("username", String, true), ("password", String, true)],
            Me
        ),
        op!(g, "auth/sign_out", "End the session", "signed in", [], ()),
        op!(
            g,
            "auth/me",
            "The signed-in person, or null",
            "anyone",
            [],
            Option<Me>
        ),
        op!(
            g,
            "auth/change_password",
            "Change one's own password",
            "signed in",
            [
                ("old_password", String, true),
                ("new_password", String, true)
            ],
            ()
        ),
        op!(g, "record/today", "The Today screen (default: today)", "cadre", [("day", Option<chrono::NaiveDate>, false)], TodayView),
        op!(
            g,
            "record/save_entry",
            "Save a day's two lines; applied once per client_id",
            "cadre (own open sheets)",
            [("input", EntryInput, true)],
            DayEntryView
        ),
        op!(
            g,
            "record/my_sheets",
            "The caller's sheets, newest first",
            "cadre",
            [],
            Vec<SheetSummary>
        ),
        op!(
            g,
            "record/sheet",
            "One sheet with its rows and history",
            "its cadre, its supervising leader, principals, committee, office",
            [("id", SheetId, true)],
            SheetView
        ),
        op!(
            g,
            "record/my_sheet",
            "The caller's sheet for a period key such as 2026-04-1",
            "cadre",
            [("period", String, true)],
            SheetView
        ),
        op!(
            g,
            "record/submit",
            "Submit an open sheet; it is locked afterwards",
            "its cadre",
            [("id", SheetId, true)],
            SheetView
        ),
        op!(g, "review/mark_reviewed", "Mark a submitted sheet reviewed", "its supervising leader", [("id", SheetId, true), ("comment", Option<String>, false)], SheetView),
        op!(
            g,
            "review/return",
            "Return a submitted sheet with a reason",
            "its supervising leader",
            [("id", SheetId, true), ("reason", String, true)],
            SheetView
        ),
        op!(g, "review/inbox", "The inbox for a dekad (default: the last ended one)", "supervising leader", [("period", Option<String>, false)], InboxView),
        op!(
            g,
            "archive/search",
            "Search every submitted sheet",
            "office, principals, committee",
            [("query", ArchiveQuery, true)],
            ArchiveResults
        ),
        op!(
            g,
            "org/departments",
            "Departments",
            "signed in",
            [],
            Vec<DepartmentView>
        ),
        op!(
            g,
            "org/villages",
            "Villages and their areas",
            "signed in",
            [],
            Vec<VillageOption>
        ),
        op!(
            g,
            "org/areas",
            "Areas with their chiefs and villages",
            "signed in",
            [],
            Vec<AreaView>
        ),
        op!(
            g,
            "org/create_area",
            "Create an area (片)",
            "office",
            [("name", String, true)],
            AreaView
        ),
        op!(
            g,
            "org/create_village",
            "Add a village to an area",
            "office",
            [("area", AreaId, true), ("name", String, true)],
            AreaView
        ),
        op!(g, "org/set_area_chief", "Name or clear an area's chief", "office", [("area", AreaId, true), ("chief", Option<CadreId>, false)], AreaView),
        op!(
            g,
            "org/create_department",
            "Create a department",
            "office",
            [("name", String, true)],
            DepartmentView
        ),
        op!(
            g,
            "org/rename_department",
            "Rename a department",
            "office",
            [("id", DepartmentId, true), ("name", String, true)],
            DepartmentView
        ),
        op!(
            g,
            "accounts/list",
            "Every account",
            "office",
            [],
            Vec<AccountView>
        ),
        op!(
            g,
            "accounts/create",
            "Create an account",
            "office",
            [("account", NewAccount, true)],
            AccountView
        ),
        op!(
            g,
            "accounts/set_active",
            "Deactivate or reactivate an account",
            "office",
            [("id", CadreId, true), ("active", bool, true)],
            AccountView
        ),
        op!(
            g,
            "accounts/reset_password",
            "Set a new password and end the account's sessions",
            "office",
            [("id", CadreId, true), ("password", String, true)],
            ()
        ),
        op!(
            g,
            "accounts/assign_supervisor",
            "Change a cadre's supervising leader from a date",
            "office",
            [
                ("cadre", CadreId, true),
                ("supervisor", CadreId, true),
                ("from", chrono::NaiveDate, true)
            ],
            AccountView
        ),
        op!(
            g,
            "accounts/import",
            "Import cadres from CSV text (all or nothing)",
            "office",
            [("csv", String, true)],
            ImportReport
        ),
        op!(
            g,
            "policy/current",
            "The evaluation policy in force and its earlier versions",
            "signed in",
            [],
            PolicyHistory
        ),
        op!(
            g,
            "policy/update",
            "Add a new evaluation policy version",
            "office",
            [("policy", EvalPolicy, true), ("note", String, true)],
            PolicyVersion
        ),
        op!(g, "eval/opinions", "An area chief's opinion screen for a month (default: last month)", "area chief", [("month", Option<String>, false)], OpinionSheet),
        op!(g, "eval/save_opinion", "Write or revise an opinion on a cadre of one's area", "the chief of the cadre's area", [("month", String, true), ("cadre", CadreId, true), ("text", String, true), ("rating", Option<u32>, false)], OpinionView),
        op!(g, "eval/pick_board", "The monthly pick screen (default: last month)", "supervising leader", [("month", Option<String>, false)], PickBoard),
        op!(
            g,
            "eval/submit_pick",
            "Submit the month's best and worst with reasons and citations (locked after)",
            "supervising leader, own cadres",
            [("input", MonthlyPickInput, true)],
            ResultView
        ),
        op!(
            g,
            "eval/result",
            "A monthly pick or quarterly result",
            "its leader, principals, committee, office; a named cadre their own naming; everyone a published quarterly result",
            [("id", ResultId, true)],
            ResultView
        ),
        op!(g, "eval/pool", "The quarter's pool with reasons, citations and opinions", "deciders (policy: principals)", [("quarter", Option<String>, false)], PoolView),
        op!(g, "eval/choose", "Record a preliminary or confirming quarterly choice", "deciders", [("quarter", String, true), ("confirm", bool, true), ("best", Vec<CadreId>, true), ("worst", Vec<CadreId>, true), ("note", Option<String>, false)], PoolView),
        op!(
            g,
            "eval/withdraw",
            "Withdraw one's own quarterly choice while undecided",
            "deciders",
            [("quarter", String, true)],
            PoolView
        ),
        op!(
            g,
            "eval/publish",
            "Publish the decided quarterly result",
            "deciders",
            [("quarter", String, true)],
            ResultView
        ),
        op!(
            g,
            "eval/mine",
            "One's own published namings and appeals",
            "signed in",
            [],
            Vec<MyNaming>
        ),
        op!(g, "eval/calendar", "Every evaluation step of a month and its quarter with due dates and states", "signed in", [("month", Option<String>, false)], CalendarView),
        op!(
            g,
            "eval/reminders",
            "What is due from the caller",
            "signed in",
            [],
            Vec<Reminder>
        ),
        op!(
            g,
            "appeal/file",
            "Appeal a published naming of oneself within the window",
            "the named cadre",
            [("naming", NamingId, true), ("ground", String, true)],
            AppealView
        ),
        op!(
            g,
            "appeal/list",
            "Appeals (all for committee and principals, else one's own)",
            "signed in",
            [],
            AppealList
        ),
        op!(g, "appeal/answer", "Answer an open appeal: uphold, overturn or change", "Party committee", [("id", AppealId, true), ("outcome", AppealOutcome, true), ("answer", String, true), ("replacement", Option<CadreId>, false)], AppealView),
        op!(
            g,
            "rewards/board",
            "Outcomes of every published quarterly result, the cases and the notices",
            "principals, committee, office",
            [],
            RewardsBoard
        ),
        op!(
            g,
            "rewards/recompute",
            "Derive the outcomes again from the published results (idempotent)",
            "office, principals",
            [],
            RecomputeReport
        ),
        op!(
            g,
            "rewards/mine",
            "One's own results, outcomes, cases and bonus lines",
            "signed in",
            [],
            MyRewards
        ),
        op!(
            g,
            "cases/get",
            "A talk, warning or rectification case with its notes",
            "principals, committee, office, its owner and its cadre",
            [("id", CaseId, true)],
            CaseView
        ),
        op!(g, "cases/note", "Add a note to an open case: talk (needs held_on), warning, plan (needs deadline), follow_up, closure (needs met and a note)", "talk and warning: principals; the rest: principals or the case's owner", [("case", CaseId, true), ("kind", String, true), ("body", String, true), ("response", Option<String>, false), ("held_on", Option<String>, false), ("deadline", Option<String>, false), ("met", Option<bool>, false)], CaseView),
        op!(
            g,
            "cases/assign",
            "Give an open case to another principal",
            "principals",
            [("case", CaseId, true), ("owner", CadreId, true)],
            CaseView
        ),
        op!(
            g,
            "notices/get",
            "A notice (通报)",
            "signed in (drafts: office, principals)",
            [("id", NoticeId, true)],
            NoticeView
        ),
        op!(g, "notices/draft", "Draft a commendation or criticism notice from a result's active outcomes, or a correction of a published notice", "office, principals", [("result", ResultId, true), ("kind", NoticeKind, true), ("corrects", Option<NoticeId>, false)], NoticeView),
        op!(
            g,
            "notices/update",
            "Edit a draft notice (published notices never change)",
            "office, principals",
            [
                ("id", NoticeId, true),
                ("title", String, true),
                ("preamble", String, true),
                ("issuer", String, true)
            ],
            NoticeView
        ),
        op!(
            g,
            "notices/publish",
            "Publish a draft notice with the year's next number and today's date",
            "office, principals",
            [("id", NoticeId, true)],
            NoticeView
        ),
        op!(g, "ledger/get", "The bonus ledger of a period (default: last quarter)", "office, principals", [("period", Option<String>, false)], LedgerView),
        op!(
            g,
            "ledger/set_base",
            "Enter a cadre's base bonus for an open period (decimal string)",
            "office",
            [
                ("cadre", CadreId, true),
                ("period", String, true),
                ("amount", String, true)
            ],
            BaseReport
        ),
        op!(
            g,
            "ledger/import",
            "Import base bonuses from CSV (username,period,amount), all or nothing",
            "office",
            [("csv", String, true)],
            BaseReport
        ),
        op!(
            g,
            "ledger/close",
            "Close an ended period: its lines are frozen, later changes become correction lines",
            "office",
            [("period", String, true)],
            LedgerView
        ),
    ]
}

/// The two file downloads: plain GETs (query parameters), documented beside the POSTs.
pub const LEDGER_EXPORT: &str = "/api/v1/ledger/export";
pub const NOTICE_DOWNLOAD: &str = "/api/v1/notices/download";

fn downloads() -> Vec<(&'static str, Value)> {
    let param = |name: &str, desc: &str, required: bool| json!({"name": name, "in": "query", "required": required, "description": desc, "schema": {"type": "string"}});
    let err = |d: &str| json!({"description": d, "content": {"application/json": {}}});
    let responses = |ct: Value| {
        json!({
            "200": {"description": "The file (Content-Disposition: attachment)", "content": ct},
            "400": err("A query parameter is missing or malformed"),
            "401": err("Not signed in"),
            "403": err("Not allowed"),
            "404": err("No such record"),
            "408": err("Not answered in time"),
            "422": err("Invalid period or format"),
            "500": err("Server error (details only in the server log)")
        })
    };
    vec![
        (
            LEDGER_EXPORT,
            json!({"get": {
                "summary": "The bonus ledger of a period for finance, as XLSX or CSV (audited)",
                "description": "Who may call it: office. Closed periods give their frozen lines; open periods add correction lines for changes to closed ones.",
                "operationId": "ledger_export",
                "parameters": [param("period", "`2026-Q3` or `2026-YE`", true), param("format", "`xlsx` (default) or `csv`", false)],
                "responses": responses(json!({
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "text/csv": {}
                }))
            }}),
        ),
        (
            NOTICE_DOWNLOAD,
            json!({"get": {
                "summary": "A notice (通报) as a standalone HTML file with the A4 print layout",
                "description": "Who may call it: everyone signed in for published notices; office and principals for drafts.",
                "operationId": "notices_download",
                "parameters": [param("id", "the notice's id", true)],
                "responses": responses(json!({"text/html": {}}))
            }}),
        ),
    ]
}

/// The whole document.
pub fn document() -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    let ops = operations(&mut g);
    let error = s::<AppError>(&mut g).to_value();
    let mut paths = Map::new();
    for op in ops {
        let mut props = Map::new();
        let mut required = Vec::new();
        for (name, schema, req) in op.args {
            props.insert(name.into(), schema.to_value());
            if req {
                required.push(name);
            }
        }
        let error_resp = |desc: &str| json!({"description": desc, "content": {"application/json": {"schema": error.clone()}}});
        paths.insert(
            op.path.into(),
            json!({
                "post": {
                    "summary": op.summary,
                    "description": format!("Who may call it: {}.", op.who),
                    "operationId": op.path.trim_start_matches("/api/v1/").replace('/', "_"),
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"type": "object", "properties": props, "required": required}}}
                    },
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": op.response.to_value()}}},
                        "400": error_resp("Malformed request"),
                        "401": error_resp("Not signed in"),
                        "403": error_resp("Not allowed"),
                        "404": error_resp("No such record (or not visible to the caller)"),
                        "409": error_resp("Conflicts with the record's state"),
                        "408": error_resp("Not answered in time"),
                        "413": error_resp("Body too large"),
                        "415": error_resp("The body is not JSON (Content-Type: application/json)"),
                        "422": error_resp("Invalid input"),
                        "429": error_resp("Too many attempts (Retry-After says when to try again)"),
                        "500": error_resp("Server error (details only in the server log)"),
                    }
                }
            }),
        );
    }
    for (path, item) in downloads() {
        paths.insert(path.into(), item);
    }
    let schemas = g.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Xiaoneng API",
            "version": "1",
            "description": "Every call is a POST of a JSON object of named arguments. Errors are JSON objects with an `error` kind, details and a `message` in the caller's language (cookie `xn_lang`). Authentication: the `xn_session` cookie set by auth/sign_in. State-changing requests must come from the site's own pages (`Sec-Fetch-Site: same-origin`, or an `Origin`/`Referer` of the public origin); requests with none of these headers are accepted only without a session cookie."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "xn_session"}}
        },
        "security": [{"session": []}]
    })
}

/// Serves the document.
pub async fn handler() -> Json<Value> {
    Json(document())
}
