//! The full-pane pager's keys (the help list and an app's log): less's paging keys, `/`
//! search and `n`/`N`, and `t` to show when each line of a log began. The pager itself
//! (lines, position, drawing) is `render::overlay::Pager`; this module only decides what a
//! key does to it, for one client.

use crate::keys::{Key, KeyCode};
use crate::render::overlay::Pager;
use crate::server::Server;
use crate::server::model::ClientId;
use crate::server::modes::ClientMode;

impl Server {
    /// Rows of the area a client's pager is drawn in (the pane area), which its paging uses.
    pub(in crate::server) fn pager_height(&self, id: ClientId) -> u16 {
        self.client_areas(id).map_or(24, |areas| areas.panes.height)
    }

    pub(in crate::server) fn pager_key(
        &mut self,
        id: ClientId,
        mut pager: Pager,
        typing: Option<String>,
        key: Key,
    ) {
        let height = self.pager_height(id);
        if let Some(mut term) = typing {
            match key.code {
                KeyCode::Enter => {
                    pager.search = Some(term);
                    pager.find(true);
                    return self.set_mode(
                        id,
                        ClientMode::Pager {
                            pager,
                            typing: None,
                        },
                    );
                }
                KeyCode::Escape => {
                    return self.set_mode(
                        id,
                        ClientMode::Pager {
                            pager,
                            typing: None,
                        },
                    );
                }
                KeyCode::Backspace => {
                    term.pop();
                }
                KeyCode::Char(c) if !key.mods.ctrl => term.push(c),
                _ => {}
            }
            pager.search = Some(term.clone());
            return self.set_mode(
                id,
                ClientMode::Pager {
                    pager,
                    typing: Some(term),
                },
            );
        }
        if let Some(lines) = pager_motion(key, Pager::page(height)) {
            pager.scroll(lines, height);
            return self.set_mode(
                id,
                ClientMode::Pager {
                    pager,
                    typing: None,
                },
            );
        }
        match key.code {
            KeyCode::Char('q' | 'Q') | KeyCode::Escape => {
                return self.set_mode(id, ClientMode::Normal);
            }
            KeyCode::Char('g' | '<') | KeyCode::Home => pager.top = 0,
            KeyCode::Char('G' | '>') | KeyCode::End => pager.to_end(height),
            KeyCode::Char('n') => {
                pager.find(true);
            }
            KeyCode::Char('N') => {
                pager.find(false);
            }
            KeyCode::Char('t') => pager.toggle_times(),
            KeyCode::Char('/') => {
                return self.set_mode(
                    id,
                    ClientMode::Pager {
                        pager,
                        typing: Some(String::new()),
                    },
                );
            }
            _ => {}
        }
        self.set_mode(
            id,
            ClientMode::Pager {
                pager,
                typing: None,
            },
        );
    }
}

/// How many lines a key scrolls the pager, with less's keys: a line (`j`, `e`, `C-n`, Down,
/// Enter; back with `k`, `y`, `C-p`, Up), a page (Space, `f`, `C-f`, `C-v`, PgDn; back with
/// `b`, `C-b`, `M-v`, PgUp) and half a page (`d`, `C-d`; back with `u`, `C-u`). A page is
/// exactly the lines shown, so pages abut.
fn pager_motion(key: Key, page: usize) -> Option<isize> {
    let page = page as isize;
    let half = (page / 2).max(1);
    let (ctrl, alt) = (key.mods.ctrl, key.mods.alt);
    Some(match key.code {
        KeyCode::Down | KeyCode::Enter => 1,
        KeyCode::Up => -1,
        KeyCode::PageDown => page,
        KeyCode::PageUp => -page,
        KeyCode::Char('v') if alt => -page,
        KeyCode::Char(_) if alt => return None,
        KeyCode::Char('j' | 'e') => 1,
        KeyCode::Char('n') if ctrl => 1,
        KeyCode::Char('k' | 'y') => -1,
        KeyCode::Char('p') if ctrl => -1,
        KeyCode::Char(' ' | 'f') => page,
        KeyCode::Char('v') if ctrl => page,
        KeyCode::Char('b') => -page,
        KeyCode::Char('d') => half,
        KeyCode::Char('u') => -half,
        _ => return None,
    })
}
