//! 临时救助与医疗救助 through the pages and the API, on both engines: the case page's grants
//! section and its link to the form, recording with CSRF, the over-budget refusal in words
//! with the override field, the override recorded, cancelling, the list with its filters and
//! exports, the budget page and its form, English pages, and the JSON API.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, api, demo_app, seed_cases};

/// The form of a 医疗救助 grant for household `household`, with `amount` yuan.
fn medical<'a>(csrf: &'a str, household: &'a str, amount: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("kind", "medical"),
        ("household", household),
        ("persons", "2"),
        ("amount", amount),
        ("reason", "住院自付费用过高"),
        ("funding_source", "区财政-医疗救助"),
        ("granted_on", "2013-07-01"),
    ]
}

#[tokio::test]
async fn the_section_records_a_grant_from_the_case_page_within_the_budget_or_on_an_override() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        // The case page lists the household's grant and links to the form.
        let case = jiuzhu.get(&app, "/assistance/1").await;
        assert_eq!(case.status, StatusCode::OK);
        assert!(case.body.contains("临时救助与医疗救助"), "{}", case.body);
        assert!(case.body.contains("/assistance/grants/1"));
        assert!(case.body.contains("/assistance/grants/new?household=1"));
        let form = jiuzhu.get(&app, "/assistance/grants/new?household=1").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(
            common::field_value(&form.body, "household").as_deref(),
            Some("1")
        );
        let csrf = form.csrf();

        // A budget for 2013 医疗救助 of 1000 yuan, through its form.
        let saved = jiuzhu
            .post(
                &app,
                "/assistance/budgets",
                &[
                    ("csrf", &csrf),
                    ("year", "2013"),
                    ("kind", "medical"),
                    ("amount", "1000"),
                    ("citation", "惠区财〔2013〕12号"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

        // Without the CSRF token nothing is written.
        let forged = jiuzhu
            .post(&app, "/assistance/grants", &medical("x", "1", "600"))
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(
            jiuzhu.get(&app, "/assistance/grants/4").await.status == StatusCode::NOT_FOUND,
            "a forged form recorded a grant"
        );

        let ok = jiuzhu
            .post(&app, "/assistance/grants", &medical(&csrf, "1", "600"))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/assistance/grants/4?done=recorded");
        let page = jiuzhu.get(&app, ok.location()).await;
        assert!(page.body.contains("救助已登记"), "{}", page.body);
        assert!(page.body.contains("600.00"));

        // Over the budget: refused with the four figures, the typed values kept.
        let over = jiuzhu
            .post(&app, "/assistance/grants", &medical(&csrf, "1", "500"))
            .await;
        assert_eq!(over.status, StatusCode::BAD_REQUEST);
        assert!(
            over.body.contains(
                "超出年度预算:预算 1000.00 元,已支出 600.00 元,余额 400.00 元,本次申请 500.00 元"
            ),
            "{}",
            over.body
        );
        assert!(over.body.contains("请填写超支理由后重新提交"));
        assert_eq!(
            common::field_value(&over.body, "amount").as_deref(),
            Some("500")
        );

        // With an override reason it is recorded, and the page says so.
        let mut with_override = medical(&csrf, "1", "500");
        with_override.push(("override_reason", "重病住院,局长办公会同意"));
        let ok = jiuzhu
            .post(&app, "/assistance/grants", &with_override)
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/assistance/grants/5?done=override");
        let page = jiuzhu.get(&app, ok.location()).await;
        assert!(page.body.contains("重病住院,局长办公会同意"));
        assert!(page.body.contains("超预算"));

        // The budget page: amount, drawn, remaining, share used, overrides.
        let budgets = jiuzhu.get(&app, "/assistance/budgets").await;
        assert_eq!(budgets.status, StatusCode::OK);
        for text in ["1000.00", "1100.00", "-100.00", "110.0%", "1 笔,500.00 元"] {
            assert!(budgets.body.contains(text), "{text}: {}", budgets.body);
        }

        // Bad fields are named next to the field, in Chinese.
        let bad = jiuzhu
            .post(
                &app,
                "/assistance/grants",
                &[
                    ("csrf", &csrf),
                    ("kind", "medical"),
                    ("household", "abc"),
                    ("persons", "2"),
                    ("amount", "1.234"),
                    ("reason", "病"),
                    ("funding_source", "区财政"),
                    ("granted_on", "2013-07-01"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("户编号应为正整数"), "{}", bad.body);
        assert!(bad.body.contains("请写明救助事由"));
        assert_eq!(bad.body.matches("class=\"field-error\"").count(), 3);

        // Cancelling: an empty reason is refused inline; a reason cancels it.
        let refused = jiuzhu
            .post(&app, "/assistance/grants/5/cancel", &[("csrf", &csrf)])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("请写明作废原因"));
        let cancelled = jiuzhu
            .post(
                &app,
                "/assistance/grants/5/cancel",
                &[("csrf", &csrf), ("reason", "重复登记,作废")],
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
        let page = jiuzhu.get(&app, cancelled.location()).await;
        assert!(page.body.contains("已作废"));
        assert!(page.body.contains("重复登记,作废"));
        let twice = jiuzhu
            .post(
                &app,
                "/assistance/grants/5/cancel",
                &[("csrf", &csrf), ("reason", "重复登记,作废")],
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        let budgets = jiuzhu.get(&app, "/assistance/budgets").await;
        assert!(budgets.body.contains("60.0%"), "{}", budgets.body);
    })
    .await;
}

#[tokio::test]
async fn the_list_filters_and_exports_within_the_jurisdiction() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let list = dongcheng.get(&app, "/assistance/grants").await;
        assert_eq!(list.status, StatusCode::OK);
        // Grants 1 and 3 are in 东城街道; 2 is in 西城街道.
        assert!(list.body.contains("href=\"/assistance/grants/1\""));
        assert!(list.body.contains("href=\"/assistance/grants/3\""));
        assert!(!list.body.contains("href=\"/assistance/grants/2\""));
        // The street officer records nothing: no form link, here or on the case page, which
        // lists the household's grant.
        assert!(!list.body.contains("/assistance/grants/new"));
        let case = dongcheng.get(&app, "/assistance/1").await;
        assert!(
            case.body.contains("href=\"/assistance/grants/1\""),
            "{}",
            case.body
        );
        assert!(case.body.contains("火灾后临时生活困难"));
        assert!(!case.body.contains("/assistance/grants/new"));
        assert!(
            list.body
                .contains("合计(不含已作废):2 笔,2 户,2 人次,1000.00 元(0.1000 万元)"),
            "{}",
            list.body
        );
        let mut leader = Browser::demo(&app, "leader").await;
        for (query, ids) in [
            ("", vec![1, 2, 3]),
            ("?kind=medical", vec![]),
            ("?kind=temporary&year=2013", vec![1, 2, 3]),
            ("?year=2012", vec![]),
            ("?division=990101002000", vec![2]),
        ] {
            let page = leader
                .get(&app, &format!("/assistance/grants{query}"))
                .await;
            assert_eq!(page.status, StatusCode::OK, "{query}");
            for id in 1..=3 {
                assert_eq!(
                    page.body
                        .contains(&format!("href=\"/assistance/grants/{id}\"")),
                    ids.contains(&id),
                    "{query} {id}"
                );
            }
        }
        let csv = dongcheng
            .get(&app, "/assistance/grants/export.csv?kind=temporary")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
        assert_eq!(csv.header(header::CACHE_CONTROL), "no-store");
        assert!(csv.body.contains("\"批准日期\""), "{}", csv.body);
        assert_eq!(
            csv.body.matches("区财政-临时救助").count(),
            2,
            "{}",
            csv.body
        );
        let xlsx = dongcheng.get(&app, "/assistance/grants/export.xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.header(header::CONTENT_TYPE).contains("spreadsheetml"));
        // In English.
        let en = leader.get(&app, "/lang/en?back=/assistance/grants").await;
        assert_eq!(en.status, StatusCode::SEE_OTHER);
        let page = leader.get(&app, "/assistance/grants").await;
        assert!(
            page.body.contains("Relief and medical grants"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Temporary assistance"));
        let budgets = leader.get(&app, "/assistance/budgets").await;
        assert!(budgets.body.contains("Yearly budgets"));
        assert!(
            !budgets.body.contains("name=\"citation\""),
            "leaders set no budget"
        );
    })
    .await;
}

#[tokio::test]
async fn the_api_records_refuses_over_budget_with_the_figures_and_lists() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let csrf = jiuzhu.csrf(&app).await;
        let token = {
            let reply = jiuzhu
                .post(
                    &app,
                    "/account/tokens",
                    &[("csrf", &csrf), ("token_name", "api")],
                )
                .await;
            let start = reply.body.find(r#"<code class="token">"#).unwrap() + 20;
            reply.body[start..start + 67].to_owned()
        };
        let budget = api(
            &app,
            "POST",
            "/api/v1/assistance/budgets",
            Some(&token),
            Some(serde_json::json!({
                "year": "2013", "kind": "winter", "amount": "3000", "citation": "冬春救助资金分配方案"
            })),
        )
        .await;
        assert_eq!(budget.status, StatusCode::OK, "{}", budget.body);
        let body = |amount: &str, over: &str| {
            serde_json::json!({
                "kind": "winter", "household": "2", "persons": "1", "amount": amount,
                "reason": "冬季取暖困难", "funding_source": "中央冬春救助资金",
                "granted_on": "2013-07-01", "override_reason": over
            })
        };
        let created = api(
            &app,
            "POST",
            "/api/v1/assistance/grants",
            Some(&token),
            Some(body("2000", "")),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.json()["overridden"], false);
        let over = api(
            &app,
            "POST",
            "/api/v1/assistance/grants",
            Some(&token),
            Some(body("1500", "")),
        )
        .await;
        assert_eq!(over.status, StatusCode::BAD_REQUEST);
        let json = over.json();
        assert_eq!(json["fields"][0]["field"], "amount");
        assert_eq!(json["fields"][0]["code"], "grants.over_budget");
        let message = json["fields"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("预算 3000.00 元,已支出 2000.00 元,余额 1000.00 元,本次申请 1500.00 元"),
            "{message}"
        );
        let overridden = api(
            &app,
            "POST",
            "/api/v1/assistance/grants",
            Some(&token),
            Some(body("1500", "雪灾后追加,县政府批复")),
        )
        .await;
        assert_eq!(overridden.status, StatusCode::CREATED);
        assert_eq!(overridden.json()["overridden"], true);
        let id = overridden.json()["id"].as_i64().unwrap();
        let one = api(
            &app,
            "GET",
            &format!("/api/v1/assistance/grants/{id}"),
            Some(&token),
            None,
        )
        .await;
        let g = one.json();
        assert_eq!(g["override_reason"], "雪灾后追加,县政府批复");
        assert_eq!(g["amount"], "1500.00");
        assert_eq!(g["recorded_by"], "jiuzhu");
        assert!(g["head_id_number"].as_str().unwrap().contains('*'));
        let list = api(
            &app,
            "GET",
            "/api/v1/assistance/grants?kind=winter&year=2013",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(list.json()["total"], 2);
        assert_eq!(
            list.json()["totals"],
            serde_json::json!({"grants": 2, "households": 1, "persons": 2, "amount": "3500.00"})
        );
        let budgets = api(&app, "GET", "/api/v1/assistance/budgets", Some(&token), None).await;
        let winter = budgets
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["kind"] == "winter")
            .cloned()
            .unwrap();
        assert_eq!(winter["drawn"], "3500.00");
        assert_eq!(winter["remaining"], "-500.00");
        assert_eq!(winter["overrides"], 1);
        let cancel = api(
            &app,
            "POST",
            &format!("/api/v1/assistance/grants/{id}/cancel"),
            Some(&token),
            Some(serde_json::json!({"reason": "批复未到,先行作废"})),
        )
        .await;
        assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.body);
        let again = api(
            &app,
            "POST",
            &format!("/api/v1/assistance/grants/{id}/cancel"),
            Some(&token),
            Some(serde_json::json!({"reason": "批复未到,先行作废"})),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.json()["code"], "grants.already_cancelled");
    })
    .await;
}
