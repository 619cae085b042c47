//! Idempotency keys of the REST API's POSTs, with Stripe's meaning: the first request with a
//! key is served and its answer kept for a day; a retry with the same key and the same request
//! gets that answer again without acting twice; the same key with another request is refused.
//! The claim is a row with a unique (token, key), so concurrent duplicates on any instance
//! find each other in the database. The first change the request commits marks the key in its
//! own transaction ([`mark_acted`], called by the audit log): if the server dies between that
//! commit and keeping the answer, the retry is told where the change is ([`Claim::Acted`])
//! instead of making it twice.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use crate::db::{begin_write, is_unique_violation, DataScope};
use crate::entity::idempotency_key;
use crate::DomainResult;

/// How long a key and its answer are kept.
pub const KEY_LIFETIME: Duration = Duration::hours(24);
/// How long a claim holds while its request is served; a claim whose request died (its
/// instance stopped) may be taken over after this.
const CLAIM_LEASE: Duration = Duration::seconds(60);
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// One key of one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub tenant_id: i64,
    pub token_id: i64,
    pub key: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Serve it, then [`complete`] (or [`release`] when there is no answer worth keeping).
    Proceed,
    /// It was served before: answer this again.
    Replay {
        status: u16,
        body: String,
        location: Option<String>,
    },
    /// Its first try committed a change to `on` (`<type>:<id>`) but died before its answer
    /// was kept: do not serve it again.
    Acted { on: String },
    /// The key came with another request before.
    KeyReused,
    /// A request with this key is being served right now.
    InFlight,
}

/// Whether a key is fit to keep: 1–255 visible ASCII characters.
pub fn acceptable(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Claims `key` for a request whose method, path and body digest to `request_hash`.
pub async fn claim(
    db: &DatabaseConnection,
    key: &KeyRef,
    request_hash: &str,
) -> DomainResult<Claim> {
    // A second attempt follows only a lost race to insert the same new key.
    for _ in 0..2 {
        match try_claim(db, key, request_hash, Utc::now()).await {
            Err(crate::DomainError::Database(error)) if is_unique_violation(&error) => continue,
            outcome => return outcome,
        }
    }
    Ok(Claim::InFlight)
}

async fn try_claim(
    db: &DatabaseConnection,
    key: &KeyRef,
    request_hash: &str,
    now: DateTime<Utc>,
) -> DomainResult<Claim> {
    let txn = begin_write(db, DataScope::Tenant(key.tenant_id)).await?;
    let existing = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::ApiTokenId.eq(key.token_id))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .one(&txn)
        .await?;
    let claim = match existing {
        None => {
            idempotency_key::ActiveModel {
                tenant_id: Set(key.tenant_id),
                api_token_id: Set(key.token_id),
                key: Set(key.key.clone()),
                request_hash: Set(request_hash.to_owned()),
                response_status: Set(None),
                response_body: Set(None),
                response_location: Set(String::new()),
                acted_on: Set(String::new()),
                created_at: Set(now),
                locked_until: Set(now + CLAIM_LEASE),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            Claim::Proceed
        }
        // An expired key is as good as new.
        Some(row) if row.created_at + KEY_LIFETIME <= now => {
            let taken = idempotency_key::Entity::update_many()
                .col_expr(
                    idempotency_key::Column::RequestHash,
                    Expr::value(request_hash),
                )
                .col_expr(
                    idempotency_key::Column::ResponseStatus,
                    Expr::value(Option::<i32>::None),
                )
                .col_expr(
                    idempotency_key::Column::ResponseBody,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(idempotency_key::Column::ResponseLocation, Expr::value(""))
                .col_expr(idempotency_key::Column::ActedOn, Expr::value(""))
                .col_expr(idempotency_key::Column::CreatedAt, Expr::value(now))
                .col_expr(
                    idempotency_key::Column::LockedUntil,
                    Expr::value(now + CLAIM_LEASE),
                )
                .filter(idempotency_key::Column::Id.eq(row.id))
                .filter(idempotency_key::Column::CreatedAt.eq(row.created_at))
                .exec(&txn)
                .await?;
            if taken.rows_affected == 1 {
                Claim::Proceed
            } else {
                Claim::InFlight
            }
        }
        Some(row) if row.request_hash != request_hash => Claim::KeyReused,
        Some(row) => match (row.response_status, row.response_body) {
            (Some(status), body) => Claim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body: body.unwrap_or_default(),
                location: Some(row.response_location).filter(|l| !l.is_empty()),
            },
            (None, _) if row.locked_until <= now && !row.acted_on.is_empty() => {
                Claim::Acted { on: row.acted_on }
            }
            (None, _) if row.locked_until <= now => {
                let taken = idempotency_key::Entity::update_many()
                    .col_expr(
                        idempotency_key::Column::LockedUntil,
                        Expr::value(now + CLAIM_LEASE),
                    )
                    .filter(idempotency_key::Column::Id.eq(row.id))
                    .filter(idempotency_key::Column::LockedUntil.eq(row.locked_until))
                    .exec(&txn)
                    .await?;
                if taken.rows_affected == 1 {
                    Claim::Proceed
                } else {
                    Claim::InFlight
                }
            }
            (None, _) => Claim::InFlight,
        },
    };
    txn.commit().await?;
    Ok(claim)
}

/// Keeps the answer of a claimed request, for its retries.
pub async fn complete(
    db: &DatabaseConnection,
    key: &KeyRef,
    status: u16,
    body: &str,
    location: Option<&str>,
) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::Tenant(key.tenant_id)).await?;
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(i32::from(status)),
        )
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
        .col_expr(
            idempotency_key::Column::ResponseLocation,
            Expr::value(location.unwrap_or_default()),
        )
        .filter(idempotency_key::Column::ApiTokenId.eq(key.token_id))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Gives a claim up without an answer (the request failed for a reason a retry may not
/// meet, such as an unavailable database), so the next retry is served afresh; or, when the
/// request did commit a change before it failed, so the next retry is told of that change.
pub async fn release(db: &DatabaseConnection, key: &KeyRef) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::Tenant(key.tenant_id)).await?;
    let unanswered = || {
        idempotency_key::Column::ApiTokenId
            .eq(key.token_id)
            .and(idempotency_key::Column::Key.eq(key.key.as_str()))
            .and(idempotency_key::Column::ResponseStatus.is_null())
    };
    idempotency_key::Entity::delete_many()
        .filter(unanswered())
        .filter(idempotency_key::Column::ActedOn.eq(""))
        .exec(&txn)
        .await?;
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::LockedUntil,
            Expr::value(Utc::now()),
        )
        .filter(unanswered())
        .filter(idempotency_key::Column::ActedOn.ne(""))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Marks the key of the API call being served with the first change it commits, `acted_on`
/// (`<type>:<id>`), in that change's transaction `db`.
pub(crate) async fn mark_acted(
    db: &impl ConnectionTrait,
    token_id: i64,
    key: &str,
    acted_on: &str,
) -> DomainResult<()> {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::ActedOn, Expr::value(acted_on))
        .filter(idempotency_key::Column::ApiTokenId.eq(token_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::ActedOn.eq(""))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the keys older than their lifetime; returns how many.
pub async fn purge_expired(db: &DatabaseConnection) -> DomainResult<u64> {
    let txn = begin_write(db, DataScope::System).await?;
    let deleted = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(Utc::now() - KEY_LIFETIME))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(deleted.rows_affected)
}
