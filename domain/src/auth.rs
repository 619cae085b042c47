//! Local sign-in with lockout and a second factor, the actor of a signed-in session, password
//! change, and the audit trail of each.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use simdesk_types::Wording;

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::email::normalize_email;
use crate::entity::{app_user, identity_provider};
use crate::second_factor::{self, Passed};
use crate::secret::SecretKey;
use crate::{password, Actor, DomainError, DomainResult};

/// Consecutive failures after which an account is paused.
pub const LOCKOUT_THRESHOLD: i32 = 5;
/// How long a paused account stays paused.
pub const LOCKOUT_MINUTES: i64 = 15;

/// Where a sign-in with a correct password stands.
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in.
    Done(Actor),
    /// The user has a second factor: a code completes the sign-in ([`complete_second_factor`]).
    SecondFactor { user_id: i64 },
}

/// Signs a user in with e-mail and password. Every failure is the same `SignInFailed`, whether
/// the e-mail is unknown, the password wrong, the user deactivated or the account locked, and
/// each costs one password verification, so neither the answer nor its timing tells them apart.
/// A user with a second factor is asked for a code next, unless `trusted_browser` is the
/// cookie of a browser they chose to trust.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    trusted_browser: Option<&str>,
) -> DomainResult<SignInStep> {
    let email = normalize_email(email);
    if email.is_empty() || password.is_empty() || password.len() > password::MAX_PASSWORD_LENGTH {
        return Err(DomainError::SignInFailed);
    }
    let txn = begin(db, DataScope::System).await?;
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    txn.commit().await?;

    let now = Utc::now();
    let usable = user
        .as_ref()
        .is_some_and(|u| u.active && u.locked_until.is_none_or(|until| until <= now));
    let stored_hash = user
        .as_ref()
        .filter(|_| usable)
        .and_then(|u| u.password_hash.clone());
    let password_ok = password::verify(password.to_owned(), stored_hash).await?;

    let Some(user) = user else {
        return Err(DomainError::SignInFailed);
    };
    let txn = begin_write(db, DataScope::System).await?;
    if password_ok && usable && !password_allowed(&txn, &user).await? {
        AuditEvent::new("user.sign_in_refused", "user")
            .target(user.id)
            .tenant(user.tenant_id, user.account_id)
            .details(json!({ "reason": "single sign-on required" }))
            .record(&txn, None)
            .await?;
        txn.commit().await?;
        return Err(DomainError::SsoRequired);
    }
    if password_ok && usable {
        if second_factor::enabled(&user)
            && !second_factor::browser_trusted(&txn, user.id, trusted_browser, now).await?
        {
            // The failure count stays until the code is right, so guessing codes after a
            // correct password still runs into the lockout.
            txn.commit().await?;
            return Ok(SignInStep::SecondFactor { user_id: user.id });
        }
        let how = if second_factor::enabled(&user) {
            json!({ "second_factor": "trusted_browser" })
        } else {
            json!({})
        };
        return signed_in(db, txn, &user, how).await.map(SignInStep::Done);
    }
    count_failure(&txn, &user, usable, now).await?;
    txn.commit().await?;
    Err(DomainError::SignInFailed)
}

/// Completes a sign-in whose password was right with a code from the user's authenticator app
/// or one of their recovery codes. A wrong code counts as a failed sign-in, towards the same
/// lockout as a wrong password; a code is accepted once.
pub async fn complete_second_factor(
    db: &DatabaseConnection,
    key: &SecretKey,
    user_id: i64,
    code: &str,
) -> DomainResult<Actor> {
    let now = Utc::now();
    let txn = begin_write(db, DataScope::System).await?;
    // The user's row is locked before it is read, so parallel guesses take turns and each sees
    // the failures counted before it: none is checked once the lockout holds.
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::FailedSignIns,
            Expr::col(app_user::Column::FailedSignIns).into(),
        )
        .filter(app_user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    let user = app_user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::SignInFailed)?;
    let usable = user.active && user.locked_until.is_none_or(|until| until <= now);
    let passed = if usable && code.len() <= 64 {
        second_factor::spend_code(&txn, key, &user, code, now).await?
    } else {
        None
    };
    let Some(passed) = passed else {
        count_failure(&txn, &user, usable, now).await?;
        txn.commit().await?;
        return Err(DomainError::SignInFailed);
    };
    let mut how = json!({ "second_factor": passed.as_str() });
    if passed == Passed::RecoveryCode {
        how["recovery_codes_left"] = second_factor::recovery_codes_left(&txn, user.id)
            .await?
            .into();
    }
    signed_in(db, txn, &user, how).await
}

