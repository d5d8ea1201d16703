//! 账号管理: the accounts list (search, filters, sorting, pages, CSV and XLSX export),
//! detail pages with a logged reveal of the phone number, the create and edit forms, an
//! administrator's password reset, and the same under `/api/v1/accounts`.
//!
//! Every rule is in `service::users`; this module turns requests into its calls and its
//! answers into pages, files and JSON. Phone numbers arrive masked from the service; the
//! full number exists only in the response to a reveal, which is never cached.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Action, DivisionLevel, Line, Role};
use serde::{Deserialize, Serialize};
use service::Actor;
use service::list::{Code, Page};
use service::users::{
    Account, AccountChange, AccountInput, AccountQuery, AccountSort, AccountStatus, PhoneChange,
};

use crate::auth::{ApiCaller, Signed};
use crate::export::Table;
use crate::list::{Choice, FieldErrors, ListParams, Pager, SortHeader};
use crate::reject::{ApiQuery, Form, Query};
use crate::{
    ApiError, AppState, Lang, Me, PageError, Tr, export, list, no_store, reject, role_label,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list_page).post(create))
        .route("/accounts/export.csv", get(export_csv))
        .route("/accounts/export.xlsx", get(export_xlsx))
        .route("/accounts/new", get(new_form))
        .route("/accounts/{id}", get(detail_page).post(update))
        .route("/accounts/{id}/edit", get(edit_form))
        .route("/accounts/{id}/reveal", post(reveal))
        .route("/accounts/{id}/reset-password", post(reset_password))
        .route("/api/v1/accounts", get(api_list).post(api_create))
        .route("/api/v1/accounts/{id}", get(api_detail).put(api_update))
        .route(
            "/api/v1/accounts/{id}/reset-password",
            post(api_reset_password),
        )
        .route("/api/v1/accounts/{id}/reveal", post(api_reveal))
}

/// A malformed id in a URL is an account that does not exist.
fn parse_id(id: &str) -> Result<i64, service::Error> {
    id.parse().map_err(|_| service::Error::NotFound)
}

fn status_label(t: &Tr<'_>, status: AccountStatus) -> String {
    t.get(&format!(
        "accounts-status-{}",
        status.as_str().replace('_', "-")
    ))
}

// ---------------------------------------------------------------------------------------
// The list

/// One row of the list, its words already in the user's language.
struct Row {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    jurisdiction: String,
    phone: String,
    status: String,
    status_code: &'static str,
    created: String,
}

fn row(t: &Tr<'_>, a: &Account) -> Row {
    Row {
        id: a.id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: role_label(t, &a.role),
        jurisdiction: a.jurisdiction_name.clone(),
        phone: a.phone.clone().unwrap_or_default(),
        status: status_label(t, a.status),
        status_code: a.status.as_str(),
        created: crate::time::minutes(a.created_at),
    }
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    q: String,
    sort: String,
    desc: bool,
    divisions: Vec<Choice>,
    statuses: Vec<Choice>,
    columns: Vec<SortHeader>,
    rows: Vec<Row>,
    pager: Pager,
    export_csv: String,
    export_xlsx: String,
    can_write: bool,
    can_export: bool,
}

/// The streets and towns of the actor's jurisdiction, for the division filter.
async fn division_choices(
    state: &AppState,
    actor: &Actor,
    current: &str,
) -> Result<Vec<Choice>, service::Error> {
    let divisions = state.service.account_divisions(actor).await?;
    Ok(divisions
        .into_iter()
        .filter(|d| matches!(d.level(), DivisionLevel::Street | DivisionLevel::Town))
        .map(|d| Choice::new(d.code.to_string(), d.name, current))
        .collect())
}

fn sort_columns(t: &Tr<'_>) -> Vec<(AccountSort, String)> {
    AccountSort::ALL
        .iter()
        .map(|s| (*s, t.get(&format!("accounts-col-{}", s.as_str()))))
        .collect()
}

