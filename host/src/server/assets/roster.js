// Roster's web UI: renders the apps page and the app page from the JSON API.
"use strict";

const BUCKETS = ["never", "unused", "low", "medium", "high"];
const BUCKET_ORDER = Object.fromEntries(BUCKETS.map((bucket, index) => [bucket, index]));

async function getJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || `${url} failed with HTTP ${response.status}`);
  }
  return body;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function shortTime(rfc3339) {
  if (!rfc3339) return "never";
  return rfc3339.replace("T", " ").slice(0, 16);
}

// ---- Apps page -------------------------------------------------------------

async function renderApps() {
  const status = document.getElementById("apps-status");
  const table = document.getElementById("apps-table");
  try {
    const apps = await getJson("/api/connections");
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const app of apps) {
      const healthy = app.health === "ok";
      const state = healthy
        ? element("span", { class: "ok", "aria-label": "synced" , text: "✓ synced" })
        : element("span", { class: "problem", text: app.health });
      const link = element("a", { href: `/apps/${encodeURIComponent(app.name)}`, text: app.name });
      const lastSync = app.last_sync ? `${shortTime(app.last_sync.finished_at || app.last_sync.started_at)} (${app.last_sync.status})` : "never";
      body.append(element("tr", { "data-app": app.name },
        element("td", {}, link),
        element("td", { text: app.connector }),
        element("td", {}, state),
        element("td", { text: lastSync }),
        element("td", { class: "number", text: String(app.users.total) }),
        element("td", { class: "number", text: String(app.users.licensed) }),
        element("td", { class: "number", text: app.seats_bought == null ? "unknown" : String(app.seats_bought) })));
    }
    status.textContent = apps.length === 0 ? "No apps connected yet. Run `roster connect` first." : plural(apps.length, "app");
    table.hidden = apps.length === 0;
  } catch (error) {
    status.textContent = `Cannot load apps: ${error.message}`;
  }
}

// ---- App page --------------------------------------------------------------

const view = { name: "", users: [], connected: true, sort: { key: "email", ascending: true } };

function appApi(path) {
  return `/api/connections/${encodeURIComponent(view.name)}${path}`;
}

function renderChart(engagement) {
  const chart = document.getElementById("chart");
  chart.replaceChildren();
  const max = Math.max(1, ...BUCKETS.map((bucket) => engagement.buckets[bucket] || 0));
  for (const bucket of BUCKETS) {
    const count = engagement.buckets[bucket] || 0;
    const bar = element("span", { class: `bar bar-${bucket}` });
    bar.style.height = `${Math.round((count / max) * 100)}%`;
    const button = element("button", {
      type: "button",
      class: "bar-button",
      "data-bucket": bucket,
      "aria-pressed": "false",
      "aria-label": `${bucket}: ${count} users; show them`,
    },
    element("span", { class: "bar-count", text: String(count) }),
    element("span", { class: "bar-track" }, bar),
    element("span", { class: "bar-label", text: bucket }));
    button.addEventListener("click", () => selectBucket(bucket));
    chart.append(button);
  }
  const formula = document.getElementById("formula");
  formula.replaceChildren(...engagement.formula.map((line) => element("li", { text: line })));
  document.getElementById("history").textContent = engagement.history_from
    ? `Sign-in history stored from ${engagement.history_from} through ${engagement.history_through}.`
    : "No sign-in history stored yet; only last logins count.";
  document.getElementById("unavailable").replaceChildren(
    ...engagement.unavailable.map((note) => element("li", { text: `Not available: ${note.feature}: ${note.reason}` })));
}

// The newest complete month shows idle seats better than a month that just began.
async function loadUsage() {
  const newest = await getJson(appApi("/usage")).catch(() => null);
  if (!newest || newest.complete || newest.months_stored.length < 2) return newest;
  return getJson(appApi(`/usage?month=${newest.months_stored[1]}`)).catch(() => newest);
}

