// What the grid does to generations: a tile's own buttons (star, cancel, retry, and the quick
// actions: rerun, rerun with a new seed, use as input) and the selection bar's bulk actions (star,
// tag, move, download, cancel the running ones, delete). Delete, move, tag and star offer Undo in
// their toast (undo.js): a delete is restored from the trash, a move moved back, a tag taken off the
// ones that did not have it, a star set back to what each was.
import {gql, GENERATION_FIELDS} from '../api.js';
import {h, plural} from '../dom.js';
import {emit} from '../bus.js';
import {confirmDialog, enterPresses, openDialog} from '../dialog.js';
import {toast, toastError} from '../toast.js';
import {bridge} from '../desktop.js';
import {offerUndo} from '../undo.js';
import {restoreFromTrash} from '../trash.js';
import {MAX_COMPARED} from '../compare/compare.js';

const SET_FAVOURITE = `mutation($ids: [UUID!]!, $favourite: Boolean!) { setFavourite(generationIds: $ids, favourite: $favourite) { id isFavourite } }`;
const CANCEL = `mutation($id: UUID!) { cancelGeneration(id: $id) { ${GENERATION_FIELDS} } }`;
const RETRY = `mutation($id: UUID!, $newSeed: Boolean) { regenerate(id: $id, newSeed: $newSeed) { ${GENERATION_FIELDS} } }`;
const SEEDED_GENERATORS = '{ generators { name inputSchema } }';
const DELETE = 'mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }';
const MOVE = 'mutation($ids: [UUID!]!, $boardId: UUID!) { moveGenerations(ids: $ids, boardId: $boardId) { id } }';
const BOARDS = 'query { myBoards(limit: 200, sort: UPDATED_DESC) { id title generationCount } }';
const TAGS = 'query { tags(limit: 500) { id name slug } }';
const CREATE_TAG = 'mutation($input: CreateTagInput!) { createTag(input: $input) { id name slug } }';
const RUNNING = new Set(['PENDING', 'PROCESSING']);
const ADD_TAG = 'mutation($ids: [UUID!]!, $tagId: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $tagId) { id name slug } }';
const REMOVE_TAG = 'mutation($ids: [UUID!]!, $tagId: UUID!) { removeTagFromGenerations(generationIds: $ids, tagId: $tagId) }';

export class GridActions {
  constructor({board, data, grid, onTagCreated}) {
    this.board = board;
    this.data = data;
    this.grid = grid;
    this.onTagCreated = onTagCreated;
  }

  selected() {
    return [...this.grid.selection];
  }

  async favourite(generations, favourite, {undoable = true} = {}) {
    // Only the ones that change are set back by Undo: a starred one stays starred.
    const changing = generations.filter((g) => Boolean(g.isFavourite) !== favourite).map((g) => g.id);
    try {
      await this.setFavourites(generations.map((g) => g.id), favourite);
      if (generations.length > 1 && undoable) {
        offerUndo(`${favourite ? 'Starred' : 'Unstarred'} ${plural(generations.length, 'generation')}`,
          () => changing.length && this.setFavourites(changing, !favourite),
          {done: `${favourite ? 'Unstarred' : 'Starred'} ${plural(changing.length, 'generation')} again`});
      }
    } catch (error) {
      toastError(favourite ? 'Could not star it' : 'Could not unstar it', error);
    }
  }

  async setFavourites(ids, favourite) {
    const {setFavourite} = await gql(SET_FAVOURITE, {ids, favourite});
    for (const changed of setFavourite) {
      this.data.update(changed);
      const full = this.data.byId.get(changed.id);
      if (full) emit('generation:changed', {generation: full});
    }
  }

  async toggleFavourite(generation) {
    await this.favourite([generation], !generation.isFavourite);
  }

  async cancel(generation) {
    try {
      const {cancelGeneration} = await gql(CANCEL, {id: generation.id});
      this.data.update(cancelGeneration);
      toast('Cancelled', {kind: 'ok'});
    } catch (error) {
      toastError('Could not cancel it', error);
    }
  }

  async retry(generation) {
    await this.rerun(generation);
  }

  /** Queue it again with the same settings, or (`newSeed`) with a new random seed. */
  async rerun(generation, {newSeed = false} = {}) {
    try {
      const {regenerate} = await gql(RETRY, {id: generation.id, newSeed});
      emit('generation:created', {generation: regenerate});
      const seed = regenerate.inputParams?.seed;
      toast(newSeed ? `Queued again with seed ${seed}` : 'Queued again', {kind: 'ok', group: 'queued',
        many: (count) => `Queued ${plural(count, 'generation')}`});
    } catch (error) {
      toastError('Could not queue it again', error);
    }
  }

