//! The API's description and the caller's own identity: the OpenAPI 3.1 document at
//! `/api/v1/openapi.json`, a Swagger UI at `/api/docs/`, and `GET /api/v1/me`.
//!
//! The document is written by hand here, with utoipa's derives on small doc-only structs and
//! functions that mirror the JSON the handlers produce, so that no handler has to carry
//! documentation attributes. A test keeps it honest: every `/api/v1/…` route string in this
//! crate's sources must be documented, and every documented path must answer.
//!
//! The Swagger UI comes from `utoipa-swagger-ui`'s `vendored` feature: its files are inside
//! that crate and compiled into our binary, so nothing is fetched at build time or from the
//! browser (bureau intranets are offline). The content security policy stays the global one
//! (`script-src 'self'; style-src 'self'`): Swagger UI 5's own `index.html` has no inline
//! script or style any more, but its initializer has to name our document, so we serve our
//! own index page with the initializer as a static file (`/api/docs/init.js`) and only take
//! the bundle and its stylesheet from the crate. The initializer turns off the online
//! validator (`validatorUrl: null`), the one feature that would call another host. No
//! route-specific policy is needed.

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{Action, Line};
use serde::Serialize;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::auth::ApiCaller;
use crate::{ApiError, AppState, Lang};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(document))
        .route("/api/v1/me", get(me))
        .route(
            "/api/docs",
            get(|| async { Redirect::permanent("/api/docs/") }),
        )
        .route("/api/docs/", get(docs_index))
        .route("/api/docs/{file}", get(docs_file))
}

// ---------------------------------------------------------------------------------------
// GET /api/v1/me
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct PermissionJson {
    pub line: &'static str,
    pub action: &'static str,
}

#[derive(Debug, Serialize)]
pub struct MeJson {
    pub username: String,
    pub display_name: String,
    pub role: Option<String>,
    pub jurisdiction: Option<String>,
    pub permissions: Vec<PermissionJson>,
}

const ACTIONS: [Action; 5] = [
    Action::Read,
    Action::Write,
    Action::Approve,
    Action::Export,
    Action::Reveal,
];

/// Who the caller is and every (line, action) their role allows.
pub async fn me(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    // The caller's own account, for the display name: nobody else's record is read.
    let user = match state.service.own_account(&actor).await {
        Ok(u) => Some(u),
        Err(service::Error::NotFound) => None,
        Err(e) => return ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    };
    let permissions = Line::ALL
        .into_iter()
        .flat_map(|line| ACTIONS.into_iter().map(move |action| (line, action)))
        .filter(|(line, action)| actor.may(*line, *action))
        .map(|(line, action)| PermissionJson {
            line: line.as_str(),
            action: action.as_str(),
        })
        .collect();
    Json(MeJson {
        display_name: user.map_or_else(|| actor.username.clone(), |u| u.display_name),
        username: actor.username,
        role: actor.role.map(|r| r.as_str().to_owned()),
        jurisdiction: actor.jurisdiction.map(|j| j.to_string()),
        permissions,
    })
    .into_response()
}

// ---------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------

/// Doc-only mirrors of the JSON bodies and the operations. Nothing here runs.
#[allow(
    dead_code,
    reason = "these types and functions only describe the API to utoipa"
)]
mod doc {
    use utoipa::ToSchema;

    /// One refused field.
    #[derive(ToSchema)]
    pub struct FieldErrorDoc {
        /// Row of an uploaded file (1-based, the header being row 1), if the input was a file.
        row: Option<i64>,
        /// The field, e.g. `username`.
        field: String,
        /// Stable rule code, e.g. `account.password_short`.
        code: String,
        /// The problem in the caller's language.
        message: String,
    }

    /// Every error: a stable machine code (`invalid`, `unauthorized`, `forbidden`,
    /// `not_found`, `internal`, or a conflict's code such as `account.username_taken`),
    /// a message in the caller's language, and the refused fields (400, 413 and 415).
    /// Input that cannot be read has one field `form` with the code
    /// `accounts.malformed_json` or `accounts.malformed_query` (400, on every route),
    /// `api.content_type` (415) or `api.too_large` (413).
    #[derive(ToSchema)]
    pub struct ErrorDoc {
        code: String,
        message: String,
        fields: Vec<FieldErrorDoc>,
    }

    #[derive(ToSchema)]
    pub struct PermissionDoc {
        /// Business line, e.g. `assistance`, `accounts`, `audit`.
        line: String,
        /// `read`, `write`, `approve`, `export` or `reveal`.
        action: String,
    }

    #[derive(ToSchema)]
    pub struct MeDoc {
        username: String,
        display_name: String,
        /// Role code, e.g. `auditor`.
        role: Option<String>,
        /// 12-digit division code at the root of what the caller sees.
        jurisdiction: Option<String>,
        permissions: Vec<PermissionDoc>,
    }

    #[derive(ToSchema)]
    pub struct DivisionDoc {
        /// 12-digit statistical division code.
        code: String,
        name: String,
        /// `county`, `street`, `town`, `community`, `village` or `other`.
        level: String,
        /// `urban` or `rural`.
        area: String,
        parent: Option<String>,
        /// Number of direct children (absent on ancestors).
        children: Option<i64>,
    }

    #[derive(ToSchema)]
    pub struct DivisionDetailDoc {
        division: DivisionDoc,
        /// From the root down to the parent.
        ancestors: Vec<DivisionDoc>,
        children: Vec<DivisionDoc>,
    }

    #[derive(ToSchema)]
    pub struct AuditEntryDoc {
        /// Position in the hash chain, 1 for the first entry.
        seq: i64,
        /// RFC 3339, UTC.
        at: String,
        /// User name, `system` for the console operator, `?name` for a failed sign-in.
        actor: String,
        /// Client IP address, or `cli`.
        address: String,
        /// e.g. `session.sign_in`, `accounts.create`, `divisions.import`.
        action: String,
        /// e.g. `user:admin`, `division:990101000000`.
        object: String,
        reason: String,
        detail: String,
        prev_hash: String,
        hash: String,
    }

    /// The hash chain's state: intact with `entries`, or broken at `broken_seq` for
    /// `reason` (`hash`, `prev_hash` or `missing`).
    #[derive(ToSchema)]
    pub struct ChainDoc {
        intact: bool,
        entries: Option<i64>,
        broken_seq: Option<i64>,
        reason: Option<String>,
        message: String,
    }

    #[derive(ToSchema)]
    pub struct AuditListDoc {
        /// Newest first.
        items: Vec<AuditEntryDoc>,
        total: i64,
        page: i64,
        per_page: i64,
        chain: ChainDoc,
    }

    #[derive(ToSchema)]
    pub struct AccountDoc {
        id: i64,
        username: String,
        display_name: String,
        /// Role code.
        role: String,
        /// 12-digit division code.
        jurisdiction: String,
        /// Masked, e.g. `138****5678`.
        phone: Option<String>,
        /// e.g. `active`, `disabled`, `locked`.
        status: String,
    }

    #[derive(ToSchema)]
    pub struct AccountListDoc {
        items: Vec<AccountDoc>,
        total: i64,
        page: i64,
        per_page: i64,
    }

    #[derive(ToSchema)]
    pub struct NewAccountDoc {
        /// 3–32 of `a-z 0-9 _ . -`.
        username: String,
        display_name: String,
        role: String,
        jurisdiction: String,
        phone: Option<String>,
        password: String,
    }

    #[derive(ToSchema)]
    pub struct CreatedDoc {
        id: i64,
    }

    /// The edit form's fields; the user name and password are not changed here. Missing
    /// text fields are empty (and refused); a missing `disabled` is `false`.
    #[derive(ToSchema)]
    pub struct AccountChangeDoc {
        display_name: String,
        /// Role code. `admin` and `auditor` are granted only on the server console
        /// (`account.role_console_only`); an account that holds one may keep it.
        role: String,
        /// 12-digit division code.
        jurisdiction: String,
        /// Absent or `null`: keep the stored number; `""`: remove it; otherwise the new
        /// number (mobile or landline).
        phone: Option<String>,
        disabled: Option<bool>,
    }

    #[derive(ToSchema)]
    pub struct ResetPasswordDoc {
        /// The temporary password, at least 10 characters and not the user name; the holder
        /// must choose a new one at the next sign-in.
        password: String,
    }

    #[derive(ToSchema)]
    pub struct RevealDoc {
        /// Why the number is needed, at least 4 characters; kept in the audit log.
        reason: String,
    }

    #[derive(ToSchema)]
    pub struct RevealedDoc {
        /// The full number; `null` when the account has none.
        phone: Option<String>,
    }

    /// The OpenAPI document itself.
    #[utoipa::path(get, path = "/api/v1/openapi.json", tag = "api", security(()),
        responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json")))]
    fn openapi_json() {}

