//! 临时救助 / 受灾救助 / 冬春救助 / 医疗救助 on the web: the grant list (filters by kind, year
//! and street; CSV and XLSX), the form to record a grant (also opened from a case page), a
//! grant's page with its cancellation, the budget page (amount, drawn, remaining, share used,
//! overrides) with its form, the grants section of the case page, and the same under
//! `/api/v1/assistance/grants` and `/api/v1/assistance/budgets`. Every rule is in
//! `service::assistance::grants`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::assistance::grants::GrantKind;
use domain::{Action, DivisionLevel, Line};
use serde::{Deserialize, Serialize};
use service::assistance::grants::{BudgetInput, BudgetView, GrantInput, GrantQuery, GrantView};
use service::list::Page;
use service::{Actor, FieldError};

use super::{dashed, parse_id};
use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::{Choice, FieldErrors, Pager, encode};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/grants", get(list_page).post(create))
        .route("/assistance/grants/export.csv", get(export_csv))
        .route("/assistance/grants/export.xlsx", get(export_xlsx))
        .route("/assistance/grants/new", get(new_form))
        .route("/assistance/grants/{id}", get(grant_page))
        .route("/assistance/grants/{id}/cancel", post(cancel))
        .route("/assistance/budgets", get(budgets_page).post(save_budget))
        .route("/api/v1/assistance/grants", get(api_list).post(api_create))
        .route("/api/v1/assistance/grants/{id}", get(api_grant))
        .route("/api/v1/assistance/grants/{id}/cancel", post(api_cancel))
        .route(
            "/api/v1/assistance/budgets",
            get(api_budgets).post(api_set_budget),
        )
}

/// Whether the actor records grants, cancels them and sets budgets: the section.
pub(super) fn may_grant(actor: &Actor) -> bool {
    actor.may(Line::Assistance, Action::Approve)
}

fn kind_label(t: &Tr<'_>, k: GrantKind) -> String {
    t.get(&format!("grants-kind-{}", dashed(k.as_str())))
}

fn kind_choices(t: &Tr<'_>, current: &str) -> Vec<Choice> {
    GrantKind::ALL
        .iter()
        .map(|k| Choice::new(k.as_str(), kind_label(t, *k), current))
        .collect()
}

/// The over-budget refusal in words with its four figures; other refusals as usual.
fn refusal(t: &Tr<'_>, e: &FieldError) -> String {
    let parts: Vec<&str> = e.detail.split(';').collect();
    match (e.code, parts.as_slice()) {
        ("grants.over_budget", [budget, drawn, remaining, requested]) => t.with(
            "grants-over-budget",
            &[
                ("budget", *budget),
                ("drawn", *drawn),
                ("remaining", *remaining),
                ("requested", *requested),
            ],
        ),
        _ => t.error_code(e.code, &e.detail),
    }
}

/// A refused form's messages next to `fields`, with the over-budget one in full.
fn form_errors(t: &Tr<'_>, errors: &[FieldError], fields: &[&'static str]) -> FieldErrors {
    let (over, rest): (Vec<&FieldError>, Vec<&FieldError>) =
        errors.iter().partition(|e| e.code == "grants.over_budget");
    let rest: Vec<FieldError> = rest.into_iter().cloned().collect();
    let mut out = FieldErrors::new(t, &rest, fields);
    for e in over {
        out.add("amount", refusal(t, e));
    }
    out
}

/// An API refusal; the over-budget field message names the four figures.
fn api_error(t: &Tr<'_>, e: service::Error) -> Response {
    let over: Vec<String> = match &e {
        service::Error::Invalid(errors) => errors
            .iter()
            .filter(|f| f.code == "grants.over_budget")
            .map(|f| refusal(t, f))
            .collect(),
        _ => Vec::new(),
    };
    if over.is_empty() {
        return super::api_error(t, e);
    }
    let mut error = ApiError::from_service(t, e);
    let mut messages = over.into_iter();
    for f in &mut error.fields {
        if f.code == "grants.over_budget"
            && let Some(m) = messages.next()
        {
            f.message = m;
        }
    }
    error.into_response()
}

// ---------------------------------------------------------------------------------------
// The list

