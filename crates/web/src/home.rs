//! The home page: where the user is and what the system holds.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::auth::Signed;
use crate::{AppState, Lang, Me, PageError, Tr};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    engine: &'static str,
    divisions: i64,
    calendar_years: String,
    roots: Vec<store::DivisionCount>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    let store = state.service.store();
    let result = async {
        let divisions = store.division_total().await?;
        let years = store.calendar_years().await?;
        let roots = state.service.division_roots(signed.actor()).await?;
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
        me: Some(Me::of(&state, lang, &signed)),
        engine: store.backend().as_str(),
        divisions,
        calendar_years,
        roots,
    };
    crate::render(&state, lang, &page)
}
