"""The report page's stylesheet, inlined into index.html (the page fetches nothing)."""

CSS = """
:root { --ok: #1b7f3b; --bad: #b3261e; --unsure: #9a6700; --erratum: #6f42c1;
        --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1240px; padding: 24px 28px 64px;
       line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 6px; word-break: break-word; }
h3 { font-size: 15px; margin: 18px 0 6px; }
a { color: #0757b0; text-decoration: none; }
a:hover { text-decoration: underline; }
.meta, .paper, .caption { color: var(--muted); font-size: 13.5px; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 16px; }
.count { border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px; min-width: 130px;
         background: var(--soft); }
.count b { display: block; font-size: 26px; }
.count.confirmed b { color: var(--ok); } .count.refuted b { color: var(--bad); }
.count.inconclusive b { color: var(--unsure); }
.notice { border-left: 4px solid var(--bad); background: #fff5f5; padding: 8px 14px;
          margin: 12px 0; }
.errata { border-left: 4px solid var(--erratum); background: #f8f5ff; padding: 8px 14px;
          margin: 12px 0; }
.banner { border-left: 4px solid var(--unsure); background: #fff8e6; padding: 8px 14px;
          margin: 8px 0 12px; font-weight: 600; }
.banner p { margin: 2px 0; }
.notice ul, .errata ul { margin: 4px 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left;
         vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
table.summary td:first-child { font-family: ui-monospace, "DejaVu Sans Mono", monospace;
                               font-size: 12.5px; min-width: 190px; }
td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.fit { font-variant-numeric: tabular-nums; min-width: 150px; overflow-wrap: anywhere; }
td { overflow-wrap: break-word; }
table.summary td:nth-child(2) { min-width: 150px; }
table.summary td { padding: 4px 8px; font-size: 13px; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12.5px;
         font-weight: 600; color: #fff; white-space: nowrap; }
.badge.confirmed { background: var(--ok); } .badge.refuted { background: var(--bad); }
.badge.inconclusive { background: var(--unsure); }
.badge.erratum { background: var(--erratum); }
.badge.loose { background: repeating-linear-gradient(
  45deg, var(--ok), var(--ok) 6px, var(--unsure) 6px, var(--unsure) 12px); }
.count.loose b { color: #8a6d00; }
tr.paper-row th { text-align: left; background: #eef2f7; font-weight: 600; }
h2.paper-group { margin-top: 2.2em; border-bottom: 2px solid #9aa7b8; }
.pass { color: var(--ok); font-weight: 700; } .fail { color: var(--bad); font-weight: 700; }
section.claim { border-top: 2px solid var(--line); margin-top: 36px; padding-top: 18px; }
.statement { font-size: 15.5px; }
.math { margin: 10px 0; overflow-x: auto; } .math img { display: block; margin: 4px 0; }
img.inline { vertical-align: middle; }
figure { margin: 14px 0; } figure img { max-width: 100%; height: auto;
         border: 1px solid var(--line); }
table.kv th { width: 150px; background: none; color: var(--muted); font-weight: 500; }
pre, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 10px; overflow-x: auto; white-space: pre-wrap; }
details { margin: 8px 0; } summary { cursor: pointer; color: var(--muted); }
ol.steps li { margin: 6px 0; } ol.steps img { vertical-align: middle; }
.back { font-size: 13px; margin-top: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section.claim { break-before: page; }
  figure, table, .math { break-inside: avoid; }
  .back, details { display: none; }
  a { color: inherit; }
}
"""
