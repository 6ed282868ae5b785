#!/usr/bin/python3
"""The operator files in docs/ops/ checked against a running agorad:

1. docs/ops/prometheus-alerts.yml is a Prometheus rule file (groups of rules,
   each with alert, expr, a severity label and a summary);
2. docs/ops/grafana-dashboard.json is a Grafana dashboard (unique panel ids,
   a grid position each, Prometheus targets);
3. every agora_* metric named by an alert or a panel exists on a real
   single-validator devnet's /metrics (a `# TYPE` line; a histogram's
   _bucket/_sum/_count series count as the histogram), and every label an
   expression groups by, matches on or prints is one of its metrics' labels
   (from docs/api.md's metrics table) or one Prometheus adds;
4. docs/ops/agorad.service passes `systemd-analyze verify` with ExecStart
   pointing at the built agorad, and agorad accepts its command line.

Run by ctest (test/CMakeLists.txt):
  ops_files_test.py --agorad PATH --agora PATH --source-dir DIR
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node", "http"))
from agora_devnet import Devnet  # noqa: E402

try:
    import yaml
except ImportError:
    print("python3-yaml is missing: run scripts/setup.sh", file=sys.stderr)
    sys.exit(1)

METRIC = re.compile(r"\bagora_[a-z0-9_]+")
# Labels Prometheus itself attaches or histogram_quantile needs.
PROMETHEUS_LABELS = {"instance", "job", "le"}
SEVERITIES = {"critical", "warning", "info"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}


def fail(msg):
    raise AssertionError(msg)


def documented_labels(source_dir):
    """metric name -> set of label names, from the metrics table of docs/api.md."""
    labels = {}
    row = re.compile(r"^\| `(agora_[a-z0-9_]+)` \| (\w+) \|([^|]*)\|")
    with open(os.path.join(source_dir, "docs", "api.md")) as f:
        for line in f:
            m = row.match(line)
            if m:
                labels[m.group(1)] = set(re.findall(r"`([a-z_]+)`", m.group(3)))
    if not labels:
        fail("docs/api.md has no metrics table")
    return labels


def alert_exprs(path):
    """[(where, expr, texts that may print labels)] of a Prometheus rule file, checking its shape."""
    with open(path) as f:
        doc = yaml.safe_load(f)
    out, names = [], set()
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not groups:
        fail("%s: no groups" % path)
    for g in groups:
        if not g.get("name") or not g.get("rules"):
            fail("%s: a group without a name or rules: %r" % (path, g))
        for r in g["rules"]:
            name = r.get("alert")
            if not name or not isinstance(r.get("expr"), str):
                fail("%s: a rule without alert or expr: %r" % (path, r))
            if name in names:
                fail("%s: alert %s twice" % (path, name))
            names.add(name)
            if r.get("labels", {}).get("severity") not in SEVERITIES:
                fail("%s: %s has no severity among %s" % (path, name, sorted(SEVERITIES)))
            if not r.get("annotations", {}).get("summary"):
                fail("%s: %s has no summary" % (path, name))
            if "for" in r and not re.fullmatch(r"\d+[smh]", str(r["for"])):
                fail("%s: %s has a bad `for`: %r" % (path, name, r["for"]))
            out.append(("alert " + name, r["expr"], list(r.get("annotations", {}).values())))
    return out


def dashboard_exprs(path):
    """[(where, expr, legends)] of a Grafana dashboard, checking its shape."""
    with open(path) as f:
        doc = json.load(f)
    for key in ("title", "uid", "panels", "schemaVersion"):
        if key not in doc:
            fail("%s: no %s" % (path, key))
    out, ids = [], set()
    for p in doc["panels"]:
        if p.get("id") in ids:
            fail("%s: panel id %s twice" % (path, p.get("id")))
        ids.add(p.get("id"))
        pos = p.get("gridPos", {})
        if not all(isinstance(pos.get(k), int) for k in ("x", "y", "w", "h")) or pos["x"] + pos["w"] > 24:
            fail("%s: panel %r has a bad gridPos %r" % (path, p.get("title"), pos))
        if p["type"] == "row":
            continue
        if not p.get("targets"):
            fail("%s: panel %r has no targets" % (path, p.get("title")))
        for t in p["targets"]:
            out.append(("panel " + p["title"], t["expr"], [t.get("legendFormat", "")]))
    for v in doc.get("templating", {}).get("list", []):
        q = v.get("query", {})
        out.append(("variable " + v["name"], q.get("query", "") if isinstance(q, dict) else q, []))
    return out


def metric_families(text):
    """name -> type of every `# TYPE` line of a /metrics answer."""
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))


def family_of(name, families):
    if name in families:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and families.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return None


def labels_used(expr, printed):
    """Label names an expression groups by, matches on or prints."""
    used = set()
    for group in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", expr):
        used |= {x.strip() for x in group.split(",") if x.strip()}
    for matchers in re.findall(r"\{([^{}]*)\}", expr):
        used |= set(re.findall(r"([a-z_]+)\s*(?:=~|!~|!=|=)", matchers))
    for text in printed:
        used |= set(re.findall(r"\$labels\.([a-z_]+)", text))
        used |= set(re.findall(r"\{\{\s*([a-z_]+)\s*\}\}", text))
    used.discard("__name__")
    return used - PROMQL_WORDS


def check_against(families, documented, exprs):
    problems, checked = [], set()
    for where, expr, printed in exprs:
        names = set(METRIC.findall(expr))
        allowed = set(PROMETHEUS_LABELS)
        for name in sorted(names):
            fam = family_of(name, families)
            if fam is None:
                problems.append("%s names %s, which the node does not export" % (where, name))
                continue
            checked.add(fam)
            allowed |= documented.get(fam, set())
            if fam not in documented:
                problems.append("%s names %s, which docs/api.md does not list" % (where, fam))
        for label in sorted(labels_used(expr, printed)):
            if label not in allowed:
                problems.append("%s uses label %r, which none of %s has" % (where, label, sorted(names)))
    return problems, checked


def check_systemd_unit(path, agorad, work):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        fail("systemd-analyze is missing: run scripts/setup.sh")
    with open(path) as f:
        unit = f.read()
    m = re.search(r"^ExecStart=(\S+) (.*)$", unit, re.M)
    if not m:
        fail("%s: no ExecStart" % path)
    binary, args = m.group(1), m.group(2).split()
    if os.path.basename(binary) != "agorad":
        fail("%s: ExecStart runs %s, not agorad" % (path, binary))
    local = os.path.join(work, "agorad.service")
    with open(local, "w") as f:
        f.write(unit.replace(binary, os.path.abspath(agorad)))
    p = subprocess.run([analyze, "verify", local], capture_output=True, text=True, timeout=60)
    # verify also reports the host's own units; only lines about this unit count.
    mine = [l for l in (p.stdout + p.stderr).splitlines() if "agorad.service" in l and "User=" not in l]
    if mine:
        fail("systemd-analyze verify %s:\n%s" % (path, "\n".join(mine)))
    # agorad accepts the command line (`start --help` parses every option, then prints help).
    home_flag = args.index("--home")
    start = args[home_flag + 2:]
    p = subprocess.run([agorad, "--home", os.path.join(work, "home")] + start + ["--help"], capture_output=True,
                       text=True, timeout=30)
    if p.returncode != 0:
        fail("agorad does not accept the unit's command line %r: %s%s" % (args, p.stdout, p.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agorad", required=True)
    ap.add_argument("--agora", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    ops = os.path.join(a.source_dir, "docs", "ops")
    exprs = alert_exprs(os.path.join(ops, "prometheus-alerts.yml")) + \
        dashboard_exprs(os.path.join(ops, "grafana-dashboard.json"))
    documented = documented_labels(a.source_dir)
    work = tempfile.mkdtemp(prefix="agora-ops-")
    net = Devnet(a.agorad, a.agora, work)
    try:
        check_systemd_unit(os.path.join(ops, "agorad.service"), a.agorad, work)
        net.start()
        status, _, body = net.request("GET", "/metrics")
        if status != 200:
            fail("GET /metrics -> %d" % status)
        families = metric_families(body.decode())
        problems, checked = check_against(families, documented, exprs)
        if problems:
            fail("\n".join(problems))
        print("ops files: %d expressions, %d metrics checked on a running node: ok" % (len(exprs), len(checked)))
    except Exception:
        if net.proc:
            print(net.node_log(), file=sys.stderr)
        raise
    finally:
        net.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
