extension DashboardPage {
    /// The page's four panels: what each asks for, how its rows sort and how a row renders.
    /// Elements are built with `h` (text via text nodes, never markup), so API data cannot inject HTML.
    static let panels: String = #"""
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) if (child != null && child !== false) el.append(child);
  return el;
}

const TONES = {
  ok: ["healthy", "succeeded", "completed", "complete", "passed", "pass", "resolved", "compliant", "ready", "promoted", "low"],
  info: ["progressing", "analyzing", "promoting", "running", "retrying", "scanning", "info"],
  warn: ["paused", "pending", "waitingforapproval", "warning", "medium", "inconclusive"],
  bad: ["degraded", "failed", "fail", "firing", "error", "critical", "high", "noncompliant"],
};
function tone(word) {
  const w = String(word || "").toLowerCase();
  for (const [t, words] of Object.entries(TONES)) if (words.includes(w)) return t;
  return "off";
}
function badge(text, title) { return h("span", {class: "badge " + tone(text), title}, text == null || text === "" ? "—" : String(text)); }
function sub(text) { return text ? h("div", {class: "sub"}, String(text)) : null; }
function clip(text) { return text ? h("div", {class: "clip sub", title: String(text)}, String(text)) : null; }
function who(x) { return [h("div", {class: "name"}, x.name), sub(x.namespace)]; }

const SWATCHES = {blue: "#4a86e8", green: "#35c46b"};
function color(name, revision) {
  if (!name) return "—";
  const el = h("span", {class: "color"}, name);
  el.style.setProperty("--swatch", SWATCHES[String(name).toLowerCase()] || "#aab");
  return [el, revision ? h("div", {class: "sub mono"}, revision) : null];
}

function ago(iso) {
  const t = Date.parse(iso || "");
  if (isNaN(t)) return null;
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  const text = s < 60 ? s + "s ago" : s < 3600 ? Math.floor(s / 60) + "m ago" : s < 86400 ? Math.floor(s / 3600) + "h ago" : Math.floor(s / 86400) + "d ago";
  return h("span", {class: "sub nowrap", title: iso}, text);
}
function byId(a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; }
function rank(list, value) { const i = list.indexOf(value); return i < 0 ? list.length : i; }
function newest(key) { return (a, b) => (Date.parse(b[key] || "") || Infinity) - (Date.parse(a[key] || "") || Infinity) || byId(a, b); }

const ACTIONABLE = ["Progressing", "Paused", "Analyzing"];
function rolloutActions(p, d) {
  if (!d.permissions || !d.permissions.update) return h("span", {class: "sub", title: "this token may not update the BlueGreenDeployment"}, "read-only");
  if (!ACTIONABLE.includes(d.phase)) return null;
  const busy = p.busy.has(d.id);
  return h("div", {class: "actions"},
    h("button", {type: "button", class: "primary", "data-action": "promote", disabled: busy, onclick: () => act("promoteDeployment", p, d)}, "Promote"),
    h("button", {type: "button", class: "danger", "data-action": "abort", disabled: busy, onclick: () => act("abortDeployment", p, d)}, "Abort"));
}

const ALERT_ORDER = ["FIRING", "PENDING", "RESOLVED", "INACTIVE"];
const SEVERITY_ORDER = ["critical", "high", "warning", "medium", "info", "low"];

function steps(run) {
  const list = run.steps || [];
  const done = list.filter(s => ["Succeeded", "Skipped"].includes(s.phase)).length;
  const current = list.find(s => s.phase === "Failed") || list.find(s => !["Succeeded", "Skipped", "Cancelled"].includes(s.phase));
  const bar = h("div", {class: "steps"}, list.map(s => h("span", {class: s.phase === "Pending" ? "off" : tone(s.phase),
    title: s.name + ": " + s.phase + (s.attempts > 1 ? " (attempt " + s.attempts + ")" : "") + (s.message ? " — " + s.message : "")})));
  const label = done + "/" + list.length + " steps" + (current ? " · " + current.name + ": " + current.phase : "");
  return [h("div", {class: "sub nowrap"}, label), bar, current && current.message ? clip(current.message) : null];
}

function duration(run) {
  const from = Date.parse(run.startedAt || ""), to = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  if (isNaN(from) || isNaN(to)) return null;
  const s = Math.max(0, Math.round((to - from) / 1000));
  return sub(s < 60 ? s + "s" : s < 3600 ? Math.floor(s / 60) + "m " + (s % 60) + "s" : Math.floor(s / 3600) + "h " + Math.floor(s % 3600 / 60) + "m");
}

function panel(def) {
  return Object.assign({items: new Map(), touched: new Map(), flash: new Set(), busy: new Set(), loaded: false,
    queryError: "", liveError: "", actionError: ""}, def, {
    query: "query { " + def.field + " { " + def.fields + " } }",
    subscription: def.subField ? "subscription { " + def.subField + " { " + def.fields + " } }" : null,
  });
}

