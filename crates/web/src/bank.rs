//! Paying through banks, on the web: a household's payee account (`/assistance/{id}
//! /payee`, linked from the case page; a form with the CSRF token, the history below it),
//! the bank file of an approved run (a POST from the run page, so the download is
//! CSRF-protected and audited), and the same through the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::bank::{BankExport, BankFormat, PayeeInput, PayeeView, masked};
use store::{BankFileRecord, PayeeRecord};

use crate::auth::{ApiCaller, Signed};
use crate::reject::{self, ApiQuery, Form};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/{id}/payee", get(payee_page).post(payee_submit))
        .route("/payroll/{id}/bank-file", post(bank_file))
        .route(
            "/api/v1/assistance/cases/{id}/payee",
            get(api_payee).post(api_set_payee),
        )
        .route("/api/v1/payroll/runs/{id}/bank-file", post(api_bank_file))
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
    case_id: i64,
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

async fn render_payee(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: &str,
    form: PayeeForm,
    errors: Vec<(String, String)>,
) -> Result<Response, service::Error> {
    let case_id = parse_id(id)?;
    let view = state.service.case_payee(signed.actor(), case_id).await?;
    let t = state.i18n.tr(lang);
    let rows = view.history.iter().map(|p| payee_row(&t, p)).collect();
    let page = PayeePage {
        t,
        path: format!("/assistance/{case_id}/payee"),
        me: Some(Me::of(state, lang, signed)),
        case_id,
        has_current: view.current().is_some(),
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
    render_payee(&state, lang, &signed, &id, PayeeForm::default(), Vec::new())
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
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
                let mut response = render_payee(&state, lang, &signed, &id, form, errors).await?;
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
