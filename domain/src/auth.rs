//! Local sign-in with lockout, password change, and the audit trail of both.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::email::normalize_email;
use crate::entity::{app_user, identity_provider};
use crate::{password, Actor, DomainError, DomainResult};

/// Consecutive failures after which an account is paused.
pub const LOCKOUT_THRESHOLD: i32 = 5;
/// How long a paused account stays paused.
pub const LOCKOUT_MINUTES: i64 = 15;

/// Signs a user in with e-mail and password. Every failure is the same `SignInFailed`, whether
/// the e-mail is unknown, the password wrong, the user deactivated or the account locked, and
/// each costs one password verification, so neither the answer nor its timing tells them apart.
pub async fn sign_in(db: &DatabaseConnection, email: &str, password: &str) -> DomainResult<Actor> {
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
        let mut active = user.clone().into_active_model();
        active.failed_sign_ins = Set(0);
        active.locked_until = Set(None);
        active.last_sign_in_at = Set(Some(now));
        active.update(&txn).await?;
        AuditEvent::new("user.signed_in", "user")
            .target(user.id)
            .tenant(user.tenant_id, user.account_id)
            .record(&txn, Some(user.id))
            .await?;
        txn.commit().await?;
        return Actor::load(db, user.id)
            .await?
            .ok_or(DomainError::SignInFailed);
    }

    // Count the failure atomically, so parallel guesses cannot slip past the threshold.
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::FailedSignIns,
            Expr::col(app_user::Column::FailedSignIns).add(1),
        )
        .filter(app_user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    let failures = app_user::Entity::find_by_id(user.id)
        .one(&txn)
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
            .exec(&txn)
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
    .record(&txn, None)
    .await?;
    txn.commit().await?;
    Err(DomainError::SignInFailed)
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
            "Choose a password different from the current one.",
        ));
    }
    let txn = begin(db, DataScope::of(actor)).await?;
    let user = app_user::Entity::find_by_id(actor.user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    txn.commit().await?;
    if !password::verify(current.to_owned(), user.password_hash.clone()).await? {
        return Err(DomainError::invalid(
            "current_password",
            "The current password is not correct.",
        ));
    }
    let hashed = password::hash(new.to_owned()).await?;
    let txn = begin_write(db, DataScope::of(actor)).await?;
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(hashed));
    active.must_change_password = Set(false);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
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
