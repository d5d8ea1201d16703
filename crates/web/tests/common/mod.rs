//! What every web test file shares: the router over a test database, requests, and signing
//! in as a browser would (GET the form, POST it with its CSRF cookie, keep the session
//! cookie). Include with `mod common;`.

#![allow(dead_code, reason = "each test file uses a different part")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use testkit::TestDb;
use tower::ServiceExt;
use web::AppState;

/// One response, read to the end.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    pub fn location(&self) -> &str {
        self.header(header::LOCATION)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of the first `name="csrf"` hidden field on the page.
    pub fn csrf(&self) -> String {
        field_value(&self.body, "csrf").unwrap_or_else(|| panic!("no csrf field in {}", self.body))
    }
}

/// The `value` of the first input named `name` in an HTML page.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The router over a test database.
pub fn app(db: &TestDb) -> Router {
    println!("engine: {}", db.backend().as_str());
    web::router(AppState::new(db.service.clone()))
}

/// The router over a database holding the demo district and its accounts.
pub async fn demo_app(db: &TestDb) -> Router {
    testkit::demo::build(&db.service).await.unwrap();
    app(db)
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A browser: its cookies travel with every request.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, reply: &Reply) {
        for value in reply.headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() && !text.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
    }

    pub async fn get(&mut self, app: &Router, path: &str) -> Reply {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let reply = send(app, request).await;
        self.remember(&reply);
        reply
    }

    /// Posts an urlencoded form.
    pub async fn post(&mut self, app: &Router, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let reply = send(app, request).await;
        self.remember(&reply);
        reply
    }

    /// Signs in through the form; returns the reply to the POST (a redirect on success).
    pub async fn sign_in(&mut self, app: &Router, username: &str, password: &str) -> Reply {
        let form = self.get(app, "/login").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            app,
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        )
        .await
    }

    /// A browser signed in as the assistance section's second account (`jiuzhu2`, created
    /// here), which approves what `jiuzhu` prepares: payroll runs are approved by the
    /// paying section's own staff.
    pub async fn checker_of(app: &Router, db: &TestDb) -> Browser {
        let a = testkit::demo::CHECKER;
        db.service
            .add_account(
                &service::Actor::system(),
                service::users::AccountInput {
                    username: a.username.into(),
                    display_name: a.display_name.into(),
                    role: a.role.into(),
                    jurisdiction: a.jurisdiction.into(),
                    password: a.password.into(),
                    phone: None,
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        let mut browser = Browser::default();
        let reply = browser.sign_in(app, a.username, a.password).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        browser
    }

    /// A browser signed in as a demo account.
    pub async fn demo(app: &Router, username: &str) -> Browser {
        let account = testkit::demo::ACCOUNTS
            .iter()
            .find(|a| a.username == username)
            .unwrap();
        let mut browser = Browser::default();
        let reply = browser
            .sign_in(app, account.username, account.password)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "sign-in as {username}: {}",
            reply.body
        );
        browser
    }

    /// The session's CSRF token, read from the home page's sign-out form.
    pub async fn csrf(&mut self, app: &Router) -> String {
        self.get(app, "/account").await.csrf()
    }
}

