import type { FieldErrors } from '../api/error';
import { SelectField, TextField } from '../ui/Field';
import { accessModeHint, accessModeOptions, visibilityHint, visibilityOptions, type AgentValues } from './options';

/** The fields an agent has, shared by the create form and the settings form. */
export function AgentFields({
  values,
  onChange,
  errors,
  autoFocus,
  disabled,
}: {
  values: AgentValues;
  onChange: (values: AgentValues) => void;
  errors: FieldErrors;
  autoFocus?: boolean;
  disabled?: boolean;
}) {
  return (
    <>
      <TextField
        label="Name"
        name="name"
        value={values.name}
        onChange={(name) => onChange({ ...values, name })}
        error={errors.name}
        maxLength={100}
        autoFocus={autoFocus}
        disabled={disabled}
        placeholder="e.g. Support assistant"
      />
      <SelectField
        label="Visibility"
        name="visibility"
        value={values.visibility}
        onChange={(visibility) => onChange({ ...values, visibility })}
        options={visibilityOptions}
        error={errors.visibility}
        disabled={disabled}
        hint={visibilityHint(values.visibility)}
      />
      <SelectField
        label="Access mode"
        name="access_mode"
        value={values.access_mode}
        onChange={(access_mode) => onChange({ ...values, access_mode })}
        options={accessModeOptions}
        error={errors.access_mode}
        disabled={disabled}
        hint={
          values.visibility === 'public'
            ? accessModeHint(values.access_mode)
            : `${accessModeHint(values.access_mode)} Applies once the agent is public.`
        }
      />
    </>
  );
}

export const agentFieldNames = ['name', 'visibility', 'access_mode'] as const;
