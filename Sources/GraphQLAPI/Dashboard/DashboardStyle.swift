extension DashboardPage {
    /// The page's stylesheet: a dense status page (sticky header, 2×2-ish grid of panels, compact
    /// tables, phase badges whose color says good / in progress / waiting / bad / inactive).
    static let style: String = #"""
:root {
  --bg: #f4f6f9; --panel: #fff; --line: #e3e7ee; --text: #1d2433; --muted: #6b7485;
  --ok: #1a7f45; --ok-bg: #e3f5ea; --info: #1f5fbf; --info-bg: #e4edfb;
  --warn: #9a6200; --warn-bg: #fdf1d8; --bad: #b42318; --bad-bg: #fde7e5;
  --off: #5b6473; --off-bg: #eceff3; --head: #141a26;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text);
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: 14px;
  padding: 8px 16px; background: var(--head); color: #e8ecf3; }
header h1 { font-size: 15px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header .spacer { flex: 1; }
header .stat { color: #a9b3c4; font-size: 12px; }
.conn { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; padding: 2px 9px;
  border-radius: 10px; background: #2a3242; }
.conn::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #8a94a6; }
.conn.live::before { background: #35c46b; }
.conn.connecting::before, .conn.reconnecting::before { background: #f0b429; }
.conn.offline::before { background: #ef4b3f; }
button { font: inherit; font-size: 12px; padding: 2px 9px; border-radius: 4px; cursor: pointer;
  border: 1px solid #c5ccd8; background: #fff; color: var(--text); }
button:hover:not(:disabled) { background: #f0f3f8; }
button:disabled { opacity: .5; cursor: default; }
button.primary { background: var(--info); border-color: var(--info); color: #fff; }
button.danger { color: var(--bad); border-color: #e8b4ae; }
header button { background: transparent; color: #c9d1de; border-color: #465065; }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; padding: 12px 16px; }
section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  min-width: 0; overflow: hidden; }
section.wide { grid-column: 1 / -1; }
.panel > h2 { display: flex; align-items: baseline; gap: 8px; margin: 0; padding: 8px 12px;
  font-size: 13px; font-weight: 600; border-bottom: 1px solid var(--line); }
.panel > h2 .count { color: var(--muted); font-weight: 400; }
.panel .scroll { max-height: 330px; overflow: auto; }
.error { margin: 8px 12px; padding: 6px 10px; border-radius: 4px; background: var(--bad-bg);
  color: var(--bad); white-space: pre-wrap; word-break: break-word; }
.error:empty { display: none; }
table { width: 100%; border-collapse: collapse; }
th { position: sticky; top: 0; background: #fafbfc; text-align: left; font-weight: 600;
  font-size: 11px; text-transform: uppercase; letter-spacing: .3px; color: var(--muted);
  padding: 5px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 5px 10px; border-bottom: 1px solid #eef1f5; vertical-align: top; }
tr:last-child td { border-bottom: none; }
td.empty { color: var(--muted); text-align: center; padding: 14px; }
tr.flash td { animation: flash 1.6s ease-out; }
@keyframes flash { from { background: #fff6c9; } to { background: transparent; } }
.name { font-weight: 600; white-space: nowrap; }
.sub { color: var(--muted); font-size: 12px; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.clip { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
  max-width: 420px; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 11px;
  font-weight: 600; white-space: nowrap; background: var(--off-bg); color: var(--off); }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.info { background: var(--info-bg); color: var(--info); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.color { display: inline-flex; align-items: center; gap: 4px; }
.color::before { content: ""; width: 9px; height: 9px; border-radius: 2px; background: var(--swatch, #aab); }
.counts { display: inline-flex; gap: 3px; }
.counts .badge { min-width: 24px; text-align: center; }
.risk { font-weight: 700; }
.findings { margin: 0; padding: 0; list-style: none; }
.findings li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 250px; }
.steps { display: flex; gap: 2px; width: 180px; height: 8px; margin-top: 3px; }
.steps span { flex: 1; border-radius: 2px; background: var(--off-bg); }
.steps span.ok { background: #35c46b; } .steps span.info { background: #4a86e8; }
.steps span.warn { background: #f0b429; } .steps span.bad { background: #ef4b3f; }
.steps span.off { background: #c9ced8; }
.actions { display: flex; gap: 4px; }
#login { max-width: 460px; margin: 80px auto; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; padding: 18px 20px; }
#login h2 { margin: 0 0 6px; font-size: 16px; }
#login p { color: var(--muted); margin: 6px 0 12px; }
#login code { background: var(--off-bg); padding: 1px 5px; border-radius: 3px; }
#login .error { margin: 0 0 10px; }
#login input { width: 100%; padding: 6px 8px; font: inherit; border: 1px solid #c5ccd8; border-radius: 4px;
  margin-bottom: 10px; }
[hidden] { display: none !important; }
"""#
}
