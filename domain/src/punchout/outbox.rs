//! Order confirmations and ship notices for procurement systems, through a durable outbox:
//! a PO's transition writes the document in its own transaction, and [`deliver_due`] posts
//! it, retrying 5xx answers and timeouts with exponential backoff and giving up on 4xx. Every
//! attempt is recorded. The shared secret joins the document only when it is sent.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use std::collections::HashMap;

use cxml::{
    AssetInfo, Body, CarrierIdentifier, ConfirmationHeader, ConfirmationItem,
    ConfirmationOperation, ConfirmationRequest, ConfirmationStatus, ConfirmationStatusType,
    ConfirmationType, Cxml, DocumentReference, Extrinsic, Money, OrderReference, Quantity, Request,
    RequestKind, ShipControl, ShipNoticeHeader, ShipNoticeItem, ShipNoticeOperation,
    ShipNoticePortion, ShipNoticeRequest, ShipmentIdentifier,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{DeliveryStatus, PoAction, PoStatus, ProcurementMessage, Role};

use super::{deployment_mode, now, payload_id, supplier_header};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    cxml_outbox, cxml_outbox_attempt, product, punchout_credential, purchase_order,
    purchase_order_line, sim_card,
};
use crate::orders::rfc3339;
use crate::sso::secret::SecretKey;
use crate::{Actor, DomainError, DomainResult};

/// How the outbox delivers.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// Per attempt, connecting and answering together.
    pub timeout: std::time::Duration,
    /// After this many attempts a document is given up (and an error logged).
    pub max_attempts: i32,
    /// The wait after the first failure; it doubles with every further one.
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// Documents taken per pass.
    pub batch: u64,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            timeout: std::time::Duration::from_secs(30),
            max_attempts: 10,
            first_retry: Duration::seconds(30),
            max_retry: Duration::hours(1),
            batch: 50,
        }
    }
}

impl OutboxSettings {
    /// The wait before the attempt after `attempts` failed ones.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
        let wait = self.first_retry * 2i32.pow(doublings.min(30));
        wait.min(self.max_retry)
    }
}

/// SIMs are counted in pieces.
const UNIT: &str = "EA";

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

fn start_of(date: chrono::NaiveDate) -> DateTime<chrono::FixedOffset> {
    date.and_time(NaiveTime::MIN).and_utc().fixed_offset()
}

fn order_reference(po: &purchase_order::Model) -> OrderReference {
    OrderReference {
        order_id: po.external_reference.clone(),
        order_date: po.submitted_at.map(|at| at.fixed_offset()),
        document_reference: DocumentReference::new(po.buyer_payload_id.clone().unwrap_or_default()),
    }
}

fn envelope(
    po: &purchase_order::Model,
    credential: &punchout_credential::Model,
    kind: RequestKind,
) -> Cxml {
    Cxml::new(
        payload_id(),
        now(),
        Body::Request(Request {
            header: supplier_header(po.tenant_id, credential),
            deployment_mode: deployment_mode(credential),
            kind,
        }),
    )
}

/// A PO's lines with their part numbers, in line order.
async fn lines_of(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Vec<(purchase_order_line::Model, Option<String>)>> {
    let lines = purchase_order_line::Entity::find()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(purchase_order_line::Column::LineNumber)
        .all(txn)
        .await?;
    let parts: HashMap<i64, String> = product::Entity::find()
        .filter(product::Column::Id.is_in(lines.iter().map(|l| l.product_id)))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.part_number))
        .collect();
    Ok(lines
        .into_iter()
        .map(|line| {
            let part = parts.get(&line.product_id).cloned();
            (line, part)
        })
        .collect())
}

