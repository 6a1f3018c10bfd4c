// Lifecycle events delivered the way Event Grid delivers them: event subscriptions created
// with the unmodified @azure/arm-eventgrid 14.1.0 (api-version 2022-06-15), webhook
// receivers on loopback that answer the validation handshake and read what they get with
// @azure/eventgrid 5.12.0's deserializers. The server runs a manual clock, so the purge
// warning and the retries come exactly when the test moves the clock.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";

import { EventGridManagementClient } from "@azure/arm-eventgrid";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { ResourceManagementClient } from "@azure/arm-resources";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";

import { LRO, HOUR_MS, advanceClock, eventually, expectRaw } from "./steps.mjs";
import { startServer, credential, clientOptions, admin, defaultSubscription } from "./server.mjs";

const LOCATION = "eastus";
const ACCOUNT = { kind: "TextAnalytics", sku: { name: "S0" }, location: LOCATION, properties: {} };
const LIFECYCLE = [
  "Reprieve.Lifecycle.ResourceSoftDeleted",
  "Reprieve.Lifecycle.ResourceRecovered",
  "Reprieve.Lifecycle.ResourcePurged",
  "Reprieve.Lifecycle.PurgeScheduled",
];

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * A webhook endpoint on 127.0.0.1: answers Event Grid's validation handshake (or, with
 * `cloudEvents`, the abuse-protection OPTIONS), fails the first `failFirst` notifications
 * with 503, and keeps every event it accepted, deserialized by @azure/eventgrid.
 */
async function receiver({ failFirst = 0, cloudEvents = false } = {}) {
  const deserializer = new EventGridDeserializer();
  const state = { events: [], deliveries: [], failures: 0, validations: 0, options: 0 };
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      if (req.method === "OPTIONS") {
        state.options += 1;
        assert.equal(req.headers["webhook-request-origin"], "eventgrid.azure.net");
        res.writeHead(200, { "WebHook-Allowed-Origin": "eventgrid.azure.net", Allow: "POST" });
        res.end();
        return;
      }
      const type = req.headers["aeg-event-type"];
      if (type === "SubscriptionValidation") {
        state.validations += 1;
        const [event] = await deserializer.deserializeEventGridEvents(body);
        assert.ok(isSystemEvent("Microsoft.EventGrid.SubscriptionValidationEvent", event));
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ validationResponse: event.data.validationCode }));
        return;
      }
      state.deliveries.push({
        type,
        count: Number(req.headers["aeg-delivery-count"]),
        name: req.headers["aeg-subscription-name"],
        contentType: req.headers["content-type"],
      });
      if (state.failures < failFirst) {
        state.failures += 1;
        res.writeHead(503);
        res.end();
        return;
      }
      const events = cloudEvents
        ? await deserializer.deserializeCloudEvents(body)
        : await deserializer.deserializeEventGridEvents(body);
      state.events.push(...events);
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  state.url = `http://127.0.0.1:${server.address().port}/api/events?code=secret-code`;
  return state;
}

async function start(args = [], opts = {}) {
  const server = await startServer({ clock: "manual", args, ...opts });
  cleanups.push(() => server.stop());
  const subscriptionId = await defaultSubscription(server);
  const options = clientOptions(server);
  return {
    server,
    subscriptionId,
    eventgrid: new EventGridManagementClient(credential, subscriptionId, options),
    resources: new ResourceManagementClient(credential, subscriptionId, options),
    cognitive: new CognitiveServicesManagementClient(credential, subscriptionId, options),
  };
}

/** The events of `subject` that `hook` accepted, in arrival order. */
function eventsOf(hook, subject) {
  return hook.events.filter((e) => (e.subject ?? "").toLowerCase() === subject.toLowerCase());
}

function typeOf(event) {
  return event.eventType ?? event.type;
}

