import { describe, expect, it } from 'vitest';
import { countryCodes, countryName, countryOptions } from './countries';

describe('countries', () => {
  it('names regions', () => {
    expect(countryName('GB')).toBe('United Kingdom');
    expect(countryName('US')).toBe('United States');
    expect(countryName('nope')).toBe('nope');
  });

  it('offers every region once, by name, keeping an unlisted current one', () => {
    const options = countryOptions('');
    expect(options).toHaveLength(countryCodes.length);
    expect(new Set(options.map((o) => o.value)).size).toBe(countryCodes.length);
    expect(options.find((o) => o.value === 'DE')?.label).toBe('Germany (DE)');
    const labels = options.map((o) => o.label);
    expect(labels).toEqual([...labels].sort((a, b) => a.localeCompare(b, 'en')));
    expect(countryOptions('AQ').some((o) => o.value === 'AQ')).toBe(true);
  });
});
