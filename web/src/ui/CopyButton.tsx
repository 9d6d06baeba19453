import { copyText } from './clipboard';
import { useToast } from './Toast';

/** A small button that copies `text` and says so in a toast. `what`: "name", "email", ... */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const toast = useToast();
  async function copy() {
    if (await copyText(text)) toast(`Copied ${what}`);
    else toast(`Could not copy the ${what}. Select it and copy it by hand.`, 'error');
  }
  return (
    <button type="button" className="btn btn--ghost btn--icon btn--copy" aria-label={`Copy ${what}`} title={`Copy ${what}`} onClick={() => void copy()}>
      <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
        <rect x="9" y="9" width="11" height="11" rx="2" />
        <path d="M5 15V6a2 2 0 0 1 2-2h9" />
      </svg>
    </button>
  );
}
