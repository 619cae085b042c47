//! E-mail preferences: each user chooses among their roles' topics, and a topic they opted
//! out of is not queued for them; other recipients and topics are unaffected. Password
//! resets: one-time links, stored as digests, answered alike for unknown addresses.

use crate::support::full_demo_db as demo_db;
use crate::support::password_sign_in;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use simdesk_domain::db::{begin, begin_write, DataScope};
use simdesk_domain::demo::DEMO_PASSWORD;
use simdesk_domain::entity::{notification, user_token};
use simdesk_domain::mail::{preferences, MailContext};
use simdesk_domain::orders::{self, PoQuery};
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::DomainError;
use simdesk_domain::{password_reset, users};
use simdesk_types::{MailTopic, PoAction, PoStatus, Role};

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

async fn told(t: &TestDatabase, po_id: i64) -> Vec<(String, String)> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    notification::Entity::find()
        .filter(notification::Column::PurchaseOrderId.eq(po_id))
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.event, n.recipient_email))
        .collect()
}

async fn submitted_po(t: &TestDatabase) -> (i64, i32) {
    let agent = actor(t, NORDWIND_AGENT).await;
    let query = PoQuery {
        statuses: vec![PoStatus::Submitted],
        limit: 10,
        ..PoQuery::default()
    };
    let id = orders::list(&t.db, &agent, query).await.unwrap().rows[0].id;
    (id, orders::detail(&t.db, &agent, id).await.unwrap().version)
}

#[tokio::test]
async fn each_role_chooses_among_its_own_topics() {
    let t = demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let mine = preferences::get(&t.db, &purchaser).await.unwrap();
    assert_eq!(mine.email, HAFEN_PURCHASER);
    let topics: Vec<MailTopic> = mine.topics.iter().map(|c| c.topic).collect();
    assert!(topics.contains(&MailTopic::Accepted) && topics.contains(&MailTopic::Shipped));
    assert!(
        !topics.contains(&MailTopic::Submitted),
        "agents' topic: {topics:?}"
    );
    assert!(
        mine.topics.iter().all(|c| c.enabled),
        "everything by default"
    );

    let agent = actor(&t, NORDWIND_AGENT).await;
    let theirs: Vec<MailTopic> = preferences::get(&t.db, &agent)
        .await
        .unwrap()
        .topics
        .iter()
        .map(|c| c.topic)
        .collect();
    assert!(theirs.contains(&MailTopic::Submitted) && !theirs.contains(&MailTopic::Accepted));

    // A topic of another role, or none at all, is refused with the field named.
    for code in ["po.submitted", "po.everything"] {
        match preferences::save(&t.db, &purchaser, &[code.to_owned()]).await {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "topics"),
            other => panic!("{code}: {other:?}"),
        }
    }
    assert!(preferences::get(&t.db, &purchaser)
        .await
        .unwrap()
        .topics
        .iter()
        .all(|c| c.enabled));
}

#[tokio::test]
async fn a_topic_opted_out_of_is_not_emailed_and_the_rest_still_are() {
    let t = demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let keep: Vec<String> = MailTopic::for_roles(&purchaser.roles)
        .into_iter()
        .filter(|t| *t != MailTopic::Accepted)
        .map(|t| t.as_str().to_owned())
        .collect();
    let saved = preferences::save(&t.db, &purchaser, &keep).await.unwrap();
    let accepted = saved
        .topics
        .iter()
        .find(|c| c.topic == MailTopic::Accepted)
        .unwrap();
    assert!(!accepted.enabled);

    let agent = actor(&t, NORDWIND_AGENT).await;
    let (id, version) = submitted_po(&t).await;
    orders::act(&t.db, &agent, id, version, PoAction::Accept, "")
        .await
        .unwrap();
    let after_accept = told(&t, id).await;
    assert!(
        !after_accept.iter().any(|(e, _)| e == "po.accepted"),
        "{after_accept:?}"
    );

    // Choosing it again brings the e-mails back.
    let all: Vec<String> = MailTopic::for_roles(&purchaser.roles)
        .into_iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    preferences::save(&t.db, &purchaser, &all).await.unwrap();
    let version = orders::detail(&t.db, &agent, id).await.unwrap().version;
    orders::act(
        &t.db,
        &agent,
        id,
        version,
        PoAction::Cancel,
        "Duplicate order",
    )
    .await
    .unwrap();
    let after_cancel = told(&t, id).await;
    assert!(
        after_cancel
            .iter()
            .any(|(e, r)| e == "po.cancelled" && r == NORDWIND_AGENT),
        "{after_cancel:?}"
    );
}

