// Hostile input over the wire: truncated requests, huge headers, slow senders, invalid
// UTF-8, deep JSON, out-of-range numbers, path traversal in names, duplicate JSON keys
// and an oversized body. Each must get a 4xx or a closed connection within a bounded
// time; meanwhile a canary keeps reading, and the server's memory stays bounded.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test hostile.test.mjs
//
// The server runs with --read-timeout-s 2 --idle-timeout-s 5: once a request has
// begun it must arrive within 2 s; an idle kept-alive connection is closed after 5 s.

import assert from "node:assert/strict";
import fs from "node:fs";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { test, before, after } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import tls from "node:tls";

import { defaultSubscription, request, startServer } from "./server.mjs";
import { tenantOf } from "./steps.mjs";

const READ_TIMEOUT_S = 2;
const IDLE_TIMEOUT_S = 5;
// Slack on top of a server timeout before a connection must be closed.
const SLACK_MS = 1_500;
// Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) before it is
// reused, so `make sanitize` sets a larger bound through REPRIEVE_RSS_GROWTH_LIMIT_MB.
const RSS_GROWTH_LIMIT_KB = Number(process.env.REPRIEVE_RSS_GROWTH_LIMIT_MB ?? 64) * 1024;
const CANARY_INTERVAL_MS = 100;
const CANARY_DEADLINE_MS = 2_000;
const LOCATION = "eastus";
const CS_API = "api-version=2025-09-01";
const KV_API = "api-version=2025-05-01";
const RG = "rg-hostile";

let server;
let port;
let sub;
let tenantId;
let rssAtStart;
let rssPeak = 0;
const canary = { ok: 0, failures: [], stop: false, done: null };

