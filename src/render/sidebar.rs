//! The launcher sidebar: every app of the session with a state glyph and colour, its name, a
//! bell mark, CPU, memory, uptime, restart count and the title the app set, two rows per app.
//! Pure drawing from plain data, and when what it shows next changes with time alone
//! ([`next_change`]), so a client is redrawn then and not before: uptime counts seconds only in
//! the first minute, then minutes.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::config::theme::Theme;

/// An app's state as the sidebar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Starting,
    Running,
    Stopping,
    Exited(i32),
    Signaled(i32),
    /// Waiting to restart; the time left.
    Waiting(Duration),
    Errored,
    Stopped,
    /// Waiting for its dependencies (what for is the item's `note`).
    Pending,
    /// Held by a dependency that cannot meet its condition.
    Blocked,
    /// Running, and its readiness probe passed.
    Ready,
    /// Running, but its readiness probe gave up.
    NotReady,
    /// Its health probe failed; it is being restarted.
    Unhealthy,
}

impl Status {
    /// The glyph, and its style in the theme (the default theme: green for up, yellow for
    /// transitions, red for failures, grey for off).
    pub fn glyph(self, theme: &Theme) -> (&'static str, Style) {
        let s = &theme.state;
        match self {
            Status::Starting => ("◐", s.starting),
            Status::Running => ("●", s.running),
            Status::Stopping => ("◑", s.stopping),
            Status::Exited(0) => ("✓", s.exited_ok),
            Status::Exited(_) => ("✗", s.exited_error),
            Status::Signaled(_) => ("⊘", s.signaled),
            Status::Waiting(_) => ("↻", s.waiting),
            Status::Errored => ("✖", s.errored),
            Status::Stopped => ("■", s.stopped),
            Status::Pending => ("⧗", s.pending),
            Status::Blocked => ("⧗", s.unhealthy),
            Status::Ready => ("●", s.ready),
            Status::NotReady => ("◐", s.unhealthy),
            Status::Unhealthy => ("♥", s.unhealthy),
        }
    }

    pub fn text(self) -> String {
        match self {
            Status::Starting => "starting".into(),
            Status::Running => "running".into(),
            Status::Stopping => "stopping".into(),
            Status::Exited(c) => format!("exited {c}"),
            Status::Signaled(s) => crate::pane::process::signal_name(s),
            Status::Waiting(d) => format!("restart in {}", short_duration(d)),
            Status::Errored => "errored".into(),
            Status::Stopped => "stopped".into(),
            Status::Pending => "waiting".into(),
            Status::Blocked => "blocked".into(),
            Status::Ready => "ready".into(),
            Status::NotReady => "not ready".into(),
            Status::Unhealthy => "unhealthy".into(),
        }
    }
}

/// One row of data per app.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: String,
    pub status: Status,
    pub cpu_percent: Option<f32>,
    pub rss_bytes: Option<u64>,
    pub uptime: Option<Duration>,
    pub restarts: u32,
    /// Bytes dropped from the log, when logging is failing.
    pub log_dropped: u64,
    /// It rang the bell while not watched.
    pub bell: bool,
    /// The title it set (OSC 0/2), already stripped of control characters.
    pub title: Option<String>,
    /// Shown first on the second row: what a waiting app waits for.
    pub note: Option<String>,
}

/// The sidebar as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Sidebar {
    pub items: Vec<Item>,
    /// Index into `items` of the selected app.
    pub selected: usize,
    /// Keyboard focus is in the sidebar.
    pub focused: bool,
    /// The name filter, when one is active.
    pub filter: Option<String>,
}

