//! E-mail preferences: what a user may choose to be told by e-mail.

use serde::{Deserialize, Serialize};

use crate::Role;

coded_enum! {
    /// Something simdesk e-mails about; the code is the notification's event.
    MailTopic {
        AwaitingApproval => "po.awaiting_approval", "A purchase order needs my approval", "Eine Bestellung braucht meine Freigabe";
        Submitted => "po.submitted", "A purchase order waits for review", "Eine Bestellung wartet auf Prüfung";
        Draft => "po.draft", "A purchase order went back to draft (declined by an approver, or taken back)", "Eine Bestellung ging zurück in den Entwurf (von einer Freigabe abgelehnt oder zurückgenommen)";
        Accepted => "po.accepted", "A purchase order was accepted", "Eine Bestellung wurde angenommen";
        Rejected => "po.rejected", "A purchase order was rejected", "Eine Bestellung wurde abgelehnt";
        Ready => "po.ready", "The SIMs of a purchase order are ready", "Die SIMs einer Bestellung sind bereit";
        Shipped => "po.shipped", "A purchase order was shipped", "Eine Bestellung wurde versandt";
        Closed => "po.closed", "A purchase order was closed", "Eine Bestellung wurde abgeschlossen";
        Cancelled => "po.cancelled", "A purchase order was cancelled", "Eine Bestellung wurde storniert";
    }
}

impl MailTopic {
    /// The topics someone with `roles` can be e-mailed about, in the order shown.
    pub fn for_roles(roles: &[Role]) -> Vec<MailTopic> {
        use MailTopic::*;
        let has = |role: Role| roles.contains(&role);
        let mut topics = Vec::new();
        if has(Role::TenantAdmin) || has(Role::SpAgent) {
            topics.extend([Submitted, Draft, Cancelled, Closed]);
        }
        if has(Role::Approver) {
            topics.push(AwaitingApproval);
        }
        if has(Role::Purchaser) || has(Role::AccountAdmin) {
            topics.extend([Draft, Accepted, Rejected, Ready, Shipped]);
        }
        let mut seen = Vec::new();
        topics.retain(|t| {
            let new = !seen.contains(t);
            seen.push(*t);
            new
        });
        topics
    }
}

/// One topic on the preferences page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailTopicChoice {
    pub topic: MailTopic,
    pub enabled: bool,
}

/// A user's e-mail preferences, as the page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPreferences {
    /// Where the e-mails go.
    pub email: String,
    pub topics: Vec<MailTopicChoice>,
}