test("an event subscription is Succeeded only after its endpoint answered the handshake", async () => {
  const { server, subscriptionId, eventgrid } = await start();
  const hook = await receiver();
  const scope = `subscriptions/${subscriptionId}`;
  const created = await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(scope, "lifecycle", {
    destination: { endpointType: "WebHook", endpointUrl: hook.url },
    filter: { includedEventTypes: LIFECYCLE },
  }, LRO);
  assert.equal(created.provisioningState, "Succeeded");
  assert.equal(hook.validations, 1, "the validation event was sent once");
  assert.equal(created.topic.toLowerCase(), `/subscriptions/${subscriptionId}`);
  const got = await eventgrid.eventSubscriptions.get(scope, "lifecycle");
  assert.equal(got.destination.endpointType, "WebHook");
  assert.equal(got.destination.endpointBaseUrl, hook.url.split("?")[0]);
  assert.equal(got.destination.endpointUrl, undefined, "endpointUrl is write-only");
  assert.deepEqual(got.filter.includedEventTypes, LIFECYCLE);
  const full = await eventgrid.eventSubscriptions.getFullUrl(scope, "lifecycle");
  assert.equal(full.endpointUrl, hook.url);
  const listed = [];
  for await (const s of eventgrid.eventSubscriptions.listGlobalBySubscription()) listed.push(s.name);
  assert.deepEqual(listed, ["lifecycle"]);

  // An endpoint that does not answer the handshake never becomes Succeeded.
  const dead = `http://127.0.0.1:9/never`;
  const poller = await eventgrid.eventSubscriptions.beginCreateOrUpdate(scope, "unanswered", {
    destination: { endpointType: "WebHook", endpointUrl: dead },
  }, LRO);
  const first = await eventgrid.eventSubscriptions.get(scope, "unanswered");
  assert.equal(first.provisioningState, "Creating");
  await advanceClock(server, "PT31S");
  await assert.rejects(poller.pollUntilDone());
  assert.equal((await eventgrid.eventSubscriptions.get(scope, "unanswered")).provisioningState, "Failed");

  // Plain http is for loopback endpoints only.
  const refused = await admin(server, "PUT",
    `/subscriptions/${subscriptionId}/providers/Microsoft.EventGrid/eventSubscriptions/remote?api-version=2022-06-15`,
    { properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: "http://example.com/hook" } } } });
  expectRaw(refused, 400, "PUT with a plain-http remote endpoint");
  assert.equal(refused.body.error.code, "InvalidRequest");

  await eventgrid.eventSubscriptions.beginDeleteAndWait(scope, "unanswered", LRO);
  await assert.rejects(eventgrid.eventSubscriptions.get(scope, "unanswered"), (err) => err.statusCode === 404);
});

