//! Service-provider tenants, managed by the platform operator, and each tenant's own settings
//! (branding, ordering rules), kept by its tenant admins.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{FieldError, Role, TenantRow, TenantSettings, Wording};

use crate::text::required_text;

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::email::normalize_email;
use crate::entity::{account, app_user, tenant};
use crate::policy::{self, Permission};
use crate::{password, users, Actor, DomainError, DomainResult};

/// A new service provider and its first tenant admin.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub name: String,
    pub slug: String,
    pub admin_email: String,
    pub admin_name: String,
    pub admin_password: String,
}

pub async fn list(db: &DatabaseConnection, actor: &Actor) -> DomainResult<Vec<TenantRow>> {
    policy::require(actor, Permission::ManageTenants)?;
    let txn = begin(db, DataScope::System).await?;
    let tenants = tenant::Entity::find()
        .order_by_asc(tenant::Column::Name)
        .all(&txn)
        .await?;
    let mut rows = Vec::with_capacity(tenants.len());
    for t in tenants {
        let accounts = account::Entity::find()
            .filter(account::Column::TenantId.eq(t.id))
            .count(&txn)
            .await?;
        let users = app_user::Entity::find()
            .filter(app_user::Column::TenantId.eq(t.id))
            .count(&txn)
            .await?;
        rows.push(TenantRow {
            id: t.id,
            name: t.name,
            slug: t.slug,
            accounts,
            users,
        });
    }
    txn.commit().await?;
    Ok(rows)
}

fn validate_slug(slug: &str) -> DomainResult<String> {
    let slug = slug.trim().to_lowercase();
    let ok = (2..=64).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug)
    } else {
        Err(DomainError::invalid(
            "slug",
            Wording::new(
                "Use 2 to 64 lowercase letters, digits or dashes, not starting or ending with a dash.",
                "Verwenden Sie 2 bis 64 Kleinbuchstaben, Ziffern oder Bindestriche, ohne Bindestrich am Anfang oder Ende.",
            ),
        ))
    }
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewTenant,
) -> DomainResult<TenantRow> {
    policy::require(actor, Permission::ManageTenants)?;
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid(
            "name",
            Wording::new(
                "Enter a name of 1 to 200 characters.",
                "Geben Sie einen Namen mit 1 bis 200 Zeichen ein.",
            ),
        ));
    }
    let slug = validate_slug(&new.slug)?;
    let email = normalize_email(&new.admin_email);
    let admin_name = new.admin_name.trim().to_owned();
    if admin_name.is_empty() {
        return Err(DomainError::invalid(
            "admin_name",
            Wording::new(
                "Enter the admin's name.",
                "Geben Sie den Namen des Admins ein.",
            ),
        ));
    }
    password::validate_new_password(&new.admin_password)?;
    let hashed = password::hash(new.admin_password).await?;

    let txn = begin_write(db, DataScope::System).await?;
    if tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(&slug))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::invalid(
            "slug",
            Wording::new(
                "This short name is already taken.",
                "Dieser Kurzname ist bereits vergeben.",
            ),
        ));
    }
    if app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&email))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(DomainError::invalid(
            "admin_email",
            Wording::new(
                "This e-mail address is already in use.",
                "Diese E-Mail-Adresse wird bereits verwendet.",
            ),
        ));
    }
    let now = Utc::now();
    let created = tenant::ActiveModel {
        slug: Set(slug.clone()),
        name: Set(name.clone()),
        support_email: Set(None),
        brand_color: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let admin = app_user::ActiveModel {
        tenant_id: Set(Some(created.id)),
        account_id: Set(None),
        email: Set(email.clone()),
        display_name: Set(admin_name),
        password_hash: Set(Some(hashed)),
        active: Set(true),
        must_change_password: Set(true),
        failed_sign_ins: Set(0),
        locked_until: Set(None),
        last_sign_in_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    users::grant(&txn, &admin, Role::TenantAdmin).await?;
    AuditEvent::new("tenant.created", "tenant")
        .target(created.id)
        .details(json!({ "name": name, "slug": slug, "admin": email }))
        .record(&txn, Some(actor.user_id))
        .await?;
    AuditEvent::new("user.created", "user")
        .target(admin.id)
        .tenant(Some(created.id), None)
        .details(json!({ "email": email, "role": Role::TenantAdmin }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(TenantRow {
        id: created.id,
        name: created.name,
        slug: created.slug,
        accounts: 0,
        users: 1,
    })
}

/// The tenant's own settings: branding and the rules its accounts order under.
pub async fn settings(db: &DatabaseConnection, actor: &Actor) -> DomainResult<TenantSettings> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let found = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    txn.commit().await?;
    Ok(settings_view(found))
}

fn settings_view(t: tenant::Model) -> TenantSettings {
    TenantSettings {
        name: t.name,
        allow_default_overrides: t.allow_default_overrides,
        punchout_auto_accept: t.punchout_auto_accept,
        brand_color: t.brand_color.unwrap_or_default(),
        logo_url: t.logo_url.unwrap_or_default(),
        support_email: t.support_email.unwrap_or_default(),
        alarm_stale_minutes: t.alarm_stale_minutes.to_string(),
        alarm_refusal_burst: t.alarm_refusal_burst.to_string(),
        message_retention_days: t.message_retention_days.to_string(),
        order_page_hosts: t.order_page_hosts,
        low_stock_threshold: t.low_stock_threshold.to_string(),
        require_second_factor: t.require_second_factor,
    }
}

/// A whole number within `range` from a form field, or the field's error.
fn whole_number(
    text: &str,
    field: &str,
    range: std::ops::RangeInclusive<i32>,
    errors: &mut Vec<FieldError>,
) -> i32 {
    match text.trim().parse::<i32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.push(FieldError::new(
                field,
                Wording::new(
                    format!(
                        "Enter a whole number from {} to {}.",
                        range.start(),
                        range.end()
                    ),
                    format!(
                        "Geben Sie eine ganze Zahl von {} bis {} ein.",
                        range.start(),
                        range.end()
                    ),
                ),
            ));
            *range.start()
        }
    }
}

