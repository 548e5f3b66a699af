//! Floating panes and popups as the server carries them out: a new floating pane gets a shell
//! or a command started at the size of its inside, the layer is toggled, moved and resized,
//! and apps are sized to their floating pane. The model of the layer is `session::floating`'s;
//! geometry is `layout::float`'s.

use ratatui::layout::Rect;

use crate::action::{FloatAction, NewFloat, RunApp};
use crate::app::lifecycle::Control;
use crate::config::{AppSpec, RestartPolicy};
use crate::input::{MouseButton, MouseEvent, MouseKind};
use crate::layout::PaneId;
use crate::layout::float::{Extent, FloatRect};
use crate::server::Server;
use crate::server::model::{AppId, ClientId, SessionId};
use crate::server::session::FloatPart;
use crate::size::Size;

/// A mouse drag of a floating pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatDrag {
    /// By its title: where in the pane it was grabbed.
    Move { pane: PaneId, dx: u16, dy: u16 },
    /// By its bottom-right corner.
    Resize { pane: PaneId },
}

impl Server {
    /// The mouse over the floating layer: a press raises the pane under it (and starts a move
    /// by its title or a resize by its bottom-right corner), a drag moves or resizes, a
    /// release ends it. True when the event was the layer's (nothing under it gets it).
    pub(super) fn float_mouse(
        &mut self,
        id: ClientId,
        session: SessionId,
        area: Rect,
        m: MouseEvent,
    ) -> bool {
        let drag = self.attached_mut(id).and_then(|a| a.float_drag);
        let Ok(w) = self.window(session) else {
            return false;
        };
        let hit = w.float_at(area, m.col, m.row);
        // Without `mouse`, the layer only keeps events from the panes under it.
        if !self.settings.options.mouse {
            if let Some((pane, FloatPart::Body)) = hit {
                self.forward_to_float(session, area, pane, m);
            }
            return hit.is_some();
        }
        let placed = |pane: PaneId| {
            w.floats()
                .iter()
                .find(|f| f.pane == pane)
                .map(|f| f.rect.place(area))
        };
        match (m.kind, drag) {
            (MouseKind::Drag(MouseButton::Left), Some(d)) => {
                self.drag_float(session, area, d, m);
                true
            }
            (MouseKind::Release(_), Some(_)) => {
                if let Some(a) = self.attached_mut(id) {
                    a.float_drag = None;
                }
                true
            }
            (MouseKind::Press(MouseButton::Left), _) => {
                let Some((pane, part)) = hit else {
                    return false;
                };
                let Some(r) = placed(pane) else { return true };
                let drag = match part {
                    FloatPart::Title => Some(FloatDrag::Move {
                        pane,
                        dx: m.col - r.x,
                        dy: m.row - r.y,
                    }),
                    FloatPart::Corner => Some(FloatDrag::Resize { pane }),
                    FloatPart::Body => {
                        self.forward_to_float(session, area, pane, m);
                        None
                    }
                };
                if let Some(a) = self.attached_mut(id) {
                    a.float_drag = drag;
                }
                if self.session_mut(session).is_ok_and(|s| s.raise_float(pane)) {
                    self.after_layout_change(session);
                }
                true
            }
            _ => {
                if let Some((pane, FloatPart::Body)) = hit {
                    self.forward_to_float(session, area, pane, m);
                }
                hit.is_some()
            }
        }
    }

    /// A drag of a floating pane's title or corner reached `m`.
    fn drag_float(&mut self, session: SessionId, area: Rect, d: FloatDrag, m: MouseEvent) {
        let pane = match d {
            FloatDrag::Move { pane, .. } | FloatDrag::Resize { pane } => pane,
        };
        let Some(current) = self.window(session).ok().and_then(|w| {
            let f = w.floats().iter().find(|f| f.pane == pane)?;
            Some(rel(f.rect.place(area), area))
        }) else {
            return;
        };
        let x = m.col.saturating_sub(area.x);
        let y = m.row.saturating_sub(area.y);
        let rect = match d {
            FloatDrag::Move { dx, dy, .. } => current.moved_to(
                x.saturating_sub(dx),
                y.saturating_sub(dy),
                area.width,
                area.height,
            ),
            FloatDrag::Resize { .. } => current.resized_to(x, y, area.width, area.height),
        };
        if self
            .session_mut(session)
            .is_ok_and(|s| s.set_float_rect(pane, rect))
        {
            self.after_layout_change(session);
        }
    }

