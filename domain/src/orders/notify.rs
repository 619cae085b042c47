//! Who hears about a step, and what they read: one queued e-mail per recipient, written from a
//! snapshot of the PO as the step left it.

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use simdesk_types::{PoStatus, Role};

use super::workflow::Audience;
use crate::entity::{
    account, app_user, inbound_email, membership, product, purchase_order, purchase_order_line,
    sim_card, tenant,
};
use crate::mail::{self, MailContext, NewMail, PoMail, PoMailLine};
use crate::money;
use crate::DomainResult;

/// Queues one e-mail per recipient of the step that brought `po` to `to`, with `reason` (a
/// rejection's, a cancellation's) in it. `po` is the PO as the step wrote it, so the e-mail has
/// its PO number, carrier and tracking number.
pub(super) async fn notify(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    audience: Audience,
    to: PoStatus,
    reason: &str,
) -> DomainResult<()> {
    let event = format!("po.{}", to.as_str());
    let mut recipients = recipients(txn, po, audience).await?;
    let ids: Vec<i64> = recipients.iter().map(|u| u.id).collect();
    let opted_out = mail::preferences::opted_out(txn, &ids, &event).await?;
    recipients.retain(|u| !opted_out.contains(&u.id));
    // Whoever e-mailed the order hears what the buyer hears, user of the account or not.
    let sender = match audience {
        Audience::Buyer => email_sender(txn, po)
            .await?
            .filter(|(address, _)| !recipients.iter().any(|u| &u.email == address)),
        _ => None,
    };
    if recipients.is_empty() && sender.is_none() {
        return Ok(());
    }
    let snapshot = snapshot(txn, po, audience, to, reason).await?;
    let subject = format!(
        "Purchase order {}: {}",
        reference_of(po),
        to.label().to_lowercase()
    );
    let mut addressed: Vec<(Option<i64>, &str, &str)> = recipients
        .iter()
        .map(|u| (Some(u.id), u.email.as_str(), u.display_name.as_str()))
        .collect();
    if let Some((address, name)) = &sender {
        addressed.push((None, address, name));
    }
    let mails = addressed
        .into_iter()
        .map(|(user_id, email, name)| NewMail {
            tenant_id: po.tenant_id,
            account_id: Some(po.account_id),
            purchase_order_id: Some(po.id),
            event: &event,
            recipient_user_id: user_id,
            recipient_email: email,
            subject: &subject,
            context: MailContext::PurchaseOrder(Box::new(PoMail {
                recipient_name: name.to_owned(),
                ..snapshot.clone()
            })),
        })
        .collect();
    mail::enqueue_all(txn, mails).await
}

/// The address (and name) answers to an order e-mail go to, for a PO made of one; none for
/// other POs and for machine mail.
async fn email_sender(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Option<(String, String)>> {
    if po.source != "email" {
        return Ok(None);
    }
    Ok(inbound_email::Entity::find()
        .filter(inbound_email::Column::TenantId.eq(po.tenant_id))
        .filter(inbound_email::Column::PurchaseOrderId.eq(po.id))
        .one(txn)
        .await?
        .filter(|m| !m.answer_to.is_empty())
        .map(|m| {
            let name = if m.sender_name.is_empty() {
                m.answer_to.clone()
            } else {
                m.sender_name
            };
            (m.answer_to, name)
        }))
}

/// The active users `audience` names for `po`, each read with its membership.
async fn recipients(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    audience: Audience,
) -> DomainResult<Vec<app_user::Model>> {
    let members = |roles: &[Role], account: Option<i64>| {
        let mut query = membership::Entity::find()
            .find_also_related(app_user::Entity)
            .filter(membership::Column::TenantId.eq(po.tenant_id))
            .filter(membership::Column::Role.is_in(roles.iter().map(|r| r.as_str())));
        query = match account {
            Some(account_id) => query.filter(membership::Column::AccountId.eq(account_id)),
            None => query.filter(membership::Column::AccountId.is_null()),
        };
        query
    };
    let with_role = |rows: &[(membership::Model, Option<app_user::Model>)], role: Role| {
        rows.iter()
            .filter(|(m, _)| m.role == role.as_str())
            .filter_map(|(_, user)| user.clone())
            .collect::<Vec<_>>()
    };
    let mut users: Vec<app_user::Model> = match audience {
        Audience::Provider => {
            // The agents; the tenant admins when the tenant has no agent.
            let staff = members(&[Role::SpAgent, Role::TenantAdmin], None)
                .all(txn)
                .await?;
            let any_agent = staff.iter().any(|(m, _)| m.role == Role::SpAgent.as_str());
            with_role(
                &staff,
                if any_agent {
                    Role::SpAgent
                } else {
                    Role::TenantAdmin
                },
            )
        }
        Audience::Approvers => members(&[Role::Approver], Some(po.account_id))
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|(_, user)| user)
            .filter(|user| user.id != po.created_by)
            .collect(),
        Audience::Buyer => {
            let creator = app_user::Entity::find_by_id(po.created_by)
                .one(txn)
                .await?
                .filter(|u| u.account_id == Some(po.account_id));
            match creator {
                Some(creator) => vec![creator],
                None => members(&[Role::AccountAdmin], Some(po.account_id))
                    .all(txn)
                    .await?
                    .into_iter()
                    .filter_map(|(_, user)| user)
                    .collect(),
            }
        }
    };
    users.retain(|u| u.active);
    users.sort_unstable_by_key(|u| u.id);
    users.dedup_by_key(|u| u.id);
    Ok(users)
}

