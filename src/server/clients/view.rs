//! View assembly for one client: what its frame shows, gathered from the models into the plain
//! data the renderer draws (`render::View`): the panes of the active tab with their screens and
//! focus, the borders, the sidebar's apps, the status line (templates, tabs with their flags,
//! the client's own marks such as `[read-only]`), the overlay and the outer-terminal modes. It
//! reads sessions, apps and the client and changes nothing but the client's renderer.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::app::lifecycle::State;
use crate::config::status::{Field, Fields};
use crate::layout::float::FloatRect;
use crate::pane::emulator::Emulator;
use crate::pane::process::ExitStatus;
use crate::pane::shared::TermGuard;
use crate::protocol::{ServerMsg, parts};
use crate::render::float::FloatView;
use crate::render::sidebar::{Item, Sidebar, Status};
use crate::render::switcher::{SwitcherRow, SwitcherView};
use crate::render::{PaneView, StatusView, View};
use crate::server::Server;
use crate::server::clients::{Handover, Outgoing};
use crate::server::model::{App, AppId, ClientId, SessionId};
use crate::server::modes::ClientMode;
use crate::server::outer::{Focused, wanted_modes};
use crate::server::switching::preview_of;

impl Server {
    /// Composes and sends one frame to a client.
    pub(in crate::server) fn render_client(&mut self, id: ClientId, now: Instant) {
        let Some(areas) = self.client_areas(id) else {
            return;
        };
        let Some(session_id) = self.clients.get(&id).and_then(|c| c.session()) else {
            return;
        };
        let sidebar = areas.sidebar.map(|_| self.sidebar_view(id, session_id));
        let refresh_at = self.shown_changes_at(session_id, sidebar.as_ref(), now);
        let mouse = self.settings.options.mouse;
        let tabs = if self.settings.options.status.tabs {
            self.tab_labels(session_id)
        } else {
            Vec::new()
        };
        let (left, mut right) = self.status_text(session_id);
        if self.is_read_only(id) {
            right = format!("[read-only] {right}");
        }
        self.refresh_switcher(id);
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let Some(a) = client.attached.as_mut() else {
            return;
        };
        // Each terminal shown is locked once, for the whole frame: its reader thread waits
        // (at most this long) and the frame sees one consistent screen per pane.
        let mut terms: BTreeMap<AppId, TermGuard<'_>> = BTreeMap::new();
        let mut preview_title = None;
        if let ClientMode::Switcher(sw) = &a.mode
            && let Some((app, title)) = sw
                .selected()
                .and_then(|t| preview_of(&self.sessions, &self.apps, t))
        {
            terms.insert(app.id(), app.term());
            preview_title = Some((app.id(), title));
        }
        let Some(session) = self.sessions.get(&a.session) else {
            return;
        };
        let window = session.active_window();
        if let Some(w) = window {
            let floats = w.floats_shown().then(|| w.floats().iter().map(|f| f.app));
            for id in w
                .panes()
                .values()
                .copied()
                .chain(floats.into_iter().flatten())
            {
                if let Some(app) = self.apps.get(&id)
                    && !terms.contains_key(&id)
                {
                    terms.insert(id, app.term());
                }
            }
        }
        let switcher = switcher_view(&a.mode, preview_title.as_ref(), &terms);
        let mut panes = Vec::new();
        let mut borders = Vec::new();
        let mut active_pane = None;
        let mut visible_mouse = Vec::new();
        let mut focused_term: Option<&Emulator> = None;
        let mut floats = Vec::new();
        if let Some(w) = window {
            active_pane = Some(w.active());
            let copy = match &a.mode {
                ClientMode::Copy(c) => Some((c.pane, &c.mode)),
                _ => None,
            };
            let floating = w.focused_float().is_some();
            for (pane, rect) in w.layout().rects(areas.panes) {
                let Some(id) = w.panes().get(&pane) else {
                    continue;
                };
                let (Some(app), Some(term)) = (self.apps.get(id), terms.get(id)) else {
                    continue;
                };
                // An app that has exited takes no mouse events, whatever it asked for.
                if app.process().is_some() {
                    visible_mouse.push(term.mouse().0);
                }
                if pane == w.active() && !floating {
                    focused_term = Some(term);
                }
                panes.push(PaneView {
                    area: rect,
                    screen: term.display_screen(),
                    changes: Some(term.changes()),
                    focused: pane == w.active()
                        && !floating
                        && matches!(
                            a.mode,
                            ClientMode::Normal
                                | ClientMode::Prefix
                                | ClientMode::Numbers { .. }
                                | ClientMode::Copy(_)
                        ),
                    copy: copy.filter(|(p, _)| *p == pane).map(|(_, m)| m),
                });
            }
            borders = w.layout().borders(areas.panes);
            if w.floats_shown() {
                let top = w.floats().last().map(|f| f.pane);
                for f in w.floats() {
                    let (Some(app), Some(term)) = (self.apps.get(&f.app), terms.get(&f.app)) else {
                        continue;
                    };
                    let outer = f.rect.place(areas.panes);
                    let focused = Some(f.pane) == top
                        && matches!(a.mode, ClientMode::Normal | ClientMode::Prefix);
                    if focused {
                        focused_term = Some(term);
                    }
                    if app.process().is_some() {
                        visible_mouse.push(term.mouse().0);
                    }
                    floats.push(FloatView {
                        outer,
                        title: app.name().to_owned(),
                        pane: PaneView {
                            area: FloatRect::inner(outer),
                            screen: term.display_screen(),
                            changes: None,
                            focused,
                            copy: None,
                        },
                    });
                }
            }
        }
        let message = a
            .flash
            .as_ref()
            .map(|(m, _)| m.clone())
            .or_else(|| a.mode.message_with(&self.apps));
        let outer = wanted_modes(
            mouse,
            visible_mouse.into_iter(),
            focused_term.map(|t| Focused {
                cursor: t.display_screen().cursor_style(),
                focus_events: t.focus_events(),
                app_keypad: t.screen().application_keypad(),
            }),
        );
        let overlay = match &a.mode {
            ClientMode::Pager { pager, .. } => Some(pager),
            _ => None,
        };
        let view = View {
            areas,
            panes,
            status: Some(StatusView {
                left: &left,
                tabs,
                right: &right,
                prefix_active: a.mode == ClientMode::Prefix,
                message,
            }),
            sidebar,
            overlay,
            floats,
            switcher,
            borders,
            active_pane,
            numbers: matches!(a.mode, ClientMode::Numbers { .. }),
            theme: self.settings.theme_for(a.depth),
            depth: a.depth,
            hyperlinks: self.settings.options.hyperlinks && a.takes_hyperlinks,
        };
        let mut bytes = a.renderer.render_view(&view);
        a.dirty = false;
        a.urgent = false;
        a.refresh_at = refresh_at;
        if !a.pending.is_empty() {
            let mut out = std::mem::take(&mut a.pending);
            out.append(&mut bytes);
            bytes = out;
        }
        if outer != a.outer {
            // Mouse reporting (SGR coordinates), focus reports and the cursor shape, as the
            // panes shown need them; the client turns them all off on every exit.
            let mut switch = Vec::new();
            a.outer.switch_to(&outer, &mut switch);
            switch.append(&mut bytes);
            bytes = switch;
            a.outer = outer;
        }
        if bytes.is_empty() {
            return;
        }
        a.last_frame = now;
        let sent = if a.handover == Handover::Direct {
            client.send_screen(bytes)
        } else {
            client.send(Outgoing::Frame(
                parts::frames(&ServerMsg::Output(bytes)),
                true,
            ))
        };
        if sent {
            if let Some(a) = client.attached.as_mut() {
                a.in_flight = true;
            }
        } else if let Some(a) = client.attached.as_mut() {
            // The outbox is full of control messages: repaint everything once it drains.
            a.renderer.invalidate();
            a.dirty = true;
        }
    }

