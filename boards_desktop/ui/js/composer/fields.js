// The form's controls, one per schema field (see schema.js for the field descriptions).
//
// control(field, context) -> {field, row, read() -> {empty, value}, write(value), reset(), setError(message|null), focus()}
import {h} from '../dom.js';
import {optionLabel} from './schema.js';
import {artifactSlot} from './slots.js';

let counter = 0;

export function control(field, context) {
  const id = `composer-${field.name}-${++counter}`;
  const error = h('div', {class: 'error', id: `${id}-error`, dataset: {testid: 'field-error'}, hidden: true});
  const hint = hintOf(field, id);
  const build = BUILDERS[field.kind] ?? BUILDERS.json;
  const parts = build(field, id, context);
  const described = [hint && hint.id, error.id].filter(Boolean).join(' ');
  for (const input of parts.inputs ?? []) input.setAttribute('aria-describedby', described);
  const label = field.kind === 'boolean' ? null
    : parts.group ? h('div', {class: 'label', id: `${id}-label`}, field.title, requiredMark(field))
      : h('label', {for: id}, field.title, requiredMark(field));
  if (parts.group) parts.group.setAttribute('aria-labelledby', `${id}-label`);
  const row = h('div', {class: `field field-${field.kind}`, dataset: {field: field.name, kind: field.kind}},
    label, parts.node, hint, error);
  const handle = {
    field,
    row,
    read: parts.read,
    write: (value) => parts.write(value),
    reset: () => parts.write(field.hasDefault ? field.default : undefined),
    setError(message) {
      error.hidden = !message;
      error.textContent = message ?? '';
      row.classList.toggle('invalid', Boolean(message));
      for (const input of parts.inputs ?? []) {
        if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
      }
      parts.setInvalid?.(Boolean(message));
    },
    focus: () => (parts.inputs?.[0] ?? row.querySelector('button, input, select, textarea'))?.focus(),
  };
  handle.reset();
  return handle;
}

function requiredMark(field) {
  return field.required ? h('span', {class: 'required', 'aria-hidden': 'true', title: 'Required'}, ' *') : null;
}

/** The hint under a field, in sentences: what it is, what it takes, what it is when left alone. */
export function hintText(field) {
  const sentences = [];
  if (field.description) sentences.push(sentence(field.description));
  const range = rangeText(field);
  const fallback = defaultText(field);
  if (range && fallback) sentences.push(sentence(`${range}; ${fallback}`));
  else if (range || fallback) sentences.push(sentence(range || fallback));
  const optional = (!field.required && !field.hasDefault && !['boolean', 'artifact', 'list', 'multi-enum'].includes(field.kind))
    || (field.nullable && field.hasDefault && field.default === null && !['boolean', 'artifact'].includes(field.kind));
  if (optional && !/\b(optional|empty)\b/i.test(field.description ?? '')) sentences.push('Optional.');
  return sentences.join(' ');
}

function hintOf(field, id) {
  const text = hintText(field);
  return text ? h('div', {class: 'hint', id: `${id}-hint`}, text) : null;
}

function sentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…)]$/.test(capital) ? capital : `${capital}.`;
}

/** "from 64 to 4096 px", "more than 0, up to 64", "up to 2000 characters". */
function rangeText(field) {
  const numeric = ['number', 'integer'].includes(field.kind) || field.kind === 'list' && ['number', 'integer'].includes(field.item.kind);
  const {min, max, exclusiveMin, exclusiveMax} = field.kind === 'list' ? field.item : field;
  const unit = field.unit ? `${unitSpace(field.unit)}${field.unit}` : '';
  if (numeric) {
    const low = min === undefined ? null : exclusiveMin ? `more than ${figure(min)}` : `at least ${figure(min)}`;
    const high = max === undefined ? null : exclusiveMax ? `less than ${figure(max)}` : `up to ${figure(max)}`;
    if (min !== undefined && max !== undefined && !exclusiveMin && !exclusiveMax) return `from ${figure(min)} to ${figure(max)}${unit}`;
    if (low && high) return `${low}, ${high}${unit}`;
    if (low || high) return `${low || high}${unit}`;
  }
  if (field.maxLength) return `up to ${figure(field.maxLength)} characters`;
  if (field.maxItems) {
    const noun = field.kind === 'artifact' ? ` ${field.artifactType === 'audio' ? 'clips' : `${field.artifactType}s`}` : '';
    return `up to ${figure(field.maxItems)}${noun}`;
  }
  return null;
}

