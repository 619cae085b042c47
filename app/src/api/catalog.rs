//! Server functions of the catalog: products, entitlement options, tenant settings.

use leptos::prelude::*;
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn order(text: &str) -> types::SortOrder {
    if text == "desc" {
        types::SortOrder::Descending
    } else {
        types::SortOrder::Ascending
    }
}

#[server(endpoint = "catalog_products")]
pub async fn catalog_products(
    #[server(default)] search: String,
    #[server(default)] status: String,
    #[server(default)] sort: String,
    #[server(default)] order: String,
    #[server(default)] after: Option<String>,
) -> Result<types::Page<types::ProductView>, AppError> {
    use simdesk_domain::catalog::{ProductQuery, ProductSort};
    let actor = ssr::actor()?;
    let query = ProductQuery {
        search,
        status: types::ProductStatus::parse(&status),
        sort: ProductSort::parse(&sort).unwrap_or_default(),
        order: self::order(&order),
        after: after.filter(|a| !a.is_empty()),
        limit: 50,
    };
    Ok(simdesk_domain::catalog::products(&ssr::db()?, &actor, query).await?)
}

#[server(endpoint = "catalog_product")]
pub async fn catalog_product(id: i64) -> Result<types::ProductView, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::catalog::product(&ssr::db()?, &actor, id).await?)
}

#[server(endpoint = "catalog_options")]
pub async fn catalog_options() -> Result<Vec<types::OptionView>, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::catalog::options(&ssr::db()?, &actor, None).await?)
}

#[server(endpoint = "create_product")]
pub async fn create_product(input: types::ProductInput) -> Result<types::ProductView, AppError> {
    let actor = ssr::actor()?;
    let created = simdesk_domain::catalog::create_product(&ssr::db()?, &actor, input).await?;
    leptos_axum::redirect(&format!("/catalog/products/{}?saved=1", created.id));
    Ok(created)
}

#[server(endpoint = "update_product")]
pub async fn update_product(
    id: i64,
    version: i32,
    input: types::ProductInput,
) -> Result<types::ProductView, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::catalog::update_product(&ssr::db()?, &actor, id, version, input).await?)
}

#[server(endpoint = "set_product_status")]
pub async fn set_product_status(
    id: i64,
    version: i32,
    status: String,
) -> Result<types::ProductView, AppError> {
    let actor = ssr::actor()?;
    let status = types::ProductStatus::parse(&status).ok_or_else(|| {
        AppError::Invalid(vec![types::FieldError::new(
            "status",
            "Choose active or retired.",
        )])
    })?;
    Ok(
        simdesk_domain::catalog::set_product_status(&ssr::db()?, &actor, id, version, status)
            .await?,
    )
}

#[server(endpoint = "create_option")]
pub async fn create_option(
    kind: String,
    code: String,
    name: String,
    #[server(default)] description: String,
) -> Result<types::OptionView, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::catalog::create_option(
        &ssr::db()?,
        &actor,
        &kind,
        &code,
        &name,
        &description,
    )
    .await?)
}

#[server(endpoint = "set_option_active")]
pub async fn set_option_active(id: i64, active: bool) -> Result<types::OptionView, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::catalog::set_option_active(&ssr::db()?, &actor, id, active).await?)
}

#[server(endpoint = "tenant_settings")]
pub async fn tenant_settings() -> Result<types::TenantSettings, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::tenants::settings(&ssr::db()?, &actor).await?)
}

#[server(endpoint = "update_tenant_settings")]
pub async fn update_tenant_settings(
    settings: types::TenantSettings,
) -> Result<types::TenantSettings, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::tenants::update_settings(&ssr::db()?, &actor, settings).await?)
}

/// The outcome of the last product import of this session, once: the server put it there.
#[server(endpoint = "take_import_outcome")]
pub async fn take_import_outcome() -> Result<Option<types::ImportOutcome>, AppError> {
    ssr::take_import_outcome(types::IMPORT_OUTCOME_KEY).await
}
