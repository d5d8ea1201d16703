//! Signing in, sessions, passwords and API tokens through `service`, with the test clock,
//! on SQLite and PostgreSQL alike: the rules the web's cookies and bearer tokens rest on.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::Duration;
use service::sessions::{
    ABSOLUTE_TIMEOUT, Client, CurrentSession, IDLE_TIMEOUT, LOCKOUT, MAX_API_TOKENS,
    MAX_FAILED_SIGN_INS, SignInRefusal, SignedIn,
};
use service::users::AccountInput;
use service::{Actor, Error};
use store::AuditFilter;
use testkit::{TestDb, for_each_engine};

const PASSWORD: &str = "first-password-1";

fn client() -> Client {
    Client {
        address: "10.1.2.3".into(),
        user_agent: "test".into(),
    }
}

/// The demo district plus one account of `role` at `jurisdiction`; returns its id.
async fn setup(db: &TestDb, role: &str, jurisdiction: &str, must_change: bool) -> i64 {
    testkit::demo::build(&db.service).await.unwrap();
    let input = AccountInput {
        username: "zhang".into(),
        display_name: "张三".into(),
        role: role.into(),
        jurisdiction: jurisdiction.into(),
        password: PASSWORD.into(),
        phone: None,
        must_change_password: must_change,
    };
    db.service
        .add_account(&Actor::system(), input)
        .await
        .unwrap()
}

async fn sign_in(db: &TestDb, password: &str) -> Result<SignedIn, SignInRefusal> {
    db.service
        .sign_in("zhang", password, &client())
        .await
        .unwrap()
}

async fn session(db: &TestDb, signed: &SignedIn) -> Option<CurrentSession> {
    db.service.session(&signed.token, &client()).await.unwrap()
}

/// The audit actions, oldest first.
async fn actions(db: &TestDb) -> Vec<String> {
    let (entries, _) = db
        .store()
        .audit_entries(&AuditFilter::default(), 0, 1000)
        .await
        .unwrap();
    entries.into_iter().rev().map(|r| r.entry.action).collect()
}

