// Long-running operations that really run (--operation-duration), driven by the real SDK
// pollers: @azure/arm-cognitiveservices 8.1.0 and @azure/arm-resources (core-lro 2.7.2
// createHttpPoller), @azure/arm-machinelearning 2.1.1 and @azure/arm-apimanagement (legacy
// LroEngine and createHttpPoller), @azure/arm-keyvault 5.0.0 (core-lro 3). The server runs a
// manual clock, so an operation ends exactly when the test moves the clock past its end.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { ResourceManagementClient } from "@azure/arm-resources";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import { ApiManagementClient } from "@azure/arm-apimanagement";

import { LRO, advanceClock, clockNow, collect, expectRaw, expectStatus, stepper, tenantOf } from "./steps.mjs";
import { startServer, credential, clientOptions, admin, request, defaultSubscription } from "./server.mjs";

const LOCATION = "eastus";
const ACCOUNT = { kind: "TextAnalytics", sku: { name: "S0" }, location: LOCATION, properties: {} };

let servers = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function start(args, opts = {}) {
  const server = await startServer({ clock: "manual", args, ...opts });
  servers.push(server);
  const subscriptionId = await defaultSubscription(server);
  const options = clientOptions(server);
  return {
    server,
    subscriptionId,
    resources: new ResourceManagementClient(credential, subscriptionId, options),
    cognitive: new CognitiveServicesManagementClient(credential, subscriptionId, options),
    kv: new KeyVaultManagementClient(credential, subscriptionId, options),
    ml: new AzureMachineLearningWorkspaces(credential, subscriptionId, options),
    apim: new ApiManagementClient(credential, subscriptionId, options),
  };
}

/** Records every response of one SDK call (the initial answer and each poll). */
function recorder() {
  const seen = [];
  return {
    seen,
    options: {
      ...LRO,
      onResponse: (raw) => seen.push({
        method: raw.request.method, url: raw.request.url, status: raw.status,
        retryAfter: raw.headers.get("retry-after"),
        asyncOperation: raw.headers.get("azure-asyncoperation"),
        location: raw.headers.get("location"),
        body: raw.parsedBody ?? raw.bodyAsText,
      }),
    },
  };
}

/**
 * The poller must still be running after another poll; then the clock moves past the
 * operation's end and the poller finishes. Returns its result.
 */
async function runsUntilTheClockMoves(server, poller, duration, what) {
  assert.equal(poller.isDone(), false, `${what}: the poller finished before the clock moved`);
  await poller.poll();
  assert.equal(poller.isDone(), false, `${what}: the poller finished on its second poll`);
  await advanceClock(server, duration);
  return poller.pollUntilDone();
}

/** The status document at an Azure-AsyncOperation URL, as a raw GET sees it. */
async function statusAt(server, url) {
  const { pathname, search } = new URL(url);
  const res = await admin(server, "GET", pathname + search);
  expectRaw(res, 200, `GET ${pathname}`);
  assert.ok(Number(res.headers["retry-after"]) >= 1, `${pathname}: Retry-After on the poll: ${res.headers["retry-after"]}`);
  assert.equal(res.body?.resourceLocation, undefined, `${pathname}: no resourceLocation in a status document`);
  return res.body;
}

// ---------------------------------------------------------------- Cognitive Services

