//! blocklab without a terminal: `blocklab run` (one experiment) and `blocklab check` (every
//! expectation of the lessons). Both run through the same experiment runner as a key press in
//! the TUI, and print from the same model the TUI draws.
pub mod calibrate;
pub mod check;
pub mod cpu;
pub mod overhead;
pub mod serve;

use crate::clock::Clock;
use crate::model::Model;
use crate::report::Report;
use crate::runner::{self, Plan};
use crate::session::Labs;

/// Runs one experiment to its end on real labs; returns the report and the model it was built
/// from. The labs serve HTTP on a free loopback port, as the TUI's do.
pub fn run(plan: Plan) -> std::io::Result<(Report, Model)> {
    let mut labs = Labs::on_loopback(Clock::start());
    let mut model = Model::new();
    let report = runner::drive(plan, 1, &mut labs, &mut model)?;
    Ok((report, model))
}
