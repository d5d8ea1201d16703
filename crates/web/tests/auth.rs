//! Signing in and staying signed in, as a browser and an API client meet it: cookies and
//! their flags, CSRF on every form, lock-out and per-address throttling, the forced first
//! password change, idle and absolute session expiry, signing out everywhere, API tokens,
//! and the audit entries all of these leave. Through the router, on both engines.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use common::{Browser, Reply, api, demo_app, field_value, send, urlencode};
use service::Actor;
use service::users::AccountInput;
use store::AuditFilter;
use testkit::TestDb;
use web::AppState;

const ADMIN_PASSWORD: &str = "demo-admin-2013";

/// A message as a Chinese page shows it (the default language), so the tests follow the
/// wording in the Fluent files.
fn zh(id: &str) -> String {
    web::I18n::load().tr(web::Lang::ZhCn).get(id)
}

/// The one refusal of a wrong name, a wrong password and a locked account, with the rule
/// it states: five wrong tries lock the account for fifteen minutes.
fn wrong() -> String {
    web::I18n::load()
        .tr(web::Lang::ZhCn)
        .with("login-wrong", &[("tries", "5"), ("minutes", "15")])
}

/// The `mz_session` Set-Cookie header of a reply, if it sets one.
fn session_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("mz_session="))
}

/// A browser that has opened the sign-in form, holding its CSRF cookie; returns the token.
async fn at_login_form(app: &Router, browser: &mut Browser) -> String {
    browser.get(app, "/login").await.csrf()
}

/// The sign-in POST a browser at `ip` sends, as the server sees it (the address comes from
/// the connection, which `oneshot` has not got, so it is added the way `serve` adds it).
async fn sign_in_from(
    app: &Router,
    browser: &Browser,
    ip: [u8; 4],
    username: &str,
    password: &str,
) -> Reply {
    let csrf = browser
        .cookies
        .iter()
        .find(|(k, _)| k == "mz_login")
        .unwrap()
        .1
        .clone();
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let body = format!(
        "username={}&password={}&csrf={csrf}&next=%2F",
        urlencode(username),
        urlencode(password)
    );
    let request = Request::post("/login")
        .header(header::COOKIE, cookies.join("; "))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(ConnectInfo(SocketAddr::from((ip, 40000))))
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

/// A fresh account that must choose its own password at first sign-in: a leader of the
/// whole district, so that every page it reaches afterwards is one it may see.
async fn new_account(db: &TestDb, username: &str, password: &str) {
    let input = AccountInput {
        username: username.into(),
        display_name: "新同事".into(),
        role: "leader".into(),
        jurisdiction: testkit::demo::COUNTY.into(),
        password: password.into(),
        phone: None,
        must_change_password: true,
    };
    db.service
        .add_account(&Actor::system(), input)
        .await
        .unwrap();
}

/// A page request is let through (200) or sent to sign in (303 to `/login?next=…`).
async fn is_signed_in(app: &Router, browser: &mut Browser) -> bool {
    let reply = browser.get(app, "/").await;
    match reply.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(
                reply.location().starts_with("/login?next="),
                "{}",
                reply.location()
            );
            false
        }
        other => panic!("unexpected {other}: {}", reply.body),
    }
}