for (const [label, args, durations] of [
  ["per-kind durations (create 1 min, delete 10 s, recover 2 min, purge 30 s)",
   ["--operation-duration", "recover=PT2M,purge=PT30S,delete=PT10S,create=PT1M"],
   { create: "PT1M", delete: "PT10S", recover: "PT2M", purge: "PT30S" }],
  ["a 1 s duration for every kind", ["--operation-duration", "PT1S"],
   { create: "PT1S", delete: "PT1S", recover: "PT1S", purge: "PT1S" }],
]) {
  test(`Cognitive Services pollers with ${label}`, async (t) => {
    const step = stepper(t);
    const env = await start(args);
    const { server, resources, cognitive } = env;
    const RG = "rg-ops";
    const NAME = "acct-ops";
    await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });

    await step("create: 201, Creating with Azure-AsyncOperation, InProgress until the clock moves", async () => {
      const rec = recorder();
      const poller = await cognitive.accounts.beginCreate(RG, NAME, ACCOUNT, rec.options);
      const first = rec.seen[0];
      assert.equal(first.status, 201, "the create PUT answers 201");
      assert.ok(first.asyncOperation, "the create PUT names its Azure-AsyncOperation");
      assert.ok(Number(first.retryAfter) >= 1, `Retry-After on the first answer: ${first.retryAfter}`);
      assert.equal(first.body?.properties?.provisioningState, "Creating");
      const live = await cognitive.accounts.get(RG, NAME);
      assert.equal(live.properties?.provisioningState, "Creating", "GET while the create runs");
      assert.equal((await statusAt(server, first.asyncOperation)).status, "InProgress");
      const account = await runsUntilTheClockMoves(server, poller, durations.create, "create");
      assert.equal(account.properties?.provisioningState, "Succeeded", "the poller's final GET");
      const done = await statusAt(server, first.asyncOperation);
      assert.equal(done.status, "Succeeded");
      assert.ok(done.endTime, "a finished status document has endTime");
    });

    await step("delete: 202 with both URLs; Deleting meanwhile; a purge is refused with 409 Conflict", async () => {
      const rec = recorder();
      const poller = await cognitive.accounts.beginDelete(RG, NAME, rec.options);
      assert.equal(rec.seen[0].status, 202);
      assert.ok(rec.seen[0].asyncOperation && rec.seen[0].location, "202 names both status URLs");
      assert.equal((await cognitive.accounts.get(RG, NAME)).properties?.provisioningState, "Deleting");
      const err = await expectStatus(cognitive.deletedAccounts.beginPurgeAndWait(LOCATION, RG, NAME, LRO), 409,
        "purge while the delete runs");
      assert.equal(err.code, "Conflict");
      assert.equal((await collect(cognitive.deletedAccounts.list())).length, 0, "not soft-deleted before the delete ends");
      await runsUntilTheClockMoves(server, poller, durations.delete, "delete");
      await expectStatus(cognitive.accounts.get(RG, NAME), 404, "the account after the delete ended");
      assert.equal((await collect(cognitive.deletedAccounts.list())).length, 1, "soft-deleted once the delete ended");
    });

    await step("recover: a resumed poller finishes it; a second recover meanwhile is 409", async () => {
      const poller = await cognitive.accounts.beginCreate(RG, NAME,
        { ...ACCOUNT, properties: { restore: true } }, LRO);
      const saved = poller.toString();
      await expectStatus(cognitive.accounts.beginCreateAndWait(RG, NAME,
        { ...ACCOUNT, properties: { restore: true } }, LRO), 409, "a second recover");
      await advanceClock(server, durations.recover);
      const resumed = await cognitive.accounts.beginCreate(RG, NAME,
        { ...ACCOUNT, properties: { restore: true } }, { ...LRO, resumeFrom: saved });
      const account = await resumed.pollUntilDone();
      assert.equal(account.properties?.provisioningState, "Succeeded");
    });

    await step("purge: 202, the deleted account stays until the purge ends", async () => {
      await cognitive.accounts.beginDelete(RG, NAME, LRO);
      await advanceClock(server, durations.delete);
      const poller = await cognitive.deletedAccounts.beginPurge(LOCATION, RG, NAME, LRO);
      assert.equal((await collect(cognitive.deletedAccounts.list())).length, 1, "listed while the purge runs");
      await runsUntilTheClockMoves(server, poller, durations.purge, "purge");
      assert.equal((await collect(cognitive.deletedAccounts.list())).length, 0, "gone once the purge ended");
    });

    await step("a purge set to fail surfaces as the SDK's error, and changes nothing", async () => {
      const create = await cognitive.accounts.beginCreate(RG, NAME, ACCOUNT, LRO);
      await advanceClock(server, durations.create);
      await create.pollUntilDone();
      const del = await cognitive.accounts.beginDelete(RG, NAME, LRO);
      await advanceClock(server, durations.delete);
      await del.pollUntilDone();
      expectRaw(await admin(server, "POST", "/reprieve/admin/operations/failNext",
        { kind: "purge", code: "InsufficientQuota", message: "quota exceeded" }), 200, "failNext");
      const poller = await cognitive.deletedAccounts.beginPurge(LOCATION, RG, NAME, LRO);
      await advanceClock(server, durations.purge);
      await assert.rejects(poller.pollUntilDone(), (err) => {
        assert.match(err.message, /InsufficientQuota/, `the poller's error: ${err.message}`);
        assert.match(err.message, /quota exceeded/);
        return true;
      });
      assert.equal((await collect(cognitive.deletedAccounts.list())).length, 1, "still soft-deleted");
    });
  });
}

// ---------------------------------------------------------------- Key Vault, ML, APIM