/// Every SIM of the PO as the buyer's asset records, by order line: the ICCID as serial
/// number, IMSI and MSISDN as extrinsics, so the buyer can book each SIM on arrival.
async fn assets_of(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<HashMap<i64, Vec<AssetInfo>>> {
    let sims = sim_card::Entity::find()
        .filter(sim_card::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(sim_card::Column::Iccid)
        .all(txn)
        .await?;
    let mut by_line: HashMap<i64, Vec<AssetInfo>> = HashMap::new();
    for sim in sims {
        let Some(line) = sim.purchase_order_line_id else {
            continue;
        };
        let mut extrinsics = vec![Extrinsic::new("IMSI", sim.imsi)];
        extrinsics.extend(sim.msisdn.map(|msisdn| Extrinsic::new("MSISDN", msisdn)));
        by_line.entry(line).or_default().push(AssetInfo {
            serial_number: Some(sim.iccid),
            tag_number: None,
            extrinsics,
        });
    }
    Ok(by_line)
}

fn confirmation(
    po: &purchase_order::Model,
    reference: &str,
    kind: ConfirmationType,
    comment: Option<String>,
    items: Vec<ConfirmationItem>,
) -> RequestKind {
    RequestKind::ConfirmationRequest(ConfirmationRequest {
        header: ConfirmationHeader {
            confirmation_type: kind,
            operation: ConfirmationOperation::New,
            notice_date: now(),
            confirm_id: Some(reference.to_owned()),
            total: Some(Money::new(po.total_minor, po.currency.clone())),
            comments: comment.into_iter().map(cxml::Comments::text).collect(),
            extrinsics: Vec::new(),
        },
        order_reference: order_reference(po),
        items,
    })
}

/// Line by line, what the provider confirms once every SIM is assigned: the quantity and
/// the contract price of each line.
async fn detail_confirmation(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    reference: &str,
) -> DomainResult<RequestKind> {
    let lines = lines_of(txn, po).await?;
    let sims: i64 = lines.iter().map(|(l, _)| i64::from(l.quantity)).sum();
    let items = lines
        .into_iter()
        .map(|(line, _)| {
            let quantity = Quantity::from_integer(i64::from(line.quantity));
            ConfirmationItem {
                line_number: line.line_number.max(1) as u32,
                quantity,
                unit_of_measure: UNIT.to_owned(),
                statuses: vec![ConfirmationStatus {
                    status_type: ConfirmationStatusType::Accept,
                    quantity,
                    shipment_date: None,
                    delivery_date: None,
                    unit_of_measure: UNIT.to_owned(),
                    unit_price: Some(Money::new(line.unit_price_minor, line.currency)),
                    comments: Vec::new(),
                    extrinsics: Vec::new(),
                }],
            }
        })
        .collect();
    Ok(confirmation(
        po,
        reference,
        ConfirmationType::Detail,
        Some(format!(
            "All {sims} SIMs are provisioned and ready to ship."
        )),
        items,
    ))
}

async fn ship_notice(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    reference: &str,
) -> DomainResult<RequestKind> {
    let lines = lines_of(txn, po).await?;
    let mut assets = assets_of(txn, po).await?;
    let tracked = !po.tracking_number.trim().is_empty();
    let ship_controls = if tracked {
        vec![ShipControl {
            start_date: po.shipped_on.map(start_of),
            carriers: vec![CarrierIdentifier {
                domain: "companyName".to_owned(),
                value: po.carrier.clone(),
            }],
            shipment_identifiers: vec![ShipmentIdentifier {
                domain: Some("trackingNumber".to_owned()),
                tracking_url: None,
                value: po.tracking_number.clone(),
            }],
        }]
    } else {
        Vec::new()
    };
    Ok(RequestKind::ShipNoticeRequest(ShipNoticeRequest {
        header: ShipNoticeHeader {
            shipment_id: if tracked {
                po.tracking_number.clone()
            } else {
                format!("PO {reference}")
            },
            operation: ShipNoticeOperation::New,
            notice_date: now(),
            shipment_date: po.shipped_on.map(start_of),
            delivery_date: None,
            comments: Vec::new(),
            extrinsics: Vec::new(),
        },
        ship_controls,
        portions: vec![ShipNoticePortion {
            order_reference: order_reference(po),
            comments: Vec::new(),
            extrinsics: Vec::new(),
            items: lines
                .into_iter()
                .map(|(line, part)| ShipNoticeItem {
                    line_number: line.line_number.max(1) as u32,
                    quantity: Quantity::from_integer(i64::from(line.quantity)),
                    item_id: part.map(cxml::ItemId::new),
                    unit_of_measure: UNIT.to_owned(),
                    assets: assets.remove(&line.id).unwrap_or_default(),
                    comments: Vec::new(),
                    extrinsics: Vec::new(),
                })
                .collect(),
        }],
    }))
}

/// The document a PO's step sends to its procurement system, if any.
async fn document_for(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    credential: &punchout_credential::Model,
    action: PoAction,
    reason: &str,
) -> DomainResult<Option<Cxml>> {
    let reference = po
        .po_number
        .map(|n| n.to_string())
        .unwrap_or_else(|| format!("#{}", po.id));
    let kind = match action {
        PoAction::Accept => confirmation(po, &reference, ConfirmationType::Accept, None, vec![]),
        PoAction::Reject => confirmation(
            po,
            &reference,
            ConfirmationType::Reject,
            Some(reason.trim().to_owned()).filter(|r| !r.is_empty()),
            vec![],
        ),
        // Partial provisioning is the provider's business; the buyer hears once it is complete.
        PoAction::Provision if po.status == PoStatus::Ready.as_str() => {
            detail_confirmation(txn, po, &reference).await?
        }
        PoAction::Ship => ship_notice(txn, po, &reference).await?,
        _ => return Ok(None),
    };
    Ok(Some(envelope(po, credential, kind)))
}

/// Queues what a PO's step tells its procurement system; called by every transition, in its
/// transaction, so the document exists exactly when the step happened.
pub(crate) async fn enqueue(
    txn: &DatabaseTransaction,
    before: &purchase_order::Model,
    action: PoAction,
    reason: &str,
) -> DomainResult<()> {
    // Most POs never saw a procurement system: they cost no query here.
    let (Some(credential_id), true) = (
        before.punchout_credential_id,
        matches!(
            action,
            PoAction::Accept | PoAction::Reject | PoAction::Provision | PoAction::Ship
        ),
    ) else {
        return Ok(());
    };
    // The step's own changes (the PO number, the shipment) are in the row by now.
    let Some(po) = purchase_order::Entity::find_by_id(before.id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let Some(credential) = punchout_credential::Entity::find_by_id(credential_id)
        .filter(punchout_credential::Column::TenantId.eq(po.tenant_id))
        .one(txn)
        .await?
        .filter(|c| !c.order_response_url.trim().is_empty())
    else {
        return Ok(());
    };
    let Some(document) = document_for(txn, &po, &credential, action, reason).await? else {
        return Ok(());
    };
    let payload = document
        .to_xml()
        .map_err(|e| DomainError::Internal(format!("writing a cXML document failed: {e}")))?;
    let now = Utc::now();
    cxml_outbox::ActiveModel {
        tenant_id: Set(po.tenant_id),
        account_id: Set(po.account_id),
        purchase_order_id: Set(Some(po.id)),
        credential_id: Set(credential.id),
        document_type: Set(match &document.body {
            Body::Request(r) => r.kind.element_name().to_owned(),
            _ => String::new(),
        }),
        url: Set(credential.order_response_url.clone()),
        payload: Set(payload),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(String::new()),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Reads a document simdesk wrote itself: a ship notice of a large PO lists every SIM and
/// may exceed the limits meant for untrusted input.
fn parse_own(payload: &str) -> Result<Cxml, cxml::CxmlError> {
    let own = cxml::Limits {
        max_document_bytes: usize::MAX,
        max_elements: usize::MAX,
        max_text_len: usize::MAX,
        ..cxml::Limits::default()
    };
    cxml::parse_with(payload.as_bytes(), &own).map(|parsed| parsed.document)
}

/// What a document says, for people: "Order confirmation (accept)", "Ship notice". Only a
/// confirmation (small) is read for its type; a ship notice, which lists every SIM, is not.
fn describe(item: &cxml_outbox::Model) -> String {
    match item.document_type.as_str() {
        "ShipNoticeRequest" => "Ship notice".to_owned(),
        "ConfirmationRequest" => match parse_own(&item.payload).map(|d| d.body) {
            Ok(Body::Request(Request {
                kind: RequestKind::ConfirmationRequest(c),
                ..
            })) => format!(
                "Order confirmation ({})",
                c.header.confirmation_type.as_str()
            ),
            _ => "Order confirmation".to_owned(),
        },
        other => other.to_owned(),
    }
}

/// The documents sent, or to be sent, to the procurement system that ordered `po`, oldest
/// first. For the provider's staff: the PO page shows them.
pub(crate) async fn messages_of(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Vec<ProcurementMessage>> {
    if po.punchout_credential_id.is_none() {
        return Ok(Vec::new());
    }
    let rows = cxml_outbox::Entity::find()
        .filter(cxml_outbox::Column::TenantId.eq(po.tenant_id))
        .filter(cxml_outbox::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(cxml_outbox::Column::Id)
        .all(txn)
        .await?;
    Ok(rows
        .iter()
        .map(|item| {
            let status = DeliveryStatus::parse(&item.status).unwrap_or(DeliveryStatus::Pending);
            ProcurementMessage {
                id: item.id,
                description: describe(item),
                status,
                attempts: item.attempts,
                last_error: item.last_error.clone(),
                created_at: rfc3339(item.created_at),
                status_at: rfc3339(match status {
                    DeliveryStatus::Sent => item.sent_at.unwrap_or(item.next_attempt_at),
                    _ => item.next_attempt_at,
                }),
            }
        })
        .collect())
}

/// The provider's staff send a document that was given up once more: it goes back into the
/// outbox, due now, for one further attempt.
pub async fn retry(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    message_id: i64,
) -> DomainResult<()> {
    denials(db, actor, async {
        let tenant_id = match (actor.tenant_id, actor.account_id) {
            (Some(tenant_id), None) if actor.has_any(&Role::TENANT_STAFF) => tenant_id,
            _ => return Err(DomainError::Forbidden),
        };
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let item = cxml_outbox::Entity::find_by_id(message_id)
            .filter(cxml_outbox::Column::TenantId.eq(tenant_id))
            .filter(cxml_outbox::Column::PurchaseOrderId.eq(po_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("cxml_outbox", message_id))?;
        let requeued = cxml_outbox::Entity::update_many()
            .col_expr(cxml_outbox::Column::Status, Expr::value(PENDING))
            .col_expr(cxml_outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
            .filter(cxml_outbox::Column::Id.eq(item.id))
            .filter(cxml_outbox::Column::Status.eq(FAILED))
            .exec(&txn)
            .await?;
        if requeued.rows_affected != 1 {
            return Err(DomainError::Conflict(
                "This document is not waiting for a retry: reload the page to see where it stands."
                    .into(),
            ));
        }
        AuditEvent::new("cxml.retry", "cxml_outbox")
            .target(item.id)
            .tenant(Some(tenant_id), Some(item.account_id))
            .details(json!({ "purchase_order": po_id, "document": item.document_type }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// How one attempt ended.
enum Outcome {
    Delivered,
    /// Worth another try: a 5xx, a timeout, a refused connection.
    Retry(String),
    /// Refused for good: a 4xx, or a document the other side cannot take.
    Refused(String),
}

/// Adds the shared secret for sending.
fn with_secret(payload: &str, secret: &str) -> Result<String, String> {
    let mut document = parse_own(payload).map_err(|e| e.to_string())?;
    if let Body::Request(request) = &mut document.body {
        for credential in &mut request.header.sender.credentials {
            credential.shared_secret = Some(secret.to_owned());
        }
    }
    document.to_xml().map_err(|e| e.to_string())
}

async fn attempt(
    client: &reqwest::Client,
    url: &str,
    body: String,
) -> (Outcome, Option<i32>, Option<i32>) {
    let response = match client
        .post(url)
        .header("content-type", "text/xml; charset=UTF-8")
        .body(body)
        .send()
        .await
    {
        Ok(response) => response,
        Err(e) if e.is_timeout() => return (Outcome::Retry("timed out".into()), None, None),
        Err(e) => return (Outcome::Retry(format!("not delivered: {e}")), None, None),
    };
    let http = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let cxml_status = cxml::parse(text.as_bytes())
        .ok()
        .and_then(|d| match d.body {
            Body::Response(r) => Some(r.status),
            _ => None,
        });
    let code = cxml_status.as_ref().map(|s| s.code);
    let described = |what: &str| match &cxml_status {
        Some(s) => format!("{what}: cXML {} {} {}", s.code, s.text, s.message.trim()),
        None => format!("{what}: HTTP {http}"),
    };
    let outcome = match (http, code) {
        (500..=599, _) | (_, Some(500..=599)) => Outcome::Retry(described("server error")),
        (400..=499, _) | (_, Some(400..=499)) => Outcome::Refused(described("refused")),
        (200..=299, Some(200..=299)) => Outcome::Delivered,
        (200..=299, None) => Outcome::Retry("the answer was not a cXML Response".into()),
        _ => Outcome::Retry(described("unexpected answer")),
    };
    (outcome, Some(i32::from(http)), code.map(|c| c as i32))
}

/// Delivers what is due once; returns how many documents were attempted.
pub async fn deliver_due(
    db: &DatabaseConnection,
    key: &SecretKey,
    client: &reqwest::Client,
    settings: &OutboxSettings,
) -> DomainResult<usize> {
    let now = Utc::now();
    let txn = begin(db, DataScope::System).await?;
    let due = cxml_outbox::Entity::find()
        .filter(cxml_outbox::Column::Status.eq(PENDING))
        .filter(cxml_outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(cxml_outbox::Column::NextAttemptAt)
        .limit(settings.batch)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut attempted = 0;
    for item in due {
        // Claims the document for one sender: another worker's pass skips it.
        let lease =
            now + Duration::from_std(settings.timeout * 2).unwrap_or_else(|_| Duration::minutes(1));
        let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
        let claimed = cxml_outbox::Entity::update_many()
            .col_expr(cxml_outbox::Column::NextAttemptAt, Expr::value(lease))
            .filter(cxml_outbox::Column::Id.eq(item.id))
            .filter(cxml_outbox::Column::Status.eq(PENDING))
            .filter(cxml_outbox::Column::NextAttemptAt.eq(item.next_attempt_at))
            .exec(&txn)
            .await?;
        let credential = punchout_credential::Entity::find_by_id(item.credential_id)
            .one(&txn)
            .await?;
        txn.commit().await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        attempted += 1;
        let started = std::time::Instant::now();
        let (outcome, http, code) = match credential {
            None => (
                Outcome::Refused("the credential was removed".into()),
                None,
                None,
            ),
            Some(credential) => {
                match key
                    .open(credential.account_id, &credential.secret_sealed)
                    .map_err(|e| e.to_string())
                    .and_then(|secret| with_secret(&item.payload, &secret))
                {
                    Ok(body) => attempt(client, &item.url, body).await,
                    Err(e) => (Outcome::Refused(format!("cannot prepare: {e}")), None, None),
                }
            }
        };
        record(db, settings, &item, outcome, http, code, started.elapsed()).await?;
    }
    Ok(attempted)
}

async fn record(
    db: &DatabaseConnection,
    settings: &OutboxSettings,
    item: &cxml_outbox::Model,
    outcome: Outcome,
    http: Option<i32>,
    code: Option<i32>,
    took: std::time::Duration,
) -> DomainResult<()> {
    let now = Utc::now();
    let attempts = item.attempts + 1;
    let (status, error, next) = match outcome {
        Outcome::Delivered => (SENT, String::new(), now),
        Outcome::Refused(error) => (FAILED, error, now),
        Outcome::Retry(error) if attempts >= settings.max_attempts => (
            FAILED,
            format!("{error} (gave up after {attempts} attempts)"),
            now,
        ),
        Outcome::Retry(error) => (PENDING, error, now + settings.backoff(attempts)),
    };
    if status == FAILED {
        // The alarm: a procurement system did not hear about an order.
        tracing::error!(
            outbox = item.id,
            purchase_order = item.purchase_order_id,
            document = %item.document_type,
            url = %item.url,
            %error,
            "a cXML document could not be delivered"
        );
    }
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    cxml_outbox_attempt::ActiveModel {
        tenant_id: Set(item.tenant_id),
        outbox_id: Set(item.id),
        at: Set(now),
        http_status: Set(http),
        cxml_status: Set(code),
        error: Set(error.chars().take(2000).collect()),
        duration_ms: Set(i64::try_from(took.as_millis()).unwrap_or(i64::MAX)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    cxml_outbox::ActiveModel {
        id: sea_orm::Unchanged(item.id),
        status: Set(status.to_owned()),
        attempts: Set(attempts),
        next_attempt_at: Set(next),
        last_error: Set(error.chars().take(2000).collect()),
        sent_at: Set((status == SENT).then_some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Delivers due documents every `period`, forever.
pub async fn run(
    db: DatabaseConnection,
    key: SecretKey,
    settings: OutboxSettings,
    period: std::time::Duration,
) {
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "the cXML outbox cannot start");
            return;
        }
    };
    let mut interval = tokio::time::interval(period);
    loop {
        interval.tick().await;
        if let Err(e) = deliver_due(&db, &key, &client, &settings).await {
            tracing::warn!(error = %e, "a cXML outbox pass failed");
        }
    }
}
