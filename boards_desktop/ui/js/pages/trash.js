// The Trash: what was deleted, newest first, each with Restore and Delete forever; Empty trash
// (after asking) removes everything, files included. #/trash shows all of it, #/trash/<board> one
// board's. Everything here is emptied on its own 30 days after it was deleted.
//
// `[data-testid=trash-list]` carries data-state (loading, ready, error); each item is
// `li[data-generation-id]`.
import {gql} from '../api.js';
import {h, plural, timeAgo} from '../dom.js';
import {setCrumbs} from '../app.js';
import {confirmDialog} from '../dialog.js';
import {toast, toastError} from '../toast.js';
import {emptyTrash, restoreFromTrash} from '../trash.js';

const PAGE = 60;
const LIST = `query Trash($boardId: UUID, $limit: Int, $offset: Int) {
  trashedGenerations(boardId: $boardId, limit: $limit, offset: $offset) {
    id boardId boardTitle generatorName artifactType status title thumbnailUrl trashedAt expiresAt
  }
  trashedGenerationCount(boardId: $boardId)
}`;
const BOARD = 'query($id: UUID!) { board(id: $id) { id title } }';
const TYPE_WORDS = {IMAGE: 'Image', VIDEO: 'Video', AUDIO: 'Audio', TEXT: 'Text'};

export async function mount(container, {boardId}) {
  const board = boardId ? (await gql(BOARD, {id: boardId})).board : null;
  setCrumbs(board
    ? [{label: board.title, href: `#/boards/${board.id}`}, {label: 'Trash'}]
    : [{label: 'Trash'}]);
  let items = [];
  let total = 0;

  const count = h('span', {class: 'home-count muted', dataset: {testid: 'trash-count'}, 'aria-live': 'polite'});
  const restoreAll = h('button', {type: 'button', dataset: {testid: 'restore-all'}, onclick: () => restore(null)}, 'Restore all');
  const empty = h('button', {type: 'button', class: 'danger', dataset: {testid: 'empty-trash'}, onclick: emptyAll}, 'Empty trash');
  const list = h('ul', {class: 'trash-list', 'aria-label': 'Deleted generations', dataset: {testid: 'trash-list', state: 'loading'}});
  const more = h('button', {type: 'button', class: 'ghost trash-more', hidden: true, onclick: () => load(items.length)}, 'Show more');
  const scope = board
    ? h('p', {class: 'muted trash-scope'}, `Deleted from “${board.title}”. `, h('a', {href: '#/trash'}, 'The whole trash'))
    : null;
  container.append(h('div', {class: 'home trash-page'},
    h('header', {class: 'home-header'},
      h('div', {class: 'home-title'}, h('h1', {}, 'Trash'), count),
      h('div', {class: 'home-tools'}, restoreAll, empty)),
    h('p', {class: 'muted trash-note'}, 'Deleted generations wait here for 30 days, then go for good with their files.'),
    scope, list, more));

  await load(0);

  async function load(offset) {
    list.dataset.state = 'loading';
    try {
      const data = await gql(LIST, {boardId, limit: PAGE, offset});
      items = offset ? [...items, ...data.trashedGenerations] : data.trashedGenerations;
      total = data.trashedGenerationCount;
      draw();
      list.dataset.state = 'ready';
    } catch (error) {
      list.dataset.state = 'error';
      toastError('Could not read the trash', error);
    }
  }

  function draw() {
    count.textContent = total ? plural(total, 'generation') : '';
    restoreAll.disabled = empty.disabled = total === 0;
    more.hidden = items.length >= total;
    if (!items.length) {
      list.replaceChildren(h('li', {class: 'empty-state trash-empty', dataset: {testid: 'trash-empty'}},
        h('p', {}, 'The trash is empty.'),
        h('p', {class: 'muted'}, 'What you delete on a board comes here first, so a mistake is one click to undo.')));
      return;
    }
    list.replaceChildren(...items.map(item));
  }

  function item(g) {
    const title = g.title;
    const picture = g.thumbnailUrl
      ? h('img', {src: g.thumbnailUrl, alt: '', loading: 'lazy', decoding: 'async'})
      : h('span', {class: 'trash-type', 'aria-hidden': 'true'}, TYPE_WORDS[g.artifactType] ?? '');
    const days = Math.max(0, Math.ceil((new Date(g.expiresAt) - Date.now()) / 86_400_000));
    return h('li', {class: 'trash-item', dataset: {generationId: g.id}},
      h('div', {class: 'trash-thumb'}, picture),
      h('div', {class: 'trash-text'},
        h('strong', {class: 'trash-title', title}, title),
        h('span', {class: 'muted'},
          boardId ? null : [h('a', {href: `#/boards/${g.boardId}`}, g.boardTitle ?? 'a board'), ' · '],
          'deleted ', h('time', {datetime: g.trashedAt}, timeAgo(g.trashedAt)),
          ` · gone in ${plural(days, 'day')}`)),
      h('div', {class: 'trash-actions'},
        h('button', {type: 'button', dataset: {action: 'restore'}, 'aria-label': `Restore ${title}`, onclick: () => restore([g.id])}, 'Restore'),
        h('button', {type: 'button', class: 'ghost danger', dataset: {action: 'delete-forever'}, 'aria-label': `Delete ${title} forever`, onclick: () => forever(g)}, 'Delete forever')));
  }

  async function restore(ids) {
    const first = ids?.length === 1 ? items.find((g) => g.id === ids[0]) : null;
    try {
      let done = 0;
      if (ids) done = (await restoreFromTrash(ids)).length;
      else {
        // Restore all: a page of ids at a time (each call all or nothing) until the trash is empty.
        for (;;) {
          const batch = (await gql(LIST, {boardId, limit: PAGE, offset: 0})).trashedGenerations.map((g) => g.id);
          if (!batch.length) break;
          done += (await restoreFromTrash(batch)).length;
        }
      }
      toast(`Restored ${plural(done, 'generation')}`, {
        kind: 'ok',
        action: first ? {label: 'Open its board', run: () => { location.hash = `#/boards/${first.boardId}`; }} : null,
      });
    } catch (error) {
      toastError('Nothing was restored', error);
    }
    await load(0);
  }

  async function forever(g) {
    const ok = await confirmDialog({title: 'Delete it forever?', message: 'It goes with its file; this cannot be undone.', confirm: 'Delete forever', danger: true});
    if (!ok) return;
    try {
      await emptyTrash({ids: [g.id]});
      toast('Deleted forever', {kind: 'ok'});
    } catch (error) {
      toastError('Could not delete it', error);
    }
    await load(0);
  }

  async function emptyAll() {
    const where = board ? ` of “${board.title}”` : '';
    const ok = await confirmDialog({
      title: `Empty the trash${where}?`,
      message: `${plural(total, 'generation')} and their files go for good; this cannot be undone.`,
      confirm: 'Empty trash', danger: true,
    });
    if (!ok) return;
    try {
      const removed = await emptyTrash({boardId});
      toast(`Emptied the trash: ${plural(removed, 'generation')} deleted for good`, {kind: 'ok'});
    } catch (error) {
      toastError('Could not empty the trash', error);
    }
    await load(0);
  }
}
