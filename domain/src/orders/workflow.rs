//! The purchase-order state machine: the only place that says which status follows which, in
//! whose capacity, and what follows from each step (the audit action, who is told, which
//! document goes to the ordering procurement system). Services ask it before they write;
//! `transition` carries out what it answers; nothing else changes a status.

use simdesk_types::{Locale, PoAction, PoStatus, Wording};

pub use crate::policy::Capacity;

/// Something that happens to a PO, with the facts the next status depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Edit,
    /// `needs_approval`: the total is above the raising purchaser's spending limit.
    Submit {
        needs_approval: bool,
    },
    Approve,
    Decline,
    Accept,
    Reject,
    Reopen,
    Cancel,
    /// `complete`: every line has all its SIMs.
    Provision {
        complete: bool,
    },
    Ship,
    ConfirmReceipt,
    ReceiveBuyerPo,
    /// The procurement system changed its order (`OrderRequest type="update"`) before
    /// the provider accepted it.
    ReviseBuyerPo,
}

impl Event {
    pub fn action(self) -> PoAction {
        match self {
            Event::Edit => PoAction::Edit,
            Event::Submit { .. } => PoAction::Submit,
            Event::Approve => PoAction::Approve,
            Event::Decline => PoAction::Decline,
            Event::Accept => PoAction::Accept,
            Event::Reject => PoAction::Reject,
            Event::Reopen => PoAction::Reopen,
            Event::Cancel => PoAction::Cancel,
            Event::Provision { .. } => PoAction::Provision,
            Event::Ship => PoAction::Ship,
            Event::ConfirmReceipt => PoAction::ConfirmReceipt,
            Event::ReceiveBuyerPo => PoAction::ReceiveBuyerPo,
            Event::ReviseBuyerPo => PoAction::Edit,
        }
    }

    /// What follows from this event, whoever takes it.
    pub fn consequences(self) -> Consequences {
        rule(self, Capacity::default()).then
    }

    /// Every event, with each outcome, to enumerate what is possible.
    pub const ALL: [Event; 15] = [
        Event::Edit,
        Event::Submit {
            needs_approval: false,
        },
        Event::Submit {
            needs_approval: true,
        },
        Event::Approve,
        Event::Decline,
        Event::Accept,
        Event::Reject,
        Event::Reopen,
        Event::Cancel,
        Event::Provision { complete: false },
        Event::Provision { complete: true },
        Event::Ship,
        Event::ConfirmReceipt,
        Event::ReceiveBuyerPo,
        Event::ReviseBuyerPo,
    ];
}

/// The audit action of a PO's creation, which is no step of the workflow (a PO starts as a
/// draft, or waiting for the buyer's order when a procurement system returned a cart).
pub const CREATED: &str = "po.created";

/// Who hears about a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The provider's agents (tenant admins when the tenant has no agent).
    Provider,
    /// The account's approvers, except whoever raised the PO.
    Approvers,
    /// Whoever raised the PO; the account's admins when an agent raised it.
    Buyer,
}

/// What a step tells the procurement system that ordered the PO (nothing for other POs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuyerDocument {
    /// `ConfirmationRequest type="accept"`.
    Acceptance,
    /// `ConfirmationRequest type="reject"` with the reason.
    Rejection,
    /// `ConfirmationRequest type="detail"` with every line's quantity and price, once every
    /// SIM is assigned. Partial provisioning is the provider's business.
    Provisioned,
    /// `ShipNoticeRequest` listing every SIM.
    ShipNotice,
}

/// Everything that follows from a step besides its new status and its timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consequences {
    /// The audit log's action.
    pub audit: &'static str,
    /// Who gets a notification.
    pub notify: Option<Audience>,
    /// The document queued for the ordering procurement system.
    pub document: Option<BuyerDocument>,
    /// The step takes the tenant's next PO number.
    pub assigns_po_number: bool,
    /// The step returns the PO's SIMs to the free stock.
    pub releases_sims: bool,
}