const PANELS = [
  panel({id: "rollouts", title: "Rollouts", field: "deployments", subField: "deploymentStatusChanged", empty: "No BlueGreenDeployments.",
    fields: "id name namespace image replicas readyReplicas phase message activeColor previewColor activeRevision previewRevision stableRevision analysis { stage phase verdict summary } permissions { update }",
    columns: ["Rollout", "Phase", "Active", "Preview", "Stable", "Ready", "Analysis", ""],
    sort: byId,
    gone: d => d.phase === "Deleted",
    row(d) {
      const a = d.analysis || {};
      const tr = h("tr", null,
        h("td", null, who(d), d.image ? h("div", {class: "sub mono clip", title: d.image}, d.image) : null),
        h("td", null, badge(d.phase), clip(d.message)),
        h("td", null, color(d.activeColor, d.activeRevision)),
        h("td", null, color(d.previewColor, d.previewRevision)),
        h("td", {class: "mono"}, d.stableRevision || "—"),
        h("td", {class: "nowrap"}, d.readyReplicas + "/" + d.replicas),
        h("td", null, a.verdict || a.phase ? badge(a.verdict || a.phase, a.stage ? "stage: " + a.stage : null) : "—", clip(a.summary)),
        h("td", null, rolloutActions(this, d)));
      tr.dataset.phase = d.phase;
      return tr;
    }}),
  panel({id: "alerts", title: "Alerts", field: "alerts", subField: "alertCreated", empty: "No AlertRules.",
    fields: "id name namespace description severity status value firingSince firingSeries rootCause summary",
    columns: ["Status", "Severity", "Alert", "Value", "Root cause / summary"],
    sort: (a, b) => rank(ALERT_ORDER, a.status) - rank(ALERT_ORDER, b.status)
      || rank(SEVERITY_ORDER, String(a.severity).toLowerCase()) - rank(SEVERITY_ORDER, String(b.severity).toLowerCase()) || byId(a, b),
    row(a) {
      const tr = h("tr", null,
        h("td", null, badge(a.status), a.status === "FIRING" ? ago(a.firingSince) : null),
        h("td", null, badge(a.severity)),
        h("td", null, who(a)),
        h("td", {class: "mono nowrap"}, a.value || "—", a.firingSeries > 1 ? sub(a.firingSeries + " series") : null),
        h("td", null, clip(a.rootCause || a.summary || a.description) || "—"));
      tr.dataset.status = a.status;
      return tr;
    }}),
  panel({id: "audits", title: "Security audits", field: "audits", empty: "No SecurityAudits.",
    fields: "id name namespace phase riskScore critical high medium low lastRun topFindings { severity title affectedResource { type name namespace } }",
    columns: ["Audit", "Risk", "Findings", "Top findings"],
    sort: newest("lastRun"),
    row(a) {
      const risk = a.riskScore;
      const riskTone = risk == null ? "off" : risk >= 70 ? "bad" : risk >= 40 ? "warn" : "ok";
      return h("tr", null,
        h("td", null, who(a), badge(a.phase), " ", ago(a.lastRun)),
        h("td", null, h("span", {class: "badge risk " + riskTone, title: "risk score 0–100"}, risk == null ? "—" : String(risk))),
        h("td", null, h("span", {class: "counts"},
          h("span", {class: "badge bad", title: "critical"}, "C " + a.critical), h("span", {class: "badge bad", title: "high"}, "H " + a.high),
          h("span", {class: "badge warn", title: "medium"}, "M " + a.medium), h("span", {class: "badge ok", title: "low"}, "L " + a.low))),
        h("td", null, (a.topFindings || []).length ? h("ul", {class: "findings"}, a.topFindings.slice(0, 3).map(f => {
          const r = f.affectedResource || {};
          const where = (r.type || "") + " " + (r.namespace ? r.namespace + "/" : "") + (r.name || "");
          return h("li", {title: f.title + " — " + where}, badge(f.severity), " ", f.title, h("span", {class: "sub"}, " · " + where));
        })) : h("span", {class: "sub"}, "none")));
    }}),
  panel({id: "runs", title: "Workflow runs", field: "workflowRuns", subField: "workflowRunUpdated", empty: "No OpsWorkflowRuns.",
    fields: "id name namespace workflow phase trigger startedAt finishedAt steps { name phase attempts message }",
    columns: ["Run", "Workflow", "Phase", "Progress", "Trigger", "Started"],
    sort: newest("startedAt"),
    row(r) {
      const tr = h("tr", null,
        h("td", null, who(r)),
        h("td", {class: "mono"}, r.workflow),
        h("td", null, badge(r.phase)),
        h("td", null, steps(r)),
        h("td", null, r.trigger || "—"),
        h("td", null, ago(r.startedAt) || "—", duration(r)));
      tr.dataset.phase = r.phase;
      return tr;
    }}),
];

function renderPanel(p) {
  const section = document.getElementById(p.id);
  section.querySelector(".count").textContent = !p.loaded ? "loading…" : p.queryError && !p.items.size ? "—" : String(p.items.size);
  section.querySelector(".error").textContent = [p.queryError, p.liveError, p.actionError].filter(Boolean).join("\n");
  const rows = [...p.items.values()].sort(p.sort);
  const body = h("tbody");
  if (!rows.length) body.append(h("tr", null, h("td", {class: "empty", colspan: p.columns.length}, !p.loaded ? "Loading…" : p.queryError ? "Could not load: see the error above." : p.empty)));
  for (const item of rows) {
    const tr = p.row(item);
    tr.dataset.id = item.id;
    if (p.flash.has(item.id)) tr.classList.add("flash");
    body.append(tr);
  }
  p.flash.clear();
  section.querySelector("table").replaceChildren(h("thead", null, h("tr", null, p.columns.map(c => h("th", null, c)))), body);
}
"""#
}
