//! How a `service::Error` reaches a person (an HTML page) or a program (JSON).
//!
//! Status codes: 400 invalid input (with every field error), 404 not found (also for
//! anything outside the caller's jurisdiction, so existence never leaks), 409 conflict,
//! 500 internal (a generic body; the cause goes to the log only).

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::{AppState, Lang, Tr};

fn status(e: &service::Error) -> StatusCode {
    match e {
        service::Error::Invalid(_) => StatusCode::BAD_REQUEST,
        service::Error::NotFound => StatusCode::NOT_FOUND,
        service::Error::Conflict { .. } => StatusCode::CONFLICT,
        service::Error::Forbidden => StatusCode::FORBIDDEN,
        service::Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        service::Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The stable machine code of an error, the same in both languages.
fn machine_code(e: &service::Error) -> &'static str {
    match e {
        service::Error::Invalid(_) => "invalid",
        service::Error::NotFound => "not_found",
        service::Error::Conflict { code, .. } => code,
        service::Error::Forbidden => "forbidden",
        service::Error::Unavailable { .. } => "unavailable",
        service::Error::Internal(_) => "internal",
    }
}

/// The Fluent id of an error's title: `error-` and the code with dashes.
fn title_id(code: &str) -> String {
    format!("error-{}", code.replace(['.', '_'], "-"))
}

fn log(e: &service::Error) {
    if let service::Error::Internal(_) | service::Error::Unavailable { .. } = e {
        tracing::error!(error = %e, "request failed");
    } else {
        tracing::info!(error = %e, "request refused");
    }
}

#[derive(Debug, Serialize)]
pub struct JsonFieldError {
    pub row: Option<usize>,
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// The JSON error body: `{"code": "...", "message": "...", "fields": [...]}`.
#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<JsonFieldError>,
}

impl ApiError {
    /// 401: no valid bearer token or session.
    pub fn unauthorized(tr: &Tr<'_>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: tr.get("error-unauthorized"),
            fields: Vec::new(),
        }
    }

    /// The same body with another status: input refused before it reached the service
    /// (415 wrong content type, 413 too large).
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn from_service(tr: &Tr<'_>, e: service::Error) -> Self {
        log(&e);
        let fields = match &e {
            service::Error::Invalid(errors) => errors
                .iter()
                .map(|f| JsonFieldError {
                    row: f.row,
                    field: f.field,
                    code: f.code,
                    message: tr.field_error(f),
                })
                .collect(),
            _ => Vec::new(),
        };
        let code = machine_code(&e);
        Self {
            status: status(&e),
            code,
            message: tr.get(&title_id(code)),
            fields,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<crate::Me>,
    title: String,
    details: Vec<String>,
}

/// An error rendered as a page in the user's language.
#[derive(Debug)]
pub struct PageError(Response);

impl PageError {
    /// The error page for someone not signed in (or before we know who they are).
    pub fn new(state: &AppState, lang: Lang, e: service::Error) -> Self {
        Self::page(state, lang, None, e)
    }

    /// The error page inside the signed-in user's frame, so a refusal does not look like
    /// being signed out.
    pub fn for_user(
        state: &AppState,
        lang: Lang,
        signed: &crate::auth::Signed,
        e: service::Error,
    ) -> Self {
        Self::page(state, lang, Some(crate::Me::of(state, lang, signed)), e)
    }

    fn page(state: &AppState, lang: Lang, me: Option<crate::Me>, e: service::Error) -> Self {
        log(&e);
        let t = state.i18n.tr(lang);
        let details = match &e {
            service::Error::Invalid(errors) => errors.iter().map(|f| t.field_error(f)).collect(),
            service::Error::Conflict { code, detail } => vec![t.error_code(code, detail)],
            _ => Vec::new(),
        };
        let code = machine_code(&e);
        let page = ErrorPage {
            t,
            path: String::new(),
            me,
            title: t.get(&title_id(code)),
            details,
        };
        let body = page.render().unwrap_or_else(|err| {
            tracing::error!(error = %err, "error page did not render");
            String::from("error")
        });
        Self((status(&e), Html(body)).into_response())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0
    }
}
