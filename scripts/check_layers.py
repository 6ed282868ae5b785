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
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXT = (".h", ".hpp", ".cpp", ".cc")


def layer_of(rel):
    """The layer whose rules apply to the file at repo-relative path rel."""
    path = rel[len("test/"):] if rel.startswith("test/") else rel
    for layer in sorted(LAYERS, key=len, reverse=True):
        if path == layer or path.startswith(layer + "/"):
            return layer
    return None


def check(root):
    violations = []
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
                        elif kind == "<" and layer in PURE and not is_test:
                            if any(inc == f or inc.startswith(f) for f in FORBIDDEN_IN_PURE):
                                violations.append(f"{rel}:{lineno}: pure layer '{layer}' must not include <{inc}>")
    return violations


def self_test(root):
    """Copies the tree, plants violations one at a time, expects each to be caught."""
    plants = [
        ("consensus/core/PlantedUpward.h", '#include "node/Anything.h"\n'),
        ("contracts/PlantedEngine.h", '#include "consensus/engine/Anything.h"\n'),
        ("consensus/engine/PlantedClock.cpp", "#include <chrono>\n"),
        ("wallet/PlantedContracts.cpp", '#include "contracts/Anything.h"\n'),
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
        for rel, text in plants:
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(text)
            rc = subprocess.run([sys.executable, __file__, tmp], capture_output=True).returncode
            os.remove(path)
            if rc == 0:
                print(f"self-test: planted {rel} was NOT detected", file=sys.stderr)
                failures += 1
            else:
                print(f"self-test: planted {rel} detected")
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
