//! Single sign-on against a real OpenID provider (`oidc-provider`, started per test on
//! loopback): configuration, the code flow, ID-token checks, just-in-time users, role mapping,
//! policy, and isolation between accounts and tenants.

use crate::support::password_sign_in;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{app_user, identity_provider};
use simdesk_domain::secret::SecretKey;
use simdesk_domain::sso::{self, oidc, OidcSettings, ProviderConfig, SsoError};
use simdesk_domain::testing::oidc::{OidcProvider, ProviderUser};
use simdesk_domain::testing::TestDatabase;
use simdesk_domain::{demo, users, Actor, DomainError};
use simdesk_types::{Role, SsoConfigInput};

use crate::support::{actor, demo_db, user_id};

const REDIRECT: &str = "http://127.0.0.1:1/auth/sso/callback";
const HAFEN_ADMIN: &str = "admin@hafenlogistik.example";
const HAFEN_AGENT: &str = "agent@nordwind.example";

fn settings() -> OidcSettings {
    OidcSettings {
        timeout: std::time::Duration::from_secs(5),
        ..OidcSettings::default()
    }
}

fn users() -> Vec<ProviderUser> {
    vec![
        ProviderUser::new("ada-1", "ada@sso.hafen.example", &["sim-buyers"]),
        ProviderUser::new(
            "ben-2",
            "ben@sso.hafen.example",
            &["sim-admins", "sim-buyers"],
        ),
        ProviderUser::new("cy-3", "cy@sso.hafen.example", &["unrelated"]),
        ProviderUser::new("dan-4", "dan@elsewhere.example", &["sim-buyers"]),
    ]
}

fn input(issuer: &str, client_id: &str, secret: &str, domains: &str) -> SsoConfigInput {
    SsoConfigInput {
        enabled: true,
        issuer_url: issuer.into(),
        client_id: client_id.into(),
        client_secret: secret.into(),
        scopes: "email profile groups".into(),
        domains: domains.into(),
        role_claim: "groups".into(),
        role_mapping: "sim-buyers = purchaser\nsim-admins = account_admin".into(),
        jit_enabled: true,
        jit_role: "viewer".into(),
        require_sso: false,
        break_glass_user_id: None,
    }
}

/// Saves the settings of the actor's own account.
async fn save_own(
    t: &TestDatabase,
    key: &SecretKey,
    actor: &Actor,
    version: i32,
    input: SsoConfigInput,
) -> Result<simdesk_types::SsoConfigView, DomainError> {
    sso::save(&t.db, key, actor, None, version, input, REDIRECT).await
}

/// The enabled provider the e-mail address's domain routes to.
async fn routed(t: &TestDatabase, key: &SecretKey, email: &str) -> ProviderConfig {
    sso::provider_for_email(&t.db, key, email)
        .await
        .expect("routing")
        .unwrap_or_else(|| panic!("{email} routes to a provider"))
}

/// Configures the Hafenlogistik account for `provider` through the service, as its admin.
async fn configure(t: &TestDatabase, key: &SecretKey, provider: &OidcProvider) -> ProviderConfig {
    let client = provider
        .register(REDIRECT, "http://127.0.0.1:1/sign-in")
        .await;
    let admin = actor(t, HAFEN_ADMIN).await;
    sso::save(
        &t.db,
        key,
        &admin,
        None,
        0,
        input(
            &provider.issuer,
            &client.client_id,
            &client.client_secret,
            "sso.hafen.example",
        ),
        REDIRECT,
    )
    .await
    .expect("configuration saved");
    // Routing ignores the case of the address.
    routed(t, key, "someone@SSO.hafen.example").await
}

/// One whole sign-in: begin, the user at the provider, the code back.
async fn flow(
    provider: &OidcProvider,
    config: &ProviderConfig,
    login: &str,
) -> (oidc::PendingSignIn, String) {
    flow_with(provider, config, login, &settings()).await
}

