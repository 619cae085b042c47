//! Who shops in a PunchOut visit: the visit's id in the browser's session, the protocol that
//! opened it, and the procurement user it signs in (found, or created just in time).

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use simdesk_types::Role;

use super::PunchOutError;
use crate::audit::AuditEvent;
use crate::entity::{app_user, punchout_credential};

/// The request extension and session value naming the PunchOut visit of a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit(pub i64);

/// The protocols a visit is opened by.
pub(crate) const CXML: &str = "cxml";
pub(crate) const OCI: &str = "oci";

pub(super) const RACED: &str = "the procurement user was created concurrently";

/// What a cart holds: `(product_id, quantity)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CartItem {
    pub(super) product_id: i64,
    pub(super) quantity: i32,
}

/// Who a started visit signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub user_id: i64,
    pub visit: Visit,
}

/// Extrinsics that carry the procurement user's e-mail address in the systems seen in the
/// field (Ariba `UserEmail`, Coupa `User`, Oracle `Email`, `UniqueName` where it is one).
pub(crate) fn is_user_email_extrinsic(name: &str) -> bool {
    ["UserEmail", "User", "Email", "UniqueName"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name.trim()))
}

/// The procurement user as a simdesk user of the account: found, or created as a purchaser.
pub(crate) async fn procurement_user(
    txn: &DatabaseTransaction,
    credential: &punchout_credential::Model,
    email: &str,
    name: Option<String>,
) -> Result<app_user::Model, PunchOutError> {
    let existing = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(txn)
        .await?;
    let user = match existing {
        Some(user) if user.account_id == Some(credential.account_id) => user,
        Some(_) => {
            return Err(PunchOutError::Forbidden(
                "This procurement user cannot shop for this account.".into(),
            ))
        }
        None => {
            crate::email::validate_email(email).map_err(|_| {
                PunchOutError::BadRequest(format!("{email} is not a usable e-mail address."))
            })?;
            let inserted = crate::users::passwordless_account_user(
                credential.tenant_id,
                credential.account_id,
                email,
                name.as_deref(),
            )
            .insert(txn)
            .await;
            let user = match inserted {
                Ok(user) => user,
                // A concurrent setup created the same user first; the caller starts over.
                Err(e) if crate::db::is_unique_violation(&e) => {
                    return Err(PunchOutError::Conflict(RACED.into()))
                }
                Err(e) => return Err(e.into()),
            };
            crate::users::grant(txn, &user, Role::Purchaser).await?;
            AuditEvent::new("user.created_by_punchout", "user")
                .target(user.id)
                .tenant(user.tenant_id, user.account_id)
                .details(json!({ "credential": credential.id }))
                .record(txn, None)
                .await?;
            user
        }
    };
    if !user.active {
        return Err(PunchOutError::Forbidden(
            "This procurement user is deactivated in simdesk.".into(),
        ));
    }
    let roles = crate::actor::roles_of(txn, user.id).await?;
    if !roles
        .iter()
        .any(|r| matches!(r, Role::Purchaser | Role::AccountAdmin))
    {
        return Err(PunchOutError::Forbidden(
            "This procurement user may not order in simdesk.".into(),
        ));
    }
    Ok(user)
}
