//! 退役士兵接收 on the web: the intake batches with the form to open one, a batch's page
//! (the soldiers received in the jurisdiction, the counts by training, the form to receive
//! one), and the same under `/api/v1/veterans/reception`. Rules in
//! `service::veterans::reception`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::veterans::{Placement, Training};
use domain::{Action, Line};
use serde::{Deserialize, Serialize};
use service::veterans::reception::{BatchInput, BatchView, ReceptionInput};
use store::BatchRecord;

use super::parse_id;
use crate::auth::{ApiCaller, Signed};
use crate::list::{Choice, FieldErrors};
use crate::reject::Form;
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/reception", get(batches_page).post(create_batch))
        .route("/veterans/reception/{id}", get(batch_page).post(receive))
        .route("/api/v1/veterans/reception/batches", get(api_batches))
        .route("/api/v1/veterans/reception/batches/{id}", get(api_batch))
        .route(
            "/api/v1/veterans/reception/batches/{id}/soldiers",
            axum::routing::post(api_receive),
        )
}

fn placement_label(t: &Tr<'_>, p: Placement) -> String {
    t.get(&format!(
        "veterans-placement-{}",
        p.as_str().replace('_', "-")
    ))
}

fn training_label(t: &Tr<'_>, x: Training) -> String {
    t.get(&format!("veterans-training-{}", x.as_str()))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct BatchBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub discharged_on: String,
    #[serde(default)]
    pub report_by: String,
}

#[derive(Template)]
#[template(path = "veterans_reception.html")]
struct BatchesPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<BatchRecord>,
    form: BatchBody,
    errors: FieldErrors,
    can_decide: bool,
}

async fn batches_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: BatchBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let rows = state.service.reception_batches(actor).await?;
    let page = BatchesPage {
        t: state.i18n.tr(lang),
        path: "/veterans/reception".into(),
        me: Some(Me::of(state, lang, signed)),
        rows,
        form,
        errors,
        can_decide: actor.may(Line::Veterans, Action::Approve),
    };
    Ok(crate::render(state, lang, &page))
}

