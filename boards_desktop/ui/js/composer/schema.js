// Reading a generator's input schema (pydantic v2's JSON Schema) into the form's fields.
//
// fieldsOf(schema) -> [{name, title, description, required, nullable, hasDefault, default, kind, ...}]
// kinds: text, textarea, color, number, integer, boolean, enum, list (of text/number/integer rows),
//        multi-enum, artifact ({artifactType, many, maxItems}), json (anything else, as JSON text).
// Artifact slots are `$ref: #/$defs/<Image|Video|Audio|Text>Artifact` (alone, in `anyOf` with null,
// or as the items of an array); in inputParams they take a generation id, or a list of ids.
// Words and behaviour from the schema's extensions (boards_desktop/generators/form_hints.py):
// `x-enum-labels` {value: label} -> field.labels, `x-unit` -> field.unit, `x-visible-when`
// {field: [values] | true} -> field.visibleWhen, `x-moment-of` (a video field) -> field.momentOf.
// A title pydantic made up from the name ("Num Outputs") reads as words instead ("Num outputs").
import {wordsOf} from '../names.js';

const ARTIFACT_REF = /^#\/\$defs\/(Image|Video|Audio|Text)Artifact$/;
const PROMPT_NAME = /(^|_)(prompt|text|caption|lyrics|description|instructions?|script|story|negative)(_|$)/i;

/** `$ref` followed (JSON pointers into the schema's own document) and a lone `allOf` merged; own keys win. */
export function resolve(node, root, depth = 0) {
  if (!node || typeof node !== 'object' || depth > 20) return node ?? {};
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    let target = root;
    for (const part of node.$ref.slice(2).split('/')) target = target?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    const {$ref, ...own} = node;
    return {...resolve(target ?? {}, root, depth + 1), ...own};
  }
  if (Array.isArray(node.allOf) && node.allOf.length === 1) {
    const {allOf, ...own} = node;
    return {...resolve(allOf[0], root, depth + 1), ...own};
  }
  return node;
}

function artifactOf(node) {
  const match = node && typeof node.$ref === 'string' ? ARTIFACT_REF.exec(node.$ref) : null;
  return match ? match[1].toLowerCase() : null;
}

/** A property without its `anyOf: [X, {type: null}]` wrapper: [member, nullable]. */
function unwrap(prop, root) {
  let nullable = prop.nullable === true;
  let node = prop;
  const choices = prop.anyOf ?? prop.oneOf;
  if (Array.isArray(choices)) {
    const others = choices.filter((choice) => resolve(choice, root).type !== 'null');
    nullable = nullable || others.length < choices.length;
    if (others.length === 1) {
      const {anyOf, oneOf, ...own} = prop;
      node = {...others[0], ...own, ...(others[0].$ref ? {$ref: others[0].$ref} : {})};
    }
  }
  if (Array.isArray(node.type)) {
    nullable = nullable || node.type.includes('null');
    const kinds = node.type.filter((kind) => kind !== 'null');
    node = {...node, type: kinds.length === 1 ? kinds[0] : kinds};
  }
  if (Array.isArray(node.enum) && node.enum.includes(null)) {
    nullable = true;
    node = {...node, enum: node.enum.filter((value) => value !== null)};
  }
  return [node, nullable];
}

export function humanize(name) {
  return wordsOf(name) || name;
}

/** The title pydantic (or cog) gives a field it was given none: its name's words, each capitalised. */
function isMadeUpTitle(title, name) {
  const words = name.replace(/[_-]+/g, ' ').trim().split(/\s+/);
  return title === words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(' ');
}

/** An option's label: the schema's, else the value itself with its underscores as spaces when it is a word. */
export function optionLabel(field, value) {
  const given = field.labels?.[typeof value === 'string' ? value : JSON.stringify(value)];
  if (typeof given === 'string' && given) return given;
  if (typeof value === 'string' && /^[a-z]+(_[a-z]+)+$/.test(value)) return wordsOf(value);
  return String(value);
}

function visibility(raw, node) {
  const spec = raw['x-visible-when'] ?? node['x-visible-when'];
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return null;
  const rules = Object.entries(spec).filter(([, values]) => values === true || Array.isArray(values));
  return rules.length ? Object.fromEntries(rules) : null;
}

