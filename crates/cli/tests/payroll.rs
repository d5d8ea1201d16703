//! `minzheng payroll` as a district's batch job runs it: prepare, approve as a second
//! account with its API token, show; refusals in Chinese; and the fault test: the
//! preparation and the approval killed with SIGKILL at pseudo-random points, at least 20
//! times on each engine, then run again to the end, leave exactly the ledger of a run that
//! was never interrupted (compared entry by entry).

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; the seed and kill count are printed"
)]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use domain::Fen;
use domain::assistance::ClassifiedPolicy;
use service::Actor;
use service::assistance::StandardInput;
use service::assistance::import::{ImportMode, RosterFile, RosterFiles};
use store::{AuditEntry, NewUser};
use testkit::TestDb;

const TIMEOUT: Duration = Duration::from_secs(300);

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// A district of `households` synthetic households, and an API token of `fuhe`, a second
/// assistance account that approves.
async fn district(db: &TestDb, households: usize) -> String {
    let s = &db.service;
    let system = Actor::system();
    s.import_divisions(&system, testkit::demo::divisions_csv().as_bytes())
        .await
        .unwrap();
    s.set_policy(&system, &ClassifiedPolicy::default_2013())
        .await
        .unwrap();
    let (h, p, st) = testkit::roster::synthetic(households);
    let files = RosterFiles {
        households: RosterFile {
            name: "h.csv".into(),
            bytes: h.into_bytes(),
        },
        persons: RosterFile {
            name: "p.csv".into(),
            bytes: p.into_bytes(),
        },
        standards: Some(RosterFile {
            name: "s.csv".into(),
            bytes: st.into_bytes(),
        }),
    };
    let report = s
        .import_roster(&system, &files, ImportMode::AllOrNothing)
        .await
        .unwrap();
    assert!(report.errors.is_empty());
    for username in ["fuhe", "jiuzhu"] {
        let user = NewUser {
            username: username.into(),
            display_name: format!("{username} 同志"),
            password_hash: "x".into(),
            role: "assistance_staff".into(),
            jurisdiction: testkit::demo::COUNTY.parse().unwrap(),
            phone: None,
            must_change_password: false,
        };
        let audit = AuditEntry {
            at: s.now(),
            actor: "test".into(),
            address: "test".into(),
            action: "accounts.create".into(),
            object: format!("user:{username}"),
            reason: String::new(),
            detail: String::new(),
        };
        db.store().insert_user(&user, &audit).await.unwrap();
    }
    s.issue_api_token(&system, "fuhe", "payroll-batch")
        .await
        .unwrap()
}

/// Raises the 低保 standard from February, as a late notice would, on the database itself,
/// now (the runs' cut-offs are real times, so the change must come after February's).
async fn raise_standard(db: &TestDb) {
    use service::Clock as _;
    db.clock.set(service::SystemClock.now());
    for area in ["urban", "rural"] {
        db.service
            .set_standard(
                &Actor::system(),
                &StandardInput {
                    program: "dibao".into(),
                    area: area.into(),
                    effective_from: "2013-02-01".parse().unwrap(),
                    amount: Fen::from_fen(40_000),
                    citation: "提标(追溯)".into(),
                },
            )
            .await
            .unwrap();
    }
}

fn minzheng(url: &str, args: &[&str], token: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_minzheng"));
    c.arg("--database-url")
        .arg(url)
        .args(args)
        .env("LANG", "zh_CN.UTF-8")
        .env("MINZHENG_PAYROLL_CHUNK", "40")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("MINZHENG_CONFIG")
        .env_remove("MINZHENG_DATABASE_URL")
        .env_remove("MINZHENG_API_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        c.env("MINZHENG_API_TOKEN", t);
    }
    c
}

