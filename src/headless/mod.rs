//! blocklab without a terminal: `blocklab run` (one experiment) and `blocklab check` (every
//! expectation of the lessons). Both print from the same model the TUI draws.
pub mod check;
pub mod experiment;

pub use experiment::Experiment;
