//! Staff accounts (账号管理): creating and changing them with a checked role, jurisdiction
//! and password; the accounts list (the first instance of [`crate::list`]); resetting a
//! password; revealing a phone number with a logged reason; exporting the list.
//!
//! A staff record is personal data: reading one account, revealing its phone number and
//! exporting the list are audited. Phone numbers leave this module masked
//! ([`domain::mask::phone`]) except through [`Service::reveal_phone`].

use std::collections::HashMap;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use domain::{Action, DivisionCode, Line, Role};
use store::{Division, NewUser, StoreError, User, UserChange};

use crate::list::{self, Code, ListQuery, Page};
use crate::{Actor, Error, FieldError, Service};

/// The most accounts one list is built from. Far above any district's staff; past it the
/// list refuses rather than silently leaving accounts out.
pub const MAX_ACCOUNTS: usize = 5_000;
/// Reasons for revealing a number must say something: at least this many characters.
pub const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;

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
    /// A work phone number; optional.
    pub phone: Option<String>,
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

/// Argon2id takes tens of milliseconds of one core by design; on the async workers it would
/// stall every other request while a few people sign in. These run it on tokio's blocking
/// pool instead.
pub(crate) async fn hash_password_off_thread(password: &str) -> Result<String, Error> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Unavailable {
            what: format!("password hashing: {e}"),
        })?
}

pub(crate) async fn verify_password_off_thread(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
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

/// Only the console operator (`minzheng user add`) grants the administrator and auditor
/// roles: an administrator who could make auditors could read what auditors read, and the
/// audit would no longer watch the administrators.
fn check_grant(actor: &Actor, role: &str, current: Option<&str>) -> Option<FieldError> {
    let role = role.trim();
    let reserved = matches!(role.parse::<Role>(), Ok(Role::Admin | Role::Auditor));
    (reserved && !actor.is_system() && current != Some(role))
        .then(|| FieldError::new("role", "account.role_console_only", role))
}

impl Service {
    /// Creates an account after checking every field; returns its id.
    pub async fn add_account(&self, actor: &Actor, input: AccountInput) -> Result<i64, Error> {
        self.authorize(actor, Line::Accounts, Action::Write)?;
        let username = input.username.trim().to_owned();
        let display_name = input.display_name.trim().to_owned();
        let mut errors: Vec<FieldError> = Vec::new();
        errors.extend(check_username(&username));
        errors.extend(check_display_name(&display_name));
        errors.extend(check_password(&input.password, &username));
        errors.extend(check_grant(actor, &input.role, None));
        let phone = check_phone(input.phone.as_deref().unwrap_or(""))
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let checked = self
            .check_role_and_jurisdiction(actor, &input.role, &input.jurisdiction, &mut errors)
            .await?;
        let (Some((role, jurisdiction)), true) = (checked, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let user = NewUser {
            username: username.clone(),
            display_name,
            password_hash: hash_password_off_thread(&input.password).await?,
            role: role.as_str().to_owned(),
            jurisdiction,
            phone,
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

    /// The accounts whose jurisdiction lies in the actor's, ordered by username.
    pub async fn accounts(&self, actor: &Actor) -> Result<Vec<User>, Error> {
        self.authorize(actor, Line::Accounts, Action::Read)?;
        self.accounts_in_scope(actor).await
    }
}

/// Where an account stands, derived from its flags and the time: disabled, then locked, then
/// waiting for its first password, else active. One status per account, the first that
/// applies, both in lists and in the status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountStatus {
    Active,
    Disabled,
    Locked,
    MustChangePassword,
}

impl Code for AccountStatus {
    const ALL: &'static [Self] = &[
        Self::Active,
        Self::Disabled,
        Self::Locked,
        Self::MustChangePassword,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
            Self::Locked => "locked",
            Self::MustChangePassword => "must_change_password",
        }
    }
}

impl AccountStatus {
    pub fn of(user: &User, now: DateTime<Utc>) -> Self {
        if user.disabled {
            Self::Disabled
        } else if user.locked_until.is_some_and(|t| t > now) {
            Self::Locked
        } else if user.must_change_password {
            Self::MustChangePassword
        } else {
            Self::Active
        }
    }
}

/// The columns the accounts list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountSort {
    Username,
    /// By pinyin of the display name.
    Name,
    /// In the order of [`Role::ALL`] (administrators first).
    Role,
    /// By division code, i.e. in tree order.
    Jurisdiction,
    Created,
}

