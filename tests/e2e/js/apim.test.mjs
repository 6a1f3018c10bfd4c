// API Management soft-delete lifecycle (seed 001), driven by the real
// @azure/arm-apimanagement 10.0.0 (api 2024-05-01) and @azure/arm-resources
// 7.0.0 against a private reprieved started with a manual clock.
//
//   REPRIEVED_BIN=/path/to/reprieved node --test apim.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

import { ResourceManagementClient } from "@azure/arm-resources";
import { ApiManagementClient } from "@azure/arm-apimanagement";

import { startServer, credential, clientOptions, admin, defaultSubscription } from "./server.mjs";
import {
  HOUR_MS, LRO, expectStatus, expectRaw, collect, assertPurgeWindow, clockNow, advanceClock,
  eventually, is404, stepper, assertSameId,
} from "./steps.mjs";

const RG = "rg-apim-e2e";
const NAME = "apim-e2e";
const LOCATION = "eastus";
const RETENTION_MS = 48 * HOUR_MS;
const OTHER_TENANT = "11111111-2222-4333-8444-000000000001";
const OTHER_SUB = "11111111-2222-4333-8444-000000000002";
const CREATE_BODY = {
  sku: { name: "Developer", capacity: 1 },
  location: LOCATION,
  publisherEmail: "a@b.c",
  publisherName: "P",
};

let server;
let subscriptionId;
let resources;
let apim;

