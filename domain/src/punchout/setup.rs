//! The PunchOutSetupRequest: a procurement system opens a visit for its user, who gets a
//! one-time StartPage link (the visit itself is in `shopping`).

use chrono::{Duration, Utc};
use cxml::{PunchOutOperation, PunchOutSetupRequest, PunchOutSetupResponse, ResponseKind, Status};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use simdesk_types::{CatalogEntry, PunchoutOperation};
use std::collections::HashMap;

use super::credentials::Sender;
use super::visit::{is_user_email_extrinsic, procurement_user, RACED};
use super::visit::{CartItem, CXML};
use super::{random_token, response_xml, sha256_hex, Answer, Endpoint, PunchOutError};
use crate::db::{begin_write, DataScope};
use crate::entity::{punchout_session, tenant};

/// How long a StartPage link may wait before the browser opens it.
pub const START_LINK_LIFETIME_MINUTES: i64 = 5;

fn user_of(setup: &PunchOutSetupRequest) -> Option<(String, Option<String>)> {
    let email = setup
        .extrinsics
        .iter()
        .filter(|e| is_user_email_extrinsic(&e.name))
        .map(|e| e.value.trim())
        .chain(
            setup
                .contacts
                .iter()
                .flat_map(|c| c.emails.iter().map(|e| e.trim())),
        )
        .find(|value| value.contains('@'))?;
    let name = setup
        .extrinsics
        .iter()
        .find(|e| {
            ["UserPrintableName", "UserFullName", "FullName"]
                .iter()
                .any(|n| n.eq_ignore_ascii_case(e.name.trim()))
        })
        .map(|e| e.value.trim().to_owned())
        .or_else(|| {
            setup
                .contacts
                .first()
                .map(|c| c.name.value.trim().to_owned())
        })
        .filter(|n| !n.is_empty());
    Some((crate::email::normalize_email(email), name))
}

fn web_url(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    matches!(url.scheme(), "https" | "http").then(|| url.to_string())
}

/// Answers a PunchOutSetupRequest with a one-time StartPage link.
pub(super) async fn setup(
    db: &DatabaseConnection,
    endpoint: &Endpoint<'_>,
    tenant: &tenant::Model,
    sender: &Sender,
    request: &PunchOutSetupRequest,
) -> Result<Answer, PunchOutError> {
    let mut result = setup_once(db, endpoint, tenant, sender, request).await;
    for _ in 0..2 {
        match &result {
            Err(PunchOutError::Conflict(m)) if m == RACED => {
                result = setup_once(db, endpoint, tenant, sender, request).await;
            }
            _ => break,
        }
    }
    result
}

async fn setup_once(
    db: &DatabaseConnection,
    endpoint: &Endpoint<'_>,
    tenant: &tenant::Model,
    sender: &Sender,
    setup: &PunchOutSetupRequest,
) -> Result<Answer, PunchOutError> {
    let operation = match setup.operation {
        PunchOutOperation::Create => PunchoutOperation::Create,
        PunchOutOperation::Edit => PunchoutOperation::Edit,
        PunchOutOperation::Inspect => PunchoutOperation::Inspect,
        PunchOutOperation::Source => {
            return Err(PunchOutError::NotAcceptable(
                "simdesk offers no sourcing PunchOut; use operation create, edit or inspect."
                    .into(),
            ))
        }
    };
    let form_post = setup
        .browser_form_post
        .as_deref()
        .ok_or_else(|| {
            PunchOutError::BadRequest(
                "BrowserFormPost URL is missing: simdesk needs it to return the cart.".into(),
            )
        })
        .and_then(|url| {
            web_url(url).filter(|u| u.len() <= 2000).ok_or_else(|| {
                PunchOutError::BadRequest(format!(
                    "BrowserFormPost URL {} is not an http or https address.",
                    url.trim()
                ))
            })
        })?;
    let buyer_cookie = setup.buyer_cookie.trim();
    if buyer_cookie.chars().count() > 1000 {
        return Err(PunchOutError::BadRequest(
            "BuyerCookie is longer than 1000 characters.".into(),
        ));
    }
    let (email, name) = user_of(setup).ok_or_else(|| {
        PunchOutError::BadRequest(
            "The request names no procurement user: send an Extrinsic UserEmail or a Contact with an Email."
                .into(),
        )
    })?;

    // System scope: an e-mail address is unique across tenants, so the lookup sees them all.
    let txn = begin_write(db, DataScope::System).await?;
    let (credential, account) = (&sender.credential, sender.ordering_account()?);
    let user = procurement_user(&txn, credential, &email, name).await?;

    let mut initial = Vec::new();
    let mut edited_po = None;
    if operation != PunchoutOperation::Create {
        let contract = crate::orders::draft::orderables(&txn, tenant.id, account.id, true).await?;
        let by_part: HashMap<&str, &CatalogEntry> = contract
            .values()
            .map(|e| (e.part_number.as_str(), e))
            .collect();
        for item in &setup.items {
            let Some(entry) = by_part.get(item.item_id.supplier_part_id.trim()) else {
                continue;
            };
            let Some(quantity) = item
                .quantity
                .as_integer()
                .and_then(|q| i32::try_from(q).ok())
                .filter(|q| *q > 0)
            else {
                continue;
            };
            if edited_po.is_none() {
                edited_po = item
                    .item_id
                    .supplier_part_auxiliary_id
                    .as_deref()
                    .and_then(super::cart_of);
            }
            initial.push(CartItem {
                product_id: entry.product_id,
                quantity,
            });
        }
    }
    let token = random_token();
    let now = Utc::now();
    punchout_session::ActiveModel {
        tenant_id: Set(tenant.id),
        account_id: Set(account.id),
        credential_id: Set(credential.id),
        user_id: Set(user.id),
        token_hash: Set(sha256_hex(token.as_bytes())),
        operation: Set(operation.as_str().to_owned()),
        buyer_cookie: Set(buyer_cookie.to_owned()),
        browser_form_post_url: Set(form_post),
        purchase_order_id: Set(edited_po),
        initial_cart: Set(
            serde_json::to_string(&initial).map_err(|e| PunchOutError::Internal(e.to_string()))?
        ),
        expires_at: Set(now + Duration::minutes(START_LINK_LIFETIME_MINUTES)),
        started_at: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        protocol: Set(CXML.to_owned()),
        oci_target: Set(String::new()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let start_page = format!("{}/punchout/start/{token}", endpoint.base_url);
    Ok(Answer {
        code: 200,
        xml: response_xml(
            Status::new(200, "OK"),
            Some(ResponseKind::PunchOutSetupResponse(PunchOutSetupResponse {
                start_page,
            })),
        ),
    })
}
