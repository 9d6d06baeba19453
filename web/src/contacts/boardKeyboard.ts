import type { KeyboardCoordinateGetter } from '@dnd-kit/core';

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where a card dragged with the keyboard goes on ← or →: into the nearest column that way,
 * centred in it, at the same height (kept inside the column). null: no column that way.
 */
export function nextColumnPosition(
  card: Box,
  columns: readonly Box[],
  direction: 'left' | 'right',
  y: number,
): { x: number; y: number } | null {
  const centre = card.left + card.width / 2;
  let best: Box | null = null;
  for (const column of columns) {
    const c = column.left + column.width / 2;
    const ahead = direction === 'right' ? c > centre + 1 : c < centre - 1;
    if (!ahead) continue;
    if (!best || Math.abs(c - centre) < Math.abs(best.left + best.width / 2 - centre)) best = column;
  }
  if (!best) return null;
  const top = best.top + 40; // below the column's heading
  const bottom = Math.max(top, best.top + best.height - card.height);
  return { x: best.left + (best.width - card.width) / 2, y: Math.min(Math.max(y, top), bottom) };
}

/** dnd-kit's keyboard sensor, moving a card a whole column per arrow key. */
export const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const direction = event.code === 'ArrowRight' ? 'right' : event.code === 'ArrowLeft' ? 'left' : null;
  if (event.code === 'ArrowUp' || event.code === 'ArrowDown') event.preventDefault();
  if (!direction) return undefined;
  event.preventDefault();
  const { collisionRect, droppableRects, droppableContainers } = context;
  if (!collisionRect) return undefined;
  const columns: Box[] = [];
  for (const container of droppableContainers.getEnabled()) {
    const rect = droppableRects.get(container.id);
    if (rect) columns.push(rect);
  }
  return nextColumnPosition(collisionRect, columns, direction, currentCoordinates.y) ?? undefined;
};
