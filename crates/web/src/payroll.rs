//! Payroll pages and API: the run list (`/payroll`), a run with its difference from last
//! month and the approve button (`/payroll/{id}`), the ledger search with CSV/XLSX export
//! (`/payroll/ledger`), a household's payment history on the case page, and the same
//! through `/api/v1/payroll/…`. Runs are prepared from the run list's form (a month and a
//! programme, or every programme due) as `minzheng payroll run` does; a run cut short
//! (the request's time limit, a restart) is resumed by preparing it again. Approving is a
//! form like any other, with the CSRF token.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::Fen;
use serde::{Deserialize, Serialize};
use service::payroll::RunView;
use store::{LedgerEntry, LedgerFilter, LineSelection, RunLine, RunRecord};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::reject::{ApiQuery, Form, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export, list};

/// Lines or entries per page.
const PER_PAGE: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payroll", get(list_page).post(prepare))
        .route("/payroll/ledger", get(ledger_page))
        .route("/payroll/ledger/export.csv", get(ledger_csv))
        .route("/payroll/ledger/export.xlsx", get(ledger_xlsx))
        .route("/payroll/{id}", get(run_page))
        .route("/payroll/{id}/approve", post(approve))
        .route("/api/v1/payroll/runs", get(api_runs).post(api_prepare))
        .route("/api/v1/payroll/runs/{id}", get(api_run))
        .route("/api/v1/payroll/runs/{id}/lines", get(api_lines))
        .route("/api/v1/payroll/runs/{id}/approve", post(api_approve))
        .route("/api/v1/payroll/ledger", get(api_ledger))
        .route("/api/v1/assistance/cases/{id}/payments", get(api_payments))
}

fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

fn yuan(fen: i64) -> String {
    Fen::from_fen(fen).yuan_grouped()
}

/// A programme's name: an assistance programme's, or the veterans' (优抚金, 优待金).
pub(crate) fn program_label(t: &Tr<'_>, code: &str) -> String {
    let line = if code.starts_with("veterans") {
        "payroll"
    } else {
        "assistance"
    };
    t.get(&format!("{line}-program-{}", code.replace('_', "-")))
}

fn state_label(t: &Tr<'_>, code: &str) -> String {
    t.get(&format!("payroll-state-{code}"))
}

fn kind_label(t: &Tr<'_>, code: &str) -> String {
    t.get(&format!("payroll-kind-{}", code.replace('_', "-")))
}

fn selection(text: &str) -> LineSelection {
    match text {
        "added" => LineSelection::Added,
        "stopped" => LineSelection::Stopped,
        "changed" => LineSelection::Changed,
        "flagged" => LineSelection::Flagged,
        "corrections" => LineSelection::Corrections,
        _ => LineSelection::All,
    }
}

fn page_of(text: &str) -> i64 {
    text.trim().parse::<i64>().unwrap_or(1).max(1)
}

// ---------------------------------------------------------------------------------------
// The run list
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunsQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub done: String,
}

/// The prepare form: a month and a programme (empty: every programme due that month).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrepareForm {
    pub csrf: String,
    pub month: String,
    pub program: String,
}

struct RunRow {
    id: i64,
    month: String,
    program: String,
    state: String,
    households: i64,
    total: String,
    prepared_by: String,
    approved_by: String,
}

fn run_row(t: &Tr<'_>, r: &RunRecord) -> RunRow {
    RunRow {
        id: r.id,
        month: r.month.clone(),
        program: program_label(t, &r.program),
        state: state_label(t, &r.state),
        households: r.households,
        total: yuan(r.total_fen),
        prepared_by: r.prepared_by.clone(),
        approved_by: r.approved_by.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "payroll.html")]
struct ListView<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    month: String,
    rows: Vec<RunRow>,
    may_prepare: bool,
    form: PrepareForm,
    programs: Vec<list::Choice>,
    notice: Option<String>,
    errors: Vec<String>,
}

