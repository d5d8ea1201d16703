//! The legacy roster import's words, shared by the upload page and `minzheng import
//! assistance`: a row error in the user's language, and the downloadable error report; and
//! the upload page itself, `GET`/`POST /assistance/import`.
//!
//! The page is a `multipart/form-data` form: households, persons and (optionally) standards
//! files, "import only the valid households", and "download the error report". The CSRF
//! token is the form's first field and is checked before any file is read; the service
//! does the checking and the writing. The result page shows the counts and the first
//! [`SHOWN_ERRORS`] errors.
//!
//! The full error report needs no state on the server: with "download the error report"
//! ticked, a submission that finds errors answers with the report as CSV instead of the
//! page. The import runs exactly as without the box, so in all-or-nothing mode (the
//! default) it is a pure check; in valid-only mode the valid households are written, and a
//! later submission of the same files leaves them unchanged (the import is idempotent).

use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::{Action, Line};
use service::Actor;
use service::assistance::import::{FileKind, ImportMode, RosterFile, RosterFiles, RowError};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::Signed;
use crate::export::{Table, csv};
use crate::{AppState, Lang, Me, PageError, Tr, export, reject};

/// Largest upload the import page accepts: a district's three files, XLSX or CSV, with room
/// to spare. Every other route keeps [`crate::MAX_BODY_BYTES`].
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;
/// Time allowed for an upload and its import; every other route keeps
/// [`crate::REQUEST_TIMEOUT`].
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Errors listed on the result page; the downloadable report has all of them.
pub const SHOWN_ERRORS: usize = 100;

/// Fluent id of a row error's reason: `import.*` codes are the import's own
/// (`assistance-import-err-*` in assistance.ftl); others are domain codes (`err-*`).
pub fn reason(tr: &Tr<'_>, e: &RowError) -> String {
    match e.code.strip_prefix("import.") {
        Some(own) => tr.get(&format!("assistance-import-err-{}", own.replace('_', "-"))),
        None => tr.error_code(e.code, &e.value),
    }
}

/// The file's name as the user knows it.
pub fn file_name(tr: &Tr<'_>, file: FileKind) -> String {
    tr.get(&format!("assistance-import-file-{}", file.as_str()))
}

/// One error as a line: file, row, column, value, reason.
pub fn line(tr: &Tr<'_>, e: &RowError) -> String {
    tr.with(
        "assistance-import-error-line",
        &[
            ("file", &file_name(tr, e.file)),
            ("row", &e.row.to_string()),
            ("column", e.column),
            ("value", &e.value),
            ("reason", &reason(tr, e)),
        ],
    )
}

/// The error report: CSV with a BOM, columns file, row, column, value, reason.
pub fn report_csv(tr: &Tr<'_>, errors: &[RowError]) -> Vec<u8> {
    let header = ["file", "row", "column", "value", "reason"]
        .iter()
        .map(|c| tr.get(&format!("assistance-import-report-{c}")))
        .collect();
    let rows = errors
        .iter()
        .map(|e| {
            vec![
                file_name(tr, e.file),
                e.row.to_string(),
                e.column.to_owned(),
                e.value.clone(),
                reason(tr, e),
            ]
        })
        .collect();
    csv(&Table::new(header, rows))
}

// ---------------------------------------------------------------------------------------
// The upload page

/// The import page's route, with its own body limit and timeout. `lib::router` merges it
/// outside the default 2 MiB limit and 30 s timeout (a layer cannot raise a limit set
/// further out): `RequestBodyLimitLayer` refuses a larger body with 413, and
/// `DefaultBodyLimit` lifts the multipart extractor's own 2 MiB default to the same size.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/import", get(form_page).post(upload))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            UPLOAD_TIMEOUT,
        ))
}

/// Whether the actor may import: what the service requires (an imported case is an
/// approved case), checked here too so that the form and the link are shown only to them
/// and nobody else gets as far as sending files.
pub(crate) fn may_import(actor: &Actor) -> bool {
    actor.may(Line::Assistance, Action::Write) && actor.may(Line::Assistance, Action::Approve)
}

/// One error as the result table shows it.
#[derive(Debug)]
struct ErrorRow {
    file: String,
    row: String,
    column: String,
    value: String,
    reason: String,
}

/// What the import did.
#[derive(Debug)]
struct Outcome {
    summary: String,
    /// "N errors found", empty without errors.
    errors_title: String,
    rows: Vec<ErrorRow>,
    /// How to get the errors not listed, when some are not.
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "assistance_import.html")]
struct ImportPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    valid_only: bool,
    report: bool,
    problem: Option<String>,
    outcome: Option<Outcome>,
}

