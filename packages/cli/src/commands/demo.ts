// demo.ts — `ctr demo [ROOTFS] [--only STEP,…] [--json] [--explain] [--html FILE]`: the lab's claims proven
// one by one with host-vs-container evidence (the steps live in ../demo). Exit 0 only when every claim held.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { one, parseVerbArgs } from '../args.js';
import { CtrError, invalid } from '../runtime/errors.js';
import { DEFAULT_ROOTFS_NAME, namedRootfsPath } from '../runtime/rootfs-store.js';
import { validateRootfs } from '../runtime/validate.js';
import { explanations } from '../demo/explain.js';
import { renderHtml } from '../demo/render-html.js';
import { renderStep, renderSummary } from '../demo/render-text.js';
import { runDemo } from '../demo/run-demo.js';
import { stepIds, type StepId } from '../demo/types.js';

const help = `Usage: ctr demo [ROOTFS] [--only STEP,...] [--json] [--explain] [--html FILE]

Proves each isolation claim of the container lab on this machine, host beside container, with a verdict:
  1 namespaces  2 rootfs  3 hostname  4 processes  5 network  6 limits  7 escape
ROOTFS defaults to the one 'ctr rootfs build' makes. Exit status 0 only when every claim held.

Options:
      --only STEPS   run only these steps (names or numbers, comma-separated)
      --json         one JSON object per step on stdout
      --explain      add the kernel mechanism and where this repository does it
      --html FILE    also write the evidence as one self-contained page, with charts
      --help         show this help
`;

const demoPrograms = ['server', 'threads-cpu', 'mem-hog', 'fork-bomb', 'chroot-escape', 'escape-probe'];

export function parseOnly(spec: string): StepId[] {
  return spec.split(',').map((item) => {
    const name = item.trim();
    const id = /^\d+$/.test(name) ? stepIds[Number(name) - 1] : stepIds.find((s) => s === name);
    if (!id) throw invalid(`unknown step "${name}" in --only; steps: ${stepIds.map((s, i) => `${i + 1} ${s}`).join(', ')}`);
    return id;
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    { only: { type: 'string' }, json: { type: 'boolean' }, explain: { type: 'boolean' }, html: { type: 'string' }, help: { type: 'boolean' } },
    false,
  );
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 1) throw invalid(`"ctr demo" takes at most one ROOTFS (got "${positionals[1]}")`);
  const only = values.only === undefined ? undefined : parseOnly(String(one(values.only)));
  const html = one(values.html);
  if (html !== undefined && !existsSync(path.dirname(path.resolve(html)))) {
    throw invalid(`--html ${html}: the directory ${path.dirname(path.resolve(html))} does not exist`);
  }
  if (process.getuid?.() !== 0) {
    throw new CtrError('ctr demo needs root: it starts containers (namespaces, veths, cgroups); run it with sudo', { code: 'EPERM' });
  }
  const rootfs = validateRootfs(positionals[0] ?? namedRootfsPath(DEFAULT_ROOTFS_NAME));
  const missing = demoPrograms.filter((p) => !existsSync(path.join(rootfs, 'usr/local/bin', p)));
  if (missing.length > 0) {
    throw invalid(`rootfs "${rootfs}" lacks the demo programs (${missing.join(', ')}); build it with 'ctr rootfs build'`);
  }

  const json = values.json === true;
  const explain = values.explain === true;
  const live = process.stderr.isTTY === true;
  const progress = (message: string): void => {
    if (live) process.stderr.write(`\r\x1b[2K${message}…`);
  };
  const results = await runDemo({
    rootfs,
    ...(only ? { only } : {}),
    progress,
    onStep(r) {
      if (live) process.stderr.write('\r\x1b[2K');
      process.stdout.write(json ? `${JSON.stringify(explain ? { ...r, explain: explanations[r.id] } : r)}\n` : renderStep(r, explain));
    },
  });
  if (!json) process.stdout.write(renderSummary(results));
  if (html !== undefined) writeFileSync(html, renderHtml(results, rootfs));
  return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
}
