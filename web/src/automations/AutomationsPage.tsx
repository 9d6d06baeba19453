import { EmptyState } from '../ui/feedback';
import { BoltIcon } from '../ui/icons';

// An honest empty state until automations ship.
export function AutomationsPage() {
  return (
    <EmptyState icon={<BoltIcon />} title="No automations yet">
      <p>
        Automations decide what happens when a contact is created: who owns it and which pipeline stage it starts in,
        for each way contacts arrive.
      </p>
      <p className="muted small">Automations are coming in a later release of Guestlist.</p>
    </EmptyState>
  );
}
