// remove-tree.test.ts — removeTree: the short way for a directory holding what it usually holds, the long
// way for anything else, and a missing directory is fine.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTree } from '../../src/runtime/remove-tree.js';

const LAYER = ['upper/', 'work/work/', 'work/'];
let scratch: string | undefined;

function layer(): string {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'ctr-remove-tree-'));
  const dir = path.join(scratch, 'layer');
  mkdirSync(path.join(dir, 'upper'), { recursive: true });
  mkdirSync(path.join(dir, 'work', 'work'), { recursive: true });
  // overlayfs makes work/work mode 000
  chmodSync(path.join(dir, 'work', 'work'), 0);
  return dir;
}

afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('removeTree', () => {
  it('removes a directory holding just its usual entries', () => {
    const dir = layer();
    removeTree(dir, LAYER);
    expect(existsSync(dir)).toBe(false);
  });

  it('removes whatever else is in it: files and trees the container wrote, a symlink out of it (not followed)', () => {
    const dir = layer();
    const outside = path.join(scratch!, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'keep'), 'host data');
    mkdirSync(path.join(dir, 'upper', 'tmp', 'deep'), { recursive: true });
    writeFileSync(path.join(dir, 'upper', 'tmp', 'deep', 'f'), 'x');
    symlinkSync(outside, path.join(dir, 'upper', 'link'));
    removeTree(dir, LAYER);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(path.join(outside, 'keep'))).toBe(true);
  });

  it('removes a directory where a usual entry has another type, and one missing some usual entries', () => {
    const dir = layer();
    rmSync(path.join(dir, 'upper'), { recursive: true });
    writeFileSync(path.join(dir, 'upper'), 'a file, not a directory');
    removeTree(dir, LAYER);
    expect(existsSync(dir)).toBe(false);

    const bare = path.join(scratch!, 'bare');
    mkdirSync(bare);
    removeTree(bare, ['exit.json']);
    expect(existsSync(bare)).toBe(false);
  });

  it('accepts a directory that does not exist', () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'ctr-remove-tree-'));
    expect(() => removeTree(path.join(scratch!, 'never-made'), LAYER)).not.toThrow();
  });
});
