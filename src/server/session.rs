//! The session model: a session's tabs, each tab's layout of panes and the app each pane
//! shows, which pane and tab have focus, and where the session came from. Every edit of a
//! session (splits, closes, focus, resizes, zoom, swaps, presets, tabs, showing an app in a
//! pane) is a method here; fields are private, so no other file changes them. What an edit
//! means for apps (a shell started for a new pane, an app resized to its pane, a pane's shell
//! retired with it) is the server's to orchestrate, from what these methods return.
//!
//! Pure data and the pure layout tree: no processes, no clients, no I/O.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use ratatui::layout::Rect;

use crate::action::{LayoutPreset, PaneAction, TabAction};
use crate::config::AppSpec;
use crate::layout::{Axis, Border, Layout, PaneId, Preset};
use crate::server::model::{AppId, ClientId, SessionId};
use crate::size::Size;

mod floating;
pub use floating::{Float, FloatPart};

/// A tab: a layout of panes, the app each pane shows, and which pane has focus.
#[derive(Debug)]
pub struct Window {
    name: String,
    /// The name follows the focused app until the user renames the tab.
    renamed: bool,
    layout: Layout,
    panes: BTreeMap<PaneId, AppId>,
    active: PaneId,
    /// The previously focused pane, where focus goes when the active one closes.
    last: Option<PaneId>,
    /// The preset last applied with `pane.layout-next`, to cycle from.
    preset: Option<Preset>,
    /// Floating panes over the layout, in drawing order: the last is on top and has focus
    /// while the floating layer is shown.
    floats: Vec<Float>,
    floats_shown: bool,
}

impl Window {
    pub fn new(name: String, pane: PaneId, app: AppId) -> Self {
        Self {
            name,
            renamed: false,
            layout: Layout::new(pane),
            panes: BTreeMap::from([(pane, app)]),
            active: pane,
            last: None,
            preset: None,
            floats: Vec::new(),
            floats_shown: false,
        }
    }

