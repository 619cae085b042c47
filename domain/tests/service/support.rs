use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::demo;
use simdesk_domain::entity::{app_user, audit_log};
pub use simdesk_domain::testing::actor;
use simdesk_domain::testing::{self, TestDatabase};

/// A fresh database with the demo's tenants, accounts and users (no catalog: tests build their own).
pub async fn demo_db() -> TestDatabase {
    let t = testing::fresh().await;
    assert!(demo::seed_people(&t.db).await.expect("seed demo data"));
    t
}

pub async fn user_id(t: &TestDatabase, email: &str) -> i64 {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(&txn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {email}"))
        .id
}

pub async fn audit_actions(t: &TestDatabase) -> Vec<(Option<i64>, String, Option<String>)> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    audit_log::Entity::find()
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.tenant_id, e.action, e.target_id))
        .collect()
}

pub const NORDWIND_ADMIN: &str = "admin@nordwind.example";
pub const NORDWIND_AGENT: &str = "agent@nordwind.example";
pub const ALPINA_ADMIN: &str = "admin@alpina.example";
pub const ALPINA_AGENT: &str = "agent@alpina.example";
pub const HAFEN_ADMIN: &str = "admin@hafenlogistik.example";
pub const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";
pub const BERGBAHN_ADMIN: &str = "admin@bergbahn.example";
pub const BERGBAHN_VIEWER: &str = "viewer@bergbahn.example";
pub const LAKESIDE_PURCHASER: &str = "purchaser@lakeside.example";
pub const OPERATOR: &str = "operator@simdesk.example";

/// A fresh database with the whole demo: catalog, onboarded accounts, SIM stock and one
/// submitted purchase order per tenant.
pub async fn full_demo_db() -> TestDatabase {
    let t = testing::fresh().await;
    assert!(demo::seed(&t.db).await.expect("seed demo data"));
    t
}

pub const HAFEN_APPROVER: &str = "approver@hafenlogistik.example";
pub const HAFEN_VIEWER: &str = "viewer@hafenlogistik.example";

/// A PO's lines as (part number, quantity), in order.
pub fn lines_of(po: &simdesk_types::PoDetail) -> Vec<(String, i32)> {
    po.lines
        .iter()
        .map(|l| (l.part_number.clone(), l.quantity))
        .collect()
}

/// Signs in with a password, for users without a second factor.
pub async fn password_sign_in(
    t: &TestDatabase,
    email: &str,
    password: &str,
) -> simdesk_domain::DomainResult<simdesk_domain::Actor> {
    match simdesk_domain::auth::sign_in(&t.db, email, password, None).await? {
        simdesk_domain::auth::SignInStep::Done(actor) => Ok(actor),
        simdesk_domain::auth::SignInStep::SecondFactor { .. } => {
            panic!("{email} has a second factor")
        }
    }
}
