// The explorer's pages. Each page renders into `view` and may return hooks:
// onBlock(height) runs on every new block while the page is shown, and
// {filter, onEvent} adds a WebSocket subscription for the page's lifetime.
import { get, all, searchEvents, esc, agr, reputation, resources, attrs, time, bar, link, table, row, kv, eventAttrs,
         attrList, HttpError } from "./api.js";
import { lineChart } from "./chart.js";

const EVENT_PAGES = 5;  // /v1/events/search pages a history view reads before offering "older"

// Reads up to EVENT_PAGES pages of a search; returns {events, next} (next = max_height to continue, 0 = done).
async function history(params) {
  let events = [], next = params.maxHeight || 0;
  for (let i = 0; i < EVENT_PAGES; i++) {
    const page = await searchEvents({...params, maxHeight: next || undefined, limit: 1000});
    events = events.concat(page.events);
    next = page.next_max_height;
    if (!next) break;
  }
  return {events, next};
}
// A table of searched events with a "Load older" button while older blocks
// remain unsearched. oldestFirst: rows in chronological order (older ones are
// put on top).
async function historyTable(container, params, headers, toRow, attrsText = "", oldestFirst = false) {
  let rows = [];
  const load = async from => {
    const h = await history({...params, maxHeight: from || params.maxHeight});
    const more = h.events.map(toRow);
    rows = oldestFirst ? more.reverse().concat(rows) : rows.concat(more);
    container.innerHTML = table(headers, rows, attrsText) + (h.next
      ? '<p class="note">Searched the blocks above height ' + h.next + '. <button class="more" type="button">Load older</button></p>'
      : '<p class="note">Searched every stored block.</p>');
    const button = container.querySelector("button.more");
    if (button) button.addEventListener("click", () => load(h.next));
  };
  await load(0);
}
function historyNote(next) {
  return next ? '<p class="note">Older blocks (height ' + next + " and below) not searched yet.</p>"
              : '<p class="note">Searched every stored block.</p>';
}

// ---------------------------------------------------------------- home

const MAX_BLOCKS = 15;

async function networkFigures() {
  const [st, list] = await Promise.all([get("/v1/status"), get("/v1/blocks?limit=21")]);
  const bs = list.blocks;
  let blockTime = "-", tps = "-";
  if (bs.length >= 2) {
    const spanMs = bs[0].time_ms - bs[bs.length - 1].time_ms;
    const txs = bs.slice(0, -1).reduce((n, b) => n + b.num_txs, 0);
    blockTime = (spanMs / (bs.length - 1) / 1000).toFixed(2) + " s";
    tps = spanMs > 0 ? (txs / (spanMs / 1000)).toFixed(2) : "0";
  }
  const fig = (id, value, label) => '<div class="figure" data-figure="' + id + '"><div class="value">' + value + '</div><div class="label">' + label + "</div></div>";
  return {st, blocks: bs, html: '<div class="figures">' +
    fig("height", st.latest_height, "height") +
    fig("block_time", blockTime, "mean block time (last " + Math.max(bs.length - 1, 0) + " blocks)") +
    fig("tps", tps, "tx/s (same blocks)") +
    fig("mempool", st.mempool.txs + " txs", "mempool (" + st.mempool.bytes + " bytes)") + "</div>"};
}

function blockRow(b) {
  return row([link.block(b.height), '<span class="hash">' + esc(b.block_id.slice(0, 16)) + "</span>", b.num_txs, time(b.time_ms),
              link.validator(b.proposer)], 'class="block" data-height="' + b.height + '"');
}

// Settled-lease prices, searched once and then only over the blocks added since,
// so a refresh at every block does not search history again.
const settled = {points: [], searchedTo: 0, older: 0, loaded: false};
const MAX_PRICE_POINTS = 200;

