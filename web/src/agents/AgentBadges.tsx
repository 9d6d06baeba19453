import type { Agent } from '../api/client';
import { accessModeLabel, visibilityLabel } from './options';

/** Visibility, and for a public agent who may chat with it (the mode means nothing while private). */
export function AgentBadges({ agent }: { agent: Pick<Agent, 'visibility' | 'access_mode'> }) {
  return (
    <span className="badges">
      <span className={`badge badge--${agent.visibility}`}>{visibilityLabel(agent.visibility)}</span>
      {agent.visibility === 'public' && (
        <span className="badge badge--neutral">{accessModeLabel(agent.access_mode)} access</span>
      )}
    </span>
  );
}
