// report.test.mjs — targets and tables from a hand-made results object: a met and a missed target, ratio
// columns, error groups, and targets whose measure did not run.
import { describe, expect, it } from 'vitest';
import { checkTargets, renderGroup, renderMarkdown } from '../src/report.mjs';
import { summarize } from '../src/stats.mjs';

const row = (id, label, samples, more = {}) => ({ id, label, samples, summary: summarize(samples), ...more });

const results = {
  date: '2026-01-02T03:04:05.000Z',
  seconds: 99,
  command: 'pnpm bench',
  quick: false,
  machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, kernel: '6.1', distro: 'Debian', node: 'v20' },
  peers: { versions: { runc: 'runc 1.1' }, missing: ['crun'] },
  groups: [
    {
      id: 'start',
      title: '1. Start',
      unit: 'ms',
      digits: 1,
      subjects: [{ id: 'ctr-none', label: 'ctr none' }],
      rows: [row('ctr-none', 'ctr', [50, 52, 48]), row('runc', 'runc', [25, 24, 26]), row('node', 'node', [40, 41, 39])],
      extra: { ctrOwnMs: { none: 10, bridge: 12.5 } },
      load: { load1Start: 0.1, load1End: 0.2, busyPct: 30, seconds: 5 },
      wait: { load1: 0.1, waitedMs: 0, quiet: true },
    },
    {
      id: 'netsetup',
      title: '2. Net',
      unit: 'ms',
      digits: 3,
      subjects: [{ id: 'netns', label: 'ctr' }],
      rows: [row('netns', 'connect', [0.5]), row('ip-batch', 'ip', [10])],
    },
    { id: 'cpu', title: '5. CPU', error: 'threads-cpu missing' },
  ],
};

describe('checkTargets', () => {
  const targets = checkTargets(results);
  it('meets a target exactly at its bound and misses one just over it, saying by how much', () => {
    expect(targets.find((t) => t.target.startsWith("ctr's own start cost ≤"))).toMatchObject({ met: true, measured: '10.0 ms' });
    expect(targets.find((t) => t.target.includes('with the bridge'))).toMatchObject({ met: false, missedBy: '2.5 ms over' });
  });
  it('computes the speedup over ip from the medians', () => {
    expect(targets.find((t) => t.target.includes('40×'))).toMatchObject({ met: false, measured: '20.0×', missedBy: '20.0× short' });
  });
  it('leaves out targets whose measure failed or did not run', () => {
    expect(targets.some((t) => t.target.includes('CPU'))).toBe(false);
    expect(targets.some((t) => t.target.includes('leftovers'))).toBe(false);
  });
});

describe('checkTargets of the start targets of issue 13', () => {
  const start = checkTargets({
    groups: [{
      id: 'start',
      rows: [
        row('lib-none', 'lib', [2, 2.5, 1.5]), row('lib-bridge', 'lib bridge', [4.2, 4.4, 4.6]),
        row('runc', 'runc run', [40, 40, 40]), row('node', 'floor: node -e 0', [38, 38, 38]), row('unshare', 'unshare', [4, 4, 4]),
      ],
      extra: { noneOverRunc: 1.25, bridgeOverNoneMs: 1, libraryPerSecond: { none: 480, bridge: 300 } },
    }],
    machine: { cores: 2 },
  });
  const find = (text) => start.find((t) => t.target.includes(text));
  it('checks ctr against runc, the bridge against none, the library against 2 and 4 ms and 500/s', () => {
    expect(find('runc run')).toMatchObject({ met: false, measured: '1.25×', missedBy: '0.25× over' });
    expect(find('bridge − none')).toMatchObject({ met: true, measured: '1.0 ms' });
    expect(find('≤ 2 ms')).toMatchObject({ met: true, measured: '2.0 ms' });
    expect(find('≤ 4 ms')).toMatchObject({ met: false, measured: '4.4 ms', missedBy: '0.4 ms over' });
    expect(find('500')).toMatchObject({ met: false, measured: '480/s', missedBy: '20/s short' });
  });
  it('states the same-run floors: Node’s start against runc, unshare(1) for one container and on every core', () => {
    expect(find('runc run').floor).toBe('node -e 0 alone: 0.95× runc run');
    expect(find('≤ 2 ms').floor).toBe('unshare(1) with the same namespaces, no cgroup, no rootfs: 4.0 ms');
    expect(find('500').floor).toBe('unshare(1) on all 2 cores at once: 500/s at most');
    expect(find('≤ 4 ms').floor).toBeUndefined();
  });
});