/// [`flow`] under the given settings (and so their cache of provider metadata).
async fn flow_with(
    provider: &OidcProvider,
    config: &ProviderConfig,
    login: &str,
    settings: &OidcSettings,
) -> (oidc::PendingSignIn, String) {
    let (url, pending) = oidc::begin(config, REDIRECT, "/", settings)
        .await
        .expect("begin");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("nonce="), "{url}");
    let back = provider.sign_in(&url, login, REDIRECT).await;
    let query: std::collections::HashMap<String, String> = url::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(query.get("state"), Some(&pending.state), "state comes back");
    (pending, query["code"].clone())
}

async fn sso_sign_in(
    t: &TestDatabase,
    provider: &OidcProvider,
    config: &ProviderConfig,
    login: &str,
) -> Result<Actor, SsoError> {
    let (pending, code) = flow(provider, config, login).await;
    let identity = oidc::finish(config, pending, &code, REDIRECT, &settings()).await?;
    sso::sign_in(&t.db, config, &identity).await
}

#[tokio::test]
async fn provider_keys_are_kept_and_a_key_rotation_is_followed_at_once() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let mut provider = OidcProvider::start(&users(), 3600).await;
    let config = configure(&t, &key, &provider).await;
    let kept = settings();
    let (pending, code) = flow_with(&provider, &config, "ada@sso.hafen.example", &kept).await;
    oidc::finish(&config, pending, &code, REDIRECT, &kept)
        .await
        .expect("signed in with the first key");

    // The provider rotates its keys. A token signed with the new key, checked with the keys
    // kept from before, makes them be fetched again at once.
    provider.rotate_keys("rotated-signing-key").await;
    let elsewhere = settings();
    let (pending, code) = flow_with(&provider, &config, "ada@sso.hafen.example", &elsewhere).await;
    let nonce = pending.nonce.clone();
    let token = oidc::finish(&config, pending, &code, REDIRECT, &elsewhere)
        .await
        .expect("signed in with the rotated key")
        .id_token;
    let identity = oidc::verify_id_token(&config, &token, &nonce, &kept)
        .await
        .expect("the rotated key is fetched");
    assert_eq!(identity.subject, "ada-1");

    // The keys are kept: with the provider gone, the token is still checked.
    drop(provider);
    oidc::verify_id_token(&config, &token, &nonce, &kept)
        .await
        .expect("checked with the kept keys");
    assert!(matches!(
        oidc::verify_id_token(&config, &token, &nonce, &settings()).await,
        Err(SsoError::Unreachable(_))
    ));
}

#[tokio::test]
async fn jit_users_get_mapped_roles_and_lose_them_with_the_group() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider = OidcProvider::start(&users(), 3600).await;
    let config = configure(&t, &key, &provider).await;

    let ada = sso_sign_in(&t, &provider, &config, "ada@sso.hafen.example")
        .await
        .expect("ada signs in");
    assert_eq!(ada.roles, vec![Role::Purchaser]);
    let hafen = actor(&t, HAFEN_ADMIN).await;
    assert_eq!(
        ada.account_id, hafen.account_id,
        "created in the configured account"
    );
    assert_eq!(ada.tenant_id, hafen.tenant_id);

    let ben = sso_sign_in(&t, &provider, &config, "ben@sso.hafen.example")
        .await
        .unwrap();
    assert_eq!(ben.roles, vec![Role::AccountAdmin, Role::Purchaser]);

    // No mapped group: the default role of just-in-time users.
    let cy = sso_sign_in(&t, &provider, &config, "cy@sso.hafen.example")
        .await
        .unwrap();
    assert_eq!(cy.roles, vec![Role::Viewer]);

    // Ben leaves the admins group at the provider: the next sign-in takes the role away.
    let mut changed = users();
    changed[1].groups = vec!["sim-buyers".into()];
    provider.set_users(&changed);
    let ben_again = sso_sign_in(&t, &provider, &config, "ben@sso.hafen.example")
        .await
        .unwrap();
    assert_eq!(
        ben_again.user_id, ben.user_id,
        "the same user, keyed by issuer and subject"
    );
    assert_eq!(ben_again.roles, vec![Role::Purchaser]);

    // A user of another domain is not created in this account.
    let dan = sso_sign_in(&t, &provider, &config, "dan@elsewhere.example").await;
    assert!(matches!(dan, Err(SsoError::UnknownUser(_))), "{dan:?}");
}

