//! 优抚对象 on the web: the register (search, category, status and street filters, masked
//! CSV and XLSX), the form to register an entitlement with its certification, an
//! entitlement's page (its status history, what it is due this month, the status form),
//! and the dated standards with the preview of who a change affects before it is saved;
//! the same under `/api/v1/veterans`; the categories not held together
//! (`combinations`). Every rule is in `service::veterans`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::veterans::{Cause, Due, Status};
use domain::{Action, DivisionLevel, Line, Month};
use serde::{Deserialize, Serialize};
use service::Actor;
use service::list::{DEFAULT_PER_PAGE, ListQuery, Page};
use service::veterans::{
    EntitlementInput, EntitlementQuery, EntitlementView, StandardImpact, StandardInput,
    StatusFilter, StatusInput,
};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::{Choice, FieldErrors, Pager};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, reject};

mod combinations;
mod hardship;
mod holidays;
mod liaison;
mod petitions;
mod reception;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(reception::routes())
        .merge(combinations::routes())
        .merge(hardship::routes())
        .merge(liaison::routes())
        .merge(petitions::routes())
        .merge(holidays::routes())
        .route("/veterans", get(list_page).post(create))
        .route("/veterans/export.csv", get(export_csv))
        .route("/veterans/export.xlsx", get(export_xlsx))
        .route("/veterans/new", get(new_form))
        .route(
            "/veterans/standards",
            get(standards_page).post(save_standard),
        )
        .route("/veterans/{id}", get(detail_page))
        .route("/veterans/{id}/status", post(change_status))
        .route(
            "/api/v1/veterans/entitlements",
            get(api_list).post(api_create),
        )
        .route("/api/v1/veterans/entitlements/{id}", get(api_entitlement))
        .route(
            "/api/v1/veterans/entitlements/{id}/status",
            post(api_status),
        )
        .route(
            "/api/v1/veterans/standards",
            get(api_standards).post(api_set_standard),
        )
        .route("/api/v1/veterans/standards/preview", post(api_preview))
}

/// A malformed id in a URL is an entitlement that does not exist.
fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

fn may_decide(actor: &Actor) -> bool {
    actor.may(Line::Veterans, Action::Approve)
}

fn status_label(t: &Tr<'_>, s: Status) -> String {
    t.get(&format!("veterans-status-{}", s.as_str()))
}

fn cause_label(t: &Tr<'_>, c: Cause) -> String {
    t.get(&format!("veterans-cause-{}", c.as_str()))
}

fn api_error(t: &Tr<'_>, e: service::Error) -> Response {
    ApiError::from_service(t, e).into_response()
}

// ---------------------------------------------------------------------------------------
// The register

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
}

impl RegisterParams {
    fn query(&self) -> EntitlementQuery {
        EntitlementQuery {
            list: ListQuery {
                q: self.q.trim().to_owned(),
                division: self.division.trim().parse().ok(),
                status: self.status.trim().parse::<Status>().ok().map(StatusFilter),
                sort: None,
                descending: false,
                page: self.page.trim().parse().unwrap_or(1),
                per_page: self.per_page.trim().parse().unwrap_or(DEFAULT_PER_PAGE),
            },
            category: Some(self.category.trim().to_owned()).filter(|c| !c.is_empty()),
        }
    }
}

/// The query string of the register's filters (the category included), without `?`.
fn filters(q: &EntitlementQuery) -> String {
    let mut parts = Vec::new();
    let list = crate::list::query_string(&q.list, None);
    if !list.is_empty() {
        parts.push(list);
    }
    if let Some(c) = &q.category {
        parts.push(format!("category={}", crate::list::encode(c)));
    }
    parts.join("&")
}

struct Row {
    id: i64,
    name: String,
    id_number: String,
    category: String,
    detail: String,
    division: String,
    certified_on: String,
    status: String,
    active: bool,
}

fn detail_text(t: &Tr<'_>, e: &EntitlementView) -> String {
    match (e.grade, e.cause, e.service_years) {
        (Some(g), Some(c), _) => t.with(
            "veterans-grade-cause",
            &[("grade", &g.to_string()), ("cause", &cause_label(t, c))],
        ),
        (_, _, Some(y)) => t.with("veterans-years", &[("years", &y.to_string())]),
        _ => String::new(),
    }
}

