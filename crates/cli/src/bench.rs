//! `minzheng bench import-assistance --households N`: a deterministic synthetic roster of
//! the demo district (about 2.7 persons per household, valid synthetic ID numbers), written
//! to CSV files, then imported into a fresh SQLite database (and a fresh PostgreSQL
//! database when `--postgres URL` names a server), timed. Figures go to docs/benchmarks.md.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use domain::ResidentId;
use service::assistance::import::{ImportMode, RosterFile, RosterFiles};
use service::{Actor, Service, SystemClock};
use store::Store;

/// Household sizes, cycled: 27 persons per 10 households.
const SIZES: [usize; 10] = [3, 2, 4, 1, 3, 3, 2, 4, 3, 2];
const RELATIONS: [&str; 4] = ["spouse", "child", "parent", "grandchild"];

/// The synthetic roster: households, persons and standards as CSV text.
pub fn roster(households: usize) -> anyhow::Result<(String, String, String)> {
    let communities: Vec<(String, String)> = testkit::demo::divisions_csv()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            let code = f.next()?.to_owned();
            let area = f.nth(1)?.to_owned();
            (!code.ends_with("000")).then_some((code, area))
        })
        .collect();
    let base = NaiveDate::from_ymd_opt(1930, 1, 1).context("date")?;
    let enrol_base = NaiveDate::from_ymd_opt(2015, 1, 1).context("date")?;
    let mut h = String::with_capacity(households * 70);
    let mut p = String::with_capacity(households * 3 * 75);
    h.push_str("household_id,community_code,program,area,enrolled_on,exited_on,income_fen\n");
    p.push_str(
        "person_id,household_id,id_number,birth_date,sex,relation,disability_grade,severe_illness\n",
    );
    let mut k: u64 = 0;
    for i in 0..households {
        let (code, area) = &communities[i % communities.len()];
        let program = match i % 10 {
            8 => "tekun_dispersed",
            9 => "tekun_centralized",
            _ => "dibao",
        };
        let enrolled = enrol_base + chrono::Duration::days((i % 3000) as i64);
        let exited = if i % 10 == 3 {
            (enrolled + chrono::Duration::days(365)).to_string()
        } else {
            String::new()
        };
        let income = (i as u64 * 37) % 30_000;
        writeln!(
            h,
            "H{i:07},{code},{program},{area},{enrolled},{exited},{income}"
        )?;
        for m in 0..SIZES[i % SIZES.len()] {
            let day = i64::try_from(k % 30_000)?;
            let seq = u16::try_from(k / 30_000)?;
            let birth = base + chrono::Duration::days(day);
            let id = ResidentId::synthetic("990101", birth, seq)?;
            let sex = if seq % 2 == 1 { "M" } else { "F" };
            let relation = if m == 0 {
                "head"
            } else {
                RELATIONS[(m - 1) % RELATIONS.len()]
            };
            writeln!(
                p,
                "P{k:08},H{i:07},{},{birth},{sex},{relation},{},{}",
                id.as_str(),
                k % 5,
                u8::from(k.is_multiple_of(7))
            )?;
            k += 1;
        }
    }
    let mut s = String::from("program,area,effective_from,amount_fen\n");
    for (program, area, from, yuan) in testkit::demo::STANDARDS {
        writeln!(s, "{program},{area},{from},{}", yuan * 100)?;
    }
    Ok((h, p, s))
}

/// The synthetic roster's three texts as the upload the roster import takes.
fn roster_files(h: String, p: String, s: String) -> RosterFiles {
    RosterFiles {
        households: RosterFile {
            name: "households.csv".into(),
            bytes: h.into_bytes(),
        },
        persons: RosterFile {
            name: "persons.csv".into(),
            bytes: p.into_bytes(),
        },
        standards: Some(RosterFile {
            name: "standards.csv".into(),
            bytes: s.into_bytes(),
        }),
    }
}

async fn fresh(url: &str) -> anyhow::Result<Service> {
    let store = Store::connect(url).await?;
    let service = Service::new(store, Arc::new(SystemClock));
    service.prepare().await?;
    service
        .import_divisions(&Actor::system(), testkit::demo::divisions_csv().as_bytes())
        .await?;
    Ok(service)
}

