//! Attached clients as the server sees them: the outbox to their connection task, their size
//! (and which client's size a session follows), their compositor, their input decoder and mode,
//! and frame pacing; what a frame shows is assembled in `view`. A client's frames
//! are paced by write credit: a new frame is rendered only once the previous one has been
//! written to the socket, so a client that stops reading gets no more frames (and costs nothing)
//! until it drains, and then one frame that brings it fully up to date.

mod view;

use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc;

use crate::input::InputDecoder;
use crate::protocol::{AttachRequest, ClientMsg, ServerMsg, TtyHandle};
use crate::render::backend::Renderer;
use crate::render::{self, Areas, Chrome};
use crate::server::Server;
use crate::server::model::{AppId, ClientId, SessionId};
use crate::server::modes::ClientMode;
use crate::server::outer::OuterModes;
use crate::size::Size;

/// What a connection's writer task is asked to do.
#[derive(Debug)]
pub enum Outgoing {
    /// An encoded frame; `true` when it is a render frame (its completion returns write credit).
    Frame(Vec<u8>, bool),
    /// Flush what is queued, then close the connection.
    Close,
    /// A frame as [`Client::send`] queues it: counted against the connection's byte budget until
    /// the writer is done with it.
    Counted(Vec<u8>, bool, Ticket),
    /// Hold the client's own terminal (see `tty`): read typing from it, write screens to it.
    Take(AsyncFd<OwnedFd>),
    /// A render frame for the held terminal, as it is written (not a protocol frame); counted
    /// like [`Outgoing::Counted`].
    Screen(Vec<u8>, Ticket),
    /// Let go of the held terminal: queued before `Detached`, so the client restores its
    /// terminal only once the server no longer reads or writes it.
    Release,
}

/// Where an attached client's frames go and who reads its typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// The client writes the frames sent over the socket and forwards typing.
    Relay,
    /// The terminal is held and the client has been told; frames wait until it has written
    /// every frame sent before ([`ClientMsg::Handed`]).
    Pending,
    /// Frames go to the terminal.
    Direct,
}

/// A queued frame's share of its connection's byte budget, given back when the frame is
/// dropped (written, or thrown away with the connection).
#[derive(Debug)]
pub struct Ticket {
    queued: Arc<AtomicUsize>,
    len: usize,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.queued.fetch_sub(self.len, Ordering::AcqRel);
    }
}

/// Outbox depth: room for control messages next to the one render frame in flight.
pub const OUTBOX: usize = 32;
/// Bytes a connection may have queued: a message that would pass this while others wait means
/// the client stopped reading, and it is dropped. A message alone in the queue may be larger
/// (a capture of a long history), so one reply always goes out.
pub const OUTBOX_BYTES: usize = 32 * 1024 * 1024;
/// At most one frame per client per interval.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(8);
/// At most one resize applied per client per interval: each one lays out, resizes every shown
/// app's terminal and PTY (and each app redraws), so a storm of them is coalesced.
pub const RESIZE_INTERVAL: Duration = Duration::from_millis(16);

/// The resizes a client asked for, coalesced: the latest size wins, and it is applied at once
/// after a quiet period, then at most once per [`RESIZE_INTERVAL`] while they keep coming.
#[derive(Debug, Clone, Copy)]
pub struct ResizeGate {
    pending: Option<Size>,
    last: Instant,
}

impl ResizeGate {
    /// A gate whose first resize is due at once.
    pub fn new(now: Instant) -> Self {
        Self {
            pending: None,
            last: now.checked_sub(RESIZE_INTERVAL).unwrap_or(now),
        }
    }

    pub fn request(&mut self, size: Size) {
        self.pending = Some(size);
    }

    /// When the pending size is due, if there is one.
    pub fn due(&self) -> Option<Instant> {
        self.pending.map(|_| self.last + RESIZE_INTERVAL)
    }

    /// The size to apply now, if one is pending and due.
    pub fn take(&mut self, now: Instant) -> Option<Size> {
        if self.due().is_some_and(|t| t <= now) {
            self.last = now;
            return self.pending.take();
        }
        None
    }
}