/// `1h02m`, `5m12s`, `42s`, `0.3s` — compact and readable.
pub fn short_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        // Tenths cut, not rounded, so the text changes when a countdown passes a tenth.
        0 => format!("0.{}s", d.subsec_millis() / 100),
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// Uptime as the sidebar shows it: seconds in the first minute, then minutes: `42s`, `3m`,
/// `1h02m`, `2d03h`.
pub fn uptime_text(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// How long until [`uptime_text`] of an uptime `d` changes, and how much later it may be
/// redrawn without anyone noticing: half a second while it counts seconds, a second once it
/// counts minutes. The slack is what lets the uptimes of apps started close together change in
/// one frame rather than one frame each.
fn uptime_change(d: Duration) -> (Duration, Duration) {
    let (unit, slack) = match d.as_secs() {
        s if s < 60 => (1_000, 500),
        s if s < 86_400 => (60_000, 1_000),
        _ => (3_600_000, 1_000),
    };
    let unit = Duration::from_millis(unit).as_nanos();
    let left = unit - d.as_nanos() % unit;
    (
        Duration::from_nanos(u64::try_from(left).unwrap_or(u64::MAX)),
        Duration::from_millis(slack),
    )
}

/// How long until [`short_duration`] of a countdown at `d` changes (just past the boundary;
/// tenths of a second in the last one).
fn countdown_change(d: Duration) -> Duration {
    let unit: u64 = match d.as_secs() {
        0 => 100_000_000,
        s if s < 3600 => 1_000_000_000,
        s if s < 86_400 => 60_000_000_000,
        _ => 3_600_000_000_000,
    };
    let left = u64::try_from(d.as_nanos() % u128::from(unit)).unwrap_or(0);
    Duration::from_nanos(left) + Duration::from_millis(1)
}

/// When what `items` show next changes with time alone (uptimes, restart countdowns), from now;
/// `None` when nothing shown counts time.
pub fn next_change(items: &[Item]) -> Option<Duration> {
    let uptimes = items.iter().filter_map(|i| i.uptime).map(|u| {
        let (left, slack) = uptime_change(u);
        left + slack
    });
    let countdowns = items.iter().filter_map(|i| match i.status {
        Status::Waiting(d) => Some(countdown_change(d)),
        _ => None,
    });
    uptimes.chain(countdowns).min()
}

/// Draws the sidebar into `area`; the border sits on the side facing the panes (`border_right`).
pub fn draw(buf: &mut Buffer, area: Rect, sb: &Sidebar, border_right: bool, theme: &Theme) {
    if area.width < 3 || area.height == 0 {
        return;
    }
    let border_x = if border_right {
        area.right() - 1
    } else {
        area.x
    };
    buf.set_style(area, theme.sidebar.base);
    for y in area.top()..area.bottom() {
        buf[(border_x, y)]
            .set_symbol("│")
            .set_style(theme.sidebar.border);
    }
    let inner = Rect {
        x: if border_right { area.x } else { area.x + 1 },
        width: area.width - 1,
        ..area
    };
    let running = sb
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                Status::Running | Status::Starting | Status::Ready | Status::NotReady
            )
        })
        .count();
    let header = match &sb.filter {
        Some(f) => format!(" /{f}"),
        None => format!(" Apps {running}/{}", sb.items.len()),
    };
    let head_style = theme.sidebar.header;
    buf.set_stringn(inner.x, inner.y, &header, inner.width as usize, head_style);
    let mut y = inner.y + 1;
    for (i, item) in sb.items.iter().enumerate() {
        if y >= inner.bottom() {
            break;
        }
        draw_item(buf, inner, y, item, (i == sb.selected, sb.focused), theme);
        y += 2;
    }
    if sb.items.is_empty() && inner.height > 1 {
        let hint = if sb.filter.is_some() {
            " no match"
        } else {
            " no apps"
        };
        buf.set_stringn(
            inner.x,
            inner.y + 1,
            hint,
            inner.width as usize,
            theme.sidebar.dim,
        );
    }
}

