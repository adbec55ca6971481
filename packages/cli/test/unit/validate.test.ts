// validate.test.ts — the checks that run before anything is created.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execCandidates } from '../../src/runtime/run.js';
import { prepareLimits } from '../../src/runtime/limits.js';
import {
  parsePublish, validateEnv, validateHostname, validateName, validateNetMode, validateRootfs, validateWorkdir,
} from '../../src/runtime/validate.js';

describe('validateHostname', () => {
  it('accepts RFC 1123 names up to 64 bytes', () => {
    expect(validateHostname('mycontainer')).toBe('mycontainer');
    expect(validateHostname('a-b.c1')).toBe('a-b.c1');
    expect(validateHostname('a'.repeat(63))).toBe('a'.repeat(63));
  });
  it.each(['', 'a'.repeat(65), 'bad_host', '-lead', 'trail-', 'sp ace', 'a..b', 'ü'])('refuses %j', (name) => {
    expect(() => validateHostname(name)).toThrow(/invalid hostname/);
  });
});

describe('validateName', () => {
  it.each(['web', 'a.b_c-1'])('accepts %j', (n) => expect(validateName(n)).toBe(n));
  it.each(['', '../x', '_lead', 'a/b', 'a'.repeat(64)])('refuses %j', (n) => expect(() => validateName(n)).toThrow(/invalid container name/));
});

describe('validateRootfs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('resolves a directory to its real path', () => {
    expect(validateRootfs(dir)).toBe(dir);
  });
  it('refuses a missing path and a file, naming them', () => {
    expect(() => validateRootfs(path.join(dir, 'nope'))).toThrow(/does not exist/);
    const file = path.join(dir, 'file');
    writeFileSync(file, '');
    expect(() => validateRootfs(file)).toThrow(/is not a directory/);
  });
});

describe('environment, workdir, net mode', () => {
  it('copies a bare -e K from ctr and refuses malformed keys', () => {
    process.env.CTR_TEST_COPY = 'v';
    expect(validateEnv(['A=1', 'CTR_TEST_COPY', 'UNSET_CTR_TEST'])).toEqual(['A=1', 'CTR_TEST_COPY=v']);
    expect(() => validateEnv(['1A=x'])).toThrow(/invalid environment variable/);
  });
  it('normalizes an absolute workdir and refuses a relative one', () => {
    expect(validateWorkdir('/a/../b/')).toBe('/b/');
    expect(() => validateWorkdir('tmp')).toThrow(/absolute/);
  });
  it('knows bridge and none', () => {
    expect(validateNetMode('none')).toBe('none');
    expect(() => validateNetMode('host')).toThrow(/unknown --net mode "host"/);
  });
});

describe('parsePublish', () => {
  it('reads [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]', () => {
    expect(parsePublish('8080:80')).toEqual({ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 });
    expect(parsePublish('127.0.0.1:18080:8080/tcp')).toEqual({ hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080 });
  });
  it.each(['80', '80:abc', '0:80', '1:2:3:4', '80:80/udp', 'host:80:80', '70000:80'])('refuses %j', (spec) => {
    expect(() => parsePublish(spec)).toThrow(/invalid --publish/);
  });
});

describe('execCandidates', () => {
  it('follows PATH for a bare name and resolves paths against the workdir', () => {
    expect(execCandidates('sh', '/usr/bin:/bin:relative', '/')).toEqual(['/usr/bin/sh', '/bin/sh']);
    expect(execCandidates('./server', '/bin', '/srv')).toEqual(['/srv/server']);
    expect(execCandidates('/bin/true', '/x', '/')).toEqual(['/bin/true']);
  });
});

describe('prepareLimits', () => {
  it('parses the flags, and a memory limit without --memory-swap means no swap', () => {
    const p = prepareLimits({ cpus: '0.5', memory: '64m', pidsLimit: '32' });
    expect(p.limits).toEqual({ cpus: 0.5, memory: 64 * 2 ** 20, memorySwap: 64 * 2 ** 20, pids: 32 });
    expect(p.memory).toBe(64 * 2 ** 20);
  });
  it.each([
    [{ memory: '10xb' }, /invalid --memory "10xb"/],
    [{ memory: '1k' }, /invalid --memory "1k" \(1024\): must be/],
    [{ cpus: '0' }, /invalid --cpus/],
    [{ cpus: 'lots' }, /invalid --cpus "lots"/],
    [{ cpus: String(os.availableParallelism() + 1) }, /invalid --cpus .*host has/],
    [{ pidsLimit: '-2' }, /invalid --pids-limit/],
    [{ pidsLimit: '1.5' }, /invalid --pids-limit "1.5"/],
    [{ memory: '64m', memorySwap: '32m' }, /invalid --memory-swap "32m" \(33554432\)/],
  ])('refuses %j', (opts, message) => {
    expect(() => prepareLimits(opts)).toThrow(message);
  });
});
