//! The `minzheng` binary as an operator uses it: each test runs the built program in a
//! temporary folder of its own (current directory and `--data-dir` inside it), reads what it
//! prints and its exit status, and looks into the database it wrote through `store`.
//! Every wait is bounded, so a hang fails the test instead of blocking the run.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test binary: a panic is a failed test with a line number; a skipped PostgreSQL test says so in the test output"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use store::{Store, TableSummary};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Long enough for a debug build hashing the demo accounts' passwords; short enough that a
/// hang fails in minutes.
const TIMEOUT: Duration = Duration::from_secs(120);

/// What a finished run printed, and how it ended.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn assert_ok(&self) -> &Self {
        assert!(self.status.success(), "failed: {self:#?}");
        self
    }

    /// A refusal: exit status 1 with a one-line reason first. Returns the stderr lines.
    #[track_caller]
    fn assert_refused(&self) -> Vec<String> {
        assert_eq!(self.status.code(), Some(1), "{self:#?}");
        let lines: Vec<String> = self.stderr.lines().map(str::to_owned).collect();
        assert!(
            !lines.is_empty() && !lines[0].trim().is_empty(),
            "{self:#?}"
        );
        lines
    }
}

/// A temporary working folder for one test; the program's data folder is `data/` inside.
struct Sandbox {
    dir: tempfile::TempDir,
    lang: &'static str,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            lang: "zh_CN.UTF-8",
        }
    }

    fn english() -> Self {
        Self {
            lang: "en_US.UTF-8",
            ..Self::new()
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The database the program uses when not told otherwise.
    fn db_url(&self) -> String {
        format!("sqlite://{}", self.path("data/minzheng.sqlite3").display())
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The program with a clean environment: nothing of the developer's own configuration
    /// leaks in, and the language is the sandbox's.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_minzheng"));
        command
            .current_dir(self.dir.path())
            .arg("--data-dir")
            .arg(self.path("data"))
            .args(args)
            .env("LANG", self.lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        for var in [
            "MINZHENG_CONFIG",
            "MINZHENG_DATABASE_URL",
            "MINZHENG_DATA_DIR",
            "MINZHENG_LOG",
            "MINZHENG_LISTEN",
        ] {
            command.env_remove(var);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        run(self.command(args), stdin)
    }

    /// Imports the demo district's divisions through the program; returns their number.
    fn import_demo(&self) -> usize {
        let file = self.write("demo.csv", testkit::demo::divisions_csv());
        self.run(&["divisions", "import", file.to_str().unwrap()])
            .assert_ok();
        demo_total()
    }
}

/// Runs a command to the end with `stdin` piped in, killing it if it outlives [`TIMEOUT`].
fn run(mut command: Command, stdin: &str) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    let output = match finished.recv_timeout(TIMEOUT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            signal(pid, "-KILL");
            panic!("{command:?} did not finish within {TIMEOUT:?}");
        }
    };
    Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Sends a signal by process id (the tests have no libc binding).
fn signal(pid: u32, which: &str) {
    let _ = Command::new("kill")
        .args([which, &pid.to_string()])
        .status();
}

fn demo_total() -> usize {
    testkit::demo::divisions_csv().lines().count() - 1
}

/// Runs one async store call to the end on a runtime of its own.
fn block_on<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

fn division_total(url: &str) -> i64 {
    block_on(async {
        let store = Store::connect(url).await.unwrap();
        let n = store.division_total().await.unwrap();
        store.close().await;
        n
    })
}

fn division_name(url: &str, code: &str) -> String {
    block_on(async {
        let store = Store::connect(url).await.unwrap();
        let d = store.division(&code.parse().unwrap()).await.unwrap();
        store.close().await;
        d.name
    })
}

fn summaries(url: &str) -> Vec<TableSummary> {
    block_on(async {
        let store = Store::connect(url).await.unwrap();
        let s = store.table_summaries().await.unwrap();
        store.close().await;
        s
    })
}

// ---------------------------------------------------------------------------------------
// Configuration and usage
// ---------------------------------------------------------------------------------------

#[test]
fn the_default_configuration_is_valid_toml() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["config", "default"]);
    run.assert_ok();
    let table: toml::Table = toml::from_str(&run.stdout).unwrap();
    for key in ["data_dir", "database_url", "listen", "log"] {
        assert!(table.contains_key(key), "no {key} in {table:?}");
    }
}

