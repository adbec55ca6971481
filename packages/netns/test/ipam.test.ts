// IPAM against the real filesystem and real processes: O_EXCL leases under 50-way contention from separate
// processes, pid + start-time staleness, race-free reclaim while others allocate, static address validation.
// No root needed (own processes, temp dirs).
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { Ipam, processStartTime } from '../src/ipam.js';
import { parseCidr, parseIpv4, subnetContains } from '../src/ipv4.js';
import { transpileSources } from './helpers/transpile.js';

const WORKER = fileURLToPath(new URL('./helpers/ipam-worker.mjs', import.meta.url));
let jsDir: string;
let dir: string;
const children: Array<ReturnType<typeof fork>> = [];

beforeAll(() => {
  jsDir = transpileSources(['ipam', 'ipv4', 'errors']);
});
afterAll(() => rmSync(jsDir, { recursive: true, force: true }));
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  dir = mkdtempSync(path.join(tmpdir(), 'ctr-ipam-'));
  return dir;
}

type WorkerResult = { pid: number; address?: string; reclaimed?: string[]; error?: string };

/** Forks `n` workers, releases them together once all are ready; resolves with their reports (workers stay alive). */
async function race(n: number, subnet: string, mode: 'allocate' | 'reclaim-allocate'): Promise<WorkerResult[]> {
  const spawned = Array.from({ length: n }, () => {
    const child = fork(WORKER, [path.join(jsDir, 'ipam.js'), dir, subnet, mode], { stdio: 'inherit' });
    children.push(child);
    const messages: unknown[] = [];
    let wake = (): void => {};
    child.on('message', (m) => {
      messages.push(m);
      wake();
    });
    const next = (): Promise<unknown> =>
      new Promise((resolve, reject) => {
        wake = () => resolve(messages.shift());
        if (messages.length > 0) wake();
        child.once('exit', (code) => reject(new Error(`worker ${child.pid} exited with ${code}`)));
      });
    return { child, next };
  });
  await Promise.all(spawned.map((w) => w.next()));
  for (const w of spawned) w.child.send('go');
  return Promise.all(spawned.map((w) => w.next() as Promise<WorkerResult>));
}

async function releaseWorkers(): Promise<void> {
  await Promise.all(
    children.splice(0).map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('exit');
    })),
  );
}

/** A pid that certainly belongs to no process: a child that has already been reaped. */
function deadPid(): number {
  const { pid } = spawnSync('true');
  if (!pid) throw new Error('spawn true failed');
  return pid;
}

