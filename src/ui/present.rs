//! Presenter mode: a lesson as steps for a projector — the idea, the prediction's question, one
//! step per action (next on it runs the action, as its digit would), and the reveal. Pure state;
//! the app moves it with keys and turns a Run step's "next" into an action press.
//!
//! One reveal after the last run, not one per action: a lesson's actions are made to be
//! compared (inline against offloaded, one pool size against another), so the room predicts
//! once, watches every run, and sees the verdicts side by side.
use crate::lesson::Lesson;

/// One step of a lesson on the projector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Idea,
    /// The prediction's question only.
    Predict,
    /// The action on this key: shown, then run by "next".
    Run(char),
    /// Verdicts, measured values, charts, takeaway.
    Reveal,
}

/// The steps of `lesson`, in order.
pub fn steps(lesson: &Lesson) -> Vec<Step> {
    let mut steps = vec![Step::Idea, Step::Predict];
    steps.extend(lesson.actions.iter().map(|a| Step::Run(a.key)));
    steps.push(Step::Reveal);
    steps
}

/// Where the presenter is within the current lesson.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Presenter {
    /// Index into [`steps`] of the current lesson.
    pub step: usize,
    /// The current Run step's action was started from it (the next "next" moves on).
    pub started: bool,
}

/// A pane shown on the whole body (`z` cycles, `Z` / Esc returns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// The lesson text (in presenter mode, the step).
    Lesson,
    Lag,
    Pools,
    Timeline,
}

impl Pane {
    /// The next zoom of the cycle: lesson → lag → pools → timeline → none.
    pub fn cycle(zoom: Option<Pane>) -> Option<Pane> {
        match zoom {
            None => Some(Pane::Lesson),
            Some(Pane::Lesson) => Some(Pane::Lag),
            Some(Pane::Lag) => Some(Pane::Pools),
            Some(Pane::Pools) => Some(Pane::Timeline),
            Some(Pane::Timeline) => None,
        }
    }
}
