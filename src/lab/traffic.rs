//! Steady background traffic: the other users of the server.
//!
//! The clients live on their own thread, outside the lab, like real clients on a network: when
//! the event loop freezes, their requests keep arriving and wait, and their latency shows it.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::clock::Clock;
use crate::data::LabEvent;

pub struct Clients {
    stop: Arc<AtomicBool>,
}

impl Clients {
    /// Sends `rate` requests a second (open loop: on schedule, whatever the server does).
    pub fn start(
        rate: u32,
        clock: Clock,
        requests: UnboundedSender<Duration>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        if rate > 0 {
            let flag = stop.clone();
            let period = Duration::from_secs_f64(1.0 / f64::from(rate));
            std::thread::Builder::new()
                .name("lab-clients".into())
                .spawn(move || {
                    let start = Instant::now();
                    let mut sent = 0u32;
                    while !flag.load(Ordering::Relaxed) {
                        sent += 1;
                        let due = start + period * sent;
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        if requests.send(clock.now()).is_err() {
                            break;
                        }
                    }
                })?;
        }
        Ok(Self { stop })
    }
}

impl Drop for Clients {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The server side, a task on the lab: one handler task per request.
pub async fn serve(
    mut requests: tokio::sync::mpsc::UnboundedReceiver<Duration>,
    wait: Duration,
    clock: Clock,
    events: UnboundedSender<LabEvent>,
) {
    while let Some(sent) = requests.recv().await {
        tokio::spawn(handle_request(sent, wait, clock, events.clone()));
    }
}

// snippet:start traffic-handler
/// A small request: a short async wait (a cache or database call that awaits), then reply.
async fn handle_request(
    sent: Duration,
    wait: Duration,
    clock: Clock,
    events: UnboundedSender<LabEvent>,
) {
    tokio::time::sleep(wait).await;
    let _ = events.send(LabEvent::Request {
        sent,
        done: clock.now(),
    });
}
// snippet:end traffic-handler
