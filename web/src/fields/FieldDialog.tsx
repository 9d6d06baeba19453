import { useId, useState, type FormEvent } from 'react';
import { api, unwrapWithEtag, versionEtag, type CustomField } from '../api/client';
import { asApiError, type FieldErrors } from '../api/error';
import { focusFirstInvalid } from '../ui/dom';
import { Dialog } from '../ui/Dialog';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../ui/Field';
import { Alert } from '../ui/feedback';
import { SortableList } from '../ui/SortableList';
import { problemsFrom } from '../ui/validate';
import { CustomFieldInput } from './FieldInput';
import {
  blankField,
  deriveKey,
  fieldChanges,
  fieldCreateBody,
  fieldFormNames,
  newRef,
  takesDefault,
  validateField,
  valuesOfField,
  type FieldValues,
  type OptionDraft,
} from './form';
import { canBeUnique, emptyInput, fieldTypeOptions, hasOptions } from './values';

/** Creates a custom field, or edits one (`field`): everything but its key and type, which are fixed. */
export function FieldDialog({
  agentId,
  field,
  onSaved,
  onClose,
}: {
  agentId: string;
  field?: CustomField;
  onSaved: (field: CustomField) => void;
  onClose: () => void;
}) {
  const creating = !field;
  const [values, setValues] = useState<FieldValues>(() => (field ? valuesOfField(field) : blankField()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [pending, setPending] = useState(false);
  const set = <K extends keyof FieldValues>(key: K) => (value: FieldValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  function setType(type: FieldValues['type']) {
    setValues((v) => ({
      ...v,
      type,
      default_value: emptyInput({ type }),
      unique: canBeUnique(type) && v.unique,
      options: hasOptions(type) ? v.options : [],
    }));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const invalid = validateField(values, creating);
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      if (field) {
        const body = fieldChanges(field, values);
        if (Object.keys(body).length === 0) return onClose();
        const { data } = await unwrapWithEtag(
          api.PATCH('/agents/{agentId}/fields/{fieldId}', {
            params: { path: { agentId, fieldId: field.id }, header: { 'If-Match': versionEtag(field) } },
            body,
          }),
          versionEtag,
        );
        onSaved(data);
      } else {
        const { data } = await unwrapWithEtag(
          api.POST('/agents/{agentId}/fields', { params: { path: { agentId } }, body: fieldCreateBody(values) }),
          versionEtag,
        );
        onSaved(data);
      }
    } catch (err) {
      if (asApiError(err).status === 412) {
        setStale(true);
      } else {
        const problems = problemsFrom(err, fieldFormNames);
        setErrors(problems.fields);
        setMessage(problems.message);
        focusFirstInvalid(form);
      }
      setPending(false);
    }
  }

  // The default's input works on option refs, so that a new option can be the default before it has an id.
  const draftField: CustomField = {
    ...(field ?? ({} as CustomField)),
    key: 'default_value',
    label: 'Default value',
    type: values.type,
    help_text: '',
    required: false,
    options: values.options.filter((o) => o.label.trim()).map((o) => ({ id: o.ref, label: o.label.trim(), retired: o.retired })),
  };

  return (
    <Dialog title={creating ? 'New custom field' : `Edit ${field.label}`} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate aria-label={creating ? 'New custom field' : 'Edit custom field'}>
        {stale && <Alert>This field changed since you loaded it — close this dialog and open the field again to see the latest version.</Alert>}
        {message && <Alert>{message}</Alert>}
        <div className="form-grid">
          <TextField label="Label" name="label" value={values.label} onChange={set('label')} error={errors.label} maxLength={80} autoFocus autoComplete="off" />
          <SelectField
            label="Type"
            name="type"
            value={values.type}
            onChange={setType}
            options={fieldTypeOptions}
            error={errors.type}
            disabled={!creating}
            hint={creating ? undefined : 'The type cannot change once a field exists.'}
          />
          <TextField
            label="Key"
            name="key"
            value={creating ? values.key : field.key}
            onChange={set('key')}
            error={errors.key}
            maxLength={64}
            autoComplete="off"
            disabled={!creating}
            placeholder={creating ? deriveKey(values.label) : undefined}
            hint={
              creating ? (
                <>
                  Where the API and imports find the value: <code>custom.{values.key.trim() || deriveKey(values.label)}</code>. Fixed once
                  created.
                </>
              ) : (
                'Fixed: contacts keep their values under it.'
              )
            }
          />
          <div className="form-grid__wide">
            <TextAreaField
              label="Help text"
              name="help_text"
              value={values.help_text}
              onChange={set('help_text')}
              error={errors.help_text}
              maxLength={500}
              rows={2}
              hint="Shown under the field on contact forms."
            />
          </div>
        </div>
        {hasOptions(values.type) && (
          <OptionsEditor options={values.options} onChange={set('options')} error={errors.options} defaultValue={values.default_value} />
        )}
        <fieldset className="form-section">
          <legend>Rules</legend>
          <div className="form-grid">
            <CheckboxField
              label="Required"
              name="required"
              checked={values.required}
              onChange={set('required')}
              error={errors.required}
              hint="Members cannot add a contact without it, nor clear it. The AI may leave it empty."
            />
            {canBeUnique(values.type) && (
              <CheckboxField
                label="Unique"
                name="unique"
                checked={values.unique}
                onChange={set('unique')}
                error={errors.unique}
                hint="No two active contacts may share a value. A unique field has no default."
              />
            )}
            {takesDefault(values) && (
              <div className={values.type === 'long_text' || values.type === 'multi_select' ? 'form-grid__wide' : undefined}>
                <CustomFieldInput field={draftField} value={values.default_value} onChange={set('default_value')} error={errors.default_value} />
              </div>
            )}
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>AI</legend>
          <CheckboxField
            label="Allow for AI"
            name="ai"
            checked={values.ai}
            onChange={set('ai')}
            hint="Lets the agent write this field from what people say in chat."
          />
          {values.ai && (
            <div className="form-grid">
              <SelectField
                label="The AI may"
                name="ai_policy"
                value={values.ai_policy}
                onChange={set('ai_policy')}
                error={errors.ai_policy}
                options={[
                  { value: 'fill_empty', label: 'Fill it only when empty' },
                  { value: 'overwrite', label: 'Fill it and change it' },
                ]}
              />
              <div className="form-grid__wide">
                <TextAreaField
                  label="Hint for the AI"
                  name="ai_hint"
                  value={values.ai_hint}
                  onChange={set('ai_hint')}
                  error={errors.ai_hint}
                  maxLength={500}
                  rows={2}
                  placeholder="e.g. The company the person works for, as they name it."
                  hint="What the agent should capture here."
                />
              </div>
            </div>
          )}
        </fieldset>
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={pending || stale}>
            {pending ? 'Saving…' : creating ? 'Create field' : 'Save field'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The options of a select field: add, rename, reorder (drag), retire. Saved options are never removed. */
function OptionsEditor({
  options,
  onChange,
  error,
  defaultValue,
}: {
  options: OptionDraft[];
  onChange: (options: OptionDraft[]) => void;
  error?: string;
  defaultValue: unknown;
}) {
  const [adding, setAdding] = useState('');
  const addId = useId();
  const errorId = useId();
  const items = options.map((o) => ({ ...o, id: o.ref, savedId: o.id }));
  const update = (ref: string, patch: Partial<OptionDraft>) => onChange(options.map((o) => (o.ref === ref ? { ...o, ...patch } : o)));

  function add() {
    const label = adding.trim();
    if (!label) return;
    onChange([...options, { ref: newRef(), label, retired: false }]);
    setAdding('');
  }

  const isDefault = (ref: string) => defaultValue === ref || (Array.isArray(defaultValue) && defaultValue.includes(ref));

  return (
    <fieldset className={`form-section${error ? ' field--invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>Options</legend>
      {items.length > 0 && (
        <SortableList
          items={items}
          label="Options"
          itemLabel={(o) => `option ${o.label || 'without a label'}`}
          onReorder={(refs) => onChange(refs.map((ref) => options.find((o) => o.ref === ref)!))}
          className="sortable--compact"
          renderItem={(o, handle) => (
            <div className={`option-row${o.retired ? ' option-row--retired' : ''}`}>
              {handle}
              <input
                className="option-row__label"
                aria-label={`Option ${o.label || 'label'}`}
                value={o.label}
                maxLength={100}
                onChange={(e) => update(o.ref, { label: e.target.value })}
              />
              {o.retired && <span className="badge badge--neutral">Retired</span>}
              {o.savedId ? (
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  onClick={() => update(o.ref, { retired: !o.retired })}
                  disabled={!o.retired && isDefault(o.ref)}
                  title={!o.retired && isDefault(o.ref) ? 'The default cannot be retired.' : undefined}
                >
                  {o.retired ? 'Bring back' : 'Retire'}
                </button>
              ) : (
                <button type="button" className="btn btn--ghost-danger btn--small" onClick={() => onChange(options.filter((x) => x.ref !== o.ref))}>
                  Remove
                </button>
              )}
            </div>
          )}
        />
      )}
      <p className="field__hint">
        Retired options stay on the contacts that have them but cannot be chosen again. Saved options are retired, not deleted, so
        no contact loses its value.
      </p>
      <div className="inline-form">
        <div className="field">
          <label htmlFor={addId}>New option</label>
          <input
            id={addId}
            value={adding}
            maxLength={100}
            onChange={(e) => setAdding(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
        </div>
        <div className="inline-form__actions">
          <button type="button" className="btn btn--small" onClick={add} disabled={!adding.trim()}>
            Add option
          </button>
        </div>
      </div>
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
