//! Nobody reaches another tenant's or account's data, whatever id they send.

use crate::support::*;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::users::{self, NewUser};
use simdesk_domain::{audit, tenants, DomainError};
use simdesk_types::Role;

#[tokio::test]
async fn a_tenant_admin_cannot_touch_another_tenants_users() {
    let t = demo_db().await;
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    for victim in [ALPINA_ADMIN, ALPINA_AGENT, LAKESIDE_PURCHASER, OPERATOR] {
        let id = user_id(&t, victim).await;
        let role = users::change_role(&t.db, &nordwind, id, Role::SpAgent).await;
        assert!(
            matches!(role, Err(DomainError::NotFound)),
            "{victim}: {role:?}"
        );
        let deactivate = users::set_active(&t.db, &nordwind, id, false).await;
        assert!(
            matches!(deactivate, Err(DomainError::NotFound)),
            "{victim}: {deactivate:?}"
        );
    }
    // Ids that do not exist at all look the same.
    assert!(matches!(
        users::set_active(&t.db, &nordwind, 987_654, false).await,
        Err(DomainError::NotFound)
    ));
    // The attempts are in Nordwind's audit log, and Alpina's users are untouched.
    let denied = audit::list(&t.db, &nordwind, None)
        .await
        .unwrap()
        .rows
        .into_iter()
        .filter(|r| r.action == "access.denied")
        .count();
    assert_eq!(denied, 9);
    let alpina = actor(&t, ALPINA_ADMIN).await;
    let dir = users::directory(&t.db, &alpina).await.unwrap();
    assert!(dir
        .users
        .iter()
        .all(|u| u.active && u.roles != vec![Role::SpAgent] || u.email == ALPINA_AGENT));
}

#[tokio::test]
async fn a_tenant_admin_cannot_manage_their_own_accounts_users() {
    // Account users belong to the account admin; provider staff management stops at staff.
    let t = demo_db().await;
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    let id = user_id(&t, HAFEN_PURCHASER).await;
    assert!(matches!(
        users::set_active(&t.db, &nordwind, id, false).await,
        Err(DomainError::NotFound)
    ));
}

#[tokio::test]
async fn an_account_admin_cannot_touch_another_account_of_the_same_tenant() {
    let t = demo_db().await;
    let hafen = actor(&t, HAFEN_ADMIN).await;
    for victim in [
        BERGBAHN_ADMIN,
        BERGBAHN_VIEWER,
        NORDWIND_AGENT,
        LAKESIDE_PURCHASER,
    ] {
        let id = user_id(&t, victim).await;
        assert!(
            matches!(
                users::set_active(&t.db, &hafen, id, false).await,
                Err(DomainError::NotFound)
            ),
            "{victim}"
        );
        assert!(
            matches!(
                users::change_role(&t.db, &hafen, id, Role::Viewer).await,
                Err(DomainError::NotFound)
            ),
            "{victim}"
        );
    }
    let dir = users::directory(&t.db, &hafen).await.unwrap();
    assert!(dir
        .users
        .iter()
        .all(|u| u.email.ends_with("@hafenlogistik.example")));
}

#[tokio::test]
async fn roles_without_user_management_are_refused() {
    let t = demo_db().await;
    for email in [NORDWIND_AGENT, HAFEN_PURCHASER, BERGBAHN_VIEWER, OPERATOR] {
        let a = actor(&t, email).await;
        assert!(
            matches!(
                users::directory(&t.db, &a).await,
                Err(DomainError::Forbidden)
            ),
            "{email}"
        );
        let create = users::create(
            &t.db,
            &a,
            NewUser {
                email: "x@y.example".into(),
                display_name: "X".into(),
                role: Role::Viewer,
                initial_password: "initial password 1".into(),
            },
        )
        .await;
        assert!(matches!(create, Err(DomainError::Forbidden)), "{email}");
    }
}

#[tokio::test]
async fn audit_logs_and_tenant_lists_stay_within_their_scope() {
    let t = demo_db().await;
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    let alpina = actor(&t, ALPINA_ADMIN).await;
    // Give both tenants some history.
    password_sign_in(&t, ALPINA_AGENT, simdesk_domain::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    password_sign_in(&t, NORDWIND_AGENT, simdesk_domain::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    let alpina_agent = user_id(&t, ALPINA_AGENT).await.to_string();
    let nordwind_page = audit::list(&t.db, &nordwind, None).await.unwrap();
    assert!(!nordwind_page.rows.is_empty());
    assert!(nordwind_page
        .rows
        .iter()
        .all(|r| !r.target.ends_with(&format!(" {alpina_agent}"))));
    assert!(audit::list(&t.db, &alpina, None)
        .await
        .unwrap()
        .rows
        .iter()
        .any(|r| r.action == "user.signed_in"));
    for email in [NORDWIND_AGENT, HAFEN_ADMIN, HAFEN_PURCHASER] {
        let a = actor(&t, email).await;
        assert!(
            matches!(
                audit::list(&t.db, &a, None).await,
                Err(DomainError::Forbidden)
            ),
            "{email}"
        );
        assert!(
            matches!(tenants::list(&t.db, &a).await, Err(DomainError::Forbidden)),
            "{email}"
        );
    }
    assert!(matches!(
        tenants::list(&t.db, &nordwind).await,
        Err(DomainError::Forbidden)
    ));
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let t = demo_db().await;
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let update = txn
        .execute_unprepared("UPDATE audit_log SET action = 'forged'")
        .await;
    assert!(update.is_err(), "audit rows must not be updatable");
    drop(txn);
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    assert!(txn
        .execute_unprepared("DELETE FROM audit_log")
        .await
        .is_err());
}

/// Row-level security on PostgreSQL: even a query that forgets its tenant filter sees one tenant.
#[tokio::test]
async fn postgres_row_level_security_confines_unscoped_queries() {
    let t = demo_db().await;
    if t.backend() != DbBackend::Postgres {
        println!("SQLite has no row-level security; the service layer's scoping is tested above");
        return;
    }
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    let alpina = actor(&t, ALPINA_ADMIN).await;
    let count = |scope| {
        let db = t.db.clone();
        async move {
            let txn = begin(&db, scope).await.unwrap();
            let row = txn
                .query_one(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT count(*) AS n FROM app_user",
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    let nordwind_tenant = nordwind.tenant_id.unwrap();
    let alpina_tenant = alpina.tenant_id.unwrap();
    assert_eq!(count(DataScope::Tenant(nordwind_tenant)).await, 10);
    assert_eq!(count(DataScope::Tenant(alpina_tenant)).await, 10);
    assert_eq!(count(DataScope::System).await, 21);

    // Writing a row into another tenant is refused by the policy's WITH CHECK.
    let txn = begin(&t.db, DataScope::Tenant(nordwind_tenant))
        .await
        .unwrap();
    let forged = txn
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO account (tenant_id, name, status, created_at) VALUES ($1, 'forged', 'active', now())",
            [alpina_tenant.into()],
        ))
        .await;
    assert!(forged.is_err(), "cross-tenant insert must fail");
}
