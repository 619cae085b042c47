//! A second factor at sign-in: each user's authenticator-app (TOTP) secret, sealed, with the
//! last time step it accepted (a code is accepted once); the user's one-time recovery codes and
//! the browsers they chose to trust, stored as digests; and each tenant's requirement for its
//! staff and account admins.

use crate::columns::{
    add_columns, cols, drop_columns, fk, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum AppUser {
    Table,
    /// The TOTP secret, sealed for the user; set when enrolment starts.
    TotpSecret,
    /// When enrolment was confirmed with a first code; until then the secret is not asked for.
    TotpEnabledAt,
    /// The last time step whose code was accepted: no code of it or an earlier step counts again.
    TotpLastStep,
}

#[derive(DeriveIden, Clone)]
enum Tenant {
    Table,
    RequireSecondFactor,
}

#[derive(DeriveIden)]
enum SecondFactorToken {
    Table,
    Id,
    /// None for the platform operator, who belongs to no tenant.
    TenantId,
    UserId,
    /// `recovery` (a one-time code) or `device` (a trusted browser's cookie).
    Kind,
    TokenHash,
    /// What the user sees: the browser's name for a device; empty for a recovery code.
    Label,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            AppUser::Table,
            vec![
                ColumnDef::new(AppUser::TotpSecret)
                    .string_len(256)
                    .null()
                    .to_owned(),
                ColumnDef::new(AppUser::TotpEnabledAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
                ColumnDef::new(AppUser::TotpLastStep)
                    .big_integer()
                    .null()
                    .to_owned(),
            ],
        )
        .await?;
        add_columns(
            manager,
            Tenant::Table,
            vec![ColumnDef::new(Tenant::RequireSecondFactor)
                .boolean()
                .not_null()
                .default(false)
                .to_owned()],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(SecondFactorToken::Table)
                    .if_not_exists()
                    .col(id(SecondFactorToken::Id))
                    .col(reference(SecondFactorToken::TenantId))
                    .col(required_reference(SecondFactorToken::UserId))
                    .col(text(SecondFactorToken::Kind, 16))
                    .col(text(SecondFactorToken::TokenHash, 64))
                    .col(text(SecondFactorToken::Label, 200))
                    .col(timestamp(SecondFactorToken::CreatedAt))
                    .col(
                        ColumnDef::new(SecondFactorToken::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SecondFactorToken::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        SecondFactorToken::Table,
                        SecondFactorToken::UserId,
                        AppUser::Table,
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut fk(
                        SecondFactorToken::Table,
                        SecondFactorToken::TenantId,
                        Tenant::Table,
                        Alias::new("id"),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "second_factor_token_hash",
            SecondFactorToken::Table,
            cols([SecondFactorToken::TokenHash.into_iden()]),
            true,
        )
        .await?;
        index(
            manager,
            "second_factor_token_user",
            SecondFactorToken::Table,
            cols([
                SecondFactorToken::UserId.into_iden(),
                SecondFactorToken::Kind.into_iden(),
            ]),
            false,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        rls::tenant_rls(manager, "second_factor_token", "tenant_id").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SecondFactorToken::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tenant::Table)
                    .drop_column(Tenant::RequireSecondFactor)
                    .to_owned(),
            )
            .await?;
        drop_columns(
            manager,
            AppUser::Table,
            vec![
                AppUser::TotpLastStep.into_iden(),
                AppUser::TotpEnabledAt.into_iden(),
                AppUser::TotpSecret.into_iden(),
            ],
        )
        .await
    }
}
