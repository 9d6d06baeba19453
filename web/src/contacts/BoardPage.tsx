import { useCallback, useEffect, useReducer, useRef, useState, type MouseEvent } from 'react';
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { Link } from 'react-router';
import { useAgent } from '../agents/AgentLayout';
import { api, unwrap, type Contact } from '../api/client';
import { asApiError, type ApiError } from '../api/error';
import { useDocumentTitle } from '../ui/dom';
import { Alert, EmptyState, Loading } from '../ui/feedback';
import { PeopleIcon } from '../ui/icons';
import { useToast } from '../ui/Toast';
import { boardReducer, emptyBoard, findCard, type BoardState, type Column } from './board';
import { columnKeyboardCoordinates } from './boardKeyboard';
import { contactPath, loadStages } from './data';
import { displayName, initialsOf } from './labels';

const PAGE_SIZE = 50;

// The pointer decides where a mouse or finger drops; a keyboard drag has no pointer, so the card's box does.
const collisions: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  return within.length > 0 ? within : rectIntersection(args);
};

const instructions = {
  draggable:
    'To move a contact to another stage, press space or enter on its handle, use the left and right arrow keys ' +
    'to choose the stage, then press space or enter to drop it. Escape cancels.',
};

/** The pipeline as columns: drag a contact's card to another stage to move it there. */
export function BoardPage() {
  const { agent } = useAgent();
  useDocumentTitle(`Board · ${agent.name}`);
  const toast = useToast();
  const [state, dispatch] = useReducer(boardReducer, emptyBoard);
  const stateRef = useRef<BoardState>(state);
  stateRef.current = state;
  const [stagesError, setStagesError] = useState<ApiError | null>(null);
  const [stagesLoaded, setStagesLoaded] = useState(false);
  const [activeId, setActiveId] = useState<string | null>(null);
  const lastDrop = useRef(0);

  const loadColumn = useCallback(
    async (stageId: string, cursor?: string) => {
      if (cursor) dispatch({ type: 'loading-more', stageId });
      try {
        const page = await unwrap(
          api.GET('/agents/{agentId}/contacts', {
            params: {
              path: { agentId: agent.id },
              query: { stage_id: stageId, status: 'active', limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) },
            },
          }),
        );
        dispatch({ type: 'loaded', stageId, items: page.items, nextCursor: page.next_cursor, append: !!cursor });
      } catch (err) {
        dispatch({ type: 'failed', stageId, error: asApiError(err).message });
      }
    },
    [agent.id],
  );

  useEffect(() => {
    let current = true;
    loadStages(agent.id).then(
      (stages) => {
        if (!current) return;
        dispatch({ type: 'stages', stages });
        setStagesLoaded(true);
        for (const stage of stages) void loadColumn(stage.id);
      },
      (err: unknown) => current && setStagesError(asApiError(err)),
    );
    return () => {
      current = false;
    };
  }, [agent.id, loadColumn]);

  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 220, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnKeyboardCoordinates }),
  );

  async function move(contactId: string, to: string) {
    const was = findCard(stateRef.current, contactId);
    if (!was || was.stageId === to) return;
    const stageName = stateRef.current.columns[to]?.stage.name ?? 'the stage';
    dispatch({ type: 'move', contactId, to });
    try {
      const updated = await unwrap(
        api.PUT('/agents/{agentId}/contacts/{contactId}/stage', {
          params: { path: { agentId: agent.id, contactId } },
          body: { stage_id: to },
        }),
      );
      dispatch({ type: 'replace', contact: updated });
    } catch (err) {
      // Put the card back where it was.
      dispatch({ type: 'move', contactId, to: was.stageId, index: was.index });
      toast(`Could not move ${displayName(was.contact)} to ${stageName}: ${asApiError(err).message}`, 'error');
    }
  }

  function onDragStart(e: DragStartEvent) {
    setActiveId(String(e.active.id));
  }

  function onDragEnd(e: DragEndEvent) {
    setActiveId(null);
    const to = e.over?.data.current?.stageId as string | undefined;
    const from = e.active.data.current?.stageId as string | undefined;
    // Dropped back where it was: the pointer may be over the card's own link again.
    if (!to || to === from) lastDrop.current = Date.now();
    if (to) void move(String(e.active.id), to);
  }

  // A drag that ends on the card's own link must not also open the contact.
  function swallowClickAfterDrop(e: MouseEvent) {
    if (Date.now() - lastDrop.current < 250) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  const nameOf = (id: string | number) => {
    const card = findCard(stateRef.current, String(id));
    return card ? displayName(card.contact) : 'The contact';
  };
  const stageOf = (data: Record<string, unknown> | undefined) =>
    stateRef.current.columns[String(data?.stageId ?? '')]?.stage.name ?? 'a stage';
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${nameOf(active.id)}, in ${stageOf(active.data.current)}.`,
    onDragOver: ({ active, over }) =>
      over?.data.current?.stageId === active.data.current?.stageId
        ? undefined
        : over
          ? `${nameOf(active.id)} is over ${stageOf(over.data.current)}.`
          : `${nameOf(active.id)} is not over a stage.`,
    onDragEnd: ({ active, over }) =>
      over ? `${nameOf(active.id)} was moved to ${stageOf(over.data.current)}.` : `${nameOf(active.id)} was put back.`,
    onDragCancel: ({ active }) => `Moving ${nameOf(active.id)} was cancelled.`,
  };

  if (stagesError) return <Alert>{stagesError.message}</Alert>;
  if (!stagesLoaded) return <Loading label="Loading the board…" />;
  if (state.order.length === 0) {
    return (
      <EmptyState icon={<PeopleIcon />} title="No stages yet">
        This agent’s pipeline has no stages. Owners and admins add them in Settings.
      </EmptyState>
    );
  }

  const active = activeId ? findCard(state, activeId)?.contact : undefined;
  return (
    <div className="board-page">
      <div className="section-header">
        <div>
          <h2 className="section-header__title">Board</h2>
          <p className="muted small">
            Drag a card to another stage to move the contact. With a keyboard: Space on a card’s handle, ← →, Space.
          </p>
        </div>
      </div>
      <DndContext
        sensors={sensors}
        collisionDetection={collisions}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setActiveId(null)}
        accessibility={{ announcements, screenReaderInstructions: instructions }}
      >
        <div className="board" onClickCapture={swallowClickAfterDrop}>
          {state.order.map((stageId) => (
            <BoardColumn
              key={stageId}
              agentId={agent.id}
              column={state.columns[stageId]!}
              onLoadMore={(cursor) => void loadColumn(stageId, cursor)}
              onRetry={() => void loadColumn(stageId)}
            />
          ))}
        </div>
        <DragOverlay dropAnimation={null}>{active ? <CardBody agentId={agent.id} contact={active} overlay /> : null}</DragOverlay>
      </DndContext>
    </div>
  );
}

function BoardColumn({
  agentId,
  column,
  onLoadMore,
  onRetry,
}: {
  agentId: string;
  column: Column;
  onLoadMore: (cursor: string) => void;
  onRetry: () => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: `stage-${column.stage.id}`, data: { stageId: column.stage.id } });
  const headingId = `board-column-${column.stage.id}`;
  return (
    <section ref={setNodeRef} className={`board__column${isOver ? ' board__column--over' : ''}`} aria-labelledby={headingId}>
      <header className="board__head">
        <h3 id={headingId} className="board__title">
          {column.stage.name}
        </h3>
        <span className="board__count" aria-label={`${column.count} contact${column.count === 1 ? '' : 's'}`}>
          {column.count}
        </span>
      </header>
      <ul className="board__cards" aria-labelledby={headingId}>
        {column.items.map((c) => (
          <Card key={c.id} agentId={agentId} contact={c} stageId={column.stage.id} />
        ))}
      </ul>
      {column.status === 'loading' && <Loading label="Loading…" />}
      {column.status === 'ready' && column.items.length === 0 && <p className="board__empty">No contacts</p>}
      {column.error && (
        <div className="board__error">
          <p className="field__error">{column.error}</p>
          {column.status === 'error' && (
            <button type="button" className="btn btn--small" onClick={onRetry}>
              Try again
            </button>
          )}
        </div>
      )}
      {column.nextCursor && (
        <button
          type="button"
          className="btn btn--small btn--block"
          disabled={column.loadingMore}
          onClick={() => onLoadMore(column.nextCursor!)}
        >
          {column.loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function Card({ agentId, contact, stageId }: { agentId: string; contact: Contact; stageId: string }) {
  const { setNodeRef, setActivatorNodeRef, listeners, attributes, isDragging } = useDraggable({
    id: contact.id,
    data: { stageId },
  });
  const name = displayName(contact);
  // The whole card picks up with a mouse or finger; the keyboard uses the handle, a real button.
  const { onKeyDown, ...pointerListeners } = (listeners ?? {}) as Record<string, (event: unknown) => void>;
  return (
    <li
      ref={setNodeRef}
      className={`board-card${isDragging ? ' board-card--placeholder' : ''}`}
      data-contact-id={contact.id}
      {...pointerListeners}
    >
      <button
        type="button"
        ref={setActivatorNodeRef}
        className="board-card__handle"
        {...attributes}
        aria-label={`Move ${name}`}
        onKeyDown={(e) => onKeyDown?.(e)}
      >
        <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="currentColor">
          <circle cx="9" cy="6" r="1.6" />
          <circle cx="15" cy="6" r="1.6" />
          <circle cx="9" cy="12" r="1.6" />
          <circle cx="15" cy="12" r="1.6" />
          <circle cx="9" cy="18" r="1.6" />
          <circle cx="15" cy="18" r="1.6" />
        </svg>
      </button>
      <CardBody agentId={agentId} contact={contact} />
    </li>
  );
}

function CardBody({ agentId, contact, overlay }: { agentId: string; contact: Contact; overlay?: boolean }) {
  const name = displayName(contact);
  const body = (
    <div className="board-card__body">
      {overlay ? (
        <span className="board-card__name">{name}</span>
      ) : (
        <Link to={contactPath(agentId, contact.id)} className="board-card__name" draggable={false}>
          {name}
        </Link>
      )}
      {(contact.email || contact.phone) && <span className="board-card__detail">{contact.email ?? contact.phone}</span>}
      <span className="board-card__meta">
        {contact.primary_owner ? (
          <span className="board-card__owner" title={`Owner: ${contact.primary_owner.name}`}>
            <span className="avatar avatar--xs" aria-hidden="true">
              {initialsOf(contact.primary_owner.name)}
            </span>
            {contact.primary_owner.name}
          </span>
        ) : (
          <span className="muted">Unassigned</span>
        )}
        <span className="muted">{contact.source_label}</span>
      </span>
    </div>
  );
  return overlay ? <div className="board-card board-card--overlay">{body}</div> : body;
}
