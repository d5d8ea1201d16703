//! `minzheng audit verify` as an operator uses it: exit 0 with the chain's length on an
//! untouched database, exit 1 naming the first broken entry after an intruder edits a row
//! behind the append-only triggers; on SQLite and PostgreSQL alike.

#![allow(
    clippy::unwrap_used,
    reason = "a test binary: a panic is a failed test with a line number"
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Long enough for a debug build; short enough that a hang fails in minutes.
const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// The program in a folder of its own, with a clean environment.
fn command(dir: &tempfile::TempDir, lang: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_minzheng"));
    command
        .current_dir(dir.path())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(args)
        .env("LANG", lang)
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
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{command:?} did not finish within {TIMEOUT:?}");
        }
    };
    Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn intact_entries(run: &Run) -> i64 {
    assert!(run.status.success(), "{run:#?}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("audit chain intact"))
        .unwrap();
    assert!(
        line.starts_with("审计链完整 / audit chain intact: "),
        "{line}"
    );
    line.split(": ")
        .nth(1)
        .unwrap()
        .trim_end_matches(" entries")
        .parse()
        .unwrap()
}

#[test]
fn a_fresh_database_built_by_the_program_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let csv: PathBuf = dir.path().join("demo.csv");
    std::fs::write(&csv, testkit::demo::divisions_csv()).unwrap();
    let ok = |args: &[&str], stdin: &str| {
        let r = run(command(&dir, "zh_CN.UTF-8", args), stdin);
        assert!(r.status.success(), "{args:?}: {r:#?}");
    };
    ok(&["divisions", "import", csv.to_str().unwrap()], "");
    ok(
        &[
            "user",
            "add",
            "--username",
            "shenji",
            "--name",
            "审计 刘审计",
            "--role",
            "auditor",
            "--jurisdiction",
            "990101000000",
            "--password-stdin",
        ],
        "a-long-enough-password\n",
    );
    let verified = run(command(&dir, "zh_CN.UTF-8", &["audit", "verify"]), "");
    // The calendar seed, the veterans' category, category-exclusion and petition risk-level
    // seeds, the division import and the new account.
    assert_eq!(intact_entries(&verified), 6, "{verified:#?}");
    // Verifying reads; it adds nothing, so a second run counts the same.
    let again = run(command(&dir, "en_US.UTF-8", &["audit", "verify"]), "");
    assert_eq!(intact_entries(&again), 6);
    let help = run(command(&dir, "zh_CN.UTF-8", &["audit", "--help"]), "");
    assert!(help.stdout.contains("verify"), "{help:#?}");
    assert!(help.stdout.contains("校验"), "{help:#?}");
}

#[tokio::test]
async fn a_row_edited_behind_the_triggers_fails_verification_with_its_number() {
    testkit::for_each_engine(async |db| {
        testkit::demo::build(&db.service).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let verify = || {
            run(
                command(
                    &dir,
                    "zh_CN.UTF-8",
                    &["--database-url", &db.url, "audit", "verify"],
                ),
                "",
            )
        };
        let before = verify();
        let (_, total) = db
            .store()
            .audit_entries(&store::AuditFilter::default(), 0, 1)
            .await
            .unwrap();
        assert_eq!(intact_entries(&before), total, "{:?}", db.backend());

        let drop_trigger = match db.backend() {
            store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            store::Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        db.store().execute_as_intruder(drop_trigger).await.unwrap();
        db.store()
            .execute_as_intruder("UPDATE audit_log SET actor = 'nobody' WHERE seq = 4")
            .await
            .unwrap();
        let after = verify();
        assert_eq!(after.status.code(), Some(1), "{after:#?}");
        let first = after.stderr.lines().next().unwrap();
        assert!(
            first.contains("第 4 条") && first.contains("entry 4"),
            "{first}"
        );
        assert!(first.contains("(hash)"), "{first}");
        assert!(!after.stdout.contains("intact"), "{after:#?}");
    })
    .await;
}
