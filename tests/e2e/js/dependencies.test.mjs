// Recover dependencies (tests/scenarios/dependency_order.scenario), driven by the
// real @azure/arm-resources 7.0.0, @azure/arm-cognitiveservices 8.1.0 and
// @azure/arm-keyvault 5.0.0 against a private reprieved started with a manual
// clock. A Cognitive Services account with a customer-managed key (Key Vault)
// and user-owned storage (Storage account) is soft-deleted with its resource
// group; its recovery is refused until the group, the vault and the storage
// account are back, in that order. No storage SDK is installed, so the storage
// account goes as raw authenticated requests (api 2025-06-01).
//
//   REPRIEVED_BIN=/path/to/reprieved node --test dependencies.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { ResourceManagementClient } from "@azure/arm-resources";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";

import { startServer, credential, clientOptions, admin, defaultSubscription } from "./server.mjs";
import {
  LRO, expectStatus, expectRaw, collect, rawList, stepper, tenantOf, assertSameId,
} from "./steps.mjs";

const RG = "rg-deps";
const LOCATION = "eastus";
// Vault and storage account names are global; a random suffix keeps them unique.
const SUFFIX = randomBytes(3).toString("hex");
const VAULT = `depvault${SUFFIX}`;
const STORE = `depstore${SUFFIX}`;
const ACCOUNT = "depacct";
const STORAGE_API = "api-version=2025-06-01";
const STORAGE_BODY = { location: LOCATION, kind: "StorageV2", sku: { name: "Standard_LRS" } };
const VAULT_URI = `https://${VAULT}.vault.azure.net/`;

let server;
let subscriptionId;
let tenantId;
let resources;
let cognitive;
let kv;

