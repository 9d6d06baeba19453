import type { ReactNode } from 'react';
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type Modifier,
} from '@dnd-kit/core';
import { SortableContext, arrayMove, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';

const verticalOnly: Modifier = ({ transform }) => ({ ...transform, x: 0 });

/** The ids in their new order after moving `active` to where `over` is. */
export function reorder(ids: readonly string[], active: string, over: string): string[] {
  const from = ids.indexOf(active);
  const to = ids.indexOf(over);
  if (from < 0 || to < 0 || from === to) return [...ids];
  return arrayMove([...ids], from, to);
}

/**
 * A vertical list reordered by dragging each row's handle (dnd-kit), with the mouse, a finger or
 * the keyboard (Space on the handle, ↑ ↓, Space). `onReorder` gets every id in the new order.
 */
export function SortableList<T extends { id: string }>({
  items,
  label,
  itemLabel,
  onReorder,
  renderItem,
  disabled,
  className,
}: {
  items: readonly T[];
  /** The list's accessible name, e.g. "Stages". */
  label: string;
  /** What a screen reader calls an item: "stage Lead". */
  itemLabel: (item: T) => string;
  onReorder: (ids: string[]) => void;
  /** One row; `handle` is the drag handle (null when the list is not reorderable). */
  renderItem: (item: T, handle: ReactNode) => ReactNode;
  disabled?: boolean;
  className?: string;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const ids = items.map((i) => i.id);
  const name = (id: string | number) => {
    const item = items.find((i) => i.id === id);
    return item ? itemLabel(item) : 'the item';
  };
  const position = (id: string | number) => `position ${ids.indexOf(String(id)) + 1} of ${ids.length}`;
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}, in ${position(active.id)}.`,
    // Right after the pick-up the item is over itself: the pick-up message says it all.
    onDragOver: ({ active, over }) =>
      over?.id === active.id ? undefined : over ? `${name(active.id)} is now at ${position(over.id)}.` : `${name(active.id)} is outside the list.`,
    onDragEnd: ({ active, over }) => (over ? `${name(active.id)} was dropped at ${position(over.id)}.` : `${name(active.id)} was put back.`),
    onDragCancel: ({ active }) => `Moving ${name(active.id)} was cancelled.`,
  };

  function onDragEnd({ active, over }: DragEndEvent) {
    if (!over || active.id === over.id) return;
    onReorder(reorder(ids, String(active.id), String(over.id)));
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      modifiers={[verticalOnly]}
      onDragEnd={onDragEnd}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable: 'To reorder, press space or enter on the handle, use the up and down arrow keys, then press space or enter to drop. Escape cancels.',
        },
      }}
    >
      <SortableContext items={ids} strategy={verticalListSortingStrategy} disabled={disabled}>
        <ul className={`sortable${className ? ` ${className}` : ''}`} aria-label={label}>
          {items.map((item) => (
            <SortableRow key={item.id} id={item.id} label={itemLabel(item)} disabled={disabled}>
              {(handle) => renderItem(item, handle)}
            </SortableRow>
          ))}
        </ul>
      </SortableContext>
    </DndContext>
  );
}

function SortableRow({
  id,
  label,
  disabled,
  children,
}: {
  id: string;
  label: string;
  disabled?: boolean;
  children: (handle: ReactNode) => ReactNode;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id, disabled });
  const handle = disabled ? null : (
    <button type="button" ref={setActivatorNodeRef} className="drag-handle" {...attributes} {...listeners} aria-label={`Reorder ${label}`}>
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="currentColor">
        <circle cx="9" cy="6" r="1.6" />
        <circle cx="15" cy="6" r="1.6" />
        <circle cx="9" cy="12" r="1.6" />
        <circle cx="15" cy="12" r="1.6" />
        <circle cx="9" cy="18" r="1.6" />
        <circle cx="15" cy="18" r="1.6" />
      </svg>
    </button>
  );
  return (
    <li
      ref={setNodeRef}
      className={`sortable__row${isDragging ? ' sortable__row--dragging' : ''}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
    >
      {children(handle)}
    </li>
  );
}
