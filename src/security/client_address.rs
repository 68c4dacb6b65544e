//! Which address a request came from. Behind an ingress every request
//! arrives from the proxy, so the client is read from `X-Forwarded-For` —
//! but only when the proxy is one this deployment trusts
//! (`TESSERA_TRUSTED_PROXIES`); from anyone else the header is a claim
//! anybody can forge, so it is ignored.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed. Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses or CIDR ranges, e.g.
    /// `10.0.0.0/8, 192.168.1.7`.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        raw.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`: the peer itself unless it is a trusted
    /// proxy, else the right-most `X-Forwarded-For` entry that is not a
    /// trusted proxy (entries further left were written by the client and
    /// prove nothing). An unreadable entry stops the walk at the last hop
    /// that could be believed.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or_default().rsplit(',').map(str::trim) {
            let Ok(address) = hop.parse::<IpAddr>() else {
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.5"), Some("1.2.3.4")), ip("10.0.0.5"));
        let ingress: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        assert_eq!(
            ingress.client(ip("203.0.113.9"), Some("1.2.3.4")),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop() {
        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.7".parse().unwrap();
        let forwarded = Some("6.6.6.6, 198.51.100.4, 192.168.1.7");
        assert_eq!(
            proxies.client(ip("10.1.2.3"), forwarded),
            ip("198.51.100.4"),
            "the forged left-most entry is not believed"
        );
        assert_eq!(proxies.client(ip("10.1.2.3"), None), ip("10.1.2.3"));
        assert_eq!(
            proxies.client(ip("10.1.2.3"), Some("garbage, 198.51.100.4")),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn malformed_lists_name_the_bad_entry() {
        let err = "10.0.0.0/8, proxy.local"
            .parse::<TrustedProxies>()
            .unwrap_err();
        assert!(err.contains("proxy.local"));
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
    }
}
