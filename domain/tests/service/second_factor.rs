use crate::support::*;
use sea_orm::EntityTrait;
use simdesk_domain::auth::{self, SignInStep, LOCKOUT_THRESHOLD};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::demo::DEMO_PASSWORD;
use simdesk_domain::entity::app_user;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing::TestDatabase;
use simdesk_domain::{second_factor, tenants, users, DomainError};
use totp_rs::{Builder, Secret};

/// The code an authenticator app with `key` shows `steps` time steps from now.
fn code(key: &str, steps: i64) -> String {
    let secret = Secret::try_from_base32(key.replace(' ', "")).expect("a base32 key");
    let totp = Builder::new()
        .with_secret(secret)
        .build()
        .expect("a TOTP generator");
    let at = chrono::Utc::now().timestamp() + steps * 30;
    totp.generate(u64::try_from(at).unwrap()).to_string()
}

/// Sets up an authenticator app for `email`; returns its key and the recovery codes.
async fn enrol(t: &TestDatabase, key: &SecretKey, email: &str) -> (String, Vec<String>) {
    let me = actor(t, email).await;
    second_factor::start_enrolment(&t.db, key, &me)
        .await
        .unwrap();
    let status = second_factor::status(&t.db, key, &me).await.unwrap();
    let enrolment = status.enrolment.expect("an enrolment to confirm");
    assert!(enrolment.qr_svg.starts_with("<svg"), "{}", enrolment.qr_svg);
    assert!(enrolment.otpauth_url.starts_with("otpauth://totp/simdesk:"));
    let codes = second_factor::confirm_enrolment(&t.db, key, &me, &code(&enrolment.key, 0))
        .await
        .unwrap();
    (enrolment.key, codes)
}

async fn password_step(t: &TestDatabase, email: &str, browser: Option<&str>) -> SignInStep {
    auth::sign_in(&t.db, email, DEMO_PASSWORD, browser)
        .await
        .expect("the password is right")
}

async fn stored_user(t: &TestDatabase, email: &str) -> app_user::Model {
    let id = user_id(t, email).await;
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    app_user::Entity::find_by_id(id)
        .one(&txn)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn an_enrolled_user_signs_in_with_a_fresh_code_once() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let me = actor(&t, NORDWIND_AGENT).await;
    second_factor::start_enrolment(&t.db, &key, &me)
        .await
        .unwrap();
    let pending = second_factor::status(&t.db, &key, &me).await.unwrap();
    let app_key = pending.enrolment.expect("an enrolment").key;
    // Until confirmed, the password alone signs in.
    assert!(matches!(
        password_step(&t, NORDWIND_AGENT, None).await,
        SignInStep::Done(_)
    ));
    let wrong = second_factor::confirm_enrolment(&t.db, &key, &me, "000000").await;
    assert!(
        matches!(&wrong, Err(DomainError::Invalid(e)) if e[0].field == "code"),
        "{wrong:?}"
    );
    let recovery = second_factor::confirm_enrolment(&t.db, &key, &me, &code(&app_key, 0))
        .await
        .unwrap();
    assert_eq!(recovery.len(), second_factor::RECOVERY_CODES);
    let stored = stored_user(&t, NORDWIND_AGENT).await;
    assert!(
        !stored
            .totp_secret
            .as_deref()
            .unwrap()
            .contains(&app_key.replace(' ', "")),
        "the secret is sealed"
    );

    let SignInStep::SecondFactor { user_id } = password_step(&t, NORDWIND_AGENT, None).await else {
        panic!("a code is asked for");
    };
    // The code that confirmed the app was spent; so is every earlier one.
    for used in [code(&app_key, 0), code(&app_key, -1)] {
        assert!(matches!(
            auth::complete_second_factor(&t.db, &key, user_id, &used).await,
            Err(DomainError::SignInFailed)
        ));
    }
    // Two steps ahead is beyond the clock skew allowed.
    assert!(
        auth::complete_second_factor(&t.db, &key, user_id, &code(&app_key, 2))
            .await
            .is_err()
    );
    // One step ahead (a phone's clock running fast) counts, with spaces as apps show it.
    let next = code(&app_key, 1);
    let spaced = format!("{} {}", &next[..3], &next[3..]);
    let signed_in = auth::complete_second_factor(&t.db, &key, user_id, &spaced)
        .await
        .expect("a fresh code signs in");
    assert_eq!(signed_in.user_id, user_id);
    // … once.
    assert!(auth::complete_second_factor(&t.db, &key, user_id, &next)
        .await
        .is_err());
    let actions = audit_actions(&t).await;
    assert!(actions
        .iter()
        .any(|(_, a, _)| a == "user.second_factor_enabled"));
}

