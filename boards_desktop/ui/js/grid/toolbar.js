// The grid's toolbar: prompt search, filters (type, status, favourites, tag, generator), tile size.
// `onChange(filter)` gets a GenerationFilter each time the artist changes one (the search debounced).
import {h} from '../dom.js';

const TYPES = [['IMAGE', 'Images'], ['VIDEO', 'Videos'], ['AUDIO', 'Audio'], ['TEXT', 'Text']];
const STATUSES = [
  ['', 'Any status'],
  ['RUNNING', 'Running'],
  ['COMPLETED', 'Completed'],
  ['FAILED', 'Failed'],
  ['CANCELLED', 'Cancelled'],
];
const SEARCH_DELAY_MS = 250;

export function buildToolbar({tags, generatorNames, onChange, onTileSize, tileSize}) {
  const state = {search: '', types: new Set(), status: '', favouritesOnly: false, tagId: '', generator: ''};
  let timer = 0;

  const search = h('input', {
    type: 'search', class: 'grid-search', placeholder: 'Search prompts  /', 'aria-label': 'Search prompts',
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
  const generator = select('Generator', 'filter-generator', [['', 'Any generator'], ...generatorNames.map((n) => [n, n])], 'generator');

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

  function filter() {
    const result = {};
    if (state.search) result.search = state.search;
    if (state.types.size) result.artifactTypes = [...state.types];
    if (state.status === 'RUNNING') result.statuses = ['PENDING', 'PROCESSING'];
    else if (state.status) result.statuses = [state.status];
    if (state.favouritesOnly) result.favouritesOnly = true;
    if (state.tagId) result.tagIds = [state.tagId];
    if (state.generator) result.generatorNames = [state.generator];
    return result;
  }

  function changed() {
    const on = Object.keys(filter()).length > 0;
    clear.dataset.shown = String(on);
    clear.tabIndex = on ? 0 : -1;
    if (on) clear.removeAttribute('aria-hidden'); else clear.setAttribute('aria-hidden', 'true');
    onChange(filter());
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
    generator.append(h('option', {value: name}, name));
  }

  const node = h('div', {class: 'grid-toolbar', role: 'toolbar', 'aria-label': 'Search and filters', dataset: {testid: 'grid-toolbar'}},
    h('div', {class: 'search-wrap'}, search),
    h('div', {class: 'filter-group', role: 'group', 'aria-label': 'Type'}, typeChips),
    favourites, status, tag, generator, clear,
  );
  // The tile sizes are a view setting, not a filter: the board puts them in its header.
  return {node, sizes, search, filter, reset, addTag, renameTag, addGenerator};
}
