import { describe, expect, it } from 'vitest';
import { formatBytes, formatRelative } from './format';

describe('formatRelative', () => {
  const now = new Date('2025-01-10T12:00:00Z');
  it('says how long ago', () => {
    expect(formatRelative('2025-01-10T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2025-01-10T11:59:00Z', now)).toBe('1 minute ago');
    expect(formatRelative('2025-01-10T11:15:00Z', now)).toBe('45 minutes ago');
    expect(formatRelative('2025-01-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2025-01-08T12:00:00Z', now)).toBe('2 days ago');
  });
  it('falls back to the date or the raw value', () => {
    expect(formatRelative('2024-12-01T12:00:00Z', now)).not.toMatch(/ago/);
    expect(formatRelative('garbage', now)).toBe('garbage');
  });
});

describe('formatBytes', () => {
  it('says how big', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MiB');
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1 GiB');
    expect(formatBytes(-1)).toBe('');
  });
});
