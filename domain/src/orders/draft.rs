//! Raising and editing a PO: what the account may order, the form's data, validation of a
//! draft against the catalog and the account's defaults, and saving it with its lines.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::InsertStatement;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QueryTrait, Set,
};
use simdesk_types::{
    CatalogEntry, Entitlements, FieldError, PoAddress, PoFormData, PoInput, PoStatus, Price,
    ProductStatus, Wording,
};
use std::collections::HashMap;

use super::read::detail_in;
use super::scope::{changed_meanwhile, load, refused, status_of};
use super::sim_settings::{override_problems, set_overrides, sim_setting_choices};
use super::transition::{record_event, update_unchanged, TimelineEntry};
use super::workflow::{self, Event};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    account, account_product, product, purchase_order, purchase_order_line, shipping_address,
};
use crate::policy::{self, OrderScope, Permission};
use crate::{Actor, DomainError, DomainResult};

/// The products an account may order, by id, with its contract prices and limits.
pub(crate) type Contract = HashMap<i64, CatalogEntry>;

/// The account's assigned, active products at its contract prices, by product id
/// (`include_hidden`: also those the account admin hid from purchasers).
pub(crate) async fn orderables(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
    include_hidden: bool,
) -> DomainResult<Contract> {
    Ok(account_product::Entity::find()
        .find_also_related(product::Entity)
        .filter(account_product::Column::TenantId.eq(tenant_id))
        .filter(account_product::Column::AccountId.eq(account_id))
        .filter(product::Column::TenantId.eq(tenant_id))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .all(txn)
        .await?
        .into_iter()
        .filter(|(a, _)| include_hidden || a.orderable_by_users)
        .filter_map(|(a, p)| {
            let entry = crate::accounts::catalog_entry(&a, &p?);
            Some((a.product_id, entry))
        })
        .collect())
}

/// Whether `quantity` fits the product's minimum, maximum and increment; the message if not.
pub(crate) fn quantity_problem(entry: &CatalogEntry, quantity: i32) -> Option<Wording> {
    let name = &entry.name;
    if quantity < entry.min_order_quantity {
        let min = entry.min_order_quantity;
        Some(Wording::new(
            format!("{name}: order at least {min}."),
            format!("{name}: Bestellen Sie mindestens {min}."),
        ))
    } else if quantity > entry.max_order_quantity {
        let max = entry.max_order_quantity;
        Some(Wording::new(
            format!("{name}: order at most {max} at once."),
            format!("{name}: Bestellen Sie höchstens {max} auf einmal."),
        ))
    } else if entry.order_increment > 1 && quantity % entry.order_increment != 0 {
        let increment = entry.order_increment;
        Some(Wording::new(
            format!("{name}: order in multiples of {increment}."),
            format!("{name}: Bestellen Sie in Vielfachen von {increment}."),
        ))
    } else {
        None
    }
}

/// The message for a PO whose total does not fit the money type.
pub(super) fn order_total_too_large() -> Wording {
    Wording::new(
        "The order total is too large.",
        "Die Bestellsumme ist zu groß.",
    )
}

pub(super) struct ValidLine {
    pub(super) product_id: i64,
    pub(super) quantity: i32,
    pub(super) price: Price,
}

struct ValidDraft {
    account_id: i64,
    lines: Vec<ValidLine>,
    address_id: Option<i64>,
    address: PoAddress,
    save_address: bool,
    requested_ship_date: Option<NaiveDate>,
    comment: String,
    overrides: Entitlements,
    currency: String,
    total_minor: i64,
}

pub(super) fn parse_date(
    text: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                Wording::new(
                    "Enter the date as YYYY-MM-DD.",
                    "Geben Sie das Datum als JJJJ-MM-TT ein.",
                ),
            ));
            None
        }
    }
}

/// The account a draft is for: an account user's own, or the one an agent chose.
async fn draft_account(
    txn: &DatabaseTransaction,
    scope: OrderScope,
    requested: Option<i64>,
) -> DomainResult<account::Model> {
    let (tenant_id, account_id) = match scope {
        OrderScope::Account {
            tenant_id,
            account_id,
        } => (tenant_id, account_id),
        OrderScope::Provider { tenant_id } => (
            tenant_id,
            requested.ok_or_else(|| {
                DomainError::invalid(
                    "account_id",
                    Wording::new(
                        "Choose the account the order is for.",
                        "Wählen Sie das Kundenkonto, für das die Bestellung ist.",
                    ),
                )
            })?,
        ),
    };
    let account = account::Entity::find_by_id(account_id)
        .filter(account::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("account", account_id))?;
    if account.status != "active" {
        return Err(DomainError::invalid(
            "account_id",
            Wording::new(
                "This account is suspended and cannot order.",
                "Dieses Kundenkonto ist gesperrt und kann nicht bestellen.",
            ),
        ));
    }
    Ok(account)
}

