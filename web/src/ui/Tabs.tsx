import { useRef, type KeyboardEvent } from 'react';

export interface TabSpec<Id extends string> {
  id: Id;
  label: string;
}

/**
 * Accessible tabs (the WAI-ARIA tabs pattern): arrow keys, Home and End move between them and
 * focus the chosen one. `idPrefix` names the tabs `${idPrefix}-tab-${id}` and the panels they
 * control `${idPrefix}-panel-${id}`; the page renders the panel.
 */
export function Tabs<Id extends string>({
  tabs,
  current,
  onChoose,
  label,
  idPrefix,
}: {
  tabs: readonly TabSpec<Id>[];
  current: Id;
  onChoose: (id: Id) => void;
  label: string;
  idPrefix: string;
}) {
  const refs = useRef(new Map<Id, HTMLButtonElement>());
  function onKey(e: KeyboardEvent) {
    const i = tabs.findIndex((t) => t.id === current);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    let next: number | null = step ? (i + step + tabs.length) % tabs.length : null;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = tabs.length - 1;
    if (next === null) return;
    e.preventDefault();
    const id = tabs[next]!.id;
    onChoose(id);
    refs.current.get(id)?.focus();
  }
  return (
    <div className="subtabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            if (el) refs.current.set(t.id, el);
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${t.id}`}
          aria-selected={t.id === current}
          aria-controls={`${idPrefix}-panel-${t.id}`}
          tabIndex={t.id === current ? 0 : -1}
          className={`subtabs__tab${t.id === current ? ' subtabs__tab--active' : ''}`}
          onClick={() => onChoose(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
