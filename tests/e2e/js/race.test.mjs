// Race torture: many clients hammer the same few Cognitive Services accounts with
// create, delete, recover, purge and resource-group delete / re-create at once. Every
// answer must be a success or one of the documented 4xx of that operation (never a
// 5xx), and the final state must be one that the acknowledged answers allow. Then
// pairs of conflicting requests are raced on one name: exactly one of them wins.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test race.test.mjs
//
// See README.md ("race.test.mjs") for the reasoning behind the final-state check.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import https from "node:https";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { test, before, after } from "node:test";

import { defaultSubscription, request, startServer } from "./server.mjs";

const CLIENTS = 16;
const ROUNDS = 120;
const PHASES = 12;  // quiet checkpoints: every client stops, the state is checked
const GROUPS = ["rg-race-a", "rg-race-b"];
const NAMES = ["race0", "race1", "race2"];
const PAIR_REPEATS = 20;
const LOCATION = "eastus";
const API = "api-version=2025-09-01";
const RG_API = "api-version=2025-04-01";
const BODY = { location: LOCATION, kind: "Face", sku: { name: "S0" }, tags: { purpose: "race" } };

// The answers each operation may give, as "status" or "status code" (the ARM error
// code). 409 Conflict is the documented answer when a transition keeps losing races
// to concurrent requests on the same name ("retry the request").
const ALLOWED = {
  // PUT .../accounts/{name}: created, updated, name held by a soft-deleted account,
  // group missing.
  create: ["201", "200", "409 FlagMustBeSetForRestore", "404 ResourceGroupNotFound", "409 Conflict"],
  // DELETE .../accounts/{name}: soft-deleted, nothing live, group missing.
  delete: ["200", "204", "404 ResourceGroupNotFound", "409 Conflict"],
  // PUT with properties.restore: recovered, nothing soft-deleted, group missing.
  recover: ["201", "404 CanNotRestoreANonExistingResource", "404 ResourceGroupNotFound", "409 Conflict"],
  // DELETE .../deletedAccounts/{name}: purged, nothing soft-deleted.
  purge: ["202", "404 ResourceNotFound", "409 Conflict"],
  // DELETE /resourceGroups/{rg}: deleted (contents soft-deleted), no such group.
  rgDelete: ["202", "404 ResourceGroupNotFound", "409 Conflict"],
  // PUT /resourceGroups/{rg}: created, updated.
  rgCreate: ["201", "200", "409 Conflict"],
};
// What a successful answer does to an account of the group: "live", "deleted",
// "gone", or "notLive" (a group delete soft-deletes what is live and leaves the rest).
const SUCCESS = {
  create: { 200: "live", 201: "live" },
  delete: { 200: "deleted" },  // 204: nothing happened
  recover: { 201: "live" },
  purge: { 202: "gone" },
  rgDelete: { 202: "notLive" },
};

let server;
let sub;

before(async () => {
  server = await startServer();
  sub = await defaultSubscription(server);
});

after(async () => {
  if (server) await server.stop();
});

const groupPath = (g) => `/subscriptions/${sub}/resourceGroups/${g}?${RG_API}`;
const livePath = (g, n) =>
  `/subscriptions/${sub}/resourceGroups/${g}/providers/Microsoft.CognitiveServices/accounts/${n}?${API}`;
const deletedPath = (g, n) =>
  `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/${LOCATION}/resourceGroups/${g}/deletedAccounts/${n}?${API}`;

function call(method, urlPath, body, agent = false) {
  return request(server, method, urlPath, { headers: { Authorization: "Bearer fake-token" }, body, agent });
}

/** Sends one lifecycle operation; resolves its answer. */
function operate(op, g, n, agent) {
  switch (op) {
    case "create": return call("PUT", livePath(g, n), BODY, agent);
    case "delete": return call("DELETE", livePath(g, n), undefined, agent);
    case "recover": return call("PUT", livePath(g, n), { ...BODY, properties: { restore: true } }, agent);
    case "purge": return call("DELETE", deletedPath(g, n), undefined, agent);
    case "rgDelete": return call("DELETE", groupPath(g), undefined, agent);
    case "rgCreate": return call("PUT", groupPath(g), { location: LOCATION }, agent);
    default: throw new Error(`unknown op ${op}`);
  }
}

