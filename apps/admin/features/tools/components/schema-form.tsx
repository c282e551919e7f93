'use client';

// A form for a tool's input (a JSON Schema): text, number and integer inputs,
// checkboxes, selects for enums, fieldsets for objects and lists for arrays.
// Anything it cannot draw faithfully (oneOf, $ref, free-form objects, mixed
// types) becomes a JSON textarea for that value, so every schema can be filled.
//
//   const [args, setArgs] = useState(() => initialSchemaValue(tool.inputSchema));
//   const errors = submitted ? validateSchemaValue(tool.inputSchema, args, t) : {};
//   <SchemaForm schema={tool.inputSchema} value={args} onChange={setArgs} errors={errors} />
//
// `errors` is keyed by JSON Pointer ('' the root, '/user/name', '/tags/0').
import { useEffect, useId, useState } from 'react';
import { useT, type Translate } from '@/i18n/locale-provider';

export type JsonSchema = Record<string, unknown>;
export type SchemaErrors = Record<string, string>;

export interface SchemaFormProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  errors?: SchemaErrors;
  disabled?: boolean;
}

// ---------- Reading a schema ----------

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'object' | 'array' | 'json';

interface Shape {
  kind: Kind;
  /** `type: ['string', 'null']` and `anyOf: [{…}, {type: 'null'}]`. */
  nullable: boolean;
  schema: JsonSchema;
}

const SIMPLE_KINDS: readonly Kind[] = ['string', 'number', 'integer', 'boolean', 'enum'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
}

function requiredOf(schema: JsonSchema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((item): item is string => typeof item === 'string') : [];
}

/** What control a schema gets. */
export function shapeOf(schema: unknown): Shape {
  if (!isObject(schema)) return { kind: 'json', nullable: false, schema: {} };
  // anyOf/oneOf of one type and null: that type, nullable. Any other union is JSON.
  for (const union of ['anyOf', 'oneOf'] as const) {
    const options = schema[union];
    if (Array.isArray(options)) {
      const nonNull = options.filter((option) => !(isObject(option) && option.type === 'null'));
      if (nonNull.length === 1 && options.length === 2) {
        const inner = shapeOf({ ...schema, [union]: undefined, ...(nonNull[0] as JsonSchema) });
        return { ...inner, nullable: true };
      }
      return { kind: 'json', nullable: false, schema };
    }
  }
  if (schema.$ref !== undefined || schema.allOf !== undefined || schema.not !== undefined) return { kind: 'json', nullable: false, schema };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { kind: 'enum', nullable: schema.enum.includes(null), schema };
  if ('const' in schema) return { kind: 'enum', nullable: false, schema: { ...schema, enum: [schema.const] } };

  let type = schema.type;
  let nullable = false;
  if (Array.isArray(type)) {
    const nonNull = type.filter((item) => item !== 'null');
    nullable = nonNull.length < type.length;
    if (nonNull.length !== 1) return { kind: 'json', nullable: false, schema };
    type = nonNull[0];
  }
  if (type === undefined) type = isObject(schema.properties) ? 'object' : schema.items !== undefined ? 'array' : undefined;

  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return { kind: type, nullable, schema };
    case 'object': {
      const hasProperties = Object.keys(propertiesOf(schema)).length > 0;
      // Free-form maps (additionalProperties) need keys the user chooses: JSON.
      const openEnded = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
      return { kind: hasProperties && !openEnded ? 'object' : hasProperties || openEnded ? 'json' : 'object', nullable, schema };
    }
    case 'array': {
      const items = shapeOf(schema.items);
      const drawable = SIMPLE_KINDS.includes(items.kind) || (items.kind === 'object' && Object.keys(propertiesOf(items.schema)).length > 0);
      return { kind: drawable && !Array.isArray(schema.items) ? 'array' : 'json', nullable, schema };
    }
    default:
      return { kind: 'json', nullable: false, schema };
  }
}

/** A starting value: the schema's defaults, an object for object schemas, otherwise nothing. */
export function initialSchemaValue(schema: unknown): unknown {
  const shape = shapeOf(schema);
  if (shape.schema.default !== undefined) return shape.schema.default;
  if (shape.kind !== 'object') return undefined;
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(propertiesOf(shape.schema))) {
    const initial = initialSchemaValue(property);
    // Nested objects start empty only when required; an optional one stays out of the arguments.
    if (initial !== undefined && !(isObject(initial) && Object.keys(initial).length === 0 && !requiredOf(shape.schema).includes(name))) {
      value[name] = initial;
    }
  }
  return value;
}

// ---------- Checking a value ----------

