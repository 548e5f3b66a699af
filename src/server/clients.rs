//! Attached clients as the server sees them: the outbox to their connection task, their size,
//! their compositor, their input decoder and prefix state, and frame pacing. A client's frames
//! are paced by write credit: a new frame is rendered only once the previous one has been
//! written to the socket, so a client that stops reading gets no more frames (and costs nothing)
//! until it drains, and then one frame that brings it fully up to date.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::input::{InputDecoder, InputEvent};
use crate::keys::{Key, KeyCode};
use crate::pane::encode;
use crate::protocol::{AttachRequest, ClientMsg, ServerMsg, Size, codec};
use crate::render::backend::Renderer;
use crate::render::{self, PaneView, StatusView, View};
use crate::server::model::{ClientId, SessionId};
use crate::server::state::Server;

/// What a connection's writer task is asked to do.
#[derive(Debug)]
pub enum Outgoing {
    /// An encoded frame; `true` when it is a render frame (its completion returns write credit).
    Frame(Vec<u8>, bool),
    /// Flush what is queued, then close the connection.
    Close,
}

/// Outbox depth: room for control messages next to the one render frame in flight.
pub const OUTBOX: usize = 32;
/// At most one frame per client per interval.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(8);

/// A client that is attached to a session.
pub struct Attached {
    pub session: SessionId,
    pub size: Size,
    pub read_only: bool,
    renderer: Renderer,
    decoder: InputDecoder,
    prefix: bool,
    dirty: bool,
    in_flight: bool,
    last_frame: Instant,
}

pub struct Client {
    pub id: ClientId,
    out: mpsc::Sender<Outgoing>,
    pub attached: Option<Attached>,
}

impl Client {
    pub fn new(id: ClientId, out: mpsc::Sender<Outgoing>) -> Self {
        Self {
            id,
            out,
            attached: None,
        }
    }

    pub fn session(&self) -> Option<SessionId> {
        self.attached.as_ref().map(|a| a.session)
    }

    pub fn mark_dirty(&mut self) {
        if let Some(a) = &mut self.attached {
            a.dirty = true;
        }
    }

    /// When this client should get its next frame, if it needs one and can take one.
    pub fn frame_due(&self) -> Option<Instant> {
        let a = self.attached.as_ref()?;
        if !a.dirty || a.in_flight {
            return None;
        }
        Some(a.last_frame + FRAME_INTERVAL)
    }

    pub fn frame_written(&mut self) {
        if let Some(a) = &mut self.attached {
            a.in_flight = false;
        }
    }

    /// Queues a message; false when the outbox is full or closed.
    pub fn send(&self, out: Outgoing) -> bool {
        self.out.try_send(out).is_ok()
    }

    pub fn close(&self) {
        let _ = self.out.try_send(Outgoing::Close);
    }
}

/// The status line's right-hand hint.
const HINT: &str = "C-b ? help  C-b d detach ";

impl Server {
    pub(super) fn on_client_msg(&mut self, id: ClientId, msg: ClientMsg) {
        match msg {
            ClientMsg::Attach(req) => self.attach(id, req),
            ClientMsg::Input(bytes) => self.client_input(id, &bytes),
            ClientMsg::Resize(size) => self.client_resize(id, size.clamped()),
            ClientMsg::Detach => self.detach(id, "detached"),
            ClientMsg::Request(req) => self.request(id, req),
        }
    }

    fn attach(&mut self, id: ClientId, req: AttachRequest) {
        let session = match self.find_or_create_for_attach(&req) {
            Ok(s) => s,
            Err(e) => return self.send(id, &ServerMsg::Error(e)),
        };
        let size = req.size.clamped();
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        client.attached = Some(Attached {
            session,
            size,
            read_only: req.read_only,
            renderer: Renderer::new(size),
            decoder: InputDecoder::new(),
            prefix: false,
            dirty: true,
            in_flight: false,
            // As if a frame had just gone out one interval ago: the first frame is due now.
            last_frame: Instant::now()
                .checked_sub(FRAME_INTERVAL)
                .unwrap_or_else(Instant::now),
        });
        let name = self.sessions[&session].name.clone();
        tracing::info!(client = id.0, session = %name, ?size, "client attached");
        self.send(id, &ServerMsg::Attached { session: name });
        self.make_size_owner(session, id);
    }

    /// The most recently active client decides the size of its session's apps.
    fn make_size_owner(&mut self, session: SessionId, id: ClientId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        s.last_used = Instant::now();
        if s.size_owner != Some(id) {
            s.size_owner = Some(id);
            self.resize_session(session);
        }
    }

