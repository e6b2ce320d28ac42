// A board: the composer on the left; on the right the header (title, description, how many), the
// toolbar (search and filters), the virtual grid of generations and, while anything is selected,
// the selection bar. The viewer opens over both. Files dropped anywhere on the page are uploaded.
// A viewer of a shared board is offered only what it may do: no composer, no upload, no delete.
import {followBoard, gql} from '../api.js';
import {h, plural} from '../dom.js';
import {emit, on} from '../bus.js';
import {routeParams, setCrumbs, setRouteParams} from '../app.js';
import {addShortcut} from '../shortcuts.js';
import {toast, toastError} from '../toast.js';
import {formDialog} from '../dialog.js';
import {mountComposer} from '../composer/composer.js';
import {installViewer} from '../viewer/viewer.js';
import {installCompare} from '../compare/compare.js';
import {fetchGeneration, fetchTop, GridData, isFiltering} from '../grid/data.js';
import {LAYOUTS, VirtualGrid} from '../grid/grid.js';
import {buildToolbar} from '../grid/toolbar.js';
import {filterOfState, paramsOfState, stateFromParams} from '../grid/filter_url.js';
import {buildSelectionBar, GridActions, seededGeneratorNames} from '../grid/actions.js';
import {hasSeed, setCreators, setQueuePlaces, setSeededGenerators} from '../grid/tile.js';
import {queueStatusNow} from '../queue.js';
import {installDropUpload} from '../grid/uploads.js';
import {openShareDialog} from '../share.js';
import {exportBoard} from '../board_archive.js';
import {typeIcon} from '../composer/icons.js';
import {USER_FIELDS} from '../people.js';
// Modules the ones above import, named here too so that the browser asks for them in the same round.
import '../desktop.js';

const QUERY = `query Board($id: UUID!) {
  me { id }
  board(id: $id) { id title description generationCount generatorNames ownerId owner { ${USER_FIELDS} } members { userId role user { ${USER_FIELDS} } } }
  tags(limit: 500) { id name slug }
}`;
const MEMBERS = `query Members($id: UUID!) { board(id: $id) { owner { ${USER_FIELDS} } members { userId role user { ${USER_FIELDS} } } } }`;
const UPDATE_BOARD = 'mutation($input: UpdateBoardInput!) { updateBoard(input: $input) { id title description } }';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const ACTIVE_CATCH_UP = 24;  // the newest tiles still running or waiting, read again when the stream opens
const SIZE_KEY = 'boards.grid.tileSize';
const FIT_KEY = 'boards.grid.fit';  // the tile layout: 'crop', 'whole' or 'rows' (grid.js LAYOUTS)

