// Shared helpers for the soft-delete end-to-end tests: sequential steps,
// expected SDK failures, the manual clock and purge-window checks.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

import { admin } from "./server.mjs";

export const HOUR_MS = 3600e3;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Per-call option of the begin*() methods (no SDK reads it from the client
 * constructor); without it every second poll waits 2 s.
 */
export const LRO = { updateIntervalInMs: 10 };

/** Awaits `promise`, expecting a RestError with `status`; returns the error. */
export async function expectStatus(promise, status, what) {
  let error;
  await assert.rejects(promise, (err) => {
    error = err;
    assert.equal(err?.statusCode, status,
      `${what}: expected HTTP ${status}, got ${err?.statusCode} (${err?.code}: ${err?.message})`);
    return true;
  }, `${what}: expected HTTP ${status}, but the call succeeded`);
  return error;
}

/** Asserts a raw response's status, printing the body when it differs. */
export function expectRaw(res, status, what) {
  assert.equal(res.status, status, `${what}: expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** All items of a paged async iterator. */
export async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Follows `nextLink` from a raw ARM list path; returns every `value` item. */
export async function rawList(server, path, what) {
  const items = [];
  let next = path;
  for (let page = 0; next; ++page) {
    assert.ok(page < 100, `${what}: more than 100 pages`);
    const body = expectRaw(await admin(server, "GET", next), 200, `${what} (page ${page})`);
    assert.ok(Array.isArray(body?.value), `${what}: body.value should be an array: ${JSON.stringify(body)}`);
    items.push(...body.value);
    next = body.nextLink;
  }
  return items;
}

/**
 * Checks that deletionDate and scheduledPurgeDate are dates exactly `retentionMs`
 * apart; accepts Date objects (SDK models) or strings (raw bodies).
 */
export function assertPurgeWindow(deletionDate, scheduledPurgeDate, retentionMs, what) {
  assert.ok(deletionDate, `${what}: deletionDate is missing`);
  assert.ok(scheduledPurgeDate, `${what}: scheduledPurgeDate is missing`);
  const del = new Date(deletionDate).getTime();
  const purge = new Date(scheduledPurgeDate).getTime();
  assert.ok(!Number.isNaN(del), `${what}: deletionDate ${deletionDate} is not a date`);
  assert.ok(!Number.isNaN(purge), `${what}: scheduledPurgeDate ${scheduledPurgeDate} is not a date`);
  assert.equal(purge - del, retentionMs,
    `${what}: scheduledPurgeDate - deletionDate should be ${retentionMs / HOUR_MS} h ` +
    `(${new Date(del).toISOString()} -> ${new Date(purge).toISOString()})`);
  return { deletionDate: del, scheduledPurgeDate: purge };
}

export async function clockNow(server) {
  const res = await admin(server, "GET", "/reprieve/admin/clock");
  expectRaw(res, 200, "GET /reprieve/admin/clock");
  assert.ok(!Number.isNaN(Date.parse(res.body?.now)), `clock now is not a date: ${JSON.stringify(res.body)}`);
  return res.body.now;
}

export async function advanceClock(server, duration) {
  const res = await admin(server, "POST", "/reprieve/admin/clock", { advance: duration });
  expectRaw(res, 200, `POST /reprieve/admin/clock advance ${duration}`);
  assert.ok(!Number.isNaN(Date.parse(res.body?.now)), `clock now is not a date: ${JSON.stringify(res.body)}`);
  return res.body.now;
}

/**
 * Polls `probe` (an async function returning true once the condition holds)
 * for up to 5 s; the automatic purge may land just after the clock moves.
 */
export async function eventually(probe, what) {
  const deadline = Date.now() + 5_000;
  let last;
  for (;;) {
    try {
      if (await probe()) return;
      last = "condition false";
    } catch (err) {
      last = err?.message ?? String(err);
    }
    if (Date.now() >= deadline) assert.fail(`${what} (still not true after 5 s: ${last})`);
    await sleep(100);
  }
}

/** True when `promise` rejects with HTTP 404; false when it resolves; rethrows anything else. */
export async function is404(promise) {
  try {
    await promise;
    return false;
  } catch (err) {
    if (err?.statusCode === 404) return true;
    throw err;
  }
}

/**
 * An unexpected SDK failure (RestError) often has an empty message; name the
 * request and status instead.
 */
export function describeRestError(err) {
  if (err?.name !== "RestError") return err;
  const req = err.request;
  const text = `${req?.method ?? "?"} ${req?.url ?? "?"} -> HTTP ${err.statusCode ?? "(no response)"}` +
    `${err.code ? ` ${err.code}` : ""}: ${err.message || "(empty message)"}`;
  return new Error(text, { cause: err });
}

/**
 * Runs the steps in order as sub-tests; once one fails the rest are skipped,
 * so the first failure is the one reported.
 */
export function stepper(t) {
  let failed = null;
  return async (name, fn) => {
    if (failed) {
      await t.test(name, { skip: `earlier step failed: ${failed}` }, () => {});
      return;
    }
    let ok = false;
    await t.test(name, async () => {
      try {
        await fn();
      } catch (err) {
        throw describeRestError(err);
      }
      ok = true;
    });
    if (!ok) failed = name;
  };
}

/** The tenant of a subscription, as GET /subscriptions lists it. */
export async function tenantOf(server, subscriptionId) {
  const subs = await rawList(server, "/subscriptions?api-version=2022-12-01", "GET /subscriptions");
  const sub = subs.find((s) => s.subscriptionId === subscriptionId);
  assert.ok(sub, `GET /subscriptions does not list ${subscriptionId}: ${JSON.stringify(subs)}`);
  assert.match(sub.tenantId ?? "", /^[0-9a-f-]{36}$/i, `subscription tenantId: ${JSON.stringify(sub)}`);
  return sub.tenantId;
}

/** Case-insensitive ARM id comparison. */
export function assertSameId(actual, expected, what) {
  assert.equal((actual ?? "").toLowerCase(), expected.toLowerCase(), `${what}: got ${actual}, want ${expected}`);
}
