//! 信访 on the web: the case list (open cases by next visit, the due list of visits overdue
//! or due this week, risk, status and street filters), the form to open a case, a case's
//! page with its follow-ups, the follow-up form and the close; the same under
//! `/api/v1/veterans/petitions`. Rules in `service::veterans::petitions`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::veterans::petitions::{FollowupKind, VisitDue, visit_due};
use domain::{Action, DivisionLevel, Line};
use serde::{Deserialize, Serialize};
use service::list::{Code, DEFAULT_PER_PAGE, ListQuery};
use service::veterans::petitions::{
    CloseInput, FollowupInput, OpenInput, PetitionQuery, PetitionStatus,
};
use store::PetitionRecord;

use crate::auth::{ApiCaller, Signed};
use crate::list::{Choice, FieldErrors, Pager};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/petitions", get(list_page).post(open))
        .route("/veterans/petitions/{id}", get(case_page))
        .route("/veterans/petitions/{id}/followups", post(followup))
        .route("/veterans/petitions/{id}/close", post(close))
        .route("/api/v1/veterans/petitions", get(api_list).post(api_open))
        .route("/api/v1/veterans/petitions/{id}", get(api_case))
        .route(
            "/api/v1/veterans/petitions/{id}/followups",
            post(api_followup),
        )
        .route("/api/v1/veterans/petitions/{id}/close", post(api_close))
}

fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

pub(crate) fn kind_label(t: &Tr<'_>, code: &str) -> String {
    t.get(&format!(
        "veterans-petitions-kind-{}",
        code.replace('_', "-")
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PetitionParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
}

impl PetitionParams {
    fn query(&self) -> PetitionQuery {
        PetitionQuery {
            list: ListQuery {
                q: self.q.trim().to_owned(),
                division: self.division.trim().parse().ok(),
                status: PetitionStatus::parse(&self.status),
                sort: None,
                descending: false,
                page: self.page.trim().parse().unwrap_or(1),
                per_page: self.per_page.trim().parse().unwrap_or(DEFAULT_PER_PAGE),
            },
            due: self.due.trim().parse::<VisitDue>().ok(),
            risk: Some(self.risk.trim().to_owned()).filter(|r| !r.is_empty()),
        }
    }
}

/// The opening form and the API body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpenBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub entitlement: String,
    #[serde(default)]
    pub petitioner: String,
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub opened_on: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub next_due: String,
}

impl OpenBody {
    fn input(&self) -> OpenInput {
        OpenInput {
            entitlement: self.entitlement.clone(),
            petitioner: self.petitioner.clone(),
            community: self.community.clone(),
            subject: self.subject.clone(),
            opened_on: self.opened_on.clone(),
            risk: self.risk.clone(),
            who: self.who.clone(),
            what: self.what.clone(),
            next_due: self.next_due.clone(),
        }
    }
}

/// The follow-up and close forms and API bodies (`outcome` for the close).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FollowupBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub on_date: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub next_due: String,
    #[serde(default)]
    pub outcome: String,
    /// The latest follow-up's number the form was made from.
    #[serde(default)]
    pub last_seq: String,
}

impl FollowupBody {
    fn last_seq(&self) -> Option<i64> {
        self.last_seq.trim().parse().ok()
    }

    fn input(&self) -> FollowupInput {
        FollowupInput {
            kind: self.kind.clone(),
            on_date: self.on_date.clone(),
            risk: self.risk.clone(),
            who: self.who.clone(),
            what: self.what.clone(),
            next_due: self.next_due.clone(),
            last_seq: self.last_seq(),
        }
    }

    fn close_input(&self) -> CloseInput {
        CloseInput {
            on_date: self.on_date.clone(),
            who: self.who.clone(),
            outcome: self.outcome.clone(),
            last_seq: self.last_seq(),
        }
    }
}

