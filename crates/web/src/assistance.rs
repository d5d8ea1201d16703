//! 社会救助: the case list (search, filters, sorting, pages, CSV and XLSX export), the
//! application form, the case page with its history and one form per next step, the
//! printable public notice (公示), the dated standards with the impact of a change, and the
//! same under `/api/v1/assistance`.
//!
//! Every rule is in `service::assistance`; this module turns requests into its calls and its
//! answers into pages, files and JSON. ID numbers arrive masked from the service; the full
//! number exists only in the response to a reveal, which is never cached.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use domain::assistance::workflow::{Status, Step, StepKind};
use domain::assistance::{Program, Standard};
use domain::{Action, DivisionLevel, Fen, Line};
use serde::{Deserialize, Serialize};
use service::assistance::{
    ApplicationInput, CaseDetail, CaseListItem, CaseQuery, CaseSort, CaseStatus, Employment,
    MemberInput, Relation, StandardInput, StepInput,
};
use service::list::{Code, Page};
use service::{Actor, FieldError};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::{Choice, FieldErrors, ListParams, Pager, SortHeader};
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, list, no_store, reject};

mod changes;
mod checks;
mod grants;
mod means;
mod policy;

/// Member rows a new application form shows; blank rows are ignored. "Add a member" asks
/// the server for one more row (no JavaScript), up to `service::assistance::MAX_MEMBERS`.
pub const MEMBER_ROWS: usize = 6;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(changes::routes())
        .merge(means::routes())
        .merge(grants::routes())
        .merge(checks::routes())
        .merge(policy::routes())
        .route("/assistance", get(list_page).post(create))
        .route("/assistance/export.csv", get(export_csv))
        .route("/assistance/export.xlsx", get(export_xlsx))
        .route("/assistance/new", get(new_form))
        .route(
            "/assistance/standards",
            get(standards_page).post(save_standard),
        )
        .route("/assistance/standards/preview", post(preview_standard))
        .route("/assistance/{id}", get(case_page))
        .route("/assistance/{id}/steps", post(record_step))
        .route("/assistance/{id}/notice", get(notice_page))
        .route("/assistance/{id}/members/{member_id}/reveal", post(reveal))
        .route("/api/v1/assistance/cases", get(api_list).post(api_create))
        .route("/api/v1/assistance/cases/{id}", get(api_case))
        .route("/api/v1/assistance/cases/{id}/steps", post(api_step))
        .route("/api/v1/assistance/standards", get(api_standards))
}

/// A malformed id in a URL is a case that does not exist.
fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

fn dashed(code: &str) -> String {
    code.replace('_', "-")
}

fn program_label(t: &Tr<'_>, p: Program) -> String {
    t.get(&format!("assistance-program-{}", dashed(p.as_str())))
}

fn status_label(t: &Tr<'_>, code: &str) -> String {
    t.get(&format!("assistance-status-{}", dashed(code)))
}

fn step_label(t: &Tr<'_>, kind: StepKind) -> String {
    t.get(&format!("assistance-step-{}", dashed(kind.as_str())))
}

fn relation_label(t: &Tr<'_>, r: Relation) -> String {
    t.get(&format!("assistance-relation-{}", r.as_str()))
}

fn employment_label(t: &Tr<'_>, e: Employment) -> String {
    t.get(&format!("assistance-employment-{}", e.as_str()))
}

fn area_label(t: &Tr<'_>, area: domain::Area) -> String {
    t.get(&format!("area-{}", area.as_str()))
}

fn yuan(f: Option<Fen>) -> String {
    f.map(Fen::yuan).unwrap_or_default()
}

/// Whether the actor may edit standards: the section's `Write`, at district level.
fn may_edit_standards(actor: &Actor) -> bool {
    actor.may(Line::Assistance, Action::Write)
        && actor
            .jurisdiction
            .as_ref()
            .is_some_and(|j| j.level() == DivisionLevel::County)
}

/// The `program` parameter appended to a list link.
fn with_program(href: &str, program: &str) -> String {
    if program.is_empty() {
        href.to_owned()
    } else if href.contains('?') {
        format!("{href}&program={program}")
    } else {
        format!("{href}?program={program}")
    }
}

// ---------------------------------------------------------------------------------------
// The list

/// The list's URL parameters: the list pattern's and the programme.
#[derive(Debug, Clone, Default, Deserialize)]
struct CaseParams {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    program: String,
}

impl CaseParams {
    fn query(&self) -> (CaseQuery, Option<Program>) {
        (self.list.query(), self.program.trim().parse().ok())
    }
}

struct Row {
    id: i64,
    program: String,
    status: String,
    status_code: &'static str,
    overdue: bool,
    applied_on: String,
    division: String,
    address: String,
    head_name: String,
    head_id: String,
    members: i64,
}

fn row(t: &Tr<'_>, c: &CaseListItem) -> Row {
    Row {
        id: c.id,
        program: program_label(t, c.program),
        status: status_label(t, c.status.as_str()),
        status_code: c.status.as_str(),
        overdue: c.overdue,
        applied_on: c.applied_on.to_string(),
        division: c.division_name.clone(),
        address: c.address.clone(),
        head_name: c.head_name.clone(),
        head_id: c.head_id_number.clone(),
        members: c.members,
    }
}

#[derive(Template)]
#[template(path = "assistance.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: String,
    sort: String,
    desc: bool,
    divisions: Vec<Choice>,
    programs: Vec<Choice>,
    statuses: Vec<Choice>,
    columns: Vec<SortHeader>,
    rows: Vec<Row>,
    pager: Pager,
    export_csv: String,
    export_xlsx: String,
    can_write: bool,
    can_export: bool,
    can_import: bool,
    can_edit_policy: bool,
    can_edit_settings: bool,
}

