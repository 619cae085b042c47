//! Turning a verified ID token into a simdesk sign-in: the user found by issuer and subject,
//! linked or created just in time, and the mapped roles synced from the provider's claim.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde_json::json;
use simdesk_types::Role;
use std::collections::BTreeSet;

use super::error::SsoError;
use super::oidc::VerifiedIdentity;
use super::provider::{domain_of, ProviderConfig};
use crate::audit::AuditEvent;
use crate::db::{begin_write, DataScope};
use crate::email::normalize_email;
use crate::entity::{app_user, external_identity, membership};
use crate::{Actor, DomainResult};

/// The values of a claim named by a dotted path (`groups`, `realm_access.roles`): a string, or
/// the strings of an array.
pub fn claim_values(
    claims: &serde_json::Map<String, serde_json::Value>,
    path: &str,
) -> Vec<String> {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return Vec::new();
    };
    let mut value = claims.get(first);
    for part in parts {
        value = value.and_then(|v| v.get(part));
    }
    match value {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Signs in the user the provider vouched for. The user is found by (issuer, subject); a user
/// the account admin created beforehand is linked on first sign-in when the provider vouches
/// for the same, verified e-mail address of one of the provider's domains; otherwise the user
/// is created just in time where the account allows it. Roles named in the mapping follow the
/// provider's claim at every sign-in; other roles are left alone.
pub async fn sign_in(
    db: &DatabaseConnection,
    provider: &ProviderConfig,
    identity: &VerifiedIdentity,
) -> Result<Actor, SsoError> {
    let now = Utc::now();
    let txn = begin_write(db, DataScope::System).await?;
    let known = external_identity::Entity::find()
        .filter(external_identity::Column::Issuer.eq(&identity.issuer))
        .filter(external_identity::Column::Subject.eq(&identity.subject))
        .one(&txn)
        .await?;
    let mut created = false;
    let user = match known {
        Some(link) => app_user::Entity::find_by_id(link.user_id)
            .one(&txn)
            .await?
            .ok_or_else(|| SsoError::UnknownUser("the linked user no longer exists".into()))?,
        None => {
            let email = identity
                .email
                .as_deref()
                .map(normalize_email)
                .ok_or_else(|| {
                    SsoError::UnknownUser("the provider sent no e-mail address".into())
                })?;
            let in_domains = domain_of(&email).is_some_and(|d| provider.domains.contains(&d));
            if !in_domains {
                return Err(SsoError::UnknownUser(format!(
                    "{email} is not in a domain this provider signs in"
                )));
            }
            let existing = app_user::Entity::find()
                .filter(app_user::Column::Email.eq(&email))
                .one(&txn)
                .await?;
            let user = match existing {
                Some(user)
                    if user.account_id == Some(provider.account_id) && identity.email_verified =>
                {
                    user
                }
                Some(_) => {
                    return Err(SsoError::UnknownUser(format!(
                        "{email} belongs to a simdesk user that cannot be linked to this provider"
                    )))
                }
                None if provider.jit_enabled => {
                    created = true;
                    crate::email::validate_email(&email).map_err(|_| {
                        SsoError::UnknownUser(format!("{email} is not a usable e-mail address"))
                    })?;
                    crate::users::passwordless_account_user(
                        provider.tenant_id,
                        provider.account_id,
                        &email,
                        identity.name.as_deref(),
                    )
                    .insert(&txn)
                    .await?
                }
                None => {
                    return Err(SsoError::UnknownUser(format!(
                        "{email} has no simdesk user and users are not created on first sign-in"
                    )))
                }
            };
            external_identity::ActiveModel {
                user_id: Set(user.id),
                tenant_id: Set(provider.tenant_id),
                issuer: Set(identity.issuer.clone()),
                subject: Set(identity.subject.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            user
        }
    };
    if user.account_id != Some(provider.account_id) {
        // The identity is linked to a user of another account: never land there.
        return Err(SsoError::UnknownUser(
            "this identity belongs to a user of another account".into(),
        ));
    }
    if !user.active {
        drop(txn);
        refuse(db, &user, "deactivated").await?;
        return Err(SsoError::Deactivated);
    }

    let roles = sync_roles(&txn, provider, identity, &user, created).await?;
    if roles.is_empty() {
        drop(txn);
        refuse(db, &user, "no_role").await?;
        return Err(SsoError::NoRole);
    }
    let mut active = user.clone().into_active_model();
    active.last_sign_in_at = Set(Some(now));
    active.update(&txn).await?;
    AuditEvent::new(
        if created {
            "user.created_by_sso"
        } else {
            "user.signed_in"
        },
        "user",
    )
    .target(user.id)
    .tenant(user.tenant_id, user.account_id)
    .details(json!({ "method": "sso", "issuer": identity.issuer, "roles": roles }))
    .record(&txn, Some(user.id))
    .await?;
    txn.commit().await?;
    Actor::load(db, user.id).await?.ok_or(SsoError::Deactivated)
}

async fn refuse(db: &DatabaseConnection, user: &app_user::Model, reason: &str) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::System).await?;
    AuditEvent::new("user.sso_refused", "user")
        .target(user.id)
        .tenant(user.tenant_id, user.account_id)
        .details(json!({ "reason": reason }))
        .record(&txn, None)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Makes the user's mapped roles match the claim; returns all roles the user then holds.
async fn sync_roles(
    txn: &sea_orm::DatabaseTransaction,
    provider: &ProviderConfig,
    identity: &VerifiedIdentity,
    user: &app_user::Model,
    created: bool,
) -> DomainResult<Vec<Role>> {
    let managed: BTreeSet<Role> = provider.role_mapping.iter().map(|r| r.role).collect();
    let values = if provider.role_claim.is_empty() {
        Vec::new()
    } else {
        claim_values(&identity.other_claims, &provider.role_claim)
    };
    let mut wanted: BTreeSet<Role> = provider
        .role_mapping
        .iter()
        .filter(|rule| values.contains(&rule.value))
        .map(|rule| rule.role)
        .collect();
    if created && wanted.is_empty() {
        wanted.extend(provider.jit_role);
    }
    let held = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .all(txn)
        .await?;
    let mut roles = BTreeSet::new();
    for m in held {
        let Ok(role) = m.role.parse::<Role>() else {
            continue;
        };
        if managed.contains(&role) && !wanted.contains(&role) {
            membership::Entity::delete_by_id(m.id).exec(txn).await?;
        } else {
            roles.insert(role);
        }
    }
    for role in wanted {
        if roles.insert(role) {
            crate::users::grant(txn, user, role).await?;
        }
    }
    Ok(roles.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_values_follow_dotted_paths_and_arrays() {
        let claims: serde_json::Map<String, serde_json::Value> = serde_json::from_value(json!({
            "groups": ["a", "b", 3],
            "realm_access": { "roles": ["x"] },
            "role": "single"
        }))
        .unwrap_or_default();
        assert_eq!(claim_values(&claims, "groups"), vec!["a", "b"]);
        assert_eq!(claim_values(&claims, "realm_access.roles"), vec!["x"]);
        assert_eq!(claim_values(&claims, "role"), vec!["single"]);
        assert!(claim_values(&claims, "missing.path").is_empty());
    }
}
