//! Rules for the URLs simdesk calls or sends browsers to. A leaf: imports no service.

/// Whether a host is this machine: plain `http` is allowed there only (tests, local providers).
pub(crate) fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => *name == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}
