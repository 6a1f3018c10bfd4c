// Machine Learning workspace soft delete (seed 002), driven by the real
// @azure/arm-machinelearning 2.1.1 (api 2022-10-01), @azure/arm-keyvault 5.0.0
// and @azure/arm-resources 7.0.0 against a private reprieved started with a
// manual clock. The SDK has no soft-delete operations (clients.md section 8),
// so the feature registration, the deletedWorkspaces routes, forceToPurge and
// the retention property are sent as raw authenticated requests.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test ml.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { ResourceManagementClient } from "@azure/arm-resources";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";

import { startServer, credential, clientOptions, admin, defaultSubscription } from "./server.mjs";
import {
  DAY_MS, LRO, expectStatus, expectRaw, assertPurgeWindow, advanceClock, eventually, stepper,
  tenantOf, assertSameId,
} from "./steps.mjs";

const RG = "rg-ml-e2e";
const LOCATION = "eastus";
const API = "api-version=2024-04-01";
const FEATURES_API = "api-version=2021-07-01";
const DEFAULT_RETENTION_MS = 14 * DAY_MS;
const PLAIN = "ws-before-enrol";
const SOFT = "ws-soft";
const BAD_RETENTION = "ws-bad-retention";
const SHORT = "ws-short-retention";
const CMK = "ws-cmk";
const GROUPED = "ws-group-delete";
const CMK_VAULT = "kv-ml-e2e-cmk";
const MESSAGE_HELD = "Soft-deleted workspace exists. Please purge or recover it.";

let server;
let subscriptionId;
let resources;
let ml;
let kv;