/// A client that is attached to a session.
pub struct Attached {
    pub session: SessionId,
    pub size: Size,
    pub read_only: bool,
    renderer: Renderer,
    decoder: InputDecoder,
    pub mode: ClientMode,
    /// Shown or hidden by this client; `None` follows the session's default.
    pub sidebar_visible: Option<bool>,
    pub selected: Option<AppId>,
    pub filter: Option<String>,
    /// The session this client was in before the one it is in (`session.last`).
    pub history: crate::server::switching::SessionHistory,
    /// The modes appmux has switched on in the client's terminal.
    outer: OuterModes,
    /// When a BEL last went to this client.
    pub last_bell: Option<Instant>,
    /// The client's terminal answered the kitty keyboard query.
    pub kitty: bool,
    /// A status-line message and when it goes away.
    pub flash: Option<(String, Instant)>,
    /// Bytes for the client's terminal that go out before the next frame (OSC 52).
    pub pending: Vec<u8>,
    /// The pane border being dragged with the mouse.
    pub dragging: Option<crate::layout::Border>,
    /// A floating pane being dragged by its title (the grab's offset from its corner) or
    /// by its bottom-right corner.
    pub float_drag: Option<crate::server::floats::FloatDrag>,
    /// The pane whose app got a mouse press: it gets the drags and the release too.
    pub mouse_grab: Option<crate::layout::PaneId>,
    /// Where the left button went down in a pane (pane, column, row on the client's screen),
    /// while it is down: a drag from there selects text.
    pub press: Option<(crate::layout::PaneId, u16, u16)>,
    /// Recent left presses, to tell double and triple clicks.
    pub clicks: crate::server::modes::Clicks,
    /// The colours the client's terminal shows.
    pub depth: crate::render::color::ColorDepth,
    /// The client's terminal can be sent OSC 8 hyperlinks (`Settings::takes_hyperlinks`).
    pub takes_hyperlinks: bool,
    pub dirty: bool,
    /// The next frame answers typing (an echo): it goes out without waiting for the frame
    /// interval, so an echo beside a flooding pane is not held back with the flood's frames.
    pub urgent: bool,
    /// When what the last frame showed changes with time alone (an uptime, a countdown): it is
    /// redrawn then, and with nothing else changing, not before.
    refresh_at: Option<Instant>,
    in_flight: bool,
    last_frame: Instant,
    /// Resizes not yet applied.
    resize: ResizeGate,
    handover: Handover,
}

impl Attached {
    /// Forget what the client shows; the next frame repaints everything.
    pub fn invalidate(&mut self) {
        self.renderer.invalidate();
        self.dirty = true;
    }
}

pub struct Client {
    id: ClientId,
    out: mpsc::Sender<Outgoing>,
    /// Bytes queued in `out` and not yet written.
    queued: Arc<AtomicUsize>,
    /// What an attached client shows and which mode it is in; the mode machine (`modes`) and
    /// the view (`view`) work on it through `attached` and `attached_mut`.
    attached: Option<Attached>,
    /// Control API subscriptions.
    topics: std::collections::HashSet<String>,
    /// The `$APPMUX` of the pane the client runs in, when it said so before attaching.
    inside_pane: Option<String>,
}

impl Client {
    pub fn new(id: ClientId, out: mpsc::Sender<Outgoing>) -> Self {
        Self {
            id,
            out,
            queued: Arc::default(),
            attached: None,
            topics: Default::default(),
            inside_pane: None,
        }
    }

    pub fn id(&self) -> ClientId {
        self.id
    }

    pub fn session(&self) -> Option<SessionId> {
        self.attached.as_ref().map(|a| a.session)
    }

    pub fn attached(&self) -> Option<&Attached> {
        self.attached.as_ref()
    }

    pub fn attached_mut(&mut self) -> Option<&mut Attached> {
        self.attached.as_mut()
    }

    /// Adds control API subscriptions.
    pub fn subscribe(&mut self, topics: impl IntoIterator<Item = String>) {
        self.topics.extend(topics);
    }

    pub fn is_subscribed(&self, topic: &str) -> bool {
        self.topics.contains(topic)
    }

    /// The `$APPMUX` of the pane it runs in, from its hello.
    pub fn inside_pane(&self) -> Option<&str> {
        self.inside_pane.as_deref()
    }

    pub fn set_inside_pane(&mut self, appmux: String) {
        self.inside_pane = Some(appmux);
    }

    /// Whether it shows the switcher, which previews panes of any session.
    pub fn in_switcher(&self) -> bool {
        self.attached
            .as_ref()
            .is_some_and(|a| matches!(a.mode, ClientMode::Switcher(_)))
    }

    pub fn mark_dirty(&mut self) {
        if let Some(a) = &mut self.attached {
            a.dirty = true;
        }
    }

