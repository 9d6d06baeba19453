import { describe, expect, it } from 'vitest';
import { nextColumnPosition } from './boardKeyboard';

const column = (left: number) => ({ left, top: 100, width: 280, height: 600 });
const columns = [column(0), column(300), column(600)];
const card = { left: 310, top: 300, width: 260, height: 80 };

describe('keyboard moves on the board', () => {
  it('goes to the next column either way, centred, at the same height', () => {
    expect(nextColumnPosition(card, columns, 'right', 300)).toEqual({ x: 610, y: 300 });
    expect(nextColumnPosition(card, columns, 'left', 300)).toEqual({ x: 10, y: 300 });
  });

  it('stays inside the column and below its heading', () => {
    expect(nextColumnPosition(card, columns, 'right', 20)).toEqual({ x: 610, y: 140 });
    expect(nextColumnPosition(card, columns, 'right', 2000)).toEqual({ x: 610, y: 620 });
  });

  it('has nowhere to go past the last column', () => {
    expect(nextColumnPosition({ ...card, left: 610 }, columns, 'right', 300)).toBeNull();
    expect(nextColumnPosition({ ...card, left: 10 }, columns, 'left', 300)).toBeNull();
  });
});
