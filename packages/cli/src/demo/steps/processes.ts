// processes.ts — step 4: `ps` inside lists only the container's processes, with its command as PID 1, while
// the host sees the same processes under other PIDs. The host side scans /proc for processes in the
// container's PID namespace and reads their `NSpid:` line (proc(5)): the host PID first, the PID inside last.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { finished, lines } from '../box.js';
import type { Evidence, Step } from '../types.js';
import { hostNs } from './namespaces.js';

interface Seen {
  hostPid: number;
  innerPid: number;
  name: string;
}

/** Processes whose PID namespace is `pidNs`, as the host sees them. */
function processesIn(pidNs: string): Seen[] {
  const seen: Seen[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) !== pidNs) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
      seen.push({ hostPid: Number(entry), innerPid: nspid[nspid.length - 1]!, name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?' });
    } catch {
      // exited while we looked
    }
  }
  return seen.sort((a, b) => a.innerPid - b.innerPid);
}

/** `PID COMMAND` rows of `ps -e -o pid=,comm=`. */
export function parsePs(text: string): { pid: number; name: string }[] {
  return [...text.matchAll(/^\s*(\d+)\s+(\S+)\s*$/gm)].map((m) => ({ pid: Number(m[1]), name: m[2]! }));
}

export const processes: Step = {
  id: 'processes',
  title: 'Processes',
  claim: 'ps inside shows only the container\'s processes, its command as PID 1; the host sees them under other PIDs',
  async run(ctx) {
    const script = 'sleep 120 & sleep 120 & ps -e -o pid=,comm=; echo ---; wait';
    const box = ctx.start({ command: ['/bin/sh', '-c', script], net: 'none' });
    let hostView: Seen[] = [];
    let pidNs = '';
    try {
      const state = await box.started;
      await box.waitFor(/^---$/m, 10_000);
      pidNs = readlinkSync(`/proc/${state.pid}/ns/pid`);
      hostView = processesIn(pidNs);
    } finally {
      box.kill();
    }
    const { output } = await finished(box);
    const inside = parsePs(output.split('---')[0] ?? '');
    const why: string[] = [];
    const first = inside[0];
    if (!first || first.pid !== 1 || first.name !== 'sh') {
      const shared = pidNs === hostNs('pid') ? ` (the container shares the host's PID namespace ${pidNs})` : '';
      why.push(`PID 1 inside is ${first ? `"${first.name}"` : 'missing'}, not the container's sh${shared}`);
    }
    const lived = inside.filter((p) => p.name !== 'ps');
    const hostInner = new Set(hostView.map((p) => p.innerPid));
    const extra = lived.filter((p) => !hostInner.has(p.pid));
    if (extra.length > 0) why.push(`ps inside lists ${extra.length} process(es) that are not the container's, e.g. ${extra[0]!.pid} ${extra[0]!.name}`);
    if (hostView.some((p) => p.hostPid === p.innerPid)) why.push('the host sees a container process under the same PID as inside');
    if (lived.length === 0) why.push('ps printed nothing');
    const evidence: Evidence[] = hostView.slice(0, 6).map((p) => ({
      label: p.name,
      host: `PID ${p.hostPid}`,
      container: `PID ${p.innerPid}`,
    }));
    evidence.push({ label: 'processes listed', host: `${hostView.length} in that PID namespace`, container: `${inside.length} by ps (ps itself included)` });
    return { ok: why.length === 0, evidence, transcript: lines(output.split('---')[0] ?? '').slice(0, 12), why };
  },
};
