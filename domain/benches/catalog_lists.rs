//! List queries of a large tenant: 10,000 enterprise accounts and 1,000 products. Runs on a
//! temporary SQLite file, or on PostgreSQL when SIMDESK_TEST_DATABASE_URL names a server.
//!
//! cargo bench -p simdesk-domain --bench catalog_lists

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use simdesk_domain::accounts::{self, AccountQuery, AccountSort};
use simdesk_domain::catalog::{self, ProductQuery, ProductSort};
use simdesk_domain::db::{begin_write, DataScope};
use simdesk_domain::entity::{account, app_user, product};
use simdesk_domain::testing::{self, TestDatabase};
use simdesk_domain::{demo, Actor};
use simdesk_types::SortOrder;

const ACCOUNTS: usize = 10_000;
const PRODUCTS: usize = 1_000;

async fn actor(t: &TestDatabase, email: &str) -> Actor {
    let txn = simdesk_domain::db::begin(&t.db, DataScope::System)
        .await
        .unwrap();
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(&txn)
        .await
        .unwrap()
        .unwrap();
    drop(txn);
    Actor::load(&t.db, user.id).await.unwrap().unwrap()
}

/// Bulk rows straight into the tables: the benchmark is about reading them.
async fn large_tenant() -> (TestDatabase, Actor) {
    let t = testing::fresh().await;
    demo::seed_people(&t.db).await.unwrap();
    let agent = actor(&t, "agent@nordwind.example").await;
    let tenant_id = agent.tenant_id.unwrap();
    let now = Utc::now();
    let txn = begin_write(&t.db, DataScope::Tenant(tenant_id))
        .await
        .unwrap();
    for chunk in (0..ACCOUNTS).collect::<Vec<_>>().chunks(500) {
        account::Entity::insert_many(chunk.iter().map(|i| account::ActiveModel {
            tenant_id: Set(tenant_id),
            name: Set(format!(
                "Customer {:05} {}",
                (i * 7919) % ACCOUNTS,
                ["Logistics", "Utilities", "Fleet", "Metering"][i % 4]
            )),
            customer_number: Set(Some(format!("B-{i:06}"))),
            status: Set(if i % 10 == 0 {
                "suspended".into()
            } else {
                "active".into()
            }),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec(&txn)
        .await
        .unwrap();
    }
    for chunk in (0..PRODUCTS).collect::<Vec<_>>().chunks(250) {
        product::Entity::insert_many(chunk.iter().map(|i| product::ActiveModel {
            tenant_id: Set(tenant_id),
            part_number: Set(format!("P-{i:05}")),
            name: Set(format!("SIM product {:04}", (i * 613) % PRODUCTS)),
            sim_type: Set("plastic".into()),
            form_factor: Set("4FF".into()),
            unit_price_minor: Set(100 + (*i as i64 * 37) % 5000),
            currency: Set("EUR".into()),
            unspsc: Set("43191501".into()),
            status: Set(if i % 20 == 0 {
                "retired".into()
            } else {
                "active".into()
            }),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }))
        .exec(&txn)
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    (t, agent)
}

fn lists(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (t, agent) = runtime.block_on(large_tenant());
    let backend = format!("{:?}", t.backend()).to_lowercase();
    let db = &t.db;

    // A cursor 100 pages deep, to show that depth does not cost more.
    let deep_account_cursor = runtime.block_on(async {
        let mut after = None;
        for _ in 0..100 {
            let page = accounts::list(
                db,
                &agent,
                AccountQuery {
                    after,
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            after = page.next;
        }
        after
    });

    let mut group = c.benchmark_group(format!("lists_{backend}"));
    group.sample_size(30);
    group.bench_function("accounts: first page by name", |b| {
        b.to_async(&runtime).iter(|| {
            accounts::list(
                db,
                &agent,
                AccountQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("accounts: page 101 by name", |b| {
        b.to_async(&runtime).iter(|| {
            accounts::list(
                db,
                &agent,
                AccountQuery {
                    after: deep_account_cursor.clone(),
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("accounts: by customer number, descending", |b| {
        b.to_async(&runtime).iter(|| {
            accounts::list(
                db,
                &agent,
                AccountQuery {
                    sort: AccountSort::CustomerNumber,
                    order: SortOrder::Descending,
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("accounts: search 'fleet 09', suspended only", |b| {
        b.to_async(&runtime).iter(|| {
            accounts::list(
                db,
                &agent,
                AccountQuery {
                    search: "fleet 09".into(),
                    status: Some("suspended".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("products: first page by name", |b| {
        b.to_async(&runtime).iter(|| {
            catalog::products(
                db,
                &agent,
                ProductQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("products: by price, descending, active only", |b| {
        b.to_async(&runtime).iter(|| {
            catalog::products(
                db,
                &agent,
                ProductQuery {
                    sort: ProductSort::Price,
                    order: SortOrder::Descending,
                    status: Some(simdesk_types::ProductStatus::Active),
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("products: search 'product 09'", |b| {
        b.to_async(&runtime).iter(|| {
            catalog::products(
                db,
                &agent,
                ProductQuery {
                    search: "product 09".into(),
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("accounts: CSV export of 10,002 accounts", |b| {
        b.to_async(&runtime)
            .iter(|| accounts::export_csv(db, &agent))
    });
    group.finish();
}

criterion_group!(benches, lists);
criterion_main!(benches);
