import { useState, type FormEvent } from 'react';
import type { FieldErrors } from '../api/error';
import { focusFirstInvalid } from './dom';
import { problemsFrom } from './validate';

/**
 * The submit routine validated forms share: check the values here first (showing the problems
 * and focusing the first invalid field), then send; the server's field errors land on their
 * fields and anything else in `message`. `pending` is true while sending.
 */
export function useFormSubmit(fieldNames: readonly string[]) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent, invalid: FieldErrors, send: () => Promise<void>) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    setErrors(invalid);
    setMessage(null);
    if (Object.keys(invalid).length > 0) return focusFirstInvalid(form);
    setPending(true);
    try {
      await send();
    } catch (err) {
      const problems = problemsFrom(err, fieldNames);
      setErrors(problems.fields);
      focusFirstInvalid(form);
      setMessage(problems.message);
    } finally {
      setPending(false);
    }
  }

  return { errors, message, pending, submit };
}