export async function mount(container, {boardId}) {
  // The board and the grid's first page are asked for together: one round trip less before the thumbnails.
  // The filters the URL names (a reload, a link) are the first page's.
  const initial = stateFromParams(routeParams());
  const data = new GridData(boardId);
  const fit = LAYOUTS.includes(localStorage.getItem(FIT_KEY)) ? localStorage.getItem(FIT_KEY) : 'crop';
  data.wantShapes = fit === 'rows';  // justified rows need every tile's proportions with the first page
  const firstPage = data.reset(filterOfState(initial)).then(() => null, (error) => error);
  const {me, board, tags} = await gql(QUERY, {id: boardId});
  if (!board) {
    container.append(h('div', {class: 'empty-state'}, 'This board does not exist any more. ', h('a', {href: '#/'}, 'Your boards')));
    return;
  }
  setCrumbs([{label: board.title}]);
  // Your role here: the owner, a member's role, or (a public board) a viewer.
  board.myRole = board.ownerId === me?.id ? 'OWNER' : board.members.find((m) => m.userId === me?.id)?.role ?? 'VIEWER';
  board.readOnly = board.myRole === 'VIEWER';
  const cleanups = [];
  const tileSize = localStorage.getItem(SIZE_KEY) || 'medium';

  const title = h('h1', {dataset: {testid: 'board-title'}}, board.title);
  const description = h('p', {class: 'board-description', dataset: {testid: 'board-description'}, hidden: !board.description}, board.description ?? '');
  const count = h('span', {class: 'board-count', dataset: {testid: 'grid-total'}, 'aria-live': 'polite'});
  const edit = h('button', {type: 'button', class: 'icon-button board-edit', 'aria-label': 'Rename or describe the board', title: 'Rename or describe', dataset: {testid: 'edit-board'}, onclick: () => editBoard(), hidden: !['OWNER', 'ADMIN'].includes(board.myRole)}, '✎');
  const share = h('button', {type: 'button', class: 'board-share', title: board.readOnly ? 'Who has access' : 'Share this board with teammates', dataset: {testid: 'share-button'},
    onclick: () => openShareDialog(board.id)}, typeIcon('people', {size: 16}), 'Share');
  const exportButton = h('button', {type: 'button', class: 'board-export', title: 'Export the board, its files, lineage, tags and stars as one archive',
    dataset: {testid: 'export-board'}, onclick: () => exportBoard(board)}, h('span', {'aria-hidden': 'true'}, '⤓ '), 'Export');
  const uploadButton = h('button', {type: 'button', class: 'board-upload', title: 'Upload images, video, audio or text (or drop files anywhere)',
    disabled: true, hidden: board.readOnly, dataset: {testid: 'upload-button'}, onclick: () => uploads?.pickFiles()}, h('span', {'aria-hidden': 'true'}, '⤒ '), 'Upload…');
  let uploads = null;
  const live = h('span', {class: 'live-dot', role: 'img', dataset: {state: 'connecting', testid: 'live'}, title: 'Connecting to live updates…', 'aria-label': 'Live updates: connecting'});
  const toolbar = buildToolbar({
    tags, generatorNames: board.generatorNames, tileSize, initial,
    onChange: (filter, state) => {
      // Replaced, not pushed: Back leaves the board rather than undoing filters one by one.
      setRouteParams(paramsOfState(state));
      reload(filter);
    },
    onTileSize: (size) => { localStorage.setItem(SIZE_KEY, size); grid.setTileSize(size); },
    fit, onFit: (value) => { localStorage.setItem(FIT_KEY, value); grid.setLayout(value); },
  });
  const gridHost = h('div', {class: 'grid-host', dataset: {testid: 'grid', state: 'loading'}});
  const composerPanel = h('aside', {class: 'composer-panel', 'aria-label': 'Composer', dataset: {testid: 'composer'}});
  const main = h('section', {class: 'board-main', 'aria-label': board.title},
    h('header', {class: 'board-header'},
      h('div', {class: 'board-heading'}, title, edit, h('div', {class: 'board-meta'}, live, count,
        h('a', {class: 'board-trash-link', href: `#/trash/${boardId}`, dataset: {testid: 'board-trash'}, title: 'What was deleted on this board'}, 'Trash')),
        h('span', {class: 'toolbar-spacer'}), toolbar.layout, toolbar.sizes, share, exportButton, uploadButton),
      description),
    h('div', {class: 'grid-controls'}, toolbar.node),
    gridHost);
  const page = h('div', {class: 'board-page', dataset: {boardId, readOnly: String(board.readOnly)}}, composerPanel, main);
  container.append(page);

  // On a board more than one person works on, a tile made by someone else carries their avatar.
  const showCreators = () => setCreators(board.members.length ? [board.owner, ...board.members.map((m) => m.user)] : [], me?.id);
  showCreators();
  const grid = new VirtualGrid(gridHost, data, {
    onAction: (action, generation, error) => {
      if (action === 'favourite') actions.toggleFavourite(generation);
      else if (action === 'cancel') actions.cancel(generation);
      else if (action === 'retry' || action === 'rerun') actions.rerun(generation);
      else if (action === 'rerun-new-seed') actions.rerun(generation, {newSeed: true});
      else if (action === 'use-as-input') actions.useAsInput(generation);
      else if (action === 'load-failed') toastError('Could not load more of the board', error);
    },
    onSelectionChange: (selection) => {
      bar.update(selection);
      // The bar lies over the toolbar: what it hides must not take the focus either.
      toolbar.node.inert = selection.size > 0;
    },
  });
  grid.setLayout(fit);
  grid.setTileSize(tileSize);
  seededGeneratorNames().then(setSeededGenerators).catch((error) => console.error('the generators could not be read', error));
  const actions = new GridActions({board, data, grid, onTagCreated: (tag) => toolbar.addTag(tag)});
  const bar = buildSelectionBar(actions, grid);
  toolbar.node.parentElement.append(bar.node);
  cleanups.push(() => grid.destroy(), () => clearTimeout(unknownTimer), on('generators:named', () => toolbar.relabelGenerators()));
  // Waiting tiles say their place in line, from the queue's readings (each queued, started or ended job).
  const placeTiles = (status) => { for (const id of setQueuePlaces(status)) grid.refresh(id); };
  placeTiles(queueStatusNow());
  cleanups.push(on('queue:status', placeTiles));

  const showCount = () => {
    const filtered = isFiltering(data.filter);
    count.textContent = filtered
      ? `${data.total.toLocaleString()} of ${plural(board.generationCount, 'generation')}`
      : plural(data.total, 'generation');
    grid.empty.replaceChildren(filtered
      ? h('div', {}, h('p', {}, 'Nothing here matches these filters.'), h('button', {type: 'button', onclick: () => toolbar.reset()}, 'Clear filters'))
      : h('div', {}, h('p', {}, 'This board is empty.'), h('p', {class: 'muted'}, 'Make something with the composer, or upload files: drop them here or use Upload.')));
  };
  data.addEventListener('change', (event) => {
    if (['insert', 'remove'].includes(event.detail.kind) && !isFiltering(data.filter)) board.generationCount = data.total;
    else if (event.detail.kind === 'insert') board.generationCount += 1;
    else if (event.detail.kind === 'remove') board.generationCount = Math.max(0, board.generationCount - event.detail.count);
    showCount();
    if (event.detail.kind === 'remove') grid.pruneSelection();
    else if (grid.selection.size) bar.update(grid.selection);  // a selected one finished: Cancel follows
  });

  async function reload(filter) {
    gridHost.dataset.state = 'loading';
    grid.clearSelection();
    grid.scroller.scrollTop = 0;
    grid.focusIndex = 0;
    try {
      await data.reset(filter);
      if (data.filter !== filter) return;  // the artist changed the filters again meanwhile
      gridHost.dataset.state = 'ready';
      gridHost.dataset.filter = JSON.stringify(filter);
    } catch (error) {
      gridHost.dataset.state = 'error';
      toastError('Could not load the board’s generations', error);
    }
  }

  async function editBoard() {
    const values = await formDialog({
      title: 'The board', submit: 'Save',
      fields: [
        {name: 'title', label: 'Name', value: board.title, required: true},
        {name: 'description', label: 'Description', value: board.description ?? '', multiline: true},
      ],
    });
    if (!values || !values.title) return;
    try {
      const {updateBoard} = await gql(UPDATE_BOARD, {input: {id: board.id, title: values.title, description: values.description}});
      emit('board:changed', {board: updateBoard});
      toast('Saved', {kind: 'ok'});
    } catch (error) {
      toastError('Could not save the board', error);
    }
  }

  // Live: each event updates its tile; a finished one is read again (its thumbnail, its error).
  // Events of generations the grid has not loaded come in bursts (the stream starts with every
  // running one): a burst costs one look at the top of the board, where new ones are added.
  const unknown = new Set();
  let unknownTimer = 0;
  const onEvent = (event) => {
    const id = String(event.job_id);
    const status = String(event.status).toLowerCase();
    const known = data.byId.get(id);
    grid.setLive(event);
    emit('generation:live', {event});  // the composer's prompt assistant follows its proposal's words
    if (known) {
      const patch = {id, status: status.toUpperCase()};
      if (event.error_message) patch.errorMessage = event.error_message;
      if (event.thumbnail_url) patch.thumbnailUrl = event.thumbnail_url;
      if (typeof event.progress === 'number') patch.progress = event.progress * 100;
      if (known.status !== patch.status || patch.thumbnailUrl || patch.errorMessage) data.update(patch);
      if (TERMINAL.has(status)) refreshOne(id);
      return;
    }
    unknown.add(id);
    if (!unknownTimer) unknownTimer = setTimeout(lookAtTheTop, 150);
  };
  async function lookAtTheTop() {
    unknownTimer = 0;
    if (!data.ready || (data.total && !data.isLoaded(0))) { unknownTimer = setTimeout(lookAtTheTop, 150); return; }
    const wanted = Math.min(100, unknown.size + 4);
    unknown.clear();
    const filter = data.filter;
    try {
      const top = await fetchTop(board.id, wanted, filter);
      if (data.filter !== filter) return;
      const newest = data.newestCreatedAt();
      // One the grid learnt of meanwhile (the queuing mutation's answer, read after its events) takes
      // the state read now: its "completed" event went by while it was still unknown here.
      for (const generation of top) if (data.byId.has(generation.id)) data.update(generation);
      const fresh = top.filter((g) => !data.byId.has(g.id) && (!newest || g.createdAt >= newest));
      for (const generation of fresh.reverse()) {
        data.insertTop(generation);
        if (generation.generatorName && !board.generatorNames.includes(generation.generatorName)) {
          board.generatorNames.push(generation.generatorName);
          toolbar.addGenerator(generation.generatorName);
        }
      }
    } catch (error) {
      console.warn('the top of the board could not be read', error);
    }
  }
  async function refreshOne(id) {
    try {
      const generation = await fetchGeneration(id);
      if (generation) data.update(generation);
    } catch (error) {
      toastError('Could not read a finished generation', error);
    }
  }

  gridHost.dataset.state = 'loading';
  const failed = await firstPage;
  if (failed) {
    gridHost.dataset.state = 'error';
    toastError('Could not load the board’s generations', failed);
  } else {
    gridHost.dataset.state = 'ready';
    grid.render();
  }
  showCount();
  // Changes to the board itself, made here or in a teammate's app: moves, deletions, restores from the
  // Trash, a new title, members.
  const onBoardChange = (change) => {
    const ids = change.generation_ids ?? [];
    if (change.kind === 'renamed') {
      emit('board:changed', {board: {id: board.id, title: change.title, description: change.description}});
    } else if ((change.kind === 'moved' && change.to_board_id === board.id) || change.kind === 'restored') {
      arrive(ids);
    } else if (change.kind === 'moved' || (change.kind === 'deleted' && ids.length)) {
      data.remove(ids);
    } else if (change.kind === 'deleted') {
      shutOut('This board was deleted.');
    } else if (change.kind === 'tag') {
      const renamed = {id: change.tag_id, name: change.tag_name, slug: change.tag_slug};
      for (const generation of [...data.byId.values()]) {
        if (generation.tags?.some((t) => t.id === renamed.id)) {
          data.update({id: generation.id, tags: generation.tags.map((t) => (t.id === renamed.id ? renamed : t))});
        }
      }
      toolbar.renameTag(renamed);
    } else if (change.kind === 'members' && me && change.user_ids.includes(me.id)) {
      if (!change.role) shutOut('You no longer have access to this board.');
      else toast(`Your role on this board is now ${change.role}`);
    } else if (change.kind === 'members') {
      // Shared with someone, or no longer: the tiles name their creators, or stop.
      gql(MEMBERS, {id: board.id}).then(({board: fresh}) => {
        if (!fresh) return;
        Object.assign(board, fresh);
        showCreators();
        grid.rebind();
      }).catch((error) => console.error('the members could not be read', error));
    }
  };
  async function arrive(ids) {
    for (const id of ids) data.removed.delete(id);  // moved away and back again, or restored
    if (ids.length > 20) { reload(data.filter); return; }  // many at once: the grid's order, read afresh
    for (const id of ids) {
      const generation = await fetchGeneration(id).catch(() => null);
      // While the grid is read afresh (an undo here resets it), that read has them: an insert now would
      // be dropped by it, or drop its pages.
      if (generation && generation.boardId === board.id && data.ready) data.insertTop(generation);
    }
  }
  function shutOut(message) {
    page.replaceChildren(h('div', {class: 'empty-state', dataset: {testid: 'board-gone'}, role: 'alert'},
      message, ' ', h('a', {href: '#/'}, 'Your boards')));
    live.dataset.state = 'closed';
  }
  // A job that ended after the first page was read but before the stream began (or while it was
  // reconnecting) sends no more events: once the stream is open, the tiles still shown as running or
  // waiting are read again, and taken only when they ended (a newer event may already have come).
  async function catchUpActive() {
    const active = [...data.byId.values()].filter((g) => !TERMINAL.has(String(g.status).toLowerCase()));
    for (const generation of active.slice(0, ACTIVE_CATCH_UP)) {
      const fresh = await fetchGeneration(generation.id).catch(() => null);
      if (fresh && TERMINAL.has(String(fresh.status).toLowerCase())) data.update(fresh);
    }
  }
  cleanups.push(followBoard(board.id, onEvent, (state) => {
    if (state === 'open') catchUpActive();
    live.dataset.state = state;
    live.title = state === 'open' ? 'Live: progress shows as it happens' : 'Reconnecting to live updates…';
    live.setAttribute('aria-label', `Live updates: ${state}`);
  }, onBoardChange));

  cleanups.push(
    on('generation:created', ({generation}) => {
      if (generation.boardId && generation.boardId !== board.id) return;
      if (data.insertTop(generation)) grid.scroller.scrollTo({top: 0, behavior: 'smooth'});
      else if (!data.byId.has(generation.id)) toast('Queued; the filters hide it for now', {action: {label: 'Clear filters', run: () => toolbar.reset()}});
    }),
    on('generation:changed', ({generation}) => { data.update(generation); }),
    on('route:query', ({params}) => {
      // A link to other filters of this board, followed while it is open.
      const wanted = stateFromParams(params);
      if (JSON.stringify(filterOfState(wanted)) !== JSON.stringify(toolbar.filter())) toolbar.setState(wanted, {notify: true});
    }),
    on('generations:removed', ({ids}) => { data.remove(ids); }),
    on('generations:restored', ({generations}) => {
      // Back from the trash or moved back: read the board again where the artist is looking.
      const here = generations.filter((g) => g.boardId === board.id);
      if (!here.length) return;
      for (const g of here) data.removed.delete(g.id);
      const top = grid.scroller.scrollTop;
      data.reset(data.filter).then(() => { grid.scroller.scrollTop = top; grid.render(); },
        (error) => toastError('Could not load the board’s generations', error));
    }),
    on('board:changed', ({board: changed}) => {
      if (changed.id !== board.id) return;
      Object.assign(board, changed);
      title.textContent = board.title;
      description.textContent = board.description ?? '';
      description.hidden = !board.description;
      setCrumbs([{label: board.title}]);
    }),
  );

  if (!board.readOnly) uploads = installDropUpload(page, {
    boardId: board.id,
    overlayHost: main,
    onUploaded: async (body) => {
      const generation = await fetchGeneration(body.id).catch(() => null);
      if (generation) data.insertTop(generation);
      const name = generation?.outputMetadata?.original_filename ?? 'a file';
      const earlier = body.duplicateOf;
      if (earlier && earlier.boardId && earlier.boardId !== board.id) {
        // The same file lives on another board the artist can read: kept here too, with the way to it.
        toast(`Already on the board “${earlier.boardTitle}”: ${name} is the same file as “${earlier.title}”.`, {
          timeout: 12000,
          action: {label: `Open it on “${shortened(earlier.boardTitle, 40)}”`, run: () => { location.hash = `#/boards/${earlier.boardId}?view=${earlier.id}`; }},
        });
      } else if (earlier) {
        // Kept all the same (a copy may be wanted); the artist sees where the first one is.
        toast(`Already on this board: ${name} is the same file as “${earlier.title}”.`, {
          timeout: 12000, action: {label: 'Show the earlier one', run: () => grid.open(earlier.id)},
        });
      } else if (body.linkedTo?.length) {
        // The file carried this app's provenance: an edit made elsewhere comes back into its lineage.
        toast(`Uploaded ${name}: linked to the generation it was made from (see its lineage)`, {kind: 'ok', timeout: 12000});
      } else if (body.metadataFrom) toast(`Uploaded ${name} with its ${body.metadataFrom} settings`, {kind: 'ok'});
      else toast(`Uploaded ${name}`, {kind: 'ok'});
    },
  });
  uploadButton.disabled = false;
  cleanups.push(() => uploads?.stop());

  // The grid's keys rest while a dialog or the viewer is over it.
  const onGrid = () => !document.querySelector('dialog[open], [data-testid=viewer], [data-testid=compare]');
  cleanups.push(
    addShortcut({keys: '/', label: '/', description: 'Search the board (prompts, tags, file names, generators)', group: 'Board', when: onGrid, run: () => toolbar.search.focus()}),
    addShortcut({keys: 'mod+a', label: 'Ctrl/⌘ A', description: 'Select every loaded generation', group: 'Board', when: onGrid, run: () => grid.selectAllLoaded()}),
    addShortcut({keys: 'escape', label: 'Esc', description: 'Clear the selection', group: 'Board', when: () => onGrid() && grid.selection.size > 0, run: () => grid.clearSelection()}),
    addShortcut({keys: 'delete', label: 'Delete', description: 'Delete the selection (asks first)', group: 'Board', when: () => onGrid() && grid.selection.size > 0 && !board.readOnly, run: () => actions.deleteSelection()}),
    addShortcut({keys: 'backspace', label: 'Backspace', hidden: true, description: 'Delete the selection', group: 'Board', when: () => onGrid() && grid.selection.size > 0 && !board.readOnly, run: () => actions.deleteSelection()}),
    addShortcut({keys: 'r', label: 'R', description: 'Rerun the focused tile with the same settings (Retry a failed one)', group: 'Board',
      when: () => onGrid() && !board.readOnly && canRerun(grid.focusedGeneration()), run: () => actions.rerun(grid.focusedGeneration())}),
    addShortcut({keys: 'e', label: 'E', description: 'Rerun the focused tile with a new seed', group: 'Board',
      when: () => onGrid() && !board.readOnly && canRerun(grid.focusedGeneration()) && hasSeed(grid.focusedGeneration().generatorName),
      run: () => actions.rerun(grid.focusedGeneration(), {newSeed: true})}),
    addShortcut({keys: 'i', label: 'I', description: 'Use the focused tile as an input in the composer', group: 'Board',
      when: () => onGrid() && !board.readOnly && grid.focusedGeneration()?.status === 'COMPLETED', run: () => actions.useAsInput(grid.focusedGeneration())}),
    addShortcut({keys: 'c', label: 'C', description: 'Cancel the focused running tile', group: 'Board',
      when: () => onGrid() && ['PENDING', 'PROCESSING'].includes(grid.focusedGeneration()?.status), run: () => actions.cancel(grid.focusedGeneration())}),
    addShortcut({keys: 'f', label: 'F', description: 'Star or unstar the focused tile', group: 'Board', when: () => onGrid() && grid.focusedGeneration(), run: () => actions.toggleFavourite(grid.focusedGeneration())}),
    // How the grid is driven, for the help overlay (the grid handles these keys itself).
    ...[
      ['↑ ↓ ← →', 'Move between tiles (Home, End, Page Up and Down too)'],
      ['Enter / click', 'Open the tile in the viewer'],
      ['Space / Ctrl-click', 'Select or unselect a tile (or its check box); while some are selected, a click does too'],
      ['Shift-click', 'Select the range from the last one picked'],
      ['Drag on empty space', 'Select the tiles the box covers (Ctrl/⌘ adds)'],
    ].map(([label, description], i) => addShortcut({keys: `doc:grid:${i}`, label, description, group: 'Board', when: () => false, run: () => {}})),
  );
  // Focus the grid's first tile with Tab from the toolbar; the grid itself takes the keys.
  grid.canvas.addEventListener('keydown', (event) => { if (event.key === 'Escape' && grid.clearSelection()) event.preventDefault(); });

  // The viewer first: a tile clicked while the composer still loads its generators opens it.
  cleanups.push(installViewer({board, openFromUrl: (id) => grid.open(id)}));
  cleanups.push(installCompare());
  if (board.readOnly) {
    composerPanel.dataset.state = 'read-only';
    composerPanel.append(h('div', {class: 'composer-read-only', dataset: {testid: 'composer-read-only'}},
      h('h2', {}, 'You can view this board'),
      h('p', {class: 'muted'}, 'Ask its owner or an admin to make you an editor to make things or upload here.')));
  } else {
    cleanups.push(await mountComposer(composerPanel, {board}));
  }
  return () => cleanups.forEach((stop) => { try { stop?.(); } catch (error) { console.error(error); } });
}

/** Whether a tile can run again with its settings: a finished one, not an upload. */
function canRerun(generation) {
  return Boolean(generation) && !['PENDING', 'PROCESSING'].includes(generation.status)
    && !String(generation.generatorName).startsWith('user-upload');
}

/** A title cut to `most` characters for a button's label (the toast's text says it whole). */
function shortened(text, most) {
  const said = String(text ?? '');
  return said.length > most ? `${said.slice(0, most - 1)}…` : said;
}