pub async fn run(households: usize, dir: &Path, postgres: Option<&str>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let started = Instant::now();
    let (h, p, s) = roster(households)?;
    for (name, text) in [
        ("households.csv", &h),
        ("persons.csv", &p),
        ("standards.csv", &s),
    ] {
        std::fs::write(dir.join(name), text)?;
    }
    let persons = p.lines().count() - 1;
    println!(
        "生成 / generated {households} households, {persons} persons in {:.1} s → {}",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    let files = roster_files(h, p, s);
    let db = dir.join("bench.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut targets = vec![(
        "sqlite".to_owned(),
        format!("sqlite://{}", db.display()),
        None,
    )];
    if let Some(url) = postgres {
        let admin = Store::connect(url).await?;
        let name = "minzheng_bench_import";
        admin.drop_database(name).await?;
        admin.create_database(name).await?;
        targets.push((
            "postgres".to_owned(),
            testkit::with_database(url, name),
            Some((admin, name)),
        ));
    }
    for (engine, url, admin) in targets {
        let service = fresh(&url).await?;
        let bar = crate::import::progress_bar();
        let t = Instant::now();
        let report = service
            .import_roster_with_progress(
                &Actor::system(),
                &files,
                ImportMode::AllOrNothing,
                &mut |p| {
                    bar.set_length(p.rows_total);
                    bar.set_position(p.rows_done);
                    bar.set_message(p.table);
                },
            )
            .await?;
        let secs = t.elapsed().as_secs_f64();
        let t_ms = t.elapsed().as_millis();
        bar.finish_and_clear();
        anyhow::ensure!(
            report.errors.is_empty(),
            "the synthetic roster has errors: {:?}",
            &report.errors[..report.errors.len().min(5)]
        );
        let rows = report.households + report.persons;
        let per_second = u128::from(rows) * 1000 / t_ms.max(1);
        println!(
            "{engine}: imported {} households, {} persons, {} standards in {secs:.1} s = {per_second} rows/s (households + persons)",
            report.households, report.persons, report.standards,
        );
        // Re-import: idempotent, and how long the check alone takes.
        let t = Instant::now();
        let again = service
            .import_roster(&Actor::system(), &files, ImportMode::AllOrNothing)
            .await?;
        println!(
            "{engine}: re-import changed nothing ({} unchanged, written: {}) in {:.1} s",
            again.unchanged,
            again.written,
            t.elapsed().as_secs_f64()
        );
        service.store().close().await;
        if let Some((admin, name)) = admin {
            admin.drop_database(name).await?;
        }
    }
    Ok(())
}

/// The process's peak resident memory so far (VmHWM), in MiB.
fn peak_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Seconds with two decimals, from a duration, without float arithmetic.
fn secs(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    format!("{}.{:02}", ms / 1000, ms % 1000 / 10)
}

