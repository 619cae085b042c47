//! SIM purchase orders: orders and their lines, the status timeline, the tenant's SIM stock,
//! spending limits, the per-tenant PO number counter, and notifications waiting to be sent.

use crate::columns::{
    add_columns, cols, drop_tables, fk, id, index, reference, required_reference, text, timestamp,
};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Tenant {
    Table,
    NextPoNumber,
}

#[derive(DeriveIden, Clone)]
enum AppUser {
    Table,
    SpendingLimitMinor,
    SpendingLimitCurrency,
}

#[derive(DeriveIden)]
enum PurchaseOrder {
    Table,
    Id,
    TenantId,
    AccountId,
    Status,
    PoNumber,
    Source,
    CreatedBy,
    ApprovedBy,
    ShippingAddressId,
    ShipRecipient,
    ShipStreet,
    ShipPostalCode,
    ShipCity,
    ShipCountry,
    RequestedShipDate,
    Comment,
    OverrideBillingStatusId,
    OverridePricePlanId,
    OverrideServiceProfileId,
    OverrideRoamingProfileId,
    OverrideApnGroupId,
    Currency,
    TotalMinor,
    Plausibility,
    RejectionReason,
    Carrier,
    TrackingNumber,
    ShippedOn,
    ExternalReference,
    Version,
    CreatedAt,
    UpdatedAt,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum PurchaseOrderLine {
    Table,
    Id,
    TenantId,
    PurchaseOrderId,
    LineNumber,
    ProductId,
    Quantity,
    UnitPriceMinor,
    Currency,
    ProvisionedQuantity,
}

#[derive(DeriveIden)]
enum PurchaseOrderEvent {
    Table,
    Id,
    TenantId,
    AccountId,
    PurchaseOrderId,
    Action,
    FromStatus,
    ToStatus,
    ActorUserId,
    ActorName,
    Reason,
    At,
}

#[derive(DeriveIden)]
enum SimCard {
    Table,
    Id,
    TenantId,
    ProductId,
    Iccid,
    Imsi,
    Msisdn,
    Status,
    AccountId,
    PurchaseOrderId,
    PurchaseOrderLineId,
    BillingStatusId,
    PricePlanId,
    ServiceProfileId,
    RoamingProfileId,
    ApnGroupId,
    LoadedAt,
    AssignedAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    TenantId,
    AccountId,
    PurchaseOrderId,
    Event,
    RecipientUserId,
    RecipientEmail,
    Subject,
    Status,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            Tenant::Table,
            vec![ColumnDef::new(Tenant::NextPoNumber)
                .big_integer()
                .not_null()
                .default(100001)
                .to_owned()],
        )
        .await?;
        add_columns(
            manager,
            AppUser::Table,
            vec![
                ColumnDef::new(AppUser::SpendingLimitMinor)
                    .big_integer()
                    .null()
                    .to_owned(),
                ColumnDef::new(AppUser::SpendingLimitCurrency)
                    .string_len(3)
                    .null()
                    .to_owned(),
            ],
        )
        .await?;