impl Code for AccountSort {
    const ALL: &'static [Self] = &[
        Self::Username,
        Self::Name,
        Self::Role,
        Self::Jurisdiction,
        Self::Created,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Name => "name",
            Self::Role => "role",
            Self::Jurisdiction => "jurisdiction",
            Self::Created => "created",
        }
    }
}

/// A query of the accounts list.
pub type AccountQuery = ListQuery<AccountSort, AccountStatus>;

/// An account as lists, detail pages, the API and exports show it: no password hash, and
/// the phone number masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// The role code as stored (a known [`Role`] for every account this system created).
    pub role: String,
    pub jurisdiction: DivisionCode,
    /// The jurisdiction's name, or its code if the division is unknown.
    pub jurisdiction_name: String,
    /// Masked, e.g. `138****8000`.
    pub phone: Option<String>,
    pub status: AccountStatus,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What happens to the stored phone number when an account is changed. Forms show the
/// number masked, so an untouched field keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneChange {
    Keep,
    Clear,
    Set(String),
}

/// What an administrator changes on an account (not its username or password).
#[derive(Debug, Clone)]
pub struct AccountChange {
    pub display_name: String,
    pub role: String,
    pub jurisdiction: String,
    pub phone: PhoneChange,
    pub disabled: bool,
}

