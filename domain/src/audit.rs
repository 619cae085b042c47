//! The append-only audit log: written in the same transaction as the change it records.

use chrono::Utc;
use sea_orm::sea_query::InsertStatement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use serde_json::Value;
use simdesk_types::{AuditPage, AuditRow};
use std::collections::HashMap;

use crate::db::{begin, begin_write, DataScope};
use crate::entity::{app_user, audit_log};
use crate::policy::{self, Permission};
use crate::{Actor, DomainResult};

/// The action of an entry that records a refusal, not a change.
const ACCESS_DENIED: &str = "access.denied";

/// One audit entry about to be written.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub tenant_id: Option<i64>,
    pub account_id: Option<i64>,
    pub details: Value,
}

impl AuditEvent {
    pub fn new(action: &'static str, target_type: &'static str) -> Self {
        Self {
            action,
            target_type,
            target_id: None,
            tenant_id: None,
            account_id: None,
            details: Value::Null,
        }
    }

    pub fn target(mut self, id: impl ToString) -> Self {
        self.target_id = Some(id.to_string());
        self
    }

    /// Files the entry under the actor's tenant and account.
    pub fn scoped_to(mut self, actor: &Actor) -> Self {
        self.tenant_id = actor.tenant_id;
        self.account_id = actor.account_id;
        self
    }

    pub fn tenant(mut self, tenant_id: Option<i64>, account_id: Option<i64>) -> Self {
        self.tenant_id = tenant_id;
        self.account_id = account_id;
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub async fn record(
        self,
        db: &impl ConnectionTrait,
        actor_user_id: Option<i64>,
    ) -> DomainResult<()> {
        self.record_along(db, actor_user_id, Vec::new()).await
    }

    /// Writes the entry together with `alongside`, rows of the same change that nobody reads
    /// back: one round trip for all of them on PostgreSQL.
    pub(crate) async fn record_along(
        self,
        db: &impl ConnectionTrait,
        actor_user_id: Option<i64>,
        mut alongside: Vec<InsertStatement>,
    ) -> DomainResult<()> {
        // The change of an API call with an Idempotency-Key marks the key in the change's own
        // transaction: a retry then finds the change even if the answer was never kept.
        let acted_on = (self.action != ACCESS_DENIED).then(|| {
            format!(
                "{}:{}",
                self.target_type,
                self.target_id.as_deref().unwrap_or_default()
            )
        });
        let entry = audit_log::ActiveModel {
            tenant_id: Set(self.tenant_id),
            account_id: Set(self.account_id),
            actor_user_id: Set(actor_user_id),
            action: Set(self.action.to_owned()),
            target_type: Set(self.target_type.to_owned()),
            target_id: Set(self.target_id),
            details: Set(self.details.to_string()),
            at: Set(Utc::now()),
            request_id: Set(crate::request_id::current().unwrap_or_default()),
            api_token_id: Set(crate::request_id::api_token()),
            ..Default::default()
        };
        alongside.push(audit_log::Entity::insert(entry).into_query());
        crate::db::insert_together(db, alongside).await?;
        if let (Some(acted_on), Some(token_id), Some(key)) = (
            acted_on,
            crate::request_id::api_token(),
            crate::request_id::idempotency_key(),
        ) {
            crate::idempotency::mark_acted(db, token_id, &key, &acted_on).await?;
        }
        Ok(())
    }
}

/// Records that an actor asked for something outside their reach, in their own tenant's log.
pub async fn record_denied(
    db: &DatabaseConnection,
    actor: &Actor,
    target_type: &'static str,
    target_id: impl ToString,
) -> DomainResult<()> {
    tracing::warn!(
        user_id = actor.user_id,
        target_type,
        target_id = target_id.to_string(),
        "access to an object outside the actor's scope denied"
    );
    let txn = begin_write(db, DataScope::of(actor)).await?;
    AuditEvent::new(ACCESS_DENIED, target_type)
        .target(target_id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Runs a service body; when it asked for an object outside the actor's scope, records the
/// attempt (after the body's transaction has ended, so SQLite's single writer is free) and
/// answers "not found", exactly as for an id that does not exist.
pub async fn denials<T>(
    db: &DatabaseConnection,
    actor: &Actor,
    body: impl std::future::Future<Output = DomainResult<T>>,
) -> DomainResult<T> {
    match body.await {
        Err(crate::DomainError::OutOfScope {
            target_type,
            target_id,
        }) => {
            record_denied(db, actor, target_type, target_id).await?;
            Err(crate::DomainError::NotFound)
        }
        other => other,
    }
}

pub const AUDIT_PAGE_SIZE: u64 = 50;

/// Audit entries the actor may read, newest first, continuing below `before` when given.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    before: Option<i64>,
) -> DomainResult<AuditPage> {
    policy::require(actor, Permission::ReadAuditLog)?;
    let txn = begin(db, DataScope::of(actor)).await?;
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(tenant_id) = actor.tenant_id {
        query = query.filter(audit_log::Column::TenantId.eq(tenant_id));
    }
    if let Some(before) = before {
        query = query.filter(audit_log::Column::Id.lt(before));
    }
    let entries = query.limit(AUDIT_PAGE_SIZE + 1).all(&txn).await?;
    let rows = to_rows(&txn, entries).await?;
    txn.commit().await?;
    Ok(paginate(rows))
}

/// The most recent entries of a tenant or account, for dashboards.
pub(crate) async fn recent(
    db: &impl ConnectionTrait,
    tenant_id: Option<i64>,
    account_id: Option<i64>,
    limit: u64,
) -> DomainResult<Vec<AuditRow>> {
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(tenant_id) = tenant_id {
        query = query.filter(audit_log::Column::TenantId.eq(tenant_id));
    }
    if let Some(account_id) = account_id {
        query = query.filter(audit_log::Column::AccountId.eq(account_id));
    }
    let entries = query.limit(limit).all(db).await?;
    to_rows(db, entries).await
}

fn paginate(mut rows: Vec<AuditRow>) -> AuditPage {
    let has_more = rows.len() as u64 > AUDIT_PAGE_SIZE;
    rows.truncate(AUDIT_PAGE_SIZE as usize);
    let next_before = if has_more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    AuditPage { rows, next_before }
}

async fn to_rows(
    db: &impl ConnectionTrait,
    entries: Vec<audit_log::Model>,
) -> DomainResult<Vec<AuditRow>> {
    let actor_ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_user_id).collect();
    let emails: HashMap<i64, String> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect()
    };
    Ok(entries
        .into_iter()
        .map(|e| AuditRow {
            id: e.id,
            at: e.at,
            actor: e.actor_user_id.and_then(|id| emails.get(&id).cloned()),
            action: e.action,
            target: match e.target_id {
                Some(id) => format!("{} {}", e.target_type, id),
                None => e.target_type,
            },
            request_id: e.request_id,
            details: if e.details == "null" {
                String::new()
            } else {
                e.details
            },
        })
        .collect())
}