fn program_choices(t: &Tr<'_>, current: &str) -> Vec<Choice> {
    Program::ALL
        .iter()
        .map(|p| Choice::new(p.as_str(), program_label(t, *p), current))
        .collect()
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<CaseParams>,
) -> Response {
    let actor = signed.actor();
    let (query, program) = params.query();
    let result = async {
        let page = state.service.cases(actor, &query, program).await?;
        let divisions = state.service.assistance_divisions(actor).await?;
        Ok::<_, service::Error>((page, divisions))
    }
    .await;
    let (page, divisions) = match result {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let current_division = query
        .division
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let program_code = program.map(|p| p.as_str()).unwrap_or_default();
    let status = query.status.map(|s| s.as_str()).unwrap_or_default();
    let all_pages = list::query_string(&query, None);
    let mut pager = Pager::new(&t, "/assistance", &query, &page);
    pager.prev = pager.prev.map(|h| with_program(&h, program_code));
    pager.next = pager.next.map(|h| with_program(&h, program_code));
    for l in &mut pager.links {
        l.href = with_program(&l.href, program_code);
    }
    let columns = list::sort_headers(
        "/assistance",
        &query,
        CaseSort::Id,
        CaseSort::ALL
            .iter()
            .map(|s| (*s, t.get(&format!("assistance-col-{}", s.as_str()))))
            .collect(),
    )
    .into_iter()
    .map(|mut c| {
        c.href = with_program(&c.href, program_code);
        c
    })
    .collect();
    let view = ListPage {
        t,
        path: "/assistance".into(),
        me: Some(Me::of(&state, lang, &signed)),
        q: query.q.clone(),
        sort: query
            .sort
            .map(|s| s.as_str())
            .unwrap_or_default()
            .to_owned(),
        desc: query.descending,
        divisions: divisions
            .into_iter()
            .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
            .map(|d| Choice::new(d.code.to_string(), d.name, &current_division))
            .collect(),
        programs: program_choices(&t, program_code),
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), status_label(&t, s.as_str()), status))
            .collect(),
        columns,
        rows: page.items.iter().map(|c| row(&t, c)).collect(),
        pager,
        export_csv: with_program(
            &list::href("/assistance/export.csv", &all_pages),
            program_code,
        ),
        export_xlsx: with_program(
            &list::href("/assistance/export.xlsx", &all_pages),
            program_code,
        ),
        can_write: actor.may(Line::Assistance, Action::Write),
        can_export: actor.may(Line::Assistance, Action::Export),
        can_import: crate::assistance_import::may_import(actor),
        can_edit_policy: may_edit_standards(actor),
        can_edit_settings: policy::may_edit_settings(actor),
    };
    crate::render(&state, lang, &view)
}

// ---------------------------------------------------------------------------------------
// Exports

fn export_table(t: &Tr<'_>, cases: &[CaseListItem]) -> Table {
    let header = [
        "assistance-col-id",
        "assistance-col-program",
        "assistance-col-status",
        "assistance-col-overdue",
        "assistance-col-applied",
        "assistance-col-division",
        "assistance-col-address",
        "assistance-col-name",
        "assistance-col-id-number",
        "assistance-col-members",
        "assistance-col-income",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let yes = t.get("assistance-yes");
    let rows = cases
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                program_label(t, c.program),
                status_label(t, c.status.as_str()),
                if c.overdue {
                    yes.clone()
                } else {
                    String::new()
                },
                c.applied_on.to_string(),
                c.division_name.clone(),
                c.address.clone(),
                c.head_name.clone(),
                c.head_id_number.clone(),
                c.members.to_string(),
                yuan(c.income_per_capita),
            ]
        })
        .collect();
    Table::new(header, rows).numeric(&[0, 9, 10])
}

async fn exported(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &CaseParams,
) -> Result<(Table, String), service::Error> {
    let (query, program) = params.query();
    let cases = state
        .service
        .export_cases(signed.actor(), &query, program)
        .await?;
    let table = export_table(&state.i18n.tr(lang), &cases);
    let stamp = crate::time::day_stamp(state.service.now());
    Ok((table, format!("assistance-{stamp}")))
}

async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<CaseParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "assistance-sheet",
        exported,
    )
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<CaseParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "assistance-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// The application form

/// The application form as typed. Member rows are fields `m{row}_{field}`, collected from
/// `rest`; `rows` is how many the page showed, `add_row` the "add a member" button.
#[derive(Debug, Clone, Default, Deserialize)]
struct ApplicationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    applied_on: String,
    #[serde(default)]
    on_behalf: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    rows: String,
    #[serde(default)]
    add_row: Option<String>,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, String>,
}

/// One member row of the form: its values and its messages.
#[derive(Debug, Clone, Default)]
struct MemberRow {
    n: usize,
    name: String,
    id_number: String,
    relation: String,
    disability_grade: String,
    severe_illness: bool,
    employment: String,
    self_care: String,
    errors: Vec<(&'static str, String)>,
}

impl MemberRow {
    fn error(&self, field: &str) -> Option<String> {
        let list: Vec<&str> = self
            .errors
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!list.is_empty()).then(|| list.join(";"))
    }

    fn is_blank(&self) -> bool {
        self.name.trim().is_empty() && self.id_number.trim().is_empty()
    }
}