function typeMatches(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    default:
      return true;
  }
}

/**
 * The usual checks (required, type, enum, bounds, lengths, pattern, item counts),
 * enough to catch mistakes before a call; the gateway validates fully.
 */
export function validateSchemaValue(schema: unknown, value: unknown, t: Translate, path = ''): SchemaErrors {
  const errors: SchemaErrors = {};
  const shape = shapeOf(schema);
  const s = shape.schema;
  if (value === undefined || (value === null && shape.nullable)) return errors;

  if (shape.kind === 'enum') {
    const options = s.enum as unknown[];
    if (!options.some((option) => JSON.stringify(option) === JSON.stringify(value))) errors[path] = t('tools.schema.notAnOption');
    return errors;
  }
  if (!typeMatches(shape.kind, value)) {
    errors[path] = t(`tools.schema.type.${shape.kind === 'json' ? 'string' : shape.kind}`);
    return errors;
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors[path] = t('tools.schema.minimum', { limit: s.minimum });
    if (typeof s.maximum === 'number' && value > s.maximum) errors[path] = t('tools.schema.maximum', { limit: s.maximum });
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) errors[path] = t('tools.schema.minLength', { limit: s.minLength });
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) errors[path] = t('tools.schema.maxLength', { limit: s.maxLength });
    if (typeof s.pattern === 'string') {
      try {
        if (!new RegExp(s.pattern, 'u').test(value)) errors[path] = t('tools.schema.pattern', { pattern: s.pattern });
      } catch {
        // A pattern JavaScript cannot compile is left to the gateway.
      }
    }
  }
  if (shape.kind === 'object' && isObject(value)) {
    for (const name of requiredOf(s)) {
      if (value[name] === undefined) errors[`${path}/${name}`] = t('tools.schema.required');
    }
    for (const [name, property] of Object.entries(propertiesOf(s))) {
      Object.assign(errors, validateSchemaValue(property, value[name], t, `${path}/${name}`));
    }
  }
  if (shape.kind === 'array' && Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errors[path] = t('tools.schema.minItems', { limit: s.minItems });
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errors[path] = t('tools.schema.maxItems', { limit: s.maxItems });
    value.forEach((item, index) => {
      if (item === undefined) errors[`${path}/${index}`] = t('tools.schema.required');
      else Object.assign(errors, validateSchemaValue(s.items, item, t, `${path}/${index}`));
    });
  }
  return errors;
}

// ---------- Drawing it ----------

export function SchemaForm({ schema, value, onChange, errors = {}, disabled = false }: SchemaFormProps) {
  const t = useT();
  const idPrefix = useId();
  const shape = shapeOf(schema);

  if (shape.kind === 'object' && Object.keys(propertiesOf(shape.schema)).length === 0) {
    return <p className="muted">{t('tools.schema.noArguments')}</p>;
  }
  const context: Context = { errors, disabled, idPrefix };
  if (shape.kind === 'object') {
    return (
      <div className="schema-form">
        <ObjectFields shape={shape} value={value} onChange={onChange} path="" context={context} />
        {errors[''] && <p className="field-error">{errors['']}</p>}
      </div>
    );
  }
  return (
    <div className="schema-form">
      <SchemaField label={t('tools.schema.value')} required shape={shape} value={value} onChange={onChange} path="" context={context} />
    </div>
  );
}

interface Context {
  errors: SchemaErrors;
  disabled: boolean;
  idPrefix: string;
}

interface FieldProps {
  label: string;
  required: boolean;
  shape: Shape;
  value: unknown;
  onChange: (value: unknown) => void;
  path: string;
  context: Context;
}

/**
 * Required properties first (in the schema's `required` order), then the rest by name. The
 * schema's own key order cannot be trusted: PostgreSQL's jsonb stores keys shortest first.
 */
function orderedProperties(schema: JsonSchema): [string, JsonSchema][] {
  const properties = propertiesOf(schema);
  const required = requiredOf(schema).filter((name) => name in properties);
  const optional = Object.keys(properties)
    .filter((name) => !required.includes(name))
    .sort((a, b) => a.localeCompare(b));
  return [...required, ...optional].map((name) => [name, properties[name]]);
}

function ObjectFields({ shape, value, onChange, path, context }: Omit<FieldProps, 'label' | 'required'>) {
  const object = isObject(value) ? value : {};
  const required = requiredOf(shape.schema);
  return (
    <>
      {orderedProperties(shape.schema).map(([name, property]) => (
        <SchemaField
          key={name}
          label={typeof property.title === 'string' ? property.title : name}
          required={required.includes(name)}
          shape={shapeOf(property)}
          value={object[name]}
          onChange={(next) => {
            const copy = { ...object };
            // An emptied optional field leaves the arguments rather than being sent as "".
            if (next === undefined) delete copy[name];
            else copy[name] = next;
            onChange(copy);
          }}
          path={`${path}/${name}`}
          context={context}
        />
      ))}
    </>
  );
}

