import { describe, it, expect } from 'vitest';
import { meetsPermission } from '../../../src/app/authorize.js';

describe('app/authorize', () => {
  it.each([
    ['admin', 'write', true],
    ['maintain', 'write', true],
    ['write', 'write', true],
    ['triage', 'write', false],
    ['read', 'write', false],
    ['none', 'write', false],
    ['write', 'maintain', false],
    ['maintain', 'maintain', true],
    ['maintain', 'admin', false],
    ['admin', 'admin', true],
    ['some-custom-role', 'write', false],
  ] as const)('%s meets %s: %s', (role, minimum, expected) => {
    expect(meetsPermission(role, minimum)).toBe(expected);
  });
});
