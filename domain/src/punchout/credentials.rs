//! Procurement systems' credentials per enterprise account and environment: managed by the
//! tenant admin, checked on every cXML request.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, SqlErr,
};
use serde_json::json;
use simdesk_types::{
    CartEncoding, DeploymentMode, FieldError, PunchoutCredentialInput, PunchoutCredentialView,
    PunchoutSettings, SavedPunchoutCredential, Wording,
};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

use super::{random_token, PunchOutError};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{account, punchout_credential, tenant};
use crate::secret::SecretKey;
use crate::{Actor, DomainError, DomainResult};

const MIN_SECRET: usize = 16;
const MAX_FRAME_ANCESTORS: usize = 10;

fn tenant_admin(actor: &Actor) -> DomainResult<i64> {
    crate::policy::tenant_for(actor, crate::policy::Permission::ManageProcurementSystems)
}

fn view_of(model: punchout_credential::Model, account_name: String) -> PunchoutCredentialView {
    PunchoutCredentialView {
        id: model.id,
        account_id: model.account_id,
        account_name,
        deployment_mode: DeploymentMode::parse(&model.deployment_mode)
            .unwrap_or(DeploymentMode::Production),
        domain: model.domain,
        identity: model.identity,
        cart_encoding: CartEncoding::parse(&model.cart_encoding)
            .unwrap_or(CartEncoding::UrlEncoded),
        frame_ancestors: model
            .frame_ancestors
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        order_response_url: model.order_response_url,
        enabled: model.enabled,
        version: model.version,
    }
}

/// The tenant's credentials, of one account or of all, by account then identity.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: Option<i64>,
) -> DomainResult<Vec<PunchoutCredentialView>> {
    let tenant_id = tenant_admin(actor)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let mut query = punchout_credential::Entity::find()
        .filter(punchout_credential::Column::TenantId.eq(tenant_id))
        .order_by_asc(punchout_credential::Column::AccountId)
        .order_by_asc(punchout_credential::Column::Identity)
        .order_by_asc(punchout_credential::Column::DeploymentMode);
    if let Some(account_id) = account_id {
        query = query.filter(punchout_credential::Column::AccountId.eq(account_id));
    }
    let credentials = query.all(&txn).await?;
    let names: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant_id))
        .filter(account::Column::Id.is_in(credentials.iter().map(|c| c.account_id)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    txn.commit().await?;
    Ok(credentials
        .into_iter()
        .map(|c| {
            let name = names.get(&c.account_id).cloned().unwrap_or_default();
            view_of(c, name)
        })
        .collect())
}

/// The PunchOut page of one account: its cXML address at `base_url` and its credentials.
pub async fn settings(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    base_url: &str,
) -> DomainResult<PunchoutSettings> {
    denials(db, actor, async {
        let tenant_id = tenant_admin(actor)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let account = account::Entity::find_by_id(account_id)
            .filter(account::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("account", account_id))?;
        let slug = tenant::Entity::find_by_id(tenant_id)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound)?
            .slug;
        txn.commit().await?;
        Ok(PunchoutSettings {
            account_id,
            account_name: account.name,
            endpoint_url: format!("{}/cxml/{slug}", base_url.trim_end_matches('/')),
            oci_url: format!("{}/punchout/oci/{slug}", base_url.trim_end_matches('/')),
            credentials: list(db, actor, Some(account_id)).await?,
            generated_secret: None,
        })
    })
    .await
}

struct ValidCredential {
    mode: DeploymentMode,
    domain: String,
    identity: String,
    secret: Option<String>,
    encoding: CartEncoding,
    frame_ancestors: String,
    order_response_url: String,
}

/// An origin a procurement system frames PunchOut pages from: scheme, host and port only.
fn origin_of(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    let secure = url.scheme() == "https"
        || (url.scheme() == "http" && url.host().as_ref().is_some_and(crate::urls::is_loopback));
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    (secure && bare && url.username().is_empty()).then(|| url.origin().ascii_serialization())
}

