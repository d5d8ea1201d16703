//! 联系户 on the web: the pairings in force (search by the person's or the leader's name,
//! status and street filters, a masked XLSX), the form to pair a leader with an entitled
//! household, a pairing's page with its household's history and the re-assignment form;
//! the same under `/api/v1/veterans/liaison`. Rules in `service::veterans::liaison`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::veterans::Status;
use domain::veterans::liaison::PairingReason;
use domain::{Action, DivisionLevel, Line};
use serde::{Deserialize, Serialize};
use service::list::{DEFAULT_PER_PAGE, ListQuery, Page};
use service::veterans::StatusFilter;
use service::veterans::liaison::{PairingInput, PairingQuery, ReassignInput};
use store::PairingRecord;

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::{Choice, FieldErrors, Pager};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/liaison", get(list_page).post(pair))
        .route("/veterans/liaison/export.xlsx", get(export_xlsx))
        .route("/veterans/liaison/{id}", get(pairing_page))
        .route("/veterans/liaison/{id}/reassign", post(reassign))
        .route("/api/v1/veterans/liaison", get(api_list).post(api_pair))
        .route("/api/v1/veterans/liaison/{id}/reassign", post(api_reassign))
}

fn reason_label(t: &Tr<'_>, code: &str) -> String {
    t.get(&format!("veterans-liaison-reason-{code}"))
}

fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LiaisonParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
}

impl LiaisonParams {
    fn query(&self) -> PairingQuery {
        ListQuery {
            q: self.q.trim().to_owned(),
            division: self.division.trim().parse().ok(),
            status: self.status.trim().parse::<Status>().ok().map(StatusFilter),
            sort: None,
            descending: false,
            page: self.page.trim().parse().unwrap_or(1),
            per_page: self.per_page.trim().parse().unwrap_or(DEFAULT_PER_PAGE),
        }
    }
}

/// The pairing form and the API body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PairingBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub entitlement: String,
    #[serde(default)]
    pub leader_name: String,
    #[serde(default)]
    pub leader_post: String,
    #[serde(default)]
    pub leader_unit: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub note: String,
}

impl PairingBody {
    fn input(&self) -> PairingInput {
        PairingInput {
            entitlement: self.entitlement.clone(),
            leader_name: self.leader_name.clone(),
            leader_post: self.leader_post.clone(),
            leader_unit: self.leader_unit.clone(),
            starts_on: self.starts_on.clone(),
            note: self.note.clone(),
        }
    }
}

/// The re-assignment form and the API body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReassignBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub leader_name: String,
    #[serde(default)]
    pub leader_post: String,
    #[serde(default)]
    pub leader_unit: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

impl ReassignBody {
    fn input(&self) -> ReassignInput {
        ReassignInput {
            leader_name: self.leader_name.clone(),
            leader_post: self.leader_post.clone(),
            leader_unit: self.leader_unit.clone(),
            starts_on: self.starts_on.clone(),
            reason: self.reason.clone(),
            note: self.note.clone(),
        }
    }
}

const PAIR_FIELDS: &[&str] = &[
    "entitlement",
    "leader_name",
    "leader_post",
    "leader_unit",
    "starts_on",
    "note",
];
const REASSIGN_FIELDS: &[&str] = &[
    "leader_name",
    "leader_post",
    "leader_unit",
    "starts_on",
    "reason",
    "note",
];

/// A pairing as a row of a list or of a history.
#[derive(Clone)]
pub(crate) struct PairingLine {
    pub id: i64,
    pub entitlement: i64,
    pub name: String,
    pub id_number: String,
    pub category: String,
    pub division: String,
    pub leader: String,
    pub starts_on: String,
    pub ends_on: String,
    pub reason: String,
    pub note: String,
    pub current: bool,
}