/// The audit actions recorded so far, oldest first.
async fn audit_actions(db: &TestDb) -> Vec<(String, String, String)> {
    let (entries, _) = db
        .store()
        .audit_entries(&AuditFilter::default(), 0, 1000)
        .await
        .unwrap();
    entries
        .into_iter()
        .rev()
        .map(|r| (r.entry.action, r.entry.actor, r.entry.address))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_cookie() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::default();
        let form = browser.get(&app, "/login").await;
        let login_cookie = form.header(header::SET_COOKIE);
        assert!(login_cookie.starts_with("mz_login="), "{login_cookie}");
        assert!(login_cookie.contains("HttpOnly") && login_cookie.contains("SameSite=Strict"));

        let reply = browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location(), "/");
        let cookie = session_cookie(&reply).unwrap();
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(flag), "{flag} missing: {cookie}");
        }
        // Plain HTTP unless configured: a Secure cookie would never come back over it.
        assert!(!cookie.contains("Secure"), "{cookie}");
        // The session cookie lives as long as the browser; the server decides expiry.
        assert!(!cookie.contains("Max-Age"), "{cookie}");
        assert!(is_signed_in(&app, &mut browser).await);

        // Behind TLS every cookie is Secure.
        let tls = web::router(AppState::new(db.service.clone()).with_secure_cookies(true));
        let mut browser = Browser::default();
        let form = browser.get(&tls, "/login").await;
        assert!(form.header(header::SET_COOKIE).contains("; Secure"));
        let reply = browser.sign_in(&tls, "admin", ADMIN_PASSWORD).await;
        assert!(session_cookie(&reply).unwrap().contains("; Secure"));
    })
    .await;
}

#[tokio::test]
async fn anonymous_pages_go_to_sign_in_and_come_back_after_it() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::default();
        let page = browser.get(&app, "/divisions/990101001000?x=1").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(
            page.location(),
            "/login?next=/divisions/990101001000%3Fx%3D1"
        );
        // The API says so in JSON instead of redirecting.
        let call = api(&app, "GET", "/api/v1/divisions", None, None).await;
        assert_eq!(call.status, StatusCode::UNAUTHORIZED);
        assert_eq!(call.json()["code"], "unauthorized");

        let form = browser.get(&app, page.location()).await;
        assert_eq!(
            field_value(&form.body, "next").unwrap(),
            "/divisions/990101001000?x=1"
        );
        let csrf = form.csrf();
        let form = [
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("csrf", csrf.as_str()),
            ("next", "/divisions/990101001000?x=1"),
        ];
        let reply = browser.post(&app, "/login", &form).await;
        assert_eq!(reply.location(), "/divisions/990101001000?x=1");

        // `next` never leads to another site.
        for next in ["//evil.example", "https://evil.example", "/\\evil.example"] {
            let mut other = Browser::default();
            let csrf = at_login_form(&app, &mut other).await;
            let form = [
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
                ("csrf", csrf.as_str()),
                ("next", next),
            ];
            let reply = other.post(&app, "/login", &form).await;
            assert_eq!(reply.location(), "/", "{next}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::default();
        let wrong_password = browser.sign_in(&app, "admin", "not-the-password").await;
        let unknown_user = browser.sign_in(&app, "nobody", ADMIN_PASSWORD).await;
        for reply in [&wrong_password, &unknown_user] {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            assert!(reply.body.contains(&wrong()), "{}", reply.body);
            assert!(session_cookie(reply).is_none());
        }
        // The form comes back with the name typed, never the password.
        assert_eq!(
            field_value(&unknown_user.body, "username").unwrap(),
            "nobody"
        );
        assert!(!unknown_user.body.contains(ADMIN_PASSWORD));
    })
    .await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::default();
        for attempt in 1..=4 {
            let reply = browser.sign_in(&app, "admin", "wrong-password").await;
            assert!(reply.body.contains(&wrong()), "attempt {attempt}");
        }
        let fifth = browser.sign_in(&app, "admin", "wrong-password").await;
        assert_eq!(fifth.status, StatusCode::UNAUTHORIZED);
        // Locked at 09:00 Beijing time (01:00 UTC), until 09:15; the page says no more than
        // for a wrong password, so a lock does not confirm that the name exists.
        assert!(fifth.body.contains(&wrong()), "{}", fifth.body);
        assert!(!fifth.body.contains("09:15"), "{}", fifth.body);

        // Even the right password is refused while the lock lasts, in the same words and
        // on the same page as a name nobody has.
        db.clock.advance(Duration::minutes(14));
        let right = browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(right.status, StatusCode::UNAUTHORIZED);
        assert!(right.body.contains(&wrong()));
        assert!(session_cookie(&right).is_none());
        let nobody = browser.sign_in(&app, "nobody", ADMIN_PASSWORD).await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            right.body.replace("value=\"admin\"", ""),
            nobody.body.replace("value=\"nobody\"", ""),
            "a locked account looks like an unknown name"
        );

        db.clock
            .advance(Duration::minutes(1) + Duration::seconds(1));
        let later = browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(later.status, StatusCode::SEE_OTHER, "{}", later.body);
        // Other accounts were never affected.
        Browser::demo(&app, "leader").await;
    })
    .await;
}