/// The list's URL parameters, as text: a bad value is ignored, so an edited link still
/// shows a list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantParams {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
}

impl GrantParams {
    fn query(&self) -> GrantQuery {
        GrantQuery {
            kind: self.kind.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            division: self.division.trim().parse().ok(),
            page: self.page.trim().parse().unwrap_or(1),
            per_page: self
                .per_page
                .trim()
                .parse()
                .unwrap_or(service::list::DEFAULT_PER_PAGE),
        }
    }
}

/// The query string of `q` (without `?`), with `page` if not the first.
fn query_string(q: &GrantQuery, page: Option<usize>) -> String {
    let mut parts = Vec::new();
    if let Some(k) = q.kind {
        parts.push(format!("kind={k}"));
    }
    if let Some(y) = q.year {
        parts.push(format!("year={y}"));
    }
    if let Some(d) = &q.division {
        parts.push(format!("division={}", encode(d.as_str())));
    }
    if q.page_size() != service::list::DEFAULT_PER_PAGE {
        parts.push(format!("per_page={}", q.page_size()));
    }
    if let Some(p) = page.filter(|p| *p > 1) {
        parts.push(format!("page={p}"));
    }
    parts.join("&")
}

fn href(base: &str, query: &str) -> String {
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}

/// The pager of the list: the summary and the previous and next pages.
fn pager<T>(t: &Tr<'_>, q: &GrantQuery, page: &Page<T>) -> Pager {
    let first = if page.total == 0 {
        0
    } else {
        (page.page - 1) * page.per_page + 1
    };
    let last = (first + page.items.len()).saturating_sub(1).max(first);
    Pager {
        summary: t.with(
            "accounts-pager-summary",
            &[
                ("first", &first.to_string()),
                ("last", &last.to_string()),
                ("total", &page.total.to_string()),
                ("page", &page.page.to_string()),
                ("pages", &page.pages().to_string()),
            ],
        ),
        prev: (page.page > 1)
            .then(|| href("/assistance/grants", &query_string(q, Some(page.page - 1)))),
        next: (page.page < page.pages())
            .then(|| href("/assistance/grants", &query_string(q, Some(page.page + 1)))),
        links: Vec::new(),
    }
}

/// One grant as a list row or a case-page row.
pub struct GrantLine {
    pub id: i64,
    pub kind: String,
    pub granted_on: String,
    pub case_id: Option<i64>,
    pub head_name: String,
    pub head_id: String,
    pub division: String,
    pub persons: i64,
    pub amount: String,
    pub funding_source: String,
    pub reason: String,
    pub by: String,
    pub overridden: bool,
    pub cancelled: bool,
}

fn line(t: &Tr<'_>, g: &GrantView) -> GrantLine {
    GrantLine {
        id: g.id,
        kind: kind_label(t, g.kind),
        granted_on: g.granted_on.to_string(),
        case_id: g.case_id,
        head_name: g.head_name.clone(),
        head_id: g.head_id_number.clone(),
        division: g.division_name.clone(),
        persons: g.persons,
        amount: g.amount.yuan(),
        funding_source: g.funding_source.clone(),
        reason: g.reason.clone(),
        by: g.by_name.clone(),
        overridden: g.override_reason.is_some(),
        cancelled: g.cancellation.is_some(),
    }
}

#[derive(Template)]
#[template(path = "assistance_grants.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    kinds: Vec<Choice>,
    streets: Vec<Choice>,
    year: String,
    rows: Vec<GrantLine>,
    /// What the filtered list adds up to (all pages, cancelled grants left out).
    totals: String,
    pager: Pager,
    export_csv: String,
    export_xlsx: String,
    can_grant: bool,
    can_export: bool,
}

