// The portal: the recycle bin at / (every soft-deleted resource of every type, soonest purge
// first; ?type= reproduces Azure's per-service entry points) and live resources at
// /resources. It calls the ARM API like any other client and stays type-agnostic by sending
// the bin's recover and purge descriptors. One render() per view, keyed by ARM id, so
// selection and focus survive a refresh. Accessible names follow reference/portal.md §4.3.

import { ArmError, call, listAll, run, signIn } from "./api.js";

const BIN_VERSION = "2026-12-01";
const TYPES = {
  cognitive: { type: "Microsoft.CognitiveServices/accounts", label: "Azure AI services account",
               plural: "Azure AI services accounts", version: "2025-06-01", retentionDays: 2 },
  apim: { type: "Microsoft.ApiManagement/service", label: "API Management service",
          plural: "API Management services", version: "2024-05-01", retentionDays: 2 },
  ml: { type: "Microsoft.MachineLearningServices/workspaces", label: "Machine Learning workspace",
        plural: "Machine Learning workspaces", version: "2025-12-01", retentionDays: 14 },
  keyvault: { type: "Microsoft.KeyVault/vaults", label: "Key vault", plural: "Key vaults",
              version: "2026-02-01", retentionDays: 90 },
  storage: { type: "Microsoft.Storage/storageAccounts", label: "Storage account",
             plural: "Storage accounts", version: "2025-06-01", retentionDays: 14 },
};
const keyOf = (type) => Object.keys(TYPES).find((k) => TYPES[k].type.toLowerCase() === String(type).toLowerCase());
const labelOf = (type) => TYPES[keyOf(type)]?.label ?? type;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
};

const view = location.pathname === "/resources" ? "resources" : "bin";
const params = new URLSearchParams(location.search);
const state = {
  subscriptions: [],
  subscription: params.get("subscription") ?? "",
  type: params.get("type") ?? "",
  name: params.get("name") ?? "",
  rows: [],              // bin entries or live resources, in display order
  nextLink: null,
  serverNow: null,       // the server's time at the last load (Date)
  offsetMs: 0,           // server time − browser time, for the system clock's ticking
  clockMode: null,       // "manual" | "system" | null (unknown: not an administrator)
  selected: new Set(),   // ARM ids
  busy: new Map(),       // id → "Recovering…" | "Purging…" | "Deleting…"
  errors: new Map(),     // id → { text, helper }
  notifications: [],
};

// ---------------------------------------------------------------- formatting

