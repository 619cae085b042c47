//! Purchase-order server functions and routes over HTTP: the whole journey, stale versions,
//! and every function called with another tenant's or account's ids.

use crate::support::*;
use reqwest::header::COOKIE;
use reqwest::StatusCode;

fn first_number_after(body: &str, key: &str) -> i64 {
    body.split(key)
        .nth(1)
        .and_then(|rest| rest.split([',', '}']).next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {body}"))
}

/// Id and version of the newest PO the signed-in user sees.
async fn newest_po(server: &TestServer, cookie: &str) -> (i64, i32) {
    let (_, page) = server.call("orders_page", "", Some(cookie)).await;
    let id = first_number_after(&page, "\"rows\":[{\"id\":");
    let (_, detail) = server
        .call("po_detail", &format!("id={id}"), Some(cookie))
        .await;
    (id, first_number_after(&detail, "\"version\":") as i32)
}

async fn version(server: &TestServer, cookie: &str, id: i64) -> i32 {
    let (_, detail) = server
        .call("po_detail", &format!("id={id}"), Some(cookie))
        .await;
    first_number_after(&detail, "\"version\":") as i32
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_po_goes_from_the_form_to_closed_over_http() {
    let server = start().await;
    let purchaser = server.sign_in("purchaser@hafenlogistik.example").await;
    let agent = server.sign_in("agent@nordwind.example").await;
    let (_, form) = server.call("po_form", "", Some(&purchaser)).await;
    let product = first_number_after(&form, "\"product_id\":");
    let address = first_number_after(&form, "\"addresses\":[{\"id\":");

    // A bad quantity is refused with the field named, nothing is created.
    let bad = format!("input%5Blines%5D%5B0%5D%5Bproduct_id%5D={product}&input%5Blines%5D%5B0%5D%5Bquantity%5D=7&input%5Bshipping_address_id%5D={address}");
    let (status, body) = server.call("save_po", &bad, Some(&purchaser)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("lines"), "{body}");

    let good = bad.replace("quantity%5D=7", "quantity%5D=20");
    let (status, body) = server.call("save_po", &good, Some(&purchaser)).await;
    assert!(status.is_success(), "{status} {body}");
    let id: i64 = body.trim().parse().expect("the new PO's id");

    let step = |id: i64, v: i32, step: &str| format!("id={id}&version={v}&step={step}&reason=");
    let v = version(&server, &purchaser, id).await;
    let (status, body) = server
        .call("po_step", &step(id, v, "submit"), Some(&purchaser))
        .await;
    assert!(status.is_success(), "{status} {body}");
    // The purchaser cannot accept; a stale version is a conflict; an unknown step is refused.
    let v = version(&server, &agent, id).await;
    refused(
        server
            .call("po_step", &step(id, v, "accept"), Some(&purchaser))
            .await,
        "Forbidden",
    );
    refused(
        server
            .call("po_step", &step(id, v, "teleport"), Some(&agent))
            .await,
        "Unknown step",
    );
    let (status, _) = server
        .call("po_step", &step(id, v, "accept"), Some(&agent))
        .await;
    assert!(status.is_success());
    let (status, body) = server
        .call("po_step", &step(id, v, "accept"), Some(&agent))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Not ready yet: the account gets no SIM list.
    let early = server
        .get(&format!("/orders/{id}/sims.csv"), Some(&purchaser))
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let v = version(&server, &agent, id).await;
    let (status, body) = server
        .call(
            "provision_po",
            &format!("id={id}&version={v}"),
            Some(&agent),
        )
        .await;
    assert!(
        status.is_success() && body.contains("Ready"),
        "{status} {body}"
    );
    let csv = server
        .get(&format!("/orders/{id}/sims.csv"), Some(&purchaser))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.text().await.unwrap().lines().count(), 21);

    let v = version(&server, &agent, id).await;
    let ship = format!("id={id}&version={v}&shipment%5Bcarrier%5D=DHL&shipment%5Btracking_number%5D=123&shipment%5Bshipped_on%5D=2020-13-01");
    refused(
        server.call("ship_po", &ship, Some(&agent)).await,
        "YYYY-MM-DD",
    );
    let today = chrono::Utc::now().date_naive().to_string();
    let ship = ship.replace("2020-13-01", &today);
    let (status, body) = server.call("ship_po", &ship, Some(&agent)).await;
    assert!(status.is_success(), "{status} {body}");
    let v = version(&server, &purchaser, id).await;
    let (status, body) = server
        .call("po_step", &step(id, v, "confirm_receipt"), Some(&purchaser))
        .await;
    assert!(
        status.is_success() && body.contains("Closed"),
        "{status} {body}"
    );

    // The page shows it, without JavaScript.
    let page = server
        .get(&format!("/orders/{id}"), Some(&purchaser))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Receipt confirmed") && page.contains("DHL"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_reaches_another_tenants_or_accounts_orders_through_any_function() {
    let server = start().await;
    let alpina = server.sign_in("agent@alpina.example").await;
    let (po, _) = newest_po(&server, &alpina).await;
    let (_, accounts) = server
        .call("accounts_page", "search=AL-2001", Some(&alpina))
        .await;
    let account = first_number_after(&accounts, "\"id\":");
    let alpina_purchaser = server.user_id("purchaser@lakeside.example").await;
    for email in [
        "agent@nordwind.example",
        "admin@nordwind.example",
        "purchaser@hafenlogistik.example",
        "admin@hafenlogistik.example",
        "purchaser@metrofleet.example",
    ] {
        let cookie = server.sign_in(email).await;
        let calls = [
            ("po_detail", format!("id={po}")),
            ("po_form", format!("id={po}")),
            ("po_step", format!("id={po}&version=2&step=accept&reason=")),
            ("po_step", format!("id={po}&version=2&step=reject&reason=x")),
            ("po_step", format!("id={po}&version=2&step=cancel&reason=")),
            ("po_step", format!("id={po}&version=2&step=reopen&reason=")),
            ("provision_po", format!("id={po}&version=2")),
            ("provision_po", format!("id={po}&version=2&identifiers=1")),
            ("ship_po", format!("id={po}&version=2&shipment%5Bcarrier%5D=X&shipment%5Btracking_number%5D=1&shipment%5Bshipped_on%5D=2026-01-01")),
            ("save_po", format!("id={po}&version=2&input%5Bshipping_address_id%5D=1")),
            ("set_spending_limit", format!("user_id={alpina_purchaser}&amount=1&currency=EUR")),
        ];
        for (function, form) in calls {
            let (status, body) = server.call(function, &form, Some(&cookie)).await;
            assert!(
                (status == StatusCode::NOT_FOUND && body.contains("NotFound"))
                    || (status == StatusCode::FORBIDDEN && body.contains("Forbidden")),
                "{email} {function}: {status} {body}"
            );
        }
        // Agents of another tenant cannot raise a PO for this account.
        if email.starts_with("agent") || email.starts_with("admin@nordwind") {
            let (status, body) = server
                .call("po_form", &format!("account={account}"), Some(&cookie))
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{email}: {body}");
        }
        let (_, listed) = server
            .call("orders_page", &format!("account={account}"), Some(&cookie))
            .await;
        assert!(
            !listed.contains(&format!("{{\"id\":{po},\"po_number\"")),
            "{email} lists {po}: {listed}"
        );
        let csv = server
            .get(&format!("/orders/{po}/sims.csv"), Some(&cookie))
            .await;
        assert_eq!(csv.status(), StatusCode::NOT_FOUND, "{email}");
    }
    // Visitors get nothing.
    refused(
        server.call("po_detail", &format!("id={po}"), None).await,
        "Unauthenticated",
    );
    refused(
        server.call("orders_page", "", None).await,
        "Unauthenticated",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stock_upload_reports_and_loads() {
    let server = start().await;
    let admin = server.sign_in("admin@nordwind.example").await;
    let agent = server.sign_in("agent@nordwind.example").await;
    let upload = |cookie: Option<String>, body: String| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::text(body).file_name("stock.csv"),
        );
        let mut request = server
            .client
            .post(server.url("/stock/import"))
            .multipart(form);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send()
    };
    let visitor = upload(None, "iccid\n".into()).await.unwrap();
    assert_eq!(location(&visitor), "/sign-in?next=/stock");

    let mut csv = String::from("iccid,imsi,msisdn,part_number\n");
    for (iccid, imsi, msisdn) in simdesk_domain::orders::stock::sample_identities(800_000, 50) {
        csv.push_str(&format!("{iccid},{imsi},+{msisdn},NORDWIND-ESIM\n"));
    }
    let response = upload(Some(admin.clone()), csv.clone()).await.unwrap();
    assert_eq!(location(&response), "/stock");
    let (_, outcome) = server
        .call("take_stock_import_outcome", "", Some(&admin))
        .await;
    assert!(outcome.contains("\"created\":50"), "{outcome}");
    let (_, levels) = server.call("stock_levels", "", Some(&agent)).await;
    assert!(levels.contains("\"part_number\":\"NORDWIND-ESIM\",\"product_name\":\"Consumer-grade eSIM profile\",\"free\":50"), "{levels}");

    // The same file again: every line is reported, nothing is loaded twice.
    upload(Some(admin.clone()), csv).await.unwrap();
    let (_, outcome) = server
        .call("take_stock_import_outcome", "", Some(&admin))
        .await;
    assert!(
        outcome.contains("already in stock") && outcome.contains("\"line\":51"),
        "{outcome}"
    );
    // Agents do not load stock.
    upload(Some(agent.clone()), "iccid,imsi,part_number\n".into())
        .await
        .unwrap();
    let (_, outcome) = server
        .call("take_stock_import_outcome", "", Some(&agent))
        .await;
    assert!(
        outcome.contains("Only the tenant's admins load SIMs."),
        "{outcome}"
    );
    // The page's scripted upload (progress bar) is told where to go instead of redirected.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text("iccid,imsi,part_number\n1,2,X\n").file_name("s.csv"),
    );
    let scripted = server
        .client
        .post(server.url("/stock/import"))
        .header(COOKIE, admin.clone())
        .header("x-requested-with", "XMLHttpRequest")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status(), StatusCode::OK);
    assert_eq!(scripted.text().await.unwrap(), "/stock");
    let (_, outcome) = server
        .call("take_stock_import_outcome", "", Some(&admin))
        .await;
    assert!(outcome.contains("19 or 20 digits"), "{outcome}");
    // The page shows the levels without JavaScript.
    let page = server
        .get("/stock", Some(&agent))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("NORDWIND-ESIM"), "{page}");
}
