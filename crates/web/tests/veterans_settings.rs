//! The veterans section's settings and the petition export through the pages, on both
//! engines: the risk levels listed with their open cases, a form with wrong rows refused
//! by row and field in Chinese, a new interval moving the due visits, a level in use kept;
//! the categories not held together added (refused, masked, while someone holds both) and
//! removed with a reason; the petition list downloaded as XLSX and CSV with its filters,
//! read back masked.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::TimeZone;
use common::{Browser, demo_app};
use testkit::TestDb;

async fn download(app: &Router, browser: &Browser, path: &str) -> (StatusCode, Vec<u8>) {
    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .unwrap();
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, bytes.to_vec())
}

/// Three entitlements and three high-risk cases opened 2013-06-03 (case 1 in 和平社区),
/// seen on Monday 2013-07-01.
async fn seeded(db: &TestDb) -> Router {
    let app = demo_app(db).await;
    common::seed_veterans(db).await;
    common::seed_liaison(db).await;
    db.clock
        .set(chrono::Utc.with_ymd_and_hms(2013, 7, 1, 1, 0, 0).unwrap());
    app
}

#[tokio::test]
async fn the_risk_levels_are_edited_row_by_row_and_the_due_visits_follow() {
    testkit::for_each_engine(async |db| {
        let app = seeded(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let list = youfu.get(&app, "/veterans/petitions").await;
        assert!(
            list.body.contains("/veterans/petitions/risk-levels"),
            "{}",
            list.body
        );
        let page = youfu.get(&app, "/veterans/petitions/risk-levels").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("信访风险等级"));
        assert!(
            page.body.contains("status=open&amp;risk=high\">3</a>"),
            "{}",
            page.body
        );
        let csrf = page.csrf();

        // Two wrong rows: each named by row and field, in Chinese; nothing saved.
        let bad = youfu
            .post(
                &app,
                "/veterans/petitions/risk-levels",
                &[
                    ("csrf", &csrf),
                    ("name_high", "高"),
                    ("days_high", "3"),
                    ("name_medium", "中"),
                    ("days_medium", "0"),
                    ("name_low", ""),
                    ("days_low", "90"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(
            bad.body
                .contains("第 2 行,走访周期(天):走访周期“0”应为 1 至 366 之间的整数天数"),
            "{}",
            bad.body
        );
        assert!(
            bad.body.contains("第 3 行,等级名称:请填写等级名称"),
            "{}",
            bad.body
        );
        // The form keeps what was typed.
        assert!(
            bad.body
                .contains("name=\"days_medium\" inputmode=\"numeric\" maxlength=\"3\" value=\"0\"")
        );
        let case = youfu.get(&app, "/veterans/petitions/1").await;
        assert!(case.body.contains("2013-06-10"), "{}", case.body);

        // High every 30 days: the visits left to the interval move to 07-03, this week.
        let ok = youfu
            .post(
                &app,
                "/veterans/petitions/risk-levels",
                &[
                    ("csrf", &csrf),
                    ("name_high", "高风险"),
                    ("days_high", "30"),
                    ("name_medium", "中"),
                    ("days_medium", "30"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/veterans/petitions/risk-levels?done=edited");
        let page = youfu.get(&app, ok.location()).await;
        assert!(page.body.contains("已保存风险等级"), "{}", page.body);
        assert!(page.body.contains("value=\"高风险\""), "{}", page.body);
        let week = youfu.get(&app, "/veterans/petitions?due=week").await;
        assert!(week.body.contains("2013-07-03"), "{}", week.body);
        let overdue = youfu.get(&app, "/veterans/petitions?due=overdue").await;
        assert!(
            overdue.body.contains("没有符合条件的信访案件"),
            "{}",
            overdue.body
        );

        // A level in use stays, the count named; a new one is added, an unused one goes.
        let kept = youfu
            .post(
                &app,
                "/veterans/petitions/risk-levels/remove",
                &[("csrf", &csrf), ("code", "high")],
            )
            .await;
        assert_eq!(kept.status, StatusCode::BAD_REQUEST);
        assert!(
            kept.body
                .contains("第 1 行,等级代码:已有 3 件信访案件使用过该风险等级,不能删除"),
            "{}",
            kept.body
        );
        let bad = youfu
            .post(
                &app,
                "/veterans/petitions/risk-levels/add",
                &[
                    ("csrf", &csrf),
                    ("code", "High!"),
                    ("name", "极高"),
                    ("visit_days", "2"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("等级代码“High!”应为"), "{}", bad.body);
        let added = youfu
            .post(
                &app,
                "/veterans/petitions/risk-levels/add",
                &[
                    ("csrf", &csrf),
                    ("code", "critical"),
                    ("name", "极高"),
                    ("visit_days", "2"),
                ],
            )
            .await;
        assert_eq!(
            added.location(),
            "/veterans/petitions/risk-levels?done=added"
        );
        let removed = youfu
            .post(
                &app,
                "/veterans/petitions/risk-levels/remove",
                &[("csrf", &csrf), ("code", "low")],
            )
            .await;
        assert_eq!(
            removed.location(),
            "/veterans/petitions/risk-levels?done=removed"
        );
        let page = youfu.get(&app, "/veterans/petitions/risk-levels").await;
        assert!(page.body.contains("data-level=\"critical\""));
        assert!(!page.body.contains("data-level=\"low\""));

        // A community reads the levels, without the forms.
        let mut heping = Browser::demo(&app, "heping").await;
        let page = heping.get(&app, "/veterans/petitions/risk-levels").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("高风险") && !page.body.contains("levels-edit"));
    })
    .await;
}

#[tokio::test]
async fn the_exclusions_are_added_and_removed_and_a_pair_held_is_refused_masked() {
    testkit::for_each_engine(async |db| {
        let app = seeded(db).await;
        // The first veteran (带病回乡, 42) is also a combat veteran (51).
        let held =
            domain::ResidentId::synthetic("990101", "1950-02-02".parse().unwrap(), 71).unwrap();
        db.service
            .register_entitlement(
                &service::Actor::system(),
                &service::veterans::EntitlementInput {
                    id_number: held.as_str().into(),
                    name: "王老兵".into(),
                    category: "51".into(),
                    certified_on: "2013-01-05".into(),
                    document_number: "示优〔2013〕2号".into(),
                    certifying_office: "示范区民政局".into(),
                    community: "990101001001".into(),
                    address: "和平路 1 号".into(),
                    ..service::veterans::EntitlementInput::default()
                },
            )
            .await
            .unwrap();
        let mut youfu = Browser::demo(&app, "youfu").await;
        let standards = youfu.get(&app, "/veterans/standards").await;
        assert!(standards.body.contains("href=\"/veterans/exclusions\""));
        let page = youfu.get(&app, "/veterans/exclusions").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("data-pair=\"11-42\""), "{}", page.body);
        let csrf = page.csrf();

        let refused = youfu
            .post(
                &app,
                "/veterans/exclusions",
                &[
                    ("csrf", &csrf),
                    ("a", "51"),
                    ("b", "42"),
                    ("reason", "测试不兼得"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.body.contains("现有人同时享受这两个类别的待遇"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(&held.masked()), "{}", refused.body);
        assert!(!refused.body.contains(held.as_str()), "{}", refused.body);

        let added = youfu
            .post(
                &app,
                "/veterans/exclusions",
                &[
                    ("csrf", &csrf),
                    ("a", "71"),
                    ("b", "61"),
                    ("reason", "测试不兼得"),
                ],
            )
            .await;
        assert_eq!(
            added.location(),
            "/veterans/exclusions?done=added",
            "{}",
            added.body
        );
        let page = youfu.get(&app, "/veterans/exclusions?done=added").await;
        assert!(page.body.contains("data-pair=\"61-71\""), "{}", page.body);

        let no_reason = youfu
            .post(
                &app,
                "/veterans/exclusions/remove",
                &[("csrf", &csrf), ("a", "61"), ("b", "71"), ("reason", "")],
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
        assert!(
            no_reason.body.contains("删除理由:请填写理由"),
            "{}",
            no_reason.body
        );
        let removed = youfu
            .post(
                &app,
                "/veterans/exclusions/remove",
                &[
                    ("csrf", &csrf),
                    ("a", "61"),
                    ("b", "71"),
                    ("reason", "录入有误"),
                ],
            )
            .await;
        assert_eq!(removed.location(), "/veterans/exclusions?done=removed");
        let page = youfu.get(&app, "/veterans/exclusions").await;
        assert!(!page.body.contains("data-pair=\"61-71\""));

        // Streets read the list without the forms.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let page = dongcheng.get(&app, "/veterans/exclusions").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("data-pair=\"11-42\"")
                && !page.body.contains("/veterans/exclusions/remove")
        );
    })
    .await;
}

#[tokio::test]
async fn the_petition_list_is_downloaded_with_its_filters_and_read_back_masked() {
    testkit::for_each_engine(async |db| {
        let app = seeded(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let list = youfu
            .get(&app, "/veterans/petitions?division=990101001000")
            .await;
        assert!(
            list.body
                .contains("href=\"/veterans/petitions/export.xlsx?division=990101001000\""),
            "{}",
            list.body
        );
        let (status, bytes) = download(
            &app,
            &youfu,
            "/veterans/petitions/export.xlsx?division=990101001000&risk=high",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("复退军人信访案件").unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        // Cases 1 and 3 are in 东城街道; 2 is not.
        assert_eq!(cells.len(), 3, "{cells:?}");
        assert_eq!(cells[0][1], "信访人");
        assert_eq!(cells[0][2], "身份证号");
        let first =
            domain::ResidentId::synthetic("990101", "1950-02-02".parse().unwrap(), 71).unwrap();
        let case1 = cells.iter().find(|r| r[0] == "1").unwrap();
        assert_eq!(case1[1], "王老兵");
        assert_eq!(case1[2], first.masked());
        assert_ne!(case1[2], first.as_str());
        assert_eq!(case1[6], "高");
        assert_eq!(case1[8], "2013-06-10");
        assert_eq!(case1[9], "走访已逾期");

        // The CSV alike; a filter that matches nothing gives the header only.
        let csv = youfu.get(&app, "/veterans/petitions/export.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
        let text = csv.body.trim_start_matches('\u{feff}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r[2].contains("**")), "{rows:?}");
        let none = youfu
            .get(&app, "/veterans/petitions/export.csv?risk=low")
            .await;
        let text = none.body.trim_start_matches('\u{feff}');
        assert_eq!(
            csv::Reader::from_reader(text.as_bytes()).records().count(),
            0
        );

        let filter = store::AuditFilter {
            action_prefix: Some("veterans.petition.export".into()),
            ..store::AuditFilter::default()
        };
        let (entries, _) = db.store().audit_entries(&filter, 0, 10).await.unwrap();
        assert_eq!(entries.len(), 3);
    })
    .await;
}