  /** Into the composer's matching slot (it asks which generator when the current one takes none). */
  useAsInput(generation) {
    if (generation.status !== 'COMPLETED' || !generation.storageUrl) {
      toast('Only a finished result can be an input', {kind: 'error', timeout: 4000});
      return;
    }
    emit('composer:add-input', {generation});
  }

  /** The running ones of the selection (waiting or working). */
  runningSelected() {
    return this.selected().filter((id) => RUNNING.has(this.data.byId.get(id)?.status));
  }

  async cancelSelection() {
    const ids = this.runningSelected();
    if (!ids.length) return toast('None of these is running', {kind: 'info'});
    const outcomes = await Promise.allSettled(ids.map((id) => gql(CANCEL, {id})));
    let cancelled = 0;
    for (const outcome of outcomes) {
      if (outcome.status !== 'fulfilled') continue;
      this.data.update(outcome.value.cancelGeneration);
      cancelled += 1;
    }
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) toastError(`Cancelled ${plural(cancelled, 'generation')}; ${plural(ids.length - cancelled, 'other')} could not be`, failed.reason);
    else toast(`Cancelled ${plural(cancelled, 'generation')}`, {kind: 'ok'});
  }

  async favouriteSelection() {
    const generations = this.selected().map((id) => this.data.byId.get(id)).filter(Boolean);
    if (!generations.length) return;
    const allStarred = generations.every((g) => g.isFavourite);
    await this.favourite(generations, !allStarred);
  }

  async deleteSelection() {
    const ids = this.selected();
    if (!ids.length) return;
    const running = ids.filter((id) => ['PENDING', 'PROCESSING'].includes(this.data.byId.get(id)?.status)).length;
    const ok = await confirmDialog({
      title: `Delete ${plural(ids.length, 'generation')}?`,
      message: `They go to the Trash, where you can restore them for 30 days.${running ? ` ${plural(running, 'running one')} will be stopped first.` : ''}`,
      confirm: 'Delete', danger: true,
    });
    if (!ok) return;
    try {
      const {deleteGenerations} = await gql(DELETE, {ids});
      emit('generations:removed', {ids});
      offerUndo(`Deleted ${plural(deleteGenerations, 'generation')}`, () => restoreFromTrash(ids),
        {done: `Restored ${plural(ids.length, 'generation')}`, failed: 'Could not restore them'});
    } catch (error) {
      toastError('Nothing was deleted', error);
    }
  }

  async moveSelection() {
    const ids = this.selected();
    if (!ids.length) return;
    let boards;
    try {
      boards = (await gql(BOARDS)).myBoards.filter((b) => b.id !== this.board.id);
    } catch (error) {
      return toastError('Could not list your boards', error);
    }
    if (!boards.length) return toast('There is no other board to move them to: make one first', {kind: 'info'});
    const target = await pickBoard(boards, ids.length);
    if (!target) return;
    await this.move(ids, target);
  }

  async move(ids, target) {
    try {
      await gql(MOVE, {ids, boardId: target.id});
      emit('generations:removed', {ids});
      // Undo moves them back here; the board they went to is a click away in the crumbs' "Boards".
      const here = this.board.id;
      offerUndo(`Moved ${plural(ids.length, 'generation')} to “${target.title}”`, async () => {
        await gql(MOVE, {ids, boardId: here});
        emit('generations:restored', {ids, generations: ids.map((id) => ({id, boardId: here}))});
      }, {done: `Moved ${plural(ids.length, 'generation')} back`, failed: 'Could not move them back'});
    } catch (error) {
      if (error.code === 'CONFLICT') {
        const finished = ids.filter((id) => !['PENDING', 'PROCESSING'].includes(this.data.byId.get(id)?.status));
        const running = ids.length - finished.length;
        toast(`Nothing was moved: ${error.message}`, {
          kind: 'error',
          action: finished.length && running ? {label: `Move the ${plural(finished.length, 'finished one')}`, run: () => this.move(finished, target)} : null,
        });
        return;
      }
      toastError('Nothing was moved', error);
    }
  }

  async tagSelection() {
    const ids = this.selected();
    if (!ids.length) return;
    let tags;
    try {
      tags = (await gql(TAGS)).tags;
    } catch (error) {
      return toastError('Could not list the tags', error);
    }
    const name = await askTag(tags, ids.length);
    if (!name) return;
    try {
      let tag = tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (!tag) {
        tag = (await gql(CREATE_TAG, {input: {name}})).createTag;
        this.onTagCreated?.(tag);
      }
      // Undo takes the tag off only the ones that did not have it.
      const untagged = ids.filter((id) => !this.data.byId.get(id)?.tags?.some((t) => t.id === tag.id));
      await gql(ADD_TAG, {ids, tagId: tag.id});
      for (const id of untagged) {
        const generation = this.data.byId.get(id);
        if (!generation) continue;
        this.data.update({id, tags: [...(generation.tags ?? []), tag]});
        emit('generation:changed', {generation: this.data.byId.get(id)});
      }
      offerUndo(`Tagged ${plural(ids.length, 'generation')} “${tag.name}”`, async () => {
        if (untagged.length) await gql(REMOVE_TAG, {ids: untagged, tagId: tag.id});
        for (const id of untagged) {
          const generation = this.data.byId.get(id);
          if (!generation) continue;
          this.data.update({id, tags: (generation.tags ?? []).filter((t) => t.id !== tag.id)});
          emit('generation:changed', {generation: this.data.byId.get(id)});
        }
      }, {done: `Took “${tag.name}” off again`, failed: 'Could not take the tag off'});
    } catch (error) {
      toastError('Could not tag them', error);
    }
  }

  /** A zip of the selection's files: a download in a browser, a save dialog in the app's window. */
  async downloadSelection() {
    const ids = this.selected();
    if (!ids.length) return;
    const known = ids.map((id) => this.data.byId.get(id)).filter(Boolean);
    const withFiles = known.filter((g) => g.storageUrl);
    if (known.length === ids.length && !withFiles.length) {
      return toast('None of these has a file yet: only finished ones can be downloaded', {kind: 'info'});
    }
    const left = known.length - withFiles.length;
    const exportIds = ids.filter((id) => !this.data.byId.has(id) || this.data.byId.get(id).storageUrl);
    const name = `${safeName(this.board.title)}-${exportIds.length}.zip`;
    const api = bridge();
    if (api?.save_export) {
      try {
        const outcome = await api.save_export(exportIds, name);
        if (outcome?.saved) toast(`Saved to ${outcome.saved}`, {kind: 'ok'});
      } catch (error) {
        toastError('Could not save the zip', error);
      }
      return;
    }
    const url = exportUrl(exportIds, name);
    const link = h('a', {href: url, download: name, hidden: true, dataset: {testid: 'zip-link'}});
    document.body.append(link);
    link.click();
    setTimeout(() => link.remove(), 1000);
    toast(left ? `Downloading ${name}; ${left} without a file yet ${left === 1 ? 'is' : 'are'} left out` : `Downloading ${name}`, {kind: 'info'});
  }
}