    /// Needs a frame as soon as it can take one: it shows the echo of what was typed.
    pub fn mark_urgent(&mut self) {
        if let Some(a) = &mut self.attached {
            a.dirty = true;
            a.urgent = true;
        }
    }

    /// When this client should get its next frame, if it needs one and can take one.
    pub fn frame_due(&self) -> Option<Instant> {
        let a = self.attached.as_ref()?;
        if !a.dirty || a.in_flight || a.handover == Handover::Pending {
            return None;
        }
        if a.urgent {
            return Some(a.last_frame);
        }
        Some(a.last_frame + FRAME_INTERVAL)
    }

    /// When this client's pending resize is due.
    pub fn resize_due(&self) -> Option<Instant> {
        self.attached.as_ref()?.resize.due()
    }

    /// When a flash message or the pane numbers expire, or what the client shows changes with
    /// time.
    pub fn timer(&self) -> Option<Instant> {
        let a = self.attached.as_ref()?;
        let numbers = match &a.mode {
            ClientMode::Numbers { until } => Some(*until),
            ClientMode::Copy(c) => c.close_at,
            _ => None,
        };
        a.flash
            .as_ref()
            .map(|(_, t)| *t)
            .into_iter()
            .chain(numbers)
            .chain(a.refresh_at)
            .min()
    }

    pub fn expire(&mut self, now: Instant) {
        let Some(a) = self.attached.as_mut() else {
            return;
        };
        if a.flash.as_ref().is_some_and(|(_, t)| *t <= now) {
            a.flash = None;
            a.dirty = true;
        }
        if matches!(a.mode, ClientMode::Numbers { until } if until <= now) {
            a.mode = ClientMode::Normal;
            a.dirty = true;
        }
        if matches!(&a.mode, ClientMode::Copy(c) if c.close_at.is_some_and(|t| t <= now)) {
            a.mode = ClientMode::Normal;
            a.dirty = true;
        }
        if a.refresh_at.is_some_and(|t| t <= now) {
            a.refresh_at = None;
            a.dirty = true;
        }
    }

    pub fn frame_written(&mut self) {
        if let Some(a) = &mut self.attached {
            a.in_flight = false;
        }
    }

    pub fn outbox(&self) -> mpsc::Sender<Outgoing> {
        self.out.clone()
    }

    /// Queues a message; false when the outbox is full (in messages or in bytes) or closed.
    pub fn send(&self, out: Outgoing) -> bool {
        let Outgoing::Frame(bytes, render) = out else {
            return self.out.try_send(out).is_ok();
        };
        self.ticket(bytes.len()).is_some_and(|ticket| {
            self.out
                .try_send(Outgoing::Counted(bytes, render, ticket))
                .is_ok()
        })
    }

    /// Queues a render frame for the held terminal; false as [`Client::send`].
    fn send_screen(&self, bytes: Vec<u8>) -> bool {
        self.ticket(bytes.len())
            .is_some_and(|ticket| self.out.try_send(Outgoing::Screen(bytes, ticket)).is_ok())
    }

    /// Room for `len` more bytes in the connection's budget, or `None` when it would pass it
    /// while others wait.
    fn ticket(&self, len: usize) -> Option<Ticket> {
        let queued = self.queued.load(Ordering::Acquire);
        if queued > 0 && queued.saturating_add(len) > OUTBOX_BYTES {
            return None;
        }
        self.queued.fetch_add(len, Ordering::AcqRel);
        Some(Ticket {
            queued: self.queued.clone(),
            len,
        })
    }

    pub fn close(&self) {
        let _ = self.out.try_send(Outgoing::Close);
    }

    /// Lets go of the client's terminal, if held: queued ahead of whatever tells the client
    /// it may restore its terminal.
    pub fn release_terminal(&self) {
        let _ = self.out.try_send(Outgoing::Release);
    }
}

impl Server {
    pub(super) fn on_client_msg(&mut self, id: ClientId, msg: ClientMsg) {
        match msg {
            ClientMsg::Attach(req) => self.attach(id, req),
            ClientMsg::Input(bytes) => self.client_input(id, &bytes),
            ClientMsg::Resize(size) => self.client_resize(id, size.clamped()),
            ClientMsg::Detach => self.detach(id, "detached"),
            ClientMsg::Request(req) => self.request(id, req),
            ClientMsg::TakeTerminal(handle) => self.take_terminal(id, &handle),
            ClientMsg::Handed => self.terminal_handed(id),
        }
    }