function rssKb() {
  const status = fs.readFileSync(`/proc/${server.pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  assert.ok(m, `no VmRSS in /proc/${server.pid}/status`);
  return Number(m[1]);
}

// The shared request helper sends paths verbatim; here with a bearer token and a raw body.
async function raw(method, rawPath, { headers = {}, body, agent = false, timeoutMs = 10_000 } = {}) {
  const res = await request(server, method, rawPath, {
    headers: { Authorization: "Bearer fake-token", ...headers }, rawBody: body, agent, timeoutMs,
  });
  const json = res.body !== null && typeof res.body === "object" ? res.body : undefined;
  return { status: res.status, headers: res.headers, text: res.text, json };
}

const json = (value) => Buffer.from(JSON.stringify(value));
const accountPath = (name) =>
  `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.CognitiveServices/accounts/${name}?${CS_API}`;
const vaultPath = (name) =>
  `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/${name}?${KV_API}`;
const ACCOUNT = { location: LOCATION, kind: "Face", sku: { name: "S0" } };

/** A TLS connection to the server for hand-written bytes. */
function openRaw() {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: server.ca });
    const session = { socket, chunks: [], error: null, closedAt: null };
    session.closed = new Promise((done) => socket.once("close", () => {
      session.closedAt = performance.now();
      done();
    }));
    socket.on("data", (chunk) => session.chunks.push(chunk));
    socket.on("error", (err) => { session.error = err; });
    socket.once("secureConnect", () => resolve(session));
    socket.once("error", reject);
  });
}

/** Status of the first response the server sent on a raw session, or null. */
function statusOf(session) {
  const text = Buffer.concat(session.chunks).toString("latin1");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : null;
}

function firstLine(session) {
  return Buffer.concat(session.chunks).toString("latin1").split("\r\n")[0] || "(nothing)";
}

/** Waits until the server closes `session`, at most `ms`; true if it did. */
async function closedWithin(session, ms) {
  let timer;
  const closed = await Promise.race([
    session.closed.then(() => true),
    new Promise((resolve) => { timer = setTimeout(() => resolve(false), ms); }),
  ]);
  clearTimeout(timer);
  return closed;
}

function head(method, target, headers = {}) {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Authorization: Bearer fake-token"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Asserts a raw session ended with a 4xx or no answer at all, never 2xx/5xx. */
function assertRefusedOrSilent(session, what) {
  const status = statusOf(session);
  assert.ok(status === null || (status >= 400 && status < 500),
    `${what}: the server answered ${firstLine(session)}; expected a 4xx or a closed connection`);
}

before(async () => {
  server = await startServer({ args: ["--read-timeout-s", String(READ_TIMEOUT_S), "--idle-timeout-s", String(IDLE_TIMEOUT_S)] });
  port = Number(new URL(server.url).port);
  sub = await defaultSubscription(server);
  tenantId = await tenantOf(server, sub);
  const res = await raw("PUT", `/subscriptions/${sub}/resourceGroups/${RG}?api-version=2025-04-01`, { body: json({ location: LOCATION }) });
  assert.equal(res.status, 201, `create ${RG}: ${res.text}`);
  // Warm up (TLS, SQLite pages, allocator) before the memory baseline.
  for (let i = 0; i < 20; ++i) await raw("GET", `/subscriptions/${sub}?api-version=2022-12-01`);
  rssAtStart = rssKb();
  rssPeak = rssAtStart;

  // The canary: a plain read every 100 ms on a fresh connection, for the whole run.
  canary.done = (async () => {
    while (!canary.stop) {
      const started = performance.now();
      try {
        const res = await raw("GET", `/subscriptions/${sub}?api-version=2022-12-01`, { timeoutMs: CANARY_DEADLINE_MS });
        if (res.status === 200) ++canary.ok;
        else canary.failures.push(`canary GET answered ${res.status}: ${res.text}`);
      } catch (err) {
        canary.failures.push(`canary GET failed after ${Math.round(performance.now() - started)} ms: ${err.message}`);
      }
      rssPeak = Math.max(rssPeak, rssKb());
      await sleep(CANARY_INTERVAL_MS);
    }
  })();
});

after(async () => {
  canary.stop = true;
  await canary.done;
  if (server) await server.stop();
});

// ------------------------------------------------------------ slow and truncated senders

test("truncated and slow requests are cut off within the read timeout", { concurrency: true }, async (t) => {
  const target = accountPath("trunc1");
  const body = JSON.stringify(ACCOUNT);
  const headers = head("PUT", target, { "Content-Type": "application/json", "Content-Length": body.length });
  const limitMs = READ_TIMEOUT_S * 1000 + SLACK_MS;

  await Promise.all([
    t.test("headers cut off mid-line, then silence: closed within read timeout + slack", async () => {
      const s = await openRaw();
      const sent = performance.now();
      s.socket.write(headers.slice(0, headers.length - 30));
      const closed = await closedWithin(s, limitMs);
      if (!closed) await closedWithin(s, 10_000);  // report when it did close
      assert.ok(closed,
        `a request whose headers stop mid-line was still open ${limitMs} ms after its first byte ` +
        `(closed after ${s.closedAt ? Math.round(s.closedAt - sent) : "more than " + (limitMs + 10_000)} ms; ` +
        `--read-timeout-s ${READ_TIMEOUT_S}, --idle-timeout-s ${IDLE_TIMEOUT_S})`);
      assertRefusedOrSilent(s, "headers cut off");
    }),
    t.test("headers cut off, then the client closes its side: closed at once", async () => {
      const s = await openRaw();
      s.socket.end(headers.slice(0, 40));
      assert.ok(await closedWithin(s, SLACK_MS), "a half-closed request with cut headers stays open");
      assertRefusedOrSilent(s, "headers cut off then half-closed");
    }),
    t.test("headers complete, half the body, then silence: closed within read timeout + slack", async () => {
      const s = await openRaw();
      const sent = performance.now();
      s.socket.write(headers + body.slice(0, body.length >> 1));
      const closed = await closedWithin(s, limitMs);
      if (!closed) await closedWithin(s, 10_000);
      assert.ok(closed, `a request with half its body was still open ${limitMs} ms after its first byte ` +
        `(closed after ${s.closedAt ? Math.round(s.closedAt - sent) : "more than " + (limitMs + 10_000)} ms)`);
      assertRefusedOrSilent(s, "half a body");
      const check = await raw("GET", accountPath("trunc1"));
      assert.equal(check.status, 404, `half a PUT body must not create the account: ${check.text}`);
    }),
    t.test("half the body, then the client closes its side: closed at once, nothing created", async () => {
      const s = await openRaw();
      s.socket.end(`${head("PUT", accountPath("trunc2"), { "Content-Type": "application/json", "Content-Length": body.length })}${body.slice(0, 10)}`);
      assert.ok(await closedWithin(s, SLACK_MS), "a half-closed truncated request stays open");
      assertRefusedOrSilent(s, "truncated then half-closed");
      const check = await raw("GET", accountPath("trunc2"));
      assert.equal(check.status, 404, `a truncated PUT must not create the account: ${check.text}`);
    }),
    t.test("slowloris: one header byte every 500 ms is closed within read timeout + 2 s", async () => {
      const s = await openRaw();
      const bytes = Buffer.from(head("GET", `/subscriptions/${sub}?api-version=2022-12-01`, { "X-Slow": "z".repeat(200) }));
      const sent = performance.now();
      let i = 0;
      const timer = setInterval(() => {
        if (s.closedAt || i >= bytes.length) return;
        s.socket.write(bytes.subarray(i, i + 1));
        ++i;
      }, 500);
      s.socket.write(bytes.subarray(i, i + 1));
      ++i;
      const limit = READ_TIMEOUT_S * 1000 + 2_000;
      const closed = await closedWithin(s, limit);
      if (!closed) await closedWithin(s, 10_000);
      clearInterval(timer);
      assert.ok(closed, `a slowloris sender (${i} bytes sent, one per 500 ms) was still connected ${limit} ms after ` +
        `its first byte (closed after ${s.closedAt ? Math.round(s.closedAt - sent) : "more than " + (limit + 10_000)} ms)`);
      assertRefusedOrSilent(s, "slowloris");
    }),
    t.test("slow body: one body byte every 500 ms is closed within read timeout + 2 s", async () => {
      const s = await openRaw();
      const sent = performance.now();
      s.socket.write(head("PUT", accountPath("slowbody"), { "Content-Type": "application/json", "Content-Length": body.length }));
      let i = 0;
      const timer = setInterval(() => {
        if (s.closedAt || i >= body.length) return;
        s.socket.write(body[i++]);
      }, 500);
      const limit = READ_TIMEOUT_S * 1000 + 2_000;
      const closed = await closedWithin(s, limit);
      if (!closed) await closedWithin(s, 10_000);
      clearInterval(timer);
      assert.ok(closed, `a slow body sender was still connected ${limit} ms after its first byte ` +
        `(closed after ${s.closedAt ? Math.round(s.closedAt - sent) : "more than " + (limit + 10_000)} ms)`);
      assertRefusedOrSilent(s, "slow body");
    }),
    t.test("50 slowloris connections at once do not stop the others and are all closed", async () => {
      const sessions = await Promise.all(Array.from({ length: 50 }, () => openRaw()));
      const sent = performance.now();
      for (const s of sessions) s.socket.write("GET /subscriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      const timer = setInterval(() => {
        for (const s of sessions) if (!s.closedAt) s.socket.write("z");
      }, 500);
      // Meanwhile a normal request is served promptly.
      const started = performance.now();
      const res = await raw("GET", `/subscriptions/${sub}?api-version=2022-12-01`, { timeoutMs: CANARY_DEADLINE_MS });
      assert.equal(res.status, 200, res.text);
      assert.ok(performance.now() - started < CANARY_DEADLINE_MS);
      const limit = READ_TIMEOUT_S * 1000 + 2_000;
      const closed = await Promise.all(sessions.map((s) => closedWithin(s, limit)));
      if (!closed.every(Boolean)) await Promise.all(sessions.map((s) => closedWithin(s, 10_000)));
      clearInterval(timer);
      const open = closed.filter((c) => !c).length;
      assert.equal(open, 0, `${open} of 50 slowloris connections were still open ${limit} ms after their first byte ` +
        `(last closed after ${Math.round(Math.max(...sessions.map((s) => (s.closedAt ?? Infinity) - sent)))} ms)`);
    }),
  ]);
});

// ------------------------------------------------------------ oversized requests

test("a 64 KB header is refused with 431 or a closed connection", async (t) => {
  const s = await openRaw();
  s.socket.write(head("GET", `/subscriptions/${sub}?api-version=2022-12-01`, { "X-Huge": "h".repeat(64 * 1024) }));
  assert.ok(await closedWithin(s, READ_TIMEOUT_S * 1000 + SLACK_MS), "the connection stays open after a 64 KB header");
  const status = statusOf(s);
  assert.ok(status === null || status === 431, `64 KB header: expected 431 or a closed connection, got ${firstLine(s)}`);
  t.diagnostic(`64 KB header: ${firstLine(s)}`);
});

test("many headers adding up to 64 KB are refused with 431 or a closed connection", async () => {
  const s = await openRaw();
  const headers = {};
  for (let i = 0; i < 1024; ++i) headers[`X-Many-${i}`] = "m".repeat(54);
  s.socket.write(head("GET", `/subscriptions/${sub}?api-version=2022-12-01`, headers));
  assert.ok(await closedWithin(s, READ_TIMEOUT_S * 1000 + SLACK_MS), "the connection stays open after 64 KB of headers");
  const status = statusOf(s);
  assert.ok(status === null || status === 431, `1024 headers: expected 431 or a closed connection, got ${firstLine(s)}`);
});

test("a 20 MB body is refused with 413 (the server answers right after the headers)", async () => {
  const size = 20 * 1024 * 1024;
  // A client that sends the headers and waits a moment before the body.
  const s = await openRaw();
  s.socket.write(head("PUT", accountPath("huge"), { "Content-Type": "application/json", "Content-Length": size }));
  const started = performance.now();
  while (statusOf(s) === null && !s.closedAt && performance.now() - started < SLACK_MS) await sleep(10);
  assert.equal(statusOf(s), 413, `20 MB Content-Length, body not sent yet: expected 413 within ${SLACK_MS} ms, got ${firstLine(s)}`);
  // The server may linger a little to drain input before it closes, but not for long.
  assert.ok(await closedWithin(s, 5_000), "the connection stays open more than 5 s after the 413");

  // A client that asks first (Expect: 100-continue), as curl does for large bodies.
  const res = await new Promise((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1", port, method: "PUT", path: accountPath("huge"), ca: server.ca, agent: false,
      headers: { Authorization: "Bearer fake-token", "Content-Type": "application/json", "Content-Length": size, Expect: "100-continue" },
    }, (r) => {
      let text = "";
      r.on("data", (c) => { text += c; });
      r.on("end", () => resolve({ status: r.statusCode, text }));
      r.on("error", reject);
    });
    req.on("continue", () => req.end(Buffer.alloc(size, 0x20)));
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("no answer within 10 s")));
  });
  assert.equal(res.status, 413, `Expect: 100-continue with a 20 MB Content-Length: ${res.status} ${res.text}`);
  assert.equal(JSON.parse(res.text).error?.code, "RequestEntityTooLarge", res.text);
  const check = await raw("GET", accountPath("huge"));
  assert.equal(check.status, 404, check.text);
});

test("a client that streams a 20 MB body at once still reads the 413 (no reset before the answer)", async () => {
  // RFC 9112 section 9.6: a server that closes while the client is still sending must
  // close in stages (half-close, drain), or the client's TCP stack discards the answer
  // on the reset. Eight tries, each must read the 413.
  const size = 20 * 1024 * 1024;
  const body = Buffer.alloc(size, 0x20);
  const TRIES = 8;
  const outcomes = [];
  for (let i = 0; i < TRIES; ++i) {
    outcomes.push(await new Promise((resolve) => {
      const req = https.request({
        host: "127.0.0.1", port, method: "PUT", path: accountPath("huge"), ca: server.ca, agent: false,
        headers: { Authorization: "Bearer fake-token", "Content-Type": "application/json", "Content-Length": size },
      }, (r) => {
        let text = "";
        r.on("data", (c) => { text += c; });
        r.on("end", () => resolve(`${r.statusCode}`));
        r.on("error", (err) => resolve(`${r.statusCode} then ${err.code ?? err.message}`));
      });
      req.on("error", (err) => resolve(`no answer: ${err.code ?? err.message}`));
      req.setTimeout(10_000, () => req.destroy(new Error("no answer within 10 s")));
      req.end(body);
    }));
  }
  assert.deepEqual(outcomes, Array(TRIES).fill("413"),
    "PUT with a 20 MB body sent in one go (Node https client): every try must read the 413");
});

// ------------------------------------------------------------ bad JSON

test("invalid UTF-8 in a JSON body is 400 and creates nothing", async () => {
  const bodies = [
    Buffer.concat([Buffer.from('{"location":"eastus","kind":"Face","sku":{"name":"S0"},"tags":{"t":"'),
      Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}')]),
    // An overlong encoding of "/" and a lone surrogate (CESU), both invalid UTF-8.
    Buffer.concat([Buffer.from('{"location":"eastus","kind":"Face","sku":{"name":"S0"},"tags":{"t":"'),
      Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}}')]),
    // Invalid UTF-8 in a key.
    Buffer.concat([Buffer.from('{"location":"eastus","kind":"Face","sku":{"name":"S0"},"tags":{"'),
      Buffer.from([0x80]), Buffer.from('":"v"}}')]),
  ];
  for (const [i, body] of bodies.entries()) {
    const res = await raw("PUT", accountPath(`utf${i}`), { body });
    assert.equal(res.status, 400, `invalid UTF-8 body #${i} (${body.toString("hex")}): got ${res.status} ${res.text}`);
    const check = await raw("GET", accountPath(`utf${i}`));
    assert.equal(check.status, 404, `invalid UTF-8 body #${i} created the account: ${check.text}`);
  }
});

