//! 不可兼得的优抚类别 on the web (`/veterans/exclusions`, linked from the standards page):
//! the pairs of categories one person may not hold together with their reasons, and the
//! section's forms to add a pair with its reason and to remove one with the reason for
//! removing it. Rules in `service::veterans::combinations`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, Line};
use serde::Deserialize;
use service::veterans::combinations::{ExclusionInput, ExclusionView};

use crate::auth::Signed;
use crate::list::{Choice, FieldErrors};
use crate::reject::{Form, Query};
use crate::{AppState, Lang, Me, PageError, Tr};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/exclusions", get(page).post(add))
        .route("/veterans/exclusions/remove", post(remove))
}

/// The add form (`reason`: why the pair) and the remove form (`reason`: why removed).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PairBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub a: String,
    #[serde(default)]
    pub b: String,
    #[serde(default)]
    pub reason: String,
}

impl PairBody {
    fn input(&self) -> ExclusionInput {
        ExclusionInput {
            a: self.a.clone(),
            b: self.b.clone(),
            reason: self.reason.clone(),
        }
    }
}

const ADD_FIELDS: &[&str] = &["category_a", "category_b", "exclusion_reason"];

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "veterans_exclusions.html")]
struct ExclusionsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<ExclusionView>,
    categories_a: Vec<Choice>,
    categories_b: Vec<Choice>,
    notice: Option<String>,
    form: PairBody,
    errors: FieldErrors,
    /// Refusals of a removal, named by field.
    remove_errors: Vec<String>,
    can_edit: bool,
}

async fn view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    notice: Option<String>,
    form: PairBody,
    errors: FieldErrors,
    remove_errors: Vec<String>,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let rows = state.service.veteran_exclusions(actor).await?;
    let categories = state.service.veteran_categories(actor).await?;
    let choices = |current: &str| {
        categories
            .iter()
            .map(|c| Choice::new(c.code.clone(), format!("{} {}", c.code, c.name), current))
            .collect()
    };
    let page = ExclusionsPage {
        t: state.i18n.tr(lang),
        path: "/veterans/exclusions".into(),
        me: Some(Me::of(state, lang, signed)),
        rows,
        categories_a: choices(form.a.trim()),
        categories_b: choices(form.b.trim()),
        notice,
        form,
        errors,
        remove_errors,
        can_edit: actor.may(Line::Veterans, Action::Approve),
    };
    Ok(crate::render(state, lang, &page))
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match p.done.as_deref() {
        Some("added") => Some(t.get("veterans-exclusions-added")),
        Some("removed") => Some(t.get("veterans-exclusions-removed")),
        _ => None,
    };
    view(
        &state,
        lang,
        &signed,
        notice,
        PairBody::default(),
        FieldErrors::default(),
        Vec::new(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn add(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PairBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        match state
            .service
            .add_veteran_exclusion(signed.actor(), &form.input())
            .await
        {
            Ok(()) => Ok(Redirect::to("/veterans/exclusions?done=added").into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, ADD_FIELDS);
                let mut r = view(
                    &state,
                    lang,
                    &signed,
                    None,
                    form.clone(),
                    errors,
                    Vec::new(),
                )
                .await?;
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn remove(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PairBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        match state
            .service
            .remove_veteran_exclusion(signed.actor(), &form.input())
            .await
        {
            Ok(()) => Ok(Redirect::to("/veterans/exclusions?done=removed").into_response()),
            Err(service::Error::Invalid(errors)) => {
                let messages = errors.iter().map(|e| t.field_error(e)).collect();
                let mut r = view(
                    &state,
                    lang,
                    &signed,
                    None,
                    PairBody::default(),
                    FieldErrors::default(),
                    messages,
                )
                .await?;
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}
