// render-text.ts — the terminal form of a step: verdict line, host-vs-container table, the programs' own
// output, why it failed, and with --explain the mechanism and where in the repository it is done.
import { formatTable } from '../table.js';
import { explanations } from './explain.js';
import type { StepResult } from './types.js';

const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

export function renderStep(r: StepResult, explain: boolean): string {
  const out: string[] = [`${r.ok ? 'ok  ' : 'FAIL'} ${r.step}. ${r.title}: ${r.claim}`];
  if (r.evidence.length > 0) {
    out.push(indent(formatTable(['', 'HOST', 'CONTAINER'], r.evidence.map((e) => [e.label, e.host, e.container])).trimEnd()));
  }
  if (r.transcript.length > 0 && r.transcript.length <= 12) {
    out.push(indent(r.transcript.join('\n'), '    | '));
  }
  for (const why of r.why) out.push(`    why: ${why}`);
  if (explain) {
    const e = explanations[r.id];
    out.push(`    how: ${e.mechanism}`);
    for (const c of e.code) out.push(`         ${c.file}: ${c.fn}() — ${c.what}`);
  }
  return `${out.join('\n')}\n\n`;
}

export function renderSummary(results: StepResult[]): string {
  const held = results.filter((r) => r.ok).length;
  const seconds = results.reduce((s, r) => s + r.seconds, 0).toFixed(2);
  const failed = results.filter((r) => !r.ok).map((r) => `${r.step}. ${r.title}`);
  return `${held} of ${results.length} claims held in ${seconds} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`;
}
