//! 数据比对 on the web: the task list (`/assistance/checks`, with filters, CSV/XLSX export,
//! the latest runs and the "run now" button), closing a task, the death-file upload
//! (`/assistance/checks/deaths`, `multipart/form-data`, CSRF first like the roster upload),
//! and the same under `/api/v1/assistance/checks`. Every rule is in
//! `service::assistance::checks`.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Action, DivisionLevel, Line};
use serde::{Deserialize, Serialize};
use service::Actor;
use service::assistance::checks::{
    DeathImport, FindingKind, Origin, RunSummary, TaskQuery, TaskSort, TaskStatus, TaskView,
};
use service::list::Code;

use super::{api_error, parse_id};
use crate::auth::{ApiCaller, Signed};
use crate::export::{self, Table};
use crate::list::{self, Choice, ListParams, Pager, SortHeader};
use crate::reject::{ApiQuery, Form, Query};
use crate::{AppState, Lang, Me, PageError, Tr, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/checks", get(tasks_page))
        .route("/assistance/checks/export.csv", get(export_csv))
        .route("/assistance/checks/export.xlsx", get(export_xlsx))
        .route("/assistance/checks/run", post(run))
        .route(
            "/assistance/checks/deaths",
            get(deaths_page).post(deaths_upload),
        )
        .route("/assistance/checks/tasks/{id}/close", post(close))
        .route("/api/v1/assistance/checks/tasks", get(api_tasks))
        .route(
            "/api/v1/assistance/checks/tasks/{id}/close",
            post(api_close),
        )
        .route(
            "/api/v1/assistance/checks/runs",
            get(api_runs).post(api_run),
        )
        .route("/api/v1/assistance/checks/deaths", post(api_deaths))
}

/// Whether the actor may run the checks and import deaths (the service's rule, checked here
/// too so the button and the form are shown only to them).
fn may_run(actor: &Actor) -> bool {
    actor.may(Line::Assistance, Action::Approve) && actor.may(Line::Assistance, Action::Write)
}

fn kind_label(t: &Tr<'_>, k: FindingKind) -> String {
    t.get(&format!("checks-kind-{}", k.as_str().replace('_', "-")))
}

