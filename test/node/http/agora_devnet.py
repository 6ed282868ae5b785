"""A single-validator agorad devnet for the HTTP tests (openapi_test.py,
explorer_browser_test.py): keys made and txs signed by the real `agora` CLI,
a real `agorad` with fast blocks, and a marketplace lifecycle so that every
explorer page and REST route has data: a provider with an offer, a job with
a lease that is closed and settled (reputation, a settled-lease price), a
job with an open bid, a lease from the offer that stays active, a transfer.

Waits poll a condition with a deadline; nothing sleeps in place of a check.
"""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

CHAIN_ID = "explorer-devnet"
FUNDED = 1_000_000_000_000


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def set_key(toml, section, key, value):
    out, current, done = [], "", False
    for line in toml.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1]
        elif current == section and stripped.split("=")[0].strip() == key:
            line = "%s = %s" % (key, value)
            done = True
        out.append(line)
    if not done:
        raise AssertionError("config has no %s.%s" % (section, key))
    return "\n".join(out) + "\n"


class Devnet:
    def __init__(self, agorad, agora, work):
        self.agorad, self.agora, self.work = os.path.abspath(agorad), os.path.abspath(agora), work
        self.ring = os.path.join(work, "ring")
        self.passfile = os.path.join(work, "pass.txt")
        with open(self.passfile, "w") as f:
            f.write("pw\n")
        self.proc = None
        self.log = None
        self.addr = {}
        self.facts = {}

    # ------------------------------------------------------------ processes
    def cli(self, *args):
        cmd = [self.agora, "--keyring-dir", self.ring, "--passphrase-file", self.passfile] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("%s failed (%d): %s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        return p.stdout

    def start(self):
        for k in ("provider", "client", "other"):
            self.cli("keys", "add", k)
            self.addr[k] = self.cli("keys", "show", k, "-a").strip()
        home = os.path.join(self.work, "home")
        init = [self.agorad, "--home", home, "init", "val0", "--chain-id", CHAIN_ID]
        for k in ("provider", "client", "other"):
            init += ["--fund", "%s=%d" % (self.addr[k], FUNDED)]
        subprocess.run(init, check=True, capture_output=True, timeout=60)
        self.grpc_port, self.http_port = free_port(), free_port()
        cfg_path = os.path.join(home, "config", "config.toml")
        with open(cfg_path) as f:
            cfg = f.read()
        cfg = set_key(cfg, "grpc", "address", '"127.0.0.1:%d"' % self.grpc_port)
        cfg = set_key(cfg, "http", "address", '"127.0.0.1:%d"' % self.http_port)
        cfg = set_key(cfg, "p2p", "listen_address", '"127.0.0.1:%d"' % free_port())
        cfg = set_key(cfg, "consensus", "timeout_commit_ms", "100")
        with open(cfg_path, "w") as f:
            f.write(cfg)
        self.log = open(os.path.join(self.work, "node.log"), "w")
        self.proc = subprocess.Popen([self.agorad, "--home", home, "start"], stdout=self.log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % self.http_port
        wait_until(lambda: self.height() >= 1, 60, "the first block")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()

    def node_log(self):
        with open(os.path.join(self.work, "node.log")) as f:
            return f.read()[-4000:]

    # ------------------------------------------------------------ HTTP
    def request(self, method, path, body=None, headers=None):
        """(status, headers, body bytes) of one request; never raises on an HTTP error status."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get_json(self, path):
        status, _, body = self.request("GET", path)
        if status != 200:
            raise AssertionError("GET %s -> %d %s" % (path, status, body[:300]))
        return json.loads(body)

    def height(self):
        try:
            return self.get_json("/v1/status")["latest_height"]
        except (OSError, AssertionError):
            return 0

    # ------------------------------------------------------------ txs
    def tx_argv(self, key):
        """The agora CLI command line that signs with `key`, broadcasts and waits for the block."""
        return [self.agora, "--keyring-dir", self.ring, "--passphrase-file", self.passfile, "tx", "--from", key, "--wait",
                "--node", "127.0.0.1:%d" % self.grpc_port, "--chain-id", CHAIN_ID, "-o", "json"]

    def tx(self, key, *args):
        out = self.cli("tx", "--from", key, "--wait", "--node", "127.0.0.1:%d" % self.grpc_port, "--chain-id", CHAIN_ID,
                       "-o", "json", *args)
        j = json.loads(out)
        if j["code"] != 0:
            raise AssertionError("tx %s failed: %r" % (args, j))
        return j

    def signed(self, key, *args):
        """Hex of a tx signed offline by the CLI (--generate-only) with the account's pending nonce."""
        nonce = self.get_json("/v1/accounts/" + self.addr[key])["pending_nonce"]
        out = self.cli("tx", "--from", key, "--generate-only", "--chain-id", CHAIN_ID, "--nonce", str(nonce), "-o", "json",
                       *args)
        return json.loads(out)["tx"]

    @staticmethod
    def attr(result, event_type, key):
        for e in result["events"]:
            if e["type"] == event_type:
                return e["attributes"][key]
        raise AssertionError("no %s event in %r" % (event_type, result))

    def lifecycle(self):
        """The marketplace story every page shows; returns ids and hashes in self.facts."""
        f = self.facts
        reg = self.tx("provider", "provider", "register", "--host", "https://provider.example", "--attr", "region=eu",
                      "--capacity", "cpu=8000,mem=16384,storage=500", "--stake", "200agr")
        f["register_tx"] = reg["tx_hash"]
        self.tx("provider", "offer", "set", "1", "--cpu-price", "1", "--mem-price", "1", "--storage-price", "1")
        job = self.tx("client", "job", "create", "--resources", "cpu=2000,mem=4096,storage=50", "--constraint", "region=eu",
                      "--max-price", "20000", "--duration", "40", "--bidding-window", "20", "--deposit", "2000000")
        f["job"] = int(self.attr(job, "job_created", "job_id"))
        bid = self.tx("provider", "bid", "place", str(f["job"]), "--price", "8000")
        f["bid"] = int(self.attr(bid, "bid_placed", "bid_id"))
        acc = self.tx("client", "bid", "accept", str(f["bid"]))
        f["lease"] = int(self.attr(acc, "lease_created", "lease_id"))
        # Reputation counts a completed lease only after 10 paid seconds of block time
        # (docs/ledger.md "Reputation"): wait until the chain's time is 11 s past the lease's start.
        start_ms = int(self.get_json("/v1/leases/%d" % f["lease"])["start_time"])
        wait_until(lambda: int(self.get_json("/v1/status")["latest_time_ms"]) >= start_ms + 11_000, 60,
                   "11 s of block time on lease %d" % f["lease"])
        self.tx("client", "lease", "close", str(f["lease"]))
        self.tx("client", "lease", "settle", str(f["lease"]), "--rating", "5")
        job2 = self.tx("client", "job", "create", "--resources", "cpu=1000,mem=1024,storage=10", "--constraint", "region=eu",
                       "--max-price", "20000", "--duration", "400", "--bidding-window", "10000", "--deposit", "8000000")
        f["open_job"] = int(self.attr(job2, "job_created", "job_id"))
        self.tx("provider", "bid", "place", str(f["open_job"]), "--price", "9000")
        offer_lease = self.tx("client", "lease", "from-offer", self.addr["provider"], "1", "--resources",
                              "cpu=1000,mem=1024,storage=10", "--duration", "100000", "--deposit", "5000000000",
                              "--max-price", "100000", "--offer-version", "1")
        f["active_lease"] = int(self.attr(offer_lease, "lease_created", "lease_id"))
        # A second provider, so a test can place another bid on the open job while its page is shown.
        self.tx("other", "provider", "register", "--host", "https://other.example", "--attr", "region=eu", "--capacity",
                "cpu=4000,mem=8192,storage=100", "--stake", "150agr")
        send = self.tx("client", "send", self.addr["other"], "1.5agr")
        f["send_tx"] = send["tx_hash"]
        f["send_height"] = send["height"]
        vals = self.get_json("/v1/validators")["validators"]
        f["validator"] = vals[0]["operator"]
        return f