async function settledPrices(latest) {
  let events = [];
  if (!settled.loaded) {
    const h = await history({types: ["lease_settled"], maxHeight: latest});
    events = h.events;
    settled.older = h.next;
    settled.loaded = true;
  } else if (latest > settled.searchedTo) {
    events = (await searchEvents({types: ["lease_settled"], minHeight: settled.searchedTo + 1, maxHeight: latest, limit: 1000})).events;
  }
  settled.searchedTo = Math.max(settled.searchedTo, latest);
  for (const e of events.slice(0, MAX_PRICE_POINTS).reverse()) {
    const id = eventAttrs(e).lease_id;
    const l = await get("/v1/leases/" + id);
    const cores = l.resources.cpu_millicores / 1000;
    if (cores > 0) {
      settled.points.push({x: e.height, y: Number(l.price_per_second) / cores,
                           tip: "lease " + id + " settled at " + e.height + ": " + l.price_per_second + " uagr/s for " + cores + " cores"});
    }
  }
  settled.points.sort((a, b) => a.x - b.x);
  settled.points.splice(0, Math.max(0, settled.points.length - MAX_PRICE_POINTS));
  return {points: settled.points, next: settled.older};
}

// CPU reserved by leases over time, as a share of the CPU listed now. The ledger
// keeps reserved = the resources of every lease not closed (contracts/Invariants),
// so walking lease_created / lease_closed events back from today's exact figure
// gives the exact reserved CPU at every earlier height of the searched blocks.
// Later calls do the same over the blocks added since the previous call.
const utilisation = {points: [], to: 0, partial: false};
const MAX_RECONSTRUCTED_LEASES = 200;
const MAX_UTILISATION_POINTS = 500;
const leaseCpu = {};

// Points (oldest first) of reserved CPU for the heights covered by `events`
// (newest first), ending at `latest` with today's figure `res`.
async function walkBack(events, latest, res) {
  for (const id of new Set(events.map(e => eventAttrs(e).lease_id))) {
    if (!(id in leaseCpu)) leaseCpu[id] = (await get("/v1/leases/" + id)).resources.cpu_millicores;
  }
  const back = [{x: latest, y: res}];
  let r = res;
  for (let i = 0; i < events.length;) {
    const height = events[i].height;
    back.push({x: height, y: r});
    for (; i < events.length && events[i].height === height; i++) {
      r += (events[i].type === "lease_closed" ? 1 : -1) * leaseCpu[eventAttrs(events[i]).lease_id];
    }
    back.push({x: height - 1, y: r});
  }
  return back.reverse();
}

async function utilisationHistory(providers, latest) {
  let cap = 0, res = 0;
  for (const p of providers) { cap += p.capacity.cpu_millicores; res += p.reserved.cpu_millicores; }
  const types = ["lease_created", "lease_closed"];
  let fresh = [];
  if (!utilisation.to) {
    const h = await history({types, maxHeight: latest});
    utilisation.partial = h.next !== 0;
    const leases = new Set(h.events.map(e => eventAttrs(e).lease_id)).size;
    fresh = leases <= MAX_RECONSTRUCTED_LEASES ? await walkBack(h.events, latest, res) : [{x: latest, y: res}];
    if (leases > MAX_RECONSTRUCTED_LEASES) utilisation.partial = true;
  } else if (latest > utilisation.to) {
    const page = await searchEvents({types, minHeight: utilisation.to + 1, maxHeight: latest, limit: 1000});
    fresh = page.next_max_height ? [{x: latest, y: res}] : await walkBack(page.events, latest, res);
  }
  utilisation.to = Math.max(utilisation.to, latest);
  utilisation.points = utilisation.points.concat(fresh.filter(p => !utilisation.points.length || p.x >= utilisation.points[utilisation.points.length - 1].x));
  utilisation.points.splice(0, Math.max(0, utilisation.points.length - MAX_UTILISATION_POINTS));
  return {points: utilisation.points.map(p => ({x: p.x, y: cap > 0 ? 100 * p.y / cap : 0})), partial: utilisation.partial};
}