fn refused_fields(
    result: Result<impl std::fmt::Debug, Error>,
) -> Vec<(&'static str, &'static str)> {
    match result {
        Err(Error::Invalid(errors)) => errors.iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_sign_in_opens_a_session_whose_token_is_not_stored() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, false).await;
        let signed = sign_in(db, PASSWORD).await.unwrap();
        assert_eq!(signed.token.len(), 64);
        assert_ne!(signed.token, signed.csrf_token);
        assert!(!signed.must_change_password);
        let current = session(db, &signed).await.unwrap();
        assert_eq!(current.actor.username, "zhang");
        assert_eq!(current.actor.role, Some(domain::Role::Leader));
        assert_eq!(current.actor.address, "10.1.2.3");
        assert_eq!(current.csrf_token, signed.csrf_token);
        // Only the hash is kept: the token itself finds nothing in the store.
        assert!(db.store().session(&signed.token).await.is_err());
        assert_eq!(
            current.token_hash,
            service::sessions::token_hash(&signed.token)
        );
        // Guessed and empty tokens find nothing.
        for token in ["", "00", &"0".repeat(64)] {
            assert!(
                db.service
                    .session(token, &client())
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        assert!(actions(db).await.contains(&"session.sign_in".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_and_unknown_names_are_refused_alike_and_audited() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, false).await;
        assert_eq!(
            sign_in(db, "wrong").await.unwrap_err(),
            SignInRefusal::WrongCredentials
        );
        let unknown = db
            .service
            .sign_in("nobody", PASSWORD, &client())
            .await
            .unwrap();
        assert_eq!(unknown.unwrap_err(), SignInRefusal::WrongCredentials);
        let (failed, _) = db
            .store()
            .audit_entries(
                &AuditFilter {
                    action_prefix: Some("session.sign_in_failed".into()),
                    ..AuditFilter::default()
                },
                0,
                10,
            )
            .await
            .unwrap();
        let who: Vec<(&str, &str)> = failed
            .iter()
            .rev()
            .map(|r| (r.entry.actor.as_str(), r.entry.address.as_str()))
            .collect();
        assert_eq!(who, [("zhang", "10.1.2.3"), ("?nobody", "10.1.2.3")]);
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account_until_the_lockout_passes() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, false).await;
        let start = db.service.now();
        for _ in 1..MAX_FAILED_SIGN_INS {
            assert_eq!(
                sign_in(db, "wrong").await.unwrap_err(),
                SignInRefusal::WrongCredentials
            );
        }
        let until = start + LOCKOUT;
        assert_eq!(
            sign_in(db, "wrong").await.unwrap_err(),
            SignInRefusal::Locked { until }
        );
        // The right password changes nothing while locked.
        assert_eq!(
            sign_in(db, PASSWORD).await.unwrap_err(),
            SignInRefusal::Locked { until }
        );
        db.clock.set(until - Duration::seconds(1));
        assert_eq!(
            sign_in(db, PASSWORD).await.unwrap_err(),
            SignInRefusal::Locked { until }
        );
        db.clock.set(until);
        sign_in(db, PASSWORD).await.unwrap();
        // A successful sign-in clears the count: four more failures do not lock again.
        let user = db.store().user_by_username("zhang").await.unwrap();
        assert_eq!((user.failed_logins, user.locked_until), (0, None));
        for _ in 1..MAX_FAILED_SIGN_INS {
            assert_eq!(
                sign_in(db, "wrong").await.unwrap_err(),
                SignInRefusal::WrongCredentials
            );
        }
        sign_in(db, PASSWORD).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_after_an_expired_lock_starts_the_count_afresh() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, false).await;
        for _ in 0..MAX_FAILED_SIGN_INS {
            sign_in(db, "wrong").await.unwrap_err();
        }
        db.clock.advance(LOCKOUT + Duration::seconds(1));
        // One slip after the lock has run out is one failure, not a new lock-out.
        assert_eq!(
            sign_in(db, "wrong").await.unwrap_err(),
            SignInRefusal::WrongCredentials
        );
        let user = db.store().user_by_username("zhang").await.unwrap();
        assert_eq!((user.failed_logins, user.locked_until), (1, None));
        sign_in(db, PASSWORD).await.unwrap();
        let details: Vec<String> = db
            .store()
            .audit_entries(
                &AuditFilter {
                    action_prefix: Some("session.sign_in_failed".into()),
                    ..Default::default()
                },
                0,
                10,
            )
            .await
            .unwrap()
            .0
            .into_iter()
            .map(|e| e.entry.detail)
            .collect();
        assert_eq!(details[0], "failed=1");
        assert!(
            details[1].starts_with("failed=5 locked_until="),
            "{details:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_the_absolute_limit() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, false).await;
        let idle = sign_in(db, PASSWORD).await.unwrap();
        // Exactly at the idle limit a session still counts, and that request restarts the
        // timer; a full limit and a second later it has ended.
        db.clock.advance(IDLE_TIMEOUT);
        assert!(session(db, &idle).await.is_some());
        db.clock.advance(IDLE_TIMEOUT + Duration::seconds(1));
        assert!(session(db, &idle).await.is_none());
        let busy = sign_in(db, PASSWORD).await.unwrap();
        let mut elapsed = Duration::zero();
        while elapsed + Duration::minutes(20) <= ABSOLUTE_TIMEOUT {
            db.clock.advance(Duration::minutes(20));
            elapsed += Duration::minutes(20);
            assert!(session(db, &busy).await.is_some(), "after {elapsed}");
        }
        db.clock.advance(Duration::minutes(20));
        assert!(session(db, &busy).await.is_none());
    })
    .await;
}