async fn list_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<ListParams>,
) -> Response {
    let actor = signed.actor();
    let query: AccountQuery = params.query();
    let result = async {
        let page = state.service.account_list(actor, &query).await?;
        let current = query
            .division
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let divisions = division_choices(&state, actor, &current).await?;
        Ok::<_, service::Error>((page, divisions))
    }
    .await;
    let (page, divisions) = match result {
        Ok(r) => r,
        Err(e) => return PageError::for_user(&state, lang, &signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let status = query.status.map(|s| s.as_str()).unwrap_or_default();
    let all_pages = list::query_string(&query, None);
    let page_view = ListPage {
        t,
        path: "/accounts".into(),
        me: Some(Me::of(&state, lang, &signed)),
        q: query.q.clone(),
        sort: query
            .sort
            .map(|s| s.as_str())
            .unwrap_or_default()
            .to_owned(),
        desc: query.descending,
        divisions,
        statuses: AccountStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), status_label(&t, *s), status))
            .collect(),
        columns: list::sort_headers("/accounts", &query, AccountSort::Username, sort_columns(&t)),
        rows: page.items.iter().map(|a| row(&t, a)).collect(),
        pager: Pager::new(&t, "/accounts", &query, &page),
        export_csv: list::href("/accounts/export.csv", &all_pages),
        export_xlsx: list::href("/accounts/export.xlsx", &all_pages),
        can_write: actor.may(Line::Accounts, Action::Write),
        can_export: actor.may(Line::Accounts, Action::Export),
    };
    crate::render(&state, lang, &page_view)
}

// ---------------------------------------------------------------------------------------
// Exports

/// The export's header row and cells, in the user's language.
fn export_table(t: &Tr<'_>, accounts: &[Account]) -> Table {
    let header = [
        "accounts-col-username",
        "accounts-col-name",
        "accounts-col-role",
        "accounts-col-jurisdiction",
        "accounts-col-jurisdiction-code",
        "accounts-col-phone",
        "accounts-col-status",
        "accounts-col-created",
    ]
    .iter()
    .map(|id| t.get(id))
    .collect();
    let rows = accounts
        .iter()
        .map(|a| {
            vec![
                a.username.clone(),
                a.display_name.clone(),
                role_label(t, &a.role),
                a.jurisdiction_name.clone(),
                a.jurisdiction.to_string(),
                a.phone.clone().unwrap_or_default(),
                status_label(t, a.status),
                crate::time::minutes(a.created_at),
            ]
        })
        .collect();
    Table::new(header, rows)
}

/// The accounts of an export request in the user's language, and the file's name.
async fn exported(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    params: &ListParams,
) -> Result<(Table, String), service::Error> {
    let query: AccountQuery = params.query();
    let accounts = state
        .service
        .export_accounts(signed.actor(), &query)
        .await?;
    let table = export_table(&state.i18n.tr(lang), &accounts);
    let stamp = crate::time::day_stamp(state.service.now());
    Ok((table, format!("accounts-{stamp}")))
}

async fn export_csv(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<ListParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Csv,
        "accounts-sheet",
        exported,
    )
}

async fn export_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(params): Query<ListParams>,
) -> Response {
    let exported = exported(&state, lang, &signed, &params).await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "accounts-sheet",
        exported,
    )
}

// ---------------------------------------------------------------------------------------
// Detail, reveal, password reset

#[derive(Template)]
#[template(path = "account_detail.html")]
struct DetailPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    a: Row,
    jurisdiction_code: String,
    locked_until: Option<String>,
    /// The full number on the response to a reveal; `Some("")` when there is none.
    revealed: Option<String>,
    reason: String,
    errors: FieldErrors,
    notice: Option<String>,
    can_write: bool,
    can_reveal: bool,
    is_self: bool,
}

/// What a detail page shows besides the account.
#[derive(Default)]
struct DetailExtras {
    revealed: Option<String>,
    reason: String,
    errors: FieldErrors,
    notice: Option<String>,
}

async fn detail(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    extras: DetailExtras,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let account = state.service.account(actor, id).await?;
    let t = state.i18n.tr(lang);
    let page = DetailPage {
        t,
        path: format!("/accounts/{id}"),
        me: Some(Me::of(state, lang, signed)),
        jurisdiction_code: account.jurisdiction.to_string(),
        locked_until: account
            .locked_until
            .filter(|u| *u > state.service.now())
            .map(crate::time::minutes),
        a: row(&t, &account),
        revealed: extras.revealed,
        reason: extras.reason,
        errors: extras.errors,
        notice: extras.notice,
        can_write: actor.may(Line::Accounts, Action::Write),
        can_reveal: actor.may(Line::Accounts, Action::Reveal),
        is_self: actor.user_id == Some(id),
    };
    Ok(crate::render(state, lang, &page))
}