before(async () => {
  server = await startServer({ clock: "manual" });
  subscriptionId = await defaultSubscription(server);
  resources = new ResourceManagementClient(credential, subscriptionId, clientOptions(server));
  ml = new AzureMachineLearningWorkspaces(credential, subscriptionId, clientOptions(server));
  kv = new KeyVaultManagementClient(credential, subscriptionId, clientOptions(server));
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers

/** The workspace body of clients.md 11.1 without the dependency ids (the SDK model flattens properties). */
function workspaceBody(extra = {}) {
  return {
    identity: { type: "SystemAssigned" },
    location: LOCATION,
    sku: { name: "Basic", tier: "Basic" },
    friendlyName: "e2e",
    ...extra,
  };
}

/** The same body as a raw ARM request (properties not flattened). */
function rawWorkspaceBody(properties = {}) {
  return {
    identity: { type: "SystemAssigned" },
    location: LOCATION,
    sku: { name: "Basic", tier: "Basic" },
    properties: { friendlyName: "e2e", ...properties },
  };
}

const sub = () => `/subscriptions/${subscriptionId}`;
const workspacePath = (name) => `${sub()}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/${name}`;
const deletedPath = (name) => `${sub()}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/deletedWorkspaces/${name}`;
const featurePath = () => `${sub()}/providers/Microsoft.Features/providers/Microsoft.MachineLearningServices/features/WorkspaceSoftDelete`;

function assertWorkspace(ws, name, what) {
  assert.equal(ws.name, name, `${what}: name`);
  assertSameId(ws.id, workspacePath(name), `${what}: id`);
  assert.equal(ws.location, LOCATION, `${what}: location`);
  assert.equal(ws.friendlyName, "e2e", `${what}: friendlyName`);
  assert.equal(ws.sku?.name, "Basic", `${what}: sku.name`);
}

/** SDK create; returns the workspace and asserts the initial PUT answered 200 (Python refuses 201). */
async function createWorkspace(name, what, extra = {}) {
  const seen = [];
  const ws = await ml.workspaces.beginCreateOrUpdateAndWait(RG, name, workspaceBody(extra), {
    ...LRO,
    onResponse: (raw) => seen.push({ method: raw.request.method, status: raw.status }),
  });
  assert.equal(seen[0]?.method, "PUT", `${what}: the first response is the PUT's`);
  assert.equal(seen[0]?.status, 200, `${what}: the workspace PUT should answer 200 (Python's SDK refuses 201)`);
  assertWorkspace(ws, name, what);
  return ws;
}

async function deleteWorkspace(name, what) {
  await ml.workspaces.beginDeleteAndWait(RG, name, LRO);
  await expectStatus(ml.workspaces.get(RG, name), 404, `${what}: workspaces.get after delete`);
}

async function listDeletedBySubscription(name) {
  const body = expectRaw(
    await admin(server, "GET", `${sub()}/providers/Microsoft.MachineLearningServices/deletedWorkspaces?${API}`), 200,
    "GET subscription deletedWorkspaces");
  assert.ok(Array.isArray(body?.value), `subscription deletedWorkspaces value: ${JSON.stringify(body)}`);
  return name === undefined ? body.value : body.value.filter((w) => w.name === name);
}

async function listDeletedByGroup(name) {
  const body = expectRaw(
    await admin(server, "GET", `${sub()}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/deletedWorkspaces?${API}`),
    200, "GET resource-group deletedWorkspaces");
  assert.ok(Array.isArray(body?.value), `resource-group deletedWorkspaces value: ${JSON.stringify(body)}`);
  return name === undefined ? body.value : body.value.filter((w) => w.name === name);
}

async function showDeleted(name) {
  return admin(server, "GET", `${deletedPath(name)}?${API}`);
}

function assertDeletedWorkspace(item, name, retentionMs, what) {
  assert.equal(item?.name, name, `${what}: name`);
  assert.ok((item.id ?? "").toLowerCase().includes(`/resourcegroups/${RG}/`.toLowerCase()),
    `${what}: id should name the original resource group ${RG}, got ${item.id}`);
  return assertPurgeWindow(item.properties?.deletionDate, item.properties?.scheduledPurgeDate, retentionMs, what);
}

/** One soft-deleted record of `name` in both lists and in show, all with the same window. */
async function assertSoftDeleted(name, retentionMs, what) {
  const bySub = await listDeletedBySubscription(name);
  assert.equal(bySub.length, 1, `${what}: subscription deletedWorkspaces should list ${name} once, got ${bySub.length}`);
  const window = assertDeletedWorkspace(bySub[0], name, retentionMs, `${what}: subscription list`);
  const byGroup = await listDeletedByGroup(name);
  assert.equal(byGroup.length, 1, `${what}: resource-group deletedWorkspaces should list ${name} once, got ${byGroup.length}`);
  assert.deepEqual(assertDeletedWorkspace(byGroup[0], name, retentionMs, `${what}: resource-group list`), window,
    `${what}: both lists agree on the dates`);
  const shown = expectRaw(await showDeleted(name), 200, `${what}: show deleted ${name}`);
  assert.deepEqual(assertDeletedWorkspace(shown, name, retentionMs, `${what}: show`), window,
    `${what}: show and list agree on the dates`);
  return window;
}

/** Nothing soft-deleted under `name`: absent from both lists, show answers 404. */
async function assertNotSoftDeleted(name, what) {
  assert.equal((await listDeletedBySubscription(name)).length, 0, `${what}: not in the subscription deleted list`);
  assert.equal((await listDeletedByGroup(name)).length, 0, `${what}: not in the resource-group deleted list`);
  expectRaw(await showDeleted(name), 404, `${what}: show deleted ${name}`);
}

// ---------------------------------------------------------------- tests

test("ml workspace: enrolment, soft delete, recover, permanent delete, retention, CMK, group delete", { timeout: 120_000 }, async (t) => {
  const step = stepper(t);

  await step("a. create resource group", async () => {
    const rg = await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    assert.equal(rg.name, RG, "resource group name");
  });

  await step("b0. the first start enrolled the default subscription; unregister it", async () => {
    const feature = featurePath();
    const shown = expectRaw(await admin(server, "GET", `${feature}?${FEATURES_API}`), 200, "GET feature at first start");
    assert.equal(shown?.properties?.state, "Registered", `first start enrols WorkspaceSoftDelete: ${JSON.stringify(shown)}`);
    const off = expectRaw(await admin(server, "POST", `${feature}/unregister?${FEATURES_API}`), 200, "POST feature unregister");
    assert.equal(off?.properties?.state, "NotRegistered", `unregister answer: ${JSON.stringify(off)}`);
  });

  await step("b. without enrolment a delete is permanent: nothing listed, the name is free at once", async () => {
    await createWorkspace(PLAIN, "create before enrolment");
    await deleteWorkspace(PLAIN, "delete before enrolment");
    assert.deepEqual(await listDeletedBySubscription(), [], "subscription deleted list is empty before enrolment");
    await assertNotSoftDeleted(PLAIN, "after the delete before enrolment");
    await createWorkspace(PLAIN, "same-name create right after the delete");
    await deleteWorkspace(PLAIN, "second delete before enrolment");
    assert.deepEqual(await listDeletedBySubscription(), [], "subscription deleted list still empty");
  });

  await step("c. enrol the subscription in WorkspaceSoftDelete", async () => {
    const feature = featurePath();
    const registered = expectRaw(await admin(server, "POST", `${feature}/register?${FEATURES_API}`), 200,
      "POST feature register");
    assert.equal(registered?.properties?.state, "Registered", `register answer: ${JSON.stringify(registered)}`);
    const shown = expectRaw(await admin(server, "GET", `${feature}?${FEATURES_API}`), 200, "GET feature");
    assert.equal(shown?.properties?.state, "Registered", `GET feature: ${JSON.stringify(shown)}`);
  });

  await step("d. create (200) and delete with the SDK: get answers 404", async () => {
    await createWorkspace(SOFT, "create after enrolment");
    assertWorkspace(await ml.workspaces.get(RG, SOFT), SOFT, "workspaces.get");
    await deleteWorkspace(SOFT, "soft delete");
  });

  await step("e. listed by subscription and by group, shown, with a 14-day window", async () => {
    await assertSoftDeleted(SOFT, DEFAULT_RETENTION_MS, "after the soft delete");
  });

  await step("f. same-name create is refused with 400 and the documented message", async () => {
    const err = await expectStatus(ml.workspaces.beginCreateOrUpdateAndWait(RG, SOFT, workspaceBody(), LRO), 400,
      "create over a soft-deleted workspace");
    assert.ok((err.message ?? "").includes(MESSAGE_HELD), `error message should contain "${MESSAGE_HELD}": ${err.message}`);
    expectRaw(await showDeleted(SOFT), 200, "the refused create left the workspace soft-deleted");
  });

  await step("g. recover: 200, the workspace is back and no longer listed as deleted", async () => {
    const res = await admin(server, "POST", `${deletedPath(SOFT)}/recover?${API}`);
    expectRaw(res, 200, "POST deletedWorkspaces recover");
    assertWorkspace(await ml.workspaces.get(RG, SOFT), SOFT, "workspaces.get after recover");
    await assertNotSoftDeleted(SOFT, "after recover");
  });

  await step("h. DELETE with forceToPurge=true deletes permanently: the name is reusable at once", async () => {
    const res = await admin(server, "DELETE", `${workspacePath(SOFT)}?${API}&forceToPurge=true`);
    assert.ok([200, 202, 204].includes(res.status),
      `DELETE forceToPurge=true: expected 200/202/204, got ${res.status}: ${JSON.stringify(res.body)}`);
    await expectStatus(ml.workspaces.get(RG, SOFT), 404, "workspaces.get after the permanent delete");
    await assertNotSoftDeleted(SOFT, "after forceToPurge");
    await createWorkspace(SOFT, "same-name create right after forceToPurge");
  });

  await step("i. deleteDependentResources=true without forceToPurge is refused with 400", async () => {
    const res = await admin(server, "DELETE", `${workspacePath(SOFT)}?${API}&deleteDependentResources=true`);
    const body = expectRaw(res, 400, "DELETE deleteDependentResources=true without forceToPurge");
    assert.equal(body?.error?.code, "DependentResourcesRequirePermanentDelete", `error code: ${JSON.stringify(body)}`);
    assertWorkspace(await ml.workspaces.get(RG, SOFT), SOFT, "the refused delete left the workspace live");
  });

  await step("j. softDeleteRetentionInDays 30 on create is refused with 400 naming 1 to 14", async () => {
    const res = await admin(server, "PUT", `${workspacePath(BAD_RETENTION)}?${API}`,
      rawWorkspaceBody({ softDeleteRetentionInDays: 30 }));
    const body = expectRaw(res, 400, "PUT with softDeleteRetentionInDays 30");
    assert.match(body?.error?.message ?? "", /\b1\b[\s\S]*\b14\b/, `the message should name 1 to 14: ${JSON.stringify(body)}`);
    await expectStatus(ml.workspaces.get(RG, BAD_RETENTION), 404, "the refused workspace was not created");
  });

  await step("k. softDeleteRetentionInDays 1: purged automatically one day after deletion", async () => {
    const res = await admin(server, "PUT", `${workspacePath(SHORT)}?${API}`,
      rawWorkspaceBody({ softDeleteRetentionInDays: 1 }));
    expectRaw(res, 200, "PUT with softDeleteRetentionInDays 1");
    await deleteWorkspace(SHORT, "delete the 1-day workspace");
    await assertSoftDeleted(SHORT, DAY_MS, "after deleting the 1-day workspace");

    await advanceClock(server, "P1DT1M");
    await eventually(async () => (await showDeleted(SHORT)).status === 404,
      "show deleted should answer 404 once the 1-day retention has passed");
    await assertNotSoftDeleted(SHORT, "after the automatic purge");
  });

  await step("l. a workspace with a customer-managed key is deleted permanently", async () => {
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, CMK_VAULT, {
      location: LOCATION,
      properties: {
        tenantId: await tenantOf(server, subscriptionId),
        sku: { family: "A", name: "standard" },
        accessPolicies: [],
        softDeleteRetentionInDays: 7,
      },
    }, LRO);
    assert.ok(vault.id, "the CMK vault has an id");
    const encryption = {
      status: "Enabled",
      keyVaultProperties: { keyVaultArmId: vault.id, keyIdentifier: "https://kv.vault.azure.net/keys/k/1" },
    };
    const created = await createWorkspace(CMK, "create CMK workspace", { encryption });
    assert.equal(created.encryption?.status, "Enabled", "encryption.status of the CMK workspace");
    await deleteWorkspace(CMK, "delete CMK workspace");
    await assertNotSoftDeleted(CMK, "after deleting the CMK workspace");
    await createWorkspace(CMK, "same-name create right after deleting the CMK workspace", { encryption });
  });

  await step("m. deleting the resource group keeps soft-deleted workspaces listable", async () => {
    await createWorkspace(GROUPED, "create the workspace deleted before its group");
    await deleteWorkspace(GROUPED, "soft delete before the group delete");
    const before = await assertSoftDeleted(GROUPED, DEFAULT_RETENTION_MS, "before the group delete");

    await resources.resourceGroups.beginDeleteAndWait(RG, LRO);
    const exists = await resources.resourceGroups.checkExistence(RG);
    assert.deepEqual(exists, { body: false }, "the resource group is gone");

    const after = await assertSoftDeleted(GROUPED, DEFAULT_RETENTION_MS, "after the group delete (group missing)");
    assert.deepEqual(after, before, "the group delete did not change the deletion dates");
    // The live workspaces went with the group: the plain one is soft-deleted, the CMK one is not.
    await assertSoftDeleted(SOFT, DEFAULT_RETENTION_MS, "live workspace after its group was deleted");
    await assertNotSoftDeleted(CMK, "CMK workspace after its group was deleted");
  });
});
