// The explorer shell: hash routing (#/block/12, #/tx/HASH, #/account/ADDR,
// #/validator/OPER, #/provider/ADDR, #/job/ID, #/lease/ID), the search box,
// and one WebSocket (/v1/events) that brings new blocks and the current
// page's events without a reload. docs/explorer.md lists the pages.
import { get, esc, HttpError } from "./api.js";
import * as pages from "./pages.js";

const view = document.getElementById("view");
const conn = document.getElementById("conn");
const chain = document.getElementById("chain");

const routes = {
  "": pages.home, block: pages.block, tx: pages.tx, account: pages.account, validator: pages.validator,
  provider: pages.provider, job: pages.job, lease: pages.lease, search: searchPage,
};

let current = null;  // hooks of the page on screen
let renderSeq = 0;
let latestHeight = 0;

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  let arg = parts.slice(1).join("/");
  try { arg = decodeURIComponent(arg); } catch (e) { /* a malformed escape stays as typed */ }
  return {name: parts[0] || "", arg};
}

async function render() {
  const seq = ++renderSeq;
  const {name, arg} = parseHash();
  const page = routes[name];
  unsubscribePage();
  current = null;
  view.dataset.loaded = "";
  view.innerHTML = '<p class="note">loading...</p>';
  try {
    if (!page) throw new HttpError(location.hash, 404, {message: "no such page"});
    const hooks = (await page(view, arg)) || {};
    if (seq !== renderSeq) return;  // the user moved on meanwhile
    current = hooks;
    subscribePage();
  } catch (e) {
    if (seq !== renderSeq) return;
    view.innerHTML = '<h1>Not found</h1><p class="error" id="page-error">' + esc(e.message) + "</p>";
  }
  view.dataset.page = name || "home";
  view.dataset.loaded = location.hash || "#/";
  document.body.dataset.ready = "1";
}

// ---------------------------------------------------------------- search

// What a query can be: a height, a 64-hex tx or block hash, an account or
// validator address, "job N", "lease N", "block N".
async function resolve(q) {
  q = q.trim();
  let m;
  if ((m = /^(block|job|lease)\s*[#:]?\s*(\d+)$/i.exec(q))) return "#/" + m[1].toLowerCase() + "/" + m[2];
  if (/^\d+$/.test(q)) return "#/block/" + q;
  if (/^agoravaloper1[0-9a-z]+$/.test(q)) return "#/validator/" + q;
  if (/^agora1[0-9a-z]+$/.test(q)) return "#/account/" + q;
  if (/^[0-9a-fA-F]{64}$/.test(q)) {
    const h = q.toLowerCase();
    try { await get("/v1/txs/" + h); return "#/tx/" + h; } catch (e) { if (e.status !== 404) throw e; }
    try { await get("/v1/blocks/hash/" + h); return "#/block/" + h; } catch (e) { if (e.status !== 404) throw e; }
    return null;
  }
  return null;
}

async function searchPage(v, q) {
  v.innerHTML = '<h1>Search</h1><p id="search-result">Nothing matches <b>' + esc(q) + "</b>. Try a height, a block or tx hash (64 hex), " +
                "an agora1... account, an agoravaloper1... validator, <i>job 7</i> or <i>lease 3</i>.</p>";
}

document.getElementById("search").addEventListener("submit", async ev => {
  ev.preventDefault();
  const q = document.getElementById("search-input").value;
  if (!q.trim()) return;
  let target = null;
  try { target = await resolve(q); } catch (e) { target = null; }
  location.hash = target || "#/search/" + encodeURIComponent(q.trim());
});

// ---------------------------------------------------------------- live updates

let ws = null;
let resumeFrom = 0;
let pageSub = 0;

function send(msg) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); }
function subscribePage() {
  if (current && current.filter) send({op: "subscribe", id: "page-" + (++pageSub), filter: current.filter});
}
function unsubscribePage() {
  if (current && current.filter && pageSub) send({op: "unsubscribe", id: "page-" + pageSub});
}

function connect() {
  ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/events");
  ws.onopen = () => {
    conn.textContent = "live";
    conn.dataset.state = "live";
    const sub = {op: "subscribe", id: "blocks", filter: {types: ["new_block"]}};
    if (resumeFrom) sub.from_height = resumeFrom;
    send(sub);
    subscribePage();
  };
  ws.onmessage = async m => {
    const msg = JSON.parse(m.data);
    if (msg.type !== "event") return;
    const e = msg.event;
    if (msg.subscription === "blocks") {
      latestHeight = Math.max(latestHeight, e.data.height);
      resumeFrom = e.data.height + 1;
      chain.textContent = chain.dataset.chain + ", height " + latestHeight;
      chain.dataset.height = String(latestHeight);
      if (current && current.onBlock) {
        try { await current.onBlock(e.data); } catch (err) { /* next block retries */ }
      }
    } else if (msg.subscription === "page-" + pageSub && current && current.onEvent) {
      try { await current.onEvent(e); } catch (err) { /* next event retries */ }
    }
  };
  ws.onclose = () => {
    conn.textContent = "disconnected, retrying";
    conn.dataset.state = "closed";
    setTimeout(connect, 2000);
  };
}

(async () => {
  try {
    const st = await get("/v1/status");
    chain.dataset.chain = st.chain_id;
    latestHeight = st.latest_height;
    chain.textContent = st.chain_id + ", height " + st.latest_height;
    chain.dataset.height = String(st.latest_height);
    resumeFrom = st.latest_height + 1;
  } catch (e) {
    conn.textContent = "error: " + e.message;
  }
  window.addEventListener("hashchange", render);
  connect();
  await render();
})();
