//! Configuring an account's single sign-on: who may, the settings page's view, saving the
//! settings (client secret sealed, domains routed, version-checked), and "Test connection".

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use simdesk_types::{Role, SsoCheck, SsoConfigInput, SsoConfigView, Wording};

use super::oidc::{self, OidcSettings};
use super::provider::{domains_of, mapping_of, open_config};
use super::validation::validate;
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{app_user, identity_provider, identity_provider_domain, membership};
use crate::policy::{self, Permission};
use crate::secret::SecretKey;
use crate::{Actor, DomainError, DomainResult};

const DEFAULT_SCOPES: &str = "openid email profile";

fn changed_meanwhile() -> DomainError {
    DomainError::conflict(Wording::new(
        "Someone else changed these single sign-on settings meanwhile. Reload the page to see them.",
        "Jemand anderes hat diese Single-Sign-on-Einstellungen inzwischen geändert. Laden Sie die Seite neu, um sie zu sehen.",
    ))
}

/// The account whose single sign-on the actor may configure: their own as account admin, any
/// of the tenant's as provider staff.
fn scope_of(actor: &Actor, account_id: Option<i64>) -> DomainResult<(i64, i64)> {
    if policy::allows(actor, Permission::ManageAccounts) {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let account_id = account_id.ok_or(DomainError::NotFound)?;
        return Ok((tenant_id, account_id));
    }
    policy::require(actor, Permission::ManageAccountUsers)?;
    let (Some(tenant_id), Some(own)) = (actor.tenant_id, actor.account_id) else {
        return Err(DomainError::Forbidden);
    };
    match account_id {
        Some(asked) if asked != own => Err(DomainError::out_of_scope("account", asked)),
        _ => Ok((tenant_id, own)),
    }
}

async fn view_of(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
    redirect_uri: &str,
) -> DomainResult<SsoConfigView> {
    let account = crate::entity::account::Entity::find_by_id(account_id)
        .filter(crate::entity::account::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("account", account_id))?;
    let admins = account_admins(txn, account_id).await?;
    let provider = identity_provider::Entity::find()
        .filter(identity_provider::Column::AccountId.eq(account_id))
        .filter(identity_provider::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?;
    Ok(match provider {
        Some(p) => SsoConfigView {
            account_id,
            account_name: account.name,
            configured: true,
            enabled: p.enabled,
            domains: domains_of(txn, p.id).await?.join(", "),
            role_mapping: mapping_of(&p),
            issuer_url: p.issuer_url,
            client_id: p.client_id,
            has_client_secret: !p.client_secret_sealed.is_empty(),
            scopes: p.scopes,
            role_claim: p.role_claim,
            jit_enabled: p.jit_enabled,
            jit_role: p.jit_role.and_then(|r| r.parse().ok()),
            require_sso: p.require_sso,
            break_glass_user_id: p.break_glass_user_id,
            account_admins: admins,
            redirect_uri: redirect_uri.to_owned(),
            version: p.version,
        },
        None => SsoConfigView {
            account_id,
            account_name: account.name,
            configured: false,
            enabled: false,
            issuer_url: String::new(),
            client_id: String::new(),
            has_client_secret: false,
            scopes: DEFAULT_SCOPES.into(),
            domains: String::new(),
            role_claim: String::new(),
            role_mapping: Vec::new(),
            jit_enabled: false,
            jit_role: Some(Role::Purchaser),
            require_sso: false,
            break_glass_user_id: None,
            account_admins: admins,
            redirect_uri: redirect_uri.to_owned(),
            version: 0,
        },
    })
}

async fn account_admins(
    txn: &impl ConnectionTrait,
    account_id: i64,
) -> DomainResult<Vec<(i64, String)>> {
    let admin_ids: Vec<i64> = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .filter(membership::Column::Role.eq(Role::AccountAdmin.as_str()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut admins: Vec<(i64, String)> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(admin_ids))
        .filter(app_user::Column::Active.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    admins.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(admins)
}

/// The account's single sign-on settings, for the actor who may configure them.
pub async fn config(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: Option<i64>,
    redirect_uri: &str,
) -> DomainResult<SsoConfigView> {
    denials(db, actor, async {
        let (tenant_id, account_id) = scope_of(actor, account_id)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let view = view_of(&txn, tenant_id, account_id, redirect_uri).await?;
        txn.commit().await?;
        Ok(view)
    })
    .await
}

/// A domain routes to one provider on the whole platform, and an account may not route a domain
/// whose users belong to another account (or to the provider's staff). Looks across tenants.
async fn check_domains_free(
    db: &DatabaseConnection,
    account_id: i64,
    provider_id: Option<i64>,
    domains: &[String],
) -> DomainResult<()> {
    let system = begin(db, DataScope::System).await?;
    let taken: Vec<String> = identity_provider_domain::Entity::find()
        .filter(identity_provider_domain::Column::Domain.is_in(domains.to_vec()))
        .all(&system)
        .await?
        .into_iter()
        .filter(|d| Some(d.provider_id) != provider_id)
        .map(|d| d.domain)
        .collect();
    if !taken.is_empty() {
        return Err(DomainError::invalid(
            "domains",
            Wording::new(
                format!(
                    "Already routed to another account's provider: {}.",
                    taken.join(", ")
                ),
                format!(
                    "Bereits an den Identitätsanbieter eines anderen Kundenkontos weitergeleitet: {}.",
                    taken.join(", ")
                ),
            ),
        ));
    }
    let mut foreign = Vec::new();
    for domain in domains {
        // Validated domains hold no LIKE wildcards.
        let other = app_user::Entity::find()
            .filter(app_user::Column::Email.ends_with(format!("@{domain}")))
            .filter(
                sea_orm::Condition::any()
                    .add(app_user::Column::AccountId.ne(account_id))
                    .add(app_user::Column::AccountId.is_null()),
            )
            .one(&system)
            .await?;
        if other.is_some() {
            foreign.push(domain.clone());
        }
    }
    system.commit().await?;
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "domains",
            Wording::new(
                format!(
                    "Users of another account or of the provider have addresses at {}: such a domain cannot route to this account.",
                    foreign.join(", ")
                ),
                format!(
                    "Nutzer eines anderen Kundenkontos oder des Anbieters haben Adressen bei {}: Eine solche Domain kann nicht an dieses Kundenkonto weiterleiten.",
                    foreign.join(", ")
                ),
            ),
        ))
    }
}

