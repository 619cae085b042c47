//! The tenant's accounts in bulk: the paged, searchable account list and its CSV export.

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use simdesk_types::{AccountSummary, Page, SortOrder};
use std::collections::HashMap;

use crate::db::{begin, DataScope};
use crate::entity::account;
use crate::paging::{like_pattern, MAX_PAGE_SIZE};
use crate::policy::{self, Permission};
use crate::{paging, Actor, DomainError, DomainResult};

fn summary(a: &account::Model, parents: &HashMap<i64, String>) -> AccountSummary {
    AccountSummary {
        id: a.id,
        name: a.name.clone(),
        customer_number: a.customer_number.clone().unwrap_or_default(),
        status: a.status.clone(),
        parent_name: a.parent_account_id.and_then(|id| parents.get(&id).cloned()),
    }
}

/// How the account list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountSort {
    #[default]
    Name,
    CustomerNumber,
}

#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Part of the name or customer number, any case.
    pub search: String,
    pub status: Option<String>,
    pub sort: AccountSort,
    pub order: SortOrder,
    pub after: Option<String>,
    pub limit: u64,
}

/// A page of the tenant's accounts, by keyset.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: AccountQuery,
) -> DomainResult<Page<AccountSummary>> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let column = match query.sort {
        AccountSort::Name => account::Column::Name,
        AccountSort::CustomerNumber => account::Column::CustomerNumber,
    };
    let mut select = account::Entity::find().filter(account::Column::TenantId.eq(tenant_id));
    if !query.search.trim().is_empty() {
        let pattern = like_pattern(&query.search);
        select = select.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(account::Column::Name)))
                        .like(pattern.as_str()),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(account::Column::CustomerNumber)))
                        .like(pattern.as_str()),
                ),
        );
    }
    if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(account::Column::Status.eq(status));
    }
    if let Some(cursor) = &query.after {
        let (id, key) = paging::parse_cursor(cursor)?;
        select = select.filter(paging::after(
            column,
            account::Column::Id,
            key.into(),
            id,
            query.order,
        ));
    }
    select = paging::ordered(select, column, account::Column::Id, query.order);
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let mut rows = select.limit(limit + 1).all(&txn).await?;
    let parent_ids: Vec<i64> = rows.iter().filter_map(|a| a.parent_account_id).collect();
    let parents: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(parent_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    txn.commit().await?;
    let next = paging::next_cursor(&mut rows, limit, |last| {
        let key = match query.sort {
            AccountSort::Name => last.name.clone(),
            AccountSort::CustomerNumber => last.customer_number.clone().unwrap_or_default(),
        };
        (last.id, key)
    });
    Ok(Page {
        rows: rows.iter().map(|a| summary(a, &parents)).collect(),
        next,
    })
}

/// All of the tenant's accounts as CSV.
pub async fn export_csv(db: &DatabaseConnection, actor: &Actor) -> DomainResult<String> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let all = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant_id))
        .order_by_asc(account::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let names: HashMap<i64, String> = all
        .iter()
        .map(|a| (a.id, a.customer_number.clone().unwrap_or_default()))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| DomainError::Internal(format!("CSV export failed: {e}"));
    writer
        .write_record([
            "customer_number",
            "name",
            "status",
            "parent_customer_number",
            "vat_id",
            "billing_name",
            "billing_street",
            "billing_postal_code",
            "billing_city",
            "billing_country",
        ])
        .map_err(failed)?;
    for a in &all {
        writer
            .write_record([
                a.customer_number.clone().unwrap_or_default(),
                a.name.clone(),
                a.status.clone(),
                a.parent_account_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default(),
                a.vat_id.clone(),
                a.billing_name.clone(),
                a.billing_street.clone(),
                a.billing_postal_code.clone(),
                a.billing_city.clone(),
                a.billing_country.clone(),
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("CSV export failed: {e}")))?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(format!("CSV export failed: {e}")))
}
