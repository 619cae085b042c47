//! A tenant's or an account's webhook subscriptions, made and removed by its admins (the same
//! admins who manage API tokens), with their latest deliveries and a test delivery.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{
    FieldError, NewWebhook, WebhookDeliveryView, WebhookEvent, WebhookInput, WebhookList,
    WebhookView, Wording,
};
use std::collections::HashMap;

use super::publish::{envelope, queued};
use super::signature::new_secret;
use super::WebhookSettings;
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{app_user, webhook_delivery, webhook_subscription};
use crate::order_pages::is_public;
use crate::policy::{self, Permission};
use crate::secret::SecretKey;
use crate::text::optional_text;
use crate::timestamps::rfc3339;
use crate::{Actor, DomainError, DomainResult};

/// How many of a subscription's deliveries its admin sees.
const RECENT_DELIVERIES: u64 = 10;

/// Whose subscriptions the actor manages: the tenant's (tenant admin) or their account's.
fn owner_of(actor: &Actor) -> DomainResult<(i64, Option<i64>)> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageApiTokens)?;
    Ok((tenant_id, actor.account_id))
}

fn owned_by(tenant_id: i64, account_id: Option<i64>) -> Condition {
    let condition = Condition::all().add(webhook_subscription::Column::TenantId.eq(tenant_id));
    match account_id {
        Some(account_id) => condition.add(webhook_subscription::Column::AccountId.eq(account_id)),
        None => condition.add(webhook_subscription::Column::AccountId.is_null()),
    }
}

fn events_of(codes: &str) -> Vec<WebhookEvent> {
    codes
        .split_whitespace()
        .filter_map(WebhookEvent::parse)
        .collect()
}

fn delivery_view(d: webhook_delivery::Model) -> WebhookDeliveryView {
    WebhookDeliveryView {
        id: d.id,
        message_id: d.message_id,
        event: d.event_type,
        status: d.status,
        attempts: d.attempts,
        last_http_status: d.last_http_status,
        last_error: d.last_error,
        created_at: rfc3339(d.created_at),
    }
}

/// The actor's webhooks, newest first, each with its latest deliveries.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> DomainResult<WebhookList> {
    let (tenant_id, account_id) = owner_of(actor)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let subscriptions = webhook_subscription::Entity::find()
        .filter(owned_by(tenant_id, account_id))
        .filter(webhook_subscription::Column::Active.eq(true))
        .order_by_desc(webhook_subscription::Column::Id)
        .all(&txn)
        .await?;
    let makers: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(subscriptions.iter().map(|s| s.created_by)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    let mut webhooks = Vec::with_capacity(subscriptions.len());
    for s in subscriptions {
        let deliveries = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::TenantId.eq(tenant_id))
            .filter(webhook_delivery::Column::SubscriptionId.eq(s.id))
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(RECENT_DELIVERIES)
            .all(&txn)
            .await?;
        webhooks.push(WebhookView {
            id: s.id,
            url: s.url.clone(),
            description: s.description.clone(),
            events: events_of(&s.events),
            active: s.active,
            created_by: makers.get(&s.created_by).cloned().unwrap_or_default(),
            created_at: rfc3339(s.created_at),
            deliveries: deliveries.into_iter().map(delivery_view).collect(),
        });
    }
    txn.commit().await?;
    Ok(WebhookList {
        webhooks,
        for_tenant: account_id.is_none(),
    })
}

/// Checks a webhook's address: http(s) with a host and no credentials; https and a public
/// host unless the operator allows private targets.
fn check_url(url: &str, settings: &WebhookSettings) -> Result<String, FieldError> {
    let bad = |english: &str, german: &str| FieldError::new("url", Wording::new(english, german));
    let url = url.trim();
    if url.is_empty() {
        return Err(bad(
            "Enter the address the events are posted to.",
            "Geben Sie die Adresse ein, an die die Ereignisse gesendet werden.",
        ));
    }
    if url.len() > 2000 {
        return Err(bad(
            "Use an address of at most 2000 characters.",
            "Verwenden Sie eine Adresse mit höchstens 2000 Zeichen.",
        ));
    }
    let parsed = url::Url::parse(url).map_err(|_| {
        bad(
            "Enter a full address, such as https://erp.example.com/hooks/simdesk.",
            "Geben Sie eine vollständige Adresse ein, etwa https://erp.example.com/hooks/simdesk.",
        )
    })?;
    match parsed.scheme() {
        "https" => {}
        "http" if settings.allow_private_targets => {}
        _ => {
            return Err(bad(
                "Use an https address.",
                "Verwenden Sie eine https-Adresse.",
            ))
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "Leave the user name and password out of the address.",
            "Lassen Sie Benutzername und Passwort aus der Adresse weg.",
        ));
    }
    let host = parsed.host().ok_or_else(|| {
        bad(
            "The address needs a host.",
            "Die Adresse braucht einen Host.",
        )
    })?;
    if !settings.allow_private_targets {
        let private = match host {
            url::Host::Domain(name) => name == "localhost" || name.ends_with(".localhost"),
            url::Host::Ipv4(ip) => !is_public(ip.into()),
            url::Host::Ipv6(ip) => !is_public(ip.into()),
        };
        if private {
            return Err(bad(
                "Webhooks are not sent to loopback or private addresses.",
                "Webhooks werden nicht an Loopback- oder private Adressen gesendet.",
            ));
        }
    }
    Ok(parsed.to_string())
}

