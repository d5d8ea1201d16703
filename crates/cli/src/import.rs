//! `minzheng import assistance`: the legacy roster import from files, with a progress bar,
//! an optional error report, and exit status 1 naming the number of errors.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use service::assistance::import::{ImportMode, ImportReport, RosterFile, RosterFiles};
use service::{Actor, Service};

/// Largest roster file read (a million households' persons file is about 200 MiB).
const MAX_ROSTER_BYTES: u64 = 1024 * 1024 * 1024;
/// Error lines printed on the console; the report file has them all.
const PRINTED_ERRORS: usize = 20;

/// The user's language, as `main` picks it.
pub fn user_lang() -> web::Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|value| !value.trim().is_empty());
    web::Lang::from_locale_env(locale.as_deref())
}

pub fn read_roster_file(path: &Path) -> anyhow::Result<RosterFile> {
    Ok(RosterFile {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: crate::read_limited(path, MAX_ROSTER_BYTES)?,
    })
}

/// A progress bar fed by the store's write progress.
pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

pub async fn run(
    service: &Service,
    households: &Path,
    persons: &Path,
    standards: Option<&Path>,
    valid_only: bool,
    report: Option<PathBuf>,
) -> anyhow::Result<()> {
    let files = RosterFiles {
        households: read_roster_file(households)?,
        persons: read_roster_file(persons)?,
        standards: standards.map(read_roster_file).transpose()?,
    };
    let mode = if valid_only {
        ImportMode::ValidOnly
    } else {
        ImportMode::AllOrNothing
    };
    let bar = progress_bar();
    bar.set_message("校验 / checking");
    let result = service
        .import_roster_with_progress(&Actor::system(), &files, mode, &mut |p| {
            bar.set_length(p.rows_total);
            bar.set_position(p.rows_done);
            bar.set_message(p.table);
        })
        .await;
    bar.finish_and_clear();
    let outcome = result?;
    finish(&outcome, report.as_deref())
}

/// Prints the outcome, writes the report, and fails when there were errors.
pub fn finish(outcome: &ImportReport, report: Option<&Path>) -> anyhow::Result<()> {
    let i18n = web::I18n::load();
    let tr = i18n.tr(user_lang());
    if let Some(path) = report {
        std::fs::write(
            path,
            web::assistance_import::report_csv(&tr, &outcome.errors),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "已导入 {} 户、{} 人、{} 条标准;跳过 {} 户;未变化 {} 项 / imported {} households, {} persons, {} standards; skipped {} households; {} unchanged",
        outcome.households,
        outcome.persons,
        outcome.standards,
        outcome.skipped,
        outcome.unchanged,
        outcome.households,
        outcome.persons,
        outcome.standards,
        outcome.skipped,
        outcome.unchanged,
    );
    if outcome.errors.is_empty() {
        return Ok(());
    }
    let n = outcome.errors.len();
    let mut text = if outcome.written {
        format!(
            "发现 {n} 处错误,有错误的家庭已跳过 / {n} errors; the households with errors were skipped"
        )
    } else {
        format!("发现 {n} 处错误,未写入任何数据 / {n} errors; nothing was written")
    };
    for e in outcome.errors.iter().take(PRINTED_ERRORS) {
        text.push_str("\n  ");
        text.push_str(&web::assistance_import::line(&tr, e));
    }
    if n > PRINTED_ERRORS {
        text.push_str(&format!("\n  … (+{})", n - PRINTED_ERRORS));
    }
    bail!(text)
}
