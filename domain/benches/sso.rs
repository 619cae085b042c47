//! What single sign-on costs simdesk, against a real OpenID provider on loopback
//! (`end2end/oidc/provider.mjs`, so Node.js must be installed):
//! - `oidc::begin`: discovery and the key set fetched from the provider, the authorization URL
//!   built (what `POST /auth/sso` waits for);
//! - `oidc::verify_id_token`: the same fetches plus the ID token's signature and claims checked
//!   (the part of the callback after the code exchange);
//! - `sso::sign_in`: the user found by issuer and subject, mapped roles synchronised, the audit
//!   row written and the actor loaded.
//!
//! `cargo bench -p simdesk-domain --bench sso`. The backend follows `SIMDESK_TEST_DATABASE_URL`
//! like the tests do (unset: SQLite). Measurements, not assertions.

use criterion::{criterion_group, criterion_main, Criterion};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::app_user;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::sso::{self, oidc, OidcSettings};
use simdesk_domain::testing::oidc::{OidcProvider, ProviderUser};
use simdesk_domain::{demo, testing, Actor};
use simdesk_types::SsoConfigInput;
use std::hint::black_box;
use std::time::Duration;

const REDIRECT: &str = "http://127.0.0.1:1/auth/sso/callback";

fn single_sign_on(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let settings = OidcSettings::default();
    let (database, provider, config, identity) = rt.block_on(async {
        let database = testing::fresh().await;
        demo::seed_people(&database.db).await.expect("demo people");
        let provider = OidcProvider::start(
            &[ProviderUser::new(
                "ada-1",
                "ada@sso.hafen.example",
                &["sim-buyers"],
            )],
            3600,
        )
        .await;
        let client = provider
            .register(REDIRECT, "http://127.0.0.1:1/sign-in")
            .await;
        let key = SecretKey::generate();
        let admin_id = {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let txn = begin(&database.db, DataScope::System).await.unwrap();
            app_user::Entity::find()
                .filter(app_user::Column::Email.eq("admin@hafenlogistik.example"))
                .one(&txn)
                .await
                .unwrap()
                .unwrap()
                .id
        };
        let admin = Actor::load(&database.db, admin_id).await.unwrap().unwrap();
        sso::save(
            &database.db,
            &key,
            &admin,
            None,
            0,
            SsoConfigInput {
                enabled: true,
                issuer_url: provider.issuer.clone(),
                client_id: client.client_id,
                client_secret: client.client_secret,
                scopes: "email profile groups".into(),
                domains: "sso.hafen.example".into(),
                role_claim: "groups".into(),
                role_mapping: "sim-buyers = purchaser".into(),
                jit_enabled: true,
                jit_role: "viewer".into(),
                ..SsoConfigInput::default()
            },
            REDIRECT,
        )
        .await
        .expect("configured");
        let config = sso::provider_for_email(&database.db, &key, "ada@sso.hafen.example")
            .await
            .unwrap()
            .unwrap();
        let (url, pending) = oidc::begin(&config, REDIRECT, "/", &OidcSettings::default())
            .await
            .unwrap();
        let back = provider
            .sign_in(&url, "ada@sso.hafen.example", REDIRECT)
            .await;
        let code = url::Url::parse(&back)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        let identity = oidc::finish(
            &config,
            pending.clone(),
            &code,
            REDIRECT,
            &OidcSettings::default(),
        )
        .await
        .unwrap();
        sso::sign_in(&database.db, &config, &identity)
            .await
            .expect("first sign-in");
        (database, provider, config, (identity, pending.nonce))
    });
    let (identity, nonce) = identity;
    let backend = format!("{:?}", database.backend()).to_lowercase();

    let mut group = c.benchmark_group("sso");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("oidc::begin (discovery + keys from loopback)", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(
                oidc::begin(&config, REDIRECT, "/", &settings)
                    .await
                    .expect("begin"),
            )
        })
    });
    group.bench_function(
        "oidc::verify_id_token (discovery + keys + signature)",
        |b| {
            b.to_async(&rt).iter(|| async {
                black_box(
                    oidc::verify_id_token(&config, &identity.id_token, &nonce, &settings)
                        .await
                        .expect("verified"),
                )
            })
        },
    );
    group.bench_function(format!("sso::sign_in existing user/{backend}"), |b| {
        b.to_async(&rt).iter(|| async {
            black_box(
                sso::sign_in(&database.db, &config, &identity)
                    .await
                    .expect("signed in"),
            )
        })
    });
    group.finish();
    drop(provider);
}

criterion_group!(benches, single_sign_on);
criterion_main!(benches);
