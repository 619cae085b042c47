//! Orders by e-mail: a message received for a tenant's order mailbox is kept whole, read by
//! the `mailorder` codec, matched to an account by its sender and made into a draft PO
//! "from e-mail" with every difference listed (`orders::create_from_email`). Unknown senders
//! wait for an agent to choose the account; a message that cannot be read is kept and raises
//! an alarm (`alarms::sweep`). The same Message-ID twice is one message.
//!
//! Receiving runs without a signed-in user (the mailbox reader, `simdesk mail receive`); the
//! review is for the provider's agents ([`Permission::ReviewOrders`]).

use chrono::Utc;
use mailorder::{read_message, read_order, read_page, ReceivedMessage, RequestedOrder};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use simdesk_types::{
    AttachmentView, EmailOrderDetail, EmailOrderPage, EmailOrderRow, Finding, FindingKind,
    InboundStatus, Permission, ReadLine, Wording,
};

use crate::actor::roles_of;
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, is_unique_violation, DataScope};
use crate::entity::{account, app_user, inbound_email, tenant};
use crate::order_pages::{self, Link, LinkOutcome, PagePolicy};
use crate::paging::MAX_PAGE_SIZE;
use crate::timestamps::rfc3339;
use crate::{orders, policy, Actor, DatabaseConnection, DomainError, DomainResult};

/// What became of a received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: i64,
    pub status: InboundStatus,
    /// The message had been received before (same Message-ID); nothing new was made.
    pub duplicate: bool,
    pub purchase_order_id: Option<i64>,
}

/// What is kept of a message besides its raw bytes: the message as read, and the order and
/// lines read from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Reading {
    message: ReceivedMessage,
    order: RequestedOrder,
    #[serde(default)]
    lines: Vec<ReadLine>,
    /// The message's links and whether each was followed.
    #[serde(default)]
    links: Vec<Link>,
}

/// The tenant whose order mailbox `slug` names.
pub async fn tenant_of(db: &DatabaseConnection, slug: &str) -> DomainResult<i64> {
    let txn = begin(db, DataScope::System).await?;
    let found = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug.trim().to_lowercase()))
        .one(&txn)
        .await?;
    txn.commit().await?;
    found.map(|t| t.id).ok_or_else(|| {
        DomainError::invalid(
            "tenant",
            Wording::new(
                format!("There is no tenant \"{slug}\"."),
                format!("Es gibt keinen Anbieter „{slug}“."),
            ),
        )
    })
}

/// How a message reached the order mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Handed over by a mail server (`simdesk mail receive`) or read from a file.
    Pipe,
    /// Read from the tenant's IMAP mailbox (`crate::mailbox`).
    Imap,
}

impl Arrival {
    pub fn as_str(self) -> &'static str {
        match self {
            Arrival::Pipe => "pipe",
            Arrival::Imap => "imap",
        }
    }
}

/// Receives one message handed over by a mail server, with the default rules for linked order
/// pages; see [`receive_with`].
pub async fn receive(db: &DatabaseConnection, tenant_id: i64, raw: &[u8]) -> DomainResult<Receipt> {
    receive_with(db, tenant_id, raw, Arrival::Pipe, &PagePolicy::default()).await
}

/// Receives one message for the order mailbox of `tenant_id`: kept whatever it holds, and a
/// draft PO when the sender is a user of an account; linked order pages are fetched under the
/// operator's `pages` rules. Safe to call again with the same message: the second call finds
/// the first.
pub async fn receive_with(
    db: &DatabaseConnection,
    tenant_id: i64,
    raw: &[u8],
    arrival: Arrival,
    pages: &PagePolicy,
) -> DomainResult<Receipt> {
    keep(db, tenant_id, raw, arrival, None, pages).await
}

/// Keeps the header of a message too large to take (`size` bytes) as unreadable, so it is
/// traced and alarmed; the message itself stays where it was (the IMAP folder).
pub async fn receive_too_large(
    db: &DatabaseConnection,
    tenant_id: i64,
    header: &[u8],
    size: u64,
    limit: u64,
    arrival: Arrival,
) -> DomainResult<Receipt> {
    let problem = format!(
        "The message is {:.1} MB, more than the {} MB that are taken; it was left in the mailbox, and only its header is kept here.",
        size as f64 / 1_048_576.0,
        limit / 1_048_576
    );
    keep(
        db,
        tenant_id,
        header,
        arrival,
        Some(problem),
        &PagePolicy::default(),
    )
    .await
}

