//! 优待金 on the web: the holiday payments with their coverage (paid households over
//! entitled households), the form to define one with an amount per category, and the button
//! that prepares its run, which is then approved, exported and reconciled on the payroll
//! pages like any run; the same under `/api/v1/veterans/holidays`. Rules in
//! `service::veterans::payroll`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Action, Fen, Line};
use serde::{Deserialize, Serialize};
use service::veterans::payroll::{HolidayInput, HolidayView};

use crate::auth::{ApiCaller, Signed};
use crate::list::FieldErrors;
use crate::reject::Form;
use crate::{ApiError, AppState, Lang, Me, PageError, Tr};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/holidays", get(list_page).post(define))
        .route("/veterans/holidays/{id}/run", post(prepare_run))
        .route("/api/v1/veterans/holidays", get(api_list))
        .route("/api/v1/veterans/holidays/{id}/run", post(api_prepare_run))
}

fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

/// The form: name, day, month, and `amount_<category code>` per category.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HolidayBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub entitled_on: String,
    #[serde(default)]
    pub month: String,
    #[serde(flatten)]
    pub amounts: HashMap<String, String>,
}

impl HolidayBody {
    fn input(&self) -> HolidayInput {
        let mut amounts: Vec<(String, String)> = self
            .amounts
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("amount_").map(|c| (c.to_owned(), v.clone())))
            .collect();
        amounts.sort();
        HolidayInput {
            name: self.name.clone(),
            entitled_on: self.entitled_on.clone(),
            month: self.month.clone(),
            amounts,
        }
    }
}

struct HolidayRow {
    id: i64,
    name: String,
    entitled_on: String,
    month: String,
    amounts: String,
    entitled: i64,
    entitled_money: String,
    paid: i64,
    paid_money: String,
    coverage: String,
    run: Option<(i64, String)>,
}

struct AmountField {
    code: String,
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "veterans_holidays.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<HolidayRow>,
    fields: Vec<AmountField>,
    form: HolidayBody,
    errors: FieldErrors,
    can_define: bool,
    can_run: bool,
}

fn row(t: &Tr<'_>, h: &HolidayView) -> HolidayRow {
    HolidayRow {
        id: h.record.id,
        name: h.record.name.clone(),
        entitled_on: h.record.entitled_on.to_string(),
        month: h.record.month.clone(),
        amounts: h
            .record
            .amounts
            .iter()
            .map(|(_, name, fen)| format!("{name} {}", Fen::from_fen(*fen).yuan()))
            .collect::<Vec<_>>()
            .join("；"),
        entitled: h.entitled,
        entitled_money: Fen::from_fen(h.entitled_fen).wan(),
        paid: h.paid,
        paid_money: Fen::from_fen(h.paid_fen).wan(),
        coverage: h.coverage(),
        run: h
            .run
            .as_ref()
            .map(|r| (r.id, t.get(&format!("payroll-state-{}", r.state)))),
    }
}

async fn list_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: HolidayBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let holidays = state.service.holidays(actor).await?;
    let categories = state.service.veteran_categories(actor).await?;
    let t = state.i18n.tr(lang);
    let page = ListPage {
        rows: holidays.iter().map(|h| row(&t, h)).collect(),
        fields: categories
            .iter()
            .map(|c| AmountField {
                code: c.code.clone(),
                name: c.name.clone(),
                value: form
                    .amounts
                    .get(&format!("amount_{}", c.code))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect(),
        can_define: actor.may(Line::Veterans, Action::Approve),
        can_run: actor.may(Line::Veterans, Action::Write)
            && actor.may(Line::Payroll, Action::Write),
        t,
        path: "/veterans/holidays".into(),
        me: Some(Me::of(state, lang, signed)),
        form,
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn list_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    list_view(
        &state,
        lang,
        &signed,
        HolidayBody::default(),
        FieldErrors::default(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn define(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<HolidayBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        match state
            .service
            .define_holiday(signed.actor(), &form.input())
            .await
        {
            Ok(_) => Ok(Redirect::to("/veterans/holidays").into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(
                    &t,
                    &errors,
                    &["name", "entitled_on", "month", "amount", "category"],
                );
                let mut r = list_view(&state, lang, &signed, form.clone(), errors).await?;
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
pub struct CsrfBody {
    #[serde(default)]
    pub csrf: String,
}

async fn prepare_run(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<CsrfBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let id = parse_id(&id)?;
        let run = state
            .service
            .prepare_holiday_run(signed.actor(), id)
            .await?;
        Ok::<_, service::Error>(Redirect::to(&format!("/payroll/{run}")).into_response())
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Serialize)]
pub struct HolidayJson {
    pub id: i64,
    pub name: String,
    pub entitled_on: String,
    pub month: String,
    /// (category code, fen).
    pub amounts: Vec<(String, i64)>,
    pub entitled_households: i64,
    pub entitled_fen: i64,
    pub paid_households: i64,
    pub paid_fen: i64,
    /// Paid over entitled households in hundredths of a percent; absent when none entitled.
    pub coverage_bp: Option<i64>,
    pub run_id: Option<i64>,
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.holidays(&actor).await {
        Ok(list) => Json(
            list.iter()
                .map(|h| HolidayJson {
                    id: h.record.id,
                    name: h.record.name.clone(),
                    entitled_on: h.record.entitled_on.to_string(),
                    month: h.record.month.clone(),
                    amounts: h
                        .record
                        .amounts
                        .iter()
                        .map(|(c, _, f)| (c.clone(), *f))
                        .collect(),
                    entitled_households: h.entitled,
                    entitled_fen: h.entitled_fen,
                    paid_households: h.paid,
                    paid_fen: h.paid_fen,
                    coverage_bp: h.coverage_bp(),
                    run_id: h.record.run_id,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

#[derive(Debug, Serialize)]
struct RunJson {
    run_id: i64,
}

async fn api_prepare_run(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state.service.prepare_holiday_run(&actor, id).await
    }
    .await;
    match result {
        Ok(run_id) => (StatusCode::CREATED, Json(RunJson { run_id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
