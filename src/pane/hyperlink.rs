//! OSC 8 hyperlinks: which cells an app printed inside a link, and where each link points.
//!
//! vt100 keeps no hyperlinks, and a side table of linked cells would have to follow every
//! scroll, erase, insertion and history row the parser carries out. Instead each character
//! printed inside a link carries a *marker* in its own cell: a few Unicode tag characters,
//! which are zero columns wide, so vt100 appends them to the cell like a combining mark and
//! moves them with the cell wherever it goes (scrolling into history included). A marker is
//! a lead (U+E0004 to U+E0006, saying how many digits follow) and one to three base-95
//! digits (U+E0020 to U+E007E) naming a link in the process-wide [`Links`] table. Emoji tag
//! sequences (subdivision flags) never use those leads, so they are never mistaken for one;
//! the layer's other marks (blink, protection, VS16: `crate::pane::filter`) are U+E0001 to
//! U+E0003, and the filter drops all six from what apps print.
//!
//! The table is shared by every pane and every client's renderer, which is why it is one
//! process-wide, bounded interner instead of state threaded through every feed and render
//! call: it holds at most [`MAX_LINKS`] links and [`MAX_BYTES`] of URIs, forgetting the
//! oldest first (cells pointing at a forgotten link are drawn as plain text), and the same
//! link printed again reuses its entry.
//!
//! Text read out of a pane (capture, copy mode, search) goes through [`strip`].

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};

/// The longest URI (plus `id=` parameter) taken; a longer link is shown as plain text.
pub const MAX_URI: usize = 4096;
/// Links kept at once.
pub const MAX_LINKS: usize = 4096;
/// URI bytes kept at once.
pub const MAX_BYTES: usize = 1 << 20;

/// Ids run from 1 below this (three base-95 digits), then start over.
const ID_SPACE: u32 = 95 * 95 * 95;
/// The lead of a marker of n digits is `LEAD + n`.
const LEAD: u32 = 0xE0003;
const DIGIT: u32 = 0xE0020;

/// A link in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkId(u32);

/// Where a link points: the URI and the optional `id=` parameter that ties its pieces together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    pub id: Option<Arc<str>>,
    pub uri: Arc<str>,
}

impl Link {
    /// Parses the body of an OSC 8 string after `8;`: `params;URI`. `None` for no link: an
    /// empty URI ends one, and an invalid one (too long, control or non-ASCII bytes) shows as
    /// plain text.
    pub fn parse(body: &[u8]) -> Option<Link> {
        let sep = body.iter().position(|&b| b == b';')?;
        let (params, uri) = (&body[..sep], &body[sep + 1..]);
        let printable = |s: &[u8]| s.iter().all(|b| (0x20..0x7f).contains(b));
        if uri.is_empty() || body.len() > MAX_URI || !printable(params) || !printable(uri) {
            return None;
        }
        // Only `id=` means anything to a terminal; other parameters are dropped.
        let id = std::str::from_utf8(params)
            .ok()
            .and_then(|p| p.split(':').find_map(|kv| kv.strip_prefix("id=")))
            .filter(|id| !id.is_empty() && !id.contains(';'))
            .map(Arc::from);
        let uri = std::str::from_utf8(uri).ok()?;
        Some(Link {
            id,
            uri: Arc::from(uri),
        })
    }

    fn bytes(&self) -> usize {
        self.uri.len() + self.id.as_ref().map_or(0, |id| id.len())
    }

    /// The OSC 8 sequence that opens this link on a client's terminal.
    pub fn open(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\x1b]8;");
        if let Some(id) = &self.id {
            out.extend_from_slice(b"id=");
            out.extend_from_slice(id.as_bytes());
        }
        out.push(b';');
        out.extend_from_slice(self.uri.as_bytes());
        out.extend_from_slice(b"\x1b\\");
    }
}

/// The OSC 8 sequence that ends any link on a client's terminal.
pub const CLOSE: &[u8] = b"\x1b]8;;\x1b\\";

/// The bounded table of links in use.
#[derive(Debug, Default)]
pub struct Links {
    by_id: HashMap<u32, Link>,
    by_link: HashMap<Link, u32>,
    /// Ids, oldest first.
    order: VecDeque<u32>,
    bytes: usize,
    next: u32,
}

impl Links {
    /// The id of `link`, adding it (and forgetting the oldest beyond the bounds) if new.
    pub fn intern(&mut self, link: Link) -> LinkId {
        if let Some(&id) = self.by_link.get(&link) {
            return LinkId(id);
        }
        while !self.order.is_empty()
            && (self.order.len() >= MAX_LINKS || self.bytes + link.bytes() > MAX_BYTES)
        {
            self.forget_oldest();
        }
        let mut id = self.next;
        loop {
            id = if id + 1 >= ID_SPACE { 1 } else { id + 1 };
            if !self.by_id.contains_key(&id) {
                break;
            }
        }
        self.next = id;
        self.bytes += link.bytes();
        self.by_link.insert(link.clone(), id);
        self.by_id.insert(id, link);
        self.order.push_back(id);
        LinkId(id)
    }

    fn forget_oldest(&mut self) {
        if let Some(old) = self.order.pop_front()
            && let Some(link) = self.by_id.remove(&old)
        {
            self.bytes -= link.bytes();
            self.by_link.remove(&link);
        }
    }

