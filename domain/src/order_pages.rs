//! Order pages: when an order e-mail links to a page (a web shop's printable order, a CSV or
//! PDF export), the page is fetched, but only from hosts the tenant lists, never from an
//! internal address (loopback, private networks, link-local, cloud metadata) unless the
//! operator allows it, over the address that was checked (no second lookup to rebind), without
//! following redirects, within a time and size limit.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use simdesk_types::Wording;

/// How pages are fetched; the operator's choice, not the tenant's.
#[derive(Debug, Clone)]
pub struct PagePolicy {
    /// Fetch from internal addresses and over plain http too (a test's local server).
    pub allow_internal: bool,
    pub timeout: Duration,
    pub max_bytes: usize,
    /// Links followed per message.
    pub max_pages: usize,
}

impl Default for PagePolicy {
    fn default() -> Self {
        Self {
            allow_internal: false,
            timeout: Duration::from_secs(10),
            max_bytes: 5 * 1024 * 1024,
            max_pages: 3,
        }
    }
}

/// What became of one link of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "detail")]
pub enum LinkOutcome {
    /// Fetched and read as an attachment of the message.
    Fetched,
    /// Its host is not on the tenant's list: left alone, as most links in e-mails are.
    NotListed,
    /// On the list, but not fetched or not usable: why.
    Refused(String),
}

/// One link with its outcome, kept with the message's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    #[serde(flatten)]
    pub outcome: LinkOutcome,
}

/// A fetched page: its content type and bytes.
pub struct Page {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Reads a tenant's list of hosts as typed: separated by commas, spaces or lines.
pub fn parse_hosts(text: &str) -> Result<Vec<String>, Wording> {
    let mut hosts: Vec<String> = Vec::new();
    for host in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|h| h.trim().trim_end_matches('.').to_lowercase())
        .filter(|h| !h.is_empty())
    {
        let valid = host.len() <= 253
            && (host.parse::<IpAddr>().is_ok()
                || host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                }));
        if !valid {
            return Err(Wording::new(
                format!(
                    "\"{host}\" is not a host name; list hosts such as shop.example.com, separated by commas."
                ),
                format!(
                    "„{host}“ ist kein Hostname; geben Sie Hosts wie shop.example.com an, durch Kommas getrennt."
                ),
            ));
        }
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    if hosts.len() > 20 {
        return Err(Wording::new(
            "List at most 20 hosts.",
            "Geben Sie höchstens 20 Hosts an.",
        ));
    }
    Ok(hosts)
}

/// Whether `ip` is an address of the internet rather than of this machine, its network or
/// its cloud (RFC 1918, loopback, link-local with the metadata service, carrier-grade NAT,
/// unique-local IPv6, documentation, multicast, unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Fetches `url` if the tenant lists its host and the policy allows its address; else why
/// not, in a sentence for the agent.
pub async fn fetch(url: &str, hosts: &[String], policy: &PagePolicy) -> Result<Page, LinkOutcome> {
    let refused = |why: String| LinkOutcome::Refused(why);
    let parsed = url::Url::parse(url).map_err(|_| refused("it is not a valid address".into()))?;
    let host = parsed
        .host_str()
        .map(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .to_lowercase()
        })
        .unwrap_or_default();
    if !hosts.contains(&host) {
        return Err(LinkOutcome::NotListed);
    }
    match parsed.scheme() {
        "https" => {}
        "http" if policy.allow_internal => {}
        other => return Err(refused(format!("{other} is not fetched; only https is"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refused("it carries a user name or password".into()));
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = tokio::time::timeout(
        policy.timeout,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| refused(format!("looking up {host} took too long")))?
    .map_err(|_| refused(format!("{host} cannot be found")))?
    .collect();
    let Some(address) = addresses.first().copied() else {
        return Err(refused(format!("{host} cannot be found")));
    };
    if !policy.allow_internal {
        if let Some(internal) = addresses.iter().find(|a| !is_public(a.ip())) {
            return Err(refused(format!(
                "{host} points to the internal address {}, which is never fetched",
                internal.ip()
            )));
        }
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(policy.timeout)
        // The address checked above, not a second lookup that could answer otherwise.
        .resolve(&host, address)
        .user_agent("simdesk order reader")
        .build()
        .map_err(|e| refused(format!("cannot fetch: {e}")))?;
    let mut response = client
        .get(parsed.clone())
        .send()
        .await
        .map_err(|e| refused(format!("the request failed: {}", without_url(&e))))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(refused(format!(
            "the server answered with a redirect ({status}), which is not followed"
        )));
    }
    if !status.is_success() {
        return Err(refused(format!("the server answered {status}")));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| refused(format!("reading the page failed: {}", without_url(&e))))?
    {
        if body.len() + chunk.len() > policy.max_bytes {
            return Err(refused(format!(
                "the page is larger than {} MB",
                policy.max_bytes / 1024 / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Page { content_type, body })
}

fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{is_public, parse_hosts};

    #[test]
    fn internal_addresses_are_told_apart() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_list_of_hosts_is_read_as_typed() {
        assert_eq!(
            parse_hosts("Shop.Example.com, orders.example.de\nshop.example.com 127.0.0.1").unwrap(),
            vec!["shop.example.com", "orders.example.de", "127.0.0.1"]
        );
        assert!(parse_hosts("https://shop.example.com/x").is_err());
        assert!(parse_hosts("").unwrap().is_empty());
    }
}