async function marketView(providers, latest) {
  // Price per resource unit from settled leases: the lease's price per second divided by its CPU cores.
  const {points, next} = await settledPrices(latest);
  const util = await utilisationHistory(providers, latest);
  let cap = 0, res = 0, mem = 0, memRes = 0, disk = 0, diskRes = 0;
  for (const p of providers) {
    cap += p.capacity.cpu_millicores; res += p.reserved.cpu_millicores;
    mem += p.capacity.memory_mib; memRes += p.reserved.memory_mib;
    disk += p.capacity.storage_gib; diskRes += p.reserved.storage_gib;
  }
  return '<div class="charts">' +
    lineChart("Settled leases: uagr per second per CPU core", points,
              {id: "price", xLabel: "height settled", yLabel: "uagr/s/core", empty: "no settled lease in the searched blocks"}) +
    lineChart("CPU reserved by leases (% of the CPU listed now)", util.points.map(p => ({x: p.x, y: p.y, tip: "height " + p.x + ": " + p.y.toFixed(1) + "%"})),
              {id: "utilisation", xLabel: util.partial ? "height (older blocks not searched)" : "height", yLabel: "% cpu"}) +
    "</div>" + (next ? historyNote(next) : "") +
    kv([["CPU reserved", bar(res, cap) + " of " + cap + "m"], ["memory reserved", bar(memRes, mem) + " of " + mem + " MiB"],
        ["storage reserved", bar(diskRes, disk) + " of " + disk + " GiB"], ["providers", String(providers.length)]], 'id="utilisation"');
}

export async function home(view) {
  view.innerHTML = '<h1>Network</h1><div id="figures"></div><h2>Latest blocks</h2><div id="blocks"></div>' +
    '<h2>Market</h2><div id="market"></div><h2>Validators</h2><div id="validators"></div><h2>Providers</h2><div id="providers"></div>' +
    '<h2>Open jobs</h2><div id="jobs"></div><h2>Leases</h2><div id="leases"></div>';
  const blocks = new Map();
  const renderBlocks = () => {
    const hs = [...blocks.keys()].sort((a, b) => b - a);
    for (const h of hs.slice(MAX_BLOCKS)) blocks.delete(h);
    view.querySelector("#blocks").innerHTML = table(["height", "block id", "txs", "time", "proposer"],
      hs.slice(0, MAX_BLOCKS).map(h => blockRow(blocks.get(h))), 'id="block-table"');
  };
  async function loadFigures() {
    const f = await networkFigures();
    view.querySelector("#figures").innerHTML = f.html;
    for (const b of f.blocks.slice(0, MAX_BLOCKS)) blocks.set(b.height, b);
    renderBlocks();
    return f.st;
  }
  async function loadMarket() {
    const [validators, providers, jobs] = await Promise.all([all("/v1/validators", "validators"), all("/v1/providers", "providers"),
                                                             all("/v1/jobs", "jobs")]);
    view.querySelector("#validators").innerHTML = table(["operator", "moniker", "power", "tokens", "commission", "status"],
      validators.map(v => row([link.validator(v.operator), esc(v.moniker), esc(v.power), agr(v.tokens), (v.commission_bps / 100).toFixed(2) + "%",
                               v.tombstoned ? "tombstoned" : v.jailed ? "jailed" : "active"], 'class="validator"')));
    const leases = new Map();
    const provRows = [];
    for (const p of providers) {
      const rep = await get("/v1/reputation/" + p.address);
      provRows.push(row([link.provider(p.address), attrs(p.attributes), resources(p.capacity), bar(p.reserved.cpu_millicores, p.capacity.cpu_millicores),
                         reputation(rep)], 'class="provider" data-address="' + esc(p.address) + '"'));
      for (const l of await all("/v1/leases?provider=" + p.address, "leases")) leases.set(l.id, l);
    }
    view.querySelector("#providers").innerHTML = table(["address", "attributes", "capacity", "cpu reserved", "reputation"], provRows);
    const jobRows = [];
    for (const j of jobs) {
      const bids = await all("/v1/jobs/" + j.id + "/bids", "bids");
      const bidText = bids.map(b => '<span class="bid" data-bid="' + b.id + '">bid ' + b.id + ": " + link.provider(b.provider) + " @ " + agr(b.price_per_second) + "</span>").join("<br>");
      jobRows.push(row([link.job(j.id), link.account(j.client), agr(j.max_price_per_second), j.bidding_end_height, bidText || "none"],
                       'class="job" data-job="' + j.id + '" data-bids="' + bids.length + '"'));
    }
    view.querySelector("#jobs").innerHTML = table(["job", "client", "max price/s", "bidding ends", "bids"], jobRows);
    const leaseRows = [];
    for (const l of [...leases.values()].sort((a, b) => a.id - b.id)) {
      const e = await get("/v1/escrow/" + l.id);
      leaseRows.push(row([link.lease(l.id), link.job(l.job_id), link.account(l.client), link.provider(l.provider), esc(l.state),
                          agr(l.price_per_second), agr(e.remaining), agr(e.accrued)], 'class="lease" data-lease="' + l.id + '"'));
    }
    view.querySelector("#leases").innerHTML = table(["lease", "job", "client", "provider", "state", "price/s", "escrow balance", "accrued"], leaseRows);
    return providers;
  }
  const st = await loadFigures();
  const providers = await loadMarket();
  view.querySelector("#market").innerHTML = await marketView(providers, st.latest_height);

  let busy = false;
  return {
    onBlock: async (d) => {
      blocks.set(d.height, {height: d.height, block_id: d.block_id, num_txs: d.num_txs, time_ms: d.time_ms, proposer: d.proposer});
      renderBlocks();
      if (busy) return;
      busy = true;
      try {
        await loadFigures();
        const ps = await loadMarket();
        view.querySelector("#market").innerHTML = await marketView(ps, d.height);
      } finally { busy = false; }
    },
  };
}

