//! The only crate that knows HTTP.
//!
//! Pages are rendered on the server with askama templates and work without JavaScript; the
//! JSON API under `/api/v1` serves the same use cases. Handlers are thin: they extract input,
//! call `service`, and render. Every user-facing word comes from the Fluent files in
//! `locales/` (Chinese first, English second) through [`i18n`]; none is written in Rust.
//! Every asset is compiled into the binary, because bureau intranets are offline.

mod account;
mod accounts;
mod assets;
mod assistance;
pub mod assistance_import;
mod audit;
pub mod auth;
mod bank;
mod campaigns;
mod divisions;
mod error;
mod export;
mod home;
pub mod i18n;
mod list;
mod openapi;
mod payroll;
mod reject;
pub mod reports;
mod time;
mod veterans;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use service::Service;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, PageError};
pub use i18n::{I18n, Lang, Tr};

/// Largest request body accepted by default; upload routes set their own larger limit.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// A request that takes longer than this is answered with 408 rather than hanging a worker.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub service: Service,
    pub i18n: Arc<I18n>,
    pub throttle: Arc<auth::Throttle>,
    /// Mark cookies `Secure`: set when the server is reached over TLS (directly or through a
    /// reverse proxy), so the session cookie never travels in clear text.
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(service: Service) -> Self {
        Self {
            service,
            i18n: Arc::new(I18n::load()),
            throttle: Arc::default(),
            secure_cookies: false,
        }
    }

    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }
}

/// One entry of the navigation bar.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
}

/// The signed-in user as every page's frame shows them: name, role, the navigation their
/// role opens, and the CSRF token for the sign-out button and every form.
#[derive(Debug, Clone)]
pub struct Me {
    pub display_name: String,
    pub role: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Me {
    pub fn of(state: &AppState, lang: Lang, signed: &auth::Signed) -> Self {
        use domain::{Action, Line};
        let t = state.i18n.tr(lang);
        let actor = signed.actor();
        let entries: [(&'static str, &str, Option<Line>); 9] = [
            ("/", "nav-home", None),
            ("/assistance", "nav-assistance", Some(Line::Assistance)),
            ("/veterans", "nav-veterans", Some(Line::Veterans)),
            ("/campaigns", "nav-campaigns", Some(Line::Campaigns)),
            ("/payroll", "nav-payroll", Some(Line::Payroll)),
            ("/reports", "nav-reports", Some(Line::Reports)),
            ("/divisions", "nav-divisions", Some(Line::Places)),
            ("/accounts", "nav-accounts", Some(Line::Accounts)),
            ("/audit", "nav-audit", Some(Line::Audit)),
        ];
        let nav = entries
            .into_iter()
            .filter(|(_, _, line)| line.is_none_or(|l| actor.may(l, Action::Read)))
            .map(|(href, id, _)| NavItem {
                href,
                label: t.get(id),
            })
            .collect();
        let user = &signed.0.user;
        Self {
            display_name: user.display_name.clone(),
            role: role_label(&t, &user.role),
            csrf: signed.0.csrf_token.clone(),
            nav,
        }
    }
}

/// A role code (`street_officer`) in words.
pub(crate) fn role_label(t: &Tr<'_>, role: &str) -> String {
    t.get(&format!("role-{}", role.replace('_', "-")))
}

/// Marks a response that carries a secret or personal data (a new API token, a revealed
/// phone number, an export) so that neither the browser nor a proxy keeps a copy.
pub(crate) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The content security policy: our own scripts and styles only, nothing inline, nothing
/// from another origin, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; object-src 'none'";

/// The whole application: pages, API, assets, and the layers every response passes.
pub fn router(state: AppState) -> Router {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/account", get(account::page))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/sessions/revoke",
            post(account::sign_out_everywhere),
        )
        .route("/lang/{lang}", get(switch_language))
        .route("/divisions", get(divisions::roots_page))
        .route("/divisions/{code}", get(divisions::detail_page))
        .route("/divisions/{code}/export.csv", get(divisions::export_csv))
        .route("/api/v1/divisions", get(divisions::api_roots))
        .route("/api/v1/divisions/{code}", get(divisions::api_detail))
        .route("/healthz", get(health))
        .route("/static/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .merge(accounts::routes())
        .merge(assistance::routes())
        .merge(veterans::routes())
        .merge(campaigns::routes())
        .merge(audit::routes())
        .merge(payroll::routes())
        .merge(bank::routes())
        .merge(reports::routes())
        .merge(openapi::routes())
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Merged after the default limit and timeout, which a route's own layer could not
        // raise: the roster upload brings its own (200 MiB, 10 minutes).
        .merge(assistance_import::routes())
        // Outside the limit and the timeout, so their 413 and 408 answers carry the
        // headers too (a later `.layer` wraps the earlier ones).
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then stops accepting and lets requests in flight
/// finish, so no write that was accepted is lost.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Renders a page template; a template that fails to render is an internal error page.
pub(crate) fn render(state: &AppState, lang: Lang, page: &impl askama::Template) -> Response {
    match page.render() {
        Ok(body) => axum::response::Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                state.i18n.tr(lang).get("error-internal"),
            )
                .into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct Back {
    back: Option<String>,
}

/// Sets the language cookie and returns to the page the user came from. A plain link, so
/// switching works without JavaScript.
async fn switch_language(
    axum::extract::Path(lang): axum::extract::Path<String>,
    Query(back): Query<Back>,
) -> Response {
    let lang = Lang::from_code(&lang).unwrap_or_default();
    let back = auth::local_path(back.back.as_deref());
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.code()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    match state.service.health_check().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

async fn not_found(lang: Lang, uri: axum::http::Uri, State(state): State<AppState>) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::from_service(&state.i18n.tr(lang), service::Error::NotFound).into_response()
    } else {
        PageError::new(&state, lang, service::Error::NotFound).into_response()
    }
}
