//! The language blocklab speaks: chosen by `--lang`, else by the locale, switched live by a key.
//!
//! One process-wide choice, read by every [`super::T`] lookup and lesson text. A thread can
//! speak another language for a while ([`Lang::scoped`]): the tests render the same screen in
//! three languages side by side without racing on the process-wide choice.
use std::cell::Cell;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lang {
    #[default]
    En,
    /// Traditional Chinese as written in Taiwan.
    ZhTw,
    /// Simplified Chinese as written in mainland China.
    ZhCn,
}

static CHOSEN: AtomicU8 = AtomicU8::new(0);

thread_local! {
    static SCOPED: Cell<Option<Lang>> = const { Cell::new(None) };
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::ZhTw, Lang::ZhCn];

    /// The tag used on the command line, in lesson files and in reports.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's name in itself (the header, the help).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhTw => "繁體中文",
            Lang::ZhCn => "简体中文",
        }
    }

    /// The language every lookup uses now.
    pub fn current() -> Lang {
        SCOPED
            .with(Cell::get)
            .unwrap_or_else(|| Lang::from_index(CHOSEN.load(Ordering::Relaxed)))
    }

    /// Chooses the language for the whole process.
    pub fn set(self) {
        CHOSEN.store(self as u8, Ordering::Relaxed);
    }

    /// Runs `f` with this thread speaking `self`.
    pub fn scoped<R>(self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Lang>);
        impl Drop for Restore {
            fn drop(&mut self) {
                SCOPED.with(|s| s.set(self.0));
            }
        }
        let _restore = Restore(SCOPED.with(|s| s.replace(Some(self))));
        f()
    }

    /// The next language, for the key that cycles through them.
    pub fn next(self) -> Lang {
        Lang::ALL[(self as usize + 1) % Lang::ALL.len()]
    }

    fn from_index(i: u8) -> Lang {
        Lang::ALL.get(usize::from(i)).copied().unwrap_or_default()
    }

    /// The language a POSIX locale asks for (`zh_TW.UTF-8`, `zh_CN`, `en_US.UTF-8`, `C`): Taiwan
    /// and Hong Kong read Traditional, mainland China and Singapore Simplified; a bare `zh` names
    /// no script, so it is not guessed. `None` for any other locale.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let name = locale.split(['.', '@']).next().unwrap_or("");
        let mut parts = name.split(['_', '-']);
        let language = parts.next()?.to_ascii_lowercase();
        let region = parts.next().unwrap_or("").to_ascii_uppercase();
        match (language.as_str(), region.as_str()) {
            ("zh", "TW" | "HK" | "MO") => Some(Lang::ZhTw),
            ("zh", "CN" | "SG") => Some(Lang::ZhCn),
            ("zh", "HANT") => Some(Lang::ZhTw),
            ("zh", "HANS") => Some(Lang::ZhCn),
            ("en", _) => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of the environment: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is
    /// set (as POSIX orders them), English when it names another language or none.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| get(k).filter(|v| !v.is_empty()))
            .map(|v| Lang::from_locale(&v).unwrap_or(Lang::En))
            .next()
            .unwrap_or(Lang::En)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    /// `en`, `zh-TW`, `zh-CN` (any case, `_` for `-`).
    fn from_str(s: &str) -> Result<Lang, String> {
        let wanted = s.replace('_', "-");
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| {
                super::T::UnknownWord.fill(&[
                    ("what", &super::T::WordLanguage),
                    ("value", &s),
                    ("allowed", &"en, zh-TW, zh-CN"),
                ])
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_choose_by_region() {
        let cases = [
            ("zh_TW.UTF-8", Some(Lang::ZhTw)),
            ("zh_HK.UTF-8", Some(Lang::ZhTw)),
            ("zh_CN.UTF-8", Some(Lang::ZhCn)),
            ("zh_SG", Some(Lang::ZhCn)),
            ("en_US.UTF-8", Some(Lang::En)),
            ("zh", None),
            ("fr_FR.UTF-8", None),
            ("C", None),
        ];
        for (locale, lang) in cases {
            assert_eq!(Lang::from_locale(locale), lang, "{locale}");
        }
    }

    #[test]
    fn the_first_locale_variable_set_wins() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_env(env(&[("LANG", "zh_TW.UTF-8")])), Lang::ZhTw);
        let both = env(&[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "zh_TW.UTF-8")]);
        assert_eq!(Lang::from_env(both), Lang::ZhCn);
        // LC_ALL=C means "no translation", not "ask LANG".
        let c = env(&[("LC_ALL", "C"), ("LANG", "zh_TW.UTF-8")]);
        assert_eq!(Lang::from_env(c), Lang::En);
        assert_eq!(Lang::from_env(env(&[])), Lang::En);
    }

    #[test]
    fn codes_parse_back_and_bad_ones_say_what_is_allowed() {
        for l in Lang::ALL {
            assert_eq!(l.code().parse::<Lang>(), Ok(l));
        }
        assert_eq!("zh_tw".parse::<Lang>(), Ok(Lang::ZhTw));
        let err = "fr".parse::<Lang>().unwrap_err();
        assert!(err.contains("zh-TW") && err.contains("fr"), "{err}");
    }

    #[test]
    fn a_scoped_language_is_this_threads_only() {
        Lang::ZhCn.scoped(|| {
            assert_eq!(Lang::current(), Lang::ZhCn);
            let other = std::thread::spawn(Lang::current).join().unwrap();
            assert_ne!(other, Lang::ZhCn);
        });
    }
}