/// The actor of a signed-in session, or `None` when the user is gone or deactivated. Marks a
/// user whose provider requires a second factor they have not set up, unless the session's
/// sign-in was vouched for elsewhere (their company's identity provider, a procurement
/// system's shared secret), where a second factor is that side's business.
pub async fn session_actor(
    db: &DatabaseConnection,
    user_id: i64,
    vouched_elsewhere: bool,
) -> DomainResult<Option<Actor>> {
    let Some((mut actor, user)) = Actor::load_with_user(db, user_id).await? else {
        return Ok(None);
    };
    // Runs on every request: the tenant is read only for a covered user without a factor.
    if !vouched_elsewhere
        && !second_factor::enabled(&user)
        && crate::policy::second_factor_applies(&actor.roles)
    {
        let txn = begin(db, DataScope::of(&actor)).await?;
        actor.must_enrol_second_factor =
            second_factor::enrolment_due(&txn, &user, &actor.roles).await?;
        txn.commit().await?;
    }
    Ok(Some(actor))
}

/// Ends a successful sign-in: the failure count and any pause cleared, the time noted, the
/// audit row written (`how` says which second factor, if any), the actor loaded.
async fn signed_in(
    db: &DatabaseConnection,
    txn: sea_orm::DatabaseTransaction,
    user: &app_user::Model,
    how: serde_json::Value,
) -> DomainResult<Actor> {
    app_user::Entity::update_many()
        .col_expr(app_user::Column::FailedSignIns, Expr::value(0))
        .col_expr(
            app_user::Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            app_user::Column::LastSignInAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(app_user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    AuditEvent::new("user.signed_in", "user")
        .target(user.id)
        .tenant(user.tenant_id, user.account_id)
        .details(how)
        .record(&txn, Some(user.id))
        .await?;
    txn.commit().await?;
    session_actor(db, user.id, false)
        .await?
        .ok_or(DomainError::SignInFailed)
}

/// Counts a failed sign-in (a wrong password or code), and pauses the user at the threshold.
async fn count_failure(
    txn: &impl ConnectionTrait,
    user: &app_user::Model,
    usable: bool,
    now: chrono::DateTime<Utc>,
) -> DomainResult<()> {
    // Count the failure atomically, so parallel guesses cannot slip past the threshold.
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::FailedSignIns,
            Expr::col(app_user::Column::FailedSignIns).add(1),
        )
        .filter(app_user::Column::Id.eq(user.id))
        .exec(txn)
        .await?;
    let failures = app_user::Entity::find_by_id(user.id)
        .one(txn)
        .await?
        .map_or(0, |u| u.failed_sign_ins);
    let locks_now = failures >= LOCKOUT_THRESHOLD && usable;
    if locks_now {
        app_user::Entity::update_many()
            .col_expr(
                app_user::Column::LockedUntil,
                Expr::value(Some(now + Duration::minutes(LOCKOUT_MINUTES))),
            )
            .col_expr(app_user::Column::FailedSignIns, Expr::value(0))
            .filter(app_user::Column::Id.eq(user.id))
            .exec(txn)
            .await?;
    }
    AuditEvent::new(
        if locks_now {
            "user.locked_out"
        } else {
            "user.sign_in_failed"
        },
        "user",
    )
    .target(user.id)
    .tenant(user.tenant_id, user.account_id)
    .details(json!({ "consecutive_failures": failures }))
    .record(txn, None)
    .await?;
    Ok(())
}

/// Records a sign-out in the audit log.
pub async fn record_sign_out(db: &DatabaseConnection, actor: &Actor) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::of(actor)).await?;
    AuditEvent::new("user.signed_out", "user")
        .target(actor.user_id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the actor's own password after checking the current one.
pub async fn change_password(
    db: &DatabaseConnection,
    actor: &Actor,
    current: &str,
    new: &str,
) -> DomainResult<()> {
    password::validate_new_password(new)?;
    if current == new {
        return Err(DomainError::invalid(
            "new_password",
            Wording::new(
                "Choose a password different from the current one.",
                "Wählen Sie ein anderes Passwort als das aktuelle.",
            ),
        ));
    }
    let txn = begin(db, DataScope::of(actor)).await?;
    let user = crate::actor::own_user(&txn, actor).await?;
    txn.commit().await?;
    if !password::verify(current.to_owned(), user.password_hash.clone()).await? {
        return Err(DomainError::invalid(
            "current_password",
            Wording::new(
                "The current password is not correct.",
                "Das aktuelle Passwort ist nicht richtig.",
            ),
        ));
    }
    let hashed = password::hash(new.to_owned()).await?;
    let txn = begin_write(db, DataScope::of(actor)).await?;
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(hashed));
    active.must_change_password = Set(false);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    second_factor::distrust_browsers(&txn, actor.user_id).await?;
    AuditEvent::new("user.password_changed", "user")
        .target(actor.user_id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether the user may sign in with a password: not when the account requires single sign-on,
/// except for its break-glass admin.
pub(crate) async fn password_allowed(
    db: &impl ConnectionTrait,
    user: &app_user::Model,
) -> DomainResult<bool> {
    let Some(account_id) = user.account_id else {
        return Ok(true);
    };
    let provider = identity_provider::Entity::find()
        .filter(identity_provider::Column::AccountId.eq(account_id))
        .one(db)
        .await?;
    Ok(match provider {
        Some(p) if p.enabled && p.require_sso => p.break_glass_user_id == Some(user.id),
        _ => true,
    })
}
