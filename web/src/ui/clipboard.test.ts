import { describe, expect, it, vi } from 'vitest';
import { copyText } from './clipboard';

describe('copyText', () => {
  it('uses the Clipboard API', async () => {
    const writeText = vi.fn(async () => {});
    expect(await copyText('ada@example.com', { writeText })).toBe(true);
    expect(writeText).toHaveBeenCalledWith('ada@example.com');
  });

  it('falls back to copying a selection when the API refuses or is missing', async () => {
    const execCommand = vi.fn(() => true);
    Object.assign(document, { execCommand });
    const writeText = vi.fn(async () => {
      throw new DOMException('denied', 'NotAllowedError');
    });
    expect(await copyText('+15551234567', { writeText })).toBe(true);
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(document.querySelector('textarea')).toBeNull();

    execCommand.mockReturnValue(false);
    expect(await copyText('x', undefined)).toBe(false);
  });

  it('answers false without a document to fall back on', async () => {
    expect(await copyText('x', undefined, undefined)).toBe(false);
  });
});
