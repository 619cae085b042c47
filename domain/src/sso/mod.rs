//! Single sign-on through each enterprise account's OpenID provider: its configuration (the
//! client secret sealed at rest), routing an e-mail address to it, and turning a verified ID
//! token into a simdesk sign-in (users keyed by issuer and subject, created just in time, roles
//! mapped from a claim). The protocol itself is in [`oidc`].

pub mod oidc;
pub mod secret;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use simdesk_types::{FieldError, Role, RoleRule, SsoCheck, SsoConfigInput, SsoConfigView};
use std::collections::BTreeSet;

use crate::audit::{denials, AuditEvent};
use crate::auth::normalize_email;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    app_user, external_identity, identity_provider, identity_provider_domain, membership,
};
use crate::policy::{self, Permission};
use crate::{Actor, DomainError, DomainResult};

pub use oidc::{OidcSettings, PendingSignIn, VerifiedIdentity};
pub use secret::SecretKey;

/// What single sign-on needs at run time: the key that seals client secrets, how to talk to
/// providers, and the portal's public address (for the redirect URI).
#[derive(Debug, Clone)]
pub struct SsoRuntime {
    pub key: SecretKey,
    pub oidc: OidcSettings,
    /// `https://portal.example.com`, without a trailing slash; when `None`, the address the
    /// browser used is taken from the request.
    pub public_url: Option<String>,
}

impl Default for SsoRuntime {
    /// A fresh random key: fine for tests, useless across restarts.
    fn default() -> Self {
        Self {
            key: SecretKey::generate(),
            oidc: OidcSettings::default(),
            public_url: None,
        }
    }
}

/// The path providers send the browser back to.
pub const CALLBACK_PATH: &str = "/auth/sso/callback";

impl SsoRuntime {
    /// The portal's address as the browser knows it: the configured public URL, or else the
    /// request's `Host` (and `X-Forwarded-Proto` from a TLS-terminating proxy).
    pub fn public_base(&self, host: Option<&str>, forwarded_proto: Option<&str>) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let scheme = match forwarded_proto {
            Some("https") => "https",
            _ => "http",
        };
        format!("{scheme}://{}", host.unwrap_or("localhost"))
    }

    /// The redirect URI to register at providers.
    pub fn redirect_uri(&self, host: Option<&str>, forwarded_proto: Option<&str>) -> String {
        format!("{}{CALLBACK_PATH}", self.public_base(host, forwarded_proto))
    }
}

/// Why a single sign-on did not happen. Each has a stable code for the sign-in page, which
/// explains it to the user; the details go to the log only.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("no single sign-on is set up for this e-mail address")]
    NotConfigured,
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider is not usable: {0}")]
    BadProvider(String),
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the answer does not belong to the sign-in this browser started")]
    StateMismatch,
    #[error("the sign-in expired or was already completed")]
    Expired,
    #[error("the provider did not accept the authorization code: {0}")]
    CodeRejected(String),
    #[error("the ID token was refused: {0}")]
    InvalidToken(String),
    #[error("the user is deactivated")]
    Deactivated,
    #[error("no simdesk user matches this identity: {0}")]
    UnknownUser(String),
    #[error("the identity provider grants no simdesk role")]
    NoRole,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl SsoError {
    /// The code the sign-in page shows a message for.
    pub fn code(&self) -> &'static str {
        match self {
            SsoError::NotConfigured => "sso_not_configured",
            SsoError::Unreachable(_) => "sso_unreachable",
            SsoError::BadProvider(_) | SsoError::CodeRejected(_) | SsoError::InvalidToken(_) => {
                "sso_failed"
            }
            SsoError::Refused(_) => "sso_denied",
            SsoError::StateMismatch | SsoError::Expired => "sso_expired",
            SsoError::Deactivated => "sso_deactivated",
            SsoError::UnknownUser(_) => "sso_unknown_user",
            SsoError::NoRole => "sso_no_role",
            SsoError::Domain(_) => "unavailable",
        }
    }
}

