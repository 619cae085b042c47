//! The durable outbox of cXML documents simdesk sends to procurement systems (order
//! confirmations, ship notices), and every attempt to deliver them.

use crate::columns::{
    cols, drop_tables, fk, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CxmlOutbox {
    Table,
    Id,
    TenantId,
    AccountId,
    PurchaseOrderId,
    CredentialId,
    DocumentType,
    Url,
    /// The document without its SharedSecret, which is added when it is sent.
    Payload,
    /// `pending`, `sent` or `failed`.
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum CxmlOutboxAttempt {
    Table,
    Id,
    TenantId,
    OutboxId,
    At,
    HttpStatus,
    CxmlStatus,
    Error,
    DurationMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CxmlOutbox::Table)
                    .if_not_exists()
                    .col(id(CxmlOutbox::Id))
                    .col(required_reference(CxmlOutbox::TenantId))
                    .col(required_reference(CxmlOutbox::AccountId))
                    .col(reference(CxmlOutbox::PurchaseOrderId))
                    .col(required_reference(CxmlOutbox::CredentialId))
                    .col(text(CxmlOutbox::DocumentType, 64))
                    .col(text(CxmlOutbox::Url, 500))
                    .col(ColumnDef::new(CxmlOutbox::Payload).text().not_null())
                    .col(text(CxmlOutbox::Status, 16))
                    .col(
                        ColumnDef::new(CxmlOutbox::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(CxmlOutbox::NextAttemptAt))
                    .col(text(CxmlOutbox::LastError, 2000))
                    .col(timestamp(CxmlOutbox::CreatedAt))
                    .col(
                        ColumnDef::new(CxmlOutbox::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        CxmlOutbox::Table,
                        CxmlOutbox::TenantId,
                        Tenant::Table,
                        Tenant::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // The sender's query: what is due, oldest first.
        index(
            manager,
            "cxml_outbox_due",
            CxmlOutbox::Table,
            cols([
                CxmlOutbox::Status.into_iden(),
                CxmlOutbox::NextAttemptAt.into_iden(),
            ]),
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CxmlOutboxAttempt::Table)
                    .if_not_exists()
                    .col(id(CxmlOutboxAttempt::Id))
                    .col(required_reference(CxmlOutboxAttempt::TenantId))
                    .col(required_reference(CxmlOutboxAttempt::OutboxId))
                    .col(timestamp(CxmlOutboxAttempt::At))
                    .col(
                        ColumnDef::new(CxmlOutboxAttempt::HttpStatus)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CxmlOutboxAttempt::CxmlStatus)
                            .integer()
                            .null(),
                    )
                    .col(text(CxmlOutboxAttempt::Error, 2000))
                    .col(
                        ColumnDef::new(CxmlOutboxAttempt::DurationMs)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(
                        fk(
                            CxmlOutboxAttempt::Table,
                            CxmlOutboxAttempt::OutboxId,
                            CxmlOutbox::Table,
                            CxmlOutbox::Id,
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "cxml_outbox_attempt_outbox",
            CxmlOutboxAttempt::Table,
            cols([CxmlOutboxAttempt::OutboxId.into_iden()]),
            false,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        for table in ["cxml_outbox", "cxml_outbox_attempt"] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                CxmlOutboxAttempt::Table.into_iden(),
                CxmlOutbox::Table.into_iden(),
            ],
        )
        .await
    }
}
