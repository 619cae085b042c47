//! E-mail delivery: a notification row becomes a durable queue entry (what it reports, as a
//! snapshot taken in the step's transaction; attempts and the next one's time; the message as
//! sent), and every attempt to hand it to the SMTP server is kept. Users may opt out of
//! topics. Password resets go out as one-time links, kept as digests. Alarms record what went
//! wrong with messages, and who acknowledged and resolved them.

use crate::columns::{
    add_columns, cols, drop_tables, id, index, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Notification {
    Table,
    Id,
    Status,
    /// JSON: the facts the e-mail reports, as they were when the step happened.
    Context,
    Attempts,
    NextAttemptAt,
    LastError,
    /// The Message-ID header the e-mail is sent with, the same on every attempt.
    MessageId,
    BodyText,
    BodyHtml,
}

#[derive(DeriveIden)]
enum NotificationAttempt {
    Table,
    Id,
    TenantId,
    NotificationId,
    At,
    /// The SMTP reply code, if the server answered.
    SmtpCode,
    Error,
    DurationMs,
}

/// A topic (a notification event, such as `po.accepted`) a user does not want e-mailed.
#[derive(DeriveIden)]
enum MailOptOut {
    Table,
    Id,
    TenantId,
    UserId,
    Topic,
    CreatedAt,
}

/// A one-time link for one user, stored as the SHA-256 digest of its token.
#[derive(DeriveIden)]
enum UserToken {
    Table,
    Id,
    TenantId,
    UserId,
    /// `password_reset`.
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Alarm {
    Table,
    Id,
    TenantId,
    /// `delivery_failed`, `queue_stale` or `cxml_refusals`.
    Kind,
    /// What it is about, such as a message's trace key; one open alarm per kind and subject.
    Subject,
    Summary,
    /// `open`, `acknowledged` or `resolved`.
    Status,
    Occurrences,
    RaisedAt,
    LastSeenAt,
    AcknowledgedAt,
    AcknowledgedBy,
    ResolvedAt,
    ResolvedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            Notification::Table,
            vec![
                ColumnDef::new(Notification::Context)
                    .text()
                    .null()
                    .to_owned(),
                ColumnDef::new(Notification::Attempts)
                    .integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
                ColumnDef::new(Notification::NextAttemptAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
                text(Notification::LastError, 2000),
                text(Notification::MessageId, 200),
                ColumnDef::new(Notification::BodyText)
                    .text()
                    .null()
                    .to_owned(),
                ColumnDef::new(Notification::BodyHtml)
                    .text()
                    .null()
                    .to_owned(),
            ],
        )
        .await?;
        // Rows written before delivery existed hold no snapshot to write an e-mail from, and
        // would announce long-past steps: they are closed, with the reason, rather than sent.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE notification SET status = 'failed', \
                 last_error = 'written before e-mail delivery existed; not sent' \
                 WHERE status = 'pending'",
            )
            .await?;
        // The sender's query: what is due, oldest first.
        index(
            manager,
            "notification_due",
            Notification::Table,
            cols([
                Notification::Status.into_iden(),
                Notification::NextAttemptAt.into_iden(),
            ]),
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationAttempt::Table)
                    .if_not_exists()
                    .col(id(NotificationAttempt::Id))
                    .col(required_reference(NotificationAttempt::TenantId))
                    .col(required_reference(NotificationAttempt::NotificationId))
                    .col(timestamp(NotificationAttempt::At))
                    .col(
                        ColumnDef::new(NotificationAttempt::SmtpCode)
                            .integer()
                            .null(),
                    )
                    .col(text(NotificationAttempt::Error, 2000))
                    .col(
                        ColumnDef::new(NotificationAttempt::DurationMs)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                NotificationAttempt::Table,
                                NotificationAttempt::NotificationId,
                            )
                            .to(Notification::Table, Notification::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "notification_attempt_notification",
            NotificationAttempt::Table,
            cols([NotificationAttempt::NotificationId.into_iden()]),
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailOptOut::Table)
                    .if_not_exists()
                    .col(id(MailOptOut::Id))
                    .col(required_reference(MailOptOut::TenantId))
                    .col(required_reference(MailOptOut::UserId))
                    .col(text(MailOptOut::Topic, 64))
                    .col(timestamp(MailOptOut::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "mail_opt_out_user_topic",
            MailOptOut::Table,
            cols([
                MailOptOut::UserId.into_iden(),
                MailOptOut::Topic.into_iden(),
            ]),
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserToken::Table)
                    .if_not_exists()
                    .col(id(UserToken::Id))
                    .col(required_reference(UserToken::TenantId))
                    .col(required_reference(UserToken::UserId))
                    .col(text(UserToken::Purpose, 32))
                    .col(text(UserToken::TokenHash, 64))
                    .col(timestamp(UserToken::ExpiresAt))
                    .col(
                        ColumnDef::new(UserToken::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(timestamp(UserToken::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "user_token_hash",
            UserToken::Table,
            cols([UserToken::TokenHash.into_iden()]),
            true,
        )
        .await?;
        index(
            manager,
            "user_token_user",
            UserToken::Table,
            cols([
                UserToken::UserId.into_iden(),
                UserToken::CreatedAt.into_iden(),
            ]),
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alarm::Table)
                    .if_not_exists()
                    .col(id(Alarm::Id))
                    .col(required_reference(Alarm::TenantId))
                    .col(text(Alarm::Kind, 32))
                    .col(text(Alarm::Subject, 128))
                    .col(text(Alarm::Summary, 1000))
                    .col(text(Alarm::Status, 16))
                    .col(
                        ColumnDef::new(Alarm::Occurrences)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(Alarm::RaisedAt))
                    .col(timestamp(Alarm::LastSeenAt))
                    .col(
                        ColumnDef::new(Alarm::AcknowledgedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Alarm::AcknowledgedBy).big_integer().null())
                    .col(
                        ColumnDef::new(Alarm::ResolvedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Alarm::ResolvedBy).big_integer().null())
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "alarm_subject",
            Alarm::Table,
            cols([
                Alarm::TenantId.into_iden(),
                Alarm::Kind.into_iden(),
                Alarm::Subject.into_iden(),
            ]),
            false,
        )
        .await?;
        rls::ensure_app_role(manager).await?;
        for table in [
            "notification_attempt",
            "mail_opt_out",
            "user_token",
            "alarm",
        ] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                Alarm::Table.into_iden(),
                UserToken::Table.into_iden(),
                MailOptOut::Table.into_iden(),
                NotificationAttempt::Table.into_iden(),
            ],
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("notification_due")
                    .table(Notification::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Notification::Context,
            Notification::Attempts,
            Notification::NextAttemptAt,
            Notification::LastError,
            Notification::MessageId,
            Notification::BodyText,
            Notification::BodyHtml,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Notification::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