impl Consequences {
    const fn audit(audit: &'static str) -> Self {
        Consequences {
            audit,
            notify: None,
            document: None,
            assigns_po_number: false,
            releases_sims: false,
        }
    }

    const fn notify(self, audience: Audience) -> Self {
        Consequences {
            notify: Some(audience),
            ..self
        }
    }

    const fn send(self, document: BuyerDocument) -> Self {
        Consequences {
            document: Some(document),
            ..self
        }
    }
}

/// A step the workflow allows: the status it leads to and what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub to: PoStatus,
    pub then: Consequences,
}

/// Why an event cannot happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("you cannot {action} this purchase order")]
    NotYours { action: PoAction },
    #[error("a purchase order that is {status} cannot be {action}")]
    WrongStatus { status: PoStatus, action: PoAction },
}

impl Refusal {
    /// The sentence shown to the user, in English and German (the German names the step by
    /// its button's label).
    pub fn message(&self) -> Wording {
        match self {
            Refusal::NotYours { action } => Wording::new(
                format!(
                    "You cannot {} this purchase order.",
                    action.label().to_lowercase()
                ),
                format!(
                    "Den Schritt „{}“ dürfen Sie bei dieser Bestellung nicht ausführen.",
                    action.label_in(Locale::German)
                ),
            ),
            Refusal::WrongStatus { status, action } => Wording::new(
                format!(
                    "This purchase order is {}: it cannot be {} now. Reload the page to see its current state.",
                    status.label().to_lowercase(),
                    action.past_tense().to_lowercase()
                ),
                format!(
                    "Diese Bestellung hat den Status „{}“: „{}“ ist jetzt nicht möglich. Laden Sie die Seite neu, um ihren aktuellen Stand zu sehen.",
                    status.label_in(Locale::German),
                    action.label_in(Locale::German)
                ),
            ),
        }
    }
}

/// Statuses a buyer may still cancel from: everything before acceptance.
const BEFORE_ACCEPTANCE: [PoStatus; 5] = [
    PoStatus::Draft,
    PoStatus::AwaitingApproval,
    PoStatus::AwaitingBuyerPo,
    PoStatus::Submitted,
    PoStatus::Rejected,
];

/// Statuses the provider may still cancel from: everything before the SIMs are ready.
const BEFORE_READY: [PoStatus; 7] = [
    PoStatus::Draft,
    PoStatus::AwaitingApproval,
    PoStatus::AwaitingBuyerPo,
    PoStatus::Submitted,
    PoStatus::Rejected,
    PoStatus::Accepted,
    PoStatus::Provisioning,
];

/// One row of the workflow: who may take the event, from which statuses, to which status,
/// and what follows.
struct Rule {
    allowed: bool,
    from: &'static [PoStatus],
    to: PoStatus,
    then: Consequences,
}