fn page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    choices: (bool, bool),
    problem: Option<String>,
    outcome: Option<Outcome>,
) -> Response {
    let view = ImportPage {
        t: state.i18n.tr(lang),
        path: "/assistance/import".into(),
        me: Some(Me::of(state, lang, signed)),
        valid_only: choices.0,
        report: choices.1,
        problem,
        outcome,
    };
    crate::render(state, lang, &view)
}

async fn form_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    if !may_import(signed.actor()) {
        return PageError::for_user(&state, lang, &signed, service::Error::Forbidden)
            .into_response();
    }
    page(&state, lang, &signed, (false, false), None, None)
}

/// What the form sent.
#[derive(Debug, Default)]
struct Upload {
    households: Option<RosterFile>,
    persons: Option<RosterFile>,
    standards: Option<RosterFile>,
    valid_only: bool,
    report: bool,
}

/// Reads the form's fields. The CSRF token must come before the first file (the form puts
/// it first), so a forged request is refused before any file is read.
async fn read_upload(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    req: Request,
) -> Result<Upload, Response> {
    let refuse = |e: service::Error| PageError::for_user(state, lang, signed, e).into_response();
    let mut form = reject::multipart(req, state, lang).await?;
    let mut csrf: Option<String> = None;
    let mut upload = Upload::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(reject::multipart_field(state, lang, &e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" if csrf.is_none() => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| reject::multipart_field(state, lang, &e))?;
                csrf = Some(text);
            }
            "households" | "persons" | "standards" => {
                signed
                    .check_csrf(csrf.as_deref().unwrap_or_default())
                    .map_err(refuse)?;
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| reject::multipart_field(state, lang, &e))?;
                // A file input left empty is sent as a part without a name or bytes.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                let file = Some(RosterFile {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
                match name.as_str() {
                    "households" => upload.households = file,
                    "persons" => upload.persons = file,
                    _ => upload.standards = file,
                }
            }
            "valid_only" => upload.valid_only = true,
            "report" => upload.report = true,
            // Anything else is skipped unread.
            _ => {}
        }
    }
    signed
        .check_csrf(csrf.as_deref().unwrap_or_default())
        .map_err(refuse)?;
    Ok(upload)
}

async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    req: Request,
) -> Response {
    if !may_import(signed.actor()) {
        return PageError::for_user(&state, lang, &signed, service::Error::Forbidden)
            .into_response();
    }
    let upload = match read_upload(&state, lang, &signed, req).await {
        Ok(u) => u,
        Err(response) => return response,
    };
    let t = state.i18n.tr(lang);
    let choices = (upload.valid_only, upload.report);
    let (Some(households), Some(persons)) = (upload.households, upload.persons) else {
        let problem = Some(t.get("assistance-import-missing-file"));
        let mut response = page(&state, lang, &signed, choices, problem, None);
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return response;
    };
    let files = RosterFiles {
        households,
        persons,
        standards: upload.standards,
    };
    let mode = if upload.valid_only {
        ImportMode::ValidOnly
    } else {
        ImportMode::AllOrNothing
    };
    let report = match state
        .service
        .import_roster(signed.actor(), &files, mode)
        .await
    {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    drop(files);
    if upload.report && !report.errors.is_empty() {
        let body = report_csv(&t, &report.errors);
        return export::download(export::CSV, "roster-import-errors.csv", body);
    }
    let count = report.errors.len().to_string();
    let summary = if report.errors.is_empty() || report.written {
        t.with(
            "assistance-import-done",
            &[
                ("households", &report.households.to_string()),
                ("persons", &report.persons.to_string()),
                ("standards", &report.standards.to_string()),
                ("skipped", &report.skipped.to_string()),
                ("unchanged", &report.unchanged.to_string()),
            ],
        )
    } else {
        t.with("assistance-import-refused", &[("errors", &count)])
    };
    let errors_title = if report.errors.is_empty() {
        String::new()
    } else {
        t.with("assistance-import-errors", &[("errors", &count)])
    };
    let rows = report
        .errors
        .iter()
        .take(SHOWN_ERRORS)
        .map(|e| ErrorRow {
            file: file_name(&t, e.file),
            row: e.row.to_string(),
            column: e.column.to_owned(),
            value: e.value.clone(),
            reason: reason(&t, e),
        })
        .collect();
    let more = (!report.errors.is_empty()).then(|| {
        t.with(
            "assistance-import-more",
            &[
                ("errors", &count),
                ("shown", &report.errors.len().min(SHOWN_ERRORS).to_string()),
            ],
        )
    });
    let refused = !report.written && !report.errors.is_empty();
    let outcome = Outcome {
        summary,
        errors_title,
        rows,
        more,
    };
    let mut response = page(&state, lang, &signed, choices, None, Some(outcome));
    if refused {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    // The errors quote the files' personal data.
    crate::no_store(response)
}