    /// An attached client offers its terminal: held when it opens as the one named, and the
    /// answer goes out after every frame already queued.
    fn take_terminal(&mut self, id: ClientId, handle: &TtyHandle) {
        let Some(c) = self.clients.get_mut(&id) else {
            return;
        };
        let offered = c
            .attached
            .as_ref()
            .is_some_and(|a| a.handover == Handover::Relay);
        let taken = offered
            && match crate::server::tty::open(handle) {
                Ok(tty) => c.send(Outgoing::Take(tty)),
                Err(e) => {
                    tracing::info!(client = id.0, "not taking the client's terminal: {e}");
                    false
                }
            };
        if taken && let Some(a) = c.attached.as_mut() {
            a.handover = Handover::Pending;
        }
        self.send(id, &ServerMsg::Terminal { taken });
    }

    /// The client has written every frame sent over the socket: the next goes to its terminal.
    fn terminal_handed(&mut self, id: ClientId) {
        if let Some(a) = self.attached_mut(id)
            && a.handover == Handover::Pending
        {
            a.handover = Handover::Direct;
            a.dirty = true;
        }
    }

    fn attach(&mut self, id: ClientId, req: AttachRequest) {
        let inside = self.clients.get(&id).and_then(|c| c.inside_pane.clone());
        let (session, to_start) = match self.find_or_create_for_attach(&req, inside.as_deref()) {
            Ok(made) => made,
            Err(e) => return self.send(id, &ServerMsg::Error(e)),
        };
        let size = req.size.clamped();
        let Some(client) = self.clients.get_mut(&id) else {
            // Gone meanwhile: the session it asked for runs without it.
            for app in to_start {
                self.app_op(app, crate::app::lifecycle::Control::Start);
            }
            return;
        };
        if client.attached.is_some() {
            // Attached again on the same connection: it starts over, relaying until it offers
            // its terminal again.
            client.release_terminal();
        }
        client.attached = Some(Attached {
            session,
            size,
            read_only: req.read_only,
            renderer: Renderer::new(size),
            decoder: InputDecoder::new(),
            mode: ClientMode::Normal,
            sidebar_visible: None,
            selected: None,
            filter: None,
            history: Default::default(),
            outer: OuterModes::default(),
            last_bell: None,
            kitty: false,
            flash: None,
            pending: Vec::new(),
            dragging: None,
            float_drag: None,
            mouse_grab: None,
            press: None,
            clicks: Default::default(),
            depth: self.settings.color_depth(&req.term),
            takes_hyperlinks: crate::server::settings::Settings::takes_hyperlinks(&req.term),
            dirty: true,
            urgent: false,
            refresh_at: None,
            in_flight: false,
            // As if a frame had just gone out one interval ago: the first frame is due now.
            last_frame: Instant::now()
                .checked_sub(FRAME_INTERVAL)
                .unwrap_or_else(Instant::now),
            resize: ResizeGate::new(Instant::now()),
            handover: Handover::Relay,
        });
        let name = self.sessions[&session].name().to_owned();
        tracing::info!(client = id.0, session = %name, ?size, "client attached");
        self.send(id, &ServerMsg::Attached { session: name });
        self.make_size_owner(session, id);
        // A session made for this client starts its apps now, at its panes' size.
        for app in to_start {
            self.app_op(app, crate::app::lifecycle::Control::Start);
        }
        self.show_config_problems(id);
    }

    /// The most recently active client decides the size of its session's apps; a read-only
    /// client only while no other client could (its size would change what others see).
    fn make_size_owner(&mut self, session: SessionId, id: ClientId) {
        if self.is_read_only(id) && self.writable_client(session, Some(id)).is_some() {
            return;
        }
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.touch();
        if s.set_size_owner(Some(id)) {
            self.resize_session(session);
        }
    }