/// Makes a webhook for the actor's tenant or account; its signing secret is in the answer
/// only, and kept sealed for the deliveries.
pub async fn create(
    db: &DatabaseConnection,
    key: &SecretKey,
    settings: &WebhookSettings,
    actor: &Actor,
    input: WebhookInput,
) -> DomainResult<NewWebhook> {
    let (tenant_id, account_id) = owner_of(actor)?;
    let mut errors = Vec::new();
    let url = check_url(&input.url, settings)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let description = optional_text(&input.description, "description", 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let events = input.events();
    if events.is_empty() {
        errors.push(FieldError::new(
            "events",
            Wording::new(
                "Choose at least one event.",
                "Wählen Sie mindestens ein Ereignis.",
            ),
        ));
    } else if events
        .iter()
        .any(|e| !WebhookEvent::subscribable(account_id.is_none()).contains(e))
    {
        errors.push(FieldError::new(
            "events",
            Wording::new(
                "An account's webhook cannot subscribe to the provider's alarms.",
                "Der Webhook eines Kundenkontos kann die Alarme des Anbieters nicht abonnieren.",
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let secret = new_secret();
    let codes: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let subscription = webhook_subscription::ActiveModel {
        tenant_id: Set(tenant_id),
        account_id: Set(account_id),
        url: Set(url),
        events: Set(codes.join(" ")),
        secret_sealed: Set(key.seal_for_tenant(tenant_id, &secret)?),
        description: Set(description),
        active: Set(true),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEvent::new("webhook.created", "webhook")
        .target(subscription.id)
        .tenant(Some(tenant_id), account_id)
        .details(json!({ "url": subscription.url, "events": codes }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(NewWebhook {
        secret,
        webhook: WebhookView {
            id: subscription.id,
            url: subscription.url,
            description: subscription.description,
            events,
            active: true,
            created_by: actor.email.clone(),
            created_at: rfc3339(subscription.created_at),
            deliveries: Vec::new(),
        },
    })
}

async fn owned(
    txn: &sea_orm::DatabaseTransaction,
    tenant_id: i64,
    account_id: Option<i64>,
    id: i64,
) -> DomainResult<webhook_subscription::Model> {
    webhook_subscription::Entity::find_by_id(id)
        .filter(owned_by(tenant_id, account_id))
        .filter(webhook_subscription::Column::Active.eq(true))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("webhook", id))
}

/// Stops a webhook: nothing more is queued for it and what waits is not sent; its deliveries
/// stay in the message trace.
pub async fn remove(db: &DatabaseConnection, actor: &Actor, id: i64) -> DomainResult<()> {
    denials(db, actor, async {
        let (tenant_id, account_id) = owner_of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let subscription = owned(&txn, tenant_id, account_id, id).await?;
        let url = subscription.url.clone();
        let mut change: webhook_subscription::ActiveModel = subscription.into();
        change.active = Set(false);
        change.update(&txn).await?;
        AuditEvent::new("webhook.removed", "webhook")
            .target(id)
            .tenant(Some(tenant_id), account_id)
            .details(json!({ "url": url }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Queues a `webhook.test` delivery to one webhook, so its admin sees it arrive.
pub async fn send_test(db: &DatabaseConnection, actor: &Actor, id: i64) -> DomainResult<()> {
    denials(db, actor, async {
        let (tenant_id, account_id) = owner_of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let subscription = owned(&txn, tenant_id, account_id, id).await?;
        let payload = envelope(
            WebhookEvent::Test,
            json!({ "webhook_id": id, "requested_by": actor.email }),
        );
        queued(&subscription, WebhookEvent::Test, payload, Utc::now())
            .insert(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}
