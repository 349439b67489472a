//! Build script: makes the code on screen the code that runs.
//!
//! * Snippets: every region of `src/` between `// snippet:start NAME` and `// snippet:end NAME`
//!   becomes an entry of `SNIPPETS` (name, file, first line, text), so a lesson shows the real
//!   source of the strategy it teaches.
//! * Compile-fail cases: each `tests/compile-fail/cases/NAME.rs` becomes the snippet
//!   `compile-fail-NAME`, and the compiler's words beside it (`NAME.stderr`, which the case's
//!   test compares with rustc's output) the snippet `compile-fail-NAME-error`.
//! * Lessons: every `lessons/*.toml` is embedded, so the binary runs from any directory. They are
//!   still parsed at run time, so a broken file gets a clear `file:line` error.
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=tests/compile-fail/cases");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let mut files = Vec::new();
    collect(&root.join("src"), "rs", &mut files);
    files.sort();
    let mut snippets = String::from("pub static SNIPPETS: &[Snippet] = &[\n");
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = fs::read_to_string(file).unwrap();
        for s in extract(&text, &rel) {
            writeln!(
                snippets,
                "    Snippet {{ name: {:?}, file: {:?}, line: {}, code: {:?} }},",
                s.0, rel, s.1, s.2
            )
            .unwrap();
        }
    }
    let mut cases = Vec::new();
    collect(&root.join("tests/compile-fail/cases"), "rs", &mut cases);
    cases.sort();
    for case in &cases {
        let stem = case
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('_', "-");
        let stderr = case.with_extension("stderr");
        for (name, path) in [
            (format!("compile-fail-{stem}"), case.clone()),
            (format!("compile-fail-{stem}-error"), stderr),
        ] {
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let code = fs::read_to_string(&path).unwrap_or_default();
            writeln!(
                snippets,
                "    Snippet {{ name: {name:?}, file: {rel:?}, line: 1, code: {:?} }},",
                code.trim_end()
            )
            .unwrap();
        }
    }
    snippets.push_str("];\n");
    fs::write(out.join("snippets.rs"), snippets).unwrap();

    let mut lessons = Vec::new();
    collect(&root.join("lessons"), "toml", &mut lessons);
    lessons.sort();
    let mut embedded = String::from("pub static LESSON_FILES: &[(&str, &str)] = &[\n");
    for file in &lessons {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            embedded,
            "    ({rel:?}, include_str!({:?})),",
            file.to_string_lossy()
        )
        .unwrap();
    }
    embedded.push_str("];\n");
    fs::write(out.join("lessons.rs"), embedded).unwrap();
}

fn collect(dir: &Path, ext: &str, into: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, ext, into);
        } else if path.extension().is_some_and(|e| e == ext) {
            into.push(path);
        }
    }
}

/// Returns (name, first line of code, code with common indentation removed).
fn extract(text: &str, file: &str) -> Vec<(String, usize, String)> {
    let mut found = Vec::new();
    let mut open: Option<(String, usize, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("// snippet:start ") {
            assert!(open.is_none(), "{file}:{}: nested snippet", i + 1);
            open = Some((name.trim().to_string(), i + 2, Vec::new()));
        } else if let Some(name) = t.strip_prefix("// snippet:end ") {
            let (start_name, first, lines) = open
                .take()
                .unwrap_or_else(|| panic!("{file}:{}: snippet:end without start", i + 1));
            assert_eq!(
                start_name,
                name.trim(),
                "{file}:{}: snippet names differ",
                i + 1
            );
            found.push((start_name, first, dedent(&lines)));
        } else if let Some((_, _, lines)) = open.as_mut() {
            lines.push(line);
        }
    }
    assert!(open.is_none(), "{file}: snippet not closed");
    found
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect();
    body.join("\n")
}
