// The `reprieve` CLI against a live reprieved: the recycle bin across types (list, show,
// recover, purge by either id), the clock, the ML workspace commands as the seed spells
// them, the three output formats and the exit codes (0 ok, 1 refused, 2 usage, 3
// unreachable).
//
// Expected values come from Azure's documentation: Cognitive Services accounts are kept
// 48 hours, a key vault for its softDeleteRetentionInDays, a purge-protected vault refuses
// a purge, and a workspace deleted with --permanently-delete is never soft-deleted.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { admin, defaultSubscription, runCli, startServer } from "./server.mjs";
import { HOUR_MS, expectRaw, stepper } from "./steps.mjs";

let server;
let sub;
const RG = "cli-rg";

before(async () => {
  server = await startServer({ clock: "manual" });
  sub = await defaultSubscription(server);
});
after(async () => server?.stop());

/** Runs the CLI against this file's server. */
function cli(args, { env = {} } = {}) {
  return runCli(server, args, env);
}

async function cliJson(args, what) {
  const run = await cli([...args, "-o", "json"]);
  assert.equal(run.code, 0, `${what}: exit code (stderr: ${run.stderr})`);
  return JSON.parse(run.stdout);
}

const group = () => `/subscriptions/${sub}/resourceGroups/${RG}`;
const account = (name) => `${group()}/providers/Microsoft.CognitiveServices/accounts/${name}`;
const vault = (name) => `${group()}/providers/Microsoft.KeyVault/vaults/${name}`;
const workspace = (name) => `${group()}/providers/Microsoft.MachineLearningServices/workspaces/${name}`;

async function put(id, version, body, what) {
  const res = await admin(server, "PUT", `${id}?api-version=${version}`, body);
  assert.ok(res.status === 200 || res.status === 201, `${what}: ${res.status} ${res.text}`);
}

async function del(id, version, what) {
  const res = await admin(server, "DELETE", `${id}?api-version=${version}`);
  assert.ok(res.status === 200 || res.status === 202, `${what}: ${res.status} ${res.text}`);
}