impl ApplicationForm {
    /// How many rows the page shows: as many as it showed (or the highest row typed into),
    /// at least [`MEMBER_ROWS`], one more after "add a member", never more than the service
    /// accepts.
    fn row_count(&self) -> usize {
        let typed = self
            .rest
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .filter_map(|(k, _)| {
                k.strip_prefix('m')?
                    .split_once('_')?
                    .0
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .unwrap_or(0);
        let shown = self.rows.trim().parse::<usize>().unwrap_or(0).max(typed);
        let wanted = shown.max(MEMBER_ROWS) + usize::from(self.add_row.is_some());
        wanted.min(service::assistance::MAX_MEMBERS)
    }

    fn rows(&self) -> Vec<MemberRow> {
        (1..=self.row_count())
            .map(|n| {
                let get = |f: &str| {
                    self.rest
                        .get(&format!("m{n}_{f}"))
                        .cloned()
                        .unwrap_or_default()
                };
                MemberRow {
                    n,
                    name: get("name"),
                    id_number: get("id_number"),
                    relation: get("relation"),
                    disability_grade: get("disability_grade"),
                    severe_illness: !get("severe_illness").is_empty(),
                    employment: get("employment"),
                    self_care: get("self_care"),
                    errors: Vec::new(),
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "assistance_form.html")]
struct FormPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    form: ApplicationForm,
    on_behalf: bool,
    communities: Vec<Choice>,
    programs: Vec<Choice>,
    areas: Vec<Choice>,
    relations: Vec<(String, String)>,
    employments: Vec<(String, String)>,
    self_cares: Vec<(String, String)>,
    rows: Vec<MemberRow>,
    max_rows: usize,
    errors: FieldErrors,
}

const FORM_FIELDS: &[&str] = &[
    "community",
    "address",
    "program",
    "area",
    "applied_on",
    "note",
];

async fn form_page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: ApplicationForm,
    rows: Vec<MemberRow>,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let divisions = state.service.assistance_divisions(signed.actor()).await?;
    let communities = divisions
        .into_iter()
        .filter(|d| matches!(d.level(), DivisionLevel::Community | DivisionLevel::Village))
        .map(|d| {
            Choice::new(
                d.code.to_string(),
                format!("{} {}", d.name, d.code),
                &form.community,
            )
        })
        .collect();
    let has_errors = !errors.is_empty();
    let page = FormPage {
        t,
        path: "/assistance/new".into(),
        me: Some(Me::of(state, lang, signed)),
        on_behalf: form.on_behalf.is_some(),
        communities,
        programs: program_choices(&t, &form.program),
        areas: ["urban", "rural"]
            .iter()
            .map(|a| Choice::new(*a, t.get(&format!("area-{a}")), &form.area))
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), relation_label(&t, *r)))
            .collect(),
        employments: Employment::ALL
            .iter()
            .map(|e| (e.as_str().to_owned(), employment_label(&t, *e)))
            .collect(),
        self_cares: ["capable", "partly_unable", "fully_unable"]
            .iter()
            .map(|s| {
                (
                    (*s).to_owned(),
                    t.get(&format!("assistance-self-care-{}", dashed(s))),
                )
            })
            .collect(),
        form,
        rows,
        max_rows: service::assistance::MAX_MEMBERS,
        errors,
    };
    let mut response = crate::render(state, lang, &page);
    if has_errors {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

async fn new_form(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    let result = async {
        state
            .service
            .authorize(signed.actor(), Line::Assistance, Action::Write)?;
        let form = ApplicationForm {
            applied_on: state.service.today().to_string(),
            ..ApplicationForm::default()
        };
        let mut rows = form.rows();
        for (i, r) in rows.iter_mut().enumerate() {
            r.relation = if i == 0 { "head" } else { "" }.to_owned();
        }
        form_page(&state, lang, &signed, form, rows, FieldErrors::default()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<ApplicationForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .authorize(signed.actor(), Line::Assistance, Action::Write)?;
        let mut rows = form.rows();
        if form.add_row.is_some() {
            // Only a longer form: nothing is checked or saved yet.
            let form = ApplicationForm {
                add_row: None,
                ..form.clone()
            };
            return form_page(&state, lang, &signed, form, rows, FieldErrors::default()).await;
        }
        // The form row of each member sent, for the service's 1-based `row`.
        let mut positions = Vec::new();
        let mut members = Vec::new();
        for r in rows.iter().filter(|r| !r.is_blank()) {
            positions.push(r.n);
            members.push(MemberInput {
                name: r.name.clone(),
                id_number: r.id_number.clone(),
                relation: r.relation.clone(),
                disability_grade: r.disability_grade.trim().parse().unwrap_or(
                    if r.disability_grade.trim().is_empty() {
                        0
                    } else {
                        u8::MAX
                    },
                ),
                severe_illness: r.severe_illness,
                employment: r.employment.clone(),
                self_care: Some(r.self_care.clone()).filter(|s| !s.trim().is_empty()),
            });
        }
        let refused = match domain::parse_date(&form.applied_on) {
            Err(e) => Err(service::Error::invalid(FieldError::new(
                "applied_on",
                e.code(),
                form.applied_on.clone(),
            ))),
            Ok(applied_on) => {
                let input = ApplicationInput {
                    community: form.community.clone(),
                    address: form.address.clone(),
                    program: form.program.clone(),
                    area: Some(form.area.clone()),
                    members,
                    on_behalf: form.on_behalf.is_some(),
                    applied_on,
                    note: form.note.clone(),
                };
                match state
                    .service
                    .register_application(signed.actor(), input)
                    .await
                {
                    Ok(id) => {
                        return Ok(
                            Redirect::to(&format!("/assistance/{id}?done=applied")).into_response()
                        );
                    }
                    Err(e) => Err(e),
                }
            }
        };
        let errors = match refused {
            Err(service::Error::Invalid(errors)) => errors,
            Err(e) => return Err(e),
            Ok(()) => Vec::new(),
        };
        // Row messages next to their fields, with the form's row numbers everywhere.
        let mut shown = Vec::new();
        for e in errors {
            match e
                .row
                .and_then(|r| positions.get(r.wrapping_sub(1)).copied())
            {
                Some(n) => {
                    let message = t.error_code(e.code, &e.detail);
                    if let Some(r) = rows.get_mut(n - 1) {
                        r.errors.push((e.field, message));
                    }
                    shown.push(FieldError { row: Some(n), ..e });
                }
                None => shown.push(e),
            }
        }
        let mut field_errors = FieldErrors::new(&t, &shown, FORM_FIELDS);
        // Every member message is also listed above the form, with its row number.
        for e in shown.iter().filter(|e| e.row.is_some()) {
            field_errors.general.push(t.field_error(e));
        }
        form_page(&state, lang, &signed, form.clone(), rows, field_errors).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// The case page

struct MemberLine {
    id: i64,
    name: String,
    id_number: String,
    sex: String,
    age: u32,
    relation: String,
    disability_grade: u8,
    severe_illness: bool,
    employment: String,
    self_care: String,
    increment: String,
    revealed: Option<String>,
    reveal_error: Option<String>,
}

struct HistoryLine {
    step: String,
    on: String,
    by: String,
    at: String,
    detail: String,
    note: String,
}

/// One form for a next step.
struct StepForm {
    kind: &'static str,
    label: String,
    decides: bool,
}

#[derive(Template)]
#[template(path = "assistance_case.html")]
struct CasePage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    c: CaseDetail,
    program: String,
    status: String,
    status_code: &'static str,
    status_detail: String,
    area: String,
    members: Vec<MemberLine>,
    history: Vec<HistoryLine>,
    steps: Vec<StepForm>,
    benefit_standard: String,
    benefit_base: String,
    benefit_total: String,
    benefit_month: String,
    benefit_problem: Option<String>,
    has_notice: bool,
    today: String,
    notice: Option<String>,
    conflict: Option<String>,
    errors: FieldErrors,
    /// The step whose form was refused, with what was typed.
    typed: StepFormInput,
    can_reveal: bool,
    changes: Vec<ChangeLine>,
    /// The household's payment history (资金台账), newest first.
    payments: Vec<crate::payroll::PaymentLine>,
    change_kind: String,
    /// (code, label) of the termination reasons.
    termination_reasons: Vec<(&'static str, String)>,
    /// (code, name) of the communities a household may move to.
    communities: Vec<(String, String)>,
    /// The means-check worksheets.
    means: Vec<means::MeansSection>,
    /// The household's relief and medical grants.
    grants: Vec<grants::GrantLine>,
    can_grant: bool,
}

/// What the case page shows besides the case.
#[derive(Default)]
struct CaseExtras {
    notice: Option<String>,
    conflict: Option<String>,
    errors: FieldErrors,
    typed: StepFormInput,
    revealed: Option<(i64, String)>,
    reveal_error: Option<(i64, String)>,
    /// The change form that was refused (动态管理).
    change_kind: String,
}

/// One row of the change history (动态管理): before → after.
struct ChangeLine {
    kind: String,
    effective: String,
    by: String,
    at: String,
    reason: String,
    before: String,
    after: String,
}

fn change_line(t: &Tr<'_>, c: &service::assistance::ChangeView) -> ChangeLine {
    let money = |f: Option<Fen>| f.map(|f| format!("{} {}", f.yuan(), t.get("assistance-yuan")));
    let label = match c.outcome.as_deref() {
        Some(o) => format!(
            "{} · {}",
            t.get("assistance-change-review"),
            t.get(&format!("assistance-review-{o}"))
        ),
        None => t.get(&format!("assistance-change-{}", c.kind.replace('_', "-"))),
    };
    let member = c.member_name.clone().unwrap_or_default();
    let place = |d: &Option<(String, String)>, a: &Option<String>| {
        d.as_ref()
            .map(|(_, n)| format!("{n} {}", a.clone().unwrap_or_default()))
    };
    let (before, after) = match c.kind.as_str() {
        "member_join" => (String::new(), member),
        "member_leave" | "death" => (member, String::new()),
        "move" => (
            place(&c.division_before, &c.address_before).unwrap_or_default(),
            place(&c.division_after, &c.address_after).unwrap_or_default(),
        ),
        "suspend" => (String::new(), t.get("assistance-suspended")),
        "resume" => (
            c.suspended_from
                .map(|m| t.with("assistance-suspended-from", &[("month", &m.to_string())]))
                .unwrap_or_default(),
            String::new(),
        ),
        _ => (
            money(c.income_before).unwrap_or_default(),
            money(c.income_after).unwrap_or_default(),
        ),
    };
    let after = match (c.end_date, c.end_reason) {
        (Some(end), reason) => {
            let mut text = t.with("assistance-benefit-ends", &[("date", &end.to_string())]);
            if let Some(r) = reason {
                text = format!(
                    "{text} ({})",
                    t.get(&format!(
                        "assistance-termination-{}",
                        r.as_str().replace('_', "-")
                    ))
                );
            }
            if after.is_empty() {
                text
            } else {
                format!("{after}; {text}")
            }
        }
        _ => after,
    };
    ChangeLine {
        kind: label,
        effective: c.effective.to_string(),
        by: c.by_name.clone(),
        at: crate::time::minutes(c.at),
        reason: c.reason.clone(),
        before,
        after,
    }
}

fn step_detail(t: &Tr<'_>, step: &Step) -> String {
    match step {
        Step::Apply { on_behalf: true } => t.get("assistance-on-behalf"),
        Step::Apply { on_behalf: false } => String::new(),
        Step::CheckMeans { income_per_capita } => t.with(
            "assistance-history-income",
            &[("amount", &income_per_capita.yuan())],
        ),
        Step::PostNotice { from } => {
            t.with("assistance-history-notice", &[("from", &from.to_string())])
        }
        Step::Refuse { reason } | Step::Withdraw { reason } => {
            t.with("assistance-history-reason", &[("reason", reason)])
        }
        Step::VisitHome | Step::ReviewInCommunity | Step::Approve | Step::Import => String::new(),
    }
}

async fn case_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    extras: CaseExtras,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let c = state.service.case(actor, id).await?;
    let t = state.i18n.tr(lang);
    let increments = c
        .benefit
        .as_ref()
        .map(|b| b.increments.clone())
        .unwrap_or_default();
    let members = c
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| MemberLine {
            id: m.id,
            name: m.name.clone(),
            id_number: m.id_number.clone(),
            sex: t.get(&format!("assistance-sex-{}", m.sex.to_lowercase())),
            age: m.age,
            relation: relation_label(&t, m.relation),
            disability_grade: m.disability_grade,
            severe_illness: m.severe_illness,
            employment: employment_label(&t, m.employment),
            self_care: m
                .self_care
                .map(|s| t.get(&format!("assistance-self-care-{}", dashed(s.as_str()))))
                .unwrap_or_default(),
            increment: increments
                .get(i)
                .filter(|f| !f.is_zero())
                .map(|f| f.yuan())
                .unwrap_or_default(),
            revealed: extras
                .revealed
                .as_ref()
                .filter(|(mid, _)| *mid == m.id)
                .map(|(_, n)| n.clone()),
            reveal_error: extras
                .reveal_error
                .as_ref()
                .filter(|(mid, _)| *mid == m.id)
                .map(|(_, e)| e.clone()),
        })
        .collect();
    let history = c
        .actions
        .iter()
        .map(|a| HistoryLine {
            step: step_label(&t, a.step.kind()),
            on: a.on.to_string(),
            by: a.by_name.clone(),
            at: crate::time::minutes(a.at),
            detail: step_detail(&t, &a.step),
            note: a.note.clone(),
        })
        .collect();
    let on_notice = matches!(c.status, Status::OnNotice { .. });
    let steps = c
        .allowed_next
        .iter()
        .map(|k| StepForm {
            kind: k.as_str(),
            label: step_label(&t, *k),
            decides: matches!(k, StepKind::Approve) || (on_notice && *k == StepKind::Refuse),
        })
        .collect();
    let status_detail = match &c.status {
        Status::OnNotice { until } => t.with("assistance-until", &[("date", &until.to_string())]),
        Status::Approved { on } | Status::Applied { on } => on.to_string(),
        Status::Refused { reason } | Status::Withdrawn { reason } => reason.clone(),
        _ => String::new(),
    };
    let has_notice = c
        .actions
        .iter()
        .any(|a| matches!(a.step, Step::PostNotice { .. }));
    let b = c.benefit.as_ref();
    let changes = c
        .dynamics
        .changes
        .iter()
        .map(|x| change_line(&t, x))
        .collect();
    let termination_reasons = <service::assistance::TerminationReason as Code>::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                t.get(&format!(
                    "assistance-termination-{}",
                    r.as_str().replace('_', "-")
                )),
            )
        })
        .collect();
    let communities = if c.dynamics.may_change {
        state
            .service
            .assistance_divisions(actor)
            .await?
            .into_iter()
            .filter(|d| {
                matches!(
                    d.code.level(),
                    DivisionLevel::Community | DivisionLevel::Village
                )
            })
            .map(|d| (d.code.as_str().to_owned(), d.name))
            .collect()
    } else {
        Vec::new()
    };
    let grants = grants::case_lines(state, &t, actor, c.household.id).await?;
    let payments = crate::payroll::payment_lines(state, &t, actor, id).await?;
    let page = CasePage {
        means: means::sections(&t, &c.means),
        grants,
        can_grant: grants::may_grant(actor),
        changes,
        payments,
        change_kind: extras.change_kind,
        termination_reasons,
        communities,
        t,
        path: format!("/assistance/{id}"),
        me: Some(Me::of(state, lang, signed)),
        program: program_label(&t, c.program),
        status: status_label(&t, c.status.code()),
        status_code: c.status.code(),
        status_detail,
        area: area_label(&t, c.household.area),
        members,
        history,
        steps,
        benefit_standard: yuan(b.map(|b| b.standard)),
        benefit_base: yuan(b.map(|b| b.base)),
        benefit_total: yuan(b.map(|b| b.total)),
        benefit_month: b.map(|b| b.month.to_string()).unwrap_or_default(),
        benefit_problem: c.benefit_problem.map(|code| t.error_code(code, "")),
        has_notice,
        today: state.service.today().to_string(),
        notice: extras.notice,
        conflict: extras.conflict,
        errors: extras.errors,
        typed: extras.typed,
        can_reveal: actor.may(Line::Assistance, Action::Reveal),
        c,
    };
    Ok(crate::render(state, lang, &page))
}

