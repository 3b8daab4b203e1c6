// The sst-dev Console: plain DOM code against the JSON API under /_sst/api/. No build step, no dependencies.
"use strict";

const API = "/_sst/api";
const MULTIPART_THRESHOLD = 8 * 1024 * 1024; // as devserver/console/browse.py
const PART_SIZE = 8 * 1024 * 1024;

const $ = (id) => document.getElementById(id);

/** An element with attributes (`on*` functions become listeners) and children (strings become text). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

async function api(path, options = {}) {
  const init = { ...options, headers: { ...(options.headers || {}) } };
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json);
    init.headers["content-type"] = "application/json";
  }
  const response = await fetch(API + path, init);
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const reason = body && (body.message || body.detail);
    throw new Error(`${body && body.code ? body.code + ": " : ""}${reason || response.statusText}`);
  }
  return body;
}

function toast(message) {
  const node = $("toast");
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 6000);
}

/** Run an async action from a UI event; failures show as a toast instead of vanishing in the console. */
const guarded = (action) => (...args) => action(...args).catch((error) => toast(error.message));

function formatSize(bytes) {
  if (bytes === null || bytes === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const pretty = (value) => JSON.stringify(value, null, 2);

function confirmAction(message) {
  const dialog = $("confirm");
  $("confirm-text").textContent = message;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

// ---- Tabs: buttons with aria-selected; arrow keys, Home and End move between them (WAI-ARIA tabs pattern).

const tabs = [...document.querySelectorAll('[role="tab"]')];
const onShow = {};

function selectTab(tab, focus = false) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  const name = tab.id.replace("tab-", "");
  history.replaceState(null, "", "#" + name);
  if (onShow[name]) onShow[name]();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(tab);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTab(tabs[(moves[event.key] + tabs.length) % tabs.length], true);
  });
}

// ---- Buckets

// `generation` changes with every folder opened, so a listing that answers after the user moved on is dropped.
const browser = { bucket: null, prefix: "", nextToken: null, selected: new Set(), object: null, generation: 0 };

async function loadBuckets() {
  const buckets = await api("/buckets");
  $("bucket-list").replaceChildren(...buckets.map((bucket) => h("li", {},
    h("button", { type: "button", "data-bucket": bucket.id, title: bucket.name, onclick: () => openFolder(bucket.id, "") },
      bucket.id))));
  if (!browser.bucket && buckets.length) await openFolder(buckets[0].id, "");
}

async function openFolder(bucket, prefix) {
  Object.assign(browser, { bucket, prefix, nextToken: null, object: null, generation: browser.generation + 1 });
  browser.selected.clear();
  for (const button of document.querySelectorAll("#bucket-list button")) {
    button.setAttribute("aria-current", String(button.dataset.bucket === bucket));
  }
  $("browser").hidden = false;
  $("object-detail").hidden = true;
  $("object-rows").replaceChildren();
  await loadPage();
}

async function loadPage() {
  const query = new URLSearchParams({ prefix: browser.prefix });
  if (browser.nextToken) query.set("token", browser.nextToken);
  const generation = browser.generation;
  const page = await api(`/buckets/${encodeURIComponent(browser.bucket)}/objects?${query}`);
  if (generation !== browser.generation) return;
  const first = !browser.nextToken;
  browser.nextToken = page.nextToken;
  $("breadcrumbs").replaceChildren(...page.breadcrumbs.map((crumb, index) => h("li", {},
    index === page.breadcrumbs.length - 1
      ? h("span", { "aria-current": "page" }, crumb.label)
      : h("button", { type: "button", className: "link", onclick: guarded(() => openFolder(browser.bucket, crumb.prefix)) },
        crumb.label))));
  const rows = [
    ...(first ? page.folders.map(folderRow) : []),
    ...page.objects.map(objectRow),
  ];
  $("object-rows").append(...rows);
  $("objects-empty").hidden = $("object-rows").children.length > 0;
  $("load-more").hidden = !page.nextToken;
  updateSelection();
}

function selectBox(id, label) {
  return h("input", {
    type: "checkbox", "aria-label": `Select ${label}`,
    onchange: (event) => {
      if (event.target.checked) browser.selected.add(id); else browser.selected.delete(id);
      updateSelection();
    },
  });
}

