//! 账号管理 through HTTP: the list page (search, filters, sorting, pages), CSV and XLSX
//! exports read back, detail pages and the logged reveal, the forms with inline messages,
//! CSRF, jurisdiction, and `/api/v1/accounts`, on SQLite and PostgreSQL alike.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a panic in a test is a failure with a line number; the engine name is printed so a failure says which engine"
)]

mod common;

use axum::Router;
use axum::http::{StatusCode, header};
use common::{Browser, api, demo_app};
use serde_json::json;
use service::sessions::Client;
use store::{AuditEntry, AuditFilter, NewUser};
use testkit::{TestDb, for_each_engine};

const DONGCHENG: &str = "990101001000";

/// An account stored directly, with a phone number and a real password hash if `password`.
async fn quick(
    db: &TestDb,
    username: &str,
    name: &str,
    role: &str,
    jurisdiction: &str,
    password: Option<&str>,
) -> i64 {
    let user = NewUser {
        username: username.into(),
        display_name: name.into(),
        password_hash: password
            .map_or_else(|| "x".into(), |p| service::users::hash_password(p).unwrap()),
        role: role.into(),
        jurisdiction: jurisdiction.parse().unwrap(),
        phone: Some("13912345678".into()),
        must_change_password: false,
    };
    let audit = AuditEntry {
        at: db.service.now(),
        actor: "test".into(),
        address: "test".into(),
        action: "accounts.create".into(),
        object: format!("user:{username}"),
        reason: String::new(),
        detail: String::new(),
    };
    db.store().insert_user(&user, &audit).await.unwrap()
}

async fn id_of(db: &TestDb, username: &str) -> i64 {
    db.store().user_by_username(username).await.unwrap().id
}

async fn audit_of(db: &TestDb, action: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        action_prefix: Some(action.into()),
        ..AuditFilter::default()
    };
    db.store()
        .audit_entries(&filter, 0, 100)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|r| r.entry)
        .collect()
}

/// The usernames linked from a list page's rows, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<td class=\"code\"><a href=\"/accounts/")
        .skip(1)
        .map(|rest| {
            let start = rest.find('>').unwrap() + 1;
            rest[start..start + rest[start..].find('<').unwrap()].to_owned()
        })
        .collect()
}

