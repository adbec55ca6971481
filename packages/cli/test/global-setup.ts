// global-setup.ts — the e2e suites make ctr create its host-wide objects on first use: the ctr0 bridge and
// the `ctr` parent group in each cgroup hierarchy (both kept by ctr between containers, as docker keeps
// docker0). What the suites made, they remove at the end; what was there before stays. A test that must
// start from a host without them (bad input creates nothing) removes them early with removeSuiteObjects.
import { rmdirSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { NetlinkSocket, deleteLink, findLink } from '@ctr/netns';
import { ctrParentGroups } from './cgroup-tree.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the ctr0 bridge existed before the run */
    hadBridge: boolean;
    /** the `ctr` parent groups that existed before the run */
    hadParents: string[];
  }
}

export function bridgeExists(): boolean {
  const sock = NetlinkSocket.open();
  try {
    return findLink(sock, 'ctr0') !== undefined;
  } finally {
    sock.close();
  }
}

/** Removes the bridge and the parent groups that were not there before the run (no container may run). */
export function removeSuiteObjects(hadBridge: boolean, hadParents: string[]): void {
  if (!hadBridge && bridgeExists()) {
    const sock = NetlinkSocket.open();
    try {
      deleteLink(sock, 'ctr0');
    } finally {
      sock.close();
    }
  }
  // A container group still inside makes rmdir fail with EBUSY: that is a leak, and the run should say so.
  for (const dir of ctrParentGroups().filter((d) => !hadParents.includes(d))) rmdirSync(dir);
}

export default function setup(project: TestProject): () => void {
  const root = process.getuid?.() === 0;
  const hadBridge = root && bridgeExists();
  const hadParents = root ? ctrParentGroups() : [];
  project.provide('hadBridge', hadBridge);
  project.provide('hadParents', hadParents);
  return root ? () => removeSuiteObjects(hadBridge, hadParents) : () => {};
}