fn finish(mut c: Command) -> Output {
    let child = c.spawn().unwrap();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < TIMEOUT);
    out
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[track_caller]
fn refused(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// What two ledgers are compared by: every column but the id and the approval time.
fn ledger(db: &TestDb, rt: &tokio::runtime::Runtime) -> Vec<String> {
    rt.block_on(db.store().ledger_all())
        .unwrap()
        .into_iter()
        .map(|e| {
            format!(
                "{} {} {:?} {} {} {} {} {} {} {:?} {} {}",
                e.program,
                e.household_id,
                e.case_id,
                e.division_code,
                e.benefit_month,
                e.kind,
                e.paid_in,
                e.seq,
                e.amount_fen,
                e.reverses,
                e.reason,
                e.recorded_by
            )
        })
        .collect()
}

#[test]
fn the_batch_commands_prepare_approve_as_a_second_account_and_refuse_in_chinese() {
    let rt = rt();
    let db = rt.block_on(testkit::sqlite());
    let token = rt.block_on(district(&db, 200));
    let url = db.url.clone();

    let out = refused(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-13"],
        None,
    )));
    assert!(out.contains("月份应在 1 到 12 之间"), "{out}");
    let out = refused(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-01", "--program", "wubao"],
        None,
    )));
    assert!(out.contains("无法识别"), "{out}");

    let stdout = ok(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-01"],
        None,
    )));
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(ids.len(), 3, "{stdout}");
    let show = ok(&finish(minzheng(&url, &["payroll", "show", ids[0]], None)));
    assert!(
        show.contains("2013-01") && show.contains("checked"),
        "{show}"
    );

    // Approval needs the account's token, the right one, and a second person.
    let out = refused(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-01", "--as", "fuhe"],
        None,
    )));
    assert!(out.contains("MINZHENG_API_TOKEN"), "{out}");
    let out = refused(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-01", "--as", "jiuzhu"],
        Some(&token),
    )));
    assert!(out.contains("不属于账号 jiuzhu"), "{out}");
    assert!(ledger(&db, &rt).is_empty());

    let stdout = ok(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-01", "--as", "fuhe"],
        Some(&token),
    )));
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    let paid = ledger(&db, &rt);
    assert!(!paid.is_empty());
    let out = refused(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-01"],
        None,
    )));
    assert!(out.contains("已审批,不能重复发放"), "{out}");

    // Prepared by fuhe, fuhe may not approve.
    ok(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-02", "--as", "fuhe"],
        Some(&token),
    )));
    let out = refused(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-02", "--as", "fuhe"],
        Some(&token),
    )));
    assert!(out.contains("审批人不能是制单人 fuhe"), "{out}");
    assert_eq!(ledger(&db, &rt), paid);
    rt.block_on(db.cleanup());
}

