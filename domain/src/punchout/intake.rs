//! The cXML endpoint: parses, authenticates, dispatches, answers, and traces every document.
//! OrderRequests are idempotent per (sender, payloadID): the trace row carries the answer under a
//! unique key and is written in the same transaction as the order, so a retry or a concurrent
//! duplicate gets the stored answer and the order is taken once.

use chrono::Utc;
use cxml::{
    Body, Cxml, OrderRequest, OrderType, ProfileResponse, RequestKind, ResponseKind, Status,
    Transaction,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use simdesk_types::{PoAddress, PoStatus, Role};
use std::collections::{BTreeSet, HashMap};

use super::credentials::Sender;
use super::{
    cart_of, credentials, error_answer, response_xml, setup, sha256_hex, visit, Answer, Endpoint,
    PunchOutError,
};
use crate::actor::with_roles;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{app_user, cxml_document, punchout_credential, tenant};
use crate::orders::procurement::{self, BuyerLine, BuyerOrder, Contract};
use crate::orders::{reference_of, status_of};
use crate::{money, Actor};

/// What is traced about one document.
struct Trace<'a> {
    tenant_id: i64,
    account_id: Option<i64>,
    document_type: &'a str,
    sender: (String, String),
    payload_id: String,
    body: &'a str,
    body_sha256: &'a str,
}

impl Trace<'_> {
    fn row(&self, answer: &Answer, status_text: &str) -> cxml_document::ActiveModel {
        cxml_document::ActiveModel {
            tenant_id: Set(self.tenant_id),
            account_id: Set(self.account_id),
            direction: Set("in".to_owned()),
            document_type: Set(self.document_type.chars().take(64).collect()),
            sender_domain: Set(self.sender.0.chars().take(64).collect()),
            sender_identity: Set(self.sender.1.chars().take(255).collect()),
            payload_id: Set(self.payload_id.chars().take(255).collect()),
            idempotency_key: Set(None),
            body_sha256: Set(self.body_sha256.to_owned()),
            body: Set(self.body.to_owned()),
            status_code: Set(answer.code as i32),
            status_text: Set(status_text.chars().take(2000).collect()),
            response: Set(answer.xml.clone()),
            purchase_order_id: Set(None),
            created_at: Set(Utc::now()),
            request_id: Set(crate::request_id::current().unwrap_or_default()),
            ..Default::default()
        }
    }

    /// Stores the trace in its own transaction; a failure is logged, never shown the sender.
    async fn record(&self, db: &DatabaseConnection, answer: &Answer, status_text: &str) {
        let stored = async {
            let txn = begin_write(db, DataScope::Tenant(self.tenant_id)).await?;
            self.row(answer, status_text).insert(&txn).await?;
            txn.commit().await
        };
        if let Err(e) = stored.await {
            tracing::error!(error = %e, "tracing a cXML document failed");
        }
    }
}