#[derive(Debug, Deserialize)]
struct CaseQueryParams {
    done: Option<String>,
}

async fn case_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<CaseQueryParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match q.done.as_deref() {
        Some("applied") => Some(t.get("assistance-notice-applied")),
        Some("step") => Some(t.get("assistance-notice-step")),
        Some("change") => Some(t.get("assistance-notice-change")),
        _ => None,
    };
    let extras = CaseExtras {
        notice,
        ..CaseExtras::default()
    };
    let result = async { case_view(&state, lang, &signed, parse_id(&id)?, extras).await }.await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// A step form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct StepFormInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    income_per_capita: String,
    #[serde(default)]
    notice_from: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

const STEP_FIELDS: &[&str] = &[
    "on",
    "income_per_capita",
    "notice_from",
    "reason",
    "note",
    "step",
];

/// The step a form or API body asks for, or the fields that could not be read.
fn parse_step(
    kind: &str,
    on: &str,
    income: &str,
    from: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<(Step, NaiveDate), service::Error> {
    let mut errors = Vec::new();
    let date = |field: &'static str, text: &str, errors: &mut Vec<FieldError>| {
        if text.trim().is_empty() {
            return Some(today);
        }
        domain::parse_date(text)
            .map_err(|e| errors.push(FieldError::new(field, e.code(), text)))
            .ok()
    };
    let on = date("on", on, &mut errors);
    let step = match kind.trim() {
        "check_means" => Fen::from_yuan_str(income)
            .map_err(|e| errors.push(FieldError::new("income_per_capita", e.code(), income)))
            .ok()
            .map(|income_per_capita| Step::CheckMeans { income_per_capita }),
        "visit_home" => Some(Step::VisitHome),
        "review_in_community" => Some(Step::ReviewInCommunity),
        "post_notice" => {
            date("notice_from", from, &mut errors).map(|from| Step::PostNotice { from })
        }
        "approve" => Some(Step::Approve),
        "refuse" => Some(Step::Refuse {
            reason: reason.to_owned(),
        }),
        "withdraw" => Some(Step::Withdraw {
            reason: reason.to_owned(),
        }),
        other => {
            errors.push(FieldError::new("step", "assistance.step_unknown", other));
            None
        }
    };
    match (step, on, errors.is_empty()) {
        (Some(step), Some(on), true) => Ok((step, on)),
        _ => Err(service::Error::Invalid(errors)),
    }
}

