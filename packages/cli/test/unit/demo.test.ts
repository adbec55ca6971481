// demo.test.ts — the parts of `ctr demo` that need no kernel: every file and function --explain names
// exists (so the explanations cannot rot when code moves), the parsers of the programs' output, --only, the
// page's escaping and charts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseOnly } from '../../src/commands/demo.js';
import { explanations } from '../../src/demo/explain.js';
import { renderHtml } from '../../src/demo/render-html.js';
import { parseProbes } from '../../src/demo/steps/escape.js';
import { parseNsLinks } from '../../src/demo/steps/namespaces.js';
import { parsePs } from '../../src/demo/steps/processes.js';
import { steps } from '../../src/demo/steps/index.js';
import { lineChart } from '../../src/demo/svg.js';
import { stepIds, type StepResult } from '../../src/demo/types.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A definition, not a call: TS `function NAME(` / `export function NAME(`, or C++ `Type NAME(` at line start. */
function defines(source: string, fn: string): boolean {
  const ts = new RegExp(`^(export )?(async )?function ${fn}\\b`, 'm');
  const cc = new RegExp(`^[A-Za-z_][\\w:<>*& ]* ${fn}\\(`, 'm');
  return ts.test(source) || cc.test(source);
}

describe('ctr demo --explain', () => {
  it('has an explanation for every step, and the steps run in the order --only numbers them', () => {
    expect(steps.map((s) => s.id)).toEqual([...stepIds]);
    expect(Object.keys(explanations).sort()).toEqual([...stepIds].sort());
  });

  for (const [step, e] of Object.entries(explanations)) {
    for (const ref of e.code) {
      it(`${step}: ${ref.file} defines ${ref.fn}`, () => {
        const file = path.join(repo, ref.file);
        expect(existsSync(file), file).toBe(true);
        expect(defines(readFileSync(file, 'utf8'), ref.fn), `${ref.fn} in ${ref.file}`).toBe(true);
      });
    }
  }

  it('the definition check rejects a mere call', () => {
    expect(defines('  RunChild(plan);\n', 'RunChild')).toBe(false);
    expect(defines('void RunChild(const ChildPlan& plan) {\n', 'RunChild')).toBe(true);
  });
});

describe('ctr demo parsers', () => {
  it('reads namespace links as readlink prints them', () => {
    const links = parseNsLinks('mnt:[4026532177]\npid:[4026532180]\nreadlink: /proc/self/ns/time: No such file\n');
    expect([...links]).toEqual([['mnt', 'mnt:[4026532177]'], ['pid', 'pid:[4026532180]']]);
  });

  it('reads ps -o pid=,comm= rows', () => {
    expect(parsePs('      1 sh\n      2 sleep\n     14 ps\n')).toEqual([{ pid: 1, name: 'sh' }, { pid: 2, name: 'sleep' }, { pid: 14, name: 'ps' }]);
  });

  it('reads escape-probe lines and skips anything else', () => {
    const text = '{"probe":"reboot","result":"blocked","errno":"EPERM"}\nnoise\n{"probe":"kill-host-pid","result":"skipped"}\n';
    expect(parseProbes(text).map((p) => p.result)).toEqual(['blocked', 'skipped']);
  });

  it('--only takes names and numbers, refuses others with the list', () => {
    expect(parseOnly('1,hostname,6')).toEqual(['namespaces', 'hostname', 'limits']);
    expect(() => parseOnly('8')).toThrow(/unknown step "8".*1 namespaces/);
    expect(() => parseOnly('cpu')).toThrow(/unknown step "cpu"/);
  });
});

describe('ctr demo --html', () => {
  const result: StepResult = {
    step: 6, id: 'limits', title: 'Resource limits', claim: 'a <b>claim</b>', ok: false, seconds: 1,
    evidence: [{ label: 'x', host: '<script>alert(1)</script>', container: 'y & z' }],
    transcript: ['</pre><img src=x>'], why: ['because "quoted"'],
    charts: [[{ label: 'cpu', unit: 'cores', points: [[0, 0.2], [1, 0.5], [2, 0.49]], limit: 0.5 }]],
  };
  const page = renderHtml([result], '/srv/rootfs');

  it('escapes every piece of evidence', () => {
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('y &amp; z');
  });

  it('references nothing outside itself', () => {
    expect(page).not.toMatch(/<[^>]*\b(src|href)\s*=|url\(|@import|<link|<script/i);
  });

  it('draws a polyline through the measured points and the limit as a dashed line', () => {
    const svg = lineChart('cpu', result.charts![0]!);
    const points = /<polyline[^>]*points="([^"]+)"/.exec(svg)![1]!.split(' ');
    expect(points).toHaveLength(3);
    expect(svg).toMatch(/stroke-dasharray/);
    expect(svg).toContain('limit 0.5 cores');
  });
});
