//! 优抚对象 and 走访慰问 through the pages and the API, on both engines: registering an
//! entitlement through the form (CSRF, refusals in Chinese next to their fields, the same
//! category twice refused), the register with its search and masked CSV export read back,
//! the detail page with its status change, the standard's preview before saving, a
//! campaign's visit and the refused second payment to a household, and the JSON API.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, api, demo_app, demo_id};

fn registration<'a>(csrf: &'a str, id_number: &'a str, grade: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", "王建国"),
        ("id_number", id_number),
        ("category", "11"),
        ("grade", grade),
        ("cause", "war"),
        ("certified_on", "2013-01-05"),
        ("document_number", "残字第 0012 号"),
        ("certifying_office", "示范区民政局"),
        ("community", "990101001001"),
        ("address", "和平路 9 号"),
    ]
}

#[tokio::test]
async fn the_section_registers_an_entitled_person_and_finds_it_in_the_register() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let home = youfu.get(&app, "/").await;
        assert!(home.body.contains("href=\"/veterans\""), "nav entry");
        assert!(home.body.contains("优抚安置"));
        let form = youfu.get(&app, "/veterans/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains("登记优抚对象"));
        let csrf = form.csrf();
        let wang = demo_id("1952-04-01", 31);

        let forged = youfu
            .post(&app, "/veterans", &registration("x", &wang, "4"))
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);

        // A grade outside 1–10: refused next to the field, in Chinese, nothing written.
        let bad = youfu
            .post(&app, "/veterans", &registration(&csrf, &wang, "11"))
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("残疾等级应为 1 到 10 级"), "{}", bad.body);
        assert_eq!(
            youfu.get(&app, "/veterans/1").await.status,
            StatusCode::NOT_FOUND
        );

        let ok = youfu
            .post(&app, "/veterans", &registration(&csrf, &wang, "4"))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/veterans/1?done=registered");
        let page = youfu.get(&app, ok.location()).await;
        assert!(page.body.contains("已登记"), "{}", page.body);
        assert!(page.body.contains("4 级 · 因战"));
        assert!(page.body.contains("残字第 0012 号"));
        assert!(!page.body.contains(&wang), "the ID number is masked");

        let twice = youfu
            .post(&app, "/veterans", &registration(&csrf, &wang, "2"))
            .await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST);
        assert!(twice.body.contains("不能重复登记"), "{}", twice.body);

        // The register: search by pinyin initials, the CSV read back masked.
        let list = youfu.get(&app, "/veterans?q=wjg").await;
        assert!(list.body.contains("王建国"), "{}", list.body);
        let none = youfu.get(&app, "/veterans?q=zzz").await;
        assert!(!none.body.contains("王建国"));
        let csv = youfu.get(&app, "/veterans/export.csv?category=11").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
        assert_eq!(csv.header(header::CACHE_CONTROL), "no-store");
        let text = csv.body.trim_start_matches('\u{feff}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[1], "姓名");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][1], "王建国");
        assert!(rows[0][2].contains('*') && !rows[0][2].contains(&wang[6..14]));

        // Suspension with a reason, shown in the history.
        let suspended = youfu
            .post(
                &app,
                "/veterans/1/status",
                &[
                    ("csrf", &csrf),
                    ("status", "suspended"),
                    ("effective_on", "2013-03-01"),
                    ("reason", "服刑期间依法中止"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(
            suspended.status,
            StatusCode::SEE_OTHER,
            "{}",
            suspended.body
        );
        let page = youfu.get(&app, "/veterans/1").await;
        assert!(page.body.contains("服刑期间依法中止"));
        let stale = youfu
            .post(
                &app,
                "/veterans/1/status",
                &[
                    ("csrf", &csrf),
                    ("status", "ended"),
                    ("effective_on", "2013-03-02"),
                    ("reason", "过期的表单"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);

        // A community worker elsewhere does not see it.
        let mut heping = Browser::demo(&app, "heping").await;
        assert_eq!(heping.get(&app, "/veterans/1").await.status, StatusCode::OK);
        let refused = heping.get(&app, "/veterans/new").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_standard_is_previewed_with_the_people_it_affects_before_it_is_saved() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_veterans(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let csrf = youfu.csrf(&app).await;
        let form = |intent: &'static str, amount: &'static str| {
            vec![
                ("intent", intent),
                ("category", "42"),
                ("effective_from", "2013-01-01"),
                ("amount", amount),
                ("per", "month"),
                ("citation", "民发〔2012〕200号"),
            ]
        };
        let mut preview = form("preview", "550");
        preview.push(("csrf", &csrf));
        let shown = youfu.post(&app, "/veterans/standards", &preview).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert!(shown.body.contains("3 人金额变化"), "{}", shown.body);
        assert!(shown.body.contains("1650.00"), "{}", shown.body);
        assert!(shown.body.contains("确认保存"));
        assert!(
            youfu
                .get(&app, "/veterans/standards")
                .await
                .body
                .contains("尚未设定")
        );
        let mut save = form("save", "550");
        save.push(("csrf", &csrf));
        let saved = youfu.post(&app, "/veterans/standards", &save).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = youfu.get(&app, "/veterans/standards").await;
        assert!(page.body.contains("550.00") && page.body.contains("民发〔2012〕200号"));
        let detail = youfu.get(&app, "/veterans/1").await;
        assert!(detail.body.contains("应发 550.00 元"), "{}", detail.body);
    })
    .await;
}

#[tokio::test]
async fn a_household_is_paid_once_per_campaign_through_the_page_and_the_api() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        common::seed_veterans(db).await;
        let mut youfu = Browser::demo(&app, "youfu").await;
        let csrf = youfu.csrf(&app).await;
        let visit = [
            ("csrf", csrf.as_str()),
            ("beneficiary", "entitled_person"),
            ("entitlement", "1"),
            ("money", "800"),
            ("funding_source", "budget"),
            ("visited_on", "2013-01-18"),
        ];
        let ok = youfu.post(&app, "/campaigns/1/visits", &visit).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let again = youfu.post(&app, "/campaigns/1/visits", &visit).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(again.body.contains("同一户不能重复发放"), "{}", again.body);
        let page = youfu.get(&app, "/campaigns/1").await;
        assert!(page.body.contains("走访 1 次"), "{}", page.body);
        assert!(page.body.contains("王老兵"));

        let token = {
            let reply = youfu
                .post(
                    &app,
                    "/account/tokens",
                    &[("csrf", &csrf), ("token_name", "api")],
                )
                .await;
            let start = reply.body.find(r#"<code class="token">"#).unwrap() + 20;
            reply.body[start..start + 67].to_owned()
        };
        let twice = api(
            &app,
            "POST",
            "/api/v1/campaigns/1/visits",
            Some(&token),
            Some(serde_json::json!({
                "beneficiary": "entitled_person",
                "entitlement": "1",
                "money": "300",
                "funding_source": "donation",
                "visited_on": "2013-01-19",
            })),
        )
        .await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            twice.json()["fields"][0]["code"],
            "campaigns.household_paid"
        );
        let troops = api(
            &app,
            "POST",
            "/api/v1/campaigns/1/visits",
            Some(&token),
            Some(serde_json::json!({
                "beneficiary": "troop_unit",
                "unit_name": "驻区某部",
                "division": "990101000000",
                "money": "30000",
                "funding_source": "budget",
                "visited_on": "2013-01-18",
            })),
        )
        .await;
        assert_eq!(troops.status, StatusCode::CREATED, "{}", troops.body);
        let detail = api(&app, "GET", "/api/v1/campaigns/1", Some(&token), None).await;
        assert_eq!(detail.json()["money"], "30800.00");
        assert_eq!(detail.json()["visits"].as_array().unwrap().len(), 2);

        let entitlement = api(
            &app,
            "GET",
            "/api/v1/veterans/entitlements/1",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(entitlement.status, StatusCode::OK);
        assert_eq!(entitlement.json()["category"], "42");
        assert!(
            entitlement.json()["id_number"]
                .as_str()
                .unwrap()
                .contains('*')
        );
        let created = api(
            &app,
            "POST",
            "/api/v1/veterans/entitlements",
            Some(&token),
            Some(serde_json::json!({
                "id_number": demo_id("1950-02-02", 71),
                "name": "王老兵",
                "category": "42",
                "certified_on": "2013-01-05",
                "document_number": "x",
                "certifying_office": "示范区民政局",
            })),
        )
        .await;
        assert_eq!(created.status, StatusCode::BAD_REQUEST);
        assert_eq!(created.json()["fields"][0]["code"], "veterans.duplicate");
    })
    .await;
}