async fn batches_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    batches_view(
        &state,
        lang,
        &signed,
        BatchBody::default(),
        FieldErrors::default(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn create_batch(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<BatchBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Approve)?;
        let input = BatchInput {
            name: form.name.clone(),
            discharged_on: form.discharged_on.clone(),
            report_by: form.report_by.clone(),
        };
        match state
            .service
            .create_reception_batch(signed.actor(), &input)
            .await
        {
            Ok(id) => Ok(Redirect::to(&format!("/veterans/reception/{id}")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, &["name", "discharged_on", "report_by"]);
                let mut r = batches_view(&state, lang, &signed, form.clone(), errors).await?;
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReceptionBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub placement: String,
    #[serde(default)]
    pub training: String,
    #[serde(default)]
    pub reported_on: String,
    #[serde(default)]
    pub late_reason: String,
}

impl ReceptionBody {
    fn input(&self) -> ReceptionInput {
        ReceptionInput {
            id_number: self.id_number.clone(),
            name: self.name.clone(),
            community: self.community.clone(),
            placement: self.placement.clone(),
            training: self.training.clone(),
            reported_on: self.reported_on.clone(),
            late_reason: self.late_reason.clone(),
        }
    }
}

struct ReceptionLine {
    name: String,
    id_number: String,
    division: String,
    placement: String,
    training: String,
    reported_on: String,
    late_reason: String,
}

#[derive(Template)]
#[template(path = "veterans_reception_batch.html")]
struct BatchPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    b: BatchView,
    summary: String,
    rows: Vec<ReceptionLine>,
    placements: Vec<Choice>,
    trainings: Vec<Choice>,
    form: ReceptionBody,
    errors: FieldErrors,
    can_decide: bool,
}

const RECEPTION_FIELDS: &[&str] = &[
    "id_number",
    "name",
    "community",
    "placement",
    "training",
    "reported_on",
    "late_reason",
];

async fn batch_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    form: ReceptionBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let b = state.service.reception_batch(actor, id).await?;
    let t = state.i18n.tr(lang);
    let count = |x: Training| {
        b.by_training
            .iter()
            .find(|(k, _)| *k == x)
            .map_or(0, |(_, n)| *n)
            .to_string()
    };
    let summary = t.with(
        "veterans-reception-summary",
        &[
            ("received", &b.receptions.len().to_string()),
            ("secondary", &count(Training::Secondary)),
            ("higher", &count(Training::Higher)),
            ("none", &count(Training::None)),
        ],
    );
    let page = BatchPage {
        t,
        path: format!("/veterans/reception/{id}"),
        me: Some(Me::of(state, lang, signed)),
        summary,
        rows: b
            .receptions
            .iter()
            .map(|r| ReceptionLine {
                name: r.name.clone(),
                id_number: r.id_number.clone(),
                division: r.division_name.clone(),
                placement: placement_label(&t, r.placement),
                training: training_label(&t, r.training),
                reported_on: r.reported_on.to_string(),
                late_reason: r.late_reason.clone().unwrap_or_default(),
            })
            .collect(),
        placements: Placement::ALL
            .iter()
            .map(|p| Choice::new(p.as_str(), placement_label(&t, *p), form.placement.trim()))
            .collect(),
        trainings: Training::ALL
            .iter()
            .map(|x| Choice::new(x.as_str(), training_label(&t, *x), form.training.trim()))
            .collect(),
        can_decide: actor.may(Line::Veterans, Action::Approve),
        b,
        form,
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn batch_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        batch_view(
            &state,
            lang,
            &signed,
            id,
            ReceptionBody::default(),
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn receive(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ReceptionBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Approve)?;
        let id = parse_id(&id)?;
        match state
            .service
            .receive_soldier(signed.actor(), id, &form.input())
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!("/veterans/reception/{id}")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, RECEPTION_FIELDS);
                let mut r = batch_view(&state, lang, &signed, id, form.clone(), errors).await?;
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Serialize)]
pub struct BatchJson {
    pub id: i64,
    pub name: String,
    pub discharged_on: String,
    pub report_by: String,
}

impl From<&BatchRecord> for BatchJson {
    fn from(b: &BatchRecord) -> Self {
        Self {
            id: b.id,
            name: b.name.clone(),
            discharged_on: b.discharged_on.to_string(),
            report_by: b.report_by.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ReceptionJson {
    pub id: i64,
    pub name: String,
    /// Masked.
    pub id_number: String,
    pub division: String,
    pub placement: &'static str,
    pub training: &'static str,
    pub reported_on: String,
    pub late_reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BatchDetailJson {
    #[serde(flatten)]
    pub batch: BatchJson,
    pub receptions: Vec<ReceptionJson>,
}

async fn api_batches(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.reception_batches(&actor).await {
        Ok(rows) => Json(rows.iter().map(BatchJson::from).collect::<Vec<_>>()).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_batch(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.reception_batch(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(b) => Json(BatchDetailJson {
            batch: BatchJson::from(&b.batch),
            receptions: b
                .receptions
                .iter()
                .map(|r| ReceptionJson {
                    id: r.id,
                    name: r.name.clone(),
                    id_number: r.id_number.clone(),
                    division: r.division.as_str().to_owned(),
                    placement: r.placement.as_str(),
                    training: r.training.as_str(),
                    reported_on: r.reported_on.to_string(),
                    late_reason: r.late_reason.clone(),
                })
                .collect(),
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_receive(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<ReceptionBody>,
) -> Response {
    let result = async {
        state
            .service
            .authorize(&actor, Line::Veterans, Action::Approve)?;
        let id = parse_id(&id)?;
        state
            .service
            .receive_soldier(&actor, id, &body.input())
            .await
    }
    .await;
    match result {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
