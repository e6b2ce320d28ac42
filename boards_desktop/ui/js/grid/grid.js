// The virtual grid: a scroll box as tall as all the rows, with tiles only for the rows on screen
// (plus a little overscan), absolutely placed and recycled as the artist scrolls. Pages of
// generations are asked for as their rows come into view.
//
// Selection, for a power user: a plain click (or Enter) opens the viewer; Ctrl/Cmd-click or the
// tile's check box toggles one; Shift-click selects the range from the last one picked, in grid
// order; a drag started on empty space (between tiles, or below them) selects what its box covers
// (with Ctrl/Cmd: adds to it). While anything is selected, a plain click toggles too.
//
// Two layouts: square cells in columns ('crop' and 'whole', index-to-position by arithmetic), or
// justified rows ('rows': each tile in its picture's proportions, grid/rows.js), where positions come
// from the rows' prefix arrays. Either way only the rows on screen have tiles.
import {h} from '../dom.js';
import {emit} from '../bus.js';
import {PAGE_SIZE} from './data.js';
import {bindTile, createTile, startPreview} from './tile.js';
import {indicesInBox, justify, nearestInRow, rowAt} from './rows.js';

const GAP = 10;
const PADDING = 16;
const OVERSCAN_ROWS = 2;
const MAX_IN_FLIGHT = 3;
export const TILE_SIZES = {small: 140, medium: 200, large: 290};
// What a tile whose proportions are not known (text, audio, a job not started) is given in rows.
const DEFAULT_RATIO = 1;
export const LAYOUTS = ['crop', 'whole', 'rows'];

export class VirtualGrid {
  constructor(host, data, {onAction, onSelectionChange}) {
    this.data = data;
    this.onAction = onAction;
    this.onSelectionChange = onSelectionChange;
    this.live = new Map();       // id -> last SSE event
    this.selection = new Set();  // ids
    this.anchor = null;          // id the last range started from
    this.focusIndex = 0;
    this.tiles = new Map();      // index -> tile node
    this.pool = [];
    this.minTile = TILE_SIZES.medium;
    this.layout = {columns: 1, size: 200, row: 210, width: 0, height: 0};
    this.mode = 'crop';
    this.rows = null;            // the justified rows (rows.js), in 'rows' mode
    this.rowsKey = '';           // what they were laid out for: width, height, data version
    this.frame = 0;
    this.previewStop = null;

    this.canvas = h('div', {class: 'grid-canvas', role: 'list', 'aria-label': 'Generations'});
    this.empty = h('div', {class: 'grid-empty', hidden: true, dataset: {testid: 'grid-empty'}});
    this.box = h('div', {class: 'grid-box', hidden: true, 'aria-hidden': 'true'});
    this.scroller = h('div', {class: 'grid-scroll', tabindex: '-1', dataset: {testid: 'grid-scroll'}}, this.canvas, this.box, this.empty);
    host.append(this.scroller);

    this.scroller.addEventListener('scroll', () => this.schedule(), {passive: true});
    this.resizer = new ResizeObserver(() => this.measure());
    this.resizer.observe(this.scroller);
    this.canvas.addEventListener('click', (event) => this.onClick(event));
    this.canvas.addEventListener('dblclick', (event) => event.preventDefault());
    this.canvas.addEventListener('keydown', (event) => this.onKey(event));
    this.canvas.addEventListener('dragstart', (event) => this.onDragStart(event));
    this.canvas.addEventListener('mouseover', (event) => this.onHover(event));
    this.canvas.addEventListener('mouseleave', () => this.stopPreview());
    this.scroller.addEventListener('pointerdown', (event) => this.onPointerDown(event));
    this.canvas.addEventListener('focusin', (event) => {
      const tile = event.target.closest?.('.tile');
      if (tile?.index !== undefined) this.focusIndex = tile.index;
    });
    this.onData = () => this.render();
    data.addEventListener('change', this.onData);
    this.measure();
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.stopPreview();
    this.resizer.disconnect();
    this.data.removeEventListener('change', this.onData);
  }

  setTileSize(name) {
    this.minTile = TILE_SIZES[name] ?? TILE_SIZES.medium;
    const first = this.firstVisibleIndex();
    this.measure();
    this.scrollToIndex(first, 'start');
  }

