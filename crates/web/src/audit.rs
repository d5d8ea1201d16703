//! The audit log for auditors: search it (`/audit`), export it as CSV or Excel, read it
//! through the API (`/api/v1/audit`), and see at a glance whether its hash chain is intact.
//!
//! Dates in the search form are calendar days in Beijing time: `from` takes the day's first
//! moment, `until` includes the whole day. Action codes (`session.sign_in`, …) are shown as
//! words where a message `audit-action-<code with dots and underscores as dashes>` exists,
//! else as the code itself, so a new action is never hidden.
//!
//! Every page and API answer re-checks the whole chain. That reads the whole log once per
//! request, which is fine for the years of entries a district produces; a log of many
//! millions of entries would want a cached check here.

use std::collections::HashSet;
use std::sync::OnceLock;

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use service::FieldError;
use service::audit::{AuditPage, MAX_EXPORT_ROWS};
use store::{AuditFilter, AuditRecord, ChainCheck};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::reject::{ApiQuery, Query};
use crate::time::beijing_midnight;
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, list};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(page))
        .route("/audit/export.csv", get(export_csv))
        .route("/audit/export.xlsx", get(export_xlsx))
        .route("/api/v1/audit", get(api_search))
}

/// The search form as typed; every field optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    /// Text, so that a mangled page number shows page 1 instead of a 400.
    #[serde(default)]
    pub page: String,
}

impl AuditQuery {
    fn page(&self) -> i64 {
        self.page.trim().parse().unwrap_or(1)
    }

    /// The filter part as a query string (without `page`), for the pager and export links.
    fn query_string(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("object", &self.object),
            ("from", &self.from),
            ("until", &self.until),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", list::encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn parse_day(field: &'static str, text: &str) -> Result<Option<NaiveDate>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    domain::parse_date(text)
        .map(Some)
        .map_err(|e| FieldError::new(field, e.code(), text))
}

/// The store's filter for a query, or every field that is wrong.
pub fn parse_filter(q: &AuditQuery) -> Result<AuditFilter, Vec<FieldError>> {
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    let from = parse_day("from", &q.from).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let until = parse_day("until", &q.until).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AuditFilter {
        actor: text(&q.actor),
        action_prefix: text(&q.action),
        object: text(&q.object),
        from: from.and_then(beijing_midnight),
        // Inclusive: everything before the next day begins.
        until: until.and_then(|d| d.succ_opt()).and_then(beijing_midnight),
    })
}

/// A refused search field in words, with the field's own label.
fn field_message(t: &Tr<'_>, e: &FieldError) -> String {
    let field = t.get(if e.field == "from" {
        "audit-field-from"
    } else {
        "audit-field-until"
    });
    t.with(
        "audit-bad-date",
        &[
            ("field", &field),
            ("reason", &t.error_code(e.code, &e.detail)),
        ],
    )
}

fn known_ids() -> &'static HashSet<String> {
    static IDS: OnceLock<HashSet<String>> = OnceLock::new();
    IDS.get_or_init(|| crate::I18n::ids(Lang::ZhCn).into_iter().collect())
}

/// An action code in words, or the code itself when it has no message.
pub fn action_words(t: &Tr<'_>, code: &str) -> String {
    let id = format!("audit-action-{}", code.replace(['.', '_'], "-"));
    if known_ids().contains(&id) {
        t.get(&id)
    } else {
        code.to_owned()
    }
}

/// The chain's state in words.
fn chain_words(t: &Tr<'_>, check: &ChainCheck) -> String {
    match check {
        ChainCheck::Intact { entries } => {
            t.with("audit-chain-intact", &[("entries", &entries.to_string())])
        }
        ChainCheck::Broken { seq, reason } => t.with(
            "audit-chain-broken",
            &[
                ("seq", &seq.to_string()),
                (
                    "reason",
                    &t.get(&format!("audit-chain-reason-{}", reason.replace('_', "-"))),
                ),
            ],
        ),
    }
}

