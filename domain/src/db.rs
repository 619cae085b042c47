//! Connecting, migrating, opening transactions scoped to a tenant, and telling database errors
//! apart. A leaf: imports no service.

use sea_orm::sea_query::{Alias, CommonTableExpression, InsertStatement, WithClause};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqlxSqliteConnector, TransactionTrait,
};
use simdesk_migrations::MigratorTrait;
use simdesk_migrations::{rls::APP_ROLE, Migrator};
use simdesk_types::Wording;
use std::time::Duration;

use crate::DomainError;

/// Which rows a transaction may touch on PostgreSQL (row-level security).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    /// Cross-tenant work: sign-in lookups, sessions, the platform operator, seeding.
    System,
    /// One tenant's rows only.
    Tenant(i64),
}

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) with the default pool.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, None).await
}

/// Connections a PostgreSQL pool holds unless told otherwise: twice the cores plus two, the
/// usual starting point for a database on a machine like this one. More connections than the
/// database has cores to run them only queue inside PostgreSQL instead of in the pool, and
/// that wait is longer and less fair: with 16 OrderRequests at once on 2 cores, 20 connections
/// gave a p99 of 89–110 ms and 6 gave 45–70 ms at a higher rate (docs/performance.md §11).
pub fn default_postgres_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2 + 2).unwrap_or(u32::MAX)
}

/// Opens the database named by `url` with at most `connections` pooled connections to
/// PostgreSQL (`None`: [`default_postgres_connections`]). SQLite has one writer; its pool is
/// fixed.
pub async fn connect_with(
    url: &str,
    connections: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") {
            8
        } else {
            connections
                .unwrap_or_else(default_postgres_connections)
                .max(1)
        })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if !url.starts_with("sqlite") {
        return Database::connect(options).await;
    }
    let sqlite = url
        .parse::<SqliteConnectOptions>()
        .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)))?
        .disable_statement_logging()
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let pool = options
        .sqlx_pool_options::<sea_orm::sqlx::Sqlite>()
        // After SQLITE_FULL or an I/O error SQLite may roll a transaction back by itself; the
        // driver's ROLLBACK then fails and it believes the connection is still in the
        // transaction, so every later one on it would nest. Such a connection is closed
        // rather than handed out again (by then the release's ping has run any rollback a
        // dropped transaction queued; the check itself is in memory).
        .before_acquire(|connection, _| {
            Box::pin(async move { Ok(!connection.is_in_transaction()) })
        })
        .connect_with(sqlite)
        .await
        .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Brings the schema up to date.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a transaction limited to `scope`. On PostgreSQL it runs as the unprivileged
/// application role with the tenant set, so row-level security backs up the service layer's
/// own scoping; on SQLite it is a plain transaction.
pub async fn begin(
    db: &DatabaseConnection,
    scope: DataScope,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        let (tenant, system) = match scope {
            DataScope::System => (String::new(), "system"),
            DataScope::Tenant(id) => (id.to_string(), "tenant"),
        };
        // One round trip for both: every transaction pays it.
        txn.execute_unprepared(&format!(
            "SET LOCAL ROLE {APP_ROLE}; {}",
            scope_settings(&tenant, system)
        ))
        .await?;
    }
    Ok(txn)
}

/// Narrows a transaction begun for [`DataScope::System`] to one tenant's data, once the tenant
/// is known (a cXML document names its tenant in the address): one transaction instead of two.
pub async fn enter_tenant(txn: &DatabaseTransaction, tenant_id: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&scope_settings(&tenant_id.to_string(), "tenant"))
            .await?;
    }
    Ok(())
}

/// The statement that tells row-level security whose data the transaction may see. The
/// values are a number and a constant, so writing them into the text is safe.
fn scope_settings(tenant: &str, scope: &str) -> String {
    format!(
        "SELECT set_config('app.tenant_id', '{tenant}', true), \
         set_config('app.scope', '{scope}', true)"
    )
}

/// Begins a transaction that will write. SQLite allows one writer at a time; taking the write
/// lock at the start (waiting for it up to the busy timeout) serialises writers cleanly, where
/// a reader upgrading to a writer midway would fail with "database is locked". On PostgreSQL
/// this is [`begin`]: row versions and row locks order concurrent writers there.
pub async fn begin_write(
    db: &DatabaseConnection,
    scope: DataScope,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = begin(db, scope).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // A write that matches no row still takes SQLite's write lock for the transaction.
        txn.execute_unprepared("UPDATE tenant SET id = id WHERE 0")
            .await?;
    }
    Ok(txn)
}

/// The connections of the pool: open, and idle among them.
pub fn pool_connections(db: &DatabaseConnection) -> (u32, usize) {
    match db {
        DatabaseConnection::SqlxPostgresPoolConnection(_) => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DatabaseConnection::SqlxSqlitePoolConnection(_) => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}

/// Checks that the database answers, for readiness probes.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// Writes rows that nobody reads back, in one round trip on PostgreSQL: every insert but the
/// last becomes a data-modifying common table expression of the last. On SQLite, which runs in
/// the process, they are executed one after another. All of them land or none (the caller's
/// transaction).
pub(crate) async fn insert_together(
    db: &impl ConnectionTrait,
    mut inserts: Vec<InsertStatement>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let Some(last) = inserts.pop() else {
        return Ok(());
    };
    if backend != DbBackend::Postgres || inserts.is_empty() {
        for insert in inserts.iter().chain(std::iter::once(&last)) {
            db.execute(backend.build(insert)).await?;
        }
        return Ok(());
    }
    let mut earlier = WithClause::new();
    for (index, insert) in inserts.into_iter().enumerate() {
        earlier.cte(
            CommonTableExpression::new()
                .query(insert)
                .table_name(Alias::new(format!("written_{index}")))
                .to_owned(),
        );
    }
    db.execute(backend.build(&earlier.query(last))).await?;
    Ok(())
}

/// Whether a write failed on a unique index: a lost race with an identical write.
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// A unique-index failure as the same field error its pre-check gives; other errors as they are.
pub(crate) fn unique_violation(
    error: DbErr,
    field: &str,
    message: impl Into<Wording>,
) -> DomainError {
    if is_unique_violation(&error) {
        DomainError::invalid(field, message)
    } else {
        DomainError::Database(error)
    }
}