#[tokio::test]
async fn signing_out_ends_one_session_or_all_of_them() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, false).await;
        let a = sign_in(db, PASSWORD).await.unwrap();
        let b = sign_in(db, PASSWORD).await.unwrap();
        let c = sign_in(db, PASSWORD).await.unwrap();
        db.service
            .sign_out(&session(db, &a).await.unwrap())
            .await
            .unwrap();
        assert!(session(db, &a).await.is_none());
        assert!(session(db, &b).await.is_some());
        let ended = db
            .service
            .sign_out_everywhere(&session(db, &b).await.unwrap())
            .await
            .unwrap();
        assert_eq!(ended, 2);
        assert!(session(db, &b).await.is_none());
        assert!(session(db, &c).await.is_none());
        let actions = actions(db).await;
        assert!(
            actions.contains(&"session.sign_out".to_owned()),
            "{actions:?}"
        );
        assert!(
            actions.contains(&"session.sign_out_everywhere".to_owned()),
            "{actions:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn changing_the_password_checks_it_and_ends_the_other_sessions() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, true).await;
        let here = sign_in(db, PASSWORD).await.unwrap();
        assert!(here.must_change_password);
        let elsewhere = sign_in(db, PASSWORD).await.unwrap();
        let current = session(db, &here).await.unwrap();
        let change = async |old: &str, new: &str, repeat: &str| {
            db.service.change_password(&current, old, new, repeat).await
        };
        assert_eq!(
            refused_fields(change("wrong", "short", "other").await),
            [
                ("old_password", "account.password_wrong"),
                ("password", "account.password_short"),
                ("repeat_password", "account.password_mismatch"),
            ]
        );
        assert_eq!(
            refused_fields(change(PASSWORD, PASSWORD, PASSWORD).await),
            [("password", "account.password_unchanged")]
        );
        assert_eq!(
            refused_fields(change(PASSWORD, "zhang", "zhang").await),
            [("password", "account.password_short")]
        );
        // Nothing changed yet.
        assert!(session(db, &elsewhere).await.is_some());

        change(PASSWORD, "second-password-2", "second-password-2")
            .await
            .unwrap();
        assert!(session(db, &here).await.is_some());
        assert!(session(db, &elsewhere).await.is_none());
        let user = db.store().user_by_username("zhang").await.unwrap();
        assert!(!user.must_change_password);
        assert!(user.password_hash.starts_with("$argon2id$"));
        assert_eq!(
            sign_in(db, PASSWORD).await.unwrap_err(),
            SignInRefusal::WrongCredentials
        );
        assert!(
            !sign_in(db, "second-password-2")
                .await
                .unwrap()
                .must_change_password
        );
        assert!(
            actions(db)
                .await
                .contains(&"accounts.password_change".to_owned())
        );
    })
    .await;
}

