use crate::support::*;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use simdesk_domain::auth::LOCKOUT_THRESHOLD;
use simdesk_server::{HttpSettings, SESSION_COOKIE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_a_host_only_secure_http_only_lax_cookie() {
    let server = start().await;
    let response = server
        .sign_in_response("admin@nordwind.example", DEMO_PASSWORD, None)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with(SESSION_COOKIE))
        .expect("session cookie");
    let attributes: Vec<String> = set_cookie
        .split(';')
        .map(|a| a.trim().to_lowercase())
        .collect();
    for expected in ["httponly", "secure", "samesite=lax", "path=/"] {
        assert!(
            attributes.contains(&expected.to_owned()),
            "{expected} missing in {set_cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain=")),
        "__Host- cookies carry no Domain"
    );
    assert!(SESSION_COOKIE.starts_with("__Host-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_session_reaches_the_dashboard_and_a_visitor_is_sent_to_sign_in() {
    let server = start().await;
    let visitor = server.get("/", None).await;
    assert_eq!(visitor.status(), StatusCode::FOUND);
    assert!(location(&visitor).starts_with("/sign-in"));

    let cookie = server.sign_in("admin@nordwind.example").await;
    let page = server.get("/", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Welcome, Tessa Admin"), "{html}");
    assert!(html.contains("Nordwind Mobile"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_again_rotates_the_session_id_and_kills_the_old_one() {
    let server = start().await;
    let first = server.sign_in("agent@nordwind.example").await;
    let response = server
        .sign_in_response("agent@nordwind.example", DEMO_PASSWORD, Some(&first))
        .await;
    let second = session_cookie(response.headers()).expect("a new cookie");
    assert_ne!(first, second, "the session id must change at sign-in");
    let stale = server.get("/", Some(&first)).await;
    assert_eq!(
        stale.status(),
        StatusCode::FOUND,
        "the pre-sign-in id must be dead"
    );
    assert_eq!(
        server.get("/", Some(&second)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_ends_the_session_on_the_server() {
    let server = start().await;
    let cookie = server.sign_in("admin@alpina.example").await;
    let response = server
        .client
        .post(server.url("/auth/sign-out"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in?signed_out=1");
    // Replaying the old cookie gets nowhere.
    let replay = server.get("/", Some(&cookie)).await;
    assert_eq!(replay.status(), StatusCode::FOUND);
    let (_, body) = server.call("dashboard", "", Some(&cookie)).await;
    assert!(body.contains("Unauthenticated"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_look_the_same_whatever_went_wrong() {
    let server = start().await;
    let wrong_password = server
        .sign_in_response("admin@nordwind.example", "wrong password", None)
        .await;
    let unknown_user = server
        .sign_in_response("ghost@nordwind.example", DEMO_PASSWORD, None)
        .await;
    for response in [wrong_password, unknown_user] {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/sign-in?error=failed");
        assert!(session_cookie(response.headers()).is_none());
    }
    let page = server
        .get("/sign-in?error=failed", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign-in failed. Check your e-mail address and password."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_account() {
    let server = start().await;
    for _ in 0..LOCKOUT_THRESHOLD {
        server
            .sign_in_response("agent@alpina.example", "wrong password", None)
            .await;
    }
    let response = server
        .sign_in_response("agent@alpina.example", DEMO_PASSWORD, None)
        .await;
    assert_eq!(location(&response), "/sign-in?error=failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_rate_limited_per_client() {
    let server = start_with(HttpSettings {
        sign_in_per_minute: 3,
        ..HttpSettings::default()
    })
    .await;
    // Attempts are counted per minute of the clock: all of these fall in one.
    let second = chrono::Utc::now().timestamp().rem_euclid(60);
    if second >= 55 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - second as u64)).await;
    }
    for _ in 0..3 {
        let r = server
            .sign_in_response("viewer@lakeside.example", "wrong", None)
            .await;
        assert_eq!(location(&r), "/sign-in?error=failed");
    }
    let throttled = server
        .sign_in_response("viewer@lakeside.example", DEMO_PASSWORD, None)
        .await;
    assert_eq!(location(&throttled), "/sign-in?error=throttled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_only_follows_local_next_paths() {
    let server = start().await;
    for (next, expected) in [
        ("/audit", "/audit"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
    ] {
        let response = server
            .client
            .post(server.url("/auth/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "email=admin%40nordwind.example&password={}&next={}",
                urlencode(DEMO_PASSWORD),
                urlencode(next)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), expected, "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_form_posts_are_refused() {
    let server = start().await;
    let response = server
        .client
        .post(server.url("/auth/sign-in"))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email=admin%40nordwind.example&password={}",
            urlencode(DEMO_PASSWORD)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_and_pages_carry_security_headers() {
    let server = start().await;
    assert_eq!(server.get("/healthz", None).await.status(), StatusCode::OK);
    assert_eq!(
        server.get("/readyz", None).await.text().await.unwrap(),
        "ready"
    );
    let page = server.get("/sign-in", None).await;
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    // Inline scripts run only with this response's nonce, which the page's scripts carry.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's policy")
        .to_owned();
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert_eq!(
        server.get("/no-such-page", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_an_admin_set_password_must_change_it_first() {
    let server = start().await;
    let admin = server.sign_in("admin@nordwind.example").await;
    let (status, body) = server
        .call(
            "create_user",
            "email=fresh%40nordwind.example&display_name=Fresh&role=sp_agent&initial_password=initial+password+1",
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = server
        .sign_in_response("fresh@nordwind.example", "initial password 1", None)
        .await;
    assert_eq!(location(&response), "/account/password");
    let cookie = session_cookie(response.headers()).unwrap();
    let dashboard = server.get("/", Some(&cookie)).await;
    assert_eq!(dashboard.status(), StatusCode::FOUND);
    assert_eq!(location(&dashboard), "/account/password");
    let (_, body) = server.call("user_directory", "", Some(&cookie)).await;
    assert!(body.contains("PasswordChangeRequired"), "{body}");
    let (status, body) = server
        .call(
            "change_password",
            "current_password=initial+password+1&new_password=my+own+password&confirm_password=my+own+password",
            Some(&cookie),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    assert_eq!(
        server.get("/", Some(&cookie)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn forgot_password_answers_alike_and_after_the_same_time_for_any_address() {
    let server = start().await;
    let ask = |email: &'static str| {
        let request = server
            .client
            .post(server.url("/auth/forgot-password"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("email={}", urlencode(email)));
        async move {
            let started = std::time::Instant::now();
            let response = request.send().await.unwrap();
            (response.status(), location(&response), started.elapsed())
        }
    };
    let known = ask("purchaser@hafenlogistik.example").await;
    let unknown = ask("nobody@nowhere.example").await;
    assert_eq!((known.0, &known.1), (unknown.0, &unknown.1));
    assert_eq!(known.1, "/forgot-password?sent=1");
    // Both wait out the same floor, which is longer than queueing a link takes.
    for (_, _, took) in [known, unknown] {
        assert!(
            took >= simdesk_server::auth_routes::FORGOT_PASSWORD_ANSWER_TIME,
            "{took:?}"
        );
    }
}
