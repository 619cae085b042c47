use crate::support::*;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Response, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::EntityTrait;
use simdesk_domain::db::{begin_write, DataScope};
use simdesk_domain::entity::tenant;
use totp_rs::{Builder, Secret};

const BROWSER_COOKIE: &str = "__Host-simdesk-browser";

/// The code an authenticator app with `key` shows `steps` time steps from now.
fn code(key: &str, steps: i64) -> String {
    let secret = Secret::try_from_base32(key.replace(' ', "")).expect("a base32 key");
    let totp = Builder::new().with_secret(secret).build().unwrap();
    let at = chrono::Utc::now().timestamp() + steps * 30;
    totp.generate(u64::try_from(at).unwrap()).to_string()
}

/// Sets up an authenticator app through the security page's server functions; returns its key
/// and the code that confirmed it (spent from then on).
async fn enrol(server: &TestServer, cookie: &str) -> (String, String) {
    let (status, body) = server.call("start_second_factor", "", Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server.call("second_factor_status", "", Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    let key = status["enrolment"]["key"]
        .as_str()
        .expect("a key")
        .to_owned();
    let confirming = code(&key, 0);
    let (status, body) = server
        .call(
            "confirm_second_factor",
            &format!("code={confirming}"),
            Some(cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The recovery codes wait in the session for the page, once.
    let (_, body) = server.call("second_factor_status", "", Some(cookie)).await;
    let shown: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(shown["new_recovery_codes"].as_array().unwrap().len(), 10);
    let (_, body) = server.call("second_factor_status", "", Some(cookie)).await;
    let again: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(again["new_recovery_codes"].as_array().unwrap().is_empty());
    (key, confirming)
}

async fn post_code(server: &TestServer, cookie: Option<&str>, form: &str) -> Response {
    let mut request = server
        .client
        .post(server.url("/auth/second-factor"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_with_a_second_factor_takes_a_fresh_code_and_may_trust_the_browser() {
    let server = start().await;
    let email = "agent@nordwind.example";
    let signed_in = server.sign_in(email).await;
    let (key, spent) = enrol(&server, &signed_in).await;

    let response = server.sign_in_response(email, DEMO_PASSWORD, None).await;
    assert_eq!(location(&response), "/sign-in/code");
    let pending = session_cookie(response.headers()).expect("a session for the second step");
    // The password alone signs nobody in.
    let page = server.get("/orders", Some(&pending)).await;
    assert_eq!(page.status(), StatusCode::FOUND);
    assert!(location(&page).starts_with("/sign-in"));
    let code_page = server.get("/sign-in/code", Some(&pending)).await;
    assert_eq!(code_page.status(), StatusCode::OK);
    assert!(code_page
        .text()
        .await
        .unwrap()
        .contains("Enter your sign-in code"));

    let wrong = post_code(&server, Some(&pending), "code=000000").await;
    assert_eq!(location(&wrong), "/sign-in/code?error=failed");
    // The very code that confirmed the enrolment (a code computed now could be the next time
    // step's, which is fresh).
    let replayed = post_code(&server, Some(&pending), &format!("code={spent}")).await;
    assert_eq!(
        location(&replayed),
        "/sign-in/code?error=failed",
        "the enrolment's code was spent"
    );

    let right = post_code(
        &server,
        Some(&pending),
        &format!("code={}&remember=on", code(&key, 1)),
    )
    .await;
    assert_eq!(location(&right), "/");
    let session = session_cookie(right.headers()).expect("a new session id");
    assert_ne!(session, pending, "the session id changes at sign-in");
    let trusted = set_cookie(&right, BROWSER_COOKIE).expect("the browser is trusted");
    let attributes = trusted.to_lowercase();
    for expected in [
        "httponly",
        "secure",
        "samesite=lax",
        "path=/",
        "max-age=2592000",
    ] {
        assert!(
            attributes.contains(expected),
            "{expected} missing in {trusted}"
        );
    }
    assert_eq!(
        server.get("/orders", Some(&session)).await.status(),
        StatusCode::OK
    );

    // The trusted browser signs in with the password alone; another browser is asked.
    let browser = trusted.split(';').next().unwrap().to_owned();
    let again = server
        .sign_in_response(email, DEMO_PASSWORD, Some(&browser))
        .await;
    assert_eq!(location(&again), "/");
    let elsewhere = server.sign_in_response(email, DEMO_PASSWORD, None).await;
    assert_eq!(location(&elsewhere), "/sign-in/code");

    // A code without a sign-in waiting for it goes back to the start.
    let stray = post_code(&server, None, &format!("code={}", code(&key, 0))).await;
    assert_eq!(location(&stray), "/sign-in?error=code_expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_second_factor_comes_before_anything_else() {
    let server = start().await;
    let txn = begin_write(&server.database.db, DataScope::System)
        .await
        .unwrap();
    tenant::Entity::update_many()
        .col_expr(tenant::Column::RequireSecondFactor, Expr::value(true))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let response = server
        .sign_in_response("agent@nordwind.example", DEMO_PASSWORD, None)
        .await;
    assert_eq!(location(&response), "/account/security");
    let cookie = session_cookie(response.headers()).unwrap();
    let dashboard = server.get("/", Some(&cookie)).await;
    assert_eq!(dashboard.status(), StatusCode::FOUND);
    assert_eq!(location(&dashboard), "/account/security");
    let (status, body) = server.call("user_directory", "", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("SecondFactorRequired"), "{body}");
    let security = server.get("/account/security", Some(&cookie)).await;
    assert_eq!(security.status(), StatusCode::OK);
    // Plain routes too: no CSV of accounts before the second factor is set up.
    let export = server.get("/accounts.csv", Some(&cookie)).await;
    assert_eq!(export.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&export), "/account/security");

    enrol(&server, &cookie).await;
    assert_eq!(
        server.get("/", Some(&cookie)).await.status(),
        StatusCode::OK
    );
    // Purchasers are not covered by the rule.
    let purchaser = server.sign_in("purchaser@hafenlogistik.example").await;
    assert_eq!(
        server.get("/", Some(&purchaser)).await.status(),
        StatusCode::OK
    );
}