function folderRow(folder) {
  return h("tr", { "data-prefix": folder.prefix },
    h("td", {}, selectBox("prefix:" + folder.prefix, folder.name + "/")),
    h("td", {}, h("button", { type: "button", className: "link", onclick: guarded(() => openFolder(browser.bucket, folder.prefix)) },
      folder.name + "/")),
    h("td", {}), h("td", {}), h("td", {}, "Folder"),
    h("td", {}, h("button", { type: "button", "aria-label": `Delete folder ${folder.name}`, onclick: guarded(() => deleteItems([], [folder.prefix])) },
      "Delete")));
}

function objectRow(object) {
  const href = `${API}/buckets/${encodeURIComponent(browser.bucket)}/object?` + new URLSearchParams({ key: object.key, download: "true" });
  return h("tr", { "data-key": object.key },
    h("td", {}, selectBox("key:" + object.key, object.name)),
    h("td", {}, h("button", { type: "button", className: "link", onclick: guarded(() => showObject(object)) }, object.name)),
    h("td", { className: "num", title: `${object.size} bytes` }, formatSize(object.size)),
    h("td", {}, h("time", { datetime: object.lastModified }, new Date(object.lastModified).toLocaleString())),
    h("td", {}, object.contentType || ""),
    h("td", {},
      h("a", { href, download: object.name, "aria-label": `Download ${object.name}` }, "Download"), " ",
      h("button", { type: "button", "aria-label": `Delete ${object.name}`, onclick: guarded(() => deleteItems([object.key], [])) }, "Delete")));
}

function updateSelection() {
  $("delete-selected").disabled = browser.selected.size === 0;
}

async function deleteItems(keys, prefixes) {
  const names = [...keys, ...prefixes];
  const what = names.length === 1 ? (prefixes.length ? `the folder ${names[0]} and everything in it` : names[0]) : `${names.length} items`;
  if (!(await confirmAction(`Delete ${what}? This cannot be undone.`))) return;
  await api(`/buckets/${encodeURIComponent(browser.bucket)}/delete`, { method: "POST", json: { keys, prefixes } });
  await openFolder(browser.bucket, browser.prefix);
}

$("delete-selected").addEventListener("click", guarded(async () => {
  const chosen = [...browser.selected];
  await deleteItems(
    chosen.filter((id) => id.startsWith("key:")).map((id) => id.slice(4)),
    chosen.filter((id) => id.startsWith("prefix:")).map((id) => id.slice(7)));
}));
$("load-more").addEventListener("click", guarded(loadPage));
$("refresh-objects").addEventListener("click", guarded(() => openFolder(browser.bucket, browser.prefix)));

$("folder-form").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  const name = $("folder-name").value.trim();
  await api(`/buckets/${encodeURIComponent(browser.bucket)}/folders`, { method: "POST", json: { prefix: browser.prefix, name } });
  $("folder-name").value = "";
  await openFolder(browser.bucket, browser.prefix);
}));

async function showObject(object) {
  browser.object = object;
  $("object-detail").hidden = false;
  $("object-detail-title").textContent = object.key;
  $("presigned-url").hidden = true;
  const url = `${API}/buckets/${encodeURIComponent(browser.bucket)}/object?` + new URLSearchParams({ key: object.key });
  const type = object.contentType || "";
  let preview;
  if (type.startsWith("image/")) {
    preview = h("img", { src: url, alt: `Preview of ${object.name}` });
  } else if (type.startsWith("text/") || /json|xml|javascript|yaml|csv/.test(type)) {
    const response = await fetch(url + "&bytes=0-65535");
    preview = h("pre", { "aria-label": `Preview of ${object.name}` }, await response.text());
  } else {
    preview = h("p", { className: "muted" }, `No preview for ${type || "this type"}.`);
  }
  $("preview").replaceChildren(preview);
}

$("copy-link").addEventListener("click", guarded(async () => {
  const { url } = await api(`/buckets/${encodeURIComponent(browser.bucket)}/presign`, {
    method: "POST", json: { key: browser.object.key, expiresIn: Number($("link-expiry").value) },
  });
  const field = $("presigned-url");
  field.value = url;
  field.hidden = false;
  field.select();
  try { await navigator.clipboard.writeText(url); toastInfo("Link copied"); } catch { toastInfo("Link ready: copy it from the field"); }
}));

function toastInfo(message) { $("copy-link").textContent = message; setTimeout(() => { $("copy-link").textContent = "Copy presigned link"; }, 2000); }

// Uploads: small files in one PUT, large ones as an S3 multipart upload; each file gets its own progress bar.

function uploadFiles(files) {
  const bucket = browser.bucket;
  const prefix = browser.prefix;
  return Promise.all([...files].map((file) => uploadOne(bucket, prefix + file.name, file)))
    .then(() => { if (browser.bucket === bucket && browser.prefix === prefix) return openFolder(bucket, prefix); });
}

