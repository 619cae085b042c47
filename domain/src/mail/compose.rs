//! Writing an e-mail from what a notification reports: the tenant's branding around the
//! templates in `domain/templates/mail` (HTML escaped, plain text as is).

use std::collections::HashMap;
use std::sync::OnceLock;

use minijinja::value::{Kwargs, Serde};
use minijinja::{AutoEscape, Environment, HtmlEscape, State, Value};
use serde::{Deserialize, Serialize};
use simdesk_types::Locale;

/// What an e-mail reports, as the step's transaction saw it. Stored with the notification as
/// JSON; the kind names the templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailContext {
    PurchaseOrder(Box<PoMail>),
    PasswordReset(PasswordResetMail),
    Invitation(InvitationMail),
    Alarm(AlarmMail),
}

impl MailContext {
    fn template(&self) -> &'static str {
        match self {
            MailContext::PurchaseOrder(_) => "purchase_order",
            MailContext::PasswordReset(_) => "password_reset",
            MailContext::Invitation(_) => "invitation",
            MailContext::Alarm(_) => "alarm",
        }
    }

    /// The recipient's language, which picks the templates (English for e-mails queued before
    /// e-mails had one).
    pub fn language(&self) -> Locale {
        match self {
            MailContext::PurchaseOrder(po) => po.language,
            MailContext::PasswordReset(reset) => reset.language,
            MailContext::Invitation(invitation) => invitation.language,
            MailContext::Alarm(alarm) => alarm.language,
        }
    }

    /// Whether the e-mail carries a secret (a one-time link): its bodies are not kept after
    /// sending, and the context is dropped once the e-mail is sent or given up.
    pub fn carries_secret(&self) -> bool {
        matches!(
            self,
            MailContext::PasswordReset(_) | MailContext::Invitation(_)
        )
    }
}

/// An alarm, for the tenant's admins.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmMail {
    pub recipient_name: String,
    /// What the alarm is about, such as "A message could not be delivered". (Not `kind`: that
    /// names the context's variant when stored.)
    pub about: String,
    pub summary: String,
    pub language: Locale,
}

/// A link to choose a new password.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordResetMail {
    pub recipient_name: String,
    /// The one-time token of the link; only its digest is stored with the user.
    pub token: String,
    pub valid_minutes: i64,
    pub language: Locale,
}

/// An invitation to a new user: a link to choose their password.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InvitationMail {
    pub recipient_name: String,
    /// Who added the user.
    pub invited_by: String,
    /// The role given, as shown.
    pub role: String,
    /// The one-time token of the link; only its digest is stored with the user.
    pub token: String,
    pub valid_days: i64,
    pub language: Locale,
}

/// A purchase order's step, for the person told about it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PoMail {
    pub recipient_name: String,
    /// What happened, in a few words ("Your purchase order was accepted").
    pub headline: String,
    /// The sentence under it.
    pub intro: String,
    pub po_id: i64,
    /// The PO number once assigned, the draft's id before.
    pub reference: String,
    pub account_name: String,
    /// The status's label.
    pub status: String,
    pub lines: Vec<PoMailLine>,
    /// With its currency, such as "EUR 49.00".
    pub total: String,
    pub reason: String,
    pub carrier: String,
    pub tracking_number: String,
    /// SIMs assigned to the PO.
    pub sim_count: u64,
    /// The buyer's own order reference.
    pub external_reference: String,
    pub language: Locale,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PoMailLine {
    pub product: String,
    pub quantity: i32,
    pub unit_price: String,
    pub line_total: String,
}

/// The tenant whose e-mail it is, as its recipients know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Branding {
    pub name: String,
    /// A CSS colour; the portal's blue when the tenant has none.
    pub color: String,
    pub logo_url: String,
    pub support_email: String,
}

impl Branding {
    pub const DEFAULT_COLOR: &'static str = "#1d4ed8";

    pub fn of(tenant: &crate::entity::tenant::Model) -> Self {
        // Settings validate both; the checks here keep a bad row from breaking the markup.
        let color = tenant
            .brand_color
            .clone()
            .filter(|c| {
                c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|d| d.is_ascii_hexdigit())
            })
            .unwrap_or_else(|| Self::DEFAULT_COLOR.to_owned());
        let logo_url = tenant
            .logo_url
            .clone()
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .unwrap_or_default();
        Branding {
            name: tenant.name.clone(),
            color,
            logo_url,
            support_email: tenant.support_email.clone().unwrap_or_default(),
        }
    }
}

/// Where the portal is, for the links in e-mails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portal {
    /// Such as `https://portal.example.com`, without a trailing slash.
    pub url: String,
}

