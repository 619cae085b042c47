//! Orders by e-mail: every message received for a tenant's order mailbox is kept whole, with
//! what was read from it, the account it was matched to, the draft PO it became and the
//! differences the agent must look at. One row per Message-ID and tenant, so a message
//! delivered twice is one row.

use crate::columns::{
    cols, drop_tables, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboundEmail {
    Table,
    Id,
    TenantId,
    /// The Message-ID header, or a digest of the message when it has none.
    MessageId,
    ReceivedAt,
    /// The sender's address (From), lower-cased.
    Sender,
    SenderName,
    /// Where answers go (Reply-To, else From); empty for machine mail, which is never answered.
    AnswerTo,
    Subject,
    /// `draft`, `needs_review`, `unreadable`, `dismissed` (`simdesk_types::InboundStatus`).
    Status,
    /// Why the message could not be read.
    Problem,
    AccountId,
    /// The account the sender's domain points to, for the agent to confirm.
    SuggestedAccountId,
    PurchaseOrderId,
    /// JSON: the message as read (text, safe HTML, attachments) and the order found in it.
    Reading,
    /// JSON: the differences between the message and the draft.
    Findings,
    /// The message exactly as received.
    Raw,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InboundEmail::Table)
                    .if_not_exists()
                    .col(id(InboundEmail::Id))
                    .col(required_reference(InboundEmail::TenantId))
                    .col(text(InboundEmail::MessageId, 512))
                    .col(timestamp(InboundEmail::ReceivedAt))
                    .col(text(InboundEmail::Sender, 320))
                    .col(text(InboundEmail::SenderName, 200))
                    .col(text(InboundEmail::AnswerTo, 320))
                    .col(text(InboundEmail::Subject, 500))
                    .col(text(InboundEmail::Status, 16))
                    .col(text(InboundEmail::Problem, 1000))
                    .col(reference(InboundEmail::AccountId))
                    .col(reference(InboundEmail::SuggestedAccountId))
                    .col(reference(InboundEmail::PurchaseOrderId))
                    .col(ColumnDef::new(InboundEmail::Reading).text().null())
                    .col(ColumnDef::new(InboundEmail::Findings).text().null())
                    .col(ColumnDef::new(InboundEmail::Raw).binary().not_null())
                    .col(timestamp(InboundEmail::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "inbound_email_message",
            InboundEmail::Table,
            cols([
                InboundEmail::TenantId.into_iden(),
                InboundEmail::MessageId.into_iden(),
            ]),
            true,
        )
        .await?;
        index(
            manager,
            "inbound_email_received",
            InboundEmail::Table,
            cols([
                InboundEmail::TenantId.into_iden(),
                InboundEmail::ReceivedAt.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "inbound_email_order",
            InboundEmail::Table,
            cols([InboundEmail::PurchaseOrderId.into_iden()]),
            false,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "inbound_email", "tenant_id").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![InboundEmail::Table.into_iden()]).await
    }
}