async function uploadOne(bucket, key, file) {
  const bar = h("progress", { max: String(file.size || 1), value: "0", "aria-label": `Upload progress for ${file.name}` });
  const state = h("span", { className: "muted" }, "Uploading…");
  const item = h("li", { "data-upload": key }, h("span", {}, file.name), bar, state);
  $("uploads").prepend(item);
  const base = `${API}/buckets/${encodeURIComponent(bucket)}`;
  try {
    if (file.size <= MULTIPART_THRESHOLD) {
      await send("PUT", `${base}/object?` + new URLSearchParams({ key }), file, (loaded) => { bar.value = loaded; });
    } else {
      const { uploadId } = await api(`/buckets/${encodeURIComponent(bucket)}/multipart`, { method: "POST", json: { key, contentType: file.type } });
      const parts = [];
      try {
        for (let start = 0, number = 1; start < file.size; start += PART_SIZE, number += 1) {
          const url = `${base}/multipart/${encodeURIComponent(uploadId)}/parts/${number}?` + new URLSearchParams({ key });
          const answer = await send("PUT", url, file.slice(start, start + PART_SIZE), (loaded) => { bar.value = start + loaded; });
          parts.push({ partNumber: number, eTag: answer.eTag });
        }
        await api(`/buckets/${encodeURIComponent(bucket)}/multipart/${encodeURIComponent(uploadId)}/complete`, { method: "POST", json: { key, parts } });
      } catch (error) {
        await api(`/buckets/${encodeURIComponent(bucket)}/multipart/${encodeURIComponent(uploadId)}?` + new URLSearchParams({ key }), { method: "DELETE" }).catch(() => {});
        throw error;
      }
    }
    bar.value = file.size || 1;
    state.textContent = "Uploaded";
    state.className = "status-ok";
  } catch (error) {
    state.textContent = "Failed: " + error.message;
    state.className = "status-error";
  }
}

/** XMLHttpRequest, because fetch cannot report upload progress. */
function send(method, url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    if (body.type) request.setRequestHeader("content-type", body.type);
    request.upload.addEventListener("progress", (event) => onProgress(event.loaded));
    request.addEventListener("load", () => {
      const answer = request.responseText ? JSON.parse(request.responseText) : {};
      if (request.status >= 200 && request.status < 300) resolve(answer);
      else reject(new Error(answer.message || answer.detail || `HTTP ${request.status}`));
    });
    request.addEventListener("error", () => reject(new Error("network error")));
    request.send(body);
  });
}

$("upload-input").addEventListener("change", guarded(async (event) => {
  const files = [...event.target.files];
  event.target.value = "";
  await uploadFiles(files);
}));

const zone = $("browser");
zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
zone.addEventListener("dragleave", (event) => { if (event.target === zone) zone.classList.remove("dragging"); });
zone.addEventListener("drop", guarded(async (event) => {
  event.preventDefault();
  zone.classList.remove("dragging");
  await uploadFiles(event.dataTransfer.files);
}));

// ---- Invocations: a live Server-Sent Events stream, newest first.

const invocations = { seen: new Set(), stream: null, current: null };

function connectStream() {
  if (invocations.stream) return;
  const stream = new EventSource(`${API}/invocations/stream`);
  invocations.stream = stream;
  stream.addEventListener("open", () => { $("stream-state").textContent = "Live"; $("stream-state").className = "badge live"; });
  stream.addEventListener("error", () => { $("stream-state").textContent = "Reconnecting…"; $("stream-state").className = "badge"; });
  stream.addEventListener("invocation", (message) => addInvocation(JSON.parse(message.data)));
}

function addInvocation(summary) {
  if (invocations.seen.has(summary.id)) return;
  invocations.seen.add(summary.id);
  const trigger = `${summary.trigger}: ${summary.detail}`;
  const row = h("tr", { "data-invocation": String(summary.id), "data-function": summary.function },
    h("td", {}, h("button", { type: "button", className: "link", "aria-label": `Details of ${summary.function} at ${new Date(summary.at * 1000).toLocaleTimeString()}`,
      onclick: guarded(() => showInvocation(summary.id)) }, new Date(summary.at * 1000).toLocaleTimeString())),
    h("td", {}, summary.function),
    h("td", {}, trigger),
    h("td", { className: summary.status === "ok" ? "status-ok" : "status-error" }, summary.status),
    h("td", { className: "num" }, `${summary.durationMs} ms`),
    h("td", {}, summary.cold ? "cold" : "warm"),
    h("td", {}, h("code", {}, summary.requestId)));
  $("invocation-rows").prepend(row);
  while ($("invocation-rows").children.length > 500) $("invocation-rows").lastChild.remove();
}

