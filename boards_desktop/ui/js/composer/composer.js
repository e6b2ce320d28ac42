// The composer: pick a generator, fill its form (built from the generator's JSON schema), submit.
//
// Listens: composer:use-settings {generation, note}, composer:add-input {generation}, generators:added.
// Emits: generation:created {generation} when a generation is queued (or a file uploaded into a slot).
// Fields that declare `x-visible-when` are shown only while the fields they name hold one of the listed
// values (checked at every change); a hidden field's value is kept in the form but not sent.
// Hooks for tests: form[data-testid=composer-form][data-generator][data-state=idle|submitting],
// .field[data-field=<name>] with .error[data-testid=field-error], [data-testid=form-error].
import {GENERATION_FIELDS, gql} from '../api.js';
import {emit, on} from '../bus.js';
import {h, plural} from '../dom.js';
import {addShortcut} from '../shortcuts.js';
import {toast, toastError} from '../toast.js';
import {choiceDialog} from '../dialog.js';
import {control} from './fields.js';
import {generatorLabel, learnGenerators} from '../names.js';
import {generatorPicker, markUsed, recentNames, typeLabel} from './picker.js';
import {fieldsOf} from './schema.js';
import {inWords} from './refusals.js';
import {attachPreview} from './preview.js';
import {attachScrubber} from './scrubber.js';
import {applyVisibility} from './visibility.js';
import {remember} from './slots.js';
import {promptAssistant} from './assistant.js';

const GENERATORS_QUERY = '{ generators { name displayName icon description artifactType inputSchema provider available unavailableReason } }';
const CREATE = `mutation Create($input: CreateGenerationInput!) { createGeneration(input: $input) { ${GENERATION_FIELDS} } }`;
const ARTICLE = {image: 'an image', video: 'a video', audio: 'an audio clip', text: 'a text'};

