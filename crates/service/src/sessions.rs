//! Signing in and out, sessions, passwords and API tokens.
//!
//! A session is a random 256-bit token in an HttpOnly cookie; the database holds only its
//! SHA-256, so reading the database does not let anyone sign in. Sessions end after
//! [`IDLE_TIMEOUT`] without a request and [`ABSOLUTE_TIMEOUT`] after sign-in, whichever comes
//! first. [`MAX_FAILED_SIGN_INS`] wrong passwords in a row lock the account for
//! [`LOCKOUT`]. Every sign-in, failure, sign-out and password change is audited.

use chrono::{DateTime, Duration, Utc};
use store::{ApiToken, Session, StoreError, User};

use crate::users::{
    check_password, hash_password, hash_password_off_thread, verify_password_off_thread,
};
use crate::{Actor, Error, FieldError, Service};

pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const LOCKOUT: Duration = Duration::minutes(15);
/// Most API tokens one account may hold; enough for every system that calls on its behalf.
pub const MAX_API_TOKENS: usize = 20;

/// A fresh random token as 64 hex characters.
pub fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Unavailable {
        what: format!("randomness: {e}"),
    })?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    domain::sha256_hex(token.as_bytes())
}

/// Compares two secrets in time independent of where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Where a request comes from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: String,
    pub user_agent: String,
}

/// A new session: the token goes into the cookie, the CSRF token into every form.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
    pub must_change_password: bool,
}

/// A live session and its account, as a request sees it.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub actor: Actor,
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

/// Why a sign-in failed. Deliberately coarse: a wrong username and a wrong password look the
/// same, so the form cannot be used to find out which accounts exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    WrongCredentials,
    Locked { until: DateTime<Utc> },
    Disabled,
}

