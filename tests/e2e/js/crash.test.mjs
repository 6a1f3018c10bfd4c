// Crash torture: mixed Cognitive Services lifecycle traffic from several concurrent
// clients, kill -9 of the server at a random moment while requests are in flight,
// restart on the same data dir, then check that every acknowledged change is there,
// that nothing unacknowledged is half-applied, and the store invariants.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test crash.test.mjs
//
// The model (see README.md, "crash.test.mjs"):
// - Operations on one name never overlap (a client takes a free name), so a name's
//   last acknowledged (answered) transition defines its state. A request that got no
//   answer because of the kill is "unknown": the name may be in its state before or
//   after that request, but in nothing else.
// - The clock only moves through POST /reprieve/admin/clock, which a client sends
//   only while no name operation is in flight; so every deletion date is known exactly,
//   and after an acknowledged advance every soft-deleted name whose scheduledPurgeDate
//   has passed is purged.
// - After the restart (with --clock-start at the model's clock) each name is read
//   live and deleted, the SQLite file is checked (PRAGMA integrity_check, dates of
//   soft-deleted rows, one row per resource, rows = the model), then the clock moves
//   by PT1S and no soft-deleted row due at the clock's now may remain.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import https from "node:https";

import { defaultSubscription, request, startServer } from "./server.mjs";

// `make torture` sets REPRIEVE_CRASH_CYCLES (200); `make test` runs the short version.
const CYCLES = Number(process.env.REPRIEVE_CRASH_CYCLES ?? 24);
const CLIENTS = 4;
const NAMES = ["cr0", "cr1", "cr2", "cr3", "cr4", "cr5"];
const RG = "rg-crash-torture";
const LOCATION = "eastus";
const API = "api-version=2025-09-01";
const RETENTION_MS = 48 * 3600e3;
const KILL_MIN_MS = 20;
const KILL_MAX_MS = 300;
const REQUEST_DEADLINE_MS = 10_000;
// Clock advances a client may send; together they cross the 48 h retention now and then.
const ADVANCES = [["PT1H", 3600e3], ["PT12H", 12 * 3600e3], ["PT30H", 30 * 3600e3], ["PT49H", 49 * 3600e3]];
const CLOCK_ADVANCE_PROBABILITY = 0.04;

const randInt = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
const pick = (items) => items[Math.floor(Math.random() * items.length)];
const iso = (ms) => new Date(ms).toISOString();

/** Picks an operation for a name in `state` by weight. */
function chooseOp(state) {
  const table = {
    gone: [["create", 7], ["recover", 1], ["purge", 1], ["delete", 1]],
    live: [["delete", 5], ["create", 2], ["recover", 1], ["purge", 1]],
    deleted: [["recover", 4], ["purge", 4], ["create", 1], ["delete", 1]],
  }[state];
  let r = Math.random() * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [op, w] of table) {
    if ((r -= w) < 0) return op;
  }
  return table[0][0];
}

/**
 * What `op` does to a name in the known state `before` ({state, seq, deletedAt}):
 * the status it must answer and the state afterwards. `seq` is the tag the request
 * body carries; `now` the model's clock.
 */
function expectation(op, before, seq, now) {
  switch (op) {
    case "create":
      if (before.state === "gone") return { status: 201, after: { state: "live", seq } };
      if (before.state === "live") return { status: 200, after: { state: "live", seq } };
      return { status: 409, code: "FlagMustBeSetForRestore", after: before };
    case "delete":
      if (before.state === "live") {
        return { status: 200, after: { state: "deleted", seq: before.seq, deletedAt: now } };
      }
      return { status: 204, after: before };
    case "recover":
      // Recover restores the deleted body: the seq tag of the request is ignored.
      if (before.state === "deleted") return { status: 201, after: { state: "live", seq: before.seq } };
      return { status: 404, code: "CanNotRestoreANonExistingResource", after: before };
    case "purge":
      if (before.state === "deleted") return { status: 202, after: { state: "gone" } };
      return { status: 404, after: before };
    default:
      throw new Error(`unknown op ${op}`);
  }
}

function describe(candidate) {
  if (candidate.state === "live") return `live(seq ${candidate.seq})`;
  if (candidate.state === "deleted") return `deleted(seq ${candidate.seq}, at ${iso(candidate.deletedAt)})`;
  return candidate.state;
}

