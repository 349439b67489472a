//! Speaker notes on a second terminal: the presenting blocklab publishes where it is (lesson,
//! step, the step's notes, what comes next, since when) over loopback, and `blocklab notes`
//! follows it. Plain data ([`Speaker`]) crosses the socket as versioned JSON Lines
//! (docs/notes-protocol.md).
//!
//! The presenting side ([`publish`]) runs on a thread of its own: the UI loop only swaps the
//! latest state in, so a slow or stuck reader can never slow the presenter. The following side
//! ([`follow`]) reconnects on its own; [`screen`] draws what it hears.
pub mod announce;
pub mod follow;
pub mod publish;
pub mod screen;
pub mod speaker;

pub use speaker::Speaker;
