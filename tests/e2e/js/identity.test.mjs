// Identity and RBAC in strict mode, driven by the unmodified JS identity library and SDKs:
// @azure/identity's ClientSecretCredential signs in to Reprieve's token service,
// @azure/arm-authorization assigns roles, and the resource SDKs then meet Azure's
// authorization: a Reader lists soft-deleted accounts but may neither recover nor purge
// them, a Contributor may, a principal without a role sees no subscription, and a Key Vault
// Contributor cannot purge a vault while a Key Vault Purge Operator can; an ML workspace's
// role assignment is gone while the workspace is soft-deleted and back after its recover.
// The recycle bin shows a principal only the types it may list deleted resources of, and
// the `reprieve` CLI signs in with a service principal's client credentials.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { ClientSecretCredential } from "@azure/identity";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { AzureMachineLearningWorkspaces } from "@azure/arm-machinelearning";
import { ResourceManagementClient } from "@azure/arm-resources";

import { request, runCli, startServer } from "./server.mjs";
import { LRO, collect, expectRaw, expectStatus } from "./steps.mjs";

const TENANT = "00000000-0000-0000-0000-00000000a001";
const SUB = "00000000-0000-0000-0000-00000000b001";
const RG = "rg-identity";
const ROLE = {
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  "Key Vault Contributor": "f25e0fa2-a7c8-4377-a976-54943a77a395",
  "Key Vault Purge Operator": "a68e7c17-0ab2-4c09-9a58-125dae29748c",
};

let server;
let admin;  // a TokenCredential for the managed identity, Owner at root

/** The managed identity's tokens, from the endpoint `az login --identity` uses. */
function managedIdentity() {
  return {
    getToken: async (scopes) => {
      const scope = Array.isArray(scopes) ? scopes[0] : scopes;
      const resource = scope.replace(/\/\.default$/, "/");
      const res = await request(server, "POST", "/reprieve/msi/token", {
        headers: { Metadata: "true", "Content-Type": "application/x-www-form-urlencoded" },
        rawBody: Buffer.from(`resource=${encodeURIComponent(resource)}`),
      });
      assert.equal(res.status, 200, `managed-identity token: ${res.text}`);
      return { token: res.body.access_token, expiresOnTimestamp: Number(res.body.expires_on) * 1000 };
    },
  };
}

async function graph(method, path, body) {
  const { token } = await admin.getToken(`${server.url}/graph/.default`);
  return request(server, method, `/graph/v1.0${path}`, {
    headers: { Authorization: `Bearer ${token}` }, body,
  });
}

/** A new application, its secret and its service principal, made through Graph. */
async function newPrincipal(name) {
  const app = expectRaw(await graph("POST", "/applications", { displayName: name }), 201, "create app");
  const password = expectRaw(await graph("POST", `/applications/${app.id}/addPassword`,
    { passwordCredential: { displayName: "e2e" } }), 200, "add password");
  const sp = expectRaw(await graph("POST", "/servicePrincipals", { appId: app.appId }), 201, "create sp");
  const credential = new ClientSecretCredential(TENANT, app.appId, password.secretText, {
    authorityHost: server.url, disableInstanceDiscovery: true, tlsOptions: { ca: server.ca },
  });
  return { appId: app.appId, objectId: sp.id, secret: password.secretText, credential };
}

function options() {
  return { endpoint: server.url, credentialScopes: [`${server.url}/.default`],
           tlsOptions: { ca: server.ca } };
}

const cognitive = (credential) => new CognitiveServicesManagementClient(credential, SUB, options());

async function assign(principal, role, scope) {
  const rbac = new AuthorizationManagementClient(admin, SUB, options());
  const [definition] = await collect(rbac.roleDefinitions.list(scope, { filter: `roleName eq '${role}'` }));
  assert.equal(definition?.name, ROLE[role], `the role definition of ${role}`);
  const created = await rbac.roleAssignments.create(scope, randomUUID(), {
    roleDefinitionId: definition.id, principalId: principal.objectId, principalType: "ServicePrincipal",
  });
  assert.equal(created.principalId, principal.objectId);
  return created;
}

