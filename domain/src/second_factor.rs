//! A second factor at sign-in: time-based codes from an authenticator app (RFC 6238), one-time
//! recovery codes, and browsers a user chose to trust for a while. The user sets it up and keeps
//! it on their security page; `auth` asks for it at sign-in through [`spend_code`] and
//! [`browser_trusted`]; an admin resets it through `users`.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{SecondFactorStatus, TotpEnrolment, TrustedBrowser, Wording};
use totp_rs::{Builder, Secret, Totp};

use crate::actor::own_user;
use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{app_user, second_factor_token, tenant};
use crate::secret::SecretKey;
use crate::tokens::{random_token, sha256_hex};
use crate::{policy, Actor, DomainError, DomainResult};

/// How long a trusted browser is not asked for a code.
pub const TRUSTED_BROWSER_DAYS: i64 = 30;
/// How many recovery codes a user gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show beside the account.
const ISSUER: &str = "simdesk";
/// Codes of the previous and the next 30-second step count too, for clocks that differ a little.
const SKEW_STEPS: u8 = 1;
const RECOVERY: &str = "recovery";
const BROWSER: &str = "device";
/// Recovery codes use letters and digits that cannot be mistaken for one another.
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const RECOVERY_CODE_LENGTH: usize = 10;

/// How a sign-in's second step was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    AuthenticatorCode,
    RecoveryCode,
}

impl Passed {
    pub fn as_str(self) -> &'static str {
        match self {
            Passed::AuthenticatorCode => "authenticator_code",
            Passed::RecoveryCode => "recovery_code",
        }
    }
}

/// Whether the user has a second factor that sign-in must ask for.
pub fn enabled(user: &app_user::Model) -> bool {
    user.totp_enabled_at.is_some() && user.totp_secret.is_some()
}

/// Whether the tenant requires a second factor of this user and none is set up yet.
pub(crate) async fn enrolment_due(
    db: &impl ConnectionTrait,
    user: &app_user::Model,
    roles: &[simdesk_types::Role],
) -> DomainResult<bool> {
    Ok(!enabled(user) && required(db, user.tenant_id, roles).await?)
}

/// Whether a tenant requires a second factor of a user with `roles`, set up or not.
async fn required(
    db: &impl ConnectionTrait,
    tenant_id: Option<i64>,
    roles: &[simdesk_types::Role],
) -> DomainResult<bool> {
    if !policy::second_factor_applies(roles) {
        return Ok(false);
    }
    let Some(tenant_id) = tenant_id else {
        return Ok(false);
    };
    Ok(tenant::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .is_some_and(|t| t.require_second_factor))
}

