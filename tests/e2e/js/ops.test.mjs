// Operating Reprieve as a shared service: Debian's promtool checks the /metrics exposition,
// a real Prometheus server (Debian's prometheus) scrapes Reprieve over HTTPS trusting its CA
// and sees the counters of a delete → recover → purge walk made with the unmodified JS SDK;
// JSON log lines parse, carry the client's correlation id and hold no secret after a walk
// that signs in, makes a secret and lists keys; SIGTERM under load answers every request sent
// before it, turns /readyz to 503, and exits 0 within --shutdown-grace; a second signal
// exits at once.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { ClientSecretCredential } from "@azure/identity";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { ResourceManagementClient } from "@azure/arm-resources";

import { clientOptions, credential, request, startServer } from "./server.mjs";
import { expectRaw } from "./steps.mjs";

const TENANT = "00000000-0000-0000-0000-00000000a001";
const SUB = "00000000-0000-0000-0000-00000000b001";

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function started(options) {
  const server = await startServer(options);
  cleanups.push(() => server.stop());
  return server;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function deleteRecoverPurge(server, rg, name) {
  const resources = new ResourceManagementClient(credential, SUB, clientOptions(server));
  const cognitive = new CognitiveServicesManagementClient(credential, SUB, clientOptions(server));
  await resources.resourceGroups.createOrUpdate(rg, { location: "eastus" });
  const body = { kind: "TextAnalytics", sku: { name: "S0" }, location: "eastus", properties: {} };
  await cognitive.accounts.beginCreateAndWait(rg, name, body);
  await cognitive.accounts.beginDeleteAndWait(rg, name);
  await cognitive.accounts.beginCreateAndWait(rg, name, { ...body, properties: { restore: true } });
  await cognitive.accounts.beginDeleteAndWait(rg, name);
  await cognitive.deletedAccounts.beginPurgeAndWait("eastus", rg, name);
}

test("promtool accepts the exposition; Prometheus scrapes it over HTTPS and sees a delete → recover → purge walk", async () => {
  const server = await started({ clock: "manual" });

  // From the host itself no token is needed.
  const first = await request(server, "GET", "/metrics");
  assert.equal(first.status, 200, first.text);
  assert.match(first.headers["content-type"], /^text\/plain; version=0\.0\.4/);
  const check = spawnSync("promtool", ["check", "metrics"], { input: first.text, encoding: "utf8" });
  assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);

  const dir = tempDir("reprieve-prometheus-");
  const { port } = new URL(server.url);
  const promPort = await freePort();
  fs.writeFileSync(path.join(dir, "prometheus.yml"), [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "scrape_configs:",
    "  - job_name: reprieve",
    "    scheme: https",
    "    tls_config:",
    `      ca_file: ${path.join(server.dataDir, "tls", "ca.pem")}`,
    "    static_configs:",
    `      - targets: ["127.0.0.1:${port}"]`,
    "",
  ].join("\n"));
  const prometheus = spawn("prometheus", [
    `--config.file=${path.join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${path.join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let promLog = "";
  prometheus.stderr.on("data", (chunk) => { promLog += chunk; });
  const promExited = new Promise((resolve) => prometheus.once("exit", resolve));
  cleanups.push(async () => {
    if (prometheus.exitCode === null) prometheus.kill("SIGTERM");
    await promExited;
  });

  const query = async (expr) => {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const json = await res.json();
    assert.equal(json.status, "success", JSON.stringify(json));
    return json.data.result;
  };
  // Polls Prometheus until `expr` has exactly the value wanted (scrapes come each second).
  const eventually = async (expr, wanted) => {
    let last;
    for (let i = 0; i < 120; ++i) {
      try {
        last = await query(expr);
        if (last.length === 1 && Number(last[0].value[1]) === wanted) return;
      } catch (err) {
        last = err.message;  // not listening yet
      }
      await sleep(250);
    }
    assert.fail(`Prometheus never saw ${expr} == ${wanted}: ${JSON.stringify(last)}\n${promLog.slice(-2000)}`);
  };

  await eventually('up{job="reprieve"}', 1);
  await eventually('sum(reprieve_purges_total{type="Microsoft.CognitiveServices/accounts"}) or vector(0)', 0);
  await deleteRecoverPurge(server, "rg-metrics", "acct-metrics");
  const type = 'type="Microsoft.CognitiveServices/accounts"';
  await eventually(`reprieve_soft_deletes_total{${type}}`, 2);
  await eventually(`reprieve_recovers_total{${type}}`, 1);
  await eventually(`reprieve_purges_total{${type},reason="user"}`, 1);
  await eventually(`sum(reprieve_resources{${type}}) or vector(0)`, 0);
  await eventually('sum(reprieve_http_requests_total{route="/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{resourceGroupName}/deletedAccounts/{name}",method="DELETE"})', 1);
  // The same-name create before the recover is refused, and counted by its ARM code.
  const refused = await request(server, "PUT",
    `/subscriptions/${SUB}/resourceGroups/rg-metrics/providers/Microsoft.CognitiveServices/accounts/acct-metrics?api-version=2023-05-01`,
    { headers: { Authorization: "Bearer x" },
      body: { kind: "TextAnalytics", sku: { name: "S0" }, location: "eastus", properties: {} } });
  assert.equal(refused.status, 201, "the name is free after the purge");
  await request(server, "DELETE",
    `/subscriptions/${SUB}/resourceGroups/rg-metrics/providers/Microsoft.CognitiveServices/accounts/acct-metrics?api-version=2023-05-01`,
    { headers: { Authorization: "Bearer x" } });
  const again = await request(server, "PUT",
    `/subscriptions/${SUB}/resourceGroups/rg-metrics/providers/Microsoft.CognitiveServices/accounts/acct-metrics?api-version=2023-05-01`,
    { headers: { Authorization: "Bearer x" },
      body: { kind: "TextAnalytics", sku: { name: "S0" }, location: "eastus", properties: {} } });
  assert.equal(again.status, 409, again.text);
  await eventually('reprieve_refused_operations_total{code="FlagMustBeSetForRestore"}', 1);
  await eventually(`reprieve_resources{${type},state="softDeleted"}`, 1);
  await eventually('reprieve_tls_handshakes_total{result="ok"} > bool 0', 1);
  // Past its 48-hour retention the sweeper purges it: a purge by retention expiry.
  const moved = await request(server, "POST", "/reprieve/admin/clock",
    { headers: { Authorization: "Bearer x" }, body: { advance: "PT49H" } });
  assert.equal(moved.status, 200, moved.text);
  await eventually(`reprieve_purges_total{${type},reason="retentionExpired"}`, 1);
  await eventually('reprieve_sweeper_run_purged_sum >= bool 1', 1);
  await eventually(`sum(reprieve_resources{${type}}) or vector(0)`, 0);
});

test("JSON log lines parse, carry the client's correlation id, and hold no token, secret or key", async () => {
  const server = await started({ clock: "manual", args: ["--log-format", "json", "--auth", "strict"] });
  const form = (fields) => ({
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    rawBody: Buffer.from(new URLSearchParams(fields).toString()),
  });
  const mi = await request(server, "POST", "/reprieve/msi/token",
    { ...form({ resource: `${server.url}/graph/` }), headers: { Metadata: "true", "Content-Type": "application/x-www-form-urlencoded" } });
  assert.equal(mi.status, 200, mi.text);
  const miToken = mi.body.access_token;
  const miArm = (await request(server, "POST", "/reprieve/msi/token",
    { ...form({ resource: `${server.url}/` }), headers: { Metadata: "true", "Content-Type": "application/x-www-form-urlencoded" } })).body.access_token;
  const graph = (method, p, body) => request(server, method, `/graph/v1.0${p}`,
    { headers: { Authorization: `Bearer ${miToken}` }, body });
  const app = expectRaw(await graph("POST", "/applications", { displayName: "logs" }), 201, "app");
  const password = expectRaw(await graph("POST", `/applications/${app.id}/addPassword`,
    { passwordCredential: { displayName: "logs" } }), 200, "password");
  expectRaw(await graph("POST", "/servicePrincipals", { appId: app.appId }), 201, "sp");
  // The identity library signs in with the secret (and sends it in a form body).
  const sp = new ClientSecretCredential(TENANT, app.appId, password.secretText, {
    authorityHost: server.url, disableInstanceDiscovery: true, tlsOptions: { ca: server.ca },
  });
  const spToken = (await sp.getToken(`${server.url}/.default`)).token;
  // The managed identity (Owner at root) makes an account and lists its keys.
  const arm = (method, p, body, headers = {}) => request(server, method, p,
    { headers: { Authorization: `Bearer ${miArm}`, ...headers }, body });
  expectRaw(await arm("PUT", `/subscriptions/${SUB}/resourcegroups/rg-logs?api-version=2022-09-01`,
    { location: "eastus" }), 201, "group");
  const account = `/subscriptions/${SUB}/resourceGroups/rg-logs/providers/Microsoft.CognitiveServices/accounts/acct-logs`;
  const created = await arm("PUT", `${account}?api-version=2023-05-01`,
    { kind: "TextAnalytics", sku: { name: "S0" }, location: "eastus", properties: {} });
  assert.ok([200, 201].includes(created.status), created.text);
  const correlation = "4f0e8f3c-6a3b-4c11-9d0e-0c0ffee0f00d";
  const keys = expectRaw(await arm("POST", `${account}/listKeys?api-version=2023-05-01`, undefined,
    { "x-ms-correlation-request-id": correlation }), 200, "listKeys");
  // The service principal, without a role, is refused: its line names the denial.
  const denied = await request(server, "GET", `${account}?api-version=2023-05-01`,
    { headers: { Authorization: `Bearer ${spToken}` } });
  assert.equal(denied.status, 403, denied.text);

  await server.stop();
  const lines = server.output().stderr.split("\n").filter((l) => l.length > 0);
  assert.ok(lines.length > 10, `a line per request and more:\n${lines.join("\n")}`);
  const records = lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch (err) {
      assert.fail(`a log line that is not JSON: ${line}`);
    }
  });
  for (const record of records) {
    assert.equal(typeof record.time, "string");
    assert.match(record.level, /^(debug|info|warning|error)$/);
    assert.equal(typeof record.msg, "string");
  }
  const listKeys = records.find((r) => r.msg === "request" && r.correlationId === correlation);
  assert.ok(listKeys, "the listKeys request's line carries the correlation id sent");
  assert.equal(listKeys.method, "POST");
  assert.equal(listKeys.status, 200);
  assert.equal(listKeys.action, "Microsoft.CognitiveServices/accounts/listKeys/action");
  assert.equal(listKeys.resourceId, `${account}/listKeys`);
  assert.equal(listKeys.principal, "0000a000-0000-4000-8000-000000000001");
  assert.equal(typeof listKeys.requestId, "string");
  assert.equal(typeof listKeys.latencyMs, "number");
  const refusal = records.find((r) => r.msg === "request" && r.status === 403);
  assert.equal(refusal?.error, "AuthorizationFailed");
  for (const msg of ["reprieved: starting", "reprieved: store open and migrated", "reprieved: draining", "reprieved: stopped"]) {
    assert.ok(records.some((r) => r.msg === msg), `a "${msg}" line`);
  }
  const secrets = { miToken, miArm, spToken, secret: password.secretText, key1: keys.key1, key2: keys.key2 };
  for (const [what, value] of Object.entries(secrets)) {
    assert.ok(typeof value === "string" && value.length >= 16, `${what} is a real value`);
    for (const line of lines) assert.ok(!line.includes(value), `${what} appears in a log line: ${line}`);
  }
});

/** One GET over `agent`; resolves { start, end, status } or { start, error }. */
function probe(server, agent, urlPath) {
  const start = performance.now();
  return new Promise((resolve) => {
    const { hostname, port } = new URL(server.url);
    const req = https.request({ host: hostname, port, path: urlPath, ca: server.ca, agent,
                                headers: { Authorization: "Bearer x" } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ start, end: performance.now(), status: res.statusCode }));
      res.on("error", (error) => resolve({ start, error }));
    });
    req.on("error", (error) => resolve({ start, error }));
    req.end();
  });
}

test("SIGTERM under load: every request sent before it is answered, /readyz turns 503, exit 0 within the grace", async () => {
  const server = await started({ clock: "manual", args: ["--shutdown-grace", "PT5S"] });
  const ready = await request(server, "GET", "/readyz");
  assert.equal(ready.status, 200);
  assert.equal((await request(server, "GET", "/healthz")).status, 200);

  const results = [];
  let stop = false;
  const loop = async (urlPath) => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    while (!stop) {
      const result = await probe(server, agent, urlPath);
      results.push({ ...result, urlPath });
      if (result.error) break;  // refused once the listener is closed
    }
    agent.destroy();
  };
  const loops = [];
  for (let i = 0; i < 6; ++i) loops.push(loop(`/subscriptions/${SUB}?api-version=2022-12-01`));
  for (let i = 0; i < 3; ++i) loops.push(loop("/readyz"));
  await sleep(1000);
  const signalled = performance.now();
  server.signal("SIGTERM");
  const { code } = await server.exited;
  const exitedAfter = performance.now() - signalled;
  stop = true;
  await Promise.all(loops);

  assert.equal(code, 0, server.output().stderr.slice(-3000));
  // The store was closed cleanly: SQLite folds its write-ahead log back on the last close.
  assert.ok(!fs.existsSync(path.join(server.dataDir, "reprieve.db-wal")), "no WAL left behind");
  assert.ok(exitedAfter < 5000, `exited ${Math.round(exitedAfter)} ms after the signal`);
  const before = results.filter((r) => r.start < signalled);
  assert.ok(before.length > 100, `a steady load (${before.length} requests before the signal)`);
  const failed = before.filter((r) => r.error || (r.urlPath !== "/readyz" && r.status !== 200));
  assert.deepEqual(failed.map((r) => `${r.urlPath}: ${r.error?.code ?? r.status}`), [],
                   "every request sent before the signal was answered");
  assert.ok(results.some((r) => r.urlPath === "/readyz" && r.status === 503),
            "/readyz answered 503 while draining");
  // (One sent just before the signal may be answered after it, while draining: 503.)
  assert.ok(!results.some((r) => r.urlPath === "/readyz" && r.end < signalled && r.status !== 200),
            "/readyz was 200 before the signal");
});

test("a request still arriving holds the drain until the grace ends; a second signal exits at once", async () => {
  for (const second of [false, true]) {
    const server = await started({ clock: "manual", args: ["--shutdown-grace", "PT2S"] });
    const { hostname, port } = new URL(server.url);
    const socket = tls.connect({ host: hostname, port: Number(port), ca: server.ca });
    await new Promise((resolve, reject) => { socket.once("secureConnect", resolve); socket.once("error", reject); });
    socket.on("error", () => {});
    // Headers and part of the body: the request is being read when the signal comes.
    socket.write("PUT /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789");
    await sleep(200);
    const signalled = performance.now();
    server.signal("SIGTERM");
    if (second) {
      await sleep(300);
      server.signal("SIGTERM");
    }
    const { code } = await server.exited;
    const took = performance.now() - signalled;
    socket.destroy();
    if (second) {
      assert.equal(code, 128 + 15, "the second SIGTERM ends the process at once");
      assert.ok(took < 1500, `exited ${Math.round(took)} ms after the first signal`);
    } else {
      assert.equal(code, 0);
      assert.ok(took >= 1800 && took < 4000, `exited ${Math.round(took)} ms after the signal (grace 2 s)`);
      assert.match(server.output().stderr, /shutdown grace ended with requests still open/);
    }
  }
});

test("while the store cannot be opened yet the instance is alive but not ready, then ready", async () => {
  const dataDir = tempDir("reprieve-starting-");
  const db = path.join(dataDir, "reprieve.db");
  // Another process holds the database's exclusive lock: Reprieve's open waits for it.
  const holder = spawn("python3", ["-c", [
    "import sqlite3, sys",
    `c = sqlite3.connect(${JSON.stringify(db)}, isolation_level=None)`,
    "c.execute('BEGIN EXCLUSIVE')",
    "print('locked', flush=True)",
    "sys.stdin.read()",
    "c.execute('COMMIT')",
  ].join("\n")], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((resolve) => holder.stdout.once("data", resolve));
  const port = await freePort();
  const child = spawn(process.env.REPRIEVED_BIN,
    ["--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--clock", "manual"],
    { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => { stdout += chunk; });
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
    if (holder.exitCode === null) holder.kill("SIGKILL");
  });

  const server = { url: `https://127.0.0.1:${port}`, ca: undefined };
  const ask = async (urlPath) => {
    server.ca ??= fs.readFileSync(path.join(dataDir, "tls", "ca.pem"));
    return request(server, "GET", urlPath, { headers: { Authorization: "Bearer x" } });
  };
  let starting;
  for (let i = 0; i < 200 && !starting; ++i) {
    try {
      starting = await ask("/readyz");
    } catch {
      await sleep(50);  // the listener (or its CA) is not there yet
    }
  }
  assert.equal(starting?.status, 503, `readyz while starting: ${starting?.text}\n${stderr}`);
  assert.equal(starting.headers["retry-after"], "1");
  assert.equal((await ask("/healthz")).status, 200, "alive while starting");
  const arm = await ask(`/subscriptions?api-version=2022-12-01`);
  assert.equal(arm.status, 503);
  assert.equal(arm.body.error.code, "ServiceUnavailable");
  assert.doesNotMatch(stdout, /listening on/, "the banner comes once ready");

  holder.stdin.end();  // the lock is released
  let ready;
  for (let i = 0; i < 200; ++i) {
    ready = await ask("/readyz");
    if (ready.status === 200) break;
    await sleep(50);
  }
  assert.equal(ready.status, 200, ready.text);
  assert.equal((await ask(`/subscriptions?api-version=2022-12-01`)).status, 200);
  child.kill("SIGTERM");
  assert.equal(await exited, 0, stderr.slice(-2000));
});
