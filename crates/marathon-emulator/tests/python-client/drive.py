"""Drives a Marathon at argv[1] with marathon-python (PyPI `marathon`), a client nobody in NGP wrote, through
the calls its users make. Prints one JSON line per call: {"call": name, "ok": bool, "detail": str}. The Rust test
`python_client.rs` runs it against the emulator and judges the lines; this script only calls and reports."""

import collections
import collections.abc
import json
import sys
import time

# marathon-python 0.13.0 encodes groups with collections.Iterable, which Python 3.10 moved to collections.abc:
# restore the old name so that the client itself runs (nothing about the server changes).
collections.Iterable = collections.abc.Iterable

from marathon import MarathonClient
from marathon.models import MarathonApp, MarathonGroup


def report(name, fn):
    try:
        detail = fn()
        print(json.dumps({"call": name, "ok": True, "detail": str(detail)[:200]}), flush=True)
    except Exception as e:  # every failure is reported, never raised: the Rust test names it
        print(json.dumps({"call": name, "ok": False, "detail": f"{type(e).__name__}: {e}"[:500]}), flush=True)


def settle(client):
    for _ in range(200):
        if not client.list_deployments():
            return
        time.sleep(0.05)


def main(url):
    c = MarathonClient(url)
    app = lambda: MarathonApp(cmd="sleep 1000", cpus=0.1, mem=32, instances=1)
    report("ping", lambda: c.ping())
    report("info", lambda: c.get_info().version)
    report("leader", lambda: c.get_leader())
    report("app create", lambda: c.create_app("/client/web", app()).id)
    settle(c)
    report("app get", lambda: c.get_app("/client/web").instances)
    report("app list", lambda: [a.id for a in c.list_apps()])
    report("app scale", lambda: c.scale_app("/client/web", instances=2))
    settle(c)
    report("app update", lambda: c.update_app("/client/web", MarathonApp(cmd="sleep 2000", cpus=0.1, mem=64, instances=2)))
    settle(c)
    report("app restart", lambda: c.restart_app("/client/web"))
    settle(c)
    report("app versions", lambda: c.list_versions("/client/web"))
    report("tasks", lambda: [t.id for t in c.list_tasks("/client/web")])
    report("queue", lambda: c.list_queue())
    report("deployments", lambda: c.list_deployments())
    report("app delete", lambda: c.delete_app("/client/web"))
    settle(c)
    group = lambda mem: MarathonGroup(id="/team", apps=[MarathonApp(id="/team/api", cmd="sleep 1000", cpus=0.1, mem=mem, instances=1)])
    report("group create", lambda: c.create_group(group(32)))
    settle(c)
    report("group update", lambda: c.update_group("/team", group(48)))
    settle(c)
    report("group get", lambda: c.get_group("/team").id)
    report("group delete", lambda: c.delete_group("/team"))
    settle(c)


if __name__ == "__main__":
    main(sys.argv[1])
