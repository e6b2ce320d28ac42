// The lineage graph: the generations a result was made from (left) and made from it (right), as
// columns of thumbnails by depth joined by lines (inline SVG). A node opens that generation.
import {gql} from '../api.js';
import {h} from '../dom.js';
import {generatorLabel} from '../names.js';
import {typeIcon} from '../composer/icons.js';

export const NODE_FIELDS = 'id artifactType status thumbnailUrl generatorName prompt outputMetadata';
const DEPTH = 6;

function nest(field, children, depth) {
  const inner = depth > 0 ? nest(children, children, depth - 1) : '';
  return `${field} { depth role generation { ${NODE_FIELDS} } ${inner} }`;
}

const QUERY = `query Lineage($id: UUID!) { generation(id: $id) { id
  ancestry(maxDepth: ${DEPTH}) { depth generation { ${NODE_FIELDS} } ${nest('parents', 'parents', DEPTH - 1)} }
  descendants(maxDepth: ${DEPTH}) { depth generation { ${NODE_FIELDS} } ${nest('children', 'children', DEPTH - 1)} } } }`;


/**
 * A node of the graph: a generation's thumbnail with its name under it, as the "Made from" chips name
 * it (its prompt, file name or generator); the role it played (the input slot's name, "image") is
 * said only in the tooltip and to a screen reader.
 */
export function thumbButton(generation, {onOpen, role, current = false} = {}) {
  const name = displayName(generation, 40);
  const label = `${name}${role ? ` (its ${role})` : ''}`;
  const full = String(generation.prompt ?? '').trim();
  return h('button', {type: 'button', class: `thumb-button graph${current ? ' current' : ''}`,
    dataset: {generationId: generation.id, status: String(generation.status ?? '').toLowerCase()},
    title: full && full !== name ? `${full}${role ? ` (its ${role})` : ''}` : label,
    'aria-label': current ? `${label} (this one)` : `Open ${label}`, 'aria-current': current ? 'true' : null,
    onclick: () => { if (!current) onOpen?.(generation.id); }},
  h('span', {class: 'thumb-picture', 'aria-hidden': 'true'}, generation.thumbnailUrl
    ? h('img', {src: generation.thumbnailUrl, alt: '', loading: 'lazy', draggable: 'false'})
    : h('span', {class: 'thumb-icon'}, typeIcon(generation.artifactType, {size: 26}))),
  h('span', {class: 'thumb-name', 'aria-hidden': 'true', dataset: {testid: 'lineage-node-name'}}, name));
}

/** What a person calls a generation: its prompt (the start of it), its file's name, or its generator. */
export function displayName(generation, chars = 60) {
  const prompt = String(generation.prompt ?? '').trim().replace(/\s+/g, ' ');
  if (prompt) return prompt.length > chars ? `${prompt.slice(0, chars - 1).trimEnd()}…` : prompt;
  const file = generation.outputMetadata?.original_filename;
  if (file) return String(file);
  return generation.generatorName ? generatorLabel(generation.generatorName) : 'A result';
}

/** A chip that opens a generation: its thumbnail and its name (the viewer's "Made from" and "Made from it"). */
export function lineageChip(generation, {onOpen, role}) {
  const name = displayName(generation);
  const label = `${name}${role ? ` (its ${role})` : ''}`;
  return h('button', {type: 'button', class: 'thumb-chip',
    dataset: {generationId: generation.id, status: String(generation.status ?? '').toLowerCase()},
    title: generation.prompt && generation.prompt !== name ? `${generation.prompt}${role ? ` (its ${role})` : ''}` : label,
    'aria-label': `Open ${label}`, onclick: () => onOpen?.(generation.id)},
  h('span', {class: 'thumb-chip-picture', 'aria-hidden': 'true'}, generation.thumbnailUrl
    ? h('img', {src: generation.thumbnailUrl, alt: '', loading: 'lazy', draggable: 'false'})
    : typeIcon(generation.artifactType, {size: 18})),
  h('span', {class: 'thumb-chip-name', dataset: {testid: 'lineage-chip-name'}}, name));
}

