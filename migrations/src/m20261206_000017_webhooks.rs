//! Webhooks: the subscriptions of a tenant or an account (an address, the events it wants, a
//! signing secret, sealed), and the queue of their deliveries, retried like the other queues
//! and shown in the message trace.

use crate::columns::{
    cols, drop_tables, fk, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookSubscription {
    Table,
    Id,
    TenantId,
    /// None for a subscription of the whole tenant.
    AccountId,
    Url,
    /// Space-separated event codes.
    Events,
    /// The signing secret (`whsec_…`), sealed for the tenant.
    SecretSealed,
    Description,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    TenantId,
    AccountId,
    SubscriptionId,
    /// The `webhook-id`: the same for every attempt of one delivery.
    MessageId,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    LastHttpStatus,
    CreatedAt,
    SentAt,
    RequestId,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookSubscription::Table)
                    .if_not_exists()
                    .col(id(WebhookSubscription::Id))
                    .col(required_reference(WebhookSubscription::TenantId))
                    .col(reference(WebhookSubscription::AccountId))
                    .col(text(WebhookSubscription::Url, 2000))
                    .col(text(WebhookSubscription::Events, 300))
                    .col(text(WebhookSubscription::SecretSealed, 512))
                    .col(text(WebhookSubscription::Description, 200))
                    .col(
                        ColumnDef::new(WebhookSubscription::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(required_reference(WebhookSubscription::CreatedBy))
                    .col(timestamp(WebhookSubscription::CreatedAt))
                    .foreign_key(&mut fk(
                        WebhookSubscription::Table,
                        WebhookSubscription::TenantId,
                        Tenant::Table,
                        Alias::new("id"),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "webhook_subscription_owner",
            WebhookSubscription::Table,
            cols([
                WebhookSubscription::TenantId.into_iden(),
                WebhookSubscription::AccountId.into_iden(),
            ]),
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .if_not_exists()
                    .col(id(WebhookDelivery::Id))
                    .col(required_reference(WebhookDelivery::TenantId))
                    .col(reference(WebhookDelivery::AccountId))
                    .col(required_reference(WebhookDelivery::SubscriptionId))
                    .col(text(WebhookDelivery::MessageId, 64))
                    .col(text(WebhookDelivery::EventType, 64))
                    .col(ColumnDef::new(WebhookDelivery::Payload).text().not_null())
                    .col(text(WebhookDelivery::Status, 16))
                    .col(
                        ColumnDef::new(WebhookDelivery::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(WebhookDelivery::NextAttemptAt))
                    .col(text(WebhookDelivery::LastError, 2000))
                    .col(
                        ColumnDef::new(WebhookDelivery::LastHttpStatus)
                            .integer()
                            .null(),
                    )
                    .col(timestamp(WebhookDelivery::CreatedAt))
                    .col(
                        ColumnDef::new(WebhookDelivery::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(text(WebhookDelivery::RequestId, 64))
                    .foreign_key(&mut fk(
                        WebhookDelivery::Table,
                        WebhookDelivery::SubscriptionId,
                        WebhookSubscription::Table,
                        WebhookSubscription::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "webhook_delivery_due",
            WebhookDelivery::Table,
            cols([
                WebhookDelivery::Status.into_iden(),
                WebhookDelivery::NextAttemptAt.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "webhook_delivery_tenant_created",
            WebhookDelivery::Table,
            cols([
                WebhookDelivery::TenantId.into_iden(),
                WebhookDelivery::CreatedAt.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "webhook_delivery_subscription",
            WebhookDelivery::Table,
            cols([
                WebhookDelivery::SubscriptionId.into_iden(),
                WebhookDelivery::Id.into_iden(),
            ]),
            false,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "webhook_subscription", "tenant_id").await?;
        rls::tenant_rls(manager, "webhook_delivery", "tenant_id").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                WebhookDelivery::Table.into_iden(),
                WebhookSubscription::Table.into_iden(),
            ],
        )
        .await
    }
}