#[test]
fn a_config_file_in_the_working_folder_is_read_and_flags_win_over_it() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "minzheng.toml",
        "database_url = \"sqlite://from-file.sqlite3\"\n",
    );
    sandbox.run(&["migrate"]).assert_ok();
    assert!(sandbox.path("from-file.sqlite3").exists());

    let flag = format!("sqlite://{}", sandbox.path("from-flag.sqlite3").display());
    sandbox
        .run(&["--database-url", &flag, "migrate"])
        .assert_ok();
    assert!(sandbox.path("from-flag.sqlite3").exists());

    // A misspelt key is an error, not a silently ignored setting.
    sandbox.write("minzheng.toml", "databse_url = \"x\"\n");
    let lines = sandbox.run(&["migrate"]).assert_refused();
    assert!(lines[0].contains("minzheng.toml"), "{lines:?}");
}

#[test]
fn help_speaks_chinese_and_english() {
    let run = Sandbox::new().run(&["--help"]);
    run.assert_ok();
    for words in [
        "民政综合业务系统",
        "administration system",
        "行政区划",
        "divisions",
    ] {
        assert!(
            run.stdout.contains(words),
            "{words} missing: {}",
            run.stdout
        );
    }
}

#[test]
fn bad_usage_exits_with_2() {
    let run = Sandbox::new().run(&["no-such-command"]);
    assert_eq!(run.status.code(), Some(2), "{run:#?}");
}

#[test]
fn migrate_prepares_a_fresh_sqlite_database() {
    let sandbox = Sandbox::new();
    // A folder that does not exist yet: the program creates it.
    let url = format!(
        "sqlite://{}",
        sandbox.path("new/folder/db.sqlite3").display()
    );
    let first = sandbox.run(&["--database-url", &url, "migrate"]);
    assert!(
        first.assert_ok().stdout.contains("up to date"),
        "{first:#?}"
    );
    assert_eq!(division_total(&url), 0);
    // Again: nothing to do, same answer.
    sandbox
        .run(&["--database-url", &url, "migrate"])
        .assert_ok();
}

// ---------------------------------------------------------------------------------------
// Division import
// ---------------------------------------------------------------------------------------

#[test]
fn importing_divisions_reports_what_was_created_and_updated() {
    let sandbox = Sandbox::new();
    let n = demo_total();
    let file = sandbox.write("demo.csv", testkit::demo::divisions_csv());
    let path = file.to_str().unwrap();
    let first = sandbox.run(&["divisions", "import", path]);
    assert!(
        first
            .assert_ok()
            .stdout
            .contains(&format!("已导入 {n} 行:新增 {n},更新 0")),
        "{first:#?}"
    );
    let second = sandbox.run(&["divisions", "import", path]);
    assert!(
        second
            .assert_ok()
            .stdout
            .contains(&format!("新增 0,更新 {n}")),
        "{second:#?}"
    );
    assert_eq!(division_total(&sandbox.db_url()), n as i64);
}

#[test]
fn a_bad_file_is_refused_row_by_row_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let n = sandbox.import_demo();
    let file = sandbox.write(
        "bad.csv",
        "code,name,area\n\
         990101000000,改名区,urban\n\
         99010100100,少一位社区,urban\n\
         990101001001,和平社区,urban\n\
         990101001001,和平社区,urban\n",
    );
    let lines = sandbox
        .run(&["divisions", "import", file.to_str().unwrap()])
        .assert_refused();
    assert_eq!(lines[0], "提交的内容有误,未做任何修改", "{lines:?}");
    assert!(lines[1].contains("第 3 行,区划代码:"), "{lines:?}");
    assert!(lines[1].contains("位数不对"), "{lines:?}");
    assert!(
        lines[2].contains("第 5 行,区划代码:区划代码重复"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 3, "{lines:?}");
    // The valid rename on row 2 was not applied either.
    assert_eq!(division_total(&sandbox.db_url()), n as i64);
    assert_eq!(division_name(&sandbox.db_url(), "990101000000"), "示范区");
}

#[test]
fn a_division_without_its_parent_is_refused() {
    let sandbox = Sandbox::new();
    let n = sandbox.import_demo();
    // Street 007 exists neither in the file nor in the database.
    let file = sandbox.write(
        "orphan.csv",
        "code,name\n990101001009,新社区\n990101007001,孤儿社区\n",
    );
    let lines = sandbox
        .run(&["divisions", "import", file.to_str().unwrap()])
        .assert_refused();
    assert!(
        lines[1].contains("第 3 行,区划代码:上级区划不存在"),
        "{lines:?}"
    );
    assert!(lines[1].contains("990101007000"), "{lines:?}");
    assert_eq!(division_total(&sandbox.db_url()), n as i64);
}

