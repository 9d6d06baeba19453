import { EmptyState } from '../ui/feedback';
import { FormIcon } from '../ui/icons';

// An honest empty state until the form builder ships.
export function FormsPage() {
  return (
    <EmptyState icon={<FormIcon />} title="No forms yet">
      <p>
        Forms collect details from people through a link or an embed, and every submission creates or updates a
        contact.
      </p>
      <p className="muted small">The form builder is coming in a later release of Guestlist.</p>
    </EmptyState>
  );
}
