// namespaces.ts — step 1: the container's process sits in namespaces of its own. Each /proc/PID/ns/TYPE link
// names a namespace by its nsfs inode (namespaces(7)): the container reads its own links, the host reads
// ours, and every pair must differ. The user namespace is shared unless --userns is used, and is shown as such.
import { readlinkSync } from 'node:fs';
import { finished } from '../box.js';
import type { Evidence, Step } from '../types.js';

export const isolatedTypes = ['mnt', 'pid', 'net', 'uts', 'ipc', 'cgroup'] as const;
const allTypes = [...isolatedTypes, 'user'];

/** `uts:[4026531838]` lines (readlink output) by type. */
export function parseNsLinks(text: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const m of text.matchAll(/^(\w+):\[(\d+)\]$/gm)) links.set(m[1]!, m[0]);
  return links;
}

export const hostNs = (type: string): string => readlinkSync(`/proc/self/ns/${type}`);

export const namespaces: Step = {
  id: 'namespaces',
  title: 'Namespaces',
  claim: 'the container runs in its own mount, PID, network, UTS, IPC and cgroup namespaces',
  async run(ctx) {
    const box = ctx.start({ command: ['readlink', ...allTypes.map((t) => `/proc/self/ns/${t}`)], net: 'none' });
    const { result, output } = await finished(box);
    const inside = parseNsLinks(output);
    const evidence: Evidence[] = [];
    const why: string[] = [];
    for (const type of allTypes) {
      const host = hostNs(type);
      const container = inside.get(type) ?? '(not readable)';
      evidence.push({ label: type, host, container });
      if (type === 'user') continue; // shared by design without --userns
      if (container === host) why.push(`${type}: the container shares the host's namespace ${host}`);
      else if (!inside.has(type)) why.push(`${type}: the container could not read /proc/self/ns/${type}`);
    }
    if (result.exitCode !== 0) why.push(`readlink exited with ${result.exitCode}`);
    // The readlink output is the container column already: no transcript.
    return { ok: why.length === 0, evidence, transcript: [], why };
  },
};