#[test]
fn refusals_are_in_english_under_an_english_locale() {
    let sandbox = Sandbox::english();
    let file = sandbox.write("bad.csv", "code,name\n99010100100,x\n");
    let mut command = sandbox.command(&["divisions", "import", file.to_str().unwrap()]);
    // An empty LC_ALL counts as unset (POSIX), so LANG decides.
    command.env("LC_ALL", "");
    let lines = run(command, "").assert_refused();
    assert_eq!(lines[0], "The input has errors; nothing was changed");
    assert!(lines[1].starts_with("  Row 2, Division code:"), "{lines:?}");
}

#[test]
fn a_gbk_file_from_excel_imports() {
    let sandbox = Sandbox::new();
    // Excel on Chinese Windows saves CSV in GBK, with Chinese headers.
    let text =
        testkit::demo::divisions_csv().replacen("code,name,area", "区划代码,名称,城乡类型", 1);
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy && std::str::from_utf8(&gbk).is_err(), "really GBK");
    let file = sandbox.write("gbk.csv", &gbk);
    sandbox
        .run(&["divisions", "import", file.to_str().unwrap()])
        .assert_ok();
    assert_eq!(division_total(&sandbox.db_url()), demo_total() as i64);
    assert_eq!(division_name(&sandbox.db_url(), "990101001000"), "东城街道");
}

#[test]
fn a_missing_file_is_a_one_line_error() {
    let sandbox = Sandbox::new();
    let lines = sandbox
        .run(&["divisions", "import", "no-such.csv"])
        .assert_refused();
    assert!(lines[0].contains("no-such.csv"), "{lines:?}");
}

#[test]
fn a_newly_published_holiday_year_imports_and_a_wrong_one_is_explained() {
    let sandbox = Sandbox::new();
    let good = sandbox.write(
        "2027.csv",
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n",
    );
    let run = sandbox.run(&[
        "calendar",
        "import",
        "--year",
        "2027",
        good.to_str().unwrap(),
    ]);
    assert!(
        run.assert_ok().stdout.contains("2027 年已导入 2 个"),
        "{run:#?}"
    );

    let bad = sandbox.write("bad.csv", "date,kind,name\n2027-01-01,vacation,元旦\n");
    let lines = sandbox
        .run(&[
            "calendar",
            "import",
            "--year",
            "2027",
            bad.to_str().unwrap(),
        ])
        .assert_refused();
    assert_eq!(lines[0], "提交的内容有误,未做任何修改");
    assert!(
        lines[1].contains("文件:类型应为 holiday(放假)或 workday(调休上班)"),
        "{lines:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------

fn add_user(sandbox: &Sandbox, username: &str, role: &str, jurisdiction: &str, pw: &str) -> Run {
    sandbox.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            username,
            "--name",
            "王科员",
            "--role",
            role,
            "--jurisdiction",
            jurisdiction,
            "--password-stdin",
        ],
        &format!("{pw}\n"),
    )
}

#[test]
fn an_account_is_created_with_a_password_from_stdin() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    let run = add_user(
        &sandbox,
        "wang",
        "assistance_staff",
        "990101000000",
        "correct horse 1",
    );
    assert!(
        run.assert_ok().stdout.contains("已创建账号 wang"),
        "{run:#?}"
    );
    let user = block_on(async {
        let store = Store::connect(&sandbox.db_url()).await.unwrap();
        store.user_by_username("wang").await.unwrap()
    });
    assert_eq!(user.role, "assistance_staff");
    assert!(user.must_change_password);
    // The password is stored hashed, and the hash is of the line without its newline.
    assert!(service::users::verify_password(
        "correct horse 1",
        &user.password_hash
    ));

    let again = add_user(
        &sandbox,
        "wang",
        "assistance_staff",
        "990101000000",
        "correct horse 1",
    );
    let lines = again.assert_refused();
    assert_eq!(lines[0], "用户名“wang”已被使用");
}

