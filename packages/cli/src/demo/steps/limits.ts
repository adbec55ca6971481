// limits.ts — step 6: cgroup limits hold. threads-cpu (2 busy threads) runs once without a limit and once
// under --cpus 0.5, its cores measured from the container's cgroup (CPU time per wall second, as `ctr stats`);
// mem-hog under --memory meets the OOM killer at the limit (memory use sampled up to that point); fork-bomb
// under --pids-limit gets EAGAIN from fork(2). See cgroups(7), the CFS bandwidth and memory controller docs.
import { formatSize } from '@ctr/cgroups';
import { finished, lines } from '../box.js';
import { sampleCores, sampleMemory } from '../sample.js';
import type { DemoContext, Evidence, Series, Step } from '../types.js';

const cpuSeconds = 4;
const cpuLimit = 0.5;
const memoryLimit = 64 * 1024 * 1024;
const pidsLimit = 32;

const mean = (points: [number, number][]): number =>
  points.length === 0 ? 0 : points.reduce((sum, [, v]) => sum + v, 0) / points.length;

async function measureCpu(ctx: DemoContext, cpus: number | undefined): Promise<{ cores: number; points: [number, number][] }> {
  const box = ctx.start({ command: ['threads-cpu', '2', '--seconds', String(cpuSeconds)], net: 'none', ...(cpus ? { cpus } : {}) });
  const sampler = sampleCores(await box.started, 250);
  let points: [number, number][];
  try {
    await finished(box);
  } finally {
    points = sampler.stop();
  }
  return { cores: mean(points), points };
}

export const limits: Step = {
  id: 'limits',
  title: 'Resource limits',
  claim: `--cpus ${cpuLimit} holds a CPU hog to half a core, --memory 64m ends a memory hog by the OOM killer, --pids-limit ${pidsLimit} stops a fork bomb`,
  async run(ctx) {
    const why: string[] = [];
    ctx.progress(`threads-cpu 2 without a limit (${cpuSeconds} s)`);
    const free = await measureCpu(ctx, undefined);
    ctx.progress(`threads-cpu 2 under --cpus ${cpuLimit} (${cpuSeconds} s)`);
    const held = await measureCpu(ctx, cpuLimit);
    if (Math.abs(held.cores - cpuLimit) > 0.1) why.push(`under --cpus ${cpuLimit} it used ${held.cores.toFixed(2)} cores`);
    if (free.cores < cpuLimit * 1.5) why.push(`without a limit it used only ${free.cores.toFixed(2)} cores: the machine is too busy to show the difference`);

    ctx.progress('mem-hog under --memory 64m');
    const hog = ctx.start({ command: ['mem-hog', '--step', '2m'], memory: memoryLimit, net: 'none' });
    // mem-hog reaches the limit in a fraction of a second: sample often enough to draw the climb.
    const memSampler = sampleMemory(await hog.started, 5);
    let memPoints: [number, number][];
    let mem;
    try {
      mem = await finished(hog);
    } finally {
      memPoints = memSampler.stop();
    }
    const lastAlloc = [...mem.output.matchAll(/allocated (\d+) MiB/g)].pop()?.[1] ?? '0';
    const peak = Math.max(0, ...memPoints.map(([, v]) => v));
    if (!mem.result.oomKilled) why.push(`mem-hog was not OOM-killed (exit ${mem.result.exitCode})`);
    if (peak > memoryLimit) why.push(`memory use reached ${formatSize(peak)}, above the limit`);

    ctx.progress(`fork-bomb under --pids-limit ${pidsLimit}`);
    const bomb = await finished(ctx.start({ command: ['fork-bomb', '--max', '1000'], pidsLimit, net: 'none' }));
    const forked = Number(/forked (\d+) children/.exec(bomb.output)?.[1] ?? -1);
    const stopped = /stopped: (.*)/.exec(bomb.output)?.[1] ?? '(no result)';
    if (!/fork failed/.test(stopped) || forked < 0 || forked >= pidsLimit) why.push(`fork-bomb: forked ${forked}, ${stopped}`);

    const cpuChart: Series[] = [
      { label: 'no limit', unit: 'cores', points: free.points },
      { label: `--cpus ${cpuLimit}`, unit: 'cores', points: held.points, limit: cpuLimit },
    ];
    const memChart: Series[] = [
      { label: 'mem-hog under --memory 64m', unit: 'MiB', points: memPoints.map(([t, v]) => [t, v / 2 ** 20]), limit: memoryLimit / 2 ** 20 },
    ];
    const evidence: Evidence[] = [
      { label: 'threads-cpu 2, cores (cgroup CPU time)', host: `no limit: ${free.cores.toFixed(2)}`, container: `--cpus ${cpuLimit}: ${held.cores.toFixed(2)}` },
      {
        label: 'mem-hog, --memory 64m',
        host: `peak ${formatSize(peak)}${mem.result.oomKilled ? ', OOM kill recorded by the cgroup' : ''}`,
        container: `allocated ${lastAlloc} MiB, then exit ${mem.result.exitCode}${mem.result.signal ? ` (${mem.result.signal})` : ''}`,
      },
      { label: `fork-bomb, --pids-limit ${pidsLimit}`, host: `limit ${pidsLimit} processes`, container: `forked ${forked} children; stopped: ${stopped}` },
    ];
    return {
      ok: why.length === 0,
      evidence,
      transcript: [
        `$ ctr run --memory 64m rootfs mem-hog --step 2m`,
        ...lines(mem.output).slice(-3),
        mem.result.oomKilled ? `ctr: out of memory: limit ${formatSize(memoryLimit)}` : `exit ${mem.result.exitCode}`,
        `$ ctr run --pids-limit ${pidsLimit} rootfs fork-bomb --max 1000`,
        ...lines(bomb.output),
      ],
      why,
      charts: [cpuChart, memChart],
    };
  },
};
