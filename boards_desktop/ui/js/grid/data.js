// The grid's model: a board's generations in the grid's order (newest first), loaded page by page.
//
// `items` is as long as the filter's total; a slot is a generation once its page has arrived, and
// `undefined` until then. Pages are fetched only for what is on screen (see VirtualGrid) and kept.
// An insert at the top or a removal shifts every later slot; a page fetched before such a change
// is dropped (its offsets are stale) and asked for again.
//
// For justified rows (grid/rows.js) the grid needs every slot's proportions before its page arrives:
// while `wantShapes` is on, `shapes` holds each slot's width over height (null: not known), read in
// one request for the whole filter and kept in step with `items` (inserts, removals, pages, updates).
import {gql, GENERATION_FIELDS} from '../api.js';
import {ratioOf} from './rows.js';

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
// What a stale answer may not take back from a finished generation.
const STATE_FIELDS = ['status', 'progress', 'errorMessage', 'storageUrl', 'thumbnailUrl', 'outputMetadata', 'startedAt', 'completedAt', 'updatedAt'];

function pick(object, fields) {
  return Object.fromEntries(fields.filter((field) => field in object).map((field) => [field, object[field]]));
}

export const PAGE_SIZE = 100;

const PAGE_QUERY = `query GridPage($id: UUID!, $limit: Int!, $offset: Int!, $filter: GenerationFilter) {
  board(id: $id) { generationTotal(filter: $filter) generations(limit: $limit, offset: $offset, filter: $filter) { ${GENERATION_FIELDS} } }
}`;
const SHAPES_QUERY = `query GridShapes($id: UUID!, $filter: GenerationFilter) {
  board(id: $id) { generationShapes(filter: $filter) }
}`;
const ONE_QUERY = `query GridOne($id: UUID!) { generation(id: $id) { ${GENERATION_FIELDS} } }`;

/** Whether a filter keeps anything out. */
export function isFiltering(filter) {
  return Boolean(filter.artifactTypes?.length || filter.statuses?.length || filter.favouritesOnly
    || filter.tagIds?.length || filter.generatorNames?.length || filter.search?.trim());
}

/** Whether a generation passes the filter, as the server would decide (the search approximately). */
export function matches(generation, filter) {
  if (filter.artifactTypes?.length && !filter.artifactTypes.includes(generation.artifactType)) return false;
  if (filter.statuses?.length && !filter.statuses.includes(generation.status)) return false;
  if (filter.favouritesOnly && !generation.isFavourite) return false;
  if (filter.generatorNames?.length && !filter.generatorNames.includes(generation.generatorName)) return false;
  if (filter.tagIds?.length && !generation.tags?.some((tag) => filter.tagIds.includes(tag.id))) return false;
  const words = fold(filter.search?.trim() ?? '').split(/\s+/).filter(Boolean);
  if (words.length) {
    const text = fold([JSON.stringify(generation.inputParams ?? {}), generation.generatorName ?? '',
      generation.outputMetadata?.original_filename ?? '', ...(generation.tags ?? []).map((tag) => tag.name)].join('\n'));
    if (!words.every((word) => text.includes(word))) return false;
  }
  return true;
}

/** Text as the server's search compares it: no case, no accents (db/search_text.py's fold). */
export function fold(text) {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().normalize('NFC');
}

/** The newest `limit` generations the filter keeps (to find ones another window or script added). */
export async function fetchTop(boardId, limit, filter) {
  const {board} = await gql(PAGE_QUERY, {id: boardId, limit, offset: 0, filter});
  return board?.generations ?? [];
}

export async function fetchGeneration(id) {
  return (await gql(ONE_QUERY, {id})).generation;
}

export class GridData extends EventTarget {
  constructor(boardId) {
    super();
    this.boardId = boardId;
    this.filter = {};
    this.total = 0;
    this.items = [];
    this.byId = new Map();      // id -> generation (loaded ones)
    this.epoch = 0;             // bumped when the order shifts: older fetches are dropped
    this.inFlight = new Map();  // page -> promise
    this.ready = false;
    // Ids removed from this board while the page is open (deleted, moved). A late event of one (its
    // job's last progress, the stream's first state sent before the removal) must not bring it back.
    this.removed = new Set();
    this.wantShapes = false;
    this.shapes = null;         // slot -> width / height, or null (see the top of this file)
    this.shapesVersion = 0;     // bumped whenever a shape changes: the grid lays its rows out again
    this.shapesLoading = null;  // the request for them, while it runs (one per filter)
  }