/// A task's `key=value` detail in words: each known key has a message
/// `checks-detail-<key>` taking `$value`; rule and refusal codes become their own messages.
/// A value may contain spaces (a death record's source): words without `=` continue it.
fn detail_words(t: &Tr<'_>, detail: &str) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for word in detail.split(' ') {
        match word.split_once('=') {
            Some((key, value)) => pairs.push((key, value.to_owned())),
            None => {
                if let Some((_, value)) = pairs.last_mut() {
                    value.push(' ');
                    value.push_str(word);
                }
            }
        }
    }
    pairs
        .into_iter()
        .map(|(key, value)| {
            let value = match key {
                "rule" => t.error_code(&value, ""),
                "column" => t.get(&format!("checks-column-{value}")),
                "not_recorded" if matches!(value.as_str(), "no_case" | "not_paying") => {
                    t.get(&format!("checks-not-recorded-{}", value.replace('_', "-")))
                }
                "not_recorded" => t.error_code(&value, ""),
                _ => value,
            };
            const KNOWN: &[&str] = &[
                "households",
                "cases",
                "members",
                "rule",
                "column",
                "expected",
                "died_on",
                "source",
                "stopped_from",
                "not_recorded",
            ];
            if KNOWN.contains(&key) {
                let id = format!("checks-detail-{}", key.replace('_', "-"));
                t.with(&id, &[("value", &value)])
            } else {
                format!("{key}={value}")
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn status_label(t: &Tr<'_>, s: TaskStatus) -> String {
    t.get(&format!("checks-status-{}", s.as_str()))
}

/// The list's URL parameters: the list pattern's and the kind.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskParams {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    kind: String,
}

impl TaskParams {
    fn query(&self) -> TaskQuery {
        TaskQuery {
            list: self.list.query(),
            kind: FindingKind::parse(&self.kind),
        }
    }
}

fn with_kind(href: &str, kind: Option<FindingKind>) -> String {
    match kind {
        None => href.to_owned(),
        Some(k) if href.contains('?') => format!("{href}&kind={}", k.as_str()),
        Some(k) => format!("{href}?kind={}", k.as_str()),
    }
}

/// One task as JSON and as a list row: the ID number masked.
#[derive(Debug, Serialize)]
pub struct TaskJson {
    pub id: i64,
    pub kind: &'static str,
    pub status: &'static str,
    pub street: String,
    pub street_name: String,
    pub division: String,
    pub division_name: String,
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub name: String,
    pub id_number: String,
    pub detail: String,
    pub created_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub note: Option<String>,
}

impl From<TaskView> for TaskJson {
    fn from(t: TaskView) -> Self {
        Self {
            id: t.id,
            kind: t.kind.as_str(),
            status: t.status.as_str(),
            street: t.street.as_str().to_owned(),
            street_name: t.street_name,
            division: t.division.as_str().to_owned(),
            division_name: t.division_name,
            household_id: t.household_id,
            case_id: t.case_id,
            name: t.person_name,
            id_number: t.id_masked,
            detail: t.detail,
            created_at: crate::time::seconds(t.created_at),
            closed_by: t.closed_by,
            closed_at: t.closed_at.map(crate::time::seconds),
            note: t.note,
        }
    }
}

/// A run as JSON.
#[derive(Debug, Serialize)]
pub struct RunJson {
    pub id: i64,
    pub origin: &'static str,
    pub by: String,
    pub started_at: String,
    pub finished_at: String,
    pub duplicates: i64,
    pub invalid_ids: i64,
    pub deaths: i64,
    pub deaths_recorded: i64,
    pub tasks_created: i64,
}

impl From<&RunSummary> for RunJson {
    fn from(r: &RunSummary) -> Self {
        Self {
            id: r.run_id,
            origin: r.origin.as_str(),
            by: r.by.clone(),
            started_at: crate::time::seconds(r.started_at),
            finished_at: crate::time::seconds(r.finished_at),
            duplicates: r.duplicates,
            invalid_ids: r.invalid_ids,
            deaths: r.deaths,
            deaths_recorded: r.deaths_recorded,
            tasks_created: r.tasks_created,
        }
    }
}

fn run_line(t: &Tr<'_>, r: &RunSummary) -> String {
    t.with(
        "checks-run-line",
        &[
            ("at", &crate::time::minutes(r.started_at)),
            (
                "origin",
                &t.get(&format!("checks-origin-{}", r.origin.as_str())),
            ),
            ("by", &r.by),
            ("duplicates", &r.duplicates.to_string()),
            ("invalid", &r.invalid_ids.to_string()),
            ("deaths", &r.deaths.to_string()),
            ("recorded", &r.deaths_recorded.to_string()),
            ("tasks", &r.tasks_created.to_string()),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// The task list

struct TaskLine {
    task: TaskJson,
    /// The detail in words.
    detail: String,
    kind: String,
    status: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "assistance_checks.html")]
struct TasksPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: String,
    sort: String,
    desc: bool,
    divisions: Vec<Choice>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    columns: Vec<SortHeader>,
    rows: Vec<TaskLine>,
    pager: Pager,
    export_csv: String,
    export_xlsx: String,
    runs: Vec<String>,
    can_run: bool,
    can_close: bool,
    can_export: bool,
}

async fn tasks_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<TaskParams>,
) -> Response {
    let actor = signed.actor();
    let query = params.query();
    let result = async {
        let page = state.service.check_tasks(actor, &query).await?;
        let divisions = state.service.assistance_divisions(actor).await?;
        let runs = state.service.check_runs(actor, 5).await?;
        Ok::<_, service::Error>((page, divisions, runs))
    }
    .await;
    let (page, divisions, runs) = match result {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let current_division = query
        .list
        .division
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let status = query.list.status.map(|s| s.as_str()).unwrap_or_default();
    let kind = query.kind.map(|k| k.as_str()).unwrap_or_default();
    let base = "/assistance/checks";
    let all_pages = list::query_string(&query.list, None);
    let mut pager = Pager::new(&t, base, &query.list, &page);
    pager.prev = pager.prev.map(|h| with_kind(&h, query.kind));
    pager.next = pager.next.map(|h| with_kind(&h, query.kind));
    for l in &mut pager.links {
        l.href = with_kind(&l.href, query.kind);
    }
    let columns = list::sort_headers(
        base,
        &query.list,
        TaskSort::Created,
        TaskSort::ALL
            .iter()
            .map(|s| (*s, t.get(&format!("checks-col-{}", s.as_str()))))
            .collect(),
    )
    .into_iter()
    .map(|mut c| {
        c.href = with_kind(&c.href, query.kind);
        c
    })
    .collect();
    let view = TasksPage {
        q: query.list.q.clone(),
        sort: query
            .list
            .sort
            .map(|s| s.as_str())
            .unwrap_or_default()
            .to_owned(),
        desc: query.list.descending,
        divisions: divisions
            .into_iter()
            .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
            .map(|d| Choice::new(d.code.to_string(), d.name, &current_division))
            .collect(),
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), status_label(&t, *s), status))
            .collect(),
        kinds: FindingKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), kind_label(&t, *k), kind))
            .collect(),
        columns,
        rows: page
            .items
            .into_iter()
            .map(|v| TaskLine {
                detail: detail_words(&t, &v.detail),
                kind: kind_label(&t, v.kind),
                status: status_label(&t, v.status),
                open: v.status == TaskStatus::Open,
                task: v.into(),
            })
            .collect(),
        pager,
        export_csv: with_kind(
            &list::href("/assistance/checks/export.csv", &all_pages),
            query.kind,
        ),
        export_xlsx: with_kind(
            &list::href("/assistance/checks/export.xlsx", &all_pages),
            query.kind,
        ),
        runs: runs.iter().map(|r| run_line(&t, r)).collect(),
        can_run: may_run(actor),
        can_close: actor.may(Line::Assistance, Action::Write),
        can_export: actor.may(Line::Assistance, Action::Export),
        me: Some(Me::of(&state, lang, &signed)),
        path: base.into(),
        t,
    };
    crate::render(&state, lang, &view)
}

