// A generation's settings in the words of its generator's form: each field's title, a choice's label,
// a number with its unit ("1024 px"). Falls back to the raw name and value when the generator is not
// installed here (the page knows the forms once the composer has loaded them).
import {fieldsOf, optionLabel} from '../composer/schema.js';
import {generatorInfo} from '../names.js';

const cache = new Map();

function fieldsByName(generatorName) {
  const info = generatorInfo(generatorName);
  if (!info?.inputSchema) return new Map();
  if (!cache.has(info)) {
    let fields = [];
    try { fields = fieldsOf(info.inputSchema); } catch { /* an odd schema: raw names then */ }
    cache.set(info, new Map(fields.map((field) => [field.name, field])));
  }
  return cache.get(info);
}

/** The title of a setting, e.g. "Resize by" for `mode`. */
export function paramTitle(generatorName, name) {
  return fieldsByName(generatorName).get(name)?.title ?? name.replace(/_/g, ' ');
}

/** A plain value in words (a choice's label, a number's unit), or null to show it as it is. */
export function paramWords(generatorName, name, value) {
  const field = fieldsByName(generatorName).get(name);
  if (!field) return null;
  if (field.kind === 'enum' && field.options?.includes(value)) return optionLabel(field, value);
  if (typeof value === 'number' && field.unit) return `${value}${/^[°%×]/.test(field.unit) ? '' : '\u00a0'}${field.unit}`;
  return null;
}