before(async () => {
  server = await startServer({ clock: "manual" });
  subscriptionId = await defaultSubscription(server);
  resources = new ResourceManagementClient(credential, subscriptionId, clientOptions(server));
  apim = new ApiManagementClient(credential, subscriptionId, clientOptions(server));
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers

function serviceId(sub = subscriptionId, rg = RG) {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${NAME}`;
}

function assertService(service, what) {
  assert.equal(service.name, NAME, `${what}: name`);
  assert.equal(service.sku?.name, "Developer", `${what}: sku.name`);
  assert.equal(service.sku?.capacity, 1, `${what}: sku.capacity`);
  assert.equal(service.publisherEmail, "a@b.c", `${what}: publisherEmail`);
  assert.equal(service.publisherName, "P", `${what}: publisherName`);
}

async function listDeleted(client = apim) {
  return (await collect(client.deletedServices.listBySubscription())).filter((s) => s.name === NAME);
}

async function deleteService(client, rg, what) {
  await client.apiManagementService.beginDeleteAndWait(rg, NAME, LRO);
  await expectStatus(client.apiManagementService.get(rg, NAME), 404, `${what}: get after delete`);
}

/** Checks a DeletedServiceContract (the SDK flattens properties). */
function assertDeletedService(deleted, sub, rg, what) {
  assert.equal(deleted.name, NAME, `${what}: name`);
  assert.ok((deleted.id ?? "").toLowerCase().endsWith(
    `/subscriptions/${sub}/providers/Microsoft.ApiManagement/locations/${LOCATION}/deletedservices/${NAME}`.toLowerCase()),
  `${what}: id should be the location-scoped deleted-service id, got ${deleted.id}`);
  assertSameId(deleted.serviceId, serviceId(sub, rg), `${what}: serviceId is the original service id`);
  assert.ok(deleted.deletionDate instanceof Date, `${what}: deletionDate should deserialize to a Date`);
  assert.ok(deleted.scheduledPurgeDate instanceof Date, `${what}: scheduledPurgeDate should deserialize to a Date`);
  return assertPurgeWindow(deleted.deletionDate, deleted.scheduledPurgeDate, RETENTION_MS, what);
}

// ---------------------------------------------------------------- tests

test("api management service: soft delete, recover, purge, name reservation, auto-purge", { timeout: 120_000 }, async (t) => {
  const step = stepper(t);
  let window;
  let otherResources;
  let otherApim;

  await step("a. create resource group", async () => {
    const rg = await resources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    assert.equal(rg.name, RG, "resource group name");
  });

  await step("b. create service, get it", async () => {
    const created = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, NAME, CREATE_BODY, LRO);
    assertService(created, "beginCreateOrUpdateAndWait result");
    assertSameId(created.id, serviceId(), "created id");
    assert.equal(created.location, LOCATION, "created location");
    assert.equal(created.provisioningState, "Succeeded", "created provisioningState");

    const got = await apim.apiManagementService.get(RG, NAME);
    assertService(got, "apiManagementService.get");
    assertSameId(got.id, serviceId(), "get id");
  });

  await step("c. delete soft-deletes: get answers 404", async () => {
    await deleteService(apim, RG, "first delete");
  });

  await step("d. listed by deletedServices.listBySubscription with serviceId and a 48 h window", async () => {
    const matches = await listDeleted();
    assert.equal(matches.length, 1, `listBySubscription should hold exactly one ${NAME}, got ${matches.length}`);
    window = assertDeletedService(matches[0], subscriptionId, RG, "listBySubscription item");
  });

  await step("e. deletedServices.getByName agrees with the list", async () => {
    const got = await apim.deletedServices.getByName(NAME, LOCATION);
    const dates = assertDeletedService(got, subscriptionId, RG, "getByName");
    assert.deepEqual(dates, window, "getByName and listBySubscription agree on the dates");
  });

  await step("f. create over the soft-deleted name is refused: 409 ServiceAlreadyExistsInSoftDeletedState", async () => {
    const err = await expectStatus(
      apim.apiManagementService.beginCreateOrUpdateAndWait(RG, NAME, CREATE_BODY, LRO), 409,
      "create without restore over a soft-deleted service");
    assert.equal(err.code, "ServiceAlreadyExistsInSoftDeletedState", "error code");
    assert.match(err.message, /undelete|restore/i, "error message says how to get the name back");
    assert.match(err.message, /purge/i, "error message mentions purge");
    await apim.deletedServices.getByName(NAME, LOCATION); // the refused create left it soft-deleted
  });

  await step("g. recover with restore: true restores the deleted service and ignores the other fields", async () => {
    const restored = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, NAME, {
      sku: { name: "Developer", capacity: 1 },
      location: LOCATION,
      publisherEmail: "ignored@example.com",
      publisherName: "Ignored",
      restore: true,
    }, LRO);
    assertService(restored, "restore result (publisher fields come from the deleted service)");
    const got = await apim.apiManagementService.get(RG, NAME);
    assertService(got, "get after restore");
    await expectStatus(apim.deletedServices.getByName(NAME, LOCATION), 404, "getByName after restore");
    assert.equal((await listDeleted()).length, 0, "not listed as deleted after restore");
  });

  await step("h. delete, purge with beginPurgeAndWait: gone; the name is reusable in the same subscription", async () => {
    await deleteService(apim, RG, "second delete");
    await apim.deletedServices.getByName(NAME, LOCATION); // soft-deleted before the purge
    await apim.deletedServices.beginPurgeAndWait(NAME, LOCATION, LRO);
    await expectStatus(apim.deletedServices.getByName(NAME, LOCATION), 404, "getByName after purge");
    assert.equal((await listDeleted()).length, 0, "not listed as deleted after purge");
    await expectStatus(apim.apiManagementService.get(RG, NAME), 404, "get after purge");

    const again = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, NAME, CREATE_BODY, LRO);
    assertService(again, "create after purge in the same subscription");
  });

  await step("i. second tenant and subscription via the admin API, with a resource group", async () => {
    await deleteService(apim, RG, "third delete");
    await apim.deletedServices.beginPurgeAndWait(NAME, LOCATION, LRO);
    await expectStatus(apim.deletedServices.getByName(NAME, LOCATION), 404, "getByName after the second purge");

    const tenant = await admin(server, "PUT", `/reprieve/admin/tenants/${OTHER_TENANT}`, { displayName: "Other" });
    assert.ok([200, 201].includes(tenant.status),
      `PUT admin tenant: expected 200/201, got ${tenant.status}: ${JSON.stringify(tenant.body)}`);
    const sub = await admin(server, "PUT", `/reprieve/admin/subscriptions/${OTHER_SUB}`,
      { tenantId: OTHER_TENANT, displayName: "Other" });
    assert.ok([200, 201].includes(sub.status),
      `PUT admin subscription: expected 200/201, got ${sub.status}: ${JSON.stringify(sub.body)}`);
    const shown = expectRaw(await admin(server, "GET", `/subscriptions/${OTHER_SUB}?api-version=2022-12-01`), 200,
      "GET the new subscription");
    assert.equal(shown.tenantId, OTHER_TENANT, "the new subscription belongs to the new tenant");

    otherResources = new ResourceManagementClient(credential, OTHER_SUB, clientOptions(server));
    otherApim = new ApiManagementClient(credential, OTHER_SUB, clientOptions(server));
    const rg = await otherResources.resourceGroups.createOrUpdate(RG, { location: LOCATION });
    assert.equal(rg.name, RG, "resource group in the other subscription");
  });

  await step("j. the purged name is reserved for the original subscription: 409 ServiceNameReserved", async () => {
    const now = Date.parse(await clockNow(server));
    const err = await expectStatus(
      otherApim.apiManagementService.beginCreateOrUpdateAndWait(RG, NAME, CREATE_BODY, LRO), 409,
      "create in another subscription after purge");
    assert.equal(err.code, "ServiceNameReserved", "error code");
    const until = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/.exec(err.message ?? "");
    assert.ok(until, `the message should name when the reservation ends: ${err.message}`);
    const end = Date.parse(until[0]);
    assert.ok(end > now, `reservation end ${until[0]} should lie after the current clock ${new Date(now).toISOString()}`);
    assert.ok(end <= now + 8 * 24 * HOUR_MS,
      `reservation end ${until[0]} should lie within the 8 days this test waits`);
    await expectStatus(otherApim.apiManagementService.get(RG, NAME), 404, "nothing was created in the other subscription");
  });

  await step("k. after P8D the other subscription can take the name", async () => {
    await advanceClock(server, "P8D");
    const created = await otherApim.apiManagementService.beginCreateOrUpdateAndWait(RG, NAME, CREATE_BODY, LRO);
    assertService(created, "create in the other subscription after the reservation");
    assertSameId(created.id, serviceId(OTHER_SUB), "created id in the other subscription");
    const got = await otherApim.apiManagementService.get(RG, NAME);
    assertService(got, "get in the other subscription");
  });

  await step("l. a deleted service is purged automatically 48 h after deletion", async () => {
    await deleteService(otherApim, RG, "delete in the other subscription");
    const start = await clockNow(server);
    const deleted = await otherApim.deletedServices.getByName(NAME, LOCATION);
    const { scheduledPurgeDate } = assertDeletedService(deleted, OTHER_SUB, RG, "getByName in the other subscription");
    assert.equal((await listDeleted(otherApim)).length, 1, "listed as deleted in the other subscription");
    assert.equal((await listDeleted()).length, 0, "not listed as deleted in the original subscription");

    const at47 = await advanceClock(server, "PT47H");
    assert.ok(Date.parse(at47) < scheduledPurgeDate,
      `after 47 h (${at47}) the purge date ${new Date(scheduledPurgeDate).toISOString()} is still ahead`);
    await sleep(300); // give a misbehaving sweeper a moment
    await otherApim.deletedServices.getByName(NAME, LOCATION); // still soft-deleted after 47 h

    const at49 = await advanceClock(server, "PT2H");
    assert.equal(Date.parse(at49) - Date.parse(start), 49 * HOUR_MS, `the clock moved 49 h (${start} -> ${at49})`);
    await eventually(() => is404(otherApim.deletedServices.getByName(NAME, LOCATION)),
      "getByName should answer 404 once the clock passed scheduledPurgeDate");
    assert.equal((await listDeleted(otherApim)).length, 0, "not listed as deleted after the automatic purge");
  });
});
