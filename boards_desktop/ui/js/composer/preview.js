// A live preview of an image tool's settings, before anything is queued: the schema's `x-preview`
// ({image: "<image field>", effects: {"<field>": "brightness|contrast|saturate|grayscale|rotate|flip-x|flip-y"}})
// shows the chosen image with the browser's own filters and transforms, which follow the same
// definitions as the tool (a multiplier for the first three; degrees clockwise). The result itself
// is computed by the tool; this is a look before the work.
//
// attachPreview(spec, controls, after) -> {sync()} (call sync() when the form changes).
// Hooks for tests: [data-testid=adjust-preview][data-state=empty|ready] with its img.
import {h} from '../dom.js';
import {lookup} from './slots.js';

const FILTERS = {brightness: 'brightness', contrast: 'contrast', saturate: 'saturate'};
const ORDER = ['brightness', 'contrast', 'saturate', 'grayscale', 'rotate', 'flip-x', 'flip-y'];

export function attachPreview(spec, controls, after) {
  const byName = new Map(controls.map((c) => [c.field.name, c]));
  const slot = byName.get(spec?.image);
  if (!slot || typeof spec.effects !== 'object') return null;
  const img = h('img', {alt: 'Preview of the settings', draggable: 'false', dataset: {testid: 'adjust-preview-image'}});
  const note = h('span', {class: 'muted preview-note'}, 'Choose an image to preview the settings.');
  const node = h('div', {class: 'field adjust-preview', dataset: {testid: 'adjust-preview', state: 'empty'}},
    h('div', {class: 'label'}, 'Preview'), h('div', {class: 'preview-frame'}, img, note));
  after.after(node);
  let shownId = null;

  const value = (name) => {
    const c = byName.get(name);
    if (!c || c.row.hidden) return undefined;
    const {empty, value: read} = c.read();
    return empty ? (c.field.hasDefault ? c.field.default : undefined) : read;
  };

  function render() {
    const filters = [];
    const transforms = [];
    // In the tool's order (the schema's JSON may not keep it): colour first, then the geometry.
    const entries = Object.entries(spec.effects).sort(([, a], [, b]) => ORDER.indexOf(a) - ORDER.indexOf(b));
    for (const [name, effect] of entries) {
      const v = value(name);
      if (FILTERS[effect] && typeof v === 'number') filters.push(`${FILTERS[effect]}(${v})`);
      if (effect === 'grayscale' && v === true) filters.push('grayscale(1)');
      if (effect === 'rotate' && typeof v === 'number' && v % 360 !== 0) {
        const turn = (v * Math.PI) / 180;
        // The tool enlarges the canvas to hold the turned image: shrink the preview as much.
        const fit = 1 / (Math.abs(Math.cos(turn)) + Math.abs(Math.sin(turn)));
        transforms.push(`rotate(${v}deg) scale(${fit.toFixed(4)})`);
      }
      if (effect === 'flip-x' && v === true) transforms.push('scaleX(-1)');
      if (effect === 'flip-y' && v === true) transforms.push('scaleY(-1)');
    }
    img.style.filter = filters.join(' ');
    img.style.transform = transforms.join(' ');
  }

  async function sync() {
    render();
    const id = slot.read().value ?? null;
    if (id === shownId) return;
    shownId = id;
    if (!id) {
      img.removeAttribute('src');
      node.dataset.state = 'empty';
      return;
    }
    const found = await lookup(id);
    if (shownId !== id) return;
    const source = found?.storageUrl ?? found?.thumbnailUrl;
    if (source) {
      img.src = source;
      node.dataset.state = 'ready';
    }
  }

  return {sync};
}