async function showInvocation(id) {
  const record = await api(`/invocations/${id}`);
  invocations.current = record;
  $("invocation-detail").hidden = false;
  $("invocation-title").textContent = `#${record.id} ${record.function} — ${record.trigger}: ${record.detail} (${record.status})`;
  $("invocation-event").textContent = pretty(record.event);
  $("invocation-outcome-title").textContent = record.error ? "Error" : "Response";
  $("invocation-outcome").textContent = record.error
    ? `${record.error.errorType}: ${record.error.errorMessage}\n\n${(record.error.stackTrace || []).join("")}`
    : pretty(record.result);
  $("invocation-logs").textContent = (record.logs || []).join("\n") || "(no log lines)";
  for (const row of document.querySelectorAll("#invocation-rows tr")) row.classList.toggle("selected", row.dataset.invocation === String(id));
}

$("replay").addEventListener("click", guarded(async () => {
  const record = await api(`/invocations/${invocations.current.id}/replay`, { method: "POST" });
  await showInvocation(record.id);
}));

// ---- Functions

async function loadFunctions() {
  const functions = await api("/functions");
  $("function-rows").replaceChildren(...functions.map((fn) => h("tr", { "data-function": fn.name },
    h("th", { scope: "row" }, fn.name),
    h("td", {}, h("code", {}, fn.handler)),
    h("td", {}, fn.triggers.join(", ")),
    h("td", {}, fn.bind.join(", ")),
    h("td", { className: "num" }, `${fn.timeout} s`),
    h("td", { className: "num" }, `${fn.memorySize} MB`),
    h("td", {}, h("button", { type: "button", "aria-label": `Invoke ${fn.name}`, onclick: guarded(() => chooseFunction(fn.name)) }, "Invoke")))));
}

async function chooseFunction(name) {
  const form = $("invoke-form");
  // The event its trigger would send (a cron job's scheduled event, a queue message, ...), ready to run or edit;
  // the form shows once it is filled in, so nothing typed meanwhile is overwritten.
  form.hidden = true;
  $("invoke-payload").value = pretty(await api(`/functions/${encodeURIComponent(name)}/example`));
  form.dataset.function = name;
  $("invoke-title").textContent = `Invoke ${name}`;
  $("invoke-result").textContent = "";
  $("invoke-logs").textContent = "";
  $("invoke-status").textContent = "";
  form.hidden = false;
  $("invoke-payload").focus();
}

$("invoke-form").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  const name = $("invoke-form").dataset.function;
  $("invoke-status").textContent = "Invoking…";
  try {
    const record = await api(`/functions/${encodeURIComponent(name)}/invoke`, {
      method: "POST", body: $("invoke-payload").value, headers: { "content-type": "application/json" },
    });
    $("invoke-status").textContent = `${record.status} in ${record.durationMs} ms (${record.cold ? "cold" : "warm"}), request ${record.requestId}`;
    $("invoke-result").textContent = record.error ? pretty(record.error) : pretty(record.result);
    $("invoke-logs").textContent = record.logs.join("\n") || "(no log lines)";
  } catch (error) {
    $("invoke-status").textContent = error.message;
  }
}));

// ---- Secrets and outputs

async function loadSecrets() {
  const { secrets } = await api("/secrets");
  $("secret-rows").replaceChildren(...secrets.map((secret) => h("tr", { "data-secret": secret.name },
    h("th", { scope: "row" }, secret.name),
    h("td", {}, secret.masked === null ? h("span", { className: "status-error" }, "not set") : h("code", {}, secret.masked)),
    h("td", {}, secret.source || ""),
    h("td", {}, secret.source
      ? h("button", { type: "button", "aria-label": `Remove ${secret.name}`, onclick: guarded(() => removeSecret(secret.name, secret.source === "fallback")) }, "Remove")
      : null))));
}

async function removeSecret(name, fallback) {
  if (!(await confirmAction(`Remove the secret ${name}${fallback ? " (fallback)" : ""}?`))) return;
  await api(`/secrets/${encodeURIComponent(name)}?fallback=${fallback}`, { method: "DELETE" });
  $("secret-status").textContent = `Removed ${name}`;
  await loadSecrets();
}

