#!/usr/bin/python3
"""Browser test of the explorer: starts a real single-validator devnet
(agora_devnet.py: keys and txs through the agora CLI), then runs
explorer/explorer.spec.mjs under node, which drives Debian's chromium through
playwright-core. Screenshots are written to --screenshots (ctest passes
<build>/test-artifacts/explorer).

Skips (exit 77, ctest SKIP_RETURN_CODE) only when chromium or node is not
installed; scripts/setup.sh installs both and playwright-core
(test/node/http/explorer/node_modules, not tracked), so CI runs it.

  explorer_browser_test.py --agorad PATH --agora PATH --screenshots DIR
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from agora_devnet import Devnet  # noqa: E402

SKIP = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agorad", required=True)
    ap.add_argument("--agora", required=True)
    ap.add_argument("--screenshots", required=True)
    opts = ap.parse_args()

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    node = shutil.which("node")
    if not os.path.exists(chromium) or node is None:
        print("SKIP: the explorer browser test needs %s and node (scripts/setup.sh installs them)" % chromium)
        return SKIP
    spec_dir = os.path.join(HERE, "explorer")
    if not os.path.isdir(os.path.join(spec_dir, "node_modules", "playwright-core")):
        print("playwright-core is not installed in %s/node_modules: run scripts/setup.sh" % spec_dir, file=sys.stderr)
        return 1

    os.makedirs(opts.screenshots, exist_ok=True)
    for old in os.listdir(opts.screenshots):
        if old.endswith(".png"):
            os.remove(os.path.join(opts.screenshots, old))
    with tempfile.TemporaryDirectory(prefix="agora-explorer-") as work:
        net = Devnet(opts.agorad, opts.agora, work)
        try:
            net.start()
            facts = dict(net.lifecycle())
            facts.update({"provider": net.addr["provider"], "client": net.addr["client"],
                          "other_tx_argv": net.tx_argv("other")})
            env = dict(os.environ, AGORA_URL=net.base, AGORA_FACTS=json.dumps(facts), AGORA_SCREENSHOTS=opts.screenshots,
                       CHROMIUM=chromium)
            p = subprocess.run([node, os.path.join(spec_dir, "explorer.spec.mjs")], cwd=spec_dir, env=env, timeout=240)
            if p.returncode != 0:
                print(net.node_log(), file=sys.stderr)
            return p.returncode
        finally:
            net.stop()


if __name__ == "__main__":
    sys.exit(main())