    pub fn get(&self, id: LinkId) -> Option<&Link> {
        self.by_id.get(&id.0)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// The process-wide table.
pub fn links() -> std::sync::MutexGuard<'static, Links> {
    static LINKS: LazyLock<Mutex<Links>> = LazyLock::new(Mutex::default);
    // A panic while holding the lock leaves the table consistent (every change is a few
    // inserts), so a poisoned lock is taken as is.
    LINKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The marker that tags a printed character with link `id`, as UTF-8.
pub fn marker(id: LinkId) -> ([u8; 16], usize) {
    let mut digits = [0u32; 3];
    let mut n = 0;
    let mut rest = id.0;
    loop {
        digits[n] = rest % 95;
        n += 1;
        rest /= 95;
        if rest == 0 || n == 3 {
            break;
        }
    }
    let mut out = [0u8; 16];
    let mut len = 0;
    let lead = char::from_u32(LEAD + n as u32).unwrap_or('\u{E0004}');
    len += lead.encode_utf8(&mut out[len..]).len();
    for d in digits[..n].iter().rev() {
        let c = char::from_u32(DIGIT + d).unwrap_or('\u{E0020}');
        len += c.encode_utf8(&mut out[len..]).len();
    }
    (out, len)
}

/// Whether `s` may hold a marker: tag characters all start with these two bytes.
fn may_hold(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == [0xf3, 0xa0])
}

/// Finds the first whole marker in `s`: its byte range and the link it names.
fn find(s: &str) -> Option<(std::ops::Range<usize>, Option<LinkId>)> {
    if !may_hold(s) {
        return None;
    }
    let mut it = s.char_indices().peekable();
    while let Some((at, c)) = it.next() {
        let n = u32::from(c).wrapping_sub(LEAD);
        if !(1..=3).contains(&n) {
            continue;
        }
        let mut id = 0u32;
        let mut end = at + c.len_utf8();
        let mut whole = true;
        for _ in 0..n {
            match it.peek() {
                Some(&(i, d)) if (DIGIT..DIGIT + 95).contains(&u32::from(d)) => {
                    id = id * 95 + (u32::from(d) - DIGIT);
                    end = i + d.len_utf8();
                    it.next();
                }
                _ => {
                    whole = false;
                    break;
                }
            }
        }
        // A marker the cell had no room for in full names no link.
        return Some((at..end, whole.then_some(LinkId(id))));
    }
    None
}

/// A cell's text without its marker, and the link the marker names.
pub fn split(contents: &str) -> (Cow<'_, str>, Option<LinkId>) {
    match find(contents) {
        None => (Cow::Borrowed(contents), None),
        Some((range, id)) => {
            let mut text = String::with_capacity(contents.len());
            text.push_str(&contents[..range.start]);
            text.push_str(&strip(&contents[range.end..]));
            (Cow::Owned(text), id)
        }
    }
}

/// Text read out of a pane, without markers.
pub fn strip(text: &str) -> Cow<'_, str> {
    if find(text).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((range, _)) = find(rest) {
        out.push_str(&rest[..range.start]);
        rest = &rest[range.end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr as _;

    fn link(uri: &str) -> Link {
        Link::parse(format!(";{uri}").as_bytes()).unwrap()
    }

    #[test]
    fn links_parse_with_their_id_and_end_on_an_empty_uri() {
        let l = Link::parse(b"id=x1:foo=bar;https://example.com/a?b=c;d").unwrap();
        assert_eq!(l.id.as_deref(), Some("x1"));
        assert_eq!(&*l.uri, "https://example.com/a?b=c;d");
        assert_eq!(Link::parse(b";"), None);
        assert_eq!(Link::parse(b"id=1;"), None);
        assert!(Link::parse(b"no separator").is_none());
        assert!(Link::parse(b";http://x/\x07").is_none());
        assert!(Link::parse("; http://ä".as_bytes()).is_none());
        let long = format!(";http://x/{}", "a".repeat(MAX_URI));
        assert!(Link::parse(long.as_bytes()).is_none());
    }

    #[test]
    fn markers_are_zero_width_and_round_trip() {
        let mut links = Links::default();
        for n in [1, 94, 95, 9024, 9025, ID_SPACE - 1] {
            links.next = n - 1;
            let id = links.intern(link(&format!("http://x/{n}")));
            assert_eq!(id, LinkId(n));
            let (m, len) = marker(id);
            let m = std::str::from_utf8(&m[..len]).unwrap();
            assert_eq!(m.width(), 0, "{m:?}");
            let cell = format!("a{m}\u{301}");
            let (text, got) = split(&cell);
            assert_eq!(text, "a\u{301}");
            assert_eq!(got, Some(id));
            assert_eq!(strip(&format!("x{m}y{m}")), "xy");
        }
    }

    #[test]
    fn a_cut_marker_names_no_link_and_flags_are_left_alone() {
        let (m, len) = marker(LinkId(9025));
        let m = std::str::from_utf8(&m[..len]).unwrap();
        let cut: String = m.chars().take(2).collect();
        assert_eq!(split(&format!("a{cut}")), (Cow::Owned("a".into()), None));
        let england = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
        assert_eq!(split(england), (Cow::Borrowed(england), None));
    }

    #[test]
    fn the_table_is_bounded_and_reuses_links() {
        let mut links = Links::default();
        let a = links.intern(link("http://a/"));
        assert_eq!(links.intern(link("http://a/")), a);
        for n in 0..MAX_LINKS + 10 {
            links.intern(link(&format!("http://n/{n}")));
        }
        assert_eq!(links.len(), MAX_LINKS);
        assert!(links.get(a).is_none());
        let big = "b".repeat(MAX_URI - 20);
        for n in 0..(MAX_BYTES / big.len()) + 5 {
            links.intern(link(&format!("http://{n}/{big}")));
        }
        assert!(links.bytes <= MAX_BYTES);
    }
}