fn export_table(t: &Tr<'_>, tasks: Vec<TaskView>) -> Table {
    let header = [
        "id",
        "kind",
        "status",
        "street",
        "division",
        "household",
        "case",
        "name",
        "id-number",
        "detail",
        "created",
        "closed-by",
        "closed-at",
        "note",
    ]
    .iter()
    .map(|c| t.get(&format!("checks-export-{c}")))
    .collect();
    let rows = tasks
        .into_iter()
        .map(|v| {
            let kind = kind_label(t, v.kind);
            let status = status_label(t, v.status);
            let detail = detail_words(t, &v.detail);
            let j = TaskJson::from(v);
            vec![
                j.id.to_string(),
                kind,
                status,
                j.street_name,
                j.division_name,
                j.household_id.to_string(),
                j.case_id.map(|c| c.to_string()).unwrap_or_default(),
                j.name,
                j.id_number,
                detail,
                j.created_at,
                j.closed_by.unwrap_or_default(),
                j.closed_at.unwrap_or_default(),
                j.note.unwrap_or_default(),
            ]
        })
        .collect();
    Table::new(header, rows).numeric(&[0, 5, 6])
}

async fn exported(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &TaskParams,
) -> Result<(Table, String), service::Error> {
    let tasks = state
        .service
        .export_check_tasks(signed.actor(), &params.query())
        .await?;
    let table = export_table(&state.i18n.tr(lang), tasks);
    let stamp = crate::time::day_stamp(state.service.now());
    Ok((table, format!("assistance-checks-{stamp}")))
}

async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<TaskParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "checks-sheet",
        exported,
    )
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<TaskParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "checks-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// Running and closing

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn run(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .run_checks(signed.actor(), Origin::Manual)
            .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/assistance/checks?status=open").into_response(),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

/// A closing as a form or a JSON body: `resolved` or `dismissed`, and the note.
#[derive(Debug, Default, Deserialize)]
pub struct CloseBody {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
}

async fn apply_close(
    state: &AppState,
    actor: &Actor,
    id: &str,
    body: &CloseBody,
) -> Result<(), service::Error> {
    let id = parse_id(id)?;
    let status = match TaskStatus::parse(&body.status) {
        Some(s) => s,
        // Checked by the service after the role and the jurisdiction.
        None => TaskStatus::Open,
    };
    state
        .service
        .close_check_task(actor, id, status, &body.note)
        .await
}

async fn close(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<CloseBody>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        apply_close(&state, signed.actor(), &id, &form).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/assistance/checks").into_response(),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// The death-file upload

#[derive(Template)]
#[template(path = "assistance_checks_deaths.html")]
struct DeathsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    summary: Option<String>,
    errors: Vec<String>,
}

fn deaths_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    summary: Option<String>,
    errors: Vec<String>,
) -> Response {
    let view = DeathsPage {
        t: state.i18n.tr(lang),
        path: "/assistance/checks/deaths".into(),
        me: Some(Me::of(state, lang, signed)),
        summary,
        errors,
    };
    crate::render(state, lang, &view)
}