  /** Start over with a filter: the total and the first page. */
  async reset(filter) {
    this.filter = filter;
    this.epoch += 1;
    this.inFlight.clear();
    this.items = [];
    this.byId.clear();
    this.total = 0;
    this.ready = false;
    this.shapes = null;
    this.shapesVersion += 1;
    this.shapesLoading = null;
    // The shapes come beside the first page, not before it: the first rows need only the first
    // page's own sizes (rows are filled from the top), the rest of the layout follows them.
    if (this.wantShapes) this.startShapes();
    await this.loadPage(0);
    if (this.filter !== filter) return;  // a newer reset took over
    this.ready = true;
    this.changed('reset');
  }

  /** Keep the slots' proportions from now on (the grid lays out justified rows); loads them once. */
  keepShapes() {
    this.wantShapes = true;
    if (!this.shapes) this.startShapes();
  }

  /** Read the shapes of the filter, once per filter; the grid hears of them as a change. */
  startShapes() {
    if (this.shapesLoading) return;
    const filter = this.filter;
    // Shapes that cannot be read leave square tiles where no page has come: not an error for the artist.
    this.shapesLoading = this.loadShapes()
      .then(() => { if (this.filter === filter && this.ready) this.changed('shapes'); })
      .catch((error) => console.error('the shapes of the board could not be read', error));
  }