/// See [`Browser::checker_of`].
pub async fn checker(app: &Router, db: &TestDb) -> Browser {
    Browser::checker_of(app, db).await
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A JSON API request with a bearer token.
pub async fn api(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let request = match body {
        Some(b) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    send(app, request).await
}

/// A synthetic ID number of the demo district.
pub fn demo_id(birth: &str, seq: u16) -> String {
    domain::ResidentId::synthetic("990101", birth.parse().unwrap(), seq)
        .unwrap()
        .as_str()
        .to_owned()
}

/// Two-member application in `community`, recorded by the console operator.
pub fn demo_application(community: &str, seq: u16) -> service::assistance::ApplicationInput {
    let member = |name: &str, id: String, relation: &str| service::assistance::MemberInput {
        name: name.into(),
        id_number: id,
        relation: relation.into(),
        disability_grade: 0,
        severe_illness: false,
        employment: "unemployed".into(),
        self_care: None,
    };
    service::assistance::ApplicationInput {
        community: community.into(),
        address: "和平路 1 号".into(),
        program: "dibao".into(),
        area: None,
        members: vec![
            member("张小明", demo_id("1950-03-01", seq), "head"),
            member("李秀英", demo_id("1955-06-01", seq + 1), "spouse"),
        ],
        on_behalf: false,
        applied_on: "2013-07-01".parse().unwrap(),
        note: String::new(),
    }
}

/// Cases for the route tests: 1 in 和平社区 on notice (members 1 and 2), 2 in 西城街道's
/// first community, 3 in 东城街道's second community (outside 和平社区).
pub async fn seed_cases(db: &TestDb) {
    use domain::assistance::workflow::Step;
    use service::assistance::StepInput;
    let s = &db.service;
    let system = service::Actor::system();
    let on: chrono::NaiveDate = "2013-07-01".parse().unwrap();
    let one = s
        .register_application(&system, demo_application("990101001001", 11))
        .await
        .unwrap();
    let mut v = 1;
    for step in [
        Step::CheckMeans {
            income_per_capita: domain::Fen::from_fen(20_000),
        },
        Step::VisitHome,
        Step::PostNotice { from: on },
    ] {
        let input = StepInput {
            step,
            on,
            note: String::new(),
        };
        v = s.record_step(&system, one, v, input).await.unwrap();
    }
    s.register_application(&system, demo_application("990101002001", 21))
        .await
        .unwrap();
    s.register_application(&system, demo_application("990101001002", 31))
        .await
        .unwrap();
    seed_grants(db).await;
    // Report 1: the district's first half of 2013 (the report routes' rows need one).
    s.generate_report(&system, "2013-01-01", "2013-06-30", Some("990101000000"))
        .await
        .unwrap();
}

/// A 2013 temporary-assistance budget of 100000 yuan and grants 1, 2, 3 of 500 yuan to
/// households 1 (和平社区), 2 (西城街道) and 3 (东城街道 outside 和平社区), as the cases.
pub async fn seed_grants(db: &TestDb) {
    use service::assistance::grants::{BudgetInput, GrantInput};
    let s = &db.service;
    let system = service::Actor::system();
    let budget = BudgetInput {
        year: "2013".into(),
        kind: "temporary".into(),
        amount: "100000".into(),
        citation: "区财政 2013 年临时救助预算".into(),
    };
    s.set_budget(&system, &budget).await.unwrap();
    for household in ["1", "2", "3"] {
        let grant = GrantInput {
            kind: "temporary".into(),
            household: household.into(),
            persons: "1".into(),
            amount: "500".into(),
            reason: "火灾后临时生活困难".into(),
            funding_source: "区财政-临时救助".into(),
            granted_on: "2013-07-01".into(),
            override_reason: String::new(),
        };
        s.record_grant(&system, &grant).await.unwrap();
    }
}

/// After [`seed_cases`]: a small imported roster (cases from 4 on) and the January 2013
/// payroll prepared by `jiuzhu` (runs 1–3, checked, awaiting a second person's approval).
pub async fn seed_payroll(db: &TestDb) {
    use service::assistance::import::{ImportMode, RosterFile, RosterFiles};
    let s = &db.service;
    let (h, p, st) = testkit::roster::synthetic(60);
    let file = |name: &str, text: String| RosterFile {
        name: name.into(),
        bytes: text.into_bytes(),
    };
    let files = RosterFiles {
        households: file("h.csv", h),
        persons: file("p.csv", p),
        standards: Some(file("s.csv", st)),
    };
    s.import_roster(&service::Actor::system(), &files, ImportMode::AllOrNothing)
        .await
        .unwrap();
    let jiuzhu = service::Actor::user(
        &db.store().user_by_username("jiuzhu").await.unwrap(),
        "10.0.0.1",
    );
    s.prepare_payroll(&jiuzhu, "2013-01", None, &mut |_| {})
        .await
        .unwrap();
}

/// Entitlements 1 (和平社区), 2 (西城街道's first community) and 3 (东城街道's second
/// community, outside 和平社区) of category 42, and campaign 1 (2013 Spring Festival), for
/// the veterans' and campaigns' route tests; intake batch 1 (winter 2012).
pub async fn seed_veterans(db: &TestDb) {
    use service::campaigns::CampaignInput;
    use service::veterans::EntitlementInput;
    let s = &db.service;
    let system = service::Actor::system();
    for (community, seq) in [
        ("990101001001", 71),
        ("990101002001", 72),
        ("990101001002", 73),
    ] {
        let id_number =
            domain::ResidentId::synthetic("990101", "1950-02-02".parse().unwrap(), seq).unwrap();
        s.register_entitlement(
            &system,
            &EntitlementInput {
                id_number: id_number.as_str().into(),
                name: "王老兵".into(),
                category: "42".into(),
                certified_on: "2013-01-05".into(),
                document_number: "示优〔2013〕1号".into(),
                certifying_office: "示范区民政局".into(),
                community: community.into(),
                address: "和平路 1 号".into(),
                ..EntitlementInput::default()
            },
        )
        .await
        .unwrap();
    }
    s.create_campaign(
        &system,
        &CampaignInput {
            name: "2013年春节走访慰问".into(),
            starts_on: "2013-01-15".into(),
            ends_on: "2013-02-15".into(),
        },
    )
    .await
    .unwrap();
    s.create_reception_batch(
        &system,
        &service::veterans::reception::BatchInput {
            name: "2012年冬季退役士兵".into(),
            discharged_on: "2012-12-20".into(),
            report_by: String::new(),
        },
    )
    .await
    .unwrap();
}

/// Liaison pairings and petition cases on the entitlements of [`seed_veterans`]: pairing
/// and case 1 in 和平社区, 2 in 西城街道, 3 in 东城街道's second community.
pub async fn seed_liaison(db: &TestDb) {
    use service::veterans::liaison::PairingInput;
    use service::veterans::petitions::OpenInput;
    let s = &db.service;
    let system = service::Actor::system();
    for entitlement in 1..=3 {
        s.pair_leader(
            &system,
            &PairingInput {
                entitlement: entitlement.to_string(),
                leader_name: "李红".into(),
                leader_post: "副区长".into(),
                leader_unit: "示范区人民政府".into(),
                starts_on: "2013-06-01".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
        s.open_petition(
            &system,
            &OpenInput {
                entitlement: entitlement.to_string(),
                subject: "要求提高补助标准".into(),
                opened_on: "2013-06-03".into(),
                risk: "high".into(),
                who: "民政办".into(),
                what: "排查登记".into(),
                ..OpenInput::default()
            },
        )
        .await
        .unwrap();
    }
}