before(async () => {
  server = await startServer({ args: ["--auth", "strict"] });
  admin = managedIdentity();
});

after(async () => {
  await server?.stop();
});

test("dev mode refuses to serve a non-loopback address, and says why", async () => {
  const { spawnSync } = await import("node:child_process");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-e2e-"));
  try {
    const run = spawnSync(process.env.REPRIEVED_BIN, ["--listen", "0.0.0.0:0", "--data-dir", dataDir],
      { encoding: "utf8", timeout: 10_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /--auth dev .* serves only loopback addresses.*--auth strict/s);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a token Reprieve did not sign is refused in strict mode", async () => {
  const res = await request(server, "GET", "/subscriptions?api-version=2022-12-01", {
    headers: { Authorization: "Bearer fake-token" },
  });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, "InvalidAuthenticationToken");
});

test("a wrong client secret is invalid_client", async () => {
  const principal = await newPrincipal("wrong-secret");
  const wrong = new ClientSecretCredential(TENANT, principal.appId, "not-the-secret", {
    authorityHost: server.url, disableInstanceDiscovery: true, tlsOptions: { ca: server.ca },
  });
  await assert.rejects(wrong.getToken(`${server.url}/.default`), /invalid_client|AADSTS7000215/);
});

test("Reader lists deleted accounts but may not recover or purge; Contributor may", async () => {
  const reader = await newPrincipal("reader");
  const contributor = await newPrincipal("contributor");
  const stranger = await newPrincipal("stranger");
  await assign(reader, "Reader", `/subscriptions/${SUB}`);
  await assign(contributor, "Contributor", `/subscriptions/${SUB}`);

  const resources = new ResourceManagementClient(admin, SUB, options());
  await resources.resourceGroups.createOrUpdate(RG, { location: "eastus" });
  const owner = cognitive(admin);
  const account = { location: "eastus", kind: "TextAnalytics", sku: { name: "S0" }, properties: {} };
  await owner.accounts.beginCreateAndWait(RG, "acct1", account, LRO);
  await owner.accounts.beginDeleteAndWait(RG, "acct1", LRO);

  const deleted = await collect(cognitive(reader.credential).deletedAccounts.list());
  assert.deepEqual(deleted.map((a) => a.name), ["acct1"]);
  const recover = { location: "eastus", properties: { restore: true } };
  const denied = await expectStatus(
    cognitive(reader.credential).accounts.beginCreateAndWait(RG, "acct1", recover, LRO), 403, "Reader recovers");
  assert.equal(denied.code, "AuthorizationFailed");
  assert.match(denied.message, new RegExp(`object id '${reader.objectId}'.*Microsoft.CognitiveServices/accounts/write`));
  await expectStatus(cognitive(reader.credential).deletedAccounts.beginPurgeAndWait("eastus", RG, "acct1", LRO),
    403, "Reader purges");

  const recovered = await cognitive(contributor.credential).accounts.beginCreateAndWait(RG, "acct1", recover, LRO);
  assert.equal(recovered.kind, "TextAnalytics");
  await cognitive(contributor.credential).accounts.beginDeleteAndWait(RG, "acct1", LRO);
  await cognitive(contributor.credential).deletedAccounts.beginPurgeAndWait("eastus", RG, "acct1", LRO);
  assert.deepEqual(await collect(cognitive(reader.credential).deletedAccounts.list()), []);

  // A principal with no role sees no subscription and is refused everything under one.
  const { token } = await stranger.credential.getToken(`${server.url}/.default`);
  const subscriptions = await request(server, "GET", "/subscriptions?api-version=2022-12-01", {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(subscriptions.status, 200);
  assert.deepEqual(subscriptions.body.value, []);
  await expectStatus(collect(cognitive(stranger.credential).deletedAccounts.list()), 403, "stranger lists");
});

test("a Key Vault Contributor cannot purge a vault; a Key Vault Purge Operator can", async () => {
  const vaultContributor = await newPrincipal("kv-contributor");
  const purger = await newPrincipal("kv-purger");
  const scope = `/subscriptions/${SUB}`;
  await assign(vaultContributor, "Key Vault Contributor", scope);
  await assign(purger, "Key Vault Purge Operator", scope);
  const resources = new ResourceManagementClient(admin, SUB, options());
  await resources.resourceGroups.createOrUpdate(RG, { location: "eastus" });

  const vaults = (credential) => new KeyVaultManagementClient(credential, SUB, options());
  await vaults(vaultContributor.credential).vaults.beginCreateOrUpdateAndWait(RG, "kv-identity", {
    location: "eastus",
    properties: { tenantId: TENANT, sku: { family: "A", name: "standard" }, accessPolicies: [] },
  }, LRO);
  await vaults(vaultContributor.credential).vaults.delete(RG, "kv-identity");
  const denied = await expectStatus(
    vaults(vaultContributor.credential).vaults.beginPurgeDeletedAndWait("kv-identity", "eastus", LRO),
    403, "Key Vault Contributor purges");
  assert.match(denied.message, /Microsoft\.KeyVault\/locations\/deletedVaults\/purge\/action/);
  await vaults(purger.credential).vaults.beginPurgeDeletedAndWait("kv-identity", "eastus", LRO);
  await expectStatus(vaults(purger.credential).vaults.getDeleted("kv-identity", "eastus"), 404, "purged vault");
});

test("an ML workspace's role assignment is gone while it is soft-deleted and back after recover", async () => {
  const scientist = await newPrincipal("data-scientist");
  const resources = new ResourceManagementClient(admin, SUB, options());
  await resources.resourceGroups.createOrUpdate(RG, { location: "eastus" });
  const { token } = await admin.getToken(`${server.url}/.default`);
  const asAdmin = (method, path) => request(server, method, path, { headers: { Authorization: `Bearer ${token}` } });
  expectRaw(await asAdmin("POST", `/subscriptions/${SUB}/providers/Microsoft.Features/providers/` +
    "Microsoft.MachineLearningServices/features/WorkspaceSoftDelete/register?api-version=2021-07-01"), 200, "enrol");
  const ml = new AzureMachineLearningWorkspaces(admin, SUB, options());
  const workspace = await ml.workspaces.beginCreateOrUpdateAndWait(RG, "ws-identity", {
    location: "eastus", sku: { name: "Basic" }, friendlyName: "identity",
  }, LRO);
  const rbac = new AuthorizationManagementClient(admin, SUB, options());
  const [definition] = await collect(rbac.roleDefinitions.list(workspace.id, { filter: "roleName eq 'AzureML Data Scientist'" }));
  const name = randomUUID();
  await rbac.roleAssignments.create(workspace.id, name, {
    roleDefinitionId: definition.id, principalId: scientist.objectId, principalType: "ServicePrincipal",
  });
  const atWorkspace = async () => (await collect(rbac.roleAssignments.listForScope(workspace.id, { filter: "atScope()" })))
    .filter((a) => a.principalId === scientist.objectId).map((a) => a.name);
  assert.deepEqual(await atWorkspace(), [name]);

  await ml.workspaces.beginDeleteAndWait(RG, "ws-identity", LRO);
  await expectStatus(rbac.roleAssignments.get(workspace.id, name), 404, "assignment while soft-deleted");
  const recovered = expectRaw(await asAdmin("POST", `/subscriptions/${SUB}/resourceGroups/${RG}/providers/` +
    "Microsoft.MachineLearningServices/deletedWorkspaces/ws-identity/recover?api-version=2024-04-01"), 200, "recover");
  assert.equal(recovered.recovery.recreatedChildren.length, 1);
  assert.match(recovered.recovery.recreatedChildren[0], new RegExp(`/roleAssignments/${name}$`));
  const back = await rbac.roleAssignments.get(workspace.id, name);
  assert.equal(back.principalId, scientist.objectId);
  assert.equal(back.roleDefinitionId, definition.id);
});

test("the recycle bin shows each principal what it may list; the CLI signs in as it", async () => {
  const group = `/subscriptions/${SUB}/resourceGroups/rg-bin`;
  const { token } = await admin.getToken(`${server.url}/.default`);
  const call = (method, path, body) =>
    request(server, method, path, { headers: { Authorization: `Bearer ${token}` }, body });
  expectRaw(await call("PUT", `${group}?api-version=2025-04-01`, { location: "eastus" }), 201, "group");
  const account = `${group}/providers/Microsoft.CognitiveServices/accounts/bin-acct`;
  const vault = `${group}/providers/Microsoft.KeyVault/vaults/bin-kv`;
  expectRaw(await call("PUT", `${account}?api-version=2025-06-01`,
    { location: "eastus", kind: "OpenAI", sku: { name: "S0" } }), 201, "account");
  expectRaw(await call("PUT", `${vault}?api-version=2026-02-01`, { location: "eastus",
    properties: { tenantId: TENANT, sku: { family: "A", name: "standard" } } }), 201, "vault");
  expectRaw(await call("DELETE", `${account}?api-version=2025-06-01`), 200, "delete account");
  expectRaw(await call("DELETE", `${vault}?api-version=2026-02-01`), 200, "delete vault");

  // A custom role that may read the bin and Key Vault's deleted vaults, nothing else.
  const rbac = new AuthorizationManagementClient(admin, SUB, options());
  const scope = `/subscriptions/${SUB}`;
  const role = await rbac.roleDefinitions.createOrUpdate(scope, randomUUID(), {
    roleName: "Deleted vault reader", roleType: "CustomRole",
    permissions: [{ actions: ["Reprieve.Lifecycle/deletedResources/read", "Microsoft.KeyVault/deletedVaults/read"] }],
    assignableScopes: [scope],
  });
  const vaults = await newPrincipal("bin-vaults");
  await rbac.roleAssignments.create(scope, randomUUID(), {
    roleDefinitionId: role.id, principalId: vaults.objectId, principalType: "ServicePrincipal" });
  const reader = await newPrincipal("bin-reader");
  await assign(reader, "Reader", scope);
  const nobody = await newPrincipal("bin-nobody");

  const as = (p, args) => runCli(server, [...args, "-o", "json"], {
    REPRIEVE_CLIENT_ID: p.appId, REPRIEVE_CLIENT_SECRET: p.secret, REPRIEVE_TENANT: TENANT });
  const names = (run) => {
    assert.equal(run.code, 0, `exit code (stderr: ${run.stderr})`);
    return JSON.parse(run.stdout).map((e) => e.name).sort();
  };
  assert.deepEqual(names(await as(reader, ["deleted", "list"])), ["bin-acct", "bin-kv"], "a Reader sees both");
  assert.deepEqual(names(await as(vaults, ["deleted", "list", "--subscription", SUB])), ["bin-kv"],
    "the custom role sees only the vault");
  const denied = await as(nobody, ["deleted", "list", "--subscription", SUB]);
  assert.equal(denied.code, 1, "no role: refused");
  assert.match(denied.stderr, /AuthorizationFailed: /);
  const purge = await as(reader, ["deleted", "purge", account]);
  assert.equal(purge.code, 1, "a Reader may list but not purge");
  assert.match(purge.stderr, /AuthorizationFailed: /);
  const wrong = await runCli(server, ["clock", "show"], {
    REPRIEVE_CLIENT_ID: reader.appId, REPRIEVE_CLIENT_SECRET: "not-the-secret", REPRIEVE_TENANT: TENANT });
  assert.equal(wrong.code, 1, "a wrong secret is refused by the token endpoint");
  assert.match(wrong.stderr, /invalid_client: /);
  const unsigned = await runCli(server, ["deleted", "list", "--subscription", SUB]);
  assert.equal(unsigned.code, 1, "strict mode refuses the CLI's unsigned dev token");
  assert.match(unsigned.stderr, /InvalidAuthenticationToken/);
});
