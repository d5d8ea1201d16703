//! The audit log pages, exports and API: auditors only, searchable, exports that read back,
//! an export that is itself logged, and a broken hash chain that cannot be missed.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a panic in a test is a failure with a line number; the shared helpers print the engine"
)]

mod common;

use std::io::Cursor;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Reader, Xlsx};
use common::{Browser, demo_app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A GET whose body is kept as bytes (a workbook is not text).
async fn get_bytes(
    app: &Router,
    browser: &Browser,
    path: &str,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let cookies = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let request = Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

async fn note(db: &testkit::TestDb, n: usize) {
    let actor = service::Actor::system();
    for i in 0..n {
        let entry = db
            .service
            .audit(&actor, "test.note", format!("note:{i}"), "", "x=1");
        db.store().record_audit(&entry).await.unwrap();
    }
}

#[tokio::test]
async fn nobody_but_auditors_sees_the_log() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        for name in ["admin", "leader", "jiuzhu", "dongcheng"] {
            let mut browser = Browser::demo(&app, name).await;
            for path in [
                "/audit",
                "/audit/export.csv",
                "/audit/export.xlsx",
                "/api/v1/audit",
            ] {
                let reply = browser.get(&app, path).await;
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name} {path}");
            }
            let home = browser.get(&app, "/").await;
            assert!(
                !home.body.contains("href=\"/audit\""),
                "{name} sees the audit link"
            );
        }
        let api = common::api(&app, "GET", "/api/v1/audit", None, None).await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
        let mut stranger = Browser::default();
        let page = stranger.get(&app, "/audit").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location().starts_with("/login"));
    })
    .await;
}

#[tokio::test]
async fn auditors_search_the_log_in_words_with_an_intact_chain() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        note(db, 60).await;
        let mut browser = Browser::demo(&app, "auditor").await;
        let page = browser.get(&app, "/audit").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("哈希链完整"), "{}", page.body);
        assert!(page.body.contains("role=\"status\""));
        // Codes as words, unknown codes as themselves.
        assert!(page.body.contains("test.note"), "an unknown code as itself");
        let sessions = browser.get(&app, "/audit?action=session.").await;
        assert!(
            sessions.body.contains("登录系统"),
            "session.sign_in in words"
        );
        assert!(page.body.contains("href=\"/audit\"")); // the navigation opens it
        assert!(!page.body.contains("style="));
        assert!(!page.body.contains("<script>"));

        // Filtered, paged, and the pager keeps the filter.
        let page = browser
            .get(&app, "/audit?action=test.&from=2013-07-01&until=2013-07-01")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("共 60 条记录"), "{}", page.body);
        assert!(!page.body.contains("登录系统"));
        assert!(
            page.body
                .replace("&#38;", "&")
                .replace("&amp;", "&")
                .contains("href=\"/audit?action=test.&from=2013-07-01&until=2013-07-01&page=2\""),
            "{}",
            page.body
        );
        let second = browser.get(&app, "/audit?action=test.&page=2").await;
        assert!(second.body.contains("第 2 页,共 2 页"), "{}", second.body);
        assert!(
            second.body.contains("note:9<"),
            "oldest notes on the last page"
        );
        assert!(!second.body.contains("note:59<"));

        // Beijing days: 2013-07-01 01:00 UTC is 09:00 in Beijing, on the first of July.
        let before = browser.get(&app, "/audit?until=2013-06-30").await;
        assert!(before.body.contains("共 0 条记录"), "{}", before.body);

        // English too.
        browser.get(&app, "/lang/en?back=/audit").await;
        let en = browser.get(&app, "/audit").await;
        assert!(en.body.contains("hash chain intact"), "{}", en.body);
        let en = browser.get(&app, "/audit?action=session.").await;
        assert!(en.body.contains("Signed in"));
    })
    .await;
}

#[tokio::test]
async fn a_wrong_date_is_explained_on_the_page_and_in_the_api() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::demo(&app, "auditor").await;
        let page = browser
            .get(&app, "/audit?from=2013-13-01&until=yesterday&actor=admin")
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("起始日期"), "{}", page.body);
        assert!(page.body.contains("截止日期"), "{}", page.body);
        assert!(
            page.body.contains("value=\"admin\""),
            "the form keeps what was typed"
        );
        let api = browser.get(&app, "/api/v1/audit?until=2013-02-30").await;
        assert_eq!(api.status, StatusCode::BAD_REQUEST);
        let body = api.json();
        assert_eq!(body["code"], "invalid");
        assert_eq!(body["fields"][0]["field"], "until");
        assert_eq!(body["fields"][0]["code"], "date.day_out_of_range");
        assert!(
            body["fields"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("截止日期")
        );
    })
    .await;
}

