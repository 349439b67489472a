//! Rust snippets cut from blocklab's own source at build time (see `build.rs`): the code a
//! lesson shows is the code the lab runs.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub name: &'static str,
    /// Path from the repository root.
    pub file: &'static str,
    /// Line of the first line of code.
    pub line: usize,
    pub code: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/snippets.rs"));

pub fn find(name: &str) -> Option<&'static Snippet> {
    SNIPPETS.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_the_real_source_lines() {
        assert!(!SNIPPETS.is_empty());
        for s in SNIPPETS {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(s.file);
            let source = std::fs::read_to_string(&path).unwrap();
            let first = s.code.lines().next().unwrap().trim();
            let at = source.lines().nth(s.line - 1).unwrap().trim();
            assert_eq!(
                first, at,
                "snippet {} does not start at {}:{}",
                s.name, s.file, s.line
            );
        }
    }

    /// The compile-fail cases on screen are the files the compile-fail test compiles, and the
    /// compiler's words on screen are the `.stderr` that test compares with rustc's output.
    #[test]
    fn compile_fail_snippets_are_the_cases_and_the_compilers_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let cases: Vec<_> = SNIPPETS
            .iter()
            .filter(|s| s.name.starts_with("compile-fail-"))
            .collect();
        for s in &cases {
            let file = std::fs::read_to_string(root.join(s.file)).unwrap();
            assert_eq!(s.code, file.trim_end(), "{}", s.name);
            let expected = if s.name.ends_with("-error") {
                "stderr"
            } else {
                "rs"
            };
            assert!(s.file.ends_with(expected), "{} is {}", s.name, s.file);
        }
        assert!(
            cases.len() >= 6,
            "three cases and their errors: {}",
            cases.len()
        );
        let error = find("compile-fail-await-in-a-plain-fn-error").unwrap();
        assert!(error.code.starts_with("error[E0728]"), "{}", error.code);
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = SNIPPETS.iter().map(|s| s.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate snippet names");
    }

    #[test]
    fn the_inline_strategy_is_shown_as_it_runs() {
        let s = find("strategy-inline").unwrap();
        assert_eq!(s.file, "src/lab/strategy/inline.rs");
        assert!(s.code.contains("job.run_blocking_here()"));
    }
}
