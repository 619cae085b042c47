use crate::support::*;
use simdesk_domain::auth::{self, LOCKOUT_THRESHOLD};
use simdesk_domain::demo::{self, DEMO_PASSWORD};
use simdesk_domain::{users, DomainError};
use simdesk_types::Role;

#[tokio::test]
async fn demo_users_sign_in_with_their_roles() {
    let t = demo_db().await;
    for login in demo::logins() {
        let actor = password_sign_in(&t, &login.email, DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", login.email));
        assert_eq!(actor.roles, vec![login.role], "{}", login.email);
    }
    // Case and surrounding spaces in the e-mail do not matter.
    assert!(
        password_sign_in(&t, "  Admin@Nordwind.Example ", DEMO_PASSWORD)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_full_demo_seeds_once_and_onboards_an_account() {
    let t = simdesk_domain::testing::fresh().await;
    assert!(demo::seed(&t.db).await.unwrap());
    let before = audit_actions(&t).await.len();
    assert!(!demo::seed(&t.db).await.unwrap());
    assert_eq!(
        audit_actions(&t).await.len(),
        before,
        "seeding again changes nothing"
    );
    // The demo purchaser has products at contract prices; the first account is ready to order.
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let catalog = simdesk_domain::accounts::catalog(&t.db, &purchaser)
        .await
        .unwrap();
    let prices: Vec<&str> = catalog
        .entries
        .iter()
        .map(|e| e.price.display.as_str())
        .collect();
    assert_eq!(prices, ["6.50 EUR", "4.20 EUR"]);
    let agent = actor(&t, NORDWIND_AGENT).await;
    let account = simdesk_domain::accounts::account(&t.db, &agent, purchaser.account_id.unwrap())
        .await
        .unwrap();
    assert!(account.ready_to_order(), "{:?}", account.checklist);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_fail_the_same_way() {
    let t = demo_db().await;
    let wrong = password_sign_in(&t, NORDWIND_ADMIN, "not the password").await;
    let unknown = password_sign_in(&t, "nobody@nowhere.example", DEMO_PASSWORD).await;
    let empty = password_sign_in(&t, "", "").await;
    for result in [wrong, unknown, empty] {
        assert!(
            matches!(result, Err(DomainError::SignInFailed)),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let t = demo_db().await;
    for _ in 0..LOCKOUT_THRESHOLD {
        assert!(password_sign_in(&t, NORDWIND_AGENT, "guess guess guess")
            .await
            .is_err());
    }
    let locked = password_sign_in(&t, NORDWIND_AGENT, DEMO_PASSWORD).await;
    assert!(
        matches!(locked, Err(DomainError::SignInFailed)),
        "{locked:?}"
    );
    let actions: Vec<String> = audit_actions(&t).await.into_iter().map(|a| a.1).collect();
    assert!(actions.contains(&"user.locked_out".to_owned()));
    // Other users are unaffected.
    assert!(password_sign_in(&t, NORDWIND_ADMIN, DEMO_PASSWORD)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let t = demo_db().await;
    for _ in 0..LOCKOUT_THRESHOLD - 1 {
        assert!(password_sign_in(&t, NORDWIND_AGENT, "guess guess guess")
            .await
            .is_err());
    }
    assert!(password_sign_in(&t, NORDWIND_AGENT, DEMO_PASSWORD)
        .await
        .is_ok());
    for _ in 0..LOCKOUT_THRESHOLD - 1 {
        assert!(password_sign_in(&t, NORDWIND_AGENT, "guess guess guess")
            .await
            .is_err());
    }
    assert!(password_sign_in(&t, NORDWIND_AGENT, DEMO_PASSWORD)
        .await
        .is_ok());
}

#[tokio::test]
async fn parallel_guesses_cannot_exceed_the_threshold_unnoticed() {
    let t = demo_db().await;
    let guesses = (0..LOCKOUT_THRESHOLD * 2)
        .map(|_| password_sign_in(&t, NORDWIND_AGENT, "guess guess guess"));
    for result in futures::future::join_all(guesses).await {
        assert!(result.is_err());
    }
    assert!(password_sign_in(&t, NORDWIND_AGENT, DEMO_PASSWORD)
        .await
        .is_err());
}

#[tokio::test]
async fn deactivated_users_cannot_sign_in_and_lose_their_actor() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let agent_id = user_id(&t, NORDWIND_AGENT).await;
    users::set_active(&t.db, &admin, agent_id, false)
        .await
        .unwrap();
    assert!(password_sign_in(&t, NORDWIND_AGENT, DEMO_PASSWORD)
        .await
        .is_err());
    assert!(simdesk_domain::Actor::load(&t.db, agent_id)
        .await
        .unwrap()
        .is_none());
    users::set_active(&t.db, &admin, agent_id, true)
        .await
        .unwrap();
    assert!(password_sign_in(&t, NORDWIND_AGENT, DEMO_PASSWORD)
        .await
        .is_ok());
}

#[tokio::test]
async fn new_users_must_change_their_initial_password() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    users::create(
        &t.db,
        &admin,
        users::NewUser {
            email: "new.agent@nordwind.example".into(),
            display_name: "New Agent".into(),
            role: Role::SpAgent,
            initial_password: "initial password 1".into(),
        },
    )
    .await
    .unwrap();
    let agent = password_sign_in(&t, "new.agent@nordwind.example", "initial password 1")
        .await
        .unwrap();
    let info = simdesk_domain::dashboard::session_info(&t.db, &agent)
        .await
        .unwrap();
    assert!(info.must_change_password);

    let wrong = auth::change_password(&t.db, &agent, "not it at all", "a brand new password").await;
    assert!(matches!(wrong, Err(DomainError::Invalid(ref f)) if f[0].field == "current_password"));
    let short = auth::change_password(&t.db, &agent, "initial password 1", "short").await;
    assert!(matches!(short, Err(DomainError::Invalid(ref f)) if f[0].field == "password"));

    auth::change_password(&t.db, &agent, "initial password 1", "a brand new password")
        .await
        .unwrap();
    let info = simdesk_domain::dashboard::session_info(&t.db, &agent)
        .await
        .unwrap();
    assert!(!info.must_change_password);
    assert!(
        password_sign_in(&t, "new.agent@nordwind.example", "initial password 1")
            .await
            .is_err()
    );
    assert!(
        password_sign_in(&t, "new.agent@nordwind.example", "a brand new password")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_per_address_limit_holds_across_instances() {
    use simdesk_domain::sign_in_limit;
    let t = demo_db().await;
    // A second pool on the same database plays a second instance.
    let other = simdesk_domain::db::connect(&t.url).await.unwrap();
    // Attempts are counted per minute of the clock: all of these fall in one.
    let second = chrono::Utc::now().timestamp().rem_euclid(60);
    if second >= 55 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - second as u64)).await;
    }
    let client = sign_in_limit::client_key("198.51.100.7".parse().unwrap());
    let mut allowed = 0;
    for attempt in 0..6 {
        let db = if attempt % 2 == 0 { &t.db } else { &other };
        if sign_in_limit::allow(db, &client, 4).await.unwrap() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 4, "four attempts a minute, wherever they arrive");
    // Another address is counted on its own; concurrent attempts are counted one by one.
    let attempts = (0..8).map(|_| sign_in_limit::allow(&other, "203.0.113.1", 5));
    let passed = futures::future::join_all(attempts)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(true)))
        .count();
    assert_eq!(passed, 5);
    // Nothing of the current minute is purged.
    sign_in_limit::purge(&t.db).await.unwrap();
    assert!(!sign_in_limit::allow(&t.db, &client, 4).await.unwrap());
}