pub(crate) fn line(t: &Tr<'_>, p: &PairingRecord) -> PairingLine {
    PairingLine {
        id: p.id,
        entitlement: p.entitlement_id,
        name: p.name.clone(),
        id_number: p.id_number.clone(),
        category: p.category_name.clone(),
        division: p.division_name.clone(),
        leader: format!("{}（{}，{}）", p.leader_name, p.leader_post, p.leader_unit),
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        reason: reason_label(t, &p.reason),
        note: p.note.clone(),
        current: p.ends_on.is_none(),
    }
}

#[derive(Template)]
#[template(path = "veterans_liaison.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: String,
    statuses: Vec<Choice>,
    streets: Vec<Choice>,
    rows: Vec<PairingLine>,
    pager: Pager,
    export_xlsx: String,
    form: PairingBody,
    errors: FieldErrors,
    can_pair: bool,
    can_export: bool,
}

async fn list_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &LiaisonParams,
    form: PairingBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let query = params.query();
    let page = state.service.pairings(actor, &query).await?;
    let divisions = state.service.veteran_divisions(actor).await?;
    let t = state.i18n.tr(lang);
    let status = params.status.trim().to_owned();
    let division = params.division.trim().to_owned();
    let view = ListPage {
        t,
        path: "/veterans/liaison".into(),
        me: Some(Me::of(state, lang, signed)),
        q: query.q.clone(),
        statuses: Status::ALL
            .iter()
            .map(|s| {
                Choice::new(
                    s.as_str(),
                    t.get(&format!("veterans-status-{}", s.as_str())),
                    &status,
                )
            })
            .collect(),
        streets: divisions
            .into_iter()
            .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
            .map(|d| Choice::new(d.code.to_string(), d.name, &division))
            .collect(),
        rows: page.items.iter().map(|p| line(&t, p)).collect(),
        pager: Pager::new(&t, "/veterans/liaison", &query, &page),
        export_xlsx: crate::list::href(
            "/veterans/liaison/export.xlsx",
            &crate::list::query_string(&query, None),
        ),
        form,
        errors,
        can_pair: actor.may(Line::Veterans, Action::Approve),
        can_export: actor.may(Line::Veterans, Action::Export),
    };
    Ok(crate::render(state, lang, &view))
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<LiaisonParams>,
) -> Response {
    let form = PairingBody {
        starts_on: state.service.today().to_string(),
        ..PairingBody::default()
    };
    list_view(&state, lang, &signed, &params, form, FieldErrors::default())
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn pair(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PairingBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Approve)?;
        match state
            .service
            .pair_leader(signed.actor(), &form.input())
            .await
        {
            Ok(id) => {
                Ok(Redirect::to(&format!("/veterans/liaison/{id}?done=paired")).into_response())
            }
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, PAIR_FIELDS);
                let mut r = list_view(
                    &state,
                    lang,
                    &signed,
                    &LiaisonParams::default(),
                    form.clone(),
                    errors,
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

fn export_table(t: &Tr<'_>, rows: &[PairingRecord]) -> Table {
    let header = [
        "veterans-col-id",
        "veterans-col-name",
        "veterans-col-id-number",
        "veterans-col-category",
        "veterans-col-division",
        "veterans-liaison-col-leader",
        "veterans-liaison-col-post",
        "veterans-liaison-col-unit",
        "veterans-liaison-col-starts",
        "veterans-liaison-col-reason",
        "veterans-liaison-col-note",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let rows = rows
        .iter()
        .map(|p| {
            vec![
                p.entitlement_id.to_string(),
                p.name.clone(),
                p.id_number.clone(),
                p.category_name.clone(),
                p.division_name.clone(),
                p.leader_name.clone(),
                p.leader_post.clone(),
                p.leader_unit.clone(),
                p.starts_on.to_string(),
                reason_label(t, &p.reason),
                p.note.clone(),
            ]
        })
        .collect();
    Table::new(header, rows).numeric(&[0])
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<LiaisonParams>,
) -> Response {
    let exported = async {
        let rows = state
            .service
            .export_pairings(signed.actor(), &params.query())
            .await?;
        let table = export_table(&state.i18n.tr(lang), &rows);
        let stamp = crate::time::day_stamp(state.service.now());
        Ok((table, format!("liaison-{stamp}")))
    }
    .await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "veterans-liaison-sheet",
        exported,
    )
}

#[derive(Template)]
#[template(path = "veterans_liaison_pairing.html")]
struct PairingPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    p: PairingLine,
    history: Vec<PairingLine>,
    reasons: Vec<Choice>,
    notice: Option<String>,
    form: ReassignBody,
    errors: FieldErrors,
    can_reassign: bool,
}

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

async fn pairing_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    notice: Option<String>,
    form: ReassignBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let (pairing, history) = state.service.pairing(actor, id).await?;
    let t = state.i18n.tr(lang);
    let can_reassign = actor.may(Line::Veterans, Action::Approve)
        && pairing.ends_on.is_none()
        && pairing.entitlement_status != Status::Ended.as_str();
    let page = PairingPage {
        t,
        path: format!("/veterans/liaison/{id}"),
        me: Some(Me::of(state, lang, signed)),
        p: line(&t, &pairing),
        history: history.iter().map(|h| line(&t, h)).collect(),
        reasons: PairingReason::REASSIGN
            .iter()
            .map(|r| Choice::new(r.as_str(), reason_label(&t, r.as_str()), form.reason.trim()))
            .collect(),
        notice,
        form,
        errors,
        can_reassign,
    };
    Ok(crate::render(state, lang, &page))
}

