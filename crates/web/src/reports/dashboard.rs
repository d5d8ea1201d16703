//! Dashboards (数据看板): a business line's caseload now, the year's payments by month and
//! by street as server-drawn charts and tables, and what is due or overdue with links to
//! the lists that show it. The same in JSON under `/api/v1/dashboards/{line}`.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::Fen;
use domain::reports::{Kind, Measure, dashboard_lines};
use serde::Deserialize;
use service::reports::dashboard::Dashboard;

use super::{StreetRow, bar_chart, label, street_table};
use crate::auth::{ApiCaller, Signed};
use crate::reject::{ApiQuery, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboards", get(first))
        .route("/dashboards/{line}", get(page))
        .route("/api/v1/dashboards/{line}", get(api))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    division: String,
}

impl DashboardQuery {
    fn year(&self) -> Option<&str> {
        Some(self.year.as_str()).filter(|y| !y.trim().is_empty())
    }

    fn division(&self) -> Option<&str> {
        Some(self.division.as_str()).filter(|d| !d.trim().is_empty())
    }
}

struct FigureRow {
    label: String,
    kind: String,
    value: String,
    unit: &'static str,
}

struct DueRow {
    label: String,
    count: i64,
    href: &'static str,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    title: String,
    line: &'static str,
    period: String,
    years: Vec<i32>,
    year: i32,
    division: String,
    figures: Vec<FigureRow>,
    street_header: Vec<String>,
    streets: Vec<StreetRow>,
    charts: Vec<String>,
    due: Vec<DueRow>,
    others: Vec<(&'static str, String)>,
}

fn line_name(t: &Tr<'_>, line: domain::Line) -> String {
    t.get(&format!("dash-line-{}", line.as_str()))
}

fn view<'a>(state: &'a AppState, lang: Lang, signed: &Signed, d: &Dashboard) -> DashboardPage<'a> {
    let t = state.i18n.tr(lang);
    let on = d.period.to().to_string();
    let figures = d
        .figures
        .iter()
        .map(|f| FigureRow {
            label: label(&t, f.indicator),
            kind: match f.indicator.kind {
                // A standard is in force on the day; other facts (standards raised) and
                // rates are over the year.
                Kind::Stock => t.with("dash-kind-on", &[("date", &on)]),
                Kind::Fact if f.indicator.measure == Measure::Standard => {
                    t.with("dash-kind-on", &[("date", &on)])
                }
                _ => t.with("dash-kind-year", &[("year", &d.year.to_string())]),
            },
            value: f.text(),
            unit: f.indicator.unit.zh(),
        })
        .collect();
    let (street_header, streets) = street_table(&t, &d.figures);
    let charts = d
        .series
        .iter()
        .map(|s| {
            let unit = s.indicator.unit;
            let title = if unit.is_money() {
                t.with("dash-chart-paid", &[("indicator", &label(&t, s.indicator))])
            } else if s.indicator.kind == Kind::Flow {
                // Counted flows (soldiers received, visits made) are counts per month.
                t.with(
                    "dash-chart-count",
                    &[("indicator", &label(&t, s.indicator))],
                )
            } else {
                t.with(
                    "dash-chart-stock",
                    &[("indicator", &label(&t, s.indicator))],
                )
            };
            let bars: Vec<(String, i64)> = s
                .points
                .iter()
                .map(|(m, v)| (m.to_string()[5..].to_owned(), *v))
                .collect();
            if unit.is_money() {
                bar_chart(&title, &bars, |v| Fen::from_fen(v).wan())
            } else {
                bar_chart(&title, &bars, |v| v.to_string())
            }
        })
        .collect();
    let due = d
        .due
        .iter()
        .map(|i| DueRow {
            label: t.get(&format!("dash-due-{}", i.key)),
            count: i.count,
            href: i.href,
        })
        .collect();
    let others = dashboard_lines()
        .into_iter()
        .filter(|l| *l != d.line)
        .map(|l| (l.as_str(), line_name(&t, l)))
        .collect();
    DashboardPage {
        title: t.with(
            "dash-title",
            &[
                ("line", &line_name(&t, d.line)),
                ("division", &d.division_name),
            ],
        ),
        line: d.line.as_str(),
        period: format!("{} — {}", d.period.from(), d.period.to()),
        years: d.years.clone(),
        year: d.year,
        division: d.division.to_string(),
        figures,
        street_header,
        streets,
        charts,
        due,
        others,
        me: Some(Me::of(state, lang, signed)),
        path: "/reports".into(),
        t,
    }
}

/// `/dashboards`: the first line's dashboard.
async fn first(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    if let Err(e) =
        state
            .service
            .authorize(signed.actor(), domain::Line::Reports, domain::Action::Read)
    {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    let line = dashboard_lines()
        .first()
        .map_or("assistance", |l| l.as_str());
    Redirect::to(&format!("/dashboards/{line}")).into_response()
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(line): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Response {
    match state
        .service
        .dashboard(signed.actor(), &line, q.year(), q.division())
        .await
    {
        Ok(d) => crate::render(&state, lang, &view(&state, lang, &signed, &d)),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

async fn api(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(line): Path<String>,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Response {
    match state
        .service
        .dashboard(&actor, &line, q.year(), q.division())
        .await
    {
        Ok(d) => Json(json(&d)).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

/// The dashboard as JSON: every value in its unit's base (a count or fen).
pub fn json(d: &Dashboard) -> serde_json::Value {
    serde_json::json!({
        "line": d.line.as_str(),
        "year": d.year,
        "years": d.years,
        "from": d.period.from().to_string(),
        "to": d.period.to().to_string(),
        "division": d.division.as_str(),
        "division_name": d.division_name,
        "figures": d.figures.iter().map(|f| serde_json::json!({
            "code": f.indicator.code,
            "label_zh": f.indicator.zh,
            "label_en": f.indicator.en,
            "kind": f.indicator.kind.as_str(),
            "value": f.value,
            "display": f.text(),
            "by_street": f.by_street.iter().map(|(code, name, v)| serde_json::json!({
                "code": format!("{code}000"), "name": name, "value": v,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "series": d.series.iter().map(|s| serde_json::json!({
            "code": s.indicator.code,
            "points": s.points.iter().map(|(m, v)| serde_json::json!({
                "month": m.to_string(), "value": v,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "due": d.due.iter().map(|i| serde_json::json!({
            "key": i.key, "count": i.count, "href": i.href,
        })).collect::<Vec<_>>(),
    })
}