impl Portal {
    pub fn new(url: &str) -> Self {
        Portal {
            url: url.trim_end_matches('/').to_owned(),
        }
    }
}

/// An e-mail's two bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bodies {
    pub text: String,
    pub html: String,
}

/// Renders both bodies of the e-mail `context` reports.
pub fn compose(
    subject: &str,
    context: &MailContext,
    branding: &Branding,
    portal: &Portal,
) -> Result<Bodies, minijinja::Error> {
    let preferences_url = format!("{}/account/notifications", portal.url);
    // Links are built from the configured portal address and ids or tokens, not from
    // anything users wrote, so they are not escaped.
    let values = match context {
        MailContext::PurchaseOrder(po) => minijinja::context! {
            subject => subject,
            lang => context.language().code(),
            brand => Value::from(Serde(branding)),
            recipient_name => po.recipient_name.as_str(),
            po => Value::from(Serde(po)),
            po_url => Value::from_safe_string(format!("{}/orders/{}", portal.url, po.po_id)),
            preferences_url => Value::from_safe_string(preferences_url),
        },
        MailContext::PasswordReset(reset) => minijinja::context! {
            subject => subject,
            lang => context.language().code(),
            brand => Value::from(Serde(branding)),
            recipient_name => reset.recipient_name.as_str(),
            valid_minutes => reset.valid_minutes,
            reset_url => Value::from_safe_string(format!(
                "{}/reset-password?token={}",
                portal.url,
                url_safe(&reset.token)
            )),
            sign_in_url => Value::from_safe_string(format!("{}/sign-in", portal.url)),
            preferences_url => Value::from_safe_string(preferences_url),
        },
        MailContext::Invitation(invitation) => minijinja::context! {
            subject => subject,
            lang => context.language().code(),
            brand => Value::from(Serde(branding)),
            recipient_name => invitation.recipient_name.as_str(),
            invited_by => invitation.invited_by.as_str(),
            role => invitation.role.as_str(),
            valid_days => invitation.valid_days,
            welcome_url => Value::from_safe_string(format!(
                "{}/reset-password?token={}",
                portal.url,
                url_safe(&invitation.token)
            )),
            sign_in_url => Value::from_safe_string(format!("{}/sign-in", portal.url)),
            preferences_url => Value::from_safe_string(preferences_url),
        },
        MailContext::Alarm(alarm) => minijinja::context! {
            subject => subject,
            lang => context.language().code(),
            brand => Value::from(Serde(branding)),
            recipient_name => alarm.recipient_name.as_str(),
            alarm => Value::from(Serde(alarm)),
            alarms_url => Value::from_safe_string(format!("{}/alarms", portal.url)),
            preferences_url => Value::from_safe_string(preferences_url),
        },
    };
    let name = context.template();
    let env = templates();
    Ok(Bodies {
        text: env.get_template(&format!("{name}.txt"))?.render(&values)?,
        html: env.get_template(&format!("{name}.html"))?.render(&values)?,
    })
}

/// The texts of the e-mails, one file per language, each the same keys. A text names the
/// values it takes in braces: `"Hello {name},"`.
fn texts(language: Locale) -> &'static HashMap<String, String> {
    static TEXTS: OnceLock<[HashMap<String, String>; 2]> = OnceLock::new();
    let [english, german] = TEXTS.get_or_init(|| {
        let parse = |name: &str, source: &str| {
            serde_json::from_str(source).unwrap_or_else(|e| {
                // The files are part of the build; the unit tests read both.
                panic!("mail texts {name} do not parse: {e}")
            })
        };
        [
            parse(
                "en.json",
                include_str!("../../templates/mail/texts/en.json"),
            ),
            parse(
                "de.json",
                include_str!("../../templates/mail/texts/de.json"),
            ),
        ]
    });
    language.pick(english, german)
}

