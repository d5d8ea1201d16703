//! 动态管理 through the forms, on both engines: the case page's change history and forms,
//! a change with CSRF, the decisions only for those who decide, a stale version, the review
//! due list, and the API.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::{Browser, api, demo_app, demo_application};
use domain::assistance::workflow::Step;
use service::assistance::StepInput;
use testkit::TestDb;

fn on(db: &TestDb, day: &str) {
    let date: chrono::NaiveDate = day.parse().unwrap();
    db.clock
        .set(Utc.from_utc_datetime(&date.and_hms_opt(1, 0, 0).unwrap()));
}

/// An approved case in 和平社区 (approved 2013-07-11, paying from August).
async fn approved(db: &TestDb) -> i64 {
    let s = &db.service;
    let system = service::Actor::system();
    on(db, "2013-07-01");
    let case = s
        .register_application(&system, demo_application("990101001001", 11))
        .await
        .unwrap();
    let mut v = 1;
    for (step, day) in [
        (
            Step::CheckMeans {
                income_per_capita: domain::Fen::from_fen(20_000),
            },
            "2013-07-02",
        ),
        (Step::VisitHome, "2013-07-03"),
        (
            Step::PostNotice {
                from: "2013-07-04".parse().unwrap(),
            },
            "2013-07-04",
        ),
        (Step::Approve, "2013-07-11"),
    ] {
        on(db, day);
        let input = StepInput {
            step,
            on: day.parse().unwrap(),
            note: String::new(),
        };
        v = s.record_step(&system, case, v, input).await.unwrap();
    }
    case
}

async fn change(
    browser: &mut Browser,
    app: &axum::Router,
    case: &str,
    fields: &[(&str, &str)],
) -> common::Reply {
    let page = browser.get(app, case).await;
    let csrf = page.csrf();
    let v = common::field_value(&page.body, "version").unwrap();
    let mut form = vec![("csrf", csrf.as_str()), ("version", v.as_str())];
    form.extend_from_slice(fields);
    browser.post(app, &format!("{case}/changes"), &form).await
}

#[tokio::test]
async fn changes_are_recorded_through_the_case_page_and_reviews_are_listed() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let id = approved(db).await;
        let case = format!("/assistance/{id}");
        on(db, "2014-03-10");

        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let page = dongcheng.get(&app, &case).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("动态管理"));
        assert!(page.body.contains("尚无变更记录"));
        assert!(page.body.contains("id=\"change-income\""));
        assert!(
            !page.body.contains("id=\"change-suspend\""),
            "no decisions for the street"
        );

        // Without the CSRF token nothing is written.
        let v = common::field_value(&page.body, "version").unwrap();
        let forged = dongcheng
            .post(
                &app,
                &format!("{case}/changes"),
                &[
                    ("csrf", "x"),
                    ("version", &v),
                    ("kind", "income"),
                    ("income_per_capita", "300"),
                ],
            )
            .await;
        assert_ne!(forged.status, StatusCode::SEE_OTHER);

        // A refused form shows the reason inline.
        let short = change(
            &mut dongcheng,
            &app,
            &case,
            &[
                ("kind", "income"),
                ("income_per_capita", "300"),
                ("reason", "短"),
            ],
        )
        .await;
        assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.body);

        let reply = change(
            &mut dongcheng,
            &app,
            &case,
            &[
                ("kind", "income"),
                ("income_per_capita", "300.00"),
                ("reason", "配偶找到临时工作"),
            ],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let page = dongcheng.get(&app, reply.location()).await;
        assert!(page.body.contains("变更已记录"));
        assert!(page.body.contains("收入变更"));
        assert!(page.body.contains("200.00 元"), "before");
        assert!(page.body.contains("300.00 元"), "after");
        assert!(page.body.contains("2014-04"), "effective month");
        assert!(page.body.contains("配偶找到临时工作"));

        // A forged suspension by the street is refused.
        let forged = change(
            &mut dongcheng,
            &app,
            &case,
            &[("kind", "suspend"), ("reason", "外出未归核实中")],
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        // The district suspends; a stale version is a conflict.
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let page = jiuzhu.get(&app, &case).await;
        assert!(page.body.contains("id=\"change-suspend\""));
        let reply = change(
            &mut jiuzhu,
            &app,
            &case,
            &[("kind", "suspend"), ("reason", "外出未归核实中")],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let csrf = page.csrf();
        let stale = jiuzhu
            .post(
                &app,
                &format!("{case}/changes"),
                &[
                    ("csrf", &csrf),
                    ("version", "1"),
                    ("kind", "resume"),
                    ("reason", "人已返回"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        let page = jiuzhu.get(&app, &case).await;
        assert!(page.body.contains("暂停发放"));
        assert!(page.body.contains("id=\"change-resume\""));

        // The review list: approved 2013-07-11, a spouse able to work, six months: due.
        let list = dongcheng.get(&app, "/assistance/reviews").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains(&format!("/assistance/{id}#changes")),
            "{}",
            list.body
        );
        assert!(list.body.contains("2014-01-11"));
        let elsewhere = dongcheng
            .get(&app, "/assistance/reviews?division=990101002000")
            .await;
        assert!(
            !elsewhere
                .body
                .contains(&format!("/assistance/{id}#changes"))
        );
        let home = dongcheng.get(&app, "/").await;
        assert!(home.body.contains("户救助对象已到复核期"), "{}", home.body);

        // The API: the due list, and a review recorded with the version.
        let csrf = dongcheng.csrf(&app).await;
        let token = {
            let reply = dongcheng
                .post(
                    &app,
                    "/account/tokens",
                    &[("csrf", &csrf), ("token_name", "api")],
                )
                .await;
            let start = reply.body.find(r#"<code class="token">"#).unwrap() + 20;
            reply.body[start..start + 67].to_owned()
        };
        let due = api(
            &app,
            "GET",
            "/api/v1/assistance/reviews",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(due.status, StatusCode::OK, "{}", due.body);
        let rows = due.json();
        assert_eq!(rows[0]["case_id"], id);
        assert_eq!(rows[0]["class"], "work_capable");
        let version = rows[0]["version"].as_i64().unwrap();
        let body =
            serde_json::json!({"version": version, "kind": "review_unchanged", "reason": ""});
        let reply = api(
            &app,
            "POST",
            &format!("/api/v1/assistance/cases/{id}/changes"),
            Some(&token),
            Some(body),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["version"], version + 1);
        let due = api(
            &app,
            "GET",
            "/api/v1/assistance/reviews",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(due.json().as_array().unwrap().len(), 0);
    })
    .await;
}
