//! The cXML documents simdesk sends a PO's procurement system (order confirmations, ship
//! notices), built from the PO as a step left it, and read back when they are sent.

use chrono::{DateTime, NaiveTime};
use std::collections::HashMap;

use cxml::{
    AssetInfo, Body, CarrierIdentifier, ConfirmationHeader, ConfirmationItem,
    ConfirmationOperation, ConfirmationRequest, ConfirmationStatus, ConfirmationStatusType,
    ConfirmationType, Cxml, DocumentReference, Extrinsic, Money, OrderReference, Quantity, Request,
    RequestKind, ShipControl, ShipNoticeHeader, ShipNoticeItem, ShipNoticeOperation,
    ShipNoticePortion, ShipNoticeRequest, ShipmentIdentifier,
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{product, punchout_credential, purchase_order, purchase_order_line, sim_card};
use crate::orders::workflow::BuyerDocument;
use crate::punchout::{deployment_mode, now, payload_id, supplier_header};
use crate::DomainResult;

/// SIMs are counted in pieces.
const UNIT: &str = "EA";

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
                reference.to_owned()
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

/// The cXML document for `document`, about `po` as the step left it.
pub(super) async fn document_for(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    credential: &punchout_credential::Model,
    document: BuyerDocument,
    reason: &str,
) -> DomainResult<Cxml> {
    let reference = crate::orders::reference_of(po);
    let kind = match document {
        BuyerDocument::Acceptance => {
            confirmation(po, &reference, ConfirmationType::Accept, None, vec![])
        }
        BuyerDocument::Rejection => confirmation(
            po,
            &reference,
            ConfirmationType::Reject,
            Some(reason.trim().to_owned()).filter(|r| !r.is_empty()),
            vec![],
        ),
        BuyerDocument::Provisioned => detail_confirmation(txn, po, &reference).await?,
        BuyerDocument::ShipNotice => ship_notice(txn, po, &reference).await?,
    };
    Ok(envelope(po, credential, kind))
}

/// Reads a document simdesk wrote itself: a ship notice of a large PO lists every SIM and
/// may exceed the limits meant for untrusted input.
pub(super) fn parse_own(payload: &str) -> Result<Cxml, cxml::CxmlError> {
    let own = cxml::Limits {
        max_document_bytes: usize::MAX,
        max_elements: usize::MAX,
        max_text_len: usize::MAX,
        ..cxml::Limits::default()
    };
    cxml::parse_with(payload.as_bytes(), &own).map(|parsed| parsed.document)
}

/// Adds the shared secret for sending.
pub(super) fn with_secret(payload: &str, secret: &str) -> Result<String, String> {
    let mut document = parse_own(payload).map_err(|e| e.to_string())?;
    if let Body::Request(request) = &mut document.body {
        for credential in &mut request.header.sender.credentials {
            credential.shared_secret = Some(secret.to_owned());
        }
    }
    document.to_xml().map_err(|e| e.to_string())
}