// ---------------------------------------------------------------- block

function eventRow(e, withTx) {
  const d = e.data || {};
  const cells = [link.block(e.height), esc(d.phase || "")];
  if (withTx) cells.push(d.tx_hash ? link.tx(d.tx_hash) : "-");
  cells.push(d.msg_index !== undefined ? d.msg_index : "-", esc(e.type), attrList(d.attributes));
  return row(cells, 'class="event" data-type="' + esc(e.type) + '"');
}
function eventsTable(events, withTx) {
  return table(["height", "phase", withTx ? "tx" : null, "msg", "type", "attributes"].filter(x => x !== null), events.map(e => eventRow(e, withTx)));
}

export async function block(view, arg) {
  const b = await get(/^[0-9a-f]{64}$/.test(arg) ? "/v1/blocks/hash/" + arg : "/v1/blocks/" + arg);
  const h = b.header;
  const evs = await searchEvents({minHeight: b.height, maxHeight: b.height, limit: 1000});
  view.innerHTML = "<h1>Block " + b.height + "</h1>" +
    '<p>' + (b.height > 1 ? '<a href="#/block/' + (b.height - 1) + '">&larr; ' + (b.height - 1) + "</a> " : "") +
    '<a href="#/block/' + (b.height + 1) + '" id="next-block">' + (b.height + 1) + " &rarr;</a></p>" +
    kv([["block id", '<span class="hash">' + b.block_id + "</span>"], ["time", time(h.time_ms)], ["chain", esc(h.chain_id)],
        ["proposer", link.validator(h.proposer)], ["previous block", '<span class="hash">' + h.last_block_id + "</span>"],
        ["app hash", '<span class="hash">' + h.app_hash + "</span>"], ["data hash", '<span class="hash">' + h.data_hash + "</span>"],
        ["results hash", '<span class="hash">' + h.results_hash + "</span>"], ["txs", String(b.num_txs)], ["evidence", String(b.evidence_count)],
        ["last commit", b.last_commit ? "height " + b.last_commit.height + ", round " + b.last_commit.round + ", " + b.last_commit.signers.length + " signers" : "-"]],
       'id="block" data-height="' + b.height + '"') +
    "<h2>Transactions</h2>" + table(["#", "hash", "bytes"], b.txs.map((t, i) => row([i, link.tx(t.hash, false), t.bytes.length / 2], 'class="tx"'))) +
    "<h2>Events</h2>" + eventsTable(evs.events.slice().reverse(), true) +
    "<h2>Commit signers (of block " + (b.height - 1) + ")</h2>" +
    table(["consensus key"], (b.last_commit ? b.last_commit.signers : []).map(s => row(['<span class="hash">' + s + "</span>"])));
}

