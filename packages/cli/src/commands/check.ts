// check.ts — `ctr check [--json]`: what this host offers and what ctr will use, one line per feature with
// ok / missing, and for what is missing the consequence and the fix (like lxc-checkconfig or `docker info`).
// Exit 0 when everything ctr needs is there, 1 when a required feature is missing.
import { parseVerbArgs } from '../args.js';
import { runChecks, type Finding } from '../check/checks.js';
import { invalid } from '../runtime/errors.js';
import { DEFAULT_ROOTFS_NAME, namedRootfsPath } from '../runtime/rootfs-store.js';

const help = `Usage: ctr check [--json]

Kernel, namespaces, cgroup layout and controllers, clone3, pidfd, seccomp, idmapped mounts, overlayfs,
CLONE_INTO_CGROUP, the default rootfs and the bridge subnet: ok or missing, and what a missing one costs.
Exit status 0 when everything ctr needs is present.
`;

function line(f: Finding): string {
  const mark = f.ok ? 'ok     ' : f.required ? 'MISSING' : 'missing';
  const out = [`${mark}  ${f.label}: ${f.found}`];
  if (!f.ok && f.consequence) out.push(`         → ${f.consequence}${f.required ? '' : ' (optional)'}`);
  if (!f.ok && f.fix) out.push(`         fix: ${f.fix}`);
  return out.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { json: { type: 'boolean' }, help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 0) throw invalid(`"ctr check" takes no arguments (got "${positionals[0]}")`);
  const findings = runChecks(namedRootfsPath(DEFAULT_ROOTFS_NAME));
  const ready = findings.every((f) => f.ok || !f.required);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ready, findings }, null, 2)}\n`);
  } else {
    process.stdout.write(`${findings.map(line).join('\n')}\n\n`);
    const missing = findings.filter((f) => !f.ok && f.required).map((f) => f.label);
    process.stdout.write(ready ? 'ctr has everything it needs on this host\n' : `ctr cannot work fully here: missing ${missing.join(', ')}\n`);
  }
  return ready ? 0 : 1;
}
