//! 信访 on the web: the case list (open cases by next visit, the due list of visits overdue
//! or due this week, risk, status and street filters), the form to open a case, a case's
//! page with its follow-ups, the follow-up form and the close; the same under
//! `/api/v1/veterans/petitions`; the list's masked CSV and XLSX with its filters; the risk
//! levels (`/veterans/petitions/risk-levels`: each with its open cases, the section's form
//! to rename a level or change its interval, to add one and to remove an unused one).
//! Rules in `service::veterans::petitions`.

use std::collections::HashMap;

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
    CloseInput, FollowupInput, OpenInput, PetitionQuery, PetitionStatus, RiskLevelInput,
};
use store::PetitionRecord;

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::{Choice, FieldErrors, Pager};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/veterans/petitions", get(list_page).post(open))
        .route("/veterans/petitions/export.csv", get(export_csv))
        .route("/veterans/petitions/export.xlsx", get(export_xlsx))
        .route(
            "/veterans/petitions/risk-levels",
            get(levels_page).post(edit_levels),
        )
        .route("/veterans/petitions/risk-levels/add", post(add_level))
        .route("/veterans/petitions/risk-levels/remove", post(remove_level))
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
    can_export: bool,
    export_csv: String,
    export_xlsx: String,
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
    let filters = [crate::list::query_string(&query.list, None), extra.clone()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("&");
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
        can_export: actor.may(Line::Veterans, Action::Export),
        export_csv: crate::list::href("/veterans/petitions/export.csv", &filters),
        export_xlsx: crate::list::href("/veterans/petitions/export.xlsx", &filters),
    };
    Ok(crate::render(state, lang, &view))
}

fn export_table(t: &Tr<'_>, rows: &[PetitionRecord], today: chrono::NaiveDate) -> Table {
    let header = [
        "veterans-petitions-col-id",
        "veterans-petitions-col-petitioner",
        "veterans-col-id-number",
        "veterans-col-id",
        "veterans-col-division",
        "veterans-petitions-col-subject",
        "veterans-petitions-col-risk",
        "veterans-petitions-col-opened",
        "veterans-petitions-col-next",
        "veterans-petitions-filter-due",
        "veterans-petitions-filter-status",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let rows = rows
        .iter()
        .map(|c| {
            let line = case_line(t, c, today);
            let due = match line.due {
                "" => String::new(),
                d => t.get(&format!("veterans-petitions-due-{d}")),
            };
            vec![
                c.id.to_string(),
                line.petitioner,
                c.id_number.clone().unwrap_or_default(),
                c.entitlement_id.map(|e| e.to_string()).unwrap_or_default(),
                line.division,
                line.subject,
                line.risk,
                line.opened_on,
                line.next_due,
                due,
                line.status,
            ]
        })
        .collect();
    Table::new(header, rows).numeric(&[0, 3])
}

async fn exported(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &PetitionParams,
) -> Result<(Table, String), service::Error> {
    let rows = state
        .service
        .export_petitions(signed.actor(), &params.query())
        .await?;
    let table = export_table(&state.i18n.tr(lang), &rows, state.service.today());
    let stamp = crate::time::day_stamp(state.service.now());
    Ok((table, format!("petitions-{stamp}")))
}

async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<PetitionParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "veterans-petitions-sheet",
        exported,
    )
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<PetitionParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "veterans-petitions-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// The risk levels

/// The edit form: `name_{code}` and `days_{code}` for every level shown.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LevelsBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

impl LevelsBody {
    /// One row per level in the order shown (`order`), then any other code sent (refused
    /// by `service` by its row).
    fn rows(&self, order: &[String]) -> Vec<RiskLevelInput> {
        let mut codes: Vec<String> = order
            .iter()
            .filter(|c| {
                self.fields.contains_key(&format!("name_{c}"))
                    || self.fields.contains_key(&format!("days_{c}"))
            })
            .cloned()
            .collect();
        let mut others: Vec<String> = self
            .fields
            .keys()
            .filter_map(|k| k.strip_prefix("name_").or_else(|| k.strip_prefix("days_")))
            .filter(|c| !order.iter().any(|o| o == c))
            .map(str::to_owned)
            .collect();
        others.sort();
        others.dedup();
        codes.extend(others);
        codes
            .into_iter()
            .map(|code| RiskLevelInput {
                name: self
                    .fields
                    .get(&format!("name_{code}"))
                    .cloned()
                    .unwrap_or_default(),
                visit_days: self
                    .fields
                    .get(&format!("days_{code}"))
                    .cloned()
                    .unwrap_or_default(),
                code,
            })
            .collect()
    }
}

/// The add form, and the remove form (`code` only).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LevelBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub visit_days: String,
}