// ---------------------------------------------------------------- tx

export async function tx(view, hash) {
  const t = await get("/v1/txs/" + hash);
  const body = t.body || {};
  const r = t.result;
  view.innerHTML = "<h1>Transaction</h1>" +
    kv([["hash", '<span class="hash" id="tx-hash">' + esc(t.hash) + "</span>"], ["block", link.block(t.height) + ", index " + t.index],
        ["result", (r.code === 0 ? '<span class="pill good">ok</span>' : '<span class="pill bad">code ' + r.code + "</span> " + esc(r.message))],
        ["signer", link.account(body.signer)], ["nonce", esc(body.nonce)], ["fee", agr(body.fee)], ["fee charged", agr(r.fee_charged)],
        ["memo", esc(body.memo || "")], ["chain", esc(body.chain_id || "")], ["size", t.tx.length / 2 + " bytes"]], 'id="tx"') +
    "<h2>Messages</h2>" + table(["#", "type", "events"], (body.messages || []).map(m => row([m.index, esc(m.type),
      r.events.filter(e => e.attributes.some(a => a.key === "msg_index" && Number(a.value) === m.index)).map(e => esc(e.type)).join(", ") || "-"],
      'class="msg"'))) +
    '<p class="note">The node does not map message fields to JSON; what each message did is in its events below (msg_index).</p>' +
    "<h2>Events</h2>" + table(["type", "attributes"], r.events.map(e => row([esc(e.type), attrList(e.attributes)], 'class="event"')));
}

// ---------------------------------------------------------------- account

function leaseRows(leases) {
  return leases.map(l => row([link.lease(l.id), link.job(l.job_id), link.account(l.client), link.provider(l.provider), esc(l.state),
                              agr(l.price_per_second), agr(l.deposited), time(l.start_time) + " .. " + time(l.end_time)], 'class="lease" data-lease="' + l.id + '"'));
}
const LEASE_HEAD = ["lease", "job", "client", "provider", "state", "price/s", "deposited", "block time"];

export async function account(view, address) {
  const [acc, asClient, asProvider, providers] = await Promise.all([
    get("/v1/accounts/" + address), all("/v1/leases?client=" + address, "leases"), all("/v1/leases?provider=" + address, "leases"),
    all("/v1/providers", "providers")]);
  const isProvider = providers.some(p => p.address === address);
  view.innerHTML = "<h1>Account</h1>" +
    kv([["address", '<span class="mono">' + esc(acc.address) + "</span>"], ["balance", agr(acc.balance)], ["next nonce", esc(acc.next_nonce)],
        ["pending nonce", esc(acc.pending_nonce)], ["provider", isProvider ? link.provider(address) : "no"]], 'id="account"') +
    "<h2>Transactions sent</h2><div id=\"sent\"></div><h2>Transfers received</h2><div id=\"received\"></div>" +
    "<h2>Leases as client</h2>" + table(LEASE_HEAD, leaseRows(asClient), 'id="client-leases"') +
    "<h2>Leases as provider</h2>" + table(LEASE_HEAD, leaseRows(asProvider), 'id="provider-leases"');
  await historyTable(view.querySelector("#sent"), {types: ["tx_fee"], attrs: {payer: address}}, ["height", "tx", "nonce", "fee"], e => {
    const a = eventAttrs(e);
    return row([link.block(e.height), link.tx(e.data.tx_hash), esc(a.nonce), agr(a.fee)], 'class="tx"');
  }, 'id="sent-txs"');
  await historyTable(view.querySelector("#received"), {types: ["transfer"], attrs: {to: address}}, ["height", "tx", "from", "amount"], e => {
    const a = eventAttrs(e);
    return row([link.block(e.height), link.tx(e.data.tx_hash), link.account(a.from), agr(a.amount)]);
  });
}

