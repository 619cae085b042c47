//! The dashboards' charts: each tenant's low-stock threshold (a product with fewer free SIMs is
//! marked on the provider's stock chart), and the indexes that let the charts read a window of
//! orders and acceptances without scanning a tenant's whole history.

use crate::columns::{add_columns, cols, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Tenant {
    Table,
    /// Fewer free SIMs of a product than this is low stock; 0 warns of nothing.
    LowStockThreshold,
}

#[derive(DeriveIden)]
enum PurchaseOrder {
    Table,
    TenantId,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum PurchaseOrderEvent {
    Table,
    TenantId,
    Action,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            Tenant::Table,
            vec![ColumnDef::new(Tenant::LowStockThreshold)
                .integer()
                .not_null()
                .default(100)
                .to_owned()],
        )
        .await?;
        index(
            manager,
            "purchase_order_tenant_submitted",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::SubmittedAt.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "purchase_order_event_tenant_action_at",
            PurchaseOrderEvent::Table,
            cols([
                PurchaseOrderEvent::TenantId.into_iden(),
                PurchaseOrderEvent::Action.into_iden(),
                PurchaseOrderEvent::At.into_iden(),
            ]),
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            (
                "purchase_order_event_tenant_action_at",
                PurchaseOrderEvent::Table.into_iden(),
            ),
            (
                "purchase_order_tenant_submitted",
                PurchaseOrder::Table.into_iden(),
            ),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tenant::Table)
                    .drop_column(Tenant::LowStockThreshold)
                    .to_owned(),
            )
            .await
    }
}
