//! Who hears about a step: one notification row per recipient, for the e-mail sender.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use simdesk_types::{DeliveryStatus, PoStatus, Role};

use super::workflow::Audience;
use crate::entity::{app_user, membership, notification, purchase_order};
use crate::DomainResult;

/// Leaves one notification per recipient for the e-mail sender.
pub(super) async fn notify(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    audience: Audience,
    to: PoStatus,
) -> DomainResult<()> {
    let with_role = |roles: &[Role], account: Option<i64>| {
        let mut query = membership::Entity::find()
            .filter(membership::Column::TenantId.eq(po.tenant_id))
            .filter(membership::Column::Role.is_in(roles.iter().map(|r| r.as_str())));
        query = match account {
            Some(account_id) => query.filter(membership::Column::AccountId.eq(account_id)),
            None => query.filter(membership::Column::AccountId.is_null()),
        };
        query
    };
    let mut user_ids: Vec<i64> = match audience {
        Audience::Provider => {
            let agents = with_role(&[Role::SpAgent], None).all(txn).await?;
            if agents.is_empty() {
                with_role(&[Role::TenantAdmin], None).all(txn).await?
            } else {
                agents
            }
            .into_iter()
            .map(|m| m.user_id)
            .collect()
        }
        Audience::Approvers => with_role(&[Role::Approver], Some(po.account_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .filter(|id| *id != po.created_by)
            .collect(),
        Audience::Buyer => {
            let creator_is_buyer = app_user::Entity::find_by_id(po.created_by)
                .one(txn)
                .await?
                .is_some_and(|u| u.account_id == Some(po.account_id));
            if creator_is_buyer {
                vec![po.created_by]
            } else {
                with_role(&[Role::AccountAdmin], Some(po.account_id))
                    .all(txn)
                    .await?
                    .into_iter()
                    .map(|m| m.user_id)
                    .collect()
            }
        }
    };
    user_ids.sort_unstable();
    user_ids.dedup();
    let recipients = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(user_ids))
        .filter(app_user::Column::Active.eq(true))
        .all(txn)
        .await?;
    let subject = format!(
        "Purchase order {}: {}",
        reference_of(po),
        to.label().to_lowercase()
    );
    let event = format!("po.{}", to.as_str());
    let now = Utc::now();
    for user in recipients {
        notification::ActiveModel {
            tenant_id: Set(po.tenant_id),
            account_id: Set(Some(po.account_id)),
            purchase_order_id: Set(Some(po.id)),
            event: Set(event.clone()),
            recipient_user_id: Set(Some(user.id)),
            recipient_email: Set(user.email),
            subject: Set(subject.clone()),
            status: Set(DeliveryStatus::Pending.as_str().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The PO number once assigned, its draft id before.
pub(super) fn reference_of(po: &purchase_order::Model) -> String {
    match po.po_number {
        Some(number) => number.to_string(),
        None => format!("draft #{}", po.id),
    }
}