// ---------------------------------------------------------------- validator

export async function validator(view, operator) {
  const [vals, blocks] = await Promise.all([all("/v1/validators", "validators"), get("/v1/blocks?limit=100")]);
  const v = vals.find(x => x.operator === operator);
  if (!v) throw new HttpError("validator " + operator, 404, {message: "no validator " + operator});
  const withCommit = blocks.blocks.filter(b => b.height > 1);
  const signed = withCommit.filter(b => b.last_commit_signers.includes(v.consensus_key)).length;
  const totalPower = vals.reduce((n, x) => n + Number(x.power), 0);
  const evidence = await get("/v1/evidence?validator=" + operator);
  view.innerHTML = "<h1>Validator " + esc(v.moniker) + "</h1>" +
    kv([["operator", '<span class="mono">' + esc(v.operator) + "</span>"], ["account", link.account(v.account)],
        ["consensus key", '<span class="hash">' + esc(v.consensus_key) + "</span>"],
        ["power", esc(v.power) + " (" + (totalPower ? (100 * Number(v.power) / totalPower).toFixed(2) : "0") + "% of " + totalPower + ")"],
        ["tokens", agr(v.tokens)], ["commission", (v.commission_bps / 100).toFixed(2) + "%"], ["pending rewards", agr(v.pending_rewards)],
        ["status", v.tombstoned ? "tombstoned" : v.jailed ? "jailed until " + v.jailed_until : "active"],
        ["uptime", withCommit.length ? '<span id="uptime">' + (100 * signed / withCommit.length).toFixed(1) + "%</span> (signed " + signed + " of the last " +
                   withCommit.length + " commits)" : "-"]], 'id="validator"') +
    "<h2>Slashes and jailing</h2><div id=\"slashes\"></div>" +
    "<h2>Evidence</h2>" + table(["height", "infraction height", "kind", "vote"], evidence.evidence.map(e =>
      row([link.block(e.height), e.infraction_height, esc(e.kind), esc(e.vote_type)])));
  await historyTable(view.querySelector("#slashes"), {types: ["slash", "validator_jailed", "validator_unjailed"], attrs: {operator}},
                     ["height", "phase", "msg", "type", "attributes"], e => eventRow(e, false));
}

// ---------------------------------------------------------------- provider

