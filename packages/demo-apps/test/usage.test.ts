// usage.test.ts — the package's exports and every program's argument contract: --help exits 0 with the
// usage on stdout, bad arguments exit 2 with the usage on stderr.
import { accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDir, programs, type DemoProgram } from '../index.js';
import { runProgram } from './run.js';

const badArguments: Record<DemoProgram, string[][]> = {
  server: [['--port', '70000'], ['--bogus']],
  client: [[], ['not-an-ip'], ['127.0.0.1', '0']],
  'threads-cpu': [[], ['0'], ['2', '--seconds', 'x']],
  'mem-hog': [['--step', '0'], ['--max', '5t'], ['extra']],
  'fork-bomb': [['--max', '-1'], ['--max']],
  'chroot-escape': [[], ['a', 'b']],
  'escape-probe': [['--bogus'], ['--only', 'nope'], ['--host-pid', '0']],
};

describe('package exports', () => {
  it('buildDir is absolute and holds every program, executable', () => {
    expect(isAbsolute(buildDir)).toBe(true);
    expect([...programs].sort()).toEqual(Object.keys(badArguments).sort());
    for (const name of programs) accessSync(join(buildDir, name), constants.X_OK);
  });
});

describe.each(programs)('%s arguments', (name) => {
  it('--help prints the usage and exits 0', async () => {
    const result = await runProgram(name, ['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^usage: ${name}`));
  });

  it.each(badArguments[name].map((args) => ({ args })))('bad arguments $args exit 2 with the usage', async ({ args }) => {
    const result = await runProgram(name, args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^${name}: .+\\nusage: ${name}`));
  });
});
