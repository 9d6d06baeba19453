import { Link } from 'react-router';

export function Logo({ to = '/agents' }: { to?: string }) {
  return (
    <Link to={to} className="logo" aria-label="Guestlist home">
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M9 11h14M9 16h14M9 21h9" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <span>Guestlist</span>
    </Link>
  );
}