    /// The switcher's tree follows the model (states, new panes, screens) while it is open.
    fn refresh_switcher(&mut self, id: ClientId) {
        let open = self
            .clients
            .get(&id)
            .and_then(|c| c.attached())
            .is_some_and(|a| matches!(a.mode, ClientMode::Switcher(_)));
        if !open {
            return;
        }
        let entries = self.switcher_entries(id);
        if let Some(a) = self.attached_mut(id)
            && let ClientMode::Switcher(sw) = &mut a.mode
        {
            sw.set_entries(entries);
        }
    }

    /// When a frame of `session` drawn at `now` goes out of date with time alone: an uptime
    /// or countdown in the sidebar changes its text, or an app passes `min_uptime` (from
    /// starting to running in the sidebar, and counted as up in the status line).
    fn shown_changes_at(
        &self,
        session: SessionId,
        sidebar: Option<&Sidebar>,
        now: Instant,
    ) -> Option<Instant> {
        let in_sidebar = sidebar.and_then(|s| crate::render::sidebar::next_change(&s.items));
        let settling = self
            .sessions
            .get(&session)
            .map(|s| s.apps())
            .unwrap_or_default()
            .iter()
            .filter_map(|a| self.apps.get(a))
            .filter(|a| a.life().state == State::Running)
            .filter_map(|a| a.spec().min_uptime.checked_sub(a.uptime()?))
            .filter(|left| !left.is_zero());
        in_sidebar
            .into_iter()
            .chain(settling)
            .min()
            .map(|d| crate::app::deadline_after(now, d))
    }

