// The generator picker: search, type filters, recently used first, unavailable ones greyed with why.
// Each generator shows as an artist knows it: its icon, display name, what it makes and where it runs,
// and its description; the slug stays in data-generator (and is found by search).
import {h} from '../dom.js';
import {generatorLabel, providerLabel} from '../names.js';
import {typeIcon} from './icons.js';

const RECENT_KEY = 'boards.composer.recent';
const TYPES = ['IMAGE', 'VIDEO', 'AUDIO', 'TEXT'];
const TYPE_LABELS = {IMAGE: 'Image', VIDEO: 'Video', AUDIO: 'Audio', TEXT: 'Text', LORA: 'LoRA', MODEL: 'Model'};

export function recentNames() {
  try {
    const names = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(names) ? names.filter((name) => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

export function markUsed(name) {
  const names = [name, ...recentNames().filter((other) => other !== name)].slice(0, 8);
  try { localStorage.setItem(RECENT_KEY, JSON.stringify(names)); } catch { /* private mode: recent is a nicety */ }
}

export function typeLabel(type) {
  return TYPE_LABELS[type] ?? type;
}

/**
 * The picker: a button showing the chosen generator; opening it shows search, filters and the list.
 * onChoose(generator). Returns {node, setGenerators(list), choose(name), current()}.
 */
export function generatorPicker({onChoose}) {
  let generators = [];
  let chosen = null;
  let filterType = null;
  const search = h('input', {type: 'search', placeholder: 'Search generators', 'aria-label': 'Search generators',
    autocomplete: 'off', dataset: {testid: 'generator-search'}});
  const chips = h('div', {class: 'chips type-chips', role: 'group', 'aria-label': 'Filter by type'});
  // Focusable, so that the keyboard can scroll it too (the search field's arrows move the choice).
  const list = h('ul', {class: 'generator-list', role: 'listbox', tabindex: '0', 'aria-label': 'Generators', dataset: {testid: 'generator-list'}});
  const panel = h('div', {class: 'generator-picker', hidden: true, dataset: {testid: 'generator-picker'}}, search, chips, list);
  const label = h('span', {class: 'generator-name', dataset: {testid: 'generator-label'}}, 'Choose a generator');
  const buttonIcon = h('span', {class: 'generator-icon', 'aria-hidden': 'true'});
  const meta = h('span', {class: 'generator-meta'});
  const button = h('button', {type: 'button', class: 'generator-button', 'aria-expanded': 'false', 'aria-haspopup': 'listbox',
    dataset: {testid: 'generator-button'}, onclick: () => toggle()},
  buttonIcon, h('span', {class: 'generator-button-text'}, label, meta), h('span', {class: 'chevron', 'aria-hidden': 'true'}, '▾'));
  const node = h('div', {class: 'picker'}, button, panel);

  // A press outside closes it (focus does not always move: the grid's background takes none).
  const outside = (event) => { if (!node.contains(event.target)) toggle(false); };

  function toggle(open = panel.hidden) {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      // A fresh search each time: the last one's words would hide most of the list, and typing
      // would add to them ("titleresize").
      search.value = '';
      renderList();
      search.focus();
      document.addEventListener('pointerdown', outside, true);
    } else document.removeEventListener('pointerdown', outside, true);
  }

  function renderChips() {
    const present = TYPES.filter((type) => generators.some((g) => g.artifactType === type));
    const all = h('button', {type: 'button', class: 'chip', 'aria-pressed': String(filterType === null), onclick: () => { filterType = null; renderChips(); renderList(); }}, 'All');
    chips.replaceChildren(all, ...present.map((type) => h('button', {type: 'button', class: 'chip', dataset: {type},
      'aria-pressed': String(filterType === type), onclick: () => { filterType = filterType === type ? null : type; renderChips(); renderList(); }},
    typeLabel(type))));
  }

  function ordered() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const recent = recentNames();
    const matches = generators.filter((g) => (!filterType || g.artifactType === filterType)
      && words.every((word) => searchText(g).includes(word)));
    const rank = (g) => {
      const index = recent.indexOf(g.name);
      return index >= 0 ? index : recent.length + (g.available ? 0 : 1000);
    };
    // Within a group, alphabetical by the name the artist reads (not by slug).
    return matches.sort((a, b) => rank(a) - rank(b) || displayName(a).localeCompare(displayName(b)));
  }

  function renderList() {
    const recent = new Set(recentNames());
    const shown = ordered();
    const groupOf = (g) => (recent.has(g.name) ? 'Recently used' : g.available ? (recent.size ? 'Others' : 'Ready to use') : 'Unavailable here');
    let lastGroup = null;
    list.replaceChildren(...shown.flatMap((g) => {
      const group = groupOf(g);
      const heading = group !== lastGroup ? h('li', {role: 'presentation', class: 'generator-group'}, group) : null;
      lastGroup = group;
      return heading ? [heading, option(g, recent)] : [option(g, recent)];
    }));
    if (!shown.length) list.append(h('li', {class: 'muted generator-none'}, 'No generator matches.'));
  }

  function option(g, recent) {
    const item = h('li', {role: 'option', 'aria-selected': String(chosen?.name === g.name),
      class: `generator-option${g.available ? '' : ' unavailable'}`, tabindex: '-1',
      dataset: {generator: g.name, available: String(g.available)}},
    h('span', {class: `generator-icon type-${g.artifactType.toLowerCase()}`, 'aria-hidden': 'true'}, typeIcon(g.icon || g.artifactType, {size: 18})),
    h('div', {class: 'generator-option-body'},
      h('div', {class: 'generator-option-head'},
        h('span', {class: 'generator-option-name', dataset: {testid: 'generator-option-name'}}, displayName(g)),
        recent.has(g.name) && h('span', {class: 'badge', title: 'Recently used'}, 'recent'),
        h('span', {class: `type-badge type-${g.artifactType.toLowerCase()}`}, typeLabel(g.artifactType))),
      h('div', {class: 'generator-option-provider'}, providerLabel(g.provider)),
      g.description && h('div', {class: 'generator-option-description', dataset: {testid: 'generator-option-description'}}, g.description),
      !g.available && h('div', {class: 'generator-option-reason', dataset: {testid: 'unavailable-reason'}}, g.unavailableReason ?? 'Cannot run here')));
    item.addEventListener('click', () => choose(g.name, true));
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); choose(g.name, true); }
      const options = [...list.querySelectorAll('[role=option]')];
      const at = options.indexOf(item);
      if (event.key === 'ArrowDown') { event.preventDefault(); options[at + 1]?.focus(); }
      if (event.key === 'ArrowUp') { event.preventDefault(); (options[at - 1] ?? search).focus(); }
    });
    return item;
  }

  search.addEventListener('input', renderList);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); list.querySelector('[role=option]')?.focus(); }
    if (event.key === 'Enter') {
      event.preventDefault();
      const first = list.querySelector('[role=option]');
      if (first) choose(first.dataset.generator, true);
    }
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) { event.stopPropagation(); toggle(false); button.focus(); }
  });
  node.addEventListener('focusout', (event) => {
    if (!panel.hidden && event.relatedTarget && !node.contains(event.relatedTarget)) toggle(false);
  });

  function choose(name, fromList = false, silent = false) {
    const g = generators.find((other) => other.name === name);
    if (!g) return null;
    chosen = g;
    label.textContent = displayName(g);
    buttonIcon.replaceChildren(typeIcon(g.icon || g.artifactType, {size: 20}));
    const where = `${typeLabel(g.artifactType)} · ${providerLabel(g.provider)}`;
    meta.textContent = g.available ? where : `${where} · unavailable`;
    button.dataset.generator = g.name;
    button.classList.toggle('unavailable', !g.available);
    if (fromList) {
      toggle(false);
      button.focus();
    }
    if (!silent) onChoose(g);
    return g;
  }

  function displayName(g) {
    return g.displayName || generatorLabel(g.name);
  }

  function searchText(g) {
    return `${displayName(g)} ${g.name} ${g.description} ${g.provider} ${providerLabel(g.provider)} ${typeLabel(g.artifactType)}`.toLowerCase();
  }

  return {
    node,
    setGenerators(list) {
      generators = list;
      renderChips();
      if (!panel.hidden) renderList();
    },
    choose,
    current: () => chosen,
    all: () => generators,
    open: () => toggle(true),
    destroy: () => document.removeEventListener('pointerdown', outside, true),
  };
}
