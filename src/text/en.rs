// The English table: one line per user-facing string, `{name}` for what the code fills in.
// Grouped by where the string shows.
table! {
    // ── keys: the help overlay's lines, and the footer's words ──
    KeyActions => "run the lesson's actions (see the footer)",
    KeyLessons => "previous / next lesson",
    KeyLessonsShort => "lesson",
    KeySections => "next / previous section: Idea, Python, Rust, Check",
    KeySectionsShort => "section",
    KeyScroll => "scroll the lesson text",
    KeyPause => "pause / resume the view (the lab goes on)",
    KeyPauseShort => "pause",
    KeyZoom => "zoom the time axis in / out",
    KeyZoomShort => "zoom",
    KeyTable => "timeline / job table (ids, status, threads, waits)",
    KeyRestart => "restart the lab (work in flight ends as its pools decide)",
    KeyHelp => "this help (any key closes it)",
    KeyHelpShort => "help",
    KeyQuit => "quit",
    KeyQuitShort => "quit",

    // ── notices in the footer ──
    NoticeNoAction => "no action on key {key} in this lesson",
    NoticeStarting => "[{key}] {label}: a fresh lab, {baseline} of quiet, then the jobs …",
    NoticeRunning => "[{key}] {label} …",
    NoticeAlreadyRunning => "[{key}] is running: its check comes when it ends",
    NoticeAlreadyQueued => "[{key}] is queued already",
    NoticeQueued => "[{key}] waits for [{running}] to end: each action runs on a fresh lab of its own",
    NoticeChecked => "[{key}] {label}: {passed}/{total} expectations held",
    NoticeCancelled => "[{key}] cancelled: {why}",
    CancelledByRestart => "the lab was restarted (r)",
    NoticeSkipped => "skipped {first}{more}",
    NoticeSkippedMore => " (and {n} more: press ?)",
}
