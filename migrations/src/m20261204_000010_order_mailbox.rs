//! A tenant's order mailbox read over IMAP: where it is, how to sign in (the password sealed),
//! and how far it has been read (the folder's UIDVALIDITY and the highest UID kept), so a
//! restart or a second instance never skips a message; a lease lets one instance read it at a
//! time. Received e-mails remember how they arrived, and each tenant names the hosts whose
//! order pages may be fetched when an e-mail links to one. An account's buyer part numbers
//! (the SKUs of its purchasing system) name the products they mean.

use crate::columns::{
    add_columns, cols, drop_tables, id, index, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderMailbox {
    Table,
    Id,
    TenantId,
    Enabled,
    Host,
    Port,
    /// `tls`, `starttls` or `none` (`simdesk_types::MailboxSecurity`).
    Security,
    Username,
    /// Sealed with the server's key (`domain::secret`), bound to the tenant.
    PasswordSealed,
    Folder,
    /// The folder's UIDVALIDITY when it was last read; another value means the UIDs restarted.
    UidValidity,
    /// The highest UID whose message is kept.
    LastUid,
    /// Messages kept from this mailbox so far.
    Received,
    CheckedAt,
    /// Since when every check failed; NULL while the mailbox answers.
    FailingSince,
    Failures,
    LastError,
    /// Until when one instance reads the mailbox.
    LeaseUntil,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BuyerPartNumber {
    Table,
    Id,
    TenantId,
    AccountId,
    /// The buyer's own part number (SKU) as their purchasing system writes it, upper-cased.
    BuyerPart,
    ProductId,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Tenant {
    Table,
    /// The hosts whose pages may be fetched when an order e-mail links to one, comma-separated.
    OrderPageHosts,
}

#[derive(DeriveIden, Clone)]
enum InboundEmail {
    Table,
    /// `pipe` (handed over by a mail server or a file) or `imap`.
    Via,
}

fn nullable_time(column: OrderMailbox) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn counter(column: OrderMailbox) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrderMailbox::Table)
                    .if_not_exists()
                    .col(id(OrderMailbox::Id))
                    .col(required_reference(OrderMailbox::TenantId).unique_key())
                    .col(
                        ColumnDef::new(OrderMailbox::Enabled)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(text(OrderMailbox::Host, 253))
                    .col(
                        ColumnDef::new(OrderMailbox::Port)
                            .integer()
                            .not_null()
                            .default(993),
                    )
                    .col(text(OrderMailbox::Security, 16))
                    .col(text(OrderMailbox::Username, 320))
                    .col(ColumnDef::new(OrderMailbox::PasswordSealed).text().null())
                    .col(text(OrderMailbox::Folder, 200))
                    .col(
                        ColumnDef::new(OrderMailbox::UidValidity)
                            .big_integer()
                            .null(),
                    )
                    .col(counter(OrderMailbox::LastUid))
                    .col(counter(OrderMailbox::Received))
                    .col(nullable_time(OrderMailbox::CheckedAt))
                    .col(nullable_time(OrderMailbox::FailingSince))
                    .col(
                        ColumnDef::new(OrderMailbox::Failures)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(text(OrderMailbox::LastError, 1000))
                    .col(nullable_time(OrderMailbox::LeaseUntil))
                    .col(
                        ColumnDef::new(OrderMailbox::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(OrderMailbox::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        add_columns(
            manager,
            InboundEmail::Table,
            vec![ColumnDef::new(InboundEmail::Via)
                .string_len(8)
                .not_null()
                .default("pipe")
                .to_owned()],
        )
        .await?;
        add_columns(
            manager,
            Tenant::Table,
            vec![text(Tenant::OrderPageHosts, 1000)],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(BuyerPartNumber::Table)
                    .if_not_exists()
                    .col(id(BuyerPartNumber::Id))
                    .col(required_reference(BuyerPartNumber::TenantId))
                    .col(required_reference(BuyerPartNumber::AccountId))
                    .col(text(BuyerPartNumber::BuyerPart, 100))
                    .col(required_reference(BuyerPartNumber::ProductId))
                    .col(timestamp(BuyerPartNumber::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "buyer_part_number_account",
            BuyerPartNumber::Table,
            cols([
                BuyerPartNumber::AccountId.into_iden(),
                BuyerPartNumber::BuyerPart.into_iden(),
            ]),
            true,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "order_mailbox", "tenant_id").await?;
        rls::tenant_rls(manager, "buyer_part_number", "tenant_id").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenant::Table)
                    .drop_column(Tenant::OrderPageHosts)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InboundEmail::Table)
                    .drop_column(InboundEmail::Via)
                    .to_owned(),
            )
            .await?;
        drop_tables(
            manager,
            vec![
                OrderMailbox::Table.into_iden(),
                BuyerPartNumber::Table.into_iden(),
            ],
        )
        .await
    }
}