test("Key Vault (core-lro 3), Machine Learning and API Management pollers", async (t) => {
  const step = stepper(t);
  const env = await start(["--operation-duration", "PT2M"]);
  const { server, resources, kv, ml, apim, subscriptionId } = env;
  const RG = "rg-ops2";
  await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
  const tenantId = await tenantOf(server, subscriptionId);
  const vault = (extra = {}) => ({
    location: LOCATION,
    properties: { tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [], ...extra },
  });

  await step("vault create and recover: RegisteringDns until the clock moves", async () => {
    const create = await kv.vaults.beginCreateOrUpdate(RG, "kv-ops", vault(), LRO);
    assert.equal((await kv.vaults.get(RG, "kv-ops")).properties?.provisioningState, "RegisteringDns");
    await runsUntilTheClockMoves(server, create, "PT2M", "vault create");
    await kv.vaults.delete(RG, "kv-ops");  // Key Vault's delete stays synchronous
    await expectStatus(kv.vaults.get(RG, "kv-ops"), 404, "the vault right after its delete");
    const recover = await kv.vaults.beginCreateOrUpdate(RG, "kv-ops", vault({ createMode: "recover" }), LRO);
    const recovered = await runsUntilTheClockMoves(server, recover, "PT2M", "vault recover");
    assert.equal(recovered.properties?.provisioningState, "Succeeded");
  });

  await step("vault purge: 202 with Location, whose final answer is 200", async () => {
    await kv.vaults.delete(RG, "kv-ops");
    const rec = recorder();
    const purge = await kv.vaults.beginPurgeDeleted("kv-ops", LOCATION, rec.options);
    await runsUntilTheClockMoves(server, purge, "PT2M", "vault purge");
    assert.equal((await collect(kv.vaults.listDeleted())).length, 0);
  });

  await step("workspace delete (LroEngine): Deleting until the clock moves", async () => {
    const sub = `/subscriptions/${subscriptionId}`;
    expectRaw(await admin(server, "POST",
      `${sub}/providers/Microsoft.Features/providers/Microsoft.MachineLearningServices/features/WorkspaceSoftDelete/register?api-version=2021-07-01`),
    200, "enrol WorkspaceSoftDelete");
    const body = { location: LOCATION, identity: { type: "SystemAssigned" }, sku: { name: "Basic", tier: "Basic" }, friendlyName: "ops" };
    const create = await ml.workspaces.beginCreateOrUpdate(RG, "ws-ops", body, LRO);
    await runsUntilTheClockMoves(server, create, "PT2M", "workspace create");
    const del = await ml.workspaces.beginDelete(RG, "ws-ops", LRO);
    assert.equal((await ml.workspaces.get(RG, "ws-ops")).provisioningState, "Deleting");
    await runsUntilTheClockMoves(server, del, "PT2M", "workspace delete");
    await expectStatus(ml.workspaces.get(RG, "ws-ops"), 404, "the workspace after its delete");
  });

  await step("API Management purge: Location answers once the purge ends", async () => {
    const body = { location: LOCATION, sku: { name: "Developer", capacity: 1 }, publisherEmail: "a@b.c", publisherName: "P" };
    const create = await apim.apiManagementService.beginCreateOrUpdate(RG, "apim-ops", body, LRO);
    const creating = await apim.apiManagementService.get(RG, "apim-ops");
    assert.equal(creating.provisioningState, "Created");
    assert.equal(creating.targetProvisioningState, "Activating");
    await runsUntilTheClockMoves(server, create, "PT2M", "service create");
    const del = await apim.apiManagementService.beginDelete(RG, "apim-ops", LRO);
    assert.equal((await apim.apiManagementService.get(RG, "apim-ops")).targetProvisioningState, "Deleting");
    await runsUntilTheClockMoves(server, del, "PT2M", "service delete");
    const purge = await apim.deletedServices.beginPurge("apim-ops", LOCATION, LRO);
    await runsUntilTheClockMoves(server, purge, "PT2M", "service purge");
    assert.equal((await collect(apim.deletedServices.listBySubscription())).length, 0);
  });
});

// ---------------------------------------------------------------- kill -9

test("operations in flight survive kill -9: each finishes once after the restart", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-ops-crash-"));
  try {
    const args = ["--operation-duration", "PT10M"];
    const first = await startServer({ clock: "manual", dataDir, args });
    const sub = await defaultSubscription(first);
    const cognitive = new CognitiveServicesManagementClient(credential, sub, clientOptions(first));
    const resources = new ResourceManagementClient(credential, sub, clientOptions(first));
    await resources.resourceGroups.createOrUpdate("rg-crash", { location: LOCATION });
    const names = ["crash-a", "crash-b", "crash-c"];
    for (const name of names) {
      const create = await cognitive.accounts.beginCreate("rg-crash", name, ACCOUNT, LRO);
      await advanceClock(first, "PT10M");
      await create.pollUntilDone();
    }
    const urls = [];
    for (const name of names) {
      const rec = recorder();
      await cognitive.accounts.beginDelete("rg-crash", name, rec.options);
      urls.push(rec.seen[0].asyncOperation);
    }
    // A manual clock starts where --clock-start says: the restarted server goes on from the
    // time the first one had reached.
    const reached = await clockNow(first);
    await first.crash();

    const second = await startServer({ clock: "manual", dataDir, args: [...args, "--clock-start", reached] });
    servers.push(second);
    const rewrite = (url) => url.replace(new URL(url).origin, second.url);
    for (const url of urls) {
      assert.equal((await statusAt(second, rewrite(url))).status, "InProgress", "still running after the restart");
    }
    await advanceClock(second, "PT10M");
    for (const url of urls) {
      assert.equal((await statusAt(second, rewrite(url))).status, "Succeeded", "finished after the restart");
    }
    const again = new CognitiveServicesManagementClient(credential, sub, clientOptions(second));
    const deleted = (await collect(again.deletedAccounts.list())).map((a) => a.name).sort();
    assert.deepEqual(deleted, names, "each deleted exactly once");
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
