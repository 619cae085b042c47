//! Server functions of account onboarding and of the account's own catalog.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// An account with what its page offers to choose from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountPageData {
    pub account: types::AccountDetail,
    pub options: Vec<types::OptionView>,
    /// Active products that can be assigned.
    pub products: Vec<types::ProductView>,
}

#[server(endpoint = "accounts_page")]
pub async fn accounts_page(
    #[server(default)] search: String,
    #[server(default)] status: String,
    #[server(default)] sort: String,
    #[server(default)] order: String,
    #[server(default)] after: Option<String>,
) -> Result<types::Page<types::AccountSummary>, AppError> {
    use simdesk_domain::accounts::{AccountQuery, AccountSort};
    let actor = ssr::actor()?;
    let query = AccountQuery {
        search,
        status: Some(status).filter(|s| !s.is_empty()),
        sort: if sort == "customer_number" {
            AccountSort::CustomerNumber
        } else {
            AccountSort::Name
        },
        order: if order == "desc" {
            types::SortOrder::Descending
        } else {
            types::SortOrder::Ascending
        },
        after: after.filter(|a| !a.is_empty()),
        limit: 50,
    };
    Ok(simdesk_domain::accounts::list(&ssr::db()?, &actor, query).await?)
}

#[server(endpoint = "account_workspace")]
pub async fn account_workspace(id: i64) -> Result<AccountPageData, AppError> {
    use simdesk_domain::catalog::{self, ProductQuery};
    let actor = ssr::actor()?;
    let db = ssr::db()?;
    let account = simdesk_domain::accounts::account(&db, &actor, id).await?;
    let options = catalog::options(&db, &actor, None).await?;
    let mut products = Vec::new();
    let mut after = None;
    loop {
        let query = ProductQuery {
            status: Some(types::ProductStatus::Active),
            after: after.clone(),
            limit: simdesk_domain::paging::MAX_PAGE_SIZE,
            ..ProductQuery::default()
        };
        let page = catalog::products(&db, &actor, query).await?;
        products.extend(page.rows);
        match page.next {
            Some(next) if products.len() < 2_000 => after = Some(next),
            _ => break,
        }
    }
    Ok(AccountPageData {
        account,
        options,
        products,
    })
}

#[server(endpoint = "create_account")]
pub async fn create_account(input: types::AccountInput) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    let created = simdesk_domain::accounts::create(&ssr::db()?, &actor, input).await?;
    leptos_axum::redirect(&format!("/accounts/{}", created.id));
    Ok(created)
}

#[server(endpoint = "update_account")]
pub async fn update_account(
    id: i64,
    version: i32,
    input: types::AccountInput,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::update(&ssr::db()?, &actor, id, version, input).await?)
}

#[server(endpoint = "set_account_entitlements")]
pub async fn set_account_entitlements(
    id: i64,
    version: i32,
    #[server(default)] defaults: types::Entitlements,
    #[server(default)] allowed: Vec<i64>,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::set_entitlements(
        &ssr::db()?,
        &actor,
        id,
        version,
        defaults,
        allowed,
    )
    .await?)
}

#[server(endpoint = "add_account_address")]
pub async fn add_account_address(
    id: i64,
    address: types::ShippingAddressInput,
    #[server(default)] make_default: Option<String>,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    let make_default = make_default.is_some_and(|v| v != "false");
    Ok(simdesk_domain::accounts::add_shipping_address(
        &ssr::db()?,
        &actor,
        id,
        address,
        make_default,
    )
    .await?)
}

#[server(endpoint = "set_default_account_address")]
pub async fn set_default_account_address(
    id: i64,
    address_id: i64,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::set_default_address(&ssr::db()?, &actor, id, address_id).await?)
}

#[server(endpoint = "remove_account_address")]
pub async fn remove_account_address(
    id: i64,
    address_id: i64,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::remove_address(&ssr::db()?, &actor, id, address_id).await?)
}

#[server(endpoint = "assign_account_product")]
pub async fn assign_account_product(
    id: i64,
    product_id: i64,
    #[server(default)] contract_price: String,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::assign_product(
        &ssr::db()?,
        &actor,
        id,
        product_id,
        &contract_price,
    )
    .await?)
}

#[server(endpoint = "unassign_account_product")]
pub async fn unassign_account_product(
    id: i64,
    product_id: i64,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::unassign_product(&ssr::db()?, &actor, id, product_id).await?)
}

/// The account's part number `buyer_part` means its assigned product `buyer_product_id`.
#[server(endpoint = "add_account_buyer_part")]
pub async fn add_account_buyer_part(
    id: i64,
    buyer_part: String,
    buyer_product_id: i64,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::add_buyer_part(
        &ssr::db()?,
        &actor,
        id,
        &buyer_part,
        buyer_product_id,
    )
    .await?)
}

#[server(endpoint = "remove_account_buyer_part")]
pub async fn remove_account_buyer_part(
    id: i64,
    buyer_part_id: i64,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::remove_buyer_part(&ssr::db()?, &actor, id, buyer_part_id).await?)
}

#[server(endpoint = "invite_account_admin")]
pub async fn invite_account_admin(
    id: i64,
    email: String,
    display_name: String,
    initial_password: String,
) -> Result<types::AccountDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::invite_admin(
        &ssr::db()?,
        &actor,
        id,
        &email,
        &display_name,
        &initial_password,
    )
    .await?)
}

#[server(endpoint = "account_catalog")]
pub async fn account_catalog() -> Result<types::AccountCatalog, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::accounts::catalog(&ssr::db()?, &actor).await?)
}

#[server(endpoint = "set_product_visibility")]
pub async fn set_product_visibility(
    product_id: i64,
    orderable: bool,
) -> Result<types::AccountCatalog, AppError> {
    let actor = ssr::actor()?;
    Ok(
        simdesk_domain::accounts::set_orderable_by_users(
            &ssr::db()?,
            &actor,
            product_id,
            orderable,
        )
        .await?,
    )
}
