//! The product list: one page of the tenant's products at a time, searched, filtered and
//! sorted, by keyset.

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use simdesk_types::{Page, ProductStatus, ProductView, SortOrder};

use super::editing::product_view;
use crate::db::{begin, DataScope};
use crate::entity::product;
use crate::paging::{like_pattern, MAX_PAGE_SIZE};
use crate::policy::{self, Permission};
use crate::{paging, Actor, DomainResult};

/// How the product list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProductSort {
    #[default]
    Name,
    PartNumber,
    Price,
}

impl ProductSort {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "name" => Some(Self::Name),
            "part_number" => Some(Self::PartNumber),
            "price" => Some(Self::Price),
            _ => None,
        }
    }
}

/// A request for one page of products.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    /// Part of the name or part number, any case.
    pub search: String,
    pub status: Option<ProductStatus>,
    pub sort: ProductSort,
    pub order: SortOrder,
    /// The `next` of the previous page.
    pub after: Option<String>,
    pub limit: u64,
}

/// A page of the tenant's products, by keyset: the cursor is the last row's sort key and id, so
/// every page costs the same however deep it is.
pub async fn products(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ProductQuery,
) -> DomainResult<Page<ProductView>> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let column = match query.sort {
        ProductSort::Name => product::Column::Name,
        ProductSort::PartNumber => product::Column::PartNumber,
        ProductSort::Price => product::Column::UnitPriceMinor,
    };
    let mut select = product::Entity::find().filter(product::Column::TenantId.eq(tenant_id));
    if !query.search.trim().is_empty() {
        let pattern = like_pattern(&query.search);
        select = select.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(product::Column::Name)))
                        .like(pattern.as_str()),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(product::Column::PartNumber)))
                        .like(pattern.as_str()),
                ),
        );
    }
    if let Some(status) = query.status {
        select = select.filter(product::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = &query.after {
        let (id, key): (i64, sea_orm::Value) = if query.sort == ProductSort::Price {
            let (id, key) = paging::parse_numeric_cursor(cursor)?;
            (id, key.into())
        } else {
            let (id, key) = paging::parse_cursor(cursor)?;
            (id, key.into())
        };
        select = select.filter(paging::after(
            column,
            product::Column::Id,
            key,
            id,
            query.order,
        ));
    }
    select = paging::ordered(select, column, product::Column::Id, query.order);
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let mut rows = select.limit(limit + 1).all(&txn).await?;
    txn.commit().await?;
    let next = paging::next_cursor(&mut rows, limit, |last| {
        let key = match query.sort {
            ProductSort::Name => last.name.clone(),
            ProductSort::PartNumber => last.part_number.clone(),
            ProductSort::Price => last.unit_price_minor.to_string(),
        };
        (last.id, key)
    });
    Ok(Page {
        rows: rows.into_iter().map(product_view).collect(),
        next,
    })
}
