//! Configuration: defaults, then a TOML file, then `MINZHENG_*` environment variables, then
//! flags. The environment and flags are merged by clap (`#[arg(env)]`), so this module only
//! lays the file under them. The one place in the program that reads files for settings.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveTime;
use serde::Deserialize;

/// The commented default configuration, printed by `minzheng config default`.
pub const DEFAULT_TOML: &str = include_str!("../minzheng.example.toml");

/// The file's keys; each absent key keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub log: Option<String>,
    pub secure_cookies: Option<bool>,
    pub nightly_checks: Option<String>,
}

impl FileConfig {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Ok(toml::from_str(text)?)
    }

    /// Reads `path` if given (it must exist), else `minzheng.toml` in the working folder if
    /// present, else nothing.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("minzheng.toml"), false),
        };
        if !required && !path.exists() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("config file {} is not valid", path.display()))
    }
}

/// The settings in force, after every layer.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub log: String,
    pub secure_cookies: bool,
    /// When `serve` runs the nightly cross-checks (Beijing time); `None`: never.
    pub nightly_checks: Option<NaiveTime>,
}

/// Database URLs can carry a password; never print one.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("log", &self.log)
            .field("secure_cookies", &self.secure_cookies)
            .field("nightly_checks", &self.nightly_checks)
            .finish()
    }
}

/// Values given on the command line or in the environment (clap has merged those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub log: Option<String>,
    pub secure_cookies: Option<bool>,
    pub nightly_checks: Option<String>,
}

/// The nightly cross-checks' time: `HH:MM` (Beijing time), or `off`.
pub fn parse_nightly(text: &str) -> anyhow::Result<Option<NaiveTime>> {
    match text.trim() {
        "off" | "false" | "no" => Ok(None),
        t => NaiveTime::parse_from_str(t, "%H:%M")
            .map(Some)
            .with_context(|| format!("nightly_checks {t:?} is not HH:MM or off")),
    }
}

impl Config {
    pub fn resolve(file: FileConfig, over: Overrides) -> anyhow::Result<Self> {
        let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let data_dir = over
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = non_empty(over.database_url)
            .or(non_empty(file.database_url))
            .unwrap_or_else(|| sqlite_url(&data_dir.join("minzheng.sqlite3")));
        let listen_text = non_empty(over.listen)
            .or(non_empty(file.listen))
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text
            .parse()
            .with_context(|| format!("listen address {listen_text:?} is not HOST:PORT"))?;
        let log = non_empty(over.log)
            .or(non_empty(file.log))
            .unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into());
        let secure_cookies = over.secure_cookies.or(file.secure_cookies).unwrap_or(false);
        let nightly_checks = match non_empty(over.nightly_checks).or(non_empty(file.nightly_checks))
        {
            Some(text) => parse_nightly(&text)?,
            None => {
                let (h, m) = service::assistance::checks::DEFAULT_NIGHTLY_AT;
                NaiveTime::from_hms_opt(h, m, 0)
            }
        };
        Ok(Self {
            data_dir,
            database_url,
            listen,
            log,
            secure_cookies,
            nightly_checks,
        })
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_default_config_parses_to_the_defaults() {
        let from_file = Config::resolve(
            FileConfig::parse(DEFAULT_TOML).unwrap(),
            Overrides::default(),
        )
        .unwrap();
        let built_in = Config::resolve(FileConfig::default(), Overrides::default()).unwrap();
        assert_eq!(format!("{from_file:?}"), format!("{built_in:?}"));
        assert_eq!(built_in.database_url, "sqlite://data/minzheng.sqlite3");
        assert_eq!(built_in.listen.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn flags_and_environment_win_over_the_file() {
        let file =
            FileConfig::parse("listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/mz\"").unwrap();
        let config = Config::resolve(
            file,
            Overrides {
                listen: Some("0.0.0.0:8081".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:8081");
        assert_eq!(config.database_url, "sqlite:///srv/mz/minzheng.sqlite3");
    }

    #[test]
    fn unknown_keys_and_bad_addresses_are_refused() {
        assert!(FileConfig::parse("databse_url = \"x\"").is_err());
        let bad = Config::resolve(
            FileConfig::default(),
            Overrides {
                listen: Some("localhost".into()),
                ..Overrides::default()
            },
        );
        assert!(bad.unwrap_err().to_string().contains("listen address"));
    }

    #[test]
    fn the_nightly_checks_default_to_two_and_can_be_moved_or_turned_off() {
        let built_in = Config::resolve(FileConfig::default(), Overrides::default()).unwrap();
        assert_eq!(built_in.nightly_checks, NaiveTime::from_hms_opt(2, 0, 0));
        let file = FileConfig::parse("nightly_checks = \"03:30\"").unwrap();
        let moved = Config::resolve(file, Overrides::default()).unwrap();
        assert_eq!(moved.nightly_checks, NaiveTime::from_hms_opt(3, 30, 0));
        let off = Config::resolve(
            FileConfig::parse("nightly_checks = \"03:30\"").unwrap(),
            Overrides {
                nightly_checks: Some("off".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(off.nightly_checks, None);
        let bad = Config::resolve(
            FileConfig::default(),
            Overrides {
                nightly_checks: Some("25:00".into()),
                ..Overrides::default()
            },
        );
        assert!(bad.unwrap_err().to_string().contains("nightly_checks"));
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://mz:secret@db:5432/mz"),
            "postgres://mz:***@db:5432/mz"
        );
        assert_eq!(
            redact_url("sqlite://data/x.sqlite3"),
            "sqlite://data/x.sqlite3"
        );
    }
}