function answerOf(res) {
  return res.body?.error?.code ? `${res.status} ${res.body.error.code}` : String(res.status);
}

/** "live", "deleted" or "gone" as GET live / GET deleted show it; never both. */
async function observe(g, n, what) {
  const [l, d] = await Promise.all([call("GET", livePath(g, n)), call("GET", deletedPath(g, n))]);
  assert.ok(l.status !== 200 || d.status !== 200,
    `${what}: ${g}/${n} is both live and soft-deleted: ${JSON.stringify(l.body)} / ${JSON.stringify(d.body)}`);
  assert.ok([200, 404].includes(l.status), `${what}: GET ${g}/${n}: ${l.status} ${JSON.stringify(l.body)}`);
  assert.ok([200, 404].includes(d.status), `${what}: GET deleted ${g}/${n}: ${d.status} ${JSON.stringify(d.body)}`);
  if (l.status === 200) return "live";
  if (d.status === 200) return "deleted";
  return "gone";
}

/**
 * The states an object may end in, given the successful operations on it, each with
 * the time it was sent and the time its answer arrived ({send, ack, effect}). An
 * operation takes effect somewhere between the two, so X can be the last to take
 * effect only if no other one was sent after X was answered. `initial` holds when no
 * operation succeeded.
 */
function possibleFinal(events, initial) {
  if (events.length === 0) return new Set([initial]);
  let latestSend = -Infinity;
  let secondSend = -Infinity;
  for (const e of events) {
    if (e.send > latestSend) {
      secondSend = latestSend;
      latestSend = e.send;
    } else if (e.send > secondSend) {
      secondSend = e.send;
    }
  }
  const out = new Set();
  for (const e of events) {
    const othersLatest = e.send === latestSend ? secondSend : latestSend;
    if (e.ack < othersLatest) continue;  // something was sent after X was answered
    if (e.effect === "notLive") {
      out.add("deleted");
      out.add("gone");
    } else {
      out.add(e.effect);
    }
  }
  return out;
}

test("16 clients hammering 3 names in 2 groups: no 5xx, only documented answers, a final state the answers allow",
  { timeout: 50_000 }, async (t) => {
    for (const g of GROUPS) {
      const res = await operate("rgCreate", g, null);
      assert.equal(res.status, 201, `create ${g}: ${JSON.stringify(res.body)}`);
    }
    const history = [];  // {client, op, g, n, send, ack, status, answer}
    const unexpected = [];
    const counts = {};
    const weights = [["create", 26], ["delete", 20], ["recover", 20], ["purge", 20], ["rgDelete", 3], ["rgCreate", 8]];
    const total = weights.reduce((s, [, w]) => s + w, 0);
    const chooseOp = () => {
      let r = Math.random() * total;
      for (const [op, w] of weights) if ((r -= w) < 0) return op;
      return "create";
    };

    const agents = Array.from({ length: CLIENTS }, () => new https.Agent({ keepAlive: true, maxSockets: 1 }));
    t.after(() => agents.forEach((agent) => agent.destroy()));
    const client = async (id, rounds) => {
      for (let round = 0; round < rounds; ++round) {
        const op = chooseOp();
        const g = GROUPS[Math.floor(Math.random() * GROUPS.length)];
        const n = op.startsWith("rg") ? null : NAMES[Math.floor(Math.random() * NAMES.length)];
        const send = performance.now();
        let res;
        try {
          res = await operate(op, g, n, agents[id]);
        } catch (err) {
          unexpected.push(`client ${id} ${op} ${g}/${n ?? ""}: transport error ${err.message}`);
          continue;
        }
        const ack = performance.now();
        const answer = answerOf(res);
        counts[`${op} ${answer}`] = (counts[`${op} ${answer}`] ?? 0) + 1;
        history.push({ client: id, op, g, n, send, ack, status: res.status, answer });
        if (res.status >= 500 || !ALLOWED[op].includes(answer)) {
          unexpected.push(`client ${id} ${op} ${g}/${n ?? ""} answered ${res.status} ${JSON.stringify(res.body)}; ` +
            `allowed: ${ALLOWED[op].join(", ")}`);
        }
      }
    };

    // Phases of traffic; after each, with every client quiet, the state must be one the
    // acknowledged answers so far allow.
    let determined = 0;
    for (let phase = 0; phase < PHASES; ++phase) {
      await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i, ROUNDS / PHASES)));
      assert.deepEqual(unexpected, [], `phase ${phase}: every answer is a success or a documented 4xx`);
      determined += await checkAllowedState(history, `after phase ${phase}`);
    }
    t.diagnostic(`answers: ${JSON.stringify(counts)}`);
    t.diagnostic(`${determined} of ${PHASES * GROUPS.length * NAMES.length} account checks had exactly one allowed state`);
  });

