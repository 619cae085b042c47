//! Entitlement options (billing statuses, price plans, service, roaming and APN profiles):
//! reading, creating, retiring and restoring them, and checking the ones a record chooses.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{Entitlements, FieldError, Locale, OptionKind, OptionView, Wording};
use std::collections::HashMap;

use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, unique_violation, DataScope};
use crate::entity::entitlement_option;
use crate::policy::{self, Permission};
use crate::text::{optional_text, required_text};
use crate::{Actor, DomainError, DomainResult};

pub(crate) fn option_view(model: entitlement_option::Model) -> Option<OptionView> {
    Some(OptionView {
        id: model.id,
        kind: OptionKind::parse(&model.kind)?,
        code: model.code,
        name: model.name,
        description: model.description,
        active: model.active,
    })
}

/// The tenant's options, of one kind or all, by kind and name.
pub async fn options(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: Option<OptionKind>,
) -> DomainResult<Vec<OptionView>> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let rows = tenant_options(&txn, tenant_id, kind).await?;
    txn.commit().await?;
    Ok(rows)
}

pub(crate) async fn tenant_options(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    kind: Option<OptionKind>,
) -> DomainResult<Vec<OptionView>> {
    let mut query = entitlement_option::Entity::find()
        .filter(entitlement_option::Column::TenantId.eq(tenant_id))
        .order_by_asc(entitlement_option::Column::Kind)
        .order_by_asc(entitlement_option::Column::Name);
    if let Some(kind) = kind {
        query = query.filter(entitlement_option::Column::Kind.eq(kind.as_str()));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .filter_map(option_view)
        .collect())
}

/// The German indefinite article of an option kind in the accusative: "einen Tarif".
fn german_article(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::BillingStatus | OptionKind::PricePlan => "einen",
        OptionKind::ServiceProfile | OptionKind::RoamingProfile => "ein",
        OptionKind::ApnGroup => "eine",
    }
}

pub(super) fn validate_code(code: &str, field: &str) -> DomainResult<String> {
    let code = code.trim().to_uppercase();
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(code)
    } else {
        Err(DomainError::invalid(
            field,
            Wording::new(
                "Use 1 to 64 letters, digits, dots, dashes or underscores.",
                "Verwenden Sie 1 bis 64 Buchstaben, Ziffern, Punkte, Bindestriche oder Unterstriche.",
            ),
        ))
    }
}

pub async fn create_option(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: &str,
    code: &str,
    name: &str,
    description: &str,
) -> DomainResult<OptionView> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let kind = OptionKind::parse(kind).ok_or_else(|| {
        DomainError::invalid(
            "kind",
            Wording::new(
                "Choose a kind from the list.",
                "Wählen Sie eine Art aus der Liste.",
            ),
        )
    })?;
    let code = validate_code(code, "code")?;
    let name = required_text(
        name,
        "name",
        200,
        Wording::new("Enter a name.", "Geben Sie einen Namen ein."),
    )
    .map_err(|e| DomainError::Invalid(vec![e]))?;
    let description = optional_text(description, "description", 1000)
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let taken = entitlement_option::Entity::find()
        .filter(entitlement_option::Column::TenantId.eq(tenant_id))
        .filter(entitlement_option::Column::Kind.eq(kind.as_str()))
        .filter(entitlement_option::Column::Code.eq(&code))
        .one(&txn)
        .await?
        .is_some();
    if taken {
        return Err(DomainError::invalid(
            "code",
            Wording::new(
                format!(
                    "A {} with the code {code} exists already.",
                    kind.label().to_lowercase()
                ),
                format!(
                    "Es gibt bereits {} {} mit dem Code {code}.",
                    german_article(kind),
                    kind.label_in(Locale::German)
                ),
            ),
        ));
    }
    let created = entitlement_option::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(kind.as_str().to_owned()),
        code: Set(code),
        name: Set(name),
        description: Set(description),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        unique_violation(
            e,
            "code",
            Wording::new("This code exists already.", "Diesen Code gibt es bereits."),
        )
    })?;
    let view =
        option_view(created).ok_or(DomainError::Internal("stored an unknown kind".into()))?;
    AuditEvent::new("option.created", "entitlement_option")
        .target(view.id)
        .scoped_to(actor)
        .details(json!({ "after": view }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(view)
}

/// Retires or restores an option; retired options stay on existing records but are offered no
/// longer.
pub async fn set_option_active(
    db: &DatabaseConnection,
    actor: &Actor,
    option_id: i64,
    active: bool,
) -> DomainResult<OptionView> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let Some(option) = entitlement_option::Entity::find_by_id(option_id)
            .filter(entitlement_option::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::out_of_scope("entitlement_option", option_id));
        };
        let mut model = option.into_active_model();
        model.active = Set(active);
        let updated = model.update(&txn).await?;
        AuditEvent::new(
            if active {
                "option.restored"
            } else {
                "option.retired"
            },
            "entitlement_option",
        )
        .target(updated.id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
        txn.commit().await?;
        option_view(updated).ok_or(DomainError::Internal("stored an unknown kind".into()))
    })
    .await
}

/// Checks that each chosen option exists in the tenant, is of the right kind and is active.
pub(crate) async fn check_entitlements(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    chosen: &Entitlements,
    field_prefix: &str,
    errors: &mut Vec<FieldError>,
) -> DomainResult<()> {
    let ids: Vec<i64> = OptionKind::ALL
        .iter()
        .filter_map(|k| chosen.get(*k))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashMap<i64, entitlement_option::Model> = entitlement_option::Entity::find()
        .filter(entitlement_option::Column::TenantId.eq(tenant_id))
        .filter(entitlement_option::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    for kind in OptionKind::ALL {
        let Some(id) = chosen.get(*kind) else {
            continue;
        };
        let field = format!("{field_prefix}{}", kind.as_str());
        match found.get(&id) {
            Some(option) if option.kind == kind.as_str() && option.active => {}
            Some(option) if option.kind == kind.as_str() => errors.push(FieldError::new(
                field,
                Wording::new(
                    format!("{} {} is retired.", kind.label(), option.code),
                    format!(
                        "{} {} ist ausgelaufen.",
                        kind.label_in(Locale::German),
                        option.code
                    ),
                ),
            )),
            _ => errors.push(FieldError::new(
                field,
                Wording::new(
                    format!("Choose a {} from the list.", kind.label().to_lowercase()),
                    format!(
                        "Wählen Sie {} {} aus der Liste.",
                        german_article(*kind),
                        kind.label_in(Locale::German)
                    ),
                ),
            )),
        }
    }
    Ok(())
}
