//! Checking the single sign-on settings an admin entered: issuer URL, client credentials,
//! scopes, e-mail domains, role claim and mapping, just-in-time users; every mistake named.

use simdesk_types::{FieldError, Role, RoleRule, SsoConfigInput, Wording};

use crate::urls::is_loopback;

pub(super) const MAX_DOMAINS: usize = 50;
const MAX_RULES: usize = 100;

/// Checked settings, ready to store.
pub(super) struct ValidConfig {
    pub(super) enabled: bool,
    pub(super) issuer_url: String,
    pub(super) client_id: String,
    pub(super) client_secret: Option<String>,
    pub(super) scopes: String,
    pub(super) domains: Vec<String>,
    pub(super) role_claim: String,
    pub(super) role_mapping: Vec<RoleRule>,
    pub(super) jit_enabled: bool,
    pub(super) jit_role: Option<Role>,
    pub(super) require_sso: bool,
    pub(super) break_glass_user_id: Option<i64>,
}

fn valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

pub(super) fn validate(
    input: &SsoConfigInput,
    has_secret: bool,
) -> Result<ValidConfig, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut error = |field: &str, message: Wording| errors.push(FieldError::new(field, message));

    let issuer_url = input.issuer_url.trim().to_owned();
    match url::Url::parse(&issuer_url) {
        _ if issuer_url.is_empty() => {
            error(
                "issuer_url",
                Wording::new(
                    "Enter the provider's issuer URL.",
                    "Geben Sie die Issuer-URL des Identitätsanbieters ein.",
                ),
            )
        }
        _ if issuer_url.len() > 500 => error(
            "issuer_url",
            Wording::new(
                "The issuer URL is longer than 500 characters.",
                "Die Issuer-URL ist länger als 500 Zeichen.",
            ),
        ),
        Err(_) => error(
            "issuer_url",
            Wording::new(
                "The issuer URL is not a valid URL, such as https://login.example.com/realms/acme.",
                "Die Issuer-URL ist keine gültige URL wie etwa https://login.example.com/realms/acme.",
            ),
        ),
        Ok(url) => {
            let secure = url.scheme() == "https"
                || (url.scheme() == "http" && url.host().as_ref().is_some_and(is_loopback));
            if !secure {
                error(
                    "issuer_url",
                    Wording::new(
                        "The issuer URL must use https (http only for a provider on this machine).",
                        "Die Issuer-URL muss https verwenden (http nur für einen Identitätsanbieter auf diesem Rechner).",
                    ),
                );
            } else if url.query().is_some() || url.fragment().is_some() {
                error(
                    "issuer_url",
                    Wording::new(
                        "The issuer URL may not have a query or fragment.",
                        "Die Issuer-URL darf weder Query noch Fragment enthalten.",
                    ),
                );
            }
        }
    }
    let client_id = input.client_id.trim().to_owned();
    if client_id.is_empty() {
        error(
            "client_id",
            Wording::new(
                "Enter the client ID the provider assigned to simdesk.",
                "Geben Sie die Client-ID ein, die der Identitätsanbieter simdesk zugewiesen hat.",
            ),
        );
    } else if client_id.len() > 255 || client_id.chars().any(char::is_control) {
        error(
            "client_id",
            Wording::new(
                "The client ID must be at most 255 printable characters.",
                "Die Client-ID darf höchstens 255 druckbare Zeichen lang sein.",
            ),
        );
    }
    let secret = input.client_secret.trim();
    let client_secret = if secret.is_empty() {
        if !has_secret {
            error(
                "client_secret",
                Wording::new(
                    "Enter the client secret the provider issued.",
                    "Geben Sie das Client-Secret ein, das der Identitätsanbieter ausgestellt hat.",
                ),
            );
        }
        None
    } else if secret.len() > 500 || secret.chars().any(char::is_control) {
        error(
            "client_secret",
            Wording::new(
                "The client secret must be at most 500 printable characters.",
                "Das Client-Secret darf höchstens 500 druckbare Zeichen lang sein.",
            ),
        );
        None
    } else {
        Some(secret.to_owned())
    };

    let mut scopes = vec!["openid".to_owned()];
    for scope in input
        .scopes
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
    {
        let valid = scope
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !valid {
            error(
                "scopes",
                Wording::new(
                    format!("\"{scope}\" is not a valid scope name."),
                    format!("„{scope}“ ist kein gültiger Scope-Name."),
                ),
            );
        } else if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    let scopes = scopes.join(" ");
    if scopes.len() > 500 {
        error(
            "scopes",
            Wording::new(
                "The scopes are longer than 500 characters together.",
                "Die Scopes sind zusammen länger als 500 Zeichen.",
            ),
        );
    }

    let mut domains: Vec<String> = Vec::new();
    for raw in input
        .domains
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
    {
        let domain = raw.trim_start_matches('@').to_lowercase();
        if !valid_domain(&domain) {
            error(
                "domains",
                Wording::new(
                    format!("\"{raw}\" is not an e-mail domain such as example.com."),
                    format!("„{raw}“ ist keine E-Mail-Domain wie example.com."),
                ),
            );
        } else if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.len() > MAX_DOMAINS {
        error(
            "domains",
            Wording::new(
                format!("At most {MAX_DOMAINS} domains per account."),
                format!("Höchstens {MAX_DOMAINS} Domains pro Kundenkonto."),
            ),
        );
    }
    if input.enabled && domains.is_empty() {
        error(
            "domains",
            Wording::new(
                "Name at least one e-mail domain whose users sign in here.",
                "Nennen Sie mindestens eine E-Mail-Domain, deren Nutzer sich hier anmelden.",
            ),
        );
    }

    let role_claim = input.role_claim.trim().to_owned();
    if role_claim.len() > 200
        || !role_claim
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/".contains(c))
    {
        error(
            "role_claim",
            Wording::new(
                "The role claim is a claim name such as groups or realm_access.roles.",
                "Der Rollen-Claim ist ein Claim-Name wie groups oder realm_access.roles.",
            ),
        );
    }
    let mut role_mapping = Vec::new();
    for (number, line) in input
        .role_mapping
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
    {
        if line.is_empty() {
            continue;
        }
        let Some((value, role)) = line.rsplit_once('=') else {
            error(
                "role_mapping",
                Wording::new(
                    format!("Line {number}: write claim value = role, such as sim-buyers = purchaser."),
                    format!("Zeile {number}: Schreiben Sie Claim-Wert = Rolle, etwa sim-buyers = purchaser."),
                ),
            );
            continue;
        };
        let value = value.trim();
        let role = role.trim();
        match role.parse::<Role>() {
            Ok(role)
                if Role::ACCOUNT_USERS.contains(&role)
                    && !value.is_empty()
                    && value.len() <= 200 =>
            {
                role_mapping.push(RoleRule {
                    value: value.to_owned(),
                    role,
                });
            }
            Ok(_) if value.is_empty() || value.len() > 200 => {
                error(
                    "role_mapping",
                    Wording::new(
                        format!("Line {number}: the claim value must be 1 to 200 characters."),
                        format!("Zeile {number}: Der Claim-Wert muss 1 bis 200 Zeichen lang sein."),
                    ),
                );
            }
            _ => error("role_mapping", {
                let roles = Role::ACCOUNT_USERS.map(Role::as_str).join(", ");
                Wording::new(
                        format!("Line {number}: \"{role}\" is not an account role; use one of {roles}."),
                        format!("Zeile {number}: „{role}“ ist keine Rolle eines Kundenkontos; verwenden Sie eine von: {roles}."),
                    )
            }),
        }
    }
    if role_mapping.len() > MAX_RULES {
        error(
            "role_mapping",
            Wording::new(
                format!("At most {MAX_RULES} rules."),
                format!("Höchstens {MAX_RULES} Regeln."),
            ),
        );
    }
    if !role_mapping.is_empty() && role_claim.is_empty() {
        error(
            "role_claim",
            Wording::new(
                "Name the claim whose values the mapping reads.",
                "Nennen Sie den Claim, dessen Werte die Rollenzuordnung liest.",
            ),
        );
    }

    let jit_role = match input.jit_role.trim() {
        "" => None,
        code => match code.parse::<Role>() {
            Ok(role) if Role::ACCOUNT_USERS.contains(&role) => Some(role),
            _ => {
                error(
                    "jit_role",
                    Wording::new(
                        format!("\"{code}\" is not an account role."),
                        format!("„{code}“ ist keine Rolle eines Kundenkontos."),
                    ),
                );
                None
            }
        },
    };
    if input.jit_enabled && jit_role.is_none() && role_mapping.is_empty() {
        error(
            "jit_role",
            Wording::new(
                "Choose the role of users created on first sign-in.",
                "Wählen Sie die Rolle der Nutzer, die bei ihrer ersten Anmeldung angelegt werden.",
            ),
        );
    }
    if input.require_sso && !input.enabled {
        error(
            "require_sso",
            Wording::new(
                "Single sign-on can only be required while it is enabled.",
                "Single Sign-on kann nur erzwungen werden, solange es aktiviert ist.",
            ),
        );
    }
    if errors.is_empty() {
        Ok(ValidConfig {
            enabled: input.enabled,
            issuer_url,
            client_id,
            client_secret,
            scopes,
            domains,
            role_claim,
            role_mapping,
            jit_enabled: input.jit_enabled,
            jit_role,
            require_sso: input.require_sso,
            break_glass_user_id: input.break_glass_user_id,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SsoConfigInput {
        SsoConfigInput {
            enabled: true,
            issuer_url: "https://login.example.com/realms/acme".into(),
            client_id: "simdesk".into(),
            client_secret: "secret".into(),
            scopes: "email profile".into(),
            domains: "Example.com, @acme.example".into(),
            role_claim: "groups".into(),
            role_mapping: "sim-buyers = purchaser\nsim-admins=account_admin\n".into(),
            jit_enabled: true,
            jit_role: "viewer".into(),
            require_sso: false,
            break_glass_user_id: None,
        }
    }

    fn messages(input: &SsoConfigInput, has_secret: bool) -> String {
        match validate(input, has_secret) {
            Ok(_) => String::new(),
            Err(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn a_complete_configuration_is_normalised() {
        let valid = validate(&input(), false).unwrap_or_else(|_| panic!("valid"));
        assert_eq!(valid.scopes, "openid email profile");
        assert_eq!(valid.domains, vec!["example.com", "acme.example"]);
        assert_eq!(valid.role_mapping.len(), 2);
        assert_eq!(valid.role_mapping[1].role, Role::AccountAdmin);
    }

    #[test]
    fn each_mistake_is_named() {
        type Change = Box<dyn Fn(&mut SsoConfigInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (
                Box::new(|i| i.issuer_url = "http://login.example.com".into()),
                "issuer_url: The issuer URL must use https",
            ),
            (
                Box::new(|i| i.issuer_url = "not a url".into()),
                "issuer_url: The issuer URL is not a valid URL",
            ),
            (
                Box::new(|i| i.issuer_url = "https://x.example/?a=b".into()),
                "may not have a query",
            ),
            (
                Box::new(|i| i.client_id = " ".into()),
                "client_id: Enter the client ID",
            ),
            (
                Box::new(|i| i.client_secret = String::new()),
                "client_secret: Enter the client secret",
            ),
            (
                Box::new(|i| i.scopes = "email \"x".into()),
                "is not a valid scope name",
            ),
            (
                Box::new(|i| i.domains = "example".into()),
                "\"example\" is not an e-mail domain",
            ),
            (
                Box::new(|i| i.domains = String::new()),
                "Name at least one e-mail domain",
            ),
            (
                Box::new(|i| i.role_mapping = "sim-buyers purchaser".into()),
                "Line 1: write claim value = role",
            ),
            (
                Box::new(|i| i.role_mapping = "x = tenant_admin".into()),
                "\"tenant_admin\" is not an account role",
            ),
            (
                Box::new(|i| i.role_claim = String::new()),
                "role_claim: Name the claim",
            ),
            (
                Box::new(|i| {
                    i.jit_role = String::new();
                    i.role_mapping = String::new();
                }),
                "jit_role: Choose the role",
            ),
            (
                Box::new(|i| {
                    i.require_sso = true;
                    i.enabled = false;
                    i.domains = String::new();
                }),
                "require_sso: Single sign-on can only be required while it is enabled",
            ),
        ];
        for (change, expected) in cases {
            let mut bad = input();
            change(&mut bad);
            let found = messages(&bad, false);
            assert!(
                found.contains(expected),
                "expected {expected:?}, got {found:?}"
            );
        }
        let mut keep = input();
        keep.client_secret = String::new();
        assert_eq!(
            messages(&keep, true),
            "",
            "an empty secret keeps the stored one"
        );
        let mut local = input();
        local.issuer_url = "http://127.0.0.1:9000".into();
        assert_eq!(messages(&local, false), "", "http is fine on loopback");
    }
}
