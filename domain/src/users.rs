//! User management: tenant admins manage their staff, account admins their account's users.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{Locale, Role, UserDirectory, UserRow, Wording};
use std::collections::HashMap;

use crate::actor::roles_of;
use crate::audit::{denials, AuditEvent};
use crate::auth::password_allowed;
use crate::db::{begin, begin_write, DataScope};
use crate::email::{normalize_email, validate_email};
use crate::entity::{account, app_user, membership};
use crate::policy::UserGroup;
use crate::{money, password, password_reset, Actor, DomainError, DomainResult};

/// What an admin enters to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Set by the admin and handed over out of band; the user must change it at first sign-in.
    /// Empty: the user is e-mailed an invitation link to choose their own.
    pub initial_password: String,
}

/// The users the actor administers, with the roles they may hand out.
pub async fn directory(db: &DatabaseConnection, actor: &Actor) -> DomainResult<UserDirectory> {
    let group = UserGroup::managed_by(actor)?;
    let txn = begin(db, DataScope::of(actor)).await?;
    let mut query = app_user::Entity::find()
        .filter(app_user::Column::TenantId.eq(group.tenant_id()))
        .order_by_asc(app_user::Column::Email);
    query = match group.account_id() {
        Some(account_id) => query.filter(app_user::Column::AccountId.eq(account_id)),
        None => query.filter(app_user::Column::AccountId.is_null()),
    };
    let users = query.all(&txn).await?;
    let rows = to_rows(&txn, users).await?;
    let heading = match group.account_id() {
        Some(account_id) => {
            let name = account::Entity::find_by_id(account_id)
                .one(&txn)
                .await?
                .map_or_else(String::new, |a| a.name);
            actor
                .language
                .pick(format!("Users of {name}"), format!("Nutzer von {name}"))
        }
        None => actor
            .language
            .pick(
                "Service-provider staff",
                "Mitarbeitende des Dienstanbieters",
            )
            .to_owned(),
    };
    txn.commit().await?;
    Ok(UserDirectory {
        heading,
        acting_user_id: actor.user_id,
        assignable_roles: group.assignable_roles().to_vec(),
        users: rows,
    })
}

pub(crate) async fn to_rows(
    db: &impl ConnectionTrait,
    users: Vec<app_user::Model>,
) -> DomainResult<Vec<UserRow>> {
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for m in membership::Entity::find()
        .filter(membership::Column::UserId.is_in(ids))
        .all(db)
        .await?
    {
        if let Ok(role) = m.role.parse() {
            roles.entry(m.user_id).or_default().push(role);
        }
    }
    let account_ids: Vec<i64> = users.iter().filter_map(|u| u.account_id).collect();
    let accounts: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(account_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(users
        .into_iter()
        .map(|u| {
            let mut user_roles = roles.remove(&u.id).unwrap_or_default();
            user_roles.sort();
            let spending_limit = spending_limit_of(&u);
            let second_factor = crate::second_factor::enabled(&u);
            UserRow {
                id: u.id,
                account_name: u.account_id.and_then(|id| accounts.get(&id).cloned()),
                email: u.email,
                display_name: u.display_name,
                roles: user_roles,
                active: u.active,
                spending_limit,
                last_sign_in_at: u.last_sign_in_at,
                second_factor,
            }
        })
        .collect())
}

fn validate_display_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid(
            "display_name",
            Wording::new(
                "Enter the person's name.",
                "Geben Sie den Namen der Person ein.",
            ),
        ));
    }
    if name.chars().count() > 200 {
        return Err(DomainError::invalid(
            "display_name",
            Wording::new(
                "Use at most 200 characters.",
                "Verwenden Sie höchstens 200 Zeichen.",
            ),
        ));
    }
    Ok(name.to_owned())
}

fn require_assignable(group: UserGroup, role: Role) -> DomainResult<()> {
    if group.assignable_roles().contains(&role) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "role",
            Wording::new(
                format!("{} cannot be given here.", role.label()),
                format!(
                    "Die Rolle {} kann hier nicht vergeben werden.",
                    role.label_in(Locale::German)
                ),
            ),
        ))
    }
}

/// Creates a user in the actor's group with one role.
pub async fn create(db: &DatabaseConnection, actor: &Actor, new: NewUser) -> DomainResult<UserRow> {
    let group = UserGroup::managed_by(actor)?;
    create_in_group(db, actor, group, new).await
}

