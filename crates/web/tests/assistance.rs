//! 社会救助 pages and API through the router, on both engines: an application taken by the
//! community, checked and posted by the street, approved by the district, with the notice
//! and the history; refusals (roles, jurisdiction, bad rows, stale versions); exports; the
//! reveal; the API; the standards' two-step save.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use common::{Browser, Reply, api, demo_app, demo_id, seed_cases};
use testkit::TestDb;

const HEPING: &str = "990101001001";

/// Sets the clock to 09:00 Beijing time on `day`.
fn on(db: &TestDb, day: &str) {
    let date: chrono::NaiveDate = day.parse().unwrap();
    db.clock
        .set(Utc.from_utc_datetime(&date.and_hms_opt(1, 0, 0).unwrap()));
}

/// The application form of a two-person household, with the member rows as given.
fn application<'a>(csrf: &'a str, rows: &[(&'a str, &'a str, &'a str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf),
        ("community", HEPING),
        ("address", "和平路 1 号 3 单元 201"),
        ("program", "dibao"),
        ("area", ""),
        ("applied_on", "2013-07-01"),
        ("on_behalf", "1"),
        ("note", ""),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (i, (name, id, relation)) in rows.iter().enumerate() {
        let n = i + 1;
        for (field, value) in [
            ("name", *name),
            ("id_number", *id),
            ("relation", *relation),
            ("disability_grade", "0"),
            ("employment", "unemployed"),
            ("self_care", ""),
        ] {
            form.push((format!("m{n}_{field}"), value.to_owned()));
        }
    }
    form
}

async fn post(browser: &mut Browser, app: &Router, path: &str, form: &[(String, String)]) -> Reply {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(app, path, &pairs).await
}

/// The `version` hidden field of a case page.
fn version(page: &Reply) -> String {
    common::field_value(&page.body, "version").unwrap()
}

async fn case_count(db: &TestDb) -> usize {
    let system = service::Actor::system();
    db.service
        .cases(&system, &Default::default(), None)
        .await
        .unwrap()
        .total
}

async fn step(browser: &mut Browser, app: &Router, case: &str, fields: &[(&str, &str)]) -> Reply {
    let page = browser.get(app, case).await;
    let csrf = page.csrf();
    let v = version(&page);
    let mut form = vec![("csrf", csrf.as_str()), ("version", v.as_str())];
    form.extend_from_slice(fields);
    browser.post(app, &format!("{case}/steps"), &form).await
}

#[tokio::test]
async fn an_application_goes_from_the_community_to_the_district_through_the_forms() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        // Today is 07-10; everything up to the notice was dated 07-01 (a clock jump would
        // end the sessions), so the notice (07-01 to 07-07) is over.
        on(db, "2013-07-10");
        let head = demo_id("1950-03-01", 11);
        let spouse = demo_id("1955-06-01", 22);

        // 和平社区 takes the application (代为申请).
        let mut heping = Browser::demo(&app, "heping").await;
        let form = heping.get(&app, "/assistance/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("和平社区 990101001001"));
        assert!(form.body.contains("name=\"m6_name\""), "six member rows");
        let csrf = form.csrf();
        let reply = post(
            &mut heping,
            &app,
            "/assistance",
            &application(
                &csrf,
                &[("张小明", &head, "head"), ("李秀英", &spouse, "spouse")],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let case = reply.location().split('?').next().unwrap().to_owned();
        let page = heping.get(&app, reply.location()).await;
        assert!(page.body.contains("申请已受理"));
        assert!(!page.body.contains(&head), "ID numbers are masked");
        assert!(page.body.contains("9901**********"));

        // 东城街道: means check, home visit, notice; no approval form, and a forged one is
        // refused.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let bad = step(
            &mut dongcheng,
            &app,
            &case,
            &[
                ("kind", "check_means"),
                ("on", "2013-07-01"),
                ("income_per_capita", "2OO"),
            ],
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("金额只能填数字"), "{}", bad.body);
        for fields in [
            &[
                ("kind", "check_means"),
                ("on", "2013-07-01"),
                ("income_per_capita", "200.00"),
            ][..],
            &[
                ("kind", "visit_home"),
                ("on", "2013-07-01"),
                ("note", "入户核实:二人户"),
            ][..],
            &[
                ("kind", "post_notice"),
                ("on", "2013-07-01"),
                ("notice_from", "2013-07-01"),
            ][..],
        ] {
            let reply = step(&mut dongcheng, &app, &case, fields).await;
            assert_eq!(
                reply.status,
                StatusCode::SEE_OTHER,
                "{fields:?}: {}",
                reply.body
            );
        }
        let page = dongcheng.get(&app, &case).await;
        assert!(page.body.contains("公示中"));
        assert!(
            !page.body.contains("id=\"step-approve\""),
            "no approve form for the street"
        );
        let forged = step(
            &mut dongcheng,
            &app,
            &case,
            &[("kind", "approve"), ("on", "2013-07-08")],
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);

        // The notice: names masked, amount, period, the bureau's wording.
        let notice = dongcheng.get(&app, &format!("{case}/notice")).await;
        assert_eq!(notice.status, StatusCode::OK);
        assert!(
            notice
                .body
                .contains("关于和平社区最低生活保障(低保)申请的公示")
        );
        assert!(notice.body.contains("张*明") && notice.body.contains("李*英"));
        assert!(!notice.body.contains("张小明") && !notice.body.contains("李秀英"));
        assert!(notice.body.contains("2013-07-01 — 2013-07-07"));
        assert!(notice.body.contains("data-print"));

        // 救助科 approves; the page shows the benefit and every step with who recorded it.
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let reply = step(
            &mut jiuzhu,
            &app,
            &case,
            &[("kind", "approve"), ("on", "2013-07-10")],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let page = jiuzhu.get(&app, &case).await;
        assert!(page.body.contains("已审核确认"));
        assert!(
            page.body.contains("2013-08-01"),
            "benefit from the next month"
        );
        assert!(page.body.contains("月救助金合计"));
        let history = &page.body[page.body.find("class=\"list history\"").unwrap()..];
        for (step, who) in [
            ("受理申请", "和平社区 赵社工"),
            ("家庭经济状况核对", "东城街道民政办 张干事"),
            ("入户调查", "东城街道民政办 张干事"),
            ("张榜公示", "东城街道民政办 张干事"),
            ("审核确认", "救助科 王科员"),
        ] {
            let row = history
                .find(&format!("<td>{step}</td>"))
                .unwrap_or_else(|| panic!("{step}"));
            assert!(history[row..].contains(who), "{step} by {who}");
        }
        assert!(history.contains("核定月人均收入 200.00 元"));

        // The list finds it by name, initials and the whole ID number; the overdue filter
        // (the home page's link) is empty.
        for q in ["张小明", "zxm", head.as_str()] {
            let list = jiuzhu
                .get(&app, &format!("/assistance?q={}", common::urlencode(q)))
                .await;
            assert!(list.body.contains(&format!("href=\"{case}\"")), "{q}");
        }
        let overdue = jiuzhu.get(&app, "/assistance?status=overdue").await;
        assert_eq!(overdue.status, StatusCode::OK);
        assert!(overdue.body.contains("没有符合条件"));
    })
    .await;
}

#[tokio::test]
async fn a_large_household_gets_more_member_rows_without_javascript() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        on(db, "2013-07-10");
        let mut heping = Browser::demo(&app, "heping").await;
        let form = heping.get(&app, "/assistance/new").await;
        assert!(form.body.contains("name=\"m6_name\""));
        assert!(!form.body.contains("name=\"m7_name\""));
        let csrf = form.csrf();
        // Eight persons: "add a member row" twice keeps what was typed and saves nothing.
        let ids: Vec<String> = (0..8u16)
            .map(|i| demo_id(&format!("19{}-01-0{}", 60 + i, 1 + i), 31 + i))
            .collect();
        let names = [
            "赵一", "赵二", "赵三", "赵四", "赵五", "赵六", "赵七", "赵八",
        ];
        let rows: Vec<(&str, &str, &str)> = names
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(i, (n, id))| (*n, id.as_str(), if i == 0 { "head" } else { "child" }))
            .collect();
        let mut typed = application(&csrf, &rows[..6]);
        typed.push(("rows".into(), "6".into()));
        typed.push(("add_row".into(), "1".into()));
        let longer = post(&mut heping, &app, "/assistance", &typed).await;
        assert_eq!(longer.status, StatusCode::OK, "{}", longer.body);
        assert!(longer.body.contains("name=\"m7_name\""));
        assert!(!longer.body.contains("name=\"m8_name\""));
        assert!(
            longer.body.contains("value=\"赵六\""),
            "typed rows are kept"
        );
        assert!(
            !longer.body.contains("field-error"),
            "nothing is checked yet"
        );
        assert_eq!(case_count(db).await, 0, "nothing is saved");

        let mut full = application(&csrf, &rows);
        full.push(("rows".into(), "8".into()));
        let reply = post(&mut heping, &app, "/assistance", &full).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let page = heping.get(&app, reply.location()).await;
        for n in names {
            assert!(page.body.contains(n), "{n} is a member of the case");
        }
    })
    .await;
}

