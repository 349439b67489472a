//! A lesson's prediction choices (`[[choice]]`): each an answer the learner may pick before
//! running, with the claims under which the measurement supports it — written, and checked, as
//! expectations of one action.
use super::expect::{Facts, Given, Verdict};
use super::{Action, Expect, Localized};
use crate::data::LabConfig;
use crate::report::Report;

#[derive(Clone, Debug)]
pub struct Choice {
    pub text: Localized,
    /// The action whose last run decides it.
    pub action: char,
    /// All must hold on that run for the measurement to support this choice.
    pub holds: Vec<Expect>,
}

/// The keys that pick a choice, in order: the first choice is `a`.
pub const KEYS: [char; 4] = ['a', 'b', 'c', 'd'];

/// The most choices a lesson may offer (one key each).
pub const MAX: usize = KEYS.len();

impl Choice {
    /// Its conditions checked on a run of its action.
    pub fn verdicts(&self, action: &Action, lab: &LabConfig, report: &Report) -> Vec<Verdict> {
        let facts = Facts::of(report, Given::of(action, lab));
        self.holds.iter().map(|e| e.check(&facts)).collect()
    }
}

/// Whether the verdicts support a choice: every condition measured and held. A condition this
/// build cannot measure supports nothing (a skip is not evidence).
pub fn supports(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| v.pass && !v.skipped)
}

/// What the measurement says of a lesson's choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Exactly this one is supported: the lesson's answer.
    One(usize),
    None,
    /// More than one: the conditions do not tell the choices apart.
    Many(Vec<usize>),
}

impl Answer {
    /// From each choice's verdicts, in order.
    pub fn of(verdicts: &[Vec<Verdict>]) -> Answer {
        let supported: Vec<usize> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, v)| supports(v))
            .map(|(i, _)| i)
            .collect();
        match supported.as_slice() {
            [] => Answer::None,
            [one] => Answer::One(*one),
            _ => Answer::Many(supported),
        }
    }

    pub fn supported(&self) -> Vec<usize> {
        match self {
            Answer::One(i) => vec![*i],
            Answer::None => Vec::new(),
            Answer::Many(v) => v.clone(),
        }
    }
}

/// `a`, `b`, … for a choice's index.
pub fn letter(i: usize) -> char {
    KEYS.get(i).copied().unwrap_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pass: bool, skipped: bool) -> Verdict {
        Verdict {
            measured: String::new(),
            value: None,
            pass,
            skipped,
        }
    }

    #[test]
    fn the_answer_is_the_one_choice_whose_conditions_all_held() {
        let (yes, no, skip) = (v(true, false), v(false, false), v(true, true));
        let one = [
            vec![yes.clone(), no.clone()],
            vec![yes.clone()],
            vec![no.clone()],
        ];
        assert_eq!(Answer::of(&one), Answer::One(1));
        let none = [vec![no.clone()], vec![skip.clone()]];
        assert_eq!(Answer::of(&none), Answer::None, "a skip supports nothing");
        let many = [vec![yes.clone()], vec![no], vec![yes]];
        assert_eq!(Answer::of(&many), Answer::Many(vec![0, 2]));
        assert_eq!(letter(2), 'c');
    }
}
