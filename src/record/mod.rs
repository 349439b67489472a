//! Session recordings: everything that entered the app during a TUI session (terminal events,
//! sample batches, lab starts, progress saves, its steps), each with its session time, as
//! versioned JSON Lines (`docs/session-format.md`). Fed again to a fresh app at the same times
//! they give the same screens: the app is a function of these inputs (see `ui::replay`).
pub mod format;
pub mod reader;
pub mod writer;

pub use format::{Entry, Header, Input, Line, Start};
pub use reader::{ReadError, Recording, read};
pub use writer::Writer;