$("secret-form").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  const name = $("secret-name").value.trim();
  try {
    const answer = await api(`/secrets/${encodeURIComponent(name)}`, {
      method: "PUT", json: { value: $("secret-value").value, fallback: $("secret-fallback").checked },
    });
    $("secret-status").textContent = `Set ${name} (${answer.retiredWorkers} warm workers restarted)`;
    $("secret-value").value = "";
    $("secret-name").value = "";
  } catch (error) {
    $("secret-status").textContent = error.message;
  }
  await loadSecrets();
}));

async function loadOutputs() {
  const { outputs, resources } = await api("/outputs");
  $("output-rows").replaceChildren(...Object.entries(outputs).flatMap(([stack, values]) =>
    Object.entries(values).map(([key, value]) => h("tr", {}, h("td", {}, stack), h("th", { scope: "row" }, key), h("td", {}, h("code", {}, value))))));
  $("resource-rows").replaceChildren(...Object.entries(resources).flatMap(([type, ids]) =>
    Object.entries(ids).flatMap(([id, props]) => {
      const entries = Object.entries(props);
      if (!entries.length) return [h("tr", {}, h("th", { scope: "row" }, `${type}.${id}`), h("td", {}, "value"), h("td", { className: "muted" }, "(see Secrets)"))];
      return entries.map(([prop, value]) => h("tr", {}, h("th", { scope: "row" }, `${type}.${id}`), h("td", {}, prop), h("td", {}, h("code", {}, value))));
    })));
}

// ---- Users of each Auth

async function loadUsers() {
  const { auths } = await api("/auth");
  $("users-empty").hidden = auths.length > 0;
  $("user-form").hidden = auths.length === 0;
  const chosen = $("user-auth").value;
  $("user-auth").replaceChildren(...auths.map((auth) => h("option", { value: auth.id, selected: auth.id === chosen }, auth.id)));
  $("auth-pools").replaceChildren(...auths.map((auth) => h("section", { "data-auth": auth.id, "aria-label": `Auth ${auth.id}` },
    h("h3", {}, `Auth ${auth.id} `, h("span", { className: "muted" }, `user pool ${auth.userPoolId} · client ${auth.userPoolClientId}`)),
    h("table", { className: "grid" },
      h("caption", { className: "visually-hidden" }, `Users of ${auth.id}`),
      h("thead", {}, h("tr", {}, ...["Username", "Sub", "Identity id", "Created"].map((name) => h("th", { scope: "col" }, name)),
        h("th", { scope: "col" }, h("span", { className: "visually-hidden" }, "Actions")))),
      h("tbody", {}, ...(auth.users.length ? auth.users.map((user) => h("tr", { "data-user": user.username },
        h("th", { scope: "row" }, user.username),
        h("td", {}, h("code", {}, user.sub)),
        h("td", {}, h("code", {}, user.identityId)),
        h("td", {}, new Date(user.created * 1000).toLocaleString()),
        h("td", {}, h("button", { type: "button", className: "danger", "aria-label": `Delete ${user.username}`,
          onclick: guarded(() => deleteUser(auth.id, user.username)) }, "Delete"))))
        : [h("tr", {}, h("td", { colspan: "5", className: "muted" }, "No users yet"))]))))));
}

async function deleteUser(authId, username) {
  if (!(await confirmAction(`Delete the user ${username}? Their tokens and credentials stop working.`))) return;
  await api(`/auth/${encodeURIComponent(authId)}/users/${encodeURIComponent(username)}`, { method: "DELETE" });
  $("user-status").textContent = `Deleted ${username}`;
  await loadUsers();
}

$("user-form").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  const username = $("user-name").value.trim();
  try {
    await api(`/auth/${encodeURIComponent($("user-auth").value)}/users`, {
      method: "POST", json: { username, password: $("user-password").value },
    });
    $("user-status").textContent = `Created ${username}`;
    $("user-name").value = "";
    $("user-password").value = "";
  } catch (error) {
    $("user-status").textContent = error.message;
  }
  await loadUsers();
}));

// ---- Start

onShow.buckets = guarded(loadBuckets);
onShow.functions = guarded(loadFunctions);
onShow.secrets = guarded(() => Promise.all([loadSecrets(), loadOutputs()]));
onShow.users = guarded(loadUsers);

api("/health").then((health) => { $("app-name").textContent = `${health.app} · stage ${health.stage}`; }).catch((error) => toast(error.message));
connectStream();
selectTab(tabs.find((tab) => "#" + tab.id.replace("tab-", "") === location.hash) || tabs[0]);
