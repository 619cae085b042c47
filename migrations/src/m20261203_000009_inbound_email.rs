//! Orders by e-mail: every message received for a tenant's order mailbox is kept whole, with
//! what was read from it, the account it was matched to, the draft PO it became and the
//! differences the agent must look at. One row per Message-ID and tenant, so a message
//! delivered twice is one row. Each tenant sets its own alarm thresholds and how long the
//! contents of its messages are kept.

use crate::columns::{
    add_columns, cols, drop_tables, id, index, reference, required_reference, text, timestamp,
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

#[derive(DeriveIden, Clone)]
enum Tenant {
    Table,
    /// A queue whose oldest message waits longer is an alarm.
    AlarmStaleMinutes,
    /// This many refused inbound cXML documents within ten minutes are an alarm.
    AlarmRefusalBurst,
    /// After this many days a message's contents are removed; its row stays in the trace.
    MessageRetentionDays,
}

fn setting(column: Tenant, default: i32) -> ColumnDef {
    ColumnDef::new(column)
        .integer()
        .not_null()
        .default(default)
        .to_owned()
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
        add_columns(
            manager,
            Tenant::Table,
            vec![
                setting(Tenant::AlarmStaleMinutes, 15),
                setting(Tenant::AlarmRefusalBurst, 5),
                setting(Tenant::MessageRetentionDays, 365),
            ],
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "inbound_email", "tenant_id").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Tenant::AlarmStaleMinutes,
            Tenant::AlarmRefusalBurst,
            Tenant::MessageRetentionDays,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tenant::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        drop_tables(manager, vec![InboundEmail::Table.into_iden()]).await
    }
}
