//! 联系户 and 信访 through the pages and the API, on both engines: pairing a leader through
//! the form, re-assigning with the history on the pairing's and the entitlement's pages,
//! the XLSX export read back masked; a petition case opened, followed up and closed through
//! the forms, a second close refused in Chinese, the due list; the veterans' dashboard
//! showing the due visits; and the JSON API.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, api, demo_app};

#[tokio::test]
async fn pairings_are_reassigned_with_their_history_and_exported_masked() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_veterans(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let list = youfu.get(&app, "/veterans/liaison").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(list.body.contains("新建联系户挂钩"));
        let csrf = list.csrf();
        let pair = |entitlement: &'static str, leader: &'static str| {
            vec![
                ("entitlement", entitlement),
                ("leader_name", leader),
                ("leader_post", "副区长"),
                ("leader_unit", "示范区人民政府"),
                ("starts_on", "2013-01-05"),
            ]
        };
        let mut form = pair("1", "");
        form.push(("csrf", &csrf));
        let bad = youfu.post(&app, "/veterans/liaison", &form).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("请填写联系领导姓名"), "{}", bad.body);
        let mut form = pair("1", "李红");
        form.push(("csrf", &csrf));
        let ok = youfu.post(&app, "/veterans/liaison", &form).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/veterans/liaison/1?done=paired");
        let twice = youfu.post(&app, "/veterans/liaison", &form).await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST);
        assert!(twice.body.contains("该户已有联系领导"), "{}", twice.body);

        let reassign = |leader: &'static str, on: &'static str| {
            vec![
                ("csrf", csrf.as_str()),
                ("leader_name", leader),
                ("leader_post", "副区长"),
                ("leader_unit", "示范区人民政府"),
                ("starts_on", on),
                ("reason", "leader_change"),
            ]
        };
        let early = youfu
            .post(
                &app,
                "/veterans/liaison/1/reassign",
                &reassign("陈明", "2013-01-01"),
            )
            .await;
        assert_eq!(early.status, StatusCode::BAD_REQUEST);
        assert!(
            early.body.contains("须晚于现挂钩日期 2013-01-05"),
            "{}",
            early.body
        );
        let done = youfu
            .post(
                &app,
                "/veterans/liaison/1/reassign",
                &reassign("陈明", "2013-04-01"),
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), "/veterans/liaison/2?done=reassigned");
        let page = youfu.get(&app, done.location()).await;
        assert!(page.body.contains("已调整联系户挂钩"));
        assert!(page.body.contains("李红") && page.body.contains("陈明"));
        assert!(page.body.contains("领导调整"));
        // The entitlement's page shows the same history.
        let detail = youfu.get(&app, "/veterans/1").await;
        assert!(detail.body.contains("联系户挂钩记录"), "{}", detail.body);
        assert!(detail.body.contains("陈明") && detail.body.contains("2013-04-01"));
        // The old pairing cannot be re-assigned again.
        let again = youfu
            .post(
                &app,
                "/veterans/liaison/1/reassign",
                &reassign("赵敏", "2013-05-01"),
            )
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(again.body.contains("已被调整"), "{}", again.body);

        // The list shows the pairing in force; the XLSX read back masked.
        let list = youfu.get(&app, "/veterans/liaison?q=陈明").await;
        assert!(list.body.contains("王老兵"), "{}", list.body);
        let cookie = youfu
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = Request::get("/veterans/liaison/export.xlsx")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("领导干部联系户").unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(cells.len(), 2, "{cells:?}");
        assert_eq!(cells[0][5], "联系领导");
        assert_eq!(cells[1][1], "王老兵");
        assert!(cells[1][2].contains("**********"), "{}", cells[1][2]);
        assert_eq!(cells[1][5], "陈明");
        assert_eq!(cells[1][8], "2013-04-01");

        // The API: the list and a refused re-assignment, in JSON.
        let token = db
            .service
            .issue_api_token(&service::Actor::system(), "youfu", "t")
            .await
            .unwrap();
        let reply = api(&app, "GET", "/api/v1/veterans/liaison", Some(&token), None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["total"], 1);
        assert_eq!(reply.json()["items"][0]["leader_name"], "陈明");
        let reply = api(
            &app,
            "POST",
            "/api/v1/veterans/liaison/1/reassign",
            Some(&token),
            Some(serde_json::json!({
                "leader_name": "赵敏",
                "leader_post": "副区长",
                "leader_unit": "区政府",
                "starts_on": "2013-05-01",
                "reason": "leader_change",
            })),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            reply.json()["fields"][0]["code"],
            "veterans.liaison_replaced"
        );
    })
    .await;
}

