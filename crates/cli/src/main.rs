//! `minzheng`: the one binary. Each subcommand parses its arguments, builds a [`Service`]
//! over the configured database, calls one use case and reports the result. This is the only
//! crate that reads configuration, the environment, files and the terminal; it decides exit
//! codes: 0 success, 1 failure (one line on stderr says why, the lines after it give the
//! details), 2 bad usage (clap).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool talks on its console"
)]

mod bench;
mod config;
mod import;
mod payroll;
mod report;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use service::users::AccountInput;
use service::{Actor, Service, SystemClock};
use store::Store;

use crate::config::{Config, FileConfig, Overrides, redact_url};

/// 民政综合业务系统 minzheng —— 区民政局业务管理。
/// The administration system of a district civil-affairs bureau.
#[derive(Debug, Parser)]
#[command(name = "minzheng", version, propagate_version = true)]
struct Cli {
    /// 配置文件(TOML)/ configuration file (TOML); default ./minzheng.toml if present
    #[arg(long, global = true, env = "MINZHENG_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// 数据库地址 / database URL: sqlite://PATH or postgres://…
    #[arg(long, global = true, env = "MINZHENG_DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    /// 数据目录 / data folder for the embedded database and backups
    #[arg(long, global = true, env = "MINZHENG_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// 日志级别 / log filter, e.g. info or debug
    #[arg(long, global = true, env = "MINZHENG_LOG", value_name = "FILTER")]
    log: Option<String>,
    /// 会话 Cookie 仅经 HTTPS 传送 / mark the session cookie Secure (serve over TLS)
    #[arg(
        long,
        global = true,
        env = "MINZHENG_SECURE_COOKIES",
        value_name = "BOOL"
    )]
    secure_cookies: Option<bool>,
    /// 每日自动数据比对时间(北京时间 HH:MM,或 off)/ when `serve` runs the nightly
    /// cross-checks (Beijing time HH:MM, or off; default 02:00)
    #[arg(
        long,
        global = true,
        env = "MINZHENG_NIGHTLY_CHECKS",
        value_name = "HH:MM"
    )]
    nightly_checks: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 启动网页服务 / start the web server
    Serve(Listen),
    /// 新建演示区数据库并启动网页服务 / build a fresh demo district and start the web server
    Demo(Listen),
    /// 升级数据库结构 / apply database migrations
    Migrate,
    /// 行政区划 / divisions
    #[command(subcommand)]
    Divisions(DivisionsCommand),
    /// 用户账号 / user accounts
    #[command(subcommand)]
    User(UserCommand),
    /// 节假日与调休安排 / statutory holidays and make-up working days
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// 在线备份嵌入式数据库 / consistent online copy of the SQLite database
    Backup {
        /// 备份文件路径(不得已存在)/ the new backup file (must not exist)
        dest: PathBuf,
    },
    /// 在两个数据库间迁移全部数据并校验 / copy all data between databases, verified
    Copy {
        /// 源数据库 / source database URL
        #[arg(long, value_name = "URL")]
        from: String,
        /// 目标数据库(须为空)/ target database URL (must be empty)
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// 配置 / configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// 操作日志 / audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 存量数据导入 / import legacy data
    #[command(subcommand)]
    Import(ImportCommand),
    /// 月度发放 / monthly payroll
    #[command(subcommand)]
    Payroll(PayrollCommand),
    /// 统计报表 / the half-year report for a period and a division, to a file
    Report {
        /// 开始日期 / first day, e.g. 2013-01-01
        #[arg(long)]
        from: String,
        /// 结束日期 / last day, e.g. 2013-06-30
        #[arg(long)]
        to: String,
        /// 区划代码(默认全区)/ division code (default: the whole tree's root)
        #[arg(long)]
        division: Option<String>,
        /// html | xlsx | json | docx | txt
        #[arg(long, default_value = "html")]
        format: String,
        /// 输出文件 / output file
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 性能测试 / benchmarks
    #[command(subcommand)]
    Bench(BenchCommand),
    /// 数据比对 / cross-checks
    #[command(subcommand)]
    Check(CheckCommand),
}

#[derive(Debug, Subcommand)]
enum CheckCommand {
    /// 社会救助数据比对(重复、身份证号、死亡人员),结果生成街道待办 / run the social
    /// assistance cross-checks; findings become tasks for the streets
    Assistance {
        /// 先导入死亡记录(CSV:id_number,name,date_of_death,source)/ first import death
        /// records from this CSV file
        #[arg(long, value_name = "FILE")]
        deaths: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PayrollCommand {
    /// 制单:计算该月各项目发放名单(中断后再次运行即续算),打印批次编号 /
    /// prepare (or resume) the month's runs and print their ids
    Run {
        /// 待遇所属月份 / benefit month, e.g. 2013-01
        #[arg(long)]
        month: String,
        /// 只做一个项目 / only this programme: dibao, tekun_dispersed, tekun_centralized
        #[arg(long)]
        program: Option<String>,
        /// 以该账号制单(令牌见 MINZHENG_API_TOKEN)/ prepare as this account (token in MINZHENG_API_TOKEN)
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
    },
    /// 审批该月全部已核对批次(须为制单人以外的账号,令牌见 MINZHENG_API_TOKEN)/
    /// approve the month's checked runs as another account (its API token in MINZHENG_API_TOKEN)
    Approve {
        /// 待遇所属月份 / benefit month, e.g. 2013-01
        #[arg(long)]
        month: String,
        /// 审批账号 / the approving account
        #[arg(long = "as", value_name = "USER")]
        as_user: String,
    },
    /// 生成已审批批次的代发文件并登记其 SHA-256(再次生成须说明原因)/
    /// write an approved run's bank file and record its SHA-256 (a second one needs --reason)
    Export {
        /// 批次编号 / run id
        run: i64,
        /// 格式 / format: csv, xlsx, pain001
        #[arg(long, default_value = "csv")]
        format: String,
        /// 输出文件 / the file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 再次生成的原因 / why a run gets another file
        #[arg(long)]
        reason: Option<String>,
        /// 生成账号(令牌见 MINZHENG_API_TOKEN)/ the account (its API token in MINZHENG_API_TOKEN)
        #[arg(long = "as", value_name = "USER")]
        as_user: String,
    },
    /// 导入银行回盘文件并对账(CSV 或 XLSX)/ import the bank's result file and reconcile the run
    ImportReturns {
        /// 批次编号 / run id
        run: i64,
        /// 回盘文件 / the result file
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// 导入账号(令牌见 MINZHENG_API_TOKEN)/ the account (its API token in MINZHENG_API_TOKEN)
        #[arg(long = "as", value_name = "USER")]
        as_user: String,
    },
    /// 查看批次:合计与上月比较 / show a run: totals and the difference from last month
    Show {
        /// 批次编号 / run id
        run: i64,
        /// 以该账号查看 / as this account
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// 导入社会救助存量家庭、人员和保障标准(CSV 或 XLSX)/ import a legacy assistance roster
    Assistance {
        /// 家庭文件 / households file
        #[arg(long, value_name = "FILE")]
        households: PathBuf,
        /// 人员文件 / persons file
        #[arg(long, value_name = "FILE")]
        persons: PathBuf,
        /// 保障标准文件 / standards file
        #[arg(long, value_name = "FILE")]
        standards: Option<PathBuf>,
        /// 只导入无误的家庭 / import only the valid households
        #[arg(long)]
        valid_only: bool,
        /// 错误报告(CSV)/ write the error report (CSV) here
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// 生成合成名册并计时 2013 年 1–6 月发放 / generate a synthetic roster and time six months of payroll
    Payroll {
        /// 户数 / number of households
        #[arg(long, default_value_t = 100_000)]
        households: usize,
        /// 数据库所在目录 / folder for the SQLite database
        #[arg(long, value_name = "DIR", default_value = "bench-payroll")]
        dir: PathBuf,
        /// 同时测试 PostgreSQL(管理库地址)/ also PostgreSQL: an admin URL of the server
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
        /// 保留数据库供报表测试 / keep the databases for `bench report`
        #[arg(long)]
        keep: bool,
    },
    /// 发放测试的子进程:建库并导入合成名册 / the payroll bench's child: a fresh database with the roster
    #[command(hide = true)]
    PayrollRoster {
        #[arg(long)]
        households: usize,
        #[arg(long)]
        url: String,
    },
    /// 在发放测试保留的数据库上计时半年报表与明细页 / time the half-year report and its drill-down pages over the payroll bench's database
    Report {
        /// 数据库地址 / database URL (default: the SQLite database of `bench payroll --keep`)
        #[arg(
            long,
            value_name = "URL",
            default_value = "sqlite://bench-payroll/bench.sqlite"
        )]
        url: String,
        /// 生成次数 / how many times the report is generated
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// 生成合成存量名册并计时导入 / generate a synthetic roster and time its import
    ImportAssistance {
        /// 户数 / number of households
        #[arg(long, default_value_t = 100_000)]
        households: usize,
        /// 文件与数据库所在目录 / folder for the files and the SQLite database
        #[arg(long, value_name = "DIR", default_value = "bench-import")]
        dir: PathBuf,
        /// 同时测试 PostgreSQL(管理库地址)/ also PostgreSQL: an admin URL of the server
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
}

#[derive(Debug, Args)]
struct Listen {
    /// 监听地址 / address and port to listen on (default 127.0.0.1:8080)
    #[arg(long, env = "MINZHENG_LISTEN", value_name = "HOST:PORT")]
    listen: Option<String>,
}

#[derive(Debug, Subcommand)]
enum DivisionsCommand {
    /// 从 CSV 导入区划(code,name[,area],UTF-8 或 GBK)/ import divisions from CSV
    Import {
        /// CSV 文件 / the CSV file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// 新建账号 / create an account
    Add {
        /// 用户名 / user name (3–32 of a-z 0-9 _ . -)
        #[arg(long)]
        username: String,
        /// 姓名 / display name
        #[arg(long)]
        name: String,
        /// 角色 / role: admin, assistance_staff, veterans_staff, organizations_staff,
        /// housing_staff, marriage_staff, funeral_staff, places_staff, street_officer,
        /// community_worker, leader, auditor
        #[arg(long)]
        role: String,
        /// 管辖区划代码 / jurisdiction: a 12-digit division code
        #[arg(long)]
        jurisdiction: String,
        /// 从标准输入读取密码 / read the password from standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// 为账号签发接口令牌(供批处理脚本以该账号操作,只显示一次)/
    /// issue an API token for an account, for batch jobs acting as it (shown once)
    Token {
        /// 用户名 / user name
        #[arg(long)]
        username: String,
        /// 令牌名称 / a name for the token, e.g. payroll-batch
        #[arg(long, default_value = "batch")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// 导入某年的放假调休安排(CSV:date,kind,name;kind 为 holiday 或 workday)/
    /// replace one year's holidays and make-up working days from a CSV file
    Import {
        /// 年份 / the year the file covers
        #[arg(long)]
        year: i32,
        /// CSV 文件 / the CSV file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// 校验操作日志哈希链是否完整(防篡改)/ check the audit log's hash chain for tampering
    Verify,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// 打印带注释的默认配置 / print the commented default configuration
    Default,
}

/// Largest division file read; the service has its own row limit inside it.
const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // POSIX precedence; a variable set but empty counts as unset (LC_ALL= is common).
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|value| !value.trim().is_empty());
    let lang = web::Lang::from_locale_env(locale.as_deref());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, lang);
            ExitCode::FAILURE
        }
    }
}

/// Prints an error: one line with the reason, then one line per refused field, in the
/// user's language where the error came from a use case.
fn report(e: &anyhow::Error, lang: web::Lang) {
    let i18n = web::I18n::load();
    let tr = i18n.tr(lang);
    match e.downcast_ref::<service::Error>() {
        Some(service::Error::Invalid(fields)) => {
            eprintln!("{}", tr.get("error-invalid"));
            for f in fields {
                eprintln!("  {}", tr.field_error(f));
            }
        }
        Some(service::Error::Conflict { code, detail }) => {
            eprintln!("{}", tr.error_code(code, detail));
        }
        _ => eprintln!("error: {e:#}"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Bench(bench) = &cli.command {
        match bench {
            BenchCommand::Payroll {
                households,
                dir,
                postgres,
                keep,
            } => return bench::payroll(*households, dir, postgres.as_deref(), *keep).await,
            BenchCommand::PayrollRoster { households, url } => {
                return bench::payroll_roster(*households, url).await;
            }
            BenchCommand::Report { url, rounds } => return bench::report(url, *rounds).await,
            BenchCommand::ImportAssistance {
                households,
                dir,
                postgres,
            } => return bench::run(*households, dir, postgres.as_deref()).await,
        }
    }
    if let Command::Config(ConfigCommand::Default) = cli.command {
        print!("{}", config::DEFAULT_TOML);
        return Ok(());
    }
    let file = FileConfig::load(cli.config.as_deref())?;
    let listen = match &cli.command {
        Command::Serve(l) | Command::Demo(l) => l.listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        data_dir: cli.data_dir,
        database_url: cli.database_url,
        listen,
        log: cli.log,
        secure_cookies: cli.secure_cookies,
        nightly_checks: cli.nightly_checks,
    };
    let config = Config::resolve(file, overrides)?;
    init_logging(&config.log);

    match cli.command {
        Command::Serve(_) => {
            let service = open(&config.database_url).await?;
            if service.store().division_total().await? == 0 {
                println!("提示:数据库中还没有行政区划,请先运行 `minzheng divisions import FILE`。");
                println!(
                    "hint: the database has no divisions yet; run `minzheng divisions import FILE`."
                );
            }
            serve(service, &config).await
        }
        Command::Demo(_) => demo(&config).await,
        Command::Import(ImportCommand::Assistance {
            households,
            persons,
            standards,
            valid_only,
            report,
        }) => {
            let service = open(&config.database_url).await?;
            import::run(
                &service,
                &households,
                &persons,
                standards.as_deref(),
                valid_only,
                report,
            )
            .await
        }
        Command::Bench(_) => Ok(()),
        Command::Check(CheckCommand::Assistance { deaths }) => {
            let service = open(&config.database_url).await?;
            check_assistance(&service, deaths.as_deref()).await
        }
        Command::Report {
            from,
            to,
            division,
            format,
            out,
        } => {
            let service = open(&config.database_url).await?;
            report::run(&service, &from, &to, division.as_deref(), &format, &out).await
        }
        Command::Payroll(PayrollCommand::Run {
            month,
            program,
            as_user,
        }) => {
            let service = open(&config.database_url).await?;
            payroll::run(&service, &month, program.as_deref(), as_user.as_deref()).await
        }
        Command::Payroll(PayrollCommand::Approve { month, as_user }) => {
            let service = open(&config.database_url).await?;
            payroll::approve(&service, &month, &as_user).await
        }
        Command::Payroll(PayrollCommand::Export {
            run,
            format,
            out,
            reason,
            as_user,
        }) => {
            let service = open(&config.database_url).await?;
            payroll::export(
                &service,
                run,
                &format,
                &out,
                reason.as_deref().unwrap_or(""),
                &as_user,
            )
            .await
        }
        Command::Payroll(PayrollCommand::ImportReturns { run, file, as_user }) => {
            let service = open(&config.database_url).await?;
            payroll::import_returns(&service, run, &file, &as_user).await
        }
        Command::Payroll(PayrollCommand::Show { run, as_user }) => {
            let service = open(&config.database_url).await?;
            payroll::show(&service, run, as_user.as_deref()).await
        }
        Command::User(UserCommand::Token { username, name }) => {
            let service = open(&config.database_url).await?;
            let token = service
                .issue_api_token(&Actor::system(), &username, &name)
                .await?;
            println!("{token}");
            Ok(())
        }
        Command::Migrate => {
            let service = open(&config.database_url).await?;
            let versions = service.store().applied_migrations().await?;
            println!(
                "数据库已是最新 / database is up to date: {} migrations",
                versions.len()
            );
            Ok(())
        }
        Command::Divisions(DivisionsCommand::Import { file }) => {
            let bytes = read_limited(&file, MAX_IMPORT_BYTES)?;
            let service = open(&config.database_url).await?;
            let spinner = spinner("导入区划 / importing divisions");
            let result = service.import_divisions(&Actor::system(), &bytes).await;
            spinner.finish_and_clear();
            let summary = result?;
            println!(
                "已导入 {} 行:新增 {},更新 {} / imported {} rows: {} new, {} updated",
                summary.rows,
                summary.created,
                summary.updated,
                summary.rows,
                summary.created,
                summary.updated
            );
            Ok(())
        }
        Command::User(UserCommand::Add {
            username,
            name,
            role,
            jurisdiction,
            password_stdin,
        }) => {
            let password = read_password(password_stdin)?;
            let service = open(&config.database_url).await?;
            let id = service
                .add_account(
                    &Actor::system(),
                    AccountInput {
                        username: username.clone(),
                        display_name: name,
                        role,
                        jurisdiction,
                        password,
                        phone: None,
                        must_change_password: true,
                    },
                )
                .await?;
            println!(
                "已创建账号 {username}(编号 {id}),首次登录须修改密码 / account {username} created (id {id}); the password must be changed at first sign-in"
            );
            Ok(())
        }
        Command::Calendar(CalendarCommand::Import { year, file }) => {
            let bytes = read_limited(&file, MAX_IMPORT_BYTES)?;
            let service = open(&config.database_url).await?;
            let days = service
                .import_calendar_year(&Actor::system(), year, &bytes)
                .await?;
            println!(
                "{year} 年已导入 {days} 个节假日与调休日 / {year}: {days} holidays and make-up working days imported"
            );
            Ok(())
        }
        Command::Backup { dest } => {
            if dest.exists() {
                bail!(
                    "{} already exists; a backup never overwrites a file",
                    dest.display()
                );
            }
            let store = Store::connect(&config.database_url).await?;
            let dest_text = dest
                .to_str()
                .context("the backup path must be valid UTF-8")?;
            let spinner = spinner("备份 / backing up");
            let result = store.backup_sqlite(dest_text).await;
            spinner.finish_and_clear();
            result?;
            store.close().await;
            println!(
                "已备份到 {} / backed up to {}",
                dest.display(),
                dest.display()
            );
            Ok(())
        }
        Command::Copy { from, to } => copy(&from, &to).await,
        Command::Audit(AuditCommand::Verify) => verify_audit(&config.database_url).await,
        Command::Config(ConfigCommand::Default) => Ok(()),
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to stderr so that stdout carries only what a command reports.
    // Colour codes only for a terminal: in a log file or a pipe they are noise.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// Connects, migrates and seeds: every command works on an up-to-date database.
async fn open(url: &str) -> anyhow::Result<Service> {
    if let Some(path) = url.strip_prefix("sqlite://")
        && let Some(parent) = Path::new(path.split('?').next().unwrap_or(path)).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the data folder {}", parent.display()))?;
    }
    let store = Store::connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(url)))?;
    let service = Service::new(store, Arc::new(SystemClock));
    service.prepare().await?;
    Ok(service)
}

fn read_limited(path: &Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        bail!(
            "{} is larger than {} MiB",
            path.display(),
            limit / 1024 / 1024
        );
    }
    Ok(bytes)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("密码 / password: ")
        .context("no terminal to ask for the password; use --password-stdin")?;
    let again = rpassword::prompt_password("再输入一次 / again: ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

fn spinner(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

async fn serve(service: Service, config: &Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    println!("服务地址 / listening on http://{address}/");
    let store = service.store().clone();
    if let Some(at) = config.nightly_checks {
        spawn_nightly_checks(service.clone(), at);
    }
    let state = web::AppState::new(service).with_secure_cookies(config.secure_cookies);
    web::serve(listener, state, shutdown_signal()).await?;
    // Requests in flight have finished; closing the pool checkpoints SQLite's WAL.
    store.close().await;
    println!("已停止 / stopped");
    Ok(())
}

/// Asks the service every minute whether the nightly cross-checks are due (the decision is
/// `domain::assistance::checks::nightly_due` on the service clock and the last nightly run
/// stored, so a restart neither skips nor repeats a day's run).
fn spawn_nightly_checks(service: Service, at: chrono::NaiveTime) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match service.run_nightly_if_due(at).await {
                Ok(Some(run)) => tracing::info!(
                    run = run.run_id,
                    tasks_created = run.tasks_created,
                    deaths_recorded = run.deaths_recorded,
                    "nightly cross-checks done"
                ),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "nightly cross-checks failed"),
            }
        }
    });
}

/// `minzheng check assistance [--deaths FILE]`.
async fn check_assistance(service: &Service, deaths: Option<&Path>) -> anyhow::Result<()> {
    use service::assistance::checks::{Origin, RunSummary};
    let operator = Actor::system();
    let print_run = |r: &RunSummary| {
        println!(
            "比对完成:重复 {} 条,身份证号问题 {} 条,比中死亡 {} 人(已停发 {} 人),新增待办 {} 条 / \
             checks done: {} duplicates, {} ID problems, {} deaths matched ({} stopped), {} new tasks",
            r.duplicates,
            r.invalid_ids,
            r.deaths,
            r.deaths_recorded,
            r.tasks_created,
            r.duplicates,
            r.invalid_ids,
            r.deaths,
            r.deaths_recorded,
            r.tasks_created
        );
    };
    if let Some(file) = deaths {
        let bytes = read_limited(file, MAX_IMPORT_BYTES)?;
        let spinner = spinner("导入死亡记录 / importing death records");
        let result = service.import_deaths(&operator, &bytes).await;
        spinner.finish_and_clear();
        let report = result?;
        println!(
            "死亡记录 {} 条:新导入 {},此前已导入 {} / {} death records: {} new, {} imported before",
            report.rows, report.stored, report.known, report.rows, report.stored, report.known
        );
        match &report.run {
            Some(run) => print_run(run),
            None => println!("没有新的死亡记录,未比对 / nothing new, no checks run"),
        }
        return Ok(());
    }
    let spinner = spinner("数据比对 / running the cross-checks");
    let result = service.run_checks(&operator, Origin::Manual).await;
    spinner.finish_and_clear();
    print_run(&result?);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn demo(config: &Config) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("demo.sqlite3");
    // A fresh district every time: remove the old file and its WAL companions.
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file)
                .with_context(|| format!("cannot remove {}", file.display()))?;
        }
    }
    let service = open(&config::sqlite_url(&path)).await?;
    let spinner = spinner("建立演示区 / building the demo district");
    // The demo lives through the first half of 2013 on a clock of its own, over the same
    // database; the server then runs on the system clock.
    let clock = testkit::FixedClock::at(testkit::half_year::start());
    let builder = Service::new(service.store().clone(), clock.clone());
    let started = std::time::Instant::now();
    let result = testkit::demo::build_full(&builder, &clock).await;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "demo district built"
    );
    spinner.finish_and_clear();
    result?;
    println!(
        "演示区已建立:{} / demo district built: {}",
        path.display(),
        path.display()
    );
    println!("演示账号 / demo accounts (用户名 / 密码 / 角色):");
    for a in testkit::demo::ACCOUNTS
        .iter()
        .chain([&testkit::demo::CHECKER, &testkit::veterans::CHECKER])
    {
        println!("  {:<10} {:<22} {}", a.username, a.password, a.display_name);
    }
    serve(service, config).await
}