const pad = (n) => String(n).padStart(2, "0");
function utc(iso) {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
function timeCell(iso) {
  return iso ? el("time", { datetime: new Date(iso).toISOString(), text: utc(iso) }) : "";
}
function now() {
  return state.clockMode === "manual" || !state.serverNow
    ? state.serverNow ?? new Date()
    : new Date(Date.now() + state.offsetMs);
}
/** "1 d 23 h", "5 h 12 min", "45 min", "< 1 min", with an ISO-8601 duration. */
function remaining(untilIso) {
  const ms = Math.max(0, new Date(untilIso) - now());
  const minutes = Math.floor(ms / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor(minutes / 60) % 24;
  const mins = minutes % 60;
  let text;
  if (minutes < 1) text = "< 1 min";
  else if (days > 0) text = `${days} d ${hours} h`;
  else if (hours > 0) text = `${hours} h ${mins} min`;
  else text = `${mins} min`;
  const iso = `P${days ? `${days}D` : ""}T${hours}H${mins}M`;
  return { text, iso, soon: minutes < 60 };
}

function notify(message) {
  state.notifications.unshift(message);
  state.notifications.length = Math.min(state.notifications.length, 5);
  $("notifications").replaceChildren(...state.notifications.map((m) => el("p", { text: m })));
}
function pageError(message) {
  $("page-error").textContent = message ?? "";
}

function syncUrl() {
  const q = new URLSearchParams();
  if (state.subscription) q.set("subscription", state.subscription);
  if (state.type) q.set("type", state.type);
  if (state.name) q.set("name", state.name);
  const query = q.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
}

// ---------------------------------------------------------------- the clock

async function loadClock() {
  try {
    const clock = (await call("GET", "/reprieve/admin/clock")).body;
    state.clockMode = clock.mode;
    setServerNow(clock.now);
  } catch (err) {
    state.clockMode = null;  // not an administrator: the time comes from the bin's answers
    if (!(err instanceof ArmError) || (err.status !== 403 && err.status !== 401)) throw err;
  }
  renderClock();
}

function setServerNow(iso) {
  state.serverNow = new Date(iso);
  state.offsetMs = state.serverNow - Date.now();
}

function renderClock() {
  const shown = now();
  $("clock-now").setAttribute("datetime", shown.toISOString());
  $("clock-now").textContent = shown.toISOString();
  // A principal that may not read the admin clock sees the bin's time, mode unknown.
  $("clock-mode").textContent = { manual: "Manual clock", system: "System clock" }[state.clockMode] ?? "";
  // With the system clock the controls are absent, not just disabled.
  $("clock-controls").hidden = state.clockMode !== "manual";
}

async function moveClock(body, describe) {
  $("clock-error").textContent = "";
  const before = new Map(state.rows.map((r) => [r.id, r]));
  let answer;
  try {
    answer = (await call("POST", "/reprieve/admin/clock", body)).body;
  } catch (err) {
    $("clock-error").textContent = err instanceof ArmError ? err.text : String(err);
    return;
  }
  setServerNow(answer.now);
  await refresh();
  const present = new Set(state.rows.map((r) => r.id));
  const purged = [...before.values()].filter((r) => !present.has(r.id) && r.scheduledPurgeDate &&
                                                     new Date(r.scheduledPurgeDate) <= state.serverNow).length;
  const suffix = view === "bin" ? ` ${purged} ${purged === 1 ? "resource" : "resources"} purged automatically.` : "";
  notify(`${describe} ${answer.now}.${suffix}`);
}

// ---------------------------------------------------------------- loading

function binUrl() {
  let url = `/subscriptions/${encodeURIComponent(state.subscription)}/providers/Reprieve.Lifecycle/deletedResources?api-version=${BIN_VERSION}`;
  if (state.type && TYPES[state.type]) {
    url += `&$filter=${encodeURIComponent(`resourceType eq '${TYPES[state.type].type}'`)}`;
  }
  return url;
}

async function loadBin(more = false) {
  const page = (await call("GET", more ? state.nextLink : binUrl())).body;
  if (page.now) setServerNow(page.now);
  state.rows = more ? [...state.rows, ...page.value] : page.value;
  state.nextLink = page.nextLink ?? null;
}

async function loadResources() {
  const keys = state.type && TYPES[state.type] ? [state.type] : Object.keys(TYPES);
  const rows = [];
  for (const key of keys) {
    const t = TYPES[key];
    const items = await listAll(`/subscriptions/${encodeURIComponent(state.subscription)}/providers/${t.type}?api-version=${t.version}`);
    for (const item of items) rows.push({ ...item, resourceType: t.type });
  }
  rows.sort((a, b) => a.name.localeCompare(b.name));
  state.rows = rows;
  state.nextLink = null;
}

async function refresh() {
  $("table").setAttribute("aria-busy", "true");
  try {
    pageError("");
    if (state.clockMode !== null) await loadClock();
    if (view === "bin") await loadBin();
    else await loadResources();
    const ids = new Set(state.rows.map((r) => r.id));
    for (const id of [...state.selected]) if (!ids.has(id)) state.selected.delete(id);
    for (const id of [...state.errors.keys()]) if (!ids.has(id)) state.errors.delete(id);
  } catch (err) {
    const what = view === "bin" ? "deleted resources" : "resources";
    pageError(`Could not load ${what}: ${err instanceof ArmError ? err.text : err}`);
  } finally {
    $("table").removeAttribute("aria-busy");
  }
  renderClock();
  render();
}

// ---------------------------------------------------------------- rendering

function visibleRows() {
  const needle = state.name.toLowerCase();
  return state.rows.filter((r) => !needle || r.name.toLowerCase().includes(needle));
}

function statusOf(row) {
  const busy = state.busy.get(row.id);
  if (busy) return [busy];
  const error = state.errors.get(row.id);
  if (error) {
    const parts = [el("span", { class: "status-error", text: error.text })];
    if (error.helper) parts.push(" ", error.helper);
    return parts;
  }
  const badges = [];
  if (view === "bin") {
    if (row.recoverError) {
      badges.push(el("span", { class: "status-error", text: `Cannot recover now: ${row.recoverError.code}: ${row.recoverError.message}` }));
    }
    if (row.purgeProtection) badges.push(el("span", { class: "badge", text: "Purge protection on" }));
    if (!row.purge) badges.push(el("span", { class: "badge", text: "Not purgeable (purged automatically at the scheduled date)" }));
  }
  return badges;
}

function render() {
  const bin = view === "bin";
  document.title = bin ? "Deleted resources · Reprieve" : "Resources · Reprieve";
  const rows = visibleRows();
  const selectable = rows.filter((r) => !state.busy.has(r.id));
  const chosen = rows.filter((r) => state.selected.has(r.id));
  $("selected-count").textContent = `${chosen.length} selected`;
  for (const button of $("toolbar").querySelectorAll("button[data-needs-selection]")) {
    button.disabled = chosen.length === 0;
  }

  const columns = bin
    ? ["Name", "Type", "Kind", "Resource group", "Location", "Deleted", "Scheduled purge", "Time remaining", "Status"]
    : ["Name", "Type", "Resource group", "Location", "Status"];
  const all = el("input", { type: "checkbox", "aria-label": "Select all", onchange: (e) => {
    for (const r of selectable) e.target.checked ? state.selected.add(r.id) : state.selected.delete(r.id);
    render();
  } });
  all.checked = selectable.length > 0 && selectable.every((r) => state.selected.has(r.id));
  all.indeterminate = !all.checked && chosen.length > 0;
  $("head").replaceChildren(el("th", { scope: "col" }, all), ...columns.map((c) => el("th", { scope: "col", text: c })));

  const body = rows.map((row, index) => {
    const n = `r${index}`;
    const cells = [];
    const cell = (key, ...content) => { const td = el("td", { id: `${n}-${key}` }, ...content); cells.push(td); return td; };
    const busy = state.busy.has(row.id);
    const box = el("input", {
      type: "checkbox", "aria-label": row.name, disabled: busy,
      "aria-describedby": `${n}-type ${n}-group ${n}-status`,
      onchange: (e) => { e.target.checked ? state.selected.add(row.id) : state.selected.delete(row.id); render(); },
    });
    box.checked = state.selected.has(row.id);
    cell("type", labelOf(row.resourceType ?? row.type));
    const group = row.resourceGroup ?? (row.id.match(/\/resourceGroups\/([^/]+)/i)?.[1] ?? "");
    if (bin) {
      cell("kind", row.kind ?? "");
      cell("group", group);
      cell("location", row.location ?? "");
      cell("deleted", timeCell(row.deletionDate));
      cell("purge", timeCell(row.scheduledPurgeDate));
      const left = remaining(row.scheduledPurgeDate);
      cell("left", el("time", { datetime: left.iso, class: left.soon ? "soon" : null, text: left.text }),
           left.soon ? " soon" : null);
    } else {
      cell("group", group);
      cell("location", row.location ?? "");
    }
    cell("status", ...statusOf(row));
    return el("tr", { "data-testid": row.id, "aria-busy": busy ? "true" : null },
              el("td", {}, box), el("th", { scope: "row", text: row.name }), ...cells);
  });
  if (rows.length === 0) {
    const sub = state.subscriptions.find((s) => s.subscriptionId === state.subscription);
    const scope = TYPES[state.type]?.plural ?? "all resource types";
    const text = bin ? `No deleted resources in ${sub?.displayName ?? state.subscription} (${scope}).`
                     : `No resources in ${sub?.displayName ?? state.subscription} (${scope}).`;
    const td = el("td", { colspan: String(columns.length + 1), text });
    if (state.type || state.name) {
      td.append(" ", el("button", { type: "button", text: "Show all resource types", onclick: () => {
        state.type = ""; state.name = ""; $("type").value = ""; $("name").value = ""; syncUrl(); refresh();
      } }));
    }
    body.push(el("tr", {}, td));
  }
  $("rows").replaceChildren(...body);

  if (bin) {
    const soonest = rows.length ? remaining(rows[0].scheduledPurgeDate).text : null;
    $("caption").textContent = `${rows.length} deleted ${rows.length === 1 ? "resource" : "resources"}` +
                               (soonest ? ` · soonest purge in ${soonest}` : "");
  } else {
    $("caption").textContent = `${rows.length} ${rows.length === 1 ? "resource" : "resources"}`;
  }
  $("load-more").hidden = !state.nextLink;
}

// ---------------------------------------------------------------- actions

function setError(row, verb, err, helper) {
  const text = `${verb} failed: ${err instanceof ArmError ? err.text : err}`;
  state.errors.set(row.id, { text, helper });
}

/** A helper button for a refused recover, when the error names what to fix (§4.5). */
function recoverHelper(row, err) {
  if (err.code === "ResourceGroupNotFound") {
    const group = row.resourceGroup;
    return el("button", { type: "button", text: `Re-create resource group ${group}`, onclick: async () => {
      try {
        await call("PUT", `/subscriptions/${encodeURIComponent(state.subscription)}/resourcegroups/${encodeURIComponent(group)}?api-version=2025-04-01`,
                   { location: row.location });
        notify(`Created resource group ${group}.`);
        state.errors.delete(row.id);
        await recover([row]);
      } catch (e) {
        notify(`Could not create resource group ${group}: ${e instanceof ArmError ? e.text : e}`);
      }
    } });
  }
  const dependency = err.armMessage?.match(/\/(?:vaults|storageAccounts)\/([A-Za-z0-9-]+)/);
  if (dependency) {
    const name = dependency[1];
    return el("button", { type: "button", text: `Show ${name}`, onclick: () => {
      state.type = ""; state.name = name; $("type").value = ""; $("name").value = name; syncUrl();
      const target = state.rows.find((r) => r.name === name);
      if (target) state.selected = new Set([target.id]);
      render();
    } });
  }
  return null;
}

async function act(rows, verb, progress, send, done) {
  let ok = 0;
  for (const row of rows) {
    state.busy.set(row.id, progress);
    state.errors.delete(row.id);
    render();
    try {
      await send(row);
      ok += 1;
      state.selected.delete(row.id);
      state.rows = state.rows.filter((r) => r.id !== row.id);
      notify(done(row));
    } catch (err) {
      const helper = verb === "Recover" && err instanceof ArmError ? recoverHelper(row, err) : null;
      setError(row, verb, err, helper);
      notify(`Could not ${verb.toLowerCase()} ${row.name}: ${err instanceof ArmError ? err.text : err}`);
      if (err instanceof ArmError && (err.status === 404 || err.status === 409) && view === "bin") {
        // Recovered or purged elsewhere: the row refreshes itself.
        state.busy.delete(row.id);
        await refresh();
        continue;
      }
    } finally {
      state.busy.delete(row.id);
      render();
    }
  }
  if (rows.length > 1) {
    const past = { Recover: "Recovered", Purge: "Purged", Delete: "Deleted" }[verb];
    const failed = rows.length - ok;
    notify(`${past} ${ok} of ${rows.length} resources.${failed ? ` ${failed} failed.` : ""}`);
  }
}

const sendDescriptor = (d) => run(d.method, d.url, d.body ?? undefined);

async function recover(rows) {
  // Dependencies first: key vaults, then storage accounts, then the rest.
  const rank = (r) => ({ keyvault: 0, storage: 1 })[keyOf(r.resourceType)] ?? 2;
  const ordered = [...rows].sort((a, b) => rank(a) - rank(b));
  await act(ordered, "Recover", "Recovering…", (row) => sendDescriptor(row.recover), (row) =>
    keyOf(row.resourceType) === "ml"
      ? `Recovered ${row.name}. Not restored: compute clusters, inference endpoints.`
      : `Recovered ${row.name}.`);
}

async function purge(rows) {
  await act(rows, "Purge", "Purging…", (row) => {
    if (!row.purge) throw new ArmError(409, row.purgeError?.code ?? "NotPurgeable", row.purgeError?.message ?? "not purgeable");
    return sendDescriptor(row.purge);
  }, (row) => `Purged ${row.name}.`);
}

function retentionText(row) {
  const key = keyOf(row.resourceType);
  const days = row.properties?.softDeleteRetentionInDays ?? TYPES[key]?.retentionDays ?? 0;
  return { text: days === 2 ? "48 hours" : `${days} days`, ms: days * 86400e3 };
}

function openDialog({ title, text, items, extra, confirm, onConfirm }) {
  const dialog = $("dialog");
  $("dialog-title").textContent = title;
  $("dialog-text").textContent = text;
  $("dialog-list").replaceChildren(...items.map((i) => el("li", { text: i })));
  $("dialog-extra").replaceChildren(...(extra ?? []));
  $("dialog-confirm").textContent = confirm;
  $("dialog-confirm").className = "danger";
  $("dialog-confirm").onclick = async () => { dialog.close(); await onConfirm(); };
  $("dialog-cancel").onclick = () => dialog.close();
  dialog.showModal();
  $("dialog-cancel").focus();
}

function confirmPurge(rows) {
  const items = rows.map((r) => r.name);
  for (const r of rows) {
    if (r.purgeProtection) items.push(`${r.name}: purge protection is on; the purge will be refused until ${utc(r.scheduledPurgeDate)}.`);
    if (!r.purge) items.push(`${r.name}: not purgeable.`);
  }
  if (rows.filter((r) => keyOf(r.resourceType) === "ml").length > 1) {
    items.push("Machine Learning workspaces are permanently deleted one at a time.");
  }
  openDialog({
    title: rows.length === 1 ? "Purge 1 resource?" : `Purge ${rows.length} resources?`,
    text: "Purged resources are permanently deleted and cannot be recovered. You will lose all data and keys associated with them.",
    items, confirm: "Purge permanently", onConfirm: () => purge(rows),
  });
}

function confirmDelete(rows) {
  const ml = rows.filter((r) => keyOf(r.resourceType) === "ml");
  const items = rows.map((r) => {
    if (keyOf(r.resourceType) === "ml" && r.properties?.encryption?.status === "Enabled") {
      return `${r.name} uses a customer-managed key and will be permanently deleted.`;
    }
    const { text, ms } = retentionText(r);
    return `${r.name} will be kept as a deleted resource for ${text} and can be recovered until ${utc(new Date(now().getTime() + ms))}.`;
  });
  const extra = [];
  let permanent = null;
  if (ml.length > 0) {
    permanent = el("input", { type: "checkbox", id: "permanent", disabled: ml.length > 1,
                              "aria-describedby": ml.length > 1 ? "permanent-why" : null });
    extra.push(el("label", {}, permanent, " Delete the workspace permanently"));
    if (ml.length > 1) extra.push(el("p", { id: "permanent-why", text: "Only one workspace can be permanently deleted at a time." }));
  }
  openDialog({
    title: rows.length === 1 ? "Delete 1 resource?" : `Delete ${rows.length} resources?`,
    text: "Deleted resources of these types are kept for their retention and can be recovered until then.",
    items, extra, confirm: "Confirm delete",
    onConfirm: () => act(rows, "Delete", "Deleting…", (row) => {
      const t = TYPES[keyOf(row.resourceType)];
      const force = permanent?.checked && keyOf(row.resourceType) === "ml" ? "&forceToPurge=true" : "";
      return run("DELETE", `${row.id}?api-version=${t.version}${force}`);
    }, (row) => {
      if (permanent?.checked && keyOf(row.resourceType) === "ml") return `Permanently deleted ${row.name}.`;
      return `Deleted ${row.name}. It is in Deleted resources until ${utc(new Date(now().getTime() + retentionText(row).ms))}.`;
    }),
  });
}

// ---------------------------------------------------------------- start

function buildChrome() {
  const bin = view === "bin";
  $(bin ? "nav-bin" : "nav-resources").setAttribute("aria-current", "page");
  $("title").textContent = bin ? "Deleted resources" : "Resources";
  $("table").setAttribute("aria-label", bin ? "Deleted resources" : "Resources");
  const toolbar = $("toolbar");
  toolbar.setAttribute("aria-label", bin ? "Deleted resource actions" : "Resource actions");
  const button = (text, onclick, needsSelection, danger) => el("button", {
    type: "button", text, onclick, class: danger ? "danger" : null,
    "data-needs-selection": needsSelection ? "" : null,
    "aria-describedby": needsSelection ? "selected-count" : null,
  });
  const selection = () => visibleRows().filter((r) => state.selected.has(r.id));
  if (bin) {
    toolbar.append(button("Recover", () => recover(selection()), true),
                   button("Purge", () => confirmPurge(selection()), true, true),
                   button("Refresh", () => refresh(), false));
    $("note").textContent = "Resources that are hard-deleted (for example Machine Learning workspaces with customer-managed keys) never appear here.";
  } else {
    toolbar.append(button("Delete", () => confirmDelete(selection()), true, true),
                   button("Refresh", () => refresh(), false));
  }
  $("type").value = TYPES[state.type] ? state.type : "";
  $("name").value = state.name;
  $("sub").addEventListener("change", (e) => { state.subscription = e.target.value; state.selected.clear(); syncUrl(); refresh(); });
  $("type").addEventListener("change", (e) => { state.type = e.target.value; syncUrl(); refresh(); });
  $("name").addEventListener("input", (e) => { state.name = e.target.value; syncUrl(); render(); });
  $("load-more").addEventListener("click", async () => { await loadBin(true); render(); });
  $("clock-advance-button").addEventListener("click", () =>
    moveClock({ advance: $("clock-advance").value.trim() }, "Clock advanced to"));
  $("clock-set-button").addEventListener("click", () =>
    moveClock({ set: $("clock-set").value.trim() }, "Clock set to"));
}

async function loadSubscriptions() {
  state.subscriptions = await listAll("/subscriptions?api-version=2022-12-01");
  if (!state.subscriptions.some((s) => s.subscriptionId === state.subscription)) {
    state.subscription = state.subscriptions[0]?.subscriptionId ?? "";
  }
  $("sub").replaceChildren(...state.subscriptions.map((s) =>
    el("option", { value: s.subscriptionId, text: `${s.displayName} (${s.subscriptionId})` })));
  $("sub").value = state.subscription;
  syncUrl();
}

async function start() {
  buildChrome();
  try {
    await loadSubscriptions();
  } catch (err) {
    if (err instanceof ArmError && err.status === 401) {
      $("signin").hidden = false;
      $("main").hidden = true;
      $("signin-form").addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await signIn($("signin-tenant").value.trim(), $("signin-client").value.trim(), $("signin-secret").value);
          $("signin").hidden = true;
          $("main").hidden = false;
          await loadSubscriptions();
          await loadClock().catch(() => {});
          await refresh();
        } catch (e2) {
          pageError(`Could not sign in: ${e2 instanceof ArmError ? e2.text : e2}`);
        }
      });
      return;
    }
    pageError(`Could not load subscriptions: ${err instanceof ArmError ? err.text : err}`);
    return;
  }
  await loadClock().catch((err) => pageError(`Could not read the clock: ${err instanceof ArmError ? err.text : err}`));
  await refresh();
  // The system clock ticks the time-remaining column every minute; a manual clock moves
  // only when someone moves it.
  setInterval(() => { if (state.clockMode !== "manual") { renderClock(); render(); } }, 60_000);
}

start();
