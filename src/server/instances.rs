//! Apps that an entry with `instances` runs, as one group: `appmux scale APP N` (new instances
//! are added and started at the lowest free indexes, extra ones are stopped and removed,
//! highest index first), and a `depends_on` that names the entry, which means every instance
//! it has at the time. The specs of new instances come from `config::project::instances`;
//! the session keeps the spec they are made from (`Session::group`), so a group scaled to 0
//! can come back. This file looks up and routes; it holds no state of its own.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::app::lifecycle::Control;
use crate::config::AppSpec;
use crate::config::project::instances::{MAX_INSTANCES, instance_spec};
use crate::contract::{SCHEMA, ScaleReport};
use crate::dependency::Dependency;
use crate::server::Server;
use crate::server::model::{App, AppId, SessionId};

impl Server {
    /// The instances of the entry `group` in `session`, by index.
    pub(super) fn instances_of(&self, session: SessionId, group: &str) -> Vec<(u32, AppId)> {
        let Some(s) = self.sessions.get(&session) else {
            return Vec::new();
        };
        let mut found: Vec<(u32, AppId)> = s
            .apps()
            .iter()
            .filter_map(|id| {
                let instance = self.apps.get(id)?.spec().instance.as_ref()?;
                (instance.group == group).then_some((instance.index, *id))
            })
            .collect();
        found.sort_unstable();
        found
    }

    /// `app`'s `depends_on` as it stands now: an entry that names an entry with instances
    /// (and no app of that name) stands for each of its instances, with the same condition;
    /// for none while it has none.
    pub(super) fn dependencies_of<'a>(&self, app: &'a App) -> Cow<'a, [Dependency]> {
        let deps = &app.spec().depends_on;
        let session = app.session();
        let is_group = |d: &Dependency| {
            self.app_in(session, &d.app).is_none()
                && self
                    .sessions
                    .get(&session)
                    .is_some_and(|s| s.group(&d.app).is_some())
        };
        if !deps.iter().any(is_group) {
            return Cow::Borrowed(deps);
        }
        let mut resolved = Vec::with_capacity(deps.len());
        for dep in deps {
            if !is_group(dep) {
                resolved.push(dep.clone());
                continue;
            }
            for (_, id) in self.instances_of(session, &dep.app) {
                if let Some(member) = self.apps.get(&id) {
                    resolved.push(Dependency {
                        app: member.name().to_owned(),
                        ..dep.clone()
                    });
                }
            }
        }
        Cow::Owned(resolved)
    }

    /// `app.scale`: runs `count` instances of the entry `group`. Everything is checked before
    /// anything changes; the report names the instances started and stopped, in that order.
    pub(super) fn scale(
        &mut self,
        session: SessionId,
        group: &str,
        count: u32,
    ) -> Result<ScaleReport, String> {
        if count > MAX_INSTANCES {
            return Err(format!(
                "expected a number of instances from 0 to {MAX_INSTANCES}, found {count}"
            ));
        }
        let template = self.group_template(session, group)?;
        let members = self.instances_of(session, group);
        let from = members.len();
        let wanted = count as usize;
        let mut started = Vec::new();
        let mut stopped = Vec::new();
        if wanted > from {
            let specs = self.new_instances(session, group, &template, &members, wanted - from)?;
            let mut taken = self.app_names(session);
            for spec in specs {
                let name = spec.name.clone();
                let id = self.add_app_to(session, spec, false, true, &mut taken)?;
                self.app_op(id, Control::Start);
                started.push(name);
            }
        } else if wanted < from {
            // Highest index first: the instances that stay are the first ones.
            let doomed: Vec<AppId> = members[wanted..].iter().rev().map(|(_, id)| *id).collect();
            self.check_delete(session, &doomed)?;
            stopped = doomed
                .iter()
                .filter_map(|id| self.apps.get(id).map(|a| a.name().to_owned()))
                .collect();
            self.remove_apps(session, &doomed);
        }
        self.session_changed(session);
        tracing::info!(%group, from, to = count, ?started, ?stopped, "scaled");
        Ok(ScaleReport {
            schema: SCHEMA,
            app: group.to_owned(),
            from,
            to: count,
            started,
            stopped,
        })
    }

    /// The spec new instances of `group` are made from, or why `group` cannot be scaled.
    fn group_template(&self, session: SessionId, group: &str) -> Result<AppSpec, String> {
        let s = self.sessions.get(&session).ok_or("no such session")?;
        if let Some(template) = s.group(group) {
            return Ok(template.clone());
        }
        if let Some(app) = self
            .app_in(session, group)
            .and_then(|id| self.apps.get(&id))
        {
            return Err(match &app.spec().instance {
                Some(i) => format!(
                    "`{group}` is instance {} of `{}`; `appmux scale {}` changes how many run",
                    i.index, i.group, i.group
                ),
                None => format!(
                    "app `{group}` has no instances; give its entry `instances = N` in the project file to scale it"
                ),
            });
        }
        let groups: Vec<&str> = s.groups().map(|(name, _)| name).collect();
        let hint = crate::suggest::closest(group, groups.iter().copied())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        Err(format!(
            "can't find app `{group}` in session {}{hint}",
            s.name()
        ))
    }

    /// `n` new instance specs at the lowest indexes `members` leaves free, checked against
    /// the session's names.
    fn new_instances(
        &self,
        session: SessionId,
        group: &str,
        template: &AppSpec,
        members: &[(u32, AppId)],
        n: usize,
    ) -> Result<Vec<AppSpec>, String> {
        let used: HashSet<u32> = members.iter().map(|(i, _)| *i).collect();
        let taken = self.app_names(session);
        let groups: HashSet<&str> = self
            .sessions
            .get(&session)
            .map(|s| s.groups().map(|(name, _)| name).collect())
            .unwrap_or_default();
        (0..MAX_INSTANCES)
            .filter(|i| !used.contains(i))
            .take(n)
            .map(|i| {
                let spec = instance_spec(template, group, i).map_err(|e| format!("`{group}`: {e}"))?;
                if taken.contains(&spec.name) || groups.contains(spec.name.as_str()) {
                    return Err(format!(
                        "instance {i} of `{group}` would be named `{}`, which another app of the session has",
                        spec.name
                    ));
                }
                spec.check_limits()?;
                Ok(spec)
            })
            .collect()
    }
}