function defaultText(field) {
  const value = field.default;
  // A switch, a slot or a colour shows its default itself.
  if (!field.hasDefault || value === null || value === undefined || ['boolean', 'artifact', 'color'].includes(field.kind)) return null;
  if (Array.isArray(value) && !value.length) return null;
  if (field.kind === 'enum' || field.kind === 'multi-enum') {
    const values = Array.isArray(value) ? value : [value];
    return `${values.map((each) => optionLabel(field, each)).join(', ')} by default`;
  }
  if (typeof value === 'number') return `${figure(value)}${field.unit ? `${unitSpace(field.unit)}${field.unit}` : ''} by default`;
  if (typeof value === 'string' && value.length > 40) return null;  // a long default is in the field itself
  return `${Array.isArray(value) ? value.join(', ') : value} by default`;
}

/** No space before °, % or ×; a non-breaking one before px, s and words (the unit stays with its number). */
function unitSpace(unit) {
  return /^[°%×]/.test(unit) ? '' : '\u00a0';
}

function figure(value) {
  return typeof value === 'number' && Math.abs(value) >= 10000 ? value.toLocaleString('en') : String(value);
}

function isEmpty(value) {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function placeholderOf(field) {
  if (Array.isArray(field.examples) && field.examples.length && typeof field.examples[0] !== 'object') return `e.g. ${field.examples[0]}`;
  return field.hasDefault && field.default === null ? 'Leave empty for none' : '';
}

function textInput(field, id) {
  const multiline = field.kind === 'textarea';
  const input = multiline
    ? h('textarea', {id, name: field.name, rows: field.name.toLowerCase().includes('prompt') || field.required ? 4 : 3,
      maxlength: field.maxLength, placeholder: placeholderOf(field)})
    : h('input', {id, name: field.name, type: 'text', autocomplete: 'off', maxlength: field.maxLength,
      placeholder: placeholderOf(field), spellcheck: 'false'});
  const counter = field.maxLength ? h('span', {class: 'counter', 'aria-hidden': 'true'}) : null;
  const count = () => { if (counter) counter.textContent = `${input.value.length}/${field.maxLength}`; };
  input.addEventListener('input', count);
  return {
    node: counter ? h('div', {class: 'with-counter'}, input, counter) : input,
    inputs: [input],
    read: () => ({empty: input.value === '', value: input.value}),
    write: (value) => { input.value = isEmpty(value) ? '' : String(value); count(); },
  };
}

const BUILDERS = {
  text: textInput,
  textarea: textInput,

  color(field, id) {
    const text = h('input', {id, name: field.name, type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: placeholderOf(field) || '#rrggbb'});
    const swatch = h('input', {type: 'color', 'aria-label': `${field.title}: pick a colour`, tabindex: '-1'});
    swatch.addEventListener('input', () => { text.value = swatch.value; });
    text.addEventListener('input', () => {
      if (/^#[0-9a-f]{6}$/i.test(text.value)) swatch.value = text.value.toLowerCase();
      else if (text.value === '') swatch.value = '#808080';  // emptied: the swatch no longer shows the old colour
    });
    return {
      node: h('div', {class: 'color-row'}, swatch, text),
      inputs: [text],
      read: () => ({empty: text.value === '', value: text.value}),
      write: (value) => {
        text.value = isEmpty(value) ? '' : String(value);
        swatch.value = /^#[0-9a-f]{6}$/i.test(text.value) ? text.value.toLowerCase() : '#808080';
      },
    };
  },

  number: numeric,
  integer: numeric,

  boolean(field, id) {
    if (field.nullable && !field.required) {
      // Yes, no, or left unsaid: a checkbox cannot say the third.
      const select = h('select', {id, name: field.name},
        h('option', {value: ''}, '—'), h('option', {value: 'true'}, 'Yes'), h('option', {value: 'false'}, 'No'));
      return {
        node: h('div', {class: 'bool-select'}, h('label', {for: id}, field.title), select),
        inputs: [select],
        read: () => ({empty: select.value === '', value: select.value === 'true'}),
        write: (value) => { select.value = value === true ? 'true' : value === false ? 'false' : ''; },
      };
    }
    const input = h('input', {id, name: field.name, type: 'checkbox', role: 'switch', class: 'switch'});
    return {
      node: h('label', {class: 'switch-row', for: id}, input, h('span', {class: 'switch-label'}, field.title, requiredMark(field))),
      inputs: [input],
      read: () => ({empty: false, value: input.checked}),
      write: (value) => { input.checked = value === true; },
    };
  },

  enum(field, id) {
    const select = h('select', {id, name: field.name});
    const offerNone = !field.required || field.nullable;
    if (offerNone && !(field.hasDefault && field.default !== null && !field.nullable)) select.append(h('option', {value: ''}, '—'));
    if (!offerNone && !field.hasDefault) select.append(h('option', {value: '', disabled: true}, 'Choose…'));
    field.options.forEach((option, index) => select.append(h('option', {value: String(index)}, optionLabel(field, option))));
    return {
      node: select,
      inputs: [select],
      read: () => ({empty: select.value === '', value: select.value === '' ? null : field.options[Number(select.value)]}),
      write: (value) => {
        const index = field.options.findIndex((option) => option === value);
        select.value = index >= 0 ? String(index) : '';
        if (index < 0 && select.selectedIndex < 0) select.selectedIndex = 0;
      },
    };
  },

  'multi-enum'(field, id) {
    const chips = field.options.map((option) => {
      const chip = h('button', {type: 'button', class: 'chip', 'aria-pressed': 'false', dataset: {value: String(option)}}, optionLabel(field, option));
      chip.addEventListener('click', () => chip.setAttribute('aria-pressed', String(chip.getAttribute('aria-pressed') !== 'true')));
      return chip;
    });
    const group = h('div', {class: 'chips', role: 'group', id}, chips);
    return {
      node: group,
      group,
      inputs: chips.slice(0, 1),
      read: () => {
        const value = field.options.filter((_, index) => chips[index].getAttribute('aria-pressed') === 'true');
        return {empty: value.length === 0, value};
      },
      write: (value) => {
        const chosen = Array.isArray(value) ? value : [];
        chips.forEach((chip, index) => chip.setAttribute('aria-pressed', String(chosen.includes(field.options[index]))));
      },
    };
  },

  list(field, id) {
    const rows = h('div', {class: 'list-rows'});
    const item = {...field.item, name: field.name, title: field.title};
    const inputs = [];
    const addRow = (value) => {
      const input = h('input', {
        name: `${field.name}[]`,
        type: item.kind === 'text' ? 'text' : 'number',
        step: item.kind === 'integer' ? '1' : 'any',
        min: item.min, max: item.max, autocomplete: 'off',
        'aria-label': `${field.title} ${rows.children.length + 1}`,
      });
      input.value = isEmpty(value) ? '' : String(value);
      const row = h('div', {class: 'list-row'}, input,
        h('button', {type: 'button', class: 'icon-button', 'aria-label': `Remove this ${field.title.toLowerCase()}`, title: 'Remove',
          onclick: () => { row.remove(); relabel(); }}, '✕'));
      rows.append(row);
      return input;
    };
    const relabel = () => [...rows.querySelectorAll('input')].forEach((input, index) => input.setAttribute('aria-label', `${field.title} ${index + 1}`));
    const add = h('button', {type: 'button', class: 'ghost add-row', id, dataset: {testid: 'add-row'},
      onclick: () => addRow('').focus()}, '+ Add');
    inputs.push(add);
    const parse = (text) => (item.kind === 'text' ? text : Number(text));
    return {
      node: h('div', {class: 'list-control'}, rows, add),
      group: rows,
      inputs,
      read: () => {
        const value = [...rows.querySelectorAll('input')].map((input) => input.value).filter((text) => text.trim() !== '').map(parse);
        return {empty: value.length === 0, value};
      },
      write: (value) => {
        rows.replaceChildren();
        for (const entry of Array.isArray(value) ? value : []) addRow(entry);
      },
    };
  },

  artifact(field, id, context) {
    return artifactSlot(field, id, context);
  },

  json(field, id) {
    const input = h('textarea', {id, name: field.name, rows: 3, class: 'mono', spellcheck: 'false', placeholder: 'JSON'});
    return {
      node: input,
      inputs: [input],
      read: () => {
        if (input.value.trim() === '') return {empty: true, value: null};
        try {
          return {empty: false, value: JSON.parse(input.value)};
        } catch {
          return {empty: false, value: input.value};  // the server says what is wrong with it
        }
      },
      write: (value) => { input.value = isEmpty(value) ? '' : JSON.stringify(value, null, 1); },
    };
  },
};

function numeric(field, id) {
  const integer = field.kind === 'integer';
  const number = h('input', {id, name: field.name, type: 'number', step: integer ? '1' : 'any', inputmode: integer ? 'numeric' : 'decimal',
    placeholder: field.min !== undefined && field.max !== undefined ? (field.hasDefault && field.default === null ? 'auto' : '') : placeholderOf(field)});
  // The browser's own checks stay off: the server's message says what is wrong, beside the field.
  if (field.min !== undefined) number.dataset.min = field.min;
  if (field.max !== undefined) number.dataset.max = field.max;
  const bounded = field.min !== undefined && field.max !== undefined && field.max > field.min;
  let slider = null;
  if (bounded) {
    const span = field.max - field.min;
    const step = integer ? Math.max(1, Math.round(span / 1000)) : niceStep(span / 200);
    // An excluded bound is one step inside: the slider cannot reach a value the server refuses.
    const low = field.exclusiveMin ? field.min + step : field.min;
    const high = field.exclusiveMax ? field.max - step : field.max;
    slider = h('input', {type: 'range', min: low, max: high, step, 'aria-label': `${field.title} slider`, tabindex: '-1',
      dataset: {testid: 'slider'}});
    slider.addEventListener('input', () => {
      number.value = integer ? String(Math.round(Number(slider.value))) : trimFloat(Number(slider.value));
      number.dispatchEvent(new Event('input', {bubbles: true}));
    });
    number.addEventListener('input', () => {
      if (number.value !== '') slider.value = number.value;
      slider.classList.toggle('unset', number.value === '');
    });
  }
  const box = field.unit
    ? h('div', {class: 'number-with-unit'}, number, h('span', {class: 'unit', 'aria-hidden': 'true', dataset: {testid: 'unit'}}, field.unit))
    : number;
  if (field.unit) number.setAttribute('aria-label', `${field.title} (${field.unit})`);
  return {
    node: slider ? h('div', {class: 'slider-row'}, slider, box) : box,
    inputs: [number],
    read: () => ({empty: number.value === '', value: number.value === '' ? null : Number(number.value)}),
    write: (value) => {
      number.value = typeof value === 'number' ? String(value) : '';
      if (slider) {
        slider.value = typeof value === 'number' ? String(value) : String(field.min);
        slider.classList.toggle('unset', typeof value !== 'number');
      }
    },
  };
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (raw <= factor * power) return factor * power;
  return raw;
}

function trimFloat(value) {
  return String(Number(value.toFixed(6)));
}

export {isEmpty};