#[test]
fn an_account_with_a_short_password_or_wrong_jurisdiction_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    let short = add_user(
        &sandbox,
        "liming",
        "assistance_staff",
        "990101000000",
        "short",
    );
    let lines = short.assert_refused();
    assert_eq!(lines[0], "提交的内容有误,未做任何修改");
    assert_eq!(lines[1].trim(), "密码:密码至少 10 个字符");

    // A community worker's jurisdiction is a community, not the whole district.
    let level = add_user(
        &sandbox,
        "liming",
        "community_worker",
        "990101000000",
        "long enough 1",
    );
    let lines = level.assert_refused();
    assert!(
        lines[1].contains("管辖范围:角色与管辖区划层级不符"),
        "{lines:?}"
    );

    let malformed = add_user(
        &sandbox,
        "liming",
        "community_worker",
        "99010100100",
        "long enough 1",
    );
    let lines = malformed.assert_refused();
    assert!(lines[1].contains("管辖范围:区划代码位数不对"), "{lines:?}");

    let role = add_user(&sandbox, "liming", "boss", "990101001001", "long enough 1");
    let lines = role.assert_refused();
    assert!(lines[1].contains("角色:角色“boss”不存在"), "{lines:?}");

    let users = block_on(async {
        let store = Store::connect(&sandbox.db_url()).await.unwrap();
        store.users().await.unwrap()
    });
    assert!(users.is_empty(), "{users:?}");
}

// ---------------------------------------------------------------------------------------
// Backup and copy
// ---------------------------------------------------------------------------------------

#[test]
fn a_backup_holds_the_same_data_and_never_overwrites() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    add_user(
        &sandbox,
        "wang",
        "assistance_staff",
        "990101000000",
        "correct horse 1",
    )
    .assert_ok();
    let dest = sandbox.path("backup.sqlite3");
    let dest_text = dest.to_str().unwrap();
    sandbox.run(&["backup", dest_text]).assert_ok();
    let original = summaries(&sandbox.db_url());
    let backup_url = format!("sqlite://{dest_text}");
    assert_eq!(summaries(&backup_url), original);
    // Not a backup of an empty database: the divisions and the account are in it.
    let rows = |table: &str| original.iter().find(|s| s.table == table).unwrap().rows;
    assert_eq!((rows("divisions"), rows("users")), (demo_total() as u64, 1));

    let lines = sandbox.run(&["backup", dest_text]).assert_refused();
    assert!(lines[0].contains("already exists"), "{lines:?}");
    assert_eq!(summaries(&backup_url), original);
}

/// A PostgreSQL database of its own, dropped again when the test ends, pass or fail.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin: &str, label: &str) -> Self {
        let name = format!("mz_cli_{label}_{}", std::process::id());
        block_on(async {
            let store = Store::connect(admin).await.unwrap();
            store.drop_database(&name).await.unwrap();
            store.create_database(&name).await.unwrap();
            store.close().await;
        });
        Self {
            url: testkit::with_database(admin, &name),
            admin: admin.to_owned(),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        block_on(async {
            if let Ok(store) = Store::connect(&self.admin).await {
                let _ = store.drop_database(&self.name).await;
                store.close().await;
            }
        });
    }
}

#[test]
fn copy_to_postgres_and_back_loses_nothing() {
    let Some(admin) = testkit::postgres_url() else {
        println!("skipped: MINZHENG_TEST_PG is not set");
        return;
    };
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    add_user(
        &sandbox,
        "wang",
        "assistance_staff",
        "990101000000",
        "correct horse 1",
    )
    .assert_ok();
    let pg = PgDatabase::create(&admin, "copy");
    let source = sandbox.db_url();
    let copied = sandbox.run(&["copy", "--from", &source, "--to", &pg.url]);
    assert!(
        copied.assert_ok().stdout.contains("已复制并校验"),
        "{copied:#?}"
    );

    let back = format!("sqlite://{}", sandbox.path("round-trip.sqlite3").display());
    sandbox
        .run(&["copy", "--from", &pg.url, "--to", &back])
        .assert_ok();
    assert_eq!(summaries(&back), summaries(&source));

    // A second copy into the now filled server database is refused and changes nothing.
    let before = summaries(&pg.url);
    let lines = sandbox
        .run(&["copy", "--from", &source, "--to", &pg.url])
        .assert_refused();
    assert!(lines[0].contains("not empty"), "{lines:?}");
    assert_eq!(summaries(&pg.url), before);
}