/// The reset links queued for `email`, newest last.
async fn reset_tokens(t: &TestDatabase, email: &str) -> Vec<String> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    notification::Entity::find()
        .filter(notification::Column::RecipientEmail.eq(email))
        .filter(notification::Column::Event.eq(password_reset::EVENT))
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|n| n.context)
        .map(|c| match serde_json::from_str(&c).unwrap() {
            MailContext::PasswordReset(reset) => reset.token,
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let t = demo_db().await;
    // Unknown and known addresses are answered alike; only the known one gets a link.
    password_reset::request(&t.db, "nobody@hafenlogistik.example")
        .await
        .unwrap();
    assert!(reset_tokens(&t, "nobody@hafenlogistik.example")
        .await
        .is_empty());
    password_reset::request(&t.db, " Purchaser@Hafenlogistik.example ")
        .await
        .unwrap();
    let tokens = reset_tokens(&t, HAFEN_PURCHASER).await;
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];

    // The token is stored only as a digest.
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let stored = user_token::Entity::find().all(&txn).await.unwrap();
    drop(txn);
    assert_eq!(stored.len(), 1);
    assert_ne!(&stored[0].token_hash, token);

    password_reset::check(&t.db, token).await.unwrap();
    let short = password_reset::complete(&t.db, token, "short").await;
    assert!(matches!(short, Err(DomainError::Invalid(e)) if e[0].field == "password"));
    password_reset::complete(&t.db, token, "a brand new passphrase")
        .await
        .unwrap();
    password_sign_in(&t, HAFEN_PURCHASER, "a brand new passphrase")
        .await
        .unwrap();
    assert!(password_sign_in(&t, HAFEN_PURCHASER, DEMO_PASSWORD)
        .await
        .is_err());

    // Used up: neither the page nor a second submission takes it again.
    for outcome in [
        password_reset::check(&t.db, token).await,
        password_reset::complete(&t.db, token, "yet another passphrase").await,
        password_reset::complete(&t.db, "not-a-token", "yet another passphrase").await,
    ] {
        assert!(matches!(outcome, Err(DomainError::Invalid(e)) if e[0].field == "token"));
    }
}