export async function provider(view, address) {
  const [p, rep, leases] = await Promise.all([get("/v1/providers/" + address), get("/v1/reputation/" + address),
                                              all("/v1/leases?provider=" + address, "leases")]);
  const use = (k, unit) => bar(p.reserved[k], p.capacity[k]) + " (" + p.reserved[k] + " of " + p.capacity[k] + " " + unit + ", " + p.free[k] + " free)";
  const gpus = (p.capacity.gpus || []).map(g => {
    const r = (p.reserved.gpus || []).find(x => x.model === g.model);
    return [g.model + " GPUs", bar(r ? r.count : 0, g.count) + " of " + g.count];
  });
  view.innerHTML = "<h1>Provider</h1>" +
    kv([["address", link.account(p.address)], ["host", esc(p.host_uri)], ["attributes", attrs(p.attributes)], ["stake", agr(p.stake)],
        ["registered at", link.block(p.registered_height)], ["open leases", esc(p.open_leases)], ["reputation", reputation(rep)],
        ["paid through settled leases", agr(rep.total_paid)], ["cpu", use("cpu_millicores", "m")], ["memory", use("memory_mib", "MiB")],
        ["storage", use("storage_gib", "GiB")], ...gpus], 'id="provider"') +
    "<h2>Offers</h2>" + table(["offer", "per cpu millicore", "per MiB", "per GiB", "gpus"], (p.offers || []).map(o => row([o.offer_id,
      agr(o.per_cpu_millicore), agr(o.per_memory_mib), agr(o.per_storage_gib), (o.gpus || []).map(g => esc(g.model) + " " + agr(g.per_gpu)).join(", ") || "-"],
      'class="offer"'))) +
    '<p class="note">Offer prices are per unit per second of block time.</p>' +
    "<h2>Reputation over time</h2><div id=\"rep-chart\"></div>" +
    "<h2>Leases</h2>" + table(LEASE_HEAD, leaseRows(leases));
  const ups = await history({types: ["reputation_updated"], attrs: {provider: address}});
  view.querySelector("#rep-chart").innerHTML = lineChart("Reputation score (of 100)", ups.events.slice().reverse().map(e => {
    const a = eventAttrs(e);
    return {x: e.height, y: Number(a.score) / 10000, tip: "height " + e.height + ": " + (Number(a.score) / 10000).toFixed(2) + "/100 after " + a.completed + " leases"};
  }), {id: "reputation", xLabel: "height", yLabel: "score", empty: "no reputation change yet (no settled lease)"}) + historyNote(ups.next);
}

// ---------------------------------------------------------------- job

export async function job(view, id) {
  const render = async () => {
    const [j, bids] = await Promise.all([get("/v1/jobs/" + id), all("/v1/jobs/" + id + "/bids?include_closed=true", "bids")]);
    return "<h1>Job " + j.id + "</h1>" +
      kv([["client", link.account(j.client)], ["state", esc(j.state)], ["resources", resources(j.resources)], ["constraints", attrs(j.constraints)],
          ["max price/s", agr(j.max_price_per_second)], ["duration", j.duration_seconds + " s"], ["bidding ends", link.block(j.bidding_end_height)],
          ["min reputation", esc(j.min_reputation)], ["deposit", agr(j.deposit)], ["open bids", esc(j.open_bids)], ["lease", link.lease(j.lease_id)]],
         'id="job" data-state="' + esc(j.state) + '"') +
      "<h2>Bids <span class=\"note\">(live)</span></h2>" + table(["bid", "provider", "price/s", "deposit", "state", "placed at"],
        bids.map(b => row([b.id, link.provider(b.provider), agr(b.price_per_second), agr(b.deposit), esc(b.state), link.block(b.created_height)],
                          'class="bid" data-bid="' + b.id + '" data-state="' + esc(b.state) + '"')), 'id="bids" data-count="' + bids.length + '"');
  };
  view.innerHTML = await render() + '<h2>Events <span class="note">(live)</span></h2><div id="job-events"></div>';
  const live = [];
  return {
    filter: {attributes: {job_id: String(id)}},
    onEvent: async (e) => {
      live.unshift(e);
      view.querySelector("#job-events").innerHTML = eventsTable(live, true);
      const top = await render();
      const keep = view.querySelector("#job-events").outerHTML;
      view.innerHTML = top + '<h2>Events <span class="note">(live)</span></h2>' + keep;
    },
  };
}

// ---------------------------------------------------------------- lease

