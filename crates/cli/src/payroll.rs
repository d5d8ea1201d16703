//! `minzheng payroll run|approve|export|import-returns|show`: the monthly payroll for a district's batch jobs.
//!
//! Who acts: `run` and `show` act as the console operator (`system`) unless `--as USER`
//! is given; `approve` always names the approving account with `--as USER`, because an
//! approval must be a second, named person (maker–checker), never the operator who prepared
//! the runs; `export` and `import-returns` too, since a bank file carries full account numbers. The account
//! proves itself with one of its API tokens in the environment variable
//! `MINZHENG_API_TOKEN` (created on its account page, or by the operator with
//! `minzheng user token --username USER`); the token must belong to USER. A token, unlike a
//! password, can be revoked alone and never unlocks the web pages.

use anyhow::{Context, bail};
use domain::Fen;
use indicatif::ProgressBar;
use service::bank::BankFormat;
use service::bank::reissue::Outcome;
use service::payroll::{CHUNK_CASES, RunProgress};
use service::sessions::Client;
use service::{Actor, Service};
use store::LineSelection;

/// The environment variable that carries the `--as` account's API token.
pub const TOKEN_VAR: &str = "MINZHENG_API_TOKEN";
/// The largest result file read (a province's month is a few million lines).
const MAX_RETURNS_BYTES: u64 = 512 * 1024 * 1024;
/// Cases per chunk (tests make it small so that a kill lands between chunks often).
pub const CHUNK_VAR: &str = "MINZHENG_PAYROLL_CHUNK";

/// The actor for `--as USER`: the account behind the token in [`TOKEN_VAR`], which must be
/// USER's; the console operator without `--as`.
pub async fn actor(service: &Service, as_user: Option<&str>) -> anyhow::Result<Actor> {
    let Some(user) = as_user else {
        return Ok(Actor::system());
    };
    let token = std::env::var(TOKEN_VAR).with_context(|| {
        format!(
            "--as {user} 需要该账号的接口令牌(环境变量 {TOKEN_VAR})/ --as {user} needs an API token of that account in {TOKEN_VAR}"
        )
    })?;
    let client = Client {
        address: "cli".into(),
        user_agent: "minzheng".into(),
    };
    match service.api_actor(token.trim(), &client).await? {
        Some(a) if a.username == user => Ok(a),
        _ => bail!(
            "{TOKEN_VAR} 中的令牌不属于账号 {user},或已失效 / the token in {TOKEN_VAR} is not a live token of {user}"
        ),
    }
}

fn chunk() -> i64 {
    std::env::var(CHUNK_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| (1..=100_000).contains(n))
        .unwrap_or(CHUNK_CASES)
}

pub async fn run(
    service: &Service,
    month: &str,
    program: Option<&str>,
    as_user: Option<&str>,
) -> anyhow::Result<()> {
    let actor = actor(service, as_user).await?;
    let bar = crate::import::progress_bar();
    let result = service
        .prepare_payroll_chunked(&actor, month, program, chunk(), &mut |p: RunProgress| {
            bar.set_message(p.program.as_str());
            bar.set_length(p.cases_total);
            bar.set_position(p.cases_done);
        })
        .await;
    bar.finish_and_clear();
    let ids = result?;
    for id in &ids {
        let v = service.payroll_run(&actor, *id).await?;
        println!(
            "{id}\t{}\t{}\t{} 户 / households\t{} 元 / yuan\t{}",
            v.run.month,
            v.run.program,
            v.summary.households,
            Fen::from_fen(v.summary.total_fen).yuan(),
            v.run.state
        );
    }
    Ok(())
}

pub async fn approve(service: &Service, month: &str, as_user: &str) -> anyhow::Result<()> {
    let actor = actor(service, Some(as_user)).await?;
    let spinner = ProgressBar::new_spinner().with_message("审批 / approving");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = service.approve_payroll_month(&actor, month).await;
    spinner.finish_and_clear();
    for (id, entries) in result? {
        println!("{id}\tapproved\t{entries} 笔 / entries");
    }
    Ok(())
}

