//! From a snapshot's tree to the body of a group PUT, and what that PUT would change.

use std::collections::BTreeMap;

use ngp_marathon::{App, Group, PathId};
use serde_json::Value;

/// The group `only` inside `root` (the root itself for `/`), if the tree has it.
pub fn select(root: Group, only: &PathId) -> Option<Group> {
    if same(&root.id, only) {
        return Some(root);
    }
    root.groups
        .into_iter()
        .find(|g| PathId::parse(&g.id).is_ok_and(|id| only.starts_with(&id)))
        .and_then(|g| select(g, only))
}

fn same(id: &str, other: &PathId) -> bool {
    PathId::parse(id).is_ok_and(|id| &id == other)
}

/// The live group with the snapshot's group laid over it: the snapshot's apps replace those of the same id, its
/// groups merge with those of the same id, its own fields and dependencies win; live apps and groups the
/// snapshot lacks stay. This is a restore that deletes nothing.
pub fn merge(live: Group, snap: Group) -> Group {
    let mut live_groups: BTreeMap<String, Group> = live.groups.into_iter().map(|g| (g.id.clone(), g)).collect();
    let mut groups: Vec<Group> = snap
        .groups
        .into_iter()
        .map(|g| match live_groups.remove(&g.id) {
            Some(l) => merge(l, g),
            None => g,
        })
        .collect();
    groups.extend(live_groups.into_values());
    let snap_apps: Vec<&str> = snap.apps.iter().map(|a| a.id.as_str()).collect();
    let mut apps: Vec<App> = live
        .apps
        .into_iter()
        .filter(|a| !snap_apps.contains(&a.id.as_str()))
        .collect();
    apps.extend(snap.apps);
    Group {
        id: snap.id,
        apps,
        groups,
        dependencies: snap.dependencies,
        version: None,
        fields: snap.fields,
    }
}

/// One app's change.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Create(String),
    /// With the top-level keys that differ.
    Update(String, Vec<String>),
    Remove(String),
}

/// What putting `body` over `live` changes, app by app (both in request form).
pub fn changes(live: &Group, body: &Group) -> Vec<Change> {
    let (before, after) = (apps_of(live), apps_of(body));
    let mut out = Vec::new();
    for (id, app) in &after {
        match before.get(id) {
            None => out.push(Change::Create(id.clone())),
            Some(old) if old != app => out.push(Change::Update(id.clone(), differing_keys(old, app))),
            Some(_) => {}
        }
    }
    out.extend(
        before
            .keys()
            .filter(|id| !after.contains_key(*id))
            .map(|id| Change::Remove(id.clone())),
    );
    out
}

fn apps_of(group: &Group) -> BTreeMap<String, Value> {
    let mut all: BTreeMap<String, Value> = group
        .apps
        .iter()
        .map(|a| (a.id.clone(), serde_json::to_value(a).expect("an app serialises")))
        .collect();
    for sub in &group.groups {
        all.extend(apps_of(sub));
    }
    all
}

fn differing_keys(old: &Value, new: &Value) -> Vec<String> {
    let (empty, o, n) = (serde_json::Map::new(), old.as_object(), new.as_object());
    let (o, n) = (o.unwrap_or(&empty), n.unwrap_or(&empty));
    let mut keys: Vec<String> = o
        .keys()
        .chain(n.keys())
        .filter(|k| o.get(*k) != n.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(v: Value) -> Group {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn select_finds_a_subtree() {
        let root =
            group(json!({"id": "/", "groups": [{"id": "/a", "groups": [{"id": "/a/b", "apps": [{"id": "/a/b/x"}]}]}]}));
        let b = select(root.clone(), &PathId::parse("/a/b").unwrap()).unwrap();
        assert_eq!(b.apps[0].id, "/a/b/x");
        assert!(select(root.clone(), &PathId::parse("/a/c").unwrap()).is_none());
        assert_eq!(select(root, &PathId::root()).unwrap().id, "/");
    }

    #[test]
    fn merge_keeps_what_the_snapshot_lacks_and_takes_what_it_has() {
        let live = group(
            json!({"id": "/", "apps": [{"id": "/keep", "cmd": "k"}, {"id": "/x", "cmd": "new"}],
            "groups": [{"id": "/g", "apps": [{"id": "/g/live"}]}]}),
        );
        let snap = group(json!({"id": "/", "apps": [{"id": "/x", "cmd": "old"}],
            "groups": [{"id": "/g", "apps": [{"id": "/g/snap"}], "dependencies": ["/x"]}]}));
        let merged = merge(live.clone(), snap.clone());
        let ids: Vec<&str> = merged.apps.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["/keep", "/x"]);
        assert_eq!(merged.apps[1].fields["cmd"], "old");
        assert_eq!(merged.groups[0].dependencies, ["/x"]);
        assert_eq!(merged.groups[0].apps.len(), 2);
        let diff = changes(&live, &merged);
        assert_eq!(
            diff,
            [
                Change::Create("/g/snap".into()),
                Change::Update("/x".into(), vec!["cmd".into()])
            ]
        );
        let pruned = changes(&live, &snap);
        assert!(pruned.contains(&Change::Remove("/keep".into())) && pruned.contains(&Change::Remove("/g/live".into())));
    }
}