#[tokio::test]
async fn api_tokens_act_as_their_account_until_revoked() {
    for_each_engine(async |db| {
        let id = setup(db, "street_officer", "990101001000", false).await;
        let current = session(db, &sign_in(db, PASSWORD).await.unwrap())
            .await
            .unwrap();
        let token = db
            .service
            .create_api_token(&current, " 台账 ")
            .await
            .unwrap();
        assert!(token.starts_with("mz_") && token.len() == 67, "{token}");
        let actor = db
            .service
            .api_actor(&token, &client())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(actor.role, Some(domain::Role::StreetOfficer));
        assert_eq!(actor.jurisdiction, Some("990101001000".parse().unwrap()));
        // Only the hash and the name are kept; the use is noted.
        let listed = db.service.api_tokens(&current).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].user_id, listed[0].name.as_str()), (id, "台账"));
        assert!(listed[0].last_used_at.is_some());
        assert!(db.store().api_token(&token).await.is_err());

        for bad in ["", "   ", &"名".repeat(51)] {
            let result = db.service.create_api_token(&current, bad).await;
            assert_eq!(
                refused_fields(result),
                [("token_name", "account.token_name")]
            );
        }
        for i in 1..MAX_API_TOKENS {
            db.service
                .create_api_token(&current, &format!("t{i}"))
                .await
                .unwrap();
        }
        let one_too_many = db.service.create_api_token(&current, "more").await;
        assert_eq!(
            refused_fields(one_too_many),
            [("token_name", "account.too_many_tokens")]
        );

        db.service
            .revoke_api_token(&current, listed[0].id)
            .await
            .unwrap();
        assert!(
            db.service
                .api_actor(&token, &client())
                .await
                .unwrap()
                .is_none()
        );
        // Revoking again, or a token that is not one's own, is not found.
        let again = db.service.revoke_api_token(&current, listed[0].id).await;
        assert!(matches!(again, Err(Error::NotFound)), "{again:?}");
        let mut other = current.clone();
        other.user.id = 1;
        let live = db.service.api_tokens(&current).await.unwrap();
        let theirs = db.service.revoke_api_token(&other, live[1].id).await;
        assert!(matches!(theirs, Err(Error::NotFound)), "{theirs:?}");
        for guess in ["", "mz_", &format!("mz_{}", "0".repeat(64))] {
            assert!(
                db.service
                    .api_actor(guess, &client())
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        let actions = actions(db).await;
        assert!(actions.contains(&"accounts.token_create".to_owned()));
        assert!(actions.contains(&"accounts.token_revoke".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn an_account_that_must_change_its_password_has_no_api_access() {
    for_each_engine(async |db| {
        setup(db, "leader", testkit::demo::COUNTY, true).await;
        let signed = sign_in(db, PASSWORD).await.unwrap();
        let current = session(db, &signed).await.unwrap();
        let token = db
            .service
            .create_api_token(&current, "early")
            .await
            .unwrap();
        assert!(
            db.service
                .api_actor(&token, &client())
                .await
                .unwrap()
                .is_none()
        );
        db.service
            .change_password(&current, PASSWORD, "second-password-2", "second-password-2")
            .await
            .unwrap();
        // A password change ends every token made before it: a token minted from a stolen
        // session must not outlive the owner's recovery.
        assert!(
            db.service
                .api_actor(&token, &client())
                .await
                .unwrap()
                .is_none()
        );
        let fresh = db
            .service
            .create_api_token(&current, "after")
            .await
            .unwrap();
        assert!(
            db.service
                .api_actor(&fresh, &client())
                .await
                .unwrap()
                .is_some()
        );
    })
    .await;
}

#[tokio::test]
async fn a_disabled_account_can_neither_sign_in_nor_keep_its_sessions_and_tokens() {
    for_each_engine(async |db| {
        let id = setup(db, "leader", testkit::demo::COUNTY, false).await;
        let signed = sign_in(db, PASSWORD).await.unwrap();
        let current = session(db, &signed).await.unwrap();
        let token = db
            .service
            .create_api_token(&current, "batch")
            .await
            .unwrap();

        let user = db.store().user(id).await.unwrap();
        let change = store::UserChange {
            display_name: user.display_name,
            role: user.role,
            jurisdiction: user.jurisdiction,
            phone: user.phone,
            disabled: true,
        };
        let audit = db
            .service
            .audit(&Actor::system(), "accounts.update", "user:zhang", "", "");
        db.store().update_user(id, &change, &audit).await.unwrap();

        assert!(session(db, &signed).await.is_none());
        assert!(
            db.service
                .api_actor(&token, &client())
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            sign_in(db, PASSWORD).await.unwrap_err(),
            SignInRefusal::Disabled
        );
        // A wrong password says only that: a guesser does not learn the account is disabled.
        assert_eq!(
            sign_in(db, "wrong").await.unwrap_err(),
            SignInRefusal::WrongCredentials
        );
    })
    .await;
}

#[tokio::test]
async fn roles_and_jurisdiction_are_checked_in_the_service() {
    for_each_engine(async |db| {
        setup(db, "community_worker", "990101001001", false).await;
        let current = session(db, &sign_in(db, PASSWORD).await.unwrap())
            .await
            .unwrap();
        let actor = &current.actor;
        let code = |c: &str| -> domain::DivisionCode { c.parse().unwrap() };
        // Its own community, through every use case that reads divisions.
        let roots = db.service.division_roots(actor).await.unwrap();
        assert_eq!(roots[0].division.code, code("990101001001"));
        db.service
            .division_path(actor, &code("990101001001"))
            .await
            .unwrap();
        let own = db
            .service
            .divisions_within(actor, &code("990101001001"))
            .await
            .unwrap();
        assert_eq!(own.len(), 1);
        // Its street and a neighbouring community exist, but not for it.
        for outside in ["990101001000", "990101001002", "990101000000"] {
            let path = db.service.division_path(actor, &code(outside)).await;
            assert!(matches!(path, Err(Error::NotFound)), "{outside}: {path:?}");
            let export = db.service.divisions_within(actor, &code(outside)).await;
            assert!(
                matches!(export, Err(Error::NotFound)),
                "{outside}: {export:?}"
            );
        }
        // The path up stops at the jurisdiction: nothing above it is shown.
        let path = db
            .service
            .division_path(actor, &code("990101001001"))
            .await
            .unwrap();
        assert!(path.ancestors.is_empty());
        // A role without the permission is refused outright, whatever the record.
        let import = db
            .service
            .import_divisions(actor, b"code,name\n990101001001,x\n")
            .await;
        assert!(matches!(import, Err(Error::Forbidden)), "{import:?}");
        // Someone not signed in may do nothing at all.
        let stranger = Actor::anonymous("10.0.0.9", "zhang");
        let roots = db.service.division_roots(&stranger).await;
        assert!(matches!(roots, Err(Error::Forbidden)), "{roots:?}");
    })
    .await;
}