#[test]
fn copy_into_a_database_with_data_is_refused_and_leaves_it_alone() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    // The target has a district of its own (and the seeded calendar).
    let target = format!("sqlite://{}", sandbox.path("target.sqlite3").display());
    let file = sandbox.write("one.csv", "code,name\n990102000000,别的区\n");
    sandbox
        .run(&[
            "--database-url",
            &target,
            "divisions",
            "import",
            file.to_str().unwrap(),
        ])
        .assert_ok();
    let before = summaries(&target);
    let lines = sandbox
        .run(&["copy", "--from", &sandbox.db_url(), "--to", &target])
        .assert_refused();
    assert!(lines[0].contains("not empty"), "{lines:?}");
    assert_eq!(summaries(&target), before);
}

// ---------------------------------------------------------------------------------------
// The demo server
// ---------------------------------------------------------------------------------------

/// A running `minzheng demo`, killed if the test ends without stopping it.
struct Server {
    child: Child,
    stderr: PathBuf,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(sandbox: &Sandbox) -> Self {
        let mut child = sandbox
            .command(&["demo", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Kept in a file, to show in the failure message if the server never comes up.
            .stderr(std::fs::File::create(sandbox.path("demo.stderr")).unwrap())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stderr: sandbox.path("demo.stderr"),
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a printed line containing `text` and returns it.
    fn wait_for_line(&mut self, text: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no line with {text:?} ({e}); printed: {:#?}\nstderr: {}",
                    self.seen,
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                ),
            }
        }
    }

    /// The address from "listening on http://ADDR/".
    fn address(&mut self) -> String {
        let line = self.wait_for_line("listening on http://");
        let url = &line[line.find("http://").unwrap() + "http://".len()..];
        url.trim_end_matches('/').to_owned()
    }

    /// Waits for the process to end by itself.
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 request on its own connection; returns the status line and the body.
fn http_get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn the_demo_serves_pages_and_stops_gracefully_on_sigterm() {
    let sandbox = Sandbox::new();
    let mut server = Server::start(&sandbox);
    let address = server.address();
    assert!(
        server.seen.iter().any(|l| l.contains("demo-admin-2013")),
        "the demo accounts are printed: {:#?}",
        server.seen
    );

    let (status, body) = http_get(&address, "/healthz");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains(r#""status":"ok""#), "{body}");
    // Pages need a session: the home page sends a stranger to the sign-in form.
    let (status, _) = http_get(&address, "/");
    assert_eq!(status, "HTTP/1.1 303 See Other");
    let (status, body) = http_get(&address, "/login");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("民政综合业务系统"), "{body}");

    signal(server.child.id(), "-TERM");
    server.wait_for_line("已停止 / stopped");
    let status = server.wait();
    assert!(status.success(), "{status:?}");
    assert!(sandbox.path("data/demo.sqlite3").exists());
}

// ---------------------------------------------------------------------------------------
// The legacy roster import
// ---------------------------------------------------------------------------------------

#[test]
fn import_assistance_refuses_with_a_report_then_imports_and_is_idempotent() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    let id = |day: i64, seq: u16| {
        let birth =
            chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days(day);
        (
            domain::ResidentId::synthetic("990101", birth, seq)
                .unwrap()
                .as_str()
                .to_owned(),
            birth.to_string(),
        )
    };
    let (a, ab) = id(1, 1);
    let (b, bb) = id(2, 2);
    let households = sandbox.write(
        "h.csv",
        "household_id,community_code,program,area,enrolled_on,exited_on,income_fen\n\
         H1,990101001001,dibao,urban,2015-01-01,,10000\n\
         H2,990101001002,dibao,urban,2015-01-01,,oops\n",
    );
    let bad = sandbox.write(
        "p.csv",
        format!(
            "person_id,household_id,id_number,birth_date,sex,relation,disability_grade,severe_illness\n\
             P1,H1,{a},{ab},M,head,0,0\nP2,H2,{b},{bb},F,head,0,0\n"
        ),
    );
    let report = sandbox.path("errors.csv");
    let (h, p, r) = (
        households.to_str().unwrap(),
        bad.to_str().unwrap(),
        report.to_str().unwrap(),
    );
    let refused = sandbox.run(&[
        "import",
        "assistance",
        "--households",
        h,
        "--persons",
        p,
        "--report",
        r,
    ]);
    let lines = refused.assert_refused();
    assert!(lines[0].contains("1 处错误"), "{refused:#?}");
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(
        csv.contains("原因")
            && csv.contains("income_fen")
            && csv.contains("oops")
            && csv.contains("金额无效"),
        "{csv}"
    );
    let before = summaries(&sandbox.db_url());

    let valid = sandbox.run(&[
        "import",
        "assistance",
        "--households",
        h,
        "--persons",
        p,
        "--valid-only",
    ]);
    assert_eq!(valid.status.code(), Some(1), "{valid:#?}");
    assert!(valid.stdout.contains("已导入 1 户、1 人"), "{valid:#?}");
    assert_ne!(summaries(&sandbox.db_url()), before);
    let after = summaries(&sandbox.db_url());
    let again = sandbox.run(&[
        "import",
        "assistance",
        "--households",
        h,
        "--persons",
        p,
        "--valid-only",
    ]);
    assert!(again.stdout.contains("已导入 0 户"), "{again:#?}");
    assert_eq!(summaries(&sandbox.db_url()), after);
}

#[test]
fn check_assistance_runs_and_imports_a_death_file_once() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    let run = sandbox.run(&["check", "assistance"]);
    run.assert_ok();
    assert!(run.stdout.contains("新增待办 0 条"), "{run:#?}");
    let file = sandbox.write(
        "deaths.csv",
        "id_number,name,date_of_death,source\n11010519491231002X,张三,2013-06-30,市殡仪馆\n",
    );
    let args = ["check", "assistance", "--deaths", file.to_str().unwrap()];
    let first = sandbox.run(&args);
    first.assert_ok();
    assert!(first.stdout.contains("新导入 1"), "{first:#?}");
    assert!(first.stdout.contains("比对完成"), "{first:#?}");
    let second = sandbox.run(&args);
    second.assert_ok();
    assert!(second.stdout.contains("新导入 0"), "{second:#?}");
    assert!(second.stdout.contains("nothing new"), "{second:#?}");
    let bad = sandbox.write(
        "bad.csv",
        "公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2099-01-01\n",
    );
    let lines = sandbox
        .run(&["check", "assistance", "--deaths", bad.to_str().unwrap()])
        .assert_refused();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("第 2 行") && l.contains("死亡日期")),
        "{lines:?}"
    );
}

