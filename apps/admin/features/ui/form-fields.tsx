'use client';

// Labelled form controls: native elements (so the keyboard works as users
// expect), a visible label tied to the control, an optional hint, and an error
// announced with the control (aria-invalid + aria-describedby).
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { useT } from '@/i18n/locale-provider';

interface FieldFrame {
  label: ReactNode;
  hint?: ReactNode;
  /** Shown below the control; also marks it invalid. */
  error?: string | null;
  required?: boolean;
  /** Marks the field "optional" after its label. */
  optional?: boolean;
  className?: string;
}

/** The props a control needs to be wired to its label, hint and error. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  required?: boolean;
}

interface FieldProps extends FieldFrame {
  /** Renders the control with the given props spread on it. */
  children: (control: ControlProps) => ReactNode;
  /** Use an explicit id (e.g. to point a label elsewhere); generated otherwise. */
  id?: string;
}

/** The aria-describedby value of a control (or group) with id `id`, pointing at the hint and error FieldMessages renders. */
export function describedByOf(id: string, hint: ReactNode, error: string | null | undefined): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
}

/** The hint and the error under a control (or a group of them) with id `id`. */
export function FieldMessages({ id, hint, error }: { id: string; hint?: ReactNode; error?: string | null }) {
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </>
  );
}

/** For any control: `<Field label="Name">{(props) => <input {...props} />}</Field>`. */
export function Field({ label, hint, error, required, optional, className, children, id: givenId }: FieldProps) {
  const t = useT();
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const describedBy = describedByOf(id, hint, error);

  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="field-optional"> ({t('common.optional')})</span>}
      </label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined, required })}
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}

type TextFieldProps = FieldFrame & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

export function TextField({ label, hint, error, required, optional, className, ...input }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} required={required} optional={optional} className={className}>
      {(control) => <input className="input" {...input} {...control} />}
    </Field>
  );
}

type TextAreaFieldProps = FieldFrame & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & { monospace?: boolean };

export function TextAreaField({ label, hint, error, required, optional, className, monospace, ...textarea }: TextAreaFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} required={required} optional={optional} className={className}>
      {(control) => <textarea className={monospace ? 'textarea textarea-mono' : 'textarea'} rows={3} {...textarea} {...control} />}
    </Field>
  );
}

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

type SelectFieldProps = FieldFrame & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & { options: readonly SelectOption[] };

export function SelectField({ label, hint, error, required, optional, className, options, ...select }: SelectFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} required={required} optional={optional} className={className}>
      {(control) => (
        <select className="select select-block" {...select} {...control}>
          {options.map((option) => (
            <option key={option.value} value={option.value} disabled={option.disabled}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  label: ReactNode;
  hint?: ReactNode;
  /** Shown as an on/off switch (role="switch"); the keyboard still toggles it with Space. */
  switch?: boolean;
}

/** A checkbox with its label to the right; the whole label toggles it. */
export function CheckboxField({ label, hint, switch: asSwitch, className, ...input }: CheckboxFieldProps) {
  const id = useId();
  return (
    <div className={className ? `checkbox-field ${className}` : 'checkbox-field'}>
      <input
        type="checkbox"
        id={id}
        role={asSwitch ? 'switch' : undefined}
        className={asSwitch ? 'switch' : undefined}
        aria-describedby={describedByOf(id, hint, null)}
        {...input}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        <FieldMessages id={id} hint={hint} />
      </div>
    </div>
  );
}
