// The ARM API as the page calls it: same origin, a bearer token (dev mode: a fixed token the
// server maps to its developer; strict mode: one from Reprieve's token endpoint), JSON in
// and out, ARM errors as thrown ArmError values, and long-running operations polled the
// way the Azure SDKs poll them (Azure-AsyncOperation, else Location, with Retry-After).

const DEV_TOKEN = "reprieve-portal-dev";
let token = DEV_TOKEN;

export class ArmError extends Error {
  constructor(status, code, message, details) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
    this.armMessage = message;
    this.details = details ?? [];
  }
  /** "Code: message", with the first detail when there is one. */
  get text() {
    const first = this.details[0];
    return first ? `${this.code}: ${this.armMessage} (${first.code}: ${first.message})`
                 : `${this.code}: ${this.armMessage}`;
  }
}

function errorOf(status, body) {
  const e = body && typeof body === "object" ? body.error : undefined;
  if (e && typeof e === "object") return new ArmError(status, e.code ?? `Http${status}`, e.message ?? "", e.details);
  if (typeof e === "string") return new ArmError(status, e, body.error_description ?? "");
  return new ArmError(status, `Http${status}`, typeof body === "string" ? body : "the server refused");
}

/** One request; resolves { status, headers, body }, throws ArmError on 4xx/5xx. */
export async function call(method, url, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${token}` };
  if (body !== undefined && body !== null) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers, body: body == null ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ArmError(0, "NetworkError", `the server cannot be reached (${err.message})`);
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (response.status >= 400) throw errorOf(response.status, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const LRO_LIMIT_MS = 5 * 60 * 1000;

function retryAfterMs(headers) {
  const seconds = Number(headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 10) * 1000 : 1000;
}

/** Sends and waits for a running operation to end; resolves the final body (or null). */
export async function run(method, url, body) {
  const first = await call(method, url, body);
  const operation = first.headers.get("Azure-AsyncOperation");
  const location = first.headers.get("Location");
  if ((first.status !== 201 && first.status !== 202) || (!operation && !location)) return first.body;
  const deadline = Date.now() + LRO_LIMIT_MS;
  let wait = retryAfterMs(first.headers);
  while (Date.now() < deadline) {
    await sleep(wait);
    if (operation) {
      const poll = await call("GET", operation);
      wait = retryAfterMs(poll.headers);
      const status = poll.body?.status;
      if (status === "Succeeded") return null;
      if (status === "Failed" || status === "Canceled") throw errorOf(400, poll.body);
    } else {
      const poll = await call("GET", location);
      wait = retryAfterMs(poll.headers);
      if (poll.status !== 202) return poll.body;
    }
  }
  throw new ArmError(0, "StillRunning", "Still running; press Refresh later.");
}

/** Every item of a paged ARM list; `onPage` sees each page's body. */
export async function listAll(url, onPage) {
  const items = [];
  for (let next = url; next;) {
    const page = (await call("GET", next)).body;
    onPage?.(page);
    items.push(...(page?.value ?? []));
    next = page?.nextLink;
  }
  return items;
}

/** Signs in with a service principal's client credentials; the token is kept in memory only. */
export async function signIn(tenant, clientId, secret) {
  const form = new URLSearchParams({
    grant_type: "client_credentials", client_id: clientId, client_secret: secret,
    scope: `${location.origin}/.default`,
  });
  const response = await fetch(`/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form,
  });
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || !body.access_token) throw errorOf(response.status, body);
  token = body.access_token;
}