/// Resets the peak so each engine's figure is its own (Linux: "5" to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `minzheng bench payroll`: a synthetic roster of `households` (testkit::roster) imported
/// into a fresh database per engine by a child process (not timed, so that this process's
/// peak memory is the payroll's alone), then the payroll of January to June 2013 (every
/// programme prepared by the operator, approved by a second account: lines, ledger keys,
/// the difference from last month, audit) timed, then the bare set-based baseline: one
/// `INSERT … SELECT` per programme and month applying the same benefit rule (standard by
/// area, income, members, classified increments, care) into a scratch table, and the
/// floor: the same statements writing ledger rows once ([`store::Baseline`]). Each must
/// agree with the payroll, row for row in count and to the fen in sum, or the benchmark
/// fails. With `keep`, the databases are left for `minzheng bench report`.
pub async fn payroll(
    households: usize,
    dir: &Path,
    postgres: Option<&str>,
    keep: bool,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let db = dir.join("bench.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut targets = vec![(
        "sqlite".to_owned(),
        format!("sqlite://{}", db.display()),
        None,
    )];
    if let Some(url) = postgres {
        let admin = Store::connect(url).await?;
        admin.drop_database(PAYROLL_DB).await?;
        admin.create_database(PAYROLL_DB).await?;
        targets.push((
            "postgres".to_owned(),
            testkit::with_database(url, PAYROLL_DB),
            Some(admin),
        ));
    }
    let months: Vec<String> = (1..=6).map(|m| format!("2013-{m:02}")).collect();
    for (engine, url, admin) in targets {
        let t = Instant::now();
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(["bench", "payroll-roster", "--households"])
            .arg(households.to_string())
            .arg("--url")
            .arg(&url)
            .status()?;
        anyhow::ensure!(status.success(), "{engine}: the roster import failed");
        println!(
            "{engine}: roster imported by a child process in {} s (not timed below)",
            secs(t.elapsed())
        );
        let service = Service::new(Store::connect(&url).await?, Arc::new(SystemClock));
        service.prepare().await?;
        let checker = Actor::user(&service.store().user_by_username("checker").await?, "bench");
        reset_peak();
        let t = Instant::now();
        let mut entries = 0u64;
        for month in &months {
            let tm = Instant::now();
            service
                .prepare_payroll(&Actor::system(), month, None, &mut |_| {})
                .await?;
            let prepared = tm.elapsed();
            let ta = Instant::now();
            for (_, n) in service.approve_payroll_month(&checker, month).await? {
                entries += n;
            }
            println!(
                "{engine}: {month} prepared in {} s, approved in {} s",
                secs(prepared),
                secs(ta.elapsed())
            );
        }
        let payroll = t.elapsed();
        let peak = peak_mib().unwrap_or(0);
        let (count, sum) = {
            let (_, count, sum) = service
                .ledger(&checker, store::LedgerFilter::default(), 1, 0)
                .await?;
            (count, sum.as_fen())
        };
        println!(
            "{engine}: payroll 2013-01..06 of {households} households: {} s, \
             {entries} ledger entries ({count} stored, {} yuan), peak RSS {peak} MiB",
            secs(payroll),
            domain::Fen::from_fen(sum).yuan(),
        );
        for (baseline, name) in [
            (store::Baseline::Bare, "bare INSERT … SELECT"),
            (store::Baseline::Floor, "floor (ledger rows written once)"),
        ] {
            let t = Instant::now();
            let mut rows = 0u64;
            for month in &months {
                rows += service
                    .bench_baseline_payroll(&Actor::system(), baseline, month)
                    .await?;
            }
            let took = t.elapsed();
            let (base_count, base_sum) = service.store().bench_totals(baseline).await?;
            let ratio = payroll.as_millis() * 100 / took.as_millis().max(1);
            println!(
                "{engine}: {name}: {} s ({rows} rows, {} yuan); payroll ratio {}.{:02}",
                secs(took),
                domain::Fen::from_fen(base_sum).yuan(),
                ratio / 100,
                ratio % 100
            );
            anyhow::ensure!(
                base_count == count && base_sum == sum,
                "{engine}: the {name} statements and the payroll disagree: {base_count} rows, \
                 {base_sum} fen against {count} ledger entries, {sum} fen"
            );
        }
        service.store().close().await;
        if let (Some(admin), false) = (admin, keep) {
            admin.drop_database(PAYROLL_DB).await?;
        }
    }
    Ok(())
}

/// The PostgreSQL database of `minzheng bench payroll`, kept with `--keep` for the report bench.
pub const PAYROLL_DB: &str = "minzheng_bench_payroll";

