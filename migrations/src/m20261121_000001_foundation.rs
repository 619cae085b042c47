//! Tenants, accounts, users, memberships, external identities, sessions and the audit log.

use crate::columns::{drop_tables, id, timestamp};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    Slug,
    Name,
    SupportEmail,
    BrandColor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    TenantId,
    ParentAccountId,
    Name,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    TenantId,
    AccountId,
    Email,
    DisplayName,
    PasswordHash,
    Active,
    MustChangePassword,
    FailedSignIns,
    LockedUntil,
    LastSignInAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    Id,
    UserId,
    TenantId,
    AccountId,
    Role,
}

#[derive(DeriveIden)]
enum ExternalIdentity {
    Table,
    Id,
    UserId,
    TenantId,
    Issuer,
    Subject,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    TenantId,
    AccountId,
    ActorUserId,
    Action,
    TargetType,
    TargetId,
    Details,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenant::Table)
                    .col(id(Tenant::Id))
                    .col(
                        ColumnDef::new(Tenant::Slug)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Tenant::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Tenant::SupportEmail).string_len(320).null())
                    .col(ColumnDef::new(Tenant::BrandColor).string_len(16).null())
                    .col(timestamp(Tenant::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(id(Account::Id))
                    .col(ColumnDef::new(Account::TenantId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Account::ParentAccountId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Account::Name).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Account::Status)
                            .string_len(16)
                            .not_null()
                            .default("active"),
                    )
                    .col(timestamp(Account::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Account::Table, Account::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Account::Table, Account::ParentAccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("account_tenant_name")
                    .table(Account::Table)
                    .col(Account::TenantId)
                    .col(Account::Name)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(id(AppUser::Id))
                    .col(ColumnDef::new(AppUser::TenantId).big_integer().null())
                    .col(ColumnDef::new(AppUser::AccountId).big_integer().null())
                    .col(
                        ColumnDef::new(AppUser::Email)
                            .string_len(320)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(AppUser::DisplayName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AppUser::PasswordHash).string_len(255).null())
                    .col(
                        ColumnDef::new(AppUser::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(AppUser::MustChangePassword)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(AppUser::FailedSignIns)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(AppUser::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AppUser::LastSignInAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(timestamp(AppUser::CreatedAt))
                    .col(timestamp(AppUser::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppUser::Table, AppUser::TenantId)
                            .to(Tenant::Table, Tenant::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppUser::Table, AppUser::AccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("app_user_tenant_account")
                    .table(AppUser::Table)
                    .col(AppUser::TenantId)
                    .col(AppUser::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(id(Membership::Id))
                    .col(ColumnDef::new(Membership::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Membership::TenantId).big_integer().null())
                    .col(ColumnDef::new(Membership::AccountId).big_integer().null())
                    .col(ColumnDef::new(Membership::Role).string_len(32).not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Membership::Table, Membership::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("membership_user_role")
                    .table(Membership::Table)
                    .col(Membership::UserId)
                    .col(Membership::Role)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ExternalIdentity::Table)
                    .col(id(ExternalIdentity::Id))
                    .col(
                        ColumnDef::new(ExternalIdentity::UserId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ExternalIdentity::TenantId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ExternalIdentity::Issuer)
                            .string_len(512)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ExternalIdentity::Subject)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(timestamp(ExternalIdentity::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExternalIdentity::Table, ExternalIdentity::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("external_identity_issuer_subject")
                    .table(ExternalIdentity::Table)
                    .col(ExternalIdentity::Issuer)
                    .col(ExternalIdentity::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .col(
                        ColumnDef::new(Session::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Session::Data).text().not_null())
                    .col(
                        ColumnDef::new(Session::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("session_expires_at")
                    .table(Session::Table)
                    .col(Session::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id(AuditLog::Id))
                    .col(ColumnDef::new(AuditLog::TenantId).big_integer().null())
                    .col(ColumnDef::new(AuditLog::AccountId).big_integer().null())
                    .col(ColumnDef::new(AuditLog::ActorUserId).big_integer().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(
                        ColumnDef::new(AuditLog::TargetType)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::TargetId).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::Details).text().not_null())
                    .col(timestamp(AuditLog::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_log_tenant_id")
                    .table(AuditLog::Table)
                    .col(AuditLog::TenantId)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await?;

        rls::ensure_app_role(manager).await?;
        rls::append_only(manager, "audit_log").await?;
        rls::tenant_rls(manager, "tenant", "id").await?;
        for table in [
            "account",
            "app_user",
            "membership",
            "external_identity",
            "audit_log",
        ] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                AuditLog::Table.into_iden(),
                Session::Table.into_iden(),
                ExternalIdentity::Table.into_iden(),
                Membership::Table.into_iden(),
                AppUser::Table.into_iden(),
                Account::Table.into_iden(),
                Tenant::Table.into_iden(),
            ],
        )
        .await
    }
}
