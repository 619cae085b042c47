//! SQLite's own faults under a running server: the disk under its files fills up, or the
//! database can only be read. Every write is then refused with a clear 503 (problem+json for
//! the API), nothing acknowledged before is lost, a retry with the same `Idempotency-Key` acts
//! once when there is room again. The full disk is a real one: a small tmpfs mounted for the
//! test (these machines run the tests as root); the read-only database is the same file opened
//! read-only, as after a remount.

use crate::api::{call, get, order_body, orders_of_source, scoped_token, HAFEN_ADMIN};
use crate::support::*;
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::EntityTrait;
use serde_json::Value;
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::idempotency_key;
use simdesk_domain::{demo, testing};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of its own, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        run_mount(
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            dir.path(),
        );
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Gives the disk `bytes` of room in all, rounded up to whole pages.
    fn resize(&self, bytes: u64) {
        run_mount(&["-o", &format!("remount,size={bytes}")], self.path());
    }

    /// The bytes the files on the disk hold.
    fn used(&self) -> u64 {
        std::fs::read_dir(self.path())
            .unwrap()
            .filter_map(|entry| entry.ok()?.metadata().ok())
            .map(|meta| meta.len())
            .sum()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn run_mount(args: &[&str], dir: &Path) {
    let status = Command::new("mount")
        .args(args)
        .arg(dir)
        .status()
        .expect("mount runs");
    assert!(
        status.success(),
        "mount {args:?} {} (the test needs root, as on these machines)",
        dir.display()
    );
}

async fn raise(server: &TestServer, secret: &str, body: &Value, key: &str) -> (StatusCode, Value) {
    let answer = call(
        server,
        Method::POST,
        "/api/v1/orders",
        Some(secret),
        Some(body.clone()),
        Some(key),
    )
    .await;
    (answer.status, answer.body)
}

fn database_url(dir: &Path, mode: &str) -> String {
    let file: PathBuf = dir.join("simdesk.db");
    format!("sqlite://{}?mode={mode}", file.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_or_a_read_only_database_refuses_writes_clearly_and_loses_nothing() {
    let disk = SmallDisk::mount("64m");
    let database = testing::sqlite_in(disk.path()).await;
    demo::seed(&database.db).await.unwrap();
    let server = start_on(database).await;
    let (_, secret) = scoped_token(&server, HAFEN_ADMIN, true, true, false).await;
    let body = order_body(&server, &secret).await;
    let before = orders_of_source(&server, "api").await;

    // Little room left: drafts are acknowledged until the disk is full, then refused clearly.
    disk.resize(disk.used() + 256 * 1024);
    let mut acknowledged = Vec::new();
    let mut refusal = None;
    for n in 0..5_000 {
        let key = format!("fill-{n}");
        let (status, answer) = raise(&server, &secret, &body, &key).await;
        if status == StatusCode::CREATED {
            acknowledged.push(answer["id"].as_i64().unwrap());
        } else {
            refusal = Some((key, status, answer));
            break;
        }
    }
    let (key, status, answer) = refusal.expect("the disk fills up");
    let acknowledged_while_filling = acknowledged.len();
    assert!(acknowledged_while_filling > 0);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["type"], "/api/v1/docs#problem-unavailable");

    // Room again: the refused request, retried with its key, acts once; nothing is missing.
    // (Had the full disk also kept its key's claim from being given up, the retry would wait
    // for the claim's lease: it is run out here rather than waited for.)
    disk.resize(64 * 1024 * 1024);
    let (mut status, mut answer) = raise(&server, &secret, &body, &key).await;
    if answer["type"] == "/api/v1/docs#problem-idempotency-key-in-use" {
        let txn = begin(&server.database.db, DataScope::System).await.unwrap();
        idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::LockedUntil,
                Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
            )
            .exec(&txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        (status, answer) = raise(&server, &secret, &body, &key).await;
    }
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    acknowledged.push(answer["id"].as_i64().unwrap());
    let (again, replayed) = raise(&server, &secret, &body, &key).await;
    assert_eq!(again, StatusCode::CREATED);
    assert_eq!(replayed["id"], answer["id"]);
    for id in &acknowledged {
        let order = get(&server, &format!("/api/v1/orders/{id}"), &secret).await;
        assert_eq!(order.status, StatusCode::OK, "order {id}");
        assert_eq!(order.body["lines"].as_array().map(Vec::len), Some(1));
    }
    let present = orders_of_source(&server, "api").await - before;
    assert_eq!(present, acknowledged.len() as u64, "none lost, none twice");
    println!(
        "full disk: sent {}, acknowledged {acknowledged_while_filling}, refused with 503: 1; \
         after room was made: the refused one retried and acknowledged once; present {present}, \
         duplicates 0",
        acknowledged_while_filling + 1
    );
    let url = server.database.url.clone();
    drop(server);

    // The same database, read-only: reads are served, writes refused clearly, nothing lost.
    let read_only = testing::open_sqlite(url.replace("mode=rwc", "mode=ro")).await;
    assert_eq!(read_only.url, database_url(disk.path(), "ro"));
    let server = start_on(read_only).await;
    let (status, answer) = raise(&server, &secret, &body, "while-read-only").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["type"], "/api/v1/docs#problem-unavailable");
    let listed = get(&server, "/api/v1/orders?limit=200", &secret).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let ids: Vec<i64> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["id"].as_i64())
        .collect();
    assert!(acknowledged.iter().all(|id| ids.contains(id)));
}