#[tokio::test]
async fn a_petition_case_is_followed_up_and_closed_once_through_the_forms() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_veterans(db).await;
        let mut heping = Browser::demo(&app, "heping").await;
        let list = heping.get(&app, "/veterans/petitions").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let csrf = list.csrf();
        let open = heping
            .post(
                &app,
                "/veterans/petitions",
                &[
                    ("csrf", csrf.as_str()),
                    ("entitlement", "1"),
                    ("subject", "要求提高补助标准"),
                    ("opened_on", "2013-06-20"),
                    ("risk", "high"),
                    ("who", "和平社区 李主任"),
                    ("what", "排查评估为高风险"),
                ],
            )
            .await;
        assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.body);
        assert_eq!(open.location(), "/veterans/petitions/1?done=opened");
        // Due 2013-06-27, overdue on the demo's today (2013-07-01).
        let due = heping.get(&app, "/veterans/petitions?due=overdue").await;
        assert!(due.body.contains("要求提高补助标准"), "{}", due.body);
        assert!(due.body.contains("2013-06-27"));
        let week = heping.get(&app, "/veterans/petitions?due=week").await;
        assert!(!week.body.contains("要求提高补助标准"));
        let mut youfu = Browser::demo(&app, "youfu").await;
        let board = youfu.get(&app, "/dashboards/veterans?year=2013").await;
        assert!(
            board.body.contains("信访重点人员走访已逾期"),
            "{}",
            board.body
        );

        let before = heping
            .post(
                &app,
                "/veterans/petitions/1/followups",
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "home_visit"),
                    ("on_date", "2013-06-01"),
                    ("who", "李主任"),
                    ("what", "家访"),
                    ("last_seq", "1"),
                ],
            )
            .await;
        assert_eq!(before.status, StatusCode::BAD_REQUEST);
        assert!(
            before.body.contains("不能早于案件登记日期 2013-06-20"),
            "{}",
            before.body
        );
        let visit = heping
            .post(
                &app,
                "/veterans/petitions/1/followups",
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "home_visit"),
                    ("on_date", "2013-06-28"),
                    ("who", "李主任"),
                    ("what", "家访，情绪稳定"),
                    ("last_seq", "1"),
                ],
            )
            .await;
        assert_eq!(visit.status, StatusCode::SEE_OTHER, "{}", visit.body);
        let page = heping.get(&app, "/veterans/petitions/1").await;
        assert!(page.body.contains("家访，情绪稳定"));
        assert!(page.body.contains("2013-07-05"), "next visit 7 days later");

        let close = [
            ("csrf", csrf.as_str()),
            ("on_date", "2013-07-01"),
            ("who", "李主任"),
            ("outcome", "诉求已答复，本人认可"),
            ("last_seq", "2"),
        ];
        let closed = heping
            .post(&app, "/veterans/petitions/1/close", &close)
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let again = heping
            .post(&app, "/veterans/petitions/1/close", &close)
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(
            again.body.contains("已办结,不能再记录或办结"),
            "{}",
            again.body
        );
        let page = heping.get(&app, "/veterans/petitions/1").await;
        assert!(page.body.contains("诉求已答复，本人认可"));
        assert!(
            !page.body.contains("/veterans/petitions/1/close\""),
            "no close form"
        );

        // The API shows the case with its follow-ups; another community's case is not found.
        let token = db
            .service
            .issue_api_token(&service::Actor::system(), "heping", "t")
            .await
            .unwrap();
        let reply = api(
            &app,
            "GET",
            "/api/v1/veterans/petitions/1",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["closed"], true);
        assert_eq!(reply.json()["followups"].as_array().unwrap().len(), 3);
        let reply = api(
            &app,
            "POST",
            "/api/v1/veterans/petitions",
            Some(&token),
            Some(serde_json::json!({
                "entitlement": "3",
                "subject": "外社区",
                "opened_on": "2013-06-20",
                "risk": "low",
                "who": "李主任",
                "what": "登记",
            })),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json()["fields"][0]["code"], "veterans.entitlement");
    })
    .await;
}
