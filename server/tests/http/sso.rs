//! Single sign-on over HTTP against a real OpenID provider (`oidc-provider` on loopback).

use crate::support::*;
use reqwest::StatusCode;
use simdesk_domain::sso::{self, OidcSettings, SsoRuntime};
use simdesk_domain::testing::oidc::{OidcProvider, ProviderUser};
use simdesk_domain::Actor;
use simdesk_server::HttpSettings;
use simdesk_types::SsoConfigInput;

const ADMIN: &str = "admin@hafenlogistik.example";

struct SsoSetup {
    server: TestServer,
    provider: OidcProvider,
}

fn refresh_target(response: &reqwest::Response) -> String {
    let refresh = response
        .headers()
        .get("refresh")
        .and_then(|v| v.to_str().ok())
        .expect("a page that continues to the provider");
    refresh
        .strip_prefix("0;url=")
        .expect("refresh to a URL")
        .to_owned()
}

async fn actor_of(server: &TestServer, email: &str) -> Actor {
    Actor::load(&server.database.db, server.user_id(email).await)
        .await
        .unwrap()
        .unwrap()
}

/// A server whose Hafenlogistik account signs in `sso.hafen.example` at a fresh provider.
async fn setup(require_sso: bool, timeout_seconds: u64) -> SsoSetup {
    let runtime = SsoRuntime {
        oidc: OidcSettings {
            timeout: std::time::Duration::from_secs(timeout_seconds),
            ..OidcSettings::default()
        },
        ..SsoRuntime::default()
    };
    let settings = HttpSettings {
        sso: runtime,
        ..HttpSettings::default()
    };
    let key = settings.sealing_key.clone();
    let server = start_with(settings).await;
    let provider = OidcProvider::start(
        &[
            ProviderUser::new("ada-1", "ada@sso.hafen.example", &["sim-buyers"]),
            ProviderUser::new("eve-2", "eve@sso.hafen.example", &[]),
        ],
        3600,
    )
    .await;
    let callback = server.url("/auth/sso/callback");
    let client = provider
        .register(&callback, &server.url("/sign-in?signed_out=1"))
        .await;
    let admin = actor_of(&server, ADMIN).await;
    sso::save(
        &server.database.db,
        &key,
        &admin,
        None,
        0,
        SsoConfigInput {
            enabled: true,
            issuer_url: provider.issuer.clone(),
            client_id: client.client_id,
            client_secret: client.client_secret,
            scopes: "email profile groups".into(),
            domains: "sso.hafen.example, hafenlogistik.example".into(),
            role_claim: "groups".into(),
            role_mapping: "sim-buyers = purchaser".into(),
            jit_enabled: true,
            jit_role: String::new(),
            require_sso,
            break_glass_user_id: require_sso.then_some(admin.user_id),
        },
        &callback,
    )
    .await
    .expect("SSO configured");
    SsoSetup { server, provider }
}

/// Posts the sign-in page's "Sign in with single sign-on" form.
async fn post_sso(server: &TestServer, form: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/auth/sso"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .unwrap()
}

/// Starts a single sign-on for `email`; returns the session cookie and the provider URL.
async fn start_sso(server: &TestServer, email: &str) -> (String, String) {
    let response = post_sso(
        server,
        &format!("email={}&next=%2Forders", urlencode(email)),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.headers()
    );
    let cookie = session_cookie(response.headers()).expect("a session for the pending sign-in");
    (cookie, refresh_target(&response))
}

