// check.test.ts — `ctr check` end to end: it says ctr is ready on this host, and its cgroup findings match
// an independent reading of /proc/self/mountinfo (not @ctr/cgroups' parser): the layout (v1, v2, hybrid)
// and, for cpu, memory and pids, the hierarchy that carries each controller; a taken subnet is reported
// missing with what it costs. Creates nothing: no root needed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctr, host } from '../helpers.js';

interface Finding {
  id: string;
  ok: boolean;
  required: boolean;
  found: string;
}

/** cgroup mounts by fstype from mountinfo: mount point and, for v1, the controllers in the super options. */
function cgroupMounts(): { v1: Map<string, string>; v2: string | undefined } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountpoint = left.split(' ')[4]!;
    const [fstype, , superOptions] = right.split(' ');
    if (fstype === 'cgroup2') v2 ??= mountpoint;
    if (fstype === 'cgroup') for (const opt of superOptions!.split(',')) if (!v1.has(opt)) v1.set(opt, mountpoint);
  }
  return { v1, v2 };
}

describe('ctr check', () => {
  it('reports the cgroup layout and where cpu, memory and pids live, as mountinfo shows them', async () => {
    const r = await ctr(['check', '--json']);
    const { ready, findings } = JSON.parse(r.stdout) as { ready: boolean; findings: Finding[] };
    const byId = new Map(findings.map((f) => [f.id, f]));
    const { v1, v2 } = cgroupMounts();
    const v1Controllers = ['cpu', 'memory', 'pids'].filter((c) => v1.has(c));
    const mode = v1Controllers.length > 0 ? (v2 ? 'hybrid' : 'v1') : 'v2';
    console.log(`ctr check: ${byId.get('cgroup-mode')!.found}`);
    expect(byId.get('cgroup-mode')!.found.startsWith(`${mode}: `)).toBe(true);
    for (const controller of ['cpu', 'memory', 'pids']) {
      const expected = v1.has(controller)
        ? `v1 at ${v1.get(controller)}`
        : readFileSync(path.join(v2!, 'cgroup.controllers'), 'utf8').split(/\s+/).includes(controller)
          ? `v2 at ${v2}`
          : undefined;
      const finding = byId.get(`cgroup-${controller}`)!;
      if (expected) expect(finding).toMatchObject({ ok: true, found: expected });
      else expect(finding.ok).toBe(false);
    }
    expect(ready).toBe(findings.every((f) => f.ok || !f.required));
    expect(r.code).toBe(ready ? 0 : 1);
  });

  it('prints one line per finding and says whether ctr has what it needs', async () => {
    const r = await ctr(['check']);
    const json = JSON.parse((await ctr(['check', '--json'])).stdout) as { ready: boolean; findings: Finding[] };
    const lines = r.stdout.split('\n').filter((l) => /^(ok|MISSING|missing) /.test(l));
    expect(lines).toHaveLength(json.findings.length);
    expect(r.stdout).toMatch(json.ready ? /ctr has everything it needs on this host\n$/ : /ctr cannot work fully here: missing /);
    expect(r.stdout).toMatch(/^ok +kernel: \d+\.\d+/m);
  });

  it('a subnet that a host route covers is missing, with the consequence and the fix, and exit status 1', async () => {
    const routes = JSON.parse((await host('ip', ['-j', 'route', 'show', 'table', 'main'])).stdout) as { dst: string; dev: string }[];
    const taken = routes.find((r) => r.dst !== 'default' && r.dev !== 'ctr0')!.dst;
    const r = await ctr(['check'], { env: { ...process.env, CTR_SUBNET: taken } });
    expect(r.stdout).toContain(
      `MISSING  bridge subnet ${taken}: ctr's subnet ${taken} overlaps the host route ${taken}`,
    );
    expect(r.stdout).toMatch(/\n {9}→ ctr run with the bridge network \(the default\) refuses to start\n {9}fix: set CTR_SUBNET to a free range, or use --net none\n/);
    expect(r.stdout).toMatch(new RegExp(`ctr cannot work fully here: missing bridge subnet ${taken.replace(/\./g, '\\.')}\n$`));
    expect(r.code).toBe(1);
  });

  it('refuses arguments', async () => {
    const r = await ctr(['check', 'extra']);
    expect(r).toMatchObject({ code: 125, stdout: '', stderr: 'ctr: "ctr check" takes no arguments (got "extra")\n' });
  });
});