    /// A mouse event inside floating pane `pane` goes to its app when it asked for the mouse.
    fn forward_to_float(&mut self, session: SessionId, area: Rect, pane: PaneId, m: MouseEvent) {
        let Ok(w) = self.window(session) else { return };
        let Some(f) = w.floats().iter().find(|f| f.pane == pane) else {
            return;
        };
        let inner = FloatRect::inner(f.rect.place(area));
        let Some(app) = self.apps.get(&f.app) else {
            return;
        };
        let (mode, encoding) = app.term().mouse();
        let inside = m.col >= inner.x && m.col < inner.right() && m.row >= inner.y;
        if mode == vt100::MouseProtocolMode::None || !inside || m.row >= inner.bottom() {
            return;
        }
        let event = MouseEvent {
            col: m.col - inner.x,
            row: m.row - inner.y,
            ..m
        };
        let mut out = Vec::new();
        if crate::pane::encode::encode_mouse(event, mode, encoding, &mut out)
            && let Some(p) = app.process()
            && let Err(e) = p.write(out)
        {
            tracing::debug!(app = %app.name(), "mouse event dropped: {e}");
        }
    }

    pub(super) fn float_action(
        &mut self,
        client: Option<ClientId>,
        session: SessionId,
        a: &FloatAction,
    ) -> Result<(), String> {
        let area = self.layout_area(client, session);
        match a {
            FloatAction::Toggle => {
                if self.session_mut(session)?.toggle_floats()? {
                    if let Err(e) = self.new_float(client, session, &NewFloat::default(), false) {
                        let _ = self.session_mut(session)?.toggle_floats();
                        return Err(e);
                    }
                    return Ok(());
                }
            }
            FloatAction::New(n) => return self.new_float(client, session, n, false),
            FloatAction::Popup(n) => return self.new_float(client, session, n, true),
            FloatAction::Move(d, cells) => {
                self.session_mut(session)?
                    .nudge_float((*d).into(), *cells, false, area)?;
            }
            FloatAction::Resize(d, cells) => {
                self.session_mut(session)?
                    .nudge_float((*d).into(), *cells, true, area)?;
            }
        }
        self.after_layout_change(session);
        Ok(())
    }

    /// Opens a floating pane over the active tab running the shell, or `n.cmd`; a popup's
    /// command closes its pane when it exits, whatever `remain_on_exit` says.
    fn new_float(
        &mut self,
        client: Option<ClientId>,
        session: SessionId,
        n: &NewFloat,
        popup: bool,
    ) -> Result<(), String> {
        self.sessions
            .get(&session)
            .ok_or("no such session")?
            .can_add_float()?;
        let area = self.layout_area(client, session);
        let rect = FloatRect::centered(
            area.width,
            area.height,
            n.width.unwrap_or(Extent::Percent(80)),
            n.height.unwrap_or(Extent::Percent(80)),
        );
        let app = if n.cmd.is_empty() {
            self.pane_shell(session)?
        } else {
            self.float_command(session, &n.cmd, popup)?
        };
        let pane = PaneId(self.next_id());
        self.session_mut(session)?.add_float(pane, app, rect)?;
        let inner = FloatRect::inner(rect.place(area));
        self.resize_app(
            app,
            Size {
                cols: inner.width.max(1),
                rows: inner.height.max(1),
            },
        );
        self.app_op(app, Control::Start);
        self.after_layout_change(session);
        Ok(())
    }

    /// An ad-hoc app for a floating pane's command, gone with its pane.
    fn float_command(
        &mut self,
        session: SessionId,
        cmd: &[String],
        popup: bool,
    ) -> Result<AppId, String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        let cwd = s.cwd().unwrap_or("/").to_owned();
        let command = RunApp::new(cmd.to_vec()).command();
        let first = cmd[0].split_whitespace().next().unwrap_or("popup");
        let name = first.rsplit('/').next().unwrap_or("popup").to_owned();
        let mut spec = AppSpec::ad_hoc(name, command, cwd.into());
        spec.restart = RestartPolicy::Never;
        if popup {
            spec.remain_on_exit = Some(false);
        }
        let id = self.add_app(session, spec, true, false)?;
        if let Some(a) = self.apps.get_mut(&id) {
            a.set_pane_shell(true);
        }
        Ok(id)
    }
}

/// A placed rectangle as a floating rectangle of `area`.
fn rel(r: Rect, area: Rect) -> FloatRect {
    FloatRect {
        x: r.x - area.x,
        y: r.y - area.y,
        width: r.width,
        height: r.height,
    }
}
