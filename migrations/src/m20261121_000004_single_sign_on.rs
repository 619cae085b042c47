//! Single sign-on: each enterprise account may name one OpenID provider, and the e-mail domains
//! whose users it signs in. A domain routes to one provider on the whole platform.

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
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IdentityProvider {
    Table,
    Id,
    TenantId,
    AccountId,
    Enabled,
    IssuerUrl,
    ClientId,
    /// The client secret sealed with the configured key; never stored or shown in clear.
    ClientSecretSealed,
    Scopes,
    RoleClaim,
    /// JSON list of `{ "value": …, "role": … }`.
    RoleMapping,
    JitEnabled,
    JitRole,
    RequireSso,
    BreakGlassUserId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdentityProviderDomain {
    Table,
    Id,
    TenantId,
    ProviderId,
    Domain,
}

fn flag<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdentityProvider::Table)
                    .if_not_exists()
                    .col(id(IdentityProvider::Id))
                    .col(required_reference(IdentityProvider::TenantId))
                    .col(required_reference(IdentityProvider::AccountId))
                    .col(flag(IdentityProvider::Enabled))
                    .col(text(IdentityProvider::IssuerUrl, 500))
                    .col(text(IdentityProvider::ClientId, 255))
                    .col(text(IdentityProvider::ClientSecretSealed, 1000))
                    .col(text(IdentityProvider::Scopes, 500))
                    .col(text(IdentityProvider::RoleClaim, 200))
                    .col(
                        ColumnDef::new(IdentityProvider::RoleMapping)
                            .text()
                            .not_null(),
                    )
                    .col(flag(IdentityProvider::JitEnabled))
                    .col(
                        ColumnDef::new(IdentityProvider::JitRole)
                            .string_len(32)
                            .null(),
                    )
                    .col(flag(IdentityProvider::RequireSso))
                    .col(reference(IdentityProvider::BreakGlassUserId))
                    .col(
                        ColumnDef::new(IdentityProvider::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(IdentityProvider::CreatedAt))
                    .col(timestamp(IdentityProvider::UpdatedAt))
                    .foreign_key(&mut fk(
                        IdentityProvider::Table,
                        IdentityProvider::TenantId,
                        Tenant::Table,
                        Tenant::Id,
                    ))
                    .foreign_key(&mut fk(
                        IdentityProvider::Table,
                        IdentityProvider::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "identity_provider_account",
            IdentityProvider::Table,
            cols([IdentityProvider::AccountId.into_iden()]),
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdentityProviderDomain::Table)
                    .if_not_exists()
                    .col(id(IdentityProviderDomain::Id))
                    .col(required_reference(IdentityProviderDomain::TenantId))
                    .col(required_reference(IdentityProviderDomain::ProviderId))
                    .col(text(IdentityProviderDomain::Domain, 253))
                    .foreign_key(
                        fk(
                            IdentityProviderDomain::Table,
                            IdentityProviderDomain::ProviderId,
                            IdentityProvider::Table,
                            IdentityProvider::Id,
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "identity_provider_domain_unique",
            IdentityProviderDomain::Table,
            cols([IdentityProviderDomain::Domain.into_iden()]),
            true,
        )
        .await?;
        index(
            manager,
            "identity_provider_domain_provider",
            IdentityProviderDomain::Table,
            cols([IdentityProviderDomain::ProviderId.into_iden()]),
            false,
        )
        .await?;

        rls::ensure_app_role(manager).await?;
        for table in ["identity_provider", "identity_provider_domain"] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                IdentityProviderDomain::Table.into_iden(),
                IdentityProvider::Table.into_iden(),
            ],
        )
        .await
    }
}