function bounds(node) {
  const out = {};
  if (typeof node.minimum === 'number') out.min = node.minimum;
  if (typeof node.maximum === 'number') out.max = node.maximum;
  if (typeof node.exclusiveMinimum === 'number') { out.min = node.exclusiveMinimum; out.exclusiveMin = true; }
  if (typeof node.exclusiveMaximum === 'number') { out.max = node.exclusiveMaximum; out.exclusiveMax = true; }
  return out;
}

function scalarKind(name, node, description) {
  if (Array.isArray(node.enum) && node.enum.length) return {kind: 'enum', options: node.enum};
  if (node.const !== undefined) return {kind: 'enum', options: [node.const]};
  switch (node.type) {
    case 'integer': return {kind: 'integer', ...bounds(node)};
    case 'number': return {kind: 'number', ...bounds(node)};
    case 'boolean': return {kind: 'boolean'};
    case 'string': {
      const long = PROMPT_NAME.test(name) || (node.maxLength ?? 0) >= 500
        || ['textarea', 'multiline'].includes(node.format) || (description?.length ?? 0) > 160 && !node.maxLength;
      if (node.format === 'color' || /^\^#\[0-9a-fA-F\]\{6\}\$$/.test(node.pattern ?? '')) {
        return {kind: 'color', pattern: node.pattern};
      }
      return {kind: long ? 'textarea' : 'text', minLength: node.minLength, maxLength: node.maxLength, pattern: node.pattern,
        format: node.format};
    }
    default: return null;
  }
}

/** The form's fields, in the schema's order. */
export function fieldsOf(schema) {
  const root = schema ?? {};
  const required = new Set(root.required ?? []);
  return Object.entries(root.properties ?? {}).map(([name, raw]) => {
    const [node, nullable] = unwrap(raw, root);
    const resolved = resolve(node, root);
    const given = raw.title ?? node.title ?? (node.$ref ? null : resolved.title);
    const labels = raw['x-enum-labels'] ?? node['x-enum-labels'] ?? resolved['x-enum-labels'];
    const unit = raw['x-unit'] ?? node['x-unit'] ?? resolved['x-unit'];
    const momentOf = raw['x-moment-of'] ?? node['x-moment-of'];
    const field = {
      name,
      title: given && !isMadeUpTitle(given, name) ? given : humanize(name),
      labels: labels && typeof labels === 'object' ? labels : null,
      unit: typeof unit === 'string' && unit ? unit : null,
      visibleWhen: visibility(raw, node),
      momentOf: typeof momentOf === 'string' ? momentOf : null,
      description: raw.description ?? resolved.description ?? null,
      required: required.has(name),
      nullable,
      hasDefault: 'default' in raw,
      default: raw.default,
      examples: raw.examples ?? resolved.examples,
    };
    if (ARTIFACT_REF.test(node.$ref ?? '') || artifactOf(node)) {
      return {...field, kind: 'artifact', artifactType: artifactOf(node), many: false};
    }
    if (resolved.type === 'array') {
      const items = resolve(resolved.items ?? {}, root);
      const itemArtifact = artifactOf(resolved.items);
      const sizes = {minItems: resolved.minItems, maxItems: resolved.maxItems};
      if (itemArtifact) return {...field, ...sizes, kind: 'artifact', artifactType: itemArtifact, many: true};
      const inner = scalarKind(name, items, null);
      if (inner?.kind === 'enum') return {...field, ...sizes, kind: 'multi-enum', options: inner.options};
      if (inner && ['text', 'textarea', 'color', 'number', 'integer'].includes(inner.kind)) {
        return {...field, ...sizes, kind: 'list', item: {...inner, kind: inner.kind === 'textarea' || inner.kind === 'color' ? 'text' : inner.kind}};
      }
      return {...field, kind: 'json'};
    }
    const scalar = scalarKind(name, resolved, field.description);
    return scalar ? {...field, ...scalar} : {...field, kind: 'json'};
  });
}

/** The artifact slots of a schema: [{name, artifactType, many}]. */
export function slotsOf(schema) {
  return fieldsOf(schema).filter((field) => field.kind === 'artifact');
}
