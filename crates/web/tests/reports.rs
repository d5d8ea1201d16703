//! Reports through the router on both engines, over the full demo district: a leader
//! generates the half-year report, reads it with its charts, downloads the workbook (read
//! back: every sheet's total is the sum of its rows and equals the figure), the narrative
//! as .docx (unzipped: the filled sentence is there) and a drill-down export (masked, as
//! many rows as the figure counts); bad input is refused with a message and no report.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a panic in a test is a failure with a line number; the shared helpers print the engine"
)]

mod common;

use std::io::Read as _;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader};
use common::{Browser, app};
use domain::Fen;
use testkit::TestDb;

async fn download(app: &Router, browser: &Browser, path: &str) -> (StatusCode, String, Vec<u8>) {
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
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, kind, bytes.to_vec())
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        other => panic!("not a number: {other:?}"),
    }
}

/// A number cell in fen (money is written in yuan to the fen), compared in integers.
fn fen(cell: &Data) -> i64 {
    Fen::from_yuan_str(&format!("{:.2}", number(cell)))
        .unwrap()
        .as_fen()
}

#[tokio::test]
async fn a_leader_generates_reads_and_downloads_the_half_year_report() {
    testkit::for_each_engine(async |db: &TestDb| {
        testkit::demo::build_full(&db.service, &db.clock)
            .await
            .unwrap();
        let app = app(db);
        let mut leader = Browser::demo(&app, "leader").await;
        let form = leader.get(&app, "/reports").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains("href=\"/reports\""), "nav entry");
        let csrf = form.csrf();

        // A reversed period: refused on the form, with the reason, and nothing stored.
        let bad = leader
            .post(
                &app,
                "/reports",
                &[
                    ("csrf", &csrf),
                    ("from", "2013-06-30"),
                    ("to", "2013-01-01"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("结束日期早于开始日期"), "{}", bad.body);

        let made = leader
            .post(
                &app,
                "/reports",
                &[
                    ("csrf", &csrf),
                    ("from", "2013-01-01"),
                    ("to", "2013-06-30"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let path = made.location().to_owned();
        assert_eq!(path, "/reports/1", "the refused period stored nothing");
        let report = db
            .service
            .reproduce_report(&common_leader(db).await, 1)
            .await
            .unwrap();
        let fig = |code: &str| report.figure(code).unwrap().clone();

        let page = leader.get(&app, &path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("<svg"), "server-drawn charts");
        assert!(!page.body.contains("<script>"), "no inline script");
        assert!(page.body.contains(&format!(
            "截止6月份,我区纳入低保救济的对象有{}户{}人",
            fig("dibao.households").value,
            fig("dibao.persons").value
        )));
        assert!(page.body.contains("/reports/1/records/dibao.paid"));

        // The workbook, read back.
        let (status, kind, bytes) = download(&app, &leader, "/reports/1/report.xlsx").await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.contains("spreadsheetml"));
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec!["指标", "分街道", "月度", "文稿"],
            "one sheet per section"
        );
        let figures = book.worksheet_range("指标").unwrap();
        let row = figures.rows().find(|r| r[0] == "dibao.paid").unwrap();
        assert_eq!(format!("{:.4}", number(&row[3])), fig("dibao.paid").text());
        let streets = book.worksheet_range("分街道").unwrap();
        let header: Vec<String> = streets
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        let rows: Vec<&[Data]> = streets.rows().skip(1).collect();
        let (total, body) = rows.split_last().unwrap();
        assert_eq!(total[1], "合计");
        for col in 2..header.len() {
            if header[col].ends_with("(%)") {
                // A rate's total is the district's rate, not the sum of the streets'.
                let rate = fig("veterans.holiday_coverage").value;
                let text = domain::reports::Unit::Percent.format(rate);
                assert_eq!(number(&total[col]), text.parse::<f64>().unwrap(), "{text}");
                assert!(body.iter().all(|r| number(&r[col]) <= 100.0));
                continue;
            }
            let sum: i64 = body.iter().map(|r| fen(&r[col])).sum();
            assert_eq!(sum, fen(&total[col]), "{} adds up", header[col]);
        }
        let households = header.iter().position(|h| h == "低保户数").unwrap();
        assert_eq!(fen(&total[households]), fig("dibao.households").value * 100);
        let months = book.worksheet_range("月度").unwrap();
        let rows: Vec<&[Data]> = months.rows().skip(1).collect();
        let (total, body) = rows.split_last().unwrap();
        let paid: i64 = body.iter().map(|r| fen(&r[4])).sum();
        assert_eq!(paid, fen(&total[4]));
        assert_eq!(fen(&total[4]), fig("dibao.paid").value);

        // The narrative draft as a Word document.
        let (status, kind, bytes) = download(&app, &leader, "/reports/1/narrative.docx").await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.contains("wordprocessingml"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains(&format!(
            "上半年共发放低保金{}万元",
            fig("dibao.paid").text()
        )));

        // V1 and V2 of the veterans: the standards raised, and the holiday coverage with
        // the entitled households behind it.
        assert!(page.body.contains("优待金发放覆盖率"));
        let raised = leader
            .get(&app, "/reports/1/records/veterans.standards_raised")
            .await;
        assert_eq!(raised.status, StatusCode::OK);
        assert!(raised.body.contains("4 级 · 因战 每年"), "{}", raised.body);
        assert!(raised.body.contains("2013-01-01"));
        let covered = leader
            .get(&app, "/reports/1/records/veterans.holiday_coverage")
            .await;
        assert_eq!(covered.status, StatusCode::OK);
        assert!(
            covered.body.contains("2013年春节优待金"),
            "{}",
            covered.body
        );
        assert_eq!(fig("veterans.holiday_coverage").text(), "100");

        // A drill-down: as many records as the figure, ID numbers masked, audited.
        let list = leader.get(&app, "/reports/1/records/dibao.persons").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body
                .contains(&format!("报表数值 {} 人", fig("dibao.persons").value))
        );
        // The next page starts after the last key shown, and links back to the first.
        let next = list
            .body
            .split("href=\"/reports/1/records/dibao.persons?after=")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let second = leader
            .get(
                &app,
                &format!("/reports/1/records/dibao.persons?after={next}"),
            )
            .await;
        assert_eq!(second.status, StatusCode::OK);
        assert!(
            second
                .body
                .contains("href=\"/reports/1/records/dibao.persons\"")
        );
        assert_ne!(second.body, list.body);
        let bad = leader
            .get(&app, "/reports/1/records/dibao.persons?after=x")
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let (status, _, bytes) = download(
            &app,
            &leader,
            "/reports/1/records/tekun_urban.persons/export.xlsx",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("明细").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
        assert_eq!(rows.len() as i64, fig("tekun_urban.persons").value);
        assert!(rows.iter().all(|r| r[3].to_string().contains("**********")));
        let exports = db
            .store()
            .audit_entries(
                &store::AuditFilter {
                    action_prefix: Some("reports.records.export".into()),
                    ..store::AuditFilter::default()
                },
                0,
                10,
            )
            .await
            .unwrap();
        assert!(!exports.0.is_empty());
    })
    .await;
}

async fn common_leader(db: &TestDb) -> service::Actor {
    service::Actor::user(
        &db.store().user_by_username("leader").await.unwrap(),
        "test",
    )
}

#[tokio::test]
async fn a_leader_reads_the_assistance_dashboard_in_both_languages_and_as_json() {
    testkit::for_each_engine(async |db: &TestDb| {
        testkit::demo::build_full(&db.service, &db.clock)
            .await
            .unwrap();
        let app = app(db);
        let mut leader = Browser::demo(&app, "leader").await;
        let reports = leader.get(&app, "/reports").await;
        assert!(
            reports.body.contains("href=\"/dashboards\""),
            "linked from the reports page"
        );
        let first = leader.get(&app, "/dashboards").await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        assert_eq!(first.header(header::LOCATION), "/dashboards/assistance");

        let page = leader.get(&app, "/dashboards/assistance").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let d = db
            .service
            .dashboard(
                &service::Actor::user(&db.store().user_by_username("leader").await.unwrap(), "t"),
                "assistance",
                None,
                None,
            )
            .await
            .unwrap();
        assert!(
            page.body.contains("示范区社会救助数据看板"),
            "{}",
            page.body
        );
        assert!(page.body.contains("待复核审批的发放批次"));
        assert!(page.body.contains("本月应编未编的发放项目"));
        let households = d.figure("dibao.households").unwrap().text();
        let paid = d.figure("dibao.paid").unwrap().text();
        assert!(
            page.body
                .contains(&format!("<td class=\"num\">{households}</td>"))
        );
        assert!(
            page.body
                .contains(&format!("<td class=\"num\">{paid}</td>"))
        );
        // One chart per stock and flow indicator, drawn on the server.
        assert_eq!(page.body.matches("<svg").count(), d.series.len());
        assert!(page.body.contains("每月末低保户数"));

        leader
            .get(&app, "/lang/en?back=/dashboards/assistance")
            .await;
        let en = leader.get(&app, "/dashboards/assistance").await;
        assert!(
            en.body.contains("Social assistance dashboard"),
            "{}",
            en.body
        );
        assert!(en.body.contains("Payroll runs awaiting approval"));

        // A bad year: the page says which field and why.
        let bad = leader.get(&app, "/dashboards/assistance?year=20x3").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("year"), "{}", bad.body);
        let none = leader.get(&app, "/dashboards/nothing").await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);

        let token = db
            .service
            .issue_api_token(&service::Actor::system(), "leader", "t")
            .await
            .unwrap();
        let json = common::api(
            &app,
            "GET",
            "/api/v1/dashboards/assistance?year=2013",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.body);
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(v["line"], "assistance");
        assert_eq!(v["year"], 2013);
        let fig = v["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "dibao.paid")
            .unwrap();
        assert_eq!(
            fig["value"].as_i64(),
            Some(d.figure("dibao.paid").unwrap().value)
        );
        let series = v["series"].as_array().unwrap();
        let paid_series = series.iter().find(|s| s["code"] == "dibao.paid").unwrap();
        let sum: i64 = paid_series["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_i64().unwrap())
            .sum();
        assert_eq!(Some(sum), fig["value"].as_i64());
        let bad = common::api(
            &app,
            "GET",
            "/api/v1/dashboards/assistance?year=1999",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("year"), "{}", bad.body);
    })
    .await;
}
