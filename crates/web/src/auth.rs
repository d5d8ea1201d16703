//! Who is asking: sessions for pages, bearer tokens (or the session plus a CSRF header) for
//! the API, and the sign-in, sign-out and password pages.
//!
//! Cookies: `mz_session` holds the session token (HttpOnly, SameSite=Strict, Secure when the
//! server is configured for TLS); `mz_login` holds the CSRF token of the sign-in form, which
//! exists before any session does. Every state-changing form carries the session's CSRF token
//! in a hidden field, checked in constant time.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::Actor;
use service::sessions::{
    Client, CurrentSession, LOCKOUT, MAX_FAILED_SIGN_INS, SignInRefusal, random_token, same_secret,
};

use crate::reject::{Form, Query};
use crate::{ApiError, AppState, Lang, PageError, Tr};

pub const SESSION_COOKIE: &str = "mz_session";
pub const LOGIN_COOKIE: &str = "mz_login";
/// Failed sign-ins one address may make in [`IP_WINDOW`] before it must wait: the per-account
/// lock-out stops guessing one password, this stops trying one password on many accounts.
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
pub const IP_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Recent failed sign-ins per client address, in memory: it only needs to outlive an attack.
#[derive(Debug, Default)]
pub struct Throttle(Mutex<HashMap<IpAddr, Vec<Instant>>>);

impl Throttle {
    fn blocked(&self, ip: IpAddr) -> bool {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = map.entry(ip).or_default();
        list.retain(|t| t.elapsed() < IP_WINDOW);
        list.len() >= MAX_FAILURES_PER_ADDRESS
    }

    fn fail(&self, ip: IpAddr) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bound the map: an attacker rotating addresses must not grow it without limit.
        if map.len() > 10_000 {
            map.retain(|_, list| list.iter().any(|t| t.elapsed() < IP_WINDOW));
        }
        map.entry(ip).or_default().push(Instant::now());
    }
}

/// The client of a request, for handlers that also read a body.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub client: Client,
    pub ip: IpAddr,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            client: client(parts),
            ip: ip(parts),
        })
    }
}

pub(crate) fn client(parts: &Parts) -> Client {
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Client {
        address,
        user_agent,
    }
}

fn ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// Every value of the cookie `name` the request carries, in order.
pub(crate) fn cookies<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(move |kv| kv.trim().strip_prefix(name)?.strip_prefix('='))
}

/// The first value of the cookie `name`.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    cookies(headers, name).next()
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.secure_cookies {
        c.push_str("; Secure");
    }
    c
}

/// A local path to return to (after signing in, after switching the language); anything
/// else goes home. An absolute or protocol-relative URL would make the redirect an open
/// one. Control characters are refused too: browsers drop tabs and newlines from a URL,
/// which turns `/\t/evil.example` into `//evil.example`, and a newline is no header value.
pub(crate) fn local_path(next: Option<&str>) -> String {
    next.filter(|b| {
        b.starts_with('/')
            && !b.starts_with("//")
            && !b.contains('\\')
            && !b.chars().any(char::is_control)
    })
    .unwrap_or("/")
    .to_owned()
}

/// The refusal of a form or API call whose CSRF token is missing or not the session's.
fn csrf_refused() -> service::Error {
    service::Error::invalid(service::FieldError::new("form", "form.expired", ""))
}

/// The signed-in user of a page request. Anyone else is sent to the sign-in page; a user who
/// must choose a new password is sent to that page first.
#[derive(Debug, Clone)]
pub struct Signed(pub CurrentSession);

impl Signed {
    pub fn actor(&self) -> &Actor {
        &self.0.actor
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), service::Error> {
        if same_secret(token, &self.0.csrf_token) {
            Ok(())
        } else {
            Err(csrf_refused())
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts.uri.path().to_owned();
        let next = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let to_login =
            || Redirect::to(&format!("/login?next={}", crate::list::encode(&next))).into_response();
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let current = match state.service.session(token, &client(parts)).await {
            Ok(Some(c)) => c,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(PageError::new(state, lang, e).into_response()),
        };
        if current.user.must_change_password && path != "/account/password" && path != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
        }
        Ok(Signed(current))
    }
}