/// Creates a user in `group`, which the caller has established the actor may add to.
pub(crate) async fn create_in_group(
    db: &DatabaseConnection,
    actor: &Actor,
    group: UserGroup,
    new: NewUser,
) -> DomainResult<UserRow> {
    let email = normalize_email(&new.email);
    validate_email(&email)?;
    let display_name = validate_display_name(&new.display_name)?;
    require_assignable(group, new.role)?;
    let invite = new.initial_password.is_empty();
    let hashed = if invite {
        None
    } else {
        password::validate_new_password(&new.initial_password)?;
        Some(password::hash(new.initial_password).await?)
    };

    // Uniqueness spans tenants (sign-in is by e-mail), so the check runs in the system scope.
    let txn = begin(db, DataScope::System).await?;
    let taken = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&email))
        .one(&txn)
        .await?
        .is_some();
    txn.commit().await?;
    if taken {
        return Err(DomainError::invalid("email", email_in_use()));
    }

    let txn = begin_write(db, DataScope::of(actor)).await?;
    let now = Utc::now();
    let user = app_user::ActiveModel {
        tenant_id: Set(Some(group.tenant_id())),
        account_id: Set(group.account_id()),
        email: Set(email.clone()),
        display_name: Set(display_name),
        password_hash: Set(hashed),
        active: Set(true),
        must_change_password: Set(!invite),
        failed_sign_ins: Set(0),
        locked_until: Set(None),
        last_sign_in_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_email_conflict(e, &email))?;
    grant(&txn, &user, new.role).await?;
    // Users of an account that signs in only through its identity provider need no link.
    let invited = invite && password_allowed(&txn, &user).await?;
    if invited {
        let inviter = app_user::Entity::find_by_id(actor.user_id)
            .one(&txn)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| actor.email.clone());
        password_reset::invite(&txn, &user, &inviter, new.role).await?;
    }
    AuditEvent::new("user.created", "user")
        .target(user.id)
        .tenant(Some(group.tenant_id()), group.account_id())
        .details(json!({ "email": email, "role": new.role, "invited": invited }))
        .record(&txn, Some(actor.user_id))
        .await?;
    let row = to_rows(&txn, vec![user]).await?.pop();
    txn.commit().await?;
    row.ok_or(DomainError::NotFound)
}

fn email_in_use() -> Wording {
    Wording::new(
        "This e-mail address is already in use.",
        "Diese E-Mail-Adresse wird bereits verwendet.",
    )
}

fn unique_email_conflict(error: sea_orm::DbErr, email: &str) -> DomainError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            tracing::info!(email, "concurrent creation of the same e-mail");
            DomainError::invalid("email", email_in_use())
        }
        _ => DomainError::Database(error),
    }
}

