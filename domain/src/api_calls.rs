//! The audit trail of the REST API's calls: every call made with a token, read or change,
//! with its method, path, answer status and request id, kept [`KEEP_DAYS`] days. The edge
//! hands calls over in batches ([`record`]) so a read costs no write of its own; the admins
//! who manage the tokens see the latest on their API page. Changes are also in the audit log,
//! written in the change's own transaction.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use simdesk_types::ApiCallRow;
use std::collections::HashMap;

use crate::db::{begin_write, DataScope};
use crate::entity::api_call;
use crate::timestamps::rfc3339;
use crate::DomainResult;

/// How long calls are kept.
pub const KEEP_DAYS: i64 = 90;
/// The longest path kept; longer ones are cut.
const MAX_PATH: usize = 512;

/// One call, as the edge saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    pub token_id: i64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub request_id: String,
    pub at: DateTime<Utc>,
}

fn cut(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Writes a batch of calls in one transaction.
pub async fn record(db: &DatabaseConnection, calls: &[ApiCall]) -> DomainResult<()> {
    if calls.is_empty() {
        return Ok(());
    }
    // A batch holds the calls of several tenants.
    let txn = begin_write(db, DataScope::System).await?;
    api_call::Entity::insert_many(calls.iter().map(|call| api_call::ActiveModel {
        tenant_id: Set(call.tenant_id),
        account_id: Set(call.account_id),
        api_token_id: Set(call.token_id),
        method: Set(cut(&call.method, 8)),
        path: Set(cut(&call.path, MAX_PATH)),
        status: Set(i32::from(call.status)),
        request_id: Set(cut(&call.request_id, 64)),
        at: Set(call.at),
        ..Default::default()
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The latest calls of the tokens given (the ones an admin may see), newest first.
pub(crate) async fn latest_of(
    db: &impl ConnectionTrait,
    token_names: &HashMap<i64, String>,
    limit: u64,
) -> DomainResult<Vec<ApiCallRow>> {
    if token_names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(api_call::Entity::find()
        .filter(api_call::Column::ApiTokenId.is_in(token_names.keys().copied()))
        .order_by_desc(api_call::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|call| ApiCallRow {
            at: rfc3339(call.at),
            token_name: token_names
                .get(&call.api_token_id)
                .cloned()
                .unwrap_or_default(),
            method: call.method,
            path: call.path,
            status: u16::try_from(call.status).unwrap_or_default(),
            request_id: call.request_id,
        })
        .collect())
}

/// Deletes the calls older than [`KEEP_DAYS`]; returns how many.
pub async fn purge(db: &DatabaseConnection) -> DomainResult<u64> {
    let txn = begin_write(db, DataScope::System).await?;
    let deleted = api_call::Entity::delete_many()
        .filter(api_call::Column::At.lt(Utc::now() - Duration::days(KEEP_DAYS)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(deleted.rows_affected)
}