        let option = || (Alias::new("entitlement_option"), Alias::new("id"));
        let mut purchase_order = Table::create()
            .table(PurchaseOrder::Table)
            .col(id(PurchaseOrder::Id))
            .col(required_reference(PurchaseOrder::TenantId))
            .col(required_reference(PurchaseOrder::AccountId))
            .col(
                ColumnDef::new(PurchaseOrder::Status)
                    .string_len(32)
                    .not_null(),
            )
            .col(reference(PurchaseOrder::PoNumber))
            .col(
                ColumnDef::new(PurchaseOrder::Source)
                    .string_len(16)
                    .not_null(),
            )
            .col(required_reference(PurchaseOrder::CreatedBy))
            .col(reference(PurchaseOrder::ApprovedBy))
            .col(reference(PurchaseOrder::ShippingAddressId))
            .col(text(PurchaseOrder::ShipRecipient, 200))
            .col(text(PurchaseOrder::ShipStreet, 200))
            .col(text(PurchaseOrder::ShipPostalCode, 32))
            .col(text(PurchaseOrder::ShipCity, 100))
            .col(text(PurchaseOrder::ShipCountry, 2))
            .col(
                ColumnDef::new(PurchaseOrder::RequestedShipDate)
                    .date()
                    .null(),
            )
            .col(text(PurchaseOrder::Comment, 2000))
            .col(reference(PurchaseOrder::OverrideBillingStatusId))
            .col(reference(PurchaseOrder::OverridePricePlanId))
            .col(reference(PurchaseOrder::OverrideServiceProfileId))
            .col(reference(PurchaseOrder::OverrideRoamingProfileId))
            .col(reference(PurchaseOrder::OverrideApnGroupId))
            .col(text(PurchaseOrder::Currency, 3))
            .col(
                ColumnDef::new(PurchaseOrder::TotalMinor)
                    .big_integer()
                    .not_null()
                    .default(0),
            )
            .col(ColumnDef::new(PurchaseOrder::Plausibility).text().null())
            .col(text(PurchaseOrder::RejectionReason, 2000))
            .col(text(PurchaseOrder::Carrier, 100))
            .col(text(PurchaseOrder::TrackingNumber, 100))
            .col(ColumnDef::new(PurchaseOrder::ShippedOn).date().null())
            .col(
                ColumnDef::new(PurchaseOrder::ExternalReference)
                    .string_len(100)
                    .null(),
            )
            .col(
                ColumnDef::new(PurchaseOrder::Version)
                    .integer()
                    .not_null()
                    .default(1),
            )
            .col(timestamp(PurchaseOrder::CreatedAt))
            .col(timestamp(PurchaseOrder::UpdatedAt))
            .col(
                ColumnDef::new(PurchaseOrder::SubmittedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .foreign_key(&mut fk(
                PurchaseOrder::Table,
                PurchaseOrder::TenantId,
                Alias::new("tenant"),
                Alias::new("id"),
            ))
            .foreign_key(&mut fk(
                PurchaseOrder::Table,
                PurchaseOrder::AccountId,
                Alias::new("account"),
                Alias::new("id"),
            ))
            .foreign_key(&mut fk(
                PurchaseOrder::Table,
                PurchaseOrder::CreatedBy,
                Alias::new("app_user"),
                Alias::new("id"),
            ))
            .to_owned();
        for column in [
            PurchaseOrder::OverrideBillingStatusId,
            PurchaseOrder::OverridePricePlanId,
            PurchaseOrder::OverrideServiceProfileId,
            PurchaseOrder::OverrideRoamingProfileId,
            PurchaseOrder::OverrideApnGroupId,
        ] {
            purchase_order.foreign_key(&mut fk(
                PurchaseOrder::Table,
                column,
                option().0,
                option().1,
            ));
        }
        manager.create_table(purchase_order).await?;
        index(
            manager,
            "purchase_order_tenant_po_number",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::PoNumber.into_iden(),
            ]),
            true,
        )
        .await?;
        index(
            manager,
            "purchase_order_tenant_id",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::Id.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "purchase_order_tenant_status",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::Status.into_iden(),
                PurchaseOrder::Id.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "purchase_order_account",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::AccountId.into_iden(),
                PurchaseOrder::Id.into_iden(),
            ]),
            false,
        )
        .await?;
        // The counts per status beside every list (with the age filter) read these alone.
        index(
            manager,
            "purchase_order_tenant_status_created",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::Status.into_iden(),
                PurchaseOrder::CreatedAt.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "purchase_order_account_status_created",
            PurchaseOrder::Table,
            cols([
                PurchaseOrder::TenantId.into_iden(),
                PurchaseOrder::AccountId.into_iden(),
                PurchaseOrder::Status.into_iden(),
                PurchaseOrder::CreatedAt.into_iden(),
            ]),
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PurchaseOrderLine::Table)
                    .col(id(PurchaseOrderLine::Id))
                    .col(required_reference(PurchaseOrderLine::TenantId))
                    .col(required_reference(PurchaseOrderLine::PurchaseOrderId))
                    .col(
                        ColumnDef::new(PurchaseOrderLine::LineNumber)
                            .integer()
                            .not_null(),
                    )
                    .col(required_reference(PurchaseOrderLine::ProductId))
                    .col(
                        ColumnDef::new(PurchaseOrderLine::Quantity)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PurchaseOrderLine::UnitPriceMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PurchaseOrderLine::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PurchaseOrderLine::ProvisionedQuantity)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(&mut fk(
                        PurchaseOrderLine::Table,
                        PurchaseOrderLine::PurchaseOrderId,
                        PurchaseOrder::Table,
                        PurchaseOrder::Id,
                    ))
                    .foreign_key(&mut fk(
                        PurchaseOrderLine::Table,
                        PurchaseOrderLine::ProductId,
                        Alias::new("product"),
                        Alias::new("id"),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "purchase_order_line_order",
            PurchaseOrderLine::Table,
            cols([
                PurchaseOrderLine::PurchaseOrderId.into_iden(),
                PurchaseOrderLine::LineNumber.into_iden(),
            ]),
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PurchaseOrderEvent::Table)
                    .col(id(PurchaseOrderEvent::Id))
                    .col(required_reference(PurchaseOrderEvent::TenantId))
                    .col(required_reference(PurchaseOrderEvent::AccountId))
                    .col(required_reference(PurchaseOrderEvent::PurchaseOrderId))
                    .col(
                        ColumnDef::new(PurchaseOrderEvent::Action)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PurchaseOrderEvent::FromStatus)
                            .string_len(32)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PurchaseOrderEvent::ToStatus)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(reference(PurchaseOrderEvent::ActorUserId))
                    .col(text(PurchaseOrderEvent::ActorName, 254))
                    .col(text(PurchaseOrderEvent::Reason, 2000))
                    .col(timestamp(PurchaseOrderEvent::At))
                    .foreign_key(&mut fk(
                        PurchaseOrderEvent::Table,
                        PurchaseOrderEvent::PurchaseOrderId,
                        PurchaseOrder::Table,
                        PurchaseOrder::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "purchase_order_event_order",
            PurchaseOrderEvent::Table,
            cols([
                PurchaseOrderEvent::PurchaseOrderId.into_iden(),
                PurchaseOrderEvent::Id.into_iden(),
            ]),
            false,
        )
        .await?;

        let mut sim_card = Table::create()
            .table(SimCard::Table)
            .col(id(SimCard::Id))
            .col(required_reference(SimCard::TenantId))
            .col(required_reference(SimCard::ProductId))
            .col(ColumnDef::new(SimCard::Iccid).string_len(20).not_null())
            .col(ColumnDef::new(SimCard::Imsi).string_len(15).not_null())
            .col(ColumnDef::new(SimCard::Msisdn).string_len(15).null())
            .col(
                ColumnDef::new(SimCard::Status)
                    .string_len(16)
                    .not_null()
                    .default("free"),
            )
            .col(reference(SimCard::AccountId))
            .col(reference(SimCard::PurchaseOrderId))
            .col(reference(SimCard::PurchaseOrderLineId))
            .col(reference(SimCard::BillingStatusId))
            .col(reference(SimCard::PricePlanId))
            .col(reference(SimCard::ServiceProfileId))
            .col(reference(SimCard::RoamingProfileId))
            .col(reference(SimCard::ApnGroupId))
            .col(timestamp(SimCard::LoadedAt))
            .col(
                ColumnDef::new(SimCard::AssignedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .foreign_key(&mut fk(
                SimCard::Table,
                SimCard::TenantId,
                Alias::new("tenant"),
                Alias::new("id"),
            ))
            .foreign_key(&mut fk(
                SimCard::Table,
                SimCard::ProductId,
                Alias::new("product"),
                Alias::new("id"),
            ))
            .foreign_key(&mut fk(
                SimCard::Table,
                SimCard::PurchaseOrderId,
                PurchaseOrder::Table,
                PurchaseOrder::Id,
            ))
            .to_owned();
        for column in [
            SimCard::BillingStatusId,
            SimCard::PricePlanId,
            SimCard::ServiceProfileId,
            SimCard::RoamingProfileId,
            SimCard::ApnGroupId,
        ] {
            sim_card.foreign_key(&mut fk(SimCard::Table, column, option().0, option().1));
        }
        manager.create_table(sim_card).await?;
        // The identities are unique per tenant; several SIMs without an MSISDN are fine, as
        // NULLs never collide in a unique index on either backend.
        for (name, column) in [
            ("sim_card_tenant_iccid", SimCard::Iccid),
            ("sim_card_tenant_imsi", SimCard::Imsi),
            ("sim_card_tenant_msisdn", SimCard::Msisdn),
        ] {
            index(
                manager,
                name,
                SimCard::Table,
                cols([SimCard::TenantId.into_iden(), column.into_iden()]),
                true,
            )
            .await?;
        }
        index(
            manager,
            "sim_card_free_stock",
            SimCard::Table,
            cols([
                SimCard::TenantId.into_iden(),
                SimCard::ProductId.into_iden(),
                SimCard::Status.into_iden(),
                SimCard::Id.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "sim_card_order",
            SimCard::Table,
            cols([
                SimCard::PurchaseOrderId.into_iden(),
                SimCard::Id.into_iden(),
            ]),
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(id(Notification::Id))
                    .col(required_reference(Notification::TenantId))
                    .col(reference(Notification::AccountId))
                    .col(reference(Notification::PurchaseOrderId))
                    .col(
                        ColumnDef::new(Notification::Event)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(reference(Notification::RecipientUserId))
                    .col(
                        ColumnDef::new(Notification::RecipientEmail)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(text(Notification::Subject, 300))
                    .col(
                        ColumnDef::new(Notification::Status)
                            .string_len(16)
                            .not_null()
                            .default("pending"),
                    )
                    .col(timestamp(Notification::CreatedAt))
                    .col(
                        ColumnDef::new(Notification::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "notification_pending",
            Notification::Table,
            cols([
                Notification::Status.into_iden(),
                Notification::Id.into_iden(),
            ]),
            false,
        )
        .await?;
        index(
            manager,
            "notification_order",
            Notification::Table,
            cols([
                Notification::PurchaseOrderId.into_iden(),
                Notification::Id.into_iden(),
            ]),
            false,
        )
        .await?;

        rls::ensure_app_role(manager).await?;
        for table in [
            "purchase_order",
            "purchase_order_line",
            "purchase_order_event",
            "sim_card",
            "notification",
        ] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        rls::append_only(manager, "purchase_order_event").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                Notification::Table.into_iden(),
                SimCard::Table.into_iden(),
                PurchaseOrderEvent::Table.into_iden(),
                PurchaseOrderLine::Table.into_iden(),
                PurchaseOrder::Table.into_iden(),
            ],
        )
        .await
    }
}
