//! Tokens of the public REST API. A tenant admin makes tokens for the tenant, an account admin
//! for their account. A token acts as the admin who made it, with that admin's roles as they
//! are at each call, narrowed by the token's scopes: the services and the policy decide as for
//! the browser, and the REST edge checks the scope each route needs. The secret is shown once
//! and stored as its SHA-256 digest.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{
    ApiScope, ApiTokenInput, ApiTokenList, ApiTokenView, FieldError, NewApiToken, Wording,
    API_TOKEN_MAX_DAYS,
};
use std::collections::HashMap;

use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{account, api_token, app_user, tenant};
use crate::policy::{self, Permission};
use crate::text::required_text;
use crate::timestamps::rfc3339;
use crate::tokens::{random_token, sha256_hex};
use crate::{Actor, DomainError, DomainResult};

/// What every token's secret starts with, so a leaked one is recognisable (secret scanners).
pub const TOKEN_PREFIX: &str = "sdk_";
/// How many characters of the secret are kept in the clear to tell tokens apart.
const SHOWN_PREFIX_LEN: usize = 12;
/// A token's last use is written at most this often, so reads do not write on every call.
const LAST_USED_GRANULARITY: Duration = Duration::seconds(60);
/// How many of the latest calls the token page lists.
const RECENT_CALLS: u64 = 25;

/// Who calls the REST API: the token, its scopes, and the actor it acts as.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: i64,
    pub scopes: Vec<ApiScope>,
    pub actor: Actor,
}

impl ApiCaller {
    pub fn may(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Why a presented token does not let its caller in. Kept apart from [`DomainError`] so the
/// edge can answer each with its own problem type; none of them says whether a token exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefused {
    #[error("the token is not known")]
    Unknown,
    #[error("the token was revoked")]
    Revoked,
    #[error("the token has expired")]
    Expired,
    /// Its maker was deactivated or no longer works where the token belongs.
    #[error("the token's maker can no longer act for it")]
    MakerGone,
}

/// Whose tokens the actor manages: the tenant's (tenant admin) or their account's.
fn owner_of(actor: &Actor) -> DomainResult<(i64, Option<i64>)> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageApiTokens)?;
    Ok((tenant_id, actor.account_id))
}

fn owned_by(tenant_id: i64, account_id: Option<i64>) -> Condition {
    let condition = Condition::all().add(api_token::Column::TenantId.eq(tenant_id));
    match account_id {
        Some(account_id) => condition.add(api_token::Column::AccountId.eq(account_id)),
        None => condition.add(api_token::Column::AccountId.is_null()),
    }
}

pub fn parse_scopes(codes: &str) -> Vec<ApiScope> {
    codes
        .split_whitespace()
        .filter_map(ApiScope::parse)
        .collect()
}

fn view(
    token: &api_token::Model,
    makers: &HashMap<i64, String>,
    now: DateTime<Utc>,
) -> ApiTokenView {
    ApiTokenView {
        id: token.id,
        name: token.name.clone(),
        prefix: token.prefix.clone(),
        scopes: parse_scopes(&token.scopes),
        created_by: makers.get(&token.created_by).cloned().unwrap_or_default(),
        created_at: rfc3339(token.created_at),
        expires_at: rfc3339(token.expires_at),
        last_used_at: token.last_used_at.map(rfc3339),
        revoked_at: token.revoked_at.map(rfc3339),
        active: token.revoked_at.is_none() && token.expires_at > now,
    }
}

/// The tokens the actor manages, newest first.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> DomainResult<ApiTokenList> {
    let (tenant_id, account_id) = owner_of(actor)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let tokens = api_token::Entity::find()
        .filter(owned_by(tenant_id, account_id))
        .order_by_desc(api_token::Column::Id)
        .all(&txn)
        .await?;
    let maker_ids: Vec<i64> = tokens.iter().map(|t| t.created_by).collect();
    let makers: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(maker_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    let owner = match account_id {
        Some(account_id) => account::Entity::find_by_id(account_id)
            .one(&txn)
            .await?
            .map(|a| a.name),
        None => tenant::Entity::find_by_id(tenant_id)
            .one(&txn)
            .await?
            .map(|t| t.name),
    }
    .unwrap_or_default();
    let names: HashMap<i64, String> = tokens.iter().map(|t| (t.id, t.name.clone())).collect();
    let recent_calls = crate::api_calls::latest_of(&txn, &names, RECENT_CALLS).await?;
    txn.commit().await?;
    let now = Utc::now();
    Ok(ApiTokenList {
        tokens: tokens.iter().map(|t| view(t, &makers, now)).collect(),
        recent_calls,
        owner,
        for_tenant: account_id.is_none(),
    })
}