fn row(t: &Tr<'_>, e: &EntitlementView) -> Row {
    Row {
        id: e.id,
        name: e.name.clone(),
        id_number: e.id_number.clone(),
        category: format!("{} {}", e.category, e.category_name),
        detail: detail_text(t, e),
        division: e.division_name.clone(),
        certified_on: e.certified_on.to_string(),
        status: status_label(t, e.status),
        active: e.status == Status::Active,
    }
}

#[derive(Template)]
#[template(path = "veterans.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: String,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    streets: Vec<Choice>,
    rows: Vec<Row>,
    pager: Pager,
    export_csv: String,
    export_xlsx: String,
    can_register: bool,
    can_export: bool,
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<RegisterParams>,
) -> Response {
    let actor = signed.actor();
    let query = params.query();
    let result = async {
        let page = state.service.entitlements(actor, &query).await?;
        let categories = state.service.veteran_categories(actor).await?;
        let divisions = state.service.veteran_divisions(actor).await?;
        Ok::<_, service::Error>((page, categories, divisions))
    }
    .await;
    let (page, categories, divisions) = match result {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let category = query.category.clone().unwrap_or_default();
    let status = params.status.trim().to_owned();
    let division = query
        .list
        .division
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let all = filters(&query);
    let view = ListPage {
        t,
        path: "/veterans".into(),
        me: Some(Me::of(&state, lang, &signed)),
        q: query.list.q.clone(),
        categories: categories
            .iter()
            .map(|c| Choice::new(c.code.clone(), format!("{} {}", c.code, c.name), &category))
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), status_label(&t, *s), &status))
            .collect(),
        streets: divisions
            .into_iter()
            .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
            .map(|d| Choice::new(d.code.to_string(), d.name, &division))
            .collect(),
        rows: page.items.iter().map(|e| row(&t, e)).collect(),
        pager: Pager::new(&t, "/veterans", &query.list, &page),
        export_csv: crate::list::href("/veterans/export.csv", &all),
        export_xlsx: crate::list::href("/veterans/export.xlsx", &all),
        can_register: may_decide(actor),
        can_export: actor.may(Line::Veterans, Action::Export),
    };
    crate::render(&state, lang, &view)
}

fn export_table(t: &Tr<'_>, rows: &[EntitlementView]) -> Table {
    let header = [
        "veterans-col-id",
        "veterans-col-name",
        "veterans-col-id-number",
        "veterans-col-category",
        "veterans-col-detail",
        "veterans-col-division",
        "veterans-col-address",
        "veterans-col-certified-on",
        "veterans-col-document",
        "veterans-col-office",
        "veterans-col-status",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let rows = rows
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.name.clone(),
                e.id_number.clone(),
                format!("{} {}", e.category, e.category_name),
                detail_text(t, e),
                e.division_name.clone(),
                e.address.clone(),
                e.certified_on.to_string(),
                e.document_number.clone(),
                e.certifying_office.clone(),
                status_label(t, e.status),
            ]
        })
        .collect();
    Table::new(header, rows).numeric(&[0])
}

async fn exported(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &RegisterParams,
) -> Result<(Table, String), service::Error> {
    let rows = state
        .service
        .export_entitlements(signed.actor(), &params.query())
        .await?;
    let table = export_table(&state.i18n.tr(lang), &rows);
    let stamp = crate::time::day_stamp(state.service.now());
    Ok((table, format!("veterans-{stamp}")))
}

async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<RegisterParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "veterans-sheet",
        exported,
    )
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<RegisterParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "veterans-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// Registering

/// The registration form and the API body: every field as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntitlementBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub service_years: String,
    #[serde(default)]
    pub certified_on: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub certifying_office: String,
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub area: String,
}

impl EntitlementBody {
    fn input(&self) -> EntitlementInput {
        EntitlementInput {
            id_number: self.id_number.clone(),
            name: self.name.clone(),
            category: self.category.clone(),
            grade: self.grade.clone(),
            cause: self.cause.clone(),
            service_years: self.service_years.clone(),
            certified_on: self.certified_on.clone(),
            document_number: self.document_number.clone(),
            certifying_office: self.certifying_office.clone(),
            community: self.community.clone(),
            address: self.address.clone(),
            area: self.area.clone(),
        }
    }
}