#[test]
fn a_month_includes_the_veterans_and_each_section_approves_its_own_runs() {
    use service::veterans::{EntitlementInput, StandardInput as VeteranStandard};
    let rt = rt();
    let db = rt.block_on(testkit::sqlite());
    let assistance_token = rt.block_on(district(&db, 20));
    let url = db.url.clone();
    let veterans_token = rt.block_on(async {
        let s = &db.service;
        let system = Actor::system();
        s.set_veteran_standard(
            &system,
            &VeteranStandard {
                category: "51".into(),
                grade: String::new(),
                cause: String::new(),
                effective_from: "2013-01-01".into(),
                amount: "420".into(),
                per: "month".into(),
                citation: "民发〔2012〕200号".into(),
            },
        )
        .await
        .unwrap();
        let id =
            domain::ResidentId::synthetic("990101", "1946-05-20".parse().unwrap(), 511).unwrap();
        s.register_entitlement(
            &system,
            &EntitlementInput {
                id_number: id.as_str().into(),
                name: "钱卫国".into(),
                category: "51".into(),
                certified_on: "2012-11-20".into(),
                document_number: "示优〔2012〕51号".into(),
                certifying_office: "示范区民政局".into(),
                community: "990101001001".into(),
                address: "和平路 18 号".into(),
                ..EntitlementInput::default()
            },
        )
        .await
        .unwrap();
        let user = NewUser {
            username: "youfu2".into(),
            display_name: "优抚科 孙复核".into(),
            password_hash: "x".into(),
            role: "veterans_staff".into(),
            jurisdiction: testkit::demo::COUNTY.parse().unwrap(),
            phone: None,
            must_change_password: false,
        };
        let audit = s.audit(&system, "accounts.create", "user:youfu2", "", "");
        db.store().insert_user(&user, &audit).await.unwrap();
        s.issue_api_token(&system, "youfu2", "payroll-batch")
            .await
            .unwrap()
    });

    // Every programme due: the three assistance ones and the veterans'.
    let stdout = ok(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-01"],
        None,
    )));
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(ids.len(), 4, "{stdout}");
    assert!(stdout.contains("veterans"), "{stdout}");
    // The assistance approver approves the assistance runs only.
    let stdout = ok(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-01", "--as", "fuhe"],
        Some(&assistance_token),
    )));
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    let stdout = ok(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-01", "--as", "youfu2"],
        Some(&veterans_token),
    )));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let veterans: Vec<String> = ledger(&db, &rt)
        .into_iter()
        .filter(|e| e.starts_with("veterans "))
        .collect();
    assert_eq!(veterans.len(), 1);
    assert!(
        veterans[0].contains(" None ") && veterans[0].contains(" 42000 "),
        "{veterans:?}"
    );

    // A category without a standard stops the veterans' run, in Chinese, naming it.
    rt.block_on(async {
        let id =
            domain::ResidentId::synthetic("990101", "1940-08-08".parse().unwrap(), 524).unwrap();
        db.service
            .register_entitlement(
                &Actor::system(),
                &EntitlementInput {
                    id_number: id.as_str().into(),
                    name: "冯秀兰".into(),
                    category: "21".into(),
                    certified_on: "2013-01-20".into(),
                    document_number: "示优〔2013〕21号".into(),
                    certifying_office: "示范区民政局".into(),
                    community: "990101001001".into(),
                    address: "和平路 20 号".into(),
                    ..EntitlementInput::default()
                },
            )
            .await
            .unwrap();
    });
    let out = refused(&finish(minzheng(
        &url,
        &[
            "payroll",
            "run",
            "--month",
            "2013-02",
            "--program",
            "veterans",
        ],
        None,
    )));
    assert!(
        out.contains("没有适用的优抚标准") && out.contains("烈士遗属"),
        "{out}"
    );
    rt.block_on(db.cleanup());
}

/// A small xorshift generator: the kill points are pseudo-random but reproducible from the
/// printed seed.
struct Points(u64);

impl Points {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A duration in `[lo, hi)`.
    fn between(&mut self, lo: Duration, hi: Duration) -> Duration {
        // A command faster than `lo` (an approval on SQLite) still gets a point.
        let hi = hi.max(lo + Duration::from_millis(1));
        let span = u64::try_from((hi - lo).as_micros().max(1)).unwrap_or(u64::MAX);
        lo + Duration::from_micros(self.next() % span)
    }
}