describe('allocation', () => {
  it('50 concurrent processes get 50 distinct addresses, and their leases go stale when they exit', async () => {
    freshDir();
    const results = await race(50, '10.88.0.0/16', 'allocate');
    expect(results.filter((r) => r.error)).toEqual([]);
    const addresses = results.map((r) => r.address as string);
    expect(new Set(addresses).size).toBe(50);
    const subnet = parseCidr('10.88.0.0/16');
    for (const a of addresses) {
      expect(subnetContains(subnet, parseIpv4(a))).toBe(true);
      expect(a).not.toMatch(/^10\.88\.0\.[01]$/);
    }
    const ipam = new Ipam({ dir });
    const byAddress = new Map(ipam.list().map((l) => [l.address, l]));
    for (const r of results) {
      expect(byAddress.get(r.address as string)).toMatchObject({ owner: `worker-${r.pid}`, pid: r.pid });
    }
    expect(ipam.reclaimStale()).toEqual([]);
    await releaseWorkers();
    expect(ipam.reclaimStale().sort()).toEqual([...addresses].sort());
    expect(ipam.list()).toEqual([]);
  });

  it('reclaiming and allocating at once never hands one address to two live processes', async () => {
    freshDir();
    const subnet = '10.77.0.0/27'; // 29 usable addresses after the gateway: scarce on purpose
    const seeded = new Ipam({ dir, subnet });
    const stale = deadPid();
    for (let i = 0; i < 20; i++) seeded.allocate({ owner: 'seed', pid: process.pid });
    for (const file of readdirSync(dir)) {
      writeFileSync(path.join(dir, file), JSON.stringify({ owner: 'dead', pid: stale, pidStart: 1 }));
    }
    const results = await race(20, subnet, 'reclaim-allocate');
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(new Set(results.map((r) => r.address)).size).toBe(20);
    const reclaimed = results.flatMap((r) => r.reclaimed ?? []);
    expect(new Set(reclaimed).size).toBe(reclaimed.length);
    for (const r of results) {
      const lease = JSON.parse(readFileSync(path.join(dir, r.address as string), 'utf8')) as { pid: number };
      expect(lease.pid).toBe(r.pid);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('takes the lowest free address, skips the gateway, and reports exhaustion', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '192.168.50.0/29' });
    const got = Array.from({ length: 5 }, (_, i) => ipam.allocate({ owner: `c${i}`, pid: process.pid }));
    expect(got.map((a) => a.address)).toEqual(['192.168.50.2', '192.168.50.3', '192.168.50.4', '192.168.50.5', '192.168.50.6']);
    expect(got[0]).toEqual({ address: '192.168.50.2', prefixLen: 29, cidr: '192.168.50.2/29', gateway: '192.168.50.1' });
    expect(() => ipam.allocate({ owner: 'x', pid: process.pid })).toThrow(expect.objectContaining({ code: 'ESUBNET_FULL' }));
    expect(ipam.release('192.168.50.4')).toBe(true);
    expect(ipam.release('192.168.50.4')).toBe(false);
    expect(ipam.allocate({ owner: 'y', pid: process.pid }).address).toBe('192.168.50.4');
    expect(ipam.releaseOwner('c1').sort()).toEqual(['192.168.50.3']);
    expect(ipam.list().map((l) => l.owner).sort()).toEqual(['c0', 'c3', 'c4', 'y']);
  });

  it('makes a missing state directory on first allocation, dynamic or requested, and again if it was removed', () => {
    freshDir();
    const nested = path.join(dir, 'a', 'b');
    const ipam = new Ipam({ dir: nested, subnet: '192.168.51.0/24' });
    expect(ipam.list()).toEqual([]);
    expect(ipam.allocate({ owner: 'd', pid: process.pid }).address).toBe('192.168.51.2');
    rmSync(nested, { recursive: true });
    expect(ipam.allocate({ owner: 's', pid: process.pid, requested: '192.168.51.9' }).address).toBe('192.168.51.9');
    expect(readdirSync(nested)).toEqual(['192.168.51.9']);
  });

  it('refuses a pid that is not running', () => {
    freshDir();
    const ipam = new Ipam({ dir });
    expect(() => ipam.allocate({ owner: 'x', pid: deadPid() })).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

describe('static addresses', () => {
  it('validates and leases exactly the requested address', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.88.0.0/16' });
    expect(ipam.allocate({ owner: 'a', pid: process.pid, requested: '10.88.3.7' }).cidr).toBe('10.88.3.7/16');
    const cases: Array<[string, string]> = [
      ['10.88.3.7', 'EADDRINUSE'],
      ['10.89.0.5', 'EADDR_OUTSIDE_SUBNET'],
      ['10.88.0.0', 'EADDR_RESERVED'],
      ['10.88.255.255', 'EADDR_RESERVED'],
      ['10.88.0.1', 'EADDR_RESERVED'],
      ['10.88.0.300', 'EINVAL_IPV4'],
    ];
    for (const [requested, code] of cases) {
      expect(() => ipam.allocate({ owner: 'b', pid: process.pid, requested }), requested).toThrow(
        expect.objectContaining({ code, name: code === 'EINVAL_IPV4' ? 'NetnsError' : 'IpamError' }),
      );
    }
    expect(ipam.list().map((l) => l.address)).toEqual(['10.88.3.7']);
  });
  it('a dynamic allocation never takes an address leased statically', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.66.0.0/24' });
    ipam.allocate({ owner: 's', pid: process.pid, requested: '10.66.0.2' });
    expect(ipam.allocate({ owner: 'd', pid: process.pid }).address).toBe('10.66.0.3');
  });
});

describe('staleness', () => {
  it('reclaims dead pids, recycled pids and old unreadable files, keeps live and in-progress leases', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.55.0.0/24' });
    ipam.allocate({ owner: 'live', pid: process.pid, requested: '10.55.0.2' });
    const start = processStartTime(process.pid) as number;
    writeFileSync(path.join(dir, '10.55.0.3'), JSON.stringify({ owner: 'dead', pid: deadPid(), pidStart: start }));
    writeFileSync(path.join(dir, '10.55.0.4'), JSON.stringify({ owner: 'recycled', pid: process.pid, pidStart: start - 1 }));
    writeFileSync(path.join(dir, '10.55.0.5'), '');
    writeFileSync(path.join(dir, '10.55.0.6'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path.join(dir, '10.55.0.6'), old, old);
    expect(ipam.reclaimStale().sort()).toEqual(['10.55.0.3', '10.55.0.4', '10.55.0.6']);
    expect(readdirSync(dir).sort()).toEqual(['10.55.0.2', '10.55.0.5']);
  });
  it('keeps the lease of a dead holder while its link exists, for release and reclaim alike', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.55.0.0/24' });
    const start = processStartTime(process.pid) as number;
    // `lo` always exists in this netns; the other name never does (valid, but no such interface)
    writeFileSync(path.join(dir, '10.55.0.3'), JSON.stringify({ owner: 'c1', pid: deadPid(), pidStart: start, link: 'lo' }));
    writeFileSync(path.join(dir, '10.55.0.4'), JSON.stringify({ owner: 'c2', pid: deadPid(), pidStart: start, link: 'vcnosuchlink0' }));
    expect(ipam.releaseOwner('c1')).toEqual([]);
    expect(ipam.reclaimStale()).toEqual(['10.55.0.4']);
    expect(ipam.list()).toEqual([{ address: '10.55.0.3', owner: 'c1', pid: expect.any(Number), pidStart: start, link: 'lo' }]);
    const live = ipam.allocate({ owner: 'c3', pid: process.pid, link: 'vcnosuchlink1' });
    expect(ipam.list().find((l) => l.address === live.address)?.link).toBe('vcnosuchlink1');
    expect(ipam.releaseOwner('c3')).toEqual([live.address]);
  });

  it('releaseOwner with the recorded address reads that lease only, and scans when it is not the owner\'s', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.56.0.0/24' });
    const dead = { pid: deadPid(), pidStart: processStartTime(process.pid) as number };
    // all held by a dead process; .3 also by `lo` (always there), .4 by a link that does not exist
    const leases = { '10.56.0.3': { owner: 'c1', link: 'lo' }, '10.56.0.4': { owner: 'c2', link: 'vcnosuchlink0' }, '10.56.0.5': { owner: 'c2' } };
    for (const [name, lease] of Object.entries(leases)) writeFileSync(path.join(dir, name), JSON.stringify({ ...lease, ...dead }));
    // c1's lease is held by its link: kept, hint or not
    expect(ipam.releaseOwner('c1', '10.56.0.3')).toEqual([]);
    // the hint names c2's lease: that one goes, the directory is not scanned (c2's second lease stays)
    expect(ipam.releaseOwner('c2', '10.56.0.4')).toEqual(['10.56.0.4']);
    expect(readdirSync(dir).sort()).toEqual(['10.56.0.3', '10.56.0.5']);
    // a hint that is not the owner's lease (gone, or someone else's) falls back to the scan
    expect(ipam.releaseOwner('c2', '10.56.0.3')).toEqual(['10.56.0.5']);
    expect(ipam.releaseOwner('c2', '10.56.0.9')).toEqual([]);
    expect(readdirSync(dir)).toEqual(['10.56.0.3']);
  });

  it('a requested address held by a dead holder is taken once its link is gone, waited for while it exists, refused while its holder lives', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.55.0.0/24' });
    const start = processStartTime(process.pid) as number;
    writeFileSync(path.join(dir, '10.55.0.5'), JSON.stringify({ owner: 'gone', pid: deadPid(), pidStart: start, link: 'vcnosuchlink2' }));
    expect(ipam.allocate({ owner: 'c4', pid: process.pid, requested: '10.55.0.5' }).address).toBe('10.55.0.5');
    expect(() => ipam.allocate({ owner: 'c5', pid: process.pid, requested: '10.55.0.5' })).toThrow(/already leased/);
    // `lo` never goes: the wait for the kernel's teardown ends, then the address is refused
    writeFileSync(path.join(dir, '10.55.0.6'), JSON.stringify({ owner: 'dying', pid: deadPid(), pidStart: start, link: 'lo' }));
    const t0 = Date.now();
    expect(() => ipam.allocate({ owner: 'c6', pid: process.pid, requested: '10.55.0.6' })).toThrow(/already leased/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
  });

  it('breaks a removal lock left by a dead process', () => {
    freshDir();
    const ipam = new Ipam({ dir, subnet: '10.55.0.0/24' });
    writeFileSync(path.join(dir, '10.55.0.3'), JSON.stringify({ owner: 'dead', pid: deadPid(), pidStart: 1 }));
    writeFileSync(path.join(dir, '.lock-10.55.0.3'), JSON.stringify({ owner: 'lock', pid: deadPid(), pidStart: 1 }));
    expect(ipam.reclaimStale()).toEqual(['10.55.0.3']);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('processStartTime reads field 22 of /proc/PID/stat', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const field22 = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    expect(processStartTime(process.pid)).toBe(field22);
    expect(processStartTime(deadPid())).toBeUndefined();
  });
});
