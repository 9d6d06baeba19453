import { describe, expect, it } from 'vitest';
import { reorder } from './SortableList';

describe('reorder', () => {
  it('moves an id to where another one was', () => {
    expect(reorder(['a', 'b', 'c', 'd'], 'a', 'c')).toEqual(['b', 'c', 'a', 'd']);
    expect(reorder(['a', 'b', 'c', 'd'], 'd', 'a')).toEqual(['d', 'a', 'b', 'c']);
  });
  it('leaves the order alone for unknown ids or no move', () => {
    expect(reorder(['a', 'b'], 'a', 'a')).toEqual(['a', 'b']);
    expect(reorder(['a', 'b'], 'x', 'a')).toEqual(['a', 'b']);
  });
});