  /** Read the shapes of the whole filter; asked again if the order shifted while they came. */
  async loadShapes() {
    const filter = this.filter;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const epoch = this.epoch;
      const {board} = await gql(SHAPES_QUERY, {id: this.boardId, filter});
      if (this.filter !== filter || !board) return;  // a newer reset reads its own
      if (epoch !== this.epoch && attempt < 2) continue;
      const shapes = board.generationShapes;
      // What is loaded already is newer than what the shapes were read from (a live update).
      this.items.forEach((item, index) => { if (item) shapes[index] = ratioOf(item) ?? shapes[index] ?? null; });
      this.shapes = shapes;
      this.shapesVersion += 1;
      return;
    }
  }

  /** Width over height of slot `index`: null when not known. */
  shapeAt(index) {
    const shape = this.shapes?.[index];
    if (shape != null) return shape;
    const item = this.items[index];
    return item ? ratioOf(item) : null;
  }

  setShape(index, generation) {
    if (!this.shapes) return;
    const shape = ratioOf(generation) ?? this.shapes[index] ?? null;
    if (this.shapes[index] !== shape) { this.shapes[index] = shape; this.shapesVersion += 1; }
  }

  changed(kind, count = 0) {
    this.dispatchEvent(new CustomEvent('change', {detail: {kind, count}}));
  }

  isLoaded(index) {
    return this.items[index] !== undefined;
  }

  /** Fetch page `page` unless it is there or on its way; resolves when it has arrived (or was dropped). */
  loadPage(page) {
    if (this.inFlight.has(page)) return this.inFlight.get(page);
    const epoch = this.epoch;
    const offset = page * PAGE_SIZE;
    const promise = gql(PAGE_QUERY, {id: this.boardId, limit: PAGE_SIZE, offset, filter: this.filter})
      .then(({board}) => {
        if (epoch !== this.epoch || !board) return;
        if (board.generationTotal !== this.total) this.setTotal(board.generationTotal);
        board.generations.forEach((generation, i) => this.put(offset + i, generation));
        this.changed('page');
      })
      .finally(() => { if (this.inFlight.get(page) === promise) this.inFlight.delete(page); });
    this.inFlight.set(page, promise);
    return promise;
  }

  /** The pages that hold indices first..last and are not loaded yet. */
  missingPages(first, last) {
    const pages = [];
    const end = Math.min(last, this.total - 1);
    for (let page = Math.floor(Math.max(first, 0) / PAGE_SIZE); page * PAGE_SIZE <= end; page += 1) {
      const from = page * PAGE_SIZE;
      const to = Math.min(from + PAGE_SIZE, this.total);
      for (let i = Math.max(from, first); i < to && i <= end; i += 1) {
        if (this.items[i] === undefined) { pages.push(page); break; }
      }
    }
    return pages;
  }

  setTotal(total) {
    this.total = total;
    if (this.items.length > total) this.items.length = total;
    if (this.shapes && this.shapes.length > total) this.shapes.length = total;
    this.shapesVersion += 1;
  }

  put(index, generation) {
    const old = this.items[index];
    if (old && old.id !== generation.id) this.byId.delete(old.id);
    this.items[index] = generation;
    this.byId.set(generation.id, generation);
    this.setShape(index, generation);
  }

  indexOf(id) {
    if (!this.byId.has(id)) return -1;
    return this.items.indexOf(this.byId.get(id));
  }

  /** A new generation at the top (the composer's, an upload, one another window queued). */
  insertTop(generation) {
    if (this.byId.has(generation.id)) return this.update(generation);
    if (this.removed.has(generation.id)) return false;
    if (!matches(generation, this.filter)) return false;
    this.epoch += 1;
    this.inFlight.clear();
    this.items.unshift(generation);
    this.byId.set(generation.id, generation);
    if (this.shapes) this.shapes.unshift(ratioOf(generation));
    this.shapesVersion += 1;
    this.total += 1;
    this.changed('insert');
    return true;
  }

  /** New fields of a loaded generation; returns whether it is on the grid. */
  update(generation) {
    const current = this.byId.get(generation.id);
    if (!current) return false;
    const index = this.items.indexOf(current);
    // A finished generation never runs again: an answer that left the server before it finished (the
    // queuing mutation's, read after the stream said "completed") must not turn it back to pending.
    const stale = FINISHED.has(current.status) && generation.status && !FINISHED.has(generation.status);
    const next = stale ? {...current, ...generation, ...pick(current, STATE_FIELDS)} : {...current, ...generation};
    this.items[index] = next;
    this.byId.set(next.id, next);
    this.setShape(index, next);
    this.changed('update');
    return true;
  }

  remove(ids) {
    const gone = new Set(ids);
    for (const id of gone) this.removed.add(id);
    const before = this.items.length;
    const kept = [];
    const keptShapes = [];
    let removed = 0;
    for (let i = 0; i < before; i += 1) {
      const item = this.items[i];
      if (item && gone.has(item.id)) { removed += 1; this.byId.delete(item.id); continue; }
      keptShapes[kept.length] = this.shapes?.[i];
      kept[kept.length] = item;  // holes stay holes
    }
    if (!removed) return 0;
    kept.length = before - removed;
    this.items = kept;
    if (this.shapes) {
      // Shapes past the loaded items (slots not loaded yet) move up with them.
      this.shapes = [...keptShapes.slice(0, kept.length), ...this.shapes.slice(before)];
      this.shapesVersion += 1;
    }
    this.total = Math.max(0, this.total - removed);
    this.epoch += 1;
    this.inFlight.clear();
    this.changed('remove', removed);
    return removed;
  }

  /** The newest time on the grid: a generation we do not know that is newer belongs at the top. */
  newestCreatedAt() {
    return this.items[0]?.createdAt ?? null;
  }

  /** The id `delta` places from `id` in the grid's order, loading its page if needed; null at the ends. */
  async neighbour(id, delta) {
    const index = this.indexOf(id);
    if (index < 0) return null;
    const target = index + delta;
    if (target < 0 || target >= this.total) return null;
    if (!this.isLoaded(target)) await this.loadPage(Math.floor(target / PAGE_SIZE));
    if (!this.isLoaded(target)) {  // the order shifted while it loaded: try once more from where it is now
      const again = this.indexOf(id);
      if (again < 0) return null;
      await this.loadPage(Math.floor((again + delta) / PAGE_SIZE));
      return this.items[again + delta]?.id ?? null;
    }
    return this.items[target].id;
  }
}