test("a webhook gets deleted, warned and purged for one resource, deleted and recovered for another", async () => {
  const { server, subscriptionId, eventgrid, resources, cognitive } = await start(["--purge-warning", "PT24H"]);
  const lifecycle = await receiver();
  const arm = await receiver();
  const scope = `subscriptions/${subscriptionId}`;
  await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(scope, "lifecycle", {
    destination: { endpointType: "WebHook", endpointUrl: lifecycle.url },
    filter: { includedEventTypes: LIFECYCLE },
  }, LRO);
  const group = "events-rg";
  await resources.resourceGroups.createOrUpdate(group, { location: LOCATION });
  await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(`${scope}/resourceGroups/${group}`, "arm", {
    destination: { endpointType: "WebHook", endpointUrl: arm.url },
    filter: {
      includedEventTypes: ["Microsoft.Resources.ResourceDeleteSuccess"],
      subjectBeginsWith: `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/Microsoft.CognitiveServices`,
    },
  }, LRO);

  const expiring = await cognitive.accounts.beginCreateAndWait(group, "expiring", ACCOUNT, LRO);
  const recovered = await cognitive.accounts.beginCreateAndWait(group, "recovered", ACCOUNT, LRO);
  await cognitive.accounts.beginDeleteAndWait(group, "expiring", LRO);
  await cognitive.accounts.beginDeleteAndWait(group, "recovered", LRO);
  await cognitive.accounts.beginCreateAndWait(group, "recovered",
    { ...ACCOUNT, properties: { restore: true } }, LRO);

  await eventually(() => eventsOf(lifecycle, recovered.id).length === 2, "deleted and recovered arrive");
  const [deleted, back] = eventsOf(lifecycle, recovered.id);
  assert.equal(typeOf(deleted), "Reprieve.Lifecycle.ResourceSoftDeleted");
  assert.equal(typeOf(back), "Reprieve.Lifecycle.ResourceRecovered");
  assert.equal(deleted.topic.toLowerCase(), `/subscriptions/${subscriptionId}`);
  assert.equal(deleted.data.resourceType, "Microsoft.CognitiveServices/accounts");
  assert.ok(deleted.data.caller && deleted.data.caller !== "Reprieve", "the deleting principal");
  assert.equal(back.data.caller, deleted.data.caller);

  // The account left to expire (48 h of retention): warned 24 h ahead, then purged.
  await eventually(() => eventsOf(lifecycle, expiring.id).length === 1, "the delete arrives");
  await advanceClock(server, "PT23H59M");
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(eventsOf(lifecycle, expiring.id).length, 1, "no warning before its time");
  await advanceClock(server, "PT1M");
  await eventually(() => eventsOf(lifecycle, expiring.id).length === 2, "the purge warning arrives");
  const warning = eventsOf(lifecycle, expiring.id)[1];
  assert.equal(typeOf(warning), "Reprieve.Lifecycle.PurgeScheduled");
  const soft = eventsOf(lifecycle, expiring.id)[0];
  assert.equal(Date.parse(warning.data.scheduledPurgeDate) - Date.parse(soft.data.deletionDate), 48 * HOUR_MS);
  assert.equal(Date.parse(warning.data.scheduledPurgeDate) - warning.eventTime.getTime(), 24 * HOUR_MS);
  await advanceClock(server, "PT24H");
  await eventually(() => eventsOf(lifecycle, expiring.id).length === 3, "the purge arrives");
  const purged = eventsOf(lifecycle, expiring.id)[2];
  assert.equal(typeOf(purged), "Reprieve.Lifecycle.ResourcePurged");
  assert.equal(purged.data.reason, "retentionExpired");
  assert.equal(purged.data.caller, "Reprieve");
  assert.equal(eventsOf(lifecycle, recovered.id).length, 2, "a recovered resource is never warned");

  // Azure's own event for each delete request, to the group's subscription, with the
  // activity log's correlation id.
  await eventually(() => arm.events.length === 2, "two ResourceDeleteSuccess events");
  const armDelete = eventsOf(arm, expiring.id)[0];
  assert.ok(isSystemEvent("Microsoft.Resources.ResourceDeleteSuccess", armDelete));
  assert.equal(armDelete.dataVersion, "2");
  assert.equal(armDelete.metadataVersion, "1");
  assert.equal(armDelete.data.operationName, "Microsoft.CognitiveServices/accounts/delete");
  assert.equal(armDelete.data.status, "Succeeded");
  assert.equal(armDelete.data.resourceProvider, "Microsoft.CognitiveServices");
  assert.equal(armDelete.data.httpRequest.method, "DELETE");
  for (const value of Object.values(armDelete.data.claims)) assert.equal(typeof value, "string");
  const log = await admin(server, "GET",
    `/subscriptions/${subscriptionId}/providers/microsoft.insights/eventtypes/management/values?api-version=2015-04-01&$filter=` +
    encodeURIComponent(`eventTimestamp ge '2000-01-01T00:00:00Z' and correlationId eq '${armDelete.data.correlationId}'`));
  expectRaw(log, 200, "the activity log of the delete's correlation id");
  assert.ok(log.body.value.length >= 2, "the delete's entries share the event's correlation id");
  assert.ok(log.body.value.every((e) => e.resourceId.toLowerCase() === expiring.id.toLowerCase()));

  // Every delivery is one event in an array, with Event Grid's headers.
  for (const d of [...lifecycle.deliveries, ...arm.deliveries]) {
    assert.equal(d.type, "Notification");
    assert.match(d.contentType, /^application\/json/);
  }
  assert.equal(new Set(lifecycle.events.map((e) => e.id)).size, lifecycle.events.length, "each event once");
});

