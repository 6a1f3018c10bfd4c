// An acknowledged write survives kill -9 of the server: several crash cycles, each right
// after a burst of acknowledged lifecycle changes, then a restart on the same data dir.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { admin, defaultSubscription, startServer } from "./server.mjs";

const CYCLES = 5;
const API = "api-version=2025-09-01";

test("acknowledged changes survive kill -9 and restart", async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-crash-"));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  let server = await startServer({ dataDir });
  try {
    const sub = await defaultSubscription(server);
    const group = `/subscriptions/${sub}/resourceGroups/rg-crash`;
    const account = (i) => `${group}/providers/Microsoft.CognitiveServices/accounts/acct${i}`;
    const deleted = (i) =>
      `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg-crash/deletedAccounts/acct${i}`;
    let res = await admin(server, "PUT", `${group}?api-version=2025-04-01`, { location: "eastus" });
    assert.equal(res.status, 201);

    const expected = new Map();  // i -> { state, deletionDate?, key1 }
    for (let cycle = 0; cycle < CYCLES; ++cycle) {
      // Acknowledged changes of this cycle: create two accounts, soft-delete the first.
      for (const i of [2 * cycle, 2 * cycle + 1]) {
        res = await admin(server, "PUT", `${account(i)}?${API}`,
          { location: "eastus", kind: "Face", sku: { name: "S0" }, tags: { cycle: String(cycle) } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const keys = await admin(server, "POST", `${account(i)}/listKeys?${API}`);
        expected.set(i, { state: "live", key1: keys.body.key1 });
      }
      res = await admin(server, "DELETE", `${account(2 * cycle)}?${API}`);
      assert.equal(res.status, 200);
      const shown = await admin(server, "GET", `${deleted(2 * cycle)}?${API}`);
      expected.set(2 * cycle, { ...expected.get(2 * cycle), state: "deleted",
                                deletionDate: shown.body.properties.deletionDate,
                                scheduledPurgeDate: shown.body.properties.scheduledPurgeDate });

      await server.crash();
      server = await startServer({ dataDir });

      for (const [i, want] of expected) {
        if (want.state === "live") {
          res = await admin(server, "GET", `${account(i)}?${API}`);
          assert.equal(res.status, 200, `cycle ${cycle}: acct${i} lost after kill -9`);
          const keys = await admin(server, "POST", `${account(i)}/listKeys?${API}`);
          assert.equal(keys.body.key1, want.key1, `cycle ${cycle}: acct${i} keys changed`);
        } else {
          res = await admin(server, "GET", `${account(i)}?${API}`);
          assert.equal(res.status, 404, `cycle ${cycle}: deleted acct${i} came back to life`);
          res = await admin(server, "GET", `${deleted(i)}?${API}`);
          assert.equal(res.status, 200, `cycle ${cycle}: soft-deleted acct${i} lost`);
          assert.equal(res.body.properties.deletionDate, want.deletionDate);
          assert.equal(res.body.properties.scheduledPurgeDate, want.scheduledPurgeDate);
        }
      }
    }
  } finally {
    await server.stop();
  }
});
