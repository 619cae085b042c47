//! A real OpenID provider for tests: `end2end/oidc/provider.mjs` (the certified npm package
//! `oidc-provider`) started on a free loopback port, and a small browser that signs in there.

use openidconnect::reqwest;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A user the provider knows; serialised into `OIDC_USERS`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProviderUser {
    pub login: String,
    pub password: String,
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub name: String,
    pub groups: Vec<String>,
}

impl ProviderUser {
    pub fn new(sub: &str, email: &str, groups: &[&str]) -> Self {
        Self {
            login: email.into(),
            password: "provider-pass".into(),
            sub: sub.into(),
            email: email.into(),
            email_verified: true,
            name: format!("User {sub}"),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }
}

/// A running provider; stopped when dropped.
pub struct OidcProvider {
    pub issuer: String,
    child: Child,
    users_file: tempfile::NamedTempFile,
    id_token_ttl: u64,
    /// The clients registered so far, as static clients for a restart.
    clients: std::sync::Mutex<Vec<serde_json::Value>>,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/oidc/provider.mjs")
}

/// A client registered at the provider.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client_id: String,
    pub client_secret: String,
}

impl OidcProvider {
    /// Starts a provider with these users, whose ID tokens live `id_token_ttl` seconds.
    pub async fn start(users: &[ProviderUser], id_token_ttl: u64) -> OidcProvider {
        let users_file = tempfile::NamedTempFile::new().expect("users file");
        std::fs::write(
            users_file.path(),
            serde_json::to_string(users).expect("users"),
        )
        .expect("write users");
        let (child, issuer) = spawn(users_file.path(), id_token_ttl, &[]).await;
        OidcProvider {
            issuer,
            child,
            users_file,
            id_token_ttl,
            clients: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Restarts the provider at the same address with a new signing key under a new key id,
    /// as a provider rotating its keys; the registered clients stay, sessions there do not.
    pub async fn rotate_keys(&mut self, key_id: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let port = self.issuer.rsplit(':').next().expect("a port").to_owned();
        let clients = self.clients.lock().expect("clients").clone();
        let env = [
            ("OIDC_PORT", port),
            ("OIDC_KEY_ID", key_id.to_owned()),
            (
                "OIDC_CLIENTS",
                serde_json::to_string(&clients).expect("clients"),
            ),
        ];
        let (child, issuer) = spawn(self.users_file.path(), self.id_token_ttl, &env).await;
        assert_eq!(issuer, self.issuer, "the provider keeps its address");
        self.child = child;
    }

    /// Replaces the provider's users (it reads them at every sign-in).
    pub fn set_users(&self, users: &[ProviderUser]) {
        std::fs::write(
            self.users_file.path(),
            serde_json::to_string(users).expect("users"),
        )
        .expect("write users");
    }

    /// Registers a client (OpenID Connect Dynamic Client Registration).
    pub async fn register(&self, redirect_uri: &str, post_logout_uri: &str) -> RegisteredClient {
        let body = serde_json::json!({
            "client_name": "simdesk test",
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout_uri],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        });
        let response = reqwest::Client::new()
            .post(format!("{}/reg", self.issuer))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("registration request");
        let status = response.status();
        let text = response.text().await.expect("registration body");
        assert!(status.is_success(), "registration failed: {status} {text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("registration JSON");
        let mut kept = body;
        kept["client_id"] = json["client_id"].clone();
        kept["client_secret"] = json["client_secret"].clone();
        kept.as_object_mut()
            .expect("an object")
            .remove("client_name");
        self.clients.lock().expect("clients").push(kept);
        RegisteredClient {
            client_id: json["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: json["client_secret"]
                .as_str()
                .expect("client_secret")
                .to_owned(),
        }
    }

    /// Plays the browser at the provider: follows `authorize_url`, signs in as `login`, and
    /// returns the URL the provider sends the browser back to (on `redirect_prefix`).
    pub async fn sign_in(&self, authorize_url: &str, login: &str, redirect_prefix: &str) -> String {
        self.sign_in_with(authorize_url, login, "provider-pass", redirect_prefix)
            .await
    }

    pub async fn sign_in_with(
        &self,
        authorize_url: &str,
        login: &str,
        password: &str,
        redirect_prefix: &str,
    ) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut cookies: BTreeMap<String, String> = BTreeMap::new();
        let mut url = authorize_url.to_owned();
        let mut form: Option<Vec<(String, String)>> = None;
        for _ in 0..12 {
            let cookie_header = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let request = match form.take() {
                Some(fields) => client
                    .post(&url)
                    .body(
                        fields
                            .iter()
                            .map(|(k, v)| format!("{k}={}", urlencode(v)))
                            .collect::<Vec<_>>()
                            .join("&"),
                    )
                    .header("content-type", "application/x-www-form-urlencoded"),
                None => client.get(&url),
            };
            let response = request
                .header("cookie", cookie_header)
                .send()
                .await
                .expect("provider request");
            for value in response.headers().get_all("set-cookie") {
                if let Some((name, value)) = value
                    .to_str()
                    .ok()
                    .and_then(|v| v.split(';').next())
                    .and_then(|pair| pair.split_once('='))
                {
                    cookies.insert(name.trim().to_owned(), value.to_owned());
                }
            }
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .expect("a Location")
                    .to_owned();
                if location.starts_with(redirect_prefix) {
                    return location;
                }
                url = if location.starts_with('/') {
                    format!("{}{location}", self.issuer)
                } else {
                    location
                };
                continue;
            }
            let body = response.text().await.unwrap_or_default();
            let Some(start) = body.find("action=\"/interaction/") else {
                panic!("unexpected page at the provider ({url}): {body}");
            };
            if body.contains("role=\"alert\"") {
                panic!("the provider refused the sign-in of {login}");
            }
            let action = &body[start + "action=\"".len()..];
            let action = &action[..action.find('"').expect("closing quote")];
            url = format!("{}{action}", self.issuer);
            form = Some(vec![
                ("login".into(), login.into()),
                ("password".into(), password.into()),
            ]);
        }
        panic!("no way back from the provider after 12 steps");
    }
}

/// Starts `provider.mjs` and waits for the issuer it prints.
async fn spawn(
    users_file: &std::path::Path,
    id_token_ttl: u64,
    env: &[(&str, String)],
) -> (Child, String) {
    let mut command = Command::new("node");
    command
        .arg(script())
        .env("OIDC_USERS_FILE", users_file)
        .env("OIDC_ID_TOKEN_TTL", id_token_ttl.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .spawn()
        .expect("node must be installed (scripts/setup --test)");
    let stdout = child.stdout.take().expect("stdout");
    let issuer = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("OIDC_ISSUER=").map(str::to_owned))
    })
    .await
    .expect("reader")
    .expect("the provider prints its issuer");
    (child, issuer)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
