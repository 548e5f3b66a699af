//! Reloading a session's project file (`appmux reload`, the `app.reload` action): the file is
//! read and validated again, compared with the session's apps ([`plan`], pure), and the
//! difference applied (a file that does not load is reported as `appmux check` reports it,
//! every problem with its file, line and column). New apps are added (and started when `autostart`), apps whose spec
//! changed take the new spec and are restarted if they were up, apps the file no longer has are
//! deleted (see `delete`), and every other app is not touched. A file that does not load, a
//! name that clashes, or a session that would be left empty changes nothing.
//!
//! The apps compared are the project's own and the ad-hoc ones whose names the file now has
//! (`run --save` writes them there), which become the project's. Other ad-hoc apps and the
//! shells of split panes are not the file's and are left alone.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::app::lifecycle::Control;
use crate::config::AppSpec;
use crate::protocol::{ChangedApp, ReloadPlan};
use crate::server::Server;
use crate::server::apps::app_env;
use crate::server::model::{AppId, SessionId};

/// What it takes to go from the `current` apps to the `wanted` ones, by name: the apps to add
/// and those that changed in the file's order, the apps to remove in the current order.
pub fn plan(current: &[AppSpec], wanted: &[AppSpec]) -> ReloadPlan {
    let find = |list: &[AppSpec], name: &str| list.iter().position(|s| s.name == name);
    let mut result = ReloadPlan::default();
    for new in wanted {
        match find(current, &new.name) {
            None => result.added.push(new.name.clone()),
            Some(i) => {
                let fields = changed_fields(&current[i], new);
                if !fields.is_empty() {
                    result.changed.push(ChangedApp {
                        app: new.name.clone(),
                        fields,
                    });
                }
            }
        }
    }
    result.removed = current
        .iter()
        .filter(|s| find(wanted, &s.name).is_none())
        .map(|s| s.name.clone())
        .collect();
    result
}

/// The config keys whose values differ between two specs of one app, sorted. Specs are
/// compared through their serialized form, key by key, so a field added to `AppSpec` is
/// compared (and named by its key) without a change here.
pub fn changed_fields(old: &AppSpec, new: &AppSpec) -> Vec<String> {
    let as_map = |spec: &AppSpec| match serde_json::to_value(spec) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let (Some(old_map), Some(new_map)) = (as_map(old), as_map(new)) else {
        // Not expected (a spec is a plain struct); compare it whole rather than not at all.
        return match old == new {
            true => Vec::new(),
            false => vec!["spec".to_owned()],
        };
    };
    let keys: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
    keys.into_iter()
        .filter(|k| *k != "name" && old_map.get(*k) != new_map.get(*k))
        .cloned()
        .collect()
}

/// The project file, or every problem in it, one a line, as `appmux check` reports them.
fn load(file: &Path) -> Result<crate::config::Project, String> {
    crate::config::load_project(file).map_err(|first| {
        let all: Vec<String> = crate::config::check_project(file)
            .iter()
            .map(ToString::to_string)
            .collect();
        match all.is_empty() {
            // Mended between the two reads: the problem that was found stands.
            true => first.to_string(),
            false => all.join("\n"),
        }
    })
}