    /// A tab as it was saved: its layout, the app of each pane and the focused pane. None when
    /// the parts do not fit together (a pane without an app, an active pane that is not there).
    pub fn restored(
        name: String,
        renamed: bool,
        layout: Layout,
        panes: BTreeMap<PaneId, AppId>,
        active: PaneId,
    ) -> Option<Self> {
        let fits = panes.contains_key(&active)
            && layout.len() == panes.len()
            && layout.panes().iter().all(|p| panes.contains_key(p));
        fits.then_some(Self {
            name,
            renamed,
            layout,
            panes,
            active,
            last: None,
            preset: None,
            floats: Vec::new(),
            floats_shown: false,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn renamed(&self) -> bool {
        self.renamed
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn panes(&self) -> &BTreeMap<PaneId, AppId> {
        &self.panes
    }

    pub fn active(&self) -> PaneId {
        self.active
    }

    /// The app with focus: the top floating pane's while the floating layer is shown, else
    /// the focused tiled pane's.
    pub fn active_app(&self) -> Option<AppId> {
        match self.focused_float() {
            Some(f) => Some(f.app),
            None => self.panes.get(&self.active).copied(),
        }
    }

    /// Moves focus to `pane`, remembering the previous one.
    fn focus(&mut self, pane: PaneId) {
        if pane != self.active && self.panes.contains_key(&pane) {
            self.last = Some(self.active);
            self.active = pane;
        }
    }
}

/// Where a session came from: what its new apps start with.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The environment new apps start from (the creating client's).
    pub env: Vec<(String, String)>,
    /// The working directory of ad-hoc apps (the creating client's).
    pub cwd: Option<String>,
    /// The project file the session came from, if any.
    pub project_file: Option<String>,
}

#[derive(Debug)]
pub struct Session {
    id: SessionId,
    name: String,
    created: SystemTime,
    /// Apps in the order they were added.
    apps: Vec<AppId>,
    windows: Vec<Window>,
    active_window: usize,
    /// The previously active tab.
    last_window: Option<usize>,
    /// Used to pick the session for `attach` without `-t`.
    last_used: Instant,
    /// The client whose size the session's apps follow.
    size_owner: Option<ClientId>,
    /// The size apps get when no client is attached.
    detached_size: Size,
    origin: Origin,
    /// For each entry with `instances`, the spec its next instance is made from (that of the
    /// last instance added), kept while it has none so `scale` can bring them back.
    groups: BTreeMap<String, AppSpec>,
    /// The apps of floating panes whose tab closed under them, for the server to retire.
    dropped_floats: Vec<AppId>,
}

impl Session {
    /// A session with no apps or tabs yet, created at `created`, sized `size` until a client
    /// attaches.
    pub fn new(
        id: SessionId,
        name: String,
        created: SystemTime,
        size: Size,
        origin: Origin,
    ) -> Self {
        Self {
            id,
            name,
            created,
            apps: Vec::new(),
            windows: Vec::new(),
            active_window: 0,
            last_window: None,
            dropped_floats: Vec::new(),
            last_used: Instant::now(),
            size_owner: None,
            detached_size: size,
            origin,
            groups: BTreeMap::new(),
        }
    }

    pub fn id(&self) -> SessionId {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The caller checks the name (valid, not taken).
    pub fn rename(&mut self, name: String) {
        self.name = name;
    }

    pub fn created(&self) -> SystemTime {
        self.created
    }

    pub fn apps(&self) -> &[AppId] {
        &self.apps
    }

    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    pub fn active_window_index(&self) -> usize {
        self.active_window
    }

    pub fn last_used(&self) -> Instant {
        self.last_used
    }

    pub fn size_owner(&self) -> Option<ClientId> {
        self.size_owner
    }

    pub fn detached_size(&self) -> Size {
        self.detached_size
    }

    pub fn env(&self) -> &[(String, String)] {
        &self.origin.env
    }

    pub fn cwd(&self) -> Option<&str> {
        self.origin.cwd.as_deref()
    }

    pub fn project_file(&self) -> Option<&str> {
        self.origin.project_file.as_deref()
    }

    pub fn active_window(&self) -> Option<&Window> {
        self.windows.get(self.active_window)
    }

    fn active_window_mut(&mut self) -> Result<&mut Window, String> {
        self.windows
            .get_mut(self.active_window)
            .ok_or_else(|| "the session has no window".to_owned())
    }

    /// The app in the focused pane.
    pub fn focused_app(&self) -> Option<AppId> {
        self.active_window()?.active_app()
    }

    /// Every app shown in some pane of some window.
    pub fn shown_apps(&self) -> impl Iterator<Item = AppId> + '_ {
        self.windows.iter().flat_map(|w| {
            w.panes
                .values()
                .copied()
                .chain(w.floats.iter().map(|f| f.app))
        })
    }

    pub fn shows(&self, app: AppId) -> bool {
        self.shown_apps().any(|a| a == app)
    }

    /// The session was used now (`attach` without `-t` picks the most recent).
    pub fn touch(&mut self) {
        self.last_used = Instant::now();
    }

    /// Whose size the apps follow; true when that changed.
    pub fn set_size_owner(&mut self, owner: Option<ClientId>) -> bool {
        let changed = self.size_owner != owner;
        self.size_owner = owner;
        changed
    }

    pub fn add_app(&mut self, app: AppId) {
        if !self.apps.contains(&app) {
            self.apps.push(app);
        }
    }

    pub fn remove_app(&mut self, app: AppId) {
        self.apps.retain(|a| *a != app);
    }

    /// An instance was added or given a new spec: new instances of its entry are made from it.
    pub fn remember_instance(&mut self, spec: &AppSpec) {
        if let Some(instance) = &spec.instance {
            self.groups.insert(instance.group.clone(), spec.clone());
        }
    }

    /// What new instances of the entry `group` are made from, if the session has that entry.
    pub fn group(&self, group: &str) -> Option<&AppSpec> {
        self.groups.get(group)
    }

    /// Every entry with instances, with the spec its instances are made from.
    pub fn groups(&self) -> impl Iterator<Item = (&str, &AppSpec)> {
        self.groups.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Keeps the entries `keep` says the session still has (after a reload).
    pub fn retain_groups(&mut self, keep: impl Fn(&str) -> bool) {
        self.groups.retain(|name, _| keep(name));
    }

    /// A new tab showing `app` in its one pane, which becomes the active tab.
    pub fn new_tab(&mut self, name: String, pane: PaneId, app: AppId) {
        self.windows.push(Window::new(name, pane, app));
        if self.windows.len() > 1 {
            self.last_window = Some(self.active_window);
        }
        self.active_window = self.windows.len() - 1;
    }

    /// The tabs of a restored session, with the one that was active.
    pub fn restore_tabs(&mut self, windows: Vec<Window>, active: usize) {
        self.active_window = active.min(windows.len().saturating_sub(1));
        self.last_window = None;
        self.windows = windows;
    }

    /// Next, previous or a numbered tab.
    pub fn select_tab(&mut self, how: &TabAction) -> Result<(), String> {
        let count = self.windows.len().max(1);
        let target = match how {
            TabAction::Next => (self.active_window + 1) % count,
            TabAction::Prev => (self.active_window + count - 1) % count,
            TabAction::Select(n) => *n as usize,
            _ => self.active_window,
        };
        if target >= self.windows.len() {
            return Err(format!("no tab {target}"));
        }
        if target != self.active_window {
            self.last_window = Some(self.active_window);
            self.active_window = target;
        }
        Ok(())
    }

    /// Goes back to the tab that was active before (tmux `last-window`).
    pub fn last_tab(&mut self) -> Result<(), String> {
        let last = self
            .last_window
            .filter(|l| *l < self.windows.len() && *l != self.active_window)
            .ok_or("no last tab")?;
        self.select_tab(&TabAction::Select(last as u32))
    }

    /// Makes tab `index` active and focuses `pane` in it, if given (the switcher's choice).
    pub fn select(&mut self, index: usize, pane: Option<PaneId>) -> Result<(), String> {
        self.select_tab(&TabAction::Select(u32::try_from(index).unwrap_or(u32::MAX)))?;
        if let Some(pane) = pane {
            let w = self.active_window_mut()?;
            if !w.panes.contains_key(&pane) {
                return Err("no such pane".into());
            }
            w.focus(pane);
        }
        Ok(())
    }

    /// Moves the focused pane out of its tab into a new tab of its own, which becomes active
    /// (tmux `break-pane`). A tab's only pane stays where it is.
    pub fn break_pane(&mut self) -> Result<(), String> {
        let w = self.active_window_mut()?;
        if w.layout.len() < 2 {
            return Err("can't break with only one pane".into());
        }
        let pane = w.active;
        let app = w.panes.remove(&pane).ok_or("no such pane")?;
        let next = w.layout.close(pane);
        let focus = w
            .last
            .filter(|l| w.panes.contains_key(l))
            .or(next)
            .unwrap_or(pane);
        w.active = focus;
        w.last = None;
        w.preset = None;
        self.new_tab(String::new(), pane, app);
        Ok(())
    }

    /// Renames tab `index` (the switcher's `,`).
    pub fn rename_tab_at(&mut self, index: usize, name: String) -> Result<(), String> {
        let w = self
            .windows
            .get_mut(index)
            .ok_or_else(|| format!("no tab {index}"))?;
        w.name = name;
        w.renamed = true;
        Ok(())
    }

    pub fn rename_tab(&mut self, name: String) -> Result<(), String> {
        let w = self.active_window_mut()?;
        w.name = name;
        w.renamed = true;
        Ok(())
    }

    /// Tabs not renamed by the user take the name of their focused app.
    pub fn name_tabs(&mut self, app_name: impl Fn(AppId) -> Option<String>) {
        for w in &mut self.windows {
            if !w.renamed
                && let Some(name) = w.panes.get(&w.active).copied().and_then(&app_name)
            {
                w.name = name;
            }
        }
    }

    /// Removes tab `index` (never the last one); returns the apps its panes showed.
    pub fn close_tab(&mut self, index: usize) -> Option<Vec<AppId>> {
        if index >= self.windows.len() || self.windows.len() < 2 {
            return None;
        }
        let w = self.windows.remove(index);
        self.active_window = self
            .last_window
            .filter(|l| *l < self.windows.len())
            .unwrap_or(0);
        self.last_window = None;
        Some(
            w.panes
                .into_values()
                .chain(w.floats.iter().map(|f| f.app))
                .collect(),
        )
    }

    /// Whether the focused pane can be split along `axis` in `area`.
    pub fn can_split(&self, axis: Axis, area: Rect) -> Result<(), String> {
        let w = self.active_window().ok_or("the session has no window")?;
        if !w.layout.can_split(w.active, axis, area) {
            return Err("no room for another pane".into());
        }
        Ok(())
    }

    /// Splits the focused pane; the new `pane` shows `app` and takes focus. Returns its size.
    pub fn split(
        &mut self,
        axis: Axis,
        area: Rect,
        pane: PaneId,
        app: AppId,
    ) -> Result<Size, String> {
        self.can_split(axis, area)?;
        let w = self.active_window_mut()?;
        let active = w.active;
        w.layout.split(active, axis, pane);
        w.panes.insert(pane, app);
        w.focus(pane);
        w.preset = None;
        let rect = w
            .layout
            .rects(area)
            .into_iter()
            .find(|(p, _)| *p == pane)
            .map_or(area, |(_, r)| r);
        Ok(Size {
            cols: rect.width.max(1),
            rows: rect.height.max(1),
        })
    }

    /// Whether closing the focused pane would leave the session empty.
    pub fn on_last_pane(&self) -> bool {
        self.windows.len() < 2 && self.active_window().is_none_or(|w| w.layout.len() < 2)
    }

    /// Closes a pane wherever it is; the last pane of a tab closes the tab. Returns the app it
    /// showed.
    pub fn close_pane(&mut self, pane: PaneId) -> Result<Option<AppId>, String> {
        if let Some(app) = self.close_float(pane) {
            return Ok(Some(app));
        }
        let wi = self
            .windows
            .iter()
            .position(|w| w.panes.contains_key(&pane))
            .ok_or("no such pane")?;
        let w = &mut self.windows[wi];
        let app = w.panes.remove(&pane);
        let next = w.layout.close(pane);
        if w.layout.is_empty() {
            let gone = self.windows.remove(wi);
            self.dropped_floats
                .extend(gone.floats.iter().map(|f| f.app));
            self.active_window = self.active_window.min(self.windows.len().saturating_sub(1));
        } else if let Some(next) = next {
            let focus = w.last.filter(|l| w.panes.contains_key(l)).unwrap_or(next);
            w.active = focus;
            w.last = None;
        }
        Ok(app)
    }

    /// Shows `app` in the focused pane; returns the app it showed before.
    pub fn show(&mut self, app: AppId) -> Result<Option<AppId>, String> {
        let w = self.active_window_mut()?;
        let active = w.active;
        Ok(w.panes.insert(active, app))
    }

    /// The panes of every tab that show `app`.
    pub fn panes_showing(&self, app: AppId) -> Vec<PaneId> {
        self.windows
            .iter()
            .flat_map(|w| {
                w.panes
                    .iter()
                    .map(|(p, a)| (*p, *a))
                    .chain(w.floats.iter().map(|f| (f.pane, f.app)))
            })
            .filter(|(_, a)| *a == app)
            .map(|(p, _)| p)
            .collect()
    }

    /// How many panes the session has, in every tab.
    pub fn pane_count(&self) -> usize {
        self.windows
            .iter()
            .map(|w| w.panes.len() + w.floats.len())
            .sum()
    }

    /// Shows `app` in `pane`, in whichever tab it is, without moving focus; returns the app it
    /// showed before.
    pub fn show_in(&mut self, pane: PaneId, app: AppId) -> Result<Option<AppId>, String> {
        let w = self
            .windows
            .iter_mut()
            .find(|w| w.panes.contains_key(&pane))
            .ok_or("no such pane")?;
        Ok(w.panes.insert(pane, app))
    }

    /// Focuses `pane` of the active tab.
    pub fn focus_pane(&mut self, pane: PaneId) -> Result<(), String> {
        self.active_window_mut()?.focus(pane);
        Ok(())
    }

    /// Drags a border of the active tab to `to`; true when something moved.
    pub fn drag_border(&mut self, area: Rect, border: &Border, to: u16) -> bool {
        self.active_window_mut()
            .is_ok_and(|w| w.layout.drag(area, border, to))
    }

    /// The pane edits that touch only the layout and focus of the active tab.
    pub fn edit_panes(&mut self, a: &PaneAction, area: Rect) -> Result<(), String> {
        let w = self.active_window_mut()?;
        let active = w.active;
        match a {
            PaneAction::Focus(d) => {
                if let Some(p) = w.layout.neighbor(area, active, (*d).into()) {
                    w.focus(p);
                }
            }
            PaneAction::Next => {
                let p = w.layout.next(active);
                w.focus(p);
            }
            PaneAction::Prev => {
                let p = w.layout.prev(active);
                w.focus(p);
            }
            PaneAction::Last => {
                let last = w
                    .last
                    .filter(|l| *l != active && w.panes.contains_key(l))
                    .ok_or("no last pane")?;
                w.focus(last);
            }
            PaneAction::Select(n) => {
                let p = *w
                    .layout
                    .panes()
                    .get(*n as usize)
                    .ok_or_else(|| format!("no pane {n}"))?;
                w.focus(p);
            }
            PaneAction::Resize(d, cells) => {
                w.layout
                    .resize(active, (*d).into(), i32::from(*cells), area);
            }
            PaneAction::Zoom => w.layout.toggle_zoom(active),
            PaneAction::SwapNext => {
                let other = w.layout.next(active);
                w.layout.swap(active, other);
            }
            PaneAction::SwapPrev => {
                let other = w.layout.prev(active);
                w.layout.swap(active, other);
            }
            PaneAction::LayoutNext => {
                let next = w.preset.map_or(Preset::EvenHorizontal, Preset::next);
                w.preset = Some(next);
                w.layout.apply_preset(next, active);
            }
            PaneAction::Layout(p) => {
                w.preset = Some(preset(*p));
                w.layout.apply_preset(preset(*p), active);
            }
            PaneAction::Break => return self.break_pane(),
            PaneAction::SplitRight
            | PaneAction::SplitDown
            | PaneAction::Close
            | PaneAction::Numbers => {}
        }
        Ok(())
    }
}

fn preset(p: LayoutPreset) -> Preset {
    match p {
        LayoutPreset::EvenHorizontal => Preset::EvenHorizontal,
        LayoutPreset::EvenVertical => Preset::EvenVertical,
        LayoutPreset::MainVertical => Preset::MainVertical,
        LayoutPreset::MainHorizontal => Preset::MainHorizontal,
        LayoutPreset::Tiled => Preset::Tiled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect::new(0, 0, 80, 24);

    fn session() -> Session {
        let size = Size { cols: 80, rows: 24 };
        let mut s = Session::new(
            SessionId(1),
            "s".into(),
            SystemTime::UNIX_EPOCH,
            size,
            Origin::default(),
        );
        s.add_app(AppId(10));
        s.new_tab("a".into(), PaneId(1), AppId(10));
        s
    }

    #[test]
    fn a_split_focuses_the_new_pane_and_a_close_goes_back() {
        let mut s = session();
        let size = s
            .split(Axis::Horizontal, AREA, PaneId(2), AppId(11))
            .unwrap();
        assert!(size.cols < 80 && size.rows == 24, "{size:?}");
        assert_eq!(s.focused_app(), Some(AppId(11)));
        assert_eq!(s.close_pane(PaneId(2)).unwrap(), Some(AppId(11)));
        assert_eq!(s.focused_app(), Some(AppId(10)));
        assert!(s.on_last_pane());
    }

    #[test]
    fn showing_an_app_returns_the_one_it_replaces() {
        let mut s = session();
        assert_eq!(s.show(AppId(12)).unwrap(), Some(AppId(10)));
        assert!(s.shows(AppId(12)) && !s.shows(AppId(10)));
    }

    #[test]
    fn panes_showing_an_app_are_found_in_every_tab_and_replaced_in_place() {
        let mut s = session();
        s.split(Axis::Horizontal, AREA, PaneId(2), AppId(11))
            .unwrap();
        s.new_tab("b".into(), PaneId(3), AppId(10));
        assert_eq!(s.pane_count(), 3);
        assert_eq!(s.panes_showing(AppId(10)), [PaneId(1), PaneId(3)]);
        assert_eq!(s.show_in(PaneId(1), AppId(12)).unwrap(), Some(AppId(10)));
        assert_eq!(s.panes_showing(AppId(10)), [PaneId(3)]);
        // Focus stays where it was: the new tab's pane.
        assert_eq!(s.focused_app(), Some(AppId(10)));
        assert!(s.show_in(PaneId(9), AppId(12)).is_err());
    }

    #[test]
    fn tabs_cycle_remember_the_last_and_never_close_the_only_one() {
        let mut s = session();
        assert_eq!(s.close_tab(0), None);
        s.new_tab("b".into(), PaneId(2), AppId(11));
        assert_eq!(s.active_window_index(), 1);
        s.select_tab(&TabAction::Next).unwrap();
        assert_eq!(s.active_window_index(), 0);
        assert!(s.select_tab(&TabAction::Select(5)).is_err());
        assert_eq!(s.close_tab(0), Some(vec![AppId(10)]));
        assert_eq!(s.windows().len(), 1);
        assert_eq!(s.focused_app(), Some(AppId(11)));
    }

    #[test]
    fn unrenamed_tabs_follow_their_focused_app() {
        let mut s = session();
        s.name_tabs(|a| Some(format!("app{}", a.0)));
        assert_eq!(s.windows()[0].name(), "app10");
        s.rename_tab("mine".into()).unwrap();
        s.name_tabs(|a| Some(format!("app{}", a.0)));
        assert_eq!(s.windows()[0].name(), "mine");
    }

    #[test]
    fn pane_edits_move_focus_and_zoom() {
        let mut s = session();
        s.split(Axis::Horizontal, AREA, PaneId(2), AppId(11))
            .unwrap();
        s.edit_panes(&PaneAction::Focus(crate::action::Direction::Left), AREA)
            .unwrap();
        assert_eq!(s.focused_app(), Some(AppId(10)));
        s.edit_panes(&PaneAction::Zoom, AREA).unwrap();
        assert_eq!(
            s.active_window().unwrap().layout().zoomed(),
            Some(PaneId(1))
        );
        assert!(s.edit_panes(&PaneAction::Select(7), AREA).is_err());
    }

    #[test]
    fn the_last_pane_is_the_one_focused_before() {
        let mut s = session();
        assert!(s.edit_panes(&PaneAction::Last, AREA).is_err());
        s.split(Axis::Horizontal, AREA, PaneId(2), AppId(11))
            .unwrap();
        s.split(Axis::Vertical, AREA, PaneId(3), AppId(12)).unwrap();
        // 3 has focus, 2 had it before.
        s.edit_panes(&PaneAction::Last, AREA).unwrap();
        assert_eq!(s.focused_app(), Some(AppId(11)));
        // And back: the last of the last is where we were.
        s.edit_panes(&PaneAction::Last, AREA).unwrap();
        assert_eq!(s.focused_app(), Some(AppId(12)));
        s.edit_panes(&PaneAction::Select(0), AREA).unwrap();
        s.edit_panes(&PaneAction::Last, AREA).unwrap();
        assert_eq!(s.focused_app(), Some(AppId(12)));
    }

    #[test]
    fn the_last_tab_is_the_one_active_before() {
        let mut s = session();
        assert!(s.last_tab().is_err());
        s.new_tab("b".into(), PaneId(2), AppId(11));
        s.new_tab("c".into(), PaneId(3), AppId(12));
        s.select_tab(&TabAction::Select(0)).unwrap();
        s.last_tab().unwrap();
        assert_eq!(s.active_window_index(), 2);
        s.last_tab().unwrap();
        assert_eq!(s.active_window_index(), 0);
        // Selecting the tab already active keeps the last one.
        s.select_tab(&TabAction::Select(0)).unwrap();
        s.last_tab().unwrap();
        assert_eq!(s.active_window_index(), 2);
    }

    #[test]
    fn breaking_a_pane_moves_it_to_a_new_tab_and_a_lone_pane_stays() {
        let mut s = session();
        assert!(s.break_pane().is_err());
        s.split(Axis::Horizontal, AREA, PaneId(2), AppId(11))
            .unwrap();
        s.edit_panes(&PaneAction::Break, AREA).unwrap();
        assert_eq!(s.windows().len(), 2);
        assert_eq!(s.active_window_index(), 1);
        assert_eq!(s.focused_app(), Some(AppId(11)));
        assert_eq!(s.windows()[0].layout().len(), 1);
        assert_eq!(s.windows()[0].active(), PaneId(1));
        // The switcher's choice: a tab and a pane in it.
        s.select(0, Some(PaneId(1))).unwrap();
        assert_eq!(s.focused_app(), Some(AppId(10)));
        assert!(s.select(1, Some(PaneId(1))).is_err());
        assert!(s.select(5, None).is_err());
    }

    #[test]
    fn a_restored_tab_must_fit_together() {
        let layout = Layout::new(PaneId(1));
        let panes = BTreeMap::from([(PaneId(1), AppId(1))]);
        assert!(
            Window::restored("t".into(), false, layout.clone(), panes.clone(), PaneId(1)).is_some()
        );
        assert!(Window::restored("t".into(), false, layout, panes, PaneId(2)).is_none());
    }
}
