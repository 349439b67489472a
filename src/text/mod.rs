//! Every user-facing string of the TUI and the command line, in one table per language.
//!
//! Code names a string by its key ([`T`]) and fills its `{placeholders}` with [`T::fill`]; the
//! table in `en.rs` gives each key its English text, `zh_tw.rs` and `zh_cn.rs` the same keys in
//! Traditional (Taiwan) and Simplified (mainland) Chinese. A key a table lacks falls back to
//! English (`blocklab validate` counts them; a test wants none missing). Lesson texts live in
//! the lesson files, not here.
mod lang;
pub mod width;

use std::fmt::Display;

pub use lang::Lang;

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

/// Another language's table: the same keys, each with its text; a key left out falls back to
/// English.
macro_rules! translation {
    ($name:ident; $( $key:ident => $text:expr, )*) => {
        impl T {
            pub(crate) fn $name(self) -> Option<&'static str> {
                #[allow(unreachable_patterns)]
                match self {
                    $( T::$key => Some($text), )*
                    _ => None,
                }
            }
        }
    };
}

include!("en.rs");
include!("zh_tw.rs");
include!("zh_cn.rs");

impl T {
    /// The text in `lang`, or English where that table lacks it.
    pub fn in_lang(self, lang: Lang) -> &'static str {
        self.translated(lang).unwrap_or_else(|| self.en())
    }

    /// The text in `lang` only: `None` where its table lacks the key.
    pub fn translated(self, lang: Lang) -> Option<&'static str> {
        match lang {
            Lang::En => Some(self.en()),
            Lang::ZhTw => self.zh_tw(),
            Lang::ZhCn => self.zh_cn(),
        }
    }

    /// The text in the language chosen now.
    pub fn text(self) -> &'static str {
        self.in_lang(Lang::current())
    }

    /// The text with each `{name}` replaced by its value.
    pub fn fill(self, values: &[(&str, &dyn Display)]) -> String {
        fill(self.text(), values)
    }

    /// How many keys `lang`'s table lacks.
    pub fn missing(lang: Lang) -> usize {
        T::ALL
            .iter()
            .filter(|t| t.translated(lang).is_none())
            .count()
    }
}

/// For the APIs that take `impl Into<String>` (a job's error, a notice).
impl From<T> for String {
    fn from(t: T) -> String {
        t.text().to_string()
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

    /// English sentences that stay in the code on purpose: the workloads' own help (their
    /// data, like the strategy registry's `help` lines), a key table label, font names.
    const ALLOWED: &[&str] = &[
        "a blocking sleep (stands for synchronous I/O)",
        "CPU-bound work calibrated to about N ms",
        "a non-blocking tokio::time::sleep (awaited)",
        "a blocking sleep that then fails (a panic, a crashed child)",
        "a real SQLite query (a recursive CTE) sized to about N ms",
        "a blocking wait for half of N ms, then CPU work for the other half",
        "↑ ↓ / j k, PgUp PgDn",
        // The fonts a saved screen asks for (src/ui/export/svg.rs).
        "'DejaVu Sans Mono', Menlo, Consolas, 'Noto Sans Mono CJK TC', 'Noto Sans Mono CJK SC', 'Sarasa Mono TC', 'Sarasa Mono SC', 'MS Gothic', monospace",
    ];

    /// Calls whose strings nobody reads on screen: logs and messages of bugs.
    const NOT_SHOWN: &[&str] = &["tracing::", "expect", "unreachable!", "panic!"];

    /// Looks like words for people: two words of two letters or more.
    fn reads_like_english(text: &str) -> bool {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == ':' || c == ';')
            .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        words.len() >= 2
    }