/**
 * Checks the groups and accounts against what the acknowledged answers in `history`
 * allow, with no request in flight; returns how many accounts had exactly one allowed state.
 */
async function checkAllowedState(history, where) {
  // Groups: created or deleted last.
  const groupExists = new Map();
  for (const g of GROUPS) {
    const events = history.filter((h) => h.g === g && h.n === null &&
      ((h.op === "rgCreate" && h.status < 300) || (h.op === "rgDelete" && h.status === 202)))
      .map((h) => ({ ...h, effect: h.op === "rgCreate" ? "exists" : "absent" }));
    const allowed = possibleFinal(events, "exists");
    const res = await call("GET", groupPath(g));
    const observed = res.status === 200 ? "exists" : res.status === 404 ? "absent" : `HTTP ${res.status}`;
    assert.ok(allowed.has(observed), `${where}: ${g} is ${observed}; the acknowledged answers allow ${[...allowed].join(" or ")}`);
    groupExists.set(g, observed === "exists");
  }

  // Accounts: the observed state is one the acknowledged answers allow.
  const liveListed = new Set((await listAll(`/subscriptions/${sub}/providers/Microsoft.CognitiveServices/accounts?${API}`))
    .map((a) => a.id.toLowerCase()));
  const deletedListed = new Set((await listAll(`/subscriptions/${sub}/providers/Microsoft.CognitiveServices/deletedAccounts?${API}`))
    .map((a) => `${a.id.split("/resourceGroups/")[1]}`.toLowerCase()));
  let determined = 0;
  for (const g of GROUPS) {
    for (const n of NAMES) {
      const events = history.filter((h) => h.g === g && (h.n === n || h.n === null) && SUCCESS[h.op]?.[h.status])
        .map((h) => ({ ...h, effect: SUCCESS[h.op][h.status] }));
      const allowed = possibleFinal(events, "gone");
      const id = livePath(g, n).split("?")[0].toLowerCase();
      const isListedLive = liveListed.has(id);
      // A live account in a group that is gone would be an orphan: a group delete
      // soft-deletes what the group contains, and a create in a missing group is refused.
      assert.ok(!isListedLive || groupExists.get(g),
        `${where}: ${g}/${n} is listed live but its group is gone (orphan left by a group delete racing a create/recover)`);
      let observed = groupExists.get(g) ? await observe(g, n, where) : null;
      if (observed === null) {
        // GET of an account in a missing group says ResourceGroupNotFound; use the lists.
        observed = isListedLive ? "live" : deletedListed.has(`${g}/deletedaccounts/${n}`.toLowerCase())
          ? "deleted" : "gone";
      }
      assert.equal(isListedLive, observed === "live", `${where}: ${g}/${n}: the live list and GET disagree (GET says ${observed})`);
      const last = [...events].sort((x, y) => y.ack - x.ack).slice(0, 6)
        .map((e) => `${e.op} ${e.answer} sent ${e.send.toFixed(1)} answered ${e.ack.toFixed(1)}`);
      if (allowed.size === 1) ++determined;
      assert.ok(allowed.has(observed),
        `${where}: ${g}/${n} is ${observed}; the acknowledged answers allow only ${[...allowed].join(" or ")}. ` +
        `Latest successes:\n${last.join("\n")}`);
    }
  }

  // The same from the file: no live account in a group that does not exist.
  const orphans = execFileSync("sqlite3", ["-cmd", ".timeout 5000", path.join(server.dataDir, "reprieve.db"),
    "SELECT group_concat(a.id, ' ') FROM resources a WHERE a.type = 'Microsoft.CognitiveServices/accounts' " +
    "AND a.state = 0 AND NOT EXISTS (SELECT 1 FROM resources g WHERE g.type = 'Microsoft.Resources/resourceGroups' " +
    "AND g.subscription = a.subscription AND lower(g.name) = lower(a.resource_group));"], { encoding: "utf8" }).trim();
  assert.equal(orphans, "", `${where}: live accounts whose resource group is gone`);
  return determined;
}

