//! blocklab: a terminal lab that shows, on a live tokio runtime, what blocking code does to an
//! async server — and what each way of offloading it costs.
//!
//! Three parts that cannot block each other:
//! * `lab`     — the runtime under study, which the user deliberately blocks;
//! * `observe` — its own thread (no runtime: it only waits between beats); measures the lab,
//!   even while it is frozen;
//! * `ui`      — model + views + input on the main thread.
//!
//! Beside them, `queue` is the durable job queue's SQLite file, which outlives labs and
//! processes, and `progress` the learner's progress, kept between sessions.
//! `notes` carries a presenter's place to `blocklab notes` on a second terminal.
//!
//! Plain data flows lab → observer → model → screen (or the headless report); intents flow back.
pub mod cli;
pub mod clock;
pub mod data;
pub mod headless;
pub mod lab;
pub mod lesson;
pub mod load;
pub mod model;
pub mod notes;
pub mod observe;
pub mod paths;
pub mod progress;
pub mod queue;
pub mod record;
pub mod report;
pub mod runner;
pub mod session;
pub mod text;
pub mod ui;