fn draw_item(buf: &mut Buffer, inner: Rect, y: u16, item: &Item, sel: (bool, bool), theme: &Theme) {
    let (selected, focused) = sel;
    let w = inner.width as usize;
    let (glyph, glyph_style) = item.status.glyph(theme);
    let line_style = match (selected, focused) {
        (true, true) => theme.sidebar.selected,
        (true, false) => theme.sidebar.selected_unfocused,
        _ => theme.sidebar.base,
    };
    for row in [y, y + 1] {
        if row < inner.bottom() {
            buf.set_style(Rect::new(inner.x, row, inner.width, 1), line_style);
        }
    }
    let marker = if selected { "▶" } else { " " };
    buf.set_stringn(inner.x, y, marker, w, line_style);
    buf.set_stringn(
        inner.x + 1,
        y,
        glyph,
        w.saturating_sub(1),
        line_style.patch(glyph_style),
    );
    // The state always shows at the right; a name too long for the rest is cut with `…`.
    let state = item.status.text();
    let state_len = state.chars().count();
    let bell = if item.bell { " !" } else { "" };
    let name_room = w.saturating_sub(3 + 1 + state_len + bell.len());
    let name = fit(&item.name, name_room.max(1));
    let (nx, _) = buf.set_stringn(inner.x + 3, y, &name, w.saturating_sub(3), line_style);
    if item.bell && nx + 2 < inner.right() {
        let bell_style = line_style.patch(theme.sidebar.warning);
        buf.set_stringn(nx, y, bell, 2, bell_style);
    }
    if w > 3 + 1 + state_len {
        let sx = inner.right() - state_len as u16;
        buf.set_stringn(sx, y, &state, state.len(), line_style.patch(glyph_style));
    }
    if y + 1 >= inner.bottom() {
        return;
    }
    let details = details(item);
    let detail_style = line_style.patch(if item.log_dropped > 0 {
        theme.sidebar.warning
    } else {
        theme.sidebar.dim
    });
    buf.set_stringn(
        inner.x + 3,
        y + 1,
        &details,
        w.saturating_sub(3),
        detail_style,
    );
}