/// Checks a new token's name, scopes and lifetime, with the form's messages.
fn validate(input: &ApiTokenInput, for_tenant: bool) -> DomainResult<(String, Vec<ApiScope>, u32)> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = required_text(
        &input.name,
        "name",
        100,
        Wording::new(
            "Enter a name that says what the token is for.",
            "Geben Sie einen Namen ein, der sagt, wofür das Token ist.",
        ),
    )
    .map_err(|e| errors.push(e))
    .unwrap_or_default();
    let scopes = input.scopes();
    if scopes.is_empty() {
        errors.push(FieldError::new(
            "scopes",
            Wording::new(
                "Choose at least one scope.",
                "Wählen Sie mindestens eine Berechtigung.",
            ),
        ));
    } else if let Some(scope) = scopes
        .iter()
        .find(|scope| !ApiScope::allowed(for_tenant).contains(scope))
    {
        errors.push(FieldError::new(
            "scopes",
            Wording::new(
                format!(
                    "An account's token cannot have the scope {}.",
                    scope.as_str()
                ),
                format!(
                    "Das Token eines Kundenkontos kann die Berechtigung {} nicht erhalten.",
                    scope.as_str()
                ),
            ),
        ));
    }
    let days = match input.expires_in_days.trim().parse::<u32>() {
        Ok(days) if (1..=API_TOKEN_MAX_DAYS).contains(&days) => days,
        _ => {
            errors.push(FieldError::new(
                "expires_in_days",
                Wording::new(
                    format!("Enter a whole number of days from 1 to {API_TOKEN_MAX_DAYS}."),
                    format!(
                        "Geben Sie eine ganze Zahl von Tagen von 1 bis {API_TOKEN_MAX_DAYS} ein."
                    ),
                ),
            ));
            0
        }
    };
    if errors.is_empty() {
        Ok((name, scopes, days))
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Makes a token for the actor's tenant or account; its secret is in the answer only.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: ApiTokenInput,
) -> DomainResult<NewApiToken> {
    let (tenant_id, account_id) = owner_of(actor)?;
    let (name, scopes, days) = validate(&input, account_id.is_none())?;
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let now = Utc::now();
    let codes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let token = api_token::ActiveModel {
        tenant_id: Set(tenant_id),
        account_id: Set(account_id),
        created_by: Set(actor.user_id),
        name: Set(name),
        prefix: Set(secret.chars().take(SHOWN_PREFIX_LEN).collect()),
        token_hash: Set(sha256_hex(secret.as_bytes())),
        scopes: Set(codes.join(" ")),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(i64::from(days))),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEvent::new("api_token.created", "api_token")
        .target(token.id)
        .tenant(Some(tenant_id), account_id)
        .details(
            json!({ "name": token.name, "scopes": codes, "expires_at": rfc3339(token.expires_at) }),
        )
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    let makers = HashMap::from([(actor.user_id, actor.email.clone())]);
    Ok(NewApiToken {
        secret,
        token: view(&token, &makers, now),
    })
}

/// [`create`] as the active user with `email`, for the command line.
pub async fn create_as(
    db: &DatabaseConnection,
    email: &str,
    input: ApiTokenInput,
) -> DomainResult<NewApiToken> {
    let txn = begin(db, DataScope::System).await?;
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(crate::email::normalize_email(email)))
        .one(&txn)
        .await?;
    txn.commit().await?;
    let user =
        user.ok_or_else(|| DomainError::invalid("email", "No user has this e-mail address."))?;
    let actor = Actor::load(db, user.id)
        .await?
        .ok_or_else(|| DomainError::invalid("email", "This user is deactivated."))?;
    create(db, &actor, input).await
}

/// Revokes one of the actor's tokens at once; revoking it again changes nothing.
pub async fn revoke(db: &DatabaseConnection, actor: &Actor, token_id: i64) -> DomainResult<()> {
    denials(db, actor, async {
        let (tenant_id, account_id) = owner_of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let token = api_token::Entity::find_by_id(token_id)
            .filter(owned_by(tenant_id, account_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("api_token", token_id))?;
        if token.revoked_at.is_none() {
            let name = token.name.clone();
            let mut change: api_token::ActiveModel = token.into();
            change.revoked_at = Set(Some(Utc::now()));
            change.update(&txn).await?;
            AuditEvent::new("api_token.revoked", "api_token")
                .target(token_id)
                .tenant(Some(tenant_id), account_id)
                .details(json!({ "name": name }))
                .record(&txn, Some(actor.user_id))
                .await?;
        }
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Finds who calls with `secret`: the token must be known, neither revoked nor expired, and
/// its maker still active in the token's tenant and account. Notes the token's use.
pub async fn authenticate(
    db: &DatabaseConnection,
    secret: &str,
) -> DomainResult<Result<ApiCaller, TokenRefused>> {
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 128 {
        return Ok(Err(TokenRefused::Unknown));
    }
    let hash = sha256_hex(secret.as_bytes());
    // The tenant is not known before the token is found, hence the system scope for one row.
    let txn = begin(db, DataScope::System).await?;
    let token = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .one(&txn)
        .await?;
    txn.commit().await?;
    let Some(token) = token else {
        return Ok(Err(TokenRefused::Unknown));
    };
    let now = Utc::now();
    if token.revoked_at.is_some() {
        return Ok(Err(TokenRefused::Revoked));
    }
    if token.expires_at <= now {
        return Ok(Err(TokenRefused::Expired));
    }
    let Some(actor) = Actor::load(db, token.created_by).await? else {
        return Ok(Err(TokenRefused::MakerGone));
    };
    if actor.tenant_id != Some(token.tenant_id)
        || actor.account_id != token.account_id
        || !policy::allows(&actor, Permission::ManageApiTokens)
    {
        return Ok(Err(TokenRefused::MakerGone));
    }
    if token
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_GRANULARITY)
    {
        note_use(db, &token, now).await?;
    }
    Ok(Ok(ApiCaller {
        token_id: token.id,
        scopes: parse_scopes(&token.scopes),
        actor,
    }))
}

async fn note_use(
    db: &DatabaseConnection,
    token: &api_token::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::Tenant(token.tenant_id)).await?;
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::LastUsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(api_token::Column::Id.eq(token.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