pub(crate) async fn grant(
    txn: &DatabaseTransaction,
    user: &app_user::Model,
    role: Role,
) -> DomainResult<()> {
    membership::ActiveModel {
        user_id: Set(user.id),
        tenant_id: Set(user.tenant_id),
        account_id: Set(user.account_id),
        role: Set(role.as_str().to_owned()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Loads a user of the actor's group for a change; any other id is "not found" and is logged.
async fn managed_user(
    txn: &DatabaseTransaction,
    group: UserGroup,
    user_id: i64,
) -> DomainResult<app_user::Model> {
    let user = app_user::Entity::find_by_id(user_id)
        .filter(app_user::Column::TenantId.eq(group.tenant_id()))
        .one(txn)
        .await?
        .filter(|u| group.contains(u));
    match user {
        Some(user) => Ok(user),
        None => Err(DomainError::out_of_scope("user", user_id)),
    }
}

/// Replaces a user's role with `role`.
pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
    role: Role,
) -> DomainResult<UserRow> {
    denials(db, actor, async {
        let group = UserGroup::managed_by(actor)?;
        let txn = begin_write(db, DataScope::of(actor)).await?;
        let user = managed_user(&txn, group, user_id).await?;
        require_assignable(group, role)?;
        if user.id == actor.user_id {
            return Err(DomainError::invalid(
                "role",
                Wording::new(
                    "You cannot change your own role; ask another admin.",
                    "Sie können Ihre eigene Rolle nicht ändern; bitten Sie einen anderen Admin darum.",
                ),
            ));
        }
        let before = roles_of(&txn, user.id).await?;
        membership::Entity::delete_many()
            .filter(membership::Column::UserId.eq(user.id))
            .exec(&txn)
            .await?;
        grant(&txn, &user, role).await?;
        AuditEvent::new("user.role_changed", "user")
            .target(user.id)
            .scoped_to(actor)
            .details(json!({ "before": before, "after": [role] }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let row = to_rows(&txn, vec![user]).await?.pop();
        txn.commit().await?;
        row.ok_or(DomainError::NotFound)
    })
    .await
}

/// Deactivates (`active = false`) or reactivates a user. A deactivated user's sessions stop
/// working at their next request.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
    active: bool,
) -> DomainResult<UserRow> {
    denials(db, actor, async {
        let group = UserGroup::managed_by(actor)?;
        let txn = begin_write(db, DataScope::of(actor)).await?;
        let user = managed_user(&txn, group, user_id).await?;
        if user.id == actor.user_id {
            return Err(DomainError::invalid(
                "user",
                Wording::new(
                    "You cannot deactivate yourself; ask another admin.",
                    "Sie können sich nicht selbst deaktivieren; bitten Sie einen anderen Admin darum.",
                ),
            ));
        }
        if user.active == active {
            let row = to_rows(&txn, vec![user]).await?.pop();
            txn.commit().await?;
            return row.ok_or(DomainError::NotFound);
        }
        let mut model = user.into_active_model();
        model.active = Set(active);
        model.updated_at = Set(Utc::now());
        let user = model.update(&txn).await?;
        AuditEvent::new(
            if active {
                "user.reactivated"
            } else {
                "user.deactivated"
            },
            "user",
        )
        .target(user.id)
        .scoped_to(actor)
        .details(json!({ "email": user.email }))
        .record(&txn, Some(actor.user_id))
        .await?;
        let row = to_rows(&txn, vec![user]).await?.pop();
        txn.commit().await?;
        row.ok_or(DomainError::NotFound)
    })
    .await
}

/// Removes a user's second factor (their authenticator app, recovery codes and trusted
/// browsers), for someone who lost their phone and their recovery codes: they sign in with the
/// password alone and, if their provider requires it, set up a new app at once.
pub async fn reset_second_factor(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
) -> DomainResult<UserRow> {
    denials(db, actor, async {
        let group = UserGroup::managed_by(actor)?;
        let txn = begin_write(db, DataScope::of(actor)).await?;
        let user = managed_user(&txn, group, user_id).await?;
        if user.id == actor.user_id {
            return Err(DomainError::invalid(
                "user",
                Wording::new(
                    "You cannot reset your own second factor; use a recovery code, or ask another admin.",
                    "Sie können Ihren eigenen zweiten Faktor nicht zurücksetzen; verwenden Sie einen Wiederherstellungscode oder bitten Sie einen anderen Admin darum.",
                ),
            ));
        }
        if !crate::second_factor::enabled(&user) {
            return Err(DomainError::conflict(Wording::new(
                format!("{} has no second factor to reset.", user.email),
                format!(
                    "{} hat keinen zweiten Faktor, der zurückgesetzt werden könnte.",
                    user.email
                ),
            )));
        }
        crate::second_factor::clear(&txn, user.id).await?;
        AuditEvent::new("user.second_factor_reset", "user")
            .target(user.id)
            .scoped_to(actor)
            .details(json!({ "email": user.email }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let user = app_user::Entity::find_by_id(user.id)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound)?;
        let row = to_rows(&txn, vec![user]).await?.pop();
        txn.commit().await?;
        row.ok_or(DomainError::NotFound)
    })
    .await
}

/// A new account user who signs in only through their company (single sign-on or a procurement
/// system's PunchOut): no password. `name` is shortened to 200 characters, or is the e-mail.
pub(crate) fn passwordless_account_user(
    tenant_id: i64,
    account_id: i64,
    email: &str,
    name: Option<&str>,
) -> app_user::ActiveModel {
    let now = chrono::Utc::now();
    app_user::ActiveModel {
        tenant_id: Set(Some(tenant_id)),
        account_id: Set(Some(account_id)),
        email: Set(email.to_owned()),
        display_name: Set(name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(200).collect())
            .unwrap_or_else(|| email.to_owned())),
        password_hash: Set(None),
        active: Set(true),
        must_change_password: Set(false),
        failed_sign_ins: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The user's spending limit: above it, their purchase orders wait for an approver.
pub fn spending_limit_of(user: &app_user::Model) -> Option<simdesk_types::Price> {
    Some(money::price(
        user.spending_limit_minor?,
        user.spending_limit_currency.as_deref()?,
    ))
}