// What each lease event means for the escrow: [description (html), amount moved or null].
const TIMELINE = {
  lease_created: a => ["deposited", a.deposit],
  lease_topped_up: a => ["topped up", a.amount],
  provider_withdraw: a => ["paid to the provider (withdrawal)", a.amount],
  lease_insufficient_funds: a => ["escrow ran dry; the lease closes at " + link.block(a.close_height), null],
  lease_closed: a => ["closed (" + esc(a.reason) + "), accrued " + agr(a.accrued) + ", left in escrow", a.escrow_left],
  lease_settled: a => ["settled: provider paid " + agr(a.paid_to_provider) + ", rating " + esc(a.rating) + ", refunded", a.refunded],
  usage_reported: a => ["usage reported up to " + esc(a.up_to_height) + " (" + (Number(a.availability_bps) / 100) + "% available)", null],
};

export async function lease(view, id) {
  const [l, e] = await Promise.all([get("/v1/leases/" + id), get("/v1/escrow/" + id)]);
  // The deposit split into its four parts (deposited = accrued + withdrawn + refunded + remaining), exact in BigInt.
  const stack = x => {
    const total = BigInt(x.deposited || "0");
    const part = v => total > 0n ? Number(BigInt(v) * 10000n / total) / 100 : 0;
    return '<div class="bar" style="width:30em;display:flex" id="escrow-bar">' +
      [["accrued", "#e9c46a"], ["withdrawn", "#2a9d8f"], ["refunded", "#adb5bd"], ["remaining", "#457b9d"]].map(([k, c]) =>
        '<span title="' + k + " " + x[k] + ' uagr" style="width:' + part(x[k]) + "%;background:" + c + '"></span>').join("") + "</div>" +
      '<p class="note">accrued (yellow), paid (green), refunded (grey), remaining (blue), of the deposit.</p>';
  };
  const escrowHtml = x => "<h2>Escrow (at height " + x.height + ")</h2>" +
    kv([["deposited", agr(x.deposited)], ["accrued", agr(x.accrued)], ["paid to provider", agr(x.withdrawn)], ["refunded", agr(x.refunded)],
        ["remaining", agr(x.remaining)], ["paid through", time(x.paid_through)], ["runs dry", x.dry_time ? time(x.dry_time) : "-"],
        ["ends", time(x.end_time)]], 'id="escrow" data-height="' + x.height + '"') + stack(x);
  view.innerHTML = "<h1>Lease " + l.id + "</h1>" +
    kv([["client", link.account(l.client)], ["provider", link.provider(l.provider)], ["job", l.job_id ? link.job(l.job_id) : "from an offer"],
        ["state", esc(l.state) + (l.close_reason ? " (" + esc(l.close_reason) + ")" : "")], ["resources", resources(l.resources)],
        ["price/s", agr(l.price_per_second)], ["runs", link.block(l.start_height) + " at " + time(l.start_time) + " .. " + time(l.end_time)],
        ["rating", l.settled ? esc(l.rating) : "not settled"]], 'id="lease"') +
    '<div id="escrow-view">' + escrowHtml(e) + "</div>" +
    '<h2>Timeline</h2><div id="timeline-list"></div>';
  await historyTable(view.querySelector("#timeline-list"), {attrs: {lease_id: String(id)}}, ["height", "event", "what", "amount", "tx"], x => {
    const a = eventAttrs(x);
    const [what, amount] = (TIMELINE[x.type] || (() => [attrList(x.data.attributes), null]))(a);
    return row([link.block(x.height), esc(x.type), what, amount !== null && amount !== undefined ? agr(amount) : "-",
                x.data.tx_hash ? link.tx(x.data.tx_hash) : "end of block"], 'class="timeline" data-type="' + esc(x.type) + '"');
  }, 'id="timeline"', true);
  // The escrow view accrues every block: refresh it as blocks arrive.
  return {
    onBlock: async () => {
      if (l.state === "closed") return;
      view.querySelector("#escrow-view").innerHTML = escrowHtml(await get("/v1/escrow/" + id));
    },
  };
}
