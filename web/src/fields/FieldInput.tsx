import { useId } from 'react';
import type { CustomField } from '../api/client';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../ui/Field';
import { customFieldName, emptyInput, type FieldInput } from './values';

/** The input for one custom field, by its type; help text and "required" as its hint. */
export function CustomFieldInput({
  field,
  value,
  onChange,
  error,
  disabled,
}: {
  field: CustomField;
  value: FieldInput | undefined;
  onChange: (value: FieldInput) => void;
  error?: string;
  disabled?: boolean;
}) {
  const current = value ?? emptyInput(field);
  const hint = [field.required ? 'Required.' : '', field.help_text].filter(Boolean).join(' ') || undefined;
  const common = { label: field.label, name: customFieldName(field.key), error, disabled, hint };
  const text = typeof current === 'string' ? current : '';

  switch (field.type) {
    case 'long_text':
      return <TextAreaField {...common} value={text} onChange={onChange} rows={4} maxLength={20000} />;
    case 'checkbox':
      return <CheckboxField {...common} checked={current === true} onChange={onChange} />;
    case 'single_select': {
      // A retired option stays shown while it is the value, but cannot be chosen again.
      const options = field.options
        .filter((o) => !o.retired || o.id === text)
        .map((o) => ({ value: o.id, label: o.retired ? `${o.label} (retired)` : o.label }));
      return <SelectField {...common} value={text} onChange={onChange} options={[{ value: '', label: '—' }, ...options]} />;
    }
    case 'multi_select':
      return (
        <MultiSelect
          field={field}
          value={Array.isArray(current) ? current : []}
          onChange={onChange}
          error={error}
          disabled={disabled}
          hint={hint}
        />
      );
    case 'number':
      return <TextField {...common} value={text} onChange={onChange} inputMode="decimal" />;
    case 'date':
      return <TextField {...common} type="date" value={text} onChange={onChange} />;
    case 'datetime':
      return <TextField {...common} type="datetime-local" value={text} onChange={onChange} />;
    case 'email':
      return <TextField {...common} type="email" value={text} onChange={onChange} maxLength={254} />;
    case 'phone':
      return <TextField {...common} type="tel" value={text} onChange={onChange} />;
    case 'url':
      return <TextField {...common} type="url" value={text} onChange={onChange} placeholder="https://" />;
    default:
      return <TextField {...common} value={text} onChange={onChange} maxLength={2000} />;
  }
}

function MultiSelect({
  field,
  value,
  onChange,
  error,
  disabled,
  hint,
}: {
  field: CustomField;
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
  disabled?: boolean;
  hint?: string;
}) {
  const id = useId();
  const chosen = new Set(value);
  const options = field.options.filter((o) => !o.retired || chosen.has(o.id));
  return (
    <fieldset
      className={`field field--group${error ? ' field--invalid' : ''}`}
      aria-describedby={[hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined}
    >
      <legend>{field.label}</legend>
      <div className="choice-list">
        {options.map((o) => (
          <label key={o.id} className="choice">
            <input
              type="checkbox"
              name={customFieldName(field.key)}
              value={o.id}
              checked={chosen.has(o.id)}
              disabled={disabled || (o.retired && !chosen.has(o.id))}
              onChange={(e) => onChange(e.target.checked ? [...value, o.id] : value.filter((v) => v !== o.id))}
            />
            <span>{o.retired ? `${o.label} (retired)` : o.label}</span>
          </label>
        ))}
        {options.length === 0 && <span className="muted small">No options yet.</span>}
      </div>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