const OPEN_FIELDS: &[&str] = &[
    "entitlement",
    "petitioner",
    "community",
    "subject",
    "opened_on",
    "risk",
    "who",
    "what",
    "next_due",
];
const FOLLOWUP_FIELDS: &[&str] = &["kind", "on_date", "risk", "who", "what", "next_due"];
const CLOSE_FIELDS: &[&str] = &["on_date", "who", "outcome"];

pub(crate) struct CaseLine {
    pub id: i64,
    pub petitioner: String,
    pub division: String,
    pub subject: String,
    pub risk: String,
    pub opened_on: String,
    pub next_due: String,
    /// `overdue`, `week` or empty.
    pub due: &'static str,
    pub status: String,
    pub closed: bool,
}

pub(crate) fn case_line(t: &Tr<'_>, c: &PetitionRecord, today: chrono::NaiveDate) -> CaseLine {
    CaseLine {
        id: c.id,
        petitioner: c.petitioner.clone(),
        division: c.division_name.clone(),
        subject: c.subject.clone(),
        risk: c.risk_name.clone(),
        opened_on: c.opened_on.to_string(),
        next_due: c.next_due.map(|d| d.to_string()).unwrap_or_default(),
        due: c
            .next_due
            .and_then(|d| visit_due(d, today))
            .map_or("", VisitDue::as_str),
        status: t.get(if c.closed {
            "veterans-petitions-closed"
        } else {
            "veterans-petitions-open"
        }),
        closed: c.closed,
    }
}

#[derive(Template)]
#[template(path = "veterans_petitions.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: String,
    statuses: Vec<Choice>,
    dues: Vec<Choice>,
    risks: Vec<Choice>,
    form_risks: Vec<Choice>,
    streets: Vec<Choice>,
    rows: Vec<CaseLine>,
    pager: Pager,
    form: OpenBody,
    errors: FieldErrors,
    can_record: bool,
}

/// `href` with `extra` (`due=…&risk=…`) added to its query.
fn with_extra(href: String, extra: &str) -> String {
    match (extra.is_empty(), href.contains('?')) {
        (true, _) => href,
        (false, true) => format!("{href}&{extra}"),
        (false, false) => format!("{href}?{extra}"),
    }
}