/** Build the graph of generation `id` into a new element; resolves once it is drawn. */
export async function lineageGraph(id, {onOpen}) {
  const host = h('div', {class: 'lineage-graph', dataset: {testid: 'lineage-graph', state: 'loading'}},
    h('div', {class: 'spinner', 'aria-label': 'Loading the lineage'}));
  load();
  return host;

  async function load() {
    let data;
    try {
      data = (await gql(QUERY, {id})).generation;
    } catch (error) {
      host.replaceChildren(h('p', {class: 'error-text'}, `The lineage could not be loaded: ${error.message}`));
      host.dataset.state = 'error';
      return;
    }
    if (!data) return;
    // Columns by depth: ancestors at negative depths, this one at 0, descendants at positive depths.
    const columns = new Map();
    const placed = new Map();  // id -> column
    const edges = [];
    const place = (node, column, role) => {
      const key = node.generation.id;
      if (!placed.has(key)) {
        placed.set(key, column);
        if (!columns.has(column)) columns.set(column, []);
        columns.get(column).push({generation: node.generation, role});
      }
    };
    const walkUp = (node, depth) => {
      for (const parent of node.parents ?? []) {
        place(parent, -(depth + 1), parent.role);
        edges.push([parent.generation.id, node.generation.id, parent.role]);
        walkUp(parent, depth + 1);
      }
    };
    const walkDown = (node, depth) => {
      for (const child of node.children ?? []) {
        place(child, depth + 1, child.role);
        edges.push([node.generation.id, child.generation.id, child.role]);
        walkDown(child, depth + 1);
      }
    };
    place(data.ancestry, 0, null);
    walkUp(data.ancestry, 0);
    walkDown(data.descendants, 0);
    const unique = [...new Map(edges.map((edge) => [`${edge[0]}>${edge[1]}`, edge])).values()];
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('class', 'lineage-lines');
    svg.setAttribute('aria-hidden', 'true');
    const order = [...columns.keys()].sort((a, b) => a - b);
    const body = h('div', {class: 'lineage-columns'}, order.map((column) => h('div', {class: 'lineage-column', dataset: {depth: String(column)}},
      h('div', {class: 'lineage-column-label', title: columnTitle(column)}, column === 0 ? 'This' : column < 0 ? `Input${column < -1 ? ` −${-column}` : ''}` : `Result${column > 1 ? ` +${column}` : ''}`),
      columns.get(column).map(({generation, role}) => h('div', {class: 'lineage-node', dataset: {generationId: generation.id}},
        thumbButton(generation, {onOpen, role: column === 0 ? null : role, current: column === 0}))))));
    const canvas = h('div', {class: 'lineage-canvas'}, svg, body);
    const summary = h('p', {class: 'muted lineage-summary'},
      placed.size === 1 ? 'Nothing was made from this one, and it was made from no other result.'
        : `${[...placed.values()].filter((c) => c < 0).length} before it, ${[...placed.values()].filter((c) => c > 0).length} after it.`);
    host.replaceChildren(summary, canvas);
    const draw = () => {
      const origin = canvas.getBoundingClientRect();
      svg.setAttribute('width', String(canvas.scrollWidth));
      svg.setAttribute('height', String(canvas.scrollHeight));
      svg.replaceChildren(...unique.map(([from, to]) => {
        const a = canvas.querySelector(`.lineage-node[data-generation-id="${from}"] .thumb-picture`)?.getBoundingClientRect();
        const b = canvas.querySelector(`.lineage-node[data-generation-id="${to}"] .thumb-picture`)?.getBoundingClientRect();
        const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
        if (!a || !b) return path;
        const x1 = a.right - origin.left;
        const y1 = a.top + a.height / 2 - origin.top;
        const x2 = b.left - origin.left;
        const y2 = b.top + b.height / 2 - origin.top;
        const bend = Math.max(24, (x2 - x1) / 2);
        path.setAttribute('d', `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`);
        path.dataset.from = from;
        path.dataset.to = to;
        return path;
      }));
      host.dataset.state = 'ready';
      host.dataset.edges = String(unique.length);
    };
    new ResizeObserver(draw).observe(canvas);
    requestAnimationFrame(draw);
  }
}

function columnTitle(column) {
  if (column === 0) return 'This generation';
  if (column === -1) return 'What it was made from';
  if (column === 1) return 'What was made from it';
  return column < 0 ? `${-column} steps back` : `${column} steps on`;
}