impl From<sea_orm::DbErr> for SsoError {
    fn from(error: sea_orm::DbErr) -> Self {
        SsoError::Domain(error.into())
    }
}

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

const DEFAULT_SCOPES: &str = "openid email profile";
const MAX_DOMAINS: usize = 50;
const MAX_RULES: usize = 100;

fn mapping_of(model: &identity_provider::Model) -> Vec<RoleRule> {
    serde_json::from_str(&model.role_mapping).unwrap_or_default()
}

async fn domains_of(db: &impl ConnectionTrait, provider_id: i64) -> DomainResult<Vec<String>> {
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

async fn open_config(
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
fn domain_of(email: &str) -> Option<String> {
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
                    crate::users::validate_email(&email).map_err(|_| {
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

// ---- Configuration -------------------------------------------------------------------------

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

/// Checked settings, ready to store.
struct ValidConfig {
    enabled: bool,
    issuer_url: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: String,
    domains: Vec<String>,
    role_claim: String,
    role_mapping: Vec<RoleRule>,
    jit_enabled: bool,
    jit_role: Option<Role>,
    require_sso: bool,
    break_glass_user_id: Option<i64>,
}

pub(crate) fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => *name == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn validate(input: &SsoConfigInput, has_secret: bool) -> Result<ValidConfig, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| errors.push(FieldError::new(field, message));

    let issuer_url = input.issuer_url.trim().to_owned();
    match url::Url::parse(&issuer_url) {
        _ if issuer_url.is_empty() => {
            error("issuer_url", "Enter the provider's issuer URL.".into())
        }
        _ if issuer_url.len() > 500 => error(
            "issuer_url",
            "The issuer URL is longer than 500 characters.".into(),
        ),
        Err(_) => error(
            "issuer_url",
            "The issuer URL is not a valid URL, such as https://login.example.com/realms/acme."
                .into(),
        ),
        Ok(url) => {
            let secure = url.scheme() == "https"
                || (url.scheme() == "http" && url.host().as_ref().is_some_and(is_loopback));
            if !secure {
                error(
                    "issuer_url",
                    "The issuer URL must use https (http only for a provider on this machine)."
                        .into(),
                );
            } else if url.query().is_some() || url.fragment().is_some() {
                error(
                    "issuer_url",
                    "The issuer URL may not have a query or fragment.".into(),
                );
            }
        }
    }
    let client_id = input.client_id.trim().to_owned();
    if client_id.is_empty() {
        error(
            "client_id",
            "Enter the client ID the provider assigned to simdesk.".into(),
        );
    } else if client_id.len() > 255 || client_id.chars().any(char::is_control) {
        error(
            "client_id",
            "The client ID must be at most 255 printable characters.".into(),
        );
    }
    let secret = input.client_secret.trim();
    let client_secret = if secret.is_empty() {
        if !has_secret {
            error(
                "client_secret",
                "Enter the client secret the provider issued.".into(),
            );
        }
        None
    } else if secret.len() > 500 || secret.chars().any(char::is_control) {
        error(
            "client_secret",
            "The client secret must be at most 500 printable characters.".into(),
        );
        None
    } else {
        Some(secret.to_owned())
    };

    let mut scopes = vec!["openid".to_owned()];
    for scope in input
        .scopes
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
    {
        let valid = scope
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !valid {
            error("scopes", format!("\"{scope}\" is not a valid scope name."));
        } else if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    let scopes = scopes.join(" ");
    if scopes.len() > 500 {
        error(
            "scopes",
            "The scopes are longer than 500 characters together.".into(),
        );
    }

    let mut domains: Vec<String> = Vec::new();
    for raw in input
        .domains
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
    {
        let domain = raw.trim_start_matches('@').to_lowercase();
        if !valid_domain(&domain) {
            error(
                "domains",
                format!("\"{raw}\" is not an e-mail domain such as example.com."),
            );
        } else if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.len() > MAX_DOMAINS {
        error(
            "domains",
            format!("At most {MAX_DOMAINS} domains per account."),
        );
    }
    if input.enabled && domains.is_empty() {
        error(
            "domains",
            "Name at least one e-mail domain whose users sign in here.".into(),
        );
    }

    let role_claim = input.role_claim.trim().to_owned();
    if role_claim.len() > 200
        || !role_claim
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/".contains(c))
    {
        error(
            "role_claim",
            "The role claim is a claim name such as groups or realm_access.roles.".into(),
        );
    }
    let mut role_mapping = Vec::new();
    for (number, line) in input
        .role_mapping
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
    {
        if line.is_empty() {
            continue;
        }
        let Some((value, role)) = line.rsplit_once('=') else {
            error(
                "role_mapping",
                format!("Line {number}: write claim value = role, such as sim-buyers = purchaser."),
            );
            continue;
        };
        let value = value.trim();
        let role = role.trim();
        match role.parse::<Role>() {
            Ok(role)
                if Role::ACCOUNT_USERS.contains(&role)
                    && !value.is_empty()
                    && value.len() <= 200 =>
            {
                role_mapping.push(RoleRule {
                    value: value.to_owned(),
                    role,
                });
            }
            Ok(_) if value.is_empty() || value.len() > 200 => {
                error(
                    "role_mapping",
                    format!("Line {number}: the claim value must be 1 to 200 characters."),
                );
            }
            _ => error(
                "role_mapping",
                format!(
                    "Line {number}: \"{role}\" is not an account role; use one of {}.",
                    Role::ACCOUNT_USERS.map(Role::as_str).join(", ")
                ),
            ),
        }
    }
    if role_mapping.len() > MAX_RULES {
        error("role_mapping", format!("At most {MAX_RULES} rules."));
    }
    if !role_mapping.is_empty() && role_claim.is_empty() {
        error(
            "role_claim",
            "Name the claim whose values the mapping reads.".into(),
        );
    }

    let jit_role = match input.jit_role.trim() {
        "" => None,
        code => match code.parse::<Role>() {
            Ok(role) if Role::ACCOUNT_USERS.contains(&role) => Some(role),
            _ => {
                error("jit_role", format!("\"{code}\" is not an account role."));
                None
            }
        },
    };
    if input.jit_enabled && jit_role.is_none() && role_mapping.is_empty() {
        error(
            "jit_role",
            "Choose the role of users created on first sign-in.".into(),
        );
    }
    if input.require_sso && !input.enabled {
        error(
            "require_sso",
            "Single sign-on can only be required while it is enabled.".into(),
        );
    }
    if errors.is_empty() {
        Ok(ValidConfig {
            enabled: input.enabled,
            issuer_url,
            client_id,
            client_secret,
            scopes,
            domains,
            role_claim,
            role_mapping,
            jit_enabled: input.jit_enabled,
            jit_role,
            require_sso: input.require_sso,
            break_glass_user_id: input.break_glass_user_id,
        })
    } else {
        Err(errors)
    }
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
            format!(
                "Already routed to another account's provider: {}.",
                taken.join(", ")
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
            format!(
                "Users of another account or of the provider have addresses at {}: such a domain cannot route to this account.",
                foreign.join(", ")
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
            return Err(DomainError::Conflict(
                "Someone else changed these single sign-on settings meanwhile. Reload the page to see them.".into(),
            ));
        }
        let valid = validate(&input, current.is_some()).map_err(DomainError::Invalid)?;
        if let Some(user_id) = valid.break_glass_user_id {
            let admins = account_admins(&txn, account_id).await?;
            if !admins.iter().any(|(id, _)| *id == user_id) {
                return Err(DomainError::invalid(
                    "break_glass_user_id",
                    "The break-glass admin must be an active account admin of this account.",
                ));
            }
        } else if valid.require_sso {
            return Err(DomainError::invalid(
                "break_glass_user_id",
                "Name a break-glass admin who keeps a password while single sign-on is required.",
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
                return Err(DomainError::Conflict(
                    "Someone else changed these single sign-on settings meanwhile. Reload the page to see them.".into(),
                ));
            }
            current.map(|p| p.id).unwrap_or_default()
        } else {
            model
                .insert(&txn)
                .await
                .map_err(|e| crate::catalog::unique_violation(e, "form", "Single sign-on was configured for this account meanwhile. Reload the page."))?
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
                crate::catalog::unique_violation(
                    e,
                    "domains",
                    &format!("{domain} was routed to another account's provider meanwhile."),
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
                DomainError::invalid("form", "Save the settings first, then test the connection.")
            })?;
        let config = open_config(&txn, key, model).await?;
        txn.commit().await?;
        Ok(config)
    })
    .await?;
    Ok(oidc::diagnose(&config, settings).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SsoConfigInput {
        SsoConfigInput {
            enabled: true,
            issuer_url: "https://login.example.com/realms/acme".into(),
            client_id: "simdesk".into(),
            client_secret: "secret".into(),
            scopes: "email profile".into(),
            domains: "Example.com, @acme.example".into(),
            role_claim: "groups".into(),
            role_mapping: "sim-buyers = purchaser\nsim-admins=account_admin\n".into(),
            jit_enabled: true,
            jit_role: "viewer".into(),
            require_sso: false,
            break_glass_user_id: None,
        }
    }

    fn messages(input: &SsoConfigInput, has_secret: bool) -> String {
        match validate(input, has_secret) {
            Ok(_) => String::new(),
            Err(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn a_complete_configuration_is_normalised() {
        let valid = validate(&input(), false).unwrap_or_else(|_| panic!("valid"));
        assert_eq!(valid.scopes, "openid email profile");
        assert_eq!(valid.domains, vec!["example.com", "acme.example"]);
        assert_eq!(valid.role_mapping.len(), 2);
        assert_eq!(valid.role_mapping[1].role, Role::AccountAdmin);
    }

    #[test]
    fn each_mistake_is_named() {
        type Change = Box<dyn Fn(&mut SsoConfigInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (
                Box::new(|i| i.issuer_url = "http://login.example.com".into()),
                "issuer_url: The issuer URL must use https",
            ),
            (
                Box::new(|i| i.issuer_url = "not a url".into()),
                "issuer_url: The issuer URL is not a valid URL",
            ),
            (
                Box::new(|i| i.issuer_url = "https://x.example/?a=b".into()),
                "may not have a query",
            ),
            (
                Box::new(|i| i.client_id = " ".into()),
                "client_id: Enter the client ID",
            ),
            (
                Box::new(|i| i.client_secret = String::new()),
                "client_secret: Enter the client secret",
            ),
            (
                Box::new(|i| i.scopes = "email \"x".into()),
                "is not a valid scope name",
            ),
            (
                Box::new(|i| i.domains = "example".into()),
                "\"example\" is not an e-mail domain",
            ),
            (
                Box::new(|i| i.domains = String::new()),
                "Name at least one e-mail domain",
            ),
            (
                Box::new(|i| i.role_mapping = "sim-buyers purchaser".into()),
                "Line 1: write claim value = role",
            ),
            (
                Box::new(|i| i.role_mapping = "x = tenant_admin".into()),
                "\"tenant_admin\" is not an account role",
            ),
            (
                Box::new(|i| i.role_claim = String::new()),
                "role_claim: Name the claim",
            ),
            (
                Box::new(|i| {
                    i.jit_role = String::new();
                    i.role_mapping = String::new();
                }),
                "jit_role: Choose the role",
            ),
            (
                Box::new(|i| {
                    i.require_sso = true;
                    i.enabled = false;
                    i.domains = String::new();
                }),
                "require_sso: Single sign-on can only be required while it is enabled",
            ),
        ];
        for (change, expected) in cases {
            let mut bad = input();
            change(&mut bad);
            let found = messages(&bad, false);
            assert!(
                found.contains(expected),
                "expected {expected:?}, got {found:?}"
            );
        }
        let mut keep = input();
        keep.client_secret = String::new();
        assert_eq!(
            messages(&keep, true),
            "",
            "an empty secret keeps the stored one"
        );
        let mut local = input();
        local.issuer_url = "http://127.0.0.1:9000".into();
        assert_eq!(messages(&local, false), "", "http is fine on loopback");
    }

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
