//! The OpenID Connect relying party, on the `openidconnect` crate: discovery, the authorization
//! code flow with PKCE, `state` and `nonce`, and ID-token verification (signature, exact issuer,
//! audience, expiry with a clock-skew tolerance). Every call to the provider has a timeout.
//! Starting a sign-in fetches the provider's discovery document and keys; its return, the code
//! exchange and the ID token's check, uses them as kept per issuer (for an hour), and fetches
//! them again at once when the token is signed with a key they do not hold (a key rotation).

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdToken, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::error::SsoError;
use super::provider::ProviderConfig;

/// How simdesk talks to identity providers.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// For each request to a provider (discovery, keys, token), connection included.
    pub timeout: Duration,
    /// How far the provider's clock may be ahead of ours when checking expiry.
    pub clock_skew: chrono::Duration,
    /// How long a started sign-in may take before its return is refused.
    pub sign_in_lifetime: chrono::Duration,
    /// The providers' discovery documents and keys, shared by every clone of these settings.
    pub metadata: MetadataCache,
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            clock_skew: chrono::Duration::seconds(60),
            sign_in_lifetime: chrono::Duration::minutes(10),
            metadata: MetadataCache::default(),
        }
    }
}

/// How long a provider's discovery document and keys are used before they are fetched again.
pub const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The least time between two fetches of one provider's metadata forced by an unknown key, so
/// tokens naming made-up keys cannot make simdesk hammer the provider.
const REFETCH_FLOOR: Duration = Duration::from_secs(10);

/// Discovery documents with their signing keys, per issuer URL.
#[derive(Debug, Clone, Default)]
pub struct MetadataCache(Arc<Mutex<HashMap<String, CachedMetadata>>>);

#[derive(Debug, Clone)]
struct CachedMetadata {
    metadata: ProviderMetadataWithLogout,
    fetched_at: Instant,
    /// When an unknown key last made us fetch it again.
    forced_at: Option<Instant>,
}

/// Whether discovery may answer from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetch {
    /// A new document, always: starting a sign-in asks the provider anyway, and so finds out
    /// at once, with a clear message, when it does not answer.
    Fresh,
    /// The cached document while it is younger than [`METADATA_TTL`].
    Cached,
    /// A new document because a token named an unknown key, unless an unknown key already
    /// forced one within [`REFETCH_FLOOR`].
    Again,
}

impl MetadataCache {
    fn get(&self, issuer: &str, fetch: Fetch) -> Option<ProviderMetadataWithLogout> {
        let mut entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let cached = entries.get_mut(issuer)?;
        let keep = match fetch {
            Fetch::Fresh => false,
            Fetch::Cached => cached.fetched_at.elapsed() < METADATA_TTL,
            Fetch::Again => cached
                .forced_at
                .is_some_and(|at| at.elapsed() < REFETCH_FLOOR),
        };
        if fetch == Fetch::Again && !keep {
            cached.forced_at = Some(Instant::now());
        }
        keep.then(|| cached.metadata.clone())
    }

    fn put(&self, issuer: &str, metadata: ProviderMetadataWithLogout) {
        let mut entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let forced_at = entries.get(issuer).and_then(|cached| cached.forced_at);
        entries.insert(
            issuer.to_owned(),
            CachedMetadata {
                metadata,
                fetched_at: Instant::now(),
                forced_at,
            },
        );
    }
}

/// Every claim of the ID token beyond the standard ones, so the configured role claim can be
/// read whatever its name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type SsoIdTokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type SsoTokenResponse = StandardTokenResponse<SsoIdTokenFields, CoreTokenType>;
type SsoIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type SsoClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    SsoTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in sent to the provider and not yet back: kept in the browser's session, used once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub provider_id: i64,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go after signing in (a local path).
    pub next: String,
    pub started_at: DateTime<Utc>,
}

/// Who the provider says signed in, after every check passed.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub other_claims: serde_json::Map<String, serde_json::Value>,
    /// The raw ID token, kept as `id_token_hint` for signing out at the provider.
    pub id_token: String,
    /// The provider's `end_session_endpoint`, when it advertises one.
    pub end_session_url: Option<String>,
}

/// What discovery yields: the provider's metadata and a client for it.
struct Discovered {
    client: SsoClient,
    end_session_url: Option<String>,
    http: openidconnect::reqwest::Client,
}

