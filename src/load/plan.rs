//! What a load run is asked to do: the target, the steps, the schedule inside a step, and the
//! bounds of each setting (bad input says what is allowed; the CLI exits 2 on it).
use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::time::Duration;

use crate::text::T;

/// The highest offered rate one step may ask for, in requests per second.
pub const MAX_RATE: u32 = 100_000;
/// The longest step, in seconds.
pub const MAX_SECONDS: f64 = 600.0;
/// How many connections may be open at once.
pub const CONNECTIONS: RangeInclusive<i64> = 1..=10_000;
/// How long a request may take, from its scheduled time, in milliseconds.
pub const TIMEOUT_MS: RangeInclusive<i64> = 1..=600_000;

/// An `http://host[:port][/path]` URL, taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `host[:port]` as written: the `Host` header.
    pub authority: String,
    /// The host to connect to (an IPv6 address without its brackets).
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Target {
    /// Parses `http://host[:port][/path]`; anything else says what is allowed.
    pub fn parse(url: &str) -> Result<Target, String> {
        let bad = || T::LoadUrlBad.fill(&[("url", &url)]);
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("https://") {
            return Err(T::LoadUrlTls.fill(&[("url", &url)]));
        }
        if !lower.starts_with("http://") || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        let rest = &url["http://".len()..];
        // A fragment is the browser's, never sent.
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        let path = match path {
            "" => "/".to_string(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_string(),
        };
        if path.parse::<hyper::Uri>().is_err() {
            return Err(bad());
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (addr, after) = v6.split_once(']').ok_or_else(bad)?;
                if addr.parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(bad());
                }
                let port = match after {
                    "" => None,
                    a => Some(a.strip_prefix(':').ok_or_else(bad)?),
                };
                (addr, port)
            }
            None => match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            },
        };
        let name_ok = |h: &str| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'))
        };
        if !name_ok(host) {
            return Err(bad());
        }
        let port = match port {
            None => 80,
            Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => match p.parse() {
                Ok(n) if n > 0 => n,
                _ => return Err(bad()),
            },
            Some(_) => return Err(bad()),
        };
        Ok(Target {
            authority: authority.to_string(),
            host: host.to_string(),
            port,
            path,
        })
    }

    /// The URL, as requests go to it.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.authority, self.path)
    }

    /// The addresses the host names (a name is looked up once, before the first step).
    pub fn resolve(&self) -> std::io::Result<Vec<SocketAddr>> {
        Ok((self.host.as_str(), self.port).to_socket_addrs()?.collect())
    }
}

/// The steps of a run: each rate in turn, `step` long, through at most `connections`
/// connections; a request not fully answered `timeout` after its scheduled time timed out.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadPlan {
    pub rates: Vec<u32>,
    pub step: Duration,
    pub connections: usize,
    pub timeout: Duration,
    /// (name, value) set on every request.
    pub headers: Vec<(String, String)>,
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan {
            rates: vec![50, 100, 200, 400, 800],
            step: Duration::from_secs(1),
            connections: 64,
            timeout: Duration::from_millis(2000),
            headers: Vec::new(),
        }
    }
}

/// When request `i` of a step at `rate` is due, from the step's start: `i / rate`.
pub fn scheduled(i: u64, rate: u32) -> Duration {
    Duration::from_nanos((i as u128 * 1_000_000_000 / rate as u128) as u64)
}

/// How many requests a step sends: every `i` whose time `i / rate` falls inside the step.
pub fn requests_in(rate: u32, step: Duration) -> u64 {
    let per = rate as u128 * step.as_nanos();
    per.div_ceil(1_000_000_000) as u64
}

/// `--rates`: whole numbers from 1 to [`MAX_RATE`], separated by commas.
pub fn parse_rates(s: &str) -> Result<Vec<u32>, String> {
    let bad = || T::LoadRatesBad.fill(&[("max", &MAX_RATE), ("value", &s)]);
    let rates: Vec<u32> = s
        .split(',')
        .map(|r| match r.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_RATE).contains(&n) => Ok(n),
            _ => Err(bad()),
        })
        .collect::<Result<_, _>>()?;
    if rates.is_empty() {
        return Err(bad());
    }
    Ok(rates)
}

