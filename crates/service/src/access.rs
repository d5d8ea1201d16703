//! Who is acting, and the checks every use case makes before it reads or writes: the role's
//! permission for (business line, action), and the jurisdiction over the record's division.
//! A record outside the jurisdiction is reported as not found, never as forbidden, so its
//! existence does not leak.

use domain::{Action, DivisionCode, Line, Role};
use store::{AuditEntry, User};

use crate::{Error, Service};

/// The one acting: a signed-in account, or the operator at the console (`minzheng` commands
/// run by whoever can open the database, who is trusted with everything and audited as
/// `system`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub user_id: Option<i64>,
    /// `None` for the console operator.
    pub role: Option<Role>,
    /// The root of the division subtree this actor sees; `None` for the console operator.
    pub jurisdiction: Option<DivisionCode>,
    /// Where the request came from: an IP address, or `cli`.
    pub address: String,
}

impl Actor {
    /// The operator running a `minzheng` command.
    pub fn system() -> Self {
        Self {
            username: "system".into(),
            user_id: None,
            role: None,
            jurisdiction: None,
            address: "cli".into(),
        }
    }

    /// Someone not signed in, named by what they typed; has no permission at all. Used to
    /// audit failed sign-ins.
    /// What was typed is kept only if it could be a user name: people sometimes type their
    /// password into the name box, and the audit log keeps everything forever.
    pub fn anonymous(address: &str, claimed: &str) -> Self {
        let plausible = (3..=32).contains(&claimed.len())
            && claimed.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.')
            });
        Self {
            username: if plausible {
                format!("?{claimed}")
            } else {
                "?".to_owned()
            },
            user_id: Some(0),
            role: None,
            jurisdiction: None,
            address: address.to_owned(),
        }
    }

    /// A signed-in account acting from `address`. An account whose stored role is unknown
    /// gets no role at all, and so no permission.
    pub fn user(user: &User, address: impl Into<String>) -> Self {
        Self {
            username: user.username.clone(),
            user_id: Some(user.id),
            role: user.role.parse().ok(),
            jurisdiction: Some(user.jurisdiction.clone()),
            address: address.into(),
        }
    }

    pub fn is_system(&self) -> bool {
        self.user_id.is_none()
    }

    pub fn may(&self, line: Line, action: Action) -> bool {
        match (self.is_system(), self.role) {
            (true, _) => true,
            (false, Some(role)) => role.allows(line, action),
            (false, None) => false,
        }
    }

    /// Whether `code` lies in this actor's jurisdiction.
    pub fn sees(&self, code: &DivisionCode) -> bool {
        match &self.jurisdiction {
            None => self.is_system(),
            Some(root) => code.is_within(root),
        }
    }
}

impl Service {
    /// The acting account's own record (nobody else's), for "who am I" answers.
    pub async fn own_account(&self, actor: &Actor) -> Result<User, Error> {
        let id = actor.user_id.filter(|id| *id > 0).ok_or(Error::NotFound)?;
        Ok(self.store().user(id).await?)
    }

    /// The name of the actor's own jurisdiction, e.g. for the account page.
    pub async fn own_jurisdiction(&self, actor: &Actor) -> Result<store::Division, Error> {
        let code = actor.jurisdiction.as_ref().ok_or(Error::NotFound)?;
        Ok(self.store().division(code).await?)
    }

    /// Whether the database answers, for a load balancer's health check.
    pub async fn health_check(&self) -> Result<(), Error> {
        self.store().division_total().await?;
        Ok(())
    }

    /// Refuses unless the actor's role allows (`line`, `action`).
    pub fn authorize(&self, actor: &Actor, line: Line, action: Action) -> Result<(), Error> {
        if actor.may(line, action) {
            Ok(())
        } else {
            tracing::info!(actor = %actor.username, line = line.as_str(), action = action.as_str(), "forbidden");
            Err(Error::Forbidden)
        }
    }

    /// Refuses as not found unless the actor sees `code`.
    pub fn within(&self, actor: &Actor, code: &DivisionCode) -> Result<(), Error> {
        if actor.sees(code) {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// An audit entry for something `actor` does now.
    pub fn audit(
        &self,
        actor: &Actor,
        action: &str,
        object: impl Into<String>,
        reason: &str,
        detail: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            at: self.now(),
            actor: actor.username.clone(),
            address: actor.address.clone(),
            action: action.into(),
            object: object.into(),
            reason: reason.into(),
            detail: detail.into(),
        }
    }
}