test("a receiver that fails the first deliveries still gets every event, retried on the server's clock", async () => {
  const { server, subscriptionId, eventgrid, resources, cognitive } = await start();
  const hook = await receiver({ failFirst: 2 });
  await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(`subscriptions/${subscriptionId}`, "flaky", {
    destination: { endpointType: "WebHook", endpointUrl: hook.url },
    filter: { includedEventTypes: ["Reprieve.Lifecycle.ResourceSoftDeleted"] },
  }, LRO);
  await resources.resourceGroups.createOrUpdate("flaky-rg", { location: LOCATION });
  const accounts = [];
  for (const name of ["one", "two", "three"]) {
    accounts.push(await cognitive.accounts.beginCreateAndWait("flaky-rg", name, ACCOUNT, LRO));
  }
  for (const name of ["one", "two", "three"]) await cognitive.accounts.beginDeleteAndWait("flaky-rg", name, LRO);
  await eventually(() => hook.failures === 1, "the first delivery fails");
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(hook.deliveries.length, 1, "nothing is sent again before Event Grid's 10 s");
  await advanceClock(server, "PT10S");
  await eventually(() => hook.failures === 2, "the second attempt fails");
  await advanceClock(server, "PT30S");
  await eventually(() => hook.events.length === 3, "every event arrives once the endpoint answers");
  assert.deepEqual(hook.events.map((e) => e.subject.toLowerCase()).sort(),
    accounts.map((a) => a.id.toLowerCase()).sort());
  assert.deepEqual(hook.deliveries.slice(0, 3).map((d) => d.count), [0, 1, 2], "aeg-delivery-count counts attempts");
  const deliveries = await admin(server, "GET", "/reprieve/admin/events");
  expectRaw(deliveries, 200, "GET /reprieve/admin/events");
  assert.deepEqual(deliveries.body.pending, []);
  assert.deepEqual(deliveries.body.deadLettered, []);
});

test("a receiver that refuses is dead-lettered, visible through the admin API", async () => {
  const { server, subscriptionId, eventgrid, resources, cognitive } = await start();
  const refusing = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.headers["aeg-event-type"] === "SubscriptionValidation") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ validationResponse: JSON.parse(body)[0].data.validationCode }));
        return;
      }
      res.writeHead(400);
      res.end();
    });
  });
  await new Promise((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => refusing.close(resolve)));
  await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(`subscriptions/${subscriptionId}`, "refusing", {
    destination: { endpointType: "WebHook", endpointUrl: `http://127.0.0.1:${refusing.address().port}/` },
    filter: { includedEventTypes: ["Reprieve.Lifecycle.ResourceSoftDeleted"] },
  }, LRO);
  await resources.resourceGroups.createOrUpdate("dl-rg", { location: LOCATION });
  const account = await cognitive.accounts.beginCreateAndWait("dl-rg", "refused", ACCOUNT, LRO);
  await cognitive.accounts.beginDeleteAndWait("dl-rg", "refused", LRO);
  let dead;
  await eventually(async () => {
    const res = await admin(server, "GET", "/reprieve/admin/events");
    dead = res.body.deadLettered;
    return dead.length === 1;
  }, "the refused delivery is dead-lettered");
  assert.equal(dead[0].subject.toLowerCase(), account.id.toLowerCase());
  assert.equal(dead[0].eventType, "Reprieve.Lifecycle.ResourceSoftDeleted");
  assert.equal(dead[0].deadLetterReason, "DeliveryRefused");
  assert.equal(dead[0].lastDeliveryOutcome, "400");
  assert.equal(dead[0].deliveryAttempts, 1);
});