/// `--seconds`: above 0, at most [`MAX_SECONDS`].
pub fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| T::CliSecondsNotNumber.fill(&[("value", &s)]))?;
    if v > 0.0 && v <= MAX_SECONDS {
        Ok(v)
    } else {
        Err(T::LoadSecondsRange.fill(&[("max", &MAX_SECONDS), ("value", &s)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_i_is_due_at_i_over_the_rate() {
        assert_eq!(scheduled(0, 50), Duration::ZERO);
        assert_eq!(scheduled(1, 50), Duration::from_millis(20));
        assert_eq!(scheduled(49, 50), Duration::from_millis(980));
        assert_eq!(scheduled(1, 800), Duration::from_micros(1250));
        assert_eq!(scheduled(1, 3), Duration::from_nanos(333_333_333));
        assert_eq!(scheduled(3, 3), Duration::from_secs(1));
    }

    #[test]
    fn a_step_sends_every_request_due_inside_it() {
        assert_eq!(requests_in(50, Duration::from_secs(1)), 50);
        assert_eq!(requests_in(800, Duration::from_secs(2)), 1600);
        // 0, 333 and 666 ms fall inside a second; 1 s does not.
        assert_eq!(requests_in(3, Duration::from_secs(1)), 3);
        // 0 and 333 ms fall inside half a second.
        assert_eq!(requests_in(3, Duration::from_millis(500)), 2);
        // The first request is due at once, however short the step.
        assert_eq!(requests_in(1, Duration::from_millis(1)), 1);
        for rate in [1, 7, 50, 333, 800] {
            let step = Duration::from_millis(1300);
            let n = requests_in(rate, step);
            assert!(scheduled(n - 1, rate) < step && scheduled(n, rate) >= step);
        }
    }

    #[test]
    fn urls_are_http_host_port_path() {
        let t = Target::parse("http://127.0.0.1:8000/items?id=3").unwrap();
        assert_eq!(
            (
                t.authority.as_str(),
                t.host.as_str(),
                t.port,
                t.path.as_str()
            ),
            ("127.0.0.1:8000", "127.0.0.1", 8000, "/items?id=3")
        );
        let t = Target::parse("http://localhost").unwrap();
        assert_eq!((t.port, t.path.as_str()), (80, "/"));
        assert_eq!(t.url(), "http://localhost/");
        let t = Target::parse("HTTP://example.com?q=1#top").unwrap();
        assert_eq!((t.host.as_str(), t.path.as_str()), ("example.com", "/?q=1"));
        let t = Target::parse("http://[::1]:9000/x").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.host.as_str(), t.port),
            ("[::1]:9000", "::1", 9000)
        );
        assert_eq!(Target::parse("http://[::1]").unwrap().port, 80);
        for bad in [
            "localhost:8000",
            "ftp://host/",
            "http://",
            "http://:80/",
            "http://host:0/",
            "http://host:65536/",
            "http://host:/",
            "http://host:x/",
            "http://user@host/",
            "http://ho st/",
            "http://[::1/",
            "http://[nope]/",
            "http://[::1]x/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad} should be refused");
        }
        let tls = Target::parse("https://example.com/").unwrap_err();
        assert!(tls.contains("TLS") || tls.contains("http://"), "{tls}");
    }

    #[test]
    fn rates_and_seconds_have_bounds() {
        assert_eq!(parse_rates("50,100, 200").unwrap(), vec![50, 100, 200]);
        assert_eq!(parse_rates("7").unwrap(), vec![7]);
        for bad in ["", "0", "50,0", "50,,100", "-5", "1.5", "100001", "x"] {
            assert!(parse_rates(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(parse_seconds("0.5").unwrap(), 0.5);
        assert_eq!(parse_seconds("600").unwrap(), 600.0);
        for bad in ["0", "-1", "600.5", "NaN", "inf", "x"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
