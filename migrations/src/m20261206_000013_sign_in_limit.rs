//! Sign-in attempts per client address and minute, counted in the database so the limit holds
//! across every instance behind a load balancer.

use crate::columns::{cols, index, text};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignInWindow {
    Table,
    /// The client address (an IPv6 client's /64 network).
    Client,
    /// The minute counted, as minutes since the Unix epoch.
    Minute,
    Attempts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInWindow::Table)
                    .if_not_exists()
                    .col(text(SignInWindow::Client, 64))
                    .col(
                        ColumnDef::new(SignInWindow::Minute)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignInWindow::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(SignInWindow::Client)
                            .col(SignInWindow::Minute),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "sign_in_window_minute",
            SignInWindow::Table,
            cols([SignInWindow::Minute.into_iden()]),
            false,
        )
        .await?;
        // The application's role needs its privileges on the new table.
        rls::ensure_app_role(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SignInWindow::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
