#!/usr/bin/python3
"""The OpenAPI 3.1 document (node/http/openapi.json, served at /openapi.json)
checked against a running agorad:

1. the node serves exactly the checked-in document;
2. no drift: every route the gateway registers (Router::add / addAsync /
   addStatic / addMetricsRoute call sites in node/gateway and node/http) is a
   documented path + method, and every documented one is registered;
3. the explorer's JavaScript calls only documented routes and parameters;
4. every documented operation is called on a real single-validator devnet
   (agora_devnet.py: txs signed by the agora CLI) with at least one success
   and one error case; each answer's status must be documented for the
   operation (405 for another method is documented globally, docs/http.md),
   its content type must match, and a JSON body must validate against the
   response schema (python3-jsonschema, Draft 2020-12, the dialect of
   OpenAPI 3.1); every query parameter a case sends must be documented.

Run by ctest (test/CMakeLists.txt):
  openapi_test.py --agorad PATH --agora PATH --source-dir DIR
"""

import argparse
import json
import os
import re
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agora_devnet import Devnet  # noqa: E402

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is missing: run scripts/setup.sh", file=sys.stderr)
    sys.exit(1)

HTTP_METHODS = ("get", "post", "put", "delete", "patch")


def registered_routes(source_dir):
    """(METHOD, pattern) of every route registration in the gateway's sources."""
    routes, sites = set(), 0
    literal = re.compile(r'\.(add|addAsync)\(\s*"([A-Z]+)",\s*"([^"]+)"')
    static = re.compile(r'\.addStatic\(\s*"([^"]+)"')
    # The gateway's routes are in files by domain under node/gateway/routes/.
    files = []
    for d in ("node/gateway", "node/http", "node/metrics"):
        for parent, _, names in os.walk(os.path.join(source_dir, d)):
            files += [os.path.join(parent, n) for n in names]
    for path in sorted(files):
        # HttpServerMetrics.cpp defines addMetricsRoute (its path is a parameter; its call site is matched below).
        if not path.endswith(".cpp") or os.path.basename(path) == "HttpServerMetrics.cpp":
            continue
        text = open(path).read()
        sites += len(re.findall(r"\b(?:r|router_|router)\.(?:add|addAsync|addStatic)\(", text))
        for _, method, pattern in literal.findall(text):
            routes.add((method, pattern))
        for pattern in static.findall(text):
            routes.add(("GET", pattern))
        if "addMetricsRoute(router_, metrics_)" in text:
            routes.add(("GET", "/metrics"))
    return routes, sites


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agorad", required=True)
    ap.add_argument("--agora", required=True)
    ap.add_argument("--source-dir", required=True)
    opts = ap.parse_args()

    doc_path = os.path.join(opts.source_dir, "node/http/openapi.json")
    with open(doc_path, "rb") as f:
        doc_bytes = f.read()
    doc = json.loads(doc_bytes)
    check(doc["openapi"].startswith("3.1"), "not an OpenAPI 3.1 document")
    resolver = jsonschema.RefResolver.from_schema(doc)
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)

    # Every $ref resolves, and every error response is the Error shape.
    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                resolver.resolve(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    for p, item in doc["paths"].items():
        for m, operation in item.items():
            check(operation.get("responses"), "%s %s documents no response" % (m, p))
            for status, response in operation["responses"].items():
                if int(status) >= 400 and p != "/health":  # /health answers 503 with its own body
                    schema = response["content"]["application/json"]["schema"]
                    check(schema == {"$ref": "#/components/schemas/Error"}, "%s %s %s is not an Error" % (m, p, status))

    documented = set()
    for p, item in doc["paths"].items():
        for m in item:
            if m in HTTP_METHODS:
                documented.add((m.upper(), p))

    # 2. drift between the router and the document.
    routes, sites = registered_routes(opts.source_dir)
    literal_sites = sum(1 for r in routes if r != ("GET", "/metrics"))
    check(sites == literal_sites,
          "%d route registrations but %d with literal method and path: register routes with literals so this check "
          "sees them" % (sites, literal_sites))
    check(routes == documented, "router and OpenAPI differ: undocumented %s, documented but not registered %s" %
          (sorted(routes - documented), sorted(documented - routes)))

    # The explorer calls only documented routes (and the WebSocket at /v1/events).
    explorer_dir = os.path.join(opts.source_dir, "node/http/explorer")
    for name in sorted(os.listdir(explorer_dir)):
        if not name.endswith(".js"):
            continue
        for literal in re.findall(r'"(/v1/[^"]*)"', open(os.path.join(explorer_dir, name)).read()):
            target, _, query = literal.partition("?")
            if target == "/v1/events":
                continue
            if target.endswith("/"):
                target += "x"  # the page appends an id, hash or address
            tmpl = template_of(doc, target)
            check(tmpl is not None and "get" in doc["paths"][tmpl], "explorer %s calls undocumented %s" % (name, literal))
            names = {p["name"] for p in doc["paths"][tmpl]["get"].get("parameters", []) if p["in"] == "query"}
            for key in re.findall(r"([a-z_]+)=", query):
                check(key in names, "explorer %s sends undocumented parameter %s to %s" % (name, key, tmpl))

    with tempfile.TemporaryDirectory(prefix="agora-openapi-") as work:
        net = Devnet(opts.agorad, opts.agora, work)
        try:
            net.start()
            f = net.lifecycle()
            run_cases(net, f, doc, doc_bytes, documented, resolver)
        except BaseException:
            print(net.node_log() if net.log else "", file=sys.stderr)
            raise
        finally:
            net.stop()
    print("openapi: %d operations checked against a running node" % len(documented))


def template_of(doc, path):
    """The documented path template a concrete path matches (literal segments win, as in the router)."""
    segs = path.split("?")[0].split("/")
    best = None
    for tmpl in doc["paths"]:
        t = tmpl.split("/")
        if len(t) != len(segs):
            continue
        if all(a == b or (a.startswith("{") and b) for a, b in zip(t, segs)):
            score = [0 if a.startswith("{") else 1 for a in t]
            if best is None or score > best[0]:
                best = (score, tmpl)
    return best[1] if best else None


def run_cases(net, f, doc, doc_bytes, documented, resolver):
    prov, client = net.addr["provider"], net.addr["client"]
    tx = f["send_tx"]
    bad_addr = "agora1notanaddress"
    block_id = net.get_json("/v1/blocks/1")["block_id"]
    proposal = net.attr(net.tx("client", "gov", "submit", "--title", "longer grace", "--change", "grace_seconds=7",
                               "--deposit", "1000agr"), "proposal_submitted", "proposal_id")
    committed = net.signed("client", "send", net.addr["other"], "1000")
    post = lambda tx, mode: json.dumps({"tx": tx, "mode": mode, "timeout_ms": 20000})
    # (method, path, body, expected status)
    cases = [
        ("GET", "/v1/status", None, 200),
        ("GET", "/v1/blocks?limit=5", None, 200),
        ("GET", "/v1/blocks?max_height=3&limit=100", None, 200),
        ("GET", "/v1/blocks?max_height=0&limit=1", None, 200),
        ("GET", "/v1/blocks?limit=0", None, 400),
        ("GET", "/v1/blocks?max_height=x", None, 400),
        ("GET", "/v1/blocks/latest", None, 200),
        ("GET", "/v1/blocks/%d" % f["send_height"], None, 200),
        ("GET", "/v1/blocks/1", None, 200),
        ("GET", "/v1/blocks/abc", None, 400),
        ("GET", "/v1/blocks/99999999", None, 404),
        ("GET", "/v1/blocks/hash/" + block_id, None, 200),
        ("GET", "/v1/blocks/hash/zz", None, 400),
        ("GET", "/v1/blocks/hash/" + "0" * 64, None, 404),
        ("GET", "/v1/txs/" + tx, None, 200),
        ("GET", "/v1/txs/" + f["register_tx"], None, 200),
        ("GET", "/v1/txs/123", None, 400),
        ("GET", "/v1/txs/" + "0" * 64, None, 404),
        ("POST", "/v1/txs", post(committed, "commit"), 200),
        ("POST", "/v1/txs", post(committed, "sync"), 422),  # the same tx again: nonce too low
        ("POST", "/v1/txs", json.dumps({"tx": "00", "mode": "sync"}), 400),
        ("POST", "/v1/txs", lambda: post(net.signed("client", "send", net.addr["other"], "1000"), "sync"), 200),
        ("POST", "/v1/txs", json.dumps({"nope": 1}), 400),
        ("POST", "/v1/txs", "not json", 400),
        ("GET", "/v1/accounts/" + client, None, 200),
        ("GET", "/v1/accounts/" + net.addr["other"], None, 200),
        ("GET", "/v1/accounts/" + bad_addr, None, 400),
        ("GET", "/v1/providers", None, 200),
        ("GET", "/v1/providers?attr=region%3Deu&min_free_cpu_millicores=1&limit=10", None, 200),
        ("GET", "/v1/providers?attr=noequals", None, 400),
        ("GET", "/v1/providers/" + prov, None, 200),
        ("GET", "/v1/providers/" + client, None, 404),
        ("GET", "/v1/providers/" + bad_addr, None, 400),
        ("GET", "/v1/jobs", None, 200),
        ("GET", "/v1/jobs?limit=x", None, 400),
        ("GET", "/v1/jobs/%d" % f["job"], None, 200),
        ("GET", "/v1/jobs/%d" % f["open_job"], None, 200),
        ("GET", "/v1/jobs/999", None, 404),
        ("GET", "/v1/jobs/x", None, 400),
        ("GET", "/v1/jobs/%d/bids" % f["open_job"], None, 200),
        ("GET", "/v1/jobs/%d/bids?include_closed=true" % f["job"], None, 200),
        ("GET", "/v1/jobs/%d/bids?include_closed=maybe" % f["job"], None, 400),
        ("GET", "/v1/jobs/999/bids", None, 404),
        ("GET", "/v1/leases/%d" % f["lease"], None, 200),
        ("GET", "/v1/leases/%d" % f["active_lease"], None, 200),
        ("GET", "/v1/leases/999", None, 404),
        ("GET", "/v1/leases/x", None, 400),
        ("GET", "/v1/leases?client=" + client, None, 200),
        ("GET", "/v1/leases?provider=" + prov + "&limit=1", None, 200),
        ("GET", "/v1/leases", None, 400),
        ("GET", "/v1/escrow/%d" % f["lease"], None, 200),
        ("GET", "/v1/escrow/%d" % f["active_lease"], None, 200),
        ("GET", "/v1/escrow/999", None, 404),
        ("GET", "/v1/escrow/x", None, 400),
        ("GET", "/v1/reputation/" + prov, None, 200),
        ("GET", "/v1/reputation/" + client, None, 404),
        ("GET", "/v1/reputation/" + bad_addr, None, 400),
        ("GET", "/v1/client-records/" + client, None, 200),
        ("GET", "/v1/client-records/" + prov, None, 200),
        ("GET", "/v1/client-records/" + bad_addr, None, 400),
        ("GET", "/v1/validators", None, 200),
        ("GET", "/v1/validators?include_jailed=false", None, 200),
        ("GET", "/v1/validators?include_jailed=perhaps", None, 400),
        ("GET", "/v1/params", None, 200),
        ("GET", "/v1/gov/proposals", None, 200),
        ("GET", "/v1/gov/proposals?status=voting_period&limit=10", None, 200),
        ("GET", "/v1/gov/proposals?status=undecided", None, 400),
        ("GET", "/v1/gov/proposals/" + proposal, None, 200),
        ("GET", "/v1/gov/proposals/999", None, 404),
        ("GET", "/v1/gov/proposals/x", None, 400),
        ("GET", "/v1/evidence", None, 200),
        ("GET", "/v1/evidence?validator=" + f["validator"] + "&min_height=1&max_height=0", None, 200),
        ("GET", "/v1/evidence?validator=bogus", None, 400),
        ("GET", "/v1/events/search?type=tx_fee&attr=payer%3D" + client, None, 200),
        ("GET", "/v1/events/search?attr=lease_id%3D" + str(f["lease"]) + "&limit=2", None, 200),
        ("GET", "/v1/events/search?type=transfer&min_height=1&max_height=%d" % f["send_height"], None, 200),
        ("GET", "/v1/events/search?type=lease_settled&type=lease_closed&max_height=0", None, 200),
        ("GET", "/v1/events/search?limit=0", None, 400),
        ("GET", "/v1/events/search?attr=x", None, 400),
        ("GET", "/v1/events/search?min_height=5&max_height=2", None, 400),
        ("GET", "/health", None, 200),
        ("GET", "/metrics", None, 200),
        ("GET", "/openapi.json", None, 200),
        ("GET", "/", None, 200),
        ("GET", "/explorer/app.js", None, 200),
        ("GET", "/explorer/style.css", None, 200),
        ("GET", "/explorer/nothing.js", None, 404),
    ]
    # Every operation also answers another method with 405 and the error shape.
    for method, p in sorted(documented):
        concrete = re.sub(r"\{[^}]+\}", "1", p)
        cases.append(("DELETE", concrete, None, 405))

    seen = {}
    for method, target, body, expected in cases:
        if callable(body):
            body = body()
        tmpl = template_of(doc, target)
        check(tmpl is not None, "%s %s matches no documented path" % (method, target))
        headers = {"Content-Type": "application/json"} if body is not None else {}
        status, resp_headers, raw = net.request(method, target, body, headers)
        where = "%s %s -> %d %s" % (method, target, status, raw[:300])
        check(status == expected, "expected %d: %s" % (expected, where))
        ctype = (resp_headers.get("Content-Type") or "").split(";")[0].strip()
        if status == 405:
            check(resp_headers.get("Allow"), "405 without Allow: " + where)
            validate(doc, resolver, {"$ref": "#/components/schemas/Error"}, json.loads(raw), where)
            continue
        operation = doc["paths"][tmpl].get(method.lower())
        check(operation is not None, "undocumented method: " + where)
        seen.setdefault((method, tmpl), set()).add("ok" if status < 400 else "error")
        response = operation["responses"].get(str(status))
        check(response is not None, "status %d is not documented for %s %s: %s" % (status, method, tmpl, where))
        # Query parameters sent must be documented.
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        for key, _ in urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query, keep_blank_values=True):
            check(key in names, "query parameter %s is not documented for %s %s" % (key, method, tmpl))
        content = response.get("content", {})
        check(ctype in content, "content type %s not documented for %s" % (ctype, where))
        if ctype == "application/json":
            validate(doc, resolver, content[ctype]["schema"], json.loads(raw), where)
    served = net.request("GET", "/openapi.json")[2]
    check(served == doc_bytes, "GET /openapi.json differs from node/http/openapi.json")

    for op in sorted(documented):
        kinds = seen.get(op, set())
        check("ok" in kinds, "no success case for %s %s" % op)
        # Routes whose every input is valid (status, metrics, ...) show their error shape through 405 above.
    errorless = [op for op in sorted(documented) if "error" not in seen.get(op, set())]
    print("operations whose only error case is 405:", ", ".join("%s %s" % op for op in errorless))


def validate(doc, resolver, schema, instance, where):
    try:
        jsonschema.Draft202012Validator(schema, resolver=resolver).validate(instance)
    except jsonschema.ValidationError as e:
        raise AssertionError("%s\ndoes not match the schema: %s at %s" % (where, e.message, list(e.absolute_path)))


if __name__ == "__main__":
    main()
