use crate::support::*;
use simdesk_domain::users::{self, NewUser};
use simdesk_domain::{audit, dashboard, tenants, DomainError};
use simdesk_types::Role;

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: "Someone New".into(),
        role,
        initial_password: "initial password 1".into(),
    }
}

#[tokio::test]
async fn tenant_admin_sees_and_manages_only_their_staff() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let dir = users::directory(&t.db, &admin).await.unwrap();
    let emails: Vec<&str> = dir.users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, vec![NORDWIND_ADMIN, NORDWIND_AGENT]);
    assert_eq!(dir.assignable_roles, Role::TENANT_STAFF.to_vec());

    let created = users::create(
        &t.db,
        &admin,
        new_user("Second.Agent@Nordwind.example", Role::SpAgent),
    )
    .await
    .unwrap();
    assert_eq!(created.email, "second.agent@nordwind.example");
    assert_eq!(created.roles, vec![Role::SpAgent]);

    let changed = users::change_role(&t.db, &admin, created.id, Role::TenantAdmin)
        .await
        .unwrap();
    assert_eq!(changed.roles, vec![Role::TenantAdmin]);
    let deactivated = users::set_active(&t.db, &admin, created.id, false)
        .await
        .unwrap();
    assert!(!deactivated.active);

    let actions: Vec<String> = audit::list(&t.db, &admin, None)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.action)
        .collect();
    for expected in ["user.created", "user.role_changed", "user.deactivated"] {
        assert!(
            actions.contains(&expected.to_owned()),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn account_admin_manages_their_account_users_with_account_roles() {
    let t = demo_db().await;
    let admin = actor(&t, HAFEN_ADMIN).await;
    let dir = users::directory(&t.db, &admin).await.unwrap();
    assert_eq!(dir.users.len(), 4);
    assert!(dir
        .users
        .iter()
        .all(|u| u.account_name.as_deref() == Some("Hafenlogistik GmbH")));
    assert_eq!(dir.assignable_roles, Role::ACCOUNT_USERS.to_vec());

    let created = users::create(
        &t.db,
        &admin,
        new_user("buyer2@hafenlogistik.example", Role::Purchaser),
    )
    .await
    .unwrap();
    assert_eq!(created.account_name.as_deref(), Some("Hafenlogistik GmbH"));
    // Provider roles cannot be handed out by an account admin.
    let err = users::change_role(&t.db, &admin, created.id, Role::TenantAdmin).await;
    assert!(
        matches!(err, Err(DomainError::Invalid(ref f)) if f[0].field == "role"),
        "{err:?}"
    );
}

#[tokio::test]
async fn creating_a_user_validates_every_field_precisely() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let cases = [
        (new_user("not-an-email", Role::SpAgent), "email"),
        (new_user(ALPINA_ADMIN, Role::SpAgent), "email"),
        (new_user("x@nordwind.example", Role::Purchaser), "role"),
        (
            NewUser {
                display_name: "   ".into(),
                ..new_user("y@nordwind.example", Role::SpAgent)
            },
            "display_name",
        ),
        (
            NewUser {
                initial_password: "short".into(),
                ..new_user("z@nordwind.example", Role::SpAgent)
            },
            "password",
        ),
    ];
    for (input, field) in cases {
        match users::create(&t.db, &admin, input.clone()).await {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, field, "{input:?}"),
            other => panic!("{input:?} gave {other:?}"),
        }
    }
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    assert!(users::set_active(&t.db, &admin, admin.user_id, false)
        .await
        .is_err());
    assert!(
        users::change_role(&t.db, &admin, admin.user_id, Role::SpAgent)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn concurrent_creation_of_one_email_creates_one_user() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let attempts = (0..4).map(|_| {
        users::create(
            &t.db,
            &admin,
            new_user("race@nordwind.example", Role::SpAgent),
        )
    });
    let results = futures::future::join_all(attempts).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for failure in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(failure, DomainError::Invalid(f) if f[0].field == "email"),
            "{failure:?}"
        );
    }
}

#[tokio::test]
async fn every_role_gets_a_dashboard() {
    let t = demo_db().await;
    for login in simdesk_domain::demo::logins() {
        let actor = actor(&t, &login.email).await;
        let board = dashboard::for_actor(&t.db, &actor).await.unwrap();
        assert!(!board.cards.is_empty(), "{}", login.email);
        assert!(board.greeting.starts_with("Welcome"), "{}", login.email);
    }
}

#[tokio::test]
async fn platform_operator_creates_a_tenant_with_its_first_admin() {
    let t = demo_db().await;
    let operator = actor(&t, OPERATOR).await;
    let created = tenants::create(
        &t.db,
        &operator,
        tenants::NewTenant {
            name: "Fjord Connect".into(),
            slug: "fjord".into(),
            admin_email: "admin@fjord.example".into(),
            admin_name: "Frida Fjord".into(),
            admin_password: "first password 1".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.users, 1);
    let listed = tenants::list(&t.db, &operator).await.unwrap();
    assert_eq!(listed.len(), 3);
    let admin = password_sign_in(&t, "admin@fjord.example", "first password 1")
        .await
        .unwrap();
    assert_eq!(admin.roles, vec![Role::TenantAdmin]);
    assert_eq!(admin.tenant_id, Some(created.id));
    // The new tenant's admin sees an empty staff list but themselves.
    let dir = users::directory(&t.db, &admin).await.unwrap();
    assert_eq!(dir.users.len(), 1);
}
