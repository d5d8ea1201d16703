//! The payroll pages and API on both engines: the run list, a run's difference view, the
//! approve button with CSRF and maker–checker, the ledger search and its export, the
//! payment history on the case page, and `/api/v1/payroll/…`.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Reply, api, demo_app, send};
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

        let mut checker = common::checker(&app, db).await;
        let page = checker.get(&app, "/payroll/1").await;
        assert!(page.body.contains("action=\"/payroll/1/approve\""));
        let csrf = checker.csrf(&app).await;
        let done = checker
            .post(&app, "/payroll/1/approve", &[("csrf", &csrf)])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let after = checker.get(&app, "/payroll/1?done=approved").await;
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
        let case = entries[0].case_id.unwrap();
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
        let checker_token = db
            .service
            .issue_api_token(&Actor::system(), "jiuzhu2", "matrix")
            .await
            .unwrap();
        let again = api(
            &app,
            "POST",
            "/api/v1/payroll/runs/1/approve",
            Some(&checker_token),
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
        let mut checker = common::checker(&app, db).await;
        let csrf = checker.csrf(&app).await;
        checker
            .post(&app, "/payroll/1/approve", &[("csrf", &csrf)])
            .await;
        let entries = db.store().ledger_all().await.unwrap();
        let case = entries[0].case_id.unwrap();

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
        let run = checker.get(&app, "/payroll/1").await;
        assert!(run.body.contains("action=\"/payroll/1/bank-file\""));
        let csrf = checker.csrf(&app).await;
        let file = checker
            .post(
                &app,
                "/payroll/1/bank-file",
                &[("csrf", &csrf), ("format", "pain001")],
            )
            .await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.body);
        assert!(file.body.contains("pain.001.001.09") && file.body.contains(&good));
        let again = checker
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

const BOUNDARY: &str = "minzhengReturnsBoundary7Qk2";