impl Service {
    /// Checks a username and password and opens a session.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &Client,
    ) -> Result<Result<SignedIn, SignInRefusal>, Error> {
        let now = self.now();
        let user = match self.store().user_by_username(username.trim()).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => {
                // Spend the time a real check would take, so timing does not reveal names.
                let _ = verify_password_off_thread(password, &DUMMY_HASH).await;
                let actor = Actor::anonymous(&client.address, username.trim());
                let audit = self.audit(
                    &actor,
                    "session.sign_in_failed",
                    "user:?",
                    "",
                    "unknown user",
                );
                self.store().record_audit(&audit).await?;
                return Ok(Err(SignInRefusal::WrongCredentials));
            }
            Err(e) => return Err(e.into()),
        };
        let actor = Actor::user(&user, client.address.clone());
        if let Some(until) = user.locked_until
            && until > now
        {
            // Spend the time a check takes here too, so a lock cannot be told by timing.
            let _ = verify_password_off_thread(password, &DUMMY_HASH).await;
            return Ok(Err(SignInRefusal::Locked { until }));
        }
        if !verify_password_off_thread(password, &user.password_hash).await {
            let audit = self.audit(
                &actor,
                "session.sign_in_failed",
                format!("user:{}", user.username),
                "",
                "",
            );
            let until = now + LOCKOUT;
            let (_, locked) = self
                .store()
                .record_failed_sign_in(user.id, MAX_FAILED_SIGN_INS, until, &audit)
                .await?;
            return Ok(Err(match locked.then_some(until) {
                Some(until) => SignInRefusal::Locked { until },
                None => SignInRefusal::WrongCredentials,
            }));
        }
        if user.disabled {
            return Ok(Err(SignInRefusal::Disabled));
        }
        let token = random_token()?;
        let csrf_token = random_token()?;
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            address: client.address.clone(),
            user_agent: client.user_agent.chars().take(200).collect(),
            revoked_at: None,
        };
        let audit = self.audit(
            &actor,
            "session.sign_in",
            format!("user:{}", user.username),
            "",
            "",
        );
        self.store().insert_session(&session, &audit).await?;
        Ok(Ok(SignedIn {
            token,
            csrf_token,
            actor,
            must_change_password: user.must_change_password,
        }))
    }

    /// The live session of a cookie token, or `None` if it is unknown, revoked, expired, or
    /// its account is disabled. Moves the idle timer forward.
    pub async fn session(
        &self,
        token: &str,
        client: &Client,
    ) -> Result<Option<CurrentSession>, Error> {
        let now = self.now();
        let hash = token_hash(token);
        let (session, user) = match self.store().session(&hash).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let expired = session.revoked_at.is_some()
            || now - session.last_seen_at > IDLE_TIMEOUT
            || now - session.created_at > ABSOLUTE_TIMEOUT;
        if expired || user.disabled {
            return Ok(None);
        }
        // Writing on every request would make SQLite's single writer the bottleneck; a
        // minute's precision is plenty for a 30-minute idle limit.
        if now - session.last_seen_at > Duration::minutes(1) {
            self.store().touch_session(&hash, now).await?;
        }
        Ok(Some(CurrentSession {
            actor: Actor::user(&user, client.address.clone()),
            user,
            csrf_token: session.csrf_token,
            token_hash: hash,
        }))
    }

    /// Ends this session.
    pub async fn sign_out(&self, current: &CurrentSession) -> Result<(), Error> {
        let audit = self.audit(
            &current.actor,
            "session.sign_out",
            format!("user:{}", current.user.username),
            "",
            "",
        );
        self.store()
            .revoke_sessions(current.user.id, Some(&current.token_hash), &audit)
            .await?;
        Ok(())
    }

    /// Ends every session of the account, on every browser; returns how many were open.
    pub async fn sign_out_everywhere(&self, current: &CurrentSession) -> Result<u64, Error> {
        let audit = self.audit(
            &current.actor,
            "session.sign_out_everywhere",
            format!("user:{}", current.user.username),
            "",
            "",
        );
        Ok(self
            .store()
            .revoke_sessions(current.user.id, None, &audit)
            .await?)
    }

    /// Changes the signed-in account's own password after checking the current one. Other
    /// sessions of the account end; this one stays.
    pub async fn change_password(
        &self,
        current: &CurrentSession,
        old_password: &str,
        new_password: &str,
        repeated: &str,
    ) -> Result<(), Error> {
        let user = &current.user;
        let mut errors = Vec::new();
        if !verify_password_off_thread(old_password, &user.password_hash).await {
            errors.push(FieldError::new(
                "old_password",
                "account.password_wrong",
                "",
            ));
        }
        errors.extend(check_password(new_password, &user.username));
        if new_password != repeated {
            errors.push(FieldError::new(
                "repeat_password",
                "account.password_mismatch",
                "",
            ));
        }
        if new_password == old_password && errors.is_empty() {
            errors.push(FieldError::new(
                "password",
                "account.password_unchanged",
                "",
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let hash = hash_password_off_thread(new_password).await?;
        let audit = self.audit(
            &current.actor,
            "accounts.password_change",
            format!("user:{}", user.username),
            "",
            "other sessions and API tokens ended",
        );
        // Whoever may have learnt the old password is signed out; this browser stays in.
        self.store()
            .replace_password(user.id, &hash, false, Some(&current.token_hash), &audit)
            .await?;
        Ok(())
    }

    /// A new API token for the signed-in account. The token is returned once and never
    /// stored; only its hash is.
    pub async fn create_api_token(
        &self,
        current: &CurrentSession,
        name: &str,
    ) -> Result<String, Error> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(Error::invalid(FieldError::new(
                "token_name",
                "account.token_name",
                name,
            )));
        }
        let live = self
            .store()
            .api_tokens_of(current.user.id)
            .await?
            .into_iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        if live >= MAX_API_TOKENS {
            return Err(Error::invalid(FieldError::new(
                "token_name",
                "account.too_many_tokens",
                MAX_API_TOKENS.to_string(),
            )));
        }
        let token = format!("mz_{}", random_token()?);
        let audit = self.audit(
            &current.actor,
            "accounts.token_create",
            format!("user:{}", current.user.username),
            "",
            name,
        );
        self.store()
            .insert_api_token(current.user.id, name, &token_hash(&token), &audit)
            .await?;
        Ok(token)
    }

    /// Issues an API token for account `username` from the console (`minzheng user
    /// token`), for a district's batch jobs that act as that account, e.g. a payroll
    /// approval by a second person. Only the console operator may; the limit on live tokens
    /// holds as on the account page.
    pub async fn issue_api_token(
        &self,
        actor: &Actor,
        username: &str,
        name: &str,
    ) -> Result<String, Error> {
        if !actor.is_system() {
            return Err(Error::Forbidden);
        }
        let user = self.store().user_by_username(username.trim()).await?;
        let current = CurrentSession {
            actor: actor.clone(),
            user,
            csrf_token: String::new(),
            token_hash: String::new(),
        };
        self.create_api_token(&current, name).await
    }

    pub async fn api_tokens(&self, current: &CurrentSession) -> Result<Vec<ApiToken>, Error> {
        Ok(self.store().api_tokens_of(current.user.id).await?)
    }

    pub async fn revoke_api_token(&self, current: &CurrentSession, id: i64) -> Result<(), Error> {
        let audit = self.audit(
            &current.actor,
            "accounts.token_revoke",
            format!("token:{id}"),
            "",
            "",
        );
        Ok(self
            .store()
            .revoke_api_token(current.user.id, id, &audit)
            .await?)
    }

    /// The actor behind a bearer token, or `None` if it is unknown, revoked or its account
    /// is disabled or still has to choose its first password. A sign-in lock-out does not
    /// stop tokens: otherwise anyone could cut an account's integrations off by typing wrong
    /// passwords for it.
    pub async fn api_actor(&self, token: &str, client: &Client) -> Result<Option<Actor>, Error> {
        let (api_token, user) = match self.store().api_token(&token_hash(token)).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if api_token.revoked_at.is_some() || user.disabled || user.must_change_password {
            return Ok(None);
        }
        let now = self.now();
        if api_token
            .last_used_at
            .is_none_or(|t| now - t > Duration::minutes(1))
        {
            self.store().touch_api_token(api_token.id, now).await?;
        }
        Ok(Some(Actor::user(&user, client.address.clone())))
    }
}

/// A real Argon2id hash with the same parameters as account hashes, verified against when
/// the username does not exist so that both paths cost the same.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("minzheng timing equaliser").unwrap_or_default());
