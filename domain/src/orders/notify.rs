//! Who hears about a step, and what they read: one queued e-mail per recipient, written from a
//! snapshot of the PO as the step left it.

use sea_orm::sea_query::{Alias, Expr, InsertStatement, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter,
};
use simdesk_types::{Locale, PoStatus, Regional, Role, ZoneRules};

use super::workflow::Audience;
use crate::entity::{
    account, app_user, inbound_email, membership, product, purchase_order, purchase_order_line,
    sim_card, tenant,
};
use crate::mail::{self, MailContext, NewMail, PoMail, PoMailLine};
use crate::money;
use crate::DomainResult;

/// The statement that queues one e-mail per recipient of the step that brought `po` to `to`,
/// with `reason` (a rejection's, a cancellation's) in it; none without recipients. `po` is the
/// PO as the step wrote it, so the e-mail has its PO number, carrier and tracking number. The
/// caller writes it with the step's other rows.
pub(super) async fn notifications(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    audience: Audience,
    to: PoStatus,
    reason: &str,
) -> DomainResult<Option<InsertStatement>> {
    let event = format!("po.{}", to.as_str());
    let recipients = recipients(txn, po, audience, &event).await?;
    // Whoever e-mailed the order hears what the buyer hears, user of the account or not.
    let sender = match audience {
        Audience::Buyer => email_sender(txn, po)
            .await?
            .filter(|(address, _)| !recipients.iter().any(|u| &u.email == address)),
        _ => None,
    };
    if recipients.is_empty() && sender.is_none() {
        return Ok(None);
    }
    // Each user reads it in their language; whoever e-mailed the order, in English.
    let mut addressed: Vec<(Option<i64>, &str, &str, Locale)> = recipients
        .iter()
        .map(|u| {
            let language = crate::actor::language_of(u);
            (
                Some(u.id),
                u.email.as_str(),
                u.display_name.as_str(),
                language,
            )
        })
        .collect();
    if let Some((address, name)) = &sender {
        addressed.push((None, address, name, Locale::English));
    }
    let facts = StepFacts::read(txn, po, to, reason).await?;
    let snapshots: Vec<(Locale, PoMail, String)> = Locale::ALL
        .into_iter()
        .filter(|language| addressed.iter().any(|(.., l)| l == language))
        .map(|language| {
            let snapshot = facts.snapshot(po, audience, to, language);
            (language, snapshot, subject_of(po, to, language))
        })
        .collect();
    let mails = addressed
        .into_iter()
        .filter_map(|(user_id, email, name, language)| {
            let (_, snapshot, subject) = snapshots.iter().find(|(l, ..)| *l == language)?;
            Some((user_id, email, name, snapshot, subject))
        })
        .map(|(user_id, email, name, snapshot, subject)| NewMail {
            tenant_id: po.tenant_id,
            account_id: Some(po.account_id),
            purchase_order_id: Some(po.id),
            event: &event,
            recipient_user_id: user_id,
            recipient_email: email,
            subject: subject.as_str(),
            context: MailContext::PurchaseOrder(Box::new(PoMail {
                recipient_name: name.to_owned(),
                ..snapshot.clone()
            })),
        })
        .collect();
    mail::queue_rows(mails)
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

/// The active users `audience` names for `po` who did not opt out of `event`, each read with
/// its membership.
async fn recipients(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    audience: Audience,
    event: &str,
) -> DomainResult<Vec<app_user::Model>> {
    let members = |roles: &[Role], account: Option<i64>| {
        let mut query = membership::Entity::find()
            .find_also_related(app_user::Entity)
            .filter(mail::preferences::not_opted_out(event))
            .filter(membership::Column::TenantId.eq(po.tenant_id))
            .filter(membership::Column::Role.is_in(roles.iter().map(|r| r.as_str())));
        query = match account {
            Some(account_id) => query.filter(membership::Column::AccountId.eq(account_id)),
            None => query.filter(membership::Column::AccountId.is_null()),
        };
        query
    };
    let users_of = |rows: Vec<(membership::Model, Option<app_user::Model>)>| {
        rows.into_iter()
            .filter_map(|(_, user)| user)
            .collect::<Vec<_>>()
    };
    let mut users: Vec<app_user::Model> = match audience {
        Audience::Provider => {
            // The agents; the tenant admins when the tenant has no agent (whether or not the
            // agents want this e-mail), decided in the same query.
            let agents = Query::select()
                .expr(Expr::val(1))
                .from(membership::Entity)
                .and_where(membership::Column::TenantId.eq(po.tenant_id))
                .and_where(membership::Column::AccountId.is_null())
                .and_where(membership::Column::Role.eq(Role::SpAgent.as_str()))
                .to_owned();
            let role = Expr::case(Expr::exists(agents), Role::SpAgent.as_str())
                .finally(Role::TenantAdmin.as_str());
            users_of(
                members(&[Role::SpAgent, Role::TenantAdmin], None)
                    .filter(Expr::col((membership::Entity, membership::Column::Role)).eq(role))
                    .all(txn)
                    .await?,
            )
        }
        Audience::Approvers => users_of(
            members(&[Role::Approver], Some(po.account_id))
                .all(txn)
                .await?,
        )
        .into_iter()
        .filter(|user| user.id != po.created_by)
        .collect(),
        Audience::Buyer => {
            // Who raised the PO; the account's admins when that was nobody of the account.
            let creator_of_account = || {
                app_user::Entity::find_by_id(po.created_by)
                    .filter(app_user::Column::AccountId.eq(po.account_id))
            };
            match creator_of_account()
                .filter(mail::preferences::not_opted_out(event))
                .one(txn)
                .await?
            {
                Some(creator) => vec![creator],
                // Only asked when the creator does not want this e-mail or is not the account's.
                None if creator_of_account().one(txn).await?.is_some() => Vec::new(),
                None => users_of(
                    members(&[Role::AccountAdmin], Some(po.account_id))
                        .all(txn)
                        .await?,
                ),
            }
        }
    };
    users.retain(|u| u.active);
    users.sort_unstable_by_key(|u| u.id);
    users.dedup_by_key(|u| u.id);
    Ok(users)
}

/// The subject of the e-mail about the step that brought `po` to `to`.
fn subject_of(po: &purchase_order::Model, to: PoStatus, language: Locale) -> String {
    let reference = reference_of(po);
    match language {
        Locale::English => format!("Purchase order {reference}: {}", to.label().to_lowercase()),
        Locale::German => format!("Bestellung {reference}: {}", to.label_in(language)),
    }
}

/// What the e-mails about a step say in every language, read once for all its readers.
struct StepFacts {
    account_name: String,
    tenant_name: String,
    lines: Vec<SnapshotRow>,
    /// SIMs assigned, counted once the PO is ready.
    sim_count: u64,
    reason: String,
    reference: String,
}

impl StepFacts {
    async fn read(
        txn: &DatabaseTransaction,
        po: &purchase_order::Model,
        to: PoStatus,
        reason: &str,
    ) -> DomainResult<Self> {
        let rows = snapshot_rows(txn, po).await?;
        let (account_name, tenant_name) = rows
            .first()
            .map(|r| (r.account_name.clone(), r.tenant_name.clone()))
            .unwrap_or_default();
        let sim_count = if matches!(to, PoStatus::Ready | PoStatus::Shipped) {
            use sea_orm::PaginatorTrait;
            sim_card::Entity::find()
                .filter(sim_card::Column::PurchaseOrderId.eq(po.id))
                .count(txn)
                .await?
        } else {
            0
        };
        let reason = if po.rejection_reason.is_empty() || to != PoStatus::Rejected {
            reason.trim().to_owned()
        } else {
            po.rejection_reason.clone()
        };
        Ok(StepFacts {
            account_name,
            tenant_name,
            lines: rows,
            sim_count,
            reason,
            reference: reference_of(po),
        })
    }

    /// What every recipient's e-mail in `language` says about `po`, but for their name.
    fn snapshot(
        &self,
        po: &purchase_order::Model,
        audience: Audience,
        to: PoStatus,
        language: Locale,
    ) -> PoMail {
        let format = Regional {
            locale: language,
            zone: ZoneRules::utc(),
        };
        let amount = |minor: i64, currency: &str| format.money(&money::price(minor, currency));
        let names = Names {
            reference: &self.reference,
            account: &self.account_name,
            provider: &self.tenant_name,
        };
        let (headline, intro) = wording(to, audience, &names, language);
        PoMail {
            recipient_name: String::new(),
            headline,
            intro,
            po_id: po.id,
            reference: self.reference.clone(),
            account_name: self.account_name.clone(),
            status: to.label_in(language).to_owned(),
            lines: self
                .lines
                .iter()
                .filter_map(|row| {
                    let (quantity, unit_price_minor) = (row.quantity?, row.unit_price_minor?);
                    let currency = row.currency.as_deref().unwrap_or_default();
                    Some(PoMailLine {
                        product: row.product.clone().unwrap_or_default(),
                        quantity,
                        unit_price: amount(unit_price_minor, currency),
                        line_total: amount(
                            unit_price_minor.saturating_mul(i64::from(quantity)),
                            currency,
                        ),
                    })
                })
                .collect(),
            total: amount(po.total_minor, &po.currency),
            reason: simdesk_types::timeline_reason_in(&self.reason, language),
            carrier: po.carrier.clone(),
            tracking_number: po.tracking_number.clone(),
            sim_count: self.sim_count,
            external_reference: po.external_reference.clone().unwrap_or_default(),
            language,
        }
    }
}

/// The account's and provider's names with each line of `po` (none without lines), read in one
/// query: the account is the query's root, so the names come back for a PO without lines too.
#[derive(Debug, FromQueryResult)]
struct SnapshotRow {
    account_name: String,
    tenant_name: String,
    product: Option<String>,
    quantity: Option<i32>,
    unit_price_minor: Option<i64>,
    currency: Option<String>,
}

async fn snapshot_rows(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Vec<SnapshotRow>> {
    use purchase_order_line::Column as Line;
    let line = purchase_order_line::Entity;
    let query = Query::select()
        .expr_as(
            Expr::col((account::Entity, account::Column::Name)),
            Alias::new("account_name"),
        )
        .expr_as(
            Expr::col((tenant::Entity, tenant::Column::Name)),
            Alias::new("tenant_name"),
        )
        .expr_as(
            Expr::col((product::Entity, product::Column::Name)),
            Alias::new("product"),
        )
        .columns([
            (line, Line::Quantity),
            (line, Line::UnitPriceMinor),
            (line, Line::Currency),
        ])
        .from(account::Entity)
        .inner_join(
            tenant::Entity,
            Expr::col((tenant::Entity, tenant::Column::Id))
                .equals((account::Entity, account::Column::TenantId)),
        )
        .left_join(line, Expr::col((line, Line::PurchaseOrderId)).eq(po.id))
        .left_join(
            product::Entity,
            Expr::col((product::Entity, product::Column::Id)).equals((line, Line::ProductId)),
        )
        .and_where(Expr::col((account::Entity, account::Column::Id)).eq(po.account_id))
        .order_by((line, Line::LineNumber), Order::Asc)
        .to_owned();
    Ok(
        SnapshotRow::find_by_statement(txn.get_database_backend().build(&query))
            .all(txn)
            .await?,
    )
}

/// What an e-mail about a PO calls it, its account and its provider.
struct Names<'a> {
    reference: &'a str,
    account: &'a str,
    provider: &'a str,
}

/// The headline and first sentence of the e-mail about a step to `to`, for `audience`, in
/// `language`: each case in English, then in German.
fn wording(to: PoStatus, audience: Audience, names: &Names, language: Locale) -> (String, String) {
    use Audience::{Approvers, Buyer, Provider};
    let Names {
        reference,
        account,
        provider,
    } = names;
    let (headline, intro) = match (to, audience) {
        (PoStatus::AwaitingApproval, Approvers) => language.pick(
            ("A purchase order needs your approval",
            format!("Purchase order {reference} of {account} is above its purchaser's spending limit. Approve or decline it in the portal.")),
            ("Eine Bestellung braucht Ihre Freigabe",
            format!("Bestellung {reference} von {account} liegt über der Ausgabengrenze ihres Bestellers. Geben Sie sie im Portal frei oder lehnen Sie sie ab.")),
        ),
        (PoStatus::Submitted, Provider) => language.pick(
            ("A purchase order waits for your review",
            format!("{account} submitted purchase order {reference}. Review it, then accept or reject it.")),
            ("Eine Bestellung wartet auf Ihre Prüfung",
            format!("{account} hat Bestellung {reference} eingereicht. Prüfen Sie sie, dann nehmen Sie sie an oder lehnen sie ab.")),
        ),
        (PoStatus::Draft, Buyer) => language.pick(
            ("Your purchase order was declined",
            format!("An approver of {account} declined purchase order {reference}. It is a draft again: change it and submit it once more.")),
            ("Ihre Bestellung wurde nicht freigegeben",
            format!("Eine Freigabe von {account} hat Bestellung {reference} abgelehnt. Sie ist wieder ein Entwurf: Ändern Sie sie und reichen Sie sie erneut ein.")),
        ),
        (PoStatus::Draft, _) => language.pick(
            ("A purchase order was taken back",
            format!("Purchase order {reference} of {account} is a draft again and may be changed before it is submitted once more.")),
            ("Eine Bestellung wurde zurückgenommen",
            format!("Bestellung {reference} von {account} ist wieder ein Entwurf und kann vor dem erneuten Einreichen geändert werden.")),
        ),
        (PoStatus::Accepted, _) => language.pick(
            ("Your purchase order was accepted",
            format!("{provider} accepted your order as purchase order {reference}. The SIMs are being prepared.")),
            ("Ihre Bestellung wurde angenommen",
            format!("{provider} hat Ihre Bestellung als {reference} angenommen. Die SIMs werden vorbereitet.")),
        ),
        (PoStatus::Rejected, _) => language.pick(
            ("Your purchase order was rejected",
            format!("{provider} rejected purchase order {reference}. You can reopen it, change it and submit it again.")),
            ("Ihre Bestellung wurde abgelehnt",
            format!("{provider} hat Bestellung {reference} abgelehnt. Sie können sie wieder öffnen, ändern und erneut einreichen.")),
        ),
        (PoStatus::Ready, _) => language.pick(
            ("Your SIMs are ready",
            format!("Every SIM of purchase order {reference} is assigned; {provider} ships them next.")),
            ("Ihre SIMs sind bereit",
            format!("Alle SIMs von Bestellung {reference} sind zugeordnet; als Nächstes versendet {provider} sie.")),
        ),
        (PoStatus::Shipped, _) => language.pick(
            ("Your SIMs are on their way",
            format!("{provider} shipped purchase order {reference}. Close it in the portal once everything arrived.")),
            ("Ihre SIMs sind unterwegs",
            format!("{provider} hat Bestellung {reference} versandt. Schließen Sie sie im Portal ab, sobald alles angekommen ist.")),
        ),
        (PoStatus::Closed, _) => language.pick(
            ("A purchase order was closed",
            format!("{account} confirmed that everything of purchase order {reference} arrived.")),
            ("Eine Bestellung wurde abgeschlossen",
            format!("{account} hat bestätigt, dass alles von Bestellung {reference} angekommen ist.")),
        ),
        (PoStatus::Cancelled, _) => language.pick(
            ("A purchase order was cancelled",
            format!("Purchase order {reference} of {account} was cancelled.")),
            ("Eine Bestellung wurde storniert",
            format!("Bestellung {reference} von {account} wurde storniert.")),
        ),
        (status, _) => language.pick(
            ("A purchase order changed",
            format!("Purchase order {reference} of {account} is now {}.", status.label().to_lowercase())),
            ("Eine Bestellung hat sich geändert",
            format!("Bestellung {reference} von {account} hat jetzt den Status „{}“.", status.label_in(Locale::German))),
        ),
    };
    (headline.to_owned(), intro)
}

/// How e-mails, the trace and cXML documents name a PO (see `PoReference`).
pub(crate) fn reference_of(po: &purchase_order::Model) -> String {
    simdesk_types::PoReference::of(po.po_number, po.id).to_string()
}