fn http_client(settings: &OidcSettings) -> Result<openidconnect::reqwest::Client, SsoError> {
    openidconnect::reqwest::ClientBuilder::new()
        // A provider must not bounce our back-channel calls elsewhere (SSRF).
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .build()
        .map_err(|e| SsoError::Unreachable(format!("no HTTP client: {e}")))
}

/// Says what went wrong with a request to the provider, naming a timeout as such.
fn describe_request_error(
    error: &(dyn std::error::Error + 'static),
    settings: &OidcSettings,
) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        let reqwest_error = e
            .downcast_ref::<openidconnect::reqwest::Error>()
            .or_else(|| {
                match e
                    .downcast_ref::<openidconnect::HttpClientError<openidconnect::reqwest::Error>>()
                {
                    Some(openidconnect::HttpClientError::Reqwest(inner)) => Some(inner.as_ref()),
                    _ => None,
                }
            });
        if let Some(reqwest_error) = reqwest_error {
            if reqwest_error.is_timeout() {
                return format!(
                    "it did not answer within {} seconds",
                    settings.timeout.as_secs()
                );
            }
            if reqwest_error.is_connect() {
                return "the connection was refused or could not be made".into();
            }
        }
        source = e.source();
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

async fn discover(
    config: &ProviderConfig,
    settings: &OidcSettings,
    fetch: Fetch,
) -> Result<Discovered, SsoError> {
    let http = http_client(settings)?;
    let metadata = match settings.metadata.get(&config.issuer_url, fetch) {
        Some(metadata) => metadata,
        None => {
            let issuer = IssuerUrl::new(config.issuer_url.clone())
                .map_err(|e| SsoError::BadProvider(format!("the issuer URL is not valid: {e}")))?;
            let metadata = ProviderMetadataWithLogout::discover_async(issuer, &http)
                .await
                .map_err(|e| discover_error(e, settings))?;
            settings.metadata.put(&config.issuer_url, metadata.clone());
            metadata
        }
    };
    let end_session_url = metadata
        .additional_metadata()
        .end_session_endpoint
        .as_ref()
        .map(|url| url.url().to_string());
    let client = SsoClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    );
    Ok(Discovered {
        client,
        end_session_url,
        http,
    })
}

fn redirect_url(redirect_uri: &str) -> Result<RedirectUrl, SsoError> {
    RedirectUrl::new(redirect_uri.to_owned())
        .map_err(|e| SsoError::BadProvider(format!("the redirect URI is not valid: {e}")))
}

/// Starts a sign-in: the URL to send the browser to, and what to keep until it returns.
pub async fn begin(
    config: &ProviderConfig,
    redirect_uri: &str,
    next: &str,
    settings: &OidcSettings,
) -> Result<(String, PendingSignIn), SsoError> {
    let discovered = discover(config, settings, Fetch::Fresh).await?;
    let client = discovered
        .client
        .set_redirect_uri(redirect_url(redirect_uri)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in config.scopes.iter().filter(|s| s.as_str() != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    Ok((
        url.to_string(),
        PendingSignIn {
            provider_id: config.id,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next: next.to_owned(),
            started_at: Utc::now(),
        },
    ))
}

/// Completes a sign-in: exchanges the code (with the PKCE verifier) and verifies the ID token
/// against the nonce kept for this browser.
pub async fn finish(
    config: &ProviderConfig,
    pending: PendingSignIn,
    code: &str,
    redirect_uri: &str,
    settings: &OidcSettings,
) -> Result<VerifiedIdentity, SsoError> {
    if Utc::now() - pending.started_at > settings.sign_in_lifetime {
        return Err(SsoError::Expired);
    }
    let discovered = discover(config, settings, Fetch::Cached).await?;
    let client = discovered
        .client
        .clone()
        .set_redirect_uri(redirect_url(redirect_uri)?);
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| SsoError::BadProvider("it advertises no token endpoint".into()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&discovered.http)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(error) => {
                SsoError::CodeRejected(match error.error_description() {
                    Some(description) => format!("{}: {description}", error.error()),
                    None => error.error().to_string(),
                })
            }
            RequestTokenError::Request(inner) => {
                SsoError::Unreachable(describe_request_error(&inner, settings))
            }
            RequestTokenError::Parse(inner, _) => SsoError::BadProvider(format!(
                "its token response is not valid: {}",
                inner.inner()
            )),
            RequestTokenError::Other(message) => SsoError::BadProvider(message),
        })?;
    let id_token = response
        .id_token()
        .ok_or_else(|| SsoError::InvalidToken("the token response holds no ID token".into()))?;
    verify_with_current_keys(config, discovered, id_token, &pending.nonce, settings).await
}

