//! The home page: what needs the user's attention, and where they stand.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use service::attention::Attention;

use crate::auth::Signed;
use crate::{AppState, Lang, Me, PageError, Tr};

/// One attention item in words, with a link where there is a page to act on it.
struct Item {
    text: String,
    href: Option<&'static str>,
}

fn item(t: &Tr<'_>, a: &Attention) -> Item {
    match a {
        Attention::LockedAccounts { count } => Item {
            text: t.with("home-locked-accounts", &[("count", &count.to_string())]),
            href: Some("/accounts?status=locked"),
        },
        Attention::FirstPasswordPending { count } => Item {
            text: t.with("home-first-password", &[("count", &count.to_string())]),
            href: Some("/accounts?status=must_change_password"),
        },
        Attention::CalendarYearMissing { year } => Item {
            text: t.with("home-calendar-missing", &[("year", &year.to_string())]),
            href: None,
        },
        Attention::FailedSignIns { count } => Item {
            text: t.with("home-failed-sign-ins", &[("count", &count.to_string())]),
            href: Some("/audit?action=session.sign_in_failed"),
        },
        Attention::CasesOverdue { count } => Item {
            text: t.with("home-cases-overdue", &[("count", &count.to_string())]),
            href: Some("/assistance?status=overdue"),
        },
        Attention::ReviewsDue { count } => Item {
            text: t.with("home-reviews-due", &[("count", &count.to_string())]),
            href: Some("/assistance/reviews"),
        },
        Attention::CheckTasksOpen { count } => Item {
            text: t.with("home-check-tasks", &[("count", &count.to_string())]),
            href: Some("/assistance/checks?status=open"),
        },
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    attention: Vec<Item>,
    engine: &'static str,
    divisions: usize,
    calendar_years: String,
    roots: Vec<store::DivisionCount>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    let actor = signed.actor();
    let result = async {
        let attention = state.service.attention(actor).await?;
        let divisions = state.service.division_count(actor).await?;
        let years = state.service.calendar_years().await?;
        let roots = state.service.division_roots(actor).await?;
        Ok::<_, service::Error>((attention, divisions, years, roots))
    }
    .await;
    let (attention, divisions, years, roots) = match result {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let calendar_years = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::from("—"),
    };
    let page = HomePage {
        t,
        path: "/".into(),
        me: Some(Me::of(&state, lang, &signed)),
        attention: attention.iter().map(|a| item(&t, a)).collect(),
        engine: state.service.engine(),
        divisions,
        calendar_years,
        roots,
    };
    crate::render(&state, lang, &page)
}