fn validate(
    input: &PunchoutCredentialInput,
    new: bool,
) -> Result<ValidCredential, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mode = DeploymentMode::parse(&input.deployment_mode).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "deployment_mode",
            Wording::new(
                "Choose production or test.",
                "Wählen Sie Produktion oder Test.",
            ),
        ));
        DeploymentMode::Production
    });
    let domain = input.domain.trim().to_ascii_lowercase();
    if domain.is_empty() || domain.len() > 64 {
        errors.push(FieldError::new(
            "domain",
            Wording::new(
                "Enter the credential domain the procurement system sends, such as NetworkID or DUNS (at most 64 characters).",
                "Geben Sie die Credential-Domäne ein, die das Beschaffungssystem sendet, etwa NetworkID oder DUNS (höchstens 64 Zeichen).",
            ),
        ));
    } else if !domain
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        errors.push(FieldError::new(
            "domain",
            Wording::new(
                "Use letters, digits, dots, dashes, colons or underscores only.",
                "Verwenden Sie nur Buchstaben, Ziffern, Punkte, Bindestriche, Doppelpunkte oder Unterstriche.",
            ),
        ));
    }
    let identity = input.identity.trim().to_owned();
    if identity.is_empty() || identity.chars().count() > 255 {
        errors.push(FieldError::new(
            "identity",
            Wording::new(
                "Enter the buyer's identity from the From credential (at most 255 characters).",
                "Geben Sie die Identität des Käufers aus dem From-Credential ein (höchstens 255 Zeichen).",
            ),
        ));
    } else if identity.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "identity",
            Wording::new(
                "The identity cannot contain control characters.",
                "Die Identität darf keine Steuerzeichen enthalten.",
            ),
        ));
    }
    let secret = input.shared_secret.trim();
    let secret = if secret.is_empty() {
        new.then(random_token)
    } else if secret.chars().count() < MIN_SECRET || secret.chars().count() > 255 {
        errors.push(FieldError::new(
            "shared_secret",
            Wording::new(
                format!("Use a shared secret of {MIN_SECRET} to 255 characters, or leave it empty to have one generated."),
                format!("Verwenden Sie ein gemeinsames Geheimnis mit {MIN_SECRET} bis 255 Zeichen, oder lassen Sie das Feld leer, damit eines erzeugt wird."),
            ),
        ));
        None
    } else {
        Some(secret.to_owned())
    };
    let encoding = if input.cart_encoding.trim().is_empty() {
        CartEncoding::UrlEncoded
    } else {
        CartEncoding::parse(&input.cart_encoding).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "cart_encoding",
                Wording::new(
                    "Choose urlencoded or base64.",
                    "Wählen Sie urlencoded oder base64.",
                ),
            ));
            CartEncoding::UrlEncoded
        })
    };
    let mut origins: Vec<String> = Vec::new();
    for entry in input
        .frame_ancestors
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|e| !e.is_empty())
    {
        match origin_of(entry) {
            Some(origin) if !origins.contains(&origin) => origins.push(origin),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "frame_ancestors",
                Wording::new(
                    format!("{entry} is not an origin: write https://host or https://host:port, without a path."),
                    format!("{entry} ist kein Ursprung: Schreiben Sie https://host oder https://host:port, ohne Pfad."),
                ),
            )),
        }
    }
    if origins.len() > MAX_FRAME_ANCESTORS {
        errors.push(FieldError::new(
            "frame_ancestors",
            Wording::new(
                format!("Name at most {MAX_FRAME_ANCESTORS} origins."),
                format!("Nennen Sie höchstens {MAX_FRAME_ANCESTORS} Ursprünge."),
            ),
        ));
    }
    let order_response_url = input.order_response_url.trim().to_owned();
    if !order_response_url.is_empty() {
        let usable = url::Url::parse(&order_response_url).is_ok_and(|url| {
            url.scheme() == "https"
                || (url.scheme() == "http"
                    && url.host().as_ref().is_some_and(crate::urls::is_loopback))
        });
        if !usable || order_response_url.len() > 500 {
            errors.push(FieldError::new(
                "order_response_url",
                Wording::new(
                    "Enter the https address where order confirmations and ship notices go, or leave it empty.",
                    "Geben Sie die https-Adresse für Bestellbestätigungen und Versandbenachrichtigungen ein, oder lassen Sie das Feld leer.",
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(ValidCredential {
            mode,
            domain,
            identity,
            secret,
            encoding,
            frame_ancestors: origins.join(" "),
            order_response_url,
        })
    } else {
        Err(errors)
    }
}

fn duplicate() -> DomainError {
    DomainError::invalid(
        "identity",
        Wording::new(
            "This tenant already has a credential with this domain and identity for this environment.",
            "Dieser Anbieter hat für diese Umgebung bereits einen Zugang mit dieser Domäne und Identität.",
        ),
    )
}

/// Creates (`id` None) or changes a credential. `version` is the one the form showed.
pub async fn save(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    id: Option<i64>,
    version: Option<i32>,
    input: PunchoutCredentialInput,
) -> DomainResult<SavedPunchoutCredential> {
    denials(db, actor, async {
        let tenant_id = tenant_admin(actor)?;
        let valid = validate(&input, id.is_none()).map_err(DomainError::Invalid)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let account = account::Entity::find_by_id(input.account_id)
            .filter(account::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("account", input.account_id))?;
        let sealed = match &valid.secret {
            Some(secret) => Some(key.seal(account.id, secret)?),
            None => None,
        };
        let now = Utc::now();
        let saved = match id {
            None => {
                punchout_credential::ActiveModel {
                    tenant_id: Set(tenant_id),
                    account_id: Set(account.id),
                    deployment_mode: Set(valid.mode.as_str().to_owned()),
                    domain: Set(valid.domain.clone()),
                    identity: Set(valid.identity.clone()),
                    secret_sealed: Set(sealed.unwrap_or_default()),
                    cart_encoding: Set(valid.encoding.as_str().to_owned()),
                    frame_ancestors: Set(valid.frame_ancestors.clone()),
                    order_response_url: Set(valid.order_response_url.clone()),
                    enabled: Set(input.enabled),
                    created_by: Set(actor.user_id),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await
            }
            Some(id) => {
                let current = punchout_credential::Entity::find_by_id(id)
                    .filter(punchout_credential::Column::TenantId.eq(tenant_id))
                    .filter(punchout_credential::Column::AccountId.eq(account.id))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| DomainError::out_of_scope("punchout_credential", id))?;
                if version.is_some_and(|v| v != current.version) {
                    return Err(DomainError::conflict(Wording::new(
                        "Someone else changed this credential meanwhile. Reload the page and try again.",
                        "Jemand anderes hat diesen Zugang inzwischen geändert. Laden Sie die Seite neu und versuchen Sie es erneut.",
                    )));
                }
                let mut model = current.clone().into_active_model();
                model.deployment_mode = Set(valid.mode.as_str().to_owned());
                model.domain = Set(valid.domain.clone());
                model.identity = Set(valid.identity.clone());
                if let Some(sealed) = sealed {
                    model.secret_sealed = Set(sealed);
                }
                model.cart_encoding = Set(valid.encoding.as_str().to_owned());
                model.frame_ancestors = Set(valid.frame_ancestors.clone());
                model.order_response_url = Set(valid.order_response_url.clone());
                model.enabled = Set(input.enabled);
                model.version = Set(current.version + 1);
                model.updated_at = Set(now);
                model.update(&txn).await
            }
        };
        let saved = match saved {
            Ok(saved) => saved,
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(duplicate())
            }
            Err(e) => return Err(e.into()),
        };
        AuditEvent::new("punchout.credential_saved", "punchout_credential")
            .target(saved.id)
            .tenant(Some(tenant_id), Some(account.id))
            .details(json!({
                "mode": saved.deployment_mode,
                "domain": saved.domain,
                "identity": saved.identity,
                "secret_changed": valid.secret.is_some(),
                "enabled": saved.enabled,
            }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(SavedPunchoutCredential {
            id: saved.id,
            generated_secret: if input.shared_secret.trim().is_empty() {
                valid.secret
            } else {
                None
            },
        })
    })
    .await
}

/// Removes a credential: its procurement system can no longer punch out or order.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i64) -> DomainResult<()> {
    denials(db, actor, async {
        let tenant_id = tenant_admin(actor)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = punchout_credential::Entity::find_by_id(id)
            .filter(punchout_credential::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("punchout_credential", id))?;
        punchout_credential::Entity::delete_by_id(current.id)
            .exec(&txn)
            .await?;
        AuditEvent::new("punchout.credential_deleted", "punchout_credential")
            .target(current.id)
            .tenant(Some(tenant_id), Some(current.account_id))
            .details(json!({ "identity": current.identity, "mode": current.deployment_mode }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// A procurement system's credential that authenticated a document, with the account it
/// orders for, read in the same query.
#[derive(Debug, Clone)]
pub(crate) struct Sender {
    pub credential: punchout_credential::Model,
    account: Option<account::Model>,
}

impl Sender {
    /// The account the credential orders for, which must be active.
    pub(crate) fn ordering_account(&self) -> Result<&account::Model, PunchOutError> {
        let account = self
            .account
            .as_ref()
            .filter(|a| a.tenant_id == self.credential.tenant_id)
            .ok_or_else(|| PunchOutError::Internal("the credential's account is gone".into()))?;
        if account.status != "active" {
            return Err(PunchOutError::Forbidden(
                "This account is suspended and cannot order.".into(),
            ));
        }
        Ok(account)
    }
}

/// The credential a request's header names, if its shared secret matches and it is enabled.
/// Every failure is the same [`PunchOutError::Unauthorized`].
pub(crate) async fn authenticate(
    txn: &DatabaseTransaction,
    key: &SecretKey,
    tenant_id: i64,
    header: &cxml::Header,
    mode: cxml::DeploymentMode,
) -> Result<Sender, PunchOutError> {
    let presented = header.shared_secret().unwrap_or_default();
    // The first From credential the tenant knows decides.
    for from in &header.from {
        if let Some(found) =
            find(txn, tenant_id, &from.domain, &from.identity, mode.as_str()).await?
        {
            return check_secret(key, found, presented);
        }
    }
    Err(PunchOutError::Unauthorized)
}

async fn find(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    domain: &str,
    identity: &str,
    mode: &str,
) -> Result<Option<Sender>, PunchOutError> {
    Ok(punchout_credential::Entity::find()
        .find_also_related(account::Entity)
        .filter(punchout_credential::Column::TenantId.eq(tenant_id))
        .filter(punchout_credential::Column::Domain.eq(domain.trim().to_ascii_lowercase()))
        .filter(punchout_credential::Column::Identity.eq(identity.trim()))
        .filter(punchout_credential::Column::DeploymentMode.eq(mode))
        .one(txn)
        .await?
        .map(|(credential, account)| Sender {
            credential,
            account,
        }))
}

/// The sender, if `presented` is its credential's shared secret (compared in constant time)
/// and the credential is enabled.
fn check_secret(key: &SecretKey, sender: Sender, presented: &str) -> Result<Sender, PunchOutError> {
    let credential = &sender.credential;
    let presented = presented.trim().as_bytes();
    let stored = key.open(credential.account_id, &credential.secret_sealed)?;
    let matches: bool = stored.as_bytes().ct_eq(presented).into();
    if matches && !presented.is_empty() && credential.enabled {
        Ok(sender)
    } else {
        Err(PunchOutError::Unauthorized)
    }
}

/// The enabled credential `domain`/`identity` of the tenant for `mode`, if `presented` is its
/// shared secret. Every failure is the same [`PunchOutError::Unauthorized`].
pub(crate) async fn verify(
    txn: &DatabaseTransaction,
    key: &SecretKey,
    tenant_id: i64,
    domain: &str,
    identity: &str,
    mode: &str,
    presented: &str,
) -> Result<Sender, PunchOutError> {
    let sender = find(txn, tenant_id, domain, identity, mode)
        .await?
        .ok_or(PunchOutError::Unauthorized)?;
    check_secret(key, sender, presented)
}
