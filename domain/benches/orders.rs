//! Purchase orders at scale: the PO list of a tenant holding 100,000 orders, provisioning a
//! 10,000-SIM order, and loading a 100,000-row stock file. Runs on a temporary SQLite file, or
//! on PostgreSQL when SIMDESK_TEST_DATABASE_URL names a server.
//!
//! cargo bench -p simdesk-domain --bench orders

use chrono::{Duration, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use simdesk_domain::db::{begin_write, DataScope};
use simdesk_domain::entity::{app_user, purchase_order, purchase_order_line};
use simdesk_domain::orders::provisioning::{self, Source};
use simdesk_domain::orders::{self, stock, PoQuery};
use simdesk_domain::testing::{self, TestDatabase};
use simdesk_domain::{demo, Actor};
use simdesk_types::{PoAction, PoInput, PoLineInput, PoStatus};
use std::sync::atomic::{AtomicU64, Ordering};

const ORDERS: i64 = 100_000;
const STOCK_ROWS: u64 = 100_000;
const PROVISIONED: u32 = 10_000;

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

/// The demo, plus 100,000 orders of one account written straight into the tables.
async fn busy_tenant() -> (TestDatabase, Actor, Actor, Actor) {
    let t = testing::fresh().await;
    demo::seed(&t.db).await.unwrap();
    let agent = actor(&t, "agent@nordwind.example").await;
    let admin = actor(&t, "admin@nordwind.example").await;
    let purchaser = actor(&t, "purchaser@hafenlogistik.example").await;
    let tenant_id = agent.tenant_id.unwrap();
    let account_id = purchaser.account_id.unwrap();
    let product_id = orders::form_data(&t.db, &purchaser, None, None)
        .await
        .unwrap()
        .products[0]
        .product_id;
    let statuses = [
        PoStatus::Submitted,
        PoStatus::Accepted,
        PoStatus::Ready,
        PoStatus::Shipped,
        PoStatus::Closed,
        PoStatus::Closed,
        PoStatus::Closed,
        PoStatus::Rejected,
        PoStatus::Draft,
        PoStatus::Cancelled,
    ];
    let now = Utc::now();
    let txn = begin_write(&t.db, DataScope::Tenant(tenant_id))
        .await
        .unwrap();
    for chunk in (0..ORDERS).collect::<Vec<_>>().chunks(1_000) {
        purchase_order::Entity::insert_many(chunk.iter().map(|i| {
            let status = statuses[(*i % 10) as usize];
            purchase_order::ActiveModel {
                tenant_id: Set(tenant_id),
                account_id: Set(account_id),
                status: Set(status.as_str().into()),
                po_number: Set((status != PoStatus::Draft).then_some(1_000_000 + i)),
                source: Set("portal".into()),
                created_by: Set(purchaser.user_id),
                ship_recipient: Set("Goods in".into()),
                currency: Set("EUR".into()),
                total_minor: Set(42_000),
                rejection_reason: Set(String::new()),
                carrier: Set(String::new()),
                tracking_number: Set(String::new()),
                version: Set(1),
                created_at: Set(now - Duration::minutes(ORDERS - i)),
                updated_at: Set(now),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await
        .unwrap();
    }
    // One line per order.
    let ids: Vec<i64> = purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::Id)
        .filter(purchase_order::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(&txn)
        .await
        .unwrap();
    for chunk in ids.chunks(1_000) {
        purchase_order_line::Entity::insert_many(chunk.iter().map(|po_id| {
            purchase_order_line::ActiveModel {
                tenant_id: Set(tenant_id),
                purchase_order_id: Set(*po_id),
                line_number: Set(1),
                product_id: Set(product_id),
                quantity: Set(100),
                unit_price_minor: Set(420),
                currency: Set("EUR".into()),
                provisioned_quantity: Set(0),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    if t.backend() == sea_orm::DbBackend::Postgres {
        use sea_orm::ConnectionTrait;
        t.db.execute_unprepared("ANALYZE").await.unwrap();
    }
    (t, agent, admin, purchaser)
}

static NEXT_IDENTITY: AtomicU64 = AtomicU64::new(10_000_000);

fn stock_file(part_number: &str, rows: u64) -> String {
    let first = NEXT_IDENTITY.fetch_add(rows, Ordering::SeqCst);
    let mut csv = String::with_capacity(rows as usize * 64);
    csv.push_str("iccid,imsi,msisdn,part_number\n");
    for (iccid, imsi, msisdn) in stock::sample_identities(first, rows) {
        csv.push_str(&iccid);
        csv.push(',');
        csv.push_str(&imsi);
        csv.push_str(",+");
        csv.push_str(&msisdn);
        csv.push(',');
        csv.push_str(part_number);
        csv.push('\n');
    }
    csv
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (t, agent, admin, purchaser) = runtime.block_on(busy_tenant());
    let backend = format!("{:?}", t.backend()).to_lowercase();
    let db = &t.db;
    let part_number = runtime.block_on(async {
        let form = orders::form_data(db, &purchaser, None, None).await.unwrap();
        form.products[0].part_number.clone()
    });

    let mut group = c.benchmark_group(format!("orders_{backend}"));
    group.sample_size(30);
    group.bench_function("inbox: first page of 100k POs, with counts", |b| {
        b.to_async(&runtime).iter(|| {
            orders::list(
                db,
                &agent,
                PoQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("inbox: submitted only, older than a day", |b| {
        b.to_async(&runtime).iter(|| {
            orders::list(
                db,
                &agent,
                PoQuery {
                    statuses: vec![PoStatus::Submitted],
                    older_than_days: Some(1),
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.bench_function("account: page 100 of its POs", |b| {
        let deep = runtime.block_on(async {
            let mut after = None;
            for _ in 0..99 {
                after = orders::list(
                    db,
                    &purchaser,
                    PoQuery {
                        after,
                        limit: 50,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .next;
            }
            after
        });
        b.to_async(&runtime).iter(|| {
            orders::list(
                db,
                &purchaser,
                PoQuery {
                    after: deep.clone(),
                    limit: 50,
                    ..Default::default()
                },
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("stock_{backend}"));
    group.sample_size(10);
    group.bench_function("load a 100k-row stock CSV", |b| {
        b.iter_batched(
            || stock_file(&part_number, STOCK_ROWS),
            |csv| {
                let report = runtime
                    .block_on(stock::import_csv(db, &admin, &csv))
                    .unwrap();
                assert_eq!(report.created, STOCK_ROWS);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("provision a 10,000-SIM PO from stock", |b| {
        b.iter_batched(
            || {
                runtime.block_on(async {
                    // Stock for this order, then an accepted order of 10,000 SIMs.
                    stock::import_csv(
                        db,
                        &admin,
                        &stock_file(&part_number, u64::from(PROVISIONED)),
                    )
                    .await
                    .unwrap();
                    let form =
                        orders::form_data(db, &agent, Some(purchaser.account_id.unwrap()), None)
                            .await
                            .unwrap();
                    let id = orders::create_draft(
                        db,
                        &agent,
                        PoInput {
                            account_id: Some(form.account_id),
                            lines: vec![PoLineInput {
                                product_id: Some(form.products[0].product_id),
                                quantity: PROVISIONED.to_string(),
                            }],
                            shipping_address_id: Some(form.addresses[0].id),
                            ..PoInput::default()
                        },
                    )
                    .await
                    .unwrap();
                    orders::act(db, &agent, id, 1, PoAction::Submit, "")
                        .await
                        .unwrap();
                    orders::act(db, &agent, id, 2, PoAction::Accept, "")
                        .await
                        .unwrap();
                    id
                })
            },
            |id| {
                let status = runtime
                    .block_on(provisioning::provision(db, &agent, id, 3, Source::Stock))
                    .unwrap();
                assert_eq!(status, PoStatus::Ready);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(orders_benches, benches);
criterion_main!(orders_benches);
