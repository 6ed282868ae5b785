#!/usr/bin/python3
"""The marketplace lifecycle through agorad's gRPC services from a client that
is not the agora CLI: a Python grpcio client whose stubs are compiled from
proto/ at test time (grpc_tools.protoc, into a temp dir).

Signing stays with the wallet: `agora tx ... --generate-only` signs offline
(chain id and nonce given, the node is not contacted) and prints the signed
tx bytes as hex. This script broadcasts them through ProviderService,
ClientService and TxService in commit mode and checks every result through
QueryService and TxService.GetTx.

Run by ctest (test/CMakeLists.txt):
  marketplace_client_test.py --agorad PATH --agora PATH --proto-dir DIR
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

CHAIN_ID = "py-market"
FUNDED = 1_000_000_000_000
STAKE = 200_000_000


def fail(message):
    raise AssertionError(message)


def check(condition, message):
    if not condition:
        fail(message)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compile_protos(proto_dir, out_dir):
    from grpc_tools import protoc

    protos = []
    for root, _, files in os.walk(os.path.join(proto_dir, "agora")):
        protos += [os.path.relpath(os.path.join(root, f), proto_dir) for f in files if f.endswith(".proto")]
    check(protos, "no .proto files under " + proto_dir)
    rc = protoc.main(["protoc", "-I" + proto_dir, "--python_out=" + out_dir, "--grpc_python_out=" + out_dir] +
                     sorted(protos))
    check(rc == 0, "grpc_tools.protoc failed with %d" % rc)
    sys.path.insert(0, out_dir)


def set_key(toml, section, key, value):
    """Replaces `key = ...` inside [section] of the config agorad init wrote."""
    out, current, done = [], "", False
    for line in toml.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1]
        elif current == section and stripped.split("=")[0].strip() == key:
            line = "%s = %s" % (key, value)
            done = True
        out.append(line)
    check(done, "config has no %s.%s" % (section, key))
    return "\n".join(out) + "\n"


class Cli:
    def __init__(self, agora, work):
        self.agora = agora
        self.ring = os.path.join(work, "ring")
        self.passfile = os.path.join(work, "pass.txt")
        with open(self.passfile, "w") as f:
            f.write("pw\n")

    def run(self, *args):
        cmd = [self.agora, "--keyring-dir", self.ring, "--passphrase-file", self.passfile] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            fail("%s failed (%d): %s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        return p.stdout

    def address(self, key):
        return self.run("keys", "show", key, "-a").strip()

    def sign(self, key, nonce, *tx_args):
        """Signed tx bytes for `agora tx TX_ARGS`, signed offline."""
        out = self.run("tx", *tx_args, "--from", key, "--generate-only", "--chain-id", CHAIN_ID, "--nonce",
                       str(nonce), "--node", "127.0.0.1:1", "-o", "json")
        j = json.loads(out)
        check(j["nonce"] == nonce and j["chain_id"] == CHAIN_ID, "generate-only echoed %r" % j)
        return bytes.fromhex(j["tx"]), j["tx_hash"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agorad", required=True)
    ap.add_argument("--agora", required=True)
    ap.add_argument("--proto-dir", required=True)
    opts = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="agora-py-") as work:
        gen = os.path.join(work, "gen")
        os.makedirs(gen)
        compile_protos(opts.proto_dir, gen)
        import grpc
        from agora.market.v1 import market_pb2, market_pb2_grpc
        from agora.query.v1 import query_pb2, query_pb2_grpc
        from agora.tx.v1 import tx_pb2, tx_pb2_grpc
        from agora.types.v1 import types_pb2

        cli = Cli(opts.agora, work)
        keys = ["prov1", "prov2", "client"]
        for k in keys:
            cli.run("keys", "add", k)
        addr = {k: cli.address(k) for k in keys}

        home = os.path.join(work, "home")
        init = [opts.agorad, "--home", home, "init", "v0", "--chain-id", CHAIN_ID]
        for k in keys:
            init += ["--fund", "%s=%d" % (addr[k], FUNDED)]
        subprocess.run(init, check=True, capture_output=True, timeout=60)
        port = free_port()
        cfg_path = os.path.join(home, "config", "config.toml")
        with open(cfg_path) as f:
            cfg = f.read()
        cfg = set_key(cfg, "grpc", "address", '"127.0.0.1:%d"' % port)
        cfg = set_key(cfg, "http", "address", '"127.0.0.1:%d"' % free_port())
        cfg = set_key(cfg, "p2p", "listen_address", '"127.0.0.1:%d"' % free_port())
        cfg = set_key(cfg, "consensus", "timeout_commit_ms", "50")
        with open(cfg_path, "w") as f:
            f.write(cfg)

        log = open(os.path.join(work, "node.log"), "w")
        node = subprocess.Popen([opts.agorad, "--home", home, "start"], stdout=log, stderr=subprocess.STDOUT)
        try:
            run_lifecycle(node, port, cli, addr, grpc, market_pb2, market_pb2_grpc, query_pb2, query_pb2_grpc,
                          tx_pb2, tx_pb2_grpc, types_pb2)
        except BaseException:
            log.flush()
            with open(os.path.join(work, "node.log")) as f:
                sys.stderr.write("---- agorad log (tail) ----\n" + f.read()[-4000:])
            raise
        finally:
            if node.poll() is None:
                node.send_signal(signal.SIGTERM)
                try:
                    node.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    node.kill()
                    node.wait()
            log.close()
        check(node.returncode == 0, "agorad exited with %d after SIGTERM" % node.returncode)
    print("ok: marketplace lifecycle through the gRPC services from Python")


def run_lifecycle(node, port, cli, addr, grpc, market_pb2, market_pb2_grpc, query_pb2, query_pb2_grpc, tx_pb2,
                  tx_pb2_grpc, types_pb2):
    channel = grpc.insecure_channel("127.0.0.1:%d" % port)
    query = query_pb2_grpc.QueryServiceStub(channel)
    txs = tx_pb2_grpc.TxServiceStub(channel)
    providers = market_pb2_grpc.ProviderServiceStub(channel)
    clients = market_pb2_grpc.ClientServiceStub(channel)
    COMMIT = tx_pb2.BROADCAST_MODE_COMMIT

    deadline = time.monotonic() + 60
    while True:
        check(node.poll() is None, "agorad exited early")
        try:
            if query.Status(query_pb2.StatusRequest(), timeout=2).latest_height >= 1:
                break
        except grpc.RpcError:
            pass
        check(time.monotonic() < deadline, "agorad did not commit a block in 60 s")
        time.sleep(0.05)  # polling interval while the node starts
    status = query.Status(query_pb2.StatusRequest(), timeout=5)
    check(status.chain_id == CHAIN_ID, "chain id %r" % status.chain_id)

    fees = {k: 0 for k in addr}

    def account(key):
        return query.Account(query_pb2.AccountRequest(address=addr[key]), timeout=10)

    def balance(key):
        return int(account(key).balance)

    def submit(rpc, key, *tx_args):
        """Signs offline, broadcasts through `rpc` in commit mode, returns the response."""
        raw, tx_hash = cli.sign(key, account(key).next_nonce, *tx_args)
        resp = rpc(market_pb2.SignedTxRequest(tx=raw, mode=COMMIT), timeout=60)
        check(resp.code == 0, "%s: code %d %s" % (" ".join(tx_args), resp.code, resp.message))
        check(resp.tx_hash.hex() == tx_hash, "tx hash differs")
        check(resp.height > 0, "commit mode without a height")
        fees[key] += resp.result.fee_charged
        return resp

    def event_attr(resp, event_type, key):
        for e in resp.result.events:
            if e.type == event_type:
                for a in e.attributes:
                    if a.key == key:
                        return a.value
        fail("no %s.%s in %s" % (event_type, key, resp))

    def reply(rpc, request):
        return rpc(request, timeout=10)

    def params():
        # The typed ParamRecord list, by name (values are canonical decimal text).
        return {p.name: int(p.value) for p in reply(query.Params, query_pb2.ParamsRequest()).params}

    def amount(text):
        check(isinstance(text, str) and text.isdigit(), "amount %r is not an integer string" % (text,))
        return int(text)

    # Providers register and publish an offer.
    for p in ("prov1", "prov2"):
        submit(providers.Register, p, "provider", "register", "--host", "https://%s.example" % p, "--attr",
               "region=eu", "--capacity", "cpu=8000,mem=16384,storage=500", "--stake", "200agr")
    submit(providers.SetOffer, "prov1", "offer", "set", "1", "--cpu-price", "1")
    prov = reply(query.Provider, query_pb2.ProviderRequest(address=addr["prov2"])).provider
    check(amount(prov.stake) == STAKE and prov.free.cpu_millicores == 8000, "provider %r" % prov)
    listed = query.ListProviders(query_pb2.ListProvidersRequest(
        attributes=[types_pb2.Attribute(key="region", value="eu")], min_free_cpu_millicores=7000), timeout=10)
    check(len(listed.providers) == 2, "two eu providers with 7000 free millicores")

    # A client posts a job; both providers bid; the cheaper bid wins.
    job = submit(clients.CreateJob, "client", "job", "create", "--resources", "cpu=2000,mem=4096,storage=50",
                 "--constraint", "region=eu", "--max-price", "100", "--duration", "2000", "--bidding-window", "1000",
                 "--deposit", "200000")
    job_id = int(event_attr(job, "job_created", "job_id"))
    submit(providers.PlaceBid, "prov1", "bid", "place", str(job_id), "--price", "90")
    bid = submit(providers.PlaceBid, "prov2", "bid", "place", str(job_id), "--price", "80")
    bid_id = int(event_attr(bid, "bid_placed", "bid_id"))
    bids = query.Bids(query_pb2.BidsRequest(job_id=job_id), timeout=10)
    check(len(bids.bids) == 2, "two open bids")
    open_jobs = query.OpenJobs(query_pb2.OpenJobsRequest(), timeout=10)
    check([j.id for j in open_jobs.jobs] == [job_id] and open_jobs.jobs[0].state == "open", "the job is listed open")
    cli_jobs = json.loads(cli.run("query", "jobs", "--node", "127.0.0.1:%d" % port, "-o", "json"))
    check([j["id"] for j in cli_jobs["jobs"]] == [job_id] and cli_jobs["next_key"] == "", "agora query jobs %r" % cli_jobs)

    # A tx of another kind through an action RPC: refused with code 600, nothing committed.
    wrong, _ = cli.sign("client", account("client").next_nonce, "bid", "accept", str(bid_id))
    try:
        providers.PlaceBid(market_pb2.SignedTxRequest(tx=wrong, mode=COMMIT), timeout=30)
        fail("ProviderService.PlaceBid accepted a bid_accept tx")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.INVALID_ARGUMENT, "wrong kind: %s" % e.code())
        check(dict(e.trailing_metadata()).get("agora-code") == "600", "agora-code of a wrong kind")

    accepted = submit(clients.AcceptBid, "client", "bid", "accept", str(bid_id))
    lease_id = int(event_attr(accepted, "lease_created", "lease_id"))
    check(reply(query.Job, query_pb2.JobRequest(job_id=job_id)).job.state == "leased", "job leased")
    check(len(query.OpenJobs(query_pb2.OpenJobsRequest(), timeout=10).jobs) == 0, "a leased job is not open")
    prov = reply(query.Provider, query_pb2.ProviderRequest(address=addr["prov2"])).provider
    check(prov.free.cpu_millicores == 6000, "capacity reserved: %r" % prov.free)
    leases = query.Leases(query_pb2.LeasesRequest(owner=addr["client"]), timeout=10)
    check([l.id for l in leases.leases] == [lease_id], "client's leases")

    # Top up, withdraw, close, settle with a rating.
    submit(clients.TopUp, "client", "lease", "top-up", str(lease_id), "1000")
    escrow = query.Escrow(query_pb2.EscrowRequest(lease_id=lease_id), timeout=10)
    check(amount(escrow.deposited) == 201000 and escrow.lease_state == "active", "escrow after top-up")
    # Accrual pays whole seconds of block time: wait for the first before withdrawing.
    deadline = time.monotonic() + 60
    while amount(query.Escrow(query_pb2.EscrowRequest(lease_id=lease_id), timeout=5).accrued) == 0:
        check(time.monotonic() < deadline, "nothing accrued in 60 s")
        time.sleep(0.05)  # polling interval while blocks pass
    withdrawn = submit(providers.WithdrawEarnings, "prov2", "lease", "withdraw", str(lease_id))
    paid = int(event_attr(withdrawn, "provider_withdraw", "amount"))
    check(paid > 0 and paid % 80 == 0, "withdrew %d" % paid)
    # The lease counts as completed for reputation only after reputation_min_paid_seconds paid seconds of block time.
    min_paid = params()["reputation_min_paid_seconds"]
    start_ms = reply(query.Lease, query_pb2.LeaseRequest(lease_id=lease_id)).lease.start_time
    deadline = time.monotonic() + 60
    while query.Escrow(query_pb2.EscrowRequest(lease_id=lease_id), timeout=5).paid_through < start_ms + 1000 * min_paid:
        check(time.monotonic() < deadline, "not %d s of block time paid in 60 s" % min_paid)
        time.sleep(0.05)  # polling interval while blocks pass
    submit(clients.CloseLease, "client", "lease", "close", str(lease_id), "--reason", "completed")
    settled = submit(clients.Settle, "client", "lease", "settle", str(lease_id), "--rating", "5")

    escrow = query.Escrow(query_pb2.EscrowRequest(lease_id=lease_id), timeout=10)
    to_provider, refunded = amount(escrow.withdrawn), amount(escrow.refunded)
    check(escrow.lease_state == "closed" and amount(escrow.remaining) == 0, "escrow closed: %s" % escrow)
    check(to_provider + refunded == amount(escrow.deposited), "escrow fully accounted: %s" % escrow)
    check(balance("client") == FUNDED - fees["client"] - to_provider, "client balance")
    # The protocol's take (lease_take_rate_ppm) of what the lease paid out was burned, not paid.
    burned = amount(reply(query.Lease, query_pb2.LeaseRequest(lease_id=lease_id)).lease.burned)
    check(burned > 0 and burned <= to_provider, "take burned: %d" % burned)
    check(balance("prov2") == FUNDED - fees["prov2"] - STAKE + to_provider - burned, "prov2 balance")
    check(balance("prov1") == FUNDED - fees["prov1"] - STAKE, "prov1 balance")
    prov = reply(query.Provider, query_pb2.ProviderRequest(address=addr["prov2"])).provider
    check(prov.free.cpu_millicores == 8000, "capacity freed")
    rep = reply(query.Reputation, query_pb2.ReputationRequest(provider=addr["prov2"])).reputation
    check(rep.completed == 1 and amount(rep.total_paid) == to_provider, "reputation %r" % rep)
    lease = reply(query.Lease, query_pb2.LeaseRequest(lease_id=lease_id)).lease
    check(lease.settled and lease.rating == 5, "lease settled with rating 5")

    # The settle tx by hash; a plain transfer through TxService.Broadcast.
    got = txs.GetTx(tx_pb2.GetTxRequest(hash=settled.tx_hash), timeout=10)
    check(got.height == settled.height and got.result.code == 0, "GetTx of the settle tx")
    raw, _ = cli.sign("client", account("client").next_nonce, "send", addr["prov1"], "777")
    before = balance("prov1")
    sent = txs.Broadcast(tx_pb2.BroadcastRequest(tx=raw, mode=COMMIT), timeout=60)
    check(sent.code == 0 and balance("prov1") == before + 777, "send through TxService")
    channel.close()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        sys.stderr.write("FAILED: %s\n" % e)
        sys.exit(1)