async fn keep(
    db: &DatabaseConnection,
    tenant_id: i64,
    raw: &[u8],
    arrival: Arrival,
    refused: Option<String>,
    pages: &PagePolicy,
) -> DomainResult<Receipt> {
    let mut read = read_message(raw);
    let message_id = match &read {
        Ok(ReceivedMessage {
            message_id: Some(id),
            ..
        }) => id.chars().take(500).collect(),
        _ => format!("sha256:{:x}", Sha256::digest(raw)),
    };
    if let Some(earlier) = find(db, tenant_id, &message_id).await? {
        return Ok(earlier);
    }
    // Linked order pages are fetched before the transaction: a slow web server must not hold
    // the database.
    let mut links = Vec::new();
    if let (Ok(message), None) = (&mut read, &refused) {
        links = follow_links(db, tenant_id, message, pages).await?;
    }
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let now = Utc::now();
    let mut row = inbound_email::ActiveModel {
        tenant_id: Set(tenant_id),
        message_id: Set(message_id.clone()),
        received_at: Set(now),
        raw: Set(raw.to_vec()),
        via: Set(arrival.as_str().to_owned()),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut draft = None;
    let read = match (read, refused) {
        (Ok(message), Some(problem)) => {
            row.sender = Set(cut(&message.from, 320));
            row.sender_name = Set(cut(&message.from_name, 200));
            row.subject = Set(cut(&message.subject, 500));
            Err(problem)
        }
        (Err(_), Some(problem)) => Err(problem),
        (read, None) => read.map_err(|problem| format!("The message cannot be read: {problem}.")),
    };
    match read {
        Err(problem) => {
            tracing::warn!(tenant = tenant_id, %problem, "an order e-mail cannot be read");
            row.status = Set(InboundStatus::Unreadable.as_str().to_owned());
            row.problem = Set(cut(&problem, 1000));
        }
        Ok(message) => {
            let order = read_order(&message);
            row.sender = Set(cut(&message.from, 320));
            row.sender_name = Set(cut(&message.from_name, 200));
            // Machine mail is kept but never answered.
            row.answer_to = Set(if message.automatic {
                String::new()
            } else {
                cut(message.answer_to(), 320)
            });
            row.subject = Set(cut(&message.subject, 500));
            let mut findings = attachment_findings(&message);
            findings.extend(links.iter().filter_map(|link| match &link.outcome {
                // Why is quoted as the fetcher put it.
                LinkOutcome::Refused(why) => Some(Finding::new(
                    FindingKind::LinkNotFollowed,
                    Wording::new(
                        format!("The link {} was not followed: {why}.", link.url),
                        format!("Der Link {} wurde nicht verfolgt: {why}.", link.url),
                    ),
                )),
                _ => None,
            }));
            let mut lines = Vec::new();
            match sender_account(&txn, tenant_id, &message.from).await? {
                Sender::User(found) => {
                    let (actor, account) = *found;
                    let made = orders::create_from_email(&txn, &actor, &account, &order).await?;
                    findings.extend(made.findings);
                    lines = made.lines;
                    row.status = Set(InboundStatus::Draft.as_str().to_owned());
                    row.account_id = Set(Some(account.id));
                    row.purchase_order_id = Set(Some(made.po_id));
                    draft = Some(made.po_id);
                }
                Sender::Unknown {
                    suggested,
                    may_not_order,
                } => {
                    findings.insert(
                        0,
                        unknown_sender(&message.from, suggested.is_some(), may_not_order),
                    );
                    row.status = Set(InboundStatus::NeedsReview.as_str().to_owned());
                    row.suggested_account_id = Set(suggested);
                }
            }
            row.findings = Set(Some(to_json(&findings)?));
            row.reading = Set(Some(to_json(&Reading {
                message,
                order,
                lines,
                links,
            })?));
        }
    }
    let saved = match row.insert(&txn).await {
        Ok(saved) => saved,
        // The same message, received at the same time by another worker or instance.
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            return find(db, tenant_id, &message_id)
                .await?
                .ok_or(DomainError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    AuditEvent::new("email_order.received", "inbound_email")
        .target(saved.id)
        .tenant(Some(tenant_id), saved.account_id)
        .details(serde_json::json!({ "status": saved.status, "purchase_order_id": draft }))
        .record(&txn, None)
        .await?;
    txn.commit().await?;
    Ok(Receipt {
        id: saved.id,
        status: InboundStatus::parse(&saved.status).unwrap_or(InboundStatus::Unreadable),
        duplicate: false,
        purchase_order_id: draft,
    })
}

async fn find(
    db: &DatabaseConnection,
    tenant_id: i64,
    message_id: &str,
) -> DomainResult<Option<Receipt>> {
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let found = inbound_email::Entity::find()
        .filter(inbound_email::Column::TenantId.eq(tenant_id))
        .filter(inbound_email::Column::MessageId.eq(message_id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(found.map(|m| Receipt {
        id: m.id,
        status: InboundStatus::parse(&m.status).unwrap_or(InboundStatus::Unreadable),
        duplicate: true,
        purchase_order_id: m.purchase_order_id,
    }))
}

enum Sender {
    /// An active user of an active account: the draft is theirs.
    User(Box<(Actor, account::Model)>),
    /// Nobody known; `suggested` is the one account whose users share the sender's domain.
    /// `may_not_order`: a user of the account whose role does not raise orders.
    Unknown {
        suggested: Option<i64>,
        may_not_order: bool,
    },
}

/// Who sent the message, by the From address (or its domain).
async fn sender_account(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    from: &str,
) -> DomainResult<Sender> {
    let user = app_user::Entity::find()
        .filter(app_user::Column::TenantId.eq(tenant_id))
        .filter(app_user::Column::Email.eq(from))
        .filter(app_user::Column::Active.eq(true))
        .filter(app_user::Column::AccountId.is_not_null())
        .one(txn)
        .await?;
    if let Some(user) = user {
        let account = account::Entity::find_by_id(user.account_id.unwrap_or_default())
            .filter(account::Column::TenantId.eq(tenant_id))
            .filter(account::Column::Status.eq("active"))
            .one(txn)
            .await?;
        if let Some(account) = account {
            let actor = Actor {
                language: crate::actor::language_of(&user),
                user_id: user.id,
                tenant_id: user.tenant_id,
                account_id: user.account_id,
                roles: roles_of(txn, user.id).await?,
                email: user.email,
                display_name: user.display_name,
                must_change_password: false,
                must_enrol_second_factor: false,
            };
            if !policy::allows(&actor, Permission::RaiseOrders) {
                return Ok(Sender::Unknown {
                    suggested: Some(account.id),
                    may_not_order: true,
                });
            }
            return Ok(Sender::User(Box::new((actor, account))));
        }
    }
    let Some((_, domain)) = from.rsplit_once('@') else {
        return Ok(Sender::Unknown {
            suggested: None,
            may_not_order: false,
        });
    };
    let mut accounts: Vec<i64> = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::AccountId)
        .filter(app_user::Column::TenantId.eq(tenant_id))
        .filter(app_user::Column::AccountId.is_not_null())
        .filter(app_user::Column::Email.like(format!("%@{}", domain.replace(['%', '_'], ""))))
        .into_tuple::<Option<i64>>()
        .all(txn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    Ok(Sender::Unknown {
        suggested: (accounts.len() == 1).then(|| accounts[0]),
        may_not_order: false,
    })
}

fn unknown_sender(from: &str, suggested: bool, may_not_order: bool) -> Finding {
    let message = if may_not_order {
        Wording::new(
            format!("{from} is a user of the account whose role does not raise orders. Confirm the account to make the draft on its behalf."),
            format!("{from} ist Nutzer des Kundenkontos, darf aber keine Bestellungen anlegen. Bestätigen Sie das Kundenkonto, um den Entwurf in seinem Namen anzulegen."),
        )
    } else if suggested {
        Wording::new(
            format!("{from} is no user of an account; its domain suggests one. Confirm the account to make the draft."),
            format!("{from} ist kein Nutzer eines Kundenkontos; die Domain deutet auf eines hin. Bestätigen Sie das Kundenkonto, um den Entwurf anzulegen."),
        )
    } else {
        Wording::new(
            format!("{from} is no user of an account. Choose the account to make the draft, or dismiss the message."),
            format!("{from} ist kein Nutzer eines Kundenkontos. Wählen Sie das Kundenkonto, um den Entwurf anzulegen, oder verwerfen Sie die Nachricht."),
        )
    };
    Finding::new(FindingKind::UnknownSender, message)
}

/// Follows the message's links to hosts the tenant lists (at most `pages.max_pages` of them;
/// later links are not looked at), adding each page fetched to its attachments.
async fn follow_links(
    db: &DatabaseConnection,
    tenant_id: i64,
    message: &mut ReceivedMessage,
    pages: &PagePolicy,
) -> DomainResult<Vec<Link>> {
    if message.links.is_empty() {
        return Ok(Vec::new());
    }
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let listed = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .map(|t| t.order_page_hosts)
        .unwrap_or_default();
    txn.commit().await?;
    let hosts = order_pages::parse_hosts(&listed).unwrap_or_default();
    let mut links = Vec::new();
    let mut tried = 0;
    for url in message.links.clone() {
        if tried == pages.max_pages {
            break;
        }
        let outcome = match order_pages::fetch(&url, &hosts, pages).await {
            Ok(page) => {
                message
                    .attachments
                    .push(read_page(&url, &page.content_type, &page.body));
                LinkOutcome::Fetched
            }
            Err(outcome) => outcome,
        };
        if outcome != LinkOutcome::NotListed {
            tried += 1;
        }
        links.push(Link { url, outcome });
    }
    Ok(links)
}

fn attachment_findings(message: &ReceivedMessage) -> Vec<Finding> {
    message
        .attachments
        .iter()
        .filter_map(|a| {
            // The problem is quoted as the reader put it.
            a.problem.as_ref().map(|problem| {
                Finding::new(
                    FindingKind::AttachmentUnreadable,
                    format!("{}: {problem}.", a.name).into(),
                )
            })
        })
        .collect()
}

fn to_json<T: Serialize>(value: &T) -> DomainResult<String> {
    serde_json::to_string(value)
        .map_err(|e| DomainError::Internal(format!("cannot store an e-mail's reading: {e}")))
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A page of the tenant's order e-mails, newest first; `status` narrows it.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    status: Option<InboundStatus>,
    after: Option<i64>,
    limit: u64,
) -> DomainResult<EmailOrderPage> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReviewOrders)?;
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        use inbound_email::Column as C;
        // Never the raw messages: a page lists fifty of them.
        let mut select = inbound_email::Entity::find()
            .select_only()
            .columns([
                C::Id,
                C::ReceivedAt,
                C::Sender,
                C::Subject,
                C::Status,
                C::AccountId,
                C::PurchaseOrderId,
                C::Findings,
            ])
            .filter(C::TenantId.eq(tenant_id));
        if let Some(status) = status {
            select = select.filter(C::Status.eq(status.as_str()));
        }
        if let Some(after) = after {
            select = select.filter(C::Id.lt(after));
        }
        let mut found: Vec<Listed> = select
            .order_by_desc(C::Id)
            .limit(limit + 1)
            .into_model()
            .all(&txn)
            .await?;
        let next = (found.len() as u64 > limit).then(|| {
            found.truncate(limit as usize);
            found.last().map(|m| m.id.to_string())
        });
        let names = account_names(&txn, tenant_id).await?;
        txn.commit().await?;
        Ok(EmailOrderPage {
            rows: found.into_iter().map(|m| row(m, &names)).collect(),
            next: next.flatten(),
        })
    })
    .await
}

async fn account_names(
    txn: &DatabaseTransaction,
    tenant_id: i64,
) -> DomainResult<Vec<(i64, String)>> {
    Ok(account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant_id))
        .filter(account::Column::Status.eq("active"))
        .order_by_asc(account::Column::Name)
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// What the list shows of a message.
#[derive(Debug, sea_orm::FromQueryResult)]
struct Listed {
    id: i64,
    received_at: chrono::DateTime<Utc>,
    sender: String,
    subject: String,
    status: String,
    account_id: Option<i64>,
    purchase_order_id: Option<i64>,
    findings: Option<String>,
}

fn findings_in(json: Option<&str>) -> Vec<Finding> {
    json.and_then(|f| serde_json::from_str(f).ok())
        .unwrap_or_default()
}

fn findings_of(m: &inbound_email::Model) -> Vec<Finding> {
    findings_in(m.findings.as_deref())
}

fn row(m: Listed, names: &[(i64, String)]) -> EmailOrderRow {
    EmailOrderRow {
        id: m.id,
        received_at: rfc3339(m.received_at),
        findings: findings_in(m.findings.as_deref()).len(),
        sender: m.sender,
        subject: m.subject,
        status: InboundStatus::parse(&m.status).unwrap_or(InboundStatus::Unreadable),
        account_name: m
            .account_id
            .and_then(|id| names.iter().find(|(a, _)| *a == id))
            .map(|(_, name)| name.clone()),
        purchase_order_id: m.purchase_order_id,
    }
}

fn row_of(m: &inbound_email::Model, names: &[(i64, String)]) -> EmailOrderRow {
    row(
        Listed {
            id: m.id,
            received_at: m.received_at,
            sender: m.sender.clone(),
            subject: m.subject.clone(),
            status: m.status.clone(),
            account_id: m.account_id,
            purchase_order_id: m.purchase_order_id,
            findings: m.findings.clone(),
        },
        names,
    )
}

/// One of the tenant's order e-mails, by id; another tenant's is not found.
async fn load(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    id: i64,
) -> DomainResult<inbound_email::Model> {
    inbound_email::Entity::find_by_id(id)
        .filter(inbound_email::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("inbound_email", id))
}

/// An order e-mail with what was made of it.
pub async fn detail(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
) -> DomainResult<EmailOrderDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReviewOrders)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let m = load(&txn, tenant_id, id).await?;
        let names = account_names(&txn, tenant_id).await?;
        txn.commit().await?;
        Ok(detail_of(&m, names))
    })
    .await
}