#[tokio::test]
async fn the_provider_changing_the_email_does_not_change_the_user() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider = OidcProvider::start(&users(), 3600).await;
    let config = configure(&t, &key, &provider).await;
    let first = sso_sign_in(&t, &provider, &config, "ada@sso.hafen.example")
        .await
        .unwrap();
    // Same subject, another e-mail: still Ada's simdesk user.
    let mut changed = users();
    changed[0].email = "ada.renamed@sso.hafen.example".into();
    provider.set_users(&changed);
    let again = sso_sign_in(&t, &provider, &config, "ada@sso.hafen.example")
        .await
        .unwrap();
    assert_eq!(again.user_id, first.user_id);
}

#[tokio::test]
async fn a_replayed_code_and_a_wrong_nonce_are_refused() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider = OidcProvider::start(&users(), 3600).await;
    let config = configure(&t, &key, &provider).await;

    let (pending, code) = flow(&provider, &config, "ada@sso.hafen.example").await;
    oidc::finish(&config, pending.clone(), &code, REDIRECT, &settings())
        .await
        .expect("first use of the code");
    let replay = oidc::finish(&config, pending, &code, REDIRECT, &settings()).await;
    assert!(
        matches!(&replay, Err(SsoError::CodeRejected(m)) if m.contains("invalid_grant")),
        "{replay:?}"
    );

    let (mut pending, code) = flow(&provider, &config, "ada@sso.hafen.example").await;
    pending.nonce = "another-browser".into();
    let mismatch = oidc::finish(&config, pending, &code, REDIRECT, &settings()).await;
    assert!(
        matches!(&mismatch, Err(SsoError::InvalidToken(m)) if m.to_lowercase().contains("nonce")),
        "{mismatch:?}"
    );

    // A sign-in started too long ago.
    let (mut pending, code) = flow(&provider, &config, "ada@sso.hafen.example").await;
    pending.started_at -= chrono::Duration::minutes(11);
    let late = oidc::finish(&config, pending, &code, REDIRECT, &settings()).await;
    assert!(matches!(late, Err(SsoError::Expired)), "{late:?}");
}

