//! An account's provider as the protocol needs it ([`ProviderConfig`], the client secret
//! opened), and finding it: by the domain of an e-mail address, or by id.

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use simdesk_types::{Role, RoleRule};

use super::error::SsoError;
use crate::db::{begin, DataScope};
use crate::email::normalize_email;
use crate::entity::{identity_provider, identity_provider_domain};
use crate::secret::SecretKey;
use crate::DomainResult;

/// An account's provider, ready for the protocol: the client secret opened.
#[derive(Clone)]
pub struct ProviderConfig {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: Vec<String>,
    pub role_claim: String,
    pub role_mapping: Vec<RoleRule>,
    pub jit_enabled: bool,
    pub jit_role: Option<Role>,
    pub domains: Vec<String>,
}

impl std::fmt::Debug for ProviderConfig {
    // Never prints the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

pub(super) fn mapping_of(model: &identity_provider::Model) -> Vec<RoleRule> {
    serde_json::from_str(&model.role_mapping).unwrap_or_default()
}

pub(super) async fn domains_of(
    db: &impl ConnectionTrait,
    provider_id: i64,
) -> DomainResult<Vec<String>> {
    let mut domains: Vec<String> = identity_provider_domain::Entity::find()
        .filter(identity_provider_domain::Column::ProviderId.eq(provider_id))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect();
    domains.sort();
    Ok(domains)
}

pub(super) async fn open_config(
    db: &impl ConnectionTrait,
    key: &SecretKey,
    model: identity_provider::Model,
) -> DomainResult<ProviderConfig> {
    let client_secret = key.open(model.account_id, &model.client_secret_sealed)?;
    Ok(ProviderConfig {
        domains: domains_of(db, model.id).await?,
        role_mapping: mapping_of(&model),
        id: model.id,
        tenant_id: model.tenant_id,
        account_id: model.account_id,
        issuer_url: model.issuer_url,
        client_id: model.client_id,
        client_secret,
        scopes: model.scopes.split_whitespace().map(str::to_owned).collect(),
        role_claim: model.role_claim,
        jit_enabled: model.jit_enabled,
        jit_role: model.jit_role.and_then(|r| r.parse().ok()),
    })
}

/// The e-mail address's domain, lowercased.
pub(super) fn domain_of(email: &str) -> Option<String> {
    normalize_email(email)
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_owned())
        .filter(|d| !d.is_empty())
}

/// The enabled provider that signs in users of this e-mail address's domain, if any.
pub async fn provider_for_email(
    db: &DatabaseConnection,
    key: &SecretKey,
    email: &str,
) -> Result<Option<ProviderConfig>, SsoError> {
    let Some(domain) = domain_of(email) else {
        return Ok(None);
    };
    // Runs before anyone is signed in, so before the tenant is known.
    let txn = begin(db, DataScope::System).await?;
    let Some(route) = identity_provider_domain::Entity::find()
        .filter(identity_provider_domain::Column::Domain.eq(&domain))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let provider = identity_provider::Entity::find_by_id(route.provider_id)
        .filter(identity_provider::Column::Enabled.eq(true))
        .one(&txn)
        .await?;
    let config = match provider {
        Some(model) => Some(open_config(&txn, key, model).await?),
        None => None,
    };
    txn.commit().await?;
    Ok(config)
}

/// An enabled provider by id, as named by a sign-in in progress.
pub async fn provider_by_id(
    db: &DatabaseConnection,
    key: &SecretKey,
    provider_id: i64,
) -> Result<ProviderConfig, SsoError> {
    let txn = begin(db, DataScope::System).await?;
    let model = identity_provider::Entity::find_by_id(provider_id)
        .filter(identity_provider::Column::Enabled.eq(true))
        .one(&txn)
        .await?
        .ok_or(SsoError::NotConfigured)?;
    let config = open_config(&txn, key, model).await?;
    txn.commit().await?;
    Ok(config)
}