/// Verifies a raw ID token as if it had just come back for `nonce`; what [`finish`] does after
/// the code exchange, open to tests that bring tokens from elsewhere.
pub async fn verify_id_token(
    config: &ProviderConfig,
    raw_id_token: &str,
    nonce: &str,
    settings: &OidcSettings,
) -> Result<VerifiedIdentity, SsoError> {
    let discovered = discover(config, settings, Fetch::Cached).await?;
    let token: SsoIdToken = raw_id_token
        .parse()
        .map_err(|e| SsoError::InvalidToken(format!("it is not a JWT: {e}")))?;
    verify_with_current_keys(config, discovered, &token, nonce, settings).await
}

/// Verifies the token with the keys at hand and, when it is signed with a key they do not
/// hold, once more with the provider's keys fetched again: a provider that rotated its keys
/// is followed at once, not after the cache's hour.
async fn verify_with_current_keys(
    config: &ProviderConfig,
    discovered: Discovered,
    id_token: &SsoIdToken,
    nonce: &str,
    settings: &OidcSettings,
) -> Result<VerifiedIdentity, SsoError> {
    match verify(&discovered, id_token, nonce, settings) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            tracing::info!(issuer = %config.issuer_url, "unknown signing key; fetching the provider's keys again");
            let again = discover(config, settings, Fetch::Again).await?;
            verify(&again, id_token, nonce, settings)
        }
        other => other,
    }
    .map_err(|e| SsoError::InvalidToken(e.to_string()))
}

fn verify(
    discovered: &Discovered,
    id_token: &SsoIdToken,
    nonce: &str,
    settings: &OidcSettings,
) -> Result<VerifiedIdentity, ClaimsVerificationError> {
    let skew = settings.clock_skew;
    // Expiry is checked against "now"; moving now back by the tolerated skew accepts a token
    // that expired no longer ago than that.
    let verifier = discovered
        .client
        .id_token_verifier()
        .set_time_fn(move || Utc::now() - skew);
    let claims = id_token.claims(&verifier, &Nonce::new(nonce.to_owned()))?;
    Ok(VerifiedIdentity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        other_claims: claims.additional_claims().claims.clone(),
        id_token: id_token.to_string(),
        end_session_url: discovered.end_session_url.clone(),
    })
}