test("10000-deep JSON nesting is 400", async () => {
  const depth = 10_000;
  const cases = {
    arrays: `{"location":"eastus","kind":"Face","sku":{"name":"S0"},"properties":{"x":${"[".repeat(depth)}${"]".repeat(depth)}}}`,
    objects: `{"location":"eastus","kind":"Face","sku":{"name":"S0"},"properties":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`,
    unclosed: `{"location":"eastus","properties":${"[".repeat(depth)}`,
  };
  for (const [label, text] of Object.entries(cases)) {
    const res = await raw("PUT", accountPath(`deep-${label}`), { body: Buffer.from(text) });
    assert.equal(res.status, 400, `${depth}-deep ${label}: got ${res.status} ${res.text.slice(0, 300)}`);
  }
});

test("numbers out of range in a Key Vault softDeleteRetentionInDays are 4xx", async (t) => {
  const answers = [];
  const values = ["1e999", "-1e999", "99999999999999999999", "-99999999999999999999", "18446744073709551616",
    "9223372036854775808", "-9223372036854775809", "7.5", "1e2", "0.0000001e8", "NaN", "Infinity"];
  for (const [i, v] of values.entries()) {
    const name = `kvhostile${i}`;
    const text = `{"location":"eastus","properties":{"tenantId":"${tenantId}","sku":{"family":"A","name":"standard"},` +
      `"accessPolicies":[],"enableSoftDelete":true,"softDeleteRetentionInDays":${v}}}`;
    const res = await raw("PUT", vaultPath(name), { body: Buffer.from(text) });
    assert.ok(res.status >= 400 && res.status < 500,
      `softDeleteRetentionInDays ${v}: expected a 4xx, got ${res.status} ${res.text.slice(0, 300)}`);
    const check = await raw("GET", vaultPath(name));
    assert.equal(check.status, 404, `softDeleteRetentionInDays ${v} created the vault: ${check.text.slice(0, 300)}`);
    answers.push(`${v}: ${res.status} ${res.json?.error?.code}`);
  }
  t.diagnostic(answers.join("; "));
  // Control: an in-range value is accepted.
  const ok = await raw("PUT", vaultPath("kvhostileok"), { body: json({ location: LOCATION, properties: {
    tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [], enableSoftDelete: true, softDeleteRetentionInDays: 7 } }) });
  assert.equal(ok.status, 201, ok.text);
});