pub async fn update_settings(
    db: &DatabaseConnection,
    actor: &Actor,
    new: TenantSettings,
) -> DomainResult<TenantSettings> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let mut errors = Vec::new();
    let name = required_text(
        &new.name,
        "name",
        200,
        Wording::new(
            "Enter the provider's name.",
            "Geben Sie den Namen des Anbieters ein.",
        ),
    )
    .unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let color = new.brand_color.trim().to_lowercase();
    let color_ok = color.is_empty()
        || (color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit()));
    if !color_ok {
        errors.push(FieldError::new(
            "brand_color",
            Wording::new(
                "Use a colour such as #0f766e.",
                "Verwenden Sie eine Farbe wie #0f766e.",
            ),
        ));
    }
    let logo = new.logo_url.trim().to_owned();
    if !logo.is_empty()
        && (!logo.starts_with("https://") || logo.len() > 512 || logo.contains(char::is_whitespace))
    {
        errors.push(FieldError::new(
            "logo_url",
            Wording::new(
                "Use an https:// address of at most 512 characters.",
                "Verwenden Sie eine https://-Adresse mit höchstens 512 Zeichen.",
            ),
        ));
    }
    let email = crate::email::normalize_email(&new.support_email);
    if !email.is_empty() && crate::email::validate_email(&email).is_err() {
        errors.push(FieldError::new(
            "support_email",
            Wording::new(
                "Enter an e-mail address such as support@example.com.",
                "Geben Sie eine E-Mail-Adresse wie support@example.com ein.",
            ),
        ));
    }
    let stale_minutes = whole_number(
        &new.alarm_stale_minutes,
        "alarm_stale_minutes",
        1..=1440,
        &mut errors,
    );
    let refusal_burst = whole_number(
        &new.alarm_refusal_burst,
        "alarm_refusal_burst",
        1..=1000,
        &mut errors,
    );
    let retention_days = whole_number(
        &new.message_retention_days,
        "message_retention_days",
        7..=3650,
        &mut errors,
    );
    let low_stock = whole_number(
        &new.low_stock_threshold,
        "low_stock_threshold",
        0..=1_000_000,
        &mut errors,
    );
    let page_hosts = match crate::order_pages::parse_hosts(&new.order_page_hosts) {
        Ok(hosts) => hosts.join(", "),
        Err(message) => {
            errors.push(FieldError::new("order_page_hosts", message));
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let current = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let before = settings_view(current.clone());
    let mut model = current.into_active_model();
    model.name = Set(name);
    model.allow_default_overrides = Set(new.allow_default_overrides);
    model.punchout_auto_accept = Set(new.punchout_auto_accept);
    model.brand_color = Set((!color.is_empty()).then_some(color));
    model.logo_url = Set((!logo.is_empty()).then_some(logo));
    model.support_email = Set((!email.is_empty()).then_some(email));
    model.alarm_stale_minutes = Set(stale_minutes);
    model.alarm_refusal_burst = Set(refusal_burst);
    model.message_retention_days = Set(retention_days);
    model.order_page_hosts = Set(page_hosts);
    model.low_stock_threshold = Set(low_stock);
    model.require_second_factor = Set(new.require_second_factor);
    let after = settings_view(model.update(&txn).await?);
    AuditEvent::new("tenant.settings_changed", "tenant")
        .target(tenant_id)
        .scoped_to(actor)
        .details(json!({ "before": before, "after": after }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_names() {
        assert_eq!(
            validate_slug(" Nordwind-2 ").ok().as_deref(),
            Some("nordwind-2")
        );
        for bad in ["", "a", "-abc", "abc-", "a b", "ümlaut"] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }
}
