//! The SIM settings a PO may choose instead of the account's defaults (billing status, price
//! plan, service and roaming profile, APN group), where the tenant allows it; shared by the PO
//! form and the PunchOut cart.

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use simdesk_types::{
    Entitlements, FieldError, Locale, NamedDefault, OptionKind, OptionView, SimSettingChoices,
    Wording,
};
use std::collections::HashMap;

use crate::catalog::tenant_options;
use crate::entity::{account, account_entitlement, purchase_order, tenant};
use crate::DomainResult;

/// Whether the tenant lets orders change the account's defaults.
async fn overrides_allowed(txn: &DatabaseTransaction, tenant_id: i64) -> DomainResult<bool> {
    Ok(tenant::Entity::find_by_id(tenant_id)
        .one(txn)
        .await?
        .is_some_and(|t| t.allow_default_overrides))
}

/// The ids of the options an account is entitled to.
async fn entitled_options(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
) -> DomainResult<Vec<i64>> {
    Ok(account_entitlement::Entity::find()
        .filter(account_entitlement::Column::AccountId.eq(account_id))
        .filter(account_entitlement::Column::TenantId.eq(tenant_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|e| e.option_id)
        .collect())
}

/// The account's defaults by name and, where the tenant allows overrides, the active options
/// the account is entitled to: what an order form offers for the SIMs' settings.
pub(crate) async fn sim_setting_choices(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account: &account::Model,
) -> DomainResult<SimSettingChoices> {
    let overrides_allowed = overrides_allowed(txn, tenant_id).await?;
    let options = tenant_options(txn, tenant_id, None).await?;
    let names: HashMap<i64, String> = options.iter().map(|o| (o.id, o.name.clone())).collect();
    let account_defaults = crate::accounts::defaults_of(account);
    let defaults = OptionKind::ALL
        .iter()
        .map(|kind| NamedDefault {
            kind: *kind,
            name: account_defaults
                .get(*kind)
                .and_then(|id| names.get(&id).cloned()),
        })
        .collect();
    let override_options = if overrides_allowed {
        let entitled = entitled_options(txn, tenant_id, account.id).await?;
        options
            .into_iter()
            .filter(|o| o.active && entitled.contains(&o.id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(SimSettingChoices {
        defaults,
        overrides_allowed,
        override_options,
    })
}

/// What is wrong with an order's overrides of the account's defaults: each must be an active
/// option of its kind the account is entitled to, and the tenant must allow overrides at all.
pub(crate) async fn override_problems(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
    overrides: &Entitlements,
) -> DomainResult<Vec<FieldError>> {
    if OptionKind::ALL.iter().all(|k| overrides.get(*k).is_none()) {
        return Ok(Vec::new());
    }
    if !overrides_allowed(txn, tenant_id).await? {
        return Ok(vec![FieldError::new(
            "overrides",
            Wording::new(
                "Your provider does not allow orders to change the account's defaults.",
                "Ihr Anbieter erlaubt nicht, dass Bestellungen die Standardwerte des Kundenkontos ändern.",
            ),
        )]);
    }
    let entitled = entitled_options(txn, tenant_id, account_id).await?;
    let options: HashMap<i64, OptionView> = tenant_options(txn, tenant_id, None)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(OptionKind::ALL
        .iter()
        .filter_map(|kind| {
            let id = overrides.get(*kind)?;
            let usable = entitled.contains(&id)
                && options
                    .get(&id)
                    .is_some_and(|o| o.kind == *kind && o.active);
            (!usable).then(|| {
                FieldError::new(
                    format!("overrides.{}", kind.as_str()),
                    Wording::new(
                        format!(
                            "Choose one of the {} options this account is entitled to.",
                            kind.label()
                        ),
                        format!(
                            "Wählen Sie eine der Optionen für „{}“, die diesem Kundenkonto zustehen.",
                            kind.label_in(Locale::German)
                        ),
                    ),
                )
            })
        })
        .collect())
}

/// Writes the overrides of the account's defaults into `model`.
pub(crate) fn set_overrides(model: &mut purchase_order::ActiveModel, overrides: &Entitlements) {
    model.override_billing_status_id = Set(overrides.billing_status);
    model.override_price_plan_id = Set(overrides.price_plan);
    model.override_service_profile_id = Set(overrides.service_profile);
    model.override_roaming_profile_id = Set(overrides.roaming_profile);
    model.override_apn_group_id = Set(overrides.apn_group);
}

pub(crate) fn overrides_of(po: &purchase_order::Model) -> Entitlements {
    Entitlements {
        billing_status: po.override_billing_status_id,
        price_plan: po.override_price_plan_id,
        service_profile: po.override_service_profile_id,
        roaming_profile: po.override_roaming_profile_id,
        apn_group: po.override_apn_group_id,
    }
}