/// Saves the account's single sign-on settings. `version` is the one the form started from
/// (0 for a first configuration); an empty client secret keeps the stored one.
pub async fn save(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    account_id: Option<i64>,
    version: i32,
    input: SsoConfigInput,
    redirect_uri: &str,
) -> DomainResult<SsoConfigView> {
    denials(db, actor, async {
        let (tenant_id, account_id) = scope_of(actor, account_id)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        crate::accounts::tenant_account(&txn, tenant_id, account_id).await?;
        let current = identity_provider::Entity::find()
            .filter(identity_provider::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?;
        let current_version = current.as_ref().map_or(0, |p| p.version);
        if current_version != version {
            return Err(changed_meanwhile());
        }
        let valid = validate(&input, current.is_some()).map_err(DomainError::Invalid)?;
        if let Some(user_id) = valid.break_glass_user_id {
            let admins = account_admins(&txn, account_id).await?;
            if !admins.iter().any(|(id, _)| *id == user_id) {
                return Err(DomainError::invalid(
                    "break_glass_user_id",
                    Wording::new(
                        "The break-glass admin must be an active account admin of this account.",
                        "Der Notfall-Admin muss ein aktiver Kundenkonto-Admin dieses Kundenkontos sein.",
                    ),
                ));
            }
        } else if valid.require_sso {
            return Err(DomainError::invalid(
                "break_glass_user_id",
                Wording::new(
                    "Name a break-glass admin who keeps a password while single sign-on is required.",
                    "Nennen Sie einen Notfall-Admin, der ein Passwort behält, solange Single Sign-on erzwungen wird.",
                ),
            ));
        }
        check_domains_free(db, account_id, current.as_ref().map(|p| p.id), &valid.domains).await?;

        let now = Utc::now();
        let sealed = match &valid.client_secret {
            Some(secret) => Some(key.seal(account_id, secret)?),
            None => None,
        };
        let mapping = serde_json::to_string(&valid.role_mapping)
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        let mut model = match current.clone() {
            Some(p) => p.into_active_model(),
            None => identity_provider::ActiveModel {
                tenant_id: Set(tenant_id),
                account_id: Set(account_id),
                created_at: Set(now),
                ..Default::default()
            },
        };
        model.enabled = Set(valid.enabled);
        model.issuer_url = Set(valid.issuer_url.clone());
        model.client_id = Set(valid.client_id.clone());
        if let Some(sealed) = sealed {
            model.client_secret_sealed = Set(sealed);
        }
        model.scopes = Set(valid.scopes.clone());
        model.role_claim = Set(valid.role_claim.clone());
        model.role_mapping = Set(mapping);
        model.jit_enabled = Set(valid.jit_enabled);
        model.jit_role = Set(valid.jit_role.map(|r| r.as_str().to_owned()));
        model.require_sso = Set(valid.require_sso);
        model.break_glass_user_id = Set(valid.break_glass_user_id);
        model.version = Set(version + 1);
        model.updated_at = Set(now);
        let saved = if current.is_some() {
            // The version guard: an update that finds another version changes nothing.
            let result = identity_provider::Entity::update_many()
                .set(model)
                .filter(identity_provider::Column::AccountId.eq(account_id))
                .filter(identity_provider::Column::Version.eq(version))
                .exec(&txn)
                .await?;
            if result.rows_affected != 1 {
                return Err(changed_meanwhile());
            }
            current.map(|p| p.id).unwrap_or_default()
        } else {
            model
                .insert(&txn)
                .await
                .map_err(|e| {
                    crate::db::unique_violation(
                        e,
                        "form",
                        Wording::new(
                            "Single sign-on was configured for this account meanwhile. Reload the page.",
                            "Single Sign-on wurde für dieses Kundenkonto inzwischen eingerichtet. Laden Sie die Seite neu.",
                        ),
                    )
                })?
                .id
        };
        identity_provider_domain::Entity::delete_many()
            .filter(identity_provider_domain::Column::ProviderId.eq(saved))
            .exec(&txn)
            .await?;
        for domain in &valid.domains {
            identity_provider_domain::ActiveModel {
                tenant_id: Set(tenant_id),
                provider_id: Set(saved),
                domain: Set(domain.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| {
                crate::db::unique_violation(
                    e,
                    "domains",
                    Wording::new(
                        format!("{domain} was routed to another account's provider meanwhile."),
                        format!("{domain} wurde inzwischen an den Identitätsanbieter eines anderen Kundenkontos weitergeleitet."),
                    ),
                )
            })?;
        }
        AuditEvent::new("sso.configured", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({
                "enabled": valid.enabled,
                "issuer_url": valid.issuer_url,
                "client_id": valid.client_id,
                "client_secret_changed": valid.client_secret.is_some(),
                "scopes": valid.scopes,
                "domains": valid.domains,
                "role_claim": valid.role_claim,
                "role_mapping": valid.role_mapping,
                "jit_enabled": valid.jit_enabled,
                "jit_role": valid.jit_role,
                "require_sso": valid.require_sso,
                "break_glass_user_id": valid.break_glass_user_id,
            }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let view = view_of(&txn, tenant_id, account_id, redirect_uri).await?;
        txn.commit().await?;
        Ok(view)
    })
    .await
}

/// "Test connection" for the stored settings: discovery, keys, flows, scopes.
pub async fn test_connection(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    account_id: Option<i64>,
    settings: &OidcSettings,
) -> DomainResult<Vec<SsoCheck>> {
    let config = denials(db, actor, async {
        let (tenant_id, account_id) = scope_of(actor, account_id)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        crate::accounts::tenant_account(&txn, tenant_id, account_id).await?;
        let model = identity_provider::Entity::find()
            .filter(identity_provider::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                DomainError::invalid(
                    "form",
                    Wording::new(
                        "Save the settings first, then test the connection.",
                        "Speichern Sie zuerst die Einstellungen und testen Sie dann die Verbindung.",
                    ),
                )
            })?;
        let config = open_config(&txn, key, model).await?;
        txn.commit().await?;
        Ok(config)
    })
    .await?;
    Ok(oidc::diagnose(&config, settings, actor.language).await)
}
