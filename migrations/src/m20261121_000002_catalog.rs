//! The catalog (entitlement options, SIM sales products, tenant settings) and account
//! onboarding (customer data, defaults, entitlements, shipping addresses, assigned products).

use crate::columns::{drop_tables, fk, id, reference, required_reference, text, timestamp};
use crate::rls;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    AllowDefaultOverrides,
    LogoUrl,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    CustomerNumber,
    VatId,
    BillingName,
    BillingStreet,
    BillingPostalCode,
    BillingCity,
    BillingCountry,
    DefaultBillingStatusId,
    DefaultPricePlanId,
    DefaultServiceProfileId,
    DefaultRoamingProfileId,
    DefaultApnGroupId,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EntitlementOption {
    Table,
    Id,
    TenantId,
    Kind,
    Code,
    Name,
    Description,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Product {
    Table,
    Id,
    TenantId,
    PartNumber,
    Name,
    Description,
    SimType,
    FormFactor,
    Features,
    Branding,
    UnitPriceMinor,
    Currency,
    Unspsc,
    UnitOfMeasure,
    InitialBillingStatusId,
    DefaultPricePlanId,
    DefaultServiceProfileId,
    DefaultRoamingProfileId,
    DefaultApnGroupId,
    MinOrderQuantity,
    MaxOrderQuantity,
    OrderIncrement,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AccountEntitlement {
    Table,
    Id,
    TenantId,
    AccountId,
    OptionId,
}

#[derive(DeriveIden)]
enum ShippingAddress {
    Table,
    Id,
    TenantId,
    AccountId,
    Label,
    Recipient,
    Street,
    PostalCode,
    City,
    Country,
    IsDefault,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccountProduct {
    Table,
    Id,
    TenantId,
    AccountId,
    ProductId,
    ContractPriceMinor,
    Currency,
    OrderableByUsers,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Tenant::AllowDefaultOverrides)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Tenant::LogoUrl)
                .string_len(512)
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tenant::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(EntitlementOption::Table)
                    .col(id(EntitlementOption::Id))
                    .col(required_reference(EntitlementOption::TenantId))
                    .col(
                        ColumnDef::new(EntitlementOption::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EntitlementOption::Code)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EntitlementOption::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(text(EntitlementOption::Description, 1000))
                    .col(
                        ColumnDef::new(EntitlementOption::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(timestamp(EntitlementOption::CreatedAt))
                    .foreign_key(&mut fk(
                        EntitlementOption::Table,
                        EntitlementOption::TenantId,
                        Alias::new("tenant"),
                        Alias::new("id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("entitlement_option_tenant_kind_code")
                    .table(EntitlementOption::Table)
                    .col(EntitlementOption::TenantId)
                    .col(EntitlementOption::Kind)
                    .col(EntitlementOption::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let option = || (EntitlementOption::Table, EntitlementOption::Id);
        manager
            .create_table(
                Table::create()
                    .table(Product::Table)
                    .col(id(Product::Id))
                    .col(required_reference(Product::TenantId))
                    .col(
                        ColumnDef::new(Product::PartNumber)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Product::Name).string_len(200).not_null())
                    .col(text(Product::Description, 4000))
                    .col(ColumnDef::new(Product::SimType).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Product::FormFactor)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(text(Product::Features, 2000))
                    .col(text(Product::Branding, 200))
                    .col(
                        ColumnDef::new(Product::UnitPriceMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Product::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(Product::Unspsc).string_len(8).not_null())
                    .col(
                        ColumnDef::new(Product::UnitOfMeasure)
                            .string_len(8)
                            .not_null()
                            .default("EA"),
                    )
                    .col(reference(Product::InitialBillingStatusId))
                    .col(reference(Product::DefaultPricePlanId))
                    .col(reference(Product::DefaultServiceProfileId))
                    .col(reference(Product::DefaultRoamingProfileId))
                    .col(reference(Product::DefaultApnGroupId))
                    .col(
                        ColumnDef::new(Product::MinOrderQuantity)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Product::MaxOrderQuantity)
                            .integer()
                            .not_null()
                            .default(100000),
                    )
                    .col(
                        ColumnDef::new(Product::OrderIncrement)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Product::Status)
                            .string_len(16)
                            .not_null()
                            .default("active"),
                    )
                    .col(
                        ColumnDef::new(Product::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp(Product::CreatedAt))
                    .col(timestamp(Product::UpdatedAt))
                    .foreign_key(&mut fk(
                        Product::Table,
                        Product::TenantId,
                        Alias::new("tenant"),
                        Alias::new("id"),
                    ))
                    .foreign_key(&mut fk(
                        Product::Table,
                        Product::InitialBillingStatusId,
                        option().0,
                        option().1,
                    ))
                    .foreign_key(&mut fk(
                        Product::Table,
                        Product::DefaultPricePlanId,
                        option().0,
                        option().1,
                    ))
                    .foreign_key(&mut fk(
                        Product::Table,
                        Product::DefaultServiceProfileId,
                        option().0,
                        option().1,
                    ))
                    .foreign_key(&mut fk(
                        Product::Table,
                        Product::DefaultRoamingProfileId,
                        option().0,
                        option().1,
                    ))
                    .foreign_key(&mut fk(
                        Product::Table,
                        Product::DefaultApnGroupId,
                        option().0,
                        option().1,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("product_tenant_part_number")
                    .table(Product::Table)
                    .col(Product::TenantId)
                    .col(Product::PartNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("product_tenant_name", Product::Name),
            ("product_tenant_price", Product::UnitPriceMinor),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Product::Table)
                        .col(Product::TenantId)
                        .col(column)
                        .col(Product::Id)
                        .to_owned(),
                )
                .await?;
        }

        for column in [
            ColumnDef::new(Account::CustomerNumber)
                .string_len(64)
                .null()
                .to_owned(),
            text(Account::VatId, 32),
            text(Account::BillingName, 200),
            text(Account::BillingStreet, 200),
            text(Account::BillingPostalCode, 32),
            text(Account::BillingCity, 100),
            text(Account::BillingCountry, 2),
            reference(Account::DefaultBillingStatusId),
            reference(Account::DefaultPricePlanId),
            reference(Account::DefaultServiceProfileId),
            reference(Account::DefaultRoamingProfileId),
            reference(Account::DefaultApnGroupId),
            ColumnDef::new(Account::Version)
                .integer()
                .not_null()
                .default(1)
                .to_owned(),
            ColumnDef::new(Account::UpdatedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Account::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Every account has a customer number from now on; older ones get one from their id.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE account SET customer_number = 'A-' || id WHERE customer_number IS NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("account_tenant_customer_number")
                    .table(Account::Table)
                    .col(Alias::new("tenant_id"))
                    .col(Account::CustomerNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountEntitlement::Table)
                    .col(id(AccountEntitlement::Id))
                    .col(required_reference(AccountEntitlement::TenantId))
                    .col(required_reference(AccountEntitlement::AccountId))
                    .col(required_reference(AccountEntitlement::OptionId))
                    .foreign_key(&mut fk(
                        AccountEntitlement::Table,
                        AccountEntitlement::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        AccountEntitlement::Table,
                        AccountEntitlement::OptionId,
                        option().0,
                        option().1,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("account_entitlement_unique")
                    .table(AccountEntitlement::Table)
                    .col(AccountEntitlement::AccountId)
                    .col(AccountEntitlement::OptionId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ShippingAddress::Table)
                    .col(id(ShippingAddress::Id))
                    .col(required_reference(ShippingAddress::TenantId))
                    .col(required_reference(ShippingAddress::AccountId))
                    .col(text(ShippingAddress::Label, 100))
                    .col(
                        ColumnDef::new(ShippingAddress::Recipient)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingAddress::Street)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingAddress::PostalCode)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingAddress::City)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingAddress::Country)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingAddress::IsDefault)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(timestamp(ShippingAddress::CreatedAt))
                    .foreign_key(&mut fk(
                        ShippingAddress::Table,
                        ShippingAddress::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("shipping_address_account")
                    .table(ShippingAddress::Table)
                    .col(ShippingAddress::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountProduct::Table)
                    .col(id(AccountProduct::Id))
                    .col(required_reference(AccountProduct::TenantId))
                    .col(required_reference(AccountProduct::AccountId))
                    .col(required_reference(AccountProduct::ProductId))
                    .col(
                        ColumnDef::new(AccountProduct::ContractPriceMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccountProduct::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccountProduct::OrderableByUsers)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(timestamp(AccountProduct::CreatedAt))
                    .foreign_key(&mut fk(
                        AccountProduct::Table,
                        AccountProduct::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut fk(
                        AccountProduct::Table,
                        AccountProduct::ProductId,
                        Product::Table,
                        Product::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("account_product_unique")
                    .table(AccountProduct::Table)
                    .col(AccountProduct::AccountId)
                    .col(AccountProduct::ProductId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        rls::ensure_app_role(manager).await?;
        for table in [
            "entitlement_option",
            "product",
            "account_entitlement",
            "shipping_address",
            "account_product",
        ] {
            rls::tenant_rls(manager, table, "tenant_id").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                AccountProduct::Table.into_iden(),
                ShippingAddress::Table.into_iden(),
                AccountEntitlement::Table.into_iden(),
                Product::Table.into_iden(),
                EntitlementOption::Table.into_iden(),
            ],
        )
        .await
    }
}
