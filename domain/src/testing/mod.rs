//! Fresh, migrated databases for tests. The backend comes from `SIMDESK_TEST_DATABASE_URL`:
//! unset or `sqlite` gives a temporary SQLite file per test; a `postgres://` URL (pointing at a
//! maintenance database such as `postgres`) gives a new PostgreSQL database per test, copied from
//! a template migrated once per test process.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::OnceCell;

use crate::db;

pub mod cxml;
pub mod imap;
pub mod oidc;
pub mod pgbench;

pub const TEST_DATABASE_ENV: &str = "SIMDESK_TEST_DATABASE_URL";

/// A database that lives as long as this value (SQLite) or until the next test run (PostgreSQL).
pub struct TestDatabase {
    pub db: DatabaseConnection,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }
}

fn postgres_admin_url() -> Option<String> {
    std::env::var(TEST_DATABASE_ENV)
        .ok()
        .filter(|url| url.starts_with("postgres"))
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..authority_end], name);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

pub async fn fresh() -> TestDatabase {
    match postgres_admin_url() {
        Some(admin_url) => fresh_postgres(&admin_url).await,
        None => fresh_sqlite().await,
    }
}

async fn fresh_sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut database = sqlite_in(dir.path()).await;
    database._dir = Some(dir);
    database
}

/// A new, migrated SQLite database in `dir`, whatever database the tests run on otherwise
/// (for faults of SQLite's own files: a full disk, a read-only mount).
pub async fn sqlite_in(dir: &std::path::Path) -> TestDatabase {
    let database = open_sqlite(format!(
        "sqlite://{}?mode=rwc",
        dir.join("simdesk.db").display()
    ))
    .await;
    db::migrate(&database.db).await.expect("migrate SQLite");
    database
}

/// An existing SQLite database, as `url` opens it (`mode=ro` for a read-only one).
pub async fn open_sqlite(url: String) -> TestDatabase {
    let db = db::connect(&url).await.expect("open SQLite");
    TestDatabase {
        db,
        url,
        _dir: None,
    }
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

async fn admin_exec(admin_url: &str, sql: &str) {
    let admin = db::connect(admin_url).await.expect("connect to PostgreSQL");
    admin
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    admin.close().await.ok();
}

async fn template(admin_url: &str) -> String {
    TEMPLATE
        .get_or_init(|| async {
            drop_stale_databases(admin_url).await;
            let name = format!("simdesk_tpl_{}", std::process::id());
            admin_exec(admin_url, &format!("CREATE DATABASE {name}")).await;
            let db = db::connect(&with_database(admin_url, &name))
                .await
                .expect("connect to the template database");
            db::migrate(&db).await.expect("migrate PostgreSQL");
            db.close().await.ok();
            name
        })
        .await
        .clone()
}

/// Drops databases left by earlier test processes that are no longer running.
async fn drop_stale_databases(admin_url: &str) {
    let admin = db::connect(admin_url).await.expect("connect to PostgreSQL");
    let rows = admin
        .query_all(Statement::from_string(
            DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'simdesk_t%'",
        ))
        .await
        .expect("list test databases");
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
    }
    admin.close().await.ok();
}

async fn fresh_postgres(admin_url: &str) -> TestDatabase {
    let template = template(admin_url).await;
    let name = format!(
        "simdesk_t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    admin_exec(
        admin_url,
        &format!("CREATE DATABASE {name} TEMPLATE {template}"),
    )
    .await;
    let url = with_database(admin_url, &name);
    // The pool as the server sizes it, and by the same variable (benches compare sizes).
    let connections = std::env::var("SIMDESK_DATABASE_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok());
    let db = db::connect_with(&url, connections)
        .await
        .expect("connect to the test database");
    TestDatabase {
        db,
        url,
        _dir: None,
    }
}

/// The demo user with this e-mail, as the services see them.
pub async fn actor(t: &TestDatabase, email: &str) -> crate::Actor {
    actor_in(&t.db, email).await
}

/// The user with this e-mail in the database `db`, as the services see them.
pub async fn actor_in(db: &DatabaseConnection, email: &str) -> crate::Actor {
    use crate::entity::app_user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let txn = db::begin(db, db::DataScope::System).await.unwrap();
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(&txn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no demo user {email}"));
    drop(txn);
    crate::Actor::load(db, user.id)
        .await
        .unwrap()
        .expect("active user")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_query_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }
}