async function listAll(first) {
  const items = [];
  for (let next = first, page = 0; next; ++page) {
    assert.ok(page < 100, `${first}: more than 100 pages`);
    const res = await call("GET", next);
    assert.equal(res.status, 200, `GET ${next}: ${JSON.stringify(res.body)}`);
    items.push(...res.body.value);
    next = res.body.nextLink;
  }
  return items;
}

/** Two warmed keep-alive connections, so that both requests of a pair leave together. */
async function warmAgents() {
  const agents = [new https.Agent({ keepAlive: true, maxSockets: 1 }), new https.Agent({ keepAlive: true, maxSockets: 1 })];
  await Promise.all(agents.map((agent) => call("GET", `/subscriptions/${sub}?api-version=2022-12-01`, undefined, agent)));
  return agents;
}

/**
 * Races `a` and `b` (operations on account g/n) PAIR_REPEATS times after `setup`;
 * `judge` checks the two answers and the final state.
 */
async function racePairs(label, { setup, a, b, judge }) {
  const tally = {};
  for (let i = 0; i < PAIR_REPEATS; ++i) {
    const g = `rg-pair-${label}-${i}`;
    const n = `pair${i}`;
    let res = await operate("rgCreate", g, null);
    assert.equal(res.status, 201, `${label} #${i}: create ${g}: ${JSON.stringify(res.body)}`);
    for (const [op, status] of setup) {
      res = await operate(op, g, n);
      assert.equal(res.status, status, `${label} #${i}: setup ${op}: ${JSON.stringify(res.body)}`);
    }
    const agents = await warmAgents();
    let ra;
    let rb;
    try {
      [ra, rb] = await Promise.all([operate(a, g, n, agents[0]), operate(b, g, n, agents[1])]);
    } finally {
      for (const agent of agents) agent.destroy();
    }
    const what = `${label} #${i}: ${a} -> ${ra.status} ${JSON.stringify(ra.body ?? "")}, ${b} -> ${rb.status} ${JSON.stringify(rb.body ?? "")}`;
    assert.ok(ra.status < 500 && rb.status < 500, `${what}: 5xx`);
    const key = `${a} ${answerOf(ra)} / ${b} ${answerOf(rb)}`;
    tally[key] = (tally[key] ?? 0) + 1;
    await judge({ ra, rb, g, n, what });
  }
  return tally;
}

const ok = (res) => res.status >= 200 && res.status < 300;

test("recover vs purge of one soft-deleted account: exactly one wins, and its effect is what remains", async (t) => {
  const tally = await racePairs("recover-purge", {
    setup: [["create", 201], ["delete", 200]],
    a: "recover",
    b: "purge",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.equal(Number(ok(ra)) + Number(ok(rb)), 1, `${what}: exactly one 2xx`);
      const state = await observe(g, n, what);
      if (ok(ra)) {
        assert.equal(ra.status, 201, what);
        assert.equal(answerOf(rb), "404 ResourceNotFound", what);
        assert.equal(state, "live", `${what}: recover won, the account must be live`);
      } else {
        assert.equal(rb.status, 202, what);
        assert.equal(answerOf(ra), "404 CanNotRestoreANonExistingResource", what);
        assert.equal(state, "gone", `${what}: purge won, nothing may remain`);
      }
    },
  });
  t.diagnostic(JSON.stringify(tally));
});