    /// Sizes every app shown in `session` to the pane area of its size owner.
    pub fn resize_session(&mut self, session: SessionId) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let size = s
            .size_owner
            .and_then(|c| self.clients.get(&c)?.attached.as_ref().map(|a| a.size))
            .map(|client| {
                let area = render::pane_area(client, true);
                Size {
                    cols: area.width,
                    rows: area.height,
                }
            })
            .unwrap_or(s.detached_size);
        let shown: Vec<_> = s
            .windows
            .iter()
            .flat_map(|w| w.panes.iter().map(|p| p.app))
            .collect();
        for app in shown {
            if let Some(a) = self.apps.get_mut(&app) {
                a.term.resize(size);
                a.spec.size = size;
                if let Some(p) = &a.process {
                    p.resize(size);
                }
            }
        }
        self.session_changed(session);
    }

    fn client_resize(&mut self, id: ClientId, size: Size) {
        let Some(a) = self.clients.get_mut(&id).and_then(|c| c.attached.as_mut()) else {
            return;
        };
        a.size = size;
        a.renderer.resize(size);
        a.dirty = true;
        let session = a.session;
        if self.sessions.get(&session).and_then(|s| s.size_owner) == Some(id) {
            self.resize_session(session);
        } else {
            self.make_size_owner(session, id);
        }
    }

    pub fn detach(&mut self, id: ClientId, reason: &str) {
        let Some(c) = self.clients.get_mut(&id) else {
            return;
        };
        let Some(a) = c.attached.take() else { return };
        tracing::info!(client = id.0, reason, "client detached");
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
        if s.size_owner != Some(id) {
            return;
        }
        s.size_owner = self
            .clients
            .values()
            .filter(|c| c.session() == Some(session))
            .map(|c| c.id)
            .max();
        if s.size_owner.is_some() {
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

    fn client_event(&mut self, id: ClientId, ev: InputEvent) {
        let Some(a) = self.clients.get_mut(&id).and_then(|c| c.attached.as_mut()) else {
            return;
        };
        let session = a.session;
        let read_only = a.read_only;
        match ev {
            InputEvent::Key(key) if a.prefix => {
                a.prefix = false;
                a.dirty = true;
                self.prefix_key(id, session, key, read_only);
            }
            InputEvent::Key(key) if key == self.settings.prefix => {
                a.prefix = true;
                a.dirty = true;
            }
            InputEvent::Key(key) if !read_only => self.type_key(session, key),
            InputEvent::Paste(data) if !read_only => self.paste(session, &data),
            // Mouse and focus reports are not forwarded yet; replies from the outer terminal
            // must never reach a pane.
            _ => {}
        }
    }

    /// The key after the prefix. These few bindings are the core's; keymap files extend them.
    fn prefix_key(&mut self, id: ClientId, session: SessionId, key: Key, read_only: bool) {
        match key.code {
            KeyCode::Char('d') if key.mods == Default::default() => self.detach(id, "detached"),
            _ if key == self.settings.prefix && !read_only => self.type_key(session, key),
            _ => {}
        }
    }

    fn type_key(&mut self, session: SessionId, key: Key) {
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get(&app) else { return };
        if let Some(p) = &a.process {
            let mut out = Vec::new();
            encode::encode_key(key, a.term.key_modes(), &mut out);
            p.write(out);
        }
    }

    fn paste(&mut self, session: SessionId, data: &[u8]) {
        let Some(app) = self.sessions.get(&session).and_then(|s| s.focused_app()) else {
            return;
        };
        let Some(a) = self.apps.get(&app) else { return };
        if let Some(p) = &a.process {
            let mut out = Vec::new();
            encode::encode_paste(data, a.term.bracketed_paste(), &mut out);
            p.write(out);
        }
    }

    /// Composes and sends one frame to a client.
    pub(super) fn render_client(&mut self, id: ClientId, now: Instant) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let Some(a) = client.attached.as_mut() else {
            return;
        };
        let Some(session) = self.sessions.get(&a.session) else {
            return;
        };
        let area = render::pane_area(a.size, true);
        let mut panes = Vec::new();
        let mut tabs = Vec::new();
        for (i, w) in session.windows.iter().enumerate() {
            let active = i == session.active_window;
            tabs.push((
                format!("{i}:{}{}", w.name, if active { "*" } else { "" }),
                active,
            ));
        }
        if let Some(pane) = session.active_window().and_then(|w| w.active_pane())
            && let Some(app) = self.apps.get(&pane.app)
        {
            panes.push(PaneView {
                area,
                screen: app.term.screen(),
                focused: true,
            });
        }
        let view = View {
            panes,
            status: Some(StatusView {
                session: &session.name,
                tabs,
                right: HINT,
                prefix_active: a.prefix,
            }),
        };
        let bytes = a.renderer.render(|f| render::draw(f, &view));
        a.dirty = false;
        if bytes.is_empty() {
            return;
        }
        a.last_frame = now;
        let frame = codec::encode(&ServerMsg::Output(bytes));
        if client.send(Outgoing::Frame(frame, true)) {
            if let Some(a) = client.attached.as_mut() {
                a.in_flight = true;
            }
        } else if let Some(a) = client.attached.as_mut() {
            // The outbox is full of control messages: repaint everything once it drains.
            a.renderer.invalidate();
            a.dirty = true;
        }
    }
}