    /// The caller: account, role, jurisdiction and every permission the role holds.
    #[utoipa::path(get, path = "/api/v1/me", tag = "api",
        responses(
            (status = 200, body = MeDoc),
            (status = 401, description = "No valid token or session", body = ErrorDoc),
        ))]
    fn me() {}

    /// The roots of the division tree the caller sees, with their number of children.
    #[utoipa::path(get, path = "/api/v1/divisions", tag = "divisions",
        responses(
            (status = 200, body = Vec<DivisionDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, description = "The role may not read divisions", body = ErrorDoc),
        ))]
    fn divisions() {}

    /// One division with its ancestors and children. Outside the caller's jurisdiction it
    /// is 404, as if it did not exist.
    #[utoipa::path(get, path = "/api/v1/divisions/{code}", tag = "divisions",
        params(("code" = String, Path, description = "12-digit division code")),
        responses(
            (status = 200, body = DivisionDetailDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn division() {}

    /// What a report is generated for: a period (both days included) and a division code
    /// (default: the caller's jurisdiction).
    #[derive(ToSchema)]
    pub struct NewReportDoc {
        /// First day, e.g. `2013-01-01`.
        from: String,
        /// Last day, e.g. `2013-06-30`; not before `from`.
        to: String,
        /// 12-digit division code within the caller's jurisdiction.
        division: Option<String>,
    }

    /// One indicator's figure.
    #[derive(ToSchema)]
    pub struct FigureDoc {
        /// e.g. `dibao.households`, `dibao.paid`.
        code: String,
        label_zh: String,
        label_en: String,
        /// `stock`, `flow`, `fact` or `rate`.
        kind: String,
        /// 户, 人, 次, 项, 万元, 元/人/月 or %.
        unit: String,
        /// A count, fen for money, or hundredths of a percent for a rate (10000 = 100 %).
        value: i64,
        /// As the document writes it, e.g. `1117.5178`.
        display: String,
    }

    /// A report: its parameters, data cut-off and SHA-256, the figures (with a breakdown
    /// by street, `by_street`), the months for the charts (`months`), and the narrative
    /// sentences (`narrative`).
    #[derive(ToSchema)]
    pub struct ReportDoc {
        id: i64,
        from: String,
        to: String,
        division: String,
        division_name: String,
        cutoff: String,
        sha256: String,
        figures: Vec<FigureDoc>,
        narrative: Vec<String>,
    }

    /// The records behind a figure, a page in key order (case, member or entry id): all
    /// pages together count or sum to `value`. Names and ID numbers are masked.
    #[derive(ToSchema)]
    pub struct ReportRecordsDoc {
        indicator: String,
        /// The figure as the report stored it: a count, or fen.
        value: i64,
        /// The `after` of the next page; null on the last.
        next: Option<String>,
        per_page: i64,
    }

    /// One month of an indicator's series: its stock at the month's end, or what was paid
    /// in the month (fen).
    #[derive(ToSchema)]
    pub struct PointDoc {
        month: String,
        value: i64,
    }

    /// An indicator's monthly series over the dashboard's year.
    #[derive(ToSchema)]
    pub struct SeriesDoc {
        code: String,
        points: Vec<PointDoc>,
    }

    /// Something due or overdue: its key, how many, and the page that lists them.
    #[derive(ToSchema)]
    pub struct DueDoc {
        key: String,
        count: i64,
        href: String,
    }

    /// A business line's dashboard.
    #[derive(ToSchema)]
    pub struct DashboardDoc {
        line: String,
        year: i32,
        years: Vec<i32>,
        from: String,
        to: String,
        division: String,
        division_name: String,
        figures: Vec<FigureDoc>,
        series: Vec<SeriesDoc>,
        due: Vec<DueDoc>,
    }

    /// Generates and stores the report for a period and a division, cut off now.
    #[utoipa::path(post, path = "/api/v1/reports", tag = "reports",
        request_body = NewReportDoc,
        responses(
            (status = 200, body = ReportDoc),
            (status = 400, description = "A day does not parse, the period ends before it starts, or the division is outside the caller's jurisdiction", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn reports_generate() {}

    /// A stored report, computed again at its cut-off: the same figures and SHA-256 as
    /// when it was generated.
    #[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports",
        params(("id" = i64, Path, description = "Report id")),
        responses(
            (status = 200, body = ReportDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn report() {}

    /// The records behind one figure of a stored report, as they stood on its date and
    /// cut-off, 50 a page, each page after the previous one's last key (the read is
    /// audited).
    #[utoipa::path(get, path = "/api/v1/reports/{id}/records/{code}", tag = "reports",
        params(
            ("id" = i64, Path, description = "Report id"),
            ("code" = String, Path, description = "Indicator code, e.g. `dibao.persons`"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
        ),
        responses(
            (status = 200, body = ReportRecordsDoc),
            (status = 400, description = "Unknown indicator", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn report_records() {}

    /// A business line's dashboard: its indicators over a calendar year up to today
    /// (stocks on the last day, flows summed), the monthly series, the street breakdown,
    /// and what is due or overdue in the caller's jurisdiction.
    #[utoipa::path(get, path = "/api/v1/dashboards/{line}", tag = "reports",
        params(
            ("line" = String, Path, description = "Business line, e.g. `assistance`"),
            ("year" = Option<i32>, Query, description = "Calendar year; default the current one, or the latest with payments"),
            ("division" = Option<String>, Query, description = "Division code; default the caller's jurisdiction"),
        ),
        responses(
            (status = 200, body = DashboardDoc),
            (status = 400, description = "The year is not one, or the division is outside the caller's jurisdiction", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, description = "No dashboard for that line", body = ErrorDoc),
        ))]
    fn dashboard() {}

    /// The audit log, newest first, 50 a page, and the state of its hash chain. Auditors
    /// only. Dates are calendar days in Beijing time, `until` inclusive.
    #[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
        params(
            ("actor" = Option<String>, Query, description = "User name, exactly"),
            ("action" = Option<String>, Query, description = "Action code prefix, e.g. `session.`"),
            ("object" = Option<String>, Query, description = "Object, exactly, e.g. `user:admin`"),
            ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD"),
            ("until" = Option<String>, Query, description = "Last day, YYYY-MM-DD"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
        ),
        responses(
            (status = 200, body = AuditListDoc),
            (status = 400, description = "A date does not parse", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn audit() {}

    /// Accounts in the caller's jurisdiction, phone numbers masked.
    #[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
        params(
            ("q" = Option<String>, Query, description = "Part of the user name or display name, or the display name's pinyin initials (`zgs` finds 张干事)"),
            ("division" = Option<String>, Query, description = "Only accounts whose jurisdiction lies in this division"),
            ("status" = Option<String>, Query, description = "e.g. `active`, `disabled`, `locked`"),
            ("sort" = Option<String>, Query, description = "Column to sort by, e.g. `username`"),
            ("desc" = Option<bool>, Query, description = "Sort descending"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
        ),
        responses(
            (status = 200, body = AccountListDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn accounts() {}

    /// Creates an account; it must choose a new password at first sign-in.
    #[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
        request_body = NewAccountDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, description = "Refused; every wrong field is listed", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 409, description = "The user name is taken", body = ErrorDoc),
        ))]
    fn create_account() {}

    /// One account, phone masked.
    #[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
        params(("id" = i64, Path, description = "Account id")),
        responses(
            (status = 200, body = AccountDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn account() {}

    /// Changes an account as the edit form does. Nobody changes their own role or disables
    /// themselves.
    #[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "accounts",
        params(("id" = i64, Path, description = "Account id")),
        request_body = AccountChangeDoc,
        responses(
            (status = 204, description = "Changed"),
            (status = 400, description = "Refused; every wrong field is listed, or the body is not JSON", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, description = "The body is not sent as `application/json`", body = ErrorDoc),
        ))]
    fn update_account() {}

    /// Gives an account a temporary password: its sessions and API tokens end, a lock-out
    /// is lifted, and it must choose a new password at the next sign-in. One's own password
    /// is changed on 我的账号 instead.
    #[utoipa::path(post, path = "/api/v1/accounts/{id}/reset-password", tag = "accounts",
        params(("id" = i64, Path, description = "Account id")),
        request_body = ResetPasswordDoc,
        responses(
            (status = 204, description = "Reset"),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn reset_password() {}

    /// The full phone number, for a role that may reveal it and gives a reason; the reveal
    /// and its reason are audited first. The answer is sent with `Cache-Control: no-store`.
    #[utoipa::path(post, path = "/api/v1/accounts/{id}/reveal", tag = "accounts",
        params(("id" = i64, Path, description = "Account id")),
        request_body = RevealDoc,
        responses(
            (status = 200, body = RevealedDoc),
            (status = 400, description = "No reason, or one too short", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn reveal_phone() {}

    /// A case in the list; ID numbers masked.
    #[derive(ToSchema)]
    pub struct CaseDoc {
        id: i64,
        /// `dibao`, `dibao_margin`, `tekun_dispersed`, `tekun_centralized`.
        program: String,
        /// `applied`, `means_checked`, `visited`, `reviewed`, `on_notice`, `approved`,
        /// `refused`, `withdrawn`.
        status: String,
        overdue: bool,
        active: bool,
        /// Send back with a step (optimistic locking).
        version: i64,
        applied_on: String,
        division: String,
        division_name: String,
        address: String,
        head_name: String,
        /// Masked, e.g. `9901**********0012`.
        head_id_number: String,
        members: i64,
        /// Yuan, e.g. `200.00`.
        income_per_capita: Option<String>,
        benefit_start: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct CaseListDoc {
        items: Vec<CaseDoc>,
        total: i64,
        page: i64,
        per_page: i64,
    }

    /// One case with its household, members (ID numbers masked), history (`actions`: step,
    /// date, who, when), the steps the caller may record next and, once approved, this
    /// month's benefit.
    #[derive(ToSchema)]
    pub struct CaseDetailDoc {
        id: i64,
        program: String,
        version: i64,
        status: String,
        active: bool,
        division: String,
        division_name: String,
        address: String,
        area: String,
        members: Vec<serde_json::Value>,
        actions: Vec<serde_json::Value>,
        allowed_next: Vec<String>,
        decision_due: Option<String>,
        overdue: bool,
        income_per_capita: Option<String>,
        benefit_start: Option<String>,
        benefit: Option<serde_json::Value>,
    }

    #[derive(ToSchema)]
    pub struct NewMemberDoc {
        name: String,
        /// 18 characters, check digit verified.
        id_number: String,
        /// `head` (exactly one), `spouse`, `child`, `parent`, `grandchild`, `sibling`, `other`.
        relation: String,
        /// 0 (none) to 4.
        disability_grade: Option<i64>,
        severe_illness: Option<bool>,
        /// `employed`, `unemployed`, `student`, `retired`, `unable`, `preschool`.
        employment: String,
        /// `capable`, `partly_unable`, `fully_unable` (特困).
        self_care: Option<String>,
    }

    /// An application (受理). Refusals name the member by `row` (1-based) and field.
    #[derive(ToSchema)]
    pub struct NewCaseDoc {
        /// 12-digit code of a community or village in the caller's jurisdiction.
        community: String,
        address: String,
        program: String,
        /// `urban` or `rural`; absent: the community's.
        area: Option<String>,
        /// `YYYY-MM-DD`, not after today; absent: today.
        applied_on: Option<String>,
        on_behalf: Option<bool>,
        note: Option<String>,
        members: Vec<NewMemberDoc>,
    }

    #[derive(ToSchema)]
    pub struct StepDoc {
        /// `check_means`, `visit_home`, `review_in_community`, `post_notice`, `approve`,
        /// `refuse`, `withdraw`.
        kind: String,
        /// `check_means`: yuan, e.g. `"200.00"`.
        income_per_capita: Option<String>,
        /// `post_notice`: the first day of the notice, `YYYY-MM-DD`.
        from: Option<String>,
        /// `refuse` and `withdraw`.
        reason: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct StepBodyDoc {
        /// The case's version as last read.
        version: i64,
        step: StepDoc,
        /// The day of the step, `YYYY-MM-DD`; absent: today.
        on: Option<String>,
        note: Option<String>,
    }

    /// One income item of a means worksheet.
    #[derive(ToSchema)]
    pub struct IncomeItemDoc {
        /// A current member's id, when the income is one person's.
        member_id: Option<i64>,
        /// `wage`, `business`, `property` or `transfer`.
        category: String,
        /// Monthly amount in yuan, e.g. `"900.00"`.
        monthly: String,
        /// `preferential`, `assistance`, `basic_pension` or `designated`; absent: counted.
        exemption: Option<String>,
        note: Option<String>,
    }

    /// One property item of a means worksheet.
    #[derive(ToSchema)]
    pub struct PropertyItemDoc {
        /// `deposits`, `securities`, `insurance`, `other_financial`, `vehicle`, `business`,
        /// `real_estate` or `machinery`.
        kind: String,
        /// Value in yuan; absent: 0.
        value: Option<String>,
        /// How many (homes, vehicles); absent: 1.
        count: Option<u32>,
        /// Needed for production or daily life: recorded, not counted.
        exempt: Option<bool>,
        note: Option<String>,
    }

    /// A means check from a worksheet (家庭经济状况核对表).
    #[derive(ToSchema)]
    pub struct MeansBodyDoc {
        /// The case's version as last read.
        version: i64,
        /// `YYYY-MM-DD`; absent: today.
        on: Option<String>,
        note: Option<String>,
        income: Vec<IncomeItemDoc>,
        property: Vec<PropertyItemDoc>,
    }

    /// A change to an approved case (动态管理). `kind` selects the fields that apply:
    /// `member_join` (name, id_number, relation, employment, disability_grade,
    /// severe_illness), `member_leave` and `death` (member_id), `income` and `gradual_exit`
    /// (income_per_capita, yuan), `move` (community, address), `suspend`, `resume`,
    /// `terminate` (reason_code: death, work_ability, imprisoned, means, support, withdrawal,
    /// other); a periodic review: `review_unchanged`, `review_changed` (income_per_capita),
    /// `review_terminate` (reason_code).
    #[derive(ToSchema)]
    pub struct ChangeBodyDoc {
        /// The case's version as last read.
        version: i64,
        kind: String,
        /// The first month it applies to, `YYYY-MM`; absent: the earliest allowed (next month,
        /// or after the 7-day notice of a 特困 termination).
        effective: Option<String>,
        /// Why (at least 4 characters; optional for `review_unchanged`).
        reason: String,
        member_id: Option<String>,
        income_per_capita: Option<String>,
        community: Option<String>,
        address: Option<String>,
        reason_code: Option<String>,
        name: Option<String>,
        id_number: Option<String>,
        relation: Option<String>,
        employment: Option<String>,
        disability_grade: Option<String>,
        severe_illness: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct ReviewDueDoc {
        case_id: i64,
        version: i64,
        program: String,
        division: String,
        division_name: String,
        head_name: String,
        /// `stable`, `ill_or_disabled` or `work_capable`.
        class: String,
        /// The last review, or the approval.
        since: String,
        due: String,
    }

    #[derive(ToSchema)]
    pub struct VersionDoc {
        version: i64,
    }

    #[derive(ToSchema)]
    pub struct StandardDoc {
        program: String,
        area: String,
        effective_from: String,
        /// Yuan per person per month.
        amount: String,
        citation: String,
    }

    /// Cases in the caller's jurisdiction, ID numbers masked.
    #[utoipa::path(get, path = "/api/v1/assistance/cases", tag = "assistance",
        params(
            ("q" = Option<String>, Query, description = "Head's name or pinyin initials, or a whole ID number"),
            ("division" = Option<String>, Query, description = "Only cases in this division"),
            ("program" = Option<String>, Query, description = "Programme code"),
            ("status" = Option<String>, Query, description = "A status, or `pending` / `overdue`"),
            ("sort" = Option<String>, Query, description = "`id`, `applied`, `name`, `division`, `program`"),
            ("desc" = Option<bool>, Query, description = "Sort descending"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
        ),
        responses(
            (status = 200, body = CaseListDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn assistance_cases() {}

    /// Takes an application (受理); the household, its members and the first step are
    /// saved together, or nothing is.
    #[utoipa::path(post, path = "/api/v1/assistance/cases", tag = "assistance",
        request_body = NewCaseDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, description = "Refused; every wrong field is listed, members by row", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_apply() {}

    /// One case (the read is audited).
    #[utoipa::path(get, path = "/api/v1/assistance/cases/{id}", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        responses(
            (status = 200, body = CaseDetailDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, description = "No such case in the caller's jurisdiction", body = ErrorDoc),
        ))]
    fn assistance_case() {}

    /// Records the next step. Approval needs the approving authority (403 otherwise).
    #[utoipa::path(post, path = "/api/v1/assistance/cases/{id}/steps", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        request_body = StepBodyDoc,
        responses(
            (status = 200, description = "The case's new version", body = VersionDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`assistance.case_changed`: someone recorded a step since `version`; the message names who and when", body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_step() {}

    /// Records the means check from a worksheet: the per-capita income is computed from the
    /// counted items (exempt ones shown, not counted; wages less the district's job-cost
    /// deduction), property findings under the district's thresholds are kept with it.
    /// Refused items name their row (`row`, 1-based within `income` or `property`).
    #[utoipa::path(post, path = "/api/v1/assistance/cases/{id}/means", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        request_body = MeansBodyDoc,
        responses(
            (status = 200, description = "The case's new version", body = VersionDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`assistance.case_changed`: the case changed since `version`", body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_means() {}

    /// The dated standards, with their citations.
    #[utoipa::path(get, path = "/api/v1/assistance/standards", tag = "assistance",
        responses(
            (status = 200, body = Vec<StandardDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn assistance_standards() {}

    /// Records a change on an approved case (动态管理); it applies from the next month
    /// unless a later month is given. Suspend, resume, terminate and gradual exit are
    /// decisions (the section, or a street officer under street approval).
    #[utoipa::path(post, path = "/api/v1/assistance/cases/{id}/changes", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        request_body = ChangeBodyDoc,
        responses(
            (status = 200, description = "The case's new version", body = VersionDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`assistance.case_changed`: the case changed since `version`", body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_change() {}

    /// The cases in the caller's jurisdiction whose periodic review (复核) is due on or
    /// before `on`, earliest first.
    #[utoipa::path(get, path = "/api/v1/assistance/reviews", tag = "assistance",
        params(
            ("division" = Option<String>, Query, description = "Only this division's subtree (e.g. a street)"),
            ("on" = Option<String>, Query, description = "`YYYY-MM-DD`; default today"),
        ),
        responses(
            (status = 200, body = Vec<ReviewDueDoc>),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn assistance_reviews() {}

    /// A payroll run (月度发放批次): one benefit month of one programme.
    #[derive(ToSchema)]
    pub struct RunDoc {
        id: i64,
        /// `YYYY-MM`.
        month: String,
        program: String,
        /// `draft` (being computed), `checked` (awaiting approval), `approved`, later
        /// `exported`, `reconciled`, `closed`.
        state: String,
        /// The records as they stood at this moment (RFC 3339).
        cutoff: String,
        prepared_by: String,
        approved_by: Option<String>,
        households: i64,
        total_fen: i64,
    }

    /// A run with its totals and its difference from last month.
    #[derive(ToSchema)]
    pub struct RunDetailDoc {
        run: RunDoc,
        households: i64,
        regular_fen: i64,
        arrears_fen: i64,
        /// Negative.
        recovery_fen: i64,
        total_fen: i64,
        added: i64,
        stopped: i64,
        changed: i64,
        flagged: i64,
        prev_households: i64,
        prev_fen: i64,
        /// The caller may approve it now (checked, not its preparer, holds the permission).
        may_approve: bool,
    }

    /// One line of a run, with the case history's reason for a difference.
    #[derive(ToSchema)]
    pub struct LineDoc {
        /// The assistance case; absent for the veterans' programmes (one line per household).
        case_id: Option<i64>,
        household_id: i64,
        division_code: String,
        benefit_month: String,
        /// `regular` (0 = stopped), `arrears` or `recovery`.
        kind: String,
        amount_fen: i64,
        members: i64,
        /// Last month's regular amount; absent if not paid then.
        prev_fen: Option<i64>,
        /// The amount moved by more than `payroll.jump_pct` percent.
        flagged: bool,
        change_kind: Option<String>,
        change_reason: Option<String>,
        /// `approve` or `import`: what started the benefit.
        start_step: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct LinePageDoc {
        items: Vec<LineDoc>,
        total: i64,
        page: i64,
        per_page: i64,
    }

    /// A ledger entry (资金台账); key (program, household_id, benefit_month, kind, paid_in, seq).
    #[derive(ToSchema)]
    pub struct EntryDoc {
        id: i64,
        program: String,
        household_id: i64,
        /// The assistance case; absent for the veterans' programmes.
        case_id: Option<i64>,
        division_code: String,
        benefit_month: String,
        /// `regular`, `arrears`, `recovery`, `reversal` or `one_off`.
        kind: String,
        paid_in: String,
        seq: i64,
        amount_fen: i64,
        run_id: Option<i64>,
        reverses: Option<i64>,
        reason: String,
    }

    #[derive(ToSchema)]
    pub struct EntryPageDoc {
        items: Vec<EntryDoc>,
        total: i64,
        page: i64,
        per_page: i64,
    }

    #[derive(ToSchema)]
    pub struct ApprovedDoc {
        id: i64,
        /// Ledger entries written.
        entries: i64,
    }

    /// The payroll runs, newest month first.
    #[utoipa::path(get, path = "/api/v1/payroll/runs", tag = "payroll",
        params(("month" = Option<String>, Query, description = "`YYYY-MM`: only this benefit month")),
        responses(
            (status = 200, body = Vec<RunDoc>),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn payroll_runs() {}

    /// One run: totals and the difference from last month.
    #[utoipa::path(get, path = "/api/v1/payroll/runs/{id}", tag = "payroll",
        params(("id" = i64, Path, description = "Run id")),
        responses(
            (status = 200, body = RunDetailDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn payroll_run() {}

    /// A run's lines in the caller's jurisdiction, 50 a page.
    #[utoipa::path(get, path = "/api/v1/payroll/runs/{id}/lines", tag = "payroll",
        params(
            ("id" = i64, Path, description = "Run id"),
            ("show" = Option<String>, Query, description = "`added`, `stopped`, `changed`, `flagged`, `corrections` or all"),
            ("page" = Option<i64>, Query, description = "1-based"),
        ),
        responses(
            (status = 200, body = LinePageDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn payroll_lines() {}

    /// Approves a checked run (maker–checker: never its preparer): its lines become
    /// ledger entries.
    #[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/approve", tag = "payroll",
        params(("id" = i64, Path, description = "Run id")),
        responses(
            (status = 200, body = ApprovedDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`payroll.maker_checker`, `payroll.not_checked`, `payroll.already_approved`", body = ErrorDoc),
        ))]
    fn payroll_approve() {}

    /// The payment ledger in the caller's jurisdiction, 50 a page.
    #[utoipa::path(get, path = "/api/v1/payroll/ledger", tag = "payroll",
        params(
            ("program" = Option<String>, Query, description = "Programme code"),
            ("paid_in" = Option<String>, Query, description = "`YYYY-MM`: the paying month"),
            ("benefit_month" = Option<String>, Query, description = "`YYYY-MM`"),
            ("kind" = Option<String>, Query, description = "Entry kind"),
            ("case" = Option<i64>, Query, description = "Case id"),
            ("page" = Option<i64>, Query, description = "1-based"),
        ),
        responses(
            (status = 200, body = EntryPageDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn payroll_ledger() {}

    /// The payment history of a case's household.
    #[utoipa::path(get, path = "/api/v1/assistance/cases/{id}/payments", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        responses(
            (status = 200, body = Vec<EntryDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn assistance_payments() {}

    /// A payee account (收款账户); the number is masked.
    #[derive(ToSchema)]
    pub struct PayeeDoc {
        holder: String,
        bank_name: String,
        /// The 12-digit CNAPS code, if given.
        bank_code: Option<String>,
        /// Masked.
        account_number: String,
        /// `card` or `book`.
        account_kind: String,
        reason: String,
        recorded_by: String,
        recorded_at: String,
    }

    /// A household's payee: the current account and every earlier one, latest first.
    #[derive(ToSchema)]
    pub struct PayeeViewDoc {
        case_id: i64,
        household_id: i64,
        current: Option<PayeeDoc>,
        history: Vec<PayeeDoc>,
    }

    /// A payee account to record.
    #[derive(ToSchema)]
    pub struct PayeeInputDoc {
        holder: String,
        bank_name: String,
        /// 12 digits, or empty.
        bank_code: String,
        account_number: String,
        /// `card` or `book`; guessed from the number when empty.
        account_kind: String,
        /// Required when the household already has an account.
        reason: String,
    }

    /// The household's payee account of a case, current first.
    #[utoipa::path(get, path = "/api/v1/assistance/cases/{id}/payee", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        responses(
            (status = 200, body = PayeeViewDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn assistance_payee() {}

    /// Records the household's current payee account (the Luhn check for cards); the old
    /// account stays in the history.
    #[utoipa::path(post, path = "/api/v1/assistance/cases/{id}/payee", tag = "assistance",
        params(("id" = i64, Path, description = "Case id")),
        request_body = PayeeInputDoc,
        responses(
            (status = 200, body = PayeeViewDoc),
            (status = 400, description = "`bank_account.*` field errors", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn assistance_set_payee() {}

    /// Makes the bank file (代发文件) of an approved run and records it with its SHA-256;
    /// the run becomes `exported`. The response is the file; headers `x-bank-file-sha256`,
    /// `x-bank-file-lines`, `x-bank-file-total-fen` and `x-bank-file-not-exportable`
    /// (households without an account) describe it.
    #[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/bank-file", tag = "payroll",
        params(
            ("id" = i64, Path, description = "Run id"),
            ("format" = String, Query, description = "`csv`, `xlsx` or `pain001`"),
            ("reason" = Option<String>, Query, description = "Required for a run's second file"),
        ),
        responses(
            (status = 200, description = "The file", content_type = "application/octet-stream"),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`payroll.not_approved`, `payroll.export_again`, `payroll.no_debtor`, `payroll.nothing_to_export`", body = ErrorDoc),
        ))]
    fn payroll_bank_file() {}

    /// A month to prepare.
    #[derive(ToSchema)]
    pub struct PrepareDoc {
        /// `YYYY-MM`.
        month: String,
        /// A programme code; absent or empty: every programme due that month.
        program: Option<String>,
    }

    /// Prepares the runs of a month (or resumes one cut short), computed as of now, as
    /// `minzheng payroll run` does; the runs as prepared, checked and awaiting approval.
    #[utoipa::path(post, path = "/api/v1/payroll/runs", tag = "payroll",
        request_body = PrepareDoc,
        responses(
            (status = 200, body = Vec<RunDoc>),
            (status = 400, description = "`month.*`, a programme that is no cash benefit", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 409, description = "`payroll.already_approved`, `payroll.earlier_open`, `payroll.nothing_due`, …", body = ErrorDoc),
        ))]
    fn payroll_prepare() {}

    /// A count of payments and their sum.
    #[derive(ToSchema)]
    pub struct CountDoc {
        count: i64,
        fen: i64,
        /// The sum in yuan, as text.
        yuan: String,
    }

    /// One payment of a run and what became of it.
    #[derive(ToSchema)]
    pub struct PaymentOutcomeDoc {
        run_id: i64,
        month: String,
        program: String,
        household_id: i64,
        head_name: String,
        division_code: String,
        amount_fen: i64,
        /// `paid`, `failed`, `reissued` or `outstanding`.
        outcome: String,
        /// Re-issues made so far.
        attempts: i64,
        /// The key of the latest attempt, as the bank saw it.
        key: String,
        /// The bank's reason, when the latest attempt failed.
        reason: String,
        failed_at: Option<String>,
        batch_id: Option<i64>,
        /// The household's current account (masked).
        payee: Option<PayeeDoc>,
        /// An account was recorded after the failure: the payment may be re-issued.
        corrected: bool,
    }

    /// A run's reconciliation: paid + failed + reissued + outstanding = expected, in count
    /// and in fen.
    #[derive(ToSchema)]
    pub struct ReconciliationDoc {
        run_id: i64,
        state: String,
        expected: CountDoc,
        paid: CountDoc,
        failed: CountDoc,
        reissued: CountDoc,
        outstanding: CountDoc,
        /// Of the outstanding: in no bank file for want of an account.
        unsent: CountDoc,
        payments: Vec<PaymentOutcomeDoc>,
    }

    /// A payment to re-issue.
    #[derive(ToSchema)]
    pub struct ReissueItemDoc {
        run_id: i64,
        household_id: i64,
    }

    /// Payments to re-issue in a one-off batch.
    #[derive(ToSchema)]
    pub struct ReissueDoc {
        items: Vec<ReissueItemDoc>,
        /// `csv`, `xlsx` or `pain001`.
        format: String,
        /// Why (required).
        reason: String,
    }

    /// A re-issue batch's result file, reconciled.
    #[derive(ToSchema)]
    pub struct ReissueReturnsDoc {
        batch_id: i64,
        expected: CountDoc,
        paid: CountDoc,
        failed: CountDoc,
        outstanding: CountDoc,
    }

    /// Imports the bank's result file (回盘) for the run's latest bank file: the body is the
    /// file (CSV in UTF-8 or GBK, or XLSX). A file that cannot be read, names unknown keys or
    /// other amounts or accounts is refused whole (400 lists every problem by row and
    /// field); the answer is the run's reconciliation after the import.
    #[utoipa::path(post, path = "/api/v1/payroll/runs/{id}/returns", tag = "payroll",
        params(("id" = i64, Path, description = "Run id")),
        request_body(content = String, content_type = "text/csv"),
        responses(
            (status = 200, body = ReconciliationDoc),
            (status = 400, description = "`bank_return.*`, `payroll.returns_*` row errors", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`payroll.not_exported`, `payroll.returns_reissued`", body = ErrorDoc),
        ))]
    fn payroll_returns() {}

    /// The run's reconciliation report: expected, paid, failed, re-issued, outstanding,
    /// with every payment behind them.
    #[utoipa::path(get, path = "/api/v1/payroll/runs/{id}/reconciliation", tag = "payroll",
        params(("id" = i64, Path, description = "Run id")),
        responses(
            (status = 200, body = ReconciliationDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn payroll_reconciliation() {}

    /// Payments whose latest attempt failed, in every run, in the caller's jurisdiction.
    #[utoipa::path(get, path = "/api/v1/payroll/failed", tag = "payroll",
        params(
            ("run" = Option<i64>, Query, description = "Only this run"),
            ("division" = Option<String>, Query, description = "Only this street or community (12 digits)"),
        ),
        responses(
            (status = 200, body = Vec<PaymentOutcomeDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn payroll_failed() {}

    /// Re-issues failed payments whose account was corrected since, in a one-off batch;
    /// the response is the batch's bank file (headers `x-reissue-batch-id`,
    /// `x-bank-file-sha256`, `x-bank-file-lines`, `x-bank-file-total-fen`). No new ledger
    /// entry: each failure is re-issued at most once.
    #[utoipa::path(post, path = "/api/v1/payroll/reissues", tag = "payroll",
        request_body = ReissueDoc,
        responses(
            (status = 200, description = "The file", content_type = "application/octet-stream"),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`payroll.reissue_not_failed`, `payroll.reissue_not_corrected`, `payroll.reissue_twice`, `payroll.no_debtor`", body = ErrorDoc),
        ))]
    fn payroll_reissue() {}

    /// Imports the bank's result file for a re-issue batch, as for a run; a run all of
    /// whose payments are then paid becomes `reconciled`.
    #[utoipa::path(post, path = "/api/v1/payroll/reissues/{id}/returns", tag = "payroll",
        params(("id" = i64, Path, description = "Re-issue batch id")),
        request_body(content = String, content_type = "text/csv"),
        responses(
            (status = 200, body = ReissueReturnsDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`payroll.returns_reissued`", body = ErrorDoc),
        ))]
    fn payroll_reissue_returns() {}

    /// A cross-check task (数据比对待办); the ID number is masked.
    #[derive(ToSchema)]
    pub struct CheckTaskDoc {
        id: i64,
        /// `duplicate_household`, `duplicate_case`, `duplicate_in_household`, `invalid_id`,
        /// `id_mismatch` or `death`.
        kind: String,
        /// `open`, `resolved` or `dismissed`.
        status: String,
        /// The street or town responsible.
        street: String,
        street_name: String,
        /// The household's community or village.
        division: String,
        division_name: String,
        household_id: i64,
        case_id: Option<i64>,
        name: String,
        /// Masked.
        id_number: String,
        /// What was found, as `key=value` pairs.
        detail: String,
        created_at: String,
        closed_by: Option<String>,
        closed_at: Option<String>,
        note: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct CheckTaskPageDoc {
        total: i64,
        page: i64,
        per_page: i64,
        items: Vec<CheckTaskDoc>,
    }

    #[derive(ToSchema)]
    pub struct CloseTaskDoc {
        /// `resolved` or `dismissed`.
        status: String,
        /// What was done (4–200 characters).
        note: String,
    }

    #[derive(ToSchema)]
    pub struct CheckRunDoc {
        id: i64,
        /// `manual`, `nightly` or `deaths`.
        origin: String,
        by: String,
        started_at: String,
        finished_at: String,
        duplicates: i64,
        invalid_ids: i64,
        deaths: i64,
        deaths_recorded: i64,
        tasks_created: i64,
    }

    #[derive(ToSchema)]
    pub struct DeathImportDoc {
        rows: i64,
        stored: i64,
        known: i64,
        /// The run that matched the new records; none when nothing was new.
        run: Option<CheckRunDoc>,
    }

    /// Cross-check tasks of households in the caller's jurisdiction.
    #[utoipa::path(get, path = "/api/v1/assistance/checks/tasks", tag = "assistance",
        params(
            ("q" = Option<String>, Query, description = "Name or pinyin initials, or a whole ID number"),
            ("division" = Option<String>, Query, description = "Only this division's subtree"),
            ("status" = Option<String>, Query, description = "`open`, `resolved`, `dismissed`"),
            ("kind" = Option<String>, Query, description = "A finding kind"),
            ("sort" = Option<String>, Query, description = "`created`, `kind`, `division`, `name`"),
            ("desc" = Option<bool>, Query, description = "Sort descending"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
        ),
        responses(
            (status = 200, body = CheckTaskPageDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn checks_tasks() {}

    /// Closes an open task as resolved or dismissed, with a note.
    #[utoipa::path(post, path = "/api/v1/assistance/checks/tasks/{id}/close", tag = "assistance",
        params(("id" = i64, Path, description = "Task id")),
        request_body = CloseTaskDoc,
        responses(
            (status = 204, description = "Closed"),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, description = "No such task in the caller's jurisdiction", body = ErrorDoc),
            (status = 409, description = "`assistance.task_closed`: already closed", body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn checks_close() {}

    /// The latest check runs, newest first.
    #[utoipa::path(get, path = "/api/v1/assistance/checks/runs", tag = "assistance",
        responses(
            (status = 200, body = Vec<CheckRunDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn checks_runs() {}

    /// Runs every check now over the caller's jurisdiction (the district section).
    #[utoipa::path(post, path = "/api/v1/assistance/checks/runs", tag = "assistance",
        responses(
            (status = 200, body = CheckRunDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn checks_run() {}

    /// Imports death records: the body is the CSV file (`text/csv`, UTF-8 or GBK; columns
    /// id_number, name, date_of_death, source or their Chinese names). Any wrong row and
    /// nothing is stored (400 lists every error by row and column); records stored before
    /// are skipped; the checks then run and matched members' deaths are recorded.
    #[utoipa::path(post, path = "/api/v1/assistance/checks/deaths", tag = "assistance",
        request_body(content = String, content_type = "text/csv"),
        responses(
            (status = 200, body = DeathImportDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn checks_deaths() {}

    /// A relief or medical grant (the head's ID number masked; money in yuan).
    #[derive(ToSchema)]
    pub struct GrantDoc {
        id: i64,
        /// `temporary` (临时救助), `disaster` (受灾救助), `winter` (冬春救助), `medical` (医疗救助).
        kind: String,
        household_id: i64,
        case_id: Option<i64>,
        division: String,
        division_name: String,
        head_name: String,
        head_id_number: String,
        persons: i64,
        amount: String,
        reason: String,
        funding_source: String,
        granted_on: String,
        year: i32,
        /// The budget it drew on, and what had been drawn before it.
        budget: String,
        drawn_before: String,
        /// Set when the grant took the year's drawn total above the budget.
        override_reason: Option<String>,
        recorded_by: String,
        recorded_at: String,
        cancelled: bool,
        cancel_reason: Option<String>,
        cancelled_by: Option<String>,
        cancelled_at: Option<String>,
    }

    /// What the whole filtered list adds up to, cancelled grants left out.
    #[derive(ToSchema)]
    pub struct GrantTotalsDoc {
        grants: i64,
        /// Distinct households.
        households: i64,
        /// Persons covered, summed over the grants.
        persons: i64,
        amount: String,
    }

    #[derive(ToSchema)]
    pub struct GrantListDoc {
        items: Vec<GrantDoc>,
        total: i64,
        page: i64,
        per_page: i64,
        totals: GrantTotalsDoc,
    }

    /// A grant to record: every field is text, checked together.
    #[derive(ToSchema)]
    pub struct GrantBodyDoc {
        kind: String,
        /// The household's number in the registry.
        household: String,
        persons: String,
        /// Yuan, e.g. `1500` or `1500.00`.
        amount: String,
        reason: String,
        /// The budget line code the money comes from.
        funding_source: String,
        /// `YYYY-MM-DD`; its year picks the budget.
        granted_on: String,
        /// Needed only when the grant goes above its budget; logged with the grant.
        override_reason: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct GrantRecordedDoc {
        id: i64,
        /// It went above the budget on its override reason.
        overridden: bool,
    }

    #[derive(ToSchema)]
    pub struct CancelBodyDoc {
        /// Why (at least 4 characters).
        reason: String,
    }

    #[derive(ToSchema)]
    pub struct CancelledDoc {
        id: i64,
        cancelled: bool,
    }

    /// A yearly budget with its use (money in yuan).
    #[derive(ToSchema)]
    pub struct BudgetDoc {
        year: i32,
        kind: String,
        amount: String,
        drawn: String,
        /// Negative once overrides took the total above the budget.
        remaining: String,
        /// Drawn as tenths of a percent of the amount; null for a budget of zero.
        permille_used: Option<i64>,
        grants: i64,
        overrides: i64,
        override_amount: String,
        citation: String,
        set_by: String,
        set_at: String,
    }

    #[derive(ToSchema)]
    pub struct BudgetBodyDoc {
        year: String,
        kind: String,
        /// Yuan.
        amount: String,
        /// The document that set it.
        citation: String,
    }

    #[derive(ToSchema)]
    pub struct SavedDoc {
        saved: bool,
    }

    /// Relief and medical grants in the caller's jurisdiction, newest first.
    #[utoipa::path(get, path = "/api/v1/assistance/grants", tag = "assistance",
        params(
            ("kind" = Option<String>, Query, description = "`temporary`, `disaster`, `winter` or `medical`"),
            ("year" = Option<i32>, Query, description = "The year of the approval date"),
            ("division" = Option<String>, Query, description = "Only this division's subtree (e.g. a street)"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
            ("per_page" = Option<i64>, Query, description = "At most 200"),
        ),
        responses(
            (status = 200, body = GrantListDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn assistance_grants() {}

    /// Records a grant (the district section). A grant that would take its budget's drawn
    /// total above the budget is refused (`grants.over_budget`, with the budget, drawn,
    /// remaining and requested amounts) unless `override_reason` is given; the override is
    /// stored and written to the audit log with the grant.
    #[utoipa::path(post, path = "/api/v1/assistance/grants", tag = "assistance",
        request_body = GrantBodyDoc,
        responses(
            (status = 201, body = GrantRecordedDoc),
            (status = 400, description = "Refused; every wrong field is listed", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_record_grant() {}

    /// One grant (the read is audited).
    #[utoipa::path(get, path = "/api/v1/assistance/grants/{id}", tag = "assistance",
        params(("id" = i64, Path, description = "Grant id")),
        responses(
            (status = 200, body = GrantDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, description = "No such grant in the caller's jurisdiction", body = ErrorDoc),
        ))]
    fn assistance_grant() {}

    /// Cancels a mistaken grant with a reason (grants are never edited or deleted); it no
    /// longer counts against its budget.
    #[utoipa::path(post, path = "/api/v1/assistance/grants/{id}/cancel", tag = "assistance",
        params(("id" = i64, Path, description = "Grant id")),
        request_body = CancelBodyDoc,
        responses(
            (status = 200, body = CancelledDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`grants.already_cancelled`", body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_cancel_grant() {}

    /// Every yearly budget with what is drawn, what remains, the share used and overrides.
    #[utoipa::path(get, path = "/api/v1/assistance/budgets", tag = "assistance",
        responses(
            (status = 200, body = Vec<BudgetDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn assistance_budgets() {}

    /// Sets the budget of a year and kind (the district section), with its citation. A
    /// budget below what is already drawn is refused (`grants.budget_below_drawn`).
    #[utoipa::path(post, path = "/api/v1/assistance/budgets", tag = "assistance",
        request_body = BudgetBodyDoc,
        responses(
            (status = 200, body = SavedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn assistance_set_budget() {}

    /// An entitlement of the register (优抚对象); the ID number masked.
    #[derive(ToSchema)]
    pub struct EntitlementDoc {
        id: i64,
        name: String,
        id_number: String,
        household_id: i64,
        division: String,
        division_name: String,
        /// A code of the category list (e.g. `11` 残疾军人, `81` 60周岁以上农村籍退役士兵).
        category: String,
        category_name: String,
        /// 1–10, disabilities only.
        grade: Option<i64>,
        /// `war`, `duty` or `illness`, disabilities only.
        cause: Option<String>,
        service_years: Option<i64>,
        certified_on: String,
        document_number: String,
        certifying_office: String,
        /// `active`, `suspended` or `ended`.
        status: String,
        /// For the status change's optimistic lock.
        version: i64,
        history: Vec<StatusDoc>,
    }

    /// One row of an entitlement's status history.
    #[derive(ToSchema)]
    pub struct StatusDoc {
        status: String,
        effective_on: String,
        reason: String,
        by: String,
        at: String,
    }

    #[derive(ToSchema)]
    pub struct EntitlementListDoc {
        items: Vec<EntitlementDoc>,
        total: i64,
        page: i64,
        per_page: i64,
    }

    /// An entitlement to register: every field text, checked together.
    #[derive(ToSchema)]
    pub struct EntitlementBodyDoc {
        id_number: String,
        name: String,
        category: String,
        grade: Option<String>,
        cause: Option<String>,
        service_years: Option<String>,
        /// `YYYY-MM-DD`.
        certified_on: String,
        document_number: String,
        certifying_office: String,
        /// The community or village of a new household (ignored when the person has one).
        community: Option<String>,
        address: Option<String>,
        /// `urban` or `rural`; empty for the division's.
        area: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct StatusBodyDoc {
        /// `active`, `suspended` or `ended`.
        status: String,
        effective_on: String,
        reason: String,
        /// The entitlement's version the change is made from.
        version: String,
    }

    #[derive(ToSchema)]
    pub struct EntitlementVersionDoc {
        id: i64,
        version: i64,
    }

    /// A dated standard (money in yuan).
    #[derive(ToSchema)]
    pub struct VeteranStandardDoc {
        category: String,
        grade: Option<i64>,
        cause: Option<String>,
        effective_from: String,
        amount: String,
        /// `month` or `year`.
        per: String,
        citation: String,
    }

    #[derive(ToSchema)]
    pub struct VeteranStandardBodyDoc {
        category: String,
        grade: Option<String>,
        cause: Option<String>,
        effective_from: String,
        /// Yuan; per year of service for the elderly allowance.
        amount: String,
        per: String,
        citation: String,
    }

    #[derive(ToSchema)]
    pub struct ImpactRowDoc {
        entitlement_id: i64,
        name: String,
        id_number: String,
        before: String,
        after: String,
    }

    /// What a standard would do in the month it takes effect.
    #[derive(ToSchema)]
    pub struct ImpactDoc {
        month: String,
        rows: Vec<ImpactRowDoc>,
        total_before: String,
        total_after: String,
        paid: i64,
    }

    /// The register of entitled persons in the caller's jurisdiction, by name.
    #[utoipa::path(get, path = "/api/v1/veterans/entitlements", tag = "veterans",
        params(
            ("q" = Option<String>, Query, description = "Name, pinyin initials or a whole ID number"),
            ("category" = Option<String>, Query, description = "A category code"),
            ("status" = Option<String>, Query, description = "`active`, `suspended` or `ended`"),
            ("division" = Option<String>, Query, description = "Only this division's subtree"),
            ("after" = Option<String>, Query, description = "Start after this record key \
                (the previous page's `next`); empty for the first page"),
            ("per_page" = Option<i64>, Query, description = "At most 200"),
        ),
        responses(
            (status = 200, body = EntitlementListDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn veterans_entitlements() {}

    /// Registers an entitlement (the veterans section). Refused: an invalid ID, a person
    /// recorded dead (`veterans.dead`), a grade outside 1–10, a category the person already
    /// holds (`veterans.duplicate`).
    #[utoipa::path(post, path = "/api/v1/veterans/entitlements", tag = "veterans",
        request_body = EntitlementBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, description = "Refused; every wrong field is listed", body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn veterans_register() {}

    /// One entitlement with its status history (the read is audited).
    #[utoipa::path(get, path = "/api/v1/veterans/entitlements/{id}", tag = "veterans",
        params(("id" = i64, Path, description = "Entitlement id")),
        responses(
            (status = 200, body = EntitlementDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, description = "No such entitlement in the caller's jurisdiction", body = ErrorDoc),
        ))]
    fn veterans_entitlement() {}

    /// Suspends, resumes or ends an entitlement from a date, with a reason.
    #[utoipa::path(post, path = "/api/v1/veterans/entitlements/{id}/status", tag = "veterans",
        params(("id" = i64, Path, description = "Entitlement id")),
        request_body = StatusBodyDoc,
        responses(
            (status = 200, body = EntitlementVersionDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, description = "`veterans.stale`", body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn veterans_status() {}

    /// Every dated standard.
    #[utoipa::path(get, path = "/api/v1/veterans/standards", tag = "veterans",
        responses(
            (status = 200, body = Vec<VeteranStandardDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn veterans_standards() {}

    /// Sets a dated standard (the veterans section).
    #[utoipa::path(post, path = "/api/v1/veterans/standards", tag = "veterans",
        request_body = VeteranStandardBodyDoc,
        responses(
            (status = 200, body = SavedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn veterans_set_standard() {}

    /// What a standard would change in the month it takes effect; nothing is written.
    #[utoipa::path(post, path = "/api/v1/veterans/standards/preview", tag = "veterans",
        request_body = VeteranStandardBodyDoc,
        responses(
            (status = 200, body = ImpactDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn veterans_preview_standard() {}

    #[derive(ToSchema)]
    pub struct CampaignDoc {
        id: i64,
        name: String,
        starts_on: String,
        ends_on: String,
    }

    #[derive(ToSchema)]
    pub struct CampaignBodyDoc {
        name: String,
        starts_on: String,
        ends_on: String,
    }

    /// One visit (money in yuan).
    #[derive(ToSchema)]
    pub struct VisitDoc {
        id: i64,
        delegation_id: Option<i64>,
        /// `assistance_household`, `entitled_person`, `troop_unit` or `elderly_home`.
        beneficiary: String,
        household_id: Option<i64>,
        entitlement_id: Option<i64>,
        visited_name: Option<String>,
        division: String,
        money: String,
        goods_value: String,
        goods: String,
        /// `budget` or `donation`.
        funding_source: String,
        visited_on: String,
    }

    /// A campaign with its totals and the visits in the caller's jurisdiction.
    #[derive(ToSchema)]
    pub struct CampaignDetailDoc {
        id: i64,
        name: String,
        starts_on: String,
        ends_on: String,
        delegations: i64,
        participants: i64,
        visits: Vec<VisitDoc>,
        households: i64,
        money: String,
        goods_value: String,
        donated: String,
        items: Vec<ItemDoc>,
    }

    /// In-kind items handed out in a campaign.
    #[derive(ToSchema)]
    pub struct ItemDoc {
        /// `letter`, `calendar` or `couplet`.
        item: String,
        quantity: i64,
    }

    #[derive(ToSchema)]
    pub struct VisitBodyDoc {
        delegation: Option<String>,
        beneficiary: String,
        household: Option<String>,
        entitlement: Option<String>,
        unit_name: Option<String>,
        division: Option<String>,
        money: Option<String>,
        goods_value: Option<String>,
        goods: Option<String>,
        funding_source: String,
        visited_on: String,
    }

    /// Every condolence campaign, newest first.
    #[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
        responses(
            (status = 200, body = Vec<CampaignDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn campaigns() {}

    /// Creates a campaign (the district).
    #[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns",
        request_body = CampaignBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn campaigns_create() {}

    /// A campaign with its delegations' totals and the visits in the caller's jurisdiction.
    #[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns",
        params(("id" = i64, Path, description = "Campaign id")),
        responses(
            (status = 200, body = CampaignDetailDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn campaign() {}

    /// Records a visit with money and goods; a household already paid in the campaign is
    /// refused (`campaigns.household_paid`).
    #[utoipa::path(post, path = "/api/v1/campaigns/{id}/visits", tag = "campaigns",
        params(("id" = i64, Path, description = "Campaign id")),
        request_body = VisitBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn campaigns_visit() {}

    #[derive(ToSchema)]
    pub struct BatchDoc {
        id: i64,
        name: String,
        discharged_on: String,
        /// The report-in deadline.
        report_by: String,
    }

    #[derive(ToSchema)]
    pub struct ReceptionDoc {
        id: i64,
        name: String,
        /// Masked.
        id_number: String,
        division: String,
        /// `self_employed`, `assigned_job`, `retirement` or `state_support`.
        placement: String,
        /// `secondary`, `higher` or `none`.
        training: String,
        reported_on: String,
        late_reason: Option<String>,
    }

    /// A batch with the soldiers received in the caller's jurisdiction.
    #[derive(ToSchema)]
    pub struct BatchDetailDoc {
        id: i64,
        name: String,
        discharged_on: String,
        report_by: String,
        receptions: Vec<ReceptionDoc>,
    }

    #[derive(ToSchema)]
    pub struct ReceptionBodyDoc {
        id_number: String,
        name: String,
        /// The community or village the soldier settles in.
        community: String,
        placement: String,
        training: String,
        reported_on: String,
        /// Needed when reported after the batch's deadline.
        late_reason: Option<String>,
    }

    #[derive(ToSchema)]
    pub struct HardshipDoc {
        id: i64,
        entitlement_id: i64,
        name: String,
        division: String,
        /// `housing`, `medical`, `schooling`, `living`, `employment` or `other`.
        kind: String,
        amount: String,
        reason: String,
        approved_on: String,
    }

    /// A holiday payment (优待金) with its coverage.
    #[derive(ToSchema)]
    pub struct HolidayDoc {
        id: i64,
        /// The ledger entries' reason, e.g. 2013年春节优待金.
        name: String,
        /// The day households must hold an active entitlement on.
        entitled_on: String,
        /// `YYYY-MM`, the month its run pays in.
        month: String,
        /// (category code, fen) pairs.
        amounts: Vec<(String, i64)>,
        entitled_households: i64,
        entitled_fen: i64,
        paid_households: i64,
        paid_fen: i64,
        /// Paid over entitled households in hundredths of a percent (10000 = 100 %).
        coverage_bp: Option<i64>,
        run_id: Option<i64>,
    }

    #[derive(ToSchema)]
    pub struct HolidayRunDoc {
        run_id: i64,
    }

    #[derive(ToSchema)]
    pub struct HardshipListDoc {
        items: Vec<HardshipDoc>,
        total: String,
    }

    #[derive(ToSchema)]
    pub struct HardshipBodyDoc {
        /// The entitlement number of the veteran helped.
        entitlement: String,
        kind: String,
        /// Yuan.
        amount: String,
        reason: String,
        approved_on: String,
    }

    /// Every intake batch of discharged soldiers.
    #[utoipa::path(get, path = "/api/v1/veterans/reception/batches", tag = "veterans",
        responses(
            (status = 200, body = Vec<BatchDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn reception_batches() {}

    /// A batch with the soldiers received in the caller's jurisdiction.
    #[utoipa::path(get, path = "/api/v1/veterans/reception/batches/{id}", tag = "veterans",
        params(("id" = i64, Path, description = "Batch id")),
        responses(
            (status = 200, body = BatchDetailDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn reception_batch() {}

    /// Receives a soldier (the veterans section); a person received before is refused
    /// (`veterans.received_twice`), a late report needs its reason (`veterans.late`).
    #[utoipa::path(post, path = "/api/v1/veterans/reception/batches/{id}/soldiers", tag = "veterans",
        params(("id" = i64, Path, description = "Batch id")),
        request_body = ReceptionBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn reception_receive() {}

    /// The hardship grants of a year in the caller's jurisdiction and their total.
    #[utoipa::path(get, path = "/api/v1/veterans/hardship", tag = "veterans",
        params(("year" = Option<i32>, Query, description = "The year approved; this year by default")),
        responses(
            (status = 200, body = HardshipListDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn hardship_grants() {}

    /// Records an approved hardship grant (the veterans section).
    #[utoipa::path(post, path = "/api/v1/veterans/hardship", tag = "veterans",
        request_body = HardshipBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn hardship_record() {}

    /// A leader–veteran liaison pairing (联系户); ID numbers masked.
    #[derive(ToSchema)]
    pub struct PairingDoc {
        id: i64,
        household_id: i64,
        entitlement_id: i64,
        name: String,
        id_number: String,
        division: String,
        leader_name: String,
        leader_post: String,
        leader_unit: String,
        starts_on: String,
        /// The day the pairing that replaced it started; `null` while in force.
        ends_on: Option<String>,
        /// `new`, `leader_change` or `other`.
        reason: String,
        note: String,
        replaces_id: Option<i64>,
    }

    #[derive(ToSchema)]
    pub struct PairingPageDoc {
        items: Vec<PairingDoc>,
        total: usize,
        page: usize,
        per_page: usize,
    }

    #[derive(ToSchema)]
    pub struct PairingBodyDoc {
        /// The entitlement number through which the household is paired.
        entitlement: String,
        leader_name: String,
        leader_post: String,
        leader_unit: String,
        starts_on: String,
        note: String,
    }

    #[derive(ToSchema)]
    pub struct ReassignBodyDoc {
        leader_name: String,
        leader_post: String,
        leader_unit: String,
        /// After the current pairing's start.
        starts_on: String,
        /// `leader_change` or `other` (then `note` says why).
        reason: String,
        note: String,
    }

    /// The pairings in force in the caller's jurisdiction, by the person's name (audited).
    #[utoipa::path(get, path = "/api/v1/veterans/liaison", tag = "veterans",
        params(
            ("q" = Option<String>, Query, description = "The person's or the leader's name, initials, or a whole ID number"),
            ("status" = Option<String>, Query, description = "The entitlement's status"),
            ("division" = Option<String>, Query, description = "A division's subtree"),
            ("page" = Option<usize>, Query, description = "1-based page"),
            ("per_page" = Option<usize>, Query, description = "Rows per page, at most 200"),
        ),
        responses(
            (status = 200, body = PairingPageDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn liaison_pairings() {}

    /// Pairs a leader with an entitled household (the veterans section); a household paired
    /// already (`veterans.liaison_paired`) or an ended entitlement (`veterans.liaison_ended`)
    /// is refused.
    #[utoipa::path(post, path = "/api/v1/veterans/liaison", tag = "veterans",
        request_body = PairingBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn liaison_pair() {}

    /// Re-assigns a pairing in force to another leader from a later date; the old one stays
    /// in the history. A pairing re-assigned already is refused (`veterans.liaison_replaced`).
    #[utoipa::path(post, path = "/api/v1/veterans/liaison/{id}/reassign", tag = "veterans",
        params(("id" = i64, Path, description = "The pairing in force")),
        request_body = ReassignBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn liaison_reassign() {}

    #[derive(ToSchema)]
    pub struct FollowupDoc {
        seq: i64,
        /// `screening`, `contact`, `home_visit` or `close`.
        kind: String,
        on_date: String,
        /// Screenings only.
        risk: Option<String>,
        who: String,
        /// What was done; the outcome for the close.
        what: String,
        next_due: Option<String>,
    }

    /// A petition case (信访) with its state derived from its follow-ups.
    #[derive(ToSchema)]
    pub struct PetitionDoc {
        id: i64,
        entitlement_id: Option<i64>,
        petitioner: String,
        division: String,
        subject: String,
        opened_on: String,
        closed: bool,
        /// The latest screening's risk level code.
        risk: String,
        /// `null` once closed.
        next_due: Option<String>,
        /// Send it back as `last_seq` with a follow-up or the close.
        last_seq: i64,
        /// One case only.
        followups: Vec<FollowupDoc>,
    }

    #[derive(ToSchema)]
    pub struct PetitionPageDoc {
        items: Vec<PetitionDoc>,
        total: usize,
        page: usize,
        per_page: usize,
    }

    #[derive(ToSchema)]
    pub struct OpenPetitionDoc {
        /// An entitlement number, or empty with `petitioner` and `community`.
        entitlement: String,
        petitioner: String,
        /// 12-digit community or village code.
        community: String,
        subject: String,
        opened_on: String,
        /// A risk level code (seeded: `high`, `medium`, `low`).
        risk: String,
        who: String,
        what: String,
        /// Empty: the risk level's interval after `opened_on`.
        next_due: String,
    }

    #[derive(ToSchema)]
    pub struct FollowupBodyDoc {
        /// `screening`, `contact` or `home_visit` (ignored by the close).
        kind: String,
        on_date: String,
        /// Screenings only.
        risk: String,
        who: String,
        what: String,
        next_due: String,
        /// The close's outcome.
        outcome: String,
        /// The case's `last_seq` the request was made from; refused as
        /// `veterans.petition_stale` when someone recorded since.
        last_seq: String,
    }

    /// Petition cases in the caller's jurisdiction: open ones by next visit, then closed
    /// ones; `due=overdue|week` gives the due list of visits (audited).
    #[utoipa::path(get, path = "/api/v1/veterans/petitions", tag = "veterans",
        params(
            ("q" = Option<String>, Query, description = "Petitioner or subject"),
            ("status" = Option<String>, Query, description = "`open` or `closed`"),
            ("due" = Option<String>, Query, description = "`overdue` or `week`"),
            ("risk" = Option<String>, Query, description = "A risk level code"),
            ("division" = Option<String>, Query, description = "A division's subtree"),
            ("page" = Option<usize>, Query, description = "1-based page"),
            ("per_page" = Option<usize>, Query, description = "Rows per page, at most 200"),
        ),
        responses(
            (status = 200, body = PetitionPageDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn petitions() {}

    /// Opens a petition case with its first risk screening.
    #[utoipa::path(post, path = "/api/v1/veterans/petitions", tag = "veterans",
        request_body = OpenPetitionDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn petitions_open() {}

    /// One petition case with its follow-ups (audited).
    #[utoipa::path(get, path = "/api/v1/veterans/petitions/{id}", tag = "veterans",
        params(("id" = i64, Path, description = "Case number")),
        responses(
            (status = 200, body = PetitionDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
        ))]
    fn petition() {}

    /// Records a screening, contact or home visit on an open case; a date before the case
    /// opened (`veterans.followup_before_open`) or a closed case
    /// (`veterans.petition_closed`) is refused.
    #[utoipa::path(post, path = "/api/v1/veterans/petitions/{id}/followups", tag = "veterans",
        params(("id" = i64, Path, description = "Case number")),
        request_body = FollowupBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn petition_followup() {}

    /// Closes an open case with its outcome (`on_date`, `who`, `outcome`, `last_seq`); a
    /// closed case is refused (`veterans.petition_closed`).
    #[utoipa::path(post, path = "/api/v1/veterans/petitions/{id}/close", tag = "veterans",
        params(("id" = i64, Path, description = "Case number")),
        request_body = FollowupBodyDoc,
        responses(
            (status = 201, body = CreatedDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 415, body = ErrorDoc),
        ))]
    fn petition_close() {}

    /// The holiday payments (优待金) with their coverage in the caller's jurisdiction.
    #[utoipa::path(get, path = "/api/v1/veterans/holidays", tag = "veterans",
        responses(
            (status = 200, body = Vec<HolidayDoc>),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
        ))]
    fn holidays() {}

    /// Prepares a holiday payment's run (the veterans section, `payroll` and `veterans`
    /// write): computed and checked, then approved by another account on the payroll
    /// endpoints. A holiday is run once (`veterans.holiday_run_exists`).
    #[utoipa::path(post, path = "/api/v1/veterans/holidays/{id}/run", tag = "veterans",
        params(("id" = i64, Path, description = "Holiday payment id")),
        responses(
            (status = 201, body = HolidayRunDoc),
            (status = 400, body = ErrorDoc),
            (status = 401, body = ErrorDoc),
            (status = 403, body = ErrorDoc),
            (status = 404, body = ErrorDoc),
            (status = 409, body = ErrorDoc),
        ))]
    fn holiday_run() {}
}

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from the 我的账号 (My account) page: \
                         `Authorization: Bearer mz_…`",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The signed-in browser's session cookie. Requests other than GET must also \
                 send the session's CSRF token in the `X-CSRF-Token` header.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "minzheng 民政综合业务系统 API",
        description = "The JSON API of minzheng. Every error is `{code, message, fields}` with a \
                       stable machine code; messages follow the `lang` cookie or Accept-Language \
                       (Chinese by default).",
    ),
    paths(
        doc::openapi_json,
        doc::me,
        doc::divisions,
        doc::division,
        doc::audit,
        doc::accounts,
        doc::create_account,
        doc::account,
        doc::update_account,
        doc::reset_password,
        doc::reveal_phone,
        doc::assistance_cases,
        doc::assistance_apply,
        doc::assistance_case,
        doc::assistance_step,
        doc::assistance_means,
        doc::assistance_standards,
        doc::assistance_change,
        doc::assistance_reviews,
        doc::assistance_grants,
        doc::assistance_record_grant,
        doc::assistance_grant,
        doc::assistance_cancel_grant,
        doc::assistance_budgets,
        doc::assistance_set_budget,
        doc::veterans_entitlements,
        doc::veterans_register,
        doc::veterans_entitlement,
        doc::veterans_status,
        doc::veterans_standards,
        doc::veterans_set_standard,
        doc::veterans_preview_standard,
        doc::campaigns,
        doc::campaigns_create,
        doc::campaign,
        doc::campaigns_visit,
        doc::reception_batches,
        doc::reception_batch,
        doc::reception_receive,
        doc::hardship_grants,
        doc::hardship_record,
        doc::liaison_pairings,
        doc::liaison_pair,
        doc::liaison_reassign,
        doc::petitions,
        doc::petitions_open,
        doc::petition,
        doc::petition_followup,
        doc::petition_close,
        doc::holidays,
        doc::holiday_run,
        doc::checks_tasks,
        doc::checks_close,
        doc::checks_runs,
        doc::checks_run,
        doc::checks_deaths,
        doc::assistance_payments,
        doc::payroll_runs,
        doc::payroll_run,
        doc::payroll_lines,
        doc::payroll_approve,
        doc::payroll_ledger,
        doc::assistance_payee,
        doc::assistance_set_payee,
        doc::payroll_bank_file,
        doc::payroll_returns,
        doc::payroll_prepare,
        doc::payroll_reconciliation,
        doc::payroll_failed,
        doc::payroll_reissue,
        doc::payroll_reissue_returns,
        doc::reports_generate,
        doc::dashboard,
        doc::report,
        doc::report_records,
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "api", description = "The API itself and the caller"),
        (name = "divisions", description = "行政区划 / the division tree"),
        (name = "accounts", description = "账号管理 / accounts"),
        (name = "assistance", description = "社会救助 / social assistance"),
        (name = "veterans", description = "优抚安置 / veterans' preferential treatment"),
        (name = "campaigns", description = "走访慰问 / condolence campaigns"),
        (name = "reports", description = "统计报表 / reports"),
        (name = "audit", description = "操作日志 / the audit log (auditors)"),
        (name = "payroll", description = "月度发放 / monthly payroll and the payment ledger"),
    )
)]
struct ApiDoc;

/// The document as JSON text, built once.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
        doc.to_pretty_json()
            .unwrap_or_else(|e| panic!("the OpenAPI document does not serialize: {e}"))
    })
}

async fn document() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Swagger UI
// ---------------------------------------------------------------------------------------

const DOCS_INDEX: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minzheng API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<script src="/api/docs/swagger-ui-bundle.js" defer></script>
<script src="/api/docs/init.js" defer></script>
</head>
<body>
<div id="swagger-ui"></div>
</body>
</html>
"#;

/// Our initializer: our document, no online validator, no top bar to load other URLs.
const DOCS_INIT: &str = r##""use strict";
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"##;

async fn docs_index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        DOCS_INDEX,
    )
        .into_response()
}

/// The Swagger UI files we serve: our initializer, and the bundle and stylesheet from the
/// vendored distribution. Anything else in the distribution is not served.
async fn docs_file(Path(file): Path<String>) -> Response {
    let cache = (header::CACHE_CONTROL, "public, max-age=3600");
    let content_type = match file.as_str() {
        "init.js" => {
            return (
                [
                    (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                    cache,
                ],
                DOCS_INIT,
            )
                .into_response();
        }
        "swagger-ui-bundle.js" => "text/javascript; charset=utf-8",
        "swagger-ui.css" => "text/css; charset=utf-8",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    let config = CONFIG
        .get_or_init(|| Arc::new(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")))
        .clone();
    match utoipa_swagger_ui::serve(&file, config) {
        Ok(Some(f)) => (
            [(header::CONTENT_TYPE, content_type), cache],
            f.bytes.into_owned(),
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, file, "Swagger UI file did not load");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
