// process.test.ts — settings of the container's first process in runtime-spec's `process` shape, read back
// from inside the container: rlimits (lowered, and a raise of a hard limit refused up front without
// CAP_SYS_RESOURCE). Needs root for the container suite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, lastCap, spawnContainer, type Rlimit } from '../lib/index.js';
import { runSh, useSandbox, validationBase } from './helpers.js';

const hardNofile = Number(readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+\S+\s+(\d+)/m)![1]);
const hasSysResource = ((BigInt(`0x${/^CapEff:\s*(\w+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`) >> 24n) & 1n) === 1n;

describe('rlimits option validation', () => {
  const rejects = (rlimits: unknown[], message: RegExp) =>
    expect(() => spawnContainer({ ...validationBase, rlimits: rlimits as Rlimit[] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) }),
    );
  it.each([
    [[{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }], /rlimits\[0\]\.type 'RLIMIT_BOGUS' is not one of RLIMIT_CPU/],
    [[{ type: 'RLIMIT_NOFILE', soft: 10, hard: 5 }], /rlimits\[0\] soft limit 10 is above the hard limit 5/],
    [[{ type: 'RLIMIT_NOFILE', soft: -2, hard: 5 }], /rlimits\[0\]\.soft must be a non-negative integer/],
    [[{ type: 'RLIMIT_CORE', soft: 0, hard: 0 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }], /rlimits\[1\]\.type 'RLIMIT_CORE' is given twice/],
  ])('rejects %j', (rlimits, message) => rejects(rlimits, message));

  it.runIf(!hasSysResource)('refuses to raise a hard limit without CAP_SYS_RESOURCE, naming the current one', () => {
    rejects([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hardNofile + 1 }],
      new RegExp(`raises the hard limit of RLIMIT_NOFILE from ${hardNofile} to ${hardNofile + 1}, which needs CAP_SYS_RESOURCE .*this process lacks it`));
  });

  it('refuses to raise a hard limit in a user namespace, whatever this process may do', () => {
    expect(() => spawnContainer({
      ...validationBase,
      security: { capabilities: [], noNewPrivileges: true, maskedPaths: [], readonlyPaths: [], readonlyRootfs: false, userns: { hostUid: 100000, hostGid: 100000, size: 65536 } },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hardNofile + 1 }],
    })).toThrow(/a container with its own user namespace never has it/);
  });
});

describe.skipIf(skipUnless('process settings in a container', { root: isRoot }))('spawnContainer process settings', () => {
  const sandbox = useSandbox();
  const sh = (script: string, extra = {}) => runSh(sandbox.tracker, sandbox.rootfs, `exec 2>&1; ${script}`, extra);

  it('rlimits are lowered for the first process and what it runs', async () => {
    const { output, status } = await sh('ulimit -Sn; ulimit -Hn; ulimit -Sc; ulimit -Hc', {
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 64, hard: 128 },
        { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
      ],
    });
    expect(status.exitCode).toBe(0);
    expect(output).toBe('64\n128\n0\n0\n');
  });

  it.runIf(hasSysResource)('raises a hard limit with CAP_SYS_RESOURCE', async () => {
    const { output } = await sh('ulimit -Hn', { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hardNofile + 1 }] });
    expect(output).toBe(`${hardNofile + 1}\n`);
  });

  it('unlimited is Infinity', async () => {
    const { output } = await sh('ulimit -Ht', { rlimits: [{ type: 'RLIMIT_CPU', soft: 10, hard: Infinity }] });
    expect(output).toBe('unlimited\n');
  });

});
