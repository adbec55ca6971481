// global-setup.ts — the e2e suites make ctr create its host-wide objects on first use: the ctr0 bridge and
// the `ctr` parent group in each cgroup hierarchy (both kept by ctr between containers, as docker keeps
// docker0). What the suites made, they remove at the end; what was there before stays.
import { rmdirSync } from 'node:fs';
import { NetlinkSocket, deleteLink, findLink } from '@ctr/netns';
import { ctrParentGroups } from './cgroup-tree.js';

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
  const hadParents = new Set(ctrParentGroups());
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
    for (const dir of ctrParentGroups().filter((d) => !hadParents.has(d))) rmdirSync(dir);
  };
}