/// A mainland mobile number (11 digits starting with 1) or a landline (digits with dashes,
/// e.g. 0755-12345678 or 87654321-123); spaces are dropped. Empty is no number.
pub fn check_phone(text: &str) -> Result<Option<String>, FieldError> {
    let phone: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if phone.is_empty() {
        return Ok(None);
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let only_digits_and_dashes = phone.chars().all(|c| c.is_ascii_digit() || c == '-');
    let ok = if phone.starts_with('1') && digits == phone.len() {
        digits == 11
    } else {
        only_digits_and_dashes
            && (7..=16).contains(&digits)
            && phone.len() <= 20
            && !phone.starts_with('-')
            && !phone.ends_with('-')
            && !phone.contains("--")
    };
    if ok {
        Ok(Some(phone))
    } else {
        Err(FieldError::new(
            "phone",
            "account.phone_format",
            domain::mask::phone(&phone),
        ))
    }
}

fn check_display_name(display_name: &str) -> Option<FieldError> {
    (display_name.is_empty() || display_name.chars().count() > 50).then(|| {
        FieldError::new(
            "display_name",
            "account.display_name",
            display_name.to_owned(),
        )
    })
}

fn check_reason(reason: &str) -> Result<String, Error> {
    let reason = reason.trim();
    let chars = reason.chars().count();
    if chars < MIN_REASON_CHARS {
        Err(Error::invalid(FieldError::new(
            "reason",
            "account.reason_short",
            MIN_REASON_CHARS.to_string(),
        )))
    } else if chars > MAX_REASON_CHARS {
        Err(Error::invalid(FieldError::new(
            "reason",
            "account.reason_long",
            MAX_REASON_CHARS.to_string(),
        )))
    } else {
        Ok(reason.to_owned())
    }
}

fn role_rank(role: &str) -> usize {
    Role::ALL
        .iter()
        .position(|r| r.as_str() == role)
        .unwrap_or(Role::ALL.len())
}

impl Service {
    /// Checks the role and the jurisdiction an account is given: both must exist, the
    /// jurisdiction must lie within the actor's and have the level the role needs.
    async fn check_role_and_jurisdiction(
        &self,
        actor: &Actor,
        role: &str,
        jurisdiction: &str,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<(Role, DivisionCode)>, Error> {
        let role = role
            .parse::<Role>()
            .map_err(|e| errors.push(FieldError::new("role", e.code(), e.found.clone())))
            .ok();
        let jurisdiction = match jurisdiction.parse::<DivisionCode>() {
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
        Ok(role.zip(jurisdiction))
    }

    /// Every account in the actor's jurisdiction, the jurisdiction applied in SQL.
    async fn accounts_in_scope(&self, actor: &Actor) -> Result<Vec<User>, Error> {
        let root = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root),
            (None, true) => None,
            (None, false) => return Ok(Vec::new()),
        };
        let limit = i64::try_from(MAX_ACCOUNTS + 1).unwrap_or(i64::MAX);
        let users = self.store().users_within(root, limit).await?;
        if users.len() > MAX_ACCOUNTS {
            return Err(Error::Unavailable {
                what: format!("more than {MAX_ACCOUNTS} accounts in one list"),
            });
        }
        // Belt and braces: the SQL prefix and the domain rule must agree.
        Ok(users
            .into_iter()
            .filter(|u| actor.sees(&u.jurisdiction))
            .collect())
    }

    /// The names of the divisions of `users`' jurisdictions.
    async fn division_names(&self, users: &[User]) -> Result<HashMap<DivisionCode, String>, Error> {
        let mut counties: Vec<DivisionCode> =
            users.iter().map(|u| u.jurisdiction.county()).collect();
        counties.sort();
        counties.dedup();
        let mut names = HashMap::new();
        for county in counties {
            for d in self.store().divisions_within(&county).await? {
                names.insert(d.code, d.name);
            }
        }
        Ok(names)
    }

    fn account_of(
        &self,
        user: User,
        names: &HashMap<DivisionCode, String>,
        now: DateTime<Utc>,
    ) -> Account {
        Account {
            status: AccountStatus::of(&user, now),
            jurisdiction_name: names
                .get(&user.jurisdiction)
                .cloned()
                .unwrap_or_else(|| user.jurisdiction.to_string()),
            phone: user.phone.as_deref().map(domain::mask::phone),
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            jurisdiction: user.jurisdiction,
            must_change_password: user.must_change_password,
            disabled: user.disabled,
            locked_until: user.locked_until,
            created_at: user.created_at,
        }
    }

    /// Every account matching the query, sorted, not yet cut into pages.
    async fn matching_accounts(
        &self,
        actor: &Actor,
        query: &AccountQuery,
    ) -> Result<Vec<Account>, Error> {
        let now = self.now();
        let users = self.accounts_in_scope(actor).await?;
        let search = query.search();
        let mut users: Vec<User> = users
            .into_iter()
            .filter(|u| {
                search
                    .as_ref()
                    .is_none_or(|s| s.matches_name(&u.display_name) || s.matches_text(&u.username))
            })
            .filter(|u| {
                query
                    .division
                    .as_ref()
                    .is_none_or(|d| u.jurisdiction.is_within(d))
            })
            .filter(|u| query.status.is_none_or(|s| AccountStatus::of(u, now) == s))
            .collect();
        let sort = query.sort.unwrap_or(AccountSort::Username);
        users.sort_by(|a, b| {
            let order = match sort {
                AccountSort::Username => a.username.cmp(&b.username),
                AccountSort::Name => list::name_order_key(&a.display_name)
                    .cmp(&list::name_order_key(&b.display_name)),
                AccountSort::Role => role_rank(&a.role).cmp(&role_rank(&b.role)),
                AccountSort::Jurisdiction => a.jurisdiction.cmp(&b.jurisdiction),
                AccountSort::Created => a.created_at.cmp(&b.created_at),
            };
            // Ties keep a stable, deterministic order whichever the direction.
            list::directed(
                order.then_with(|| a.username.cmp(&b.username)),
                query.descending,
            )
        });
        let names = self.division_names(&users).await?;
        Ok(users
            .into_iter()
            .map(|u| self.account_of(u, &names, now))
            .collect())
    }

    /// One page of the accounts in the actor's jurisdiction matching the query.
    pub async fn account_list(
        &self,
        actor: &Actor,
        query: &AccountQuery,
    ) -> Result<Page<Account>, Error> {
        self.authorize(actor, Line::Accounts, Action::Read)?;
        let all = self.matching_accounts(actor, query).await?;
        Ok(Page::cut(all, query.page, query.page_size()))
    }

    /// Every account matching the query (all pages), phones masked, for a download. Audited
    /// with the number of rows and the query.
    pub async fn export_accounts(
        &self,
        actor: &Actor,
        query: &AccountQuery,
    ) -> Result<Vec<Account>, Error> {
        self.authorize(actor, Line::Accounts, Action::Export)?;
        let all = self.matching_accounts(actor, query).await?;
        if all.len() > list::MAX_EXPORT_ROWS {
            return Err(list::export_too_large());
        }
        let audit = self.audit(
            actor,
            "accounts.export",
            "accounts",
            "",
            format!("rows={} {}", all.len(), query.describe())
                .trim_end()
                .to_owned(),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    /// The divisions an account in the actor's jurisdiction may be given, or filtered by:
    /// the actor's subtree, in code order.
    pub async fn account_divisions(&self, actor: &Actor) -> Result<Vec<Division>, Error> {
        self.authorize(actor, Line::Accounts, Action::Read)?;
        let root = match &actor.jurisdiction {
            Some(root) => root.clone(),
            None => return Ok(Vec::new()),
        };
        Ok(self.store().divisions_within(&root).await?)
    }

    /// The stored account `id`, if it lies in the actor's jurisdiction; else not found.
    async fn target(&self, actor: &Actor, id: i64) -> Result<User, Error> {
        let user = self.store().user(id).await?;
        self.within(actor, &user.jurisdiction)?;
        Ok(user)
    }

    /// One account, phone masked. The read is audited: a staff record is personal data.
    pub async fn account(&self, actor: &Actor, id: i64) -> Result<Account, Error> {
        self.authorize(actor, Line::Accounts, Action::Read)?;
        let user = self.target(actor, id).await?;
        let audit = self.audit(
            actor,
            "accounts.read",
            format!("user:{}", user.username),
            "",
            "",
        );
        self.store().record_audit(&audit).await?;
        let names = self.division_names(std::slice::from_ref(&user)).await?;
        Ok(self.account_of(user, &names, self.now()))
    }

    /// Changes an account's name, role, jurisdiction, phone and whether it is disabled,
    /// checked as [`Service::add_account`] checks them. Nobody changes their own role or
    /// disables themselves: that is how a district ends up without an administrator.
    pub async fn update_account(
        &self,
        actor: &Actor,
        id: i64,
        change: AccountChange,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Accounts, Action::Write)?;
        let user = self.target(actor, id).await?;
        let display_name = change.display_name.trim().to_owned();
        let mut errors: Vec<FieldError> = Vec::new();
        errors.extend(check_display_name(&display_name));
        errors.extend(check_grant(actor, &change.role, Some(&user.role)));
        let phone = match &change.phone {
            PhoneChange::Keep => Ok(user.phone.clone()),
            PhoneChange::Clear => Ok(None),
            PhoneChange::Set(text) => check_phone(text),
        }
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
        let checked = self
            .check_role_and_jurisdiction(actor, &change.role, &change.jurisdiction, &mut errors)
            .await?;
        let own = actor.user_id == Some(user.id);
        if own && change.role.trim() != user.role {
            errors.push(FieldError::new(
                "role",
                "account.own_role",
                user.role.clone(),
            ));
        }
        if own && change.disabled {
            errors.push(FieldError::new("disabled", "account.disable_self", ""));
        }
        let (Some((role, jurisdiction)), true) = (checked, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let mut changed = Vec::new();
        if display_name != user.display_name {
            changed.push("display_name".to_owned());
        }
        if role.as_str() != user.role {
            changed.push(format!("role={}→{role}", user.role));
        }
        if jurisdiction != user.jurisdiction {
            changed.push(format!("jurisdiction={}→{jurisdiction}", user.jurisdiction));
        }
        if phone != user.phone {
            changed.push("phone".to_owned());
        }
        if change.disabled != user.disabled {
            changed.push(format!("disabled={}", change.disabled));
        }
        let audit = self.audit(
            actor,
            "accounts.update",
            format!("user:{}", user.username),
            "",
            changed.join(" "),
        );
        let stored = UserChange {
            display_name,
            role: role.as_str().to_owned(),
            jurisdiction,
            phone,
            disabled: change.disabled,
        };
        Ok(self.store().update_user(user.id, &stored, &audit).await?)
    }

    /// Gives an account a new password that must be changed at its next sign-in, lifts a
    /// lock-out and signs it out everywhere. One's own password is changed on one's own
    /// account page instead.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: i64,
        new_password: &str,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Accounts, Action::Write)?;
        let user = self.target(actor, id).await?;
        if actor.user_id == Some(user.id) {
            return Err(Error::invalid(FieldError::new(
                "password",
                "account.reset_self",
                "",
            )));
        }
        if let Some(e) = check_password(new_password, &user.username) {
            return Err(Error::invalid(e));
        }
        let hash = hash_password_off_thread(new_password).await?;
        let audit = self.audit(
            actor,
            "accounts.password_reset",
            format!("user:{}", user.username),
            "",
            "",
        );
        self.store()
            .replace_password(user.id, &hash, true, None, &audit)
            .await?;
        Ok(())
    }

    /// The full phone number of an account, for someone who may reveal it and says why. The
    /// reveal is audited with the reason before the number is returned; `None` if the
    /// account has no number.
    pub async fn reveal_phone(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<Option<String>, Error> {
        self.authorize(actor, Line::Accounts, Action::Reveal)?;
        let user = self.target(actor, id).await?;
        let reason = check_reason(reason)?;
        let audit = self.audit(
            actor,
            "accounts.reveal",
            format!("user:{}", user.username),
            &reason,
            "phone",
        );
        self.store().record_audit(&audit).await?;
        Ok(user.phone)
    }
}