const FORM_FIELDS: &[&str] = &[
    "id_number",
    "name",
    "category",
    "grade",
    "cause",
    "service_years",
    "certified_on",
    "document_number",
    "certifying_office",
    "community",
    "address",
    "area",
];

#[derive(Template)]
#[template(path = "veterans_form.html")]
struct FormPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    form: EntitlementBody,
    categories: Vec<Choice>,
    causes: Vec<Choice>,
    errors: FieldErrors,
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: EntitlementBody,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let categories = state.service.veteran_categories(signed.actor()).await?;
    let page = FormPage {
        t,
        path: "/veterans/new".into(),
        me: Some(Me::of(state, lang, signed)),
        categories: categories
            .iter()
            .map(|c| {
                Choice::new(
                    c.code.clone(),
                    format!("{} {}", c.code, c.name),
                    form.category.trim(),
                )
            })
            .collect(),
        causes: Cause::ALL
            .iter()
            .map(|c| Choice::new(c.as_str(), cause_label(&t, *c), form.cause.trim()))
            .collect(),
        form,
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn new_form(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    let result = async {
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Approve)?;
        let form = EntitlementBody {
            certified_on: state.service.today().to_string(),
            ..EntitlementBody::default()
        };
        form_page(&state, lang, &signed, form, FieldErrors::default()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<EntitlementBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Veterans, Action::Approve)?;
        match state
            .service
            .register_entitlement(signed.actor(), &form.input())
            .await
        {
            Ok(id) => Ok(Redirect::to(&format!("/veterans/{id}?done=registered")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, FORM_FIELDS);
                let mut r = form_page(&state, lang, &signed, form.clone(), errors).await?;
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
// One entitlement

struct HistoryLine {
    status: String,
    effective_on: String,
    reason: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "veterans_detail.html")]
struct DetailPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    e: EntitlementView,
    category: String,
    detail: String,
    status: String,
    history: Vec<HistoryLine>,
    /// What is due this month, in words.
    due: String,
    statuses: Vec<Choice>,
    notice: Option<String>,
    conflict: Option<String>,
    errors: FieldErrors,
    form: StatusBody,
    can_decide: bool,
    /// The household's liaison pairings, oldest first (`_liaison_history.html`).
    history_liaison: Vec<liaison::PairingLine>,
    can_pair: bool,
    petitions: Vec<petitions::CaseLine>,
}

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

/// The status form and the API body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub effective_on: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
}

impl StatusBody {
    fn input(&self) -> StatusInput {
        StatusInput {
            status: self.status.clone(),
            effective_on: self.effective_on.clone(),
            reason: self.reason.clone(),
            version: self.version.trim().parse().unwrap_or(0),
        }
    }
}

fn due_text(t: &Tr<'_>, month: Month, due: Result<Due, service::Error>) -> String {
    let m = month.to_string();
    match due {
        Ok(Due::Pay { amount, .. }) => t.with(
            "veterans-due-pay",
            &[("month", &m), ("amount", &amount.yuan())],
        ),
        Ok(Due::Nothing(why)) => t.with(
            "veterans-due-nothing",
            &[("month", &m), ("why", &t.error_code(why.code(), ""))],
        ),
        Err(service::Error::Invalid(errors)) => errors
            .first()
            .map(|e| t.error_code(e.code, &e.detail))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one page's parts, passed once from three handlers"
)]
async fn detail_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    notice: Option<String>,
    conflict: Option<String>,
    errors: FieldErrors,
    form: StatusBody,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let e = state.service.entitlement(actor, id).await?;
    let t = state.i18n.tr(lang);
    let month = Month::of(state.service.today());
    let due = state.service.entitlement_due(actor, id, month).await;
    let pairings = state.service.entitlement_pairings(actor, id).await?;
    let cases = state.service.entitlement_petitions(actor, id).await?;
    let today = state.service.today();
    let page = DetailPage {
        history_liaison: pairings.iter().map(|p| liaison::line(&t, p)).collect(),
        can_pair: may_decide(actor) && e.status != Status::Ended && pairings.is_empty(),
        petitions: cases
            .iter()
            .map(|c| petitions::case_line(&t, c, today))
            .collect(),
        t,
        path: format!("/veterans/{id}"),
        me: Some(Me::of(state, lang, signed)),
        category: format!("{} {}", e.category, e.category_name),
        detail: detail_text(&t, &e),
        status: status_label(&t, e.status),
        history: e
            .history
            .iter()
            .map(|h| HistoryLine {
                status: status_label(&t, h.status),
                effective_on: h.effective_on.to_string(),
                reason: h.reason.clone(),
                by: h.by.clone(),
                at: crate::time::minutes(h.at),
            })
            .collect(),
        due: due_text(&t, month, due),
        statuses: Status::ALL
            .iter()
            .filter(|s| e.status.may_become(**s))
            .map(|s| Choice::new(s.as_str(), status_label(&t, *s), form.status.trim()))
            .collect(),
        can_decide: may_decide(actor) && e.status != Status::Ended,
        e,
        notice,
        conflict,
        errors,
        form,
    };
    Ok(crate::render(state, lang, &page))
}

