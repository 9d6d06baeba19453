import { Link } from 'react-router';
import { EmptyState } from '../ui/feedback';
import { CompassIcon } from '../ui/icons';
import { useDocumentTitle } from '../ui/dom';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <EmptyState
      icon={<CompassIcon />}
      title="Page not found"
      action={
        <Link to="/agents" className="btn btn--primary">
          Go to your agents
        </Link>
      }
    >
      There is no page at this address. Check the link, or start again from your agents.
    </EmptyState>
  );
}
