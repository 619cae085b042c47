//! SAP OCI 5.0: the same contract catalog for SAP systems. The browser arrives with form
//! fields (`USERNAME`, `PASSWORD`, `HOOK_URL`, `~OkCode`, `~TARGET`, `~CALLER`, and the
//! procurement user's `USER_EMAIL`); the cart goes back to `HOOK_URL` as `NEW_ITEM-…[n]`
//! fields. `FUNCTION=VALIDATE` returns one item at today's contract price without a visit;
//! `FUNCTION=DETAIL` shows one product. An OCI credential is a PunchOut credential with the
//! domain `oci`: `USERNAME` is its identity, `PASSWORD` its shared secret.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use simdesk_types::{CartReturn, CatalogEntry};
use std::collections::HashMap;

use super::visit::{procurement_user, Started, Visit, OCI};
use super::{cart_reference, credentials, random_token, sha256_hex, PunchOutError};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{product, punchout_session, tenant};
use crate::orders::procurement::BuyerLine;
use crate::secret::SecretKey;

/// The credential domain of OCI logins.
pub const OCI_DOMAIN: &str = "oci";

/// The fields an OCI call brings, by their OCI names.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OciEntry {
    #[serde(rename = "USERNAME", default)]
    pub username: String,
    #[serde(rename = "PASSWORD", default)]
    pub password: String,
    #[serde(rename = "HOOK_URL", default)]
    pub hook_url: String,
    #[serde(rename = "~TARGET", default)]
    pub target: String,
    #[serde(rename = "~OkCode", default)]
    pub ok_code: String,
    #[serde(rename = "~CALLER", default)]
    pub caller: String,
    #[serde(rename = "USER_EMAIL", default)]
    pub user_email: String,
    #[serde(rename = "USER_NAME", default)]
    pub user_name: String,
    #[serde(rename = "FUNCTION", default)]
    pub function: String,
    #[serde(rename = "PRODUCTID", default)]
    pub product_id: String,
    #[serde(rename = "QUANTITY", default)]
    pub quantity: String,
}

/// What an OCI call leads to.
#[derive(Debug, Clone)]
pub enum OciOutcome {
    /// A shopping visit: sign the browser in and show the catalog.
    Visit(Started),
    /// `VALIDATE`: the item goes straight back to the hook.
    Validated(CartReturn),
    /// `DETAIL`: one product of the contract, with the provider's name.
    Detail(CatalogEntry, String),
}

fn hook_url(entry: &OciEntry) -> Result<String, PunchOutError> {
    let url = url::Url::parse(entry.hook_url.trim())
        .map_err(|_| PunchOutError::BadRequest("HOOK_URL is missing or not an address.".into()))?;
    if !matches!(url.scheme(), "https" | "http") || url.as_str().len() > 2000 {
        return Err(PunchOutError::BadRequest(
            "HOOK_URL must be an http or https address.".into(),
        ));
    }
    Ok(url.to_string())
}

/// `~TARGET` as a form target: a frame name, `_top` when not given.
fn target_of(entry: &OciEntry) -> String {
    let target = entry.target.trim();
    if target.is_empty() {
        "_top".to_owned()
    } else {
        target
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .take(64)
            .collect()
    }
}

/// The `NEW_ITEM-…[n]` fields of a cart, with `~OkCode`, `~TARGET` and `~CALLER` as OCI wants
/// them back.
pub(crate) fn cart_fields(
    lines: &[BuyerLine],
    products: &HashMap<i64, product::Model>,
    po_id: Option<i64>,
    target: &str,
) -> Vec<(String, String)> {
    let mut fields = vec![
        ("~OkCode".to_owned(), "ADDI".to_owned()),
        (
            "~TARGET".to_owned(),
            if target.is_empty() { "_top" } else { target }.to_owned(),
        ),
        ("~CALLER".to_owned(), "CTLG".to_owned()),
    ];
    for (index, line) in lines.iter().enumerate() {
        let n = index + 1;
        let product = products.get(&line.product_id);
        let text = |pick: fn(&product::Model) -> &str| {
            product
                .map(|p| pick(p).trim().to_owned())
                .unwrap_or_default()
        };
        let mut field = |name: &str, value: String| {
            fields.push((format!("NEW_ITEM-{name}[{n}]"), value));
        };
        field("DESCRIPTION", text(|p| &p.name).chars().take(40).collect());
        field("MATNR", String::new());
        field("QUANTITY", line.quantity.to_string());
        let unit = text(|p| &p.unit_of_measure);
        field(
            "UNIT",
            if unit.is_empty() {
                "EA".to_owned()
            } else {
                unit
            },
        );
        field(
            "PRICE",
            cxml::Money::new(line.price.minor, line.price.currency.clone()).amount_string(),
        );
        field("CURRENCY", line.price.currency.clone());
        field("PRICEUNIT", "1".to_owned());
        field("LEADTIME", String::new());
        field("VENDORMAT", text(|p| &p.part_number));
        field("MATGROUP", text(|p| &p.unspsc));
        field("EXT_PRODUCT_ID", text(|p| &p.part_number));
        if let Some(po) = po_id {
            field("EXT_QUOTE_ID", cart_reference(po, n));
            field("EXT_QUOTE_ITEM", n.to_string());
        }
        let long_text = text(|p| &p.description);
        if !long_text.is_empty() {
            fields.push((format!("NEW_ITEM-LONGTEXT_{n}:132[]"), long_text));
        }
    }
    fields
}