/// The order e-mail a PO was made of, for the PO page; `None` for other POs.
pub async fn of_order(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
) -> DomainResult<Option<EmailOrderDetail>> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReviewOrders)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let found = inbound_email::Entity::find()
            .filter(inbound_email::Column::TenantId.eq(tenant_id))
            .filter(inbound_email::Column::PurchaseOrderId.eq(po_id))
            .one(&txn)
            .await?;
        let names = account_names(&txn, tenant_id).await?;
        txn.commit().await?;
        Ok(found.map(|m| detail_of(&m, names)))
    })
    .await
}

fn detail_of(m: &inbound_email::Model, accounts: Vec<(i64, String)>) -> EmailOrderDetail {
    let reading: Option<Reading> = m
        .reading
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let (text, safe_html, attachments, lines, reference) = match reading {
        Some(r) => (
            r.message.text,
            r.message.safe_html,
            r.message
                .attachments
                .into_iter()
                .map(|a| AttachmentView {
                    name: a.name,
                    content_type: a.content_type,
                    size: a.size,
                    problem: a.problem,
                })
                .collect(),
            if r.lines.is_empty() {
                r.order
                    .lines
                    .iter()
                    .map(|l| ReadLine {
                        text: l.text.clone(),
                        quantity: l.quantity,
                        product: None,
                        confidence: 0,
                    })
                    .collect()
            } else {
                r.lines
            },
            r.order.reference,
        ),
        // Unreadable: show what arrived, as text.
        None => (
            String::from_utf8_lossy(&m.raw)
                .chars()
                .take(20_000)
                .collect(),
            None,
            Vec::new(),
            Vec::new(),
            None,
        ),
    };
    EmailOrderDetail {
        row: row_of(m, &accounts),
        message_id: m.message_id.clone(),
        sender_name: m.sender_name.clone(),
        answer_to: m.answer_to.clone(),
        text,
        safe_html,
        attachments,
        lines,
        reference,
        findings: findings_of(m),
        problem: m.problem.clone(),
        suggested_account_id: m.suggested_account_id,
        accounts,
    }
}

