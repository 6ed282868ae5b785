// Browser test of the explorer (node/http/explorer/), run by
// explorer_browser_test.py against a running devnet: Debian's chromium driven
// by playwright-core (no browser download). Checks that every page loads
// without console errors, that the search box finds a tx by its hash, and
// that a new block appears without a reload. Screenshots go to
// $AGORA_SCREENSHOTS/*.png.
//
// Env: AGORA_URL (http://127.0.0.1:PORT), AGORA_FACTS (JSON from
// agora_devnet.py), AGORA_SCREENSHOTS (dir), CHROMIUM (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import path from "node:path";
import { execFileSync } from "node:child_process";

const base = process.env.AGORA_URL;
const facts = JSON.parse(process.env.AGORA_FACTS);
const shots = process.env.AGORA_SCREENSHOTS;
const TIMEOUT = 20000;

const problems = [];
function fail(msg) { throw new Error(msg); }

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Root in a container has no user namespaces for Chromium's sandbox.
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 1000}});
  page.setDefaultTimeout(TIMEOUT);
  page.on("console", m => { if (m.type() === "error") problems.push("console error on " + page.url() + ": " + m.text()); });
  page.on("pageerror", e => problems.push("uncaught exception on " + page.url() + ": " + e.message));
  page.on("requestfailed", r => problems.push("request failed: " + r.url() + " " + (r.failure() || {}).errorText));

  const shot = async name => page.screenshot({path: path.join(shots, name + ".png"), fullPage: true});
  const loaded = async hash => {
    await page.waitForFunction(h => document.getElementById("view").dataset.loaded === h, hash);
    const err = await page.$("#page-error");
    if (err) fail(hash + " shows an error: " + await err.textContent());
  };
  const visit = async (hash, selector, name) => {
    await page.evaluate(h => { location.hash = h; }, hash);
    await loaded(hash);
    if (selector && !(await page.$(selector))) fail(hash + ": no " + selector);
    await shot(name);
    console.log("ok  " + hash);
  };

  // Home: network figures, blocks, market. The marker survives only if the page is never reloaded.
  await page.goto(base + "/");
  await loaded("#/");
  await page.evaluate(() => { window.__sameDocument = true; });
  for (const sel of ["[data-figure=block_time]", "[data-figure=tps]", "[data-figure=mempool]", "tr.block", "tr.validator",
                     `tr.provider[data-address="${facts.provider}"]`, `tr.job[data-job="${facts.open_job}"][data-bids="1"]`,
                     `tr.lease[data-lease="${facts.active_lease}"]`, "[data-chart=price][data-points='1']", "#utilisation"]) {
    if (!(await page.$(sel))) fail("home: no " + sel);
  }
  const rep = await page.textContent(`tr.provider[data-address="${facts.provider}"]`);
  if (!rep.includes("over 1 completed lease")) fail("home: provider reputation without its lease count: " + rep);
  // Reserved CPU over time, rebuilt from lease events: lease 1 held 2000m, the active lease holds 1000m,
  // of 12000m listed by the two providers.
  const util = await page.$$eval("[data-chart=utilisation] circle title", ts => ts.map(t => t.textContent));
  if (!util.some(t => t.endsWith(": 16.7%")) || !util[util.length - 1].endsWith(": 8.3%"))
    fail("home: reserved CPU history is not 16.7% then 8.3%: " + util.join(" | "));
  await shot("home");
  console.log("ok  #/");

  // A new block appears without a reload (blocks come over the WebSocket).
  const top = await page.$eval("#block-table tbody tr.block", tr => Number(tr.dataset.height));
  await page.waitForFunction(h => {
    const tr = document.querySelector("#block-table tbody tr.block");
    return tr && Number(tr.dataset.height) > h;
  }, top);
  if (!(await page.evaluate(() => window.__sameDocument === true))) fail("the page was reloaded");
  await shot("home-live");
  console.log("ok  new block above height " + top + " without a reload");

  // The search box finds a tx by its hash.
  await page.fill("#search-input", facts.send_tx);
  await page.press("#search-input", "Enter");
  await loaded("#/tx/" + facts.send_tx);
  const shown = (await page.textContent("#tx-hash")).trim();
  if (shown !== facts.send_tx) fail("search showed tx " + shown);
  if (!(await page.$("tr.msg"))) fail("tx page lists no message");
  await shot("search-tx");
  console.log("ok  search found tx " + facts.send_tx);

  // Every page kind.
  await visit("#/block/" + facts.send_height, "#block tr", "block");
  await visit("#/tx/" + facts.register_tx, "#tx", "tx");
  await visit("#/account/" + facts.client, "#sent-txs tr.tx", "account-client");
  await visit("#/account/" + facts.provider, "#provider-leases tr.lease", "account-provider");
  await visit("#/validator/" + facts.validator, "#uptime", "validator");
  await visit("#/provider/" + facts.provider, "[data-chart=reputation][data-points='1']", "provider");
  await visit("#/job/" + facts.open_job, `#bids tr.bid`, "job-open");
  // Bids arrive live: a second provider bids (agora CLI, waits for the block) while the page is shown.
  const bidsBefore = await page.$$eval("#bids tr.bid", rows => rows.length);
  const argv = facts.other_tx_argv;
  execFileSync(argv[0], [...argv.slice(1), "bid", "place", String(facts.open_job), "--price", "9500"], {stdio: "pipe", timeout: 60000});
  await page.waitForFunction(n => document.querySelectorAll("#bids tr.bid").length > n, bidsBefore);
  if (!(await page.evaluate(() => window.__sameDocument === true))) fail("the job page was reloaded");
  await shot("job-live-bid");
  console.log("ok  a new bid appeared on the job page without a reload");
  await visit("#/job/" + facts.job, `#bids tr.bid[data-state="accepted"]`, "job-leased");
  await visit("#/lease/" + facts.lease, '#timeline tr[data-type="lease_settled"]', "lease-settled");
  await visit("#/lease/" + facts.active_lease, "#escrow", "lease-active");
  // The active lease's escrow accrues live.
  const escrowAt = await page.$eval("#escrow", t => Number(t.dataset.height));
  await page.waitForFunction(h => Number(document.getElementById("escrow").dataset.height) > h, escrowAt);
  console.log("ok  the active lease's escrow refreshed past height " + escrowAt + " without a reload");
  await visit("#/search/nothing-here", "#search-result", "search-miss");
  // The search box by height, account, validator and "job N".
  for (const [q, hash] of [[String(facts.send_height), "#/block/" + facts.send_height], [facts.client, "#/account/" + facts.client],
                           [facts.validator, "#/validator/" + facts.validator], ["job " + facts.open_job, "#/job/" + facts.open_job],
                           ["lease " + facts.lease, "#/lease/" + facts.lease]]) {
    await page.fill("#search-input", q);
    await page.press("#search-input", "Enter");
    await loaded(hash);
  }
  console.log("ok  search by height, address, validator, job, lease");
  await page.close();
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("explorer: every page loaded without console errors; screenshots in " + shots);