/// Posts `file` as a browser posts an upload form: the token first, then the file.
async fn upload(
    app: &axum::Router,
    browser: &Browser,
    path: &str,
    csrf: &str,
    file: &str,
) -> Reply {
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huipan.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
    );
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let request = Request::post(path)
        .header(header::COOKIE, cookies.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn a_result_file_is_uploaded_and_a_failed_payment_reissued_through_the_pages_and_api() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_cases(db).await;
        common::seed_payroll(db).await;
        let mut checker = common::checker(&app, db).await;
        let csrf = checker.csrf(&app).await;
        checker
            .post(&app, "/payroll/1/approve", &[("csrf", &csrf)])
            .await;
        let s = &db.service;
        let jiuzhu = Actor::user(&db.store().user_by_username("jiuzhu").await.unwrap(), "t");
        let card = |i: usize| {
            let payload = format!("62284800{i:010}");
            format!("{payload}{}", domain::bank::luhn_check_digit(&payload).unwrap())
        };
        let mut cases = std::collections::BTreeMap::new();
        for e in db.store().ledger_all().await.unwrap() {
            cases.insert(e.household_id, e.case_id.unwrap());
        }
        for (i, case) in cases.values().enumerate() {
            let input = service::bank::PayeeInput {
                holder: "户主".into(),
                bank_name: "中国农业银行".into(),
                account_number: card(i),
                ..Default::default()
            };
            s.set_payee(&jiuzhu, *case, &input).await.unwrap();
        }
        let audit = s.audit(&Actor::system(), "settings.set", "payroll.debtor", "", "");
        db.store()
            .set_setting(
                service::bank::SETTING_DEBTOR,
                r#"{"holder":"某区民政局","bank":"中国农业银行","account":"11223344556677","kind":"book"}"#,
                &audit,
            )
            .await
            .unwrap();
        let csrf = checker.csrf(&app).await;
        let file = checker
            .post(&app, "/payroll/1/bank-file", &[("csrf", &csrf), ("format", "csv")])
            .await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.body);
        let paid: Vec<(i64, i64)> = db
            .store()
            .run_payments(1)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.amount_fen > 0)
            .map(|p| (p.household_id, p.amount_fen))
            .collect();
        let returns = |rows: &[(String, i64, &str, &str)]| {
            let mut text = String::from("流水号,金额(分),状态,失败原因\n");
            for (k, f, st, r) in rows {
                text.push_str(&format!("{k},{f},{st},{r}\n"));
            }
            text
        };
        let mut rows: Vec<(String, i64, &str, &str)> = paid
            .iter()
            .map(|(h, f)| (format!("R1H{h}"), *f, "成功", ""))
            .collect();

        // A wrong amount and an unknown key: the page lists both by row and field.
        let run = checker.get(&app, "/payroll/1").await;
        assert!(run.body.contains("action=\"/payroll/1/returns\""), "{}", run.body);
        let mut bad = rows.clone();
        bad[0].1 += 1;
        bad.push(("R1H999999".into(), 100, "成功", ""));
        let reply = upload(&app, &checker, "/payroll/1/returns", &csrf, &returns(&bad)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert!(reply.body.contains("第 2 行") && reply.body.contains("金额与代发文件不符"), "{}", reply.body);
        let last = bad.len() + 1;
        assert!(reply.body.contains(&format!("第 {last} 行")) && reply.body.contains("代发文件中没有此流水号"));
        assert!(db.store().latest_returns(1).await.unwrap().is_empty());
        let forged = upload(&app, &checker, "/payroll/1/returns", "forged", &returns(&rows)).await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);

        // One payment fails: the run page reconciles, the failed list shows it.
        rows[0].2 = "失败";
        rows[0].3 = "账户已冻结";
        let reply = upload(&app, &checker, "/payroll/1/returns", &csrf, &returns(&rows)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let run = checker.get(&app, "/payroll/1?done=returns").await;
        assert!(run.body.contains("失败待补发") && run.body.contains("回盘文件已导入"));
        let (household, fen) = paid[0];
        let failed = checker.get(&app, "/payroll/failed").await;
        assert!(failed.body.contains("账户已冻结"), "{}", failed.body);
        let item = format!("value=\"1-{household}\"");
        assert!(!failed.body.contains(&item), "not before the account is corrected");

        db.clock.advance(chrono::Duration::minutes(5));
        let new_card = card(900);
        let input = service::bank::PayeeInput {
            holder: "户主".into(),
            bank_name: "中国工商银行".into(),
            account_number: new_card.clone(),
            reason: "原账户冻结,更换账户".into(),
            ..Default::default()
        };
        s.set_payee(&jiuzhu, cases[&household], &input).await.unwrap();
        let failed = checker.get(&app, "/payroll/failed").await;
        assert!(failed.body.contains(&item), "{}", failed.body);
        let sheet = checker.get(&app, "/payroll/failed/export.csv").await;
        assert!(sheet.body.contains("账户已冻结") && !sheet.body.contains(&new_card));

        let item = format!("1-{household}");
        let reissued = checker
            .post(
                &app,
                "/payroll/failed/reissue",
                &[("csrf", &csrf), ("item", &item), ("format", "csv"), ("reason", "账户更正后补发")],
            )
            .await;
        assert_eq!(reissued.status, StatusCode::OK, "{}", reissued.body);
        assert_eq!(reissued.headers["x-reissue-batch-id"], "1");
        let again = checker
            .post(
                &app,
                "/payroll/failed/reissue",
                &[("csrf", &csrf), ("item", &item), ("format", "csv"), ("reason", "账户更正后补发")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

        // The API: the reconciliation adds up; the batch's result closes the run.
        let token = s
            .issue_api_token(&Actor::system(), "jiuzhu2", "returns")
            .await
            .unwrap();
        let got = api(&app, "GET", "/api/v1/payroll/runs/1/reconciliation", Some(&token), None).await;
        assert_eq!(got.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(json["reissued"]["count"], 1);
        assert_eq!(json["reissued"]["fen"], fen);
        let parts: i64 = ["paid", "failed", "reissued", "outstanding"]
            .iter()
            .map(|k| json[k]["fen"].as_i64().unwrap())
            .sum();
        assert_eq!(parts, json["expected"]["fen"].as_i64().unwrap());
        let body = returns(&[(format!("R1H{household}X1"), fen, "成功", "")]);
        let request = Request::post("/api/v1/payroll/reissues/1/returns")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(body))
            .unwrap();
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(json["paid"]["count"], 1);
        assert_eq!(db.store().payroll_run(1).await.unwrap().state, "reconciled");
        let sheet = checker.get(&app, "/payroll/1/reconciliation.csv").await;
        assert_eq!(sheet.status, StatusCode::OK);
        assert!(sheet.body.contains(&format!("R1H{household}X1")) && !sheet.body.contains(&new_card));
    })
    .await;
}