async fn detail_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match p.done.as_deref() {
        Some("registered") => Some(t.get("veterans-registered")),
        Some("status") => Some(t.get("veterans-status-changed")),
        _ => None,
    };
    let result = async {
        let id = parse_id(&id)?;
        detail_view(
            &state,
            lang,
            &signed,
            id,
            notice,
            None,
            FieldErrors::default(),
            StatusBody::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn change_status(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<StatusBody>,
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
            .change_entitlement_status(signed.actor(), id, &form.input())
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!("/veterans/{id}?done=status")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, &["status", "effective_on", "reason"]);
                let mut r =
                    detail_view(&state, lang, &signed, id, None, None, errors, form.clone())
                        .await?;
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Ok(r)
            }
            Err(service::Error::Conflict { code, detail }) => {
                let conflict = Some(t.error_code(code, &detail));
                let mut r = detail_view(
                    &state,
                    lang,
                    &signed,
                    id,
                    None,
                    conflict,
                    FieldErrors::default(),
                    StatusBody::default(),
                )
                .await?;
                *r.status_mut() = StatusCode::CONFLICT;
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// Standards

/// The standard form and the API body; `intent` is `preview` or `save` on the form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StandardBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub intent: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub effective_from: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub per: String,
    #[serde(default)]
    pub citation: String,
}

impl StandardBody {
    fn input(&self) -> StandardInput {
        StandardInput {
            category: self.category.clone(),
            grade: self.grade.clone(),
            cause: self.cause.clone(),
            effective_from: self.effective_from.clone(),
            amount: self.amount.clone(),
            per: self.per.clone(),
            citation: self.citation.clone(),
        }
    }
}

struct StandardLine {
    category: String,
    grade: String,
    cause: String,
    effective_from: String,
    amount: String,
    per: String,
    citation: String,
}

struct ImpactLine {
    id: i64,
    name: String,
    id_number: String,
    before: String,
    after: String,
}

struct ImpactView {
    summary: String,
    rows: Vec<ImpactLine>,
}

fn impact_view(t: &Tr<'_>, i: &StandardImpact) -> ImpactView {
    ImpactView {
        summary: t.with(
            "veterans-impact-summary",
            &[
                ("month", &i.month.to_string()),
                ("changed", &i.rows.len().to_string()),
                ("paid", &i.paid.to_string()),
                ("before", &i.total_before.yuan()),
                ("after", &i.total_after.yuan()),
            ],
        ),
        rows: i
            .rows
            .iter()
            .map(|r| ImpactLine {
                id: r.entitlement_id,
                name: r.name.clone(),
                id_number: r.id_number.clone(),
                before: r.before.yuan(),
                after: r.after.yuan(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "veterans_standards.html")]
struct StandardsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<StandardLine>,
    categories: Vec<Choice>,
    causes: Vec<Choice>,
    pers: Vec<Choice>,
    form: StandardBody,
    errors: FieldErrors,
    impact: Option<ImpactView>,
    notice: Option<String>,
    can_set: bool,
}

const STANDARD_FIELDS: &[&str] = &[
    "category",
    "grade",
    "cause",
    "effective_from",
    "amount",
    "per",
    "citation",
];

async fn standards_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: StandardBody,
    errors: FieldErrors,
    impact: Option<ImpactView>,
    notice: Option<String>,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let t = state.i18n.tr(lang);
    let standards = state.service.veteran_standards(actor).await?;
    let categories = state.service.veteran_categories(actor).await?;
    let name_of = |code: &str| {
        categories
            .iter()
            .find(|c| c.code == code)
            .map_or_else(|| code.to_owned(), |c| format!("{} {}", c.code, c.name))
    };
    let page = StandardsPage {
        t,
        path: "/veterans/standards".into(),
        me: Some(Me::of(state, lang, signed)),
        rows: standards
            .iter()
            .map(|s| StandardLine {
                category: name_of(&s.category),
                grade: s.grade.map(|g| g.to_string()).unwrap_or_default(),
                cause: s.cause.map(|c| cause_label(&t, c)).unwrap_or_default(),
                effective_from: s.effective_from.to_string(),
                amount: s.amount.yuan(),
                per: t.get(&format!("veterans-per-{}", s.per.as_str())),
                citation: s.citation.clone(),
            })
            .collect(),
        categories: categories
            .iter()
            .map(|c| {
                Choice::new(
                    c.code.clone(),
                    format!("{} {}", c.code, c.name),
                    form.category.trim(),
                )
            })
            .collect(),
        causes: Cause::ALL
            .iter()
            .map(|c| Choice::new(c.as_str(), cause_label(&t, *c), form.cause.trim()))
            .collect(),
        pers: ["month", "year"]
            .iter()
            .map(|p| Choice::new(*p, t.get(&format!("veterans-per-{p}")), form.per.trim()))
            .collect(),
        can_set: may_decide(actor),
        form,
        errors,
        impact,
        notice,
    };
    Ok(crate::render(state, lang, &page))
}

async fn standards_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = (p.done.as_deref() == Some("saved")).then(|| t.get("veterans-standard-saved"));
    let form = StandardBody {
        per: "month".into(),
        ..StandardBody::default()
    };
    standards_view(
        &state,
        lang,
        &signed,
        form,
        FieldErrors::default(),
        None,
        notice,
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// Previews (`intent=preview`, the default) or saves the standard; a preview shows the
/// people affected and the month's money under the form, which keeps its values.
async fn save_standard(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<StandardBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let actor = signed.actor();
        state
            .service
            .authorize(actor, Line::Veterans, Action::Approve)?;
        let outcome = if form.intent.trim() == "save" {
            state
                .service
                .set_veteran_standard(actor, &form.input())
                .await
                .map(|()| None)
        } else {
            state
                .service
                .preview_veteran_standard(actor, &form.input())
                .await
                .map(Some)
        };
        match outcome {
            Ok(None) => Ok(Redirect::to("/veterans/standards?done=saved").into_response()),
            Ok(Some(impact)) => {
                let impact = impact_view(&t, &impact);
                standards_view(
                    &state,
                    lang,
                    &signed,
                    form.clone(),
                    FieldErrors::default(),
                    Some(impact),
                    None,
                )
                .await
            }
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, STANDARD_FIELDS);
                let mut r =
                    standards_view(&state, lang, &signed, form.clone(), errors, None, None).await?;
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
// The API

/// One entitlement in JSON (ID number masked).
#[derive(Debug, Serialize)]
pub struct EntitlementJson {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub household_id: i64,
    pub division: String,
    pub division_name: String,
    pub category: String,
    pub category_name: String,
    pub grade: Option<i64>,
    /// `war`, `duty`, `illness` for disabilities.
    pub cause: Option<&'static str>,
    pub service_years: Option<i64>,
    pub certified_on: String,
    pub document_number: String,
    pub certifying_office: String,
    /// `active`, `suspended` or `ended`.
    pub status: &'static str,
    pub version: i64,
    pub history: Vec<StatusJson>,
}

#[derive(Debug, Serialize)]
pub struct StatusJson {
    pub status: &'static str,
    pub effective_on: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

impl From<&EntitlementView> for EntitlementJson {
    fn from(e: &EntitlementView) -> Self {
        Self {
            id: e.id,
            name: e.name.clone(),
            id_number: e.id_number.clone(),
            household_id: e.household_id,
            division: e.division.as_str().to_owned(),
            division_name: e.division_name.clone(),
            category: e.category.clone(),
            category_name: e.category_name.clone(),
            grade: e.grade,
            cause: e.cause.map(Cause::as_str),
            service_years: e.service_years,
            certified_on: e.certified_on.to_string(),
            document_number: e.document_number.clone(),
            certifying_office: e.certifying_office.clone(),
            status: e.status.as_str(),
            version: e.version,
            history: e
                .history
                .iter()
                .map(|h| StatusJson {
                    status: h.status.as_str(),
                    effective_on: h.effective_on.to_string(),
                    reason: h.reason.clone(),
                    by: h.by.clone(),
                    at: h.at.to_rfc3339(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EntitlementPageJson {
    pub items: Vec<EntitlementJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

fn page_json(page: &Page<EntitlementView>) -> EntitlementPageJson {
    EntitlementPageJson {
        items: page.items.iter().map(EntitlementJson::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<RegisterParams>,
) -> Response {
    match state.service.entitlements(&actor, &params.query()).await {
        Ok(page) => Json(page_json(&page)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
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
    reject::Json(body): reject::Json<EntitlementBody>,
) -> Response {
    match state
        .service
        .register_entitlement(&actor, &body.input())
        .await
    {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_entitlement(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.entitlement(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(e) => Json(EntitlementJson::from(&e)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
struct VersionJson {
    id: i64,
    version: i64,
}

async fn api_status(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<StatusBody>,
) -> Response {
    let result = async {
        // The role first, so a caller who may not decide learns nothing about the id.
        state
            .service
            .authorize(&actor, Line::Veterans, Action::Approve)?;
        let id = parse_id(&id)?;
        let version = state
            .service
            .change_entitlement_status(&actor, id, &body.input())
            .await?;
        Ok::<_, service::Error>(VersionJson { id, version })
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

/// One dated standard in JSON.
#[derive(Debug, Serialize)]
pub struct StandardJson {
    pub category: String,
    pub grade: Option<u8>,
    pub cause: Option<&'static str>,
    pub effective_from: String,
    pub amount: String,
    /// `month` or `year`.
    pub per: &'static str,
    pub citation: String,
}

async fn api_standards(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.veteran_standards(&actor).await {
        Ok(rows) => Json(
            rows.iter()
                .map(|s| StandardJson {
                    category: s.category.clone(),
                    grade: s.grade,
                    cause: s.cause.map(Cause::as_str),
                    effective_from: s.effective_from.to_string(),
                    amount: s.amount.yuan(),
                    per: s.per.as_str(),
                    citation: s.citation.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
struct SavedJson {
    saved: bool,
}

async fn api_set_standard(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<StandardBody>,
) -> Response {
    match state
        .service
        .set_veteran_standard(&actor, &body.input())
        .await
    {
        Ok(()) => Json(SavedJson { saved: true }).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
struct ImpactRowJson {
    entitlement_id: i64,
    name: String,
    id_number: String,
    before: String,
    after: String,
}

#[derive(Debug, Serialize)]
struct ImpactJson {
    month: String,
    rows: Vec<ImpactRowJson>,
    total_before: String,
    total_after: String,
    paid: usize,
}

async fn api_preview(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<StandardBody>,
) -> Response {
    match state
        .service
        .preview_veteran_standard(&actor, &body.input())
        .await
    {
        Ok(i) => Json(ImpactJson {
            month: i.month.to_string(),
            rows: i
                .rows
                .iter()
                .map(|r| ImpactRowJson {
                    entitlement_id: r.entitlement_id,
                    name: r.name.clone(),
                    id_number: r.id_number.clone(),
                    before: r.before.yuan(),
                    after: r.after.yuan(),
                })
                .collect(),
            total_before: i.total_before.yuan(),
            total_after: i.total_after.yuan(),
            paid: i.paid,
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}
