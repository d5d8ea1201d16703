//! 复退军人"六难"经费 on the web: a year's grants in the jurisdiction with their total and
//! the form to record one, and the same under `/api/v1/veterans/hardship`. Rules in
//! `service::veterans::hardship`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::veterans::Hardship;
use domain::{Action, Fen, Line};
use serde::{Deserialize, Serialize};
use service::veterans::hardship::{HardshipInput, HardshipList};

use crate::auth::{ApiCaller, Signed};
use crate::list::{Choice, FieldErrors};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/hardship", get(list_page).post(record))
        .route("/api/v1/veterans/hardship", get(api_list).post(api_record))
}

fn kind_label(t: &Tr<'_>, code: &str) -> String {
    t.get(&format!("veterans-hardship-{code}"))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct YearParams {
    #[serde(default)]
    pub year: String,
}

impl YearParams {
    fn year(&self, state: &AppState) -> i32 {
        use chrono::Datelike;
        self.year
            .trim()
            .parse()
            .unwrap_or_else(|_| state.service.today().year())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HardshipBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub entitlement: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub approved_on: String,
}

impl HardshipBody {
    fn input(&self) -> HardshipInput {
        HardshipInput {
            entitlement: self.entitlement.clone(),
            kind: self.kind.clone(),
            amount: self.amount.clone(),
            reason: self.reason.clone(),
            approved_on: self.approved_on.clone(),
        }
    }
}

struct GrantLine {
    entitlement: i64,
    name: String,
    division: String,
    kind: String,
    amount: String,
    reason: String,
    approved_on: String,
}

#[derive(Template)]
#[template(path = "veterans_hardship.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    year: i32,
    rows: Vec<GrantLine>,
    total: String,
    kinds: Vec<Choice>,
    form: HardshipBody,
    errors: FieldErrors,
    can_decide: bool,
}

async fn list_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    year: i32,
    form: HardshipBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let HardshipList { grants, total } = state.service.hardship_grants(actor, year).await?;
    let t = state.i18n.tr(lang);
    let page = ListPage {
        t,
        path: "/veterans/hardship".into(),
        me: Some(Me::of(state, lang, signed)),
        year,
        rows: grants
            .iter()
            .map(|g| GrantLine {
                entitlement: g.entitlement_id,
                name: g.name.clone(),
                division: g.division_name.clone(),
                kind: kind_label(&t, &g.kind),
                amount: Fen::from_fen(g.amount_fen).yuan(),
                reason: g.reason.clone(),
                approved_on: g.approved_on.to_string(),
            })
            .collect(),
        total: t.with(
            "veterans-hardship-total",
            &[
                ("grants", &grants.len().to_string()),
                ("amount", &total.yuan()),
                ("wan", &total.wan()),
            ],
        ),
        kinds: Hardship::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), kind_label(&t, k.as_str()), form.kind.trim()))
            .collect(),
        can_decide: actor.may(Line::Veterans, Action::Approve),
        form,
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<YearParams>,
) -> Response {
    let year = p.year(&state);
    list_view(
        &state,
        lang,
        &signed,
        year,
        HardshipBody::default(),
        FieldErrors::default(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn record(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<HardshipBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Approve)?;
        match state
            .service
            .record_hardship_grant(signed.actor(), &form.input())
            .await
        {
            Ok(_) => Ok(Redirect::to("/veterans/hardship").into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(
                    &t,
                    &errors,
                    &["entitlement", "kind", "amount", "reason", "approved_on"],
                );
                let year = YearParams::default().year(&state);
                let mut r = list_view(&state, lang, &signed, year, form.clone(), errors).await?;
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
pub struct HardshipJson {
    pub id: i64,
    pub entitlement_id: i64,
    pub name: String,
    pub division: String,
    pub kind: String,
    pub amount: String,
    pub reason: String,
    pub approved_on: String,
}

#[derive(Debug, Serialize)]
pub struct HardshipListJson {
    pub items: Vec<HardshipJson>,
    pub total: String,
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(p): ApiQuery<YearParams>,
) -> Response {
    let year = p.year(&state);
    match state.service.hardship_grants(&actor, year).await {
        Ok(list) => Json(HardshipListJson {
            items: list
                .grants
                .iter()
                .map(|g| HardshipJson {
                    id: g.id,
                    entitlement_id: g.entitlement_id,
                    name: g.name.clone(),
                    division: g.division_code.as_str().to_owned(),
                    kind: g.kind.clone(),
                    amount: Fen::from_fen(g.amount_fen).yuan(),
                    reason: g.reason.clone(),
                    approved_on: g.approved_on.to_string(),
                })
                .collect(),
            total: list.total.yuan(),
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_record(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<HardshipBody>,
) -> Response {
    match state
        .service
        .record_hardship_grant(&actor, &body.input())
        .await
    {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