/// The workflow's table: one row per event.
fn rule(event: Event, capacity: Capacity) -> Rule {
    use Audience::{Approvers, Buyer, Provider};
    use BuyerDocument::*;
    use PoStatus::*;
    let row = |allowed, from, to, then| Rule {
        allowed,
        from,
        to,
        then,
    };
    let c = Consequences::audit;
    let (buyer, provider, approver) = (capacity.buyer, capacity.provider, capacity.approver);
    match event {
        Event::Edit => row(buyer || provider, &[Draft], Draft, c("po.edited")),
        Event::Submit {
            needs_approval: true,
        } => row(
            buyer || provider,
            &[Draft],
            AwaitingApproval,
            c("po.submitted").notify(Approvers),
        ),
        Event::Submit {
            needs_approval: false,
        } => row(
            buyer || provider,
            &[Draft],
            Submitted,
            c("po.submitted").notify(Provider),
        ),
        Event::Approve => row(
            approver,
            &[AwaitingApproval],
            Submitted,
            c("po.approved").notify(Provider),
        ),
        Event::Decline => row(
            approver,
            &[AwaitingApproval],
            Draft,
            c("po.declined").notify(Buyer),
        ),
        Event::Accept => row(
            provider,
            &[Submitted],
            Accepted,
            Consequences {
                assigns_po_number: true,
                ..c("po.accepted").notify(Buyer).send(Acceptance)
            },
        ),
        Event::Reject => row(
            provider,
            &[Submitted],
            Rejected,
            c("po.rejected").notify(Buyer).send(Rejection),
        ),
        // The buyer may take back a PO until it is accepted; the provider (which may have
        // raised it on the account's behalf) only reopens what it rejected.
        Event::Reopen => row(
            buyer || provider,
            if buyer {
                &[Rejected, Submitted, AwaitingApproval]
            } else {
                &[Rejected]
            },
            Draft,
            c("po.reopened").notify(Provider),
        ),
        Event::Cancel => row(
            buyer || provider,
            if provider {
                &BEFORE_READY
            } else {
                &BEFORE_ACCEPTANCE
            },
            Cancelled,
            Consequences {
                releases_sims: true,
                ..c("po.cancelled").notify(Provider)
            },
        ),
        Event::Provision { complete: false } => row(
            provider,
            &[Accepted, Provisioning],
            Provisioning,
            c("po.provisioned"),
        ),
        Event::Provision { complete: true } => row(
            provider,
            &[Accepted, Provisioning],
            Ready,
            c("po.provisioned").notify(Buyer).send(Provisioned),
        ),
        Event::Ship => row(
            provider,
            &[Ready],
            Shipped,
            c("po.shipped").notify(Buyer).send(ShipNotice),
        ),
        Event::ConfirmReceipt => row(buyer, &[Shipped], Closed, c("po.closed").notify(Provider)),
        Event::ReceiveBuyerPo => row(
            buyer,
            &[AwaitingBuyerPo],
            Submitted,
            c("po.buyer_po_received").notify(Provider),
        ),
        Event::ReviseBuyerPo => row(
            buyer,
            &[Submitted],
            Submitted,
            c("po.edited").notify(Provider),
        ),
    }
}

/// The step `event` takes from `status`, when `capacity` allows it.
pub fn step(status: PoStatus, event: Event, capacity: Capacity) -> Result<Step, Refusal> {
    let action = event.action();
    let rule = rule(event, capacity);
    if !rule.allowed {
        return Err(Refusal::NotYours { action });
    }
    if !rule.from.contains(&status) {
        return Err(Refusal::WrongStatus { status, action });
    }
    Ok(Step {
        to: rule.to,
        then: rule.then,
    })
}

/// The status after `event`, when `capacity` allows it from `status`.
pub fn next(status: PoStatus, event: Event, capacity: Capacity) -> Result<PoStatus, Refusal> {
    step(status, event, capacity).map(|step| step.to)
}

