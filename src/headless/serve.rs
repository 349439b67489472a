//! `blocklab serve`: the lab and its HTTP front door without a terminal — for `curl`, `oha`, a
//! browser or `blocklab load` — until Ctrl-C or SIGTERM.
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::clock::{Clock, human};
use crate::data::LabConfig;
use crate::lab::http;
use crate::model::Model;
use crate::runner::Bench;
use crate::session::Labs;
use crate::text::T;

/// Prints a line; a closed stdout (the reader went away) is no reason to stop serving.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// How often `serve` says what came in from outside.
const TICK: Duration = Duration::from_secs(10);

/// The front door's socket: `--listen ADDR` as given, else loopback on `--port` (0: a free
/// port). A message the user can act on when the address cannot be had.
pub fn bind(listen: Option<SocketAddr>, port: u16) -> Result<TcpListener, String> {
    let addr = listen.unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    TcpListener::bind(addr).map_err(|e| T::ListenFailed.fill(&[("addr", &addr), ("error", &e)]))
}

/// Whether an explicit `--listen` address opens the lab beyond this machine.
pub fn beyond_loopback(listen: Option<SocketAddr>) -> bool {
    listen.is_some_and(|a| !a.ip().is_loopback())
}

/// Runs the lab with its front door until a signal; prints the address, the routes, and every
/// `TICK` what came in from outside.
pub fn serve(config: LabConfig, listener: TcpListener) -> std::io::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    let mut labs = Labs::with_front_door(Clock::start(), listener);
    labs.start(config)?;
    let addr = labs.address().expect("a lab with a front door");
    say!("{}", T::ServeListening.fill(&[("addr", &addr)]));
    for (method, path) in http::ROUTES {
        say!("  {method:<4} http://{addr}{path}");
    }
    say!("{}", T::ServeHowToStop);

    let mut model = Model::new();
    let (mut total, mut tick) = (0, labs.now() + TICK);
    while !stop.load(Ordering::Relaxed) {
        let until = labs.now() + Duration::from_millis(100);
        labs.wait_into(&mut model, until);
        let now = labs.now();
        if now >= tick {
            let s = model.http_summary(tick.saturating_sub(TICK), tick);
            if s.count > 0 {
                total += s.count;
                let errors = model.http_errors(tick.saturating_sub(TICK), tick);
                say!(
                    "{}",
                    T::ServeTick.fill(&[
                        ("n", &s.count),
                        ("errors", &errors),
                        ("secs", &TICK.as_secs()),
                        ("p50", &human(s.p50)),
                        ("p99", &human(s.p99)),
                        ("max", &human(s.max)),
                    ])
                );
            }
            tick += TICK;
        }
    }
    let rest = model
        .http_summary(tick.saturating_sub(TICK), Duration::MAX)
        .count;
    say!("{}", T::ServeBye.fill(&[("n", &(total + rest))]));
    Ok(())
}