test("CloudEvents 1.0 subscriptions pass the abuse-protection handshake and get CloudEvents", async () => {
  const { subscriptionId, eventgrid, resources, cognitive } = await start();
  const hook = await receiver({ cloudEvents: true });
  await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(`subscriptions/${subscriptionId}`, "cloud", {
    destination: { endpointType: "WebHook", endpointUrl: hook.url },
    eventDeliverySchema: "CloudEventSchemaV1_0",
    filter: { includedEventTypes: ["Reprieve.Lifecycle.ResourceSoftDeleted"] },
  }, LRO);
  assert.equal(hook.options, 1);
  await resources.resourceGroups.createOrUpdate("ce-rg", { location: LOCATION });
  const account = await cognitive.accounts.beginCreateAndWait("ce-rg", "cloudy", ACCOUNT, LRO);
  await cognitive.accounts.beginDeleteAndWait("ce-rg", "cloudy", LRO);
  await eventually(() => hook.events.length === 1, "the CloudEvent arrives");
  const [event] = hook.events;
  assert.equal(event.specversion, "1.0");
  assert.equal(event.type, "Reprieve.Lifecycle.ResourceSoftDeleted");
  assert.equal(event.source.toLowerCase(), `/subscriptions/${subscriptionId}`);
  assert.equal(event.subject.toLowerCase(), account.id.toLowerCase());
  assert.ok(event.time instanceof Date);
  assert.match(hook.deliveries[0].contentType, /^application\/cloudevents\+json/);
});

test("after kill -9 every committed soft delete has its events and log entries exactly once", async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-events-crash-"));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const hook = await receiver();
  let server = await startServer({ clock: "system", dataDir });
  let stopped = false;
  t.after(async () => { if (!stopped) await server.stop(); });
  const subscriptionId = await defaultSubscription(server);
  const API = "api-version=2025-09-01";
  const group = `/subscriptions/${subscriptionId}/resourceGroups/crash-rg`;
  const account = (i) => `${group}/providers/Microsoft.CognitiveServices/accounts/crash${i}`;
  const N = 40;
  let res = await admin(server, "PUT",
    `/subscriptions/${subscriptionId}/providers/Microsoft.EventGrid/eventSubscriptions/crash?api-version=2022-06-15`,
    { properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: hook.url } },
                    filter: { includedEventTypes: ["Reprieve.Lifecycle.ResourceSoftDeleted",
                                                   "Microsoft.Resources.ResourceDeleteSuccess"] } } });
  expectRaw(res, 201, "PUT the event subscription");
  await eventually(async () => (await admin(server, "GET",
    `/subscriptions/${subscriptionId}/providers/Microsoft.EventGrid/eventSubscriptions/crash?api-version=2022-06-15`))
    .body.properties.provisioningState === "Succeeded", "the subscription is validated");
  res = await admin(server, "PUT", `${group}?api-version=2025-04-01`, { location: LOCATION });
  expectRaw(res, 201, "PUT the group");
  for (let i = 0; i < N; ++i) {
    res = await admin(server, "PUT", `${account(i)}?${API}`, { location: LOCATION, kind: "Face", sku: { name: "S0" } });
    expectRaw(res, 201, `PUT crash${i}`);
  }

  // Every delete at once; the server is killed once a quarter of them are acknowledged.
  const acknowledged = new Set();
  let answered = 0;
  let crashed;
  const deletes = Array.from({ length: N }, (_, i) =>
    admin(server, "DELETE", `${account(i)}?${API}`).then((r) => {
      if (r.status === 200) acknowledged.add(`crash${i}`);
      if (++answered === N / 4) crashed = server.crash();
    }, () => {}));
  await Promise.all(deletes);
  await (crashed ?? server.crash());

  server = await startServer({ clock: "system", dataDir });
  const deleted = new Set();
  res = await admin(server, "GET", `/subscriptions/${subscriptionId}/providers/Microsoft.CognitiveServices/deletedAccounts?${API}`);
  expectRaw(res, 200, "list the deleted accounts after the restart");
  for (const d of res.body.value) deleted.add(d.name);
  for (const name of acknowledged) assert.ok(deleted.has(name), `acknowledged delete of ${name} lost`);

  const namesOf = (type) => {
    const ids = new Map();  // event id -> subject
    for (const e of hook.events.filter((e) => e.eventType === type)) ids.set(e.id, e.subject.split("/").pop());
    return ids;
  };
  await eventually(() => new Set(namesOf("Reprieve.Lifecycle.ResourceSoftDeleted").values()).size >= deleted.size &&
                         new Set(namesOf("Microsoft.Resources.ResourceDeleteSuccess").values()).size >= deleted.size,
                   "every committed delete's events arrive after the restart");
  const figures = {};
  for (const type of ["Reprieve.Lifecycle.ResourceSoftDeleted", "Microsoft.Resources.ResourceDeleteSuccess"]) {
    const ids = namesOf(type);
    const subjects = [...ids.values()];
    assert.deepEqual([...new Set(subjects)].sort(), [...deleted].sort(),
      `${type}: one event for each committed delete and none for another`);
    assert.equal(subjects.length, new Set(subjects).size, `${type}: one event id per delete`);
    const deliveries = hook.events.filter((e) => e.eventType === type).length;
    figures[type] = { committed: deleted.size, distinct: ids.size, deliveries, lost: deleted.size - ids.size };
  }
  // The activity log: each committed delete once, Started and Succeeded.
  res = await admin(server, "GET",
    `/subscriptions/${subscriptionId}/providers/microsoft.insights/eventtypes/management/values?api-version=2015-04-01&$filter=` +
    encodeURIComponent(`eventTimestamp ge '2000-01-01T00:00:00Z' and resourceGroupName eq 'crash-rg'`));
  expectRaw(res, 200, "the activity log after the restart");
  const succeeded = res.body.value.filter((e) => e.status.value === "Succeeded" &&
    e.operationName.value === "Microsoft.CognitiveServices/accounts/delete");
  assert.deepEqual(succeeded.map((e) => e.resourceId.split("/").pop()).sort(), [...deleted].sort());
  assert.equal(new Set(res.body.value.map((e) => e.eventDataId)).size, res.body.value.length);
  t.diagnostic(`deletes sent ${N}, acknowledged ${acknowledged.size}, committed ${deleted.size}; ` +
    JSON.stringify(figures));
  await server.stop();
  stopped = true;
});