#[tokio::test]
async fn recovery_codes_sign_in_once_each() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let (_, recovery) = enrol(&t, &key, NORDWIND_ADMIN).await;
    let SignInStep::SecondFactor { user_id } = password_step(&t, NORDWIND_ADMIN, None).await else {
        panic!("a code is asked for");
    };
    // Typed loosely: lower case, without the hyphen.
    let typed = recovery[0].replace('-', "").to_lowercase();
    auth::complete_second_factor(&t.db, &key, user_id, &typed)
        .await
        .expect("a recovery code signs in");
    assert!(
        auth::complete_second_factor(&t.db, &key, user_id, &recovery[0])
            .await
            .is_err()
    );
    let me = actor(&t, NORDWIND_ADMIN).await;
    let status = second_factor::status(&t.db, &key, &me).await.unwrap();
    assert_eq!(
        status.recovery_codes_left as usize,
        second_factor::RECOVERY_CODES - 1
    );
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let (app_key, _) = enrol(&t, &key, NORDWIND_AGENT).await;
    let SignInStep::SecondFactor { user_id } = password_step(&t, NORDWIND_AGENT, None).await else {
        panic!("a code is asked for");
    };
    for _ in 0..LOCKOUT_THRESHOLD {
        assert!(auth::complete_second_factor(&t.db, &key, user_id, "123456")
            .await
            .is_err());
    }
    // Paused: the right code and the right password fail alike now.
    assert!(matches!(
        auth::complete_second_factor(&t.db, &key, user_id, &code(&app_key, 1)).await,
        Err(DomainError::SignInFailed)
    ));
    assert!(matches!(
        auth::sign_in(&t.db, NORDWIND_AGENT, DEMO_PASSWORD, None).await,
        Err(DomainError::SignInFailed)
    ));
    let actions = audit_actions(&t).await;
    assert!(actions.iter().any(|(_, a, _)| a == "user.locked_out"));
}

#[tokio::test]
async fn concurrent_attempts_with_one_code_sign_in_once() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let (app_key, _) = enrol(&t, &key, NORDWIND_AGENT).await;
    let user_id = user_id(&t, NORDWIND_AGENT).await;
    let next = code(&app_key, 1);
    let attempts = (0..8).map(|_| auth::complete_second_factor(&t.db, &key, user_id, &next));
    let passed = futures::future::join_all(attempts)
        .await
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(passed, 1);
}

#[tokio::test]
async fn a_trusted_browser_is_not_asked_for_a_code() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    enrol(&t, &key, NORDWIND_AGENT).await;
    enrol(&t, &key, NORDWIND_ADMIN).await;
    let agent = user_id(&t, NORDWIND_AGENT).await;
    let cookie =
        second_factor::trust_browser(&t.db, agent, "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
            .await
            .unwrap();
    assert!(matches!(
        password_step(&t, NORDWIND_AGENT, Some(&cookie)).await,
        SignInStep::Done(_)
    ));
    // Another user's cookie, or a made-up one, is no trust at all.
    assert!(matches!(
        password_step(&t, NORDWIND_ADMIN, Some(&cookie)).await,
        SignInStep::SecondFactor { .. }
    ));
    assert!(matches!(
        password_step(&t, NORDWIND_AGENT, Some("made-up")).await,
        SignInStep::SecondFactor { .. }
    ));
    let me = actor(&t, NORDWIND_AGENT).await;
    let status = second_factor::status(&t.db, &key, &me).await.unwrap();
    assert_eq!(status.trusted_browsers.len(), 1);
    assert_eq!(status.trusted_browsers[0].label, "Chrome on Linux");
    // The admin cannot forget the agent's browser by its id.
    let admin = actor(&t, NORDWIND_ADMIN).await;
    assert!(matches!(
        second_factor::forget_browsers(&t.db, &admin, Some(status.trusted_browsers[0].id)).await,
        Err(DomainError::NotFound)
    ));
    second_factor::forget_browsers(&t.db, &me, None)
        .await
        .unwrap();
    assert!(matches!(
        password_step(&t, NORDWIND_AGENT, Some(&cookie)).await,
        SignInStep::SecondFactor { .. }
    ));
}

