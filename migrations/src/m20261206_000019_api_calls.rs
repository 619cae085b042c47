//! The audit trail of the REST API's calls: every call a token made, read or change, with its
//! method, path, answer status and request id, so an admin sees what each token did. Changes
//! are in the audit log as well, written with the change.

use crate::columns::{
    cols, drop_tables, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiCall {
    Table,
    Id,
    TenantId,
    /// None for a call with a tenant's token.
    AccountId,
    ApiTokenId,
    Method,
    /// The path below the host, with the query.
    Path,
    Status,
    RequestId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiCall::Table)
                    .if_not_exists()
                    .col(id(ApiCall::Id))
                    .col(required_reference(ApiCall::TenantId))
                    .col(reference(ApiCall::AccountId))
                    .col(required_reference(ApiCall::ApiTokenId))
                    .col(text(ApiCall::Method, 8))
                    .col(text(ApiCall::Path, 512))
                    .col(ColumnDef::new(ApiCall::Status).integer().not_null())
                    .col(text(ApiCall::RequestId, 64))
                    .col(timestamp(ApiCall::At))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "api_call_token",
            ApiCall::Table,
            cols([ApiCall::ApiTokenId.into_iden(), ApiCall::Id.into_iden()]),
            false,
        )
        .await?;
        index(
            manager,
            "api_call_at",
            ApiCall::Table,
            cols([ApiCall::At.into_iden()]),
            false,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "api_call", "tenant_id").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![ApiCall::Table.into_iden()]).await
    }
}