/// `text` in at most `room` characters, its end replaced by `…` when it does not fit.
fn fit(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(room.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn details(item: &Item) -> String {
    let mut parts: Vec<String> = item.note.iter().cloned().collect();
    if let Some(c) = item.cpu_percent {
        parts.push(crate::metrics::cpu_text(c));
    }
    if let Some(r) = item.rss_bytes {
        parts.push(crate::metrics::human_bytes(r));
    }
    if let Some(u) = item.uptime {
        parts.push(uptime_text(u));
    }
    if item.restarts > 0 {
        parts.push(format!("↻{}", item.restarts));
    }
    if item.log_dropped > 0 {
        parts.push(format!(
            "⚠ log -{}",
            crate::metrics::human_bytes(item.log_dropped)
        ));
    }
    if let Some(title) = &item.title {
        parts.push(format!("· {title}"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, status: Status) -> Item {
        Item {
            name: name.into(),
            status,
            cpu_percent: Some(1.5),
            rss_bytes: Some(12 * 1024 * 1024),
            uptime: Some(Duration::from_secs(312)),
            restarts: 2,
            log_dropped: 0,
            bell: false,
            title: None,
            note: None,
        }
    }

    use crate::render::buffer_text as text;

    #[test]
    fn every_state_renders() {
        let mut items = vec![
            item("web", Status::Running),
            item("api", Status::Starting),
            item("db", Status::Stopping),
            item("migrate", Status::Exited(0)),
            item("worker", Status::Exited(3)),
            item("cron", Status::Signaled(9)),
            item("queue", Status::Waiting(Duration::from_millis(2500))),
            item("flaky", Status::Errored),
            item("docs", Status::Stopped),
        ];
        items[4].log_dropped = 4096;
        for it in &mut items[3..] {
            it.cpu_percent = None;
            it.rss_bytes = None;
            it.uptime = None;
        }
        let sb = Sidebar {
            items,
            selected: 1,
            focused: true,
            filter: None,
        };
        let area = Rect::new(0, 0, 28, 20);
        let mut buf = Buffer::empty(area);
        draw(&mut buf, area, &sb, true, &Theme::default());
        insta::assert_snapshot!(text(&buf));
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let sb = Sidebar {
            items: vec![item("a-very-long-application-name", Status::Running)],
            selected: 0,
            focused: false,
            filter: Some("zz".into()),
        };
        for (w, h) in [(0, 0), (1, 1), (3, 1), (5, 2), (80, 1)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            draw(&mut buf, area, &sb, false, &Theme::default());
        }
    }

    #[test]
    fn a_long_name_is_cut_and_the_state_still_shows() {
        let long = "a-very-long-application-name-indeed";
        let sb = Sidebar {
            items: vec![
                item(long, Status::Running),
                item(long, Status::Waiting(Duration::from_millis(2500))),
                item("sixteen-chars-ok", Status::Stopped),
            ],
            selected: 0,
            focused: false,
            filter: None,
        };
        let area = Rect::new(0, 0, 28, 7);
        let mut buf = Buffer::empty(area);
        draw(&mut buf, area, &sb, true, &Theme::default());
        let text = text(&buf);
        let rows: Vec<&str> = text.lines().collect();
        assert!(rows[1].ends_with("running│"), "{text}");
        assert!(rows[1].contains("a-very-long-app…"), "{text}");
        assert!(rows[3].ends_with("restart in 2s│"), "{text}");
        assert!(rows[5].ends_with("■ sixteen-chars-ok stopped│"), "{text}");
    }

    #[test]
    fn uptime_counts_seconds_then_minutes() {
        let t = |s| uptime_text(Duration::from_secs(s));
        assert_eq!(uptime_text(Duration::from_millis(300)), "0s");
        assert_eq!(t(59), "59s");
        assert_eq!(t(60), "1m");
        assert_eq!(t(312), "5m");
        assert_eq!(t(3599), "59m");
        assert_eq!(t(3720), "1h02m");
        assert_eq!(t(90_000), "1d01h");
    }

    #[test]
    fn the_next_redraw_is_when_the_shown_text_changes() {
        let ms = Duration::from_millis;
        // In the first minute, at the next whole second, with half a second's slack.
        assert_eq!(uptime_change(ms(41_300)), (ms(700), ms(500)));
        // Past it, at the next whole minute, with a second's slack.
        assert_eq!(
            uptime_change(ms(312_500)),
            (ms(47_500), Duration::from_secs(1))
        );
        // The text really is the same until then, and changes after.
        for start in [
            ms(500),
            ms(59_999),
            ms(61_000),
            ms(3_599_000),
            ms(86_399_500),
        ] {
            let (left, _) = uptime_change(start);
            assert_eq!(
                uptime_text(start + left - ms(1)),
                uptime_text(start),
                "{start:?}"
            );
            assert_ne!(uptime_text(start + left), uptime_text(start), "{start:?}");
        }
        for left in [ms(300), ms(1500), ms(2500), ms(42_000)] {
            let step = countdown_change(left);
            assert!(step <= ms(1001), "{left:?}: {step:?}");
            assert_ne!(
                short_duration(left - step),
                short_duration(left),
                "{left:?}"
            );
        }
    }

    #[test]
    fn nothing_that_counts_time_means_no_redraw() {
        let mut still = item("web", Status::Stopped);
        still.uptime = None;
        assert_eq!(next_change(&[still.clone()]), None);
        let mut up = item("api", Status::Running);
        up.uptime = Some(Duration::from_secs(600));
        // 600 s is a whole minute: the next change is a minute away, drawn a second late.
        assert_eq!(next_change(&[still, up]), Some(Duration::from_secs(61)));
    }

    #[test]
    fn durations_are_compact() {
        assert_eq!(short_duration(Duration::from_millis(300)), "0.3s");
        assert_eq!(short_duration(Duration::from_secs(42)), "42s");
        assert_eq!(short_duration(Duration::from_secs(312)), "5m12s");
        assert_eq!(short_duration(Duration::from_secs(3720)), "1h02m");
    }
}