/// Runs the command to the end, killing it with SIGKILL at a random point `kills` times
/// first (a kill that comes after the command ended does not count). Returns the kills.
fn with_kills(
    mut make: impl FnMut() -> Command,
    kills: usize,
    lasts: Duration,
    points: &mut Points,
) -> usize {
    let mut done = 0;
    while done < kills {
        let mut child = make().spawn().unwrap();
        // Resumed runs have less left to do: the points lie in the first half of a whole run.
        std::thread::sleep(points.between(Duration::from_millis(10), lasts / 2));
        if child.try_wait().unwrap().is_some() {
            // It finished before the kill: the work is done; nothing left to interrupt.
            let out = child.wait_with_output().unwrap();
            if !out.status.success() {
                assert!(refused(&out).contains("已审批"), "{out:?}");
            }
            return done;
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if status.success() {
            // It ended between the check and the signal: done, and not a kill.
            return done;
        }
        done += 1;
    }
    // The last kill may have landed after the work was committed (an approval is one
    // transaction): then the month is already approved, which is the refusal to expect.
    let out = finish(make());
    if !out.status.success() {
        assert!(refused(&out).contains("已审批"), "{out:?}");
    }
    done
}

fn crash_test(reference: &TestDb, crashed: &TestDb, rt: &tokio::runtime::Runtime) {
    let households = 1500;
    let token_r = rt.block_on(district(reference, households));
    let token_c = rt.block_on(district(crashed, households));
    let seed = 0x5eed_2013_u64 ^ u64::from(std::process::id());
    println!("{:?}: kill points from seed {seed:#x}", crashed.backend());
    let mut points = Points(seed | 1);
    let mut kills = 0;
    // Month after month until at least 20 kills have landed (and March, with its arrears,
    // is done): how many land depends on the machine's load.
    for month in [
        "2013-01", "2013-02", "2013-03", "2013-04", "2013-05", "2013-06",
    ] {
        if kills >= 20 && month > "2013-03" {
            break;
        }
        if month == "2013-03" {
            rt.block_on(raise_standard(reference));
            rt.block_on(raise_standard(crashed));
        }
        let run = ["payroll", "run", "--month", month];
        let approve = ["payroll", "approve", "--month", month, "--as", "fuhe"];
        let t = Instant::now();
        ok(&finish(minzheng(&reference.url, &run, None)));
        let lasts = t.elapsed();
        let t = Instant::now();
        ok(&finish(minzheng(&reference.url, &approve, Some(&token_r))));
        let approve_lasts = t.elapsed();
        kills += with_kills(
            || minzheng(&crashed.url, &run, None),
            11,
            lasts,
            &mut points,
        );
        kills += with_kills(
            || minzheng(&crashed.url, &approve, Some(&token_c)),
            3,
            approve_lasts,
            &mut points,
        );
        // Not a second payment: the month is paid and stays paid.
        refused(&finish(minzheng(&crashed.url, &run, None)));
    }
    println!("{:?}: {kills} kills", crashed.backend());
    assert!(kills >= 20, "only {kills} kills landed while a command ran");
    let want = ledger(reference, rt);
    let got = ledger(crashed, rt);
    assert!(
        want.iter().any(|e| e.contains(" arrears ")),
        "March pays February's arrears"
    );
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    let chain = rt
        .block_on(crashed.service.verify_audit(&Actor::system(), &mut |_| {}))
        .unwrap();
    assert!(
        matches!(chain, store::ChainCheck::Intact { .. }),
        "{chain:?}"
    );
}

#[test]
fn a_run_killed_at_random_points_ends_with_the_ledger_of_an_uninterrupted_run_on_sqlite() {
    let rt = rt();
    let reference = rt.block_on(testkit::sqlite());
    let crashed = rt.block_on(testkit::sqlite());
    crash_test(&reference, &crashed, &rt);
    rt.block_on(reference.cleanup());
    rt.block_on(crashed.cleanup());
}

#[test]
fn a_run_killed_at_random_points_ends_with_the_ledger_of_an_uninterrupted_run_on_postgres() {
    let Some(url) = testkit::postgres_url() else {
        println!("MINZHENG_TEST_PG is not set: the PostgreSQL fault test is skipped");
        return;
    };
    let rt = rt();
    let reference = rt.block_on(testkit::postgres(&url));
    let crashed = rt.block_on(testkit::postgres(&url));
    crash_test(&reference, &crashed, &rt);
    rt.block_on(reference.cleanup());
    rt.block_on(crashed.cleanup());
}

#[test]
fn export_writes_the_bank_file_of_an_approved_run_and_a_second_needs_a_reason() {
    let rt = rt();
    let db = rt.block_on(testkit::sqlite());
    let token = rt.block_on(district(&db, 40));
    let url = db.url.clone();
    rt.block_on(async {
        let s = &db.service;
        let system = Actor::system();
        let audit = s.audit(&system, "settings.set", "payroll.debtor", "", "");
        db.store()
            .set_setting(
                service::bank::SETTING_DEBTOR,
                r#"{"holder":"某区民政局","bank":"中国农业银行","account":"11223344556677","kind":"book"}"#,
                &audit,
            )
            .await
            .unwrap();
        let jiuzhu = Actor::user(&db.store().user_by_username("jiuzhu").await.unwrap(), "t");
        for (i, c) in db
            .store()
            .payroll_cases("dibao", 0, 100_000)
            .await
            .unwrap()
            .iter()
            .enumerate()
        {
            let payload = format!("62284800{i:010}");
            let digit = domain::bank::luhn_check_digit(&payload).unwrap();
            let input = service::bank::PayeeInput {
                holder: "户主".into(),
                bank_name: "中国农业银行".into(),
                account_number: format!("{payload}{digit}"),
                ..Default::default()
            };
            s.set_payee(&jiuzhu, c.file.case.id, &input).await.unwrap();
        }
    });
    let stdout = ok(&finish(minzheng(
        &url,
        &["payroll", "run", "--month", "2013-01", "--program", "dibao"],
        None,
    )));
    let run = stdout.split('\t').next().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("bank.csv");
    let out_file = out_path.to_str().unwrap();
    let export = ["payroll", "export", &run, "--out", out_file, "--as", "fuhe"];
    let out = refused(&finish(minzheng(&url, &export, Some(&token))));
    assert!(out.contains("尚未审批,不能生成代发文件"), "{out}");
    ok(&finish(minzheng(
        &url,
        &["payroll", "approve", "--month", "2013-01", "--as", "fuhe"],
        Some(&token),
    )));
    let stdout = ok(&finish(minzheng(&url, &export, Some(&token))));
    let bytes = std::fs::read(&out_path).unwrap();
    assert!(stdout.contains(&domain::sha256_hex(&bytes)), "{stdout}");
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad && text.contains("户主"), "{text}");
    let out = refused(&finish(minzheng(&url, &export, Some(&token))));
    assert!(out.contains("再次生成须填写原因"), "{out}");
    let mut again = export.to_vec();
    again.extend(["--reason", "银行要求重新生成", "--format", "pain001"]);
    let stdout = ok(&finish(minzheng(&url, &again, Some(&token))));
    assert!(stdout.contains(".xml"), "{stdout}");

    // The bank's result file: every payment made, the run is reconciled.
    let mut returns = String::from("流水号,金额(分),状态\n");
    for p in rt
        .block_on(db.store().run_payments(run.parse().unwrap()))
        .unwrap()
    {
        if p.payee.is_some() && p.amount_fen > 0 {
            returns.push_str(&format!(
                "R{run}H{},{},成功\n",
                p.household_id, p.amount_fen
            ));
        }
    }
    let returns_path = dir.path().join("returns.csv");
    std::fs::write(&returns_path, returns).unwrap();
    let import = [
        "payroll",
        "import-returns",
        &run,
        "--file",
        returns_path.to_str().unwrap(),
        "--as",
        "fuhe",
    ];
    let stdout = ok(&finish(minzheng(&url, &import, Some(&token))));
    assert!(stdout.contains("失败 / failed 0 笔"), "{stdout}");
    assert!(stdout.contains("已补发 / re-issued 0 笔"), "{stdout}");
    // `show` prints the same reconciliation, every payment paid.
    let shown = ok(&finish(minzheng(&url, &["payroll", "show", &run], None)));
    let paid = returns_lines(&returns_path);
    assert!(
        shown.contains(&format!("已到账 / paid {paid} 笔"))
            && shown.contains("未回盘 / outstanding 0 笔"),
        "{shown}"
    );
    let state = rt
        .block_on(db.store().payroll_run(run.parse().unwrap()))
        .unwrap()
        .state;
    assert_eq!(state, "reconciled");
    rt.block_on(db.cleanup());
}

/// The data rows of a result file.
fn returns_lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count() - 1
}