  /** 'crop' or 'whole' (square cells) or 'rows' (justified rows); the first tile on screen stays. */
  setLayout(mode) {
    const next = LAYOUTS.includes(mode) ? mode : 'crop';
    const first = this.firstVisibleIndex();
    const rowsBefore = this.mode === 'rows';
    this.mode = next;
    this.canvas.dataset.fit = next;
    if (next === 'rows') this.data.keepShapes();
    else this.data.wantShapes = false;  // what is loaded stays in step; the next filter need not ask
    if (rowsBefore !== (next === 'rows')) {
      this.rows = null;
      this.rowsKey = '';
      for (const tile of [...this.tiles.values(), ...this.pool]) {
        tile.placed = null;
        tile.style.width = tile.style.height = '';
      }
      this.measure();
      this.scrollToIndex(first, 'start');
    }
  }

  /** The justified rows for the current width, row height and shapes; laid out again when one changed. */
  justified() {
    const {width} = this.layout;
    const data = this.data;
    // Rows as tall as the squares would be at this width and size: S, M and L look alike in both.
    const target = this.layout.size;
    const key = `${width}:${target}:${data.total}:${data.shapesVersion}`;
    if (this.rows && key === this.rowsKey) return this.rows;
    const ratios = new Float64Array(data.total);
    for (let i = 0; i < ratios.length; i += 1) ratios[i] = data.shapeAt(i) ?? DEFAULT_RATIO;
    this.rows = justify({count: ratios.length, ratioAt: (i) => ratios[i], width: width - 2 * PADDING,
      target, gap: GAP, left: PADDING, top: PADDING});
    this.rowsKey = key;
    for (const tile of this.tiles.values()) tile.placed = null;
    return this.rows;
  }

  /** Where tile `index` is: {x, y, w, h} in the canvas. */
  place(index) {
    if (this.mode === 'rows') {
      const rows = this.justified();
      const row = rows.rowOfItem[index];
      return {x: rows.x[index], y: rows.rowTop[row], w: rows.w[index], h: rows.rowHeight[row]};
    }
    const {columns, size, row} = this.layout;
    return {x: PADDING + (index % columns) * (size + GAP), y: PADDING + Math.floor(index / columns) * row, w: size, h: size};
  }

  /** How many tiles a screenful holds, about. */
  perScreen() {
    const height = this.layout.height || 800;
    if (this.mode === 'rows') {
      const rows = this.justified();
      return rows.rows ? Math.ceil(rows.count / rows.rows * Math.max(1, height / this.layout.row)) : 0;
    }
    return this.layout.columns * Math.ceil(height / this.layout.row);
  }

  measure() {
    const width = this.scroller.clientWidth;
    const height = this.scroller.clientHeight;
    const inner = Math.max(0, width - 2 * PADDING);
    const columns = Math.max(1, Math.floor((inner + GAP) / (this.minTile + GAP)));
    const size = Math.max(60, Math.floor((inner - GAP * (columns - 1)) / columns));
    const changed = columns !== this.layout.columns || size !== this.layout.size;
    this.layout = {columns, size, row: size + GAP, width, height};
    if (changed) {
      this.canvas.style.setProperty('--tile-size', `${size}px`);
      for (const tile of this.tiles.values()) tile.placed = null;
    }
    this.render();
  }