test("reprieve CLI: recycle bin, clock, ML workspaces, outputs and exit codes", { timeout: 120_000 }, async (t) => {
  const step = stepper(t);

  await step("set up: three deleted accounts and a purge-protected deleted vault", async () => {
    expectRaw(await admin(server, "PUT", `${group()}?api-version=2025-04-01`, { location: "eastus" }), 201, "group");
    for (const name of ["acct1", "acct2", "acct3"]) {
      await put(account(name), "2025-06-01", { location: "eastus", kind: "OpenAI", sku: { name: "S0" } }, name);
    }
    await put(vault("cli-kv1"), "2026-02-01", {
      location: "eastus",
      properties: { tenantId: "00000000-0000-0000-0000-00000000a001", sku: { family: "A", name: "standard" },
                    softDeleteRetentionInDays: 7, enablePurgeProtection: true },
    }, "vault");
    for (const name of ["acct1", "acct2", "acct3"]) await del(account(name), "2025-06-01", `delete ${name}`);
    await del(vault("cli-kv1"), "2026-02-01", "delete vault");
  });

  await step("deleted list: every type, soonest purge first, as json, table and tsv", async () => {
    const entries = await cliJson(["deleted", "list"], "deleted list");
    assert.deepEqual(entries.map((e) => e.name), ["acct1", "acct2", "acct3", "cli-kv1"]);
    const acct1 = entries[0];
    assert.equal(acct1.resourceId, account("acct1"));
    assert.equal(Date.parse(acct1.scheduledPurgeDate) - Date.parse(acct1.deletionDate), 48 * HOUR_MS);
    assert.equal(acct1.recoverable, true);
    assert.equal(entries[3].purgeProtection, true);

    const table = await cli(["deleted", "list"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^Name\s+Type\s+ResourceGroup\s+Location\s+Deleted\s+ScheduledPurge\s+TimeRemaining\s+Recoverable\s+Id$/);
    assert.match(lines[1], /^-+\s+-+/);
    assert.equal(lines.length, 2 + 4, table.stdout);
    assert.match(lines[2], /^acct1\s+Azure AI services account\s+cli-rg\s+eastus\s.*\s2 d 0 h\s+yes\s/);
    assert.match(lines[5], /^cli-kv1\s+Key vault\s+cli-rg\s.*\s7 d 0 h\s/);

    const tsv = await cli(["deleted", "list", "-o", "tsv", "--type", "keyvault"]);
    assert.equal(tsv.code, 0, tsv.stderr);
    const rows = tsv.stdout.trimEnd().split("\n").map((l) => l.split("\t"));
    assert.equal(rows.length, 1, tsv.stdout);
    assert.equal(rows[0][0], "cli-kv1");
    assert.equal(rows[0][8], vault("cli-kv1"));

    const inGroup = await cliJson(["deleted", "list", "-g", RG, "--type", "cognitive"], "list -g --type");
    assert.deepEqual(inGroup.map((e) => e.name), ["acct1", "acct2", "acct3"]);
  });

  await step("deleted show: by original id and by deleted-record id", async () => {
    const all = await cliJson(["deleted", "list"], "deleted list");
    const byOriginal = await cliJson(["deleted", "show", account("acct2")], "show by resource id");
    assert.equal(byOriginal.name, "acct2");
    const byRecord = await cliJson(["deleted", "show", all[0].id], "show by deleted-record id");
    assert.equal(byRecord.resourceId, account("acct1"));
    const missing = await cli(["deleted", "show", account("never")]);
    assert.equal(missing.code, 1, "an id not in the bin is refused");
    assert.match(missing.stderr, /DeletedResourceNotFound: /);
  });

  await step("deleted recover two: progress on stderr, both live again", async () => {
    const run = await cli(["deleted", "recover", account("acct1"), account("acct2"), "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\[1\/2\] Recovering acct1 \(Azure AI services account\)\.\.\. done/);
    assert.match(run.stderr, /\[2\/2\] Recovering acct2 .* done/);
    assert.deepEqual(JSON.parse(run.stdout).map((r) => r.status), ["Recovered", "Recovered"]);
    for (const name of ["acct1", "acct2"]) {
      expectRaw(await admin(server, "GET", `${account(name)}?api-version=2025-06-01`), 200, `${name} is live`);
    }
  });

  await step("deleted purge: the third goes; the protected vault is refused with its ARM error", async () => {
    const run = await cli(["deleted", "purge", account("acct3")]);
    assert.equal(run.code, 0, run.stderr);
    expectRaw(await admin(server, "GET",
      `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/${RG}/deletedAccounts/acct3?api-version=2025-06-01`),
      404, "acct3 is gone");
    const refused = await cli(["deleted", "purge", vault("cli-kv1")]);
    assert.equal(refused.code, 1, "a purge-protected vault is refused");
    assert.match(refused.stderr, /PurgeProtected: /);
  });

  await step("usage errors exit 2, an unreachable server 3", async () => {
    for (const args of [["deleted", "frobnicate"], ["deleted", "list", "-o", "xml"], ["clock", "advance"],
                        ["deleted", "list", "--type", "nope"], []]) {
      const run = await cli(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    }
    const gone = await cli(["clock", "show"], { env: { REPRIEVE_SERVER: "https://127.0.0.1:1" } });
    assert.equal(gone.code, 3, gone.stderr);
    assert.match(gone.stderr, /cannot reach/);
  });

  await step("ml workspace: the first start enrolled soft delete; delete, list-deleted, show-deleted, recover, permanent delete", async () => {
    await put(workspace("ws1"), "2025-12-01", { location: "eastus" }, "workspace");
    let run = await cli(["ml", "workspace", "delete", "-g", RG, "-n", "ws1"]);
    assert.equal(run.code, 0, run.stderr);
    const listed = await cliJson(["ml", "workspace", "list-deleted", "-g", RG], "list-deleted");
    assert.deepEqual(listed.map((w) => w.name), ["ws1"], "soft-deleted without enrolling anything");
    const shown = await cliJson(["ml", "workspace", "show-deleted", "-g", RG, "-n", "ws1"], "show-deleted");
    assert.equal(Date.parse(shown.properties.scheduledPurgeDate) - Date.parse(shown.properties.deletionDate), 14 * 24 * HOUR_MS);
    run = await cli(["ml", "workspace", "recover", "-g", RG, "-n", "ws1"]);
    assert.equal(run.code, 0, run.stderr);
    expectRaw(await admin(server, "GET", `${workspace("ws1")}?api-version=2025-12-01`), 200, "ws1 is live");
    run = await cli(["ml", "workspace", "delete", "-g", RG, "-n", "ws1", "--permanently-delete"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await cliJson(["ml", "workspace", "list-deleted"], "list-deleted after"), []);
    const bin = await cliJson(["deleted", "list", "--type", "ml"], "bin after permanent delete");
    assert.deepEqual(bin, [], "a permanently deleted workspace never reaches the bin");
    const none = await cli(["ml", "workspace", "show-deleted", "-g", RG, "-n", "ws1"]);
    assert.equal(none.code, 1, none.stderr);
  });

  await step("clock: show, advance past 48 h; the accounts' retention ends, the vault stays", async () => {
    const before = await cliJson(["clock", "show"], "clock show");
    assert.equal(before.mode, "manual");
    await del(account("acct1"), "2025-06-01", "delete acct1 again");
    const moved = await cliJson(["clock", "advance", "PT49H"], "clock advance");
    assert.equal(Date.parse(moved.now) - Date.parse(before.now), 49 * HOUR_MS);
    assert.equal(moved.purged, 1);
    const bin = await cliJson(["deleted", "list"], "bin after the advance");
    assert.deepEqual(bin.map((e) => e.name), ["cli-kv1"]);
    const set = await cli(["clock", "set", "not-a-time"]);
    assert.equal(set.code, 1, "the server refuses a malformed time");
  });
});
