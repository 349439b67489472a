//! A lesson text in each language its file gives.
use crate::text::Lang;

/// One text (a title, an idea, a label) in up to three languages. The file's own language is
/// always there; a language the file lacks falls back to English, then to the file's language,
/// so a screen always has words — and `blocklab validate` counts what fell back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Localized([Option<String>; 3]);

impl Localized {
    pub fn new(lang: Lang, text: String) -> Localized {
        let mut l = Localized::default();
        l.set(lang, text);
        l
    }

    pub fn set(&mut self, lang: Lang, text: String) {
        self.0[lang as usize] = Some(text);
    }

    /// The text in the language chosen now.
    pub fn get(&self) -> &str {
        self.in_lang(Lang::current())
    }

    pub fn in_lang(&self, lang: Lang) -> &str {
        self.0[lang as usize]
            .as_deref()
            .or(self.0[Lang::En as usize].as_deref())
            .or_else(|| self.0.iter().flatten().next().map(String::as_str))
            .unwrap_or("")
    }

    /// Whether the file gives this text in `lang` (no fallback).
    pub fn has(&self, lang: Lang) -> bool {
        self.0[lang as usize].is_some()
    }
}

/// In the language chosen now.
impl std::fmt::Display for Localized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_language_falls_back_to_english_then_to_the_files_own() {
        let mut l = Localized::new(Lang::ZhTw, "事件迴圈".into());
        assert_eq!(l.in_lang(Lang::ZhCn), "事件迴圈");
        l.set(Lang::En, "event loop".into());
        assert_eq!(l.in_lang(Lang::ZhCn), "event loop");
        assert_eq!(l.in_lang(Lang::ZhTw), "事件迴圈");
        assert!(!l.has(Lang::ZhCn));
    }
}
