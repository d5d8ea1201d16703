//! 动态管理 on the web: the change forms of the case page (`POST /assistance/{id}/changes`),
//! the review due list (`/assistance/reviews`), and the same under `/api/v1/assistance`.
//! Every rule is in `service::assistance::changes`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{DivisionCode, Fen, Month};
use serde::{Deserialize, Serialize};
use service::FieldError;
use service::assistance::{ChangeInput, ChangeKind, MemberInput, ReviewOutcome, TerminationReason};
use service::list::Code;

use super::{CaseExtras, api_error, case_view, parse_id};
use crate::auth::{ApiCaller, Signed};
use crate::list::FieldErrors;
use crate::reject::{ApiQuery, Form, Query};
use crate::{AppState, Lang, Me, PageError, Tr, reject};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/{id}/changes", post(record_change))
        .route("/assistance/reviews", get(reviews_page))
        .route("/api/v1/assistance/cases/{id}/changes", post(api_change))
        .route("/api/v1/assistance/reviews", get(api_reviews))
}

/// The fields a change form or body may carry; `kind` says which apply.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeBody {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub version: String,
    /// `member_join`, `member_leave`, `death`, `income`, `move`, `suspend`, `resume`,
    /// `terminate`, `gradual_exit`, or `review_unchanged`, `review_changed`,
    /// `review_terminate`.
    #[serde(default)]
    pub kind: String,
    /// `YYYY-MM`; empty for the earliest allowed.
    #[serde(default)]
    pub effective: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub income_per_capita: String,
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub address: String,
    /// A [`TerminationReason`] code.
    #[serde(default)]
    pub reason_code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub disability_grade: String,
    #[serde(default)]
    pub severe_illness: String,
    #[serde(default)]
    pub employment: String,
}

const CHANGE_FIELDS: &[&str] = &[
    "effective",
    "reason",
    "member_id",
    "income_per_capita",
    "community",
    "address",
    "reason_code",
    "name",
    "id_number",
    "relation",
    "kind",
];

fn bad(f: &'static str, code: &'static str, detail: &str) -> service::Error {
    service::Error::invalid(FieldError::new(f, code, detail))
}

enum Parsed {
    Change(ChangeInput),
    Review(ReviewOutcome, String),
}

fn parse(b: &ChangeBody) -> Result<Parsed, service::Error> {
    let income = || {
        Fen::from_yuan_str(b.income_per_capita.trim())
            .map_err(|e| bad("income_per_capita", e.code(), &b.income_per_capita))
    };
    let member = || {
        b.member_id
            .trim()
            .parse::<i64>()
            .map_err(|_| bad("member_id", "assistance.member_unknown", &b.member_id))
    };
    let why = || {
        TerminationReason::parse(&b.reason_code).ok_or_else(|| {
            bad(
                "reason_code",
                "assistance.termination_reason",
                &b.reason_code,
            )
        })
    };
    let kind = match b.kind.trim() {
        "review_unchanged" => {
            return Ok(Parsed::Review(ReviewOutcome::Unchanged, b.reason.clone()));
        }
        "review_changed" => {
            return Ok(Parsed::Review(
                ReviewOutcome::Changed {
                    income_per_capita: income()?,
                },
                b.reason.clone(),
            ));
        }
        "review_terminate" => {
            return Ok(Parsed::Review(
                ReviewOutcome::Terminate { reason: why()? },
                b.reason.clone(),
            ));
        }
        "member_join" => ChangeKind::MemberJoins(MemberInput {
            name: b.name.clone(),
            id_number: b.id_number.clone(),
            relation: b.relation.clone(),
            disability_grade: b.disability_grade.trim().parse().unwrap_or(0),
            severe_illness: matches!(b.severe_illness.as_str(), "1" | "on" | "true"),
            employment: b.employment.clone(),
            self_care: None,
        }),
        "member_leave" => ChangeKind::MemberLeaves {
            member_id: member()?,
        },
        "death" => ChangeKind::Death {
            member_id: member()?,
        },
        "income" => ChangeKind::Income {
            income_per_capita: income()?,
        },
        "move" => ChangeKind::Move {
            community: b.community.clone(),
            address: b.address.clone(),
        },
        "suspend" => ChangeKind::Suspend,
        "resume" => ChangeKind::Resume,
        "terminate" => ChangeKind::Terminate { reason: why()? },
        "gradual_exit" => ChangeKind::GradualExit {
            income_per_capita: income()?,
        },
        other => return Err(bad("kind", "assistance.change_kind", other)),
    };
    let effective = match b.effective.trim() {
        "" => None,
        text => Some(Month::parse(text).map_err(|e| bad("effective", e.code(), text))?),
    };
    Ok(Parsed::Change(ChangeInput {
        kind,
        effective,
        reason: b.reason.clone(),
    }))
}