#[derive(Debug, Deserialize)]
struct DetailQuery {
    done: Option<String>,
}

async fn detail_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = match q.done.as_deref() {
        Some("created") => Some(t.get("accounts-notice-created")),
        Some("saved") => Some(t.get("accounts-notice-saved")),
        Some("reset") => Some(t.get("accounts-notice-reset")),
        _ => None,
    };
    let extras = DetailExtras {
        notice,
        ..DetailExtras::default()
    };
    let result = async { detail(&state, lang, &signed, parse_id(&id)?, extras).await }.await;
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
    Path(id): Path<String>,
    Form(form): Form<RevealForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let id = parse_id(&id)?;
        match state
            .service
            .reveal_phone(signed.actor(), id, &form.reason)
            .await
        {
            Ok(phone) => {
                let extras = DetailExtras {
                    revealed: Some(phone.unwrap_or_default()),
                    ..DetailExtras::default()
                };
                detail(&state, lang, &signed, id, extras).await
            }
            Err(service::Error::Invalid(errors)) => {
                let extras = DetailExtras {
                    reason: form.reason.clone(),
                    errors: FieldErrors::new(&t, &errors, &["reason"]),
                    ..DetailExtras::default()
                };
                let mut response = detail(&state, lang, &signed, id, extras).await?;
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

#[derive(Debug, Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<ResetForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let id = parse_id(&id)?;
        match state
            .service
            .reset_password(signed.actor(), id, &form.password)
            .await
        {
            Ok(()) => Ok(Redirect::to(&format!("/accounts/{id}?done=reset")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                let extras = DetailExtras {
                    errors: FieldErrors::new(&t, &errors, &["password"]),
                    ..DetailExtras::default()
                };
                let mut response = detail(&state, lang, &signed, id, extras).await?;
                *response.status_mut() = StatusCode::BAD_REQUEST;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// Create and edit forms

/// The values a form shows: what was stored, or what was typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    /// Edit only: a checkbox.
    #[serde(default)]
    clear_phone: Option<String>,
    /// Edit only: a checkbox.
    #[serde(default)]
    disabled: Option<String>,
}

const FORM_FIELDS: &[&str] = &[
    "username",
    "display_name",
    "role",
    "jurisdiction",
    "phone",
    "password",
    "disabled",
];

#[derive(Template)]
#[template(path = "account_form.html")]
struct FormPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    /// `None` when creating.
    id: Option<i64>,
    action: String,
    form: AccountForm,
    /// Edit only: the stored number, masked.
    current_phone: String,
    disabled: bool,
    roles: Vec<Choice>,
    jurisdictions: Vec<Choice>,
    errors: FieldErrors,
}

/// The roles the form offers, `selected` marked. The administrator and auditor roles are
/// granted only on the console (the service refuses them from anyone else, with
/// `account.role_console_only`), so they are offered only as the role an edited account
/// already `holds`, which it may keep.
fn offered_roles(t: &Tr<'_>, selected: &str, holds: Option<&str>) -> Vec<Choice> {
    Role::ALL
        .iter()
        .filter(|r| !matches!(r, Role::Admin | Role::Auditor) || holds == Some(r.as_str()))
        .map(|r| Choice::new(r.as_str(), role_label(t, r.as_str()), selected))
        .collect()
}

/// The create form (`stored` is `None`) or the edit form of the `stored` account, showing
/// `form`'s values.
async fn form_page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    stored: Option<&Account>,
    form: AccountForm,
    errors: FieldErrors,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let id = stored.map(|a| a.id);
    // The stored number, masked.
    let current_phone = stored.and_then(|a| a.phone.clone()).unwrap_or_default();
    let divisions = state.service.account_divisions(signed.actor()).await?;
    let jurisdictions = divisions
        .into_iter()
        .map(|d| {
            let indent = match d.level() {
                DivisionLevel::County => "",
                DivisionLevel::Street | DivisionLevel::Town => "\u{3000}",
                _ => "\u{3000}\u{3000}",
            };
            Choice::new(
                d.code.to_string(),
                format!("{indent}{} {}", d.name, d.code),
                &form.jurisdiction,
            )
        })
        .collect();
    let roles = offered_roles(&t, &form.role, stored.map(|a| a.role.as_str()));
    let (path, action) = match id {
        Some(id) => (format!("/accounts/{id}/edit"), format!("/accounts/{id}")),
        None => ("/accounts/new".to_owned(), "/accounts".to_owned()),
    };
    let has_errors = !errors.is_empty();
    let page = FormPage {
        t,
        path,
        me: Some(Me::of(state, lang, signed)),
        id,
        action,
        disabled: form.disabled.is_some(),
        form,
        current_phone,
        roles,
        jurisdictions,
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
            .authorize(signed.actor(), Line::Accounts, Action::Write)?;
        form_page(
            &state,
            lang,
            &signed,
            None,
            AccountForm::default(),
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// A refusal of the create or edit form: the form again, with the messages next to their
/// fields and the values as typed (except the password).
fn refused(t: &Tr<'_>, e: &service::Error) -> Option<FieldErrors> {
    match e {
        service::Error::Invalid(errors) => Some(FieldErrors::new(t, errors, FORM_FIELDS)),
        service::Error::Conflict { code, detail } if *code == "account.username_taken" => {
            let mut errors = FieldErrors::default();
            errors.add("username", t.error_code(code, detail));
            Some(errors)
        }
        _ => None,
    }
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<AccountForm>,
) -> Response {
    if let Err(e) = signed.check_csrf(&form.csrf) {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    let input = AccountInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        jurisdiction: form.jurisdiction.clone(),
        password: form.password.clone(),
        phone: Some(form.phone.clone()),
        must_change_password: true,
    };
    let t = state.i18n.tr(lang);
    let result = match state.service.add_account(signed.actor(), input).await {
        Ok(id) => Ok(Redirect::to(&format!("/accounts/{id}?done=created")).into_response()),
        Err(e) => match refused(&t, &e) {
            Some(errors) => {
                let form = AccountForm {
                    password: String::new(),
                    ..form
                };
                form_page(&state, lang, &signed, None, form, errors).await
            }
            None => Err(e),
        },
    };
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id)?;
        state
            .service
            .authorize(signed.actor(), Line::Accounts, Action::Write)?;
        let a = state.service.account(signed.actor(), id).await?;
        let form = AccountForm {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.clone(),
            jurisdiction: a.jurisdiction.to_string(),
            disabled: a.disabled.then(|| "1".to_owned()),
            ..AccountForm::default()
        };
        form_page(
            &state,
            lang,
            &signed,
            Some(&a),
            form,
            FieldErrors::default(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<AccountForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        let id = parse_id(&id)?;
        let phone = if form.clear_phone.is_some() {
            PhoneChange::Clear
        } else if form.phone.trim().is_empty() {
            PhoneChange::Keep
        } else {
            PhoneChange::Set(form.phone.clone())
        };
        let change = AccountChange {
            display_name: form.display_name.clone(),
            role: form.role.clone(),
            jurisdiction: form.jurisdiction.clone(),
            phone,
            disabled: form.disabled.is_some(),
        };
        match state
            .service
            .update_account(signed.actor(), id, change)
            .await
        {
            Ok(()) => Ok(Redirect::to(&format!("/accounts/{id}?done=saved")).into_response()),
            Err(e) => match refused(&t, &e) {
                Some(errors) => {
                    // The username is not editable; show the stored one.
                    let stored = state.service.account(signed.actor(), id).await?;
                    let form = AccountForm {
                        username: stored.username.clone(),
                        ..form.clone()
                    };
                    form_page(&state, lang, &signed, Some(&stored), form, errors).await
                }
                None => Err(e),
            },
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// API

/// An account in a list, as the API shows it.
#[derive(Debug, Serialize)]
pub struct AccountJson {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub jurisdiction: String,
    /// Masked.
    pub phone: Option<String>,
    pub status: &'static str,
}

impl From<&Account> for AccountJson {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.clone(),
            jurisdiction: a.jurisdiction.to_string(),
            phone: a.phone.clone(),
            status: a.status.as_str(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AccountPageJson {
    pub items: Vec<AccountJson>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// One account, as the API shows it.
#[derive(Debug, Serialize)]
pub struct AccountDetailJson {
    #[serde(flatten)]
    pub account: AccountJson,
    pub jurisdiction_name: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locked_until: Option<String>,
    pub created_at: String,
}

async fn api_list(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Response {
    let query: AccountQuery = params.query();
    match state.service.account_list(&actor, &query).await {
        Ok(Page {
            items,
            total,
            page,
            per_page,
        }) => Json(AccountPageJson {
            items: items.iter().map(AccountJson::from).collect(),
            total,
            page,
            per_page,
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_detail(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async { state.service.account(&actor, parse_id(&id)?).await }.await;
    match result {
        Ok(a) => Json(AccountDetailJson {
            account: AccountJson::from(&a),
            jurisdiction_name: a.jurisdiction_name.clone(),
            must_change_password: a.must_change_password,
            disabled: a.disabled,
            locked_until: a.locked_until.map(|t| t.to_rfc3339()),
            created_at: a.created_at.to_rfc3339(),
        })
        .into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

/// The body of `POST /api/v1/accounts`. Missing fields are empty, so that they are refused
/// field by field like a form's.
#[derive(Debug, Deserialize)]
pub struct NewAccountJson {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub jurisdiction: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Serialize)]
struct CreatedJson {
    id: i64,
}

async fn api_create(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    reject::Json(body): reject::Json<NewAccountJson>,
) -> Response {
    let tr = state.i18n.tr(lang);
    let input = AccountInput {
        username: body.username,
        display_name: body.display_name,
        role: body.role,
        jurisdiction: body.jurisdiction,
        password: body.password,
        phone: body.phone,
        must_change_password: true,
    };
    match state.service.add_account(&actor, input).await {
        Ok(id) => (StatusCode::CREATED, Json(CreatedJson { id })).into_response(),
        Err(e) => ApiError::from_service(&tr, e).into_response(),
    }
}

/// The body of `PUT /api/v1/accounts/{id}`: the edit form's fields. Missing text fields are
/// empty and refused field by field; a missing `disabled` is `false`, as an unticked box.
/// `phone` absent (or `null`) keeps the stored number, `""` clears it, anything else
/// replaces it, like the form whose phone field shows the number masked.
#[derive(Debug, Deserialize)]
pub struct AccountChangeJson {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub jurisdiction: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub disabled: bool,
}

async fn api_update(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<AccountChangeJson>,
) -> Response {
    let phone = match body.phone {
        None => PhoneChange::Keep,
        Some(p) if p.trim().is_empty() => PhoneChange::Clear,
        Some(p) => PhoneChange::Set(p),
    };
    let change = AccountChange {
        display_name: body.display_name,
        role: body.role,
        jurisdiction: body.jurisdiction,
        phone,
        disabled: body.disabled,
    };
    let result = async {
        state
            .service
            .update_account(&actor, parse_id(&id)?, change)
            .await
    }
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

/// The body of `POST /api/v1/accounts/{id}/reset-password`.
#[derive(Debug, Deserialize)]
pub struct ResetJson {
    #[serde(default)]
    pub password: String,
}

async fn api_reset_password(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<ResetJson>,
) -> Response {
    let result = async {
        state
            .service
            .reset_password(&actor, parse_id(&id)?, &body.password)
            .await
    }
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

/// The body of `POST /api/v1/accounts/{id}/reveal`.
#[derive(Debug, Deserialize)]
pub struct RevealJson {
    #[serde(default)]
    pub reason: String,
}

/// The full number, `null` when the account has none.
#[derive(Debug, Serialize)]
struct RevealedJson {
    phone: Option<String>,
}

async fn api_reveal(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<RevealJson>,
) -> Response {
    let result = async {
        state
            .service
            .reveal_phone(&actor, parse_id(&id)?, &body.reason)
            .await
    }
    .await;
    match result {
        Ok(phone) => no_store(Json(RevealedJson { phone }).into_response()),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}
