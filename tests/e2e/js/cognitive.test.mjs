// Cognitive Services soft-delete lifecycle, driven by the real Azure JS SDKs
// (@azure/arm-resources 7.0.0, @azure/arm-cognitiveservices 8.1.0) against a
// private reprieved started with a manual clock.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

import { ResourceManagementClient } from "@azure/arm-resources";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";

import { HOUR_MS, LRO, expectStatus, stepper } from "./steps.mjs";
import {
  startServer, credential, clientOptions, admin, request, defaultSubscription,
} from "./server.mjs";

const RG = "rg-e2e";
const NAME = "acct-e2e";
const LOCATION = "eastus";
const RETENTION_MS = 48 * HOUR_MS;
const CREATE_BODY = {
  kind: "TextAnalytics",
  sku: { name: "S0" },
  location: LOCATION,
  tags: { purpose: "e2e" },
  properties: {},
};

let server;
let subscriptionId;
let resources;
let cognitive;

before(async () => {
  server = await startServer({ clock: "manual" });
  subscriptionId = await defaultSubscription(server);
  resources = new ResourceManagementClient(credential, subscriptionId, clientOptions(server));
  cognitive = new CognitiveServicesManagementClient(credential, subscriptionId, clientOptions(server));
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers


async function listDeleted() {
  const items = [];
  for await (const item of cognitive.deletedAccounts.list()) items.push(item);
  return items;
}

function findDeleted(items) {
  return items.filter((a) => a.name === NAME
    && (a.id ?? "").toLowerCase().includes(`/resourcegroups/${RG}/`));
}

function deletedIdSuffix() {
  return `/providers/Microsoft.CognitiveServices/locations/${LOCATION}/resourceGroups/${RG}/deletedAccounts/${NAME}`
    .toLowerCase();
}

function assertPurgeWindow(account, what) {
  const { deletionDate, scheduledPurgeDate } = account.properties ?? {};
  assert.ok(deletionDate, `${what}: properties.deletionDate is missing`);
  assert.ok(scheduledPurgeDate, `${what}: properties.scheduledPurgeDate is missing`);
  const del = Date.parse(deletionDate);
  const purge = Date.parse(scheduledPurgeDate);
  assert.ok(!Number.isNaN(del), `${what}: deletionDate ${deletionDate} is not a date`);
  assert.ok(!Number.isNaN(purge), `${what}: scheduledPurgeDate ${scheduledPurgeDate} is not a date`);
  assert.equal(purge - del, RETENTION_MS,
    `${what}: scheduledPurgeDate - deletionDate should be 48 h (${deletionDate} -> ${scheduledPurgeDate})`);
  return { deletionDate, scheduledPurgeDate };
}

function assertAccountShape(account, what) {
  assert.equal(account.name, NAME, `${what}: name`);
  assert.equal(account.kind, "TextAnalytics", `${what}: kind`);
  assert.equal(account.sku?.name, "S0", `${what}: sku.name`);
}

async function clockNow() {
  const res = await admin(server, "GET", "/reprieve/admin/clock");
  assert.equal(res.status, 200, `GET /reprieve/admin/clock: ${JSON.stringify(res.body)}`);
  assert.ok(!Number.isNaN(Date.parse(res.body?.now)), `clock now is not a date: ${JSON.stringify(res.body)}`);
  return res.body.now;
}

async function advanceClock(duration) {
  const res = await admin(server, "POST", "/reprieve/admin/clock", { advance: duration });
  assert.equal(res.status, 200, `POST /reprieve/admin/clock advance ${duration}: ${JSON.stringify(res.body)}`);
  assert.ok(!Number.isNaN(Date.parse(res.body?.now)), `clock now is not a date: ${JSON.stringify(res.body)}`);
  return res.body.now;
}

async function createAccount(what) {
  const created = await cognitive.accounts.beginCreateAndWait(RG, NAME, CREATE_BODY, LRO);
  assertAccountShape(created, what);
  return created;
}

async function deleteAccount(what) {
  await cognitive.accounts.beginDeleteAndWait(RG, NAME, LRO);
  await expectStatus(cognitive.accounts.get(RG, NAME), 404, `${what}: accounts.get after delete`);
}



// ---------------------------------------------------------------- tests

test("cognitive services account: create, soft delete, recover, purge, auto-purge", { timeout: 120_000 }, async (t) => {
  const step = stepper(t);
  let keys;
  let firstDeletion;

  await step("a. create resource group", async () => {
    const rg = await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    assert.equal(rg.name, RG, "resource group name");
    assert.equal(rg.location, LOCATION, "resource group location");
    const exists = await resources.resourceGroups.checkExistence(RG);
    assert.deepEqual(exists, { body: true },
      "checkExistence of the new group (HEAD must answer 204; 200 makes the SDK throw)");
  });

  await step("b. create account", async () => {
    const created = await createAccount("beginCreateAndWait result");
    assert.equal(created.location, LOCATION, "created location");
    assert.equal(created.tags?.purpose, "e2e", "created tags.purpose");
    assert.equal(created.properties?.provisioningState, "Succeeded", "created provisioningState");
    assert.equal((created.id ?? "").toLowerCase(),
      `/subscriptions/${subscriptionId}/resourceGroups/${RG}/providers/Microsoft.CognitiveServices/accounts/${NAME}`
        .toLowerCase(),
      "created id");
  });

  await step("c. get, listKeys, regenerateKey", async () => {
    const got = await cognitive.accounts.get(RG, NAME);
    assertAccountShape(got, "accounts.get");

    keys = await cognitive.accounts.listKeys(RG, NAME);
    for (const k of ["key1", "key2"]) {
      assert.equal(typeof keys[k], "string", `listKeys ${k} should be a string`);
      assert.ok(keys[k].length > 0, `listKeys ${k} should be non-empty`);
    }

    // 8.1.0 signature: regenerateKey(rg, name, keyName: "Key1" | "Key2");
    // it sends {"keyName":"Key1"} and returns the new ApiKeys.
    const regenerated = await cognitive.accounts.regenerateKey(RG, NAME, "Key1");
    assert.notEqual(regenerated.key1, keys.key1, "regenerateKey Key1 should change key1");
    assert.equal(regenerated.key2, keys.key2, "regenerateKey Key1 should keep key2");
    const afterRegen = await cognitive.accounts.listKeys(RG, NAME);
    assert.equal(afterRegen.key1, regenerated.key1, "listKeys after regenerate: key1 is the new one");
    assert.equal(afterRegen.key2, keys.key2, "listKeys after regenerate: key2 unchanged");
  });

  await step("d. delete account (soft delete)", async () => {
    await deleteAccount("first delete");
  });

  await step("e. deleted account is listed and readable", async () => {
    const matches = findDeleted(await listDeleted());
    assert.equal(matches.length, 1, `deletedAccounts.list should hold exactly one ${NAME} in ${RG}`);
    const listed = matches[0];
    assert.ok(listed.id.toLowerCase().endsWith(deletedIdSuffix()),
      `deleted account id should end with ${deletedIdSuffix()}, got ${listed.id}`);
    firstDeletion = assertPurgeWindow(listed, "deletedAccounts.list item");

    const got = await cognitive.deletedAccounts.get(LOCATION, RG, NAME);
    assertAccountShape(got, "deletedAccounts.get");
    const dates = assertPurgeWindow(got, "deletedAccounts.get");
    assert.deepEqual(dates, firstDeletion, "deletedAccounts.get and list agree on the dates");
  });

  await step("f. re-create without restore is refused", async () => {
    const err = await expectStatus(
      cognitive.accounts.beginCreateAndWait(RG, NAME, CREATE_BODY, LRO), 409,
      "create over a soft-deleted account");
    assert.equal(err.code, "FlagMustBeSetForRestore", "error code");
    assert.match(err.message, /restore/i, "error message mentions restore");
    assert.match(err.message, /purge/i, "error message mentions purge");
  });

  await step("g. recover with properties.restore", async () => {
    const restored = await cognitive.accounts.beginCreateAndWait(
      RG, NAME, { location: LOCATION, properties: { restore: true } }, LRO);
    assertAccountShape(restored, "restored account");
    assert.equal(restored.tags?.purpose, "e2e", "restored account keeps tags.purpose");
    const got = await cognitive.accounts.get(RG, NAME);
    assertAccountShape(got, "accounts.get after restore");
    await expectStatus(cognitive.deletedAccounts.get(LOCATION, RG, NAME), 404,
      "deletedAccounts.get after restore");
    assert.equal(findDeleted(await listDeleted()).length, 0, "not listed as deleted after restore");
  });

  await step("h. delete, purge, name reusable", async () => {
    await deleteAccount("second delete");
    await cognitive.deletedAccounts.get(LOCATION, RG, NAME); // listed again before the purge
    await cognitive.deletedAccounts.beginPurgeAndWait(LOCATION, RG, NAME, LRO);
    await expectStatus(cognitive.deletedAccounts.get(LOCATION, RG, NAME), 404,
      "deletedAccounts.get after purge");
    assert.equal(findDeleted(await listDeleted()).length, 0, "not listed as deleted after purge");
    await createAccount("create after purge");
  });

  await step("i. sweeper purges at scheduledPurgeDate", async () => {
    await deleteAccount("third delete");
    const start = await clockNow();
    const deleted = await cognitive.deletedAccounts.get(LOCATION, RG, NAME);
    const { scheduledPurgeDate } = assertPurgeWindow(deleted, "third deletion");
    t.diagnostic(`clock ${start}, scheduledPurgeDate ${scheduledPurgeDate}`);

    const at47 = await advanceClock("PT47H");
    assert.equal(Date.parse(at47) - Date.parse(start), 47 * HOUR_MS,
      `manual clock should move by exactly 47 h (${start} -> ${at47})`);
    assert.ok(Date.parse(at47) < Date.parse(scheduledPurgeDate),
      `after 47 h (${at47}) the purge date ${scheduledPurgeDate} is still ahead`);
    // Give a misbehaving sweeper a moment to act before checking.
    await sleep(300);
    assert.equal(findDeleted(await listDeleted()).length, 1, "still listed as deleted after 47 h");
    await cognitive.deletedAccounts.get(LOCATION, RG, NAME);

    const at49 = await advanceClock("PT2H");
    assert.equal(Date.parse(at49) - Date.parse(start), 49 * HOUR_MS,
      `manual clock should be 49 h past the start (${start} -> ${at49})`);
    const deadline = Date.now() + 5_000;
    let lastStatus;
    for (;;) {
      try {
        await cognitive.deletedAccounts.get(LOCATION, RG, NAME);
        lastStatus = 200;
      } catch (err) {
        lastStatus = err?.statusCode;
        if (lastStatus === 404) break;
        throw err;
      }
      if (Date.now() >= deadline) {
        assert.fail(`deleted account still present 5 s after the clock passed scheduledPurgeDate (last status ${lastStatus})`);
      }
      await sleep(100);
    }
    assert.equal(findDeleted(await listDeleted()).length, 0, "not listed as deleted after the automatic purge");
  });

  await step("j. name reusable after auto-purge; delete resource group", async () => {
    await createAccount("create after automatic purge");
    await resources.resourceGroups.beginDeleteAndWait(RG, LRO);
    const exists = await resources.resourceGroups.checkExistence(RG);
    assert.deepEqual(exists, { body: false }, "checkExistence after deleting the group (HEAD 404)");
  });
});

test("requests without Authorization are refused with 401 AuthenticationFailed", async () => {
  const res = await request(server, "GET", "/subscriptions?api-version=2022-12-01");
  assert.equal(res.status, 401, `expected 401, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body, "object", `401 body should be JSON, got ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, "AuthenticationFailed", "error.code");
});
