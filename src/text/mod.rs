//! Every user-facing string of the TUI and the command line, in one table.
//!
//! Code names a string by its key ([`T`]) and fills its `{placeholders}` with [`T::fill`]; the
//! table below gives each key its English text. Another language is another table over the
//! same keys (a test checks that every key has a text, and that fills match placeholders).
//! Lesson texts live in the lesson files, not here.
use std::fmt::Display;

macro_rules! table {
    ($( $(#[$doc:meta])* $key:ident => $en:expr, )*) => {
        /// A user-facing string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum T {
            $( $(#[$doc])* $key, )*
        }

        impl T {
            pub const ALL: &'static [T] = &[ $( T::$key, )* ];

            /// The English text.
            pub fn en(self) -> &'static str {
                match self {
                    $( T::$key => $en, )*
                }
            }
        }
    };
}

include!("en.rs");

impl T {
    /// The text in the language chosen (English, for now).
    pub fn text(self) -> &'static str {
        self.en()
    }

    /// The text with each `{name}` replaced by its value.
    pub fn fill(self, values: &[(&str, &dyn Display)]) -> String {
        fill(self.text(), values)
    }
}

impl Display for T {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// `template` with each `{name}` replaced by its value; an unknown name is left as it is.
pub fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&v.to_string()),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{names}` a template asks for.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_an_english_text() {
        for t in T::ALL {
            assert!(!t.en().trim().is_empty(), "{t:?} has no text");
            for name in placeholders(t.en()) {
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{t:?}: bad placeholder {{{name}}}"
                );
            }
        }
    }

    #[test]
    fn fill_replaces_known_names_and_keeps_the_rest() {
        assert_eq!(
            fill("lesson {n}/{of} {x}", &[("n", &3), ("of", &"17")]),
            "lesson 3/17 {x}"
        );
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { end", &[]), "open { end");
    }
}