/// What every recipient's e-mail says about `po`, but for their name.
async fn snapshot(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    audience: Audience,
    to: PoStatus,
    reason: &str,
) -> DomainResult<PoMail> {
    let (account_name, tenant_name) = account::Entity::find_by_id(po.account_id)
        .find_also_related(tenant::Entity)
        .one(txn)
        .await?
        .map(|(a, t)| (a.name, t.map(|t| t.name).unwrap_or_default()))
        .unwrap_or_default();
    let lines = purchase_order_line::Entity::find()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
        .find_also_related(product::Entity)
        .order_by_asc(purchase_order_line::Column::LineNumber)
        .all(txn)
        .await?;
    let amount = |minor: i64, currency: &str| money::price(minor, currency).display;
    let sim_count = if matches!(to, PoStatus::Ready | PoStatus::Shipped) {
        use sea_orm::PaginatorTrait;
        sim_card::Entity::find()
            .filter(sim_card::Column::PurchaseOrderId.eq(po.id))
            .count(txn)
            .await?
    } else {
        0
    };
    let reference = reference_of(po);
    let reason = if po.rejection_reason.is_empty() || to != PoStatus::Rejected {
        reason.trim().to_owned()
    } else {
        po.rejection_reason.clone()
    };
    let (headline, intro) = wording(to, audience, &reference, &account_name, &tenant_name);
    Ok(PoMail {
        recipient_name: String::new(),
        headline,
        intro,
        po_id: po.id,
        reference,
        account_name,
        status: to.label().to_owned(),
        lines: lines
            .iter()
            .map(|(line, product)| PoMailLine {
                product: product.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                quantity: line.quantity,
                unit_price: amount(line.unit_price_minor, &line.currency),
                line_total: amount(
                    line.unit_price_minor
                        .saturating_mul(i64::from(line.quantity)),
                    &line.currency,
                ),
            })
            .collect(),
        total: amount(po.total_minor, &po.currency),
        reason,
        carrier: po.carrier.clone(),
        tracking_number: po.tracking_number.clone(),
        sim_count,
        external_reference: po.external_reference.clone().unwrap_or_default(),
    })
}

/// The headline and first sentence of the e-mail about a step to `to`, for `audience`.
fn wording(
    to: PoStatus,
    audience: Audience,
    reference: &str,
    account: &str,
    provider: &str,
) -> (String, String) {
    use Audience::{Approvers, Buyer, Provider};
    let (headline, intro) = match (to, audience) {
        (PoStatus::AwaitingApproval, Approvers) => (
            "A purchase order needs your approval",
            format!("Purchase order {reference} of {account} is above its purchaser's spending limit. Approve or decline it in the portal."),
        ),
        (PoStatus::Submitted, Provider) => (
            "A purchase order waits for your review",
            format!("{account} submitted purchase order {reference}. Review it, then accept or reject it."),
        ),
        (PoStatus::Draft, Buyer) => (
            "Your purchase order was declined",
            format!("An approver of {account} declined purchase order {reference}. It is a draft again: change it and submit it once more."),
        ),
        (PoStatus::Draft, _) => (
            "A purchase order was taken back",
            format!("Purchase order {reference} of {account} is a draft again and may be changed before it is submitted once more."),
        ),
        (PoStatus::Accepted, _) => (
            "Your purchase order was accepted",
            format!("{provider} accepted your order as purchase order {reference}. The SIMs are being prepared."),
        ),
        (PoStatus::Rejected, _) => (
            "Your purchase order was rejected",
            format!("{provider} rejected purchase order {reference}. You can reopen it, change it and submit it again."),
        ),
        (PoStatus::Ready, _) => (
            "Your SIMs are ready",
            format!("Every SIM of purchase order {reference} is assigned; {provider} ships them next."),
        ),
        (PoStatus::Shipped, _) => (
            "Your SIMs are on their way",
            format!("{provider} shipped purchase order {reference}. Close it in the portal once everything arrived."),
        ),
        (PoStatus::Closed, _) => (
            "A purchase order was closed",
            format!("{account} confirmed that everything of purchase order {reference} arrived."),
        ),
        (PoStatus::Cancelled, _) => (
            "A purchase order was cancelled",
            format!("Purchase order {reference} of {account} was cancelled."),
        ),
        (status, _) => (
            "A purchase order changed",
            format!("Purchase order {reference} of {account} is now {}.", status.label().to_lowercase()),
        ),
    };
    (headline.to_owned(), intro)
}

/// How e-mails, the trace and cXML documents name a PO (see `PoReference`).
pub(crate) fn reference_of(po: &purchase_order::Model) -> String {
    simdesk_types::PoReference::of(po.po_number, po.id).to_string()
}
