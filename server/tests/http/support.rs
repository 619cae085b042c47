use leptos::prelude::LeptosOptions;
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, Response, StatusCode};
use simdesk_domain::demo;
use simdesk_domain::testing::{self, TestDatabase};
use simdesk_server::{router, AppState, HttpSettings, SESSION_COOKIE};
use std::net::SocketAddr;

pub use simdesk_domain::demo::DEMO_PASSWORD;

/// One HTTP test at a time. Each test runs its own Tokio runtime and server; running them side
/// by side stalled about one run in six (a task never woken, in no request), which did not
/// recur with the tests serialised. The timeouts below turn any recurrence into a failure.
static ONE_AT_A_TIME: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(Default::default);

/// A running server with the demo data, and a client that follows no redirects.
pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub database: TestDatabase,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

pub async fn start() -> TestServer {
    start_with(HttpSettings::default()).await
}

/// A fresh database with the demo data.
async fn demo_data() -> TestDatabase {
    let limit = std::time::Duration::from_secs(60);
    // The first fresh database also builds the template and drops databases that earlier,
    // killed runs left behind (a benchmark's can hold a million rows): give it longer.
    let database = tokio::time::timeout(3 * limit, testing::fresh())
        .await
        .expect("a fresh database within three minutes");
    tokio::time::timeout(limit, demo::seed(&database.db))
        .await
        .expect("the demo data within a minute")
        .expect("seed demo data");
    database
}

/// The demo data without a server, for the workers beside the routes; taken in turn with the
/// servers.
pub struct DemoDatabase {
    pub database: TestDatabase,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl std::ops::Deref for DemoDatabase {
    type Target = TestDatabase;

    fn deref(&self) -> &TestDatabase {
        &self.database
    }
}

pub async fn demo_database() -> DemoDatabase {
    let turn = ONE_AT_A_TIME.clone().lock_owned().await;
    DemoDatabase {
        database: demo_data().await,
        _turn: turn,
    }
}

pub async fn start_with(settings: HttpSettings) -> TestServer {
    let options = LeptosOptions::builder()
        .output_name("simdesk")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    start_with_site(settings, options).await
}

/// A server whose built site is described by `options`.
pub async fn start_with_site(settings: HttpSettings, options: LeptosOptions) -> TestServer {
    let turn = ONE_AT_A_TIME.clone().lock_owned().await;
    serve(settings, options, demo_data().await, turn).await
}

/// A server on `database`, which the caller migrated and seeded.
pub async fn start_on(database: TestDatabase) -> TestServer {
    let turn = ONE_AT_A_TIME.clone().lock_owned().await;
    let options = LeptosOptions::builder()
        .output_name("simdesk")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    serve(HttpSettings::default(), options, database, turn).await
}

async fn serve(
    settings: HttpSettings,
    options: LeptosOptions,
    database: TestDatabase,
    turn: tokio::sync::OwnedMutexGuard<()>,
) -> TestServer {
    let state = AppState::new(options, database.db.clone(), &settings);
    let app = router(state, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestServer {
        base: format!("http://{addr}"),
        client: Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap(),
        database,
        _turn: turn,
    }
}

/// The session cookie's `name=value` from a response, if it sets one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn sign_in_response(
        &self,
        email: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url("/auth/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "email={}&password={}",
                urlencode(email),
                urlencode(password)
            ));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    /// Signs in and returns the session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let response = self.sign_in_response(email, DEMO_PASSWORD, None).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {email}"
        );
        assert_eq!(location(&response), "/", "sign-in of {email}");
        session_cookie(response.headers()).expect("a session cookie")
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = self
            .client
            .get(self.url(path))
            .header("accept", "text/html");
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    /// Calls a server function the way the hydrated app does, returning status and body.
    pub async fn call(
        &self,
        function: &str,
        form: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, String) {
        let mut request = self
            .client
            .post(self.url(&format!("/api/{function}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(form.to_owned());
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use simdesk_domain::db::{begin, DataScope};
        use simdesk_domain::entity::app_user;
        let txn = begin(&self.database.db, DataScope::System).await.unwrap();
        app_user::Entity::find()
            .filter(app_user::Column::Email.eq(email))
            .one(&txn)
            .await
            .unwrap()
            .unwrap()
            .id
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Asserts that a server-function call failed with the named error.
pub fn refused(result: (StatusCode, String), error: &str) {
    let (status, body) = result;
    assert!(
        !status.is_success(),
        "expected {error}, got {status}: {body}"
    );
    assert!(
        body.contains(error),
        "expected {error}, got {status}: {body}"
    );
}

#[path = "../support/smtp.rs"]
mod smtp;
pub use smtp::SmtpServer;
