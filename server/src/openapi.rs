//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of every server function. Each
//! operation names its server function's type: the path is the function's own `PATH`, and
//! the documented arguments and answer are checked by the compiler against the function's
//! argument struct and return type (see `op!`), so renaming or retyping an argument without
//! documenting it does not build. Schemas come from the domain types (schemars); a test
//! checks that every registered server function is documented.

use app::domain::*;
use app::error::AppError;
use app::eval::*;
use app::org::*;
use app::policy::{EvalPolicy, PolicyHistory, PolicyVersion};
use app::record::*;
use app::rewards::*;
use axum::Json;
use leptos::server_fn::ServerFn;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

/// One documented operation.
pub struct Op {
    pub path: &'static str,
    pub summary: &'static str,
    pub who: &'static str,
    /// Reads a body as this function's arguments (`api_args`).
    pub check: crate::api_args::ArgCheck,
    args: Vec<(&'static str, Schema, bool)>,
    response: Schema,
}

fn s<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

macro_rules! op {
    ($g:ident, $f:path, $summary:literal, $who:literal, [$(($name:ident, $ty:ty, $req:expr)),*], $resp:ty) => {{
        // The documented arguments are the server function's own: this only compiles when
        // `$f` has exactly these fields with exactly these types, and when it answers `$resp`.
        let _arguments = |$($name: $ty),*| {
            type F = $f;
            F { $($name),* }
        };
        let _answer = |v: <$f as ServerFn>::Output| -> $resp { v };
        Op {
            path: <$f as ServerFn>::PATH,
            summary: $summary,
            who: $who,
            check: crate::api_args::check::<$f>,
            args: vec![$((stringify!($name), s::<$ty>($g), $req)),*],
            response: s::<$resp>($g),
        }
    }};
}

/// Every operation, in the order of the API's sections.
pub fn operations(g: &mut SchemaGenerator) -> Vec<Op> {
    vec![
        op!(
            g,
            app::auth::api::SignIn,
            "Sign in; sets the session cookie",
            "anyone",
            [(username, String, true), (password, String, true)],
            Me
        ),
        op!(
            g,
            app::auth::api::SignOut,
            "End the session",
            "signed in",
            [],
            ()
        ),
        op!(
            g,
            app::auth::api::CurrentUser,
            "The signed-in person, or null",
            "anyone",
            [],
            Option<Me>
        ),
        op!(
            g,
            app::auth::api::ChangePassword,
            "Change one's own password",
            "signed in",
            [(old_password, String, true), (new_password, String, true)],
            ()
        ),
        op!(
            g,
            app::auth::api::CreateToken,
            "Create an API token (acts as one account with one of its roles until the end of `expires_on`); the answer holds the secret, shown once",
            "office, signed in (not with a token)",
            [
                (name, String, true),
                (account, CadreId, true),
                (role, Role, true),
                (expires_on, String, true)
            ],
            app::auth::NewToken
        ),
        op!(
            g,
            app::auth::api::ListTokens,
            "Every API token, newest first (never a secret)",
            "office, signed in (not with a token)",
            [],
            Vec<app::auth::TokenView>
        ),
        op!(
            g,
            app::auth::api::RevokeToken,
            "Revoke an API token",
            "office, signed in (not with a token)",
            [(id, app::auth::TokenId, true)],
            app::auth::TokenView
        ),
        op!(g, app::record::api::GetToday, "The Today screen (default: today)", "cadre", [(day, Option<chrono::NaiveDate>, false)], TodayView),
        op!(
            g,
            app::record::api::SaveEntry,
            "Save a day's two lines; applied once per client_id",
            "cadre (own open sheets)",
            [(input, EntryInput, true)],
            DayEntryView
        ),
        op!(
            g,
            app::record::api::MySheets,
            "The caller's sheets, newest first",
            "cadre",
            [],
            Vec<SheetSummary>
        ),
        op!(
            g,
            app::record::api::GetSheet,
            "One sheet with its rows and history",
            "its cadre, its supervising leader, principals, committee, office",
            [(id, SheetId, true)],
            SheetView
        ),
        op!(
            g,
            app::record::api::MySheetFor,
            "The caller's sheet for a period key such as 2026-04-1",
            "cadre",
            [(period, String, true)],
            SheetView
        ),
        op!(
            g,
            app::record::api::SubmitSheet,
            "Submit an open sheet; it is locked afterwards",
            "its cadre",
            [(id, SheetId, true)],
            SheetView
        ),
        op!(g, app::record::api::ReviewSheet, "Mark a submitted sheet reviewed", "its supervising leader", [(id, SheetId, true), (comment, Option<String>, false)], SheetView),
        op!(
            g,
            app::record::api::ReturnSheet,
            "Return a submitted sheet with a reason",
            "its supervising leader",
            [(id, SheetId, true), (reason, String, true)],
            SheetView
        ),
        op!(g, app::record::api::GetInbox, "The inbox for a dekad (default: the last ended one)", "supervising leader", [(period, Option<String>, false)], InboxView),
        op!(
            g,
            app::record::api::ArchiveSearch,
            "Search every submitted sheet",
            "office, principals, committee",
            [(query, ArchiveQuery, true)],
            ArchiveResults
        ),
        op!(
            g,
            app::org::api::ListDepartments,
            "Departments",
            "signed in",
            [],
            Vec<DepartmentView>
        ),
        op!(
            g,
            app::org::api::ListVillages,
            "Villages and their areas",
            "signed in",
            [],
            Vec<VillageOption>
        ),
        op!(
            g,
            app::org::api::ListAreas,
            "Areas with their chiefs and villages",
            "signed in",
            [],
            Vec<AreaView>
        ),
        op!(
            g,
            app::org::api::CreateArea,
            "Create an area (片)",
            "office",
            [(name, String, true)],
            AreaView
        ),
        op!(
            g,
            app::org::api::CreateVillage,
            "Add a village to an area",
            "office",
            [(area, AreaId, true), (name, String, true)],
            AreaView
        ),
        op!(g, app::org::api::SetAreaChief, "Name or clear an area's chief", "office", [(area, AreaId, true), (chief, Option<CadreId>, false)], AreaView),
        op!(
            g,
            app::org::api::CreateDepartment,
            "Create a department",
            "office",
            [(name, String, true)],
            DepartmentView
        ),
        op!(
            g,
            app::org::api::RenameDepartment,
            "Rename a department",
            "office",
            [(id, DepartmentId, true), (name, String, true)],
            DepartmentView
        ),
        op!(
            g,
            app::org::api::ListAccounts,
            "Every account",
            "office",
            [],
            Vec<AccountView>
        ),
        op!(
            g,
            app::org::api::CreateAccount,
            "Create an account",
            "office",
            [(account, NewAccount, true)],
            AccountView
        ),
        op!(
            g,
            app::org::api::SetAccountActive,
            "Deactivate or reactivate an account",
            "office",
            [(id, CadreId, true), (active, bool, true)],
            AccountView
        ),
        op!(
            g,
            app::org::api::ResetPassword,
            "Set a new password and end the account's sessions",
            "office",
            [(id, CadreId, true), (password, String, true)],
            ()
        ),
        op!(
            g,
            app::org::api::AssignSupervisor,
            "Change a cadre's supervising leader from a date",
            "office",
            [
                (cadre, CadreId, true),
                (supervisor, CadreId, true),
                (from, chrono::NaiveDate, true)
            ],
            AccountView
        ),
        op!(
            g,
            app::org::api::ImportCadres,
            "Import cadres from CSV text (all or nothing)",
            "office",
            [(csv, String, true)],
            ImportReport
        ),
        op!(
            g,
            app::eval::api::GetPolicy,
            "The evaluation policy in force and its earlier versions",
            "signed in",
            [],
            PolicyHistory
        ),
        op!(
            g,
            app::eval::api::UpdatePolicy,
            "Add a new evaluation policy version",
            "office",
            [(policy, EvalPolicy, true), (note, String, true)],
            PolicyVersion
        ),
        op!(g, app::eval::api::GetOpinions, "An area chief's opinion screen for a month (default: last month)", "area chief", [(month, Option<String>, false)], OpinionSheet),
        op!(g, app::eval::api::SaveOpinion, "Write or revise an opinion on a cadre of one's area", "the chief of the cadre's area", [(month, String, true), (cadre, CadreId, true), (text, String, true), (rating, Option<u32>, false)], OpinionView),
        op!(g, app::eval::api::GetPickBoard, "The monthly pick screen (default: last month)", "supervising leader", [(month, Option<String>, false)], PickBoard),
        op!(
            g,
            app::eval::api::SubmitPick,
            "Submit the month's best and worst with reasons and citations (locked after)",
            "supervising leader, own cadres",
            [(input, MonthlyPickInput, true)],
            ResultView
        ),
        op!(
            g,
            app::eval::api::GetResult,
            "A monthly pick or quarterly result",
            "its leader, principals, committee, office; a named cadre their own naming; everyone a published quarterly result",
            [(id, ResultId, true)],
            ResultView
        ),
        op!(g, app::eval::api::GetPool, "The quarter's pool with reasons, citations and opinions; `kind` keeps only the best or the worst", "deciders (policy: principals)", [(quarter, Option<String>, false), (kind, Option<PickKind>, false)], PoolView),
        op!(g, app::eval::api::ListPublishedResults, "Published quarterly results, newest first, a page at a time", "signed in (committee, office, deciders in full; everyone else the current names and reasons)", [(year, Option<i32>, false), (page, Option<u32>, false), (per_page, Option<u32>, false)], Page<ResultView>),
        op!(g, app::eval::api::Choose, "Record a preliminary or confirming quarterly choice", "deciders", [(quarter, String, true), (confirm, bool, true), (best, Vec<CadreId>, true), (worst, Vec<CadreId>, true), (note, Option<String>, false)], PoolView),
        op!(
            g,
            app::eval::api::WithdrawChoice,
            "Withdraw one's own quarterly choice while undecided",
            "deciders",
            [(quarter, String, true)],
            PoolView
        ),
        op!(
            g,
            app::eval::api::Publish,
            "Publish the decided quarterly result",
            "deciders",
            [(quarter, String, true)],
            ResultView
        ),
        op!(
            g,
            app::eval::api::MyResults,
            "One's own published namings and appeals",
            "signed in",
            [],
            Vec<MyNaming>
        ),
        op!(g, app::eval::api::GetCalendar, "Every evaluation step of a month and its quarter with due dates and states", "signed in", [(month, Option<String>, false)], CalendarView),
        op!(
            g,
            app::eval::api::GetReminders,
            "What is due from the caller",
            "signed in",
            [],
            Vec<Reminder>
        ),
        op!(
            g,
            app::eval::api::FileAppeal,
            "Appeal a published naming of oneself within the window",
            "the named cadre",
            [(naming, NamingId, true), (ground, String, true)],
            AppealView
        ),
        op!(
            g,
            app::eval::api::ListAppeals,
            "Appeals (all for committee and principals, else one's own)",
            "signed in",
            [],
            AppealList
        ),
        op!(g, app::eval::api::AnswerAppeal, "Answer an open appeal: uphold, overturn or change", "Party committee", [(id, AppealId, true), (outcome, AppealOutcome, true), (answer, String, true), (replacement, Option<CadreId>, false)], AppealView),
        op!(
            g,
            app::rewards::api::GetRewardsBoard,
            "Outcomes of every published quarterly result, the cases and the notices; `quarter` keeps one quarter's",
            "principals, committee, office",
            [(quarter, Option<String>, false)],
            RewardsBoard
        ),
        op!(g, app::rewards::api::ListNotices, "The notices the caller may see, newest first, a page at a time", "signed in (drafts: office, principals)", [(kind, Option<NoticeKind>, false), (year, Option<i32>, false), (page, Option<u32>, false), (per_page, Option<u32>, false)], Page<NoticeSummary>),
        op!(
            g,
            app::rewards::api::RecomputeOutcomes,
            "Derive the outcomes again from the published results (idempotent)",
            "office, principals",
            [],
            RecomputeReport
        ),
        op!(
            g,
            app::rewards::api::GetMyRewards,
            "One's own results, outcomes, cases and bonus lines",
            "signed in",
            [],
            MyRewards
        ),
        op!(
            g,
            app::rewards::api::GetCase,
            "A talk, warning or rectification case with its notes",
            "principals, committee, office, its owner and its cadre",
            [(id, CaseId, true)],
            CaseView
        ),
        op!(g, app::rewards::api::AddCaseNote, "Add a note to an open case: talk (needs held_on), warning, plan (needs deadline), follow_up, closure (needs met and a note)", "talk and warning: principals; the rest: principals or the case's owner", [(case, CaseId, true), (kind, String, true), (body, String, true), (response, Option<String>, false), (held_on, Option<String>, false), (deadline, Option<String>, false), (met, Option<bool>, false)], CaseView),
        op!(
            g,
            app::rewards::api::AssignCase,
            "Give an open case to another principal",
            "principals",
            [(case, CaseId, true), (owner, CadreId, true)],
            CaseView
        ),
        op!(
            g,
            app::rewards::api::GetNotice,
            "A notice (通报)",
            "signed in (drafts: office, principals)",
            [(id, NoticeId, true)],
            NoticeView
        ),
        op!(g, app::rewards::api::DraftNotice, "Draft a commendation or criticism notice from a result's active outcomes, or a correction of a published notice", "office, principals", [(result, ResultId, true), (kind, NoticeKind, true), (corrects, Option<NoticeId>, false)], NoticeView),
        op!(
            g,
            app::rewards::api::UpdateNotice,
            "Edit a draft notice (published notices never change)",
            "office, principals",
            [
                (id, NoticeId, true),
                (title, String, true),
                (preamble, String, true),
                (issuer, String, true)
            ],
            NoticeView
        ),
        op!(
            g,
            app::rewards::api::PublishNotice,
            "Publish a draft notice with the year's next number and today's date",
            "office, principals",
            [(id, NoticeId, true)],
            NoticeView
        ),
        op!(g, app::rewards::api::GetLedger, "The bonus ledger of a period (default: last quarter)", "office, principals", [(period, Option<String>, false)], LedgerView),
        op!(
            g,
            app::rewards::api::SetBase,
            "Enter a cadre's base bonus for an open period (decimal string)",
            "office",
            [
                (cadre, CadreId, true),
                (period, String, true),
                (amount, String, true)
            ],
            BaseReport
        ),
        op!(
            g,
            app::rewards::api::ImportBases,
            "Import base bonuses from CSV (username,period,amount), all or nothing",
            "office",
            [(csv, String, true)],
            BaseReport
        ),
        op!(
            g,
            app::rewards::api::ClosePeriod,
            "Close an ended period: its lines are frozen, later changes become correction lines",
            "office",
            [(period, String, true)],
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

/// A schema generator for OpenAPI 3.1: JSON Schema 2020-12 (type arrays for nulls,
/// `prefixItems`), definitions under `#/components/schemas`.
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator()
}

/// The error schema made exact: every kind has its `message`; `reason` lists every code the
/// server sends for its kind.
fn document_errors(schemas: &mut Map<String, Value>) {
    let reasons = app::error::reason_codes();
    let message = json!({"type": "string", "description": "The error in the caller's language."});
    if let Some(Value::Array(variants)) =
        schemas.get_mut("AppError").and_then(|e| e.get_mut("oneOf"))
    {
        for v in variants.iter_mut() {
            let kind = v["properties"]["error"]["const"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) else {
                continue;
            };
            props.insert("message".into(), message.clone());
            let codes: Option<Vec<&str>> = match kind.as_str() {
                "invalid" | "conflict" => Some(reasons.clone()),
                "malformed" => Some(app::error::MALFORMED_REASONS.to_vec()),
                // A cross-site refusal says so.
                "forbidden" => Some(vec!["cross_site"]),
                _ => None,
            };
            if let Some(codes) = codes {
                props.insert("reason".into(), json!({"type": "string", "enum": codes}));
            }
            if let Some(Value::Array(req)) = v.get_mut("required") {
                req.push("message".into());
            }
        }
    }
    if let Some(props) = schemas
        .get_mut("ImportRowError")
        .and_then(|e| e.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        props.insert("reason".into(), json!({"type": "string", "enum": reasons}));
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut g = generator();
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
    let mut schemas = g.take_definitions(true);
    document_errors(&mut schemas);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Xiaoneng API",
            "version": "1",
            "description": "Every call is a POST of a JSON object of named arguments. Errors are JSON objects with an `error` kind, details and a `message` in the caller's language (cookie `xn_lang`, else `Accept-Language`). A body that is not the function's arguments is answered 400 `malformed` with the `field` path and the `reason`; an empty body stands for `{}`. Times are RFC 3339 with at most millisecond precision. Authentication: the `xn_session` cookie set by auth/sign_in, or for server-to-server clients `Authorization: Bearer <token>` with a token the office created (tokens/create). State-changing requests must come from the site's own pages (`Sec-Fetch-Site: same-origin`, or an `Origin`/`Referer` of the public origin); requests with none of these headers are accepted only without a session cookie."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "xn_session"},
                "token": {"type": "http", "scheme": "bearer", "description": "An API token created by the office (`tokens/create`); API only, never pages."}
            }
        },
        "security": [{"session": []}, {"token": []}]
    })
}

/// Serves the document.
pub async fn handler() -> Json<Value> {
    Json(document())
}
