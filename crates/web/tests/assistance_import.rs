//! The roster upload page through the router, on both engines: real multipart uploads of a
//! good roster, a bad one (errors listed by file, row and column; nothing written), the
//! error report as a download, valid-only, a forged CSRF token and a role that may not import.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Reply, demo_app, send};
use domain::ResidentId;

const BOUNDARY: &str = "minzhengTestBoundary7MA4YWxkTrZu0gW";

fn id(day: i64, seq: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(day);
    ResidentId::synthetic("990101", birth, seq)
        .unwrap()
        .as_str()
        .to_owned()
}

fn birth(day: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(day)).to_string()
}

fn households() -> String {
    "household_id,community_code,program,area,enrolled_on,exited_on,income_fen\n\
     H1,990101001001,dibao,urban,2012-03-01,,12000\n\
     H2,990101001002,dibao,urban,2012-05-01,,0\n"
        .to_owned()
}

fn persons(second_id: &str) -> String {
    format!(
        "person_id,household_id,id_number,birth_date,sex,relation,disability_grade,severe_illness\n\
         P1,H1,{},{},M,head,0,0\n\
         P2,H2,{second_id},{},F,head,0,0\n",
        id(10, 1),
        birth(10),
        birth(20),
    )
}

/// A multipart body as a browser sends the form: the token first, then the files.
fn multipart(csrf: &str, households: &str, persons: &str, flags: &[&str]) -> Vec<u8> {
    let mut body =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    for (name, content) in [("households", households), ("persons", persons)] {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{content}\r\n"
        ));
    }
    for flag in flags {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{flag}\"\r\n\r\non\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

async fn upload(app: &axum::Router, browser: &Browser, body: Vec<u8>) -> Reply {
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let request = Request::post("/assistance/import")
        .header(header::COOKIE, cookies.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

async fn case_total(db: &testkit::TestDb) -> usize {
    let actor = service::Actor::system();
    db.service
        .cases(&actor, &Default::default(), None)
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn a_good_roster_uploads_and_a_bad_one_is_listed_and_writes_nothing() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let form = jiuzhu.get(&app, "/assistance/import").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        let before = case_total(db).await;

        // A wrong check character on the second person: refused, row and column named.
        let mut bad_id = id(20, 2);
        let last = if bad_id.ends_with('1') { '2' } else { '1' };
        bad_id.pop();
        bad_id.push(last);
        let reply = upload(
            &app,
            &jiuzhu,
            multipart(&csrf, &households(), &persons(&bad_id), &[]),
        )
        .await;
        assert!(reply.body.contains("id_number"), "{}", reply.body);
        assert!(reply.body.contains(&bad_id), "{}", reply.body);
        assert_eq!(case_total(db).await, before, "nothing written");

        // The same files with the report ticked: the error report itself, as CSV.
        let reply = upload(
            &app,
            &jiuzhu,
            multipart(&csrf, &households(), &persons(&bad_id), &["report"]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply.header(header::CONTENT_TYPE).starts_with("text/csv"),
            "{:?}",
            reply.headers
        );
        let mut csv =
            csv::Reader::from_reader(reply.body.trim_start_matches('\u{feff}').as_bytes());
        // The bad person, and so a household left without its head.
        let reasons: Vec<String> = csv.records().map(|r| r.unwrap()[2].to_owned()).collect();
        assert_eq!(reasons, ["household_id", "id_number"], "{}", reply.body);

        // Valid-only: the good household goes in, the bad one is skipped.
        let reply = upload(
            &app,
            &jiuzhu,
            multipart(&csrf, &households(), &persons(&bad_id), &["valid_only"]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(case_total(db).await, before + 1);

        // Both good: the second household too; sending the same files again changes nothing.
        let good = persons(&id(20, 2));
        let reply = upload(&app, &jiuzhu, multipart(&csrf, &households(), &good, &[])).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(case_total(db).await, before + 2);
        let summaries = db.store().table_summaries().await.unwrap();
        upload(&app, &jiuzhu, multipart(&csrf, &households(), &good, &[])).await;
        let again = db.store().table_summaries().await.unwrap();
        let rows =
            |s: &[store::TableSummary]| s.iter().map(|t| (t.table, t.rows)).collect::<Vec<_>>();
        assert_eq!(rows(&again), rows(&summaries));
    })
    .await;
}

#[tokio::test]
async fn forged_tokens_and_other_roles_are_refused() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let before = case_total(db).await;
        let jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let forged = upload(
            &app,
            &jiuzhu,
            multipart("forged", &households(), &persons(&id(20, 2)), &[]),
        )
        .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{}", forged.body);
        let mut street = Browser::demo(&app, "dongcheng").await;
        assert_eq!(
            street.get(&app, "/assistance/import").await.status,
            StatusCode::FORBIDDEN
        );
        let csrf = street.csrf(&app).await;
        let refused = upload(
            &app,
            &street,
            multipart(&csrf, &households(), &persons(&id(20, 2)), &[]),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(case_total(db).await, before);
    })
    .await;
}
