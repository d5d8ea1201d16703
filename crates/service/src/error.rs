//! The one error type of every use case. `web` maps it to a status and a page or JSON body,
//! `cli` to a one-line message and an exit code; both render the `code`s through the Fluent
//! messages so the user reads them in their language.

use store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input was refused; nothing was written. Every problem found is listed.
    #[error("invalid input: {}", summary(.0))]
    Invalid(Vec<FieldError>),
    /// The thing does not exist, or the caller may not know that it does.
    #[error("not found")]
    NotFound,
    /// The actor's role does not allow this. (Records outside the actor's jurisdiction are
    /// `NotFound` instead, so that their existence does not leak.)
    #[error("forbidden")]
    Forbidden,
    /// The change contradicts what is stored (a taken name, an existing record).
    #[error("conflict: {code}")]
    Conflict { code: &'static str, detail: String },
    /// Something the system depends on failed (e.g. the OS random source).
    #[error("unavailable: {what}")]
    Unavailable { what: String },
    #[error("internal error: {0}")]
    Internal(#[source] StoreError),
}

/// One reason an input was refused: where (`row` of a file, 1-based, the header being row
/// 1; `field`), which rule (`code`, a stable identifier that has a Fluent message), and the
/// specifics (`detail`, e.g. the character that broke the rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub row: Option<usize>,
    pub field: &'static str,
    pub code: &'static str,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            row: None,
            field,
            code,
            detail: detail.into(),
        }
    }

    pub fn at_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(row) = self.row {
            write!(f, "row {row}, ")?;
        }
        write!(f, "{}: {} ({})", self.field, self.code, self.detail)
    }
}

fn summary(errors: &[FieldError]) -> String {
    let mut text: Vec<String> = errors.iter().take(3).map(ToString::to_string).collect();
    if errors.len() > 3 {
        text.push(format!("and {} more", errors.len() - 3));
    }
    text.join("; ")
}

impl Error {
    pub fn invalid(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Internal(other),
        }
    }
}
