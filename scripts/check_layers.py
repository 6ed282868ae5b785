#!/usr/bin/env python3
"""Fails when a source file includes a header from a layer it must not see.

Layers (docs/architecture.md) and what each may include by project path:

  consensus/core     consensus/core
  consensus/state    consensus/core, consensus/state
  consensus/engine   consensus/core, consensus/engine
  wallet             consensus/core, wallet
  contracts          consensus/core, consensus/state, contracts
  proto              (generated code only)
  node               everything

Tests under test/<layer>/ follow the rule of <layer> and may also include
test support code. The pure layers (core, state, engine, contracts) must also
stay free of I/O, clocks, threads and randomness, so some system headers are
forbidden there.

Inside node/, each top folder sits on one level (NODE_LEVELS, drawn in
docs/architecture.md). A file under node/ may include node/ folders of its own
level and of lower ones, never a folder without a level, and the folders'
includes must not form a loop (folders on one level may include each other,
but one way only). Tests under test/node/ may include any level.

The folders of the client library agora_cli (CLIENT_FOLDERS: the CLI and the
formats it shares with the node) link core, wallet and proto only: they may
include those and each other, nothing else of the project.

Usage: check_layers.py ROOT           check the tree at ROOT
       check_layers.py --self-test ROOT  prove the check fails on planted violations
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

LAYERS = {
    "consensus/core": ["consensus/core"],
    "consensus/state": ["consensus/core", "consensus/state"],
    "consensus/engine": ["consensus/core", "consensus/engine"],
    "wallet": ["consensus/core", "wallet"],
    "contracts": ["consensus/core", "consensus/state", "contracts"],
    "proto": ["proto"],
    "node": ["consensus/core", "consensus/state", "consensus/engine", "wallet", "contracts", "proto", "node"],
}
PROJECT_ROOTS = ["consensus/", "wallet/", "contracts/", "proto/", "node/", "agora/"]
PURE = {"consensus/core", "consensus/state", "consensus/engine", "contracts"}
FORBIDDEN_IN_PURE = [
    "thread", "mutex", "shared_mutex", "condition_variable", "future", "chrono", "ctime", "time.h",
    "fstream", "filesystem", "random", "cstdio", "iostream",
    "leveldb/", "grpc", "grpcpp/", "google/protobuf", "boost/", "spdlog/", "sys/", "unistd.h",
]
# The levels inside node/, lowest first (docs/architecture.md, "Levels inside node/").
NODE_LEVELS = [
    ("base", ["base", "config", "metrics", "views"]),
    ("storage and chain", ["storage", "chain", "genesis", "mempool"]),
    ("application", ["app"]),
    ("consensus and events", ["consensus", "events"]),
    ("services", ["query", "submit"]),
    ("adapters and edge formats", ["p2p", "sync", "rpc", "http", "gateway", "manifest", "gatewayauth"]),
    ("programs", ["daemon", "provider", "cli"]),
    ("entry points", ["bin"]),
]
# The node folders built into agora_cli rather than agora_node (node/CMakeLists.txt).
CLIENT_FOLDERS = {"cli", "manifest", "gatewayauth", "views"}
CLIENT_MAY_INCLUDE = {"consensus/core", "wallet", "proto"}
NODE_LEVEL_OF = {folder: number for number, (_, folders) in enumerate(NODE_LEVELS, 1) for folder in folders}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXT = (".h", ".hpp", ".cpp", ".cc")


def layer_of(rel):
    """The layer whose rules apply to the file at repo-relative path rel."""
    path = rel[len("test/"):] if rel.startswith("test/") else rel
    for layer in sorted(LAYERS, key=len, reverse=True):
        if path == layer or path.startswith(layer + "/"):
            return layer
    return None


def node_folder(path):
    """The top folder under node/ of a repo-relative path ("node/p2p/x/Y.h" -> "p2p"), or None."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "node" else None


def level_name(folder):
    number = NODE_LEVEL_OF[folder]
    return f"{number} {NODE_LEVELS[number - 1][0]}"


def check_node_include(rel, lineno, inc, edges):
    """The level rule for one include of a file under node/; records folder edges for the loop check."""
    src, dst = node_folder(rel), node_folder(inc)
    if src is None:
        return [f"{rel}:{lineno}: a file under node/ must sit in a folder with a level"]
    for folder in (src, dst):
        if folder is not None and folder not in NODE_LEVEL_OF:
            return [f"{rel}:{lineno}: node folder '{folder}' has no level (scripts/check_layers.py NODE_LEVELS, "
                    f"docs/architecture.md)"]
    if dst is None:
        return [f"{rel}:{lineno}: \"{inc}\" is not in a node folder with a level"]
    if dst == src:
        return []
    edges.setdefault((src, dst), f"{rel}:{lineno}")
    if NODE_LEVEL_OF[dst] > NODE_LEVEL_OF[src]:
        return [f"{rel}:{lineno}: node/{src} (level {level_name(src)}) must not include \"{inc}\" "
                f"(level {level_name(dst)})"]
    return []


def node_folder_loops(edges):
    """Each loop among node folders (a strongly connected set of two or more), with one include per edge."""
    graph = {}
    for src, dst in edges:
        graph.setdefault(src, set()).add(dst)
        graph.setdefault(dst, set())
    index, low, stack, on_stack, loops = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components; node/ has a few dozen folders
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.add(w)
                if w == v:
                    break
            if len(members) > 1:
                loops.append(members)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    violations = []
    for members in loops:
        shown = "; ".join(f"{src} -> {dst} ({edges[(src, dst)]})" for (src, dst) in sorted(edges)
                          if src in members and dst in members)
        violations.append(f"node folders include each other in a loop: {shown}")
    return violations