/// The child process of `minzheng bench payroll`: a fresh database at `url` with the
/// demo district's divisions, the synthetic roster of `households` imported, and the
/// second account that approves.
pub async fn payroll_roster(households: usize, url: &str) -> anyhow::Result<()> {
    let t = Instant::now();
    let (h, p, s) = testkit::roster::synthetic(households);
    let persons = p.lines().count() - 1;
    println!(
        "生成 / generated {households} households, {persons} persons in {} s",
        secs(t.elapsed())
    );
    let files = roster_files(h, p, s);
    let service = fresh(url).await?;
    let t = Instant::now();
    let report = service
        .import_roster(&Actor::system(), &files, ImportMode::AllOrNothing)
        .await?;
    anyhow::ensure!(
        report.errors.is_empty(),
        "the synthetic roster has errors: {:?}",
        &report.errors[..report.errors.len().min(5)]
    );
    println!(
        "imported {} households in {} s",
        report.households,
        secs(t.elapsed())
    );
    service
        .add_account(
            &Actor::system(),
            service::users::AccountInput {
                username: "checker".into(),
                display_name: "复核人".into(),
                role: "assistance_staff".into(),
                jurisdiction: testkit::demo::COUNTY.into(),
                password: "bench-checker-2013".into(),
                phone: None,
                must_change_password: false,
            },
        )
        .await?;
    service.store().close().await;
    Ok(())
}

/// `minzheng bench report`: over the database `minzheng bench payroll --keep` left at
/// `url`, the half-year report of January–June 2013 for the whole district generated
/// `rounds` times (each stored, as the page does), then every indicator's drill-down: the
/// first page ([`web::reports::PAGE_ROWS`] records), every record enumerated in export-size
/// pages and checked against the figure, and a page deep in the list (the one after the
/// last export-size page's start) timed on its own.
pub async fn report(url: &str, rounds: usize) -> anyhow::Result<()> {
    let service = Service::new(Store::connect(url).await?, Arc::new(SystemClock));
    service.prepare().await?;
    let actor = Actor::system();
    let (_, entries, _) = service
        .ledger(&actor, store::LedgerFilter::default(), 1, 0)
        .await?;
    println!("ledger entries: {entries}");
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let report = service
            .generate_report(&actor, "2013-01-01", "2013-06-30", None)
            .await?;
        times.push(t.elapsed());
        last = Some(report);
    }
    let report = last.context("no report")?;
    times.sort();
    println!(
        "half-year report 2013-01-01..2013-06-30, whole district, {} rounds: min {} s, median {} s, max {} s",
        times.len(),
        secs(times[0]),
        secs(times[times.len() / 2]),
        secs(times[times.len() - 1])
    );
    for f in &report.figures {
        println!("  {} {} = {}", f.indicator.code, f.indicator.zh, f.value);
    }
    let page = web::reports::PAGE_ROWS;
    let mut slowest = std::time::Duration::ZERO;
    for f in &report.figures {
        let code = f.indicator.code;
        let t = Instant::now();
        service
            .report_records(&actor, report.id, code, page, "")
            .await?;
        let first = t.elapsed();
        // Every record, a page after the other, counted and summed here: the figure
        // shown on a page is the stored one, so this is what checks the two agree.
        let t = Instant::now();
        let (mut count, mut sum, mut paid, mut last) = (0_i64, 0_i64, 0_i64, String::new());
        let mut after: Option<String> = None;
        loop {
            let p = service
                .report_records(
                    &actor,
                    report.id,
                    code,
                    store::MAX_PAGE_ROWS,
                    after.as_deref().unwrap_or(""),
                )
                .await?;
            count += i64::try_from(p.records.len())?;
            sum += p.records.iter().map(|r| r.amount_fen).sum::<i64>();
            // A rate's numerator: its records with an amount above zero.
            paid += i64::try_from(p.records.iter().filter(|r| r.amount_fen > 0).count())?;
            match p.next {
                Some(next) => {
                    last.clone_from(&next);
                    after = Some(next);
                }
                None => break,
            }
        }
        let all = t.elapsed();
        let t = Instant::now();
        service
            .report_records(&actor, report.id, code, page, &last)
            .await?;
        let tail = t.elapsed();
        slowest = slowest.max(first).max(tail);
        let value = f.indicator.value(count, sum, paid);
        anyhow::ensure!(
            value == f.value,
            "{code}: the drill-down gives {value}, the figure {}",
            f.value
        );
        println!(
            "  drill-down {code}: {count} records, first page {} ms, deep page {} ms, all in {} s",
            first.as_millis(),
            tail.as_millis(),
            secs(all)
        );
    }
    println!("slowest drill-down page: {} ms", slowest.as_millis());
    Ok(())
}