// ------------------------------------------------------------ names

test("path traversal and control characters in names are 4xx, never 5xx, and create nothing", async () => {
  const base = `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.CognitiveServices/accounts`;
  const names = ["..%2F..%2Fetc", "..%2f..%2fetc%2fpasswd", "%00", "a%00b", "a/../b", "..", ".", "%2e%2e", "%2E%2E%2F",
    "a%2Fb", "a%5Cb", "..%5C..%5Cwindows", "%FF", "%C0%AF", "a%0D%0AX-Injected:%201", "%252e%252e%252f"];
  const before = await listAccounts();
  const wrong = [];
  const seen = {};
  const deletedBase = `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/${LOCATION}/resourceGroups/${RG}/deletedAccounts`;
  const tries = [
    ["PUT", "accounts/{name}", (n) => `${base}/${n}?${CS_API}`, json(ACCOUNT)],
    ["GET", "accounts/{name}", (n) => `${base}/${n}?${CS_API}`],
    ["PATCH", "accounts/{name}", (n) => `${base}/${n}?${CS_API}`, json({ tags: { a: "b" } })],
    ["DELETE", "accounts/{name}", (n) => `${base}/${n}?${CS_API}`],
    ["PUT restore", "accounts/{name}", (n) => `${base}/${n}?${CS_API}`, json({ location: LOCATION, properties: { restore: true } })],
    ["POST", "accounts/{name}/listKeys", (n) => `${base}/${n}/listKeys?${CS_API}`],
    ["PUT", "resourceGroups/{name}", (n) => `/subscriptions/${sub}/resourceGroups/${n}?api-version=2025-04-01`, json({ location: LOCATION })],
    ["DELETE", "resourceGroups/{name}", (n) => `/subscriptions/${sub}/resourceGroups/${n}?api-version=2025-04-01`],
    ["GET", "deletedAccounts/{name}", (n) => `${deletedBase}/${n}?${CS_API}`],
    ["DELETE", "deletedAccounts/{name}", (n) => `${deletedBase}/${n}?${CS_API}`],
  ];
  for (const name of names) {
    for (const [verb, shape, target, body] of tries) {
      const method = verb.split(" ")[0];
      const res = await raw(method, target(name), { body });
      const answer = `${res.status}${res.json?.error?.code ? ` ${res.json.error.code}` : ""}`;
      (seen[`${verb} ${shape}`] ??= new Set()).add(answer);
      if (res.status < 400 || res.status >= 500) wrong.push(`${verb} ${target(name)} -> ${answer} ${res.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(wrong, [], "every request naming a hostile name must be refused with a 4xx " +
    `(answers seen: ${JSON.stringify(Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, [...v]])))})`);
  const afterList = await listAccounts();
  assert.deepEqual(afterList, before, "hostile names created accounts");
  const groups = await raw("GET", `/subscriptions/${sub}/resourcegroups?api-version=2025-04-01`);
  assert.deepEqual(groups.json.value.map((g) => g.name), [RG], "hostile names created resource groups");
});

async function listAccounts() {
  const res = await raw("GET", `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/accounts?${CS_API}`);
  assert.equal(res.status, 200, res.text);
  return res.json.value.map((a) => a.id).sort();
}

// ------------------------------------------------------------ duplicate keys

// ARM reads property names case-insensitively, and so does the server's validation;
// a body may therefore name one property twice, exactly or in another case. Whatever
// the server does, a success must store what it answered, that must be one of the
// values sent, and the stored account must have the shape every account has (`kind`
// a string, `sku` an object with a name). See README.md ("hostile.test.mjs").
test("duplicate JSON keys: 2xx or 4xx, and a success stores a well-formed account it answered", async (t) => {
  const cases = [
    ["kind twice", '{"location":"eastus","kind":"Face","kind":"TextAnalytics","sku":{"name":"S0"}}'],
    ["sku twice", '{"location":"eastus","kind":"Face","sku":{"name":"S0"},"sku":{"name":"F0"}}'],
    ["sku valid, then invalid", '{"location":"eastus","kind":"Face","sku":{"name":"S0"},"sku":"F0"}'],
    ["tag twice", '{"location":"eastus","kind":"Face","sku":{"name":"S0"},"tags":{"a":"1","a":"2"}}'],
    ["location twice, other case", '{"location":"eastus","kind":"Face","sku":{"name":"S0"},"Location":"westus"}'],
    ["kind twice, other case", '{"location":"eastus","kind":"Face","Kind":"TextAnalytics","sku":{"name":"S0"}}'],
    ["sku invalid, then valid in other case", '{"location":"eastus","kind":"Face","sku":"F0","SKU":{"name":"S0"}}'],
    ["kind and sku only in other case", '{"location":"eastus","Kind":"Face","SKU":{"name":"S0"}}'],
  ];
  const outcomes = [];
  const wrong = [];
  for (const [i, [label, text]] of cases.entries()) {
    const name = `dup${i}`;
    const sent = (key) => [...text.matchAll(new RegExp(`"${key}":("[^"]*"|\\{[^}]*\\})`, "gi"))].map((m) => JSON.parse(m[1]));
    const res = await raw("PUT", accountPath(name), { body: Buffer.from(text) });
    assert.ok((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500),
      `${label}: expected a 2xx or 4xx, got ${res.status} ${res.text.slice(0, 300)}`);
    const get = await raw("GET", accountPath(name));
    if (res.status >= 400) {
      assert.equal(get.status, 404, `${label}: refused with ${res.status} but stored: ${get.text}`);
      outcomes.push(`${label}: ${res.status} ${res.json?.error?.code}`);
      continue;
    }
    assert.equal(get.status, 200, `${label}: answered ${res.status} but not stored: ${get.text}`);
    const stored = get.json;
    const problems = [];
    for (const key of ["kind", "sku", "location", "tags"]) {
      if (JSON.stringify(stored[key]) !== JSON.stringify(res.json[key])) problems.push(`${key} answered ${JSON.stringify(res.json[key])} but stored ${JSON.stringify(stored[key])}`);
    }
    if (typeof stored.kind !== "string" || !sent("kind").includes(stored.kind)) problems.push(`kind ${JSON.stringify(stored.kind)} is not a string that was sent`);
    if (typeof stored.sku !== "object" || typeof stored.sku?.name !== "string" ||
        !sent("sku").some((v) => JSON.stringify(v) === JSON.stringify(stored.sku))) {
      problems.push(`sku ${JSON.stringify(stored.sku)} is not an object with a name that was sent`);
    }
    if (!sent("location").includes(stored.location)) problems.push(`location ${JSON.stringify(stored.location)} was not sent`);
    const extra = Object.keys(stored).filter((k) => k !== k.toLowerCase() && ["kind", "sku", "location", "tags"].includes(k.toLowerCase()));
    if (extra.length) problems.push(`stored non-canonical keys ${JSON.stringify(extra)} next to / instead of the canonical ones`);
    if (problems.length) {
      wrong.push(`${label}: PUT ${text} -> ${res.status}; ${problems.join("; ")}; GET: ${get.text.slice(0, 400)}`);
      outcomes.push(`${label}: ${res.status}, malformed`);
      continue;
    }
    // The stored record survives a delete and a recover unchanged.
    const del = await raw("DELETE", accountPath(name));
    assert.equal(del.status, 200, del.text);
    const rec = await raw("PUT", accountPath(name), { body: json({ location: stored.location, properties: { restore: true } }) });
    assert.equal(rec.status, 201, rec.text);
    assert.deepEqual([rec.json.kind, rec.json.sku, rec.json.tags], [stored.kind, stored.sku, stored.tags], `${label}: recovered ${rec.text}`);
    outcomes.push(`${label}: ${res.status}, kept kind ${stored.kind}, sku ${JSON.stringify(stored.sku)}, location ${stored.location}, tags ${JSON.stringify(stored.tags)}`);
  }
  t.diagnostic(outcomes.join("; "));
  assert.deepEqual(wrong, [], "accepted bodies with duplicate keys must store a well-formed account");
});

// ------------------------------------------------------------ the server kept serving

test("the canary kept succeeding and memory stayed bounded", async (t) => {
  // Let the canary run a little after the last hostile request.
  await sleep(300);
  canary.stop = true;
  await canary.done;
  assert.deepEqual(canary.failures, [], "canary GETs failed during the hostile run");
  assert.ok(canary.ok >= 20, `only ${canary.ok} canary GETs ran`);
  const rssEnd = rssKb();
  rssPeak = Math.max(rssPeak, rssEnd);
  t.diagnostic(`${canary.ok} canary GETs; VmRSS ${rssAtStart} kB at start, peak ${rssPeak} kB, end ${rssEnd} kB`);
  assert.ok(rssPeak - rssAtStart <= RSS_GROWTH_LIMIT_KB,
    `VmRSS grew from ${rssAtStart} kB to a peak of ${rssPeak} kB (end ${rssEnd} kB), more than ${RSS_GROWTH_LIMIT_KB} kB`);
});
