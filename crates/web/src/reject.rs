//! Input axum could not read, answered like every other refusal: a page in the user's
//! language for forms and query strings, with the status of what went wrong (415 wrong
//! content type, 413 too large, 400 malformed). axum's own rejections are English plain text
//! and a malformed form is 422, which a person at a form cannot act on.
//!
//! Use `reject::Form` and `reject::Query` in page handlers instead of axum's, and
//! `reject::Json` and `reject::ApiQuery` in API handlers: they answer in the API's JSON
//! error body (`ApiError`) instead of a page.

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState, Lang, PageError};

/// The page for input that could not be read: the `form.*` rule it broke, with axum's
/// explanation as the detail, and the status that names the problem.
fn refusal(state: &AppState, lang: Lang, status: StatusCode, body_text: String) -> Response {
    let (status, code) = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (status, "form.content_type"),
        StatusCode::PAYLOAD_TOO_LARGE => (status, "form.too_large"),
        // 422 and every other client error: the input was there but malformed.
        _ => (StatusCode::BAD_REQUEST, "form.malformed"),
    };
    tracing::info!(%status, detail = %body_text, "unreadable input");
    let error = service::Error::invalid(service::FieldError::new("form", code, body_text));
    let mut response = PageError::new(state, lang, error).into_response();
    *response.status_mut() = status;
    response
}

/// `axum::Form`, refusing with a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_default();
        let req = Request::from_parts(parts, body);
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(e) => {
                let e: FormRejection = e;
                Err(refusal(state, lang, e.status(), e.body_text()))
            }
        }
    }
}

/// `axum::extract::Query`, refusing with a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(e) => {
                let e: QueryRejection = e;
                let lang = Lang::from_request_parts(parts, state)
                    .await
                    .unwrap_or_default();
                Err(refusal(state, lang, e.status(), e.body_text()))
            }
        }
    }
}

/// The JSON refusal of input that could not be read. The codes of malformed input carry the
/// `accounts.` prefix because the accounts API published them first; clients match on
/// codes, so they stay for every route.
fn api_refusal(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    malformed: &'static str,
    body_text: String,
) -> Response {
    let (status, code) = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (status, "api.content_type"),
        StatusCode::PAYLOAD_TOO_LARGE => (status, "api.too_large"),
        // axum's 422 (well-formed JSON of the wrong shape) and every other client error.
        _ => (StatusCode::BAD_REQUEST, malformed),
    };
    tracing::info!(%status, detail = %body_text, "unreadable API input");
    let error = service::Error::invalid(service::FieldError::new("form", code, body_text));
    ApiError::from_service(&state.i18n.tr(lang), error)
        .with_status(status)
        .into_response()
}

/// `axum::Json`, refusing in JSON: 415 without `Content-Type: application/json`, 413 too
/// large, 400 malformed or of the wrong shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Json<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_default();
        let req = Request::from_parts(parts, body);
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(e) => {
                let e: JsonRejection = e;
                Err(api_refusal(
                    state,
                    lang,
                    e.status(),
                    "accounts.malformed_json",
                    e.body_text(),
                ))
            }
        }
    }
}

/// `axum::extract::Query`, refusing in JSON with 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(e) => {
                let e: QueryRejection = e;
                let lang = Lang::from_request_parts(parts, state)
                    .await
                    .unwrap_or_default();
                Err(api_refusal(
                    state,
                    lang,
                    e.status(),
                    "accounts.malformed_query",
                    e.body_text(),
                ))
            }
        }
    }
}

/// The multipart body of an upload form, or the page refusing it: 415 unless the body is
/// `multipart/form-data`, 400 when its boundary is missing. Handlers call this after the
/// permission check, so that nobody without the permission gets as far as sending files.
pub(crate) async fn multipart(
    req: Request,
    state: &AppState,
    lang: Lang,
) -> Result<axum::extract::Multipart, Response> {
    let is_multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_multipart {
        return Err(refusal(
            state,
            lang,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected multipart/form-data".into(),
        ));
    }
    axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| refusal(state, lang, e.status(), e.body_text()))
}

/// The page refusing a form whose fields cannot be read as it needs them (a field that
/// may come once came twice), as a malformed urlencoded form is refused.
pub(crate) fn malformed(state: &AppState, lang: Lang, detail: String) -> Response {
    refusal(state, lang, StatusCode::BAD_REQUEST, detail)
}

/// The page refusing a multipart body that broke off or was malformed while its fields
/// were read: 413 past the route's limit, 400 otherwise.
pub(crate) fn multipart_field(
    state: &AppState,
    lang: Lang,
    e: &axum::extract::multipart::MultipartError,
) -> Response {
    refusal(state, lang, e.status(), e.body_text())
}

/// The `file` field of an upload form (`None` when empty), after the form's `csrf` field,
/// which must come first (the forms put it first), so no file is read for a forged form.
pub(crate) async fn csrf_file(
    state: &AppState,
    lang: Lang,
    signed: &crate::auth::Signed,
    req: Request,
) -> Result<Option<Vec<u8>>, Response> {
    let refuse = |e: service::Error| PageError::for_user(state, lang, signed, e).into_response();
    let mut form = multipart(req, state, lang).await?;
    let mut csrf: Option<String> = None;
    let mut file = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_field(state, lang, &e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" if csrf.is_none() => {
                csrf = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| multipart_field(state, lang, &e))?,
                );
            }
            "file" => {
                signed
                    .check_csrf(csrf.as_deref().unwrap_or_default())
                    .map_err(refuse)?;
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_field(state, lang, &e))?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    signed
        .check_csrf(csrf.as_deref().unwrap_or_default())
        .map_err(refuse)?;
    Ok(file)
}