async fn list_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &PetitionParams,
    form: OpenBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let query = params.query();
    let page = state.service.petitions(actor, &query).await?;
    let levels = state.service.petition_risk_levels(actor).await?;
    let divisions = state.service.veteran_divisions(actor).await?;
    let t = state.i18n.tr(lang);
    let today = state.service.today();
    let mut extra = Vec::new();
    if let Some(d) = query.due {
        extra.push(format!("due={}", d.as_str()));
    }
    if let Some(r) = &query.risk {
        extra.push(format!("risk={}", crate::list::encode(r)));
    }
    let extra = extra.join("&");
    let mut pager = Pager::new(&t, "/veterans/petitions", &query.list, &page);
    pager.prev = pager.prev.map(|h| with_extra(h, &extra));
    pager.next = pager.next.map(|h| with_extra(h, &extra));
    for l in &mut pager.links {
        l.href = with_extra(std::mem::take(&mut l.href), &extra);
    }
    let status = params.status.trim().to_owned();
    let due = params.due.trim().to_owned();
    let risk = params.risk.trim().to_owned();
    let division = params.division.trim().to_owned();
    let view = ListPage {
        t,
        path: "/veterans/petitions".into(),
        me: Some(Me::of(state, lang, signed)),
        q: query.list.q.clone(),
        statuses: PetitionStatus::ALL
            .iter()
            .map(|s| {
                Choice::new(
                    s.as_str(),
                    t.get(&format!("veterans-petitions-{}", s.as_str())),
                    &status,
                )
            })
            .collect(),
        dues: VisitDue::ALL
            .iter()
            .map(|d| {
                Choice::new(
                    d.as_str(),
                    t.get(&format!("veterans-petitions-due-{}", d.as_str())),
                    &due,
                )
            })
            .collect(),
        risks: levels
            .iter()
            .map(|l| Choice::new(l.code.clone(), l.name.clone(), &risk))
            .collect(),
        form_risks: levels
            .iter()
            .map(|l| Choice::new(l.code.clone(), l.name.clone(), form.risk.trim()))
            .collect(),
        streets: divisions
            .into_iter()
            .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
            .map(|d| Choice::new(d.code.to_string(), d.name, &division))
            .collect(),
        rows: page.items.iter().map(|c| case_line(&t, c, today)).collect(),
        pager,
        form,
        errors,
        can_record: actor.may(Line::Veterans, Action::Write),
    };
    Ok(crate::render(state, lang, &view))
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<PetitionParams>,
) -> Response {
    let form = OpenBody {
        opened_on: state.service.today().to_string(),
        ..OpenBody::default()
    };
    list_view(&state, lang, &signed, &params, form, FieldErrors::default())
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn open(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<OpenBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Write)?;
        match state
            .service
            .open_petition(signed.actor(), &form.input())
            .await
        {
            Ok(id) => {
                Ok(Redirect::to(&format!("/veterans/petitions/{id}?done=opened")).into_response())
            }
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, OPEN_FIELDS);
                let mut r = list_view(
                    &state,
                    lang,
                    &signed,
                    &PetitionParams::default(),
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

struct FollowupLine {
    seq: i64,
    kind: String,
    on_date: String,
    risk: String,
    who: String,
    what: String,
    next_due: String,
    by: String,
}

#[derive(Template)]
#[template(path = "veterans_petitions_case.html")]
struct CasePage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    c: CaseLine,
    entitlement: Option<i64>,
    last_seq: i64,
    followups: Vec<FollowupLine>,
    kinds: Vec<Choice>,
    risks: Vec<Choice>,
    notice: Option<String>,
    form: FollowupBody,
    errors: FieldErrors,
    close_form: FollowupBody,
    close_errors: FieldErrors,
    can_record: bool,
}

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one page's parts, passed once from three handlers"
)]
async fn case_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    notice: Option<String>,
    form: FollowupBody,
    errors: FieldErrors,
    close_form: FollowupBody,
    close_errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let case = state.service.petition(actor, id).await?;
    let levels = state.service.petition_risk_levels(actor).await?;
    let t = state.i18n.tr(lang);
    let today = state.service.today();
    let risk_name = |code: &Option<String>| {
        code.as_ref()
            .map(|c| {
                levels
                    .iter()
                    .find(|l| &l.code == c)
                    .map_or_else(|| c.clone(), |l| l.name.clone())
            })
            .unwrap_or_default()
    };
    let page = CasePage {
        t,
        path: format!("/veterans/petitions/{id}"),
        me: Some(Me::of(state, lang, signed)),
        c: case_line(&t, &case, today),
        entitlement: case.entitlement_id,
        last_seq: case.last_seq,
        followups: case
            .followups
            .iter()
            .map(|f| FollowupLine {
                seq: f.seq,
                kind: kind_label(&t, &f.kind),
                on_date: f.on_date.to_string(),
                risk: risk_name(&f.risk_code),
                who: f.who.clone(),
                what: f.what.clone(),
                next_due: f.next_due.map(|d| d.to_string()).unwrap_or_default(),
                by: f.by_user.clone(),
            })
            .collect(),
        kinds: FollowupKind::RECORDED
            .iter()
            .map(|k| Choice::new(k.as_str(), kind_label(&t, k.as_str()), form.kind.trim()))
            .collect(),
        risks: levels
            .iter()
            .map(|l| Choice::new(l.code.clone(), l.name.clone(), form.risk.trim()))
            .collect(),
        can_record: actor.may(Line::Veterans, Action::Write) && !case.closed,
        notice,
        form,
        errors,
        close_form,
        close_errors,
    };
    Ok(crate::render(state, lang, &page))
}

