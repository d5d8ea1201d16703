//! Paying through banks, on the web: a household's payee account (`/assistance/{id}
//! /payee`, linked from the case page; a form with the CSRF token, the history below it),
//! the bank file of an approved run (a POST from the run page, so the download is
//! CSRF-protected and audited), the bank's result file uploaded on the run page with the
//! run's reconciliation (expected, paid, failed, re-issued, outstanding; exportable), the
//! failed payments of every run (`/payroll/failed`) with their re-issue in a one-off batch
//! and that batch's result file, the bank settings (`/payroll/settings`: the bureau's
//! paying account and the template's layout), and the same through the API.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Action, DivisionCode, Fen, Line};
use serde::{Deserialize, Serialize};
use service::bank::reissue::{
    Count, FailedFilter, Outcome, PaymentOutcome, ReissueExport, ReissueItem, RunReconciliation,
};
use service::bank::{BankExport, BankFormat, BankSettingsInput, PayeeInput, PayeeView, masked};
use store::{BankFileRecord, PayeeRecord, ReissueBatchRecord, RunRecord};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::Choice;
use crate::reject::{self, ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/{id}/payee", get(payee_page).post(payee_submit))
        .route(
            "/veterans/{id}/payee",
            get(entitlement_payee_page).post(entitlement_payee_submit),
        )
        .route("/payroll/{id}/bank-file", post(bank_file))
        .route(
            "/api/v1/assistance/cases/{id}/payee",
            get(api_payee).post(api_set_payee),
        )
        .route("/api/v1/payroll/runs/{id}/bank-file", post(api_bank_file))
        .route("/payroll/{id}/returns", post(returns_upload))
        .route("/payroll/{id}/reconciliation.csv", get(recon_csv))
        .route("/payroll/{id}/reconciliation.xlsx", get(recon_xlsx))
        .route(
            "/payroll/settings",
            get(settings_page).post(settings_submit),
        )
        .route("/payroll/failed", get(failed_page))
        .route("/payroll/failed/export.csv", get(failed_csv))
        .route("/payroll/failed/export.xlsx", get(failed_xlsx))
        .route("/payroll/failed/reissue", post(reissue_submit))
        .route(
            "/payroll/reissues/{id}/returns",
            post(reissue_returns_upload),
        )
        .route("/api/v1/payroll/runs/{id}/returns", post(api_returns))
        .route(
            "/api/v1/payroll/runs/{id}/reconciliation",
            get(api_reconciliation),
        )
        .route("/api/v1/payroll/failed", get(api_failed))
        .route("/api/v1/payroll/reissues", post(api_reissue))
        .route(
            "/api/v1/payroll/reissues/{id}/returns",
            post(api_reissue_returns),
        )
}

fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse::<i64>().map_err(|_| service::Error::NotFound)
}

