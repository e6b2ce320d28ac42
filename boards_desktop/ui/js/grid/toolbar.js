// The grid's toolbar: prompt search, filters (type, status, favourites, tag, generator), tile size.
// `onChange(filter, state)` gets a GenerationFilter each time the artist changes one (the search
// debounced); `initial` (grid/filter_url.js) is the state the board's URL named.
import {h} from '../dom.js';
import {generatorLabel} from '../names.js';
import {filterOfState} from './filter_url.js';

const TYPES = [['IMAGE', 'Images'], ['VIDEO', 'Videos'], ['AUDIO', 'Audio'], ['TEXT', 'Text']];
const STATUSES = [
  ['', 'Any status'],
  ['RUNNING', 'Running'],
  ['COMPLETED', 'Completed'],
  ['FAILED', 'Failed'],
  ['CANCELLED', 'Cancelled'],
];
const SEARCH_DELAY_MS = 250;
const LAYOUT_CHOICES = [
  ['crop', '▢', 'Square crops', 'Square tiles, each picture cropped to fill its square'],
  ['whole', '▭', 'Whole pictures', 'Whole pictures, each in its own proportions inside a square'],
  ['rows', '▤', 'Rows', 'Justified rows: each tile in its picture’s proportions, rows as wide as the grid'],
];