/// Makes the draft of a message whose sender was unknown, for the account the agent chose;
/// the agent raises it on the account's behalf.
pub async fn assign(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    account_id: i64,
) -> DomainResult<i64> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReviewOrders)?;
        policy::require(actor, Permission::RaiseOrders)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let m = load(&txn, tenant_id, id).await?;
        if m.status != InboundStatus::NeedsReview.as_str() {
            return Err(handled_meanwhile());
        }
        let account = account::Entity::find_by_id(account_id)
            .filter(account::Column::TenantId.eq(tenant_id))
            .filter(account::Column::Status.eq("active"))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                DomainError::invalid(
                    "account_id",
                    Wording::new(
                        "Choose one of the active accounts.",
                        "Wählen Sie eines der aktiven Kundenkonten.",
                    ),
                )
            })?;
        let mut reading: Reading = m
            .reading
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .ok_or_else(|| {
                DomainError::invalid(
                    "id",
                    Wording::new(
                        "This e-mail could not be read; it cannot become an order.",
                        "Diese E-Mail konnte nicht gelesen werden; aus ihr kann keine Bestellung werden.",
                    ),
                )
            })?;
        let made = orders::create_from_email(&txn, actor, &account, &reading.order).await?;
        let mut findings: Vec<Finding> = findings_of(&m)
            .into_iter()
            .filter(|f| f.kind != FindingKind::UnknownSender)
            .collect();
        findings.extend(made.findings);
        reading.lines = made.lines;
        // Guarded by the status read above: a second agent's assignment changes nothing.
        let changed = inbound_email::Entity::update_many()
            .col_expr(
                inbound_email::Column::Status,
                InboundStatus::Draft.as_str().into(),
            )
            .col_expr(inbound_email::Column::AccountId, Some(account.id).into())
            .col_expr(
                inbound_email::Column::PurchaseOrderId,
                Some(made.po_id).into(),
            )
            .col_expr(
                inbound_email::Column::Findings,
                Some(to_json(&findings)?).into(),
            )
            .col_expr(
                inbound_email::Column::Reading,
                Some(to_json(&reading)?).into(),
            )
            .col_expr(inbound_email::Column::UpdatedAt, Utc::now().into())
            .filter(inbound_email::Column::Id.eq(m.id))
            .filter(inbound_email::Column::Status.eq(InboundStatus::NeedsReview.as_str()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(handled_meanwhile());
        }
        AuditEvent::new("email_order.assigned", "inbound_email")
            .target(m.id)
            .tenant(Some(tenant_id), Some(account.id))
            .details(serde_json::json!({ "purchase_order_id": made.po_id }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(made.po_id)
    })
    .await
}