test("recover vs recover: exactly one 201", async (t) => {
  const tally = await racePairs("recover-recover", {
    setup: [["create", 201], ["delete", 200]],
    a: "recover",
    b: "recover",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.equal(Number(ok(ra)) + Number(ok(rb)), 1, `${what}: exactly one 2xx`);
      assert.equal(answerOf(ok(ra) ? rb : ra), "404 CanNotRestoreANonExistingResource", what);
      assert.equal(await observe(g, n, what), "live", what);
    },
  });
  t.diagnostic(JSON.stringify(tally));
});

test("purge vs purge: exactly one 202", async (t) => {
  const tally = await racePairs("purge-purge", {
    setup: [["create", 201], ["delete", 200]],
    a: "purge",
    b: "purge",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.equal(Number(ok(ra)) + Number(ok(rb)), 1, `${what}: exactly one 2xx`);
      assert.equal(answerOf(ok(ra) ? rb : ra), "404 ResourceNotFound", what);
      assert.equal(await observe(g, n, what), "gone", what);
    },
  });
  t.diagnostic(JSON.stringify(tally));
});

test("delete vs delete of a live account: exactly one 200 (the other 204)", async (t) => {
  const tally = await racePairs("delete-delete", {
    setup: [["create", 201]],
    a: "delete",
    b: "delete",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.deepEqual([ra.status, rb.status].sort(), [200, 204], `${what}: one soft delete, one no-op`);
      assert.equal(await observe(g, n, what), "deleted", what);
    },
  });
  t.diagnostic(JSON.stringify(tally));
});

test("create vs create of a free name: exactly one 201 (the other updates: 200)", async (t) => {
  const tally = await racePairs("create-create", {
    setup: [],
    a: "create",
    b: "create",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.deepEqual([ra.status, rb.status].sort(), [200, 201], `${what}: one create, one update`);
      assert.equal(await observe(g, n, what), "live", what);
    },
  });
  t.diagnostic(JSON.stringify(tally));
});

test("create vs resource-group delete: the account is never left live in a deleted group", async (t) => {
  const tally = await racePairs("create-rgdelete", {
    setup: [],
    a: "create",
    b: "rgDelete",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.equal(rb.status, 202, `${what}: the group delete`);
      assert.ok(["201", "404 ResourceGroupNotFound"].includes(answerOf(ra)), `${what}: the create`);
      const res = await call("GET", groupPath(g));
      assert.equal(res.status, 404, `${what}: the group is gone`);
      const live = await listAll(`/subscriptions/${sub}/providers/Microsoft.CognitiveServices/accounts?${API}`);
      assert.ok(!live.some((a) => a.id.toLowerCase().includes(`/resourcegroups/${g}/`)),
        `${what}: the account is live in a deleted group`);
      const del = await call("GET", deletedPath(g, n));
      // Created first: the group delete soft-deleted it. Refused: nothing exists.
      assert.equal(del.status, ra.status === 201 ? 200 : 404, `${what}: deleted account ${JSON.stringify(del.body)}`);
    },
  });
  t.diagnostic(JSON.stringify(tally));
});

test("recover vs resource-group delete: the account ends soft-deleted either way", async (t) => {
  const tally = await racePairs("recover-rgdelete", {
    setup: [["create", 201], ["delete", 200]],
    a: "recover",
    b: "rgDelete",
    judge: async ({ ra, rb, g, n, what }) => {
      assert.equal(rb.status, 202, `${what}: the group delete`);
      assert.ok(["201", "404 ResourceGroupNotFound"].includes(answerOf(ra)), `${what}: the recover`);
      const live = await listAll(`/subscriptions/${sub}/providers/Microsoft.CognitiveServices/accounts?${API}`);
      assert.ok(!live.some((a) => a.id.toLowerCase().includes(`/resourcegroups/${g}/`)),
        `${what}: the account is live in a deleted group`);
      const del = await call("GET", deletedPath(g, n));
      assert.equal(del.status, 200, `${what}: the account must be soft-deleted: ${JSON.stringify(del.body)}`);
    },
  });
  t.diagnostic(JSON.stringify(tally));
});
