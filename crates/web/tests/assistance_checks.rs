//! 数据比对 through the router, on both engines: the death-file upload (a bad file listed by
//! row and column in Chinese, nothing written; a good one stored and matched), the task list
//! with masked numbers, the street officer's home page and closing form, the export, and
//! the API (tasks, runs, a death file as `text/csv`).

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the engine name is printed so a failing test says which engine failed"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Reply, api, demo_app, demo_id, seed_cases, send};

const BOUNDARY: &str = "minzhengChecksBoundary0gW7MA4YWxk";

fn multipart(csrf: &str, file: &str) -> Vec<u8> {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"deaths.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
    )
    .into_bytes()
}

async fn upload(app: &axum::Router, browser: &Browser, body: Vec<u8>) -> Reply {
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let request = Request::post("/assistance/checks/deaths")
        .header(header::COOKIE, cookies.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

async fn new_token(app: &axum::Router, browser: &mut Browser) -> String {
    let csrf = browser.csrf(app).await;
    let reply = browser
        .post(
            app,
            "/account/tokens",
            &[("csrf", &csrf), ("token_name", "api")],
        )
        .await;
    let start = reply.body.find(r#"<code class="token">"#).unwrap() + 20;
    reply.body[start..start + 67].to_owned()
}

#[tokio::test]
async fn a_death_file_is_uploaded_and_its_task_reaches_the_street_officer() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let head = demo_id("1950-03-01", 11);
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let form = jiuzhu.get(&app, "/assistance/checks/deaths").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();

        // A wrong date on row 3: refused, in Chinese, naming row and column; nothing stored.
        let bad = format!(
            "公民身份号码,姓名,死亡日期,来源\n{head},张小明,2013-06-30,市殡仪馆\n{},李秀英,2013-02-30,\n",
            demo_id("1955-06-01", 12)
        );
        let reply = upload(&app, &jiuzhu, multipart(&csrf, &bad)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert!(reply.body.contains("第 3 行,死亡日期"), "{}", reply.body);
        assert!(reply.body.contains("未导入任何记录"), "{}", reply.body);
        let list = jiuzhu.get(&app, "/assistance/checks").await;
        assert!(list.body.contains("没有符合条件的比对待办"), "{}", list.body);

        // A forged token: refused before the file is read.
        let forged = upload(&app, &jiuzhu, multipart("forged", &bad)).await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{}", forged.body);
        assert!(!forged.body.contains("第 3 行"), "the file was read: {}", forged.body);

        // The good file: stored, matched, one task for 东城街道.
        let good = format!("id_number,name,date_of_death,source\n{head},张小明,2013-06-30,市殡仪馆\n");
        let reply = upload(&app, &jiuzhu, multipart(&csrf, &good)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply.body.contains("新导入 1 条"), "{}", reply.body);
        let list = jiuzhu.get(&app, "/assistance/checks").await;
        assert!(list.body.contains("死亡人员"), "{}", list.body);
        assert!(list.body.contains("9901**********"), "{}", list.body);
        assert!(
            list.body.contains("死亡日期 2013-06-30;来源 市殡仪馆;未自动停发:案件尚未开始发放"),
            "{}",
            list.body
        );
        assert!(!list.body.contains(&head), "the full number leaked");

        // The street officer sees it on the home page and closes it with a note.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let home = dongcheng.get(&app, "/").await;
        assert!(home.body.contains("1 条数据比对待办尚未处理"), "{}", home.body);
        let page = dongcheng.get(&app, "/assistance/checks?status=open").await;
        let start = page.body.find("/assistance/checks/tasks/").unwrap() + 25;
        let id: String = page.body[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let csrf = page.csrf();
        let path = format!("/assistance/checks/tasks/{id}/close");
        let refused = dongcheng
            .post(
                &app,
                &path,
                &[("csrf", &csrf), ("status", "resolved"), ("note", "否")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        let closed = dongcheng
            .post(
                &app,
                &path,
                &[("csrf", &csrf), ("status", "resolved"), ("note", "已入户核实死亡")],
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let page = dongcheng.get(&app, "/assistance/checks").await;
        assert!(page.body.contains("已入户核实死亡"), "{}", page.body);
        let home = dongcheng.get(&app, "/").await;
        assert!(!home.body.contains("数据比对待办"), "{}", home.body);
        // The community worker of 和平社区 (the household's) sees it too.
        let mut heping = Browser::demo(&app, "heping").await;
        assert!(
            heping
                .get(&app, "/assistance/checks")
                .await
                .body
                .contains("已入户核实死亡")
        );

        // The export: masked too.
        let csv = jiuzhu.get(&app, "/assistance/checks/export.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
        assert!(csv.body.contains("死亡人员") && !csv.body.contains(&head));
        let xlsx = jiuzhu.get(&app, "/assistance/checks/export.xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK);

        // The button: a manual run, listed with the latest runs.
        let csrf = jiuzhu.csrf(&app).await;
        let run = jiuzhu
            .post(&app, "/assistance/checks/run", &[("csrf", &csrf)])
            .await;
        assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", run.body);
        let page = jiuzhu.get(&app, "/assistance/checks").await;
        assert!(page.body.contains("手动比对"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn the_api_runs_the_checks_imports_deaths_and_lists_tasks() {
    testkit::for_each_engine(async |db| {
        let app = demo_app(db).await;
        seed_cases(db).await;
        let mut jiuzhu = Browser::demo(&app, "jiuzhu").await;
        let token = new_token(&app, &mut jiuzhu).await;
        let head = demo_id("1950-03-01", 21);
        let request = |body: &str, content_type: &str| {
            Request::post("/api/v1/assistance/checks/deaths")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, content_type.to_owned())
                .body(Body::from(body.to_owned()))
                .unwrap()
        };
        let file = format!("id_number,name,date_of_death\n{head},张小明,2013-06-30\n");
        let wrong_type = send(&app, request(&file, "application/json")).await;
        assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let bad = send(&app, request("id_number,name\n", "text/csv")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        assert_eq!(bad.json()["fields"][0]["row"], 1);
        assert_eq!(bad.json()["fields"][0]["code"], "checks.header");
        let done = send(&app, request(&file, "text/csv; charset=utf-8")).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["stored"], 1);
        assert_eq!(done.json()["run"]["deaths"], 1);
        let again = send(&app, request(&file, "text/csv")).await;
        assert_eq!(again.json()["stored"], 0);
        assert!(again.json()["run"].is_null());

        let tasks = api(
            &app,
            "GET",
            "/api/v1/assistance/checks/tasks",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.body);
        let items = tasks.json()["items"].clone();
        assert_eq!(items.as_array().unwrap().len(), 1);
        assert_eq!(items[0]["kind"], "death");
        assert_eq!(items[0]["street"], "990101002000");
        assert!(items[0]["id_number"].as_str().unwrap().contains('*'));
        let id = items[0]["id"].as_i64().unwrap();

        let run = api(
            &app,
            "POST",
            "/api/v1/assistance/checks/runs",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(run.status, StatusCode::OK, "{}", run.body);
        assert_eq!(run.json()["origin"], "manual");
        assert_eq!(run.json()["tasks_created"], 0);
        let runs = api(
            &app,
            "GET",
            "/api/v1/assistance/checks/runs",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(runs.json().as_array().unwrap().len(), 2);

        // Closing: the street officer of another street does not find it.
        let mut dongcheng = Browser::demo(&app, "dongcheng").await;
        let other = new_token(&app, &mut dongcheng).await;
        let close = |t: &str| {
            let t = t.to_owned();
            let app = app.clone();
            async move {
                api(
                    &app,
                    "POST",
                    &format!("/api/v1/assistance/checks/tasks/{id}/close"),
                    Some(&t),
                    Some(serde_json::json!({"status": "dismissed", "note": "同名同号,已排除"})),
                )
                .await
            }
        };
        assert_eq!(close(&other).await.status, StatusCode::NOT_FOUND);
        assert_eq!(close(&token).await.status, StatusCode::NO_CONTENT);
        let again = close(&token).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    })
    .await;
}
