//! Every user-facing text, from the Fluent files in `locales/`: Chinese first, English second.
//!
//! The files are compiled into the binary. A message missing in one language falls back to
//! the other and then to its id, and is logged; a test keeps the two files' ids equal and
//! checks that every id the templates use exists. Error codes from `service` and `domain`
//! (`division.name_empty`, `resident_id.check_char_mismatch`, …) map to message ids by the
//! rule `err-` + code with dots as dashes.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

/// One file per module, the same names in both languages; `main.ftl` holds the shell.
const ZH_CN: &[&str] = &[
    include_str!("../locales/zh-CN/main.ftl"),
    include_str!("../locales/zh-CN/accounts.ftl"),
    include_str!("../locales/zh-CN/audit.ftl"),
    include_str!("../locales/zh-CN/assistance.ftl"),
    include_str!("../locales/zh-CN/assistance_grants.ftl"),
    include_str!("../locales/zh-CN/assistance_checks.ftl"),
    include_str!("../locales/zh-CN/payroll.ftl"),
    include_str!("../locales/zh-CN/reports.ftl"),
    include_str!("../locales/zh-CN/veterans.ftl"),
    include_str!("../locales/zh-CN/veterans_liaison.ftl"),
    include_str!("../locales/zh-CN/campaigns.ftl"),
];
const EN: &[&str] = &[
    include_str!("../locales/en/main.ftl"),
    include_str!("../locales/en/accounts.ftl"),
    include_str!("../locales/en/audit.ftl"),
    include_str!("../locales/en/assistance.ftl"),
    include_str!("../locales/en/assistance_grants.ftl"),
    include_str!("../locales/en/assistance_checks.ftl"),
    include_str!("../locales/en/payroll.ftl"),
    include_str!("../locales/en/reports.ftl"),
    include_str!("../locales/en/veterans.ftl"),
    include_str!("../locales/en/veterans_liaison.ftl"),
    include_str!("../locales/en/campaigns.ftl"),
];

/// The two languages of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language for a console: English when `LANG`/`LC_ALL` say English, else Chinese.
    pub fn from_locale_env(value: Option<&str>) -> Self {
        value.and_then(Lang::from_code).unwrap_or_default()
    }

    fn other(self) -> Self {
        match self {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }
}

/// The language of a request: the `lang` cookie the switch link sets, else the browser's
/// Accept-Language, else Chinese.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_cookie = crate::auth::cookies(&parts.headers, "lang").find_map(Lang::from_code);
        let from_browser = || {
            let accept = parts.headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            accept
                .split(',')
                .find_map(|tag| Lang::from_code(tag.split(';').next()?))
        };
        Ok(from_cookie.or_else(from_browser).unwrap_or_default())
    }
}

/// Both languages' message bundles, loaded once.
pub struct I18n {
    zh_cn: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n { zh-CN, en }")
    }
}

fn bundle(lang: LanguageIdentifier, sources: &[&str]) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Isolation marks would show up as stray characters in text/plain and CSV output.
    bundle.set_use_isolating(false);
    for source in sources {
        let resource = FluentResource::try_new((*source).to_owned())
            .unwrap_or_else(|(_, errors)| panic!("a Fluent file does not parse: {errors:?}"));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("a Fluent file repeats a message: {errors:?}"));
    }
    bundle
}

impl I18n {
    /// Loads the compiled-in files. They are checked by tests, so a failure here is a build
    /// defect and panics at start-up rather than serving a half-translated UI.
    pub fn load() -> Self {
        Self {
            zh_cn: bundle(langid!("zh-CN"), ZH_CN),
            en: bundle(langid!("en"), EN),
        }
    }

    pub fn tr(&self, lang: Lang) -> Tr<'_> {
        Tr { i18n: self, lang }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::ZhCn => &self.zh_cn,
            Lang::En => &self.en,
        }
    }

    fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let bundle = self.bundle(lang);
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned();
        if !errors.is_empty() {
            tracing::warn!(
                id,
                lang = lang.code(),
                ?errors,
                "Fluent message formatted with errors"
            );
        }
        Some(text)
    }

    /// The message ids a file defines, for the consistency tests.
    pub fn ids(lang: Lang) -> Vec<String> {
        let source = match lang {
            Lang::ZhCn => ZH_CN,
            Lang::En => EN,
        };
        source
            .iter()
            .flat_map(|s| s.lines())
            .filter_map(|l| {
                let (id, _) = l.split_once(" =")?;
                (!id.starts_with(['#', ' ', '-', '.'])).then(|| id.trim().to_owned())
            })
            .collect()
    }
}

/// The messages of one language, handed to templates and handlers.
#[derive(Debug, Clone, Copy)]
pub struct Tr<'a> {
    i18n: &'a I18n,
    pub lang: Lang,
}

impl Tr<'_> {
    /// The message `id`, falling back to the other language and then to the id itself.
    pub fn get(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// The message `id` with named arguments.
    pub fn with(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (k, v) in args {
            fluent_args.set(*k, FluentValue::from(*v));
        }
        let args = (!args.is_empty()).then_some(&fluent_args);
        if let Some(text) = self.i18n.format(self.lang, id, args) {
            return text;
        }
        tracing::warn!(id, lang = self.lang.code(), "missing Fluent message");
        self.i18n
            .format(self.lang.other(), id, args)
            .unwrap_or_else(|| id.to_owned())
    }

    /// The message for an error code from `service` or `domain`.
    pub fn error_code(&self, code: &str, detail: &str) -> String {
        let id = format!("err-{}", code.replace('.', "-"));
        // Only ask whether the message exists: formatting it without its `$detail` here
        // would log a spurious "formatted with errors" warning for every refusal.
        if self.i18n.bundle(self.lang).has_message(&id) {
            self.with(&id, &[("detail", detail)])
        } else {
            tracing::warn!(code, "error code without a Fluent message");
            self.with("err-unknown", &[("code", code), ("detail", detail)])
        }
    }

    /// One refused field, in words: where, which field, why.
    pub fn field_error(&self, e: &service::FieldError) -> String {
        let field = self.get(&format!("field-{}", e.field));
        let reason = self.error_code(e.code, &e.detail);
        match e.row {
            Some(row) => self.with(
                "field-error-row",
                &[
                    ("row", &row.to_string()),
                    ("field", &field),
                    ("reason", &reason),
                ],
            ),
            None => self.with("field-error", &[("field", &field), ("reason", &reason)]),
        }
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
}