#[tokio::test]
async fn reset_links_expire_and_are_limited_per_hour() {
    let t = demo_db().await;
    for _ in 0..5 {
        password_reset::request(&t.db, HAFEN_PURCHASER)
            .await
            .unwrap();
    }
    let tokens = reset_tokens(&t, HAFEN_PURCHASER).await;
    assert_eq!(tokens.len(), 3, "three links an hour");

    // An hour later the first link no longer works; using one link spends the others.
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    user_token::Entity::update_many()
        .col_expr(
            user_token::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(
            user_token::Column::TokenHash
                .eq(simdesk_domain::tokens::sha256_hex(tokens[0].as_bytes())),
        )
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let expired = password_reset::complete(&t.db, &tokens[0], "a brand new passphrase").await;
    assert!(matches!(expired, Err(DomainError::Invalid(e)) if e[0].field == "token"));
    password_reset::complete(&t.db, &tokens[1], "a brand new passphrase")
        .await
        .unwrap();
    let spent = password_reset::complete(&t.db, &tokens[2], "another new passphrase").await;
    assert!(matches!(spent, Err(DomainError::Invalid(e)) if e[0].field == "token"));
}

#[tokio::test]
async fn platform_operators_get_no_reset_link() {
    let t = demo_db().await;
    password_reset::request(&t.db, "operator@simdesk.example")
        .await
        .unwrap();
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    assert_eq!(user_token::Entity::find().all(&txn).await.unwrap().len(), 0);
}

#[tokio::test]
async fn a_new_user_without_a_password_is_invited_by_a_one_time_link() {
    let t = demo_db().await;
    let admin = actor(&t, "admin@hafenlogistik.example").await;
    let email = "new.buyer@hafenlogistik.example";
    users::create(
        &t.db,
        &admin,
        users::NewUser {
            email: email.into(),
            display_name: "Nina Newcomer".into(),
            role: Role::Purchaser,
            initial_password: String::new(),
        },
    )
    .await
    .unwrap();
    // No password to guess until the link is used.
    assert!(password_sign_in(&t, email, "").await.is_err());
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let invitations = notification::Entity::find()
        .filter(notification::Column::RecipientEmail.eq(email))
        .filter(notification::Column::Event.eq(password_reset::INVITATION_EVENT))
        .all(&txn)
        .await
        .unwrap();
    drop(txn);
    assert_eq!(invitations.len(), 1);
    let token = match serde_json::from_str(invitations[0].context.as_deref().unwrap()).unwrap() {
        MailContext::Invitation(invitation) => {
            assert_eq!(invitation.invited_by, "Anna Admin");
            assert_eq!(invitation.role, "Purchaser");
            assert_eq!(invitation.valid_days, 7);
            invitation.token
        }
        other => panic!("{other:?}"),
    };
    password_reset::check(&t.db, &token).await.unwrap();
    password_reset::complete(&t.db, &token, "my own passphrase 1")
        .await
        .unwrap();
    let signed_in = password_sign_in(&t, email, "my own passphrase 1")
        .await
        .unwrap();
    assert!(!signed_in.must_change_password);
    // Once only.
    assert!(
        password_reset::complete(&t.db, &token, "another passphrase 2")
            .await
            .is_err()
    );

    // With an initial password, as before: no invitation, and a change at first sign-in.
    users::create(
        &t.db,
        &admin,
        users::NewUser {
            email: "second.buyer@hafenlogistik.example".into(),
            display_name: "Sam Second".into(),
            role: Role::Purchaser,
            initial_password: "an initial passphrase".into(),
        },
    )
    .await
    .unwrap();
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    assert!(notification::Entity::find()
        .filter(notification::Column::RecipientEmail.eq("second.buyer@hafenlogistik.example"))
        .all(&txn)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn two_passes_over_the_queue_at_once_claim_each_email_once() {
    use simdesk_domain::mail::{self, MailSettings, Portal};
    let t = demo_db().await;
    let settings = MailSettings::default();
    let (a, b) = tokio::join!(mail::due(&t.db, &settings), mail::due(&t.db, &settings));
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids = |due: &[mail::Due]| due.iter().map(mail::Due::id).collect::<Vec<_>>();
    if t.backend() == sea_orm::DbBackend::Postgres {
        // SKIP LOCKED: each pass takes rows the other did not.
        assert!(
            ids(&a).iter().all(|id| !ids(&b).contains(id)),
            "{:?} and {:?}",
            ids(&a),
            ids(&b)
        );
    }
    let portal = Portal::new("https://portal.example");
    let mut claimed = Vec::new();
    for due in a.iter().chain(b.iter()) {
        if let Some(mail) = mail::claim(&t.db, &settings, &portal, "portal.example", due)
            .await
            .unwrap()
        {
            claimed.push(mail.id());
        }
    }
    claimed.sort_unstable();
    let mut all: Vec<i64> = ids(&a).into_iter().chain(ids(&b)).collect();
    all.sort_unstable();
    all.dedup();
    assert!(!all.is_empty(), "the demo queues e-mails");
    assert_eq!(claimed, all, "every e-mail due is claimed, and once");
}

#[tokio::test]
async fn agents_who_opted_out_are_not_replaced_by_the_tenant_admins() {
    use simdesk_domain::entity::{app_user, membership};
    let t = demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let agents: Vec<String> = membership::Entity::find()
        .find_also_related(app_user::Entity)
        .filter(membership::Column::TenantId.eq(agent.tenant_id.unwrap()))
        .filter(membership::Column::Role.eq(Role::SpAgent.as_str()))
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|(_, user)| user.map(|u| u.email))
        .collect();
    drop(txn);
    assert!(!agents.is_empty());
    for email in &agents {
        let agent = actor(&t, email).await;
        let keep: Vec<String> = MailTopic::for_roles(&agent.roles)
            .into_iter()
            .filter(|t| *t != MailTopic::Submitted)
            .map(|t| t.as_str().to_owned())
            .collect();
        preferences::save(&t.db, &agent, &keep).await.unwrap();
    }

    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let input = crate::orders::po_input(&t, &purchaser, 10).await;
    let draft = orders::create_draft(&t.db, &purchaser, input)
        .await
        .unwrap();
    let version = orders::detail(&t.db, &purchaser, draft)
        .await
        .unwrap()
        .version;
    orders::act(&t.db, &purchaser, draft, version, PoAction::Submit, "")
        .await
        .unwrap();
    let detail = orders::detail(&t.db, &purchaser, draft).await.unwrap();
    assert_eq!(detail.status, PoStatus::Submitted);
    let submitted = told(&t, draft).await;
    assert!(
        !submitted.iter().any(|(e, _)| e == "po.submitted"),
        "the agents chose not to hear of it, and the tenant admins stand in only for a tenant without agents: {submitted:?}"
    );
}

#[tokio::test]
async fn each_recipient_reads_the_email_in_their_own_language() {
    let t = demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    simdesk_domain::regional::save(&t.db, &purchaser, "Europe/Berlin", "de")
        .await
        .unwrap();
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let id = orders::create_draft(
        &t.db,
        &purchaser,
        crate::orders::po_input(&t, &purchaser, 10).await,
    )
    .await
    .unwrap();
    for (who, action) in [
        (&purchaser, PoAction::Submit),
        (&actor(&t, NORDWIND_AGENT).await, PoAction::Accept),
    ] {
        let version = orders::detail(&t.db, who, id).await.unwrap().version;
        orders::act(&t.db, who, id, version, action, "")
            .await
            .unwrap();
    }
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let mails = notification::Entity::find()
        .filter(notification::Column::PurchaseOrderId.eq(id))
        .all(&txn)
        .await
        .unwrap();
    // The provider's staff were told in English of the submission, the purchaser in German of
    // the acceptance, with German figures.
    let submitted = mails.iter().find(|m| m.event == "po.submitted").unwrap();
    assert!(
        submitted.subject.starts_with("Purchase order "),
        "{}",
        submitted.subject
    );
    let accepted = mails
        .iter()
        .find(|m| m.event == "po.accepted" && m.recipient_email == HAFEN_PURCHASER)
        .unwrap();
    assert!(
        accepted.subject.starts_with("Bestellung PO-"),
        "{}",
        accepted.subject
    );
    assert!(
        accepted.subject.ends_with(": Angenommen"),
        "{}",
        accepted.subject
    );
    let context: MailContext = serde_json::from_str(accepted.context.as_deref().unwrap()).unwrap();
    let MailContext::PurchaseOrder(po) = &context else {
        panic!("{context:?}");
    };
    assert_eq!(po.headline, "Ihre Bestellung wurde angenommen");
    assert_eq!(po.status, "Angenommen");
    assert!(
        po.total.ends_with(" EUR") && po.total.contains(','),
        "{}",
        po.total
    );
}