#[tokio::test]
async fn runs_are_prepared_from_the_run_list_and_the_api() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_cases(db).await;
        common::seed_payroll(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let list = jiuzhu.get(&app, "/payroll").await;
        assert!(list.body.contains("action=\"/payroll\""), "{}", list.body);
        let csrf = jiuzhu.csrf(&app).await;
        let bad = jiuzhu
            .post(&app, "/payroll", &[("csrf", &csrf), ("month", "2013-13")])
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        // February before January is approved: refused, nothing prepared.
        let early = jiuzhu
            .post(&app, "/payroll", &[("csrf", &csrf), ("month", "2013-02")])
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
        let runs = db
            .service
            .payroll_runs(&Actor::system(), None)
            .await
            .unwrap();
        assert!(runs.iter().all(|r| r.month == "2013-01"));

        let mut checker = common::checker(&app, db).await;
        let csrf_y = checker.csrf(&app).await;
        for r in &runs {
            checker
                .post(
                    &app,
                    &format!("/payroll/{}/approve", r.id),
                    &[("csrf", &csrf_y)],
                )
                .await;
        }
        let done = jiuzhu
            .post(
                &app,
                "/payroll",
                &[("csrf", &csrf), ("month", "2013-02"), ("program", "dibao")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let after = db
            .service
            .payroll_runs(&Actor::system(), Some("2013-02"))
            .await
            .unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(
            (after[0].program.as_str(), after[0].state.as_str()),
            ("dibao", "checked")
        );

        // The API prepares every programme due when none is named.
        let token = db
            .service
            .issue_api_token(&Actor::system(), "jiuzhu", "prepare")
            .await
            .unwrap();
        let reply = api(
            &app,
            "POST",
            "/api/v1/payroll/runs",
            Some(&token),
            Some(serde_json::json!({"month": "2013-02"})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let all = db
            .service
            .payroll_runs(&Actor::system(), Some("2013-02"))
            .await
            .unwrap();
        assert_eq!(json.as_array().unwrap().len(), all.len());
        assert!(all.len() >= after.len());
    })
    .await;
}

#[tokio::test]
async fn bank_settings_are_edited_on_their_page_and_refused_by_field() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut checker = common::checker(&app, db).await;
        let page = checker.get(&app, "/payroll/settings").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("action=\"/payroll/settings\"") && page.body.contains("GBK"));
        let csrf = checker.csrf(&app).await;
        let form = |encoding: &'static str| -> Vec<(&'static str, String)> {
            vec![
                ("csrf", csrf.clone()),
                ("debtor_holder", "某区民政局".into()),
                ("debtor_bank", "中国农业银行".into()),
                ("debtor_account", "11223344556677".into()),
                ("debtor_kind", "book".into()),
                ("format", "xlsx".into()),
                ("encoding", encoding.into()),
                ("amount", "yuan".into()),
                ("columns", "seq,account,name,amount,key".into()),
            ]
        };
        let fields = form("big5");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = checker.post(&app, "/payroll/settings", &fields).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.body.contains("不是可选的值(big5)"),
            "{}",
            refused.body
        );
        assert!(
            db.store()
                .setting(service::bank::SETTING_DEBTOR)
                .await
                .unwrap()
                .is_none()
        );
        let fields = form("utf8");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let saved = checker.post(&app, "/payroll/settings", &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let template = db
            .store()
            .setting(service::bank::SETTING_TEMPLATE)
            .await
            .unwrap()
            .unwrap();
        assert!(
            template.contains("\"xlsx\"") && template.contains("\"utf8\""),
            "{template}"
        );
        let page = checker.get(&app, "/payroll/settings?done=1").await;
        assert!(page.body.contains("代发设置已保存") && page.body.contains("11223344556677"));
    })
    .await;
}
