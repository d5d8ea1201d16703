//! The API's OpenAPI document and Swagger UI: the document parses and is 3.1, it describes
//! every `/api/v1` route the sources define, every path it describes answers, and the UI
//! loads from this server alone.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a panic in a test is a failure with a line number; the shared helpers print the engine"
)]

mod common;

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use common::{Browser, api, demo_app};
use serde_json::Value;

async fn document(app: &axum::Router) -> Value {
    let reply = api(app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header(header::CONTENT_TYPE)
            .starts_with("application/json")
    );
    reply.json()
}

/// Every `"/api/v1/…"` string literal in this crate's sources, with `{param}` segments kept.
fn route_literals() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for literal in text.split('"').skip(1).step_by(2) {
            if literal.starts_with("/api/v1/") && !literal.contains(char::is_whitespace) {
                found.insert(literal.to_owned());
            }
        }
    }
    assert!(found.len() >= 4, "the scan found too little: {found:?}");
    found
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_errors_and_security() {
    let db = testkit::sqlite().await;
    let app = common::app(&db);
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(!doc["info"]["title"].as_str().unwrap().is_empty());
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "mz_session");
    let error = &doc["components"]["schemas"]["ErrorDoc"]["properties"];
    for field in ["code", "message", "fields"] {
        assert!(error.get(field).is_some(), "error schema lacks {field}");
    }
    let field = &doc["components"]["schemas"]["FieldErrorDoc"]["properties"];
    for name in ["row", "field", "code", "message"] {
        assert!(field.get(name).is_some(), "field error schema lacks {name}");
    }
    let post = &doc["paths"]["/api/v1/accounts"]["post"];
    for status in ["201", "400", "401", "403", "409"] {
        assert!(
            post["responses"].get(status).is_some(),
            "POST accounts lacks {status}"
        );
    }
    db.cleanup().await;
}

#[tokio::test]
async fn every_api_route_in_the_sources_is_documented() {
    let db = testkit::sqlite().await;
    let app = common::app(&db);
    let doc = document(&app).await;
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for route in route_literals() {
        assert!(
            documented.contains(&route),
            "{route} is routed but not in the OpenAPI document"
        );
    }
    for required in [
        "/api/v1/divisions",
        "/api/v1/divisions/{code}",
        "/api/v1/me",
        "/api/v1/audit",
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
    ] {
        assert!(documented.contains(required), "{required} missing");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn every_documented_path_answers() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_cases(db).await;
        common::seed_payroll(db).await;
        common::seed_veterans(db).await;
        common::seed_liaison(db).await;
        // An auditor reads everything, including the audit log; a token from 我的账号.
        let current = {
            let client = service::sessions::Client {
                address: "127.0.0.1".into(),
                user_agent: "test".into(),
            };
            let signed = db
                .service
                .sign_in("auditor", "demo-auditor-2013", &client)
                .await
                .unwrap()
                .unwrap();
            db.service
                .session(&signed.token, &client)
                .await
                .unwrap()
                .unwrap()
        };
        let token = db
            .service
            .create_api_token(&current, "openapi test")
            .await
            .unwrap();
        let doc = document(&app).await;
        let paths = doc["paths"].as_object().unwrap();
        for (path, item) in paths {
            for (method, _) in item.as_object().unwrap() {
                let uri = path
                    .replace("{code}", "990101001000")
                    .replace("{id}", "1")
                    .replace("{line}", "assistance");
                let body = (method == "post").then(|| serde_json::json!({}));
                let reply = api(&app, &method.to_uppercase(), &uri, Some(&token), body).await;
                assert_ne!(
                    reply.status,
                    StatusCode::NOT_FOUND,
                    "{method} {uri}: {}",
                    reply.body
                );
                assert_ne!(
                    reply.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {uri}"
                );
                assert_ne!(
                    reply.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {uri}: the token was refused"
                );
            }
        }
        let me = api(&app, "GET", "/api/v1/me", Some(&token), None).await;
        assert_eq!(me.status, StatusCode::OK);
        let me = me.json();
        assert_eq!(me["username"], "auditor");
        assert_eq!(me["display_name"], "审计 刘审计");
        assert_eq!(me["role"], "auditor");
        assert_eq!(me["jurisdiction"], "990101000000");
        let permissions = me["permissions"].as_array().unwrap();
        assert!(permissions.contains(&serde_json::json!({"line": "audit", "action": "export"})));
        assert!(!permissions.iter().any(|p| p["action"] == "write"));
    })
    .await;
}

#[tokio::test]
async fn me_answers_a_browser_session_and_refuses_strangers() {
    let db = testkit::sqlite().await;
    let app = demo_app(&db).await;
    let mut browser = Browser::demo(&app, "admin").await;
    let me = browser.get(&app, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let me = me.json();
    assert_eq!(me["role"], "admin");
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"line": "accounts", "action": "write"}))
    );
    let stranger = api(&app, "GET", "/api/v1/me", None, None).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stranger.json()["code"], "unauthorized");
    db.cleanup().await;
}

#[tokio::test]
async fn swagger_ui_loads_from_this_server_under_the_strict_policy() {
    let db = testkit::sqlite().await;
    let app = common::app(&db);
    let redirect = api(&app, "GET", "/api/docs", None, None).await;
    assert_eq!(redirect.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(redirect.location(), "/api/docs/");
    let index = api(&app, "GET", "/api/docs/", None, None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(
        index.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    // The one policy of the whole site: nothing inline, nothing from elsewhere.
    let csp = index.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(!index.body.contains("<style"));
    assert!(!index.body.contains("style="));
    assert!(
        !index.body.contains("http://")
            && !index.body.contains("https://")
            && !index.body.contains("//cdn")
    );
    for tag in index.body.split("<script").skip(1) {
        assert!(
            tag.trim_start().starts_with("src=\"/api/docs/"),
            "an inline or foreign script: {tag}"
        );
    }
    for (file, kind) in [
        ("/api/docs/swagger-ui-bundle.js", "text/javascript"),
        ("/api/docs/swagger-ui.css", "text/css"),
        ("/api/docs/init.js", "text/javascript"),
    ] {
        assert!(index.body.contains(file), "{file} is not used");
        let reply = api(&app, "GET", file, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{file}");
        assert!(
            reply.header(header::CONTENT_TYPE).starts_with(kind),
            "{file}"
        );
        assert!(reply.body.len() > 100, "{file}");
    }
    let init = api(&app, "GET", "/api/docs/init.js", None, None).await;
    assert!(init.body.contains("\"/api/v1/openapi.json\""));
    assert!(
        init.body.contains("validatorUrl: null"),
        "the online validator would call another host"
    );
    assert!(!init.body.contains("https://"));
    for other in [
        "/api/docs/index.html",
        "/api/docs/oauth2-redirect.html",
        "/api/docs/nope.js",
    ] {
        assert_eq!(
            api(&app, "GET", other, None, None).await.status,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }
    db.cleanup().await;
}