test("https webhooks are verified: Reprieve's CA is trusted, an unknown certificate is not", async () => {
  const { server, subscriptionId, eventgrid } = await start();
  const tls = path.join(server.dataDir, "tls");
  let validations = 0;
  const handler = (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.headers["aeg-event-type"] === "SubscriptionValidation") {
        validations += 1;
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ validationResponse: JSON.parse(body)[0].data.validationCode }));
        return;
      }
      res.writeHead(200);
      res.end();
    });
  };
  // A receiver with a certificate from Reprieve's CA (the server's own, for 127.0.0.1).
  const trusted = https.createServer({
    cert: fs.readFileSync(path.join(tls, "server.pem")),
    key: fs.readFileSync(path.join(tls, "server-key.pem")),
  }, handler);
  await new Promise((resolve) => trusted.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => trusted.close(resolve)));
  const scope = `subscriptions/${subscriptionId}`;
  const created = await eventgrid.eventSubscriptions.beginCreateOrUpdateAndWait(scope, "tls", {
    destination: { endpointType: "WebHook", endpointUrl: `https://127.0.0.1:${trusted.address().port}/hook` },
  }, LRO);
  assert.equal(created.provisioningState, "Succeeded");
  assert.equal(validations, 1);

  // A receiver with a self-signed certificate Reprieve does not know is refused.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-selfsigned-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
    "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    { stdio: "ignore" });
  const unknown = https.createServer({
    cert: fs.readFileSync(path.join(dir, "cert.pem")),
    key: fs.readFileSync(path.join(dir, "key.pem")),
  }, handler);
  await new Promise((resolve) => unknown.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => unknown.close(resolve)));
  const poller = await eventgrid.eventSubscriptions.beginCreateOrUpdate(scope, "self-signed", {
    destination: { endpointType: "WebHook", endpointUrl: `https://127.0.0.1:${unknown.address().port}/hook` },
  }, LRO);
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(validations, 1, "no handshake reached the self-signed receiver");
  await advanceClock(server, "PT31S");
  await assert.rejects(poller.pollUntilDone());
  const failed = await eventgrid.eventSubscriptions.get(scope, "self-signed");
  assert.equal(failed.provisioningState, "Failed");
});