async fn pairing_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match p.done.as_deref() {
        Some("paired") => Some(t.get("veterans-liaison-paired")),
        Some("reassigned") => Some(t.get("veterans-liaison-reassigned")),
        _ => None,
    };
    let result = async {
        let id = parse_id(&id)?;
        let form = ReassignBody {
            starts_on: state.service.today().to_string(),
            reason: PairingReason::LeaderChange.as_str().into(),
            ..ReassignBody::default()
        };
        pairing_view(
            &state,
            lang,
            &signed,
            id,
            notice,
            form,
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn reassign(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ReassignBody>,
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
            .reassign_pairing(signed.actor(), id, &form.input())
            .await
        {
            Ok(new) => Ok(
                Redirect::to(&format!("/veterans/liaison/{new}?done=reassigned")).into_response(),
            ),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, REASSIGN_FIELDS);
                let mut r =
                    pairing_view(&state, lang, &signed, id, None, form.clone(), errors).await?;
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
pub struct PairingJson {
    pub id: i64,
    pub household_id: i64,
    pub entitlement_id: i64,
    pub name: String,
    pub id_number: String,
    pub division: String,
    pub leader_name: String,
    pub leader_post: String,
    pub leader_unit: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub reason: String,
    pub note: String,
    pub replaces_id: Option<i64>,
}

impl PairingJson {
    pub(crate) fn of(p: &PairingRecord) -> Self {
        Self {
            id: p.id,
            household_id: p.household_id,
            entitlement_id: p.entitlement_id,
            name: p.name.clone(),
            id_number: p.id_number.clone(),
            division: p.division_code.as_str().to_owned(),
            leader_name: p.leader_name.clone(),
            leader_post: p.leader_post.clone(),
            leader_unit: p.leader_unit.clone(),
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.map(|d| d.to_string()),
            reason: p.reason.clone(),
            note: p.note.clone(),
            replaces_id: p.replaces_id,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PairingPageJson {
    pub items: Vec<PairingJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

impl PairingPageJson {
    fn of(page: &Page<PairingRecord>) -> Self {
        Self {
            items: page.items.iter().map(PairingJson::of).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<LiaisonParams>,
) -> Response {
    match state.service.pairings(&actor, &params.query()).await {
        Ok(page) => Json(PairingPageJson::of(&page)).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_pair(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<PairingBody>,
) -> Response {
    match state.service.pair_leader(&actor, &body.input()).await {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_reassign(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<ReassignBody>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state
            .service
            .reassign_pairing(&actor, id, &body.input())
            .await
    }
    .await;
    match result {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
