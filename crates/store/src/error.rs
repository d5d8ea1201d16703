//! The one error type callers of the store see. sqlx errors are mapped here, so no layer
//! above depends on sqlx: unique and foreign-key violations become [`StoreError::Conflict`],
//! a missing row [`StoreError::NotFound`].

/// What went wrong in the store, in terms the service layer can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule of the schema refused the write.
    #[error("conflict: {what}")]
    Conflict {
        what: String,
        /// The constraint or index that refused it, where the engine says: PostgreSQL names
        /// it; SQLite names the columns (`table.column, …`), which the store module that
        /// owns the table translates to the index name.
        constraint: Option<String>,
    },
    #[error("unsupported database URL scheme {scheme:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl { scheme: String },
    /// `copy` will not start or did not verify; nothing in the source was changed.
    #[error("copy refused: {reason}")]
    CopyRefused { reason: String },
    #[error("not supported: {what}")]
    NotSupported { what: &'static str },
    /// A stored value that the code cannot read back: a bug or a hand-edited database.
    #[error("stored data is not readable: {what}")]
    Corrupt { what: String },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    pub(crate) fn connect(e: sqlx::Error) -> Self {
        Self::Connect(e)
    }

    pub(crate) fn migrate(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(e)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db)
                if db.is_unique_violation() || db.is_foreign_key_violation() =>
            {
                Self::Conflict {
                    what: db.message().to_owned(),
                    constraint: db
                        .constraint()
                        .map(str::to_owned)
                        .or_else(|| sqlite_columns(db.message())),
                }
            }
            other => Self::Database(other),
        }
    }
}

/// The columns SQLite names in "UNIQUE constraint failed: members.person_id" (it does not
/// name the index).
fn sqlite_columns(message: &str) -> Option<String> {
    message
        .strip_prefix("UNIQUE constraint failed: ")
        .map(|cols| cols.trim().to_owned())
}