async fn get_with(server: &TestServer, url: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = server.client.get(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_signs_in_rotates_the_session_and_signs_out_at_the_provider() {
    let SsoSetup { server, provider } = setup(false, 10).await;
    let (pending_cookie, authorize) = start_sso(&server, " Ada@SSO.hafen.example ").await;
    assert!(
        authorize.starts_with(&format!("{}/auth?", provider.issuer)),
        "{authorize}"
    );
    let back = provider
        .sign_in(
            &authorize,
            "ada@sso.hafen.example",
            &server.url("/auth/sso/callback"),
        )
        .await;
    let response = get_with(&server, &back, Some(&pending_cookie)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/orders",
        "back where the user wanted to go"
    );
    let cookie = session_cookie(response.headers()).expect("a new session id");
    assert_ne!(
        cookie, pending_cookie,
        "the session id is rotated at sign-in"
    );

    let (status, me) = server.call("current_user", "", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        me.contains("ada@sso.hafen.example") && me.contains("purchaser"),
        "{me}"
    );
    // The cookie from before the sign-in is worthless.
    let (_, old) = server.call("current_user", "", Some(&pending_cookie)).await;
    assert_eq!(old, "null");

    // The same answer again: the sign-in was completed already.
    let replay = get_with(&server, &back, Some(&cookie)).await;
    assert_eq!(location(&replay), "/sign-in?error=sso_expired");

    let signed_out = server
        .client
        .post(server.url("/auth/sign-out"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::OK);
    let end_session = refresh_target(&signed_out);
    assert!(
        end_session.starts_with(&format!("{}/session/end?", provider.issuer)),
        "{end_session}"
    );
    assert!(end_session.contains("id_token_hint="), "{end_session}");
    assert!(
        end_session.contains("post_logout_redirect_uri="),
        "{end_session}"
    );
    let (_, after) = server.call("current_user", "", Some(&cookie)).await;
    assert_eq!(after, "null", "the local session ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_state_a_refusal_and_a_missing_sign_in_end_on_the_sign_in_page() {
    let SsoSetup {
        server,
        provider: _provider,
    } = setup(false, 10).await;
    let (cookie, authorize) = start_sso(&server, "ada@sso.hafen.example").await;
    let wrong = get_with(
        &server,
        &server.url("/auth/sso/callback?code=abc&state=forged"),
        Some(&cookie),
    )
    .await;
    assert_eq!(location(&wrong), "/sign-in?error=sso_expired");

    let (cookie, authorize_again) = start_sso(&server, "ada@sso.hafen.example").await;
    assert_ne!(
        authorize, authorize_again,
        "a fresh state and nonce per sign-in"
    );
    let state: String = url::Url::parse(&authorize_again)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let denied = get_with(
        &server,
        &server.url(&format!(
            "/auth/sso/callback?error=access_denied&error_description=User+cancelled&state={}",
            urlencode(&state)
        )),
        Some(&cookie),
    )
    .await;
    assert_eq!(location(&denied), "/sign-in?error=sso_denied");

    let nothing = get_with(
        &server,
        &server.url("/auth/sso/callback?code=abc&state=abc"),
        None,
    )
    .await;
    assert_eq!(location(&nothing), "/sign-in?error=sso_expired");

    let page = server.get("/sign-in?error=sso_denied", None).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("cancelled or refused at your company"),
        "a clear page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_domains_unreachable_providers_and_users_without_a_role_are_explained() {
    let SsoSetup { server, provider } = setup(false, 1).await;
    let none = post_sso(&server, "email=someone%40nowhere.example").await;
    assert_eq!(
        location(&none),
        "/sign-in?error=sso_not_configured&email=someone%40nowhere.example"
    );

    // Eve is in no mapped group and no default role is set.
    let (cookie, authorize) = start_sso(&server, "eve@sso.hafen.example").await;
    let back = provider
        .sign_in(
            &authorize,
            "eve@sso.hafen.example",
            &server.url("/auth/sso/callback"),
        )
        .await;
    let response = get_with(&server, &back, Some(&cookie)).await;
    assert_eq!(location(&response), "/sign-in?error=sso_no_role");

    // The provider goes away: a clear answer within the timeout, not a hang.
    drop(provider);
    let started = std::time::Instant::now();
    let down = post_sso(&server, "email=ada%40sso.hafen.example").await;
    assert_eq!(
        location(&down),
        "/sign-in?error=sso_unreachable&email=ada%40sso.hafen.example"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_sso_turns_passwords_away_and_an_empty_password_goes_to_the_provider() {
    let SsoSetup { server, provider } = setup(true, 10).await;
    let refused = server
        .sign_in_response("purchaser@hafenlogistik.example", DEMO_PASSWORD, None)
        .await;
    assert_eq!(location(&refused), "/sign-in?error=sso_required");
    let html = server
        .get("/sign-in?error=sso_required", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("signs you in with single sign-on"));
    // The break-glass admin keeps the password.
    server.sign_in(ADMIN).await;

    let response = server
        .sign_in_response("purchaser@hafenlogistik.example", "", None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refresh_target(&response).starts_with(&provider.issuer));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_settings_are_out_of_reach_for_other_tenants_accounts_and_roles() {
    let SsoSetup {
        server,
        provider: _provider,
    } = setup(false, 10).await;
    let hafen = actor_of(&server, ADMIN).await.account_id.unwrap();
    let own = server.sign_in(ADMIN).await;
    let (status, body) = server.call("sso_settings", "", Some(&own)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"has_client_secret\":true"), "{body}");
    assert!(
        !body.contains("client_secret\":\""),
        "the secret never leaves the server"
    );

    let agent = server.sign_in("agent@nordwind.example").await;
    let (status, _) = server
        .call("sso_settings", &format!("account_id={hafen}"), Some(&agent))
        .await;
    assert_eq!(status, StatusCode::OK, "the tenant's agent may");

    for outsider in [
        "agent@alpina.example",
        "admin@lakeside.example",
        "admin@bergbahn.example",
    ] {
        let cookie = server.sign_in(outsider).await;
        refused(
            server
                .call(
                    "sso_settings",
                    &format!("account_id={hafen}"),
                    Some(&cookie),
                )
                .await,
            "NotFound",
        );
        refused(
            server
                .call(
                    "save_sso_settings",
                    &format!("account_id={hafen}&version=1&settings[issuer_url]=https%3A%2F%2Fevil.example&settings[client_id]=x&settings[client_secret]=y&settings[domains]=evil.example"),
                    Some(&cookie),
                )
                .await,
            "NotFound",
        );
        refused(
            server
                .call(
                    "test_sso_connection",
                    &format!("account_id={hafen}"),
                    Some(&cookie),
                )
                .await,
            "NotFound",
        );
    }
    let purchaser = server.sign_in("purchaser@hafenlogistik.example").await;
    refused(
        server.call("sso_settings", "", Some(&purchaser)).await,
        "Forbidden",
    );

    // A bad form names its fields.
    let (status, body) = server
        .call(
            "save_sso_settings",
            "version=1&settings[enabled]=true&settings[issuer_url]=ftp%3A%2F%2Fx&settings[client_id]=&settings[domains]=nodot",
            Some(&own),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    for expected in ["issuer_url", "client_id", "is not an e-mail domain"] {
        assert!(body.contains(expected), "{expected} in {body}");
    }
}
