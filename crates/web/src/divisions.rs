//! The division tree: browse it as pages, read it through the API, export a subtree as CSV.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::{DivisionCode, DivisionLevel};
use serde::Serialize;
use service::divisions::DivisionPath;
use store::{Division, DivisionCount};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::{ApiError, AppState, Lang, Me, PageError, Tr, export};

/// The Fluent id of a level's name.
pub(crate) fn level_id(level: DivisionLevel) -> &'static str {
    match level {
        DivisionLevel::County => "level-county",
        DivisionLevel::Street => "level-street",
        DivisionLevel::Town => "level-town",
        DivisionLevel::Community => "level-community",
        DivisionLevel::Village => "level-village",
        #[allow(
            unreachable_patterns,
            reason = "the domain may add levels, e.g. special units"
        )]
        _ => "level-other",
    }
}

pub(crate) fn area_id(area: domain::Area) -> &'static str {
    match area {
        domain::Area::Urban => "area-urban",
        domain::Area::Rural => "area-rural",
    }
}

/// One row of a division list, with its words already in the user's language.
struct Row {
    code: String,
    name: String,
    level: String,
    area: String,
    children: i64,
}

fn rows(t: &Tr<'_>, list: &[DivisionCount]) -> Vec<Row> {
    list.iter()
        .map(|c| Row {
            code: c.division.code.to_string(),
            name: c.division.name.clone(),
            level: t.get(level_id(c.division.level())),
            area: t.get(area_id(c.division.area)),
            children: c.children,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "divisions.html")]
struct DivisionsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    current: Option<Row>,
    ancestors: Vec<(String, String)>,
    children: Vec<Row>,
}

pub async fn roots_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    match state.service.division_roots(signed.actor()).await {
        Ok(roots) => {
            let t = state.i18n.tr(lang);
            let page = DivisionsPage {
                t,
                path: "/divisions".into(),
                me: Some(Me::of(&state, lang, &signed)),
                current: None,
                ancestors: Vec::new(),
                children: rows(&t, &roots),
            };
            crate::render(&state, lang, &page)
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

/// A malformed code in a URL is simply a page that does not exist.
fn parse(code: &str) -> Result<DivisionCode, service::Error> {
    code.parse().map_err(|_| service::Error::NotFound)
}

pub async fn detail_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    let result = async {
        state
            .service
            .division_path(signed.actor(), &parse(&code)?)
            .await
    }
    .await;
    match result {
        Ok(DivisionPath {
            division,
            ancestors,
            children,
        }) => {
            let t = state.i18n.tr(lang);
            let current = rows(
                &t,
                &[DivisionCount {
                    division,
                    children: children.len() as i64,
                }],
            )
            .pop()
            .expect("one row in, one row out");
            let page = DivisionsPage {
                t,
                path: format!("/divisions/{}", current.code),
                me: Some(Me::of(&state, lang, &signed)),
                current: Some(current),
                ancestors: ancestors
                    .into_iter()
                    .map(|a| (a.code.to_string(), a.name))
                    .collect(),
                children: rows(&t, &children),
            };
            crate::render(&state, lang, &page)
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

/// The subtree as CSV in the import format (code,name,area), so an export re-imports as is
/// (a name a spreadsheet would run as a formula comes back with the apostrophe that
/// neutralised it; no real place name starts with `=`, `+`, `-` or `@`).
pub async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    let result = async {
        let root = parse(&code)?;
        let list = state
            .service
            .divisions_within(signed.actor(), &root)
            .await?;
        // An unknown division has an empty subtree; that is a missing page, not an empty file.
        if list.is_empty() {
            return Err(service::Error::NotFound);
        }
        Ok((root, list))
    }
    .await;
    match result {
        Ok((root, list)) => {
            // The column names of the import format, not words: they are read back.
            let header = ["code", "name", "area"].map(str::to_owned).to_vec();
            let rows = list
                .iter()
                .map(|d| {
                    vec![
                        d.code.to_string(),
                        d.name.clone(),
                        d.area.as_str().to_owned(),
                    ]
                })
                .collect();
            // The parsed code, not the path text: only digits belong in a header.
            export::csv_download(&format!("divisions-{root}.csv"), &Table::new(header, rows))
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

/// A division as the API shows it.
#[derive(Debug, Serialize)]
pub struct DivisionJson {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub area: &'static str,
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<i64>,
}

/// The level's code for the API: its Fluent id without the prefix.
fn level_code(level: DivisionLevel) -> &'static str {
    level_id(level)
        .split_once('-')
        .map_or("other", |(_, code)| code)
}

fn json(d: &Division, children: Option<i64>) -> DivisionJson {
    DivisionJson {
        code: d.code.to_string(),
        name: d.name.clone(),
        level: level_code(d.level()),
        area: d.area.as_str(),
        parent: d.parent().map(|p| p.to_string()),
        children,
    }
}

#[derive(Debug, Serialize)]
pub struct DivisionDetailJson {
    pub division: DivisionJson,
    pub ancestors: Vec<DivisionJson>,
    pub children: Vec<DivisionJson>,
}

pub async fn api_roots(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
) -> Response {
    match state.service.division_roots(&actor).await {
        Ok(roots) => Json(
            roots
                .iter()
                .map(|c| json(&c.division, Some(c.children)))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

pub async fn api_detail(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(code): Path<String>,
) -> Response {
    let result = async { state.service.division_path(&actor, &parse(&code)?).await }.await;
    match result {
        Ok(p) => Json(DivisionDetailJson {
            division: json(&p.division, Some(p.children.len() as i64)),
            ancestors: p.ancestors.iter().map(|a| json(a, None)).collect(),
            children: p
                .children
                .iter()
                .map(|c| json(&c.division, Some(c.children)))
                .collect(),
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
