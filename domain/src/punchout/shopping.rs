//! The PunchOut visit once `setup` opened it: the browser starts it with the one-time link
//! (signed in as the procurement user), the user fills the cart from the account's contract
//! catalog, and the cart goes back to the procurement system as a PunchOutOrderMessage in a
//! self-submitting form.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Utc;
use cxml::{
    Body, Classification, Cxml, Description, ItemDetail, ItemId, ItemIn, Message, Money,
    OperationAllowed, PunchOutOrderMessage, PunchOutOrderMessageHeader, Quantity,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use serde_json::json;
use simdesk_types::{
    CartEncoding, CartReturn, CatalogEntry, Entitlements, FieldError, PunchoutCart,
    PunchoutOperation, Wording,
};
use std::collections::HashMap;

use super::visit::{CartItem, OCI};
/// The visit a started PunchOut signs in, as the routes name it.
pub use super::visit::{Started, Visit};
use super::{cart_reference, payload_id, sha256_hex};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    account, app_user, cxml_document, product, punchout_credential, punchout_session, tenant,
};
use crate::orders::draft::quantity_problem;
use crate::orders::procurement::{self, BuyerCart, BuyerLine};
use crate::{Actor, DomainError, DomainResult};

fn ended() -> Wording {
    Wording::new(
        "This PunchOut session has ended. Start again from your procurement system.",
        "Diese PunchOut-Sitzung ist beendet. Beginnen Sie in Ihrem Beschaffungssystem erneut.",
    )
}

