//! Where the server may connect on a device's say-so (a Web Push endpoint a
//! phone registered): public internet addresses only. A device could
//! otherwise make the reminder pass connect to the server's own loopback,
//! the cloud's metadata service or the office network (blind SSRF).
//! Checked twice: the endpoint's host when it is registered, and every
//! address its name resolves to when the pass connects (a public name may
//! point at 127.0.0.1); redirects are never followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Whether `ip` is a public unicast address: not loopback, private,
/// link-local, shared (CGNAT), unspecified, broadcast, multicast,
/// documentation or unique-local, nor such an address mapped into IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 100.64.0.0/10, shared address space (carrier-grade NAT)
        || (a == 100 && (64..128).contains(&b))
        // 0.0.0.0/8 and 240.0.0.0/4, reserved
        || a == 0
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        // 2001:db8::/32, documentation
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // ::/96 and 64:ff9b::/96 carry IPv4 addresses of any kind
        || ip.to_ipv4().is_some()
        || first == 0x0064)
}

/// Whether the host of a URL may be connected to as it is written: a name
/// (checked again when it resolves) or a public address; never `localhost`.
pub fn host_allowed(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => is_public(ip),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            !(name == "localhost" || name.ends_with(".localhost") || name.is_empty())
        }
    }
}

/// A resolver for the HTTP client that answers only public addresses: a
/// name that resolves to none is an error, so nothing is sent.
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An HTTP client for device-given addresses: public ones only, no
/// redirects. `local` (tests on loopback) lifts the address check.
pub fn client(timeout: std::time::Duration, local: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none());
    if local {
        builder.build()
    } else {
        builder.dns_resolver(Arc::new(PublicOnly)).build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "64:ff9b::a9fe:a9fe",
            "ff02::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "142.250.72.10",
            "8.8.8.8",
            "2607:f8b0:4005:80c::200a",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn hosts_as_written() {
        assert!(host_allowed("fcm.googleapis.com"));
        assert!(host_allowed("8.8.8.8"));
        for refused in [
            "127.0.0.1",
            "[::1]",
            "localhost",
            "LOCALHOST.",
            "push.localhost",
            "169.254.169.254",
            "[fe80::1]",
            "",
        ] {
            assert!(!host_allowed(refused), "{refused}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_not_reached() {
        let client = client(std::time::Duration::from_secs(5), false).unwrap();
        // a listener that would answer, were it reached
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let err = client
            .post(format!("http://localhost:{port}/push"))
            .send()
            .await
            .unwrap_err();
        assert!(err.is_connect() || err.is_request(), "{err:?}");
        assert!(format!("{err:?}").contains("no public address"), "{err:?}");
    }
}