fn blank(state: &AppState) -> FollowupBody {
    FollowupBody {
        on_date: state.service.today().to_string(),
        kind: FollowupKind::HomeVisit.as_str().into(),
        ..FollowupBody::default()
    }
}

async fn case_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match p.done.as_deref() {
        Some("opened") => Some(t.get("veterans-petitions-opened")),
        Some("followup") => Some(t.get("veterans-petitions-recorded")),
        Some("closed") => Some(t.get("veterans-petitions-closed-notice")),
        _ => None,
    };
    let result = async {
        let id = parse_id(&id)?;
        case_view(
            &state,
            lang,
            &signed,
            id,
            notice,
            blank(&state),
            FieldErrors::default(),
            blank(&state),
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn followup(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<FollowupBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Write)?;
        let id = parse_id(&id)?;
        match state
            .service
            .record_followup(signed.actor(), id, &form.input())
            .await
        {
            Ok(_) => Ok(
                Redirect::to(&format!("/veterans/petitions/{id}?done=followup")).into_response(),
            ),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, FOLLOWUP_FIELDS);
                let mut r = case_view(
                    &state,
                    lang,
                    &signed,
                    id,
                    None,
                    form.clone(),
                    errors,
                    blank(&state),
                    FieldErrors::default(),
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

async fn close(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<FollowupBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Write)?;
        let id = parse_id(&id)?;
        match state
            .service
            .close_petition(signed.actor(), id, &form.close_input())
            .await
        {
            Ok(_) => {
                Ok(Redirect::to(&format!("/veterans/petitions/{id}?done=closed")).into_response())
            }
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, CLOSE_FIELDS);
                let mut r = case_view(
                    &state,
                    lang,
                    &signed,
                    id,
                    None,
                    blank(&state),
                    FieldErrors::default(),
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

#[derive(Debug, Serialize)]
pub struct FollowupJson {
    pub seq: i64,
    pub kind: String,
    pub on_date: String,
    pub risk: Option<String>,
    pub who: String,
    pub what: String,
    pub next_due: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PetitionJson {
    pub id: i64,
    pub entitlement_id: Option<i64>,
    pub petitioner: String,
    pub division: String,
    pub subject: String,
    pub opened_on: String,
    pub closed: bool,
    pub risk: String,
    pub next_due: Option<String>,
    pub last_seq: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub followups: Vec<FollowupJson>,
}

impl PetitionJson {
    fn of(c: &PetitionRecord) -> Self {
        Self {
            id: c.id,
            entitlement_id: c.entitlement_id,
            petitioner: c.petitioner.clone(),
            division: c.division_code.as_str().to_owned(),
            subject: c.subject.clone(),
            opened_on: c.opened_on.to_string(),
            closed: c.closed,
            risk: c.risk_code.clone(),
            next_due: c.next_due.map(|d| d.to_string()),
            last_seq: c.last_seq,
            followups: c
                .followups
                .iter()
                .map(|f| FollowupJson {
                    seq: f.seq,
                    kind: f.kind.clone(),
                    on_date: f.on_date.to_string(),
                    risk: f.risk_code.clone(),
                    who: f.who.clone(),
                    what: f.what.clone(),
                    next_due: f.next_due.map(|d| d.to_string()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PetitionPageJson {
    pub items: Vec<PetitionJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<PetitionParams>,
) -> Response {
    match state.service.petitions(&actor, &params.query()).await {
        Ok(page) => Json(PetitionPageJson {
            items: page.items.iter().map(PetitionJson::of).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_open(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<OpenBody>,
) -> Response {
    match state.service.open_petition(&actor, &body.input()).await {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_case(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state.service.petition(&actor, id).await
    }
    .await;
    match result {
        Ok(case) => Json(PetitionJson::of(&case)).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_followup(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<FollowupBody>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state
            .service
            .record_followup(&actor, id, &body.input())
            .await
    }
    .await;
    match result {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_close(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<FollowupBody>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state
            .service
            .close_petition(&actor, id, &body.close_input())
            .await
    }
    .await;
    match result {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