/// The templates' `t("key", value=...)`: the text `key` in the e-mail's language (`lang`), with
/// its values filled in. In an HTML body the text and every value not already markup are
/// escaped, so a value may be a link the template built (`{% set %}`).
fn text(state: &State, key: &str, values: Kwargs) -> Result<Value, minijinja::Error> {
    let language = state
        .lookup("lang")
        .and_then(|code| code.as_str().and_then(Locale::from_code))
        .unwrap_or_default();
    let pattern = texts(language).get(key).ok_or_else(|| {
        minijinja::Error::new(
            minijinja::ErrorKind::UndefinedError,
            format!("no mail text {key:?}"),
        )
    })?;
    let html = matches!(state.auto_escape(), AutoEscape::Html);
    let escape = |text: &str| {
        if html {
            HtmlEscape(text).to_string()
        } else {
            text.to_owned()
        }
    };
    let mut filled = String::with_capacity(pattern.len());
    let mut rest = pattern.as_str();
    while let Some(open) = rest.find('{') {
        filled.push_str(&escape(&rest[..open]));
        let close = rest[open..].find('}').map(|i| open + i).ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::SyntaxError,
                format!("mail text {key:?} has an unclosed brace"),
            )
        })?;
        let value: Value = values.get(&rest[open + 1..close])?;
        if value.is_safe() {
            filled.push_str(&value.to_string());
        } else {
            filled.push_str(&escape(&value.to_string()));
        }
        rest = &rest[close + 1..];
    }
    filled.push_str(&escape(rest));
    values.assert_all_used()?;
    Ok(if html {
        Value::from_safe_string(filled)
    } else {
        Value::from(filled)
    })
}

/// `token` if it is URL-safe base64 (as tokens are made), else nothing: a damaged token
/// makes a dead link, never markup.
fn url_safe(token: &str) -> &str {
    if token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        token
    } else {
        ""
    }
}