async fn apply(
    state: &AppState,
    actor: &service::Actor,
    id: i64,
    version: i64,
    body: &ChangeBody,
) -> Result<i64, service::Error> {
    match parse(body)? {
        Parsed::Change(input) => state.service.record_change(actor, id, version, input).await,
        Parsed::Review(outcome, note) => {
            state
                .service
                .record_review(actor, id, version, outcome, &note)
                .await
        }
    }
}

async fn record_change(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ChangeBody>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        super::may_record(&state, signed.actor())?;
        let id = parse_id(&id)?;
        let version = form.version.trim().parse::<i64>().unwrap_or(-1);
        match apply(&state, signed.actor(), id, version, &form).await {
            Ok(_) => {
                Ok(Redirect::to(&format!("/assistance/{id}?done=change#changes")).into_response())
            }
            Err(service::Error::Invalid(errors)) => {
                let extras = CaseExtras {
                    errors: FieldErrors::new(&t, &errors, CHANGE_FIELDS),
                    change_kind: form.kind.clone(),
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

#[derive(Debug, Serialize)]
struct VersionJson {
    version: i64,
}

/// The API body: as the form, with `version` a number.
#[derive(Debug, Deserialize)]
pub struct ChangeJson {
    pub version: i64,
    #[serde(flatten)]
    pub change: ChangeBody,
}

async fn api_change(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<ChangeJson>,
) -> Response {
    let result = async {
        super::may_record(&state, &actor)?;
        let id = parse_id(&id)?;
        apply(&state, &actor, id, body.version, &body.change).await
    }
    .await;
    match result {
        Ok(version) => Json(VersionJson { version }).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewParams {
    /// A division code whose subtree to list (e.g. a street).
    #[serde(default)]
    pub division: String,
    /// `YYYY-MM-DD`; today when empty.
    #[serde(default)]
    pub on: String,
}

/// One due review.
#[derive(Debug, Serialize)]
pub struct ReviewJson {
    pub case_id: i64,
    pub version: i64,
    pub program: &'static str,
    pub division: String,
    pub division_name: String,
    pub head_name: String,
    /// `stable`, `ill_or_disabled` or `work_capable`.
    pub class: &'static str,
    pub since: String,
    pub due: String,
}

async fn due(
    state: &AppState,
    actor: &service::Actor,
    p: &ReviewParams,
) -> Result<Vec<ReviewJson>, service::Error> {
    let on = match p.on.trim() {
        "" => state.service.today(),
        text => text.parse().map_err(|_| bad("on", "date.invalid", text))?,
    };
    let division = match p.division.trim() {
        "" => None,
        text => Some(
            text.parse::<DivisionCode>()
                .map_err(|e| bad("division", e.code(), text))?,
        ),
    };
    Ok(state
        .service
        .reviews_due(actor, on, division.as_ref())
        .await?
        .into_iter()
        .map(|r| ReviewJson {
            case_id: r.case_id,
            version: r.version,
            program: r.program.as_str(),
            division: r.division.as_str().to_owned(),
            division_name: r.division_name,
            head_name: r.head_name,
            class: r.class.as_str(),
            since: r.since.to_string(),
            due: r.due.to_string(),
        })
        .collect())
}

async fn api_reviews(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(p): ApiQuery<ReviewParams>,
) -> Response {
    match due(&state, &actor, &p).await {
        Ok(rows) => Json(rows).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

struct StreetChoice {
    code: String,
    name: String,
    selected: bool,
}

struct ReviewLine {
    r: ReviewJson,
    program: String,
    class: String,
}

#[derive(Template)]
#[template(path = "assistance_reviews.html")]
struct ReviewsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    rows: Vec<ReviewLine>,
    streets: Vec<StreetChoice>,
    summary: String,
}

async fn reviews_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(p): Query<ReviewParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        let rows = due(&state, signed.actor(), &p).await?;
        let streets = state
            .service
            .assistance_divisions(signed.actor())
            .await?
            .into_iter()
            .filter(|d| {
                matches!(
                    d.code.level(),
                    domain::DivisionLevel::Street | domain::DivisionLevel::Town
                )
            })
            .map(|d| StreetChoice {
                selected: d.code.as_str() == p.division.trim(),
                code: d.code.as_str().to_owned(),
                name: d.name,
            })
            .collect();
        let rows: Vec<ReviewLine> = rows
            .into_iter()
            .map(|r| ReviewLine {
                program: t.get(&format!(
                    "assistance-program-{}",
                    r.program.replace('_', "-")
                )),
                class: t.get(&format!("assistance-class-{}", r.class.replace('_', "-"))),
                r,
            })
            .collect();
        let summary = t.with(
            "assistance-reviews-on",
            &[
                ("date", &state.service.today().to_string()),
                ("count", &rows.len().to_string()),
            ],
        );
        let mut page = ReviewsPage {
            t,
            path: "/assistance/reviews".into(),
            me: Some(Me::of(&state, lang, &signed)),
            rows,
            streets,
            summary: String::new(),
        };
        page.summary = summary;
        Ok::<_, service::Error>(crate::render(&state, lang, &page))
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}