#[tokio::test]
async fn one_address_with_many_failures_must_wait_but_others_need_not() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::default();
        at_login_form(&app, &mut browser).await;
        // Many accounts, one wrong password each: the account lock-out never triggers.
        for i in 0..web::auth::MAX_FAILURES_PER_ADDRESS {
            let reply = sign_in_from(&app, &browser, [10, 0, 0, 1], &format!("u{i}"), "x").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let blocked = sign_in_from(&app, &browser, [10, 0, 0, 1], "admin", ADMIN_PASSWORD).await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            blocked.body.contains(&zh("login-throttled")),
            "{}",
            blocked.body
        );
        assert!(session_cookie(&blocked).is_none());

        let elsewhere = sign_in_from(&app, &browser, [10, 0, 0, 2], "admin", ADMIN_PASSWORD).await;
        assert_eq!(
            elsewhere.status,
            StatusCode::SEE_OTHER,
            "{}",
            elsewhere.body
        );
        assert!(session_cookie(&elsewhere).is_some());
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_sign_in_form_needs_its_own_csrf_cookie() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::default();
        let csrf = at_login_form(&app, &mut browser).await;
        let forged = "0".repeat(64);
        let credentials = [("username", "admin"), ("password", ADMIN_PASSWORD)];

        // A cross-site form: the browser has no mz_login cookie (SameSite=Strict).
        let mut stranger = Browser::default();
        let form = [credentials[0], credentials[1], ("csrf", csrf.as_str())];
        let no_cookie = stranger.post(&app, "/login", &form).await;
        // A forged token next to a real cookie, and a missing one.
        let form = [credentials[0], credentials[1], ("csrf", forged.as_str())];
        let forged_token = browser.post(&app, "/login", &form).await;
        let missing = browser.post(&app, "/login", &credentials).await;
        for reply in [no_cookie, forged_token, missing] {
            assert_eq!(reply.status, StatusCode::FORBIDDEN);
            assert!(reply.body.contains(&zh("login-expired")), "{}", reply.body);
            assert!(session_cookie(&reply).is_none());
        }
        // Nothing was tried, so nothing counts towards a lock-out.
        assert!(
            !audit_actions(db)
                .await
                .iter()
                .any(|(a, _, _)| a.starts_with("session."))
        );
    })
    .await;
}

