import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import Link from '@tiptap/extension-link';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';

/** A link address as typed ("example.com") made absolute; the server keeps http, https and mailto only. */
export function normalizeHref(raw: string): string {
  const href = raw.trim();
  if (href === '') return '';
  if (/^(https?:|mailto:)/i.test(href)) return href;
  if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(href)) return `mailto:${href}`;
  return `https://${href}`;
}

/**
 * A rich-text editor for notes (TipTap): bold, italic, lists and links, from the toolbar or the
 * usual shortcuts (Ctrl/⌘+B, Ctrl/⌘+I; Ctrl/⌘+Enter saves). The server sanitizes what it gets.
 */
export function NoteEditor({
  label,
  initialHtml = '',
  submitLabel,
  pendingLabel,
  onSubmit,
  onCancel,
  autoFocus,
}: {
  label: string;
  initialHtml?: string;
  submitLabel: string;
  pendingLabel: string;
  /** Saves the HTML; a rejection keeps the text in the editor (the caller shows the error). */
  onSubmit: (html: string) => Promise<void>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [pending, setPending] = useState(false);
  const submitRef = useRef<() => void>(() => {});
  const editor = useEditor({
    extensions: [
      StarterKit.configure({ link: false, heading: false, codeBlock: false, horizontalRule: false, underline: false }),
      Link.configure({
        openOnClick: false,
        autolink: true,
        protocols: ['mailto'],
        HTMLAttributes: { rel: 'nofollow noopener noreferrer', target: '_blank' },
      }),
    ],
    content: initialHtml,
    autofocus: autoFocus ? 'end' : false,
    editorProps: {
      attributes: {
        class: 'rich-editor__content rich-text',
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-label': label,
      },
      handleKeyDown: (_view, event) => {
        if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
          submitRef.current();
          return true;
        }
        return false;
      },
    },
  });
  const empty = useEditorState({ editor, selector: ({ editor: e }) => e?.isEmpty ?? true });

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (!editor || editor.isEmpty || pending) return;
    setPending(true);
    try {
      await onSubmit(editor.getHTML());
      if (!onCancel) editor.commands.clearContent(true);
    } catch {
      // The caller shows the error; the text stays for another try.
    } finally {
      setPending(false);
    }
  }
  submitRef.current = () => void submit();

  return (
    <form className="rich-editor" onSubmit={(e) => void submit(e)} aria-label={label}>
      {editor && <Toolbar editor={editor} />}
      <EditorContent editor={editor} />
      <div className="rich-editor__footer">
        <span className="muted small rich-editor__tip">Ctrl+Enter to save</span>
        {onCancel && (
          <button type="button" className="btn btn--small" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="btn btn--primary btn--small" disabled={empty || pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}

function Toolbar({ editor }: { editor: Editor }) {
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      bullet: e.isActive('bulletList'),
      ordered: e.isActive('orderedList'),
      link: e.isActive('link'),
      href: (e.getAttributes('link').href as string | undefined) ?? '',
    }),
  });
  const [linking, setLinking] = useState(false);

  return (
    <>
      <div className="rich-editor__toolbar" role="toolbar" aria-label="Formatting">
        <ToolButton label="Bold" pressed={active.bold} onClick={() => editor.chain().focus().toggleBold().run()}>
          <strong>B</strong>
        </ToolButton>
        <ToolButton label="Italic" pressed={active.italic} onClick={() => editor.chain().focus().toggleItalic().run()}>
          <em>I</em>
        </ToolButton>
        <span className="rich-editor__sep" aria-hidden="true" />
        <ToolButton label="Bulleted list" pressed={active.bullet} onClick={() => editor.chain().focus().toggleBulletList().run()}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
            <path d="M9 6h11M9 12h11M9 18h11" />
            <circle cx="4.5" cy="6" r="1" fill="currentColor" />
            <circle cx="4.5" cy="12" r="1" fill="currentColor" />
            <circle cx="4.5" cy="18" r="1" fill="currentColor" />
          </svg>
        </ToolButton>
        <ToolButton label="Numbered list" pressed={active.ordered} onClick={() => editor.chain().focus().toggleOrderedList().run()}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
            <path d="M10 6h10M10 12h10M10 18h10" />
            <path d="M4 5h1.5v4M3.8 15.2c.3-.6 1-.9 1.6-.7.8.3.8 1.3.1 1.9L4 18h2.2" strokeWidth="1.4" />
          </svg>
        </ToolButton>
        <span className="rich-editor__sep" aria-hidden="true" />
        <ToolButton label="Link" pressed={active.link || linking} onClick={() => setLinking((l) => !l)}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
            <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" />
            <path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />
          </svg>
        </ToolButton>
      </div>
      {linking && <LinkForm editor={editor} current={active.href} onDone={() => setLinking(false)} />}
    </>
  );
}

function ToolButton({ label, pressed, onClick, children }: { label: string; pressed: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      className={`rich-editor__tool${pressed ? ' rich-editor__tool--on' : ''}`}
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      // Keep the editor's selection: a mousedown on the button would otherwise blur it.
      onMouseDown={(e) => e.preventDefault()}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

function LinkForm({ editor, current, onDone }: { editor: Editor; current: string; onDone: () => void }) {
  const [href, setHref] = useState(current);
  const id = useId();

  function apply() {
    const url = normalizeHref(href);
    const chain = editor.chain().focus();
    if (url === '') chain.extendMarkRange('link').unsetLink().run();
    else if (editor.state.selection.empty && !editor.isActive('link')) {
      chain.insertContent({ type: 'text', text: href.trim(), marks: [{ type: 'link', attrs: { href: url } }] }).run();
    } else chain.extendMarkRange('link').setLink({ href: url }).run();
    onDone();
  }

  return (
    <div className="rich-editor__link">
      <label htmlFor={id} className="visually-hidden">
        Link address
      </label>
      <input
        id={id}
        type="url"
        placeholder="https://example.com"
        value={href}
        autoFocus
        onChange={(e) => setHref(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            apply();
          }
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onDone();
          }
        }}
      />
      <button type="button" className="btn btn--small" onClick={apply}>
        Apply
      </button>
      {current && (
        <button
          type="button"
          className="btn btn--small btn--ghost"
          onClick={() => {
            editor.chain().focus().extendMarkRange('link').unsetLink().run();
            onDone();
          }}
        >
          Remove link
        </button>
      )}
    </div>
  );
}
