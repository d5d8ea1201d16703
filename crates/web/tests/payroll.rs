//! The payroll pages and API on both engines: the run list, a run's difference view, the
//! approve button with CSRF and maker–checker, the ledger search and its export, the
//! payment history on the case page, and `/api/v1/payroll/…`.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, api, demo_app};
use service::Actor;

#[tokio::test]
async fn a_run_is_read_and_approved_through_the_pages_by_a_second_person() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_cases(db).await;
        common::seed_payroll(db).await;

        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let list = jiuzhu.get(&app, "/payroll").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("2013-01") && list.body.contains("待遇月份"));
        let run = jiuzhu.get(&app, "/payroll/1").await;
        assert_eq!(run.status, StatusCode::OK);
        assert!(run.body.contains("与上月相比"), "{}", run.body);
        assert!(run.body.contains("存量导入"), "additions name their start");
        assert!(
            !run.body.contains("/payroll/1/approve"),
            "no button for the preparer"
        );
        // The preparer's own approval: refused with the reason, nothing written.
        let csrf = jiuzhu.csrf(&app).await;
        let refused = jiuzhu
            .post(&app, "/payroll/1/approve", &[("csrf", &csrf)])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(
            refused.body.contains("审批人不能是制单人"),
            "{}",
            refused.body
        );
        let forged = jiuzhu
            .post(&app, "/payroll/1/approve", &[("csrf", "forged")])
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(db.store().ledger_all().await.unwrap().is_empty());

        let mut youfu = Browser::demo(&app, "youfu").await;
        let page = youfu.get(&app, "/payroll/1").await;
        assert!(page.body.contains("action=\"/payroll/1/approve\""));
        let csrf = youfu.csrf(&app).await;
        let done = youfu
            .post(&app, "/payroll/1/approve", &[("csrf", &csrf)])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let after = youfu.get(&app, "/payroll/1?done=approved").await;
        assert!(after.body.contains("已审批"));
        let entries = db.store().ledger_all().await.unwrap();
        assert!(!entries.is_empty());

        // The ledger search, its export, and the history on the case page.
        let ledger = jiuzhu.get(&app, "/payroll/ledger?paid_in=2013-01").await;
        assert_eq!(ledger.status, StatusCode::OK);
        assert!(
            ledger.body.contains(&format!("共 {} 笔", entries.len())),
            "{}",
            ledger.body
        );
        let bad = jiuzhu.get(&app, "/payroll/ledger?paid_in=2013-13").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let csv = jiuzhu.get(&app, "/payroll/ledger/export.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(csv.body.contains("台账编号"));
        let case = entries[0].case_id;
        let page = jiuzhu.get(&app, &format!("/assistance/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("发放记录") && page.body.contains("2013-01"));

        // The API: a leader reads, nobody approves twice.
        let token = db
            .service
            .issue_api_token(&Actor::system(), "leader", "matrix")
            .await
            .unwrap();
        let runs = api(&app, "GET", "/api/v1/payroll/runs", Some(&token), None).await;
        assert_eq!(runs.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&runs.body).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 3);
        let ledger = api(&app, "GET", "/api/v1/payroll/ledger", Some(&token), None).await;
        let json: serde_json::Value = serde_json::from_str(&ledger.body).unwrap();
        assert_eq!(json["total"].as_u64(), Some(entries.len() as u64));
        let detail = api(&app, "GET", "/api/v1/payroll/runs/1", Some(&token), None).await;
        let json: serde_json::Value = serde_json::from_str(&detail.body).unwrap();
        assert_eq!(json["run"]["state"], "approved");
        let youfu_token = db
            .service
            .issue_api_token(&Actor::system(), "youfu", "matrix")
            .await
            .unwrap();
        let again = api(
            &app,
            "POST",
            "/api/v1/payroll/runs/1/approve",
            Some(&youfu_token),
            None,
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("payroll.already_approved") || again.body.contains("已审批"));
        assert_eq!(db.store().ledger_all().await.unwrap(), entries);
    })
    .await;
}

#[tokio::test]
async fn a_payee_is_recorded_on_its_page_and_an_approved_run_downloads_its_bank_file() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_cases(db).await;
        common::seed_payroll(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let csrf = youfu.csrf(&app).await;
        youfu
            .post(&app, "/payroll/1/approve", &[("csrf", &csrf)])
            .await;
        let entries = db.store().ledger_all().await.unwrap();
        let case = entries[0].case_id;

        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let path = format!("/assistance/{case}/payee");
        let page = jiuzhu.get(&app, &format!("/assistance/{case}")).await;
        assert!(page.body.contains(&path), "the case page links its payee");
        let csrf = jiuzhu.csrf(&app).await;
        let payload = "622848001234567890";
        let good = format!(
            "{payload}{}",
            domain::bank::luhn_check_digit(payload).unwrap()
        );
        let bad = format!("{payload}{}", if good.ends_with('0') { '1' } else { '0' });
        let form = |number: &str| -> Vec<(String, String)> {
            vec![
                ("csrf".into(), csrf.clone()),
                ("holder".into(), "张三".into()),
                ("bank_name".into(), "中国农业银行".into()),
                ("account_number".into(), number.into()),
            ]
        };
        let fields = form(&bad);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = jiuzhu.post(&app, &path, &fields).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("校验位对不上"), "{}", refused.body);
        let fields = form(&good);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let done = jiuzhu.post(&app, &path, &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let page = jiuzhu.get(&app, &path).await;
        assert!(page.body.contains("张三") && !page.body.contains(&good));

        let audit = db
            .service
            .audit(&Actor::system(), "settings.set", "payroll.debtor", "", "");
        db.store()
            .set_setting(
                service::bank::SETTING_DEBTOR,
                r#"{"holder":"某区民政局","bank":"中国农业银行","account":"11223344556677","kind":"book"}"#,
                &audit,
            )
            .await
            .unwrap();
        let run = youfu.get(&app, "/payroll/1").await;
        assert!(run.body.contains("action=\"/payroll/1/bank-file\""));
        let csrf = youfu.csrf(&app).await;
        let file = youfu
            .post(
                &app,
                "/payroll/1/bank-file",
                &[("csrf", &csrf), ("format", "pain001")],
            )
            .await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.body);
        assert!(file.body.contains("pain.001.001.09") && file.body.contains(&good));
        let again = youfu
            .post(
                &app,
                "/payroll/1/bank-file",
                &[("csrf", &csrf), ("format", "pain001")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("再次生成须填写原因"), "{}", again.body);
        assert_eq!(db.store().bank_files(1).await.unwrap().len(), 1);
        assert_eq!(db.store().payroll_run(1).await.unwrap().state, "exported");

        // The API shows the account masked.
        let token = db
            .service
            .issue_api_token(&Actor::system(), "leader", "payee")
            .await
            .unwrap();
        let got = api(
            &app,
            "GET",
            &format!("/api/v1/assistance/cases/{case}/payee"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(got.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(json["current"]["holder"], "张三");
        assert!(!got.body.contains(&good));
    })
    .await;
}