struct Row {
    seq: i64,
    at: String,
    at_iso: String,
    actor: String,
    address: String,
    action: String,
    action_code: String,
    object: String,
    reason: String,
    detail: String,
}

fn row(t: &Tr<'_>, r: &AuditRecord) -> Row {
    let e = &r.entry;
    Row {
        seq: r.seq,
        at: crate::time::minutes(e.at),
        at_iso: e.at.to_rfc3339(),
        actor: e.actor.clone(),
        address: e.address.clone(),
        action: action_words(t, &e.action),
        action_code: e.action.clone(),
        object: e.object.clone(),
        reason: e.reason.clone(),
        detail: e.detail.clone(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageView<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: AuditQuery,
    errors: Vec<String>,
    chain_ok: bool,
    chain: String,
    rows: Vec<Row>,
    found: String,
    page_of: String,
    prev: Option<String>,
    next: Option<String>,
    export_query: String,
    export_limit: String,
}

pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<AuditQuery>,
) -> Response {
    let t = state.i18n.tr(lang);
    let actor = signed.actor();
    let check = match state.service.verify_audit(actor, &mut |_| {}).await {
        Ok(c) => c,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let (filter, errors) = match parse_filter(&q) {
        Ok(f) => (Some(f), Vec::new()),
        Err(errors) => (None, errors.iter().map(|e| field_message(&t, e)).collect()),
    };
    let found = match &filter {
        Some(f) => match state.service.search_audit(actor, f, q.page()).await {
            Ok(p) => Some(p),
            Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
        },
        None => None,
    };
    let query = q.query_string();
    let link = |page: i64| {
        if query.is_empty() {
            format!("/audit?page={page}")
        } else {
            format!("/audit?{query}&page={page}")
        }
    };
    let (rows, total, page, pages) = match &found {
        Some(p) => (
            p.items.iter().map(|r| row(&t, r)).collect(),
            p.total,
            p.page,
            p.pages(),
        ),
        None => (Vec::new(), 0, 1, 1),
    };
    let view = AuditPageView {
        t,
        path: "/audit".into(),
        me: Some(Me::of(&state, lang, &signed)),
        errors,
        chain_ok: matches!(check, ChainCheck::Intact { .. }),
        chain: chain_words(&t, &check),
        rows,
        found: t.with("audit-found", &[("total", &total.to_string())]),
        page_of: t.with(
            "audit-page-of",
            &[("page", &page.to_string()), ("pages", &pages.to_string())],
        ),
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        export_query: if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        },
        export_limit: t.with(
            "audit-export-limit",
            &[("limit", &MAX_EXPORT_ROWS.to_string())],
        ),
        q,
    };
    let mut response = crate::render(&state, lang, &view);
    if !view.errors.is_empty() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    response
}

/// The columns of an export, as Fluent ids, in order.
const COLUMNS: [&str; 12] = [
    "audit-col-seq",
    "audit-col-at",
    "audit-col-at-utc",
    "audit-col-actor",
    "audit-col-address",
    "audit-col-action",
    "audit-col-action-code",
    "audit-col-object",
    "audit-col-reason",
    "audit-col-detail",
    "audit-col-prev-hash",
    "audit-col-hash",
];

fn cells(t: &Tr<'_>, r: &AuditRecord) -> [String; 12] {
    let e = &r.entry;
    [
        r.seq.to_string(),
        crate::time::seconds(e.at),
        e.at.to_rfc3339(),
        e.actor.clone(),
        e.address.clone(),
        action_words(t, &e.action),
        e.action.clone(),
        e.object.clone(),
        e.reason.clone(),
        e.detail.clone(),
        r.prev_hash.clone(),
        r.hash.clone(),
    ]
}

/// Runs the export for a page request: the table in the user's language and whether it
/// was cut at the limit, or the error page.
async fn export(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    q: &AuditQuery,
) -> Result<(Table, bool), Response> {
    let refused = |e| PageError::for_user(state, lang, signed, e).into_response();
    let filter = parse_filter(q).map_err(|errors| refused(service::Error::Invalid(errors)))?;
    let found = state
        .service
        .export_audit(signed.actor(), &filter)
        .await
        .map_err(refused)?;
    let t = state.i18n.tr(lang);
    let header = COLUMNS.iter().map(|id| t.get(id)).collect();
    let rows = found.items.iter().map(|r| cells(&t, r).to_vec()).collect();
    // The sequence number as a number, so that a spreadsheet sorts it as one.
    Ok((Table::new(header, rows).numeric(&[0]), found.truncated))
}

/// Marks a file that holds only the newest [`MAX_EXPORT_ROWS`] entries.
fn mark_truncated(mut response: Response, truncated: bool) -> Response {
    if truncated {
        response
            .headers_mut()
            .insert("x-export-truncated", HeaderValue::from_static("true"));
    }
    response
}

/// The export as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<AuditQuery>,
) -> Response {
    match export(&state, lang, &signed, &q).await {
        Ok((table, cut)) => mark_truncated(export::csv_download("audit-log.csv", &table), cut),
        Err(r) => r,
    }
}

