//! Each user's regional settings: the IANA time zone times are shown in, and the locale that
//! formats dates, numbers and money. Existing users keep what simdesk showed so far: UTC, in
//! English.

use crate::columns::{add_columns, drop_columns};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum AppUser {
    Table,
    TimeZone,
    Locale,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            AppUser::Table,
            vec![
                ColumnDef::new(AppUser::TimeZone)
                    .string_len(64)
                    .not_null()
                    .default("UTC")
                    .to_owned(),
                ColumnDef::new(AppUser::Locale)
                    .string_len(16)
                    .not_null()
                    .default("en")
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(
            manager,
            AppUser::Table,
            vec![AppUser::Locale.into_iden(), AppUser::TimeZone.into_iden()],
        )
        .await
    }
}