#[tokio::test]
async fn tokens_of_another_issuer_or_client_and_expired_ones_are_refused() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider = OidcProvider::start(&users(), 3600).await;
    let config = configure(&t, &key, &provider).await;

    // A genuine token from another provider, checked as if from ours.
    let other = OidcProvider::start(&users(), 3600).await;
    let other_client = other.register(REDIRECT, "http://127.0.0.1:1/sign-in").await;
    let mut other_config = config.clone();
    other_config.issuer_url = other.issuer.clone();
    other_config.client_id = other_client.client_id;
    other_config.client_secret = other_client.client_secret;
    let (pending, code) = flow(&other, &other_config, "ada@sso.hafen.example").await;
    let foreign = oidc::finish(&other_config, pending.clone(), &code, REDIRECT, &settings())
        .await
        .expect("valid at its own provider");
    let refused =
        oidc::verify_id_token(&config, &foreign.id_token, &pending.nonce, &settings()).await;
    assert!(
        matches!(refused, Err(SsoError::InvalidToken(_))),
        "{refused:?}"
    );

    // A token our provider issued to another client.
    let second = provider
        .register(REDIRECT, "http://127.0.0.1:1/sign-in")
        .await;
    let mut second_config = config.clone();
    second_config.client_id = second.client_id;
    second_config.client_secret = second.client_secret;
    let (pending, code) = flow(&provider, &second_config, "ada@sso.hafen.example").await;
    let for_second = oidc::finish(
        &second_config,
        pending.clone(),
        &code,
        REDIRECT,
        &settings(),
    )
    .await
    .unwrap();
    let wrong_audience =
        oidc::verify_id_token(&config, &for_second.id_token, &pending.nonce, &settings()).await;
    assert!(
        matches!(&wrong_audience, Err(SsoError::InvalidToken(m)) if m.to_lowercase().contains("audience")),
        "{wrong_audience:?}"
    );

    // A provider whose ID tokens live one second.
    let brief = OidcProvider::start(&users(), 1).await;
    let brief_client = brief.register(REDIRECT, "http://127.0.0.1:1/sign-in").await;
    let mut brief_config = config.clone();
    brief_config.issuer_url = brief.issuer.clone();
    brief_config.client_id = brief_client.client_id;
    brief_config.client_secret = brief_client.client_secret;
    let (pending, code) = flow(&brief, &brief_config, "ada@sso.hafen.example").await;
    let fresh = oidc::finish(&brief_config, pending.clone(), &code, REDIRECT, &settings())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let strict = OidcSettings {
        clock_skew: chrono::Duration::zero(),
        ..settings()
    };
    let expired =
        oidc::verify_id_token(&brief_config, &fresh.id_token, &pending.nonce, &strict).await;
    assert!(
        matches!(&expired, Err(SsoError::InvalidToken(m)) if m.to_lowercase().contains("expired")),
        "{expired:?}"
    );
    // Within the tolerated clock skew, the same token still passes.
    oidc::verify_id_token(&brief_config, &fresh.id_token, &pending.nonce, &settings())
        .await
        .expect("accepted within the skew");
}

#[tokio::test]
async fn a_provider_that_does_not_answer_times_out_with_a_clear_error() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    // Accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", silent.local_addr().unwrap());
    let admin = actor(&t, HAFEN_ADMIN).await;
    save_own(
        &t,
        &key,
        &admin,
        0,
        input(&issuer, "simdesk", "s", "sso.hafen.example"),
    )
    .await
    .unwrap();
    let config = routed(&t, &key, "x@sso.hafen.example").await;
    let quick = OidcSettings {
        timeout: std::time::Duration::from_secs(1),
        ..settings()
    };
    let started = std::time::Instant::now();
    let result = oidc::begin(&config, REDIRECT, "/", &quick).await;
    assert!(
        matches!(&result, Err(SsoError::Unreachable(m)) if m.contains("did not answer within 1 seconds")),
        "{:?}",
        result.map(|(url, _)| url)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "no hang"
    );

    let report = sso::test_connection(&t.db, &key, &admin, None, &quick)
        .await
        .unwrap();
    assert!(!report[0].passed);
    assert!(
        report[0].message.contains("could not be reached"),
        "{report:?}"
    );

    // Nothing listens at all.
    drop(silent);
    let refused = oidc::begin(&config, REDIRECT, "/", &quick).await;
    assert!(matches!(refused, Err(SsoError::Unreachable(_))));
}

#[tokio::test]
async fn test_connection_reports_a_working_provider_and_an_issuer_mismatch() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider = OidcProvider::start(&users(), 3600).await;
    configure(&t, &key, &provider).await;
    let admin = actor(&t, HAFEN_ADMIN).await;
    let report = sso::test_connection(&t.db, &key, &admin, None, &settings())
        .await
        .unwrap();
    assert!(report.iter().all(|c| c.passed), "{report:?}");
    assert!(report
        .iter()
        .any(|c| c.message.contains("end_session_endpoint")));

    // The provider calls itself 127.0.0.1; "localhost" is not the same issuer.
    let view = sso::config(&t.db, &admin, None, REDIRECT).await.unwrap();
    let mut moved = input(
        &provider.issuer.replace("127.0.0.1", "localhost"),
        &view.client_id,
        "",
        "sso.hafen.example",
    );
    moved.client_secret = String::new();
    save_own(&t, &key, &admin, view.version, moved)
        .await
        .unwrap();
    let report = sso::test_connection(&t.db, &key, &admin, None, &settings())
        .await
        .unwrap();
    assert!(!report[0].passed);
    assert!(
        report[0].message.to_lowercase().contains("issuer"),
        "{report:?}"
    );
}

