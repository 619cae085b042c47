//! The public REST API: the tokens that call it (stored as digests, with their scopes, expiry,
//! last use and revocation), the idempotency keys of its POSTs with the answer each got, and
//! the token that made each audited change.

use crate::columns::{
    add_columns, cols, drop_tables, fk, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum AuditLog {
    Table,
    ApiTokenId,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    TenantId,
    /// None for a token of the whole tenant (made by a tenant admin).
    AccountId,
    /// The admin who made it: the token acts with this user's roles, narrowed by its scopes.
    CreatedBy,
    Name,
    /// The token's first characters, shown so a user can tell tokens apart.
    Prefix,
    TokenHash,
    /// Space-separated scope codes.
    Scopes,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    TenantId,
    ApiTokenId,
    Key,
    /// SHA-256 of the method, path and body: the same key with another request is refused.
    RequestHash,
    /// None while the first request is being served.
    ResponseStatus,
    ResponseBody,
    CreatedAt,
    /// A claim whose request died is taken over after this.
    LockedUntil,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .if_not_exists()
                    .col(id(ApiToken::Id))
                    .col(required_reference(ApiToken::TenantId))
                    .col(reference(ApiToken::AccountId))
                    .col(required_reference(ApiToken::CreatedBy))
                    .col(text(ApiToken::Name, 100))
                    .col(text(ApiToken::Prefix, 16))
                    .col(text(ApiToken::TokenHash, 64))
                    .col(text(ApiToken::Scopes, 200))
                    .col(timestamp(ApiToken::CreatedAt))
                    .col(timestamp(ApiToken::ExpiresAt))
                    .col(
                        ColumnDef::new(ApiToken::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiToken::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        ApiToken::Table,
                        ApiToken::TenantId,
                        Tenant::Table,
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut fk(
                        ApiToken::Table,
                        ApiToken::CreatedBy,
                        AppUser::Table,
                        Alias::new("id"),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "api_token_hash",
            ApiToken::Table,
            cols([ApiToken::TokenHash.into_iden()]),
            true,
        )
        .await?;
        index(
            manager,
            "api_token_owner",
            ApiToken::Table,
            cols([
                ApiToken::TenantId.into_iden(),
                ApiToken::AccountId.into_iden(),
            ]),
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .if_not_exists()
                    .col(id(IdempotencyKey::Id))
                    .col(required_reference(IdempotencyKey::TenantId))
                    .col(required_reference(IdempotencyKey::ApiTokenId))
                    .col(text(IdempotencyKey::Key, 255))
                    .col(text(IdempotencyKey::RequestHash, 64))
                    .col(
                        ColumnDef::new(IdempotencyKey::ResponseStatus)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(IdempotencyKey::ResponseBody).text().null())
                    .col(timestamp(IdempotencyKey::CreatedAt))
                    .col(timestamp(IdempotencyKey::LockedUntil))
                    .foreign_key(&mut fk(
                        IdempotencyKey::Table,
                        IdempotencyKey::ApiTokenId,
                        ApiToken::Table,
                        ApiToken::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idempotency_key_token_key",
            IdempotencyKey::Table,
            cols([
                IdempotencyKey::ApiTokenId.into_iden(),
                IdempotencyKey::Key.into_iden(),
            ]),
            true,
        )
        .await?;
        index(
            manager,
            "idempotency_key_created",
            IdempotencyKey::Table,
            cols([IdempotencyKey::CreatedAt.into_iden()]),
            false,
        )
        .await?;
        add_columns(
            manager,
            AuditLog::Table,
            vec![reference(AuditLog::ApiTokenId)],
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "api_token", "tenant_id").await?;
        rls::tenant_rls(manager, "idempotency_key", "tenant_id").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::ApiTokenId)
                    .to_owned(),
            )
            .await?;
        drop_tables(
            manager,
            vec![
                IdempotencyKey::Table.into_iden(),
                ApiToken::Table.into_iden(),
            ],
        )
        .await
    }
}
