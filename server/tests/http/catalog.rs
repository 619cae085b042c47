//! The catalog and onboarding server functions and CSV routes, called across tenants and
//! accounts with foreign ids.

use crate::support::*;
use reqwest::header::COOKIE;
use reqwest::StatusCode;

/// The id of a demo product or account of Alpina, found as Alpina's own staff see it.
async fn alpina_ids(server: &TestServer) -> (i64, i64, i64) {
    let admin = server.sign_in("admin@alpina.example").await;
    let (_, products) = server
        .call("catalog_products", "search=ALPINA-IOT-4FF", Some(&admin))
        .await;
    let product = json_id(&products, "\"id\":");
    let (_, accounts) = server
        .call("accounts_page", "search=AL-2001", Some(&admin))
        .await;
    let account = json_id(&accounts, "\"id\":");
    let (_, options) = server.call("catalog_options", "", Some(&admin)).await;
    let option = json_id(&options, "\"id\":");
    (product, account, option)
}

fn json_id(body: &str, key: &str) -> i64 {
    body.split(key)
        .nth(1)
        .and_then(|rest| rest.split([',', '}']).next())
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nordwind_staff_reach_nothing_of_alpina_through_any_function() {
    let server = start().await;
    let (product, account, option) = alpina_ids(&server).await;
    for email in ["admin@nordwind.example", "agent@nordwind.example"] {
        let cookie = server.sign_in(email).await;
        let calls = [
            ("catalog_product", format!("id={product}")),
            ("update_product", format!("id={product}&version=1&input%5Bpart_number%5D=X&input%5Bname%5D=X&input%5Bsim_type%5D=plastic&input%5Bform_factor%5D=4FF&input%5Bunit_price%5D=1&input%5Bcurrency%5D=EUR&input%5Bunspsc%5D=43191501")),
            ("set_product_status", format!("id={product}&version=1&status=retired")),
            ("set_option_active", format!("id={option}&active=false")),
            ("account_workspace", format!("id={account}")),
            ("update_account", format!("id={account}&version=1&input%5Bname%5D=X&input%5Bcustomer_number%5D=X")),
            ("set_account_entitlements", format!("id={account}&version=1")),
            ("add_account_address", format!("id={account}&address%5Brecipient%5D=X&address%5Bstreet%5D=X&address%5Bpostal_code%5D=1&address%5Bcity%5D=X&address%5Bcountry%5D=DE")),
            ("set_default_account_address", format!("id={account}&address_id=1")),
            ("remove_account_address", format!("id={account}&address_id=1")),
            ("assign_account_product", format!("id={account}&product_id={product}")),
            ("unassign_account_product", format!("id={account}&product_id={product}")),
            ("invite_account_admin", format!("id={account}&email=x%40x.example&display_name=X&initial_password=initial+password+1")),
        ];
        for (function, form) in calls {
            let (status, body) = server.call(function, &form, Some(&cookie)).await;
            let (status, body) = (&status, &body);
            // An agent may not change the catalog at all; everything else is simply not found.
            let expected = if email.starts_with("agent")
                && ["update_product", "set_product_status", "set_option_active"].contains(&function)
            {
                "Forbidden"
            } else {
                "NotFound"
            };
            assert!(
                body.contains(expected),
                "{email} {function}: {status} {body}"
            );
        }
        let (_, listed) = server.call("catalog_products", "", Some(&cookie)).await;
        assert!(!listed.contains("ALPINA-"), "{listed}");
        let (_, accounts) = server.call("accounts_page", "", Some(&cookie)).await;
        assert!(!accounts.contains("AL-2001"), "{accounts}");
        let csv = server
            .get("/catalog/products.csv", Some(&cookie))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            csv.starts_with("part_number,") && !csv.contains("ALPINA-"),
            "{csv}"
        );
        let csv = server
            .get("/accounts.csv", Some(&cookie))
            .await
            .text()
            .await
            .unwrap();
        assert!(!csv.contains("AL-2001"), "{csv}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_users_reach_no_provider_function_and_no_other_account() {
    let server = start().await;
    let (product, account, _) = alpina_ids(&server).await;
    let hafen_admin = server.sign_in("admin@hafenlogistik.example").await;
    for function in [
        "catalog_products",
        "catalog_options",
        "accounts_page",
        "tenant_settings",
    ] {
        refused(
            server.call(function, "", Some(&hafen_admin)).await,
            "Forbidden",
        );
    }
    refused(
        server
            .call(
                "account_workspace",
                &format!("id={account}"),
                Some(&hafen_admin),
            )
            .await,
        "Forbidden",
    );
    // Alpina's product is not Hafenlogistik's to hide.
    refused(
        server
            .call(
                "set_product_visibility",
                &format!("product_id={product}&orderable=false"),
                Some(&hafen_admin),
            )
            .await,
        "NotFound",
    );
    for path in ["/catalog/products.csv", "/accounts.csv"] {
        assert_eq!(
            server.get(path, Some(&hafen_admin)).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // Their own catalog shows their own products only.
    let (status, catalog) = server.call("account_catalog", "", Some(&hafen_admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        catalog.contains("NORDWIND-IOT-4FF") && !catalog.contains("ALPINA-"),
        "{catalog}"
    );
    let purchaser = server.sign_in("purchaser@hafenlogistik.example").await;
    refused(
        server
            .call(
                "set_product_visibility",
                "product_id=1&orderable=false",
                Some(&purchaser),
            )
            .await,
        "Forbidden",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_are_sent_to_sign_in_from_csv_routes_and_uploads() {
    let server = start().await;
    for path in ["/catalog/products.csv", "/accounts.csv"] {
        let response = server.get(path, None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&response).starts_with("/sign-in"), "{path}");
    }
    let agent = server.sign_in("agent@nordwind.example").await;
    let form = reqwest::multipart::Form::new().text("file", "part_number,name\n");
    let response = server
        .client
        .post(server.url("/catalog/products/import"))
        .header(COOKIE, &agent)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/catalog/import");
    // The page then tells the agent they may not change the catalog.
    let page = server
        .get("/catalog/import", Some(&agent))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("You are not allowed to change the catalog."),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_posts_with_nested_fields_and_empty_selects_are_understood() {
    let server = start().await;
    let admin = server.sign_in("admin@nordwind.example").await;
    let (status, body) = server
        .call(
            "create_product",
            "input%5Bpart_number%5D=NW-FORM&input%5Bname%5D=Form+SIM&input%5Bsim_type%5D=plastic&input%5Bform_factor%5D=4FF&input%5Bunit_price%5D=3%2C50&input%5Bcurrency%5D=eur&input%5Bunspsc%5D=43191501&input%5Bdefault_price_plan%5D=&input%5Binitial_billing_status%5D=",
            Some(&admin),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    assert!(body.contains("\"minor\":350"), "{body}");
    let (_, bad) = server
        .call(
            "create_product",
            "input%5Bpart_number%5D=NW-BAD&input%5Bdefault_price_plan%5D=abc",
            Some(&admin),
        )
        .await;
    assert!(bad.contains("Invalid"), "{bad}");
}