fn streets(divisions: Vec<store::Division>, current: &str) -> Vec<Choice> {
    divisions
        .into_iter()
        .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
        .map(|d| Choice::new(d.code.to_string(), d.name, current))
        .collect()
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<GrantParams>,
) -> Response {
    let actor = signed.actor();
    let query = params.query();
    let result = async {
        let page = state.service.grants(actor, &query).await?;
        let totals = state.service.grant_totals(actor, &query).await?;
        let divisions = state.service.assistance_divisions(actor).await?;
        Ok::<_, service::Error>((page, totals, divisions))
    }
    .await;
    let (page, totals, divisions) = match result {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let current = query
        .division
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let all_pages = query_string(&query, None);
    let view = ListPage {
        t,
        path: "/assistance/grants".into(),
        me: Some(Me::of(&state, lang, &signed)),
        kinds: kind_choices(&t, query.kind.map(|k| k.as_str()).unwrap_or_default()),
        streets: streets(divisions, &current),
        year: query.year.map(|y| y.to_string()).unwrap_or_default(),
        rows: page.items.iter().map(|g| line(&t, g)).collect(),
        totals: t.with(
            "grants-totals",
            &[
                ("grants", &totals.grants.to_string()),
                ("households", &totals.households.to_string()),
                ("persons", &totals.persons.to_string()),
                ("amount", &totals.amount.yuan()),
                ("wan", &totals.amount.wan()),
            ],
        ),
        pager: pager(&t, &query, &page),
        export_csv: href("/assistance/grants/export.csv", &all_pages),
        export_xlsx: href("/assistance/grants/export.xlsx", &all_pages),
        can_grant: may_grant(actor),
        can_export: actor.may(Line::Assistance, Action::Export),
    };
    crate::render(&state, lang, &view)
}

// ---------------------------------------------------------------------------------------
// Exports

fn export_table(t: &Tr<'_>, grants: &[GrantView]) -> Table {
    let header = [
        "grants-col-id",
        "grants-col-granted-on",
        "grants-col-kind",
        "grants-col-household",
        "assistance-col-name",
        "assistance-col-id-number",
        "assistance-col-division",
        "grants-col-persons",
        "grants-col-amount",
        "grants-col-funding-source",
        "grants-col-reason",
        "grants-col-override",
        "grants-col-by",
        "grants-col-at",
        "grants-col-cancelled",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let rows = grants
        .iter()
        .map(|g| {
            vec![
                g.id.to_string(),
                g.granted_on.to_string(),
                kind_label(t, g.kind),
                g.household_id.to_string(),
                g.head_name.clone(),
                g.head_id_number.clone(),
                g.division_name.clone(),
                g.persons.to_string(),
                g.amount.yuan(),
                g.funding_source.clone(),
                g.reason.clone(),
                g.override_reason.clone().unwrap_or_default(),
                g.by_name.clone(),
                crate::time::minutes(g.at),
                g.cancellation
                    .as_ref()
                    .map(|c| c.reason.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    Table::new(header, rows).numeric(&[0, 3, 7, 8])
}

async fn exported(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &GrantParams,
) -> Result<(Table, String), service::Error> {
    let grants = state
        .service
        .export_grants(signed.actor(), &params.query())
        .await?;
    let table = export_table(&state.i18n.tr(lang), &grants);
    let stamp = crate::time::day_stamp(state.service.now());
    Ok((table, format!("grants-{stamp}")))
}

async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<GrantParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "grants-sheet",
        exported,
    )
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<GrantParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "grants-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// The form

/// The grant form and the API body: every field as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub household: String,
    #[serde(default)]
    pub persons: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub funding_source: String,
    #[serde(default)]
    pub granted_on: String,
    #[serde(default)]
    pub override_reason: String,
}

impl GrantBody {
    fn input(&self) -> GrantInput {
        GrantInput {
            kind: self.kind.clone(),
            household: self.household.clone(),
            persons: self.persons.clone(),
            amount: self.amount.clone(),
            reason: self.reason.clone(),
            funding_source: self.funding_source.clone(),
            granted_on: self.granted_on.clone(),
            override_reason: self.override_reason.clone(),
        }
    }
}

const GRANT_FIELDS: &[&str] = &[
    "grant_kind",
    "household",
    "persons",
    "amount",
    "grant_reason",
    "funding_source",
    "granted_on",
    "override_reason",
];

#[derive(Template)]
#[template(path = "assistance_grants_form.html")]
struct FormPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    form: GrantBody,
    kinds: Vec<Choice>,
    errors: FieldErrors,
    /// The grant was refused for its budget: the override field is shown with its hint.
    over_budget: bool,
}

#[derive(Debug, Default, Deserialize)]
struct NewParams {
    #[serde(default)]
    household: String,
    #[serde(default)]
    kind: String,
}

fn form_page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: GrantBody,
    errors: FieldErrors,
    over_budget: bool,
) -> Response {
    let t = state.i18n.tr(lang);
    let page = FormPage {
        t,
        path: "/assistance/grants/new".into(),
        me: Some(Me::of(state, lang, signed)),
        kinds: kind_choices(&t, form.kind.trim()),
        form,
        errors,
        over_budget,
    };
    crate::render(state, lang, &page)
}

async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<NewParams>,
) -> Response {
    if let Err(e) = state
        .service
        .authorize(signed.actor(), Line::Assistance, Action::Approve)
    {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    let form = GrantBody {
        household: p.household.trim().to_owned(),
        kind: p.kind.trim().to_owned(),
        persons: String::new(),
        granted_on: state.service.today().to_string(),
        ..GrantBody::default()
    };
    form_page(&state, lang, &signed, form, FieldErrors::default(), false)
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<GrantBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Assistance, Action::Approve)?;
        match state
            .service
            .record_grant(signed.actor(), &form.input())
            .await
        {
            Ok(r) => Ok(Redirect::to(&format!(
                "/assistance/grants/{}?done={}",
                r.id,
                if r.overridden { "override" } else { "recorded" }
            ))
            .into_response()),
            Err(service::Error::Invalid(errors)) => {
                let over = errors.iter().any(|e| e.code == "grants.over_budget");
                let errors = form_errors(&t, &errors, GRANT_FIELDS);
                let mut response = form_page(&state, lang, &signed, form.clone(), errors, over);
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// One grant

#[derive(Template)]
#[template(path = "assistance_grants_detail.html")]
struct GrantPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    g: GrantView,
    kind: String,
    at: String,
    cancelled_at: String,
    /// The budget the grant drew on and what had been drawn before it.
    budget_then: String,
    notice: Option<String>,
    conflict: Option<String>,
    errors: FieldErrors,
    can_cancel: bool,
}

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

async fn grant_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    notice: Option<String>,
    conflict: Option<String>,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let g = state.service.grant(actor, id).await?;
    let t = state.i18n.tr(lang);
    let page = GrantPage {
        t,
        path: format!("/assistance/grants/{id}"),
        me: Some(Me::of(state, lang, signed)),
        kind: kind_label(&t, g.kind),
        at: crate::time::minutes(g.at),
        cancelled_at: g
            .cancellation
            .as_ref()
            .map(|c| crate::time::minutes(c.at))
            .unwrap_or_default(),
        can_cancel: may_grant(actor) && g.cancellation.is_none(),
        budget_then: t.with(
            "grants-budget-then",
            &[
                ("year", &g.year.to_string()),
                ("budget", &g.budget.yuan()),
                ("drawn", &g.drawn_before.yuan()),
            ],
        ),
        g,
        notice,
        conflict,
        errors,
    };
    Ok(crate::render(state, lang, &page))
}

async fn grant_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match p.done.as_deref() {
        Some("recorded") => Some(t.get("grants-recorded")),
        Some("override") => Some(t.get("grants-recorded-override")),
        Some("cancelled") => Some(t.get("grants-cancelled-notice")),
        _ => None,
    };
    let result = async {
        let id = parse_id(&id)?;
        grant_view(
            &state,
            lang,
            &signed,
            id,
            notice,
            None,
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CancelBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<CancelBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Assistance, Action::Approve)?;
        let id = parse_id(&id)?;
        match state
            .service
            .cancel_grant(signed.actor(), id, &form.reason)
            .await
        {
            Ok(()) => Ok(
                Redirect::to(&format!("/assistance/grants/{id}?done=cancelled")).into_response(),
            ),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, &["cancel_reason"]);
                let mut r = grant_view(&state, lang, &signed, id, None, None, errors).await?;
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Ok(r)
            }
            Err(service::Error::Conflict { code, detail }) => {
                let conflict = Some(t.error_code(code, &detail));
                let mut r = grant_view(
                    &state,
                    lang,
                    &signed,
                    id,
                    None,
                    conflict,
                    FieldErrors::default(),
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
// Budgets

struct BudgetLine {
    year: i32,
    kind: String,
    amount: String,
    drawn: String,
    remaining: String,
    over: bool,
    used: String,
    grants: i64,
    overrides: i64,
    override_text: String,
    citation: String,
    by: String,
    at: String,
}

fn budget_line(t: &Tr<'_>, b: &BudgetView) -> BudgetLine {
    BudgetLine {
        year: b.year,
        kind: kind_label(t, b.kind),
        amount: b.amount.yuan(),
        drawn: b.drawn.yuan(),
        remaining: b.remaining.yuan(),
        over: b.remaining.is_negative(),
        used: b
            .permille_used
            .map(|p| format!("{}.{}%", p / 10, p % 10))
            .unwrap_or_else(|| "—".into()),
        grants: b.grants,
        overrides: b.overrides,
        override_text: t.with(
            "grants-budget-override-count",
            &[
                ("count", &b.overrides.to_string()),
                ("amount", &b.override_amount.yuan()),
            ],
        ),
        citation: b.citation.clone(),
        by: b.by.clone(),
        at: crate::time::minutes(b.at),
    }
}

/// The budget form and the API body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BudgetBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub citation: String,
}

impl BudgetBody {
    fn input(&self) -> BudgetInput {
        BudgetInput {
            year: self.year.clone(),
            kind: self.kind.clone(),
            amount: self.amount.clone(),
            citation: self.citation.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "assistance_grants_budgets.html")]
struct BudgetsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<BudgetLine>,
    form: BudgetBody,
    kinds: Vec<Choice>,
    errors: FieldErrors,
    notice: Option<String>,
    can_edit: bool,
}

async fn budgets_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: BudgetBody,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let budgets = state.service.budgets(actor).await?;
    let t = state.i18n.tr(lang);
    let page = BudgetsPage {
        t,
        path: "/assistance/budgets".into(),
        me: Some(Me::of(state, lang, signed)),
        rows: budgets.iter().map(|b| budget_line(&t, b)).collect(),
        kinds: kind_choices(&t, form.kind.trim()),
        form,
        errors,
        notice,
        can_edit: may_grant(actor),
    };
    Ok(crate::render(state, lang, &page))
}

async fn budgets_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = p.done.is_some().then(|| t.get("grants-budget-saved"));
    let form = BudgetBody {
        year: chrono::Datelike::year(&state.service.today()).to_string(),
        ..BudgetBody::default()
    };
    budgets_view(&state, lang, &signed, form, FieldErrors::default(), notice)
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn save_budget(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<BudgetBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Assistance, Action::Approve)?;
        match state
            .service
            .set_budget(signed.actor(), &form.input())
            .await
        {
            Ok(()) => Ok(Redirect::to("/assistance/budgets?done=1").into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors =
                    FieldErrors::new(&t, &errors, &["year", "grant_kind", "amount", "citation"]);
                let mut r = budgets_view(&state, lang, &signed, form.clone(), errors, None).await?;
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
// The case page's section

/// The grants of a household for its case page.
pub(super) async fn case_lines(
    state: &AppState,
    t: &Tr<'_>,
    actor: &Actor,
    household_id: i64,
) -> Result<Vec<GrantLine>, service::Error> {
    Ok(state
        .service
        .household_grants(actor, household_id)
        .await?
        .iter()
        .map(|g| line(t, g))
        .collect())
}

// ---------------------------------------------------------------------------------------
// The API

/// One grant in JSON. Money as yuan text with two decimals, as everywhere in the API.
#[derive(Debug, Serialize)]
pub struct GrantJson {
    pub id: i64,
    /// `temporary`, `disaster`, `winter` or `medical`.
    pub kind: &'static str,
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub division: String,
    pub division_name: String,
    pub head_name: String,
    /// Masked.
    pub head_id_number: String,
    pub persons: i64,
    pub amount: String,
    pub reason: String,
    pub funding_source: String,
    pub granted_on: String,
    pub year: i32,
    pub budget: String,
    pub drawn_before: String,
    pub override_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<String>,
}

impl From<&GrantView> for GrantJson {
    fn from(g: &GrantView) -> Self {
        Self {
            id: g.id,
            kind: g.kind.as_str(),
            household_id: g.household_id,
            case_id: g.case_id,
            division: g.division.as_str().to_owned(),
            division_name: g.division_name.clone(),
            head_name: g.head_name.clone(),
            head_id_number: g.head_id_number.clone(),
            persons: g.persons,
            amount: g.amount.yuan(),
            reason: g.reason.clone(),
            funding_source: g.funding_source.clone(),
            granted_on: g.granted_on.to_string(),
            year: g.year,
            budget: g.budget.yuan(),
            drawn_before: g.drawn_before.yuan(),
            override_reason: g.override_reason.clone(),
            recorded_by: g.by.clone(),
            recorded_at: g.at.to_rfc3339(),
            cancelled: g.cancellation.is_some(),
            cancel_reason: g.cancellation.as_ref().map(|c| c.reason.clone()),
            cancelled_by: g.cancellation.as_ref().map(|c| c.by.clone()),
            cancelled_at: g.cancellation.as_ref().map(|c| c.at.to_rfc3339()),
        }
    }
}

/// What the whole filtered list adds up to, cancelled grants left out.
#[derive(Debug, Serialize)]
pub struct TotalsJson {
    pub grants: i64,
    pub households: i64,
    pub persons: i64,
    pub amount: String,
}

#[derive(Debug, Serialize)]
pub struct GrantPageJson {
    pub items: Vec<GrantJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub totals: TotalsJson,
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<GrantParams>,
) -> Response {
    let query = params.query();
    let result = async {
        let page = state.service.grants(&actor, &query).await?;
        let totals = state.service.grant_totals(&actor, &query).await?;
        Ok::<_, service::Error>((page, totals))
    }
    .await;
    match result {
        Ok((page, totals)) => Json(GrantPageJson {
            items: page.items.iter().map(GrantJson::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            totals: TotalsJson {
                grants: totals.grants,
                households: totals.households,
                persons: totals.persons,
                amount: totals.amount.yuan(),
            },
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
struct RecordedJson {
    id: i64,
    overridden: bool,
}

async fn api_create(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<GrantBody>,
) -> Response {
    match state.service.record_grant(&actor, &body.input()).await {
        Ok(r) => (
            StatusCode::CREATED,
            Json(RecordedJson {
                id: r.id,
                overridden: r.overridden,
            }),
        )
            .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_grant(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.grant(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(g) => Json(GrantJson::from(&g)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
struct CancelledJson {
    id: i64,
    cancelled: bool,
}

async fn api_cancel(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<CancelBody>,
) -> Response {
    let result = async {
        // The role first, so a caller who may not cancel learns nothing about the id.
        state
            .service
            .authorize(&actor, Line::Assistance, Action::Approve)?;
        let id = parse_id(&id)?;
        state.service.cancel_grant(&actor, id, &body.reason).await?;
        Ok::<_, service::Error>(id)
    }
    .await;
    match result {
        Ok(id) => Json(CancelledJson {
            id,
            cancelled: true,
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

/// One budget in JSON.
#[derive(Debug, Serialize)]
pub struct BudgetJson {
    pub year: i32,
    pub kind: &'static str,
    pub amount: String,
    pub drawn: String,
    pub remaining: String,
    /// Drawn as tenths of a percent of the amount; null for a budget of zero.
    pub permille_used: Option<i64>,
    pub grants: i64,
    pub overrides: i64,
    pub override_amount: String,
    pub citation: String,
    pub set_by: String,
    pub set_at: String,
}

async fn api_budgets(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.budgets(&actor).await {
        Ok(rows) => Json(
            rows.iter()
                .map(|b| BudgetJson {
                    year: b.year,
                    kind: b.kind.as_str(),
                    amount: b.amount.yuan(),
                    drawn: b.drawn.yuan(),
                    remaining: b.remaining.yuan(),
                    permille_used: b.permille_used,
                    grants: b.grants,
                    overrides: b.overrides,
                    override_amount: b.override_amount.yuan(),
                    citation: b.citation.clone(),
                    set_by: b.by.clone(),
                    set_at: b.at.to_rfc3339(),
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

async fn api_set_budget(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<BudgetBody>,
) -> Response {
    match state.service.set_budget(&actor, &body.input()).await {
        Ok(()) => Json(SavedJson { saved: true }).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}