#[tokio::test]
async fn every_form_with_a_forged_or_missing_csrf_token_changes_nothing() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::demo(&app, "admin").await;
        let csrf = browser.csrf(&app).await;
        // One token to try revoking.
        let created = browser
            .post(
                &app,
                "/account/tokens",
                &[("csrf", &csrf), ("token_name", "ci")],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK);
        let before = audit_actions(db).await.len();

        let forged = "f".repeat(64);
        for (path, fields) in [
            ("/logout", vec![]),
            ("/account/sessions/revoke", vec![]),
            ("/account/tokens", vec![("token_name", "stolen")]),
            ("/account/tokens/1/revoke", vec![]),
            (
                "/account/password",
                vec![
                    ("old_password", ADMIN_PASSWORD),
                    ("password", "a-new-password-1"),
                    ("repeat_password", "a-new-password-1"),
                ],
            ),
        ] {
            for token in [None, Some(forged.as_str()), Some("")] {
                let mut form = fields.clone();
                form.extend(token.map(|t| ("csrf", t)));
                let reply = browser.post(&app, path, &form).await;
                assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {token:?}");
                assert!(
                    reply.body.contains(&zh("err-form-expired")),
                    "{path}: {}",
                    reply.body
                );
            }
        }
        assert_eq!(audit_actions(db).await.len(), before, "nothing was written");
        assert!(is_signed_in(&app, &mut browser).await);
        let account = browser.get(&app, "/account").await;
        assert!(
            !account.body.contains("stolen")
                && !account.body.contains(&zh("account-token-revoked"))
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_account_must_choose_its_password_before_anything_else() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        new_account(db, "xinren", "given-by-admin-1").await;
        let mut browser = Browser::default();
        let reply = browser.sign_in(&app, "xinren", "given-by-admin-1").await;
        assert_eq!(reply.location(), "/account/password");
        // A second browser of the same account, to be signed out by the change.
        let mut other = Browser::default();
        other.sign_in(&app, "xinren", "given-by-admin-1").await;

        for path in ["/", "/divisions", "/divisions/990101001000", "/account"] {
            let page = browser.get(&app, path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(page.location(), "/account/password", "{path}");
        }
        let form = browser.get(&app, "/account/password").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains(&zh("password-forced")));
        let csrf = form.csrf();
        // Forms other than this one are turned away too, and nothing is created.
        let token = browser
            .post(
                &app,
                "/account/tokens",
                &[("csrf", &csrf), ("token_name", "x")],
            )
            .await;
        assert_eq!(token.location(), "/account/password");

        let i18n = web::I18n::load();
        let tr = i18n.tr(web::Lang::ZhCn);
        let change = async |browser: &mut Browser, old: &str, new: &str, repeat: &str| {
            let form = [
                ("csrf", csrf.as_str()),
                ("old_password", old),
                ("password", new),
                ("repeat_password", repeat),
            ];
            browser.post(&app, "/account/password", &form).await
        };
        for (old, new, repeat, field, code) in [
            (
                "wrong-old-pass",
                "chosen-by-me-22",
                "chosen-by-me-22",
                "old_password",
                "account.password_wrong",
            ),
            (
                "given-by-admin-1",
                "short",
                "short",
                "password",
                "account.password_short",
            ),
            (
                "given-by-admin-1",
                "chosen-by-me-22",
                "chosen-by-me-23",
                "repeat_password",
                "account.password_mismatch",
            ),
            (
                "given-by-admin-1",
                "given-by-admin-1",
                "given-by-admin-1",
                "password",
                "account.password_unchanged",
            ),
        ] {
            let detail = if code.ends_with("short") { "10" } else { "" };
            let message = tr.field_error(&service::FieldError::new(field, code, detail));
            let reply = change(&mut browser, old, new, repeat).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{message}");
            // Inline, on the form itself, which can be sent again.
            assert!(reply.body.contains(&message), "{message}: {}", reply.body);
            assert!(reply.body.contains(r#"action="/account/password""#));
            assert!(
                !reply.body.contains("chosen-by-me") && !reply.body.contains("given-by-admin"),
                "passwords are never echoed"
            );
        }

        let done = change(
            &mut browser,
            "given-by-admin-1",
            "chosen-by-me-22",
            "chosen-by-me-22",
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), "/account?changed=1");
        let account = browser.get(&app, done.location()).await;
        assert_eq!(account.status, StatusCode::OK);
        assert!(account.body.contains(&zh("account-password-changed")));
        assert_eq!(browser.get(&app, "/divisions").await.status, StatusCode::OK);
        // The other browser, which knew only the old password's session, is out.
        assert!(!is_signed_in(&app, &mut other).await);
        // The new password is the one that signs in now.
        let old = Browser::default()
            .sign_in(&app, "xinren", "given-by-admin-1")
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let new = Browser::default()
            .sign_in(&app, "xinren", "chosen-by-me-22")
            .await;
        assert_eq!(new.location(), "/");
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Sessions ending
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::demo(&app, "leader").await;
        db.clock.advance(Duration::minutes(29));
        assert!(is_signed_in(&app, &mut browser).await);
        // Each request restarts the idle timer.
        db.clock.advance(Duration::minutes(29));
        assert!(is_signed_in(&app, &mut browser).await);
        db.clock.advance(Duration::minutes(31));
        assert!(!is_signed_in(&app, &mut browser).await);
        // The API refuses the stale cookie too, in JSON.
        let cookie = format!(
            "mz_session={}",
            browser
                .cookies
                .iter()
                .find(|(k, _)| k == "mz_session")
                .unwrap()
                .1
        );
        let request = Request::get("/api/v1/divisions")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let call = send(&app, request).await;
        assert_eq!(call.status, StatusCode::UNAUTHORIZED);
        assert_eq!(call.json()["code"], "unauthorized");
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::demo(&app, "leader").await;
        // Busy all day: a request every 20 minutes, for 12 hours.
        for _ in 0..36 {
            db.clock.advance(Duration::minutes(20));
            assert!(is_signed_in(&app, &mut browser).await);
        }
        db.clock.advance(Duration::minutes(20));
        assert!(!is_signed_in(&app, &mut browser).await);
    })
    .await;
}

