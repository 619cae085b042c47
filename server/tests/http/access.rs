//! Every server function and page, called across tenants and accounts with foreign ids.

use crate::support::*;
use reqwest::StatusCode;

/// Asserts that `cookie`'s user can neither change the role of nor deactivate any of `victims`.
async fn cannot_touch(server: &TestServer, cookie: &str, victims: &[&str]) {
    for victim in victims {
        let id = server.user_id(victim).await;
        let role = server
            .call(
                "change_role",
                &format!("user_id={id}&role=viewer"),
                Some(cookie),
            )
            .await;
        refused(role, "NotFound");
        let deactivate = server
            .call(
                "set_user_active",
                &format!("user_id={id}&active=false"),
                Some(cookie),
            )
            .await;
        refused(deactivate, "NotFound");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_get_nothing_from_any_server_function() {
    let server = start().await;
    let (status, body) = server.call("current_user", "", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "null"));
    for (function, form) in [
        ("dashboard", ""),
        ("user_directory", ""),
        ("create_user", "email=a%40b.example&display_name=A&role=viewer&initial_password=initial+password+1"),
        ("change_role", "user_id=1&role=viewer"),
        ("set_user_active", "user_id=1&active=false"),
        ("audit_page", ""),
        ("tenants", ""),
        ("create_tenant", "name=X&slug=xx&admin_email=x%40x.example&admin_name=X&admin_password=initial+password+1"),
        ("change_password", "current_password=a&new_password=b&confirm_password=b"),
    ] {
        refused(server.call(function, form, None).await, "Unauthenticated");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_admin_cannot_reach_another_tenant_through_any_id() {
    let server = start().await;
    let nordwind = server.sign_in("admin@nordwind.example").await;
    cannot_touch(
        &server,
        &nordwind,
        &[
            "admin@alpina.example",
            "agent@alpina.example",
            "purchaser@lakeside.example",
            "operator@simdesk.example",
        ],
    )
    .await;
    // The directory and the audit log only ever show Nordwind.
    let (_, directory) = server.call("user_directory", "", Some(&nordwind)).await;
    assert!(directory.contains("agent@nordwind.example"));
    assert!(!directory.contains("alpina"), "{directory}");
    let (_, audit) = server.call("audit_page", "", Some(&nordwind)).await;
    assert!(!audit.contains("alpina"), "{audit}");
    // Paging cursors cannot widen the scope.
    let (_, audit) = server
        .call("audit_page", "before=999999999", Some(&nordwind))
        .await;
    assert!(!audit.contains("alpina"), "{audit}");
    refused(
        server.call("tenants", "", Some(&nordwind)).await,
        "Forbidden",
    );
    refused(
        server
            .call("create_tenant", "name=X&slug=xx&admin_email=x%40x.example&admin_name=X&admin_password=initial+password+1", Some(&nordwind))
            .await,
        "Forbidden",
    );
    // A created user lands in the creator's tenant, whatever else is posted.
    let (status, created) = server
        .call(
            "create_user",
            "email=new%40nordwind.example&display_name=New&role=sp_agent&initial_password=initial+password+1&tenant_id=2",
            Some(&nordwind),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let alpina = server.sign_in("admin@alpina.example").await;
    let (_, alpina_directory) = server.call("user_directory", "", Some(&alpina)).await;
    assert!(!alpina_directory.contains("new@nordwind.example"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_admin_cannot_reach_another_account() {
    let server = start().await;
    let hafen = server.sign_in("admin@hafenlogistik.example").await;
    cannot_touch(
        &server,
        &hafen,
        &[
            "viewer@bergbahn.example",
            "admin@bergbahn.example",
            "agent@nordwind.example",
            "viewer@lakeside.example",
        ],
    )
    .await;
    let (_, directory) = server.call("user_directory", "", Some(&hafen)).await;
    assert!(!directory.contains("bergbahn"), "{directory}");
    refused(
        server.call("audit_page", "", Some(&hafen)).await,
        "Forbidden",
    );
    refused(server.call("tenants", "", Some(&hafen)).await, "Forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_without_user_management_are_refused_everywhere() {
    let server = start().await;
    for email in [
        "agent@nordwind.example",
        "purchaser@hafenlogistik.example",
        "approver@lakeside.example",
        "viewer@metrofleet.example",
    ] {
        let cookie = server.sign_in(email).await;
        refused(
            server.call("user_directory", "", Some(&cookie)).await,
            "Forbidden",
        );
        refused(
            server
                .call("set_user_active", "user_id=1&active=false", Some(&cookie))
                .await,
            "Forbidden",
        );
        refused(
            server.call("audit_page", "", Some(&cookie)).await,
            "Forbidden",
        );
        let page = server
            .get("/users", Some(&cookie))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("You are not allowed to do this."), "{email}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_precise_error() {
    let server = start().await;
    let admin = server.sign_in("admin@nordwind.example").await;
    let (_, body) = server
        .call("change_role", "user_id=abc&role=viewer", Some(&admin))
        .await;
    assert!(body.contains("Invalid"), "{body}");
    let (_, body) = server
        .call("change_role", "role=viewer", Some(&admin))
        .await;
    assert!(body.contains("Invalid"), "{body}");
    let id = server.user_id("agent@nordwind.example").await;
    let (_, body) = server
        .call(
            "change_role",
            &format!("user_id={id}&role=emperor"),
            Some(&admin),
        )
        .await;
    assert!(body.contains("Choose a role from the list."), "{body}");
    let (_, body) = server
        .call(
            "create_user",
            "email=nope&display_name=A&role=sp_agent&initial_password=initial+password+1",
            Some(&admin),
        )
        .await;
    assert!(
        body.contains("Enter an e-mail address such as name@example.com."),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_operator_manages_tenants_but_not_their_users() {
    let server = start().await;
    let operator = server.sign_in("operator@simdesk.example").await;
    let (status, tenants) = server.call("tenants", "", Some(&operator)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(tenants.contains("Nordwind Mobile") && tenants.contains("Alpina Telecom"));
    let id = server.user_id("agent@nordwind.example").await;
    refused(
        server
            .call(
                "set_user_active",
                &format!("user_id={id}&active=false"),
                Some(&operator),
            )
            .await,
        "Forbidden",
    );
}
