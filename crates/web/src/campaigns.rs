//! 走访慰问 on the web: the campaign list with its form, a campaign's page (its totals,
//! delegations, visits and in-kind items, with the forms to add each), and the same under
//! `/api/v1/campaigns`. Every rule is in `service::campaigns`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Action, Fen, Line};
use serde::{Deserialize, Serialize};
use service::campaigns::{
    Beneficiary, CampaignInput, CampaignView, DelegationInput, FUNDING_SOURCES, ITEMS, VisitInput,
};
use store::CampaignRecord;

use crate::auth::{ApiCaller, Signed};
use crate::list::{Choice, FieldErrors};
use crate::reject::Form;
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_page).post(create))
        .route("/campaigns/{id}", get(campaign_page))
        .route("/campaigns/{id}/delegations", post(add_delegation))
        .route("/campaigns/{id}/visits", post(record_visit))
        .route("/campaigns/{id}/items", post(add_items))
        .route("/api/v1/campaigns", get(api_list).post(api_create))
        .route("/api/v1/campaigns/{id}", get(api_campaign))
        .route("/api/v1/campaigns/{id}/visits", post(api_visit))
}

fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

fn label(t: &Tr<'_>, kind: &str, code: &str) -> String {
    t.get(&format!("campaigns-{kind}-{}", code.replace('_', "-")))
}

// ---------------------------------------------------------------------------------------
// The list

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CampaignBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
}

impl CampaignBody {
    fn input(&self) -> CampaignInput {
        CampaignInput {
            name: self.name.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<CampaignRecord>,
    form: CampaignBody,
    errors: FieldErrors,
    can_create: bool,
}

async fn list_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: CampaignBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let rows = state.service.campaigns(actor).await?;
    let page = ListPage {
        t: state.i18n.tr(lang),
        path: "/campaigns".into(),
        me: Some(Me::of(state, lang, signed)),
        rows,
        form,
        errors,
        can_create: actor.may(Line::Campaigns, Action::Approve),
    };
    Ok(crate::render(state, lang, &page))
}

async fn list_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    list_view(
        &state,
        lang,
        &signed,
        CampaignBody::default(),
        FieldErrors::default(),
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<CampaignBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Campaigns, Action::Approve)?;
        match state
            .service
            .create_campaign(signed.actor(), &form.input())
            .await
        {
            Ok(id) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, &["name", "starts_on", "ends_on"]);
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

// ---------------------------------------------------------------------------------------
// One campaign

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DelegationBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub participants: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct VisitBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub delegation: String,
    #[serde(default)]
    pub beneficiary: String,
    #[serde(default)]
    pub household: String,
    #[serde(default)]
    pub entitlement: String,
    #[serde(default)]
    pub unit_name: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub money: String,
    #[serde(default)]
    pub goods_value: String,
    #[serde(default)]
    pub goods: String,
    #[serde(default)]
    pub funding_source: String,
    #[serde(default)]
    pub visited_on: String,
}

