// netns.ts — throwaway network namespaces and independent observers for the integration tests. Tests may use
// unshare/nsenter/ip as helpers; the product code never does.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';

/** A `sleep` holding a fresh netns alive; kill it (by pid) and the netns goes away with its links. */
export interface NetnsHolder {
  pid: number;
  child: ChildProcess;
}

/** Starts `unshare -n sleep 600` and waits until the process is inside its new netns. */
export async function startNetns(): Promise<NetnsHolder> {
  const child = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawn unshare failed');
  const own = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== own) return { pid, child };
    } catch {
      // not exec'd yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  throw new Error(`unshare -n (pid ${pid}) never entered a new netns`);
}

/** Kills the holder by pid and waits for it to be reaped. */
export async function stopNetns(holder: NetnsHolder): Promise<void> {
  if (holder.child.exitCode !== null || holder.child.signalCode !== null) return;
  const exited = new Promise((r) => holder.child.once('exit', r));
  process.kill(holder.pid, 'SIGKILL');
  await exited;
}

/** `ip -j <args>` on the host, or inside the netns of `pid`; parsed JSON. */
export function ipJson<T = Array<Record<string, unknown>>>(args: string[], pid?: number): T {
  const argv = pid === undefined ? ['ip', '-j', ...args] : ['nsenter', '-t', String(pid), '-n', 'ip', '-j', ...args];
  const out = execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  return JSON.parse(out.trim() || '[]') as T;
}

/** Host links whose name starts with `prefix`. */
export function hostLinksWithPrefix(prefix: string): string[] {
  return ipJson<Array<{ ifname: string }>>(['link', 'show'])
    .map((l) => l.ifname)
    .filter((n) => n.startsWith(prefix));
}

/** Deletes a host link with `ip`, ignoring "does not exist": cleanup must not depend on the code under test. */
export function forceDeleteLink(name: string): void {
  try {
    execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
  } catch {
    // already gone (or never created)
  }
}

/** A test link name: `ctrt` + a tag letter + 8 random hex chars (13 bytes, under IFNAMSIZ). */
export function testName(tag: string): string {
  return `ctrt${tag}${randomBytes(4).toString('hex')}`;
}