async fn validate_draft(
    txn: &DatabaseTransaction,
    actor: &Actor,
    scope: OrderScope,
    account: &account::Model,
    input: &PoInput,
) -> DomainResult<ValidDraft> {
    let tenant_id = scope.tenant_id();
    let include_hidden =
        scope.is_provider() || policy::allows(actor, Permission::RestrictAccountCatalog);
    let catalog = orderables(txn, tenant_id, account.id, include_hidden).await?;
    let mut errors = Vec::new();

    let mut lines: Vec<ValidLine> = Vec::new();
    for line in &input.lines {
        let quantity_text = line.quantity.trim();
        if quantity_text.is_empty() || quantity_text == "0" {
            continue;
        }
        let Some(entry) = line.product_id.and_then(|id| catalog.get(&id)) else {
            errors.push(FieldError::new(
                "lines",
                Wording::new(
                    "One of the products is not available to this account any more; reload the page.",
                    "Eines der Produkte ist für dieses Kundenkonto nicht mehr verfügbar; laden Sie die Seite neu.",
                ),
            ));
            continue;
        };
        let Ok(quantity) = quantity_text.parse::<i32>() else {
            errors.push(FieldError::new(
                "lines",
                Wording::new(
                    format!("{}: enter the quantity as a whole number.", entry.name),
                    format!("{}: Geben Sie die Menge als ganze Zahl ein.", entry.name),
                ),
            ));
            continue;
        };
        if quantity < 0 {
            errors.push(FieldError::new(
                "lines",
                Wording::new(
                    format!("{}: the quantity cannot be negative.", entry.name),
                    format!("{}: Die Menge kann nicht negativ sein.", entry.name),
                ),
            ));
            continue;
        }
        if let Some(problem) = quantity_problem(entry, quantity) {
            errors.push(FieldError::new("lines", problem));
            continue;
        }
        if lines.iter().any(|l| l.product_id == entry.product_id) {
            errors.push(FieldError::new(
                "lines",
                Wording::new(
                    format!("{} appears twice; order it on one line.", entry.name),
                    format!(
                        "{} kommt zweimal vor; bestellen Sie es in einer Zeile.",
                        entry.name
                    ),
                ),
            ));
            continue;
        }
        lines.push(ValidLine {
            product_id: entry.product_id,
            quantity,
            price: entry.price.clone(),
        });
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "lines",
            Wording::new(
                "Enter a quantity for at least one product.",
                "Geben Sie für mindestens ein Produkt eine Menge ein.",
            ),
        ));
    }
    let currency = lines
        .first()
        .map(|l| l.price.currency.clone())
        .unwrap_or_default();
    if lines.iter().any(|l| l.price.currency != currency) {
        errors.push(FieldError::new(
            "lines",
            Wording::new(
                "These products have different currencies; order them on separate purchase orders.",
                "Diese Produkte haben unterschiedliche Währungen; bestellen Sie sie in getrennten Bestellungen.",
            ),
        ));
    }
    let total_minor = lines.iter().try_fold(0i64, |sum, l| {
        l.price
            .minor
            .checked_mul(i64::from(l.quantity))
            .and_then(|t| sum.checked_add(t))
    });
    let total_minor = total_minor.unwrap_or_else(|| {
        errors.push(FieldError::new("lines", order_total_too_large()));
        0
    });

    let (address_id, address) = match input.shipping_address_id {
        Some(id) => {
            let chosen = shipping_address::Entity::find_by_id(id)
                .filter(shipping_address::Column::AccountId.eq(account.id))
                .filter(shipping_address::Column::TenantId.eq(tenant_id))
                .one(txn)
                .await?;
            match chosen {
                Some(a) => (Some(a.id), PoAddress::from(a)),
                None => {
                    errors.push(FieldError::new(
                        "shipping_address_id",
                        Wording::new(
                            "Choose one of the account's addresses.",
                            "Wählen Sie eine der Adressen des Kundenkontos.",
                        ),
                    ));
                    (None, PoAddress::default())
                }
            }
        }
        None => {
            let new = &input.new_address;
            let mut field = |name: &str, value: &str, what: (&str, &str), max: usize| {
                let value = value.trim();
                let (what, what_de) = what;
                if value.is_empty() {
                    errors.push(FieldError::new(
                        format!("new_address.{name}"),
                        Wording::new(
                            format!("Enter the {what}, or choose one of the account's addresses."),
                            format!(
                                "Geben Sie {what_de} ein, oder wählen Sie eine der Adressen des Kundenkontos."
                            ),
                        ),
                    ));
                } else if value.chars().count() > max {
                    errors.push(FieldError::new(
                        format!("new_address.{name}"),
                        Wording::new(
                            format!("Use at most {max} characters."),
                            format!("Verwenden Sie höchstens {max} Zeichen."),
                        ),
                    ));
                }
                value.to_owned()
            };
            let address = PoAddress {
                recipient: field(
                    "recipient",
                    &new.recipient,
                    ("recipient", "den Empfänger"),
                    200,
                ),
                street: field("street", &new.street, ("street", "die Straße"), 200),
                postal_code: field(
                    "postal_code",
                    &new.postal_code,
                    ("postal code", "die Postleitzahl"),
                    32,
                ),
                city: field("city", &new.city, ("city", "den Ort"), 100),
                country: field("country", &new.country, ("country", "das Land"), 2).to_uppercase(),
            };
            let well_formed = address.country.len() == 2
                && address.country.chars().all(|c| c.is_ascii_uppercase());
            if !address.country.is_empty() && !well_formed {
                errors.push(FieldError::new(
                    "new_address.country",
                    Wording::new(
                        "Use the two-letter ISO country code, such as DE.",
                        "Verwenden Sie den zweistelligen ISO-Ländercode, etwa DE.",
                    ),
                ));
            }
            (None, address)
        }
    };

    let requested_ship_date = parse_date(
        &input.requested_ship_date,
        "requested_ship_date",
        &mut errors,
    );
    if requested_ship_date.is_some_and(|d| d < Utc::now().date_naive()) {
        errors.push(FieldError::new(
            "requested_ship_date",
            Wording::new(
                "The requested shipping date is in the past.",
                "Das gewünschte Versanddatum liegt in der Vergangenheit.",
            ),
        ));
    }
    let comment = input.comment.trim().to_owned();
    if comment.chars().count() > 2000 {
        errors.push(FieldError::new(
            "comment",
            Wording::new(
                "Use at most 2000 characters.",
                "Verwenden Sie höchstens 2000 Zeichen.",
            ),
        ));
    }

    let overrides = input.overrides.clone();
    errors.extend(override_problems(txn, tenant_id, account.id, &overrides).await?);

    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(ValidDraft {
        account_id: account.id,
        lines,
        address_id,
        address,
        save_address: input.shipping_address_id.is_none() && input.save_new_address,
        requested_ship_date,
        comment,
        overrides,
        currency,
        total_minor,
    })
}

