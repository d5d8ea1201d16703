//! Staff accounts: creating them with a checked role, jurisdiction and password.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use domain::{Action, DivisionCode, Line, Role};
use store::{NewUser, StoreError, User};

use crate::{Actor, Error, FieldError, Service};

/// Shorter passwords are refused; 10 characters of any kind is the floor NIST 800-63B-style
/// advice gives for staff who handle personal data (8) plus a margin.
pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 128;

/// What an administrator enters to create an account.
#[derive(Debug, Clone)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub jurisdiction: String,
    pub password: String,
    /// Whether the first sign-in must choose a new password (true for every account an
    /// administrator creates for someone else).
    pub must_change_password: bool,
}

fn check_username(username: &str) -> Option<FieldError> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
    let len_ok = (3..=32).contains(&username.len());
    (!ok_chars || !len_ok).then(|| FieldError::new("username", "account.username_format", username))
}

pub(crate) fn check_password(password: &str, username: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some(FieldError::new(
            "password",
            "account.password_short",
            MIN_PASSWORD_CHARS.to_string(),
        ))
    } else if chars > MAX_PASSWORD_CHARS {
        Some(FieldError::new(
            "password",
            "account.password_long",
            MAX_PASSWORD_CHARS.to_string(),
        ))
    } else if password.eq_ignore_ascii_case(username) {
        Some(FieldError::new(
            "password",
            "account.password_is_username",
            "",
        ))
    } else {
        None
    }
}

/// An Argon2id hash in PHC string form, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, Error> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            Error::invalid(FieldError::new(
                "password",
                "account.password_hash",
                e.to_string(),
            ))
        })
}

/// Whether `password` matches a stored PHC hash. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

impl Service {
    /// Creates an account after checking every field; returns its id.
    pub async fn add_account(&self, actor: &Actor, input: AccountInput) -> Result<i64, Error> {
        self.authorize(actor, Line::Accounts, Action::Write)?;
        let username = input.username.trim().to_owned();
        let display_name = input.display_name.trim().to_owned();
        let mut errors: Vec<FieldError> = Vec::new();
        errors.extend(check_username(&username));
        if display_name.is_empty() || display_name.chars().count() > 50 {
            errors.push(FieldError::new(
                "display_name",
                "account.display_name",
                display_name.clone(),
            ));
        }
        errors.extend(check_password(&input.password, &username));
        let role = input
            .role
            .parse::<Role>()
            .map_err(|e| errors.push(FieldError::new("role", e.code(), e.found.clone())))
            .ok();
        let jurisdiction = match input.jurisdiction.parse::<DivisionCode>() {
            Ok(code) if !actor.sees(&code) => {
                errors.push(FieldError::new(
                    "jurisdiction",
                    "account.jurisdiction_unknown",
                    code.as_str(),
                ));
                None
            }
            Ok(code) => match self.store().division(&code).await {
                Ok(_) => Some(code),
                Err(StoreError::NotFound) => {
                    errors.push(FieldError::new(
                        "jurisdiction",
                        "account.jurisdiction_unknown",
                        code.as_str(),
                    ));
                    None
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => {
                errors.push(FieldError::new("jurisdiction", e.code(), e.to_string()));
                None
            }
        };
        if let (Some(role), Some(code)) = (role, &jurisdiction)
            && !role.scope().admits(code.level())
        {
            errors.push(FieldError::new(
                "jurisdiction",
                "account.jurisdiction_level",
                format!("{role}: {code}"),
            ));
        }
        let (Some(role), Some(jurisdiction), true) = (role, jurisdiction, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let user = NewUser {
            username: username.clone(),
            display_name,
            password_hash: hash_password(&input.password)?,
            role: role.as_str().to_owned(),
            jurisdiction,
            phone: None,
            must_change_password: input.must_change_password,
        };
        let audit = self.audit(
            actor,
            "accounts.create",
            format!("user:{username}"),
            "",
            format!("role={} jurisdiction={}", user.role, user.jurisdiction),
        );
        self.store()
            .insert_user(&user, &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => Error::Conflict {
                    code: "account.username_taken",
                    detail: username,
                },
                other => other.into(),
            })
    }

    /// The accounts whose jurisdiction lies in the actor's.
    pub async fn accounts(&self, actor: &Actor) -> Result<Vec<User>, Error> {
        self.authorize(actor, Line::Accounts, Action::Read)?;
        let mut users = self.store().users().await?;
        users.retain(|u| actor.sees(&u.jurisdiction));
        Ok(users)
    }
}