/// Whether the actor may record anything at all (steps, or decisions).
fn may_record(state: &AppState, actor: &Actor) -> Result<(), service::Error> {
    state
        .service
        .authorize(actor, Line::Assistance, Action::Write)
        .or_else(|_| {
            state
                .service
                .authorize(actor, Line::Assistance, Action::Approve)
        })
}

async fn record_step(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<StepFormInput>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        may_record(&state, signed.actor())?;
        let id = parse_id(&id)?;
        let outcome = match parse_step(
            &form.kind,
            &form.on,
            &form.income_per_capita,
            &form.notice_from,
            &form.reason,
            state.service.today(),
        ) {
            Err(e) => Err(e),
            Ok((step, on)) => {
                let version = form.version.trim().parse::<i64>().unwrap_or(-1);
                let input = StepInput {
                    step,
                    on,
                    note: form.note.clone(),
                };
                state
                    .service
                    .record_step(signed.actor(), id, version, input)
                    .await
            }
        };
        match outcome {
            Ok(_) => Ok(Redirect::to(&format!("/assistance/{id}?done=step")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let extras = CaseExtras {
                    errors: FieldErrors::new(&t, &errors, STEP_FIELDS),
                    typed: form.clone(),
                    ..CaseExtras::default()
                };
                let mut response = case_view(&state, lang, &signed, id, extras).await?;
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
            Err(service::Error::Conflict { code, detail }) => {
                let extras = CaseExtras {
                    conflict: Some(t.error_code(code, &detail)),
                    ..CaseExtras::default()
                };
                let mut response = case_view(&state, lang, &signed, id, extras).await?;
                *response.status_mut() = StatusCode::CONFLICT;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Deserialize)]
struct RevealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn reveal(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path((id, member_id)): Path<(String, String)>,
    Form(form): Form<RevealForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let id = parse_id(&id)?;
        let member_id = parse_id(&member_id)?;
        match state
            .service
            .reveal_id_number(signed.actor(), id, member_id, &form.reason)
            .await
        {
            Ok(number) => {
                let extras = CaseExtras {
                    revealed: Some((member_id, number)),
                    ..CaseExtras::default()
                };
                case_view(&state, lang, &signed, id, extras).await
            }
            Err(service::Error::Invalid(errors)) => {
                let message = errors
                    .iter()
                    .map(|e| t.error_code(e.code, &e.detail))
                    .collect::<Vec<_>>()
                    .join(";");
                let extras = CaseExtras {
                    reveal_error: Some((member_id, message)),
                    ..CaseExtras::default()
                };
                let mut response = case_view(&state, lang, &signed, id, extras).await?;
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    no_store(
        result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response()),
    )
}

// ---------------------------------------------------------------------------------------
// The printable notice

struct NoticeLine {
    name: String,
    relation: String,
}

#[derive(Template)]
#[template(path = "assistance_notice.html")]
struct NoticePage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    id: i64,
    title: String,
    division: String,
    persons: usize,
    members: Vec<NoticeLine>,
    income: String,
    standard: String,
    amount: String,
    month: String,
    from: String,
    until: String,
    intro: String,
    objection: String,
    from_month: String,
}

async fn notice_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        let n = state.service.notice(signed.actor(), id).await?;
        let t = state.i18n.tr(lang);
        let program = program_label(&t, n.program);
        let from = n.notice_from.to_string();
        let until = n.notice_until.to_string();
        let month = n.month.map(|m| m.to_string()).unwrap_or_default();
        let intro = t.with(
            "assistance-notice-intro",
            &[
                ("division", &n.division_name),
                ("program", &program),
                ("head", &n.head),
                ("persons", &n.persons.to_string()),
            ],
        );
        let objection = t.with(
            "assistance-notice-objection",
            &[("from", &from), ("until", &until)],
        );
        let from_month = t.with("assistance-notice-from-month", &[("month", &month)]);
        let page = NoticePage {
            t,
            path: format!("/assistance/{id}/notice"),
            me: Some(Me::of(&state, lang, &signed)),
            id,
            title: t.with(
                "assistance-notice-heading",
                &[("division", &n.division_name), ("program", &program)],
            ),
            division: n.division_name.clone(),
            persons: n.persons,
            members: n
                .members
                .iter()
                .map(|m| NoticeLine {
                    name: m.name.clone(),
                    relation: relation_label(&t, m.relation),
                })
                .collect(),
            income: yuan(n.income_per_capita),
            standard: yuan(n.standard),
            amount: yuan(n.amount),
            month,
            from,
            until,
            intro,
            objection,
            from_month,
        };
        Ok::<_, service::Error>(crate::render(&state, lang, &page))
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// Standards

struct StandardLine {
    program: String,
    area: String,
    from: String,
    amount: String,
    citation: String,
}

/// The new standard's form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct StandardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    citation: String,
}

const STANDARD_FIELDS: &[&str] = &["program", "area", "effective_from", "amount", "citation"];

/// The impact of the typed standard, in words.
struct ImpactView {
    text: String,
}

#[derive(Template)]
#[template(path = "assistance_standards.html")]
struct StandardsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<StandardLine>,
    can_edit: bool,
    form: StandardForm,
    programs: Vec<Choice>,
    areas: Vec<Choice>,
    impact: Option<ImpactView>,
    errors: FieldErrors,
    notice: Option<String>,
}

fn standard_line(t: &Tr<'_>, s: &Standard) -> StandardLine {
    StandardLine {
        program: program_label(t, s.program),
        area: area_label(t, s.area),
        from: s.effective_from.to_string(),
        amount: s.amount.yuan(),
        citation: s.citation.clone(),
    }
}

async fn standards_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: StandardForm,
    impact: Option<ImpactView>,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let standards = state.service.standards(actor).await?;
    let t = state.i18n.tr(lang);
    let has_errors = !errors.is_empty();
    let page = StandardsPage {
        t,
        path: "/assistance/standards".into(),
        me: Some(Me::of(state, lang, signed)),
        rows: standards.iter().map(|s| standard_line(&t, s)).collect(),
        can_edit: may_edit_standards(actor),
        programs: program_choices(&t, &form.program),
        areas: ["urban", "rural"]
            .iter()
            .map(|a| Choice::new(*a, t.get(&format!("area-{a}")), &form.area))
            .collect(),
        form,
        impact,
        errors,
        notice,
    };
    let mut response = crate::render(state, lang, &page);
    if has_errors {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

async fn standards_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = (q.done.as_deref() == Some("saved")).then(|| t.get("assistance-standard-saved"));
    standards_view(
        &state,
        lang,
        &signed,
        StandardForm::default(),
        None,
        FieldErrors::default(),
        notice,
    )
    .await
    .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// The typed standard as the service's input, or the fields that could not be read.
fn standard_input(form: &StandardForm) -> Result<StandardInput, service::Error> {
    let mut errors = Vec::new();
    let from = domain::parse_date(&form.effective_from)
        .map_err(|e| {
            errors.push(FieldError::new(
                "effective_from",
                e.code(),
                form.effective_from.clone(),
            ));
        })
        .ok();
    let amount = Fen::from_yuan_str(&form.amount)
        .map_err(|e| errors.push(FieldError::new("amount", e.code(), form.amount.clone())))
        .ok();
    match (from, amount) {
        (Some(effective_from), Some(amount)) => Ok(StandardInput {
            program: form.program.clone(),
            area: form.area.clone(),
            effective_from,
            amount,
            citation: form.citation.clone(),
        }),
        _ => Err(service::Error::Invalid(errors)),
    }
}

/// The first step: the impact of the typed standard, with a button that saves it.
async fn preview_standard(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<StandardForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        if !may_edit_standards(signed.actor()) {
            return Err(service::Error::Forbidden);
        }
        let impact = match standard_input(&form) {
            Ok(input) => state.service.standard_impact(signed.actor(), &input).await,
            Err(e) => Err(e),
        };
        match impact {
            Ok(i) => {
                let view = ImpactView {
                    text: t.with(
                        "assistance-impact",
                        &[
                            ("month", &i.month.to_string()),
                            ("households", &i.households.to_string()),
                            ("persons", &i.persons.to_string()),
                            ("change", &Fen::from_fen(i.monthly_change_fen).yuan()),
                        ],
                    ),
                };
                standards_view(
                    &state,
                    lang,
                    &signed,
                    form.clone(),
                    Some(view),
                    FieldErrors::default(),
                    None,
                )
                .await
            }
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, STANDARD_FIELDS);
                standards_view(&state, lang, &signed, form.clone(), None, errors, None).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// The second step: saves the standard whose impact was shown.
async fn save_standard(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<StandardForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        if !may_edit_standards(signed.actor()) {
            return Err(service::Error::Forbidden);
        }
        let saved = match standard_input(&form) {
            Ok(input) => state.service.set_standard(signed.actor(), &input).await,
            Err(e) => Err(e),
        };
        match saved {
            Ok(()) => Ok(Redirect::to("/assistance/standards?done=saved").into_response()),
            Err(service::Error::Invalid(errors)) => {
                let errors = FieldErrors::new(&t, &errors, STANDARD_FIELDS);
                standards_view(&state, lang, &signed, form.clone(), None, errors, None).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// API

/// A case in a list, as the API shows it.
#[derive(Debug, Serialize)]
pub struct CaseJson {
    pub id: i64,
    pub program: &'static str,
    pub status: &'static str,
    pub overdue: bool,
    pub active: bool,
    pub version: i64,
    pub applied_on: String,
    pub division: String,
    pub division_name: String,
    pub address: String,
    pub head_name: String,
    /// Masked.
    pub head_id_number: String,
    pub members: i64,
    /// Yuan, e.g. `200.00`.
    pub income_per_capita: Option<String>,
    pub benefit_start: Option<String>,
}

impl From<&CaseListItem> for CaseJson {
    fn from(c: &CaseListItem) -> Self {
        Self {
            id: c.id,
            program: c.program.as_str(),
            status: c.status.as_str(),
            overdue: c.overdue,
            active: c.active,
            version: c.version,
            applied_on: c.applied_on.to_string(),
            division: c.division.to_string(),
            division_name: c.division_name.clone(),
            address: c.address.clone(),
            head_name: c.head_name.clone(),
            head_id_number: c.head_id_number.clone(),
            members: c.members,
            income_per_capita: c.income_per_capita.map(Fen::yuan),
            benefit_start: c.benefit_start.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CasePageJson {
    pub items: Vec<CaseJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Serialize)]
pub struct MemberJson {
    pub id: i64,
    pub name: String,
    /// Masked.
    pub id_number: String,
    pub sex: String,
    pub age: u32,
    pub relation: &'static str,
    pub disability_grade: u8,
    pub severe_illness: bool,
    pub employment: &'static str,
    pub self_care: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct ActionJson {
    pub seq: i64,
    pub step: &'static str,
    pub on: String,
    pub by: String,
    pub by_name: String,
    pub at: String,
    pub note: String,
    pub income_per_capita: Option<String>,
    pub notice_from: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BenefitJson {
    pub month: String,
    pub standard: String,
    pub base: String,
    pub increments: Vec<String>,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct CaseDetailJson {
    pub id: i64,
    pub program: &'static str,
    pub version: i64,
    pub status: &'static str,
    pub active: bool,
    pub division: String,
    pub division_name: String,
    pub address: String,
    pub area: &'static str,
    pub members: Vec<MemberJson>,
    pub actions: Vec<ActionJson>,
    pub allowed_next: Vec<&'static str>,
    pub decision_due: Option<String>,
    pub overdue: bool,
    pub income_per_capita: Option<String>,
    pub benefit_start: Option<String>,
    pub benefit: Option<BenefitJson>,
}

fn case_json(c: &CaseDetail) -> CaseDetailJson {
    CaseDetailJson {
        id: c.id,
        program: c.program.as_str(),
        version: c.version,
        status: c.status.code(),
        active: c.active,
        division: c.household.division.to_string(),
        division_name: c.household.division_name.clone(),
        address: c.household.address.clone(),
        area: c.household.area.as_str(),
        members: c
            .members
            .iter()
            .map(|m| MemberJson {
                id: m.id,
                name: m.name.clone(),
                id_number: m.id_number.clone(),
                sex: m.sex.clone(),
                age: m.age,
                relation: m.relation.as_str(),
                disability_grade: m.disability_grade,
                severe_illness: m.severe_illness,
                employment: m.employment.as_str(),
                self_care: m.self_care.map(|s| s.as_str()),
            })
            .collect(),
        actions: c
            .actions
            .iter()
            .map(|a| ActionJson {
                seq: a.seq,
                step: a.step.kind().as_str(),
                on: a.on.to_string(),
                by: a.by.clone(),
                by_name: a.by_name.clone(),
                at: a.at.to_rfc3339(),
                note: a.note.clone(),
                income_per_capita: match &a.step {
                    Step::CheckMeans { income_per_capita } => Some(income_per_capita.yuan()),
                    _ => None,
                },
                notice_from: match &a.step {
                    Step::PostNotice { from } => Some(from.to_string()),
                    _ => None,
                },
                reason: match &a.step {
                    Step::Refuse { reason } | Step::Withdraw { reason } => Some(reason.clone()),
                    _ => None,
                },
            })
            .collect(),
        allowed_next: c.allowed_next.iter().map(|k| k.as_str()).collect(),
        decision_due: c.decision_due.map(|d| d.to_string()),
        overdue: c.overdue,
        income_per_capita: c.income_per_capita.map(Fen::yuan),
        benefit_start: c.benefit_start.map(|d| d.to_string()),
        benefit: c.benefit.as_ref().map(|b| BenefitJson {
            month: b.month.to_string(),
            standard: b.standard.yuan(),
            base: b.base.yuan(),
            increments: b.increments.iter().map(|f| f.yuan()).collect(),
            total: b.total.yuan(),
        }),
    }
}

/// An API refusal; a conflict's message names who changed the case and when.
fn api_error(t: &Tr<'_>, e: service::Error) -> Response {
    let detail = match &e {
        service::Error::Conflict { code, detail } => Some(t.error_code(code, detail)),
        _ => None,
    };
    let mut error = ApiError::from_service(t, e);
    if let Some(message) = detail {
        error.message = message;
    }
    error.into_response()
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<CaseParams>,
) -> Response {
    let (query, program) = params.query();
    match state.service.cases(&actor, &query, program).await {
        Ok(Page {
            items,
            total,
            page,
            per_page,
        }) => Json(CasePageJson {
            items: items.iter().map(CaseJson::from).collect(),
            total,
            page,
            per_page,
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_case(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.case(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(c) => Json(case_json(&c)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

/// One member in `POST /api/v1/assistance/cases`.
#[derive(Debug, Deserialize)]
pub struct NewMemberJson {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub disability_grade: u8,
    #[serde(default)]
    pub severe_illness: bool,
    #[serde(default)]
    pub employment: String,
    #[serde(default)]
    pub self_care: Option<String>,
}

/// The body of `POST /api/v1/assistance/cases`. Missing fields are empty and refused field
/// by field.
#[derive(Debug, Deserialize)]
pub struct NewCaseJson {
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub area: Option<String>,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub applied_on: Option<String>,
    #[serde(default)]
    pub on_behalf: bool,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub members: Vec<NewMemberJson>,
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_create(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<NewCaseJson>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        state
            .service
            .authorize(&actor, Line::Assistance, Action::Write)?;
        let applied_on = match body.applied_on.as_deref().filter(|d| !d.trim().is_empty()) {
            None => state.service.today(),
            Some(text) => domain::parse_date(text).map_err(|e| {
                service::Error::invalid(FieldError::new("applied_on", e.code(), text))
            })?,
        };
        let input = ApplicationInput {
            community: body.community,
            address: body.address,
            program: body.program,
            area: body.area,
            members: body
                .members
                .into_iter()
                .map(|m| MemberInput {
                    name: m.name,
                    id_number: m.id_number,
                    relation: m.relation,
                    disability_grade: m.disability_grade,
                    severe_illness: m.severe_illness,
                    employment: m.employment,
                    self_care: m.self_care,
                })
                .collect(),
            on_behalf: body.on_behalf,
            applied_on,
            note: body.note,
        };
        state.service.register_application(&actor, input).await
    }
    .await;
    match result {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => api_error(&t, e),
    }
}

/// The step of `POST /api/v1/assistance/cases/{id}/steps`.
#[derive(Debug, Deserialize)]
pub struct StepJson {
    #[serde(default)]
    pub kind: String,
    /// `check_means`: yuan, e.g. `"200.00"`.
    #[serde(default)]
    pub income_per_capita: Option<String>,
    /// `post_notice`: the first day of the notice.
    #[serde(default)]
    pub from: Option<String>,
    /// `refuse` and `withdraw`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The body of `POST /api/v1/assistance/cases/{id}/steps`.
#[derive(Debug, Deserialize)]
pub struct StepBodyJson {
    /// The version the caller last read.
    #[serde(default)]
    pub version: i64,
    pub step: StepJson,
    /// The day of the step; today when absent.
    #[serde(default)]
    pub on: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize)]
struct VersionJson {
    version: i64,
}

async fn api_step(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<StepBodyJson>,
) -> Response {
    let result = async {
        may_record(&state, &actor)?;
        let id = parse_id(&id)?;
        let (step, on) = parse_step(
            &body.step.kind,
            body.on.as_deref().unwrap_or_default(),
            body.step.income_per_capita.as_deref().unwrap_or_default(),
            body.step.from.as_deref().unwrap_or_default(),
            body.step.reason.as_deref().unwrap_or_default(),
            state.service.today(),
        )?;
        let input = StepInput {
            step,
            on,
            note: body.note,
        };
        state
            .service
            .record_step(&actor, id, body.version, input)
            .await
    }
    .await;
    match result {
        Ok(version) => Json(VersionJson { version }).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
pub struct StandardJson {
    pub program: &'static str,
    pub area: &'static str,
    pub effective_from: String,
    /// Yuan per person per month.
    pub amount: String,
    pub citation: String,
}

async fn api_standards(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.standards(&actor).await {
        Ok(rows) => Json(
            rows.iter()
                .map(|s| StandardJson {
                    program: s.program.as_str(),
                    area: s.area.as_str(),
                    effective_from: s.effective_from.to_string(),
                    amount: s.amount.yuan(),
                    citation: s.citation.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}
