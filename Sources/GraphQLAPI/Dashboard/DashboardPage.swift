/// The dashboard `opsagent api` serves at `/`: one self-contained HTML page (inline CSS and
/// JavaScript, no external asset) that reads the operator's resources through the GraphQL API on
/// the same origin and keeps them current through its subscriptions.
///
/// - Authentication: the bearer token comes from the URL fragment `#token=…` (moved to
///   `sessionStorage` and removed from the address bar) or from a form; it is sent as
///   `Authorization: Bearer …` on `POST /graphql` and in the `connection_init` payload of the
///   `graphql-transport-ws` WebSocket on `/graphql`.
/// - Panels: rollouts (BlueGreenDeployments, with Promote/Abort when `permissions.update`), alerts
///   (firing first), latest security audits, workflow runs with per-step progress. Each loads with
///   one query, then rows are updated or inserted by `id` from `deploymentStatusChanged`,
///   `alertCreated` and `workflowRunUpdated`. API errors are shown in the panel they concern.
/// - Test hooks: rollout rows carry `data-id="namespace/name"` and `data-phase`; every row has
///   `data-id`; `window.opsagentDashboard` is `{connected, connection, updates, pending,
///   lastError}` (`updates` counts subscription messages applied, `pending` the queries in flight).
///
/// All API data reaches the DOM through `textContent`/attributes, never as markup.
public enum DashboardPage {
    public static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>opsagent</title>
<style>
\#(style)
</style>
</head>
<body>
<header>
  <h1>opsagent</h1>
  <span id="conn" class="conn connecting">connecting</span>
  <span class="spacer"></span>
  <span id="stats" class="stat"></span>
  <button id="logout" type="button" hidden>Change token</button>
</header>
<form id="login" hidden>
  <h2>Sign in</h2>
  <p>Paste a Kubernetes bearer token, for example from <code>kubectl create token NAME</code>.
     It is kept in this tab's session storage only.</p>
  <div id="login-error" class="error" role="alert"></div>
  <input id="token" type="password" autocomplete="off" placeholder="bearer token" required>
  <button class="primary" type="submit">Open dashboard</button>
</form>
<main id="panels" hidden>
  <section class="panel wide" id="rollouts"><h2>Rollouts <span class="count"></span></h2>
    <div class="error" role="alert"></div><div class="scroll"><table></table></div></section>
  <section class="panel" id="alerts"><h2>Alerts <span class="count"></span></h2>
    <div class="error" role="alert"></div><div class="scroll"><table></table></div></section>
  <section class="panel" id="audits"><h2>Security audits <span class="count"></span></h2>
    <div class="error" role="alert"></div><div class="scroll"><table></table></div></section>
  <section class="panel wide" id="runs"><h2>Workflow runs <span class="count"></span></h2>
    <div class="error" role="alert"></div><div class="scroll"><table></table></div></section>
</main>
<script>
"use strict";
\#(client)
\#(panels)
start();
</script>
</body>
</html>
"""#
}
