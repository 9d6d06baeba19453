import { Link } from 'react-router';
import type { CustomField, Member, Ref, Stage } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { CustomFieldInput } from '../fields/FieldInput';
import { customFieldName } from '../fields/values';
import { SelectField, TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { contactPath } from './data';
import { activeFields, ownerOptions, type ContactValues } from './form';
import { displayName } from './labels';
import { reasonsLabel, type SimilarState } from './similar';

/**
 * The fields of a contact, shared by the add dialog and the edit form. `members` null: the
 * owners are not offered (the list of members is not available to this role).
 */
export function ContactFields({
  agentId,
  values,
  onChange,
  errors,
  stages,
  fields,
  members,
  current,
  autoFocus,
  disabled,
}: {
  agentId: string;
  values: ContactValues;
  onChange: (values: ContactValues) => void;
  errors: FieldErrors;
  stages: readonly Stage[];
  fields: readonly CustomField[];
  members: readonly Member[] | null;
  /** The owners the contact has now (edit), kept selectable if they left the agent. */
  current?: { primary: Ref | null; secondary: Ref | null };
  autoFocus?: boolean;
  disabled?: boolean;
}) {
  const set = <K extends keyof ContactValues>(key: K) => (value: ContactValues[K]) => onChange({ ...values, [key]: value });
  const custom = activeFields(fields);
  return (
    <>
      <div className="form-grid">
        <TextField
          label="Name"
          name="name"
          value={values.name}
          onChange={set('name')}
          error={errors.name}
          maxLength={200}
          autoFocus={autoFocus}
          autoComplete="off"
          disabled={disabled}
          placeholder="e.g. Ada Lovelace"
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          value={values.email}
          onChange={set('email')}
          error={errors.email}
          maxLength={254}
          autoComplete="off"
          disabled={disabled}
          placeholder="name@example.com"
        />
        <TextField
          label="Phone"
          name="phone"
          type="tel"
          value={values.phone}
          onChange={set('phone')}
          error={errors.phone}
          autoComplete="off"
          disabled={disabled}
          placeholder="+44 20 7946 0958"
          hint="With the country code for numbers abroad."
        />
        <SelectField
          label="Stage"
          name="stage_id"
          value={values.stage_id}
          onChange={set('stage_id')}
          error={errors.stage_id}
          disabled={disabled}
          options={stages.map((s) => ({ value: s.id, label: s.name }))}
        />
        {members && (
          <>
            <SelectField
              label="Primary owner"
              name="primary_owner_id"
              value={values.primary_owner_id}
              onChange={(primary_owner_id) =>
                onChange({
                  ...values,
                  primary_owner_id,
                  // Without a primary there is no secondary; and the two are never the same person.
                  secondary_owner_id:
                    primary_owner_id === '' || primary_owner_id === values.secondary_owner_id ? '' : values.secondary_owner_id,
                })
              }
              error={errors.primary_owner_id}
              disabled={disabled}
              options={ownerOptions(members, agentId, current?.primary ?? null)}
            />
            <SelectField
              label="Secondary owner"
              name="secondary_owner_id"
              value={values.secondary_owner_id}
              onChange={set('secondary_owner_id')}
              error={errors.secondary_owner_id}
              disabled={disabled || values.primary_owner_id === ''}
              hint={values.primary_owner_id === '' ? 'Choose a primary owner first.' : undefined}
              options={ownerOptions(members, agentId, current?.secondary ?? null, values.primary_owner_id)}
            />
          </>
        )}
      </div>
      {custom.length > 0 && (
        <fieldset className="form-section">
          <legend>Custom fields</legend>
          <div className="form-grid">
            {custom.map((f) => (
              <div key={f.id} className={f.type === 'long_text' || f.type === 'multi_select' ? 'form-grid__wide' : undefined}>
                <CustomFieldInput
                  field={f}
                  value={values.custom[f.key]}
                  onChange={(v) => onChange({ ...values, custom: { ...values.custom, [f.key]: v } })}
                  error={errors[customFieldName(f.key)]}
                  disabled={disabled}
                />
              </div>
            ))}
          </div>
        </fieldset>
      )}
    </>
  );
}

/** "A contact with similar details already exists", with links to the matches. */
export function SimilarWarning({ agentId, state }: { agentId: string; state: SimilarState }) {
  if (state.items.length === 0) return null;
  return (
    <Alert tone="warning">
      <p className="alert__title">A contact with similar details already exists</p>
      <ul className="similar-list">
        {state.items.slice(0, 5).map((c) => (
          <li key={c.id}>
            <Link to={contactPath(agentId, c.id)}>{displayName(c)}</Link>
            <span className="muted small">
              {' '}
              {[c.email, c.phone].filter(Boolean).join(' · ')}
              {c.status === 'archived' ? ' · archived' : ''} — {reasonsLabel(c.reasons)}
            </span>
          </li>
        ))}
      </ul>
    </Alert>
  );
}

/** The message of a failed save; on a duplicate, with a link to the contact that holds the details. */
export function SaveProblem({ agentId, error, message }: { agentId: string; error: unknown; message: string }) {
  const err = asApiError(error);
  const existing = err.code === 'conflict' ? err.detail('existing_contact_id') : undefined;
  const existingName = err.detail('existing_contact_name');
  return (
    <Alert>
      {message}
      {existing && (
        <>
          {' '}
          <Link to={contactPath(agentId, existing)}>Open {existingName || 'the existing contact'}</Link>
        </>
      )}
    </Alert>
  );
}
