//! What one sign-in costs: the argon2id verification alone, and the whole `auth::sign_in` service
//! call on a fresh SQLite demo database (user lookup, verification, the `last_sign_in_at` update,
//! the audit row and loading the actor).
//!
//! `cargo bench -p simdesk-domain --bench sign_in`. The backend follows
//! `SIMDESK_TEST_DATABASE_URL` like the tests do (unset: SQLite); its name is in the bench id.
//! These are measurements, not assertions: nothing here fails on a slow machine.

use criterion::{criterion_group, criterion_main, Criterion};
use simdesk_domain::demo::{self, DEMO_PASSWORD};
use simdesk_domain::{auth, password, testing};
use std::hint::black_box;
use std::time::Duration;
use tokio::runtime::Runtime;

/// A demo user who signs in straight to the dashboard (no forced password change).
const EMAIL: &str = "admin@nordwind.example";

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn config() -> Criterion {
    // argon2id at m=19456 KiB, t=2 takes tens of milliseconds: few, long samples suffice and keep
    // the whole bench under two minutes.
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
}

/// The argon2 cost alone: verifying the correct password against a stored hash, through the
/// same bounded blocking pool the service uses.
fn verify_correct_password(c: &mut Criterion) {
    let rt = runtime();
    let stored = rt
        .block_on(password::hash(DEMO_PASSWORD.to_owned()))
        .expect("hash the demo password");
    assert!(rt
        .block_on(password::verify(
            DEMO_PASSWORD.to_owned(),
            Some(stored.clone())
        ))
        .expect("verify"));

    c.bench_function("password::verify/correct", |b| {
        b.to_async(&rt).iter(|| {
            let stored = stored.clone();
            async move {
                let ok = password::verify(black_box(DEMO_PASSWORD.to_owned()), Some(stored))
                    .await
                    .expect("verify");
                black_box(ok)
            }
        })
    });
}

/// One successful sign-in per iteration. Each writes `last_sign_in_at` and an audit row, so the
/// audit table grows over the run, as it does in production.
fn sign_in_demo_user(c: &mut Criterion) {
    let rt = runtime();
    let test_db = rt.block_on(async {
        let test_db = testing::fresh().await;
        demo::seed(&test_db.db).await.expect("seed demo data");
        test_db
    });
    let backend = format!("{:?}", test_db.backend()).to_lowercase();
    let db = test_db.db.clone();
    let step = rt
        .block_on(auth::sign_in(&db, EMAIL, DEMO_PASSWORD, None))
        .expect("the demo admin signs in");
    assert!(matches!(step, auth::SignInStep::Done(actor) if !actor.must_change_password));

    c.bench_function(&format!("auth::sign_in/{backend}"), |b| {
        b.to_async(&rt).iter(|| {
            let db = db.clone();
            async move {
                let actor = auth::sign_in(&db, black_box(EMAIL), black_box(DEMO_PASSWORD), None)
                    .await
                    .expect("sign-in succeeds");
                black_box(actor)
            }
        })
    });
    // Keeps the temporary database alive until the bench is done.
    drop(test_db);
}

criterion_group! {
    name = benches;
    config = config();
    targets = verify_correct_password, sign_in_demo_user
}
criterion_main!(benches);