/// The caller of an API request: a bearer token, or a signed-in browser session (which must
/// then send its CSRF token in `X-CSRF-Token` for anything but a read).
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Actor);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let tr = state.i18n.tr(lang);
        let unauthorized = |tr: &Tr<'_>| ApiError::unauthorized(tr).into_response();
        let client = client(parts);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            return match state.service.api_actor(token.trim(), &client).await {
                Ok(Some(actor)) => Ok(ApiCaller(actor)),
                Ok(None) => Err(unauthorized(&tr)),
                Err(e) => Err(ApiError::from_service(&tr, e).into_response()),
            };
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(unauthorized(&tr));
        };
        match state.service.session(token, &client).await {
            Ok(Some(current)) if !current.user.must_change_password => {
                let safe = parts.method.is_safe();
                let header_token = parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok());
                if safe || header_token.is_some_and(|t| same_secret(t, &current.csrf_token)) {
                    Ok(ApiCaller(current.actor))
                } else {
                    Err(ApiError::from_service(&tr, csrf_refused()).into_response())
                }
            }
            Ok(_) => Err(unauthorized(&tr)),
            Err(e) => Err(ApiError::from_service(&tr, e).into_response()),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<crate::Me>,
    csrf: String,
    next: String,
    username: String,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form. Sets the form's CSRF cookie if the browser has none yet.
pub async fn login_page(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let existing = cookie(&headers, LOGIN_COOKIE)
        .filter(|c| c.len() == 64)
        .map(str::to_owned);
    let csrf = match existing.clone() {
        Some(c) => c,
        None => match random_token() {
            Ok(t) => t,
            Err(e) => return PageError::new(&state, lang, e).into_response(),
        },
    };
    let page = LoginPage {
        t: state.i18n.tr(lang),
        path: "/login".into(),
        me: None,
        csrf: csrf.clone(),
        next: local_path(q.next.as_deref()),
        username: String::new(),
        message: None,
    };
    let mut response = crate::render(&state, lang, &page);
    if existing.is_none()
        && let Ok(v) = set_cookie(&state, LOGIN_COOKIE, &csrf, None).parse()
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    info: ClientInfo,
    Form(form): Form<LoginForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let again = |message: String, status: StatusCode| {
        let page = LoginPage {
            t,
            path: "/login".into(),
            me: None,
            csrf: form.csrf.clone(),
            next: local_path(form.next.as_deref()),
            username: form.username.clone(),
            message: Some(message),
        };
        (status, crate::render(&state, lang, &page)).into_response()
    };
    let cookie_token = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if cookie_token.is_empty() || !same_secret(cookie_token, &form.csrf) {
        return again(t.get("login-expired"), StatusCode::FORBIDDEN);
    }
    let ip = info.ip;
    if state.throttle.blocked(ip) {
        tracing::warn!(%ip, "sign-in throttled");
        return again(t.get("login-throttled"), StatusCode::TOO_MANY_REQUESTS);
    }
    match state
        .service
        .sign_in(&form.username, &form.password, &info.client)
        .await
    {
        Ok(Ok(signed)) => {
            let target = if signed.must_change_password {
                "/account/password".to_owned()
            } else {
                local_path(form.next.as_deref())
            };
            let mut response = Redirect::to(&target).into_response();
            let headers = response.headers_mut();
            for c in [
                set_cookie(&state, SESSION_COOKIE, &signed.token, None),
                set_cookie(&state, LOGIN_COOKIE, "", Some(0)),
            ] {
                if let Ok(v) = c.parse() {
                    headers.append(header::SET_COOKIE, v);
                }
            }
            response
        }
        Ok(Err(refusal)) => {
            state.throttle.fail(ip);
            let message = match refusal {
                // One message for both: telling a locked account apart would confirm that
                // the name exists (and that someone is guessing its password).
                SignInRefusal::WrongCredentials | SignInRefusal::Locked { .. } => wrong(&t),
                // Only reached with the right password, so it tells the holder nothing new.
                SignInRefusal::Disabled => t.get("login-disabled"),
            };
            again(message, StatusCode::UNAUTHORIZED)
        }
        Err(e) => PageError::new(&state, lang, e).into_response(),
    }
}

/// The refusal of a wrong name, a wrong password or a locked account, with the lock-out
/// rule from the service so the words cannot drift from what it does.
fn wrong(t: &Tr<'_>) -> String {
    t.with(
        "login-wrong",
        &[
            ("tries", &MAX_FAILED_SIGN_INS.to_string()),
            ("minutes", &LOCKOUT.num_minutes().to_string()),
        ],
    )
}

/// A form that carries nothing but its CSRF token (sign-out, revoke, …).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm {
    pub fn token(&self) -> &str {
        &self.csrf
    }
}

pub async fn logout(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(e) = signed.check_csrf(form.token()) {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    if let Err(e) = state.service.sign_out(&signed.0).await {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