/// One account as the page lists it (number masked).
pub struct PayeeRow {
    pub holder: String,
    pub bank: String,
    pub number: String,
    pub kind: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

fn payee_row(t: &Tr<'_>, p: &PayeeRecord) -> PayeeRow {
    PayeeRow {
        holder: p.holder.clone(),
        bank: match &p.bank_code {
            Some(c) => format!("{} ({c})", p.bank_name),
            None => p.bank_name.clone(),
        },
        number: masked(p),
        kind: t.get(&format!("payee-kind-{}", p.account_kind)),
        reason: p.reason.clone(),
        by: p.recorded_by.clone(),
        at: p.recorded_at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[derive(Template)]
#[template(path = "assistance_payee.html")]
struct PayeePage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    /// The business line's list and the record the household was reached from (an
    /// assistance case or an entitlement); the form posts to `{record_href}/payee`.
    line_href: &'static str,
    line_label: String,
    record_href: String,
    record_label: String,
    has_current: bool,
    rows: Vec<PayeeRow>,
    form: PayeeForm,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PayeeForm {
    pub csrf: String,
    pub holder: String,
    pub bank_name: String,
    pub bank_code: String,
    pub account_number: String,
    pub account_kind: String,
    pub reason: String,
}

impl PayeeForm {
    fn input(&self) -> PayeeInput {
        PayeeInput {
            holder: self.holder.clone(),
            bank_name: self.bank_name.clone(),
            bank_code: self.bank_code.clone(),
            account_number: self.account_number.clone(),
            account_kind: self.account_kind.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// Whose household's payee a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayeeOf {
    Case,
    Entitlement,
}

async fn render_payee(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    line: PayeeOf,
    id: &str,
    form: PayeeForm,
    errors: Vec<(String, String)>,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let id = parse_id(id)?;
    let (history, line_href, line_label, record_href, record_label) = match line {
        PayeeOf::Case => (
            state.service.case_payee(signed.actor(), id).await?.history,
            "/assistance",
            t.get("assistance-title"),
            format!("/assistance/{id}"),
            format!("{} {id}", t.get("assistance-case")),
        ),
        PayeeOf::Entitlement => (
            state.service.entitlement_payees(signed.actor(), id).await?,
            "/veterans",
            t.get("veterans-title"),
            format!("/veterans/{id}"),
            format!("{} {id}", t.get("veterans-title")),
        ),
    };
    let rows = history.iter().map(|p| payee_row(&t, p)).collect();
    let page = PayeePage {
        t,
        path: format!("{record_href}/payee"),
        me: Some(Me::of(state, lang, signed)),
        line_href,
        line_label,
        record_href,
        record_label,
        has_current: !history.is_empty(),
        rows,
        form: PayeeForm {
            csrf: String::new(),
            account_number: String::new(),
            ..form
        },
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn payee_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    render_payee(
        &state,
        lang,
        &signed,
        PayeeOf::Case,
        &id,
        PayeeForm::default(),
        Vec::new(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn entitlement_payee_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    render_payee(
        &state,
        lang,
        &signed,
        PayeeOf::Entitlement,
        &id,
        PayeeForm::default(),
        Vec::new(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// An entitlement's household account: the veterans' runs pay into it.
async fn entitlement_payee_submit(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<PayeeForm>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let entitlement = parse_id(&id)?;
        match state
            .service
            .set_entitlement_payee(signed.actor(), entitlement, &form.input())
            .await
        {
            Ok(()) => {
                Ok(Redirect::to(&format!("/veterans/{entitlement}/payee?done=1")).into_response())
            }
            Err(service::Error::Invalid(errors)) => {
                let t = state.i18n.tr(lang);
                let errors = errors
                    .iter()
                    .map(|e| (e.field.to_owned(), t.field_error(e)))
                    .collect();
                let mut response = render_payee(
                    &state,
                    lang,
                    &signed,
                    PayeeOf::Entitlement,
                    &id,
                    form,
                    errors,
                )
                .await?;
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn payee_submit(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<PayeeForm>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let case_id = parse_id(&id)?;
        match state
            .service
            .set_payee(signed.actor(), case_id, &form.input())
            .await
        {
            Ok(_) => {
                Ok(Redirect::to(&format!("/assistance/{case_id}/payee?done=1")).into_response())
            }
            Err(service::Error::Invalid(errors)) => {
                let t = state.i18n.tr(lang);
                let errors = errors
                    .iter()
                    .map(|e| (e.field.to_owned(), t.field_error(e)))
                    .collect();
                let mut response =
                    render_payee(&state, lang, &signed, PayeeOf::Case, &id, form, errors).await?;
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BankFileForm {
    pub csrf: String,
    pub format: String,
    pub reason: String,
}

fn format_of(text: &str) -> Result<BankFormat, service::Error> {
    BankFormat::parse(text).ok_or_else(|| {
        service::Error::invalid(service::FieldError::new(
            "format",
            "payroll.bank_format",
            text.chars().take(20).collect::<String>(),
        ))
    })
}

fn file_response(export: BankExport) -> Response {
    let f = export.file;
    export::download(f.media_type, &f.name, f.bytes)
}

async fn bank_file(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<BankFileForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let run = parse_id(&id)?;
        let format = format_of(&form.format)?;
        state
            .service
            .export_bank_file(signed.actor(), run, format, &form.reason)
            .await
    }
    .await;
    match result {
        Ok(export) => file_response(export),
        Err(service::Error::Conflict { code, detail }) => {
            let message = t.error_code(code, &detail);
            (StatusCode::CONFLICT, message).into_response()
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct PayeeJson {
    pub holder: String,
    pub bank_name: String,
    pub bank_code: Option<String>,
    /// Masked.
    pub account_number: String,
    pub account_kind: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Serialize)]
pub struct PayeeViewJson {
    pub case_id: i64,
    pub household_id: i64,
    pub current: Option<PayeeJson>,
    pub history: Vec<PayeeJson>,
}

fn payee_json(p: &PayeeRecord) -> PayeeJson {
    PayeeJson {
        holder: p.holder.clone(),
        bank_name: p.bank_name.clone(),
        bank_code: p.bank_code.clone(),
        account_number: masked(p),
        account_kind: p.account_kind.clone(),
        reason: p.reason.clone(),
        recorded_by: p.recorded_by.clone(),
        recorded_at: p.recorded_at.to_rfc3339(),
    }
}

fn view_json(v: &PayeeView) -> PayeeViewJson {
    PayeeViewJson {
        case_id: v.case_id,
        household_id: v.household_id,
        current: v.current().map(payee_json),
        history: v.history.iter().map(payee_json).collect(),
    }
}

fn api_error(t: &Tr<'_>, e: service::Error) -> Response {
    let detail = match &e {
        service::Error::Conflict { code, detail } => Some(t.error_code(code, detail)),
        _ => None,
    };
    let mut error = ApiError::from_service(t, e);
    if let Some(message) = detail {
        error.message = message;
    }
    error.into_response()
}

async fn api_payee(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    match async { state.service.case_payee(&actor, parse_id(&id)?).await }.await {
        Ok(v) => Json(view_json(&v)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_set_payee(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<PayeeInput>,
) -> Response {
    match async { state.service.set_payee(&actor, parse_id(&id)?, &body).await }.await {
        Ok(v) => Json(view_json(&v)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BankFileQuery {
    pub format: String,
    pub reason: String,
}

/// The record of an exported file, as response headers carry it beside the bytes.
fn record_headers(mut response: Response, r: &BankFileRecord, not_exportable: usize) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-bank-file-id", r.id.to_string()),
        ("x-bank-file-sha256", r.sha256.clone()),
        ("x-bank-file-lines", r.lines.to_string()),
        ("x-bank-file-total-fen", r.total_fen.to_string()),
        ("x-bank-file-not-exportable", not_exportable.to_string()),
    ] {
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

async fn api_bank_file(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<BankFileQuery>,
) -> Response {
    let result = async {
        let run = parse_id(&id)?;
        let format = format_of(&q.format)?;
        state
            .service
            .export_bank_file(&actor, run, format, &q.reason)
            .await
    }
    .await;
    match result {
        Ok(export) => {
            let record = export.record.clone();
            let n = export.not_exportable.len();
            record_headers(file_response(export), &record, n)
        }
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

// ---------------------------------------------------------------------------------------
// Bank returns, the reconciliation, failed payments and their re-issue
// ---------------------------------------------------------------------------------------

fn yuan(fen: i64) -> String {
    Fen::from_fen(fen).yuan_grouped()
}

/// Whether the actor pays (imports result files, re-issues): the same act as a bank file.
fn pays(actor: &service::Actor) -> bool {
    actor.may(Line::Payroll, Action::Approve)
}

fn refused_forbidden(state: &AppState, lang: Lang, signed: &Signed) -> Response {
    PageError::for_user(state, lang, signed, service::Error::Forbidden).into_response()
}

/// The reconciliation as the run page shows it: (label, count, sum) rows.
pub struct ReconView {
    pub rows: Vec<(String, i64, String)>,
    pub unsent: Option<String>,
    pub may_import: bool,
}

fn recon_rows(t: &Tr<'_>, r: &RunReconciliation) -> Vec<(String, i64, String)> {
    [
        ("expected", r.expected),
        ("paid", r.paid),
        ("failed", r.failed),
        ("reissued", r.reissued),
        ("outstanding", r.outstanding),
    ]
    .into_iter()
    .map(|(k, c): (&str, Count)| (t.get(&format!("payroll-recon-{k}")), c.count, yuan(c.fen)))
    .collect()
}

/// The run page's reconciliation section, once the run has been approved.
pub(crate) async fn recon_view(
    state: &AppState,
    t: &Tr<'_>,
    actor: &service::Actor,
    run: &RunRecord,
) -> Result<Option<ReconView>, service::Error> {
    if matches!(run.state.as_str(), "draft" | "checked") {
        return Ok(None);
    }
    let r = state.service.run_reconciliation(actor, run.id).await?;
    Ok(Some(ReconView {
        rows: recon_rows(t, &r),
        unsent: (r.unsent.count > 0).then(|| {
            t.with(
                "payroll-recon-unsent",
                &[
                    ("count", &r.unsent.count.to_string()),
                    ("sum", &yuan(r.unsent.fen)),
                ],
            )
        }),
        may_import: pays(actor) && matches!(run.state.as_str(), "exported" | "reconciled"),
    }))
}

/// The file of an upload form whose CSRF token comes first, or the page refusing it.
async fn uploaded(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    req: Request,
) -> Result<Vec<u8>, Response> {
    let file = reject::csrf_file(state, lang, signed, req).await?;
    Ok(file.unwrap_or_default())
}

fn no_file() -> service::Error {
    service::Error::invalid(service::FieldError::new(
        "file",
        "payroll.returns_no_file",
        "",
    ))
}

async fn returns_upload(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    if !pays(signed.actor()) {
        return refused_forbidden(&state, lang, &signed);
    }
    let bytes = match uploaded(&state, lang, &signed, req).await {
        Ok(b) => b,
        Err(response) => return response,
    };
    let t = state.i18n.tr(lang);
    let result = async {
        let run = parse_id(&id)?;
        if bytes.is_empty() {
            return Err(no_file());
        }
        state
            .service
            .import_returns(signed.actor(), run, &bytes)
            .await
            .map(|_| run)
    }
    .await;
    let q = crate::payroll::RunQuery::default();
    let shown = match result {
        Ok(run) => {
            return Redirect::to(&format!("/payroll/{run}?done=returns#reconciliation"))
                .into_response();
        }
        Err(service::Error::Invalid(errors)) => {
            let lines = errors.iter().map(|e| t.field_error(e)).collect();
            let refused = t.with(
                "payroll-returns-refused",
                &[("errors", &errors.len().to_string())],
            );
            crate::payroll::run_view(&state, lang, &signed, &id, &q, Some(refused), lines)
                .await
                .map(|mut r| {
                    *r.status_mut() = StatusCode::BAD_REQUEST;
                    r
                })
        }
        Err(service::Error::Conflict { code, detail }) => {
            let message = t.error_code(code, &detail);
            crate::payroll::run_view(&state, lang, &signed, &id, &q, Some(message), Vec::new())
                .await
                .map(|mut r| {
                    *r.status_mut() = StatusCode::CONFLICT;
                    r
                })
        }
        Err(e) => Err(e),
    };
    shown.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

const OUTCOME_COLUMNS: [&str; 13] = [
    "payroll-col-run",
    "payroll-col-month",
    "payroll-col-program",
    "payroll-col-household",
    "payroll-col-head",
    "payroll-col-division",
    "payroll-col-amount",
    "payroll-col-outcome",
    "payroll-col-attempts",
    "payroll-col-key",
    "payroll-col-bank-reason",
    "payroll-col-payee",
    "payroll-col-corrected",
];

fn outcome_label(t: &Tr<'_>, o: Outcome) -> String {
    t.get(&format!("payroll-recon-{}", o.as_str()))
}

fn payee_words(p: &PaymentOutcome) -> String {
    p.payee
        .as_ref()
        .map(|a| format!("{} {} {}", a.holder, a.bank_name, masked(a)))
        .unwrap_or_default()
}

/// Payments as a sheet, account numbers masked.
fn outcome_table(t: &Tr<'_>, payments: &[PaymentOutcome]) -> Table {
    let yes = t.get("payroll-yes");
    let rows = payments
        .iter()
        .map(|p| {
            vec![
                p.run_id.to_string(),
                p.month.clone(),
                crate::payroll::program_label(t, &p.program),
                p.household_id.to_string(),
                p.head_name.clone(),
                p.division_code.clone(),
                Fen::from_fen(p.amount_fen).yuan(),
                outcome_label(t, p.outcome),
                p.attempts.to_string(),
                p.key.clone(),
                p.reason.clone(),
                payee_words(p),
                if p.corrected {
                    yes.clone()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let header = OUTCOME_COLUMNS.iter().map(|c| t.get(c)).collect();
    Table::new(header, rows).numeric(&[0, 3, 6, 8])
}

async fn recon_export(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: &str,
) -> Result<(Table, String), service::Error> {
    let t = state.i18n.tr(lang);
    let run = parse_id(id)?;
    let r = state
        .service
        .run_reconciliation(signed.actor(), run)
        .await?;
    let mut table = outcome_table(&t, &r.payments);
    // The totals under the lines, so the sheet adds up on its own.
    for (label, count, sum) in recon_rows(&t, &r) {
        let mut row = vec![String::new(); OUTCOME_COLUMNS.len()];
        row[4] = label;
        row[3] = count.to_string();
        row[6] = sum.replace(',', "");
        table.rows.push(row);
    }
    Ok((table, format!("payroll_reconciliation_{run}")))
}

async fn recon_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let exported = recon_export(&state, lang, &signed, &id).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "payroll-recon-sheet",
        exported,
    )
}

async fn recon_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let exported = recon_export(&state, lang, &signed, &id).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "payroll-recon-sheet",
        exported,
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FailedQuery {
    pub run: String,
    pub division: String,
    pub done: String,
}

impl FailedQuery {
    fn filter(&self) -> FailedFilter {
        FailedFilter {
            // A run that is not a number matches nothing rather than everything.
            run_id: Some(self.run.trim())
                .filter(|r| !r.is_empty())
                .map(|r| r.parse().unwrap_or(-1)),
            division: DivisionCode::parse(self.division.trim()).ok(),
        }
    }

    fn query_string(&self) -> String {
        [("run", &self.run), ("division", &self.division)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", crate::list::encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

struct FailedRow {
    item: String,
    run_id: i64,
    month: String,
    head_name: String,
    household_id: i64,
    division: String,
    amount: String,
    attempts: i64,
    reason: String,
    failed_at: String,
    payee: String,
    corrected: bool,
}

struct BatchRow {
    id: i64,
    file_name: String,
    format: String,
    lines: i64,
    total: String,
    reason: String,
    by: String,
    at: String,
}

fn batch_row(b: &ReissueBatchRecord) -> BatchRow {
    BatchRow {
        id: b.id,
        file_name: b.file_name.clone(),
        format: b.format.clone(),
        lines: b.lines,
        total: yuan(b.total_fen),
        reason: b.reason.clone(),
        by: b.exported_by.clone(),
        at: crate::time::minutes(b.exported_at),
    }
}

#[derive(Template)]
#[template(path = "payroll_failed.html")]
struct FailedView<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: FailedQuery,
    streets: Vec<Choice>,
    rows: Vec<FailedRow>,
    found: String,
    export_query: String,
    may_reissue: bool,
    batches: Vec<BatchRow>,
    notice: Option<String>,
    errors: Vec<String>,
    reason: String,
}

async fn failed_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    q: FailedQuery,
    errors: Vec<String>,
    reason: String,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let actor = signed.actor();
    let failed = state.service.failed_payments(actor, &q.filter()).await?;
    let batches = state.service.reissue_batches(actor).await?;
    // Streets to filter by; a reader who may not browse cases filters by code alone.
    let streets = match state.service.assistance_divisions(actor).await {
        Ok(ds) => ds
            .into_iter()
            .filter(|d| {
                matches!(
                    d.level(),
                    domain::DivisionLevel::Street | domain::DivisionLevel::Town
                )
            })
            .map(|d| Choice::new(d.code.to_string(), d.name, q.division.trim()))
            .collect(),
        Err(_) => Vec::new(),
    };
    let sum: i64 = failed.iter().map(|p| p.amount_fen).sum();
    let rows = failed
        .iter()
        .map(|p| FailedRow {
            item: format!("{}-{}", p.run_id, p.household_id),
            run_id: p.run_id,
            month: p.month.clone(),
            head_name: p.head_name.clone(),
            household_id: p.household_id,
            division: p.division_code.clone(),
            amount: yuan(p.amount_fen),
            attempts: p.attempts,
            reason: p.reason.clone(),
            failed_at: p.failed_at.map(crate::time::minutes).unwrap_or_default(),
            payee: payee_words(p),
            corrected: p.corrected,
        })
        .collect();
    let query = q.query_string();
    let view = FailedView {
        found: t.with(
            "payroll-failed-found",
            &[("total", &failed.len().to_string()), ("sum", &yuan(sum))],
        ),
        export_query: if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        },
        may_reissue: pays(actor),
        batches: batches.iter().map(batch_row).collect(),
        notice: match q.done.as_str() {
            "returns" => Some(t.get("payroll-returns-notice")),
            _ => None,
        },
        streets,
        rows,
        errors,
        reason,
        t,
        path: "/payroll/failed".into(),
        me: Some(Me::of(state, lang, signed)),
        q,
    };
    Ok(crate::render(state, lang, &view))
}

async fn failed_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<FailedQuery>,
) -> Response {
    failed_view(&state, lang, &signed, q, Vec::new(), String::new())
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn failed_export(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    q: &FailedQuery,
) -> Result<(Table, String), service::Error> {
    let t = state.i18n.tr(lang);
    let failed = state
        .service
        .failed_payments(signed.actor(), &q.filter())
        .await?;
    Ok((outcome_table(&t, &failed), "payroll_failed".to_owned()))
}

async fn failed_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<FailedQuery>,
) -> Response {
    let exported = failed_export(&state, lang, &signed, &q).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "payroll-failed-sheet",
        exported,
    )
}

async fn failed_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<FailedQuery>,
) -> Response {
    let exported = failed_export(&state, lang, &signed, &q).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "payroll-failed-sheet",
        exported,
    )
}

/// `RUN-HOUSEHOLD`, as the failed list's check boxes carry a payment.
fn parse_item(text: &str) -> Option<ReissueItem> {
    let (run, household) = text.trim().split_once('-')?;
    Some(ReissueItem {
        run_id: run.parse().ok()?,
        household_id: household.parse().ok()?,
    })
}

fn reissue_response(export: ReissueExport) -> Response {
    let b = export.batch.clone();
    let f = export.file;
    let mut response = export::download(f.media_type, &f.name, f.bytes);
    for (name, value) in [
        ("x-reissue-batch-id", b.id.to_string()),
        ("x-bank-file-sha256", b.sha256.clone()),
        ("x-bank-file-lines", b.lines.to_string()),
        ("x-bank-file-total-fen", b.total_fen.to_string()),
    ] {
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// The re-issue form: repeated `item` check boxes, so read as pairs.
async fn reissue_submit(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    // Only `item` repeats; anything else twice is no form of this page.
    for name in ["csrf", "format", "reason"] {
        if pairs.iter().filter(|(k, _)| k == name).count() > 1 {
            return reject::malformed(&state, lang, format!("duplicate field `{name}`"));
        }
    }
    let t = state.i18n.tr(lang);
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let reason = value("reason");
    let result = async {
        signed.check_csrf(&value("csrf"))?;
        if !pays(signed.actor()) {
            return Err(service::Error::Forbidden);
        }
        let format = format_of(&value("format"))?;
        let mut items = Vec::new();
        for (k, v) in &pairs {
            if k == "item" {
                items.push(parse_item(v).ok_or_else(|| {
                    service::Error::invalid(service::FieldError::new(
                        "payments",
                        "payroll.reissue_none",
                        v.chars().take(40).collect::<String>(),
                    ))
                })?);
            }
        }
        state
            .service
            .reissue_payments(signed.actor(), &items, format, &reason)
            .await
    }
    .await;
    let (status, errors) = match result {
        Ok(export) => return reissue_response(export),
        Err(service::Error::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            errors.iter().map(|e| t.field_error(e)).collect(),
        ),
        Err(service::Error::Conflict { code, detail }) => {
            (StatusCode::CONFLICT, vec![t.error_code(code, &detail)])
        }
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    match failed_view(
        &state,
        lang,
        &signed,
        FailedQuery::default(),
        errors,
        reason,
    )
    .await
    {
        Ok(mut r) => {
            *r.status_mut() = status;
            r
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

async fn reissue_returns_upload(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    if !pays(signed.actor()) {
        return refused_forbidden(&state, lang, &signed);
    }
    let bytes = match uploaded(&state, lang, &signed, req).await {
        Ok(b) => b,
        Err(response) => return response,
    };
    let t = state.i18n.tr(lang);
    let result = async {
        let batch = parse_id(&id)?;
        if bytes.is_empty() {
            return Err(no_file());
        }
        state
            .service
            .import_reissue_returns(signed.actor(), batch, &bytes)
            .await
    }
    .await;
    let (status, errors) = match result {
        Ok(_) => return Redirect::to("/payroll/failed?done=returns").into_response(),
        Err(service::Error::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            std::iter::once(t.with(
                "payroll-returns-refused",
                &[("errors", &errors.len().to_string())],
            ))
            .chain(errors.iter().map(|e| t.field_error(e)))
            .collect(),
        ),
        Err(service::Error::Conflict { code, detail }) => {
            (StatusCode::CONFLICT, vec![t.error_code(code, &detail)])
        }
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    match failed_view(
        &state,
        lang,
        &signed,
        FailedQuery::default(),
        errors,
        String::new(),
    )
    .await
    {
        Ok(mut r) => {
            *r.status_mut() = status;
            r
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// API: returns, the reconciliation, failed payments, re-issues
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct CountJson {
    pub count: i64,
    pub fen: i64,
    pub yuan: String,
}

fn count_json(c: Count) -> CountJson {
    CountJson {
        count: c.count,
        fen: c.fen,
        yuan: Fen::from_fen(c.fen).yuan(),
    }
}

#[derive(Debug, Serialize)]
pub struct PaymentOutcomeJson {
    pub run_id: i64,
    pub month: String,
    pub program: String,
    pub household_id: i64,
    pub head_name: String,
    pub division_code: String,
    pub amount_fen: i64,
    /// `paid`, `failed`, `reissued` or `outstanding`.
    pub outcome: &'static str,
    pub attempts: i64,
    pub key: String,
    pub reason: String,
    pub failed_at: Option<String>,
    pub batch_id: Option<i64>,
    pub payee: Option<PayeeJson>,
    pub corrected: bool,
}

fn outcome_json(p: &PaymentOutcome) -> PaymentOutcomeJson {
    PaymentOutcomeJson {
        run_id: p.run_id,
        month: p.month.clone(),
        program: p.program.clone(),
        household_id: p.household_id,
        head_name: p.head_name.clone(),
        division_code: p.division_code.clone(),
        amount_fen: p.amount_fen,
        outcome: p.outcome.as_str(),
        attempts: p.attempts,
        key: p.key.clone(),
        reason: p.reason.clone(),
        failed_at: p.failed_at.map(|a| a.to_rfc3339()),
        batch_id: p.batch_id,
        payee: p.payee.as_ref().map(payee_json),
        corrected: p.corrected,
    }
}

#[derive(Debug, Serialize)]
pub struct ReconciliationJson {
    pub run_id: i64,
    pub state: String,
    pub expected: CountJson,
    pub paid: CountJson,
    pub failed: CountJson,
    pub reissued: CountJson,
    pub outstanding: CountJson,
    /// Of the outstanding: never in a bank file (no account when it was made).
    pub unsent: CountJson,
    pub payments: Vec<PaymentOutcomeJson>,
}

fn recon_json(r: &RunReconciliation) -> ReconciliationJson {
    ReconciliationJson {
        run_id: r.run.id,
        state: r.run.state.clone(),
        expected: count_json(r.expected),
        paid: count_json(r.paid),
        failed: count_json(r.failed),
        reissued: count_json(r.reissued),
        outstanding: count_json(r.outstanding),
        unsent: count_json(r.unsent),
        payments: r.payments.iter().map(outcome_json).collect(),
    }
}

/// The result file as the body (CSV in UTF-8 or GBK, or XLSX); the run's reconciliation
/// after the import.
async fn api_returns(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let run = parse_id(&id)?;
        state.service.import_returns(&actor, run, &body).await?;
        state.service.run_reconciliation(&actor, run).await
    }
    .await;
    match result {
        Ok(r) => Json(recon_json(&r)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_reconciliation(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    match async {
        state
            .service
            .run_reconciliation(&actor, parse_id(&id)?)
            .await
    }
    .await
    {
        Ok(r) => Json(recon_json(&r)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_failed(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(q): ApiQuery<FailedQuery>,
) -> Response {
    match state.service.failed_payments(&actor, &q.filter()).await {
        Ok(list) => Json(list.iter().map(outcome_json).collect::<Vec<_>>()).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReissueBody {
    pub items: Vec<ReissueItemBody>,
    pub format: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct ReissueItemBody {
    pub run_id: i64,
    pub household_id: i64,
}

async fn api_reissue(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<ReissueBody>,
) -> Response {
    let result = async {
        // Who may not pay learns that first, not what is wrong with the body.
        if !pays(&actor) {
            return Err(service::Error::Forbidden);
        }
        let format = format_of(&body.format)?;
        let items: Vec<ReissueItem> = body
            .items
            .iter()
            .map(|i| ReissueItem {
                run_id: i.run_id,
                household_id: i.household_id,
            })
            .collect();
        state
            .service
            .reissue_payments(&actor, &items, format, &body.reason)
            .await
    }
    .await;
    match result {
        Ok(export) => reissue_response(export),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
pub struct ReissueReturnsJson {
    pub batch_id: i64,
    pub expected: CountJson,
    pub paid: CountJson,
    pub failed: CountJson,
    pub outstanding: CountJson,
}

fn tally(t: domain::bank::Tally) -> CountJson {
    count_json(Count {
        count: i64::try_from(t.count).unwrap_or(i64::MAX),
        fen: t.amount.as_fen(),
    })
}

async fn api_reissue_returns(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let batch = parse_id(&id)?;
        let r = state
            .service
            .import_reissue_returns(&actor, batch, &body)
            .await?;
        Ok::<_, service::Error>((batch, r))
    }
    .await;
    match result {
        Ok((batch_id, r)) => Json(ReissueReturnsJson {
            batch_id,
            expected: tally(r.expected),
            paid: tally(r.paid_tally),
            failed: tally(r.failed_tally),
            outstanding: tally(r.outstanding_tally),
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

// ---------------------------------------------------------------------------------------
// Bank settings: the bureau's paying account and the template file's layout
// ---------------------------------------------------------------------------------------

/// The settings form; `header_row` is a check box (absent when unticked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub csrf: String,
    pub debtor_holder: String,
    pub debtor_bank: String,
    pub debtor_bank_code: String,
    pub debtor_account: String,
    pub debtor_kind: String,
    pub format: String,
    pub encoding: String,
    pub header_row: Option<String>,
    pub amount: String,
    pub columns: String,
}

impl SettingsForm {
    fn input(&self) -> BankSettingsInput {
        BankSettingsInput {
            debtor_holder: self.debtor_holder.clone(),
            debtor_bank: self.debtor_bank.clone(),
            debtor_bank_code: self.debtor_bank_code.clone(),
            debtor_account: self.debtor_account.clone(),
            debtor_kind: self.debtor_kind.clone(),
            format: self.format.clone(),
            encoding: self.encoding.clone(),
            header_row: self.header_row.is_some(),
            amount: self.amount.clone(),
            columns: self.columns.clone(),
        }
    }

    fn of(i: BankSettingsInput) -> Self {
        Self {
            csrf: String::new(),
            debtor_holder: i.debtor_holder,
            debtor_bank: i.debtor_bank,
            debtor_bank_code: i.debtor_bank_code,
            debtor_account: i.debtor_account,
            debtor_kind: i.debtor_kind,
            format: i.format,
            encoding: i.encoding,
            header_row: i.header_row.then(|| "1".to_owned()),
            amount: i.amount,
            columns: i.columns,
        }
    }
}

#[derive(Template)]
#[template(path = "payroll_settings.html")]
struct SettingsView<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    form: SettingsForm,
    can_edit: bool,
    choices: Vec<(&'static str, Vec<Choice>)>,
    fields: Vec<(&'static str, String)>,
    errors: crate::list::FieldErrors,
    notice: Option<String>,
}

fn settings_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: SettingsForm,
    errors: &[service::FieldError],
    notice: Option<String>,
) -> Response {
    let t = state.i18n.tr(lang);
    let options = |name: &'static str, values: &[&str], current: &str| {
        let list = values
            .iter()
            .map(|v| Choice::new(*v, t.get(&format!("payroll-settings-{name}-{v}")), current))
            .collect();
        (name, list)
    };
    let choices = vec![
        options("debtor_kind", &["book", "card"], &form.debtor_kind),
        options("format", &["csv", "xlsx"], &form.format),
        options("encoding", &["gbk", "utf8", "utf8_bom"], &form.encoding),
        options("amount", &["yuan", "fen"], &form.amount),
    ];
    let fields = vec![
        ("debtor_holder", form.debtor_holder.clone()),
        ("debtor_bank", form.debtor_bank.clone()),
        ("debtor_bank_code", form.debtor_bank_code.clone()),
        ("debtor_account", form.debtor_account.clone()),
    ];
    let all = [
        "debtor_holder",
        "debtor_bank",
        "debtor_bank_code",
        "debtor_account",
        "debtor_kind",
        "format",
        "encoding",
        "amount",
        "columns",
    ];
    let view = SettingsView {
        errors: crate::list::FieldErrors::new(&t, errors, &all),
        path: "/payroll/settings".into(),
        me: Some(Me::of(state, lang, signed)),
        can_edit: pays(signed.actor()),
        choices,
        fields,
        form,
        notice,
        t,
    };
    crate::render(state, lang, &view)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsQuery {
    pub done: String,
}

async fn settings_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<SettingsQuery>,
) -> Response {
    match state.service.bank_settings(signed.actor()).await {
        Ok(input) => {
            let notice = (q.done == "1").then(|| state.i18n.tr(lang).get("payroll-settings-saved"));
            settings_view(&state, lang, &signed, SettingsForm::of(input), &[], notice)
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

async fn settings_submit(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<SettingsForm>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .set_bank_settings(signed.actor(), &form.input())
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/payroll/settings?done=1").into_response(),
        Err(service::Error::Invalid(errors)) => {
            let mut r = settings_view(&state, lang, &signed, form, &errors, None);
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}