#[tokio::test]
async fn the_means_worksheet_is_filled_row_by_row_and_shown_on_the_case() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        on(db, "2013-07-01");
        let mut heping = Browser::demo(&app, "heping").await;
        let csrf = heping.csrf(&app).await;
        let head = demo_id("1950-03-01", 11);
        let spouse = demo_id("1955-06-01", 22);
        let reply = post(
            &mut heping,
            &app,
            "/assistance",
            &application(&csrf, &[("张小明", &head, "head"), ("李秀英", &spouse, "spouse")]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let case = reply.location().split('?').next().unwrap().to_owned();

        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let page = dongcheng.get(&app, &case).await;
        assert!(page.body.contains(&format!("href=\"{case}/means\"")), "the step links the worksheet");
        let sheet = dongcheng.get(&app, &format!("{case}/means")).await;
        assert_eq!(sheet.status, StatusCode::OK);
        assert!(sheet.body.contains("家庭经济状况核对表"));
        assert!(sheet.body.contains("name=\"inc5_amount\"") && !sheet.body.contains("name=\"inc6_amount\""));
        assert!(sheet.body.contains(">张小明</option>"), "members to choose from");
        let csrf = sheet.csrf();
        let version = common::field_value(&sheet.body, "version").unwrap();
        let member = {
            let at = sheet.body.find(">张小明</option>").unwrap();
            let start = sheet.body[..at].rfind("value=\"").unwrap() + 7;
            sheet.body[start..at - 1].to_owned()
        };
        let base = |extra: &[(&'static str, &str)]| {
            let mut form: Vec<(String, String)> = [
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("on", "2013-07-01"),
                ("note", "核对中心比对一致"),
                ("inc1_member", member.as_str()),
                ("inc1_category", "wage"),
                ("inc1_amount", "1000.00"),
                ("inc3_category", "transfer"),
                ("inc3_amount", "600"),
                ("inc3_exemption", "preferential"),
                ("prop1_kind", "real_estate"),
                ("prop1_count", "3"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            form.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
            form
        };
        // One more income row: what was typed stays, nothing is saved.
        let longer = post(&mut dongcheng, &app, &format!("{case}/means"), &base(&[("add_income", "1")])).await;
        assert_eq!(longer.status, StatusCode::OK, "{}", longer.body);
        assert!(longer.body.contains("name=\"inc6_amount\""));
        assert!(longer.body.contains("value=\"1000.00\""));
        // Bad cells are named by row; nothing is saved.
        let bad = post(
            &mut dongcheng,
            &app,
            &format!("{case}/means"),
            &base(&[("inc4_category", "salary"), ("inc4_amount", "12OO"), ("prop2_kind", "real_estate"), ("prop2_count", "零")]),
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        assert!(bad.body.contains("第 4 行"), "{}", bad.body);
        assert!(bad.body.contains("请选择收入类别"), "{}", bad.body);
        assert!(bad.body.contains("金额只能填数字"), "{}", bad.body);
        assert!(bad.body.contains("数量须为不小于 1 的整数"), "{}", bad.body);
        assert!(
            dongcheng.get(&app, &case).await.body.contains("status-applied"),
            "still only applied"
        );
        // Saved: (1000 − 100) / 2 = 450.00; the 优抚金 is shown, not counted; three homes
        // are over the limit of two.
        let saved = post(&mut dongcheng, &app, &format!("{case}/means"), &base(&[])).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = dongcheng.get(&app, saved.location()).await;
        assert!(page.body.contains("450.00 元"), "{}", page.body);
        assert!(page.body.contains("计入收入 1000.00 元/月,豁免收入 600.00 元/月,扣除就业成本 100.00 元(10%)"), "{}", page.body);
        assert!(page.body.contains("房产套数(实有 / 上限):3 / 2"), "{}", page.body);
        assert!(page.body.contains("豁免:优抚金"));
        // The old version is a conflict, shown with the worksheet kept.
        let stale = post(&mut dongcheng, &app, &format!("{case}/means"), &base(&[])).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(stale.body.contains("value=\"1000.00\""));

        // The API: rows are named by their place in the list.
        let other = seed_second_case(db).await;
        let token = {
            let csrf = dongcheng.csrf(&app).await;
            let reply = dongcheng
                .post(&app, "/account/tokens", &[("csrf", &csrf), ("token_name", "api")])
                .await;
            let start = reply.body.find(r#"<code class="token">"#).unwrap() + 20;
            reply.body[start..start + 67].to_owned()
        };
        let path = format!("/api/v1/assistance/cases/{other}/means");
        let bad = api(
            &app,
            "POST",
            &path,
            Some(&token),
            Some(serde_json::json!({"version": 1, "income": [{"category": "wage", "monthly": "10"}, {"category": "gift", "monthly": "10"}]})),
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        assert!(bad.body.contains("\"row\":2"), "{}", bad.body);
        let ok = api(
            &app,
            "POST",
            &path,
            Some(&token),
            Some(serde_json::json!({"version": 1, "on": "2013-07-01", "income": [{"category": "business", "monthly": "300.00"}], "property": [{"kind": "deposits", "value": "1000"}]})),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(ok.body.contains("\"version\":2"), "{}", ok.body);
    })
    .await;
}

/// A second two-person application in 和平社区 by the console; its case id.
async fn seed_second_case(db: &TestDb) -> i64 {
    db.service
        .register_application(
            &service::Actor::system(),
            common::demo_application(HEPING, 41),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn refusals_show_inline_write_nothing_and_hide_other_jurisdictions() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let before = case_count(db).await;
        let mut heping = Browser::demo(&app, "heping").await;
        let csrf = heping.csrf(&app).await;
        let good = demo_id("1960-01-01", 41);
        let wrong = format!("{}0", &demo_id("1962-01-01", 43)[..17]);
        // Row 1 fine, row 2 blank (ignored), row 3 a wrong check digit and no name.
        let mut form = application(
            &csrf,
            &[("王五", &good, "head"), ("", "", ""), ("", &wrong, "child")],
        );
        form.retain(|(k, _)| !k.starts_with("m2_") || k == "m2_relation");
        let reply = post(&mut heping, &app, "/assistance", &form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert!(reply.body.contains("第 3 行"), "{}", reply.body);
        assert!(reply.body.contains("身份证号校验位对不上"));
        assert!(reply.body.contains("请填写成员姓名"));
        assert!(
            reply.body.contains(&format!("value=\"{good}\"")),
            "values kept"
        );
        assert!(reply.body.contains("value=\"和平路 1 号 3 单元 201\""));
        assert_eq!(case_count(db).await, before, "nothing was written");

        // Out of jurisdiction: a page 404 and a JSON 404.
        assert_eq!(
            heping.get(&app, "/assistance/3").await.status,
            StatusCode::NOT_FOUND
        );
        let json = heping.get(&app, "/api/v1/assistance/cases/3").await;
        assert_eq!(json.status, StatusCode::NOT_FOUND);
        assert_eq!(json.json()["code"], "not_found");

        // A stale version: the conflict names who changed the case, and asks to reload.
        let page = heping.get(&app, "/assistance/1").await;
        let stale = heping
            .post(
                &app,
                "/assistance/1/steps",
                &[
                    ("csrf", &csrf),
                    ("version", "1"),
                    ("kind", "withdraw"),
                    ("reason", "申请人自愿撤回"),
                    ("on", "2013-07-01"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(
            stale.body.contains("该案件已被 system at 2013-07-01"),
            "{}",
            stale.body
        );
        assert!(stale.body.contains("刷新页面"));
        assert!(page.body.contains("公示中"));

        // A reveal needs a reason; with one, the full number, not cached.
        let no_reason = heping
            .post(
                &app,
                "/assistance/1/members/1/reveal",
                &[("csrf", &csrf), ("reason", "")],
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
        assert!(no_reason.body.contains("请写明事由"));
        let full = demo_id("1950-03-01", 11);
        assert!(!no_reason.body.contains(&full));
        let shown = heping
            .post(
                &app,
                "/assistance/1/members/1/reveal",
                &[("csrf", &csrf), ("reason", "核对户籍信息")],
            )
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.body.contains(&full));
        assert_eq!(shown.header(header::CACHE_CONTROL), "no-store");
    })
    .await;
}

#[tokio::test]
async fn exports_parse_back_to_the_list_masked() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let mut leader = Browser::demo(&app, "leader").await;
        let list = leader.get(&app, "/assistance?program=dibao").await;
        assert!(list.body.contains("export.csv?program=dibao"));
        let csv = leader
            .get(&app, "/assistance/export.csv?program=dibao")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.header(header::CACHE_CONTROL), "no-store");
        let mut reader =
            csv::Reader::from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(ToOwned::to_owned).collect())
            .collect();
        let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        for r in &rows {
            assert!(
                list.body
                    .contains(&format!("href=\"/assistance/{}\"", r[0]))
            );
            assert!(r[8].contains("**********"), "masked: {}", r[8]);
            assert!(list.body.contains(&r[8]));
        }
        let cookie = leader
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = Request::get("/assistance/export.xlsx")
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
        let sheet = book.worksheet_range("救助案件").unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(cells[0][0], "案件号");
        assert_eq!(cells.len(), 4);
        for (x, c) in cells[1..].iter().zip(&rows) {
            assert_eq!(x[0], c[0]);
            assert_eq!(x[8], c[8]);
        }
        let audit = db
            .store()
            .audit_entries(
                &store::AuditFilter {
                    action_prefix: Some("assistance.export".into()),
                    ..Default::default()
                },
                0,
                10,
            )
            .await
            .unwrap()
            .1;
        assert_eq!(audit, 2);
    })
    .await;
}

#[tokio::test]
async fn the_api_takes_an_application_and_records_steps_with_versions() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        on(db, "2013-07-01");
        let mut heping = Browser::demo(&app, "heping").await;
        let csrf = heping.csrf(&app).await;
        let token = {
            let reply = heping
                .post(&app, "/account/tokens", &[("csrf", &csrf), ("token_name", "api")])
                .await;
            let start = reply.body.find(r#"<code class="token">"#).unwrap() + 20;
            reply.body[start..start + 67].to_owned()
        };
        let body = serde_json::json!({
            "community": HEPING, "address": "和平路 2 号", "program": "dibao", "on_behalf": true,
            "members": [
                {"name": "孙大爷", "id_number": demo_id("1948-02-02", 51), "relation": "head", "employment": "retired"},
                {"name": "", "id_number": "123", "relation": "spouse", "employment": "unemployed"}
            ]
        });
        let refused = api(&app, "POST", "/api/v1/assistance/cases", Some(&token), Some(body.clone())).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let fields = refused.json()["fields"].as_array().unwrap().clone();
        assert!(fields.iter().all(|f| f["row"] == 2), "{fields:?}");
        let mut body = body;
        body["members"].as_array_mut().unwrap().pop();
        let created = api(&app, "POST", "/api/v1/assistance/cases", Some(&token), Some(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/assistance/cases/{id}");
        let case = api(&app, "GET", &path, Some(&token), None).await.json();
        assert_eq!(case["status"], "applied");
        assert_eq!(case["allowed_next"][0], "check_means");
        assert!(case["members"][0]["id_number"].as_str().unwrap().contains('*'));
        let version = case["version"].as_i64().unwrap();
        let means = serde_json::json!({"version": version, "step": {"kind": "check_means", "income_per_capita": "150.00"}});
        let reply = api(&app, "POST", &format!("{path}/steps"), Some(&token), Some(means.clone())).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["version"], version + 1);
        let stale = api(&app, "POST", &format!("{path}/steps"), Some(&token), Some(means)).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(stale.json()["code"], "assistance.case_changed");
        assert!(stale.json()["message"].as_str().unwrap().contains("heping"));
        let list = api(&app, "GET", "/api/v1/assistance/cases?q=sdy", Some(&token), None).await.json();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["income_per_capita"], "150.00");
        let standards = api(&app, "GET", "/api/v1/assistance/standards", Some(&token), None).await.json();
        assert!(standards.as_array().unwrap().iter().any(|s| s["amount"] == "385.00"));
    })
    .await;
}

#[tokio::test]
async fn a_standard_is_saved_after_its_impact_is_shown() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let page = jiuzhu.get(&app, "/assistance/standards").await;
        assert!(page.body.contains("385.00"));
        let csrf = page.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("program", "dibao"),
            ("area", "urban"),
            ("effective_from", "2013-09-01"),
            ("amount", "400.00"),
            ("citation", "示民发〔2013〕12号"),
        ];
        let preview = jiuzhu
            .post(&app, "/assistance/standards/preview", &fields)
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert!(
            preview.body.contains("自 2013-09 起影响 0 户"),
            "{}",
            preview.body
        );
        assert!(preview.body.contains("确认保存"));
        assert!(
            !jiuzhu
                .get(&app, "/assistance/standards")
                .await
                .body
                .contains("示民发〔2013〕12号")
        );
        let saved = jiuzhu.post(&app, "/assistance/standards", &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = jiuzhu.get(&app, saved.location()).await;
        assert!(page.body.contains("示民发〔2013〕12号") && page.body.contains("400.00"));
        let mut bad = fields;
        bad[4] = ("amount", "4OO");
        let refused = jiuzhu
            .post(&app, "/assistance/standards/preview", &bad)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        // A street officer has no form and cannot save.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let page = dongcheng.get(&app, "/assistance/standards").await;
        assert!(!page.body.contains("/assistance/standards/preview"));
        let csrf = page.csrf();
        let mut forged = fields;
        forged[0] = ("csrf", &csrf);
        let reply = dongcheng.post(&app, "/assistance/standards", &forged).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    })
    .await;
}
