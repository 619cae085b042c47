//! The purchase-order state machine: the only place that says which status follows which,
//! and in whose capacity. Services ask it before they write; nothing else changes a status.

use simdesk_types::{PoAction, PoStatus};

/// In which capacities someone acts on one particular PO.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capacity {
    /// The service provider's staff (agent or tenant admin) of the PO's tenant.
    pub provider: bool,
    /// A purchaser or account admin of the PO's account (or the procurement system for them).
    pub buyer: bool,
    /// An approver of the PO's account who did not raise it.
    pub approver: bool,
}

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

/// Why an event cannot happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("you cannot {action} this purchase order")]
    NotYours { action: PoAction },
    #[error("a purchase order that is {status} cannot be {action}")]
    WrongStatus { status: PoStatus, action: PoAction },
}

impl Refusal {
    /// The sentence shown to the user.
    pub fn message(&self) -> String {
        match self {
            Refusal::NotYours { action } => format!(
                "You cannot {} this purchase order.",
                action.label().to_lowercase()
            ),
            Refusal::WrongStatus { status, action } => format!(
                "This purchase order is {}: it cannot be {} now. Reload the page to see its current state.",
                status.label().to_lowercase(),
                action.past_tense().to_lowercase()
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

/// The status after `event`, when `capacity` allows it from `status`.
pub fn next(status: PoStatus, event: Event, capacity: Capacity) -> Result<PoStatus, Refusal> {
    use PoStatus::*;
    let action = event.action();
    let (allowed_by, target) = match event {
        Event::Edit => (
            capacity.buyer || capacity.provider,
            from(status, &[Draft], Draft),
        ),
        Event::Submit { needs_approval } => (
            capacity.buyer || capacity.provider,
            from(
                status,
                &[Draft],
                if needs_approval {
                    AwaitingApproval
                } else {
                    Submitted
                },
            ),
        ),
        Event::Approve => (
            capacity.approver,
            from(status, &[AwaitingApproval], Submitted),
        ),
        Event::Decline => (capacity.approver, from(status, &[AwaitingApproval], Draft)),
        Event::Accept => (capacity.provider, from(status, &[Submitted], Accepted)),
        Event::Reject => (capacity.provider, from(status, &[Submitted], Rejected)),
        // The buyer may take back a PO until it is accepted; the provider (which may have
        // raised it on the account's behalf) only reopens what it rejected.
        Event::Reopen if capacity.buyer => (
            true,
            from(status, &[Rejected, Submitted, AwaitingApproval], Draft),
        ),
        Event::Reopen => (capacity.provider, from(status, &[Rejected], Draft)),
        Event::Cancel => {
            let open = if capacity.provider {
                &[
                    Draft,
                    AwaitingApproval,
                    AwaitingBuyerPo,
                    Submitted,
                    Rejected,
                    Accepted,
                    Provisioning,
                ][..]
            } else {
                &BEFORE_ACCEPTANCE[..]
            };
            (
                capacity.buyer || capacity.provider,
                from(status, open, Cancelled),
            )
        }
        Event::Provision { complete } => (
            capacity.provider,
            from(
                status,
                &[Accepted, Provisioning],
                if complete { Ready } else { Provisioning },
            ),
        ),
        Event::Ship => (capacity.provider, from(status, &[Ready], Shipped)),
        Event::ConfirmReceipt => (capacity.buyer, from(status, &[Shipped], Closed)),
        Event::ReceiveBuyerPo => (capacity.buyer, from(status, &[AwaitingBuyerPo], Submitted)),
        Event::ReviseBuyerPo => (capacity.buyer, from(status, &[Submitted], Submitted)),
    };
    if !allowed_by {
        return Err(Refusal::NotYours { action });
    }
    target.ok_or(Refusal::WrongStatus { status, action })
}

fn from(status: PoStatus, sources: &[PoStatus], target: PoStatus) -> Option<PoStatus> {
    sources.contains(&status).then_some(target)
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
}
