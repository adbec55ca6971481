// render-html.ts — `ctr demo --html FILE`: the same evidence as one self-contained page. Inline CSS and
// inline SVG only: no script, no external asset, nothing fetched, so it opens offline and can be mailed.
import os from 'node:os';
import { explanations } from './explain.js';
import { escapeHtml as h, lineChart } from './svg.js';
import type { StepResult } from './types.js';

const css = `
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#212529;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#495057;margin-top:0}
section{border:1px solid #dee2e6;border-radius:6px;margin:1.2rem 0;padding:.6rem 1rem}
section.ok{border-left:6px solid #2b8a3e} section.fail{border-left:6px solid #c92a2a}
.verdict{font-weight:700} .ok .verdict{color:#2b8a3e} .fail .verdict{color:#c92a2a}
table{border-collapse:collapse;width:100%;margin:.5rem 0} th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #e9ecef;vertical-align:top}
td{font-family:ui-monospace,monospace;font-size:13px} pre{background:#f8f9fa;padding:.5rem;overflow:auto;font-size:13px}
.why{color:#c92a2a} .how{color:#495057;font-size:14px} code{font-size:13px}`;

function section(r: StepResult): string {
  const e = explanations[r.id];
  const rows = r.evidence.map((x) => `<tr><th>${h(x.label)}</th><td>${h(x.host)}</td><td>${h(x.container)}</td></tr>`).join('');
  const charts = (r.charts ?? [])
    .map((series) => lineChart(series.map((s) => s.label).join(' vs '), series))
    .join('\n');
  return `<section id="step-${r.id}" class="${r.ok ? 'ok' : 'fail'}">
<h2>${r.step}. ${h(r.title)} <span class="verdict">${r.ok ? 'held' : 'FAILED'}</span></h2>
<p>${h(r.claim)}</p>
${rows ? `<table><thead><tr><th></th><th>host</th><th>container</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
${charts}
${r.transcript.length ? `<pre>${h(r.transcript.join('\n'))}</pre>` : ''}
${r.why.map((w) => `<p class="why">why: ${h(w)}</p>`).join('\n')}
<p class="how">${h(e.mechanism)}<br>${e.code.map((c) => `<code>${h(c.file)}</code>: <code>${h(c.fn)}()</code> — ${h(c.what)}`).join('<br>')}</p>
</section>`;
}

export function renderHtml(results: StepResult[], rootfs: string): string {
  const held = results.filter((r) => r.ok).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ctr demo: ${held} of ${results.length} claims held</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${css}</style></head>
<body>
<h1>ctr demo</h1>
<p class="meta">${held} of ${results.length} claims held · rootfs <code>${h(rootfs)}</code> · ${h(os.hostname())}, Linux ${h(os.release())} · ${h(new Date().toISOString())}</p>
${results.map(section).join('\n')}
</body></html>
`;
}
