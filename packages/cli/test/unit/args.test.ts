// args.test.ts — docker-style parsing: options stop at the first positional, values may start with '-'.
import { describe, expect, it } from 'vitest';
import { parseVerbArgs } from '../../src/args.js';

const options = {
  tty: { type: 'boolean', short: 't' },
  interactive: { type: 'boolean', short: 'i' },
  memory: { type: 'string', short: 'm' },
  env: { type: 'string', short: 'e', multiple: true },
  'pids-limit': { type: 'string' },
} as const;

describe('parseVerbArgs', () => {
  it('hands everything after the rootfs to the container untouched', () => {
    const r = parseVerbArgs(['-it', '-m', '64m', 'rootfs', 'ls', '-la', '--color', '-m'], options, true);
    expect(r.values).toMatchObject({ tty: true, interactive: true, memory: '64m' });
    expect(r.positionals).toEqual(['rootfs', 'ls', '-la', '--color', '-m']);
  });

  it('accepts option values that start with a dash, so validation can explain them', () => {
    const r = parseVerbArgs(['--pids-limit', '-2', '-m', '-5m', 'rootfs'], options, true);
    expect(r.values).toMatchObject({ 'pids-limit': '-2', memory: '-5m' });
    expect(r.positionals).toEqual(['rootfs']);
  });

  it('keeps repeated options and --opt=value forms', () => {
    const r = parseVerbArgs(['-e', 'A=1', '--env=B=2', '-e', 'C', 'rootfs'], options, true);
    expect(r.values.env).toEqual(['A=1', 'B=2', 'C']);
  });

  it('treats -- as the end of options', () => {
    const r = parseVerbArgs(['-t', '--', '-weird-rootfs', 'sh'], options, true);
    expect(r.positionals).toEqual(['-weird-rootfs', 'sh']);
  });

  it('rejects an unknown option with one line naming it', () => {
    expect(() => parseVerbArgs(['--frobnicate', 'rootfs'], options, true)).toThrow(/frobnicate/);
    try {
      parseVerbArgs(['--frobnicate', 'rootfs'], options, true);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
      expect((err as { code: string }).code).toBe('ERR_CTR_INVALID');
    }
  });

  it('without stopAtFirstPositional, options after positionals still parse', () => {
    const r = parseVerbArgs(['build', '--memory', '1g'], options, false);
    expect(r.positionals).toEqual(['build']);
    expect(r.values.memory).toBe('1g');
  });
});