/// The templates, compiled into the binary so a deployment cannot lose them.
fn templates() -> &'static Environment<'static> {
    static TEMPLATES: OnceLock<Environment<'static>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut env = Environment::new();
        // A missing value is a bug in the snapshot, not something to print as blank.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_function("t", text);
        for (name, source) in [
            (
                "layout.txt",
                include_str!("../../templates/mail/layout.txt"),
            ),
            (
                "layout.html",
                include_str!("../../templates/mail/layout.html"),
            ),
            (
                "purchase_order.txt",
                include_str!("../../templates/mail/purchase_order.txt"),
            ),
            (
                "purchase_order.html",
                include_str!("../../templates/mail/purchase_order.html"),
            ),
            ("alarm.txt", include_str!("../../templates/mail/alarm.txt")),
            (
                "alarm.html",
                include_str!("../../templates/mail/alarm.html"),
            ),
            (
                "password_reset.txt",
                include_str!("../../templates/mail/password_reset.txt"),
            ),
            (
                "password_reset.html",
                include_str!("../../templates/mail/password_reset.html"),
            ),
            (
                "invitation.txt",
                include_str!("../../templates/mail/invitation.txt"),
            ),
            (
                "invitation.html",
                include_str!("../../templates/mail/invitation.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, source) {
                // The templates are part of the build; the unit tests render each one.
                panic!("mail template {name} does not compile: {e}");
            }
        }
        env
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> MailContext {
        MailContext::PurchaseOrder(Box::new(PoMail {
            recipient_name: "Hanna <Purchaser>".into(),
            headline: "Your purchase order was rejected".into(),
            intro: "Nordwind Mobile rejected it.".into(),
            po_id: 7,
            reference: "1001".into(),
            account_name: "Hafen Logistik".into(),
            status: "Rejected".into(),
            lines: vec![PoMailLine {
                product: "IoT SIM <industrial>".into(),
                quantity: 10,
                unit_price: "EUR 4.90".into(),
                line_total: "EUR 49.00".into(),
            }],
            total: "EUR 49.00".into(),
            reason: "<script>alert(1)</script>".into(),
            ..PoMail::default()
        }))
    }

    fn branding() -> Branding {
        Branding {
            name: "Nordwind Mobile".into(),
            color: "#0f766e".into(),
            logo_url: String::new(),
            support_email: "support@nordwind.example".into(),
        }
    }

    #[test]
    fn both_bodies_carry_the_order_and_a_link_to_it() {
        let portal = Portal::new("https://portal.example/");
        let bodies = compose(
            "Purchase order 1001: rejected",
            &order(),
            &branding(),
            &portal,
        )
        .unwrap();
        for body in [&bodies.text, &bodies.html] {
            assert!(body.contains("1001"), "{body}");
            assert!(body.contains("EUR 49.00"), "{body}");
            assert!(body.contains("https://portal.example/orders/7"), "{body}");
            assert!(body.contains("support@nordwind.example"), "{body}");
        }
        assert!(bodies
            .text
            .contains("10 x IoT SIM <industrial> at EUR 4.90"));
        assert!(bodies.text.contains("Reason: <script>alert(1)</script>"));
        assert!(bodies.html.contains("background:#0f766e"));
    }

    #[test]
    fn html_escapes_what_users_wrote() {
        let bodies = compose("s", &order(), &branding(), &Portal::new("https://p")).unwrap();
        assert!(!bodies.html.contains("<script>"));
        assert!(bodies.html.contains("&lt;script&gt;"));
        assert!(bodies.html.contains("Hanna &lt;Purchaser&gt;"));
    }

    #[test]
    fn a_reset_link_carries_its_token_and_nothing_else() {
        let reset = |token: &str| {
            MailContext::PasswordReset(PasswordResetMail {
                recipient_name: "Paul".into(),
                token: token.into(),
                valid_minutes: 30,
                ..PasswordResetMail::default()
            })
        };
        let portal = Portal::new("https://portal.example");
        let bodies = compose("Reset", &reset("abc-DEF_123"), &branding(), &portal).unwrap();
        let link = "https://portal.example/reset-password?token=abc-DEF_123";
        assert!(bodies.text.contains(link), "{}", bodies.text);
        assert!(bodies.html.contains(link), "{}", bodies.html);
        assert!(bodies.text.contains("30 minutes"));
        assert!(reset("x").carries_secret());
        let damaged = compose("Reset", &reset("\"><script>"), &branding(), &portal).unwrap();
        assert!(!damaged.html.contains("<script>"));
    }

    #[test]
    fn every_kind_of_context_reads_back() {
        let alarm = MailContext::Alarm(AlarmMail {
            recipient_name: "Tessa".into(),
            about: "A message could not be delivered".into(),
            summary: "550".into(),
            ..AlarmMail::default()
        });
        let reset = MailContext::PasswordReset(PasswordResetMail::default());
        let invitation = MailContext::Invitation(InvitationMail::default());
        for context in [order(), alarm, reset, invitation] {
            let json = serde_json::to_string(&context).unwrap();
            assert_eq!(
                serde_json::from_str::<MailContext>(&json).unwrap(),
                context,
                "{json}"
            );
            compose("s", &context, &branding(), &Portal::new("https://p")).unwrap();
        }
    }

    #[test]
    fn every_kind_of_e_mail_reads_in_german_for_a_german_reader() {
        let german = Locale::German;
        let contexts = [
            MailContext::PurchaseOrder(Box::new(PoMail {
                language: german,
                lines: vec![PoMailLine::default()],
                ..PoMail::default()
            })),
            MailContext::Alarm(AlarmMail {
                language: german,
                ..AlarmMail::default()
            }),
            MailContext::PasswordReset(PasswordResetMail {
                language: german,
                ..PasswordResetMail::default()
            }),
            MailContext::Invitation(InvitationMail {
                language: german,
                ..InvitationMail::default()
            }),
        ];
        for context in contexts {
            let bodies = compose("s", &context, &branding(), &Portal::new("https://p")).unwrap();
            for body in [&bodies.text, &bodies.html] {
                assert!(body.contains("Guten Tag"), "{body}");
                assert!(body.contains("Sie erhalten diese E-Mail"), "{body}");
            }
            assert!(bodies.html.contains(r#"<html lang="de">"#));
        }
        // Stored before e-mails had a language: English.
        let old = r#"{"kind":"alarm","recipient_name":"Tessa","about":"x","summary":"y"}"#;
        let context: MailContext = serde_json::from_str(old).unwrap();
        assert_eq!(context.language(), Locale::English);
    }

    #[test]
    fn both_languages_have_every_text_with_the_same_values() {
        let placeholders = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
                .collect();
            names.sort();
            names
        };
        let (english, german) = (texts(Locale::English), texts(Locale::German));
        let mut keys: Vec<&String> = english.keys().collect();
        keys.sort();
        let mut german_keys: Vec<&String> = german.keys().collect();
        german_keys.sort();
        assert_eq!(keys, german_keys);
        for key in keys {
            assert_eq!(
                placeholders(&english[key]),
                placeholders(&german[key]),
                "{key}"
            );
        }
    }

    #[test]
    fn a_text_escapes_its_values_in_html_but_not_the_markup_a_template_built() {
        let bodies = compose("s", &order(), &branding(), &Portal::new("https://p")).unwrap();
        assert!(
            bodies.html.contains(
                r#"Questions? Write to <a href="mailto:support@nordwind.example" style="color:#64748b;">support@nordwind.example</a>, or reply"#
            ),
            "{}",
            bodies.html
        );
        assert!(bodies.html.contains("Hello Hanna &lt;Purchaser&gt;,"));
        assert!(bodies.text.contains("Hello Hanna <Purchaser>,"));
        assert!(bodies.html.contains(r#"<html lang="en">"#));
    }

    #[test]
    fn a_stored_context_reads_back() {
        let json = serde_json::to_string(&order()).unwrap();
        assert!(json.starts_with(r#"{"kind":"purchase_order""#), "{json}");
        assert_eq!(serde_json::from_str::<MailContext>(&json).unwrap(), order());
    }
}