  schedule(dataChanged = false) {
    if (dataChanged) this.dirty = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  firstVisibleIndex() {
    if (this.mode === 'rows') {
      const rows = this.justified();
      const row = rowAt(rows, this.scroller.scrollTop);
      return row < 0 ? 0 : rows.rowStart[row];
    }
    return Math.floor(Math.max(0, this.scroller.scrollTop - PADDING) / this.layout.row) * this.layout.columns;
  }

  /** The index range on screen, with the overscan rows. */
  range() {
    const {columns, row} = this.layout;
    const top = this.scroller.scrollTop;
    const height = this.layout.height || this.scroller.clientHeight;
    if (this.mode === 'rows') {
      const rows = this.justified();
      if (!rows.rows) return [0, -1];
      const firstRow = Math.max(0, rowAt(rows, top) - OVERSCAN_ROWS);
      const lastRow = Math.min(rows.rows - 1, rowAt(rows, top + height) + OVERSCAN_ROWS);
      return [rows.rowStart[firstRow], rows.rowStart[lastRow + 1] - 1];
    }
    const firstRow = Math.max(0, Math.floor((top - PADDING) / row) - OVERSCAN_ROWS);
    const lastRow = Math.floor((top + height - PADDING) / row) + OVERSCAN_ROWS;
    return [firstRow * columns, Math.min(this.data.total, (lastRow + 1) * columns) - 1];
  }

  render() {
    const {columns, row} = this.layout;
    const total = this.data.total;
    const rowsMode = this.mode === 'rows';
    const rows = rowsMode ? this.justified().rows : Math.ceil(total / columns);
    const height = !rows ? 0 : rowsMode ? this.justified().bottom + PADDING : rows * row - GAP + 2 * PADDING;
    if (this.canvas.style.height !== `${height}px`) this.canvas.style.height = `${height}px`;
    this.canvas.dataset.total = String(total);
    const [first, last] = this.range();
    // Tiles that left the range go back to the pool (hidden, not removed: no layout churn).
    for (const [index, tile] of this.tiles) {
      if (index < first || index > last) {
        this.tiles.delete(index);
        tile.hidden = true;
        tile.index = undefined;
        if (tile === this.previewTile) this.stopPreview();
        bindTile(tile, null);
        if (tile === document.activeElement) this.scroller.focus({preventScroll: true});
        this.pool.push(tile);
      }
    }
    const fresh = [];
    for (let index = first; index <= last; index += 1) {
      let tile = this.tiles.get(index);
      if (!tile) {
        tile = this.pool.pop() ?? this.newTile();
        tile.index = index;
        tile.placed = null;
        this.tiles.set(index, tile);
        fresh.push(tile);
      }
      if (tile.placed !== index) {
        const {x, y, w, h: height} = this.place(index);
        tile.style.transform = `translate(${x}px, ${y}px)`;
        if (rowsMode) {
          tile.style.width = `${w}px`;
          tile.style.height = `${height}px`;
        }
        tile.placed = index;
      }
      const generation = this.data.items[index] ?? null;
      bindTile(tile, generation, generation && this.live.get(generation.id), generation && this.selection.has(generation.id));
      tile.tabIndex = index === this.focusIndex ? 0 : -1;
    }
    for (const tile of fresh) tile.hidden = false;
    this.canvas.dataset.rendered = String(this.tiles.size);
    this.empty.hidden = !(this.data.ready && total === 0);
    this.dirty = false;
    this.requestPages(first, last);
  }

  newTile() {
    const tile = createTile();
    this.canvas.append(tile);
    return tile;
  }

  requestPages(first, last) {
    if (!this.data.ready) return;
    // What is on screen first, then a screenful either side, so that a steady scroll meets no placeholders.
    const screen = this.perScreen();
    const wanted = [...this.data.missingPages(first, last), ...this.data.missingPages(Math.max(0, first - screen), last + screen)];
    for (const page of new Set(wanted)) {
      if (this.data.inFlight.size >= MAX_IN_FLIGHT && !this.data.inFlight.has(page)) break;
      this.data.loadPage(page).catch((error) => this.onAction('load-failed', null, error));
    }
  }

  /** Bind every tile again, as if new (what a tile shows depends on more than its generation). */
  rebind() {
    for (const tile of this.tiles.values()) tile.bound = null;
    this.render();
  }

  /** Re-bind the tile of one generation (a live event, a star). */
  refresh(id) {
    for (const tile of this.tiles.values()) {
      if (tile.bound?.id === id) {
        const generation = this.data.byId.get(id) ?? null;
        bindTile(tile, generation, generation && this.live.get(id), this.selection.has(id));
      }
    }
  }

  setLive(event) {
    this.live.set(String(event.job_id), event);
    this.refresh(String(event.job_id));
  }

  tileOf(id) {
    for (const tile of this.tiles.values()) if (tile.bound?.id === id) return tile;
    return null;
  }

  scrollToIndex(index, block = 'nearest') {
    if (index < 0 || index >= this.data.total) return this.render();
    const place = this.place(index);
    const y = place.y;
    const row = place.h + GAP;
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight;
    if (block === 'start') this.scroller.scrollTop = Math.max(0, y - PADDING);
    else if (y < top) this.scroller.scrollTop = y - PADDING;
    else if (y + row > top + height) this.scroller.scrollTop = y + row - height + PADDING;
    this.render();
  }

  focusTile(index) {
    const total = this.data.total;
    if (!total) return;
    this.focusIndex = Math.max(0, Math.min(total - 1, index));
    this.scrollToIndex(this.focusIndex);
    const tile = this.tiles.get(this.focusIndex);
    tile?.focus({preventScroll: true});
  }

  /** In rows: the tile above or below (a row, or a screenful), the nearest to this one's centre. */
  rowNeighbour(index, key) {
    const rows = this.justified();
    const row = rows.rowOfItem[index];
    const centre = rows.x[index] + rows.w[index] / 2;
    let target = row;
    if (key === 'ArrowDown') target = row + 1;
    else if (key === 'ArrowUp') target = row - 1;
    else {
      const screen = Math.max(this.layout.size, (this.layout.height || 800) - this.layout.size);
      const y = rows.rowTop[row] + (key === 'PageDown' ? screen : -screen);
      target = Math.max(key === 'PageDown' ? row + 1 : 0, Math.min(key === 'PageDown' ? rows.rows - 1 : row - 1, rowAt(rows, y)));
    }
    if (target < 0) return index;  // the top row: nowhere to go up to
    if (target >= rows.rows) return this.data.total - 1;  // below the last row: its last tile
    return nearestInRow(rows, target, centre);
  }

  focusedGeneration() {
    const tile = document.activeElement?.closest?.('.tile');
    if (tile?.bound && this.canvas.contains(tile)) return tile.bound;
    return null;
  }

  // ---- selection ----

  setSelection(ids, anchor = this.anchor) {
    this.selection = new Set(ids);
    this.anchor = anchor;
    this.selectionChanged();
  }

  toggle(id) {
    if (this.selection.has(id)) this.selection.delete(id);
    else this.selection.add(id);
    this.anchor = id;
    this.selectionChanged();
  }

  selectRange(id, additive) {
    const from = this.anchor ? this.data.indexOf(this.anchor) : -1;
    const to = this.data.indexOf(id);
    if (from < 0 || to < 0) return this.toggle(id);
    const [a, b] = from < to ? [from, to] : [to, from];
    const next = additive ? new Set(this.selection) : new Set();
    for (let i = a; i <= b; i += 1) {
      const item = this.data.items[i];
      if (item) next.add(item.id);
    }
    this.selection = next;
    this.selectionChanged();
  }

  selectAllLoaded() {
    this.selection = new Set(this.data.items.filter(Boolean).map((item) => item.id));
    this.selectionChanged();
  }

  clearSelection() {
    if (!this.selection.size) return false;
    this.selection = new Set();
    this.anchor = null;
    this.selectionChanged();
    return true;
  }

  /** Drop ids that are no longer on the grid. */
  pruneSelection() {
    const before = this.selection.size;
    for (const id of this.selection) if (!this.data.byId.has(id)) this.selection.delete(id);
    if (this.selection.size !== before) this.selectionChanged();
  }

  selectionChanged() {
    this.canvas.dataset.selecting = this.selection.size ? 'true' : 'false';
    for (const tile of this.tiles.values()) {
      if (tile.bound) bindTile(tile, tile.bound, this.live.get(tile.bound.id), this.selection.has(tile.bound.id));
    }
    this.onSelectionChange(this.selection);
  }

  // ---- events ----

  onClick(event) {
    const tile = event.target.closest('.tile');
    if (!tile?.bound) return;
    const generation = tile.bound;
    const action = event.target.closest('[data-action]')?.dataset.action;
    this.focusIndex = tile.index;
    if (action === 'select') return event.shiftKey ? this.selectRange(generation.id, event.ctrlKey || event.metaKey) : this.toggle(generation.id);
    if (action) return this.onAction(action, generation);
    if (event.shiftKey) return this.selectRange(generation.id, event.ctrlKey || event.metaKey);
    if (event.ctrlKey || event.metaKey || this.selection.size) return this.toggle(generation.id);
    this.open(generation.id);
  }

  open(id) {
    this.stopPreview();
    emit('viewer:open', {id, neighbour: async (from, delta) => {
      const next = await this.data.neighbour(from, delta);
      // The grid follows the viewer underneath, so that closing it finds the artist where they are.
      const index = next ? this.data.indexOf(next) : -1;
      if (index >= 0) { this.focusIndex = index; this.scrollToIndex(index); }
      return next;
    }});
  }

  onKey(event) {
    const tile = event.target.closest('.tile');
    if (!tile || event.target !== tile) return;
    const {columns} = this.layout;
    const moves = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -Infinity, End: Infinity,
      PageDown: columns * Math.max(1, Math.floor(this.layout.height / this.layout.row)),
      PageUp: -columns * Math.max(1, Math.floor(this.layout.height / this.layout.row))};
    if (event.key in moves && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      const delta = moves[event.key];
      const vertical = this.mode === 'rows' && ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp'].includes(event.key);
      const target = vertical ? this.rowNeighbour(tile.index, event.key)
        : delta === -Infinity ? 0 : delta === Infinity ? this.data.total - 1 : tile.index + delta;
      this.focusTile(target);
      if (event.shiftKey && this.data.items[this.focusIndex]) this.selectRange(this.data.items[this.focusIndex].id, false);
      return;
    }
    if (!tile.bound) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      this.open(tile.bound.id);
    } else if (event.key === ' ') {
      event.preventDefault();
      event.shiftKey ? this.selectRange(tile.bound.id, true) : this.toggle(tile.bound.id);
    }
  }

  onDragStart(event) {
    const tile = event.target.closest?.('.tile');
    if (!tile?.bound) return event.preventDefault();
    const generation = tile.bound;
    this.stopPreview();
    event.dataTransfer.effectAllowed = 'copyMove';
    event.dataTransfer.setData('application/x-boards-generation', JSON.stringify({
      id: generation.id, artifactType: generation.artifactType, thumbnailUrl: generation.thumbnailUrl,
    }));
    if (generation.storageUrl) event.dataTransfer.setData('text/uri-list', new URL(generation.storageUrl, location.origin).href);
    event.dataTransfer.setData('text/plain', generation.prompt ?? generation.id);
    const img = tile.parts.img;
    if (img.complete && img.naturalWidth) event.dataTransfer.setDragImage(img, 24, 24);
  }

  onHover(event) {
    const tile = event.target.closest?.('.tile');
    if (!tile || tile === this.previewTile) return;
    this.stopPreview();
    this.previewTile = tile;
    this.previewStop = startPreview(tile);
  }

  stopPreview() {
    this.previewStop?.();
    this.previewStop = null;
    this.previewTile = null;
  }

  // A box drawn from empty space selects what it covers. Its geometry is the layout's, so tiles
  // scrolled out of view inside the box count too.
  onPointerDown(event) {
    if (event.button !== 0 || event.target.closest('.tile')) return;
    if (!this.canvas.contains(event.target)) return;  // the scroll bar is the scroller's, not the canvas's
    event.preventDefault();
    this.scroller.focus({preventScroll: true});
    const origin = this.point(event);
    const additive = event.ctrlKey || event.metaKey || event.shiftKey;
    const base = additive ? new Set(this.selection) : new Set();
    let moved = false;
    const move = (e) => {
      const at = this.point(e);
      if (!moved && Math.hypot(at.x - origin.x, at.y - origin.y) < 4) return;
      moved = true;
      const rect = {x1: Math.min(origin.x, at.x), y1: Math.min(origin.y, at.y), x2: Math.max(origin.x, at.x), y2: Math.max(origin.y, at.y)};
      Object.assign(this.box.style, {transform: `translate(${rect.x1}px, ${rect.y1}px)`, width: `${rect.x2 - rect.x1}px`, height: `${rect.y2 - rect.y1}px`});
      this.box.hidden = false;
      const next = new Set(base);
      for (const index of this.indicesIn(rect)) {
        const item = this.data.items[index];
        if (item) next.add(item.id);
      }
      this.selection = next;
      this.selectionChanged();
      if (!e.fromEdge) this.edgeScroll(e, move);
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      clearInterval(this.edgeTimer);
      this.edgeTimer = null;
      this.box.hidden = true;
      if (!moved && !additive) this.clearSelection();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  /** Near the top or bottom edge, a box being drawn scrolls the grid, and grows with it. */
  edgeScroll(event, move) {
    const bounds = this.scroller.getBoundingClientRect();
    const speed = event.clientY > bounds.bottom - 30 ? 18 : event.clientY < bounds.top + 30 ? -18 : 0;
    clearInterval(this.edgeTimer);
    const {clientX, clientY} = event;
    this.edgeTimer = speed ? setInterval(() => {
      this.scroller.scrollTop += speed;
      move({clientX, clientY, fromEdge: true});
    }, 16) : null;
  }

  /** A pointer position in the canvas's coordinates. */
  point(event) {
    const bounds = this.canvas.getBoundingClientRect();
    return {x: event.clientX - bounds.left, y: event.clientY - bounds.top};
  }

  indicesIn({x1, y1, x2, y2}) {
    if (this.mode === 'rows') return indicesInBox(this.justified(), {x1, y1, x2, y2});
    const {columns, size, row} = this.layout;
    const cell = size + GAP;
    const colFrom = Math.max(0, Math.floor((x1 - PADDING) / cell) + ((x1 - PADDING) % cell > size ? 1 : 0));
    const colTo = Math.min(columns - 1, Math.floor((x2 - PADDING) / cell));
    const rowFrom = Math.max(0, Math.floor((y1 - PADDING) / row) + ((y1 - PADDING) % row > size ? 1 : 0));
    const rowTo = Math.floor((y2 - PADDING) / row);
    const indices = [];
    if (x2 < PADDING || y2 < PADDING) return indices;
    for (let r = rowFrom; r <= rowTo; r += 1) {
      for (let c = colFrom; c <= colTo; c += 1) {
        const index = r * columns + c;
        if (index < this.data.total) indices.push(index);
      }
    }
    return indices;
  }
}

export {PAGE_SIZE};