    /// The tab labels of the status line with tmux's window flags: `*` the current tab, `!` a
    /// bell rang in it.
    fn tab_labels(&self, session: SessionId) -> Vec<(String, bool)> {
        let Some(s) = self.sessions.get(&session) else {
            return Vec::new();
        };
        s.windows()
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let active = i == s.active_window_index();
                let bell = w
                    .panes()
                    .values()
                    .any(|app| self.apps.get(app).is_some_and(|a| a.has_bell()));
                // tmux's window flags: `*` active, `!` bell, `Z` a pane is zoomed.
                let flags = format!(
                    "{}{}{}",
                    if active { "*" } else { "" },
                    if bell { "!" } else { "" },
                    if w.layout().zoomed().is_some() {
                        "Z"
                    } else {
                        ""
                    }
                );
                (format!("{i}:{}{flags}", w.name()), active)
            })
            .collect()
    }

    /// The status line's left and right text, from the configured templates.
    fn status_text(&self, session: SessionId) -> (String, String) {
        let status = &self.settings.options.status;
        let s = self.sessions.get(&session);
        let focused = s
            .and_then(|s| s.focused_app())
            .and_then(|app| self.apps.get(&app));
        let title: String = focused
            .and_then(|a| Some(a.term().title()?.chars().take(40).collect()))
            .unwrap_or_default();
        let apps = if status.left.uses(Field::Apps) || status.right.uses(Field::Apps) {
            self.app_summary(session)
        } else {
            String::new()
        };
        let fields = Fields {
            session: s.map_or("", |s| s.name()),
            tab: s.and_then(|s| s.active_window()).map_or("", |w| w.name()),
            app: focused.map_or("", |a| a.name()),
            title: &title,
            apps: &apps,
            hint: &self.settings.hint,
            host: &self.settings.host,
        };
        (status.left.expand(&fields), status.right.expand(&fields))
    }

    /// `2/3 up  1 errored` for the status line; empty for a lone shell. Up is
    /// [`App::counts_as_up`]: a crash-looping app is not up.
    fn app_summary(&self, session: SessionId) -> String {
        let Some(s) = self.sessions.get(&session) else {
            return String::new();
        };
        if s.apps().len() < 2 && s.project_file().is_none() {
            return String::new();
        }
        let apps: Vec<&App> = s.apps().iter().filter_map(|a| self.apps.get(a)).collect();
        let up = apps.iter().filter(|a| a.counts_as_up()).count();
        let errored = apps
            .iter()
            .filter(|a| matches!(a.life().state, State::Errored(_)))
            .count();
        let mut out = format!("{up}/{} up", apps.len());
        if errored > 0 {
            out.push_str(&format!("  {errored} errored"));
        }
        out
    }

    fn sidebar_view(&self, id: ClientId, session: SessionId) -> Sidebar {
        let list = self.sidebar_apps(id, session);
        let a = self.clients.get(&id).and_then(|c| c.attached.as_ref());
        let now = Instant::now();
        let items: Vec<Item> = list
            .iter()
            .filter_map(|app| self.apps.get(app))
            .map(|app| sidebar_item(app, now))
            .collect();
        Sidebar {
            selected: a
                .and_then(|a| a.selected)
                .and_then(|s| list.iter().position(|x| *x == s))
                .unwrap_or(0),
            focused: a.is_some_and(|a| {
                matches!(
                    a.mode,
                    ClientMode::Sidebar | ClientMode::Prompt { .. } | ClientMode::Confirm(_)
                )
            }),
            filter: a.and_then(|a| a.filter.clone()),
            items,
        }
    }
}