/** The names of the generators whose inputs have a field named `seed` (for "rerun with a new seed"). */
export async function seededGeneratorNames() {
  const {generators} = await gql(SEEDED_GENERATORS);
  return generators.filter((g) => Boolean(g.inputSchema?.properties?.seed)).map((g) => g.name);
}

export function exportUrl(ids, name) {
  return `/api/exports/zip?ids=${ids.map(encodeURIComponent).join(',')}&filename=${encodeURIComponent(name)}`;
}

function safeName(title) {
  return (title || 'board').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'board';
}

async function pickBoard(boards, count) {
  const filter = h('input', {type: 'search', placeholder: 'Find a board', 'aria-label': 'Find a board', autocomplete: 'off'});
  const list = h('div', {class: 'board-pick-list', role: 'radiogroup', 'aria-label': 'Boards'});
  const rows = boards.map((board, i) => {
    const radio = h('input', {type: 'radio', name: 'board', value: board.id, id: `pick-${board.id}`, checked: i === 0});
    const row = h('label', {class: 'board-pick', for: `pick-${board.id}`, dataset: {boardId: board.id}},
      radio, h('span', {class: 'board-pick-title'}, board.title),
      h('span', {class: 'muted'}, board.generationCount ? plural(board.generationCount, 'generation') : 'empty'));
    return {board, row, radio};
  });
  list.append(...rows.map((r) => r.row));
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const r of rows) r.row.hidden = Boolean(q) && !r.board.title.toLowerCase().includes(q);
    const first = rows.find((r) => !r.row.hidden);
    first?.radio.click();
    okButton.disabled = !first;  // Enter must not move them to a board the search hid
  });
  const okButton = h('button', {value: 'ok', type: 'submit', class: 'primary'}, 'Move');
  const form = h('form', {method: 'dialog'},
    h('h2', {id: 'move-title'}, `Move ${plural(count, 'generation')} to…`),
    filter, list,
    h('div', {class: 'dialog-actions'},
      h('button', {value: 'cancel', type: 'submit', formnovalidate: true}, 'Cancel'),
      okButton));
  enterPresses(form, okButton);
  const dialog = h('dialog', {'aria-labelledby': 'move-title', dataset: {testid: 'move-dialog'}}, form);
  queueMicrotask(() => filter.focus());
  if ((await openDialog(dialog)) !== 'ok') return null;
  return rows.find((r) => r.radio.checked && !r.row.hidden)?.board ?? null;
}

