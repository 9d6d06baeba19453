import { useAgent } from '../agents/AgentLayout';
import { EmptyState } from '../ui/feedback';
import { PeopleIcon } from '../ui/icons';

// An honest empty state: contacts arrive through features of later releases, so this page
// offers no buttons that would do nothing.
export function ContactsPage() {
  const { agent } = useAgent();
  return (
    <EmptyState icon={<PeopleIcon />} title="No contacts yet">
      <p>
        The people {agent.name} talks to become its contacts. They will arrive from chat when a visitor shares an email
        or phone, from form submissions, from CSV imports and through the API.
      </p>
      <p className="muted small">These ways in are coming in a later release of Guestlist.</p>
    </EmptyState>
  );
}