#[tokio::test]
async fn the_api_pages_the_log_with_the_chain_state() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        note(db, 55).await;
        let mut browser = Browser::demo(&app, "auditor").await;
        let reply = browser.get(&app, "/api/v1/audit?action=test.&page=2").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let body = reply.json();
        assert_eq!(body["total"], 55);
        assert_eq!(body["page"], 2);
        assert_eq!(body["per_page"], 50);
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items[0]["action"], "test.note");
        assert_eq!(items[0]["hash"].as_str().unwrap().len(), 64);
        assert_eq!(body["chain"]["intact"], true);
        let entries = body["chain"]["entries"].as_i64().unwrap();
        assert!(entries >= 55);
    })
    .await;
}

#[tokio::test]
async fn exports_read_back_and_are_themselves_logged() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        note(db, 3).await;
        db.store()
            .record_audit(&db.service.audit(
                &service::Actor::anonymous("10.1.1.1", "=cmd|x"),
                "session.sign_in_failed",
                "user:?",
                "",
                "=cmd|x",
            ))
            .await
            .unwrap();
        let mut browser = Browser::demo(&app, "auditor").await;

        let csv = browser.get(&app, "/audit/export.csv?action=test.").await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert_eq!(csv.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
        assert!(csv.body.starts_with('\u{feff}'), "a BOM for Excel");
        let mut reader = csv::ReaderBuilder::new()
            .from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[0], "序号");
        assert_eq!(&headers[6], "操作代码");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][7], "note:2", "newest first");
        assert_eq!(&rows[2][7], "note:0");
        assert_eq!(&rows[0][9], "x=1");
        assert_eq!(rows[0][11].len(), 64);

        // What a stranger typed cannot become a spreadsheet formula. (A typed name that
        // could not be a user name is not kept at all, so the detail carries it here.)
        let failed = browser
            .get(&app, "/audit/export.csv?action=session.sign_in_failed")
            .await;
        assert!(failed.body.contains(",\"?\","), "{}", failed.body);
        assert!(failed.body.contains("\"'=cmd|x\""), "{}", failed.body);
        assert!(!failed.body.contains(",\"=cmd"));

        let (status, headers, bytes) =
            get_bytes(&app, &browser, "/audit/export.xlsx?action=test.").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("操作日志").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[0][0], "序号");
        assert_eq!(rows[1][7], "note:2");
        assert_eq!(rows[3][7], "note:0");
        assert_eq!(rows[1][6], "test.note");

        // Each export is an entry of its own, with who, from where and the filter.
        let logged = browser
            .get(&app, "/api/v1/audit?action=audit.export")
            .await
            .json();
        assert_eq!(logged["total"], 3);
        let entry = &logged["items"][0];
        assert_eq!(entry["actor"], "auditor");
        assert_eq!(entry["detail"], "rows=3;action=test.");
        assert_eq!(logged["chain"]["intact"], true);
        let page = browser.get(&app, "/audit?action=audit.").await;
        assert!(page.body.contains("导出操作日志"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn a_tampered_entry_is_shown_as_an_alert() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut browser = Browser::demo(&app, "auditor").await;
        let drop_trigger = match db.backend() {
            store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            store::Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        db.store().execute_as_intruder(drop_trigger).await.unwrap();
        db.store()
            .execute_as_intruder("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3")
            .await
            .unwrap();
        let page = browser.get(&app, "/audit").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("role=\"alert\""), "{}", page.body);
        assert!(
            page.body.contains("第 3 条记录起哈希链断裂"),
            "{}",
            page.body
        );
        let api = browser.get(&app, "/api/v1/audit").await.json();
        assert_eq!(api["chain"]["intact"], false);
        assert_eq!(api["chain"]["broken_seq"], 3);
        assert_eq!(api["chain"]["reason"], "hash");
    })
    .await;
}
