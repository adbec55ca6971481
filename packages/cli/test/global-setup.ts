// global-setup.ts — the e2e suites make ctr create its host-wide objects on first use: the ctr0 bridge and
// the `ctr` parent group in each cgroup hierarchy (both kept by ctr between containers, as docker keeps
// docker0). What the suites made, they remove at the end; what was there before stays.
import { readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { NetlinkSocket, deleteLink, findLink } from '@ctr/netns';

function ctrParents(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 5) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === 'ctr') found.push(path.join(dir, e.name));
      else walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return found;
}

function bridgeExists(): boolean {
  const sock = NetlinkSocket.open();
  try {
    return findLink(sock, 'ctr0') !== undefined;
  } finally {
    sock.close();
  }
}

export default function setup(): () => void {
  if (process.getuid?.() !== 0) return () => {};
  const hadBridge = bridgeExists();
  const hadParents = new Set(ctrParents());
  return () => {
    if (!hadBridge && bridgeExists()) {
      const sock = NetlinkSocket.open();
      try {
        deleteLink(sock, 'ctr0');
      } finally {
        sock.close();
      }
    }
    // A container group still inside makes rmdir fail with EBUSY: that is a leak, and the run should say so.
    for (const dir of ctrParents().filter((d) => !hadParents.has(d))) rmdirSync(dir);
  };
}