/// The actions open to someone acting in `capacity` on a PO in `status`, for the page's
/// buttons. Receiving or revising a buyer PO happens through cXML only, so it is never offered.
pub fn available(status: PoStatus, capacity: Capacity) -> Vec<PoAction> {
    let mut actions: Vec<PoAction> = Event::ALL
        .iter()
        .filter(|event| !matches!(event, Event::ReceiveBuyerPo | Event::ReviseBuyerPo))
        .filter(|event| next(status, **event, capacity).is_ok())
        .map(|event| event.action())
        .collect();
    actions.dedup();
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDER: Capacity = Capacity {
        provider: true,
        buyer: false,
        approver: false,
    };
    const BUYER: Capacity = Capacity {
        provider: false,
        buyer: true,
        approver: false,
    };
    const APPROVER: Capacity = Capacity {
        provider: false,
        buyer: false,
        approver: true,
    };

    #[test]
    fn the_happy_path_runs_from_draft_to_closed() {
        let mut status = PoStatus::Draft;
        for (event, capacity) in [
            (
                Event::Submit {
                    needs_approval: true,
                },
                BUYER,
            ),
            (Event::Approve, APPROVER),
            (Event::Accept, PROVIDER),
            (Event::Provision { complete: false }, PROVIDER),
            (Event::Provision { complete: true }, PROVIDER),
            (Event::Ship, PROVIDER),
            (Event::ConfirmReceipt, BUYER),
        ] {
            status = next(status, event, capacity).expect("allowed");
        }
        assert_eq!(status, PoStatus::Closed);
    }

    #[test]
    fn only_the_right_party_may_act() {
        assert_eq!(
            next(PoStatus::Submitted, Event::Accept, BUYER),
            Err(Refusal::NotYours {
                action: PoAction::Accept
            })
        );
        assert!(next(PoStatus::AwaitingApproval, Event::Approve, BUYER).is_err());
        assert!(next(PoStatus::Shipped, Event::ConfirmReceipt, PROVIDER).is_err());
        assert!(next(
            PoStatus::Draft,
            Event::Submit {
                needs_approval: false
            },
            Capacity::default()
        )
        .is_err());
    }

    #[test]
    fn a_refusal_reads_in_english_and_german() {
        let refusal = next(PoStatus::Draft, Event::Ship, PROVIDER).unwrap_err();
        let message = refusal.message();
        assert_eq!(
            message.english,
            "This purchase order is draft: it cannot be shipped now. Reload the page to see its current state."
        );
        assert_eq!(
            message.german.as_deref(),
            Some("Diese Bestellung hat den Status „Entwurf“: „Versenden“ ist jetzt nicht möglich. Laden Sie die Seite neu, um ihren aktuellen Stand zu sehen.")
        );
    }

    #[test]
    fn cancelling_stops_at_acceptance_for_buyers_and_at_ready_for_providers() {
        assert!(next(PoStatus::Accepted, Event::Cancel, BUYER).is_err());
        assert_eq!(
            next(PoStatus::Provisioning, Event::Cancel, PROVIDER),
            Ok(PoStatus::Cancelled)
        );
        assert!(next(PoStatus::Ready, Event::Cancel, PROVIDER).is_err());
    }

    #[test]
    fn final_statuses_offer_nothing() {
        let everyone = Capacity {
            provider: true,
            buyer: true,
            approver: true,
        };
        for status in [PoStatus::Closed, PoStatus::Cancelled] {
            assert!(available(status, everyone).is_empty());
        }
    }

    #[test]
    fn available_actions_follow_the_rules() {
        assert_eq!(
            available(PoStatus::Submitted, PROVIDER),
            vec![PoAction::Accept, PoAction::Reject, PoAction::Cancel]
        );
        assert_eq!(
            available(PoStatus::Rejected, BUYER),
            vec![PoAction::Reopen, PoAction::Cancel]
        );
    }

    #[test]
    fn each_step_names_what_follows_from_it() {
        let accept = step(PoStatus::Submitted, Event::Accept, PROVIDER).expect("allowed");
        assert_eq!(accept.to, PoStatus::Accepted);
        assert_eq!(accept.then.audit, "po.accepted");
        assert_eq!(accept.then.notify, Some(Audience::Buyer));
        assert_eq!(accept.then.document, Some(BuyerDocument::Acceptance));
        assert!(accept.then.assigns_po_number && !accept.then.releases_sims);

        let partly = Event::Provision { complete: false }.consequences();
        assert_eq!((partly.notify, partly.document), (None, None));
        let fully = Event::Provision { complete: true }.consequences();
        assert_eq!(fully.notify, Some(Audience::Buyer));
        assert_eq!(fully.document, Some(BuyerDocument::Provisioned));

        assert!(Event::Cancel.consequences().releases_sims);
        assert_eq!(
            Event::Submit {
                needs_approval: true
            }
            .consequences()
            .notify,
            Some(Audience::Approvers)
        );
        assert_eq!(Event::ReviseBuyerPo.consequences().audit, "po.edited");
    }

    #[test]
    fn only_the_number_giving_step_assigns_one_and_documents_go_with_a_notice_to_the_buyer() {
        for event in Event::ALL {
            let then = event.consequences();
            assert_eq!(then.assigns_po_number, event == Event::Accept, "{event:?}");
            if then.document.is_some() {
                assert_eq!(then.notify, Some(Audience::Buyer), "{event:?}");
            }
            assert!(then.audit.starts_with("po."), "{event:?}");
        }
    }
}
