//! The signed-in user's own account: changing the password (forced at first sign-in), API
//! tokens, and signing out on every browser.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{CsrfForm, Signed};
use crate::reject::{Form, Query};
use crate::{AppState, Lang, Me, PageError, Tr};

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    forced: bool,
    errors: Vec<(String, String)>,
}

fn password_page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    errors: Vec<(String, String)>,
) -> Response {
    let page = PasswordPage {
        t: state.i18n.tr(lang),
        path: "/account/password".into(),
        me: Some(Me::of(state, lang, signed)),
        forced: signed.0.user.must_change_password,
        errors,
    };
    crate::render(state, lang, &page)
}

pub async fn password_form(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    password_page(&state, lang, &signed, Vec::new())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PasswordForm>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .change_password(
                &signed.0,
                &form.old_password,
                &form.password,
                &form.repeat_password,
            )
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/account?changed=1").into_response(),
        Err(service::Error::Invalid(errors)) => {
            let t = state.i18n.tr(lang);
            let errors = errors
                .iter()
                .map(|e| (e.field.to_owned(), t.field_error(e)))
                .collect();
            let mut response = password_page(&state, lang, &signed, errors);
            *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            response
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    username: String,
    role: String,
    jurisdiction: String,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    notice: Option<String>,
}

async fn account_page(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    new_token: Option<String>,
    notice: Option<String>,
) -> Response {
    let tokens = match state.service.api_tokens(&signed.0).await {
        Ok(t) => t,
        Err(e) => return PageError::for_user(state, lang, signed, e).into_response(),
    };
    let t = state.i18n.tr(lang);
    let user = &signed.0.user;
    let jurisdiction = match state.service.own_jurisdiction(signed.actor()).await {
        Ok(d) => format!("{} ({})", d.name, d.code),
        Err(_) => user.jurisdiction.to_string(),
    };
    let page = AccountPage {
        t,
        path: "/account".into(),
        me: Some(Me::of(state, lang, signed)),
        username: user.username.clone(),
        role: crate::role_label(&t, &user.role),
        jurisdiction,
        tokens: tokens
            .into_iter()
            .map(|tk| TokenRow {
                id: tk.id,
                name: tk.name,
                created: crate::time::minutes(tk.created_at),
                last_used: tk
                    .last_used_at
                    .map_or_else(|| "—".into(), crate::time::minutes),
                revoked: tk.revoked_at.is_some(),
            })
            .collect(),
        new_token,
        notice,
    };
    crate::render(state, lang, &page)
}

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    changed: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<AccountQuery>,
) -> Response {
    let notice = q
        .changed
        .map(|_| state.i18n.tr(lang).get("account-password-changed"));
    account_page(&state, lang, &signed, None, notice).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token_name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<TokenForm>,
) -> Response {
    let result = async {
        signed.check_csrf(&form.csrf)?;
        state
            .service
            .create_api_token(&signed.0, &form.token_name)
            .await
    }
    .await;
    match result {
        // Shown once, on this response only: it is not stored anywhere readable, and
        // neither the browser's cache nor a proxy may keep this page.
        Ok(token) => crate::no_store(account_page(&state, lang, &signed, Some(token), None).await),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        signed.check_csrf(form.token())?;
        // A malformed id in a URL is a token that does not exist, like an unknown one.
        let id = id.parse().map_err(|_| service::Error::NotFound)?;
        state.service.revoke_api_token(&signed.0, id).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = async {
        signed.check_csrf(form.token())?;
        state.service.sign_out_everywhere(&signed.0).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}