function renderSeats(seats, usage) {
  const list = document.getElementById("seats");
  const facts = [];

  const source = { manual: " (manual)", upstream: " (from plan usage)", unknown: "" }[seats.seats_bought_source];
  facts.push(["Seats bought", seats.seats_bought == null ? "unknown" : `${seats.seats_bought}${source}`]);
  facts.push(["Seats assigned", seats.seats_pending ? `${seats.seats_assigned}, plus ${plural(seats.seats_pending, "pending invitation")}` : String(seats.seats_assigned)]);
  let utilisation = seats.utilisation_percent == null ? "unknown" : `${seats.utilisation_percent.toFixed(1)}%`;
  if (seats.seats_bought != null && seats.seats_assigned > seats.seats_bought) {
    utilisation += `, ${seats.seats_assigned - seats.seats_bought} more assigned than bought`;
  }
  facts.push(["Utilisation", utilisation]);

  const idle = seats.idle_licensed;
  const cost = idle.yearly_cost ? `, ${idle.yearly_cost} ${idle.currency || ""} a year` : "";
  facts.push(["Idle paid seats", `${idle.total} (${idle.unused} unused, ${idle.never} never)${cost}`]);

  const renewal = seats.renewal;
  let renewalText = "unknown";
  if (renewal.date) {
    if (renewal.state === "overdue") renewalText = `${renewal.date}, overdue by ${-renewal.days_left} days`;
    else if (renewal.state === "due-soon") renewalText = `${renewal.date}, due in ${renewal.days_left} days`;
    else renewalText = `${renewal.date}, in ${renewal.days_left} days`;
  }
  facts.push(["Renewal", renewalText, renewal.state]);

  const rooms = seats.rooms;
  facts.push(["Zoom Rooms", rooms.count == null ? "unknown" : `${rooms.count} rooms (not counted as people)`]);
  if (seats.dashboard) facts.push(["Meetings, 30 days", `${seats.dashboard.meetings} meetings, ${seats.dashboard.minutes} minutes`]);
  if (usage) {
    const month = usage.complete ? usage.month : `${usage.month} so far`;
    facts.push([`Meeting hosts, ${month}`, `${usage.hosts} hosts; ${usage.licensed_without_meetings} of ${usage.licensed_users} paid seats hosted none`]);
  }

  list.replaceChildren();
  for (const [term, value, state] of facts) {
    list.append(element("dt", { text: term }), element("dd", { class: state ? `renewal-${state}` : null, text: value }));
  }
}

function sortValue(user, key) {
  if (key === "name") return (user.display_name || `${user.first_name || ""} ${user.last_name || ""}`).toLowerCase();
  if (key === "engagement") return BUCKET_ORDER[user.engagement] ?? -1;
  if (key === "role") return (user.role || user.role_id || "").toLowerCase();
  const value = user[key];
  return typeof value === "string" ? value.toLowerCase() : value ?? "";
}

function filteredUsers() {
  const text = document.getElementById("filter-text").value.trim().toLowerCase();
  const status = document.getElementById("filter-status").value;
  const license = document.getElementById("filter-license").value;
  const engagement = document.getElementById("filter-engagement").value;
  const { key, ascending } = view.sort;
  return view.users
    .filter((user) => !status || user.status === status)
    .filter((user) => !license || user.license === license)
    .filter((user) => !engagement || user.engagement === engagement)
    .filter((user) => !text || `${user.email} ${user.display_name || ""}`.toLowerCase().includes(text))
    .sort((a, b) => {
      const left = sortValue(a, key);
      const right = sortValue(b, key);
      let order = 0;
      if (left < right) order = -1;
      if (left > right) order = 1;
      return ascending ? order : -order;
    });
}

function actionButton(label, action, user) {
  const button = element("button", { type: "button", class: "row-action", "data-action": action, "aria-label": `${label} ${user.email}`, text: label });
  button.addEventListener("click", () => openConfirm(action, user));
  return button;
}

function userActions(user) {
  const cell = element("td", { class: "actions" });
  // Changes need a connected account. The banner explains how to connect it again.
  if (!view.connected) return cell;
  cell.append(actionButton("Licence…", "license", user));
  if (user.status === "active") cell.append(actionButton("Deactivate", "deactivate", user));
  cell.append(actionButton("Remove", "remove", user));
  return cell;
}

function renderUsers() {
  const users = filteredUsers();
  const body = document.querySelector("#users-table tbody");
  body.replaceChildren(...users.map((user) => element("tr", { "data-email": user.email, "data-engagement": user.engagement },
    element("td", { text: user.display_name || `${user.first_name || ""} ${user.last_name || ""}`.trim() }),
    element("td", { text: user.email }),
    element("td", { text: user.status }),
    element("td", { text: user.license }),
    element("td", { text: user.role || user.role_id || "" }),
    element("td", { class: "time", text: shortTime(user.last_login_at) }),
    element("td", {}, element("span", { class: `tag tag-${user.engagement}`, text: user.engagement || "" })),
    userActions(user))));
  const engagement = document.getElementById("filter-engagement").value;
  document.getElementById("users-count").textContent =
    `${users.length} of ${view.users.length} users${engagement ? ` in the ${engagement} bucket` : ""}`;
  for (const button of document.querySelectorAll("#chart .bar-button")) {
    button.setAttribute("aria-pressed", String(button.dataset.bucket === engagement));
  }
  for (const header of document.querySelectorAll("#users-table th[aria-sort]")) {
    const key = header.querySelector("button").dataset.sort;
    let sort = "none";
    if (key === view.sort.key) sort = view.sort.ascending ? "ascending" : "descending";
    header.setAttribute("aria-sort", sort);
  }
}

function selectBucket(bucket) {
  const select = document.getElementById("filter-engagement");
  select.value = select.value === bucket ? "" : bucket;
  renderUsers();
  document.getElementById("users-count").focus?.();
}

