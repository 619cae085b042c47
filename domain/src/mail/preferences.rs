//! Which e-mails a user gets: every topic of their roles unless they opted out of it. Only
//! the user themself reads or changes their choice; it is scoped to their own tenant.

use chrono::Utc;
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde_json::json;
use simdesk_types::{MailPreferences, MailTopic, MailTopicChoice, Wording};

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{app_user, mail_opt_out};
use crate::{Actor, DatabaseConnection, DomainError, DomainResult};

/// The actor's topics and whether each is e-mailed.
pub async fn get(db: &DatabaseConnection, actor: &Actor) -> DomainResult<MailPreferences> {
    let tenant_id = actor.tenant_id.ok_or(DomainError::Forbidden)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let muted = muted_topics(&txn, actor.user_id).await?;
    txn.commit().await?;
    Ok(MailPreferences {
        email: actor.email.clone(),
        topics: MailTopic::for_roles(&actor.roles)
            .into_iter()
            .map(|topic| MailTopicChoice {
                topic,
                enabled: !muted.contains(&topic.as_str().to_owned()),
            })
            .collect(),
    })
}

/// Keeps e-mailing the actor about the topics `enabled` names (codes such as `po.accepted`)
/// and stops the others of their roles.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    enabled: &[String],
) -> DomainResult<MailPreferences> {
    let tenant_id = actor.tenant_id.ok_or(DomainError::Forbidden)?;
    let offered = MailTopic::for_roles(&actor.roles);
    let mut wanted = Vec::new();
    for code in enabled {
        match MailTopic::parse(code).filter(|t| offered.contains(t)) {
            Some(topic) => wanted.push(topic),
            None => {
                return Err(DomainError::invalid(
                    "topics",
                    Wording::new(
                        format!("{code:?} is not an e-mail you can choose; reload the page."),
                        format!("„{code}“ ist keine E-Mail, die Sie wählen können; laden Sie die Seite neu."),
                    ),
                ))
            }
        }
    }
    let muted: Vec<MailTopic> = offered
        .into_iter()
        .filter(|t| !wanted.contains(t))
        .collect();
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    mail_opt_out::Entity::delete_many()
        .filter(mail_opt_out::Column::UserId.eq(actor.user_id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    for topic in &muted {
        mail_opt_out::ActiveModel {
            tenant_id: Set(tenant_id),
            user_id: Set(actor.user_id),
            topic: Set(topic.as_str().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    AuditEvent::new("user.mail_preferences_changed", "user")
        .target(actor.user_id)
        .tenant(Some(tenant_id), actor.account_id)
        .details(json!({ "muted": muted.iter().map(|t| t.as_str()).collect::<Vec<_>>() }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    get(db, actor).await
}

/// The topics `user_id` opted out of.
async fn muted_topics(txn: &DatabaseTransaction, user_id: i64) -> DomainResult<Vec<String>> {
    Ok(mail_opt_out::Entity::find()
        .filter(mail_opt_out::Column::UserId.eq(user_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|o| o.topic)
        .collect())
}

/// The condition on `app_user` that keeps the users who did not opt out of `topic`, for the
/// query that picks a message's recipients (no second query for the opt-outs). Correlated by
/// user, so it looks up the (user, topic) index instead of reading every opt-out of the topic.
pub(crate) fn not_opted_out(topic: &str) -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(mail_opt_out::Entity)
            .and_where(
                Expr::col((mail_opt_out::Entity, mail_opt_out::Column::UserId))
                    .equals((app_user::Entity, app_user::Column::Id)),
            )
            .and_where(mail_opt_out::Column::Topic.eq(topic))
            .to_owned(),
    )
    .not()
}