describe('checkTargets of the detached measures', () => {
  const detached = (scale, all, conflicts, leftovers, pss, failed = 0) => checkTargets({
    groups: [
      { id: 'detached-pss', rows: [row('ctr', 'ctr run -d', pss), row('runc', 'runc run -d', [0, 0])] },
      { id: 'scale-detached', rows: [row('all', 'all', all)], extra: { scale, conflicts, leftovers, failed } },
    ],
  });
  it('checks the shim against 1 MiB, 100 containers against 10 s, and conflicts plus leftovers against 0', () => {
    const t = detached(100, [9000, 10_000, 12_000], 0, 0, [0.15, 0.2, 0.1]);
    expect(t.find((x) => x.target.includes('1 MiB'))).toMatchObject({ met: true, measured: '0.15 MiB' });
    expect(t.find((x) => x.target.includes('10 s'))).toMatchObject({ met: true, measured: '10.0 s' });
    expect(t.find((x) => x.target.includes('conflicts'))).toMatchObject({ met: true, measured: '0 conflicts, 0 leftovers' });
  });
  it('says by how much each is missed', () => {
    const t = detached(100, [12_500], 1, 2, [1.5]);
    expect(t.find((x) => x.target.includes('1 MiB'))).toMatchObject({ met: false, missedBy: '0.50 MiB over' });
    expect(t.find((x) => x.target.includes('10 s'))).toMatchObject({ met: false, missedBy: '2.5 s over' });
    expect(t.find((x) => x.target.includes('conflicts'))).toMatchObject({ met: false, missedBy: '3 too many' });
  });
  it('misses the 10 s target when a container never answered, however fast the others were', () => {
    const t = detached(100, [4000], 0, 0, [0.1], 3);
    expect(t.find((x) => x.target.includes('10 s'))).toMatchObject({ met: false, measured: '4.0 s, 3 never answered', missedBy: '3 containers never answered' });
  });
  it('does not check the 10 s target against another number of containers', () => {
    expect(detached(20, [500], 0, 0, [0.1]).some((x) => x.target.includes('10 s'))).toBe(false);
  });
});

describe('renderGroup', () => {
  it('prints medians, ranges and the subject ÷ row ratio', () => {
    const md = renderGroup(results.groups[0]);
    expect(md).toContain('| ctr | 50.0 | 48.0 | 52.0 | 3 | 1 |');
    expect(md).toContain('| runc | 25.0 | 24.0 | 26.0 | 3 | 2.00× |');
    expect(md).toContain('load 0.1 → 0.2, CPUs 30 % busy over 5 s');
  });
  it('says why a group was not measured', () => {
    expect(renderGroup(results.groups[2])).toContain('Not measured: threads-cpu missing');
  });
  it('shows a failed row with its error, and no ratio against it', () => {
    const group = {
      id: 'oci',
      title: 'OCI',
      unit: 'ms',
      digits: 1,
      subjects: [{ id: 'ctrun', label: 'ctrun' }],
      rows: [{ id: 'ctrun', label: 'ctrun create', error: 'cli.js create: exit 1: unknown command "create" | x' }, row('runc', 'runc create', [20])],
    };
    const md = renderGroup(group);
    expect(md).toContain('| ctrun create | failed: cli.js create: exit 1: unknown command "create" \\| x | — | — | 0 | — |');
    expect(md).toContain('| runc create | 20.0 | 20.0 | 20.0 | 1 | — |');
  });
});

describe('renderMarkdown', () => {
  it('names the machine, the date, the command and the missing peers', () => {
    const md = renderMarkdown({ ...results, targets: checkTargets(results) });
    expect(md).toContain('2026-01-02 03:04 UTC on Test CPU, 2 cores');
    expect(md).toContain('`pnpm bench`');
    expect(md).toContain('Missing, skipped: crun.');
    expect(md).toMatch(/\| ctr's own start cost with the bridge ≤ 10 ms \| 12\.5 ms \| no \(2\.5 ms over\) \|/);
  });
});
