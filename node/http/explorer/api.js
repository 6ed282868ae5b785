// REST access and formatting shared by the pages. Everything comes from the
// node's own /v1 endpoints (docs/api.md); nothing is invented client-side.

export class HttpError extends Error {
  constructor(path, status, body) {
    super(path + ": " + status + (body && body.message ? " " + body.message : ""));
    this.status = status;
    this.body = body;
  }
}

export async function get(path) {
  const r = await fetch(path);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) throw new HttpError(path, r.status, body);
  return body;
}

// Every page of a paginated listing (docs/api.md "Pagination"), bounded.
export async function all(path, key, maxPages = 20) {
  let out = [];
  let pageKey = "";
  const sep = path.includes("?") ? "&" : "?";
  for (let i = 0; i < maxPages; i++) {
    const page = await get(path + sep + "limit=200" + (pageKey ? "&page_key=" + pageKey : ""));
    out = out.concat(page[key]);
    pageKey = page.next_key;
    if (!pageKey) break;
  }
  return out;
}

// GET /v1/events/search: one page (newest first) plus where to continue.
export async function searchEvents(params) {
  const q = new URLSearchParams();
  for (const t of params.types || []) q.append("type", t);
  for (const [k, v] of Object.entries(params.attrs || {})) q.append("attr", k + "=" + v);
  if (params.maxHeight) q.set("max_height", String(params.maxHeight));
  if (params.minHeight) q.set("min_height", String(params.minHeight));
  q.set("limit", String(params.limit || 100));
  return get("/v1/events/search?" + q.toString());
}

export function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

// uagr (decimal string, up to 2^64) as agr with 6 decimals, exact; the uagr
// value on hover.
export function agr(uagr) {
  if (uagr === undefined || uagr === null || uagr === "") return "-";
  const s = String(uagr);
  if (!/^[0-9]+$/.test(s)) return esc(s);
  const padded = s.padStart(7, "0");
  const whole = padded.slice(0, -6).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = padded.slice(-6).replace(/0+$/, "");
  return '<span class="amt" title="' + s + ' uagr">' + whole + (frac ? "." + frac : "") + " agr</span>";
}

// Reputation score (ppm) as a score out of 100 with its lease count: the
// settled leases that count as completed (docs/ledger.md "Reputation").
export function reputation(rep) {
  if (!rep) return "-";
  const score = (Number(rep.score) / 10000).toFixed(2);
  const n = Number(rep.completed);
  return '<span class="rep" title="score ' + esc(rep.score) + ' ppm">' + score + "/100</span> over " + n + " completed lease" + (n === 1 ? "" : "s") +
         (rep.early_closes ? ", " + rep.early_closes + " closed early" : "") + (rep.slashes ? ", " + rep.slashes + " slashed" : "");
}

export function resources(r) {
  if (!r) return "-";
  let s = r.cpu_millicores + "m cpu, " + r.memory_mib + " MiB, " + r.storage_gib + " GiB";
  for (const g of r.gpus || []) s += ", " + g.count + "x " + esc(g.model);
  return s;
}

export function attrs(list) { return (list || []).map(a => esc(a.key) + "=" + esc(a.value)).join(", ") || "-"; }
export function time(ms) { return ms ? new Date(Number(ms)).toISOString().replace("T", " ").replace(".000Z", "Z") : "-"; }
export function pct(part, whole) { return whole > 0 ? (100 * part / whole) : 0; }
export function bar(part, whole) {
  const p = pct(part, whole);
  return '<span class="bar" title="' + p.toFixed(1) + '%"><span style="width:' + p.toFixed(1) + '%"></span></span> ' + p.toFixed(1) + "%";
}

export const link = {
  block: h => '<a href="#/block/' + h + '">' + h + "</a>",
  tx: (h, short = true) => '<a class="hash" href="#/tx/' + esc(h) + '">' + esc(short ? h.slice(0, 16) + "..." : h) + "</a>",
  account: a => a ? '<a class="mono" href="#/account/' + esc(a) + '">' + esc(a) + "</a>" : "-",
  provider: a => '<a class="mono" href="#/provider/' + esc(a) + '">' + esc(a) + "</a>",
  validator: (op, text) => '<a class="mono" href="#/validator/' + esc(op) + '">' + esc(text || op) + "</a>",
  job: id => Number(id) ? '<a href="#/job/' + id + '">' + id + "</a>" : "-",
  lease: id => Number(id) ? '<a href="#/lease/' + id + '">' + id + "</a>" : "-",
};

export function table(headers, rows, attrsText = "") {
  return "<table " + attrsText + "><thead><tr>" + headers.map(h => "<th>" + h + "</th>").join("") + "</tr></thead><tbody>" +
         (rows.length ? rows.join("") : '<tr><td colspan="' + headers.length + '" class="note">none</td></tr>') + "</tbody></table>";
}
export function row(cells, attrsText = "") { return "<tr " + attrsText + ">" + cells.map(c => "<td>" + c + "</td>").join("") + "</tr>"; }
export function kv(pairs, attrsText = "") {
  return '<table class="kv" ' + attrsText + "><tbody>" + pairs.map(([k, v]) => "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>").join("") + "</tbody></table>";
}

// An event's attributes as {key: value} (first value of a key wins, as in filters).
export function eventAttrs(e) {
  const out = {};
  for (const a of (e.data && e.data.attributes) || e.attributes || []) if (!(a.key in out)) out[a.key] = a.value;
  return out;
}

// Attribute values rendered with links and amounts where the key says what they are.
const AMOUNT_KEYS = new Set(["fee", "amount", "deposit", "refunded", "price_per_second", "max_price_per_second", "stake",
  "self_stake", "burned", "accrued", "escrow_left", "paid_to_provider", "commission", "by_price_per_second"]);
export function attrValue(key, value) {
  if (AMOUNT_KEYS.has(key)) return agr(value);
  if (key === "lease_id") return link.lease(value);
  if (key === "job_id") return link.job(value);
  if (key === "tx_hash") return link.tx(value);
  if (key === "provider") return link.provider(value);
  if (key === "operator" || key === "validator") return value.startsWith("agoravaloper") ? link.validator(value) : esc(value);
  if (/^agora1[0-9a-z]+$/.test(value)) return link.account(value);
  return esc(value);
}
export function attrList(list) {
  return (list || []).filter(a => a.key !== "msg_index").map(a => esc(a.key) + "=" + attrValue(a.key, a.value)).join(", ");
}