impl VisitBody {
    fn input(&self) -> VisitInput {
        VisitInput {
            delegation: self.delegation.clone(),
            beneficiary: self.beneficiary.clone(),
            household: self.household.clone(),
            entitlement: self.entitlement.clone(),
            unit_name: self.unit_name.clone(),
            division: self.division.clone(),
            money: self.money.clone(),
            goods_value: self.goods_value.clone(),
            goods: self.goods.clone(),
            funding_source: self.funding_source.clone(),
            visited_on: self.visited_on.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemsBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub quantity: String,
}

struct VisitLine {
    beneficiary: String,
    visited: String,
    division: String,
    money: String,
    goods: String,
    source: String,
    visited_on: String,
}

#[derive(Template)]
#[template(path = "campaigns_detail.html")]
struct CampaignPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    c: CampaignView,
    summary: String,
    items: Vec<(String, i64)>,
    visits: Vec<VisitLine>,
    delegation_choices: Vec<Choice>,
    beneficiaries: Vec<Choice>,
    sources: Vec<Choice>,
    item_choices: Vec<Choice>,
    visit: VisitBody,
    errors: FieldErrors,
    can_approve: bool,
    can_visit: bool,
}

async fn campaign_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    visit: VisitBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let c = state.service.campaign(actor, id).await?;
    let t = state.i18n.tr(lang);
    let totals = &c.totals;
    let summary = t.with(
        "campaigns-summary",
        &[
            ("delegations", &totals.delegations.to_string()),
            ("participants", &totals.participants.to_string()),
            ("visits", &totals.visits.to_string()),
            ("households", &totals.households.to_string()),
            ("money", &totals.money.yuan()),
            ("goods", &totals.goods.yuan()),
            ("given", &totals.given().wan()),
            ("donated", &totals.donated.wan()),
        ],
    );
    let page = CampaignPage {
        t,
        path: format!("/campaigns/{id}"),
        me: Some(Me::of(state, lang, signed)),
        summary,
        items: totals
            .items
            .iter()
            .map(|(item, n)| (label(&t, "item", item), *n))
            .collect(),
        visits: c
            .visits
            .iter()
            .map(|v| VisitLine {
                beneficiary: label(&t, "beneficiary", &v.beneficiary),
                visited: v.visited_name.clone().unwrap_or_else(|| {
                    v.household_id
                        .map(|h| t.with("campaigns-household-no", &[("id", &h.to_string())]))
                        .unwrap_or_default()
                }),
                division: v.division_name.clone(),
                money: Fen::from_fen(v.money_fen).yuan(),
                goods: if v.goods.is_empty() {
                    String::new()
                } else {
                    format!("{}（{}）", v.goods, Fen::from_fen(v.goods_fen).yuan())
                },
                source: label(&t, "source", &v.funding_source),
                visited_on: v.visited_on.to_string(),
            })
            .collect(),
        delegation_choices: c
            .delegations
            .iter()
            .map(|d| Choice::new(d.id.to_string(), d.name.clone(), visit.delegation.trim()))
            .collect(),
        beneficiaries: Beneficiary::ALL
            .iter()
            .map(|b| {
                Choice::new(
                    b.as_str(),
                    label(&t, "beneficiary", b.as_str()),
                    visit.beneficiary.trim(),
                )
            })
            .collect(),
        sources: FUNDING_SOURCES
            .iter()
            .map(|s| Choice::new(*s, label(&t, "source", s), visit.funding_source.trim()))
            .collect(),
        item_choices: ITEMS
            .iter()
            .map(|i| Choice::new(*i, label(&t, "item", i), ""))
            .collect(),
        can_approve: actor.may(Line::Campaigns, Action::Approve),
        can_visit: actor.may(Line::Campaigns, Action::Write),
        c,
        visit,
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn campaign_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        campaign_view(
            &state,
            lang,
            &signed,
            id,
            VisitBody::default(),
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

const VISIT_FIELDS: &[&str] = &[
    "delegation",
    "beneficiary",
    "household",
    "entitlement",
    "unit_name",
    "division",
    "money",
    "goods_value",
    "goods",
    "funding_source",
    "visited_on",
];

/// Answers a campaign page's form: back to the page when done, the page with the refusal
/// otherwise.
async fn answer(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    outcome: Result<(), service::Error>,
    visit: VisitBody,
) -> Result<Response, service::Error> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(service::Error::Invalid(errors)) => {
            let t = state.i18n.tr(lang);
            let errors = FieldErrors::new(&t, &errors, VISIT_FIELDS);
            let mut r = campaign_view(state, lang, signed, id, visit, errors).await?;
            *r.status_mut() = StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn add_delegation(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<DelegationBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Campaigns, Action::Approve)?;
        let id = parse_id(&id)?;
        let outcome = state
            .service
            .add_delegation(
                signed.actor(),
                id,
                &DelegationInput {
                    name: form.name.clone(),
                    leader: form.leader.clone(),
                    participants: form.participants.clone(),
                },
            )
            .await
            .map(|_| ());
        answer(&state, lang, &signed, id, outcome, VisitBody::default()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn record_visit(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<VisitBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Campaigns, Action::Write)?;
        let id = parse_id(&id)?;
        let outcome = state
            .service
            .record_visit(signed.actor(), id, &form.input())
            .await
            .map(|_| ());
        answer(&state, lang, &signed, id, outcome, form.clone()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn add_items(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ItemsBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Campaigns, Action::Approve)?;
        let id = parse_id(&id)?;
        let outcome = state
            .service
            .add_campaign_items(signed.actor(), id, &form.item, &form.quantity)
            .await;
        answer(&state, lang, &signed, id, outcome, VisitBody::default()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// The API

#[derive(Debug, Serialize)]
pub struct CampaignJson {
    pub id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl From<&CampaignRecord> for CampaignJson {
    fn from(c: &CampaignRecord) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            starts_on: c.starts_on.to_string(),
            ends_on: c.ends_on.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VisitJson {
    pub id: i64,
    pub delegation_id: Option<i64>,
    pub beneficiary: String,
    pub household_id: Option<i64>,
    pub entitlement_id: Option<i64>,
    pub visited_name: Option<String>,
    pub division: String,
    pub money: String,
    pub goods_value: String,
    pub goods: String,
    pub funding_source: String,
    pub visited_on: String,
}

#[derive(Debug, Serialize)]
pub struct CampaignDetailJson {
    #[serde(flatten)]
    pub campaign: CampaignJson,
    pub delegations: i64,
    pub participants: i64,
    pub visits: Vec<VisitJson>,
    pub households: i64,
    pub money: String,
    pub goods_value: String,
    pub donated: String,
    pub items: Vec<ItemJson>,
}

#[derive(Debug, Serialize)]
pub struct ItemJson {
    pub item: String,
    pub quantity: i64,
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.campaigns(&actor).await {
        Ok(rows) => Json(rows.iter().map(CampaignJson::from).collect::<Vec<_>>()).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_create(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<CampaignBody>,
) -> Response {
    match state.service.create_campaign(&actor, &body.input()).await {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_campaign(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.campaign(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(c) => Json(CampaignDetailJson {
            campaign: CampaignJson::from(&c.campaign),
            delegations: c.totals.delegations,
            participants: c.totals.participants,
            households: c.totals.households,
            money: c.totals.money.yuan(),
            goods_value: c.totals.goods.yuan(),
            donated: c.totals.donated.yuan(),
            items: c
                .totals
                .items
                .iter()
                .map(|(item, quantity)| ItemJson {
                    item: item.clone(),
                    quantity: *quantity,
                })
                .collect(),
            visits: c
                .visits
                .iter()
                .map(|v| VisitJson {
                    id: v.id,
                    delegation_id: v.delegation_id,
                    beneficiary: v.beneficiary.clone(),
                    household_id: v.household_id,
                    entitlement_id: v.entitlement_id,
                    visited_name: v.visited_name.clone(),
                    division: v.division_code.as_str().to_owned(),
                    money: Fen::from_fen(v.money_fen).yuan(),
                    goods_value: Fen::from_fen(v.goods_fen).yuan(),
                    goods: v.goods.clone(),
                    funding_source: v.funding_source.clone(),
                    visited_on: v.visited_on.to_string(),
                })
                .collect(),
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_visit(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<VisitBody>,
) -> Response {
    let result = async {
        state
            .service
            .authorize(&actor, Line::Campaigns, Action::Write)?;
        let id = parse_id(&id)?;
        state.service.record_visit(&actor, id, &body.input()).await
    }
    .await;
    match result {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
