//! The home page: where the user is and what the system holds.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::{AppState, Lang, PageError, Tr};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    t: Tr<'a>,
    path: String,
    engine: &'static str,
    divisions: i64,
    calendar_years: String,
    roots: Vec<store::DivisionCount>,
}

pub async fn page(State(state): State<AppState>, lang: Lang) -> Response {
    let store = state.service.store();
    let result = async {
        let divisions = store.division_total().await?;
        let years = store.calendar_years().await?;
        let roots = state.service.division_roots().await?;
        Ok::<_, service::Error>((divisions, years, roots))
    }
    .await;
    let (divisions, years, roots) = match result {
        Ok(r) => r,
        Err(e) => return PageError::new(&state, lang, e).into_response(),
    };
    let calendar_years = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::from("—"),
    };
    let page = HomePage {
        t: state.i18n.tr(lang),
        path: "/".into(),
        engine: store.backend().as_str(),
        divisions,
        calendar_years,
        roots,
    };
    crate::render(&state, lang, &page)
}
