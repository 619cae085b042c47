//! cXML PunchOut and purchase-order intake: per-account buyer credentials, one-time PunchOut
//! sessions, the trace of every cXML document in and out (which also makes OrderRequests
//! idempotent), and the columns that tie a purchase order to the buyer's order.

use crate::columns::{
    add_columns, cols, drop_tables, fk, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Tenant {
    Table,
    Id,
    /// Orders that match the contract exactly are accepted without an agent.
    PunchoutAutoAccept,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum PurchaseOrder {
    Table,
    /// The credential whose procurement system ordered (where confirmations go).
    PunchoutCredentialId,
    /// The payloadID of the buyer's OrderRequest, referenced by confirmations.
    BuyerPayloadId,
}

#[derive(DeriveIden)]
enum PunchoutCredential {
    Table,
    Id,
    TenantId,
    AccountId,
    /// `production` or `test`: a buyer uses a different credential per environment.
    DeploymentMode,
    /// The buyer's From credential, stored lowercase (`networkid`, `duns`, ...).
    Domain,
    Identity,
    /// The shared secret sealed with the configured key; never stored or shown in clear.
    SecretSealed,
    /// How the cart goes back: `urlencoded` (field `cxml-urlencoded`) or `base64`.
    CartEncoding,
    /// Space-separated origins allowed to frame PunchOut pages.
    FrameAncestors,
    /// Where ConfirmationRequest and ShipNoticeRequest documents are posted.
    OrderResponseUrl,
    Enabled,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PunchoutSession {
    Table,
    Id,
    TenantId,
    AccountId,
    CredentialId,
    UserId,
    /// SHA-256 of the one-time start token; the token itself is only in the StartPage URL.
    TokenHash,
    Operation,
    BuyerCookie,
    BrowserFormPostUrl,
    /// The cart being edited or inspected, then the PO recorded from the returned cart.
    PurchaseOrderId,
    /// JSON list of `{ "product_id", "quantity" }` the cart starts with (edit, inspect).
    InitialCart,
    ExpiresAt,
    StartedAt,
    ClosedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CxmlDocument {
    Table,
    Id,
    TenantId,
    AccountId,
    /// `in` or `out`.
    Direction,
    DocumentType,
    SenderDomain,
    SenderIdentity,
    PayloadId,
    /// `domain|identity|payloadID` for OrderRequests: the idempotency key.
    IdempotencyKey,
    /// SHA-256 of the stored body, to tell a retry from a different document.
    BodySha256,
    /// The document with every SharedSecret redacted.
    Body,
    StatusCode,
    StatusText,
    Response,
    PurchaseOrderId,
    CreatedAt,
}

fn flag<T: IntoIden>(column: T, default: bool) -> ColumnDef {
    ColumnDef::new(column)
        .boolean()
        .not_null()
        .default(default)
        .to_owned()
}

fn optional_timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            Tenant::Table,
            vec![flag(Tenant::PunchoutAutoAccept, false)],
        )
        .await?;
        add_columns(
            manager,
            PurchaseOrder::Table,
            vec![
                reference(PurchaseOrder::PunchoutCredentialId),
                ColumnDef::new(PurchaseOrder::BuyerPayloadId)
                    .string_len(255)
                    .null()
                    .to_owned(),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PunchoutCredential::Table)
                    .if_not_exists()
                    .col(id(PunchoutCredential::Id))
                    .col(required_reference(PunchoutCredential::TenantId))
                    .col(required_reference(PunchoutCredential::AccountId))
                    .col(text(PunchoutCredential::DeploymentMode, 16))
                    .col(text(PunchoutCredential::Domain, 64))
                    .col(text(PunchoutCredential::Identity, 255))
                    .col(text(PunchoutCredential::SecretSealed, 1000))
                    .col(text(PunchoutCredential::CartEncoding, 16))
                    .col(text(PunchoutCredential::FrameAncestors, 2000))
                    .col(text(PunchoutCredential::OrderResponseUrl, 500))
                    .col(flag(PunchoutCredential::Enabled, true))
                    .col(required_reference(PunchoutCredential::CreatedBy))
                    .col(
                        ColumnDef::new(PunchoutCredential::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(PunchoutCredential::CreatedAt))
                    .col(timestamp(PunchoutCredential::UpdatedAt))
                    .foreign_key(&mut fk(
                        PunchoutCredential::Table,
                        PunchoutCredential::TenantId,
                        Tenant::Table,
                        Tenant::Id,
                    ))
                    .foreign_key(&mut fk(
                        PunchoutCredential::Table,
                        PunchoutCredential::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // One buyer identity per environment within a tenant: the lookup of a request's sender.
        index(
            manager,
            "punchout_credential_identity",
            PunchoutCredential::Table,
            cols([
                PunchoutCredential::TenantId.into_iden(),
                PunchoutCredential::Domain.into_iden(),
                PunchoutCredential::Identity.into_iden(),
                PunchoutCredential::DeploymentMode.into_iden(),
            ]),
            true,
        )
        .await?;
        index(
            manager,
            "punchout_credential_account",
            PunchoutCredential::Table,
            cols([PunchoutCredential::AccountId.into_iden()]),
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PunchoutSession::Table)
                    .if_not_exists()
                    .col(id(PunchoutSession::Id))
                    .col(required_reference(PunchoutSession::TenantId))
                    .col(required_reference(PunchoutSession::AccountId))
                    .col(required_reference(PunchoutSession::CredentialId))
                    .col(required_reference(PunchoutSession::UserId))
                    .col(text(PunchoutSession::TokenHash, 64))
                    .col(text(PunchoutSession::Operation, 16))
                    .col(text(PunchoutSession::BuyerCookie, 1000))
                    .col(text(PunchoutSession::BrowserFormPostUrl, 2000))
                    .col(reference(PunchoutSession::PurchaseOrderId))
                    .col(
                        ColumnDef::new(PunchoutSession::InitialCart)
                            .text()
                            .not_null(),
                    )
                    .col(timestamp(PunchoutSession::ExpiresAt))
                    .col(optional_timestamp(PunchoutSession::StartedAt))
                    .col(optional_timestamp(PunchoutSession::ClosedAt))
                    .col(timestamp(PunchoutSession::CreatedAt))
                    .foreign_key(
                        fk(
                            PunchoutSession::Table,
                            PunchoutSession::CredentialId,
                            PunchoutCredential::Table,
                            PunchoutCredential::Id,
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk(
                        PunchoutSession::Table,
                        PunchoutSession::UserId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "punchout_session_token",
            PunchoutSession::Table,
            cols([PunchoutSession::TokenHash.into_iden()]),
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CxmlDocument::Table)
                    .if_not_exists()
                    .col(id(CxmlDocument::Id))
                    .col(required_reference(CxmlDocument::TenantId))
                    .col(reference(CxmlDocument::AccountId))
                    .col(text(CxmlDocument::Direction, 8))
                    .col(text(CxmlDocument::DocumentType, 64))
                    .col(text(CxmlDocument::SenderDomain, 64))
                    .col(text(CxmlDocument::SenderIdentity, 255))
                    .col(text(CxmlDocument::PayloadId, 255))
                    .col(
                        ColumnDef::new(CxmlDocument::IdempotencyKey)
                            .string_len(600)
                            .null(),
                    )
                    .col(text(CxmlDocument::BodySha256, 64))
                    .col(ColumnDef::new(CxmlDocument::Body).text().not_null())
                    .col(
                        ColumnDef::new(CxmlDocument::StatusCode)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(text(CxmlDocument::StatusText, 2000))
                    .col(ColumnDef::new(CxmlDocument::Response).text().not_null())
                    .col(reference(CxmlDocument::PurchaseOrderId))
                    .col(timestamp(CxmlDocument::CreatedAt))
                    .foreign_key(&mut fk(
                        CxmlDocument::Table,
                        CxmlDocument::TenantId,
                        Tenant::Table,
                        Tenant::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // NULL keys (everything but OrderRequests) never collide on either backend.
        index(
            manager,
            "cxml_document_idempotency",
            CxmlDocument::Table,
            cols([
                CxmlDocument::TenantId.into_iden(),
                CxmlDocument::IdempotencyKey.into_iden(),
            ]),
            true,
        )
        .await?;
        index(
            manager,
            "cxml_document_tenant_time",
            CxmlDocument::Table,
            cols([
                CxmlDocument::TenantId.into_iden(),
                CxmlDocument::CreatedAt.into_iden(),
            ]),
            false,
        )
        .await?;

        rls::ensure_app_role(manager).await?;
        for table in ["punchout_credential", "punchout_session", "cxml_document"] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                CxmlDocument::Table.into_iden(),
                PunchoutSession::Table.into_iden(),
                PunchoutCredential::Table.into_iden(),
            ],
        )
        .await
    }
}
