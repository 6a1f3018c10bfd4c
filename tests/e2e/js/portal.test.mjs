// The portal in a real browser (Debian's chromium driven by playwright-core), by the roles
// and accessible names of reference/portal.md §4.3: recover two deleted accounts and see
// them live, purge the third through the dialog, a recover refused because the group is
// gone shows the ARM error on its row and its helper re-creates the group, a workspace
// deleted with "Delete the workspace permanently" never reaches Recently deleted, the bin
// lists every type soonest purge first, and advancing the manual clock past the
// retentions empties it.
//
// Expected retentions come from Azure's documentation: Cognitive Services and API
// Management 48 hours, Machine Learning and Key Vault the resource's
// softDeleteRetentionInDays, Storage 14 days.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { admin, defaultSubscription, request, startServer } from "./server.mjs";
import { expectRaw, stepper } from "./steps.mjs";

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docs");
let server;
let browser;
let page;
let sub;
const pageErrors = [];  // uncaught errors and console errors of the page (CSP refusals included)

before(async () => {
  server = await startServer({ clock: "manual" });
  sub = await defaultSubscription(server);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
  console.log(`chromium ${browser.version()}`);
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-US", timezoneId: "UTC",
                                              viewport: { width: 1400, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => { if (msg.type() === "error") pageErrors.push(msg.text()); });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const rg = (name) => `/subscriptions/${sub}/resourceGroups/${name}`;
const ids = {
  account: (g, n) => `${rg(g)}/providers/Microsoft.CognitiveServices/accounts/${n}`,
  apim: (g, n) => `${rg(g)}/providers/Microsoft.ApiManagement/service/${n}`,
  workspace: (g, n) => `${rg(g)}/providers/Microsoft.MachineLearningServices/workspaces/${n}`,
  vault: (g, n) => `${rg(g)}/providers/Microsoft.KeyVault/vaults/${n}`,
  storage: (g, n) => `${rg(g)}/providers/Microsoft.Storage/storageAccounts/${n}`,
};
const VERSION = { account: "2025-06-01", apim: "2024-05-01", workspace: "2025-12-01", vault: "2026-02-01", storage: "2025-06-01" };
const BODY = {
  account: { location: "eastus", kind: "OpenAI", sku: { name: "S0" } },
  apim: { location: "eastus", sku: { name: "Developer", capacity: 1 }, properties: { publisherEmail: "a@b.c", publisherName: "P" } },
  workspace: { location: "eastus", properties: { softDeleteRetentionInDays: 1 } },
  vault: { location: "eastus", properties: { tenantId: "00000000-0000-0000-0000-00000000a001", sku: { family: "A", name: "standard" }, softDeleteRetentionInDays: 7 } },
  storage: { location: "eastus", kind: "StorageV2", sku: { name: "Standard_LRS" } },
};

async function group(name) {
  const res = await admin(server, "PUT", `${rg(name)}?api-version=2025-04-01`, { location: "eastus" });
  assert.ok(res.status === 200 || res.status === 201, `group ${name}: ${res.status}`);
}
async function create(kind, g, n) {
  const res = await admin(server, "PUT", `${ids[kind](g, n)}?api-version=${VERSION[kind]}`, BODY[kind]);
  assert.ok(res.status === 200 || res.status === 201, `create ${n}: ${res.status} ${res.text}`);
}
async function remove(kind, g, n) {
  const res = await admin(server, "DELETE", `${ids[kind](g, n)}?api-version=${VERSION[kind]}`);
  assert.ok(res.status === 200 || res.status === 202, `delete ${n}: ${res.status} ${res.text}`);
}
const get = async (kind, g, n) => (await admin(server, "GET", `${ids[kind](g, n)}?api-version=${VERSION[kind]}`)).status;

const bin = () => page.getByRole("table", { name: "Deleted resources", exact: true });
const toolbar = () => page.getByRole("toolbar", { name: "Deleted resource actions", exact: true });
const notifications = () => page.getByRole("status", { name: "Notifications", exact: true });
const rowOf = (table, name) => table.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
const names = async (table) => table.getByRole("rowheader").allTextContents();
async function notified(text) {
  await notifications().getByText(text, { exact: true }).first().waitFor();
}

test("portal: recover, purge, refusals with helpers, permanent delete, every type, the manual clock", { timeout: 180_000 }, async (t) => {
  const step = stepper(t);

  await step("three accounts deleted through the API appear in Manage deleted resources", async () => {
    await group("rg1");
    for (const n of ["app1", "app2", "app3"]) await create("account", "rg1", n);
    for (const n of ["app1", "app2", "app3"]) await remove("account", "rg1", n);
    await page.goto(`${server.url}/?subscription=${sub}&type=cognitive`);
    await rowOf(bin(), "app3").waitFor();
    assert.deepEqual(await names(bin()), ["app1", "app2", "app3"]);
    assert.equal(await page.getByRole("combobox", { name: "Resource type", exact: true }).inputValue(), "cognitive");
    const left = await rowOf(bin(), "app1").locator("time").nth(2).textContent();
    assert.equal(left, "2 d 0 h", "48 hours remain, from the server's clock");
    if (process.env.REPRIEVE_UPDATE_DOCS) await page.screenshot({ path: path.join(DOCS, "portal-hub.png") });
  });

  await step("select two, Recover: both leave the bin, and are live after Refresh", async () => {
    const recover = toolbar().getByRole("button", { name: "Recover", exact: true });
    assert.equal(await recover.isDisabled(), true, "Recover is disabled with no selection");
    await bin().getByRole("checkbox", { name: "app1", exact: true }).check();
    await bin().getByRole("checkbox", { name: "app2", exact: true }).check();
    assert.equal(await bin().getByRole("checkbox", { name: "Select all", exact: true })
      .evaluate((box) => box.indeterminate), true, "Select all is indeterminate with two of three");
    await recover.click();
    await notified("Recovered 2 of 2 resources.");
    await toolbar().getByRole("button", { name: "Refresh", exact: true }).click();
    await rowOf(bin(), "app1").waitFor({ state: "detached" });
    assert.deepEqual(await names(bin()), ["app3"]);
    assert.equal(await get("account", "rg1", "app1"), 200);
    assert.equal(await get("account", "rg1", "app2"), 200);
  });

  await step("Purge the third through the dialog: gone from the API", async () => {
    await bin().getByRole("checkbox", { name: "app3", exact: true }).check();
    await toolbar().getByRole("button", { name: "Purge", exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: "Purge 1 resource?", exact: true });
    await dialog.waitFor();
    assert.equal(await dialog.getByRole("button", { name: "Cancel", exact: true })
      .evaluate((b) => b === document.activeElement), true, "Cancel has the initial focus");
    await dialog.getByRole("button", { name: "Purge permanently", exact: true }).click();
    await notified("Purged app3.");
    await rowOf(bin(), "app3").waitFor({ state: "detached" });
    expectRaw(await admin(server, "GET",
      `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg1/deletedAccounts/app3?api-version=2025-06-01`),
      404, "app3 is purged");
    await page.getByRole("cell", { name: /^No deleted resources in Reprieve default \(Azure AI services accounts\)\./ }).waitFor();
  });

  await step("a recover refused because the group is gone shows the ARM message on its row; its helper fixes it", async () => {
    await group("rg2");
    await create("account", "rg2", "app4");
    expectRaw(await admin(server, "DELETE", `${rg("rg2")}?api-version=2025-04-01`), 202, "delete rg2");
    await toolbar().getByRole("button", { name: "Refresh", exact: true }).click();
    const row = rowOf(bin(), "app4");
    await row.waitFor();
    await row.getByText(/^Cannot recover now: ResourceGroupNotFound: /).waitFor();
    await bin().getByRole("checkbox", { name: "app4", exact: true }).check();
    await toolbar().getByRole("button", { name: "Recover", exact: true }).click();
    await row.getByText("Recover failed: ResourceGroupNotFound: Resource group 'rg2' could not be found.", { exact: true }).waitFor();
    await notified("Could not recover app4: ResourceGroupNotFound: Resource group 'rg2' could not be found.");
    await row.getByRole("button", { name: "Re-create resource group rg2", exact: true }).click();
    await notified("Recovered app4.");
    assert.equal(await get("account", "rg2", "app4"), 200);
  });

  await step("Recover runs key vaults first; a dependency still deleted is named on the row, with Show", async () => {
    const cmk = (vaultName) => ({ ...BODY.account, properties: { encryption: { keySource: "Microsoft.KeyVault",
      keyVaultProperties: { keyName: "k", keyVersion: "1", keyVaultUri: `https://${vaultName}.vault.azure.net/` } } } });
    for (const [vaultName, accountName] of [["kvcmk1", "appcmk1"], ["kvcmk2", "appcmk2"]]) {
      await create("vault", "rg1", vaultName);
      const res = await admin(server, "PUT", `${ids.account("rg1", accountName)}?api-version=2025-06-01`, cmk(vaultName));
      assert.equal(res.status, 201, res.text);
      await remove("account", "rg1", accountName);
      await remove("vault", "rg1", vaultName);
    }
    await page.goto(`${server.url}/?subscription=${sub}`);
    // Both of a pair at once: the account is listed first (48 h) but its vault is recovered first.
    await bin().getByRole("checkbox", { name: "appcmk1", exact: true }).check();
    await bin().getByRole("checkbox", { name: "kvcmk1", exact: true }).check();
    await toolbar().getByRole("button", { name: "Recover", exact: true }).click();
    await notified("Recovered 2 of 2 resources.");
    assert.equal(await get("vault", "rg1", "kvcmk1"), 200);
    assert.equal(await get("account", "rg1", "appcmk1"), 200);
    // The account alone: refused, the vault named, and Show selects it.
    const row = rowOf(bin(), "appcmk2");
    await bin().getByRole("checkbox", { name: "appcmk2", exact: true }).check();
    await toolbar().getByRole("button", { name: "Recover", exact: true }).click();
    await row.getByText(/^Recover failed: DependencySoftDeleted: .*kvcmk2/).waitFor();
    await bin().getByRole("checkbox", { name: "appcmk2", exact: true }).uncheck();
    await row.getByRole("button", { name: "Show kvcmk2", exact: true }).click();
    assert.equal(await page.getByRole("searchbox", { name: "Filter by name", exact: true }).inputValue(), "kvcmk2");
    assert.equal(await bin().getByRole("checkbox", { name: "kvcmk2", exact: true }).isChecked(), true);
    await toolbar().getByRole("button", { name: "Recover", exact: true }).click();
    await notified("Recovered kvcmk2.");
    await page.getByRole("searchbox", { name: "Filter by name", exact: true }).fill("");
    await bin().getByRole("checkbox", { name: "appcmk2", exact: true }).check();
    await toolbar().getByRole("button", { name: "Recover", exact: true }).click();
    await notified("Recovered appcmk2.");
  });

  await step("a workspace deleted with 'Delete the workspace permanently' never appears in Recently deleted", async () => {
    await create("workspace", "rg1", "ws1");
    await page.goto(`${server.url}/resources?subscription=${sub}&type=ml`);
    const resources = page.getByRole("table", { name: "Resources", exact: true });
    await resources.getByRole("checkbox", { name: "ws1", exact: true }).check();
    await page.getByRole("toolbar", { name: "Resource actions", exact: true })
      .getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete 1 resource?", exact: true });
    await dialog.getByRole("checkbox", { name: "Delete the workspace permanently", exact: true }).check();
    await dialog.getByRole("button", { name: "Confirm delete", exact: true }).click();
    await notified("Permanently deleted ws1.");
    assert.equal(await get("workspace", "rg1", "ws1"), 404);
    await page.goto(`${server.url}/?subscription=${sub}&type=ml`);
    await page.getByRole("cell", { name: /^No deleted resources in Reprieve default \(Machine Learning workspaces\)\./ }).waitFor();
  });

  await step("the bin lists every type, soonest scheduled purge first", async () => {
    await create("workspace", "rg1", "ws2");     // 1 day
    await create("account", "rg1", "app5");      // 48 hours
    await create("vault", "rg1", "kv1");         // 7 days
    await create("storage", "rg1", "st1");       // 14 days
    await create("apim", "rg1", "apim1");        // 48 hours, deleted an hour later
    for (const [kind, n] of [["storage", "st1"], ["vault", "kv1"], ["account", "app5"], ["workspace", "ws2"]]) {
      await remove(kind, "rg1", n);
    }
    expectRaw(await admin(server, "POST", "/reprieve/admin/clock", { advance: "PT1H" }), 200, "advance an hour");
    await remove("apim", "rg1", "apim1");
    await page.goto(`${server.url}/?subscription=${sub}`);
    await rowOf(bin(), "st1").waitFor();
    assert.deepEqual(await names(bin()), ["ws2", "app5", "apim1", "kv1", "st1"]);
    const types = await bin().getByRole("row").locator("td:nth-child(3)").allTextContents();
    assert.deepEqual(types, ["Machine Learning workspace", "Azure AI services account", "API Management service",
                             "Key vault", "Storage account"]);
    await rowOf(bin(), "st1").getByText("Not purgeable (purged automatically at the scheduled date)", { exact: true }).waitFor();
    if (process.env.REPRIEVE_UPDATE_DOCS) await page.screenshot({ path: path.join(DOCS, "portal-bin.png") });
  });

  await step("advancing the manual clock past every retention empties the bin", async () => {
    const clock = page.getByRole("region", { name: "Server clock", exact: true });
    await clock.getByText("Manual clock", { exact: true }).waitFor();
    await clock.getByRole("textbox", { name: "Advance by", exact: true }).fill("not a duration");
    await clock.getByRole("button", { name: "Advance clock", exact: true }).click();
    await clock.getByRole("alert").getByText(/./).waitFor();
    await clock.getByRole("textbox", { name: "Advance by", exact: true }).fill("P15D");
    await clock.getByRole("button", { name: "Advance clock", exact: true }).click();
    await notifications().getByText(/^Clock advanced to .*\. 5 resources purged automatically\.$/).waitFor();
    await page.getByRole("cell", { name: /^No deleted resources in Reprieve default \(all resource types\)\./ }).waitFor();
  });

  await step("the page ran without a script error or a CSP refusal", async () => {
    // Refusals the steps provoke (the group-less recover's 404, the bad duration's 400) are
    // logged by Chromium as failed loads; anything else is a fault of the page.
    const unexpected = pageErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(e));
    assert.deepEqual(unexpected, []);
  });
});

test("portal: a recover that runs shows Recovering… until its operation ends", { timeout: 60_000 }, async () => {
  const slow = await startServer({ clock: "manual", args: ["--operation-duration", "recover=PT2M"] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-US", timezoneId: "UTC" });
  try {
    const s = await defaultSubscription(slow);
    const base = `/subscriptions/${s}/resourceGroups/rg1`;
    expectRaw(await admin(slow, "PUT", `${base}?api-version=2025-04-01`, { location: "eastus" }), 201, "group");
    const id = `${base}/providers/Microsoft.CognitiveServices/accounts/slow1`;
    expectRaw(await admin(slow, "PUT", `${id}?api-version=2025-06-01`, BODY.account), 201, "create");
    expectRaw(await admin(slow, "DELETE", `${id}?api-version=2025-06-01`), 200, "delete");
    const p = await context.newPage();
    await p.goto(`${slow.url}/?type=cognitive`);
    const table = p.getByRole("table", { name: "Deleted resources", exact: true });
    await table.getByRole("checkbox", { name: "slow1", exact: true }).check();
    await p.getByRole("toolbar", { name: "Deleted resource actions", exact: true })
      .getByRole("button", { name: "Recover", exact: true }).click();
    const row = table.getByRole("row").filter({ has: p.getByRole("rowheader", { name: "slow1", exact: true }) });
    await row.getByText("Recovering…", { exact: true }).waitFor();
    assert.equal(await row.getAttribute("aria-busy"), "true");
    assert.equal(await table.getByRole("checkbox", { name: "slow1", exact: true }).isDisabled(), true);
    // The operation ends when the server's clock passes its end; the page's poll sees it.
    expectRaw(await admin(slow, "POST", "/reprieve/admin/clock", { advance: "PT2M" }), 200, "advance");
    await p.getByRole("status", { name: "Notifications", exact: true }).getByText("Recovered slow1.", { exact: true }).waitFor();
    await row.waitFor({ state: "detached" });
    expectRaw(await admin(slow, "GET", `${id}?api-version=2025-06-01`), 200, "slow1 is live");
  } finally {
    await context.close();
    await slow.stop();
  }
});

test("portal: in strict mode a service principal signs in and sees what its role allows", { timeout: 60_000 }, async () => {
  const strict = await startServer({ clock: "manual", args: ["--auth", "strict"] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-US", timezoneId: "UTC" });
  try {
    const TENANT = "00000000-0000-0000-0000-00000000a001";
    const token = async (resource) => {
      const res = await request(strict, "POST", "/reprieve/msi/token", {
        headers: { Metadata: "true", "Content-Type": "application/x-www-form-urlencoded" },
        rawBody: Buffer.from(`resource=${encodeURIComponent(resource)}`),
      });
      assert.equal(res.status, 200, res.text);
      return res.body.access_token;
    };
    const arm = await token(`${strict.url}/`);
    const graphToken = await token(`${strict.url}/graph/`);
    const as = (t) => (method, p, body) => request(strict, method, p, { headers: { Authorization: `Bearer ${t}` }, body });
    const mgmt = as(arm);
    const graph = as(graphToken);
    const s = expectRaw(await mgmt("GET", "/subscriptions?api-version=2022-12-01"), 200, "subscriptions")
      .value[0].subscriptionId;
    const base = `/subscriptions/${s}/resourceGroups/rg1`;
    expectRaw(await mgmt("PUT", `${base}?api-version=2025-04-01`, { location: "eastus" }), 201, "group");
    const id = `${base}/providers/Microsoft.CognitiveServices/accounts/strict1`;
    expectRaw(await mgmt("PUT", `${id}?api-version=2025-06-01`, BODY.account), 201, "create");
    expectRaw(await mgmt("DELETE", `${id}?api-version=2025-06-01`), 200, "delete");
    const app = expectRaw(await graph("POST", "/graph/v1.0/applications", { displayName: "portal" }), 201, "app");
    const secret = expectRaw(await graph("POST", `/graph/v1.0/applications/${app.id}/addPassword`,
      { passwordCredential: { displayName: "portal" } }), 200, "secret");
    const sp = expectRaw(await graph("POST", "/graph/v1.0/servicePrincipals", { appId: app.appId }), 201, "sp");
    expectRaw(await mgmt("PUT", `/subscriptions/${s}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, {
      properties: { roleDefinitionId: `/subscriptions/${s}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
                    principalId: sp.id, principalType: "ServicePrincipal" } }), 201, "Reader");

    const p = await context.newPage();
    await p.goto(`${strict.url}/`);
    const signin = p.getByRole("region", { name: "Sign in", exact: true });
    await signin.getByRole("textbox", { name: "Tenant", exact: true }).fill(TENANT);
    await signin.getByRole("textbox", { name: "Client id", exact: true }).fill(app.appId);
    await signin.getByRole("textbox", { name: "Client secret", exact: true }).fill(secret.secretText);
    await signin.getByRole("button", { name: "Sign in", exact: true }).click();
    const table = p.getByRole("table", { name: "Deleted resources", exact: true });
    await table.getByRole("rowheader", { name: "strict1", exact: true }).waitFor();
    // A Reader may list but not purge: the server's refusal shows on the row.
    await table.getByRole("checkbox", { name: "strict1", exact: true }).check();
    await p.getByRole("toolbar", { name: "Deleted resource actions", exact: true })
      .getByRole("button", { name: "Purge", exact: true }).click();
    await p.getByRole("alertdialog", { name: "Purge 1 resource?", exact: true })
      .getByRole("button", { name: "Purge permanently", exact: true }).click();
    await table.getByRole("row").filter({ has: p.getByRole("rowheader", { name: "strict1", exact: true }) })
      .getByText(/^Purge failed: AuthorizationFailed: /).waitFor();
  } finally {
    await context.close();
    await strict.stop();
  }
});