#[tokio::test]
async fn deactivated_users_cannot_sign_in_through_sso() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider = OidcProvider::start(&users(), 3600).await;
    let config = configure(&t, &key, &provider).await;
    let ada = sso_sign_in(&t, &provider, &config, "ada@sso.hafen.example")
        .await
        .unwrap();
    let admin = actor(&t, HAFEN_ADMIN).await;
    users::set_active(&t.db, &admin, ada.user_id, false)
        .await
        .unwrap();
    let refused = sso_sign_in(&t, &provider, &config, "ada@sso.hafen.example").await;
    assert!(matches!(refused, Err(SsoError::Deactivated)), "{refused:?}");
}

#[tokio::test]
async fn existing_users_are_linked_by_verified_email_only_in_their_own_account() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let mut provider_users = users();
    // Accounts' existing users, at the provider under the same addresses.
    provider_users.push(ProviderUser::new(
        "pur-5",
        "purchaser@hafenlogistik.example",
        &["sim-buyers"],
    ));
    provider_users.push(ProviderUser::new(
        "app-8",
        "approver@hafenlogistik.example",
        &["sim-buyers"],
    ));
    provider_users.push(ProviderUser::new(
        "lake-6",
        "purchaser@lakeside.example",
        &[],
    ));
    let mut unverified = ProviderUser::new("vie-7", "viewer@hafenlogistik.example", &[]);
    unverified.email_verified = false;
    provider_users.push(unverified);
    let provider = OidcProvider::start(&provider_users, 3600).await;
    let client = provider
        .register(REDIRECT, "http://127.0.0.1:1/sign-in")
        .await;
    let admin = actor(&t, HAFEN_ADMIN).await;
    // Another account's users live at lakeside.example: that domain cannot be claimed.
    let claimed = save_own(
        &t,
        &key,
        &admin,
        0,
        input(
            &provider.issuer,
            &client.client_id,
            &client.client_secret,
            "hafenlogistik.example, lakeside.example",
        ),
    )
    .await;
    assert!(
        matches!(&claimed, Err(DomainError::Invalid(f)) if f[0].message.contains("lakeside.example") && !f[0].message.contains("hafenlogistik")),
        "{claimed:?}"
    );
    save_own(
        &t,
        &key,
        &admin,
        0,
        input(
            &provider.issuer,
            &client.client_id,
            &client.client_secret,
            "hafenlogistik.example",
        ),
    )
    .await
    .unwrap();
    let config = routed(&t, &key, "x@hafenlogistik.example").await;
    let linked = sso_sign_in(&t, &provider, &config, "purchaser@hafenlogistik.example")
        .await
        .unwrap();
    assert_eq!(
        linked.user_id,
        user_id(&t, "purchaser@hafenlogistik.example").await
    );
    assert_eq!(linked.roles, vec![Role::Purchaser]);
    // Roles the mapping does not name stay as the account admin set them.
    let approver = sso_sign_in(&t, &provider, &config, "approver@hafenlogistik.example")
        .await
        .unwrap();
    assert_eq!(approver.roles, vec![Role::Purchaser, Role::Approver]);
    let unverified = sso_sign_in(&t, &provider, &config, "viewer@hafenlogistik.example").await;
    assert!(
        matches!(unverified, Err(SsoError::UnknownUser(_))),
        "{unverified:?}"
    );
    let foreign = sso_sign_in(&t, &provider, &config, "purchaser@lakeside.example").await;
    assert!(
        matches!(foreign, Err(SsoError::UnknownUser(_))),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn two_tenants_with_two_providers_never_meet() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let provider_a = OidcProvider::start(&users(), 3600).await;
    let lake_users = vec![ProviderUser::new(
        "ada-1",
        "ada@sso.lakeside.example",
        &["sim-buyers"],
    )];
    let provider_b = OidcProvider::start(&lake_users, 3600).await;
    let config_a = configure(&t, &key, &provider_a).await;

    let lake_admin = actor(&t, "admin@lakeside.example").await;
    let client_b = provider_b
        .register(REDIRECT, "http://127.0.0.1:1/sign-in")
        .await;
    // Lakeside cannot take Hafenlogistik's domain.
    let taken = save_own(
        &t,
        &key,
        &lake_admin,
        0,
        input(
            &provider_b.issuer,
            &client_b.client_id,
            &client_b.client_secret,
            "sso.hafen.example",
        ),
    )
    .await;
    assert!(
        matches!(&taken, Err(DomainError::Invalid(f)) if f[0].message.contains("sso.hafen.example")),
        "{taken:?}"
    );
    save_own(
        &t,
        &key,
        &lake_admin,
        0,
        input(
            &provider_b.issuer,
            &client_b.client_id,
            &client_b.client_secret,
            "sso.lakeside.example",
        ),
    )
    .await
    .unwrap();
    let config_b = routed(&t, &key, "ada@sso.lakeside.example").await;
    assert_ne!(config_a.account_id, config_b.account_id);

    let hafen_ada = sso_sign_in(&t, &provider_a, &config_a, "ada@sso.hafen.example")
        .await
        .unwrap();
    let lake_ada = sso_sign_in(&t, &provider_b, &config_b, "ada@sso.lakeside.example")
        .await
        .unwrap();
    // The same subject at two issuers: two users, each in their own tenant.
    assert_ne!(hafen_ada.user_id, lake_ada.user_id);
    assert_eq!(hafen_ada.tenant_id, actor(&t, HAFEN_ADMIN).await.tenant_id);
    assert_eq!(lake_ada.tenant_id, lake_admin.tenant_id);

    // Lakeside pointing its settings at Hafenlogistik's provider and client still cannot reach
    // Hafenlogistik's user: the identity is linked to another account.
    let mut hijack = config_b.clone();
    hijack.issuer_url = config_a.issuer_url.clone();
    hijack.client_id = config_a.client_id.clone();
    hijack.client_secret = config_a.client_secret.clone();
    let (pending, code) = flow(&provider_a, &hijack, "ada@sso.hafen.example").await;
    let identity = oidc::finish(&hijack, pending, &code, REDIRECT, &settings())
        .await
        .unwrap();
    let refused = sso::sign_in(&t.db, &hijack, &identity).await;
    assert!(
        matches!(refused, Err(SsoError::UnknownUser(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn configuration_is_sealed_versioned_and_scoped() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let admin = actor(&t, HAFEN_ADMIN).await;
    let saved = save_own(
        &t,
        &key,
        &admin,
        0,
        input(
            "https://login.hafen.example",
            "simdesk",
            "top-secret-value",
            "sso.hafen.example",
        ),
    )
    .await
    .unwrap();
    assert!(saved.has_client_secret);
    assert_eq!(saved.version, 1);
    let stored = {
        let txn = begin(&t.db, DataScope::System).await.unwrap();
        identity_provider::Entity::find()
            .one(&txn)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(!stored.client_secret_sealed.contains("top-secret-value"));
    assert!(!format!("{saved:?}").contains("top-secret-value"));
    let audit = crate::support::audit_actions(&t).await;
    assert!(audit
        .iter()
        .any(|(_, action, _)| action == "sso.configured"));
    let audit_text = format!("{audit:?}");
    assert!(!audit_text.contains("top-secret-value"));

    // A stale version is a conflict.
    let stale = save_own(
        &t,
        &key,
        &admin,
        0,
        input(
            "https://login.hafen.example",
            "simdesk",
            "",
            "sso.hafen.example",
        ),
    )
    .await;
    assert!(matches!(stale, Err(DomainError::Conflict(_))), "{stale:?}");

    // The tenant's agent reaches it by account id; other tenants and accounts do not.
    let agent = actor(&t, HAFEN_AGENT).await;
    let account_id = admin.account_id.unwrap();
    let seen = sso::config(&t.db, &agent, Some(account_id), REDIRECT)
        .await
        .unwrap();
    assert_eq!(seen.client_id, "simdesk");
    for outsider in [
        "agent@alpina.example",
        "admin@lakeside.example",
        "admin@bergbahn.example",
    ] {
        let outsider = actor(&t, outsider).await;
        let read = sso::config(&t.db, &outsider, Some(account_id), REDIRECT).await;
        assert!(matches!(read, Err(DomainError::NotFound)), "{read:?}");
        let write = sso::save(
            &t.db,
            &key,
            &outsider,
            Some(account_id),
            1,
            input("https://evil.example", "x", "y", "evil.example"),
            REDIRECT,
        )
        .await;
        assert!(matches!(write, Err(DomainError::NotFound)), "{write:?}");
        let test =
            sso::test_connection(&t.db, &key, &outsider, Some(account_id), &settings()).await;
        assert!(matches!(test, Err(DomainError::NotFound)), "{test:?}");
    }
    for no_rights in [
        "purchaser@hafenlogistik.example",
        "viewer@hafenlogistik.example",
    ] {
        let user = actor(&t, no_rights).await;
        let read = sso::config(&t.db, &user, None, REDIRECT).await;
        assert!(matches!(read, Err(DomainError::Forbidden)), "{read:?}");
    }
}

#[tokio::test]
async fn required_sso_disables_passwords_except_for_the_break_glass_admin() {
    let t = demo_db().await;
    let key = SecretKey::generate();
    let admin = actor(&t, HAFEN_ADMIN).await;
    let mut required = input(
        "https://login.hafen.example",
        "simdesk",
        "s",
        "hafenlogistik.example",
    );
    required.require_sso = true;
    let missing = save_own(&t, &key, &admin, 0, required.clone()).await;
    assert!(
        matches!(&missing, Err(DomainError::Invalid(f)) if f[0].field == "break_glass_user_id"),
        "{missing:?}"
    );
    required.break_glass_user_id = Some(user_id(&t, "purchaser@hafenlogistik.example").await);
    let not_admin = save_own(&t, &key, &admin, 0, required.clone()).await;
    assert!(
        matches!(&not_admin, Err(DomainError::Invalid(f)) if f[0].message.contains("account admin")),
        "{not_admin:?}"
    );
    required.break_glass_user_id = Some(admin.user_id);
    save_own(&t, &key, &admin, 0, required).await.unwrap();

    let purchaser =
        password_sign_in(&t, "purchaser@hafenlogistik.example", demo::DEMO_PASSWORD).await;
    assert!(
        matches!(purchaser, Err(DomainError::SsoRequired)),
        "{purchaser:?}"
    );
    // A wrong password still says only "sign-in failed".
    let wrong = password_sign_in(&t, "purchaser@hafenlogistik.example", "wrong-password").await;
    assert!(matches!(wrong, Err(DomainError::SignInFailed)), "{wrong:?}");
    password_sign_in(&t, HAFEN_ADMIN, demo::DEMO_PASSWORD)
        .await
        .expect("the break-glass admin keeps the password");
    // Other accounts are unaffected.
    password_sign_in(&t, "purchaser@lakeside.example", demo::DEMO_PASSWORD)
        .await
        .expect("another account");
    let inactive_check = {
        let txn = begin(&t.db, DataScope::System).await.unwrap();
        app_user::Entity::find()
            .filter(app_user::Column::Email.eq("purchaser@hafenlogistik.example"))
            .one(&txn)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        inactive_check.failed_sign_ins, 1,
        "only the wrong password counted"
    );
}