/// Handles one posted cXML document for the tenant named in the address.
pub async fn handle(db: &DatabaseConnection, endpoint: &Endpoint<'_>, body: &[u8]) -> Answer {
    let parsed = cxml::parse(body);
    let request = match &parsed {
        Ok(Cxml {
            body: Body::Request(request),
            ..
        }) => Some(request),
        _ => None,
    };
    // An OrderRequest is taken in the transaction that identified its sender: one transaction
    // per order instead of two.
    let ordering = request.is_some_and(|r| matches!(r.kind, RequestKind::OrderRequest(_)));
    let txn = match if ordering {
        begin_write(db, DataScope::System).await
    } else {
        begin(db, DataScope::System).await
    } {
        Ok(txn) => txn,
        Err(e) => return error_answer(&e.into()),
    };
    let (tenant, authentication) = match identify(&txn, endpoint, request).await {
        Ok(Some(found)) => found,
        Ok(None) => return error_answer(&PunchOutError::Unauthorized),
        Err(e) => return error_answer(&e),
    };
    // Kept only for an order from a known sender; released before anything else is written.
    let order_txn = if ordering && matches!(authentication, Some(Ok(_))) {
        Some(txn)
    } else {
        if let Err(e) = txn.commit().await {
            return error_answer(&e.into());
        }
        None
    };
    let text = cxml::redact_shared_secrets(&String::from_utf8_lossy(body));
    let hash = sha256_hex(text.as_bytes());
    let mut trace = Trace {
        tenant_id: tenant.id,
        account_id: None,
        document_type: "unreadable",
        sender: (String::new(), String::new()),
        payload_id: String::new(),
        body: &text,
        body_sha256: &hash,
    };
    let document = match parsed {
        Ok(document) => document,
        Err(e) => {
            let error = PunchOutError::from(e);
            let answer = error_answer(&error);
            trace.record(db, &answer, &error.to_string()).await;
            return answer;
        }
    };
    trace.payload_id = document.payload_id.trim().to_owned();
    if let Some(from) = document.header().and_then(|h| h.from.first()) {
        trace.sender = (
            from.domain.trim().to_ascii_lowercase(),
            from.identity.trim().to_owned(),
        );
    }
    let Body::Request(request) = &document.body else {
        trace.document_type = match &document.body {
            Body::Response(_) => "Response",
            _ => "PunchOutOrderMessage",
        };
        let error = PunchOutError::NotAcceptable(
            "simdesk takes ProfileRequest, PunchOutSetupRequest and OrderRequest documents here."
                .into(),
        );
        let answer = error_answer(&error);
        trace.record(db, &answer, &error.to_string()).await;
        return answer;
    };
    trace.document_type = request.kind.element_name();
    let Some(authentication) = authentication else {
        let error = PunchOutError::Internal("a request was not authenticated".into());
        return error_answer(&error);
    };
    let sender = match authentication {
        Ok(sender) => sender,
        Err(error) => {
            if let PunchOutError::Internal(detail) = &error {
                tracing::error!(error = %detail, "cXML authentication failed on the server side");
            }
            let answer = error_answer(&error);
            trace.record(db, &answer, &error.to_string()).await;
            return answer;
        }
    };
    trace.account_id = Some(sender.credential.account_id);
    let result = match &request.kind {
        RequestKind::ProfileRequest(_) => Ok(profile(endpoint)),
        RequestKind::PunchOutSetupRequest(setup) => {
            setup::setup(db, endpoint, &tenant, &sender, setup).await
        }
        RequestKind::OrderRequest(order) => {
            return order_request(db, order_txn, &tenant, &sender, &document, order, &trace).await;
        }
        other => Err(PunchOutError::NotAcceptable(format!(
            "simdesk does not take {} documents; it sends them.",
            other.element_name()
        ))),
    };
    let (answer, text) = match result {
        Ok(answer) => (answer, "OK".to_owned()),
        Err(error) => {
            if let PunchOutError::Internal(detail) = &error {
                tracing::error!(error = %detail, "a cXML request failed");
            }
            (error_answer(&error), error.to_string())
        }
    };
    trace.record(db, &answer, &text).await;
    answer
}

/// The tenant the address names and, for a request, the credential its header presents, read
/// in `txn` (begun for the system scope, left in the tenant's), since every document needs them
/// first. `None` when no tenant has that address.
async fn identify(
    txn: &DatabaseTransaction,
    endpoint: &Endpoint<'_>,
    request: Option<&cxml::Request>,
) -> Result<Option<(tenant::Model, Option<Authentication>)>, PunchOutError> {
    let Some(tenant) = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(endpoint.tenant_slug.trim()))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let mut authentication = None;
    if let Some(request) = request {
        crate::db::enter_tenant(txn, tenant.id).await?;
        authentication = Some(
            credentials::authenticate(
                txn,
                endpoint.key,
                tenant.id,
                &request.header,
                request.deployment_mode,
            )
            .await,
        );
    }
    Ok(Some((tenant, authentication)))
}

/// Whether a request's credential is one of the tenant's, enabled, with the secret presented.
type Authentication = Result<Sender, PunchOutError>;

/// The transactions simdesk supports, all at the tenant's one address.
fn profile(endpoint: &Endpoint<'_>) -> Answer {
    let url = endpoint.url();
    let transactions = ["ProfileRequest", "PunchOutSetupRequest", "OrderRequest"]
        .into_iter()
        .map(|name| Transaction {
            request_name: name.to_owned(),
            url: url.clone(),
            options: Vec::new(),
        })
        .collect();
    let kind = ResponseKind::ProfileResponse(ProfileResponse {
        effective_date: super::now(),
        last_refresh: None,
        options: Vec::new(),
        transactions,
    });
    Answer {
        code: 200,
        xml: response_xml(Status::new(200, "OK"), Some(kind)),
    }
}