/// The export as an Excel workbook.
pub async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<AuditQuery>,
) -> Response {
    match export(&state, lang, &signed, &q).await {
        Ok((table, cut)) => {
            let sheet = state.i18n.tr(lang).get("audit-sheet-name");
            let file =
                export::xlsx_download(&state, lang, &signed, &sheet, "audit-log.xlsx", &table);
            mark_truncated(file, cut)
        }
        Err(r) => r,
    }
}

/// One entry as the API shows it.
#[derive(Debug, Serialize)]
pub struct AuditEntryJson {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub object: String,
    pub reason: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain's state: intact with its length, or the first broken entry and why.
#[derive(Debug, Serialize)]
pub struct ChainJson {
    pub intact: bool,
    pub entries: Option<i64>,
    pub broken_seq: Option<i64>,
    pub reason: Option<&'static str>,
    /// The state in the caller's language.
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct AuditListJson {
    pub items: Vec<AuditEntryJson>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub chain: ChainJson,
}

fn chain_json(t: &Tr<'_>, check: &ChainCheck) -> ChainJson {
    let message = chain_words(t, check);
    match *check {
        ChainCheck::Intact { entries } => ChainJson {
            intact: true,
            entries: Some(entries),
            broken_seq: None,
            reason: None,
            message,
        },
        ChainCheck::Broken { seq, reason } => ChainJson {
            intact: false,
            entries: None,
            broken_seq: Some(seq),
            reason: Some(reason),
            message,
        },
    }
}

fn list_json(t: &Tr<'_>, p: AuditPage, check: &ChainCheck) -> AuditListJson {
    AuditListJson {
        items: p
            .items
            .into_iter()
            .map(|r| AuditEntryJson {
                seq: r.seq,
                at: r.entry.at.to_rfc3339(),
                actor: r.entry.actor,
                address: r.entry.address,
                action: r.entry.action,
                object: r.entry.object,
                reason: r.entry.reason,
                detail: r.entry.detail,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        chain: chain_json(t, check),
    }
}

pub async fn api_search(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        let check = state.service.verify_audit(&actor, &mut |_| {}).await?;
        let filter = parse_filter(&q).map_err(service::Error::Invalid)?;
        let found = state
            .service
            .search_audit(&actor, &filter, q.page())
            .await?;
        Ok::<_, service::Error>((found, check))
    }
    .await;
    match result {
        Ok((found, check)) => Json(list_json(&t, found, &check)).into_response(),
        Err(e) => {
            let invalid = match &e {
                service::Error::Invalid(errors) => errors.clone(),
                _ => Vec::new(),
            };
            let mut body = ApiError::from_service(&t, e);
            // The search fields have labels of their own (the shared `field-` ones are for
            // the records' fields).
            for (f, source) in body.fields.iter_mut().zip(&invalid) {
                f.message = field_message(&t, source);
            }
            body.into_response()
        }
    }
}
