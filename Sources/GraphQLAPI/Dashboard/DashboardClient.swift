extension DashboardPage {
    /// The page's API client: the bearer token (URL fragment → sessionStorage, or the form),
    /// queries and mutations over `POST /graphql`, and a graphql-transport-ws client on the same
    /// path (connection_init with the token → connection_ack, one `subscribe` per live panel,
    /// `next`/`error`/`complete`, ping → pong, reconnect with capped exponential backoff and a
    /// reload of every panel on each acknowledged connection so nothing missed while offline is lost).
    /// A panel reload never overwrites a row that a subscription updated after the query was sent.
    static let client: String = #"""
const dash = window.opsagentDashboard = {connected: false, connection: "connecting", updates: 0, pending: 0, lastError: null};
const TOKEN_KEY = "opsagent.token";
const REFRESH_MS = 60000;
let token = null;
let seq = 0;

function takeToken() {
  const m = /(?:^|&)token=([^&]*)/.exec(location.hash.slice(1));
  if (m) {
    try { sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1])); } catch (_) { token = decodeURIComponent(m[1]); }
    history.replaceState(null, "", location.pathname + location.search);
  }
  try { return sessionStorage.getItem(TOKEN_KEY) || token; } catch (_) { return token; }
}

function noteError(message) { dash.lastError = message; renderStats(); }

function setConnection(state, detail) {
  dash.connection = state;
  const el = document.getElementById("conn");
  el.className = "conn " + state;
  el.textContent = detail ? state + " " + detail : state;
}

function renderStats() {
  document.getElementById("stats").textContent = dash.updates + " live update" + (dash.updates === 1 ? "" : "s");
}

function messagesOf(errors) {
  if (!Array.isArray(errors)) return errors == null ? "" : String(errors.message || JSON.stringify(errors));
  return errors.map(e => (e && typeof e.message === "string") ? e.message : JSON.stringify(e)).join("\n");
}

/// POSTs one operation; answers {data, errors: [string]} and never throws.
async function gql(query, variables) {
  dash.pending++;
  try {
    let res;
    try {
      res = await fetch("/graphql", {method: "POST", cache: "no-store",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "Authorization": "Bearer " + token},
        body: JSON.stringify({query, variables: variables || {}})});
    } catch (e) {
      return {data: null, errors: ["cannot reach the API: " + e.message]};
    }
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    const errors = body && body.errors ? messagesOf(body.errors).split("\n").filter(Boolean) : [];
    if (!res.ok && !errors.length) errors.push("HTTP " + res.status + " " + res.statusText);
    if (res.status === 401) showLogin("The API rejected the token (" + (errors[0] || "401") + "). Paste a valid one.");
    return {data: body && body.data || null, errors};
  } finally {
    dash.pending--;
  }
}

async function loadPanel(p) {
  const sent = seq;
  const {data, errors} = await gql(p.query);
  p.queryError = errors.join("\n");
  if (errors.length) noteError(p.title + ": " + p.queryError);
  const list = data && data[p.field];
  if (Array.isArray(list)) {
    const next = new Map();
    for (const item of list) {
      if ((p.touched.get(item.id) || 0) <= sent) next.set(item.id, item);
      else if (p.items.has(item.id)) next.set(item.id, p.items.get(item.id));
    }
    for (const [id, at] of p.touched) if (at > sent && !next.has(id) && p.items.has(id)) next.set(id, p.items.get(id));
    p.items = next;
  }
  p.loaded = true;
  renderPanel(p);
}

function loadAll() { for (const p of PANELS) loadPanel(p); }

/// Updates or inserts one row from a subscription or a mutation answer, or removes it when the
/// panel says the item is gone (a rollout arrives with phase Deleted).
function upsert(p, item) {
  if (!item || typeof item.id !== "string") return false;
  p.touched.set(item.id, ++seq);
  if (p.gone && p.gone(item)) p.items.delete(item.id);
  else { p.items.set(item.id, item); p.flash.add(item.id); }
  renderPanel(p);
  return true;
}

const live = {ws: null, attempt: 0, timer: null};
const PING_MS = 15000;

function send(ws, message) { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message)); }

function subscribe(ws, p) {
  p.liveError = "";
  send(ws, {type: "subscribe", id: p.id, payload: {query: p.subscription}});
}