export function buildToolbar({tags, generatorNames, onChange, onTileSize, tileSize, onFit = () => {}, fit = 'crop', initial = null}) {
  const state = {search: '', types: new Set(), status: '', favouritesOnly: false, tagId: '', generator: ''};
  let timer = 0;

  const search = h('input', {
    type: 'search', class: 'grid-search', placeholder: 'Search prompts, tags, files  /', 'aria-label': 'Search prompts, tags, file names and generators',
    autocomplete: 'off', spellcheck: false, dataset: {testid: 'grid-search'},
  });
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.search = search.value.trim(); changed(); }, SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { clearTimeout(timer); state.search = search.value.trim(); changed(); }
    if (event.key === 'Escape' && search.value) { event.stopPropagation(); search.value = ''; state.search = ''; changed(); }
    else if (event.key === 'Escape') search.blur();
  });

  const typeChips = TYPES.map(([value, label]) => {
    const chip = h('button', {type: 'button', class: 'chip', 'aria-pressed': 'false', dataset: {filterType: value}}, label);
    chip.addEventListener('click', () => {
      if (state.types.has(value)) state.types.delete(value); else state.types.add(value);
      chip.setAttribute('aria-pressed', String(state.types.has(value)));
      changed();
    });
    return chip;
  });

  const favourites = h('button', {type: 'button', class: 'chip', 'aria-pressed': 'false', dataset: {testid: 'filter-favourites'}}, '★ Favourites');
  favourites.addEventListener('click', () => {
    state.favouritesOnly = !state.favouritesOnly;
    favourites.setAttribute('aria-pressed', String(state.favouritesOnly));
    changed();
  });

  const select = (label, testid, options, key) => {
    const control = h('select', {'aria-label': label, class: 'filter-select', dataset: {testid}},
      options.map(([value, text]) => h('option', {value}, text)));
    control.addEventListener('change', () => {
      state[key] = control.value;
      control.dataset.active = control.value ? 'true' : 'false';
      changed();
    });
    return control;
  };
  const status = select('Status', 'filter-status', STATUSES, 'status');
  const tag = select('Tag', 'filter-tag', [['', 'Any tag'], ...tags.map((t) => [t.id, t.name])], 'tagId');
  const generator = select('Generator', 'filter-generator', [['', 'Any generator'], ...generatorNames.map((n) => [n, generatorLabel(n)])], 'generator');

  // Its place is kept while no filter is on (invisible, not gone): showing it must not move the grid.
  const clear = h('button', {type: 'button', class: 'ghost clear-filters', 'aria-hidden': 'true', tabindex: '-1', dataset: {testid: 'clear-filters', shown: 'false'}}, 'Clear filters');
  clear.addEventListener('click', () => reset());

  const sizes = h('div', {class: 'tile-sizes', role: 'radiogroup', 'aria-label': 'Tile size'},
    [['small', 'S'], ['medium', 'M'], ['large', 'L']].map(([value, label]) => {
      const button = h('button', {type: 'button', class: 'chip', role: 'radio', 'aria-checked': String(value === tileSize), 'aria-label': `${value} tiles`, title: `${value[0].toUpperCase()}${value.slice(1)} tiles`, dataset: {size: value}}, label);
      button.addEventListener('click', () => {
        for (const other of sizes.children) other.setAttribute('aria-checked', String(other === button));
        onTileSize(value);
      });
      return button;
    }));

  // How tiles show the pictures: square crops, whole pictures inside the squares, or justified rows
  // (each tile in its picture's proportions). A view setting too, kept like the size.
  const layout = h('div', {class: 'tile-layouts', role: 'radiogroup', 'aria-label': 'Tile layout', dataset: {testid: 'tile-layout'}},
    LAYOUT_CHOICES.map(([value, icon, label, hint]) => {
      const button = h('button', {type: 'button', class: 'chip', role: 'radio', 'aria-checked': String(value === fit),
        'aria-label': label, title: hint, dataset: {layout: value}}, h('span', {'aria-hidden': 'true'}, icon));
      button.addEventListener('click', () => {
        for (const other of layout.children) other.setAttribute('aria-checked', String(other === button));
        onFit(value);
      });
      return button;
    }));
  // Arrow keys move between the choices, as in any radio group.
  layout.addEventListener('keydown', (event) => {
    const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
    if (!step) return;
    event.preventDefault();
    const buttons = [...layout.children];
    const next = buttons[(buttons.indexOf(document.activeElement) + step + buttons.length) % buttons.length];
    next.focus();
    next.click();
  });

  function filter() {
    return filterOfState(state);
  }

  function showClear() {
    const on = Object.keys(filter()).length > 0;
    clear.dataset.shown = String(on);
    clear.tabIndex = on ? 0 : -1;
    if (on) clear.removeAttribute('aria-hidden'); else clear.setAttribute('aria-hidden', 'true');
  }

  function changed() {
    showClear();
    onChange(filter(), state);
  }

  /** Show `given` (a state from the URL) in the controls; `notify` reloads the grid as a change would. */
  function setState(given, {notify = false} = {}) {
    clearTimeout(timer);
    Object.assign(state, {...given, types: new Set(given.types)});
    search.value = state.search;
    for (const chip of typeChips) chip.setAttribute('aria-pressed', String(state.types.has(chip.dataset.filterType)));
    favourites.setAttribute('aria-pressed', String(state.favouritesOnly));
    if (state.tagId) addOption(tag, state.tagId, 'A tag');
    if (state.generator) addGenerator(state.generator);
    for (const [control, value] of [[status, state.status], [tag, state.tagId], [generator, state.generator]]) {
      control.value = value;
      control.dataset.active = value ? 'true' : 'false';
    }
    if (notify) changed(); else showClear();
  }

  function addOption(control, value, label) {
    if (![...control.options].some((option) => option.value === value)) control.append(h('option', {value}, label));
  }

  function reset() {
    clearTimeout(timer);
    Object.assign(state, {search: '', status: '', favouritesOnly: false, tagId: '', generator: ''});
    state.types.clear();
    search.value = '';
    for (const chip of typeChips) chip.setAttribute('aria-pressed', 'false');
    favourites.setAttribute('aria-pressed', 'false');
    for (const control of [status, tag, generator]) { control.value = ''; control.dataset.active = 'false'; }
    changed();
  }

  /** Offer a tag made meanwhile (bulk tag) in the menu. */
  function addTag(t) {
    if ([...tag.options].some((option) => option.value === t.id)) return;
    tag.append(h('option', {value: t.id}, t.name));
  }

  /** A tag renamed elsewhere keeps its place in the menu under its new name. */
  function renameTag(t) {
    const option = [...tag.options].find((o) => o.value === t.id);
    if (option) option.textContent = t.name;
  }

  function addGenerator(name) {
    if ([...generator.options].some((option) => option.value === name)) return;
    generator.append(h('option', {value: name}, generatorLabel(name)));
  }

  /** The generators' names as the server gives them, once the page knows them. */
  function relabelGenerators() {
    for (const option of generator.options) if (option.value) option.textContent = generatorLabel(option.value);
  }

  const node = h('div', {class: 'grid-toolbar', role: 'toolbar', 'aria-label': 'Search and filters', dataset: {testid: 'grid-toolbar'}},
    h('div', {class: 'search-wrap'}, search),
    h('div', {class: 'filter-group', role: 'group', 'aria-label': 'Type'}, typeChips),
    favourites, status, tag, generator, clear,
  );
  if (initial) setState(initial);
  // The tile sizes and layout are view settings, not filters: the board puts them in its header.
  return {node, sizes, layout, search, filter, reset, setState, state, addTag, renameTag, addGenerator, relabelGenerators};
}