async function askTag(tags, count) {
  const input = h('input', {type: 'text', name: 'tag', list: 'bulk-tag-names', required: true, autocomplete: 'off', id: 'bulk-tag', placeholder: 'A tag name, new or existing'});
  const okButton = h('button', {value: 'ok', type: 'submit', class: 'primary'}, 'Tag');
  const form = h('form', {method: 'dialog'},
    h('h2', {id: 'tag-title'}, `Tag ${plural(count, 'generation')}`),
    h('div', {class: 'field'}, h('label', {for: 'bulk-tag'}, 'Tag'), input,
      h('span', {class: 'hint'}, 'Pick one or type a new name.')),
    h('datalist', {id: 'bulk-tag-names'}, tags.map((t) => h('option', {value: t.name}))),
    tags.length ? h('div', {class: 'tag-suggestions'}, tags.slice(0, 12).map((t) =>
      h('button', {type: 'button', class: 'chip', onclick: () => { input.value = t.name; input.focus(); }}, t.name))) : null,
    h('div', {class: 'dialog-actions'},
      h('button', {value: 'cancel', type: 'submit', formnovalidate: true}, 'Cancel'),
      okButton));
  enterPresses(form, okButton);
  const dialog = h('dialog', {'aria-labelledby': 'tag-title', dataset: {testid: 'tag-dialog'}}, form);
  queueMicrotask(() => input.focus());
  if ((await openDialog(dialog)) !== 'ok') return null;
  return input.value.trim() || null;
}

/** The bar shown while something is selected. */
export function buildSelectionBar(actions, grid) {
  const readOnly = Boolean(actions.board.readOnly);
  const count = h('strong', {dataset: {testid: 'selection-count'}});
  const button = (label, run, extra = {}) => h('button', {type: 'button', onclick: run, ...extra}, label);
  const cancel = button('Cancel running', () => actions.cancelSelection(), {dataset: {action: 'bulk-cancel'}, hidden: true, title: 'Stop the selected ones that are waiting or working'});
  const compare = button('Compare', () => emit('compare:open', {ids: [...grid.selection]}), {dataset: {action: 'bulk-compare'}, hidden: true, title: `Side by side, or as a swipe for two (up to ${MAX_COMPARED})`});
  const node = h('div', {class: 'selection-bar', role: 'region', 'aria-label': 'Selection', hidden: true, dataset: {testid: 'selection-bar'}},
    count,
    button('Select all loaded', () => grid.selectAllLoaded(), {class: 'ghost', dataset: {action: 'select-all'}, title: 'Ctrl/Cmd+A'}),
    button('Clear', () => grid.clearSelection(), {class: 'ghost', dataset: {action: 'clear'}, title: 'Escape'}),
    h('span', {class: 'toolbar-spacer'}),
    compare,
    button('★ Star', () => actions.favouriteSelection(), {dataset: {action: 'bulk-favourite'}}),
    // A viewer may star and download; changing the board's generations is not offered.
    !readOnly && button('Tag…', () => actions.tagSelection(), {dataset: {action: 'bulk-tag'}}),
    !readOnly && button('Move to…', () => actions.moveSelection(), {dataset: {action: 'bulk-move'}}),
    button('Download', () => actions.downloadSelection(), {dataset: {action: 'bulk-download'}}),
    cancel,
    !readOnly && button('Delete', () => actions.deleteSelection(), {class: 'danger', dataset: {action: 'bulk-delete'}, title: 'Delete key'}),
  );
  return {
    node,
    update(selection) {
      node.hidden = selection.size === 0;
      count.textContent = `${plural(selection.size, 'selected', 'selected')}`;
      const running = selection.size ? actions.runningSelected().length : 0;
      cancel.hidden = running === 0 || readOnly;
      compare.hidden = selection.size < 2;
      compare.textContent = selection.size > MAX_COMPARED ? `Compare first ${MAX_COMPARED}` : 'Compare';
      cancel.textContent = running === selection.size ? 'Cancel' : `Cancel ${running} running`;
    },
  };
}