/// An API token of a demo or test account.
async fn token(db: &TestDb, username: &str, password: &str) -> String {
    let client = Client {
        address: "127.0.0.1".into(),
        user_agent: "test".into(),
    };
    let signed = db
        .service
        .sign_in(username, password, &client)
        .await
        .unwrap()
        .unwrap();
    let current = db
        .service
        .session(&signed.token, &client)
        .await
        .unwrap()
        .unwrap();
    db.service.create_api_token(&current, "test").await.unwrap()
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        for i in 0..60 {
            quick(
                db,
                &format!("xc{i:02}"),
                "西城街道 社工",
                "community_worker",
                &format!("990101002{:03}", i % 7 + 1),
                None,
            )
            .await;
        }
        let mut admin = Browser::demo(&app, "admin").await;
        let page = admin.get(&app, "/accounts").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let first = listed(&page.body);
        assert_eq!(first.len(), 50);
        assert_eq!(first[0], "admin");
        assert!(page.body.contains("共 67 条"), "the total of all pages");
        assert!(
            page.body.contains("href=\"/accounts?page=2\""),
            "pager link"
        );
        assert!(
            page.body.contains("aria-sort=\"ascending\""),
            "the default order is marked"
        );
        // The division select offers the streets and towns of the jurisdiction.
        assert!(
            page.body
                .contains("<option value=\"990101001000\">东城街道</option>")
        );
        assert!(
            !page.body.contains("<option value=\"990101001001\""),
            "no communities in the filter"
        );
        let second = admin.get(&app, "/accounts?page=2").await;
        assert_eq!(listed(&second.body).len(), 17);
        assert!(second.body.contains("href=\"/accounts\" rel=\"prev\""));

        // Search by name, pinyin initials and username.
        assert_eq!(
            listed(
                &admin
                    .get(&app, "/accounts?q=%E5%BC%A0%E5%B9%B2%E4%BA%8B")
                    .await
                    .body
            ),
            ["dongcheng"]
        );
        assert_eq!(
            listed(&admin.get(&app, "/accounts?q=zgs").await.body),
            ["dongcheng"]
        );
        assert_eq!(
            listed(&admin.get(&app, "/accounts?q=youf").await.body),
            ["youfu"]
        );
        let none = admin.get(&app, "/accounts?q=nobody").await;
        assert!(none.body.contains("没有符合条件的账号"));

        // Filters keep the query in the sort and page links.
        let street = admin
            .get(&app, "/accounts?division=990101002000&sort=username&desc=1")
            .await;
        let rows = listed(&street.body);
        // Askama writes `&` in attributes as `&#38;`; read the links as a browser would.
        let body = street.body.replace("&#38;", "&");
        assert_eq!((rows.len(), rows[0].as_str()), (50, "xc59"));
        assert!(
            body.contains("href=\"/accounts?division=990101002000&sort=username&desc=1&page=2\""),
            "{body}"
        );
        assert!(
            body.contains("href=\"/accounts?division=990101002000&sort=username\""),
            "reversing the order"
        );
        assert!(body.contains("<option value=\"990101002000\" selected>"));
        assert!(
            body.contains(
                "href=\"/accounts/export.csv?division=990101002000&sort=username&desc=1\""
            )
        );
        let by_role = admin.get(&app, "/accounts?sort=role&desc=1").await;
        assert_eq!(listed(&by_role.body)[0], "auditor");
        assert_eq!(
            listed(&admin.get(&app, "/accounts?status=locked").await.body),
            Vec::<String>::new()
        );
        // Bad parameters are ignored, not an error page.
        assert_eq!(
            admin
                .get(&app, "/accounts?page=x&status=nonsense&sort=%3Cb%3E")
                .await
                .status,
            StatusCode::OK
        );

        // Roles without the permission are refused; the navigation hides the entry.
        let mut officer = Browser::demo(&app, "dongcheng").await;
        assert_eq!(
            officer.get(&app, "/accounts").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !officer
                .get(&app, "/")
                .await
                .body
                .contains("href=\"/accounts\"")
        );
    })
    .await;
}

