//! SAP OCI 5.0 beside cXML: a PunchOut visit knows which protocol opened it, and where an OCI
//! system wants the returned form to land (`~TARGET`).

use crate::columns::{add_columns, text};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum PunchoutSession {
    Table,
    /// `cxml` or `oci`.
    Protocol,
    OciTarget,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            PunchoutSession::Table,
            vec![
                ColumnDef::new(PunchoutSession::Protocol)
                    .string_len(8)
                    .not_null()
                    .default("cxml")
                    .to_owned(),
                text(PunchoutSession::OciTarget, 64),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [PunchoutSession::Protocol, PunchoutSession::OciTarget] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PunchoutSession::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
