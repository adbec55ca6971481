// scale.test.mjs — the address-conflict count of the detached scale measure, from container addresses.
import { describe, expect, it } from 'vitest';
import { addressConflicts } from '../src/measures/scale.mjs';

describe('addressConflicts', () => {
  it('is 0 for distinct addresses and ignores containers without one', () => {
    expect(addressConflicts(['10.214.0.2', '10.214.0.3', undefined])).toBe(0);
  });
  it('counts each address held by more than one container once', () => {
    expect(addressConflicts(['10.214.0.2', '10.214.0.2', '10.214.0.2', '10.214.0.3', '10.214.0.3', '10.214.0.4'])).toBe(2);
  });
});
