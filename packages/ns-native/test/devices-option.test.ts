// devices-option.test.ts — pure checks, no root: the `devices` option of spawnContainer is validated before
// anything is cloned (a bad node fails with ERR_INVALID_ARG_VALUE naming the field).
import { describe, expect, it } from 'vitest';
import { spawnContainer, type DeviceNode } from '../lib/index.js';
import { validationBase } from './helpers.js';

describe('devices option validation', () => {
  const base = validationBase;
  const fuse: DeviceNode = { path: '/dev/fuse', hostPath: '/dev/fuse', type: 'c', major: 10, minor: 229, mode: 0o666 };
  const rejects = (devices: unknown[], message: RegExp) =>
    expect(() => spawnContainer({ ...base, devices: devices as DeviceNode[] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) }),
    );

  it.each([
    [[{ ...fuse, path: '/tmp/fuse' }], /devices\[0\]\.path must be a normalized path below \/dev/],
    [[{ ...fuse, path: '/dev/../etc/x' }], /devices\[0\]\.path must be a normalized path/],
    [[{ ...fuse, path: 'dev/fuse' }], /devices\[0\]\.path must be an absolute path/],
    [[{ ...fuse, path: '/dev/pts/3' }], /devices\[0\]\.path must not be in \/dev\/pts/],
    [[{ ...fuse, path: '/dev/shm' }], /must not be in/],
    [[fuse, { ...fuse }], /devices\[1\]\.path '\/dev\/fuse' is given twice/],
    [[{ ...fuse, type: 'p' }], /devices\[0\]\.type must be 'c' or 'b'/],
    [[{ ...fuse, major: 4096 }], /devices\[0\]\.major must be an integer 0-4095/],
    [[{ ...fuse, minor: -1 }], /devices\[0\]\.minor must be an integer 0-1048575/],
    [[{ ...fuse, mode: 0o4755 }], /devices\[0\]\.mode must be an integer 0-511/],
    [[{ ...fuse, hostPath: 'fuse' }], /devices\[0\]\.hostPath must be an absolute path/],
  ])('rejects %j', (devices, message) => rejects(devices, message));
});