/// Opens a visit with its one-time token: only once, and only within the link's lifetime.
pub async fn start(db: &DatabaseConnection, token: &str) -> DomainResult<Started> {
    let hash = sha256_hex(token.trim().as_bytes());
    let now = Utc::now();
    let txn = begin_write(db, DataScope::System).await?;
    let claimed = punchout_session::Entity::update_many()
        .col_expr(punchout_session::Column::StartedAt, Expr::value(now))
        .filter(punchout_session::Column::TokenHash.eq(&hash))
        .filter(punchout_session::Column::StartedAt.is_null())
        .filter(punchout_session::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    let expired = || {
        DomainError::conflict(Wording::new(
            "This PunchOut link was already used or has expired. Start again from your procurement system.",
            "Dieser PunchOut-Link wurde bereits verwendet oder ist abgelaufen. Beginnen Sie in Ihrem Beschaffungssystem erneut.",
        ))
    };
    if claimed.rows_affected != 1 {
        return Err(expired());
    }
    let visit = punchout_session::Entity::find()
        .filter(punchout_session::Column::TokenHash.eq(&hash))
        .one(&txn)
        .await?
        .ok_or_else(expired)?;
    let user = app_user::Entity::find_by_id(visit.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or_else(expired)?;
    app_user::ActiveModel {
        id: sea_orm::Unchanged(user.id),
        last_sign_in_at: Set(Some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    AuditEvent::new("user.signed_in", "user")
        .target(user.id)
        .tenant(user.tenant_id, user.account_id)
        .details(json!({ "method": "punchout", "visit": visit.id }))
        .record(&txn, Some(user.id))
        .await?;
    txn.commit().await?;
    Ok(Started {
        user_id: user.id,
        visit: Visit(visit.id),
    })
}

/// The visit, if it belongs to the actor.
async fn visit_of(
    txn: &DatabaseTransaction,
    actor: &Actor,
    visit: Visit,
) -> DomainResult<punchout_session::Model> {
    let tenant_id = actor.tenant_id.ok_or(DomainError::Forbidden)?;
    punchout_session::Entity::find_by_id(visit.0)
        .filter(punchout_session::Column::TenantId.eq(tenant_id))
        .filter(punchout_session::Column::UserId.eq(actor.user_id))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("punchout_session", visit.0))
}

fn initial_cart(visit: &punchout_session::Model) -> Vec<CartItem> {
    serde_json::from_str(&visit.initial_cart).unwrap_or_default()
}

/// The origins that may frame the visit's pages (the credential's allow-list).
pub async fn frame_ancestors(db: &DatabaseConnection, visit: Visit) -> DomainResult<Vec<String>> {
    let txn = begin(db, DataScope::System).await?;
    let session = punchout_session::Entity::find_by_id(visit.0)
        .one(&txn)
        .await?;
    let origins = match session {
        Some(session) => punchout_credential::Entity::find_by_id(session.credential_id)
            .one(&txn)
            .await?
            .map(|c| {
                c.frame_ancestors
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    txn.commit().await?;
    Ok(origins)
}

/// The shopping page: the account's contract catalog, branded for the tenant, and the cart.
pub async fn cart(
    db: &DatabaseConnection,
    actor: &Actor,
    visit: Visit,
) -> DomainResult<PunchoutCart> {
    denials(db, actor, cart_of_visit(db, actor, visit)).await
}

async fn cart_of_visit(
    db: &DatabaseConnection,
    actor: &Actor,
    visit: Visit,
) -> DomainResult<PunchoutCart> {
    let tenant_id = actor.tenant_id.ok_or(DomainError::Forbidden)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let session = visit_of(&txn, actor, visit).await?;
    let tenant = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let account = account::Entity::find_by_id(session.account_id)
        .filter(account::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let contract = crate::orders::draft::orderables(&txn, tenant_id, account.id, false).await?;
    let mut entries: Vec<CatalogEntry> = contract.into_values().collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name).then(a.product_id.cmp(&b.product_id)));
    let sim_settings =
        crate::orders::sim_settings::sim_setting_choices(&txn, tenant_id, &account).await?;
    let overrides = match session.purchase_order_id {
        Some(po_id) => procurement::account_po(&txn, tenant_id, account.id, po_id)
            .await?
            .map(|po| crate::orders::sim_settings::overrides_of(&po))
            .unwrap_or_default(),
        None => Entitlements::default(),
    };
    txn.commit().await?;
    Ok(PunchoutCart {
        tenant_name: tenant.name,
        brand_color: tenant.brand_color,
        account_name: account.name,
        operation: PunchoutOperation::parse(&session.operation)
            .unwrap_or(PunchoutOperation::Create),
        entries,
        quantities: initial_cart(&session)
            .into_iter()
            .map(|i| (i.product_id, i.quantity))
            .collect(),
        sim_settings,
        overrides,
        closed: session.closed_at.is_some(),
    })
}

/// The cart form as the shopper sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartForm {
    /// Quantities as text per product id.
    pub quantities: Vec<(i64, String)>,
    /// Overrides of the account's defaults, where the tenant allows them.
    pub overrides: Entitlements,
}

/// Checks the cart form's quantities, adding what is wrong to `errors`.
fn cart_lines(
    contract: &HashMap<i64, CatalogEntry>,
    quantities: &[(i64, String)],
    errors: &mut Vec<FieldError>,
) -> Vec<BuyerLine> {
    let mut lines: Vec<BuyerLine> = Vec::new();
    for (product_id, text) in quantities {
        let text = text.trim();
        if text.is_empty() || text == "0" {
            continue;
        }
        let Some(entry) = contract.get(product_id) else {
            errors.push(FieldError::new(
                "cart",
                Wording::new(
                    "One of the products is not available any more; reload the page.",
                    "Eines der Produkte ist nicht mehr verfügbar; laden Sie die Seite neu.",
                ),
            ));
            continue;
        };
        let field = format!("quantity_{product_id}");
        match text.parse::<i32>() {
            Ok(quantity) if quantity > 0 => {
                if let Some(problem) = quantity_problem(entry, quantity) {
                    errors.push(FieldError::new(&field, problem));
                } else if lines.iter().any(|l| l.product_id == *product_id) {
                    errors.push(FieldError::new(
                        &field,
                        Wording::new(
                            format!("{} appears twice.", entry.name),
                            format!("{} ist doppelt aufgeführt.", entry.name),
                        ),
                    ));
                } else {
                    lines.push(BuyerLine {
                        product_id: *product_id,
                        quantity,
                        price: entry.price.clone(),
                    });
                }
            }
            _ => errors.push(FieldError::new(
                &field,
                Wording::new(
                    format!("{}: enter the quantity as a whole number.", entry.name),
                    format!("{}: Geben Sie die Menge als ganze Zahl ein.", entry.name),
                ),
            )),
        }
    }
    lines
}

/// Returns the cart to the procurement system: records it as a PO waiting for the buyer's
/// order and builds the self-submitting form. `form` None cancels: the procurement
/// system gets back the cart it sent (empty for a new cart) and nothing is recorded.
pub async fn transfer(
    db: &DatabaseConnection,
    actor: &Actor,
    visit: Visit,
    form: Option<CartForm>,
) -> DomainResult<CartReturn> {
    denials(db, actor, return_cart(db, actor, visit, form)).await
}

async fn return_cart(
    db: &DatabaseConnection,
    actor: &Actor,
    visit: Visit,
    form: Option<CartForm>,
) -> DomainResult<CartReturn> {
    let tenant_id = actor.tenant_id.ok_or(DomainError::Forbidden)?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let session = visit_of(&txn, actor, visit).await?;
    if session.closed_at.is_some() {
        return Err(DomainError::conflict(ended()));
    }
    let credential = punchout_credential::Entity::find_by_id(session.credential_id)
        .filter(punchout_credential::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?
        .filter(|c| c.enabled)
        .ok_or_else(|| DomainError::conflict(ended()))?;
    let operation =
        PunchoutOperation::parse(&session.operation).unwrap_or(PunchoutOperation::Create);
    let contract =
        crate::orders::draft::orderables(&txn, tenant_id, session.account_id, true).await?;
    let unchanged = || -> Vec<BuyerLine> {
        initial_cart(&session)
            .into_iter()
            .filter_map(|item| {
                let entry = contract.get(&item.product_id)?;
                Some(BuyerLine {
                    product_id: item.product_id,
                    quantity: item.quantity,
                    price: entry.price.clone(),
                })
            })
            .collect()
    };
    let (lines, po_id) = match (&form, operation) {
        (Some(form), PunchoutOperation::Create | PunchoutOperation::Edit) => {
            let shop = crate::orders::draft::orderables(&txn, tenant_id, session.account_id, false)
                .await?;
            let mut errors = Vec::new();
            let lines = cart_lines(&shop, &form.quantities, &mut errors);
            errors.extend(
                crate::orders::sim_settings::override_problems(
                    &txn,
                    tenant_id,
                    session.account_id,
                    &form.overrides,
                )
                .await?,
            );
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors));
            }
            let cart = BuyerCart {
                lines,
                overrides: form.overrides.clone(),
            };
            let po_id = procurement::record_cart(
                &txn,
                actor,
                tenant_id,
                session.account_id,
                credential.id,
                session.purchase_order_id,
                &cart,
            )
            .await?;
            (cart.lines, po_id)
        }
        // Inspecting returns the cart as it was; cancelling returns what was sent.
        (_, PunchoutOperation::Inspect) | (None, PunchoutOperation::Edit) => {
            (unchanged(), session.purchase_order_id)
        }
        (None, PunchoutOperation::Create) => (Vec::new(), None),
    };
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .filter(product::Column::Id.is_in(lines.iter().map(|l| l.product_id)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let oci = session.protocol == OCI;
    let (fields, document_type, body, document_id) = if oci {
        let fields = super::oci::cart_fields(&lines, &products, po_id, &session.oci_target);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .finish();
        (fields, "OCI cart", body, payload_id())
    } else {
        let message = order_message(&session, &credential, operation, &lines, &products, po_id)?;
        let xml = message
            .to_xml()
            .map_err(|e| DomainError::Internal(format!("writing the cart failed: {e}")))?;
        let encoding =
            CartEncoding::parse(&credential.cart_encoding).unwrap_or(CartEncoding::UrlEncoded);
        let field = match encoding {
            CartEncoding::UrlEncoded => ("cxml-urlencoded".to_owned(), xml.clone()),
            CartEncoding::Base64 => ("cxml-base64".to_owned(), STANDARD.encode(xml.as_bytes())),
        };
        (vec![field], "PunchOutOrderMessage", xml, message.payload_id)
    };
    punchout_session::Entity::update_many()
        .col_expr(punchout_session::Column::ClosedAt, Expr::value(Utc::now()))
        .col_expr(
            punchout_session::Column::PurchaseOrderId,
            Expr::value(po_id),
        )
        .filter(punchout_session::Column::Id.eq(session.id))
        .exec(&txn)
        .await?;
    cxml_document::ActiveModel {
        tenant_id: Set(tenant_id),
        account_id: Set(Some(session.account_id)),
        direction: Set("out".to_owned()),
        document_type: Set(document_type.to_owned()),
        sender_domain: Set(credential.domain.clone()),
        sender_identity: Set(credential.identity.chars().take(255).collect()),
        payload_id: Set(document_id),
        idempotency_key: Set(None),
        body_sha256: Set(sha256_hex(body.as_bytes())),
        body: Set(body),
        status_code: Set(200),
        status_text: Set(if form.is_some() {
            "cart returned"
        } else {
            "cancelled"
        }
        .to_owned()),
        response: Set(String::new()),
        purchase_order_id: Set(po_id),
        created_at: Set(Utc::now()),
        request_id: Set(crate::request_id::current().unwrap_or_default()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEvent::new("punchout.cart_returned", "punchout_session")
        .target(session.id)
        .tenant(Some(tenant_id), Some(session.account_id))
        .details(
            json!({ "lines": lines.len(), "purchase_order": po_id, "cancelled": form.is_none() }),
        )
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;

    let items: i32 = lines.iter().map(|l| l.quantity).sum();
    Ok(CartReturn {
        url: session.browser_form_post_url,
        target: Some(session.oci_target.clone()).filter(|t| oci && !t.is_empty()),
        fields,
        summary: match (form.is_some(), lines.len()) {
            (false, _) => "Returning to your procurement system without changes.".to_owned(),
            (true, 0) => "Returning an empty cart to your procurement system.".to_owned(),
            (true, n) => format!(
                "Returning {n} line{} ({items} SIM{}) to your procurement system.",
                if n == 1 { "" } else { "s" },
                if items == 1 { "" } else { "s" }
            ),
        },
    })
}

fn order_message(
    session: &punchout_session::Model,
    credential: &punchout_credential::Model,
    operation: PunchoutOperation,
    lines: &[BuyerLine],
    products: &HashMap<i64, product::Model>,
    po_id: Option<i64>,
) -> DomainResult<Cxml> {
    let currency = lines
        .first()
        .map(|l| l.price.currency.clone())
        .unwrap_or_else(|| "EUR".to_owned());
    let total = procurement::cart_total(lines).ok_or_else(|| {
        DomainError::invalid(
            "cart",
            Wording::new(
                "The cart total is too large.",
                "Die Gesamtsumme des Warenkorbs ist zu hoch.",
            ),
        )
    })?;
    let items = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let product = products.get(&line.product_id);
            let name = product.map(|p| p.name.clone()).unwrap_or_default();
            let description = product
                .map(|p| p.description.trim().to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| name.clone());
            let mut text = Description::new("en", description);
            text.short_name = Some(name);
            ItemIn {
                quantity: Quantity::from_integer(i64::from(line.quantity)),
                line_number: Some(index as u32 + 1),
                item_id: ItemId {
                    supplier_part_id: product.map(|p| p.part_number.clone()).unwrap_or_default(),
                    supplier_part_auxiliary_id: po_id.map(|po| cart_reference(po, index + 1)),
                    buyer_part_id: None,
                },
                item_detail: ItemDetail {
                    unit_price: Money::new(line.price.minor, line.price.currency.clone()),
                    descriptions: vec![text],
                    unit_of_measure: product
                        .map(|p| p.unit_of_measure.trim().to_owned())
                        .filter(|u| !u.is_empty())
                        .unwrap_or_else(|| "EA".to_owned()),
                    classifications: vec![Classification {
                        domain: "UNSPSC".to_owned(),
                        code: None,
                        value: product
                            .map(|p| p.unspsc.trim().to_owned())
                            .filter(|u| !u.is_empty())
                            // UNSPSC 43191500: personal communication devices.
                            .unwrap_or_else(|| "43191500".to_owned()),
                    }],
                    manufacturer_part_id: None,
                    manufacturer_name: None,
                    url: None,
                    lead_time: None,
                    extrinsics: Vec::new(),
                },
            }
        })
        .collect();
    let header = super::supplier_header(session.tenant_id, credential);
    Ok(Cxml::new(
        payload_id(),
        super::now(),
        Body::Message(Message {
            header,
            deployment_mode: super::deployment_mode(credential),
            in_reply_to: None,
            status: None,
            punch_out_order_message: PunchOutOrderMessage {
                buyer_cookie: session.buyer_cookie.clone(),
                header: PunchOutOrderMessageHeader {
                    operation_allowed: match operation {
                        PunchoutOperation::Inspect => OperationAllowed::Inspect,
                        _ => OperationAllowed::Edit,
                    },
                    total: Money::new(total, currency),
                    ship_to: None,
                    shipping: None,
                    tax: None,
                },
                items,
            },
        }),
    ))
}
