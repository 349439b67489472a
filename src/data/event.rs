//! What the lab tells the observer, and what the observer sends the lab.
use std::time::Duration;

use super::job::JobEvent;

#[derive(Clone, Debug, PartialEq)]
pub enum LabEvent {
    Job(JobEvent),
    /// A background request: when it was due to be sent, and when its client had the whole
    /// reply (over HTTP; on the lab's side for a lab without a front door).
    Request {
        sent: Duration,
        done: Duration,
    },
    /// A request to the HTTP front door: its status, when the server read it and when it
    /// replied.
    Http {
        status: u16,
        received: Duration,
        done: Duration,
    },
    /// The probe task received ping `seq` (sent by the observer at `sent`) at `received`.
    PingAnswer {
        seq: u64,
        sent: Duration,
        received: Duration,
    },
    /// The lab has shut down; its jobs that never ended are lost, abandoned or cancelled.
    Stopped {
        lab: u64,
        at: Duration,
    },
}

/// A ping from the observer to the lab's probe task.
#[derive(Clone, Copy, Debug)]
pub struct Ping {
    pub seq: u64,
    pub sent: Duration,
}