/// Checks `code` for `user` and spends it, in the caller's transaction: an authenticator code
/// of the current step (or one either side) whose step is later than the last accepted one, or
/// an unused recovery code. Both are spent by a guarded update, so two requests with the same
/// code cannot both pass. `None` when the code does not count.
pub(crate) async fn spend_code(
    txn: &impl ConnectionTrait,
    key: &SecretKey,
    user: &app_user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<Option<Passed>> {
    if !enabled(user) {
        return Ok(None);
    }
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        let spent = spend_authenticator_code(txn, key, user, &code, now).await?;
        return Ok(spent.then_some(Passed::AuthenticatorCode));
    }
    if code.len() != RECOVERY_CODE_LENGTH {
        return Ok(None);
    }
    let spent = second_factor_token::Entity::update_many()
        .col_expr(second_factor_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(second_factor_token::Column::UserId.eq(user.id))
        .filter(second_factor_token::Column::Kind.eq(RECOVERY))
        .filter(second_factor_token::Column::TokenHash.eq(recovery_hash(key, user.id, &code)))
        .filter(second_factor_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok((spent.rows_affected == 1).then_some(Passed::RecoveryCode))
}

/// Checks a code of the user's authenticator app, set up or waiting for confirmation, and
/// records its time step, unless that step or a later one was accepted before.
async fn spend_authenticator_code(
    txn: &impl ConnectionTrait,
    key: &SecretKey,
    user: &app_user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let Some(step) = authenticator_step(key, user, code, now)? else {
        return Ok(false);
    };
    let spent = app_user::Entity::update_many()
        .col_expr(app_user::Column::TotpLastStep, Expr::value(step))
        .filter(app_user::Column::Id.eq(user.id))
        .filter(
            Condition::any()
                .add(app_user::Column::TotpLastStep.is_null())
                .add(app_user::Column::TotpLastStep.lt(step)),
        )
        .exec(txn)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// The time step whose code `code` is, within the allowed skew, or `None`.
fn authenticator_step(
    key: &SecretKey,
    user: &app_user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<Option<i64>> {
    let Some(sealed) = &user.totp_secret else {
        return Ok(None);
    };
    let totp = authenticator(key, user.id, sealed, &user.email)?;
    let seconds = u64::try_from(now.timestamp()).unwrap_or_default();
    Ok(totp
        .check(code, seconds)
        .and_then(|step| i64::try_from(step).ok()))
}

/// The user's TOTP generator from their sealed secret.
fn authenticator(key: &SecretKey, user_id: i64, sealed: &str, email: &str) -> DomainResult<Totp> {
    let secret = Secret::try_from_base32(key.open_for_user(user_id, sealed)?)
        .map_err(|e| DomainError::Internal(format!("a stored TOTP secret is unreadable: {e}")))?;
    Builder::new()
        .with_secret(secret)
        .with_skew(u16::from(SKEW_STEPS))
        // An account name may not hold a colon; an e-mail address never does in practice.
        .with_account_name(email.replace(':', ""))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| DomainError::Internal(format!("a TOTP generator could not be built: {e}")))
}

/// The remaining unused recovery codes of a user.
pub(crate) async fn recovery_codes_left(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> DomainResult<u64> {
    Ok(second_factor_token::Entity::find()
        .filter(second_factor_token::Column::UserId.eq(user_id))
        .filter(second_factor_token::Column::Kind.eq(RECOVERY))
        .filter(second_factor_token::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// Whether `token` (a trusted browser's cookie) belongs to the user and has not expired.
pub(crate) async fn browser_trusted(
    db: &impl ConnectionTrait,
    user_id: i64,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 64) else {
        return Ok(false);
    };
    Ok(second_factor_token::Entity::find()
        .filter(second_factor_token::Column::UserId.eq(user_id))
        .filter(second_factor_token::Column::Kind.eq(BROWSER))
        .filter(second_factor_token::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .filter(second_factor_token::Column::ExpiresAt.gt(now))
        .count(db)
        .await?
        > 0)
}

/// Remembers the browser the user just signed in with, at their explicit choice, for
/// [`TRUSTED_BROWSER_DAYS`]. Returns the cookie's secret; only its digest is stored.
pub async fn trust_browser(
    db: &DatabaseConnection,
    user_id: i64,
    browser: &str,
) -> DomainResult<String> {
    let txn = begin_write(db, DataScope::System).await?;
    let user = app_user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let token = random_token();
    let now = Utc::now();
    second_factor_token::Entity::delete_many()
        .filter(second_factor_token::Column::UserId.eq(user.id))
        .filter(second_factor_token::Column::Kind.eq(BROWSER))
        .filter(second_factor_token::Column::ExpiresAt.lte(now))
        .exec(&txn)
        .await?;
    second_factor_token::ActiveModel {
        tenant_id: Set(user.tenant_id),
        user_id: Set(user.id),
        kind: Set(BROWSER.to_owned()),
        token_hash: Set(sha256_hex(token.as_bytes())),
        label: Set(browser_label(browser)),
        created_at: Set(now),
        expires_at: Set(Some(now + Duration::days(TRUSTED_BROWSER_DAYS))),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEvent::new("user.browser_trusted", "user")
        .target(user.id)
        .tenant(user.tenant_id, user.account_id)
        .details(json!({ "browser": browser_label(browser), "days": TRUSTED_BROWSER_DAYS }))
        .record(&txn, Some(user.id))
        .await?;
    txn.commit().await?;
    Ok(token)
}

/// A short name for a browser from its User-Agent, for the list of trusted browsers.
fn browser_label(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map_or("A browser", |(_, name)| name);
    let system = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

/// The signed-in user's second factor, with an enrolment in progress and recovery codes just
/// made (`new_recovery_codes`, which the caller passes through once).
pub async fn status(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
) -> DomainResult<SecondFactorStatus> {
    let txn = begin(db, DataScope::of(actor)).await?;
    let user = own_user(&txn, actor).await?;
    let required = required(&txn, user.tenant_id, &actor.roles).await?;
    let recovery_codes_left = recovery_codes_left(&txn, user.id).await?;
    let now = Utc::now();
    let trusted_browsers = second_factor_token::Entity::find()
        .filter(second_factor_token::Column::UserId.eq(user.id))
        .filter(second_factor_token::Column::Kind.eq(BROWSER))
        .filter(second_factor_token::Column::ExpiresAt.gt(now))
        .order_by_desc(second_factor_token::Column::CreatedAt)
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| TrustedBrowser {
            id: t.id,
            label: t.label,
            since: t.created_at,
            until: t.expires_at.unwrap_or(t.created_at),
        })
        .collect();
    txn.commit().await?;
    let enrolment = match (&user.totp_secret, user.totp_enabled_at) {
        (Some(sealed), None) => Some(enrolment_view(key, &user, sealed)?),
        _ => None,
    };
    Ok(SecondFactorStatus {
        email: user.email.clone(),
        enabled_at: enabled(&user).then_some(user.totp_enabled_at).flatten(),
        required,
        recovery_codes_left: u32::try_from(recovery_codes_left).unwrap_or(u32::MAX),
        trusted_browsers,
        enrolment,
        new_recovery_codes: Vec::new(),
    })
}

fn enrolment_view(
    key: &SecretKey,
    user: &app_user::Model,
    sealed: &str,
) -> DomainResult<TotpEnrolment> {
    let totp = authenticator(key, user.id, sealed, &user.email)?;
    let otpauth_url = totp
        .to_url()
        .map_err(|e| DomainError::Internal(format!("an otpauth address failed: {e}")))?;
    let qr = qrcode::QrCode::new(otpauth_url.as_bytes())
        .map_err(|e| DomainError::Internal(format!("a QR code failed: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let base32 = totp.secret().to_base32();
    let key = base32
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(TotpEnrolment {
        key,
        otpauth_url,
        // The document's XML declaration has no place inside a page.
        qr_svg: qr_svg
            .split_once("?>")
            .map_or(qr_svg.as_str(), |(_, svg)| svg)
            .trim()
            .to_owned(),
    })
}

/// Starts (or starts again) setting up an authenticator app: a new secret, sealed, that counts
/// only once [`confirm_enrolment`] saw a code from it.
pub async fn start_enrolment(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::of(actor)).await?;
    let user = own_user(&txn, actor).await?;
    if enabled(&user) {
        return Err(DomainError::conflict(Wording::new(
            "An authenticator app is already set up. Turn it off first to set up another.",
            "Es ist bereits eine Authenticator-App eingerichtet. Schalten Sie sie zuerst aus, um eine andere einzurichten.",
        )));
    }
    let secret: [u8; 20] = rand::thread_rng().gen();
    let sealed = key.seal_for_user(user.id, &Secret::from(secret).to_base32())?;
    let mut model = user.into_active_model();
    model.totp_secret = Set(Some(sealed));
    model.totp_enabled_at = Set(None);
    model.totp_last_step = Set(None);
    model.updated_at = Set(Utc::now());
    model.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Turns the authenticator app on once the user typed a code it shows, and hands out the
/// recovery codes (shown once).
pub async fn confirm_enrolment(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    code: &str,
) -> DomainResult<Vec<String>> {
    let txn = begin_write(db, DataScope::of(actor)).await?;
    let user = own_user(&txn, actor).await?;
    if enabled(&user) {
        return Err(DomainError::conflict(Wording::new(
            "The authenticator app is already set up.",
            "Die Authenticator-App ist bereits eingerichtet.",
        )));
    }
    if user.totp_secret.is_none() {
        return Err(DomainError::conflict(Wording::new(
            "Start setting up the authenticator app first.",
            "Beginnen Sie zuerst damit, die Authenticator-App einzurichten.",
        )));
    }
    let now = Utc::now();
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if !spend_authenticator_code(&txn, key, &user, &code, now).await? {
        return Err(wrong_code());
    }
    app_user::Entity::update_many()
        .col_expr(app_user::Column::TotpEnabledAt, Expr::value(Some(now)))
        .col_expr(app_user::Column::UpdatedAt, Expr::value(now))
        .filter(app_user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    let codes = replace_recovery_codes(&txn, key, &user, now).await?;
    commit_audited(txn, actor, "user.second_factor_enabled").await?;
    Ok(codes)
}

/// New recovery codes in place of the old ones, after a code from the app (or a recovery code).
pub async fn renew_recovery_codes(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    code: &str,
) -> DomainResult<Vec<String>> {
    let txn = begin_write(db, DataScope::of(actor)).await?;
    let user = proven_by_code(&txn, key, actor, code).await?;
    let codes = replace_recovery_codes(&txn, key, &user, Utc::now()).await?;
    commit_audited(txn, actor, "user.recovery_codes_renewed").await?;
    Ok(codes)
}

/// Turns the second factor off after a code from the app (or a recovery code); not when the
/// provider requires it of the user.
pub async fn turn_off(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    code: &str,
) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::of(actor)).await?;
    if required(&txn, actor.tenant_id, &actor.roles).await? {
        return Err(DomainError::invalid(
            "code",
            Wording::new(
                "Your provider requires a second factor for your role, so it cannot be turned off. \
                 Ask an admin to reset it if you move to a new phone.",
                "Ihr Anbieter verlangt für Ihre Rolle einen zweiten Faktor, daher lässt er sich nicht \
                 ausschalten. Bitten Sie bei einem neuen Telefon einen Admin, ihn zurückzusetzen.",
            ),
        ));
    }
    let user = proven_by_code(&txn, key, actor, code).await?;
    clear(&txn, user.id).await?;
    commit_audited(txn, actor, "user.second_factor_disabled").await
}

/// The actor's own user, once `code` (from their app, or a recovery code) proved it is them.
async fn proven_by_code(
    txn: &impl ConnectionTrait,
    key: &SecretKey,
    actor: &Actor,
    code: &str,
) -> DomainResult<app_user::Model> {
    let user = own_user(txn, actor).await?;
    if !enabled(&user) {
        return Err(DomainError::conflict(Wording::new(
            "No authenticator app is set up.",
            "Es ist keine Authenticator-App eingerichtet.",
        )));
    }
    if spend_code(txn, key, &user, code, Utc::now())
        .await?
        .is_none()
    {
        return Err(wrong_code());
    }
    Ok(user)
}

/// Writes the audit row of a change the actor made to their own second factor, and commits.
async fn commit_audited(
    txn: sea_orm::DatabaseTransaction,
    actor: &Actor,
    action: &'static str,
) -> DomainResult<()> {
    AuditEvent::new(action, "user")
        .target(actor.user_id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Stops trusting one of the actor's browsers (`Some(id)`) or all of them.
pub async fn forget_browsers(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Option<i64>,
) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::of(actor)).await?;
    let mut forget = second_factor_token::Entity::delete_many()
        .filter(second_factor_token::Column::UserId.eq(actor.user_id))
        .filter(second_factor_token::Column::Kind.eq(BROWSER));
    if let Some(id) = id {
        forget = forget.filter(second_factor_token::Column::Id.eq(id));
    }
    let forgotten = forget.exec(&txn).await?.rows_affected;
    if id.is_some() && forgotten == 0 {
        return Err(DomainError::NotFound);
    }
    AuditEvent::new("user.browsers_forgotten", "user")
        .target(actor.user_id)
        .scoped_to(actor)
        .details(json!({ "browsers": forgotten }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Stops trusting every browser of the user, in the caller's transaction: a new password
/// means whoever held one of its cookies must show a code again.
pub(crate) async fn distrust_browsers(
    txn: &impl ConnectionTrait,
    user_id: i64,
) -> DomainResult<()> {
    second_factor_token::Entity::delete_many()
        .filter(second_factor_token::Column::UserId.eq(user_id))
        .filter(second_factor_token::Column::Kind.eq(BROWSER))
        .exec(txn)
        .await?;
    Ok(())
}

/// Removes the user's authenticator secret, recovery codes and trusted browsers, in the
/// caller's transaction: turning it off, or an admin's reset.
pub(crate) async fn clear(txn: &impl ConnectionTrait, user_id: i64) -> DomainResult<()> {
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            app_user::Column::TotpEnabledAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            app_user::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(app_user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(app_user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    second_factor_token::Entity::delete_many()
        .filter(second_factor_token::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn replace_recovery_codes(
    txn: &impl ConnectionTrait,
    key: &SecretKey,
    user: &app_user::Model,
    now: DateTime<Utc>,
) -> DomainResult<Vec<String>> {
    second_factor_token::Entity::delete_many()
        .filter(second_factor_token::Column::UserId.eq(user.id))
        .filter(second_factor_token::Column::Kind.eq(RECOVERY))
        .exec(txn)
        .await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let code = recovery_code();
        second_factor_token::ActiveModel {
            tenant_id: Set(user.tenant_id),
            user_id: Set(user.id),
            kind: Set(RECOVERY.to_owned()),
            token_hash: Set(recovery_hash(key, user.id, &code)),
            label: Set(String::new()),
            created_at: Set(now),
            expires_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        codes.push(format!("{}-{}", &code[..5], &code[5..]));
    }
    Ok(codes)
}

/// A recovery code of [`RECOVERY_CODE_LENGTH`] characters: 50 random bits.
fn recovery_code() -> String {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODE_LENGTH)
        .map(|_| char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]))
        .collect()
}

/// Recovery codes are stored as the keyed digest of their upper-case characters, so a code
/// typed in lower case or without its hyphen still counts, and a copy of the database alone
/// cannot be searched for them.
fn recovery_hash(key: &SecretKey, user_id: i64, code: &str) -> String {
    key.keyed_digest("recovery code", user_id, &code.to_ascii_uppercase())
}

fn wrong_code() -> DomainError {
    DomainError::invalid(
        "code",
        Wording::new(
            "That code is not right, or was used already. Enter the 6-digit code your app shows now.",
            "Dieser Code ist nicht richtig oder wurde bereits verwendet. Geben Sie den 6-stelligen Code ein, den Ihre App gerade anzeigt.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_unambiguous_and_typed_loosely() {
        let code = recovery_code();
        assert_eq!(code.len(), RECOVERY_CODE_LENGTH);
        assert!(code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)));
        let key = SecretKey::generate();
        assert_eq!(
            recovery_hash(&key, 1, &code),
            recovery_hash(&key, 1, &code.to_lowercase()),
            "case does not matter"
        );
        assert_ne!(
            recovery_hash(&key, 1, &code),
            recovery_hash(&key, 2, &code),
            "two users' equal codes differ"
        );
        assert_ne!(
            recovery_hash(&key, 1, &code),
            recovery_hash(&SecretKey::generate(), 1, &code),
            "another key, another digest"
        );
    }

    #[test]
    fn browsers_get_short_names() {
        assert_eq!(
            browser_label("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"),
            "Chrome on Linux"
        );
        assert_eq!(
            browser_label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0"),
            "Edge on Windows"
        );
        assert_eq!(browser_label(""), "A browser");
    }
}