// ---------------------------------------------------------------------------------------------
// OrderRequest

enum Attempt {
    Done(Answer),
    /// A concurrent duplicate committed first; read its answer.
    Raced,
}

/// `txn`: the transaction that identified the sender, in the tenant's scope, for the first
/// attempt.
async fn order_request(
    db: &DatabaseConnection,
    txn: Option<DatabaseTransaction>,
    tenant: &tenant::Model,
    sender: &Sender,
    document: &Cxml,
    order: &OrderRequest,
    trace: &Trace<'_>,
) -> Answer {
    let credential = &sender.credential;
    let key = format!(
        "{}|{}|{}",
        credential.domain, credential.identity, trace.payload_id
    );
    let mut txn = txn;
    for _ in 0..3 {
        match order_attempt(db, txn.take(), tenant, sender, document, order, trace, &key).await {
            Ok(Attempt::Done(answer)) => return answer,
            Ok(Attempt::Raced) => continue,
            Err(error) => {
                tracing::error!(error = %error, "an OrderRequest failed");
                let answer = error_answer(&error);
                trace.record(db, &answer, &error.to_string()).await;
                return answer;
            }
        }
    }
    let error = PunchOutError::Internal("the idempotency claim kept racing".into());
    error_answer(&error)
}

#[allow(clippy::too_many_arguments)]
async fn order_attempt(
    db: &DatabaseConnection,
    txn: Option<DatabaseTransaction>,
    tenant: &tenant::Model,
    sender: &Sender,
    document: &Cxml,
    order: &OrderRequest,
    trace: &Trace<'_>,
    key: &str,
) -> Result<Attempt, PunchOutError> {
    let txn = match txn {
        Some(txn) => txn,
        None => begin_write(db, DataScope::Tenant(tenant.id)).await?,
    };
    let earlier = cxml_document::Entity::find()
        .filter(cxml_document::Column::TenantId.eq(tenant.id))
        .filter(cxml_document::Column::IdempotencyKey.eq(key))
        .one(&txn)
        .await?;
    if let Some(earlier) = earlier {
        txn.commit().await?;
        if earlier.body_sha256 == trace.body_sha256 {
            return Ok(Attempt::Done(Answer {
                code: earlier.status_code as u32,
                xml: earlier.response,
            }));
        }
        let error = PunchOutError::Conflict(format!(
            "payloadID {} was already used for a different document; give every new document a new payloadID.",
            trace.payload_id
        ));
        let answer = error_answer(&error);
        trace.record(db, &answer, &error.to_string()).await;
        return Ok(Attempt::Done(answer));
    }
    let outcome = process_order(&txn, tenant, sender, document, order).await;
    let (answer, text, po_id, txn) = match outcome {
        Ok((po_id, status, reference)) => {
            let message = format!(
                "Purchase order {reference} is {}.",
                status.label().to_lowercase()
            );
            let mut status = Status::new(200, "OK");
            status.message = message.clone();
            let answer = Answer {
                code: 200,
                xml: response_xml(status, None),
            };
            (answer, message, Some(po_id), txn)
        }
        Err(PunchOutError::Internal(detail)) => {
            // A fault of ours is not remembered: the sender's retry must get another chance.
            drop(txn);
            return Err(PunchOutError::Internal(detail));
        }
        Err(error) => {
            // The order is not taken; the answer is remembered for the payloadID all the same.
            txn.rollback().await?;
            let txn = begin_write(db, DataScope::Tenant(tenant.id)).await?;
            (error_answer(&error), error.to_string(), None, txn)
        }
    };
    // The answer is stored under the idempotency key in the order's own transaction, last: a
    // concurrent duplicate that got this far first holds the key, so this insert waits for it
    // and fails, everything here rolls back, and the next attempt reads the stored answer.
    let mut row = trace.row(&answer, &text);
    row.idempotency_key = Set(Some(key.to_owned()));
    row.purchase_order_id = Set(po_id);
    match row.insert(&txn).await {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => return Ok(Attempt::Raced),
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    Ok(Attempt::Done(answer))
}

/// The user the order is recorded for: the named procurement user of the account, else who
/// returned the cart, else the admin who set up the credential.
async fn requester(
    txn: &DatabaseTransaction,
    credential: &punchout_credential::Model,
    order: &OrderRequest,
    cart_creator: Option<i64>,
) -> Result<Actor, PunchOutError> {
    let named = order
        .header
        .contacts
        .iter()
        .flat_map(|c| c.emails.iter())
        .chain(
            order
                .header
                .extrinsics
                .iter()
                .filter(|e| visit::is_user_email_extrinsic(&e.name))
                .map(|e| &e.value),
        )
        .map(|email| crate::email::normalize_email(email))
        .collect::<Vec<_>>();
    // One query for the named users and the fallback; a named user of the account wins.
    let fallback = cart_creator.unwrap_or(credential.created_by);
    let is_named = |user: &app_user::Model| {
        named.contains(&user.email) && user.account_id == Some(credential.account_id) && user.active
    };
    let mut candidates = with_roles(
        txn,
        app_user::Entity::find().filter(
            Condition::any().add(app_user::Column::Id.eq(fallback)).add(
                Condition::all()
                    .add(app_user::Column::Email.is_in(named.clone()))
                    .add(app_user::Column::AccountId.eq(credential.account_id))
                    .add(app_user::Column::Active.eq(true)),
            ),
        ),
    )
    .await?;
    let chosen = candidates
        .iter()
        .position(|(user, _)| is_named(user))
        .or_else(|| candidates.iter().position(|(user, _)| user.id == fallback))
        .ok_or_else(|| PunchOutError::Internal("the credential's creator is gone".into()))?;
    let (user, mut roles) = candidates.swap_remove(chosen);
    if user.account_id == Some(credential.account_id) && roles.is_empty() {
        roles.push(Role::Purchaser);
    }
    Ok(Actor {
        language: crate::actor::language_of(&user),
        user_id: user.id,
        tenant_id: user.tenant_id,
        account_id: user.account_id,
        email: user.email,
        display_name: user.display_name,
        roles,
        must_change_password: false,
        must_enrol_second_factor: false,
    })
}

fn ship_to_address(order: &OrderRequest) -> Option<PoAddress> {
    let address = &order.header.ship_to.as_ref()?.address;
    let postal = address.postal_address.as_ref()?;
    let recipient = postal
        .deliver_to
        .first()
        .cloned()
        .unwrap_or_else(|| address.name.value.clone());
    let clip = |text: &str, max: usize| text.trim().chars().take(max).collect::<String>();
    Some(PoAddress {
        recipient: clip(&recipient, 200),
        street: clip(&postal.streets.join(", "), 200),
        postal_code: clip(postal.postal_code.as_deref().unwrap_or_default(), 32),
        city: clip(&postal.city, 100),
        country: clip(&postal.country_code, 2).to_ascii_uppercase(),
    })
}

/// The order's lines mapped to the account's contract, the carts they name, and the contract,
/// which the plausibility checks use again; every mismatch is named by line.
async fn order_lines(
    txn: &DatabaseTransaction,
    credential: &punchout_credential::Model,
    order: &OrderRequest,
) -> Result<(Vec<BuyerLine>, BTreeSet<i64>, Contract), PunchOutError> {
    if order.items.is_empty() {
        return Err(PunchOutError::BadRequest(
            "The order has no ItemOut lines.".into(),
        ));
    }
    let contract =
        crate::orders::draft::orderables(txn, credential.tenant_id, credential.account_id, true)
            .await?;
    let by_part: HashMap<&str, _> = contract
        .values()
        .map(|entry| (entry.part_number.as_str(), entry))
        .collect();
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let mut carts = BTreeSet::new();
    for (index, item) in order.items.iter().enumerate() {
        let number = item.line_number.map_or(index + 1, |n| n as usize);
        let part = item.item_id.supplier_part_id.trim();
        let Some(entry) = by_part.get(part) else {
            problems.push(format!(
                "Line {number}: SupplierPartID {part} is not a product of this account's contract."
            ));
            continue;
        };
        let quantity = item
            .quantity
            .as_integer()
            .filter(|q| (1..=1_000_000).contains(q))
            .and_then(|q| i32::try_from(q).ok());
        let Some(quantity) = quantity else {
            problems.push(format!(
                "Line {number}: the quantity must be a whole number from 1 to 1000000."
            ));
            continue;
        };
        let price = match &item.item_detail {
            Some(detail) => {
                let currency = detail.unit_price.currency.trim().to_ascii_uppercase();
                if currency != entry.price.currency {
                    problems.push(format!(
                        "Line {number}: the price is in {currency}, the contract in {}.",
                        entry.price.currency
                    ));
                    continue;
                }
                money::price(detail.unit_price.minor_units, &currency)
            }
            None => entry.price.clone(),
        };
        if let Some(cart) = item
            .item_id
            .supplier_part_auxiliary_id
            .as_deref()
            .and_then(cart_of)
        {
            carts.insert(cart);
        }
        lines.push(BuyerLine {
            product_id: entry.product_id,
            quantity,
            price,
        });
    }
    if !problems.is_empty() {
        return Err(PunchOutError::BadRequest(problems.join(" ")));
    }
    if carts.len() > 1 {
        return Err(PunchOutError::BadRequest(
            "The lines come from different PunchOut carts; order each cart separately.".into(),
        ));
    }
    Ok((lines, carts, contract))
}

/// Records the order on its PO; returns the PO, its new status and its reference.
async fn process_order(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    sender: &Sender,
    document: &Cxml,
    order: &OrderRequest,
) -> Result<(i64, PoStatus, String), PunchOutError> {
    let (credential, account) = (&sender.credential, sender.ordering_account()?);
    let header = &order.header;
    let order_id = header.order_id.trim().to_owned();
    if order_id.is_empty() || order_id.chars().count() > 100 {
        return Err(PunchOutError::BadRequest(
            "OrderRequestHeader orderID must be 1 to 100 characters.".into(),
        ));
    }
    match header.order_type {
        OrderType::New => {
            let (lines, carts, contract) = order_lines(txn, credential, order).await?;
            let cart_po_id = carts.into_iter().next();
            let cart_creator = match cart_po_id {
                Some(id) => procurement::account_po(txn, tenant.id, account.id, id)
                    .await?
                    .map(|po| po.created_by),
                None => None,
            };
            let actor = requester(txn, credential, order, cart_creator).await?;
            let buyer_order = BuyerOrder {
                cart_po_id,
                lines,
                address: ship_to_address(order),
                order_id,
                payload_id: document.payload_id.trim().to_owned(),
                credential_id: credential.id,
                comment: comments_of(order),
                auto_accept: tenant.punchout_auto_accept,
            };
            let po = procurement::receive_order(
                txn,
                &actor,
                tenant.id,
                account.id,
                &buyer_order,
                &contract,
            )
            .await?;
            Ok((po.id, status_of(&po)?, reference_of(&po)))
        }
        OrderType::Update | OrderType::Delete => {
            let earlier = header
                .document_reference
                .as_ref()
                .map(|d| d.payload_id.trim());
            let po = procurement::find_buyer_po(txn, tenant.id, account.id, earlier, &order_id)
                .await?
                .ok_or_else(|| {
                    PunchOutError::BadRequest(format!(
                        "No earlier order {order_id} of this account is known; send it as type=\"new\"."
                    ))
                })?;
            let actor = requester(txn, credential, order, Some(po.created_by)).await?;
            let po = if header.order_type == OrderType::Delete {
                procurement::cancel_order(txn, &actor, &po, &order_id).await?
            } else {
                let (lines, _, contract) = order_lines(txn, credential, order).await?;
                let buyer_order = BuyerOrder {
                    cart_po_id: Some(po.id),
                    lines,
                    address: ship_to_address(order),
                    order_id,
                    payload_id: document.payload_id.trim().to_owned(),
                    credential_id: credential.id,
                    comment: comments_of(order),
                    auto_accept: tenant.punchout_auto_accept,
                };
                procurement::revise_order(txn, &actor, &po, &buyer_order, &contract).await?
            };
            Ok((po.id, status_of(&po)?, reference_of(&po)))
        }
    }
}

fn comments_of(order: &OrderRequest) -> String {
    order
        .header
        .comments
        .iter()
        .map(|c| c.text.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
        .take(2000)
        .collect()
}