    /// Sizes every app shown in `session` to the pane area of its size owner.
    pub fn resize_session(&mut self, session: SessionId) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let size = s
            .size_owner()
            .and_then(|c| self.pane_size(c))
            .unwrap_or(s.detached_size());
        // The size owner sees the active window: each of its apps takes its pane's size, the
        // focused pane last so that an app shown twice follows the pane in use.
        let mut sizes: Vec<(AppId, Size)> = Vec::new();
        if let Some(w) = s.active_window() {
            let area = s
                .size_owner()
                .and_then(|c| self.client_areas(c))
                .map(|a| a.panes)
                .unwrap_or(ratatui::layout::Rect::new(0, 0, size.cols, size.rows));
            for (pane, rect) in w.layout().rects(area) {
                if let Some(app) = w.panes().get(&pane)
                    && !rect.is_empty()
                {
                    let s = Size {
                        cols: rect.width,
                        rows: rect.height,
                    };
                    if pane == w.active() {
                        sizes.push((*app, s));
                    } else {
                        sizes.insert(0, (*app, s));
                    }
                }
            }
            // Floating panes take the size of their inside, whether shown or not, the top
            // one last.
            for f in w.floats() {
                let inner = crate::layout::float::FloatRect::inner(f.rect.place(area));
                if !inner.is_empty() {
                    sizes.push((
                        f.app,
                        Size {
                            cols: inner.width,
                            rows: inner.height,
                        },
                    ));
                }
            }
        }
        for (app, size) in sizes {
            self.resize_app(app, size);
        }
        self.session_changed(session);
    }

    fn is_read_only(&self, id: ClientId) -> bool {
        self.clients
            .get(&id)
            .and_then(|c| c.attached.as_ref())
            .is_some_and(|a| a.read_only)
    }

    /// The most recently attached client of `session` that may change it, other than `except`.
    fn writable_client(&self, session: SessionId, except: Option<ClientId>) -> Option<ClientId> {
        self.clients
            .values()
            .filter(|c| c.session() == Some(session) && Some(c.id) != except)
            .filter(|c| c.attached.as_ref().is_some_and(|a| !a.read_only))
            .map(|c| c.id)
            .max()
    }

    pub fn attached_mut(&mut self, id: ClientId) -> Option<&mut Attached> {
        self.clients.get_mut(&id)?.attached.as_mut()
    }

    /// Where the parts of this client's screen go.
    pub fn client_areas(&self, id: ClientId) -> Option<Areas> {
        let a = self.clients.get(&id)?.attached.as_ref()?;
        let o = &self.settings.options;
        let chrome = Chrome {
            status: o.status.visible,
            status_top: o.status.position == crate::config::StatusPosition::Top,
            sidebar: self.sidebar_shown(id, a.session).then_some(o.sidebar.width),
            sidebar_left: o.sidebar.position == crate::config::Side::Left,
        };
        Some(render::areas(a.size, chrome))
    }

    /// Records the size; [`Server::apply_resizes`] applies it, coalesced.
    fn client_resize(&mut self, id: ClientId, size: Size) {
        if let Some(a) = self.attached_mut(id) {
            a.resize.request(size);
        }
    }

    /// Applies the resizes that are due: the latest size of each client, once.
    pub(super) fn apply_resizes(&mut self, now: Instant) {
        let due: Vec<(ClientId, Size)> = self
            .clients
            .values_mut()
            .filter_map(|c| Some((c.id, c.attached.as_mut()?.resize.take(now)?)))
            .collect();
        for (id, size) in due {
            self.apply_client_size(id, size);
        }
    }

    fn apply_client_size(&mut self, id: ClientId, size: Size) {
        let Some(a) = self.clients.get_mut(&id).and_then(|c| c.attached.as_mut()) else {
            return;
        };
        a.size = size;
        a.renderer.resize(size);
        a.dirty = true;
        let session = a.session;
        if self.sessions.get(&session).and_then(|s| s.size_owner()) == Some(id) {
            self.resize_session(session);
        } else {
            self.make_size_owner(session, id);
        }
    }

    /// Moves an attached client to another session (tmux `switch-client`): it leaves its mode
    /// and selection behind, remembers where it came from, repaints, and takes the size of the
    /// new session as any client that starts using it. The client learns the new name.
    pub fn switch_client(&mut self, id: ClientId, to: SessionId) -> Result<(), String> {
        if !self.sessions.contains_key(&to) {
            return Err("no such session".into());
        }
        let a = self.attached_mut(id).ok_or("this client is not attached")?;
        let from = a.session;
        if from == to {
            return Ok(());
        }
        a.session = to;
        a.history.moved(from, to);
        a.mode = ClientMode::Normal;
        a.selected = None;
        a.filter = None;
        a.dragging = None;
        a.mouse_grab = None;
        a.press = None;
        a.invalidate();
        self.release_size(from, id);
        self.make_size_owner(to, id);
        let name = self.sessions[&to].name().to_owned();
        tracing::info!(client = id.0, session = %name, "client switched");
        self.send(id, &ServerMsg::Attached { session: name });
        self.session_changed(from);
        self.session_changed(to);
        Ok(())
    }

    pub fn detach(&mut self, id: ClientId, reason: &str) {
        let Some(c) = self.clients.get_mut(&id) else {
            return;
        };
        let Some(a) = c.attached.take() else { return };
        tracing::info!(client = id.0, reason, "client detached");
        c.release_terminal();
        self.send(
            id,
            &ServerMsg::Detached {
                reason: reason.to_owned(),
            },
        );
        if let Some(c) = self.clients.get(&id) {
            c.close();
        }
        self.release_size(a.session, id);
    }

    pub(super) fn client_gone(&mut self, id: ClientId) {
        if let Some(c) = self.clients.remove(&id) {
            c.close();
            if let Some(a) = c.attached {
                tracing::info!(client = id.0, "client disconnected");
                self.release_size(a.session, id);
            }
        }
    }

    /// The size owner left: the most recently attached remaining client takes over.
    fn release_size(&mut self, session: SessionId, id: ClientId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        if s.size_owner() != Some(id) {
            return;
        }
        let next = self.writable_client(session, None).or_else(|| {
            self.clients
                .values()
                .filter(|c| c.session() == Some(session) && c.id != id)
                .map(|c| c.id)
                .max()
        });
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.set_size_owner(next);
        if s.size_owner().is_some() {
            self.resize_session(session);
        }
    }

    fn client_input(&mut self, id: ClientId, bytes: &[u8]) {
        let Some(a) = self.clients.get_mut(&id).and_then(|c| c.attached.as_mut()) else {
            return;
        };
        let events = a.decoder.feed(bytes);
        let session = a.session;
        self.make_size_owner(session, id);
        for ev in events {
            self.client_event(id, ev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(cols: u16) -> Size {
        Size { cols, rows: 10 }
    }

    #[test]
    fn a_resize_storm_is_applied_once_per_interval_with_the_latest_size() {
        let start = Instant::now();
        let mut gate = ResizeGate::new(start);
        assert_eq!(gate.due(), None);
        // The first resize after a quiet period is applied at once.
        gate.request(size(100));
        assert_eq!(gate.take(start), Some(size(100)));
        // A storm within one interval: nothing more is applied until the interval ends, and
        // then only the latest size, once.
        let mut applied = 0;
        let mut now = start;
        for i in 0..1000u16 {
            gate.request(size(10 + i % 7));
            now += Duration::from_micros(10);
            applied += usize::from(gate.take(now).is_some());
        }
        assert_eq!(applied, 0);
        assert_eq!(gate.due(), Some(start + RESIZE_INTERVAL));
        assert_eq!(gate.take(start + RESIZE_INTERVAL), Some(size(10 + 999 % 7)));
        assert_eq!(gate.take(start + 10 * RESIZE_INTERVAL), None);
        assert_eq!(gate.due(), None);
    }

    #[test]
    fn a_steady_stream_of_resizes_costs_one_per_interval() {
        let start = Instant::now();
        let mut gate = ResizeGate::new(start);
        let mut applied = 0;
        // A second of resizes, one every 100µs: ten thousand asked for.
        for i in 0..10_000u32 {
            let now = start + Duration::from_micros(100) * i;
            gate.request(size(20 + (i % 50) as u16));
            applied += usize::from(gate.take(now).is_some());
        }
        let most = (Duration::from_secs(1).as_micros() / RESIZE_INTERVAL.as_micros()) as usize + 1;
        assert!(applied <= most, "{applied} applied");
        assert!(applied > 1);
    }

    #[test]
    fn the_outbox_is_bounded_in_bytes_but_one_large_message_goes_out() {
        let (tx, mut rx) = mpsc::channel(OUTBOX);
        let c = Client::new(ClientId(1), tx);
        let big = || Outgoing::Frame(vec![0u8; OUTBOX_BYTES / 2 + 1], false);
        assert!(c.send(Outgoing::Frame(vec![0u8; OUTBOX_BYTES + 1], false)));
        assert!(
            !c.send(big()),
            "a second message past the budget was queued"
        );
        // Written (dropped by the writer), the first gives its bytes back.
        drop(rx.try_recv().unwrap());
        assert!(c.send(big()));
        assert!(!c.send(big()));
        assert!(c.send(Outgoing::Frame(vec![0u8; 100], false)));
    }
}