fn list_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    runs: &[RunRecord],
    month: String,
    form: PrepareForm,
    (notice, errors): (Option<String>, Vec<String>),
) -> Response {
    let t = state.i18n.tr(lang);
    let programs = ["dibao", "tekun_dispersed", "tekun_centralized", "veterans"]
        .into_iter()
        .map(|p| list::Choice::new(p, program_label(&t, p), &form.program))
        .collect();
    crate::render(
        state,
        lang,
        &ListView {
            path: "/payroll".into(),
            me: Some(Me::of(state, lang, signed)),
            rows: runs.iter().map(|r| run_row(&t, r)).collect(),
            may_prepare: signed
                .actor()
                .may(domain::Line::Payroll, domain::Action::Write),
            programs,
            form: PrepareForm {
                csrf: String::new(),
                ..form
            },
            notice,
            errors,
            month,
            t,
        },
    )
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<RunsQuery>,
) -> Response {
    let t = state.i18n.tr(lang);
    match state
        .service
        .payroll_runs(signed.actor(), Some(&q.month))
        .await
    {
        Ok(runs) => {
            let notice = (q.done == "prepared").then(|| t.get("payroll-prepared-notice"));
            let form = PrepareForm {
                month: q.month.clone(),
                ..PrepareForm::default()
            };
            list_view(
                &state,
                lang,
                &signed,
                &runs,
                q.month,
                form,
                (notice, Vec::new()),
            )
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

/// Prepares the runs of a month from the list page's form, as `minzheng payroll run`.
async fn prepare(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PrepareForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let program = Some(form.program.trim()).filter(|p| !p.is_empty());
        state
            .service
            .prepare_payroll(signed.actor(), form.month.trim(), program, &mut |_| {})
            .await
    }
    .await;
    let (status, errors) = match result {
        Ok(_) => {
            let month = list::encode(form.month.trim());
            return Redirect::to(&format!("/payroll?month={month}&done=prepared")).into_response();
        }
        Err(service::Error::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            errors.iter().map(|e| t.field_error(e)).collect(),
        ),
        Err(service::Error::Conflict { code, detail }) => {
            (StatusCode::CONFLICT, vec![t.error_code(code, &detail)])
        }
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    match state.service.payroll_runs(signed.actor(), None).await {
        Ok(runs) => {
            let mut response = list_view(
                &state,
                lang,
                &signed,
                &runs,
                String::new(),
                form,
                (None, errors),
            );
            *response.status_mut() = status;
            response
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// One run: totals, the difference from last month, approval
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunQuery {
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub done: String,
}

struct LineRow {
    /// `None` for the veterans' programmes (keyed by household).
    case_id: Option<i64>,
    head_name: String,
    division: String,
    benefit_month: String,
    kind: String,
    members: i64,
    prev: String,
    amount: String,
    flagged: bool,
    reason: String,
}

fn reason_words(t: &Tr<'_>, l: &RunLine) -> String {
    match (&l.change_kind, &l.change_reason) {
        (Some(kind), reason) => format!(
            "{}:{}",
            t.get(&format!("assistance-change-{}", kind.replace('_', "-"))),
            reason.clone().unwrap_or_default()
        ),
        (None, _) if l.kind == "regular" && l.prev_fen.is_none() => l
            .start_step
            .as_deref()
            .map(|s| t.get(&format!("payroll-start-{s}")))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn line_row(t: &Tr<'_>, l: &RunLine) -> LineRow {
    LineRow {
        case_id: l.case_id,
        head_name: l.head_name.clone(),
        division: l.division_name.clone(),
        benefit_month: l.benefit_month.clone(),
        kind: kind_label(t, &l.kind),
        members: l.members,
        prev: l.prev_fen.map(yuan).unwrap_or_default(),
        amount: yuan(l.amount_fen),
        flagged: l.flagged,
        reason: reason_words(t, l),
    }
}

#[derive(Template)]
#[template(path = "payroll_run.html")]
struct RunPageView<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    v: RunView,
    state: String,
    cutoff: String,
    regular: String,
    arrears: String,
    recovery: String,
    total: String,
    prev_total: String,
    heading: String,
    diff: String,
    lines_found: String,
    tabs: Vec<(String, String, bool)>,
    lines: Vec<LineRow>,
    prev_link: Option<String>,
    next_link: Option<String>,
    notice: Option<String>,
    conflict: Option<String>,
    /// Refusals of an uploaded result file, row by row.
    errors: Vec<String>,
    /// Expected, paid, failed, re-issued, outstanding, once the run has a bank file.
    recon: Option<crate::bank::ReconView>,
    /// A holiday run's coverage (paid over entitled households).
    holiday: Option<String>,
}

pub(crate) async fn run_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: &str,
    q: &RunQuery,
    conflict: Option<String>,
    errors: Vec<String>,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let id = parse_id(id)?;
    let actor = signed.actor();
    let v = state.service.payroll_run(actor, id).await?;
    let recon = crate::bank::recon_view(state, &t, actor, &v.run).await?;
    let show = if q.show.is_empty() {
        "changes".to_owned()
    } else {
        q.show.clone()
    };
    let page = page_of(&q.page);
    let chosen = match show.as_str() {
        // The default view: every difference from last month, in case order.
        "changes" => None,
        other => Some(selection(other)),
    };
    let (lines, found) = match chosen {
        Some(sel) => {
            state
                .service
                .payroll_run_lines(actor, id, sel, PER_PAGE, (page - 1) * PER_PAGE)
                .await?
        }
        None => {
            let mut all = Vec::new();
            let mut n = 0;
            for sel in [
                LineSelection::Added,
                LineSelection::Stopped,
                LineSelection::Changed,
                LineSelection::Corrections,
            ] {
                let (l, k) = state
                    .service
                    .payroll_run_lines(actor, id, sel, PER_PAGE, 0)
                    .await?;
                all.extend(l);
                n += k;
            }
            (all, n)
        }
    };
    let tabs = [
        "changes",
        "added",
        "stopped",
        "changed",
        "flagged",
        "corrections",
        "all",
    ]
    .into_iter()
    .map(|s| {
        (
            format!("/payroll/{id}?show={s}"),
            t.get(&format!("payroll-show-{s}")),
            s == show,
        )
    })
    .collect();
    let link = |p: i64| format!("/payroll/{id}?show={show}&page={p}");
    let pages = (found + PER_PAGE - 1) / PER_PAGE;
    let s = &v.summary;
    let program = program_label(&t, &v.run.program);
    let holiday = match state.service.holiday_of_run(actor, id).await? {
        Some(h) => Some(t.with(
            "payroll-holiday-coverage",
            &[
                ("name", &h.record.name),
                ("entitled", &h.entitled.to_string()),
                ("paid", &h.paid.to_string()),
                ("coverage", &h.coverage()),
            ],
        )),
        None => None,
    };
    let view = RunPageView {
        holiday,
        heading: t.with(
            "payroll-run-heading",
            &[
                ("month", &v.run.month),
                ("program", &program),
                ("id", &v.run.id.to_string()),
            ],
        ),
        diff: t.with(
            "payroll-diff",
            &[
                ("added", &s.added.to_string()),
                ("stopped", &s.stopped.to_string()),
                ("changed", &s.changed.to_string()),
                ("flagged", &s.flagged.to_string()),
            ],
        ),
        lines_found: t.with("payroll-lines-found", &[("total", &found.to_string())]),
        state: state_label(&t, &v.run.state),
        cutoff: crate::time::minutes(v.run.cutoff),
        regular: yuan(s.regular_fen),
        arrears: yuan(s.arrears_fen),
        recovery: yuan(s.recovery_fen),
        total: yuan(s.total_fen),
        prev_total: yuan(s.prev_fen),
        tabs,
        lines: lines.iter().map(|l| line_row(&t, l)).collect(),
        prev_link: (chosen.is_some() && page > 1).then(|| link(page - 1)),
        next_link: (chosen.is_some() && page < pages).then(|| link(page + 1)),
        notice: match q.done.as_str() {
            "approved" => Some(t.get("payroll-approved-notice")),
            "returns" => Some(t.get("payroll-returns-notice")),
            _ => None,
        },
        conflict,
        errors,
        recon,
        t,
        path: "/payroll".into(),
        me: Some(Me::of(state, lang, signed)),
        v,
    };
    Ok(crate::render(state, lang, &view))
}

async fn run_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<RunQuery>,
) -> Response {
    run_view(&state, lang, &signed, &id, &q, None, Vec::new())
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    pub csrf: String,
}

async fn approve(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ApproveForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let run = parse_id(&id)?;
        match state.service.approve_payroll_run(signed.actor(), run).await {
            Ok(_) => Ok(Redirect::to(&format!("/payroll/{run}?done=approved")).into_response()),
            Err(service::Error::Conflict { code, detail }) => {
                let message = t.error_code(code, &detail);
                let mut response = run_view(
                    &state,
                    lang,
                    &signed,
                    &id,
                    &RunQuery::default(),
                    Some(message),
                    Vec::new(),
                )
                .await?;
                *response.status_mut() = StatusCode::CONFLICT;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// The ledger
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub paid_in: String,
    #[serde(default)]
    pub benefit_month: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub case: String,
    #[serde(default)]
    pub page: String,
}

impl LedgerQuery {
    fn filter(&self) -> LedgerFilter {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        LedgerFilter {
            program: text(&self.program),
            paid_in: text(&self.paid_in),
            benefit_month: text(&self.benefit_month),
            kind: text(&self.kind).filter(|k| {
                ["regular", "arrears", "recovery", "reversal", "one_off"].contains(&k.as_str())
            }),
            // A case number that is not a number matches nothing rather than everything.
            case_id: text(&self.case).map(|c| c.parse::<i64>().unwrap_or(-1)),
            ..LedgerFilter::default()
        }
    }

    fn query_string(&self) -> String {
        [
            ("program", &self.program),
            ("paid_in", &self.paid_in),
            ("benefit_month", &self.benefit_month),
            ("kind", &self.kind),
            ("case", &self.case),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", list::encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

struct EntryRow {
    id: i64,
    case_id: Option<i64>,
    head_name: String,
    program: String,
    benefit_month: String,
    paid_in: String,
    kind: String,
    amount: String,
    reason: String,
    reverses: String,
}

fn entry_row(t: &Tr<'_>, e: &LedgerEntry) -> EntryRow {
    EntryRow {
        id: e.id,
        case_id: e.case_id,
        head_name: e.head_name.clone(),
        program: program_label(t, &e.program),
        benefit_month: e.benefit_month.clone(),
        paid_in: e.paid_in.clone(),
        kind: kind_label(t, &e.kind),
        amount: yuan(e.amount_fen),
        reason: e.reason.clone(),
        reverses: e.reverses.map(|r| r.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "payroll_ledger.html")]
struct LedgerView<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: LedgerQuery,
    programs: Vec<(&'static str, String, bool)>,
    kinds: Vec<(&'static str, String, bool)>,
    errors: Vec<String>,
    rows: Vec<EntryRow>,
    found: String,
    export_query: String,
    prev_link: Option<String>,
    next_link: Option<String>,
}

async fn ledger_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<LedgerQuery>,
) -> Response {
    let t = state.i18n.tr(lang);
    let page = page_of(&q.page);
    let result = state
        .service
        .ledger(signed.actor(), q.filter(), PER_PAGE, (page - 1) * PER_PAGE)
        .await;
    let (rows, total, sum, errors) = match result {
        Ok((entries, total, sum)) => (
            entries.iter().map(|e| entry_row(&t, e)).collect(),
            total,
            sum,
            Vec::new(),
        ),
        Err(service::Error::Invalid(errors)) => (
            Vec::new(),
            0,
            Fen::ZERO,
            errors.iter().map(|e| t.field_error(e)).collect(),
        ),
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let query = q.query_string();
    let link = |p: i64| format!("/payroll/ledger?{query}&page={p}");
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let bad = !errors.is_empty();
    let view = LedgerView {
        found: t.with(
            "payroll-ledger-found",
            &[("total", &total.to_string()), ("sum", &sum.yuan_grouped())],
        ),
        export_query: if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        },
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
        programs: [
            "dibao",
            "tekun_dispersed",
            "tekun_centralized",
            "veterans",
            "veterans_holiday",
        ]
        .into_iter()
        .map(|p| (p, program_label(&t, p), q.program == p))
        .collect(),
        kinds: ["regular", "arrears", "recovery", "reversal", "one_off"]
            .into_iter()
            .map(|k| (k, kind_label(&t, k), q.kind == k))
            .collect(),
        rows,
        errors,
        t,
        path: "/payroll/ledger".into(),
        me: Some(Me::of(&state, lang, &signed)),
        q,
    };
    let mut response = crate::render(&state, lang, &view);
    if bad {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    response
}

const LEDGER_COLUMNS: [&str; 11] = [
    "payroll-col-entry",
    "payroll-col-case",
    "payroll-col-head",
    "payroll-col-division",
    "payroll-col-program",
    "payroll-col-benefit-month",
    "payroll-col-paid-in",
    "payroll-col-kind",
    "payroll-col-amount",
    "payroll-col-reverses",
    "payroll-col-reason",
];

async fn ledger_export(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    q: &LedgerQuery,
) -> Result<(Table, String), service::Error> {
    let t = state.i18n.tr(lang);
    let entries = state
        .service
        .export_ledger(signed.actor(), q.filter())
        .await?;
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.case_id.map(|c| c.to_string()).unwrap_or_default(),
                e.head_name.clone(),
                e.division_code.clone(),
                program_label(&t, &e.program),
                e.benefit_month.clone(),
                e.paid_in.clone(),
                kind_label(&t, &e.kind),
                Fen::from_fen(e.amount_fen).yuan(),
                e.reverses.map(|r| r.to_string()).unwrap_or_default(),
                e.reason.clone(),
            ]
        })
        .collect();
    let header = LEDGER_COLUMNS.iter().map(|c| t.get(c)).collect();
    Ok((
        Table::new(header, rows).numeric(&[0, 1, 8]),
        "payroll_ledger".to_owned(),
    ))
}

async fn ledger_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<LedgerQuery>,
) -> Response {
    let exported = ledger_export(&state, lang, &signed, &q).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "payroll-ledger-sheet",
        exported,
    )
}

async fn ledger_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<LedgerQuery>,
) -> Response {
    let exported = ledger_export(&state, lang, &signed, &q).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "payroll-ledger-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// A household's payment history, for the case page
// ---------------------------------------------------------------------------------------

/// One payment as the case page lists it.
#[derive(Debug)]
pub struct PaymentLine {
    pub paid_in: String,
    pub benefit_month: String,
    pub kind: String,
    pub amount: String,
    pub reason: String,
}

/// The payment history of case `id`'s household, newest first.
pub async fn payment_lines(
    state: &AppState,
    t: &Tr<'_>,
    actor: &service::Actor,
    id: i64,
) -> Result<Vec<PaymentLine>, service::Error> {
    Ok(state
        .service
        .case_payments(actor, id)
        .await?
        .iter()
        .map(|e| PaymentLine {
            paid_in: e.paid_in.clone(),
            benefit_month: e.benefit_month.clone(),
            kind: kind_label(t, &e.kind),
            amount: yuan(e.amount_fen),
            reason: e.reason.clone(),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct RunJson {
    pub id: i64,
    pub month: String,
    pub program: String,
    pub state: String,
    pub cutoff: String,
    pub prepared_by: String,
    pub approved_by: Option<String>,
    pub households: i64,
    pub total_fen: i64,
}

fn run_json(r: &RunRecord) -> RunJson {
    RunJson {
        id: r.id,
        month: r.month.clone(),
        program: r.program.clone(),
        state: r.state.clone(),
        cutoff: r.cutoff.to_rfc3339(),
        prepared_by: r.prepared_by.clone(),
        approved_by: r.approved_by.clone(),
        households: r.households,
        total_fen: r.total_fen,
    }
}

#[derive(Debug, Serialize)]
pub struct RunDetailJson {
    pub run: RunJson,
    pub households: i64,
    pub regular_fen: i64,
    pub arrears_fen: i64,
    pub recovery_fen: i64,
    pub total_fen: i64,
    pub added: i64,
    pub stopped: i64,
    pub changed: i64,
    pub flagged: i64,
    pub prev_households: i64,
    pub prev_fen: i64,
    pub may_approve: bool,
}

#[derive(Debug, Serialize)]
pub struct LineJson {
    /// `None` for the veterans' programmes (keyed by household).
    pub case_id: Option<i64>,
    pub household_id: i64,
    pub division_code: String,
    pub benefit_month: String,
    pub kind: String,
    pub amount_fen: i64,
    pub members: i64,
    pub prev_fen: Option<i64>,
    pub flagged: bool,
    pub change_kind: Option<String>,
    pub change_reason: Option<String>,
    pub start_step: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EntryJson {
    pub id: i64,
    pub program: String,
    pub household_id: i64,
    /// `None` for the veterans' programmes (keyed by household).
    pub case_id: Option<i64>,
    pub division_code: String,
    pub benefit_month: String,
    pub kind: String,
    pub paid_in: String,
    pub seq: i64,
    pub amount_fen: i64,
    pub run_id: Option<i64>,
    pub reverses: Option<i64>,
    pub reason: String,
}

fn entry_json(e: &LedgerEntry) -> EntryJson {
    EntryJson {
        id: e.id,
        program: e.program.clone(),
        household_id: e.household_id,
        case_id: e.case_id,
        division_code: e.division_code.clone(),
        benefit_month: e.benefit_month.clone(),
        kind: e.kind.clone(),
        paid_in: e.paid_in.clone(),
        seq: e.seq,
        amount_fen: e.amount_fen,
        run_id: e.run_id,
        reverses: e.reverses,
        reason: e.reason.clone(),
    }
}

#[derive(Debug, Serialize)]
pub struct PageJson<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrepareBody {
    pub month: String,
    /// A programme code; empty or absent: every programme due that month.
    pub program: Option<String>,
}

/// Prepares (or resumes) the runs of a month; the runs as prepared.
async fn api_prepare(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    crate::reject::Json(body): crate::reject::Json<PrepareBody>,
) -> Response {
    let result = async {
        let ids = state
            .service
            .prepare_payroll(
                &actor,
                body.month.trim(),
                body.program.as_deref(),
                &mut |_| {},
            )
            .await?;
        let mut runs = Vec::with_capacity(ids.len());
        for id in ids {
            runs.push(run_json(&state.service.payroll_run(&actor, id).await?.run));
        }
        Ok::<_, service::Error>(runs)
    }
    .await;
    match result {
        Ok(runs) => Json(runs).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_runs(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(q): ApiQuery<RunsQuery>,
) -> Response {
    match state.service.payroll_runs(&actor, Some(&q.month)).await {
        Ok(runs) => Json(runs.iter().map(run_json).collect::<Vec<_>>()).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_run(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.payroll_run(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(v) => {
            let s = &v.summary;
            Json(RunDetailJson {
                run: run_json(&v.run),
                households: s.households,
                regular_fen: s.regular_fen,
                arrears_fen: s.arrears_fen,
                recovery_fen: s.recovery_fen,
                total_fen: s.total_fen,
                added: s.added,
                stopped: s.stopped,
                changed: s.changed,
                flagged: s.flagged,
                prev_households: s.prev_households,
                prev_fen: s.prev_fen,
                may_approve: v.may_approve,
            })
            .into_response()
        }
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinesQuery {
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub page: String,
}

async fn api_lines(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LinesQuery>,
) -> Response {
    let page = page_of(&q.page);
    let result = async {
        state
            .service
            .payroll_run_lines(
                &actor,
                parse_id(&id)?,
                selection(&q.show),
                PER_PAGE,
                (page - 1) * PER_PAGE,
            )
            .await
    }
    .await;
    match result {
        Ok((lines, total)) => Json(PageJson {
            items: lines
                .into_iter()
                .map(|l| LineJson {
                    case_id: l.case_id,
                    household_id: l.household_id,
                    division_code: l.division_code,
                    benefit_month: l.benefit_month,
                    kind: l.kind,
                    amount_fen: l.amount_fen,
                    members: l.members,
                    prev_fen: l.prev_fen,
                    flagged: l.flagged,
                    change_kind: l.change_kind,
                    change_reason: l.change_reason,
                    start_step: l.start_step,
                })
                .collect(),
            total,
            page,
            per_page: PER_PAGE,
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Serialize)]
pub struct ApprovedJson {
    pub id: i64,
    pub entries: u64,
}

async fn api_approve(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        let entries = state.service.approve_payroll_run(&actor, id).await?;
        Ok::<_, service::Error>(ApprovedJson { id, entries })
    }
    .await;
    match result {
        Ok(a) => Json(a).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_ledger(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Response {
    let page = page_of(&q.page);
    match state
        .service
        .ledger(&actor, q.filter(), PER_PAGE, (page - 1) * PER_PAGE)
        .await
    {
        Ok((entries, total, _)) => Json(PageJson {
            items: entries.iter().map(entry_json).collect(),
            total,
            page,
            per_page: PER_PAGE,
        })
        .into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

async fn api_payments(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.case_payments(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(entries) => Json(entries.iter().map(entry_json).collect::<Vec<_>>()).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}
