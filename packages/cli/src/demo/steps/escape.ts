// escape.ts — step 7: what root inside may not do. escape-probe (in the rootfs) tries escapes from inside
// and prints one JSON line per probe; every probe must come back `blocked` (or `skipped` when it needs a
// target it was not given). The demo hands it a host PID (ours) so the kill and setns probes have a target, and
// sets what ctr says it applied (`ctr ps` state) beside what the kernel reports inside (/proc/self/status).
import { finished, lines } from '../box.js';
import type { Step } from '../types.js';

interface Probe {
  probe: string;
  result: string;
  errno?: string;
  signal?: string;
}

/** Shown in the evidence table; the verdict covers every probe. */
const highlighted = ['chroot-escape', 'mount-proc', 'setns-net', 'kill-host-pid', 'init-module', 'reboot', 'sysrq-trigger'];

export function parseProbes(text: string): Probe[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Probe];
      } catch {
        return [];
      }
    });
}

export const escape: Step = {
  id: 'escape',
  title: 'What root inside may not do',
  claim: 'root inside the container cannot break out: every escape-probe attempt is blocked',
  async run(ctx) {
    const script = `escape-probe --host-pid ${process.pid}; grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status`;
    const box = ctx.start({ command: ['/bin/sh', '-c', script], net: 'none' });
    const applied = (await box.started).security;
    const { result, output } = await finished(box);
    const status = [...output.matchAll(/^(CapEff|NoNewPrivs|Seccomp):\s+(\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).join(', ');
    const probes = parseProbes(output);
    const bad = probes.filter((p) => p.result !== 'blocked' && p.result !== 'skipped');
    const blocked = probes.filter((p) => p.result === 'blocked').length;
    const shown = [...probes.filter((p) => highlighted.includes(p.probe)), ...bad].slice(0, 8);
    const picked = shown.length > 0 ? shown : probes.slice(0, 6);
    const why = bad.map((p) => `${p.probe}: ${p.result}${p.errno ? ` (${p.errno})` : ''}`);
    if (probes.length === 0) why.push(`escape-probe printed no results (exit ${result.exitCode})`);
    return {
      ok: why.length === 0,
      evidence: [
        {
          label: 'confinement',
          host: applied
            ? `ctr ps: ${applied.capabilities.length} capabilities, seccomp ${applied.seccomp}, no_new_privs ${applied.noNewPrivileges}`
            : 'ctr ps: no security summary',
          container: status || '(no /proc/self/status lines)',
        },
        ...picked.map((p) => ({ label: p.probe, host: '', container: `${p.result}${p.errno ? ` ${p.errno}` : p.signal ? ` ${p.signal}` : ''}` })),
        { label: 'all probes', host: '', container: `${blocked} of ${probes.length} blocked, ${probes.length - blocked - bad.length} skipped` },
      ],
      transcript: lines(output).filter((l) => l.startsWith('{')),
      why,
    };
  },
};
