// Helpers for the end-to-end tests: start a private reprieved, talk to it.
//
// The binary comes from $REPRIEVED_BIN. Each startServer() call gets its own
// temporary data directory and an ephemeral port; stop() kills the process and
// removes the directory.

import { spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";

const READY_LINE = /^reprieved: listening on (https:\/\/127\.0\.0\.1:\d+)$/m;
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** Fake TokenCredential; the server accepts any bearer token. */
export const credential = {
  getToken: async () => ({ token: "fake-token", expiresOnTimestamp: Date.now() + 3600e3 }),
};

/** Options for the core-client based SDK constructors: endpoint and CA trust. */
export function clientOptions(server) {
  // Note: updateIntervalInMs is read by the begin*() methods only, not by the
  // client constructor, so tests also pass it per long-running call.
  return { endpoint: server.url, tlsOptions: { ca: server.ca }, updateIntervalInMs: 10 };
}

/**
 * Starts reprieved on 127.0.0.1 with an ephemeral port and a fresh data dir.
 * Resolves { url, ca, dataDir, pid, stop, crash, output }. `args` are extra
 * command-line flags (e.g. ["--read-timeout-s", "2"]).
 */
export async function startServer({ clock = "manual", dataDir: givenDir, args: extraArgs = [] } = {}) {
  const bin = process.env.REPRIEVED_BIN;
  if (!bin) {
    throw new Error("REPRIEVED_BIN is not set; point it at the reprieved binary");
  }
  // A caller-given data dir is reused (restart after a crash) and left in place on stop.
  const dataDir = givenDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "reprieve-e2e-"));
  const args = ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--clock", clock, ...extraArgs];
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });

  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  // Keep draining both pipes for the whole life of the process so that the
  // server never blocks on a full pipe.
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    if (process.env.REPRIEVE_E2E_VERBOSE) process.stderr.write(chunk);
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    if (process.env.REPRIEVE_E2E_VERBOSE) process.stderr.write(chunk);
  });

  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let hasExited = false;
  exited.then(() => { hasExited = true; });

  const removeDir = () => {
    if (!givenDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(
          `reprieved did not print its listening line within ${START_TIMEOUT_MS} ms\n` +
          `stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, START_TIMEOUT_MS);
      const onData = () => {
        // Only look at complete lines, so that a port number split across
        // two chunks is never read half-way.
        const complete = stdout.slice(0, stdout.lastIndexOf("\n") + 1);
        const m = READY_LINE.exec(complete);
        if (m) {
          cleanup();
          resolve(m[1]);
        }
      };
      const onExit = (code, signal) => {
        cleanup();
        reject(new Error(
          `reprieved exited before listening (code ${code}, signal ${signal})\n` +
          `args: ${args.join(" ")}\nstderr:\n${stderr}`));
      };
      const onError = (err) => {
        cleanup();
        reject(new Error(`cannot start reprieved at ${bin}: ${err.message}\nstderr:\n${stderr}`));
      };
      function cleanup() {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        child.off("exit", onExit);
        child.off("error", onError);
      }
      child.stdout.on("data", onData);
      child.once("exit", onExit);
      child.once("error", onError);
      onData();
    });
  } catch (err) {
    await killAndWait(child, exited, () => hasExited);
    removeDir();
    throw err;
  }

  let ca;
  try {
    ca = fs.readFileSync(path.join(dataDir, "tls", "ca.pem"));
  } catch (err) {
    await killAndWait(child, exited, () => hasExited);
    removeDir();
    throw new Error(`reprieved is listening but ${dataDir}/tls/ca.pem is unreadable: ${err.message}`);
  }

  let stopped = null;
  const stop = () => {
    if (!stopped) {
      stopped = (async () => {
        await killAndWait(child, exited, () => hasExited);
        removeDir();
      })();
    }
    return stopped;
  };

  /** kill -9: the process gets no chance to flush or clean up; the data dir stays. */
  const crash = async () => {
    if (!hasExited) child.kill("SIGKILL");
    await exited;
  };

  return {
    url,
    ca,
    dataDir,
    /** The server's process id (e.g. to read /proc/<pid>/status). */
    pid: child.pid,
    /** Sends the process a signal ("SIGTERM", ...). */
    signal: (name) => child.kill(name),
    /** Resolves { code, signal } once the process has exited. */
    exited,
    stop,
    crash,
    /** Everything the server printed so far (for diagnostics). */
    output: () => ({ stdout, stderr }),
  };
}

async function killAndWait(child, exited, hasExited) {
  // pid is undefined when spawn itself failed (e.g. ENOENT): nothing to kill.
  if (hasExited() || child.pid === undefined) return;
  child.kill("SIGTERM");
  let timer;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise((resolve) => { timer = setTimeout(() => resolve(true), STOP_GRACE_MS); }),
  ]);
  clearTimeout(timer);
  if (timedOut && !hasExited()) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Plain HTTPS request to the server (no SDK). The path is sent exactly as given (no URL
 * normalization, so "..%2F" and the like reach the server). `headers` are sent as given;
 * `body`, when not undefined, is sent as JSON, or `rawBody` (a Buffer) as it is. Resolves
 * { status, headers, text, body } with body parsed as JSON when it is JSON (the text
 * otherwise) and undefined when empty. Each request has its own connection unless an
 * `agent` (e.g. a keep-alive https.Agent) is given.
 */
export function request(server, method, urlPath,
                        { headers = {}, body, rawBody, agent = false, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(server.url);
    const payload = rawBody ?? (body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    const allHeaders = { Accept: "application/json", ...headers };
    if (payload !== undefined) {
      allHeaders["Content-Type"] ??= "application/json";
      allHeaders["Content-Length"] = String(payload.length);
    }
    const req = https.request({
      host: hostname, port, method, path: urlPath, ca: server.ca, headers: allHeaders, agent,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed;
        if (text.length > 0) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
      });
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Authenticated JSON request, e.g. admin(server, "POST", "/reprieve/admin/clock", { advance: "PT1H" }). */
export function admin(server, method, urlPath, body) {
  return request(server, method, urlPath, {
    headers: { Authorization: "Bearer fake-token" },
    body,
  });
}

/** The first subscription the server lists. */
export async function defaultSubscription(server) {
  const res = await admin(server, "GET", "/subscriptions?api-version=2022-12-01");
  if (res.status !== 200) {
    throw new Error(`GET /subscriptions answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  const id = res.body?.value?.[0]?.subscriptionId;
  if (typeof id !== "string" || id.length === 0) {
    throw new Error(`GET /subscriptions listed no subscription: ${JSON.stringify(res.body)}`);
  }
  return id;
}

/**
 * Runs the `reprieve` CLI ($REPRIEVE_BIN) against `server`; `env` adds or overrides
 * variables. Resolves { code, stdout, stderr }.
 */
export function runCli(server, args, env = {}) {
  const bin = process.env.REPRIEVE_BIN;
  if (!bin) throw new Error("REPRIEVE_BIN is not set; point it at the reprieve binary");
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: {
        ...process.env,
        REPRIEVE_SERVER: server.url,
        REPRIEVE_CA: path.join(server.dataDir, "tls", "ca.pem"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (c) => { stdout += c; });
    child.stderr.on("data", (c) => { stderr += c; });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