/// Replaces a PO's lines, numbered from 1 in the given order.
pub(super) async fn replace_lines(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    po_id: i64,
    lines: &[ValidLine],
) -> DomainResult<()> {
    purchase_order_line::Entity::delete_many()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po_id))
        .exec(txn)
        .await?;
    insert_lines(txn, tenant_id, po_id, lines).await
}

/// Writes the lines of a PO that has none yet.
pub(super) async fn insert_lines(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    po_id: i64,
    lines: &[ValidLine],
) -> DomainResult<()> {
    if let Some(rows) = line_rows(tenant_id, po_id, lines) {
        txn.execute(txn.get_database_backend().build(&rows)).await?;
    }
    Ok(())
}

/// The statement that writes `lines` to the PO `po_id`, numbered from 1; none without lines.
pub(super) fn line_rows(
    tenant_id: i64,
    po_id: i64,
    lines: &[ValidLine],
) -> Option<InsertStatement> {
    if lines.is_empty() {
        return None;
    }
    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| purchase_order_line::ActiveModel {
            tenant_id: Set(tenant_id),
            purchase_order_id: Set(po_id),
            line_number: Set(index as i32 + 1),
            product_id: Set(line.product_id),
            quantity: Set(line.quantity),
            unit_price_minor: Set(line.price.minor),
            currency: Set(line.price.currency.clone()),
            provisioned_quantity: Set(0),
            ..Default::default()
        });
    Some(purchase_order_line::Entity::insert_many(rows).into_query())
}

/// Writes the draft's own columns into `model`.
fn fill(model: &mut purchase_order::ActiveModel, draft: &ValidDraft) {
    model.shipping_address_id = Set(draft.address_id);
    model.ship_recipient = Set(draft.address.recipient.clone());
    model.ship_street = Set(draft.address.street.clone());
    model.ship_postal_code = Set(draft.address.postal_code.clone());
    model.ship_city = Set(draft.address.city.clone());
    model.ship_country = Set(draft.address.country.clone());
    model.requested_ship_date = Set(draft.requested_ship_date);
    model.comment = Set(draft.comment.clone());
    set_overrides(model, &draft.overrides);
    model.currency = Set(draft.currency.clone());
    model.total_minor = Set(draft.total_minor);
}