#[tokio::test]
async fn signing_out_ends_this_session_and_signing_out_everywhere_ends_all() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut office = Browser::demo(&app, "leader").await;
        let mut home = Browser::demo(&app, "leader").await;
        let mut phone = Browser::demo(&app, "leader").await;

        let csrf = phone.csrf(&app).await;
        let out = phone.post(&app, "/logout", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location(), "/login");
        assert!(
            session_cookie(&out).unwrap().contains("Max-Age=0"),
            "the cookie is cleared"
        );
        assert!(!is_signed_in(&app, &mut phone).await);
        assert!(is_signed_in(&app, &mut office).await);

        let csrf = office.csrf(&app).await;
        let all = office
            .post(&app, "/account/sessions/revoke", &[("csrf", &csrf)])
            .await;
        assert_eq!(all.status, StatusCode::SEE_OTHER);
        assert_eq!(all.location(), "/login");
        assert!(!is_signed_in(&app, &mut office).await);
        assert!(!is_signed_in(&app, &mut home).await);
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------

/// The text between `start` and the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &html[html.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

#[tokio::test]
async fn an_api_token_is_shown_once_works_as_a_bearer_and_can_be_revoked() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::demo(&app, "dongcheng").await;
        let csrf = browser.csrf(&app).await;
        let created = browser
            .post(
                &app,
                "/account/tokens",
                &[("csrf", &csrf), ("token_name", "台账系统")],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK);
        // Shown in the page, which no cache may keep.
        assert_eq!(created.header(header::CACHE_CONTROL), "no-store");
        let token = between(&created.body, r#"<code class="token">"#, "</code>")
            .unwrap()
            .to_owned();
        assert!(token.starts_with("mz_") && token.len() == 67, "{token}");
        // Shown once: the account page never shows it again.
        let account = browser.get(&app, "/account").await;
        assert!(account.body.contains("台账系统"));
        assert!(!account.body.contains(&token));

        // The token acts as its account, jurisdiction included.
        let roots = api(&app, "GET", "/api/v1/divisions", Some(&token), None).await;
        assert_eq!(roots.status, StatusCode::OK);
        assert_eq!(roots.json()[0]["code"], "990101001000");
        let outside = api(
            &app,
            "GET",
            "/api/v1/divisions/990101002000",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(outside.status, StatusCode::NOT_FOUND);
        // Signing out everywhere ends the tokens too: whoever took over a browser may have
        // made one.
        let csrf = browser.csrf(&app).await;
        browser
            .post(&app, "/account/sessions/revoke", &[("csrf", &csrf)])
            .await;
        let call = api(&app, "GET", "/api/v1/divisions", Some(&token), None).await;
        assert_eq!(call.status, StatusCode::UNAUTHORIZED);
        assert_eq!(call.json()["code"], "unauthorized");

        // A new token, revoked by hand.
        let mut browser = Browser::demo(&app, "dongcheng").await;
        let csrf = browser.csrf(&app).await;
        let created = browser
            .post(
                &app,
                "/account/tokens",
                &[("csrf", &csrf), ("token_name", "台账系统 2")],
            )
            .await;
        let token = between(&created.body, r#"<code class="token">"#, "</code>")
            .unwrap()
            .to_owned();
        assert_eq!(
            api(&app, "GET", "/api/v1/divisions", Some(&token), None)
                .await
                .status,
            StatusCode::OK
        );
        let account = browser.get(&app, "/account").await;
        let revoke = between(&account.body, r#"action="/account/tokens/"#, r#"""#).unwrap();
        let revoked = browser
            .post(
                &app,
                &format!("/account/tokens/{revoke}"),
                &[("csrf", &account.csrf())],
            )
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        assert!(
            browser
                .get(&app, "/account")
                .await
                .body
                .contains(&zh("account-token-revoked"))
        );
        for bearer in [token.as_str(), "mz_0000", ""] {
            let call = api(&app, "GET", "/api/v1/divisions", Some(bearer), None).await;
            assert_eq!(call.status, StatusCode::UNAUTHORIZED, "{bearer}");
            assert_eq!(call.json()["code"], "unauthorized");
        }
        // Revoking someone else's token, or one that does not exist, is not found.
        let mut other = Browser::demo(&app, "heping").await;
        let csrf = other.csrf(&app).await;
        let path = format!("/account/tokens/{revoke}");
        assert_eq!(
            other.post(&app, &path, &[("csrf", &csrf)]).await.status,
            StatusCode::NOT_FOUND
        );
        let path = "/account/tokens/999999/revoke";
        assert_eq!(
            other.post(&app, path, &[("csrf", &csrf)]).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

/// A new API token made on `browser`'s account page.
async fn new_token(app: &Router, browser: &mut Browser, name: &str) -> String {
    let csrf = browser.csrf(app).await;
    let created = browser
        .post(
            app,
            "/account/tokens",
            &[("csrf", &csrf), ("token_name", name)],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    between(&created.body, r#"<code class="token">"#, "</code>")
        .unwrap()
        .to_owned()
}

/// Whether every API token of `username` is revoked (a 401 alone could also mean that the
/// account must choose a new password first).
async fn all_tokens_revoked(db: &TestDb, username: &str) -> bool {
    let user = db.store().user_by_username(username).await.unwrap();
    let tokens = db.store().api_tokens_of(user.id).await.unwrap();
    !tokens.is_empty() && tokens.iter().all(|t| t.revoked_at.is_some())
}

#[tokio::test]
async fn a_password_change_and_an_administrators_reset_end_the_api_tokens() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let divisions = async |token: &str| {
            api(&app, "GET", "/api/v1/divisions", Some(token), None)
                .await
                .status
        };

        // The holder changes the password: whoever knew the old one may have made a token.
        let mut leader = Browser::demo(&app, "leader").await;
        let token = new_token(&app, &mut leader, "报表").await;
        assert_eq!(divisions(&token).await, StatusCode::OK);
        let csrf = leader.csrf(&app).await;
        let form = [
            ("csrf", csrf.as_str()),
            ("old_password", "demo-leader-2013"),
            ("password", "leader-chosen-22"),
            ("repeat_password", "leader-chosen-22"),
        ];
        let changed = leader.post(&app, "/account/password", &form).await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        assert_eq!(divisions(&token).await, StatusCode::UNAUTHORIZED);
        assert!(all_tokens_revoked(db, "leader").await);
        // This browser stays signed in and may make a new one.
        let token = new_token(&app, &mut leader, "报表 2").await;
        assert_eq!(divisions(&token).await, StatusCode::OK);

        // An administrator resets it on the account's page.
        let mut admin = Browser::demo(&app, "admin").await;
        let id = db.store().user_by_username("leader").await.unwrap().id;
        let csrf = admin.csrf(&app).await;
        let reset = admin
            .post(
                &app,
                &format!("/accounts/{id}/reset-password"),
                &[("csrf", &csrf), ("password", "temporary-2013-07")],
            )
            .await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
        assert_eq!(divisions(&token).await, StatusCode::UNAUTHORIZED);
        assert!(all_tokens_revoked(db, "leader").await);

        // And through the API.
        let mut staff = Browser::demo(&app, "jiuzhu").await;
        let token = new_token(&app, &mut staff, "救助台账").await;
        assert_eq!(divisions(&token).await, StatusCode::OK);
        let admin_token = new_token(&app, &mut admin, "管理").await;
        let id = db.store().user_by_username("jiuzhu").await.unwrap().id;
        let reset = api(
            &app,
            "POST",
            &format!("/api/v1/accounts/{id}/reset-password"),
            Some(&admin_token),
            Some(serde_json::json!({"password": "temporary-2013-08"})),
        )
        .await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
        assert_eq!(divisions(&token).await, StatusCode::UNAUTHORIZED);
        assert!(all_tokens_revoked(db, "jiuzhu").await);
        // The administrator's own token is untouched.
        assert_eq!(divisions(&admin_token).await, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_token_of_an_account_that_must_change_its_password_is_refused() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        new_account(db, "xinren", "given-by-admin-1").await;
        // The web refuses to make one (see above), so it is made through the service.
        let client = service::sessions::Client::default();
        let signed = db
            .service
            .sign_in("xinren", "given-by-admin-1", &client)
            .await
            .unwrap()
            .unwrap();
        let current = db
            .service
            .session(&signed.token, &client)
            .await
            .unwrap()
            .unwrap();
        let token = db
            .service
            .create_api_token(&current, "early")
            .await
            .unwrap();
        let call = api(&app, "GET", "/api/v1/divisions", Some(&token), None).await;
        assert_eq!(call.status, StatusCode::UNAUTHORIZED);
        // Its browser session is no key to the API either.
        let request = Request::get("/api/v1/divisions")
            .header(header::COOKIE, format!("mz_session={}", signed.token))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, request).await.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn sign_ins_failures_sign_outs_and_password_changes_are_audited() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        new_account(db, "xinren", "given-by-admin-1").await;
        let mut browser = Browser::default();
        at_login_form(&app, &mut browser).await;
        sign_in_from(&app, &browser, [10, 9, 8, 7], "xinren", "wrong-password").await;
        sign_in_from(&app, &browser, [10, 9, 8, 7], "ghost", "wrong-password").await;
        let ok = sign_in_from(&app, &browser, [10, 9, 8, 7], "xinren", "given-by-admin-1").await;
        let cookie = session_cookie(&ok).unwrap();
        browser.cookies = vec![(
            "mz_session".into(),
            cookie[11..cookie.find(';').unwrap()].to_owned(),
        )];
        let csrf = browser.get(&app, "/account/password").await.csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("old_password", "given-by-admin-1"),
            ("password", "chosen-by-me-22"),
            ("repeat_password", "chosen-by-me-22"),
        ];
        assert_eq!(
            browser.post(&app, "/account/password", &form).await.status,
            StatusCode::SEE_OTHER
        );
        browser.post(&app, "/logout", &[("csrf", &csrf)]).await;

        let actions = audit_actions(db).await;
        let at =
            |action: &str, actor: &str| actions.iter().any(|(a, u, _)| a == action && u == actor);
        assert!(at("session.sign_in_failed", "xinren"), "{actions:?}");
        assert!(at("session.sign_in_failed", "?ghost"), "{actions:?}");
        assert!(at("session.sign_in", "xinren"), "{actions:?}");
        assert!(at("accounts.password_change", "xinren"), "{actions:?}");
        assert!(at("session.sign_out", "xinren"), "{actions:?}");
        // Where the sign-ins came from is recorded.
        let addresses: Vec<&str> = actions
            .iter()
            .filter(|(a, _, _)| a.starts_with("session.sign_in"))
            .map(|(_, _, address)| address.as_str())
            .collect();
        assert_eq!(addresses, ["10.9.8.7"; 3]);
        // And the chain of entries is intact.
        let check = db.store().verify_audit_chain(&mut |_| {}).await.unwrap();
        assert!(
            matches!(check, store::ChainCheck::Intact { .. }),
            "{check:?}"
        );
    })
    .await;
}