fn handled_meanwhile() -> DomainError {
    DomainError::conflict(Wording::new(
        "This e-mail was handled meanwhile; reload the page.",
        "Diese E-Mail wurde inzwischen bearbeitet; laden Sie die Seite neu.",
    ))
}

/// Sets aside a message that is no order (or cannot be read); it stays in the list and the
/// trace.
pub async fn dismiss(db: &DatabaseConnection, actor: &Actor, id: i64) -> DomainResult<()> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReviewOrders)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let m = load(&txn, tenant_id, id).await?;
        let changed = inbound_email::Entity::update_many()
            .col_expr(inbound_email::Column::Status, InboundStatus::Dismissed.as_str().into())
            .col_expr(inbound_email::Column::UpdatedAt, Utc::now().into())
            .filter(inbound_email::Column::Id.eq(m.id))
            .filter(inbound_email::Column::Status.is_in([
                InboundStatus::NeedsReview.as_str(),
                InboundStatus::Unreadable.as_str(),
            ]))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(DomainError::conflict(Wording::new(
                "Only an e-mail without a draft can be dismissed; a draft is cancelled on its purchase order.",
                "Nur eine E-Mail ohne Entwurf kann verworfen werden; ein Entwurf wird in seiner Bestellung storniert.",
            )));
        }
        AuditEvent::new("email_order.dismissed", "inbound_email")
            .target(m.id)
            .tenant(Some(tenant_id), None)
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}
