// demo.test.ts — `ctr demo` end to end (root): every claim holds on this host and nothing is left behind;
// each step fails visibly, naming why, when its mechanism is switched off on purpose (CTR_TEST_SKIP_NS,
// test-only, makes the native layer leave that namespace shared); bad input is refused before anything is
// made; and the --html page, opened in headless Chromium, loads without console errors, shows every step
// and is not blank.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctr, defaultRootfs, expectNothingLeaked, host } from '../helpers.js';
import { decodePng, luminanceVariance } from '../png.js';

interface Step {
  step: number;
  id: string;
  ok: boolean;
  why: string[];
  evidence: { label: string; host: string; container: string }[];
  seconds: number;
  explain?: { mechanism: string; code: { file: string; fn: string }[] };
}

const parse = (stdout: string): Step[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Step);
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctr-demo-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Headless Chromium, bounded in time; --no-sandbox because the tests run as root. */
function browse(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return host(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--enable-logging=stderr', '--v=0', ...args], 60_000);
}

describe.skipIf(skipUnless('ctr demo end to end', { root: isRoot, 'rootfs/default (ctr rootfs build)': existsSync(defaultRootfs) }))('ctr demo', () => {
  expectNothingLeaked();
  const page = path.join(tmp, 'demo.html');
  let steps: Step[] = [];

  it('proves every claim on this host, one JSON object per step, and writes the page', async () => {
    const hostname = os.hostname();
    const r = await ctr(['demo', '--json', '--explain', '--html', page], { timeoutMs: 120_000 });
    steps = parse(r.stdout);
    expect(steps.map((s) => s.id)).toEqual(['namespaces', 'rootfs', 'hostname', 'processes', 'network', 'limits', 'escape']);
    for (const s of steps) expect(s.why, `step ${s.step} ${s.id}`).toEqual([]);
    expect(r.code).toBe(0);
    expect(os.hostname()).toBe(hostname);
    const cores = steps.find((s) => s.id === 'limits')!.evidence[0]!;
    console.log(`ctr demo: ${steps.map((s) => `${s.id} ${s.seconds} s`).join(', ')}; ${cores.host}, ${cores.container}`);
    expect(Number(/([\d.]+)$/.exec(cores.container)![1])).toBeGreaterThan(0.4);
    expect(Number(/([\d.]+)$/.exec(cores.container)![1])).toBeLessThan(0.6);
    expect(steps.every((s) => s.explain && s.explain.code.length > 0)).toBe(true);
    expect(existsSync(page)).toBe(true);
  }, 150_000);

  it('without a UTS namespace, step 3 fails and says the container is in the host\'s UTS namespace', async () => {
    const hostname = os.hostname();
    const r = await ctr(['demo', '--only', 'namespaces,hostname', '--json'], { env: { ...process.env, CTR_TEST_SKIP_NS: 'uts' } });
    const [ns, uts] = parse(r.stdout);
    expect(r.code).toBe(1);
    expect(uts!.ok).toBe(false);
    expect(uts!.why.join(' ')).toMatch(/hostname inside is ".*", not "ctr-demo": the container is in the host's UTS namespace/);
    expect(ns!.why).toEqual([expect.stringMatching(/^uts: the container shares the host's namespace uts:\[\d+\]$/)]);
    expect(os.hostname()).toBe(hostname);
  });

  it('without a PID namespace, step 4 fails naming the shared PID namespace', async () => {
    const r = await ctr(['demo', '--only', 'processes', '--json'], { env: { ...process.env, CTR_TEST_SKIP_NS: 'pid' } });
    const [ps] = parse(r.stdout);
    expect(r.code).toBe(1);
    expect(ps!.why[0]).toMatch(/^PID 1 inside is ".*", not the container's sh \(the container shares the host's PID namespace pid:\[\d+\]\)$/);
  });

  it('without an IPC namespace, step 1 fails naming ipc', async () => {
    const r = await ctr(['demo', '--only', '1', '--json'], { env: { ...process.env, CTR_TEST_SKIP_NS: 'ipc' } });
    expect(r.code).toBe(1);
    expect(parse(r.stdout)[0]!.why).toEqual([expect.stringMatching(/^ipc: the container shares the host's namespace ipc:\[\d+\]$/)]);
  });

  it('the test-only switch refuses namespaces whose sharing would touch the host', async () => {
    const r = await ctr(['run', '--net', 'none', defaultRootfs, 'true'], { env: { ...process.env, CTR_TEST_SKIP_NS: 'mnt' } });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/CTR_TEST_SKIP_NS: "mnt" cannot be skipped/);
  });

  it('on SIGINT, ends the running step within seconds, says so, and leaves nothing behind', async () => {
    const t0 = Date.now();
    const r = await ctr(['demo', '--only', 'limits,escape', '--json'], { onSpawn: (c) => setTimeout(() => c.kill('SIGINT'), 1500) });
    const elapsed = Date.now() - t0;
    const results = parse(r.stdout);
    expect(results.map((s) => s.id)).toEqual(['limits']);
    expect(results[0]!.why.join(' ')).toMatch(/interrupted by a signal/);
    expect(r.code).toBe(1);
    expect(elapsed).toBeLessThan(6000);
  });

  it('after SIGKILL of ctr demo, the next ctr command releases its containers and the next demo its scratch directory', async () => {
    let pid = 0;
    const r = await ctr(['demo', '--only', 'limits'], {
      onSpawn: (c) => {
        pid = c.pid!;
        setTimeout(() => c.kill('SIGKILL'), 1500);
      },
    });
    expect(r.signal).toBe('SIGKILL');
    const leftovers = (): string[] => readdirSync(os.tmpdir()).filter((f) => f.startsWith(`ctr-demo-${pid}-`));
    expect(leftovers()).toHaveLength(1);
    await ctr(['ps']); // sweeps the killed demo's container state, cgroup and lease (then the leak check runs)
    expect((await ctr(['demo', '--only', 'hostname'])).code).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('refuses bad input in one line, exit 125, before making anything', async () => {
    const before = existsSync('/tmp') ? execFileSync('ls', ['/tmp'], { encoding: 'utf8' }).split('\n').filter((f) => f.startsWith('ctr-demo-')) : [];
    for (const [args, message] of [
      [['demo', '--only', 'cpu'], /^ctr: unknown step "cpu" in --only; steps: 1 namespaces, .*7 escape\n$/],
      [['demo', '/nonexistent-rootfs'], /^ctr: rootfs "\/nonexistent-rootfs" does not exist; build the default one with `ctr rootfs build`\n$/],
      [['demo', '--html', '/nonexistent-dir/x.html'], /^ctr: --html \/nonexistent-dir\/x.html: the directory \/nonexistent-dir does not exist\n$/],
      [['demo', tmp], /^ctr: rootfs ".*" lacks the demo programs \(server, threads-cpu/],
    ] as const) {
      const r = await ctr([...args]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(125);
      expect(r.stdout).toBe('');
    }
    const after = execFileSync('ls', ['/tmp'], { encoding: 'utf8' }).split('\n').filter((f) => f.startsWith('ctr-demo-'));
    expect(after).toEqual(before);
  });

  describe.skipIf(skipUnless('the --html page in a real browser', { 'chromium (apt-get install chromium)': chromium !== undefined }))('the page in headless Chromium', () => {
    it('loads without console errors and shows every step with its verdict', async () => {
      expect(existsSync(page)).toBe(true);
      const r = await browse(['--dump-dom', `file://${page}`]);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/:CONSOLE|Uncaught|Failed to load/);
      for (const id of ['namespaces', 'rootfs', 'hostname', 'processes', 'network', 'limits', 'escape']) {
        expect(r.stdout).toMatch(new RegExp(`<section id="step-${id}" class="ok">[\\s\\S]*?<span class="verdict">held</span>`));
      }
      expect((r.stdout.match(/<svg /g) ?? []).length).toBe(2);
    });

    it('renders a screenshot that is not blank (and a blank page measures as blank)', async () => {
      const shot = path.join(tmp, 'demo.png');
      const blank = path.join(tmp, 'blank.html');
      const blankShot = path.join(tmp, 'blank.png');
      writeFileSync(blank, '<!doctype html><title>blank</title>');
      expect((await browse(['--window-size=1100,4000', `--screenshot=${shot}`, `file://${page}`])).code).toBe(0);
      expect((await browse(['--window-size=400,300', `--screenshot=${blankShot}`, `file://${blank}`])).code).toBe(0);
      const variance = luminanceVariance(decodePng(readFileSync(shot)));
      console.log(`ctr demo --html: screenshot luminance variance ${variance.toFixed(1)}`);
      expect(luminanceVariance(decodePng(readFileSync(blankShot)))).toBe(0);
      expect(variance).toBeGreaterThan(100);
    });
  });
});
