//! 分类施保 and the local rules through the router, on both engines: a policy's impact is
//! shown, then it is saved and a case's benefit changes from its first month; the settings
//! are saved with inline validation; street officers are refused; forged tokens refused.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::{Browser, demo_app, seed_cases};
use testkit::TestDb;

/// Sets the clock to 09:00 Beijing time on `day`.
fn on(db: &TestDb, day: &str) {
    let date: chrono::NaiveDate = day.parse().unwrap();
    db.clock
        .set(Utc.from_utc_datetime(&date.and_hms_opt(1, 0, 0).unwrap()));
}

/// Approves seeded case 1 (two members aged 63 and 58, paying from 2013-08).
async fn approve_case_one(db: &TestDb) {
    use domain::assistance::workflow::Step;
    let s = &db.service;
    let system = service::Actor::system();
    on(db, "2013-07-11");
    let version = s.case(&system, 1).await.unwrap().version;
    s.record_step(
        &system,
        1,
        version,
        service::assistance::StepInput {
            step: Step::Approve,
            on: "2013-07-11".parse().unwrap(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
}

/// The benefit total shown on a case page.
fn total(body: &str) -> String {
    let mark = "benefit-total\">";
    let start = body.find(mark).unwrap() + mark.len();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_policy_is_saved_after_its_impact_is_shown_and_pays_from_its_month() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        approve_case_one(db).await;
        on(db, "2013-08-02");
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let before = total(&jiuzhu.get(&app, "/assistance/1").await.body);
        assert_eq!(before, "408.50");
        let list = jiuzhu.get(&app, "/assistance").await;
        assert!(list.body.contains("href=\"/assistance/policy\""));
        assert!(list.body.contains("href=\"/assistance/settings\""));
        let page = jiuzhu.get(&app, "/assistance/policy").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("示范区分类施保办法(演示)"),
            "{}",
            page.body
        );
        assert!(page.body.contains("年满 60 周岁加发标准的 10%"));
        let csrf = page.csrf();
        // From September, 20 % from the 55th birthday; rows 2, 4 and 6 left blank.
        let fields = [
            ("csrf", csrf.as_str()),
            ("effective_from", "2013-09-01"),
            ("citation", "示民发〔2013〕20号"),
            ("r1_kind", "disability_grade"),
            ("r1_min", "1"),
            ("r1_max", "2"),
            ("r1_pct", "20"),
            ("r3_kind", "severe_illness"),
            ("r3_pct", "15"),
            ("r5_kind", "age_at_least"),
            ("r5_years", "55"),
            ("r5_pct", "20"),
        ];
        let preview = jiuzhu
            .post(&app, "/assistance/policy/preview", &fields)
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        // (77 − 38.50) for the head and 77 for the spouse.
        assert!(
            preview
                .body
                .contains("自 2013-09 起影响 1 户、2 人,每月救助金变化 115.50 元"),
            "{}",
            preview.body
        );
        assert!(preview.body.contains("确认保存"));
        assert!(
            !jiuzhu
                .get(&app, "/assistance/policy")
                .await
                .body
                .contains("示民发〔2013〕20号")
        );
        let saved = jiuzhu.post(&app, "/assistance/policy", &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = jiuzhu.get(&app, saved.location()).await;
        assert!(page.body.contains("示民发〔2013〕20号") && page.body.contains("年满 55 周岁"));
        // August is paid under the old policy, September under the new.
        assert_eq!(
            total(&jiuzhu.get(&app, "/assistance/1").await.body),
            "408.50"
        );

        // Bad input: shown next to its row, values kept, nothing saved.
        let bad = [
            ("csrf", csrf.as_str()),
            ("effective_from", "2013-10-01"),
            ("citation", "示民发〔2013〕21号"),
            ("r1_kind", "disability_grade"),
            ("r1_min", "1"),
            ("r1_max", "2"),
            ("r1_pct", "120"),
            ("r2_kind", "age_at_least"),
            ("r2_years", "六十"),
            ("r2_pct", "10"),
        ];
        let refused = jiuzhu.post(&app, "/assistance/policy/preview", &bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("请填写整数:六十"), "{}", refused.body);
        assert!(refused.body.contains("value=\"120\""));
        let refused = jiuzhu.post(&app, "/assistance/policy", &bad[..7]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.body.contains("分类施保比例不能超过 100%"),
            "{}",
            refused.body
        );
        assert!(
            !jiuzhu
                .get(&app, "/assistance/policy")
                .await
                .body
                .contains("示民发〔2013〕21号")
        );

        // A street officer sees the policies, has no form, and cannot save.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let page = dongcheng.get(&app, "/assistance/policy").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("/assistance/policy/preview"));
        let own = page.csrf();
        let mut theirs = fields;
        theirs[0] = ("csrf", &own);
        let reply = dongcheng.post(&app, "/assistance/policy", &theirs).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        // A token from another session is refused, and nothing is saved.
        let mut forged = fields;
        forged[0] = ("csrf", &own);
        forged[2] = ("citation", "示民发〔2013〕22号");
        let reply = jiuzhu.post(&app, "/assistance/policy", &forged).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(
            !jiuzhu
                .get(&app, "/assistance/policy")
                .await
                .body
                .contains("示民发〔2013〕22号")
        );

        // A month later (signed in again: the clock jump ends sessions) the new policy pays.
        on(db, "2013-09-02");
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        assert_eq!(
            total(&jiuzhu.get(&app, "/assistance/1").await.body),
            "524.00"
        );
    })
    .await;
}

#[tokio::test]
async fn settings_are_saved_by_the_district_section_with_inline_errors() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let page = jiuzhu.get(&app, "/assistance/settings").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains("name=\"notice_days\" inputmode=\"numeric\" value=\"7\""),
            "{}",
            page.body
        );
        let csrf = page.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("approving_level", "street"),
            ("notice_days", "5"),
            ("decision_working_days", "20"),
            ("community_review_required", "1"),
            ("review_stable", "12"),
            ("review_ill_or_disabled", "6"),
            ("review_work_capable", "3"),
            ("gradual_exit_months", "3"),
            ("means_job_cost_pct", "15"),
            ("means_financial_assets_months", "36"),
            ("means_max_homes", "1"),
            ("means_vehicle_is_finding", "1"),
        ];
        let bad = {
            let mut bad = fields;
            bad[2] = ("notice_days", "90");
            bad[6] = ("review_ill_or_disabled", "30");
            bad[8] = ("gradual_exit_months", "三");
            bad[9] = ("means_job_cost_pct", "150");
            bad
        };
        let refused = jiuzhu.post(&app, "/assistance/settings", &bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("请填写整数:三"), "{}", refused.body);
        assert!(refused.body.contains("value=\"90\""));
        let bad = {
            let mut bad = bad;
            bad[8] = ("gradual_exit_months", "3");
            bad
        };
        let refused = jiuzhu.post(&app, "/assistance/settings", &bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.body.contains("公示天数应在 1-60 天之间"),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains("复核周期须为 1–24 个月(ill_or_disabled)"),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("取值范围为 0-100"),
            "{}",
            refused.body
        );
        let saved = jiuzhu.post(&app, "/assistance/settings", &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = jiuzhu.get(&app, saved.location()).await;
        assert!(page.body.contains("救助规则设置已保存"));
        let s = db
            .service
            .assistance_settings(&service::Actor::system())
            .await
            .unwrap();
        assert_eq!(
            (
                s.approving_level,
                s.workflow.notice_days,
                s.workflow.community_review_required,
                s.review_months.work_capable,
                s.gradual_exit_months
            ),
            (service::assistance::ApprovingLevel::Street, 5, true, 3, 3)
        );
        // The means thresholds; unticked flags are off.
        assert_eq!(
            s.means,
            domain::assistance::means::MeansPolicy {
                job_cost_pct: 15,
                financial_assets_months: 36,
                max_homes: 1,
                vehicle_is_finding: true,
                business_is_finding: false,
                machinery_is_finding: false,
            }
        );

        // A street officer may look but not change; a forged token is refused.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let page = dongcheng.get(&app, "/assistance/settings").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<fieldset disabled>"));
        assert!(
            !dongcheng
                .get(&app, "/assistance")
                .await
                .body
                .contains("/assistance/settings")
        );
        let own = page.csrf();
        let mut theirs = fields;
        theirs[0] = ("csrf", &own);
        let reply = dongcheng.post(&app, "/assistance/settings", &theirs).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        theirs[2] = ("notice_days", "9");
        let reply = jiuzhu.post(&app, "/assistance/settings", &theirs).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(
            jiuzhu
                .get(&app, "/assistance/settings")
                .await
                .body
                .contains("value=\"5\"")
        );
    })
    .await;
}