const ACTIONS = {
  license: { title: "Change licence", text: (user) => `Change the licence of ${user.email}, now ${user.license}.` },
  deactivate: { title: "Deactivate user", text: (user) => `Deactivate ${user.email}? Zoom removes the user's licence and blocks sign-in.` },
  remove: { title: "Remove user", text: (user) => `Remove ${user.email} from the account? Zoom disassociates the user, who keeps a personal account.` },
};

let pending = null;

function openConfirm(action, user) {
  pending = { action, user };
  document.getElementById("confirm-title").textContent = ACTIONS[action].title;
  document.getElementById("confirm-text").textContent = ACTIONS[action].text(user);
  document.getElementById("confirm-choice").hidden = action !== "license";
  document.getElementById("confirm-license").value = user.license === "licensed" ? "basic" : "licensed";
  document.getElementById("confirm-error").textContent = "";
  document.getElementById("confirm-ok").disabled = false;
  document.getElementById("confirm").showModal();
}

async function runConfirmed() {
  const { action, user } = pending;
  const ok = document.getElementById("confirm-ok");
  ok.disabled = true;
  const options = { method: "POST", headers: { "content-type": "application/json" } };
  if (action === "license") options.body = JSON.stringify({ license: document.getElementById("confirm-license").value });
  try {
    await getJson(appApi(`/users/${encodeURIComponent(user.email)}/${action}`), options);
    document.getElementById("confirm").close();
    await loadApp();
  } catch (error) {
    document.getElementById("confirm-error").textContent = error.message;
    ok.disabled = false;
  }
}

// Shows why the app cannot sync or change users, or hides the banner when it can.
function renderState(connection) {
  const banner = document.getElementById("app-state");
  view.connected = connection.state === "connected";
  document.getElementById("sync-now").disabled = !view.connected;
  if (view.connected) {
    banner.hidden = true;
    return;
  }
  const state = connection.state === "disconnected" ? "is disconnected" : "needs re-authorization";
  const detail = connection.state_detail ? ` (${connection.state_detail})` : "";
  banner.textContent = `${view.name} ${state}${detail}. Synced data is shown as it was; run \`roster connect\` for this app to sync or change users again.`;
  banner.hidden = false;
}

async function loadApp() {
  const connections = await getJson("/api/connections");
  const connection = connections.find((candidate) => candidate.name === view.name);
  if (!connection) {
    document.querySelector("main").hidden = true;
    document.getElementById("sync-now").hidden = true;
    const banner = document.getElementById("app-state");
    banner.textContent = `No app is named ${view.name}. `;
    banner.append(element("a", { href: "/", text: "List the apps" }));
    banner.hidden = false;
    return;
  }
  renderState(connection);
  const [engagement, seats, users, usage] = await Promise.all([
    getJson(appApi("/engagement")),
    getJson(appApi("/seats")),
    getJson(appApi("/users")),
    loadUsage(),
  ]);
  view.users = users;
  renderChart(engagement);
  renderSeats(seats, usage);
  renderUsers();
  document.body.dataset.loaded = "true";
}

async function pollSync() {
  const status = document.getElementById("sync-status");
  const button = document.getElementById("sync-now");
  const state = await getJson(appApi("/sync"));
  if (state.running) {
    button.disabled = true;
    const progress = state.total ? `${state.fetched} of ${state.total} users` : `${state.fetched} users`;
    status.textContent = `Syncing (${state.phase}): ${progress}`;
    setTimeout(pollSync, 1000);
    return;
  }
  button.disabled = false;
  if (state.message) {
    status.textContent = state.failed ? `Sync failed: ${state.message}` : `Sync finished: ${state.message}`;
    status.className = state.failed ? "problem" : "ok";
    await loadApp();
  }
}

async function startSync() {
  const status = document.getElementById("sync-status");
  try {
    await getJson(appApi("/sync"), { method: "POST" });
    status.textContent = "Sync started";
    status.className = "";
    setTimeout(pollSync, 300);
  } catch (error) {
    status.textContent = error.message;
    status.className = "problem";
  }
}

function setUpApp() {
  view.name = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
  document.getElementById("app-name").textContent = view.name;
  document.title = `Roster: ${view.name}`;
  for (const id of ["filter-text", "filter-status", "filter-license", "filter-engagement"]) {
    document.getElementById(id).addEventListener("input", renderUsers);
  }
  document.getElementById("filter-clear").addEventListener("click", () => {
    document.getElementById("filters").reset();
    renderUsers();
  });
  for (const button of document.querySelectorAll("#users-table th button")) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      view.sort = { key, ascending: view.sort.key === key ? !view.sort.ascending : true };
      renderUsers();
    });
  }
  document.getElementById("sync-now").addEventListener("click", startSync);
  document.getElementById("confirm-ok").addEventListener("click", runConfirmed);
  document.getElementById("confirm-cancel").addEventListener("click", () => document.getElementById("confirm").close());
  loadApp().catch((error) => {
    document.getElementById("users-count").textContent = `Cannot load ${view.name}: ${error.message}`;
  });
  pollSync().catch(() => {});
}

if (document.body.dataset.page === "apps") renderApps();
if (document.body.dataset.page === "app") setUpApp();
