// Key Vault soft-delete lifecycle, driven by the real @azure/arm-keyvault 5.0.0
// (TypeSpec client, api 2026-02-01) and @azure/arm-resources 7.0.0 against a
// private reprieved started with a manual clock.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test keyvault.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { ResourceManagementClient } from "@azure/arm-resources";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";

import { startServer, credential, clientOptions, admin, defaultSubscription } from "./server.mjs";
import {
  DAY_MS, LRO, expectStatus, expectRaw, collect, assertPurgeWindow, advanceClock, eventually,
  is404, stepper, tenantOf, assertSameId,
} from "./steps.mjs";

const RG = "rg-kv-e2e";
const NAME = "kv-e2e-main";
const SHORT = "kv-e2e-short";
const PROTECTED = "kv-e2e-protected";
const LOCATION = "eastus";
const RETENTION_MS = 7 * DAY_MS;

let server;
let subscriptionId;
let tenantId;
let resources;
let kv;

before(async () => {
  server = await startServer({ clock: "manual" });
  subscriptionId = await defaultSubscription(server);
  tenantId = await tenantOf(server, subscriptionId);
  resources = new ResourceManagementClient(credential, subscriptionId, clientOptions(server));
  kv = new KeyVaultManagementClient(credential, subscriptionId, clientOptions(server));
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers

/** The vault body of clients.md 11.1; `extra` is merged into properties. */
function vaultBody(extra = {}) {
  return {
    location: LOCATION,
    tags: { purpose: "e2e" },
    properties: {
      tenantId,
      sku: { family: "A", name: "standard" },
      accessPolicies: [],
      enableSoftDelete: true,
      softDeleteRetentionInDays: 7,
      ...extra,
    },
  };
}

function vaultId(name) {
  return `/subscriptions/${subscriptionId}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/${name}`;
}

function assertVault(vault, name, what) {
  assert.equal(vault.name, name, `${what}: name`);
  assertSameId(vault.id, vaultId(name), `${what}: id`);
  assert.equal(vault.location, LOCATION, `${what}: location`);
  assert.equal(vault.tags?.purpose, "e2e", `${what}: tags.purpose`);
  assert.equal(vault.properties?.tenantId, tenantId, `${what}: properties.tenantId`);
  assert.equal(vault.properties?.sku?.name, "standard", `${what}: properties.sku.name`);
  assert.equal(vault.properties?.softDeleteRetentionInDays, 7, `${what}: properties.softDeleteRetentionInDays`);
  assert.equal(vault.properties?.vaultUri, `https://${name}.vault.azure.net/`, `${what}: properties.vaultUri`);
}

async function createVault(name, what, extra = {}) {
  const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, name, vaultBody(extra), LRO);
  assertVault(vault, name, what);
  return vault;
}

async function deleteVault(name, what) {
  await kv.vaults.delete(RG, name);
  await expectStatus(kv.vaults.get(RG, name), 404, `${what}: vaults.get after delete`);
}

async function listDeleted(name) {
  return (await collect(kv.vaults.listDeleted())).filter((v) => v.name === name);
}

function assertDeletedVault(deleted, name, what) {
  assert.equal(deleted.name, name, `${what}: name`);
  assert.ok((deleted.id ?? "").toLowerCase().endsWith(
    `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/locations/${LOCATION}/deletedVaults/${name}`.toLowerCase()),
  `${what}: id should be the location-scoped deleted-vault id, got ${deleted.id}`);
  assertSameId(deleted.properties?.vaultId, vaultId(name), `${what}: properties.vaultId is the original vault id`);
  assert.equal(deleted.properties?.location, LOCATION, `${what}: properties.location`);
  assert.equal(deleted.properties?.tags?.purpose, "e2e", `${what}: properties.tags.purpose`);
  return assertPurgeWindow(deleted.properties?.deletionDate, deleted.properties?.scheduledPurgeDate,
    RETENTION_MS, what);
}

// ---------------------------------------------------------------- tests

test("key vault: soft delete, recover, purge, retention rules, purge protection", { timeout: 120_000 }, async (t) => {
  const step = stepper(t);
  let window;

  await step("a. create resource group", async () => {
    const rg = await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    assert.equal(rg.name, RG, "resource group name");
  });

  await step("b. create vault, get it", async () => {
    await createVault(NAME, "beginCreateOrUpdateAndWait result");
    assertVault(await kv.vaults.get(RG, NAME), NAME, "vaults.get");
  });

  await step("c. delete (synchronous) soft-deletes: get answers 404", async () => {
    await deleteVault(NAME, "first delete");
  });

  await step("d. listDeleted and getDeleted show vaultId and a 7-day window", async () => {
    const matches = await listDeleted(NAME);
    assert.equal(matches.length, 1, `listDeleted should hold exactly one ${NAME}, got ${matches.length}`);
    window = assertDeletedVault(matches[0], NAME, "listDeleted item");
    const got = await kv.vaults.getDeleted(NAME, LOCATION);
    assert.deepEqual(assertDeletedVault(got, NAME, "getDeleted"), window,
      "getDeleted and listDeleted agree on the dates");
  });

  await step("e. re-create over the soft-deleted name is refused: 409 ConflictError", async () => {
    const err = await expectStatus(kv.vaults.beginCreateOrUpdateAndWait(RG, NAME, vaultBody(), LRO), 409,
      "create without createMode recover over a soft-deleted vault");
    assert.equal(err.code, "ConflictError", "error code");
    assert.match(err.message, /deleted state/i, "error message says the vault is in deleted state");
    assert.match(err.message, /recover/i, "error message mentions recover");
    assert.match(err.message, /purge/i, "error message mentions purge");
    await kv.vaults.getDeleted(NAME, LOCATION); // the refused create left it soft-deleted
  });

  await step("f. recover with createMode recover", async () => {
    const recovered = await kv.vaults.beginCreateOrUpdateAndWait(RG, NAME, vaultBody({ createMode: "recover" }), LRO);
    assertVault(recovered, NAME, "recover result");
    assertVault(await kv.vaults.get(RG, NAME), NAME, "vaults.get after recover");
    await expectStatus(kv.vaults.getDeleted(NAME, LOCATION), 404, "getDeleted after recover");
    assert.equal((await listDeleted(NAME)).length, 0, "not listed as deleted after recover");
  });

  await step("g. delete, beginPurgeDeletedAndWait: gone; the name is reusable", async () => {
    await deleteVault(NAME, "second delete");
    await kv.vaults.getDeleted(NAME, LOCATION); // soft-deleted before the purge
    await kv.vaults.beginPurgeDeletedAndWait(NAME, LOCATION, LRO);
    await expectStatus(kv.vaults.getDeleted(NAME, LOCATION), 404, "getDeleted after purge");
    assert.equal((await listDeleted(NAME)).length, 0, "not listed as deleted after purge");
    await createVault(NAME, "create after purge");
  });

  await step("h. softDeleteRetentionInDays outside 7-90 is refused with 400", async () => {
    const err = await expectStatus(
      kv.vaults.beginCreateOrUpdateAndWait(RG, SHORT, vaultBody({ softDeleteRetentionInDays: 3 }), LRO), 400,
      "create with softDeleteRetentionInDays 3");
    assert.match(err.message, /\b7\b[\s\S]*\b90\b/, `the message should name the 7-90 range: ${err.message}`);
    await expectStatus(kv.vaults.get(RG, SHORT), 404, "the refused vault was not created");
  });

  await step("i. softDeleteRetentionInDays cannot be changed on an existing vault (7 -> 30: 400)", async () => {
    const err = await expectStatus(
      kv.vaults.beginCreateOrUpdateAndWait(RG, NAME, vaultBody({ softDeleteRetentionInDays: 30 }), LRO), 400,
      "update softDeleteRetentionInDays 7 -> 30");
    assert.match(err.message, /softDeleteRetentionInDays/, `the message should name the property: ${err.message}`);
    const got = await kv.vaults.get(RG, NAME);
    assert.equal(got.properties?.softDeleteRetentionInDays, 7, "retention is still 7 days after the refused update");
  });

  await step("j. purge protection: purge refused with 409 PurgeProtected, automatic purge after retention", async () => {
    const created = await createVault(PROTECTED, "create with enablePurgeProtection", { enablePurgeProtection: true });
    assert.equal(created.properties?.enablePurgeProtection, true, "properties.enablePurgeProtection");
    await deleteVault(PROTECTED, "delete protected vault");
    const deleted = await kv.vaults.getDeleted(PROTECTED, LOCATION);
    assertDeletedVault(deleted, PROTECTED, "getDeleted of the protected vault");
    assert.equal(deleted.properties?.purgeProtectionEnabled, true, "properties.purgeProtectionEnabled");

    const err = await expectStatus(kv.vaults.beginPurgeDeletedAndWait(PROTECTED, LOCATION, LRO), 409,
      "purge of a purge-protected vault");
    assert.equal(err.code, "PurgeProtected", "error code");
    await kv.vaults.getDeleted(PROTECTED, LOCATION); // the refused purge left it soft-deleted

    await advanceClock(server, "P8D");
    await eventually(() => is404(kv.vaults.getDeleted(PROTECTED, LOCATION)),
      "getDeleted should answer 404 once the 7-day retention has passed");
    assert.equal((await listDeleted(PROTECTED)).length, 0, "not listed as deleted after the automatic purge");
    await createVault(PROTECTED, "the name is reusable after the automatic purge");
  });

  await step("k. deletedManagedHSMs (az keyvault list-deleted also calls it) answers an empty list", async () => {
    const res = await admin(server, "GET",
      `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/deletedManagedHSMs?api-version=2023-07-01`);
    const body = expectRaw(res, 200, "GET deletedManagedHSMs");
    assert.deepEqual(body, { value: [] }, "deletedManagedHSMs body");
  });
});