pub async fn show(service: &Service, id: i64, as_user: Option<&str>) -> anyhow::Result<()> {
    let actor = actor(service, as_user).await?;
    let v = service.payroll_run(&actor, id).await?;
    let s = &v.summary;
    let yuan = |f: i64| Fen::from_fen(f).yuan();
    println!(
        "批次 / run {}: {} {} ({})",
        v.run.id, v.run.month, v.run.program, v.run.state
    );
    println!(
        "截止时点 / cut-off {}; 制单 / prepared by {}; 审批 / approved by {}",
        v.run.cutoff.to_rfc3339(),
        v.run.prepared_by,
        v.run.approved_by.as_deref().unwrap_or("-")
    );
    println!(
        "户数 / households {}; 合计 / total {} 元 (应发 / regular {}, 补发 / arrears {}, 追回 / recovery {})",
        s.households,
        yuan(s.total_fen),
        yuan(s.regular_fen),
        yuan(s.arrears_fen),
        yuan(s.recovery_fen)
    );
    println!(
        "上月 / last month: {} 户 / households, {} 元; 新增 / added {}, 停发 / stopped {}, 变动 / changed {}, 异常 / flagged {}",
        s.prev_households,
        yuan(s.prev_fen),
        s.added,
        s.stopped,
        s.changed,
        s.flagged
    );
    if !matches!(v.run.state.as_str(), "draft" | "checked") {
        print_reconciliation(service, &actor, id).await?;
    }
    for (title, selection) in [
        ("新增 / added", LineSelection::Added),
        ("停发 / stopped", LineSelection::Stopped),
        ("变动 / changed", LineSelection::Changed),
        (
            "补发与追回 / arrears and recoveries",
            LineSelection::Corrections,
        ),
    ] {
        let (lines, total) = service
            .payroll_run_lines(&actor, id, selection, 20, 0)
            .await?;
        if total == 0 {
            continue;
        }
        println!("{title}: {total}");
        for l in lines {
            let reason = match (&l.change_kind, &l.change_reason) {
                (Some(k), Some(r)) => format!("{k}: {r}"),
                _ => l.start_step.clone().unwrap_or_default(),
            };
            println!(
                "  {}\t{}\t{}\t{}\t{} → {}{}\t{reason}",
                l.case_id.map_or_else(
                    || format!("household {}", l.household_id),
                    |c| format!("case {c}")
                ),
                l.division_code,
                l.benefit_month,
                l.kind,
                l.prev_fen.map_or_else(|| "-".into(), yuan),
                yuan(l.amount_fen),
                if l.flagged { " !" } else { "" },
            );
        }
    }
    Ok(())
}

/// Writes run `id`'s bank file to `out` as `as_user` and prints its record; households
/// that could not be paid (no account) are listed on standard error.
pub async fn export(
    service: &Service,
    id: i64,
    format: &str,
    out: &std::path::Path,
    reason: &str,
    as_user: &str,
) -> anyhow::Result<()> {
    let actor = actor(service, Some(as_user)).await?;
    let Some(format) = BankFormat::parse(format) else {
        bail!("格式应为 csv、xlsx 或 pain001 / the format must be csv, xlsx or pain001: {format}");
    };
    let export = service.export_bank_file(&actor, id, format, reason).await?;
    std::fs::write(out, &export.file.bytes)
        .with_context(|| format!("写入 / writing {}", out.display()))?;
    let r = &export.record;
    println!(
        "{}\t{}\t{} 笔 / lines\t{} 元 / yuan\tsha256 {}",
        r.run_id,
        r.file_name,
        r.lines,
        Fen::from_fen(r.total_fen).yuan(),
        r.sha256
    );
    for p in &export.not_exportable {
        eprintln!(
            "未代发 / not paid: household {} {} {} 元 / yuan ({})",
            p.household_id,
            p.head_name,
            Fen::from_fen(p.amount_fen).yuan(),
            if p.payee.is_none() {
                "无收款账户 / no payee account"
            } else {
                "净额不为正 / nothing to pay"
            }
        );
    }
    Ok(())
}

/// Imports the bank's result file for run `id` as `as_user` and prints the reconciliation:
/// expected, paid, failed (each with the bank's reason), re-issued and outstanding.
pub async fn import_returns(
    service: &Service,
    id: i64,
    file: &std::path::Path,
    as_user: &str,
) -> anyhow::Result<()> {
    let actor = actor(service, Some(as_user)).await?;
    let bytes = crate::read_limited(file, MAX_RETURNS_BYTES)?;
    service.import_returns(&actor, id, &bytes).await?;
    print_reconciliation(service, &actor, id).await
}

/// Prints run `id`'s reconciliation: expected, paid, failed, re-issued and outstanding
/// (they add up to the expected), then each failed payment with the bank's reason.
async fn print_reconciliation(service: &Service, actor: &Actor, id: i64) -> anyhow::Result<()> {
    let r = service.run_reconciliation(actor, id).await?;
    let yuan = |f: i64| Fen::from_fen(f).yuan();
    println!(
        "对账 / reconciliation: 应发 / expected {} 笔 {} 元; 已到账 / paid {} 笔 {} 元; 失败 / failed {} 笔 {} 元; 已补发 / re-issued {} 笔 {} 元; 未回盘 / outstanding {} 笔 {} 元",
        r.expected.count,
        yuan(r.expected.fen),
        r.paid.count,
        yuan(r.paid.fen),
        r.failed.count,
        yuan(r.failed.fen),
        r.reissued.count,
        yuan(r.reissued.fen),
        r.outstanding.count,
        yuan(r.outstanding.fen)
    );
    for p in &r.payments {
        match p.outcome {
            Outcome::Failed => println!(
                "失败 / failed\t{}\t{} 元\t{}",
                p.key,
                yuan(p.amount_fen),
                p.reason
            ),
            Outcome::Outstanding => println!("未回盘 / outstanding\t{}", p.key),
            Outcome::Paid | Outcome::Reissued => {}
        }
    }
    Ok(())
}