/** A request with an overall deadline: never hangs on a half-closed socket. */
async function send(server, method, urlPath, body, agent = false) {
  let timer;
  try {
    return await Promise.race([
      request(server, method, urlPath, { headers: { Authorization: "Bearer fake-token" }, body, agent }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${method} ${urlPath}: no answer within ${REQUEST_DEADLINE_MS} ms`)),
          REQUEST_DEADLINE_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function sqlite(db, sql) {
  return execFileSync("sqlite3", ["-cmd", ".timeout 5000", db, sql], { encoding: "utf8" }).trim();
}

test("kill -9 under concurrent lifecycle traffic loses no acknowledged change and half-applies nothing",
  { timeout: 55_000 }, async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-crash-torture-"));
    const db = path.join(dataDir, "reprieve.db");
    let server;
    t.after(async () => {
      if (server) await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    server = await startServer({ dataDir });
    const sub = await defaultSubscription(server);
    const group = `/subscriptions/${sub}/resourceGroups/${RG}`;
    const live = (name) => `${group}/providers/Microsoft.CognitiveServices/accounts/${name}?${API}`;
    const deleted = (name) =>
      `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/${LOCATION}/resourceGroups/${RG}/deletedAccounts/${name}?${API}`;

    let res = await send(server, "PUT", `${group}?api-version=2025-04-01`, { location: LOCATION });
    assert.equal(res.status, 201, `create ${RG}: ${JSON.stringify(res.body)}`);
    res = await send(server, "GET", "/reprieve/admin/clock");
    let now = Date.parse(res.body.now);  // the model's clock, ms since epoch

    // name -> known state {state: "gone"|"live"|"deleted", seq?, deletedAt?}
    const model = new Map(NAMES.map((name) => [name, { state: "gone" }]));
    let nextSeq = 1;
    const stats = { acked: 0, unknown: 0, advances: 0, sweptByModel: 0, unknownResolvedAfter: 0 };

    for (let cycle = 0; cycle < CYCLES; ++cycle) {
      const where = `cycle ${cycle}`;
      // name -> candidate states after this cycle (more than one only for unknown requests)
      const candidates = new Map();
      const failures = [];
      const busy = new Set();
      let inFlightNameOps = 0;
      let clockTurn = false;  // a client waits for exclusive use to move the clock
      let killing = false;
      const log = [];
      // One keep-alive connection per client, so that most of the time before the kill
      // is spent in requests rather than in TLS handshakes.
      const agents = Array.from({ length: CLIENTS }, () => new https.Agent({ keepAlive: true, maxSockets: 1 }));

      const nameOp = async (client) => {
        const free = NAMES.filter((n) => !busy.has(n));
        const name = pick(free);
        busy.add(name);
        ++inFlightNameOps;
        try {
          const before = model.get(name);
          const op = chooseOp(before.state);
          const seq = nextSeq++;
          const exp = expectation(op, before, seq, now);
          const body = { location: LOCATION, kind: "Face", sku: { name: "S0" }, tags: { seq: String(seq) } };
          let reply;
          try {
            const agent = agents[client];
            if (op === "create") reply = await send(server, "PUT", live(name), body, agent);
            else if (op === "recover") reply = await send(server, "PUT", live(name), { ...body, properties: { restore: true } }, agent);
            else if (op === "delete") reply = await send(server, "DELETE", live(name), undefined, agent);
            else reply = await send(server, "DELETE", deleted(name), undefined, agent);
          } catch (err) {
            if (!killing) {
              failures.push(`${where}: client ${client} ${op} ${name}: ${err.message} before the kill`);
              return;
            }
            // In flight at the kill: before or after, nothing else.
            ++stats.unknown;
            log.push(`${op} ${name} seq ${seq}: unknown (${err.code ?? err.message})`);
            candidates.set(name, [before, exp.after]);
            model.set(name, { state: "unknown" });
            return;
          }
          ++stats.acked;
          log.push(`${op} ${name} seq ${seq}: ${reply.status}`);
          if (reply.status !== exp.status || (exp.code && reply.body?.error?.code !== exp.code)) {
            failures.push(`${where}: client ${client} ${op} ${name} (known state ${describe(before)}, ` +
              `clock ${iso(now)}) answered ${reply.status} ${JSON.stringify(reply.body)}; ` +
              `expected ${exp.status}${exp.code ? ` ${exp.code}` : ""}`);
            return;
          }
          model.set(name, exp.after);
        } finally {
          busy.delete(name);
          --inFlightNameOps;
        }
      };

      const clockOp = async (client) => {
        clockTurn = true;
        try {
          while (inFlightNameOps > 0 && !killing) await sleep(1);
          if (killing) return;
          const [duration, ms] = pick(ADVANCES);
          const target = now + ms;
          let reply;
          try {
            reply = await send(server, "POST", "/reprieve/admin/clock", { advance: duration }, agents[client]);
          } catch (err) {
            if (!killing) {
              failures.push(`${where}: client ${client} advance ${duration}: ${err.message} before the kill`);
              return;
            }
            ++stats.unknown;
            log.push(`advance ${duration}: unknown (${err.code ?? err.message})`);
            // The restart puts the clock back at `now`; purges the advance may have done
            // before the kill are allowed, nothing else.
            for (const [name, state] of model) {
              if (state.state === "deleted" && state.deletedAt + RETENTION_MS <= target) {
                candidates.set(name, [state, { state: "gone" }]);
                model.set(name, { state: "unknown" });
              }
            }
            return;
          }
          ++stats.acked;
          ++stats.advances;
          log.push(`advance ${duration}: ${reply.status} ${JSON.stringify(reply.body)}`);
          if (reply.status !== 200 || Date.parse(reply.body?.now) !== target) {
            failures.push(`${where}: advance ${duration} from ${iso(now)} answered ${reply.status} ` +
              `${JSON.stringify(reply.body)}; expected 200 with now ${iso(target)}`);
            return;
          }
          now = target;
          for (const [name, state] of model) {
            if (state.state === "deleted" && state.deletedAt + RETENTION_MS <= now) {
              model.set(name, { state: "gone" });
              ++stats.sweptByModel;
            }
          }
        } finally {
          clockTurn = false;
        }
      };

      const client = async (id) => {
        while (!killing && failures.length === 0) {
          if (clockTurn) {
            await sleep(1);
            continue;
          }
          if (Math.random() < CLOCK_ADVANCE_PROBABILITY) await clockOp(id);
          else await nameOp(id);
        }
      };

      const killAfter = randInt(KILL_MIN_MS, KILL_MAX_MS);
      const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
      await sleep(killAfter);
      killing = true;
      const inFlightAtKill = inFlightNameOps + (clockTurn ? 1 : 0);
      await server.crash();
      await Promise.all(clients);
      for (const agent of agents) agent.destroy();
      assert.deepEqual(failures, [], `${where} (kill after ${killAfter} ms); requests:\n${log.join("\n")}`);

      // Restart where the model's clock stands (a manual clock starts at --clock-start).
      server = await startServer({ dataDir, args: ["--clock-start", iso(now)] });
      res = await send(server, "GET", "/reprieve/admin/clock");
      assert.equal(Date.parse(res.body?.now), now, `${where}: clock after restart: ${JSON.stringify(res.body)}`);

      // Every name: never both live and soft-deleted; exactly an allowed candidate.
      for (const name of NAMES) {
        const allowed = candidates.get(name) ?? [model.get(name)];
        const [l, d] = await Promise.all([send(server, "GET", live(name)), send(server, "GET", deleted(name))]);
        assert.ok([200, 404].includes(l.status) && [200, 404].includes(d.status),
          `${where}: ${name}: GET live ${l.status} ${JSON.stringify(l.body)}, GET deleted ${d.status} ${JSON.stringify(d.body)}`);
        assert.ok(!(l.status === 200 && d.status === 200),
          `${where}: ${name} is both live and soft-deleted after restart: ${JSON.stringify(l.body)} / ${JSON.stringify(d.body)}`);
        let observed;
        if (l.status === 200) {
          observed = { state: "live", seq: Number(l.body?.tags?.seq) };
          assert.equal(l.body?.kind, "Face", `${where}: ${name} live body is incomplete: ${JSON.stringify(l.body)}`);
          assert.equal(l.body?.sku?.name, "S0", `${where}: ${name} live body is incomplete: ${JSON.stringify(l.body)}`);
        } else if (d.status === 200) {
          const p = d.body?.properties ?? {};
          observed = { state: "deleted", seq: Number(d.body?.tags?.seq), deletedAt: Date.parse(p.deletionDate) };
          assert.ok(p.deletionDate && p.scheduledPurgeDate,
            `${where}: ${name} soft-deleted without its dates: ${JSON.stringify(d.body)}`);
          assert.equal(Date.parse(p.scheduledPurgeDate) - Date.parse(p.deletionDate), RETENTION_MS,
            `${where}: ${name} purge window: ${JSON.stringify(p)}`);
        } else {
          observed = { state: "gone" };
        }
        const match = allowed.find((c) => c.state === observed.state &&
          (c.state === "gone" || c.seq === observed.seq) &&
          (c.state !== "deleted" || c.deletedAt === observed.deletedAt));
        assert.ok(match,
          `${where} (kill after ${killAfter} ms): ${name} is ${describe(observed)} after restart; ` +
          `acknowledged history allows only ${allowed.map(describe).join(" or ")}\nrequests:\n${log.join("\n")}`);
        if (allowed.length > 1 && match !== allowed[0]) ++stats.unknownResolvedAfter;
        model.set(name, match);
      }

      // The file itself.
      assert.equal(sqlite(db, "PRAGMA integrity_check;"), "ok", `${where}: integrity_check`);
      assert.equal(sqlite(db,
        "SELECT count(*) FROM resources WHERE state = 1 AND (deleted_at IS NULL OR scheduled_purge_at IS NULL);"),
      "0", `${where}: soft-deleted rows without dates`);
      assert.equal(sqlite(db,
        "SELECT count(*) FROM resources WHERE state = 0 AND (deleted_at IS NOT NULL OR scheduled_purge_at IS NOT NULL);"),
      "0", `${where}: live rows with deletion dates`);
      assert.equal(sqlite(db,
        "SELECT group_concat(lower(id), ' ') FROM (SELECT id FROM resources GROUP BY lower(id) HAVING count(*) > 1);"),
      "", `${where}: one resource id stored in more than one row (live and deleted at once?)`);
      const rows = sqlite(db,
        "SELECT name || ':' || state || ':' || coalesce(deleted_at, '') FROM resources " +
        "WHERE type = 'Microsoft.CognitiveServices/accounts' ORDER BY name;");
      const wantRows = NAMES.filter((n) => model.get(n).state !== "gone")
        .map((n) => `${n}:${model.get(n).state === "live" ? 0 : 1}:${model.get(n).state === "deleted" ? model.get(n).deletedAt : ""}`)
        .sort();
      assert.deepEqual(rows ? rows.split("\n") : [], wantRows, `${where}: rows of reprieve.db vs the API`);

      // Nothing past its purge date survives a sweep (the advance sweeps before answering).
      res = await send(server, "POST", "/reprieve/admin/clock", { advance: "PT1S" });
      assert.equal(res.status, 200, `${where}: advance PT1S: ${JSON.stringify(res.body)}`);
      res = await send(server, "GET", "/reprieve/admin/clock");
      now = Date.parse(res.body?.now);
      const due = sqlite(db,
        `SELECT group_concat(key, ' ') FROM resources WHERE state = 1 AND scheduled_purge_at <= ${now};`);
      assert.equal(due, "", `${where}: soft-deleted rows due at ${iso(now)} survived the sweep`);
      for (const [name, state] of model) {
        if (state.state === "deleted" && state.deletedAt + RETENTION_MS <= now) model.set(name, { state: "gone" });
      }
      t.diagnostic(`${where}: killed after ${killAfter} ms with ${inFlightAtKill} request(s) in flight`);
    }
    t.diagnostic(`acknowledged ${stats.acked}, unknown ${stats.unknown} (${stats.unknownResolvedAfter} found applied), ` +
      `clock advances ${stats.advances}, purges by expiry ${stats.sweptByModel}`);
    assert.ok(stats.acked >= CYCLES, `too little traffic: ${JSON.stringify(stats)}`);
  });