async fn deaths_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    if !may_run(signed.actor()) {
        return PageError::for_user(&state, lang, &signed, service::Error::Forbidden)
            .into_response();
    }
    deaths_view(&state, lang, &signed, None, Vec::new())
}

fn import_summary(t: &Tr<'_>, r: &DeathImport) -> String {
    let mut text = t.with(
        "checks-deaths-done",
        &[
            ("rows", &r.rows.to_string()),
            ("stored", &r.stored.to_string()),
            ("known", &r.known.to_string()),
        ],
    );
    if let Some(run) = &r.run {
        text.push(' ');
        text.push_str(&run_line(t, run));
    }
    text
}

/// Reads the form: the CSRF token must come before the file (the form puts it first).
async fn read_death_file(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    req: Request,
) -> Result<Option<Vec<u8>>, Response> {
    reject::csrf_file(state, lang, signed, req).await
}

async fn deaths_upload(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    req: Request,
) -> Response {
    if !may_run(signed.actor()) {
        return PageError::for_user(&state, lang, &signed, service::Error::Forbidden)
            .into_response();
    }
    let file = match read_death_file(&state, lang, &signed, req).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let t = state.i18n.tr(lang);
    let Some(bytes) = file else {
        let mut response = deaths_view(
            &state,
            lang,
            &signed,
            None,
            vec![t.get("checks-deaths-missing-file")],
        );
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return response;
    };
    let response = match state.service.import_deaths(signed.actor(), &bytes).await {
        Ok(r) => deaths_view(
            &state,
            lang,
            &signed,
            Some(import_summary(&t, &r)),
            Vec::new(),
        ),
        Err(service::Error::Invalid(errors)) => {
            let lines = errors.iter().map(|e| t.field_error(e)).collect();
            let mut response = deaths_view(
                &state,
                lang,
                &signed,
                Some(t.with(
                    "checks-deaths-refused",
                    &[("errors", &errors.len().to_string())],
                )),
                lines,
            );
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    // The errors quote the file's personal data.
    crate::no_store(response)
}

// ---------------------------------------------------------------------------------------
// The API

#[derive(Debug, Serialize)]
pub struct TaskPageJson {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<TaskJson>,
}

async fn api_tasks(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<TaskParams>,
) -> Response {
    match state.service.check_tasks(&actor, &params.query()).await {
        Ok(page) => Json(TaskPageJson {
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            items: page.items.into_iter().map(TaskJson::from).collect(),
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_close(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<CloseBody>,
) -> Response {
    match apply_close(&state, &actor, &id, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_runs(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.check_runs(&actor, 20).await {
        Ok(runs) => Json(runs.iter().map(RunJson::from).collect::<Vec<_>>()).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_run(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.run_checks(&actor, Origin::Manual).await {
        Ok(run) => Json(RunJson::from(&run)).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
pub struct DeathImportJson {
    pub rows: usize,
    pub stored: usize,
    pub known: usize,
    pub run: Option<RunJson>,
}

/// The death file as the body, `text/csv` (UTF-8 or GBK).
async fn api_deaths(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let t = state.i18n.tr(lang);
    if !may_run(&actor) {
        return api_error(&t, service::Error::Forbidden);
    }
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if !is_csv {
        let e = service::Error::invalid(service::FieldError::new(
            "file",
            "checks.content_type",
            "text/csv",
        ));
        return crate::ApiError::from_service(&t, e)
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .into_response();
    }
    match state.service.import_deaths(&actor, &body).await {
        Ok(r) => Json(DeathImportJson {
            rows: r.rows,
            stored: r.stored,
            known: r.known,
            run: r.run.as_ref().map(RunJson::from),
        })
        .into_response(),
        Err(e) => api_error(&t, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_words_and_keep_spaces_in_values() {
        let i18n = crate::I18n::load();
        let t = i18n.tr(Lang::ZhCn);
        assert_eq!(
            detail_words(
                &t,
                "died_on=2014-03-05 source=市 殡仪馆 stopped_from=2014-04"
            ),
            "死亡日期 2014-03-05;来源 市 殡仪馆;已记录死亡,自 2014-04 起停发其份额"
        );
        assert_eq!(
            detail_words(&t, "rule=resident_id.check_char_mismatch"),
            "身份证号校验位对不上,请核对是否录错"
        );
        assert_eq!(
            detail_words(&t, "column=sex expected=M"),
            "登记的性别与身份证号不符;身份证号所示为 M"
        );
        assert_eq!(detail_words(&t, "odd=1 =x"), "odd=1;=x");
        assert_eq!(detail_words(&t, ""), "");
    }
}