/// What the switcher shows, when the client is in it: its rows and the selected pane's screen.
fn switcher_view<'a>(
    mode: &'a ClientMode,
    preview: Option<&(AppId, String)>,
    terms: &'a BTreeMap<AppId, TermGuard<'_>>,
) -> Option<SwitcherView<'a>> {
    let ClientMode::Switcher(sw) = mode else {
        return None;
    };
    let rows = sw
        .rows()
        .iter()
        .map(|r| SwitcherRow {
            depth: r.entry.target.depth(),
            label: r.entry.label.clone(),
            selected: r.selected,
            current: r.entry.current,
        })
        .collect();
    let preview =
        preview.and_then(|(id, title)| Some((terms.get(id)?.display_screen(), title.clone())));
    Some(SwitcherView { rows, preview })
}

fn sidebar_item(app: &App, now: Instant) -> Item {
    let mut note = None;
    let status = match app.life().state {
        State::Running if app.health() == Some("unhealthy") => Status::Unhealthy,
        State::Running if app.gave_up() => Status::NotReady,
        State::Running if app.readiness() == Some(true) => Status::Ready,
        State::Running if app.readiness() == Some(false) => Status::Starting,
        State::Running if app.is_starting() => Status::Starting,
        State::Running => Status::Running,
        State::Stopping { .. } => Status::Stopping,
        State::Stopped => Status::Stopped,
        State::Errored(_) => Status::Errored,
        State::Backoff { until, .. } => Status::Waiting(until.saturating_duration_since(now)),
        State::Exited(ExitStatus::Code(c)) => Status::Exited(c),
        State::Exited(ExitStatus::Signal(s)) => Status::Signaled(s),
        State::Waiting => {
            let gate = app.gate();
            let names: Vec<String> = gate
                .map(|g| g.waiting_for().into_iter().map(|(a, _)| a).collect())
                .unwrap_or_default();
            note = Some(format!("for {}", names.join(", ")));
            match gate {
                Some(crate::app::deps::Gate::Blocked(_)) => Status::Blocked,
                _ => Status::Pending,
            }
        }
    };
    Item {
        name: app.name().to_owned(),
        status,
        cpu_percent: app.usage().map(|u| u.cpu_percent),
        rss_bytes: app.usage().map(|u| u.rss_bytes),
        uptime: app.uptime(),
        restarts: app.life().restarts,
        log_dropped: app.log().dropped(),
        bell: app.has_bell(),
        title: app
            .term()
            .title()
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        note,
    }
}
