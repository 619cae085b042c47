//! What an idempotency key's request did, beside the answer it got: the `Location` of that
//! answer, so a replay names the same resource, and the first change the request committed,
//! written in that change's own transaction, so a retry after the server died between the
//! commit and the kept answer finds the change instead of making it twice.

use crate::columns::{add_columns, text};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum IdempotencyKey {
    Table,
    /// The answer's `Location` header; empty when it had none.
    ResponseLocation,
    /// `<type>:<id>` of the first change the request committed; empty until then.
    ActedOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            IdempotencyKey::Table,
            vec![
                text(IdempotencyKey::ResponseLocation, 512),
                text(IdempotencyKey::ActedOn, 128),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [IdempotencyKey::ResponseLocation, IdempotencyKey::ActedOn] {
            manager
                .alter_table(
                    Table::alter()
                        .table(IdempotencyKey::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