const LEVEL_FIELDS: &[&str] = &["risk_code", "risk_name", "visit_days"];

struct LevelLine {
    code: String,
    name: String,
    visit_days: String,
    open_cases: i64,
    cases: i64,
}

#[derive(Template)]
#[template(path = "veterans_petitions_risk_levels.html")]
struct LevelsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<LevelLine>,
    notice: Option<String>,
    /// Refusals of the edit and remove forms (named by row and field).
    errors: FieldErrors,
    add: LevelBody,
    add_errors: FieldErrors,
    can_edit: bool,
}

/// What the page shows besides the levels: a notice, the forms as sent, their refusals.
#[derive(Default)]
struct LevelsState {
    notice: Option<String>,
    edited: Option<LevelsBody>,
    errors: FieldErrors,
    add: LevelBody,
    add_errors: FieldErrors,
}

async fn levels_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    shown: LevelsState,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let levels = state.service.petition_risk_level_uses(actor).await?;
    let sent = |key: String, stored: String| {
        shown
            .edited
            .as_ref()
            .and_then(|b| b.fields.get(&key).cloned())
            .unwrap_or(stored)
    };
    let page = LevelsPage {
        t: state.i18n.tr(lang),
        path: "/veterans/petitions/risk-levels".into(),
        me: Some(Me::of(state, lang, signed)),
        rows: levels
            .into_iter()
            .map(|u| LevelLine {
                name: sent(format!("name_{}", u.level.code), u.level.name),
                visit_days: sent(
                    format!("days_{}", u.level.code),
                    u.level.visit_days.to_string(),
                ),
                code: u.level.code,
                open_cases: u.open_cases,
                cases: u.cases,
            })
            .collect(),
        notice: shown.notice,
        errors: shown.errors,
        add: shown.add,
        add_errors: shown.add_errors,
        can_edit: actor.may(Line::Veterans, Action::Approve),
    };
    Ok(crate::render(state, lang, &page))
}

async fn levels_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match p.done.as_deref() {
        Some("edited") => Some(t.get("veterans-risk-levels-edited")),
        Some("added") => Some(t.get("veterans-risk-levels-added")),
        Some("removed") => Some(t.get("veterans-risk-levels-removed")),
        _ => None,
    };
    let shown = LevelsState {
        notice,
        ..LevelsState::default()
    };
    levels_view(&state, lang, &signed, shown)
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// The page again with a refusal (400), or `done` on success; other errors as pages.
async fn after_levels(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    result: Result<(), service::Error>,
    done: &str,
    refused: impl FnOnce(&Tr<'_>, &[service::FieldError]) -> LevelsState,
) -> Response {
    let t = state.i18n.tr(lang);
    let response = match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/veterans/petitions/risk-levels?done={done}")).into_response(),
        ),
        Err(service::Error::Invalid(errors)) => {
            levels_view(state, lang, signed, refused(&t, &errors))
                .await
                .map(|mut r| {
                    *r.status_mut() = StatusCode::BAD_REQUEST;
                    r
                })
        }
        Err(e) => Err(e),
    };
    response.unwrap_or_else(|e| PageError::for_user(state, lang, signed, e).into_response())
}

async fn edit_levels(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<LevelsBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let actor = signed.actor();
        state
            .service
            .authorize(actor, Line::Veterans, Action::Approve)?;
        let order: Vec<String> = state
            .service
            .petition_risk_levels(actor)
            .await?
            .into_iter()
            .map(|l| l.code)
            .collect();
        state
            .service
            .edit_petition_risk_levels(actor, &form.rows(&order))
            .await
            .map(|_| ())
    }
    .await;
    after_levels(&state, lang, &signed, result, "edited", |t, errors| {
        LevelsState {
            // Every refusal names its row and field, above the table.
            errors: FieldErrors::new(t, errors, &[]),
            edited: Some(form.clone()),
            ..LevelsState::default()
        }
    })
    .await
}

async fn add_level(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<LevelBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .add_petition_risk_level(
                signed.actor(),
                &RiskLevelInput {
                    code: form.code.clone(),
                    name: form.name.clone(),
                    visit_days: form.visit_days.clone(),
                },
            )
            .await
    }
    .await;
    after_levels(&state, lang, &signed, result, "added", |t, errors| {
        LevelsState {
            add_errors: FieldErrors::new(t, errors, LEVEL_FIELDS),
            add: form.clone(),
            ..LevelsState::default()
        }
    })
    .await
}

async fn remove_level(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<LevelBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .remove_petition_risk_level(signed.actor(), &form.code)
            .await
    }
    .await;
    after_levels(&state, lang, &signed, result, "removed", |t, errors| {
        LevelsState {
            errors: FieldErrors::new(t, errors, &[]),
            ..LevelsState::default()
        }
    })
    .await
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
