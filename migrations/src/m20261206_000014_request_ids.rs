//! The id of the HTTP request that wrote a row, on the audit log and on the messages of the
//! trace a request causes (cXML documents received, cXML documents and e-mails queued), so an
//! entry can be matched with the server's log lines. Empty for rows written outside a request.

use crate::columns::{add_columns, text};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum AuditLog {
    Table,
}

#[derive(DeriveIden, Clone)]
enum CxmlDocument {
    Table,
}

#[derive(DeriveIden, Clone)]
enum CxmlOutbox {
    Table,
}

#[derive(DeriveIden, Clone)]
enum Notification {
    Table,
}

#[derive(DeriveIden)]
enum Column {
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager, AuditLog::Table, vec![text(Column::RequestId, 64)]).await?;
        add_columns(
            manager,
            CxmlDocument::Table,
            vec![text(Column::RequestId, 64)],
        )
        .await?;
        add_columns(
            manager,
            CxmlOutbox::Table,
            vec![text(Column::RequestId, 64)],
        )
        .await?;
        add_columns(
            manager,
            Notification::Table,
            vec![text(Column::RequestId, 64)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            CxmlDocument::Table.into_iden(),
            CxmlOutbox::Table.into_iden(),
            Notification::Table.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Column::RequestId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
