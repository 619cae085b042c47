//! "Forgot password?": a one-time link by e-mail to choose a new password. The answer to a
//! request never says whether the address has an account; a link works once, for
//! [`VALID_FOR`], and only its digest is stored. Users whose account requires single sign-on
//! (but its break-glass admin) and platform operators (who reset with `simdesk create-admin`)
//! get no link.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};

use crate::audit::AuditEvent;
use crate::auth::password_allowed;
use crate::db::{begin, begin_write, DataScope};
use crate::email::normalize_email;
use crate::entity::{app_user, user_token};
use crate::mail::{self, InvitationMail, MailContext, NewMail, PasswordResetMail};
use crate::tokens::{random_token, sha256_hex};
use crate::{password, DatabaseConnection, DomainError, DomainResult};
use simdesk_types::{Role, Wording};

/// How long a link works.
pub const VALID_FOR: Duration = Duration::minutes(30);
/// Links sent per user and hour at most; further requests are ignored, as unknown ones are.
const PER_HOUR: u64 = 3;
const PURPOSE: &str = "password_reset";
/// A new user's first password is chosen through the same kind of link, valid longer.
const INVITATION: &str = "invitation";
pub const INVITATION_VALID_FOR: Duration = Duration::days(7);
pub const INVITATION_EVENT: &str = "user.invited";
/// The notification event of the e-mail.
pub const EVENT: &str = "user.password_reset";

fn expired() -> Wording {
    Wording::new(
        "This link has expired or was already used. Ask for a new one.",
        "Dieser Link ist abgelaufen oder wurde bereits verwendet. Fordern Sie einen neuen an.",
    )
}

/// Sends a reset link to `email` if it belongs to an active user who signs in with a
/// password. Succeeds alike whether or not it does.
pub async fn request(db: &DatabaseConnection, email: &str) -> DomainResult<()> {
    let email = normalize_email(email);
    if email.is_empty() || email.len() > 320 {
        return Err(DomainError::invalid(
            "email",
            Wording::new(
                "Enter your e-mail address.",
                "Geben Sie Ihre E-Mail-Adresse ein.",
            ),
        ));
    }
    // Before the tenant is known; it reads one user by address.
    let txn = begin_write(db, DataScope::System).await?;
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&email))
        .filter(app_user::Column::Active.eq(true))
        .one(&txn)
        .await?;
    let Some(user) = user else {
        return Ok(());
    };
    let Some(tenant_id) = user.tenant_id else {
        return Ok(());
    };
    if !password_allowed(&txn, &user).await? {
        return Ok(());
    }
    let now = Utc::now();
    let recent = user_token::Entity::find()
        .filter(user_token::Column::UserId.eq(user.id))
        .filter(user_token::Column::Purpose.eq(PURPOSE))
        .filter(user_token::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(&txn)
        .await?;
    if recent >= PER_HOUR {
        tracing::warn!(
            user = user.id,
            "password reset requests over the hourly limit"
        );
        return Ok(());
    }
    let language = crate::actor::language_of(&user);
    let token = random_token();
    user_token::ActiveModel {
        tenant_id: Set(tenant_id),
        user_id: Set(user.id),
        purpose: Set(PURPOSE.to_owned()),
        token_hash: Set(sha256_hex(token.as_bytes())),
        expires_at: Set(now + VALID_FOR),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    mail::enqueue(
        &txn,
        NewMail {
            tenant_id,
            account_id: user.account_id,
            purchase_order_id: None,
            event: EVENT,
            recipient_user_id: Some(user.id),
            recipient_email: &user.email,
            subject: language.pick("Choose a new password", "Neues Passwort wählen"),
            context: MailContext::PasswordReset(PasswordResetMail {
                recipient_name: user.display_name.clone(),
                token,
                valid_minutes: VALID_FOR.num_minutes(),
                language,
            }),
        },
    )
    .await?;
    AuditEvent::new("user.password_reset_requested", "user")
        .target(user.id)
        .tenant(Some(tenant_id), user.account_id)
        .record(&txn, None)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Invites `user`, just created without a password by `invited_by` as `role`: a one-time link
/// to choose their password, e-mailed in the caller's transaction, in the user's language.
pub(crate) async fn invite(
    txn: &sea_orm::DatabaseTransaction,
    user: &app_user::Model,
    invited_by: &str,
    role: Role,
) -> DomainResult<()> {
    let language = crate::actor::language_of(user);
    let Some(tenant_id) = user.tenant_id else {
        return Ok(());
    };
    let now = Utc::now();
    let token = random_token();
    user_token::ActiveModel {
        tenant_id: Set(tenant_id),
        user_id: Set(user.id),
        purpose: Set(INVITATION.to_owned()),
        token_hash: Set(sha256_hex(token.as_bytes())),
        expires_at: Set(now + INVITATION_VALID_FOR),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    mail::enqueue(
        txn,
        NewMail {
            tenant_id,
            account_id: user.account_id,
            purchase_order_id: None,
            event: INVITATION_EVENT,
            recipient_user_id: Some(user.id),
            recipient_email: &user.email,
            subject: language.pick(
                "You are invited to the SIM portal",
                "Ihre Einladung zum SIM-Portal",
            ),
            context: MailContext::Invitation(InvitationMail {
                recipient_name: user.display_name.clone(),
                invited_by: invited_by.to_owned(),
                role: role.label_in(language).to_owned(),
                token,
                valid_days: INVITATION_VALID_FOR.num_days(),
                language,
            }),
        },
    )
    .await
}

/// The valid, unused link `token` names.
async fn valid_link(
    txn: &sea_orm::DatabaseTransaction,
    token: &str,
) -> DomainResult<user_token::Model> {
    if token.is_empty() || token.len() > 100 {
        return Err(DomainError::invalid("token", expired()));
    }
    user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .filter(user_token::Column::Purpose.is_in([PURPOSE, INVITATION]))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(Utc::now()))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid("token", expired()))
}

/// Whether `token` is a link that still works, for the page that asks for the new password.
pub async fn check(db: &DatabaseConnection, token: &str) -> DomainResult<()> {
    let txn = begin(db, DataScope::System).await?;
    valid_link(&txn, token).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets the password of the link's user to `new_password` and uses the link up, with every
/// other link of theirs; lifts a sign-in lockout.
pub async fn complete(
    db: &DatabaseConnection,
    token: &str,
    new_password: &str,
) -> DomainResult<()> {
    password::validate_new_password(new_password)?;
    let txn = begin(db, DataScope::System).await?;
    let link = valid_link(&txn, token).await?;
    txn.commit().await?;
    let hashed = password::hash(new_password.to_owned()).await?;
    let txn = begin_write(db, DataScope::Tenant(link.tenant_id)).await?;
    // Two submissions of one link: only the first sets the password.
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(user_token::Column::Id.eq(link.id))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(DomainError::invalid("token", expired()));
    }
    user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(user_token::Column::UserId.eq(link.user_id))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    let user = app_user::Entity::find_by_id(link.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| DomainError::invalid("token", expired()))?;
    let account_id = user.account_id;
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(hashed));
    active.must_change_password = Set(false);
    active.failed_sign_ins = Set(0);
    active.locked_until = Set(None);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    crate::second_factor::distrust_browsers(&txn, link.user_id).await?;
    AuditEvent::new("user.password_reset", "user")
        .target(link.user_id)
        .tenant(Some(link.tenant_id), account_id)
        .record(&txn, Some(link.user_id))
        .await?;
    txn.commit().await?;
    Ok(())
}