#[test]
fn report_writes_each_format_and_refuses_bad_input_without_a_file() {
    let sandbox = Sandbox::new();
    sandbox.import_demo();
    let out = |name: &str| sandbox.path(name);
    let args = |from: &'static str, to: &'static str, format: &'static str, file: &PathBuf| {
        vec![
            "report".to_owned(),
            "--from".into(),
            from.into(),
            "--to".into(),
            to.into(),
            "--format".into(),
            format.into(),
            "--out".into(),
            file.to_str().unwrap().to_owned(),
        ]
    };
    let run = |a: Vec<String>| sandbox.run(&a.iter().map(String::as_str).collect::<Vec<_>>());

    let reversed = out("reversed.html");
    let lines = run(args("2013-06-30", "2013-01-01", "html", &reversed)).assert_refused();
    assert!(
        lines.iter().any(|l| l.contains("结束日期早于开始日期")),
        "{lines:?}"
    );
    assert!(!reversed.exists());
    let odd = out("odd.pdf");
    let lines = run(args("2013-01-01", "2013-06-30", "pdf", &odd)).assert_refused();
    assert!(lines.iter().any(|l| l.contains("pdf")), "{lines:?}");
    assert!(!odd.exists());
    let mut outside = args("2013-01-01", "2013-06-30", "json", &out("x.json"));
    outside.extend(["--division".to_owned(), "110101000000".to_owned()]);
    let lines = run(outside).assert_refused();
    assert!(
        lines.iter().any(|l| l.contains("没有区划 110101000000")),
        "{lines:?}"
    );
    assert!(!out("x.json").exists());

    for format in ["html", "xlsx", "json", "docx", "txt"] {
        let file = out(&format!("report.{format}"));
        run(args("2013-01-01", "2013-06-30", format, &file)).assert_ok();
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.len() > 100, "{format}");
        if format == "json" {
            let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(json["division"], "990101000000");
            assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
        }
        if format == "html" {
            let text = String::from_utf8(bytes).unwrap();
            assert!(
                text.contains("<svg") && text.contains("@page"),
                "printable, with charts"
            );
            assert!(text.contains("截止6月份,我区纳入低保救济的对象有0户0人"));
        }
    }
}