def check_client_include(rel, lineno, inc, target):
    """The agora_cli rule for one include of a file in a client folder (see CLIENT_FOLDERS)."""
    if target == "node" and node_folder(inc) in CLIENT_FOLDERS:
        return []
    if target != "node" and target in CLIENT_MAY_INCLUDE:
        return []
    return [f"{rel}:{lineno}: node/{node_folder(rel)} is part of agora_cli (links core, wallet and proto only) "
            f"and must not include \"{inc}\""]


def check(root):
    violations = []
    node_edges = {}
    for top in ["consensus", "wallet", "contracts", "proto", "node", "test"]:
        base = os.path.join(root, top)
        for dirpath, _, files in os.walk(base):
            for name in files:
                if not name.endswith(SOURCE_EXT):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                layer = layer_of(rel)
                if layer is None:
                    continue
                is_test = rel.startswith("test/")
                with open(full, encoding="utf-8", errors="replace") as fh:
                    for lineno, line in enumerate(fh, 1):
                        m = INCLUDE_RE.match(line)
                        if not m:
                            continue
                        kind, inc = m.groups()
                        if kind == '"' and any(inc.startswith(p) for p in PROJECT_ROOTS):
                            if inc.startswith("agora/"):  # generated protobuf headers
                                target = "proto"
                            else:
                                target = layer_of(inc)
                            if target is None or target not in LAYERS[layer]:
                                violations.append(f"{rel}:{lineno}: layer '{layer}' must not include \"{inc}\"")
                                continue
                            if layer == "node" and not is_test and node_folder(rel) in CLIENT_FOLDERS:
                                violations += check_client_include(rel, lineno, inc, target)
                            if layer == "node" and target == "node" and not is_test:
                                violations += check_node_include(rel, lineno, inc, node_edges)
                        elif kind == "<" and layer in PURE and not is_test:
                            if any(inc == f or inc.startswith(f) for f in FORBIDDEN_IN_PURE):
                                violations.append(f"{rel}:{lineno}: pure layer '{layer}' must not include <{inc}>")
    return violations + node_folder_loops(node_edges)


def self_test(root):
    """Copies the tree, plants violations one at a time, expects each to be caught for its reason."""
    # (what is planted, {file: text}, words the report must hold)
    plants = [
        ("core includes node", {"consensus/core/PlantedUpward.h": '#include "node/Anything.h"\n'}, "layer"),
        ("contracts include the engine", {"contracts/PlantedEngine.h": '#include "consensus/engine/Anything.h"\n'},
         "layer"),
        ("the engine reads a clock", {"consensus/engine/PlantedClock.cpp": "#include <chrono>\n"}, "pure layer"),
        ("wallet includes contracts", {"wallet/PlantedContracts.cpp": '#include "contracts/Anything.h"\n'}, "layer"),
        ("chain includes the application", {"node/chain/PlantedUpward.h": '#include "node/app/Application.h"\n'},
         "(level 3 application)"),
        ("base includes the daemon", {"node/base/PlantedUpward.cpp": '#include "node/daemon/Node.h"\n'},
         "(level 7 programs)"),
        ("a node folder without a level", {"node/unplaced/Planted.h": '#include "node/base/Logging.h"\n'},
         "has no level"),
        ("two folders of one level include each other",
         {"node/rpc/PlantedLoop.h": '#include "node/http/PlantedLoop.h"\n',
          "node/http/PlantedLoop.h": '#include "node/rpc/PlantedLoop.h"\n'}, "loop"),
        ("the CLI includes a node-only folder of a lower level",
         {"node/cli/PlantedNodeOnly.cpp": '#include "node/query/StateQueries.h"\n'}, "part of agora_cli"),
        ("the manifest includes the ledger", {"node/manifest/PlantedLedger.h": '#include "contracts/Params.h"\n'},
         "part of agora_cli"),
        ("the CLI includes the state layer", {"node/cli/PlantedState.h": '#include "consensus/state/ResultCode.h"\n'},
         "part of agora_cli"),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for top in ["consensus", "wallet", "contracts", "proto", "node", "test"]:
            src = os.path.join(root, top)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(tmp, top))
        if check(tmp):
            print("self-test: the clean copy already has violations", file=sys.stderr)
            return 1
        for what, files, expected in plants:
            for rel, text in files.items():
                path = os.path.join(tmp, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as fh:
                    fh.write(text)
            run = subprocess.run([sys.executable, __file__, tmp], capture_output=True, text=True)
            for rel in files:
                os.remove(os.path.join(tmp, rel))
            if run.returncode == 0 or expected not in run.stderr:
                print(f"self-test: planted violation ({what}: {', '.join(files)}) was NOT detected", file=sys.stderr)
                failures += 1
            else:
                print(f"self-test: planted violation ({what}) detected: {run.stderr.splitlines()[0]}")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(argv[2])
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    violations = check(argv[1])
    for v in violations:
        print(v, file=sys.stderr)
    if violations:
        print(f"check_layers: {len(violations)} violation(s)", file=sys.stderr)
        return 1
    print("check_layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