impl Server {
    /// `app.reload`: the plan for `session`'s project file, applied unless `dry_run`.
    pub(super) fn reload(
        &mut self,
        session: SessionId,
        dry_run: bool,
    ) -> Result<ReloadPlan, String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        let file = s.project_file().ok_or_else(|| {
            format!(
                "session {} has no project file to reload (it was not started from one)",
                s.name()
            )
        })?;
        let project = load(Path::new(file))?;
        let declared: HashSet<&str> = project.apps.iter().map(|a| a.name.as_str()).collect();
        let current: Vec<AppSpec> = s
            .apps()
            .iter()
            .filter_map(|a| self.apps.get(a))
            .filter(|a| !a.is_pane_shell() && (!a.is_ad_hoc() || declared.contains(a.name())))
            .map(|a| a.spec().clone())
            .collect();
        let plan = plan(&current, &project.apps);
        self.check_reload(session, file, &plan, &project.apps)?;
        if !dry_run {
            self.apply_reload(session, project.apps, &plan);
        }
        Ok(plan)
    }

    /// Whatever would stop a reload half way is found before anything changes: an added name
    /// that a pane's shell has, a spec out of range, a session left without apps.
    fn check_reload(
        &self,
        session: SessionId,
        file: &str,
        plan: &ReloadPlan,
        wanted: &[AppSpec],
    ) -> Result<(), String> {
        for spec in wanted.iter().filter(|s| plan.added.contains(&s.name)) {
            if self.app_by_name(session, &spec.name).is_some() {
                return Err(format!(
                    "{file}: app `{}` has the name of a split pane's shell in this session; \
                     close that pane or rename the app",
                    spec.name
                ));
            }
            crate::names::check_app(&spec.name)
                .and_then(|()| spec.check_limits())
                .map_err(|e| format!("{file}: {e}"))?;
        }
        // Apps that depend on a removed one are the file's business: it does not load when
        // one of its apps depends on an app it no longer has.
        if plan.added.is_empty() {
            self.check_delete(session, &self.apps_by_names(session, &plan.removed))?;
        }
        Ok(())
    }

    /// Applies a checked plan: adds (and starts), respecs (and restarts), then removes. The
    /// entries with `instances` become the file's: `scale` makes new instances from its specs,
    /// and an entry the file no longer has instances of is forgotten.
    fn apply_reload(&mut self, session: SessionId, wanted: Vec<AppSpec>, plan: &ReloadPlan) {
        if let Some(s) = self.sessions.get_mut(&session) {
            let groups: HashSet<&str> = wanted
                .iter()
                .filter_map(|spec| spec.instance.as_ref().map(|i| i.group.as_str()))
                .collect();
            s.retain_groups(|g| groups.contains(g));
            for spec in &wanted {
                s.remember_instance(spec);
            }
        }
        let mut taken = self.app_names(session);
        for spec in wanted {
            let name = spec.name.clone();
            if plan.added.contains(&name) {
                let autostart = spec.autostart;
                match self.add_app_to(session, spec, false, true, &mut taken) {
                    Ok(id) if autostart => self.app_op(id, Control::Start),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(app = %name, "reload could not add the app: {e}"),
                }
                continue;
            }
            let Some(id) = self.app_by_name(session, &name) else {
                continue;
            };
            if let Some(app) = self.apps.get_mut(&id) {
                app.set_ad_hoc(false);
            }
            if plan.changed.iter().any(|c| c.app == name) {
                self.respec(session, id, spec);
            }
        }
        let removed = self.apps_by_names(session, &plan.removed);
        self.remove_apps(session, &removed);
        tracing::info!(?plan, "project file reloaded");
    }

    /// Gives an app its new spec, and restarts it if it was up so the new spec takes effect.
    fn respec(&mut self, session: SessionId, id: AppId, spec: AppSpec) {
        let session_env = self
            .sessions
            .get(&session)
            .map(|s| s.env().to_vec())
            .unwrap_or_default();
        let Some(app) = self.apps.get_mut(&id) else {
            return;
        };
        let env = app_env(&session_env, &spec);
        app.replace_spec(spec, env);
        self.watches_changed();
        let Some(app) = self.apps.get(&id) else {
            return;
        };
        if app.is_up() {
            self.app_op(id, Control::Restart);
        } else {
            self.app_changed(id);
        }
    }

    fn apps_by_names(&self, session: SessionId, names: &[String]) -> Vec<AppId> {
        names
            .iter()
            .filter_map(|n| self.app_by_name(session, n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;
    use crate::config::CommandSpec;

    fn spec(name: &str, cmd: &str) -> AppSpec {
        AppSpec::ad_hoc(
            name.into(),
            CommandSpec::Shell(cmd.into()),
            PathBuf::from("/srv"),
        )
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_same_apps_make_no_changes() {
        let apps = [spec("api", "serve"), spec("web", "npm start")];
        let p = plan(&apps, &apps);
        assert!(p.is_empty());
        assert_eq!(p.lines(), ["no changes"]);
    }

    #[test]
    fn added_changed_and_removed_apps_are_named_with_the_keys_that_differ() {
        let current = [spec("api", "serve"), spec("old", "x"), spec("web", "w")];
        let mut api = spec("api", "serve --port 9");
        api.env = vec![("PORT".into(), "9".into())];
        let wanted = [spec("extra", "e"), api, spec("web", "w")];
        let p = plan(&current, &wanted);
        assert_eq!(p.added, names(&["extra"]));
        assert_eq!(
            p.changed,
            [ChangedApp {
                app: "api".into(),
                fields: names(&["cmd", "env"]),
            }]
        );
        assert_eq!(p.removed, names(&["old"]));
        assert_eq!(p.lines(), ["+ extra", "~ api (cmd, env)", "- old"]);
    }

    #[test]
    fn every_field_is_named_by_its_config_key() {
        let old = spec("api", "serve");
        let mut new = old.clone();
        new.cwd = PathBuf::from("/elsewhere");
        new.autostart = false;
        new.restart = crate::config::RestartPolicy::Always;
        new.backoff.factor = 2.0;
        new.min_uptime = Duration::from_secs(9);
        new.max_restarts = 1;
        new.stop_signal = libc::SIGINT;
        new.stop_timeout = Duration::from_secs(1);
        new.log.max_files = 1;
        assert_eq!(
            changed_fields(&old, &new),
            [
                "autostart",
                "backoff",
                "cwd",
                "log",
                "max_restarts",
                "min_uptime",
                "restart",
                "stop_signal",
                "stop_timeout"
            ]
        );
    }

    #[test]
    fn order_follows_the_file_for_additions_and_the_session_for_removals() {
        let current = [spec("b", "1"), spec("a", "1")];
        let wanted = [spec("d", "1"), spec("c", "1")];
        let p = plan(&current, &wanted);
        assert_eq!(p.added, names(&["d", "c"]));
        assert_eq!(p.removed, names(&["b", "a"]));
    }
}