/// Walks the whole audit chain: exit 0 when intact, 1 naming the first broken entry.
async fn verify_audit(url: &str) -> anyhow::Result<()> {
    let service = open(url).await?;
    let operator = Actor::system();
    let total = service.audit_length(&operator).await?;
    let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0)).with_style(
        ProgressStyle::with_template("校验 / verifying [{bar:40}] {pos}/{len}")
            .expect("a valid progress template")
            .progress_chars("=> "),
    );
    let result = service
        .verify_audit(&operator, &mut |done| {
            bar.set_position(u64::try_from(done).unwrap_or(0));
        })
        .await;
    bar.finish_and_clear();
    service.store().close().await;
    match result? {
        store::ChainCheck::Intact { entries } => {
            println!("审计链完整 / audit chain intact: {entries} entries");
            Ok(())
        }
        store::ChainCheck::Broken { seq, reason } => {
            let (zh, en) = match reason {
                "hash" => ("内容与哈希值不符", "the entry does not match its hash"),
                "prev_hash" => (
                    "与上一条记录衔接不上",
                    "it does not follow the entry before",
                ),
                "missing" => ("记录缺失", "the entry is missing"),
                other => (other, other),
            };
            bail!(
                "审计链在第 {seq} 条断裂:{zh} / audit chain broken at entry {seq}: {en} ({reason})"
            )
        }
    }
}

async fn copy(from: &str, to: &str) -> anyhow::Result<()> {
    let source = Store::connect(from)
        .await
        .with_context(|| format!("cannot open {}", redact_url(from)))?;
    let target = Store::connect(to)
        .await
        .with_context(|| format!("cannot open {}", redact_url(to)))?;
    // The target gets the schema; the source is only read.
    target.migrate().await?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len}")
            .expect("a valid progress template")
            .progress_chars("=> "),
    );
    let summaries = source
        .copy_into(&target, &mut |p| {
            bar.set_message(p.table);
            bar.set_length(p.rows_total);
            bar.set_position(p.rows_done);
        })
        .await;
    bar.finish_and_clear();
    let summaries = summaries?;
    println!("已复制并校验 / copied and verified:");
    for s in &summaries {
        println!(
            "  {:<16} {:>8} rows  sha256 {}",
            s.table,
            s.rows,
            &s.sha256[..16]
        );
    }
    source.close().await;
    target.close().await;
    Ok(())
}
