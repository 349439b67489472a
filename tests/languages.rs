//! Three languages, complete and each in its own script and usage: every UI string and every
//! built-in lesson text in en, zh-TW and zh-CN; the same `${…}` figures and `{…}` placeholders
//! in each; no Simplified character in zh-TW nor Traditional one in zh-CN; and no term of the
//! other region (the mark of a text converted rather than written: lessons/GLOSSARY.md).
use std::collections::BTreeSet;

use blocklab::lesson::{self, Part};
use blocklab::text::{Lang, T, placeholders};

const CHINESE: [Lang; 2] = [Lang::ZhTw, Lang::ZhCn];

/// The table's characters (below its one-line header).
fn table(text: &str) -> BTreeSet<char> {
    text.lines().skip(1).flat_map(str::chars).collect()
}

/// Characters `lang` must never use, and terms of the other region it must not borrow.
fn foreign(lang: Lang) -> (BTreeSet<char>, &'static [&'static str]) {
    match lang {
        Lang::ZhTw => (
            table(include_str!("script/simplified-only.txt")),
            // Mainland terms a converter would carry over in Traditional characters.
            &[
                "程序",
                "信息",
                "線程",
                "內存",
                "默認",
                "異步",
                "運行時",
                "進程",
                "並發",
            ],
        ),
        Lang::ZhCn => (
            table(include_str!("script/traditional-only.txt")),
            // Taiwan terms a converter would carry over in Simplified characters.
            &[
                "程式",
                "函式",
                "执行绪",
                "预设",
                "资讯",
                "记忆体",
                "非同步",
                "回圈",
                "伫列",
            ],
        ),
        Lang::En => (BTreeSet::new(), &[]),
    }
}

/// Every place `text` uses a character or term `lang` must not. The languages' own names
/// (繁體中文, 简体中文, as a language picker writes them) are not words of the text.
fn strays(lang: Lang, text: &str) -> Vec<String> {
    let (chars, terms) = foreign(lang);
    let text = Lang::ALL
        .iter()
        .fold(text.to_string(), |t, l| t.replace(l.name(), ""));
    let mut found: Vec<String> = text
        .chars()
        .filter(|c| chars.contains(c))
        .map(|c| c.to_string())
        .collect();
    found.extend(
        terms
            .iter()
            .filter(|t| text.contains(*t))
            .map(|t| t.to_string()),
    );
    found
}

#[test]
fn every_ui_string_is_in_every_language_with_the_same_placeholders() {
    for lang in CHINESE {
        let mut missing = Vec::new();
        for t in T::ALL {
            let Some(text) = t.translated(lang) else {
                missing.push(format!("{t:?}"));
                continue;
            };
            let want: BTreeSet<_> = placeholders(t.en()).into_iter().collect();
            let have: BTreeSet<_> = placeholders(text).into_iter().collect();
            assert_eq!(have, want, "{lang} {t:?}: {text:?}");
            assert!(!text.trim().is_empty(), "{lang} {t:?} is empty");
        }
        assert!(missing.is_empty(), "{lang} lacks {}", missing.join(", "));
    }
}

#[test]
fn every_builtin_lesson_is_complete_in_every_language() {
    let catalog = lesson::builtin();
    assert!(catalog.skipped.is_empty(), "{:?}", catalog.skipped);
    for l in &catalog.lessons {
        for lang in Lang::ALL {
            assert_eq!(
                l.missing(lang),
                Vec::<String>::new(),
                "{} in {lang}",
                l.file
            );
        }
    }
}

#[test]
fn every_translation_quotes_the_same_figures() {
    for l in &lesson::builtin().lessons {
        for part in Part::ALL {
            let en = l.part(part).in_lang(Lang::En);
            let want: BTreeSet<_> = lesson::text::fields(en).into_iter().map(|f| f.1).collect();
            for lang in CHINESE {
                let text = l.part(part).in_lang(lang);
                let have: BTreeSet<_> = lesson::text::fields(text)
                    .into_iter()
                    .map(|f| f.1)
                    .collect();
                assert_eq!(have, want, "{} {} in {lang}", l.file, part.key());
            }
        }
    }
}

#[test]
fn each_chinese_text_keeps_to_its_own_script_and_usage() {
    let readme = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for (lang, readme_file) in [
        (Lang::ZhTw, "README.zh-TW.md"),
        (Lang::ZhCn, "README.zh-CN.md"),
    ] {
        let mut bad = Vec::new();
        for t in T::ALL {
            if let Some(text) = t.translated(lang) {
                for s in strays(lang, text) {
                    bad.push(format!("UI {t:?}: {s}"));
                }
            }
        }
        for l in &lesson::builtin().lessons {
            for part in Part::ALL {
                for s in strays(lang, l.part(part).in_lang(lang)) {
                    bad.push(format!("{} {}: {s}", l.file, part.key()));
                }
            }
            for a in &l.actions {
                for s in strays(lang, a.label.in_lang(lang)) {
                    bad.push(format!("{} label {}: {s}", l.file, a.key));
                }
            }
        }
        for (i, line) in readme(readme_file).lines().enumerate() {
            for s in strays(lang, line) {
                bad.push(format!("{readme_file}:{}: {s}", i + 1));
            }
        }
        assert!(bad.is_empty(), "{lang}:\n{}", bad.join("\n"));
    }
}

#[test]
fn the_check_finds_what_it_should() {
    assert_eq!(
        strays(Lang::ZhTw, "事件循环的线程"),
        ["环", "线"].map(String::from)
    );
    assert_eq!(strays(Lang::ZhCn, "事件迴圈"), ["迴"].map(String::from));
    assert_eq!(strays(Lang::ZhTw, "這個程序"), ["程序"].map(String::from));
    assert!(strays(Lang::ZhTw, "事件迴圈的執行緒").is_empty());
    assert!(strays(Lang::ZhCn, "事件循环的线程").is_empty());
}

/// The READMEs say the same commands: every fenced block (the two commands, the command line,
/// the JSON, the layout) is the same in the three languages.
#[test]
fn the_three_readmes_show_the_same_commands() {
    let blocks = |name: &str| -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        text.split("```")
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let en = blocks("README.md");
    assert!(en.len() >= 3);
    for name in ["README.zh-TW.md", "README.zh-CN.md"] {
        assert_eq!(
            blocks(name),
            en,
            "{name}'s code blocks differ from README.md's"
        );
    }
}