/** Mount into the board's composer panel; returns a cleanup function. */
export async function mountComposer(panel, {board}) {
  let controls = [];
  let generator = null;
  let submitting = false;
  // generator name -> the values typed for it: kept while switching, and for this board while the app runs.
  const storeKey = `boards.composer.${board.id}`;
  const saved = readSaved(storeKey);
  const drafts = new Map(Object.entries(saved.drafts ?? {}));

  const notice = h('div', {class: 'composer-notice', hidden: true, dataset: {testid: 'composer-notice'}});
  const extrasNote = h('div', {class: 'hint composer-extras', hidden: true, dataset: {testid: 'composer-extras'}});
  // Said after filling the form from elsewhere, until another generator is chosen: what could not be set.
  const settingsNote = h('div', {class: 'composer-settings-note', hidden: true, role: 'status', dataset: {testid: 'composer-settings-note'}});
  let extras = {};
  const fieldsHost = h('div', {class: 'composer-fields'});
  const formError = h('div', {class: 'form-error', role: 'alert', hidden: true, dataset: {testid: 'form-error'}});
  const submit = h('button', {type: 'submit', class: 'primary composer-submit', dataset: {testid: 'composer-submit'}},
    h('span', {}, 'Generate'), h('kbd', {class: 'submit-kbd', 'aria-hidden': 'true'}, navigator.platform.startsWith('Mac') ? '⌘↵' : 'Ctrl ↵'));
  const reset = h('button', {type: 'button', class: 'ghost', title: 'Put every field back to its default',
    onclick: () => { for (const c of controls) { c.reset(); c.setError(null); } showFormError(null); applyVisibility(controls); preview?.sync(); }}, 'Reset');
  const description = h('p', {class: 'generator-description muted'});
  const form = h('form', {class: 'composer-form', novalidate: true, dataset: {testid: 'composer-form', state: 'loading'},
    'aria-label': 'Generation settings'},
  description, notice, settingsNote, fieldsHost, extrasNote, formError,
  h('div', {class: 'composer-actions'}, reset, submit));
  const picker = generatorPicker({onChoose: (g) => select(g)});
  const assistant = promptAssistant({board, writers: () => picker.all()});
  panel.replaceChildren(
    h('div', {class: 'composer'},
      h('div', {class: 'composer-head'}, h('h2', {}, 'Create'), h('span', {class: 'muted composer-board'}, board.title)),
      picker.node, form));

  form.addEventListener('submit', (event) => { event.preventDefault(); submitForm(); });
  // Any change may show or hide the fields that depend on it (`x-visible-when`) and moves the preview.
  let preview = null;  // the live preview of an image tool's settings (`x-preview`)
  let scrubbers = [];  // the frame scrubbers of seconds of a video (`x-moment-of`)
  const changed = () => { applyVisibility(controls); preview?.sync(); assistant.sync(); };
  fieldsHost.addEventListener('input', changed);
  fieldsHost.addEventListener('change', changed);
  fieldsHost.addEventListener('click', () => queueMicrotask(changed));
  // A slot changes by drops, picks and uploads too (its list of items is redrawn each time): the
  // scrubbers and the preview follow the inputs they show.
  const slotWatch = new MutationObserver(() => { for (const scrubber of scrubbers) scrubber.sync(); preview?.sync(); assistant.sync(); });
  slotWatch.observe(fieldsHost, {childList: true, subtree: true});

  function draftOf() {
    return Object.assign({...extras}, Object.fromEntries(controls.map((c) => [c.field.name, c.read()]).filter(([, read]) => !read.empty).map(([name, read]) => [name, read.value])));
  }

  function select(g, values = null) {
    if (generator && controls.length) drafts.set(generator.name, draftOf());
    // What the artist set in the generator being left goes along where the next one has the same
    // field (same name and kind): a prompt, an image just put in a slot.
    const carried = values ? [] : setByArtist();
    generator = g;
    form.dataset.generator = g.name;
    form.dataset.available = String(g.available);
    description.textContent = g.description ?? '';
    let fields = [];
    try {
      fields = fieldsOf(g.inputSchema);
    } catch (error) {
      console.error(error);
    }
    controls = fields.map((field) => control(field, {board}));
    fieldsHost.replaceChildren(...controls.map((c) => c.row));
    scrubbers = controls.filter((c) => c.field.momentOf && ['number', 'integer'].includes(c.field.kind)).map((c) =>
      attachScrubber(c, () => controls.find((other) => other.field.name === c.field.momentOf && other.field.kind === 'artifact')));
    const previewSpec = g.inputSchema?.['x-preview'];
    const previewSlot = previewSpec && controls.find((c) => c.field.name === previewSpec.image);
    preview = previewSlot ? attachPreview(previewSpec, controls, previewSlot.row) : null;
    if (!fields.length) fieldsHost.append(h('p', {class: 'muted'}, 'This generator takes no settings.'));
    // The values the artist left in this generator's own draft stay theirs; carried ones fill the rest.
    const own = drafts.get(g.name) ?? {};
    const fits = carried.filter(({field, value}) => !Object.hasOwn(own, field.name)
      && fields.some((other) => sameKind(field, other) && accepts(other, value)));
    const fill = values ?? (fits.length
      ? {...own, ...Object.fromEntries(fits.map(({field, value}) => [field.name, value]))}
      : drafts.get(g.name));
    extras = {};
    renderExtras();
    showSettingsNote(null);
    if (fill) writeValues(fill);
    assistant.attach(controls, g);
    applyVisibility(controls);
    preview?.sync();
    showFormError(null);
    notice.hidden = g.available;
    notice.replaceChildren(...(g.available ? [] : [
      h('strong', {}, 'Unavailable here. '), g.unavailableReason ?? 'This generator cannot run.',
      /key/i.test(g.unavailableReason ?? '') ? [' ', h('a', {href: '#/settings'}, 'Open settings')] : null,
    ]));
    submit.disabled = !g.available;
    submit.title = g.available ? 'Generate (Ctrl+Enter)' : g.unavailableReason ?? 'Unavailable';
    form.dataset.state = 'idle';
    save();
  }

  /** The fields of the current form the artist changed from their defaults: [{field, value}]. */
  function setByArtist() {
    return controls.map((c) => ({field: c.field, read: c.read()}))
      .filter(({field, read}) => !read.empty && !read.busy && JSON.stringify(read.value) !== JSON.stringify(field.default))
      .map(({field, read}) => ({field, value: read.value}));
  }

  function writeValues(values) {
    for (const c of controls) {
      if (Object.hasOwn(values, c.field.name)) c.write(values[c.field.name]);
      else c.reset();
    }
    // Settings the form has no field for: kept (and sent) when the generator takes extra ones.
    const names = new Set(controls.map((c) => c.field.name));
    const rest = Object.entries(values).filter(([name]) => !names.has(name));
    extras = generator?.inputSchema?.additionalProperties === true ? Object.fromEntries(rest) : {};
    renderExtras();
  }

  function renderExtras() {
    const names = Object.keys(extras);
    extrasNote.hidden = names.length === 0;
    extrasNote.replaceChildren(...(names.length ? [
      h('span', {}, `Also sends ${names.join(', ')} (from the generation these settings came from). `),
      h('button', {type: 'button', class: 'ghost small', onclick: () => { extras = {}; renderExtras(); }}, 'Leave out'),
    ] : []));
  }

  /** inputParams from the form: empty optional fields are left out (null where the field is nullable and its default is not). */
  function collect() {
    const params = {};
    let busy = false;
    for (const c of controls) {
      if (c.row.hidden) continue;  // does not apply to the choices made: the server's default stands
      const {empty, value, busy: uploading} = c.read();
      busy = busy || Boolean(uploading);
      if (!empty) params[c.field.name] = value;
      else if (c.field.nullable && c.field.hasDefault && c.field.default !== null) params[c.field.name] = null;
    }
    return {params: {...extras, ...params}, busy};
  }

  function showSettingsNote(text) {
    settingsNote.hidden = !text;
    settingsNote.textContent = text ?? '';
  }

  function showFormError(message) {
    formError.hidden = !message;
    formError.textContent = message ?? '';
  }

  async function submitForm() {
    if (!generator || submitting) return;
    if (!generator.available) {
      showFormError(`${generatorLabel(generator.name)} cannot run: ${generator.unavailableReason ?? 'unavailable'}`);
      return;
    }
    const {params, busy} = collect();
    if (busy) {
      showFormError('Wait for the uploads to finish, then generate.');
      return;
    }
    for (const c of controls) c.setError(null);
    showFormError(null);
    submitting = true;
    form.dataset.state = 'submitting';
    submit.disabled = true;
    const name = generator.name;
    try {
      const promptFrom = assistant.promptFrom(params.prompt);  // the prompt assistant's text it came from
      const {createGeneration: generation} = await gql(CREATE, {input: {
        boardId: board.id, generatorName: name, artifactType: generator.artifactType, inputParams: params,
        ...(promptFrom ? {promptFrom} : {})}});
      markUsed(name);
      remember(generation);
      emit('generation:created', {generation});
      // One toast for a run of submissions: "Queued 5 generations", not five over the art.
      toast(`Queued ${generatorLabel(name)}`, {kind: 'ok', group: 'queued', many: (count) => `Queued ${plural(count, 'generation')}`,
        action: {label: 'Open', run: () => emit('viewer:open', {id: generation.id, neighbour: null})}});
      save();
      form.dataset.lastId = generation.id;
    } catch (error) {
      const byName = new Map(controls.map((c) => [c.field.name, c]));
      const {fields, rest} = error.code === 'OFFLINE' ? {fields: {}, rest: []}
        : splitErrors(error.message, new Map(controls.map((c) => [c.field.name, c.field.title])));
      const placed = Object.entries(fields);
      for (const [field, message] of placed) byName.get(field).setError(inWords(message));
      if (rest.length) showFormError(rest.map(inWords).join('\n'));
      else if (placed.length) showFormError(placed.length === 1 ? 'Check the field marked above.' : `Check the ${placed.length} fields marked above.`);
      if (placed.length) byName.get(placed[0][0]).focus();
      // A refusal is said in the form, beside what to change; a toast only for what the form cannot show.
      if (!placed.length && !rest.length) toastError(`Could not queue ${generatorLabel(name)}`, error);
    } finally {
      submitting = false;
      form.dataset.state = 'idle';
      submit.disabled = !generator?.available;
    }
  }

  // Filling from a generation: its generator and inputs (artifact slots get its input ids). `note`: what
  // could not be set, said under the form (an upload's WebUI settings this WebUI does not offer).
  async function useSettings(generation, note = null) {
    if (!generation) return;
    remember(generation);
    let g = picker.all().find((other) => other.name === generation.generatorName);
    if (!g && !generation.generatorName?.startsWith('user-upload')) {
      await loadGenerators();  // added since the page loaded (a ComfyUI workflow from a picture)
      g = picker.all().find((other) => other.name === generation.generatorName);
    }
    if (!g && generation.generatorName?.startsWith('user-upload')) {
      toast('An upload has no settings to use; use it as an input instead', {kind: 'error', timeout: 5000});
      return;
    }
    if (!g) {
      toast(`${generatorLabel(generation.generatorName)} (${generation.generatorName}) is not installed here any more`, {kind: 'error'});
      return;
    }
    drafts.delete(g.name);
    picker.choose(g.name, false, true);
    select(g, generation.inputParams ?? {});
    showSettingsNote(note);
    toast(`Settings of this ${typeLabel(generation.artifactType).toLowerCase()} are in the composer`);
    focusFirst();
  }

  async function addInput(generation) {
    if (!generation) return;
    const type = String(generation.artifactType).toLowerCase();
    remember(generation);
    const slotFor = () => {
      const slots = controls.filter((c) => c.field.kind === 'artifact' && c.field.artifactType === type);
      return slots.find((c) => c.read().empty) ?? slots.find((c) => c.field.many && controlRoom(c) > 0) ?? slots[0];
    };
    let target = slotFor();
    if (!target) {
      const recent = recentNames();
      const candidates = picker.all().filter((g) => g.available && fieldsOf(g.inputSchema).some((f) => f.kind === 'artifact' && f.artifactType === type));
      candidates.sort((a, b) => rankOf(recent, a.name) - rankOf(recent, b.name));
      if (!candidates.length) {
        toast(`No generator here takes ${ARTICLE[type] ?? type} as an input`, {kind: 'error'});
        return;
      }
      const previous = generator?.name;
      // Several could take it: the artist says which (the most recently used first).
      const chosenName = candidates.length === 1 ? candidates[0].name : await choiceDialog({
        title: `Use as ${ARTICLE[type] ?? type} input in…`,
        message: `${previous ?? 'The composer’s generator'} takes no ${type}. Which generator should it go into?`,
        choices: candidates.map((g) => ({value: g.name, label: g.name,
          detail: `into ${fieldsOf(g.inputSchema).filter((f) => f.kind === 'artifact' && f.artifactType === type).map((f) => `“${f.title}”`).join(' or ')}`})),
        submit: 'Use', testid: 'input-target-dialog',
      });
      if (!chosenName || !panel.isConnected) return;
      picker.choose(chosenName);
      target = slotFor();
      toast(`${previous ?? 'That generator'} takes no ${type}: switched to ${chosenName}`);
    }
    const field = target.field;
    if (field.many) {
      const current = target.read().value ?? [];
      if (!current.includes(generation.id)) target.write([...current, generation.id]);
    } else target.write(generation.id);
    target.setError(null);
    target.row.scrollIntoView({block: 'nearest'});
    toast(`Added to “${field.title}”`, {kind: 'ok'});
  }

  function controlRoom(c) {
    const count = (c.read().value ?? []).length;
    return (c.field.maxItems ?? Infinity) - count;
  }

  function focusFirst() {
    queueMicrotask(() => form.querySelector('textarea, input:not([type=range]):not([type=color]):not([hidden]), select')?.focus());
  }

  function save() {
    if (!generator) return;
    drafts.set(generator.name, draftOf());
    try {
      sessionStorage.setItem(storeKey, JSON.stringify({current: generator.name, drafts: Object.fromEntries(drafts)}));
    } catch { /* storage full or off: the drafts live as long as the page */ }
  }

  const cleanups = [
    on('composer:use-settings', ({generation, note}) => useSettings(generation, note)),
    on('generators:added', () => loadGenerators()),
    on('composer:add-input', ({generation}) => addInput(generation)),
    addShortcut({keys: 'mod+enter', label: 'Ctrl+Enter', description: 'Generate with the composer’s settings', whileTyping: true,
      group: 'Composer', run: () => submitForm(), when: () => panel.isConnected && !document.querySelector('.viewer-overlay')}),
  ];

  /** The generators again, the chosen one kept (one was added while the page runs). */
  async function loadGenerators() {
    try {
      const {generators} = await gql(GENERATORS_QUERY);
      learnGenerators(generators);
      picker.setGenerators(generators);
    } catch (error) {
      toastError('Could not load the generators', error);
    }
  }

  try {
    const {generators} = await gql(GENERATORS_QUERY);
    learnGenerators(generators);
    picker.setGenerators(generators);
    const recent = recentNames();
    const first = generators.find((g) => g.name === saved.current)
      ?? [...generators].sort((a, b) => rankOf(recent, a.name) - rankOf(recent, b.name)).find((g) => g.available) ?? generators[0];
    if (first) picker.choose(first.name);
    else fieldsHost.replaceChildren(h('p', {class: 'muted'}, 'No generators are installed.'));
  } catch (error) {
    form.dataset.state = 'error';
    fieldsHost.replaceChildren(h('p', {class: 'error-text'}, `The generators could not be loaded: ${error.message}`));
    toastError('Could not load the generators', error);
  }

  return () => {
    save();
    cleanups.forEach((stop) => stop());
    assistant.destroy();
    slotWatch.disconnect();
    picker.destroy();
  };
}