async fn write_lines(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    po_id: i64,
    draft: &ValidDraft,
) -> DomainResult<()> {
    replace_lines(txn, tenant_id, po_id, &draft.lines).await?;
    if draft.save_address {
        shipping_address::ActiveModel {
            tenant_id: Set(tenant_id),
            account_id: Set(draft.account_id),
            label: Set(String::new()),
            recipient: Set(draft.address.recipient.clone()),
            street: Set(draft.address.street.clone()),
            postal_code: Set(draft.address.postal_code.clone()),
            city: Set(draft.address.city.clone()),
            country: Set(draft.address.country.clone()),
            is_default: Set(false),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Creates a draft PO; an agent creates it on behalf of the account they choose.
pub async fn create_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    input: PoInput,
) -> DomainResult<i64> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        policy::require(actor, Permission::RaiseOrders)?;
        let txn = begin_write(db, DataScope::Tenant(scope.tenant_id())).await?;
        let account = draft_account(&txn, scope, input.account_id).await?;
        let draft = validate_draft(&txn, actor, scope, &account, &input).await?;
        let now = Utc::now();
        let mut model = purchase_order::ActiveModel {
            tenant_id: Set(scope.tenant_id()),
            account_id: Set(account.id),
            status: Set(PoStatus::Draft.as_str().to_owned()),
            source: Set(match scope {
                _ if crate::request_id::api_token().is_some() => "api",
                OrderScope::Provider { .. } => "agent",
                OrderScope::Account { .. } => "portal",
            }
            .to_owned()),
            created_by: Set(actor.user_id),
            rejection_reason: Set(String::new()),
            carrier: Set(String::new()),
            tracking_number: Set(String::new()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        fill(&mut model, &draft);
        let po = model.insert(&txn).await?;
        write_lines(&txn, po.tenant_id, po.id, &draft).await?;
        record_event(
            &txn,
            actor,
            &po,
            TimelineEntry::created(PoStatus::Draft, ""),
            Vec::new(),
        )
        .await?;
        txn.commit().await?;
        Ok(po.id)
    })
    .await
}

/// Changes a draft; `version` is the one the form showed, so concurrent edits do not overwrite
/// each other silently.
pub async fn update_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    version: i32,
    input: PoInput,
) -> DomainResult<i64> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        workflow::next(status_of(&po)?, Event::Edit, capacity).map_err(refused)?;
        if po.version != version {
            return Err(DomainError::conflict(changed_meanwhile()));
        }
        let account = draft_account(&txn, scope, Some(po.account_id)).await?;
        let draft = validate_draft(&txn, actor, scope, &account, &input).await?;
        let mut changes = <purchase_order::ActiveModel as Default>::default();
        fill(&mut changes, &draft);
        // Every status change bumps the version: an unchanged version is still a draft.
        update_unchanged(&txn, &po, changes).await?;
        write_lines(&txn, po.tenant_id, po.id, &draft).await?;
        AuditEvent::new(Event::Edit.consequences().audit, "purchase_order")
            .target(po.id)
            .tenant(Some(po.tenant_id), Some(po.account_id))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(po.id)
    })
    .await
}

/// What the PO form needs: for a new PO (of `account_id` when an agent raises it) or a draft.
pub async fn form_data(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: Option<i64>,
    po_id: Option<i64>,
) -> DomainResult<PoFormData> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let txn = begin(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (draft, account_id) = match po_id {
            Some(po_id) => {
                let (po, capacity) = load(&txn, actor, po_id).await?;
                workflow::next(status_of(&po)?, Event::Edit, capacity).map_err(refused)?;
                let detail = detail_in(&txn, &po, capacity).await?;
                (Some(detail), Some(po.account_id))
            }
            None => (None, account_id),
        };
        let account = draft_account(&txn, scope, account_id).await?;
        let include_hidden =
            scope.is_provider() || policy::allows(actor, Permission::RestrictAccountCatalog);
        let mut products: Vec<CatalogEntry> =
            orderables(&txn, scope.tenant_id(), account.id, include_hidden)
                .await?
                .into_values()
                .collect();
        products.sort_by(|a, b| a.name.cmp(&b.name));
        let addresses = shipping_address::Entity::find()
            .filter(shipping_address::Column::AccountId.eq(account.id))
            .filter(shipping_address::Column::TenantId.eq(scope.tenant_id()))
            .order_by_desc(shipping_address::Column::IsDefault)
            .order_by_asc(shipping_address::Column::Id)
            .all(&txn)
            .await?
            .into_iter()
            .map(crate::accounts::address_view)
            .collect();
        let sim_settings = sim_setting_choices(&txn, scope.tenant_id(), &account).await?;
        txn.commit().await?;
        Ok(PoFormData {
            account_id: account.id,
            account_name: account.name,
            products,
            addresses,
            sim_settings,
            draft,
        })
    })
    .await
}
