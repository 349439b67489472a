//! Every style in one place. Colour carries meaning: red holds or stalls the loop, green runs
//! elsewhere, yellow waits, cyan awaits.
use ratatui::style::{Color, Modifier, Style};

pub const TITLE: Style = Style::new().add_modifier(Modifier::BOLD);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const LABEL: Style = Style::new().fg(Color::Gray);
pub const KEY: Style = Style::new().fg(Color::Black).bg(Color::Cyan);
pub const LAG_OK: Style = Style::new().fg(Color::Green);
pub const STALL: Style = Style::new().fg(Color::Red);
pub const STALL_LIVE: Style = Style::new()
    .fg(Color::LightRed)
    .add_modifier(Modifier::BOLD);
pub const STALL_LABEL: Style = Style::new().fg(Color::White).bg(Color::Red);
/// Requests queueing behind many short polls.
pub const SATURATED: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
/// A block of the loop shorter than a stall.
pub const BLOCK_LABEL: Style = Style::new().fg(Color::Black).bg(Color::Yellow);
pub const HOLDS_LOOP: Style = Style::new().fg(Color::Red);
pub const ON_POOL: Style = Style::new().fg(Color::Green);
pub const AWAITING: Style = Style::new().fg(Color::Cyan);
pub const WAITING: Style = Style::new().fg(Color::Yellow);
pub const PASS: Style = Style::new().fg(Color::Green);
pub const FAIL: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const CODE: Style = Style::new().fg(Color::LightYellow);
pub const HEADING: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
/// The background traffic resting: not a fault, but not what the lessons' figures assume.
pub const RESTING: Style = Style::new().fg(Color::Yellow);
pub const PAUSED: Style = Style::new().fg(Color::Black).bg(Color::Yellow);

/// What the terminal's own colours (`Color::Reset`) stand for in a saved screen (`e`): a dark
/// terminal, which the colours above are chosen for.
pub const SCREEN_FG: Color = Color::Rgb(0xe5, 0xe5, 0xe5);
pub const SCREEN_BG: Color = Color::Rgb(0x12, 0x12, 0x12);

/// A bordered pane `width` wide with `title` on the left (a space either side) and, on the
/// right, the first of `candidates` that fits beside it (or nothing: titles must never
/// overwrite each other).
pub fn pane(
    width: u16,
    title: &str,
    candidates: Vec<ratatui::text::Line<'static>>,
) -> ratatui::widgets::Block<'static> {
    let title = format!(" {title} ");
    let room = usize::from(width).saturating_sub(super::wrap::width(&title) + 4);
    let right = candidates
        .into_iter()
        .find(|c| c.width() <= room)
        .unwrap_or_default()
        .right_aligned();
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .title(ratatui::text::Span::styled(title, TITLE))
        .title(right)
}