/** Whether two fields take the same kind of value (a value of one can go into the other). */
function sameKind(a, b) {
  if (a.name !== b.name || a.kind !== b.kind) return false;
  if (a.kind === 'artifact') return a.artifactType === b.artifactType && a.many === b.many;
  if (a.kind === 'list') return a.item?.kind === b.item?.kind;
  return true;
}

/** Whether `field` can hold `value` (an enum's value must be one of its options). */
function accepts(field, value) {
  if (field.kind === 'enum') return field.options.includes(value);
  if (field.kind === 'multi-enum') return Array.isArray(value) && value.every((item) => field.options.includes(item));
  return true;
}

function rankOf(recent, name) {
  const index = recent.indexOf(name);
  return index < 0 ? recent.length : index;
}

/**
 * The server's refusal split into messages by field ("inputParams.<field>[.<where>]: <what>", several
 * joined by "; ") and the rest. A message may itself hold "; ", so it splits only before a field's name.
 * A refusal of the inputs as a whole ("inputParams: the video is 4.0 s long; pick a second between 0
 * and 4.0") goes to the field it tells the artist to change: the one its last clause names (by name
 * or title), else any it names. `names`: a Set of field names, or a Map of name -> title.
 */
export function splitErrors(message, names) {
  const fields = {};
  const rest = [];
  const add = (name, text) => { fields[name] = fields[name] ? `${fields[name]}; ${text}` : text; };
  for (const part of String(message).split(/; (?=inputParams\b|generatorName: |artifactType: )/)) {
    const match = /^inputParams\.([A-Za-z0-9_]+)((?:\.[^:]*)?): ([\s\S]*)$/.exec(part);
    const whole = /^inputParams: ([\s\S]*)$/.exec(part);
    const named = whole && fieldNamedIn(whole[1], names);
    if (match && names.has(match[1])) {
      const inner = match[2].slice(1);
      const where = !inner ? '' : /^\d+$/.test(inner) ? ` (item ${Number(inner) + 1})` : ` (${inner})`;
      add(match[1], `${match[3]}${where}`);
    } else if (named) add(named, whole[1]);
    else rest.push(part.replace(/^inputParams(\.[A-Za-z0-9_.]+)?: /, '').replace(/^(generatorName|artifactType): /, ''));
  }
  return {fields, rest};
}

function fieldNamedIn(text, names) {
  const entries = names instanceof Map ? [...names] : [...names].map((name) => [name, null]);
  const words = (name, title) => [name.replace(/_/g, ' '), title].filter(Boolean)
    .map((word) => new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i'));
  const clauses = String(text).split(/; /);
  for (const clause of [clauses[clauses.length - 1], text]) {
    const found = entries.find(([name, title]) => words(name, title).some((pattern) => pattern.test(clause)));
    if (found) return found[0];
  }
  return null;
}

function readSaved(key) {
  try {
    const value = JSON.parse(sessionStorage.getItem(key) ?? '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}