    /// The string literals of `source` that read like English and are neither logged, nor a
    /// bug's message, nor a strategy's `help` / `means`. Tests, comments, and the code the
    /// lessons show (between snippet markers, shown as it is) are left out.
    fn user_facing_literals(source: &str) -> Vec<(usize, String)> {
        let source = source
            .find("\n#[cfg(test)]\nmod tests")
            .map_or(source, |i| &source[..i]);
        let mut in_snippet = false;
        let source: Vec<&str> = source
            .lines()
            .map(|l| {
                let marker = l.trim_start().strip_prefix("// snippet:");
                in_snippet = marker.map_or(in_snippet, |m| m.starts_with("start"));
                if in_snippet { "" } else { l }
            })
            .collect();
        let chars: Vec<char> = source.join("\n").chars().collect();
        let mut found = Vec::new();
        // The code so far with literals and comments left out, and where each open `(` is.
        let mut code = String::new();
        let mut opens: Vec<usize> = Vec::new();
        let mut line = 1;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            let word_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
            if c == '/' && next == Some('/') {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            if c == '/' && next == Some('*') {
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += 2;
                continue;
            }
            let hashes = if c == 'r' && !word_before {
                chars[i + 1..].iter().take_while(|&&h| h == '#').count()
            } else {
                0
            };
            let raw = c == 'r' && !word_before && chars.get(i + 1 + hashes) == Some(&'"');
            if c == '"' || raw {
                let start_line = line;
                i += if raw { hashes + 2 } else { 1 };
                let mut text = String::new();
                while let Some(&ch) = chars.get(i) {
                    if !raw && ch == '\\' {
                        match chars.get(i + 1) {
                            Some('n') => text.push('\n'),
                            Some('t') => text.push('\t'),
                            // A line continuation: the next line's indent is not text.
                            Some('\n') => {
                                line += 1;
                                while chars.get(i + 2).is_some_and(|c| c.is_whitespace()) {
                                    line += usize::from(chars[i + 2] == '\n');
                                    i += 1;
                                }
                            }
                            Some(&other) => text.push(other),
                            None => {}
                        }
                        i += 2;
                        continue;
                    }
                    let closes =
                        ch == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#'));
                    if closes {
                        i += 1 + if raw { hashes } else { 0 };
                        break;
                    }
                    line += usize::from(ch == '\n');
                    text.push(ch);
                    i += 1;
                }
                let callers = opens.iter().map(|&at| {
                    let before = &code[..at];
                    let from = before
                        .rfind(|c: char| !(c.is_alphanumeric() || "_:!.".contains(c)))
                        .map_or(0, |p| p + 1);
                    &before[from..]
                });
                let not_shown = callers
                    .into_iter()
                    .any(|f| NOT_SHOWN.iter().any(|n| f.contains(n)));
                let field = code.trim_end();
                let registry = field.ends_with("help:") || field.ends_with("means:");
                // SQL is for SQLite, not for people.
                let sql = [
                    "CREATE ", "SELECT ", "UPDATE ", "INSERT ", "DELETE ", "PRAGMA ",
                ]
                .iter()
                .any(|k| text.trim_start().starts_with(k));
                if reads_like_english(&text)
                    && !sql
                    && !not_shown
                    && !registry
                    && !ALLOWED.contains(&text.as_str())
                {
                    found.push((start_line, text));
                }
                code.push_str("\"\"");
                continue;
            }
            if c == '\'' {
                // A char literal ('x', '\n', '\u{..}'), or a lifetime.
                let len = match (next, chars.get(i + 2)) {
                    (Some('\\'), _) => chars[i + 1..]
                        .iter()
                        .position(|&x| x == '\'')
                        .map(|p| p + 2),
                    (Some(_), Some('\'')) => Some(3),
                    _ => None,
                };
                if let Some(len) = len {
                    code.push_str("' '");
                    i += len;
                    continue;
                }
            }
            match c {
                '(' => opens.push(code.len()),
                ')' => {
                    opens.pop();
                }
                '\n' => line += 1,
                _ => {}
            }
            code.push(c);
            i += 1;
        }
        found
    }

    fn rust_files(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                into.push(path);
            }
        }
    }

    /// Every user-facing string comes from the table: a string literal in the code that reads
    /// like English is a string someone forgot to move to `en.rs`.
    #[test]
    fn no_user_facing_english_outside_the_table() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        files.sort();
        let mut stray = Vec::new();
        for file in files {
            let name = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            // The table itself, and the screens' tests.
            if name.starts_with("text/") || name == "ui/screens.rs" {
                continue;
            }
            let source = std::fs::read_to_string(&file).unwrap();
            for (line, text) in user_facing_literals(&source) {
                stray.push(format!("src/{name}:{line}: {text:?}"));
            }
        }
        assert!(
            stray.is_empty(),
            "user-facing text outside src/text/en.rs (add a key, or to ALLOWED if it is \
             data):\n{}",
            stray.join("\n")
        );
    }

    #[test]
    fn the_scan_sees_literals_and_skips_logs_bugs_and_tests() {
        let source = r##"
fn f() {
    println!("{}", "a forgotten sentence");
    let s = r#"raw "words" here"#;
    let c = '"'; let l: &'static str = "x";
    tracing::warn!(
        "a log line, {}",
        format!("not for the screen")
    );
    x.expect("a bug's message");
    // "a comment here"
    // SNIP:start demo
    job.ended(Outcome::Failed, "shown in a lesson as it is");
    // SNIP:end demo
    Info { name: "inline", help: "the registry's help" };
}
#[cfg(test)]
mod tests {
    fn t() { assert!(false, "test words here"); }
}
"##;
        // Written so: `build.rs` would take real markers here for a snippet of its own.
        let found = user_facing_literals(&source.replace("SNIP", "snippet"));
        let texts: Vec<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["a forgotten sentence", "raw \"words\" here"]);
        assert_eq!(found[0].0, 3);
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