#[tokio::test]
async fn exports_match_the_list_masked_and_are_audited() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        for i in 0..55 {
            quick(
                db,
                &format!("xc{i:02}"),
                "西城街道 社工",
                "community_worker",
                "990101002001",
                None,
            )
            .await;
        }
        let mut leader = Browser::demo(&app, "leader").await;
        let query = "q=%E7%A4%BE%E5%B7%A5&sort=username&desc=1&per_page=200";
        let list = listed(&leader.get(&app, &format!("/accounts?{query}")).await.body);
        assert_eq!(list.len(), 56);

        let csv_reply = leader
            .get(&app, &format!("/accounts/export.csv?{query}"))
            .await;
        assert_eq!(csv_reply.status, StatusCode::OK);
        assert!(
            csv_reply
                .header(header::CONTENT_TYPE)
                .starts_with("text/csv")
        );
        assert!(
            csv_reply
                .header(header::CONTENT_DISPOSITION)
                .contains("accounts-20130701.csv")
        );
        assert_eq!(csv_reply.header(header::CACHE_CONTROL), "no-store");
        let text = csv_reply
            .body
            .strip_prefix('\u{feff}')
            .expect("a UTF-8 BOM");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "用户名");
        assert_eq!(&reader.headers().unwrap()[5], "联系电话");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(names, list, "the same rows in the same order as the list");
        assert!(
            rows.iter()
                .all(|r| r[5].is_empty() || &r[5] == "139****5678"),
            "masked"
        );
        assert!(!csv_reply.body.contains("13912345678"));

        let xlsx_reply = {
            use axum::body::Body;
            use axum::http::Request;
            let cookie = leader
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let request = Request::get(format!("/accounts/export.xlsx?{query}"))
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap();
            let response = tower::ServiceExt::oneshot(app.clone(), request)
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert!(
                response.headers()[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .contains("spreadsheetml")
            );
            http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes()
        };
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx_reply.to_vec())).unwrap();
        let sheet = book.worksheet_range("账号").unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(cells[0][0], "用户名");
        let xlsx_names: Vec<&str> = cells[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(xlsx_names, list);
        assert!(
            cells[1..]
                .iter()
                .all(|r| r[5].is_empty() || r[5] == "139****5678")
        );

        let exports = audit_of(db, "accounts.export").await;
        assert_eq!(exports.len(), 2);
        assert!(
            exports
                .iter()
                .all(|e| e.actor == "leader" && e.detail.starts_with("rows=56 "))
        );

        // Section staff read the list but do not export it.
        let mut staff = Browser::demo(&app, "jiuzhu").await;
        assert_eq!(staff.get(&app, "/accounts").await.status, StatusCode::OK);
        assert!(
            !staff
                .get(&app, "/accounts")
                .await
                .body
                .contains("export.csv")
        );
        assert_eq!(
            staff.get(&app, "/accounts/export.csv").await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn a_street_level_reader_sees_nothing_outside_its_street() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        // Only district-wide roles hold Accounts Read; an account whose jurisdiction is a
        // street (a future street administrator) must still be confined by jurisdiction.
        quick(
            db,
            "dcadmin",
            "东城街道 管理员",
            "admin",
            DONGCHENG,
            Some("street-admin-2013"),
        )
        .await;
        let mut browser = Browser::default();
        assert_eq!(
            browser
                .sign_in(&app, "dcadmin", "street-admin-2013")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let page = browser.get(&app, "/accounts").await;
        assert_eq!(listed(&page.body), ["dcadmin", "dongcheng", "heping"]);
        assert!(page.body.contains("共 3 条"));
        assert!(
            !page.body.contains("西城街道"),
            "no division outside in the filter"
        );
        assert!(
            browser
                .get(&app, "/accounts?q=admin")
                .await
                .body
                .contains("共 1 条")
        );
        let csv = browser.get(&app, "/accounts/export.csv").await;
        assert_eq!(
            csv.body.lines().count(),
            4,
            "header and three rows: {}",
            csv.body
        );
        let outside = id_of(db, "jiuzhu").await;
        let not_found = browser.get(&app, &format!("/accounts/{outside}")).await;
        assert_eq!(not_found.status, StatusCode::NOT_FOUND);
        assert!(!not_found.body.contains("jiuzhu") && !not_found.body.contains("救助科"));
        assert_eq!(
            browser.get(&app, "/accounts/999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            browser.get(&app, "/accounts/abc").await.status,
            StatusCode::NOT_FOUND
        );
        let csrf = browser.csrf(&app).await;
        let reveal = browser
            .post(
                &app,
                &format!("/accounts/{outside}/reveal"),
                &[("csrf", &csrf), ("reason", "核实身份信息")],
            )
            .await;
        assert_eq!(reveal.status, StatusCode::NOT_FOUND);
        let token = token(db, "dcadmin", "street-admin-2013").await;
        let reply = api(
            &app,
            "GET",
            &format!("/api/v1/accounts/{outside}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.json()["code"], "not_found");
        let reply = api(
            &app,
            "GET",
            "/api/v1/accounts?per_page=500",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(reply.json()["total"], 3);
    })
    .await;
}

#[tokio::test]
async fn details_mask_the_phone_and_reveal_it_only_with_a_reason() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        let id = quick(
            db,
            "xc01",
            "西城街道 社工",
            "community_worker",
            "990101002001",
            None,
        )
        .await;
        let mut admin = Browser::demo(&app, "admin").await;
        let page = admin.get(&app, &format!("/accounts/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("139****5678"));
        assert!(!page.body.contains("13912345678"));
        assert!(
            page.body
                .contains(&format!("action=\"/accounts/{id}/reveal\""))
        );
        assert_eq!(
            audit_of(db, "accounts.read").await[0].object,
            "user:xc01",
            "the read is logged"
        );
        let csrf = page.csrf();

        let no_reason = admin
            .post(
                &app,
                &format!("/accounts/{id}/reveal"),
                &[("csrf", &csrf), ("reason", " ")],
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
        assert!(no_reason.body.contains("id=\"reason-error\""));
        assert!(no_reason.body.contains("请写明查看事由,至少 4 个字"));
        assert!(!no_reason.body.contains("13912345678"));
        let forged = admin
            .post(
                &app,
                &format!("/accounts/{id}/reveal"),
                &[("csrf", "forged"), ("reason", "通知重置密码")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(!forged.body.contains("13912345678"));
        assert!(audit_of(db, "accounts.reveal").await.is_empty());

        let shown = admin
            .post(
                &app,
                &format!("/accounts/{id}/reveal"),
                &[("csrf", &csrf), ("reason", "通知重置密码")],
            )
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.body.contains("13912345678"));
        assert_eq!(shown.header(header::CACHE_CONTROL), "no-store");
        let reveals = audit_of(db, "accounts.reveal").await;
        assert_eq!(reveals.len(), 1);
        assert_eq!(
            (reveals[0].actor.as_str(), reveals[0].reason.as_str()),
            ("admin", "通知重置密码")
        );
        // The next view is masked again.
        assert!(
            !admin
                .get(&app, &format!("/accounts/{id}"))
                .await
                .body
                .contains("13912345678")
        );

        // A leader reads but may not reveal: no form, and the POST is refused.
        let mut leader = Browser::demo(&app, "leader").await;
        let page = leader.get(&app, &format!("/accounts/{id}")).await;
        assert!(!page.body.contains("/reveal\""));
        let csrf = page.csrf();
        let refused = leader
            .post(
                &app,
                &format!("/accounts/{id}/reveal"),
                &[("csrf", &csrf), ("reason", "通知重置密码")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    })
    .await;
}

async fn post_new(
    browser: &mut Browser,
    app: &Router,
    csrf: &str,
    username: &str,
    phone: &str,
    password: &str,
) -> common::Reply {
    browser
        .post(
            app,
            "/accounts",
            &[
                ("csrf", csrf),
                ("username", username),
                ("display_name", "南湖街道 孙干事"),
                ("role", "street_officer"),
                ("jurisdiction", "990101003000"),
                ("phone", phone),
                ("password", password),
            ],
        )
        .await
}

#[tokio::test]
async fn forms_show_inline_messages_keep_values_and_check_csrf() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut admin = Browser::demo(&app, "admin").await;
        let form = admin.get(&app, "/accounts/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("<option value=\"990101003000\">"),
            "jurisdictions to choose from"
        );
        let csrf = form.csrf();

        let refused = post_new(&mut admin, &app, &csrf, "Bad Name", "12345", "short").await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        for field in ["username", "phone", "password"] {
            assert!(
                refused.body.contains(&format!("id=\"{field}-error\"")),
                "{field}: {}",
                refused.body
            );
        }
        assert!(!refused.body.contains("id=\"display_name-error\""));
        assert!(
            refused.body.contains("value=\"南湖街道 孙干事\""),
            "values are kept"
        );
        assert!(refused.body.contains("value=\"Bad Name\""));
        assert!(
            refused
                .body
                .contains("<option value=\"990101003000\" selected>")
        );
        assert!(
            refused
                .body
                .contains("<option value=\"street_officer\" selected>")
        );
        assert!(
            !refused.body.contains("value=\"short\""),
            "never the password"
        );

        let taken = post_new(
            &mut admin,
            &app,
            &csrf,
            "dongcheng",
            "",
            "a-long-first-password",
        )
        .await;
        assert_eq!(taken.status, StatusCode::BAD_REQUEST);
        assert!(taken.body.contains("id=\"username-error\"") && taken.body.contains("已被使用"));

        let forged = post_new(
            &mut admin,
            &app,
            "forged",
            "nanhu",
            "",
            "a-long-first-password",
        )
        .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(
            db.store().user_by_username("nanhu").await.is_err(),
            "nothing created"
        );

        let created = post_new(
            &mut admin,
            &app,
            &csrf,
            "nanhu",
            "13800138000",
            "a-long-first-password",
        )
        .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = id_of(db, "nanhu").await;
        assert_eq!(created.location(), format!("/accounts/{id}?done=created"));
        let user = db.store().user(id).await.unwrap();
        assert!(user.must_change_password);
        assert_eq!(user.phone.as_deref(), Some("13800138000"));

        // Edit: values prefilled, the phone masked and kept when left empty.
        let edit = admin.get(&app, &format!("/accounts/{id}/edit")).await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.body.contains("138****8000") && !edit.body.contains("13800138000"));
        let saved = admin
            .post(
                &app,
                &format!("/accounts/{id}"),
                &[
                    ("csrf", &csrf),
                    ("display_name", "南湖街道 孙主任"),
                    ("role", "street_officer"),
                    ("jurisdiction", "990101003000"),
                    ("phone", ""),
                    ("disabled", "1"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let user = db.store().user(id).await.unwrap();
        assert_eq!(
            (
                user.display_name.as_str(),
                user.disabled,
                user.phone.as_deref()
            ),
            ("南湖街道 孙主任", true, Some("13800138000"))
        );

        // An administrator cannot disable themselves: the message is next to the checkbox.
        let own = id_of(db, "admin").await;
        let refused = admin
            .post(
                &app,
                &format!("/accounts/{own}"),
                &[
                    ("csrf", &csrf),
                    ("display_name", "系统管理员"),
                    ("role", "admin"),
                    ("jurisdiction", testkit::demo::COUNTY),
                    ("disabled", "1"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("id=\"disabled-error\""));
        assert!(!db.store().user(own).await.unwrap().disabled);

        // Password reset: CSRF checked, then the holder must choose a new one.
        let target = id_of(db, "jiuzhu").await;
        let forged = admin
            .post(
                &app,
                &format!("/accounts/{target}/reset-password"),
                &[("csrf", "x"), ("password", "temporary-2013-07")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(!db.store().user(target).await.unwrap().must_change_password);
        let short = admin
            .post(
                &app,
                &format!("/accounts/{target}/reset-password"),
                &[("csrf", &csrf), ("password", "short")],
            )
            .await;
        assert_eq!(short.status, StatusCode::BAD_REQUEST);
        assert!(short.body.contains("id=\"password-error\""));
        let reset = admin
            .post(
                &app,
                &format!("/accounts/{target}/reset-password"),
                &[("csrf", &csrf), ("password", "temporary-2013-07")],
            )
            .await;
        assert_eq!(reset.location(), format!("/accounts/{target}?done=reset"));
        assert!(db.store().user(target).await.unwrap().must_change_password);

        // Leaders may not open the forms.
        let mut leader = Browser::demo(&app, "leader").await;
        assert_eq!(
            leader.get(&app, "/accounts/new").await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_api_lists_creates_and_shows_accounts() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        quick(db, "xc01", "西城街道 社工", "community_worker", "990101002001", None).await;
        let admin = token(db, "admin", "demo-admin-2013").await;
        assert_eq!(api(&app, "GET", "/api/v1/accounts", None, None).await.status, StatusCode::UNAUTHORIZED);

        let reply = api(&app, "GET", "/api/v1/accounts?q=xc&per_page=5", Some(&admin), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let body = reply.json();
        assert_eq!((body["total"].as_u64(), body["page"].as_u64(), body["per_page"].as_u64()), (Some(1), Some(1), Some(5)));
        assert_eq!(
            body["items"][0],
            json!({"id": body["items"][0]["id"], "username": "xc01", "display_name": "西城街道 社工",
                   "role": "community_worker", "jurisdiction": "990101002001", "phone": "139****5678", "status": "active"})
        );
        let all = api(&app, "GET", "/api/v1/accounts?sort=username&desc=1", Some(&admin), None).await.json();
        assert_eq!(all["items"][0]["username"], "youfu");

        let new = json!({"username": "nanhu", "display_name": "南湖街道 孙干事", "role": "street_officer",
                         "jurisdiction": "990101003000", "phone": "0755-12345678", "password": "a-long-first-password"});
        let created = api(&app, "POST", "/api/v1/accounts", Some(&admin), Some(new.clone())).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let detail = api(&app, "GET", &format!("/api/v1/accounts/{id}"), Some(&admin), None).await.json();
        assert_eq!(detail["username"], "nanhu");
        assert_eq!(detail["phone"], "075******5678");
        assert_eq!(detail["status"], "must_change_password");
        assert_eq!(detail["jurisdiction_name"], "南湖街道");
        assert!(detail.get("password_hash").is_none());

        let again = api(&app, "POST", "/api/v1/accounts", Some(&admin), Some(new)).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let bad = json!({"username": "X", "display_name": "", "role": "boss", "jurisdiction": "990101003000", "phone": "1", "password": "short"});
        let refused = api(&app, "POST", "/api/v1/accounts", Some(&admin), Some(bad)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let fields: Vec<String> = refused.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect();
        assert_eq!(fields, ["username", "display_name", "password", "phone", "role"]);
        let garbled = common::send(
            &app,
            axum::http::Request::post("/api/v1/accounts")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
        assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
        assert_eq!(garbled.json()["fields"][0]["code"], "accounts.malformed_json");

        let twice = api(&app, "GET", "/api/v1/accounts?q=a&q=b", Some(&admin), None).await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST);
        assert_eq!(twice.json()["fields"][0]["code"], "accounts.malformed_query");
        assert_eq!(api(&app, "GET", "/api/v1/accounts/999999", Some(&admin), None).await.status, StatusCode::NOT_FOUND);
        let leader = token(db, "leader", "demo-leader-2013").await;
        let create_as_leader = json!({"username": "x1", "display_name": "x", "role": "leader", "jurisdiction": testkit::demo::COUNTY, "password": "a-long-first-password"});
        assert_eq!(api(&app, "POST", "/api/v1/accounts", Some(&leader), Some(create_as_leader)).await.status, StatusCode::FORBIDDEN);
        let officer = token(db, "dongcheng", "demo-dongcheng-2013").await;
        assert_eq!(api(&app, "GET", "/api/v1/accounts", Some(&officer), None).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_forms_offer_only_the_roles_the_web_may_grant() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        let mut admin = Browser::demo(&app, "admin").await;
        // Administrators and auditors are made on the console only.
        let new = admin.get(&app, "/accounts/new").await;
        assert_eq!(new.status, StatusCode::OK);
        assert!(new.body.contains("<option value=\"leader\">"));
        assert!(
            !new.body.contains("<option value=\"admin\""),
            "{}",
            new.body
        );
        assert!(!new.body.contains("<option value=\"auditor\""));
        // An account that holds one keeps it on its form, and is offered nothing else
        // reserved.
        for (holder, held, other) in [
            ("admin", "admin", "auditor"),
            ("auditor", "auditor", "admin"),
        ] {
            let id = id_of(db, holder).await;
            let edit = admin.get(&app, &format!("/accounts/{id}/edit")).await;
            assert!(
                edit.body
                    .contains(&format!("<option value=\"{held}\" selected>")),
                "{holder}: {}",
                edit.body
            );
            assert!(
                !edit.body.contains(&format!("<option value=\"{other}\"")),
                "{holder}"
            );
        }
        let staff = id_of(db, "jiuzhu").await;
        let edit = admin.get(&app, &format!("/accounts/{staff}/edit")).await;
        assert!(
            edit.body
                .contains("<option value=\"assistance_staff\" selected>")
        );
        assert!(
            !edit.body.contains("<option value=\"admin\"")
                && !edit.body.contains("<option value=\"auditor\"")
        );

        // A forged form is refused by the service, next to the field, and the form that comes
        // back still offers only what may be granted.
        let csrf = edit.csrf();
        let forged = admin
            .post(
                &app,
                &format!("/accounts/{staff}"),
                &[
                    ("csrf", &csrf),
                    ("display_name", "救助科 王科员"),
                    ("role", "auditor"),
                    ("jurisdiction", testkit::demo::COUNTY),
                ],
            )
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
        assert!(forged.body.contains("id=\"role-error\""), "{}", forged.body);
        assert!(!forged.body.contains("<option value=\"auditor\""));
        assert_eq!(
            db.store().user(staff).await.unwrap().role,
            "assistance_staff"
        );
    })
    .await;
}

/// An API call with a bearer token and a JSON body.
async fn call(
    app: &Router,
    method: &str,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> common::Reply {
    api(app, method, path, Some(token), Some(body)).await
}

#[tokio::test]
async fn the_api_changes_resets_and_reveals_accounts_like_the_pages() {
    for_each_engine(async |db| {
        let app = demo_app(db).await;
        let id = quick(db, "xc01", "西城街道 社工", "community_worker", "990101002001", Some("xc01-password-1")).await;
        let admin = token(db, "admin", "demo-admin-2013").await;
        let path = format!("/api/v1/accounts/{id}");
        let change = |phone: Option<&str>| {
            let mut body = json!({"display_name": "西城街道 李社工", "role": "community_worker",
                                  "jurisdiction": "990101002002", "disabled": false});
            if let Some(p) = phone {
                body["phone"] = json!(p);
            }
            body
        };

        // PUT: the phone absent is kept, "" clears it, a number replaces it.
        let saved = call(&app, "PUT", &path, &admin, change(None)).await;
        assert_eq!(saved.status, StatusCode::NO_CONTENT, "{}", saved.body);
        assert!(saved.body.is_empty());
        let user = db.store().user(id).await.unwrap();
        assert_eq!((user.display_name.as_str(), user.jurisdiction.to_string().as_str(), user.phone.as_deref()),
                   ("西城街道 李社工", "990101002002", Some("13912345678")));
        assert_eq!(call(&app, "PUT", &path, &admin, change(Some("13800138000"))).await.status, StatusCode::NO_CONTENT);
        assert_eq!(db.store().user(id).await.unwrap().phone.as_deref(), Some("13800138000"));
        assert_eq!(call(&app, "PUT", &path, &admin, change(Some(""))).await.status, StatusCode::NO_CONTENT);
        assert_eq!(db.store().user(id).await.unwrap().phone, None);
        let mut disable = change(Some("13912345678"));
        disable["disabled"] = json!(true);
        assert_eq!(call(&app, "PUT", &path, &admin, disable).await.status, StatusCode::NO_CONTENT);
        assert!(db.store().user(id).await.unwrap().disabled);
        assert_eq!(audit_of(db, "accounts.update").await.len(), 4);

        // Refusals name every field; the console-only roles are refused here too.
        let bad = json!({"display_name": "", "role": "auditor", "jurisdiction": "990101002002", "phone": "12"});
        let refused = call(&app, "PUT", &path, &admin, bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let codes: Vec<String> = refused.json()["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect();
        // (An auditor's jurisdiction would be the whole district, too.)
        assert_eq!(codes, ["account.display_name", "account.role_console_only", "account.phone_format", "account.jurisdiction_level"]);
        assert_eq!(db.store().user(id).await.unwrap().role, "community_worker");
        assert_eq!(call(&app, "PUT", "/api/v1/accounts/999999", &admin, change(None)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, "PUT", "/api/v1/accounts/abc", &admin, change(None)).await.status, StatusCode::NOT_FOUND);

        // Reset: the holder must choose a new password; one's own is not reset here.
        let reset = format!("/api/v1/accounts/{id}/reset-password");
        let short = call(&app, "POST", &reset, &admin, json!({"password": "short"})).await;
        assert_eq!(short.status, StatusCode::BAD_REQUEST);
        assert_eq!(short.json()["fields"][0]["field"], "password");
        let done = call(&app, "POST", &reset, &admin, json!({"password": "temporary-2013-07"})).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        assert!(db.store().user(id).await.unwrap().must_change_password);
        assert_eq!(audit_of(db, "accounts.password_reset").await.len(), 1);
        let own = id_of(db, "admin").await;
        let own = call(&app, "POST", &format!("/api/v1/accounts/{own}/reset-password"), &admin, json!({"password": "temporary-2013-07"})).await;
        assert_eq!(own.status, StatusCode::BAD_REQUEST);
        assert_eq!(own.json()["fields"][0]["code"], "account.reset_self");

        // Reveal: with a reason, audited, never cached.
        let reveal = format!("/api/v1/accounts/{id}/reveal");
        let no_reason = call(&app, "POST", &reveal, &admin, json!({"reason": " "})).await;
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
        assert!(audit_of(db, "accounts.reveal").await.is_empty());
        let shown = call(&app, "POST", &reveal, &admin, json!({"reason": "通知重置密码"})).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert_eq!(shown.json(), json!({"phone": "13912345678"}));
        assert_eq!(shown.header(header::CACHE_CONTROL), "no-store");
        let reveals = audit_of(db, "accounts.reveal").await;
        assert_eq!((reveals.len(), reveals[0].reason.as_str()), (1, "通知重置密码"));
        let nobody = quick(db, "xc02", "西城街道 社工", "community_worker", "990101002001", None).await;
        call(&app, "PUT", &format!("/api/v1/accounts/{nobody}"), &admin, change(Some(""))).await;
        let none = call(&app, "POST", &format!("/api/v1/accounts/{nobody}/reveal"), &admin, json!({"reason": "核实身份信息"})).await;
        assert_eq!(none.json(), json!({"phone": null}));

        // Roles without the permission are refused, whatever the body.
        let leader = token(db, "leader", "demo-leader-2013").await;
        for (method, path, body) in [
            ("PUT", path.as_str(), change(None)),
            ("POST", reset.as_str(), json!({"password": "temporary-2013-07"})),
            ("POST", reveal.as_str(), json!({"reason": "通知重置密码"})),
        ] {
            let reply = call(&app, method, path, &leader, body).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}");
            assert_eq!(reply.json()["code"], "forbidden");
        }

        // An administrator of one street finds nothing outside it.
        quick(db, "dcadmin", "东城街道 管理员", "admin", DONGCHENG, Some("street-admin-2013")).await;
        let street = token(db, "dcadmin", "street-admin-2013").await;
        for (method, path, body) in [
            ("PUT", path.as_str(), change(None)),
            ("POST", reset.as_str(), json!({"password": "temporary-2013-07"})),
            ("POST", reveal.as_str(), json!({"reason": "通知重置密码"})),
        ] {
            let reply = call(&app, method, path, &street, body).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(reply.json()["code"], "not_found");
        }
        assert_eq!(db.store().user(id).await.unwrap().display_name, "西城街道 李社工");
    })
    .await;
}