/// Handles an OCI call for the tenant named in the address.
pub async fn enter(
    db: &DatabaseConnection,
    key: &SecretKey,
    tenant_slug: &str,
    entry: &OciEntry,
) -> Result<OciOutcome, PunchOutError> {
    let txn = begin(db, DataScope::System).await?;
    let tenant = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(tenant_slug.trim()))
        .one(&txn)
        .await?
        .ok_or(PunchOutError::Unauthorized)?;
    txn.commit().await?;
    let txn = begin(db, DataScope::Tenant(tenant.id)).await?;
    let sender = credentials::verify(
        &txn,
        key,
        tenant.id,
        OCI_DOMAIN,
        &entry.username,
        "production",
        &entry.password,
    )
    .await?;
    let contract =
        crate::orders::draft::orderables(&txn, tenant.id, sender.credential.account_id, true)
            .await?;
    txn.commit().await?;
    let product_of = |part: &str| {
        contract
            .values()
            .find(|e| e.part_number == part.trim())
            .cloned()
            .ok_or_else(|| {
                PunchOutError::BadRequest(format!(
                    "PRODUCTID {} is not a product of this account's contract.",
                    part.trim()
                ))
            })
    };
    match entry.function.trim().to_ascii_uppercase().as_str() {
        "" => {}
        "DETAIL" => {
            return Ok(OciOutcome::Detail(
                product_of(&entry.product_id)?,
                tenant.name,
            ));
        }
        "VALIDATE" => {
            let hook = hook_url(entry)?;
            let found = product_of(&entry.product_id)?;
            let quantity = entry
                .quantity
                .trim()
                .split(['.', ','])
                .next()
                .and_then(|q| q.parse::<i32>().ok())
                .filter(|q| *q > 0)
                .unwrap_or(1);
            let txn = begin(db, DataScope::Tenant(tenant.id)).await?;
            let products: HashMap<i64, product::Model> =
                product::Entity::find_by_id(found.product_id)
                    .one(&txn)
                    .await?
                    .into_iter()
                    .map(|p| (p.id, p))
                    .collect();
            txn.commit().await?;
            let line = BuyerLine {
                product_id: found.product_id,
                quantity,
                price: found.price.clone(),
            };
            let target = target_of(entry);
            return Ok(OciOutcome::Validated(CartReturn {
                url: hook,
                target: Some(target.clone()),
                fields: cart_fields(&[line], &products, None, &target),
                summary: format!("Returning {} at the contract price.", found.name),
            }));
        }
        other => {
            return Err(PunchOutError::NotAcceptable(format!(
                "FUNCTION {other} is not offered; use VALIDATE or DETAIL, or none to shop."
            )))
        }
    }
    let hook = hook_url(entry)?;
    let email = crate::email::normalize_email(&entry.user_email);
    if email.is_empty() {
        return Err(PunchOutError::BadRequest(
            "USER_EMAIL is missing: simdesk signs the procurement user in by it.".into(),
        ));
    }
    let name = Some(entry.user_name.trim().to_owned()).filter(|n| !n.is_empty());
    let txn = begin_write(db, DataScope::System).await?;
    let (credential, account) = (&sender.credential, sender.ordering_account()?);
    let user = procurement_user(&txn, credential, &email, name).await?;
    let now = Utc::now();
    let visit = punchout_session::ActiveModel {
        tenant_id: Set(tenant.id),
        account_id: Set(account.id),
        credential_id: Set(credential.id),
        user_id: Set(user.id),
        // The browser itself called: the visit starts now, its token is never handed out.
        token_hash: Set(sha256_hex(random_token().as_bytes())),
        operation: Set("create".to_owned()),
        buyer_cookie: Set(String::new()),
        browser_form_post_url: Set(hook),
        purchase_order_id: Set(None),
        initial_cart: Set("[]".to_owned()),
        expires_at: Set(now),
        started_at: Set(Some(now)),
        closed_at: Set(None),
        created_at: Set(now),
        protocol: Set(OCI.to_owned()),
        oci_target: Set(target_of(entry)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::audit::AuditEvent::new("user.signed_in", "user")
        .target(user.id)
        .tenant(user.tenant_id, user.account_id)
        .details(serde_json::json!({ "method": "oci", "visit": visit.id }))
        .record(&txn, Some(user.id))
        .await?;
    txn.commit().await?;
    Ok(OciOutcome::Visit(Started {
        user_id: user.id,
        visit: Visit(visit.id),
    }))
}