/// "Test connection": fetches discovery and the key set, and reports each finding in
/// `language` (what the provider or the network said stays as they said it).
pub async fn diagnose(
    config: &ProviderConfig,
    settings: &OidcSettings,
    language: simdesk_types::Locale,
) -> Vec<simdesk_types::SsoCheck> {
    use simdesk_types::SsoCheck;
    let check = |passed: bool, message: String| SsoCheck { passed, message };
    let say = |english: String, german: String| language.pick(english, german);
    let http = match http_client(settings) {
        Ok(http) => http,
        Err(e) => return vec![check(false, e.to_string())],
    };
    let Ok(issuer) = IssuerUrl::new(config.issuer_url.clone()) else {
        return vec![check(
            false,
            say(
                format!("The issuer URL {} is not a valid URL.", config.issuer_url),
                format!(
                    "Die Issuer-URL {} ist keine gültige URL.",
                    config.issuer_url
                ),
            ),
        )];
    };
    match ProviderMetadataWithLogout::discover_async(issuer, &http).await {
        Err(e) => {
            let message = match discover_error(e, settings) {
                SsoError::Unreachable(why) => say(
                    format!(
                        "The provider at {} could not be reached: {why}.",
                        config.issuer_url
                    ),
                    format!(
                        "Der Identitätsanbieter unter {} war nicht erreichbar: {why}.",
                        config.issuer_url
                    ),
                ),
                SsoError::BadProvider(why) => say(
                    format!("Discovery failed: {why}."),
                    format!("Discovery fehlgeschlagen: {why}."),
                ),
                other => other.to_string(),
            };
            vec![check(false, message)]
        }
        Ok(metadata) => {
            // Sign-ins use what the test just fetched.
            settings.metadata.put(&config.issuer_url, metadata.clone());
            let mut findings = vec![
                check(
                    true,
                    say(
                        format!(
                            "Discovery document found; its issuer is exactly {}.",
                            metadata.issuer().as_str()
                        ),
                        format!(
                            "Discovery-Dokument gefunden; sein Issuer ist genau {}.",
                            metadata.issuer().as_str()
                        ),
                    ),
                ),
                check(
                    true,
                    say(
                        format!(
                            "Signing keys fetched: {} key(s).",
                            metadata.jwks().keys().len()
                        ),
                        format!(
                            "Signaturschlüssel abgerufen: {} Schlüssel.",
                            metadata.jwks().keys().len()
                        ),
                    ),
                ),
            ];
            let code_flow = metadata
                .response_types_supported()
                .iter()
                .any(|types| types.iter().any(|t| t.as_ref() == "code"));
            findings.push(check(
                code_flow,
                if code_flow {
                    say(
                        "The authorization code flow is supported.".into(),
                        "Der Authorization Code Flow wird unterstützt.".into(),
                    )
                } else {
                    say(
                        "The provider does not offer the authorization code flow.".into(),
                        "Der Identitätsanbieter bietet den Authorization Code Flow nicht an."
                            .into(),
                    )
                },
            ));
            let token = metadata.token_endpoint().is_some();
            findings.push(check(
                token,
                if token {
                    say(
                        "A token endpoint is advertised.".into(),
                        "Ein Token-Endpunkt ist angegeben.".into(),
                    )
                } else {
                    say(
                        "No token endpoint is advertised.".into(),
                        "Es ist kein Token-Endpunkt angegeben.".into(),
                    )
                },
            ));
            if let Some(scopes) = metadata.scopes_supported() {
                let missing: Vec<&str> = config
                    .scopes
                    .iter()
                    .map(String::as_str)
                    .filter(|wanted| !scopes.iter().any(|s| s.as_str() == *wanted))
                    .collect();
                findings.push(check(
                    missing.is_empty(),
                    if missing.is_empty() {
                        say(
                            "Every configured scope is supported.".into(),
                            "Jeder eingestellte Scope wird unterstützt.".into(),
                        )
                    } else {
                        let missing = missing.join(", ");
                        say(
                            format!("Scopes the provider does not list: {missing}."),
                            format!(
                                "Scopes, die der Identitätsanbieter nicht aufführt: {missing}."
                            ),
                        )
                    },
                ));
            }
            let logout = metadata
                .additional_metadata()
                .end_session_endpoint
                .is_some();
            findings.push(check(
                true,
                if logout {
                    say(
                        "Signing out also ends the session at the provider (end_session_endpoint).".into(),
                        "Abmelden beendet auch die Sitzung beim Identitätsanbieter (end_session_endpoint).".into(),
                    )
                } else {
                    say(
                        "The provider advertises no end_session_endpoint: signing out ends the simdesk session only.".into(),
                        "Der Identitätsanbieter gibt keinen end_session_endpoint an: Abmelden beendet nur die Sitzung in simdesk.".into(),
                    )
                },
            ));
            findings
        }
    }
}

fn discover_error<RE: std::error::Error + 'static>(
    error: DiscoveryError<RE>,
    settings: &OidcSettings,
) -> SsoError {
    match error {
        DiscoveryError::Request(inner) => {
            SsoError::Unreachable(describe_request_error(&inner, settings))
        }
        DiscoveryError::Response(status, _, _) => SsoError::BadProvider(format!(
            "its discovery document (or key set) answered HTTP {status}"
        )),
        DiscoveryError::Parse(inner) => SsoError::BadProvider(format!(
            "its discovery document (or key set) is not valid: {} at {}",
            inner.inner(),
            inner.path()
        )),
        DiscoveryError::Validation(message) => SsoError::BadProvider(message),
        DiscoveryError::UrlParse(inner) => {
            SsoError::BadProvider(format!("the issuer URL is not valid: {inner}"))
        }
        other => SsoError::BadProvider(other.to_string()),
    }
}

/// The provider's sign-out URL for this session, or `None` when it has none.
pub fn logout_url(
    end_session_url: &str,
    id_token: &str,
    client_id: &str,
    post_logout_redirect_uri: &str,
) -> Option<String> {
    let endpoint = openidconnect::EndSessionUrl::new(end_session_url.to_owned()).ok()?;
    let token: SsoIdToken = id_token.parse().ok()?;
    let redirect =
        openidconnect::PostLogoutRedirectUrl::new(post_logout_redirect_uri.to_owned()).ok()?;
    Some(
        openidconnect::LogoutRequest::from(endpoint)
            .set_id_token_hint(&token)
            .set_client_id(ClientId::new(client_id.to_owned()))
            .set_post_logout_redirect_uri(redirect)
            .http_get_url()
            .to_string(),
    )
}