before(async () => {
  server = await startServer({ clock: "manual" });
  subscriptionId = await defaultSubscription(server);
  tenantId = await tenantOf(server, subscriptionId);
  resources = new ResourceManagementClient(credential, subscriptionId, clientOptions(server));
  cognitive = new CognitiveServicesManagementClient(credential, subscriptionId, clientOptions(server));
  kv = new KeyVaultManagementClient(credential, subscriptionId, clientOptions(server));
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers

function storageId() {
  return `/subscriptions/${subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${STORE}`;
}

function vaultId() {
  return `/subscriptions/${subscriptionId}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/${VAULT}`;
}

function vaultBody(extra = {}) {
  return {
    location: LOCATION,
    properties: {
      tenantId,
      sku: { family: "A", name: "standard" },
      accessPolicies: [],
      softDeleteRetentionInDays: 7,
      ...extra,
    },
  };
}

function accountBody() {
  return {
    location: LOCATION,
    kind: "OpenAI",
    sku: { name: "S0" },
    properties: {
      encryption: {
        keySource: "Microsoft.KeyVault",
        keyVaultProperties: { keyName: "k", keyVersion: "1", keyVaultUri: VAULT_URI },
      },
      userOwnedStorage: [{ resourceId: storageId() }],
    },
  };
}

const RESTORE_BODY = { location: LOCATION, properties: { restore: true } };

function recoverAccount() {
  return cognitive.accounts.beginCreateAndWait(RG, ACCOUNT, RESTORE_BODY, LRO);
}

/** Asserts the customer-managed key and user-owned storage of the account. */
function assertDependencies(account, what) {
  assert.equal(account.name, ACCOUNT, `${what}: name`);
  const enc = account.properties?.encryption;
  assert.equal(enc?.keySource, "Microsoft.KeyVault", `${what}: encryption.keySource (${JSON.stringify(enc)})`);
  assert.equal(enc?.keyVaultProperties?.keyName, "k", `${what}: keyVaultProperties.keyName`);
  assert.equal(enc?.keyVaultProperties?.keyVersion, "1", `${what}: keyVaultProperties.keyVersion`);
  assert.equal(enc?.keyVaultProperties?.keyVaultUri, VAULT_URI, `${what}: keyVaultProperties.keyVaultUri`);
  const storage = account.properties?.userOwnedStorage;
  assert.equal(storage?.length, 1, `${what}: userOwnedStorage (${JSON.stringify(storage)})`);
  assertSameId(storage[0].resourceId, storageId(), `${what}: userOwnedStorage[0].resourceId`);
}

async function deletedAccounts() {
  return (await collect(cognitive.deletedAccounts.list())).filter((a) => a.name === ACCOUNT
    && (a.id ?? "").toLowerCase().includes(`/resourcegroups/${RG}/`));
}

async function deletedVaults() {
  return (await collect(kv.vaults.listDeleted())).filter((v) => v.name === VAULT);
}

async function deletedStorage() {
  const items = await rawList(server, `/subscriptions/${subscriptionId}/providers/Microsoft.Storage/deletedAccounts?${STORAGE_API}`,
    "GET Microsoft.Storage/deletedAccounts");
  return items.filter((a) => a.name === STORE
    || (a.properties?.storageAccountResourceId ?? "").toLowerCase() === storageId().toLowerCase());
}

/** Expects the recover to be refused with 409 DependencySoftDeleted naming `dependency`. */
async function expectDependencySoftDeleted(dependency, what) {
  const err = await expectStatus(recoverAccount(), 409, what);
  assert.equal(err.code, "DependencySoftDeleted", `${what}: error code (${err.message})`);
  assert.ok(err.message.toLowerCase().includes(dependency.toLowerCase()),
    `${what}: the message should name ${dependency}: ${err.message}`);
  return err;
}

// ---------------------------------------------------------------- tests

test("recover dependencies: group, vault, storage, then the account", { timeout: 120_000 }, async (t) => {
  const step = stepper(t);

  await step("1. create group, vault, storage account and the CMK account", async () => {
    const rg = await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    assert.equal(rg.name, RG, "resource group name");

    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, VAULT, vaultBody(), LRO);
    assertSameId(vault.id, vaultId(), "vault id");
    assert.equal(vault.properties?.vaultUri, VAULT_URI, "vault uri");

    const store = expectRaw(await admin(server, "PUT", `${storageId()}?${STORAGE_API}`, STORAGE_BODY), 200,
      "PUT storage account");
    assertSameId(store?.id, storageId(), "storage account id");

    const created = await cognitive.accounts.beginCreateAndWait(RG, ACCOUNT, accountBody(), LRO);
    assertDependencies(created, "beginCreateAndWait result");
    assertDependencies(await cognitive.accounts.get(RG, ACCOUNT), "accounts.get");
  });

  await step("2. delete the group: account, vault and storage account are soft-deleted", async () => {
    await resources.resourceGroups.beginDeleteAndWait(RG, LRO);
    assert.deepEqual(await resources.resourceGroups.checkExistence(RG), { body: false },
      "checkExistence after deleting the group");
    assert.equal((await deletedAccounts()).length, 1, `deletedAccounts.list should hold ${ACCOUNT}`);
    const vaults = await deletedVaults();
    assert.equal(vaults.length, 1, `vaults.listDeleted should hold ${VAULT}`);
    assertSameId(vaults[0].properties?.vaultId, vaultId(), "deleted vault properties.vaultId");
    const stores = await deletedStorage();
    assert.equal(stores.length, 1, `Microsoft.Storage/deletedAccounts should hold ${STORE}: ${JSON.stringify(stores)}`);
    assertSameId(stores[0].properties?.storageAccountResourceId, storageId(),
      "deleted storage account properties.storageAccountResourceId");
  });

  await step("3. recover the account without its group: 404 ResourceGroupNotFound", async () => {
    const err = await expectStatus(recoverAccount(), 404, "recover before the group exists");
    assert.equal(err.code, "ResourceGroupNotFound", `error code (${err.message})`);
  });

  await step("4. re-create the group; recover: 409 DependencySoftDeleted naming the vault", async () => {
    await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    await expectDependencySoftDeleted(`Microsoft.KeyVault/vaults/${VAULT}`, "recover while the vault is soft-deleted");
    assert.equal((await deletedAccounts()).length, 1, "the refused recover left the account soft-deleted");
  });

  await step("5. recover the vault; recover: 409 DependencySoftDeleted naming the storage account", async () => {
    const vault = await kv.vaults.beginCreateOrUpdateAndWait(RG, VAULT, vaultBody({ createMode: "recover" }), LRO);
    assertSameId(vault.id, vaultId(), "recovered vault id");
    assert.equal((await deletedVaults()).length, 0, "the vault is no longer listed as deleted");
    await expectDependencySoftDeleted(`/providers/Microsoft.Storage/storageAccounts/${STORE}`,
      "recover while the storage account is soft-deleted");
  });

  await step("6. restore the storage account with its restoreReference", async () => {
    const deleted = expectRaw(await admin(server, "GET",
      `/subscriptions/${subscriptionId}/providers/Microsoft.Storage/locations/${LOCATION}/deletedAccounts/${STORE}?${STORAGE_API}`),
    200, "GET deleted storage account");
    const reference = deleted?.properties?.restoreReference;
    assert.equal(typeof reference, "string", `properties.restoreReference: ${JSON.stringify(deleted)}`);
    const restored = expectRaw(await admin(server, "PUT", `${storageId()}?${STORAGE_API}`,
      { ...STORAGE_BODY, properties: { restoreReference: reference } }), 200, "PUT storage account with restoreReference");
    assertSameId(restored?.id, storageId(), "restored storage account id");
    expectRaw(await admin(server, "GET", `${storageId()}?${STORAGE_API}`), 200, "GET restored storage account");
    assert.equal((await deletedStorage()).length, 0, "the storage account is no longer listed as deleted");
  });

  await step("7. recover the account: succeeds with its encryption settings", async () => {
    const recovered = await recoverAccount();
    assertDependencies(recovered, "recover result");
    assertDependencies(await cognitive.accounts.get(RG, ACCOUNT), "accounts.get after recover");
    assert.equal((await deletedAccounts()).length, 0, "the account is no longer listed as deleted");
  });

  await step("8. delete and purge the account: recover → 404 CanNotRestoreANonExistingResource", async () => {
    await cognitive.accounts.beginDeleteAndWait(RG, ACCOUNT, LRO);
    await expectStatus(cognitive.accounts.get(RG, ACCOUNT), 404, "accounts.get after delete");
    await cognitive.deletedAccounts.get(LOCATION, RG, ACCOUNT); // soft-deleted before the purge
    await cognitive.deletedAccounts.beginPurgeAndWait(LOCATION, RG, ACCOUNT, LRO);
    await expectStatus(cognitive.deletedAccounts.get(LOCATION, RG, ACCOUNT), 404, "deletedAccounts.get after purge");
    assert.equal((await deletedAccounts()).length, 0, "not listed as deleted after the purge");
    const err = await expectStatus(recoverAccount(), 404, "recover after the purge");
    assert.equal(err.code, "CanNotRestoreANonExistingResource", `error code (${err.message})`);
  });
});