function fieldId(context: Context, path: string): string {
  return `${context.idPrefix}${path.replace(/[^a-zA-Z0-9_-]/g, '_') || 'root'}`;
}

function SchemaField(props: FieldProps) {
  const t = useT();
  const { label, required, shape, path, context } = props;
  const id = fieldId(context, path);
  const error = context.errors[path];
  const description = typeof shape.schema.description === 'string' ? shape.schema.description : null;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [description ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  const aria = { id, 'aria-describedby': describedBy, 'aria-invalid': error ? (true as const) : undefined };

  const hint = description && (
    <p id={hintId} className="field-hint">
      {description}
    </p>
  );
  const errorLine = error && (
    <p id={errorId} className="field-error">
      {error}
    </p>
  );
  const labelText = (
    <>
      <span className="schema-label">{label}</span>
      {required ? <span className="schema-required"> *<span className="visually-hidden">{t('ui.required')}</span></span> : null}
      <span className="schema-type"> {typeLabel(shape)}</span>
    </>
  );

  if (shape.kind === 'object' || shape.kind === 'array') {
    return (
      <fieldset className="fieldset schema-fieldset" aria-describedby={describedBy}>
        <legend>{labelText}</legend>
        {hint}
        {shape.kind === 'object' ? (
          <ObjectFields shape={shape} value={props.value} onChange={props.onChange} path={path} context={context} />
        ) : (
          <ArrayItems {...props} />
        )}
        {errorLine}
      </fieldset>
    );
  }

  if (shape.kind === 'boolean') {
    return (
      <div className="checkbox-field">
        <input
          type="checkbox"
          {...aria}
          checked={props.value === true}
          disabled={context.disabled}
          onChange={(event) => props.onChange(event.target.checked)}
        />
        <div>
          <label htmlFor={id}>{labelText}</label>
          {hint}
          {errorLine}
        </div>
      </div>
    );
  }

  return (
    <div className="field">
      <label htmlFor={id}>{labelText}</label>
      <ScalarInput {...props} aria={aria} />
      {hint}
      {errorLine}
    </div>
  );
}

function typeLabel(shape: Shape): string {
  if (shape.kind === 'enum' || shape.kind === 'json') return '';
  if (shape.kind === 'array') {
    const items = shapeOf(shape.schema.items);
    return `(${items.kind === 'json' || items.kind === 'enum' ? 'array' : `${items.kind}[]`})`;
  }
  const format = typeof shape.schema.format === 'string' ? `, ${shape.schema.format}` : '';
  return `(${shape.kind}${format})`;
}

type AriaProps = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true };

function ScalarInput({ shape, value, onChange, context, aria }: FieldProps & { aria: AriaProps }) {
  const t = useT();
  switch (shape.kind) {
    case 'enum': {
      const options = shape.schema.enum as unknown[];
      const index = options.findIndex((option) => JSON.stringify(option) === JSON.stringify(value));
      return (
        <select
          className="select select-block"
          {...aria}
          disabled={context.disabled}
          value={index === -1 ? '' : String(index)}
          onChange={(event) => onChange(event.target.value === '' ? undefined : options[Number(event.target.value)])}
        >
          <option value="">{t('tools.schema.choose')}</option>
          {options.map((option, optionIndex) => (
            <option key={optionIndex} value={optionIndex}>
              {typeof option === 'string' ? option : JSON.stringify(option)}
            </option>
          ))}
        </select>
      );
    }
    case 'number':
    case 'integer':
      return <NumberInput aria={aria} integer={shape.kind === 'integer'} value={value} onChange={onChange} disabled={context.disabled} />;
    case 'string': {
      const format = shape.schema.format;
      const long = typeof shape.schema.maxLength === 'number' ? shape.schema.maxLength > 200 : false;
      const text = typeof value === 'string' ? value : '';
      const change = (next: string) => onChange(next === '' ? undefined : next);
      if (long) {
        return <textarea className="textarea" rows={3} {...aria} disabled={context.disabled} value={text} onChange={(event) => change(event.target.value)} />;
      }
      const type = format === 'date' ? 'date' : format === 'email' ? 'email' : format === 'uri' || format === 'url' ? 'url' : 'text';
      return (
        <input
          className="input"
          type={type}
          {...aria}
          disabled={context.disabled}
          value={text}
          placeholder={typeof shape.schema.examples === 'object' && Array.isArray(shape.schema.examples) ? String(shape.schema.examples[0] ?? '') : undefined}
          onChange={(event) => change(event.target.value)}
        />
      );
    }
    default:
      return <JsonInput aria={aria} value={value} onChange={onChange} disabled={context.disabled} />;
  }
}