function connectLive() {
  clearTimeout(live.timer);
  setConnection(live.attempt ? "reconnecting" : "connecting");
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  let ws;
  try { ws = new WebSocket(url, "graphql-transport-ws"); } catch (e) { noteError("live updates: " + e.message); return retryLive(); }
  live.ws = ws;
  let lastHeard = Date.now(), answersPings = false;
  const ackTimer = setTimeout(() => lost(ws, "live updates: the server sent no connection_ack within 10 s", 4408), 10000);
  // Pings once the connection is up; a server that has answered one and then stays silent for
  // three intervals is taken for gone (a dead TCP connection may never report a close).
  const keepalive = setInterval(() => {
    if (live.ws !== ws) return clearInterval(keepalive);
    if (answersPings && Date.now() - lastHeard > 3 * PING_MS) return lost(ws, "live updates: the server stopped answering pings", 4408);
    if (dash.connected) send(ws, {type: "ping"});
  }, PING_MS);
  ws.onopen = () => send(ws, {type: "connection_init", payload: {Authorization: "Bearer " + token}});
  ws.onmessage = (event) => {
    lastHeard = Date.now();
    let msg;
    try { msg = JSON.parse(event.data); } catch (_) { return noteError("live updates: unreadable message"); }
    const p = PANELS.find(x => x.id === msg.id);
    switch (msg.type) {
      case "connection_ack":
        clearTimeout(ackTimer);
        live.attempt = 0;
        dash.connected = true;
        setConnection("live");
        for (const x of PANELS) if (x.subscription) subscribe(ws, x);
        loadAll();
        break;
      case "next": {
        if (!p) break;
        const payload = msg.payload || {};
        if (payload.errors) { p.liveError = "live updates: " + messagesOf(payload.errors); noteError(p.title + ": " + p.liveError); }
        if (upsert(p, payload.data && payload.data[p.subField])) { dash.updates++; renderStats(); }
        else renderPanel(p);
        break;
      }
      case "error":
        if (!p) break;
        p.liveError = "live updates: " + messagesOf(msg.payload);
        noteError(p.title + ": " + p.liveError);
        renderPanel(p);
        break;
      case "complete":
        // The server ended a stream it should keep open: ask again shortly.
        if (p) setTimeout(() => { if (live.ws === ws) subscribe(ws, p); }, 2000);
        break;
      case "ping": send(ws, {type: "pong"}); break;
      case "pong": answersPings = true; break;
    }
  };
  ws.onclose = (event) => {
    clearTimeout(ackTimer);
    lost(ws, event.code >= 4000 ? "live updates closed by the server: " + event.code + " " + event.reason : null);
  };
}

/// Gives up on `ws` (once) and schedules the next connection.
function lost(ws, why, code) {
  if (live.ws !== ws) return;
  live.ws = null;
  dash.connected = false;
  if (why) noteError(why);
  if (code) try { ws.close(code, why.slice(0, 100)); } catch (_) {}
  retryLive();
}

function retryLive() {
  const delay = Math.round(Math.min(30000, 500 * 2 ** live.attempt) * (0.8 + 0.4 * Math.random()));
  live.attempt++;
  setConnection("offline", "— retrying in " + Math.ceil(delay / 1000) + " s");
  live.timer = setTimeout(connectLive, delay);
}

async function act(mutation, p, row) {
  p.busy.add(row.id);
  renderPanel(p);
  const {data, errors} = await gql("mutation($id: ID!) { " + mutation + "(id: $id) { " + p.fields + " } }", {id: row.id});
  p.busy.delete(row.id);
  p.actionError = errors.length ? mutation + " " + row.id + ": " + errors.join("\n") : "";
  if (errors.length) noteError(p.actionError);
  if (!upsert(p, data && data[mutation])) renderPanel(p);
}

function showLogin(message) {
  if (live.ws) { const ws = live.ws; live.ws = null; ws.close(1000, "signed out"); }
  clearTimeout(live.timer);
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (_) {}
  token = null;
  dash.connected = false;
  setConnection("offline", "— not signed in");
  document.getElementById("panels").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-error").textContent = message || "";
  if (message) noteError(message);
  document.getElementById("token").focus();
}

function start() {
  renderStats();
  document.getElementById("login").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = document.getElementById("token").value.trim();
    if (!value) return;
    try { sessionStorage.setItem(TOKEN_KEY, value); } catch (_) {}
    token = value;
    document.getElementById("token").value = "";
    openDashboard();
  });
  document.getElementById("logout").addEventListener("click", () => showLogin(""));
  token = takeToken();
  if (token) openDashboard(); else showLogin("");
}

function openDashboard() {
  document.getElementById("login").hidden = true;
  document.getElementById("panels").hidden = false;
  document.getElementById("logout").hidden = false;
  for (const p of PANELS) renderPanel(p);
  loadAll();
  live.attempt = 0;
  connectLive();
}

setInterval(() => { if (token && !document.hidden) loadAll(); }, REFRESH_MS);
"""#
}