#[tokio::test]
async fn a_tenant_requires_a_second_factor_of_staff_and_account_admins() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let mut settings = tenants::settings(&t.db, &admin).await.unwrap();
    settings.require_second_factor = true;
    tenants::update_settings(&t.db, &admin, settings)
        .await
        .unwrap();

    let due = |email: &'static str, vouched: bool| {
        let t = &t;
        async move {
            let id = user_id(t, email).await;
            auth::session_actor(&t.db, id, vouched)
                .await
                .unwrap()
                .unwrap()
                .must_enrol_second_factor
        }
    };
    assert!(due(NORDWIND_AGENT, false).await);
    assert!(due(HAFEN_ADMIN, false).await);
    assert!(
        !due(HAFEN_PURCHASER, false).await,
        "purchasers are not covered"
    );
    assert!(!due(ALPINA_AGENT, false).await, "another tenant's rule");
    assert!(
        !due(HAFEN_ADMIN, true).await,
        "single sign-on vouched for the sign-in"
    );

    let (app_key, _) = enrol(&t, &key, NORDWIND_AGENT).await;
    assert!(!due(NORDWIND_AGENT, false).await);
    // Required, so it stays on.
    let agent = actor(&t, NORDWIND_AGENT).await;
    let refused = second_factor::turn_off(&t.db, &key, &agent, &code(&app_key, 1)).await;
    assert!(
        matches!(&refused, Err(DomainError::Invalid(e)) if e[0].message.contains("requires")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn turning_it_off_needs_a_code_and_removes_everything() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let (app_key, recovery) = enrol(&t, &key, HAFEN_PURCHASER).await;
    let me = actor(&t, HAFEN_PURCHASER).await;
    assert!(second_factor::turn_off(&t.db, &key, &me, "111111")
        .await
        .is_err());
    second_factor::turn_off(&t.db, &key, &me, &code(&app_key, 1))
        .await
        .unwrap();
    assert!(matches!(
        password_step(&t, HAFEN_PURCHASER, None).await,
        SignInStep::Done(_)
    ));
    let status = second_factor::status(&t.db, &key, &me).await.unwrap();
    assert_eq!((status.enabled_at, status.recovery_codes_left), (None, 0));
    // The old recovery codes are gone with it.
    let user_id = user_id(&t, HAFEN_PURCHASER).await;
    assert!(
        auth::complete_second_factor(&t.db, &key, user_id, &recovery[1])
            .await
            .is_err()
    );
}

#[tokio::test]
async fn admins_reset_the_second_factor_of_their_own_users_only() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    enrol(&t, &key, HAFEN_PURCHASER).await;
    enrol(&t, &key, ALPINA_AGENT).await;
    let purchaser = user_id(&t, HAFEN_PURCHASER).await;
    let alpina_agent = user_id(&t, ALPINA_AGENT).await;

    // Another tenant's admin, and an account admin of another account, find no such user.
    let nordwind_admin = actor(&t, NORDWIND_ADMIN).await;
    assert!(matches!(
        users::reset_second_factor(&t.db, &nordwind_admin, alpina_agent).await,
        Err(DomainError::NotFound)
    ));
    let bergbahn_admin = actor(&t, BERGBAHN_ADMIN).await;
    assert!(matches!(
        users::reset_second_factor(&t.db, &bergbahn_admin, purchaser).await,
        Err(DomainError::NotFound)
    ));
    let denied = audit_actions(&t)
        .await
        .into_iter()
        .filter(|(_, action, _)| action == "access.denied")
        .count();
    assert_eq!(denied, 2);

    let hafen_admin = actor(&t, HAFEN_ADMIN).await;
    let row = users::reset_second_factor(&t.db, &hafen_admin, purchaser)
        .await
        .unwrap();
    assert!(!row.second_factor);
    assert!(matches!(
        password_step(&t, HAFEN_PURCHASER, None).await,
        SignInStep::Done(_)
    ));
    assert!(matches!(
        users::reset_second_factor(&t.db, &hafen_admin, purchaser).await,
        Err(DomainError::Conflict(_))
    ));
    assert!(matches!(
        password_step(&t, ALPINA_AGENT, None).await,
        SignInStep::SecondFactor { .. }
    ));
}