/** Keeps what is typed ("1.", "-") while it is not yet a number; passes numbers on. */
function NumberInput({ aria, integer, value, onChange, disabled }: { aria: AriaProps; integer: boolean; value: unknown; onChange: (value: unknown) => void; disabled: boolean }) {
  const t = useT();
  const [draft, setDraft] = useState(typeof value === 'number' ? String(value) : '');
  const parsed = draft.trim() === '' ? undefined : Number(draft);

  // A value set from outside (e.g. a reset) replaces the draft.
  useEffect(() => {
    if (value !== parsed && !(value === undefined && Number.isNaN(parsed))) setDraft(typeof value === 'number' ? String(value) : '');
    // Only changes of `value` from outside matter here, not every keystroke's draft.
  }, [value]);

  const invalid = parsed !== undefined && (Number.isNaN(parsed) || (integer && !Number.isInteger(parsed)));
  return (
    <>
      <input
        className="input"
        inputMode={integer ? 'numeric' : 'decimal'}
        {...aria}
        aria-invalid={invalid || aria['aria-invalid'] ? true : undefined}
        disabled={disabled}
        value={draft}
        onChange={(event) => {
          const text = event.target.value;
          setDraft(text);
          const next = text.trim() === '' ? undefined : Number(text);
          if (next === undefined || !Number.isNaN(next)) onChange(next);
        }}
      />
      {invalid && <p className="field-error">{t(integer ? 'tools.schema.type.integer' : 'tools.schema.type.number')}</p>}
    </>
  );
}

/** Any JSON value, as text; passed on whenever it parses. */
function JsonInput({ aria, value, onChange, disabled }: { aria: AriaProps; value: unknown; onChange: (value: unknown) => void; disabled: boolean }) {
  const t = useT();
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [invalid, setInvalid] = useState(false);
  return (
    <>
      <textarea
        className="textarea textarea-mono"
        rows={4}
        spellCheck={false}
        {...aria}
        aria-invalid={invalid || aria['aria-invalid'] ? true : undefined}
        disabled={disabled}
        value={text}
        placeholder={t('tools.schema.jsonPlaceholder')}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          if (next.trim() === '') {
            setInvalid(false);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(next));
            setInvalid(false);
          } catch {
            setInvalid(true);
          }
        }}
      />
      {invalid && <p className="field-error">{t('tools.schema.invalidJson')}</p>}
    </>
  );
}

function ArrayItems({ shape, value, onChange, path, context, label }: FieldProps) {
  const t = useT();
  const items = Array.isArray(value) ? value : [];
  const itemShape = shapeOf(shape.schema.items);

  function setItem(index: number, next: unknown) {
    const copy = [...items];
    // A list cannot hold "nothing" (JSON would send null): an emptied text item stays "".
    copy[index] = next === undefined && itemShape.kind === 'string' ? '' : next;
    onChange(copy);
  }

  return (
    <div className="schema-array">
      {items.length === 0 && <p className="muted">{t('tools.schema.emptyList')}</p>}
      {items.map((item, index) => (
        <div key={index} className="schema-array-item">
          <div className="schema-array-value">
            <SchemaField
              label={t('tools.schema.item', { index: index + 1 })}
              required={false}
              shape={itemShape}
              value={item}
              onChange={(next) => setItem(index, next)}
              path={`${path}/${index}`}
              context={context}
            />
          </div>
          <button
            type="button"
            className="button button-small button-secondary"
            disabled={context.disabled}
            aria-label={t('tools.schema.removeItemLabel', { index: index + 1, name: label })}
            onClick={() => {
              const copy = items.filter((_, other) => other !== index);
              onChange(copy.length ? copy : undefined);
            }}
          >
            {t('tools.schema.removeItem')}
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={context.disabled}
          onClick={() => onChange([...items, initialSchemaValue(shape.schema.items) ?? newItem(itemShape.kind)])}
        >
          {t('tools.schema.addItem', { name: label })}
        </button>
      </div>
    </div>
  );
}

function newItem(kind: Kind): unknown {
  if (kind === 'object') return {};
  if (kind === 'string') return '';
  if (kind === 'boolean') return false;
  return undefined;
}
