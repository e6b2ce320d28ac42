// Home: the artist's boards as cards — covers from the newest results, title, description, how many
// generations and when it last changed — with create, rename, describe, delete and search.
// "Shared with me" lists the boards where you are a member; their cards show the owner's avatar.
//
// A search also looks through every result on every board (their prompts, file names, text, tags and
// generators; case and accents do not matter) and lists the matches below the boards, each with its
// board: a click opens it there in the viewer. The search is in the URL (#/?q=...).
//
// `[data-testid=boards]` carries data-state (loading, ready, error) so tests and the window can
// tell when the list is drawn; each card is `li[data-board-id]` with its title in <strong>.
import {gql} from '../api.js';
import {h, plural, shortDateTime, timeAgo} from '../dom.js';
import {routeParams, setCrumbs, setRouteParam} from '../app.js';
import {addShortcut} from '../shortcuts.js';
import {on} from '../bus.js';
import {visibleInterval} from '../timers.js';
import {toast, toastError} from '../toast.js';
import {confirmDialog, formDialog} from '../dialog.js';
import {avatar, personName, USER_FIELDS} from '../people.js';
import {importControls} from '../board_archive.js';
import {generatorLabel} from '../names.js';

const BOARD_FIELDS = `id title description generationCount updatedAt coverThumbnails(limit: 4) ownerId owner { ${USER_FIELDS} }`;
const MY_BOARDS = `query Mine($role: BoardQueryRole) { me { id } myBoards(limit: 200, sort: UPDATED_DESC, role: $role) { ${BOARD_FIELDS} } }`;
const SEARCH = `query Search($query: String!) { me { id } searchBoards(query: $query, limit: 200) { ${BOARD_FIELDS} } }`;
const RESULTS = `query Results($query: String!) { searchGenerations(query: $query, limit: 60) {
  id prompt artifactType status thumbnailUrl generatorName outputMetadata board { id title } } }`;
const CREATE = `mutation Create($input: CreateBoardInput!) { createBoard(input: $input) { id title } }`;
const UPDATE = `mutation Update($input: UpdateBoardInput!) { updateBoard(input: $input) { ${BOARD_FIELDS} } }`;
const DELETE = 'mutation Delete($id: UUID!) { deleteBoard(id: $id) }';

const TYPE_GLYPHS = {AUDIO: '♪', TEXT: '¶', VIDEO: '▶', IMAGE: '▣'};
const SEARCH_DELAY_MS = 220;
const RESULT_LIMIT = 60;  // as in RESULTS: a screenful or two; more words narrow it
const EXCERPT_CHARS = 140;

export async function mount(container) {
  setCrumbs([]);
  let boards = [];        // what the list shows now
  let query = '';          // the search as typed (trimmed)
  let turn = 0;            // the newest load; older answers are dropped
  let searchTimer = null;
  let openMenu = null;     // the card menu that is open, if any
  let shown = 'ANY';       // ANY: all your boards; MEMBER: shared with you (not yours)
  let myId = null;

  const search = h('input', {
    type: 'search', class: 'board-search', placeholder: 'Search boards and results', 'aria-label': 'Search boards and results (/)',
    autocomplete: 'off', spellcheck: 'false', dataset: {testid: 'board-search'},
    oninput: () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => load(search.value.trim()), SEARCH_DELAY_MS);
    },
    onkeydown: (event) => {
      if (event.key === 'Escape' && search.value) { event.preventDefault(); search.value = ''; load(''); }
      else if (event.key === 'ArrowDown') { event.preventDefault(); focusCard(0); }
      else if (event.key === 'Enter') { clearTimeout(searchTimer); load(search.value.trim()); }
    },
  });
  const count = h('span', {class: 'home-count muted', dataset: {testid: 'board-count'}});
  const list = h('ul', {class: 'board-cards', 'aria-label': 'Your boards', dataset: {testid: 'boards', state: 'loading'}},
    skeletons());
  list.addEventListener('keydown', onListKey);
  const resultsTitle = h('h2', {class: 'results-title'});
  const resultList = h('ul', {class: 'result-cards', 'aria-labelledby': 'results-title'});
  resultsTitle.id = 'results-title';
  const results = h('section', {class: 'search-results', hidden: true, dataset: {testid: 'search-results', state: 'idle'}}, resultsTitle, resultList);
  const importing = importControls({onImported: (report) => { location.hash = `#/boards/${report.boardId}`; }});
  const page = h('div', {class: 'home'},
    h('header', {class: 'home-header'},
      h('div', {class: 'home-title'}, h('h1', {}, 'Your boards'), count, viewTabs()),
      h('div', {class: 'home-tools'},
        h('label', {class: 'search-field'}, h('span', {class: 'search-icon', 'aria-hidden': 'true'}), search),
        importing.button,
        h('button', {type: 'button', class: 'primary', title: 'New board (N)', dataset: {testid: 'new-board'}, onclick: createBoard},
          h('span', {'aria-hidden': 'true', class: 'plus'}, '+'), 'New board'))),
    importing.progress,
    list,
    results);
  container.append(page);

  const closeOnOutside = (event) => { if (openMenu && !openMenu.contains(event.target)) closeMenu(); };
  document.addEventListener('pointerdown', closeOnOutside);
  const stops = [
    addShortcut({keys: 'n', label: 'N', group: 'Boards', description: 'New board', run: createBoard}),
    addShortcut({keys: '/', label: '/', group: 'Boards', description: 'Search boards', run: () => { search.focus(); search.select(); }}),
    // A link to a search (#/?q=...) followed while home is open, or Back to an earlier one.
    on('route:query', ({params}) => {
      const asked = (params.get('q') ?? '').trim();
      if (asked !== query) { search.value = asked; load(asked); }
    }),
    () => document.removeEventListener('pointerdown', closeOnOutside),
    () => clearTimeout(searchTimer),
  ];
  // "just now" grows older while the page stays open (and is shown).
  stops.push(visibleInterval(() => {
    for (const time of list.querySelectorAll('time[datetime]')) time.textContent = timeAgo(time.dateTime);
  }, 60_000));

  const asked = (routeParams().get('q') ?? '').trim();
  search.value = asked;
  await load(asked);
  return () => { turn += 1; stops.forEach((stop) => stop()); };

  // -- loading and drawing -----------------------------------------------------------------

  async function load(text) {
    const mine = ++turn;
    query = text;
    list.dataset.state = 'loading';
    list.setAttribute('aria-busy', 'true');
    if (routeParams().get('q') !== (text || null)) setRouteParam('q', text || null);
    const found = text ? findResults(text, mine) : (results.hidden = true, null);
    try {
      const data = text ? await gql(SEARCH, {query: text}) : await gql(MY_BOARDS, {role: shown});
      if (mine !== turn) return;
      myId = data.me?.id ?? null;
      boards = text ? data.searchBoards : data.myBoards;
      if (text && shown === 'MEMBER') boards = boards.filter((board) => board.ownerId !== myId);
      draw();
      list.dataset.state = 'ready';
      await found;
    } catch (error) {
      if (mine !== turn) return;
      list.replaceChildren(h('li', {class: 'empty error-text', role: 'alert'},
        h('p', {}, `Your boards could not be loaded: ${error.message}`),
        h('button', {type: 'button', onclick: () => load(query)}, 'Try again')));
      list.dataset.state = 'error';
      count.textContent = '';
    } finally {
      if (mine === turn) list.removeAttribute('aria-busy');
    }
  }

  async function findResults(text, mine) {
    results.dataset.state = 'loading';
    try {
      const {searchGenerations: rows} = await gql(RESULTS, {query: text});
      if (mine !== turn) return;
      resultsTitle.textContent = rows.length
        ? `${rows.length >= RESULT_LIMIT ? `The newest ${RESULT_LIMIT}` : plural(rows.length, 'result')} on your boards`
        : `No result on your boards holds “${text}”`;
      resultList.replaceChildren(...rows.map(resultCard));
      results.hidden = false;
      results.dataset.state = 'ready';
    } catch (error) {
      if (mine !== turn) return;
      results.dataset.state = 'error';
      toastError('Could not search the results', error);
    }
  }

  function resultCard(g) {
    const name = g.prompt || g.outputMetadata?.original_filename || generatorLabel(g.generatorName);
    return h('li', {},
      h('a', {class: 'result-card', href: `#/boards/${g.board.id}?view=${g.id}`, dataset: {generationId: g.id, testid: 'search-result'},
        title: `${name} — on ${g.board.title}`},
      h('div', {class: 'result-thumb', dataset: {type: g.artifactType.toLowerCase()}},
        g.thumbnailUrl ? h('img', {src: g.thumbnailUrl, alt: '', loading: 'lazy'}) : h('span', {'aria-hidden': 'true'}, TYPE_GLYPHS[g.artifactType] ?? '•')),
      h('span', {class: 'result-name'}, excerpt(name)),
      h('span', {class: 'result-board muted'}, g.board.title)));
  }

  function draw() {
    closeMenu();
    count.textContent = query
      ? (boards.length ? `${plural(boards.length, 'matching board', 'matching boards')}` : 'No board matches')
      : (boards.length ? plural(boards.length, 'board') : '');
    if (boards.length) {
      list.replaceChildren(...boards.map(card));
    } else if (shown === 'MEMBER' && !query) {
      list.replaceChildren(h('li', {class: 'empty', dataset: {testid: 'no-shared'}},
        h('p', {}, 'No one has shared a board with you yet.'),
        h('p', {class: 'muted'}, 'Boards a teammate shares with you appear here.')));
    } else if (query) {
      list.replaceChildren(h('li', {class: 'empty no-board-matches', dataset: {testid: 'no-matches'}},
        h('p', {}, `No board’s title or description contains “${query}”.`),
        h('button', {type: 'button', onclick: () => { search.value = ''; load(''); search.focus(); }}, 'Clear the search')));
    } else {
      list.replaceChildren(h('li', {class: 'empty first-board', dataset: {testid: 'no-boards'}},
        h('div', {class: 'first-board-art', 'aria-hidden': 'true'}, h('span'), h('span'), h('span'), h('span')),
        h('h2', {}, 'Start your first board'),
        h('p', {}, 'A board keeps the images, videos, sounds and texts you make for one idea together.'),
        h('button', {type: 'button', class: 'primary', onclick: createBoard}, 'Create a board')));
    }
  }

  function viewTabs() {
    const tab = (value, label, testid) => h('button', {type: 'button', role: 'tab', class: 'home-tab', 'aria-selected': String(shown === value), dataset: {testid, view: value},
      onclick: (event) => {
        shown = value;
        for (const other of event.target.parentElement.children) other.setAttribute('aria-selected', String(other.dataset.view === value));
        load(query);
      }}, label);
    return h('div', {class: 'home-tabs', role: 'tablist', 'aria-label': 'Which boards'},
      tab('ANY', 'All', 'view-all'), tab('MEMBER', 'Shared with me', 'view-shared'));
  }

  function card(board) {
    const description = board.description?.trim();
    const shared = myId && board.ownerId !== myId;
    const menuButton = h('button', {
      type: 'button', class: 'icon-button card-menu-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
      'aria-label': `Actions for ${board.title}`, title: 'Rename, describe, delete', dataset: {testid: 'board-menu'},
      onclick: (event) => { event.preventDefault(); event.stopPropagation(); toggleMenu(board, menuButton); },
    }, '⋯');
    return h('li', {class: 'board-card', dataset: {boardId: board.id}},
      h('a', {class: 'card-link', href: `#/boards/${board.id}`, 'aria-label': `${board.title}, ${plural(board.generationCount, 'generation')}`},
        cover(board),
        h('div', {class: 'card-body'},
          h('strong', {class: 'card-title', title: board.title}, board.title),
          shared ? h('div', {class: 'card-owner', dataset: {testid: 'board-owner'}}, avatar(board.owner, 20), h('span', {}, personName(board.owner))) : null,
          h('div', {class: 'card-meta'},
            h('span', {dataset: {testid: 'generation-count'}}, plural(board.generationCount, 'generation')),
            h('span', {'aria-hidden': 'true'}, '·'),
            h('time', {datetime: board.updatedAt, title: shortDateTime(board.updatedAt)}, timeAgo(board.updatedAt))),
          description
            ? h('p', {class: 'card-description', dataset: {testid: 'board-description'}}, excerpt(description))
            : null)),
      shared ? null : menuButton);  // rename, describe and delete are the owner's
  }

  // -- the card menu -----------------------------------------------------------------------

  function toggleMenu(board, button) {
    const wasOpen = openMenu?.dataset.boardId === board.id;
    closeMenu();
    if (wasOpen) return;
    const item = (action, label, run, extra = '') => h('button', {
      type: 'button', role: 'menuitem', class: `menu-item ${extra}`, dataset: {action},
      onclick: () => { closeMenu(); run(board); },
    }, label);
    const menu = h('div', {class: 'card-menu', role: 'menu', 'aria-label': `Actions for ${board.title}`, dataset: {boardId: board.id, testid: 'board-menu-items'}},
      item('rename', 'Rename…', renameBoard),
      item('describe', board.description ? 'Edit description…' : 'Add a description…', describeBoard),
      h('div', {class: 'menu-separator', role: 'separator'}),
      item('delete', 'Delete…', deleteBoard, 'danger'));
    menu.addEventListener('keydown', (event) => {
      const items = [...menu.querySelectorAll('[role=menuitem]')];
      const at = items.indexOf(document.activeElement);
      if (event.key === 'Escape') { event.preventDefault(); event.stopPropagation(); closeMenu(); button.focus(); }
      else if (event.key === 'ArrowDown') { event.preventDefault(); items[(at + 1) % items.length].focus(); }
      else if (event.key === 'ArrowUp') { event.preventDefault(); items[(at - 1 + items.length) % items.length].focus(); }
      else if (event.key === 'Tab') closeMenu();
    });
    button.after(menu);
    button.setAttribute('aria-expanded', 'true');
    button.closest('li').classList.add('menu-open');
    openMenu = menu;
    menu.querySelector('[role=menuitem]').focus();
  }

  function closeMenu() {
    if (!openMenu) return;
    const li = openMenu.closest('li');
    li?.classList.remove('menu-open');
    li?.querySelector('.card-menu-button')?.setAttribute('aria-expanded', 'false');
    openMenu.remove();
    openMenu = null;
  }

  // -- keyboard: arrows move between cards --------------------------------------------------

  function onListKey(event) {
    if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(event.key)) return;
    if (!event.target.classList?.contains('card-link')) return;
    const links = [...list.querySelectorAll('.card-link')];
    const at = links.indexOf(event.target);
    const columns = Math.max(1, getComputedStyle(list).gridTemplateColumns.split(' ').length);
    const step = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns}[event.key];
    let next = event.key === 'Home' ? 0 : event.key === 'End' ? links.length - 1 : at + step;
    if (event.key === 'ArrowUp' && next < 0) { event.preventDefault(); search.focus(); return; }
    next = Math.min(links.length - 1, Math.max(0, next));
    event.preventDefault();
    links[next]?.focus();
  }

  function focusCard(index) {
    list.querySelectorAll('.card-link')[index]?.focus();
  }

  // -- actions -----------------------------------------------------------------------------

  async function createBoard() {
    const answer = await formDialog({
      title: 'New board',
      fields: [{name: 'title', label: 'Name', required: true}],
      submit: 'Create board',
    });
    if (!answer?.title) return;
    try {
      const {createBoard: board} = await gql(CREATE, {input: {title: answer.title}});
      toast(`Board “${board.title}” created`, {kind: 'ok'});
      location.hash = `#/boards/${board.id}`;
    } catch (error) {
      toastError('Could not create the board', error);
    }
  }

  async function renameBoard(board) {
    const answer = await formDialog({
      title: 'Rename board',
      fields: [{name: 'title', label: 'Name', value: board.title, required: true}],
      submit: 'Rename',
    });
    if (!answer?.title || answer.title === board.title) return focusBoard(board.id);
    try {
      const {updateBoard: changed} = await gql(UPDATE, {input: {id: board.id, title: answer.title}});
      replace(changed);
      toast(`Renamed to “${changed.title}”`, {kind: 'ok'});
    } catch (error) {
      toastError(`Could not rename “${board.title}”`, error);
    }
    focusBoard(board.id);
  }

  async function describeBoard(board) {
    const answer = await formDialog({
      title: `Describe “${board.title}”`,
      fields: [{name: 'description', label: 'Description', value: board.description ?? '', multiline: true}],
      submit: 'Save',
    });
    if (answer === null || answer.description === (board.description ?? '')) return focusBoard(board.id);
    try {
      // A blank description clears it (null would leave it as it is).
      const {updateBoard: changed} = await gql(UPDATE, {input: {id: board.id, description: answer.description}});
      replace(changed);
      toast(changed.description ? `Description of “${changed.title}” saved` : `Description of “${changed.title}” removed`, {kind: 'ok'});
    } catch (error) {
      toastError(`Could not save the description of “${board.title}”`, error);
    }
    focusBoard(board.id);
  }

  async function deleteBoard(board) {
    const n = board.generationCount;
    const what = n === 0 ? 'It has no generations.'
      : n === 1 ? 'Its 1 generation and its file will be deleted with it.'
        : `Its ${plural(n, 'generation')} and their files will be deleted with it.`;
    const sure = await confirmDialog({
      title: `Delete “${board.title}”?`,
      message: `${what} This cannot be undone.`,
      confirm: 'Delete board',
      danger: true,
    });
    if (!sure) return focusBoard(board.id);
    try {
      await gql(DELETE, {id: board.id});
      boards = boards.filter((b) => b.id !== board.id);
      draw();
      toast(`Board “${board.title}” deleted`, {kind: 'ok'});
    } catch (error) {
      toastError(`Could not delete “${board.title}”`, error);
    }
  }

  function replace(changed) {
    boards = boards.map((b) => (b.id === changed.id ? changed : b));
    if (!query) boards.sort((a, b) => new Date(b.updatedAt) - new Date(a.updatedAt));
    draw();
  }

  function focusBoard(id) {
    list.querySelector(`li[data-board-id="${CSS.escape(id)}"] .card-link`)?.focus();
  }
}

function cover(board) {
  const thumbnails = board.coverThumbnails ?? [];
  if (!thumbnails.length) {
    const initial = [...board.title.trim()][0]?.toUpperCase() ?? '';
    return h('div', {class: 'cover placeholder', 'aria-hidden': 'true', dataset: {testid: 'cover-placeholder', hue: String(hue(board.id))}},
      h('span', {class: 'cover-initial'}, initial));
  }
  return h('div', {class: 'cover', 'aria-hidden': 'true', dataset: {testid: 'cover', count: String(thumbnails.length)}},
    thumbnails.map((url) => h('img', {src: url, alt: '', loading: 'lazy', decoding: 'async', draggable: 'false',
      onerror: (event) => event.target.classList.add('broken')})));
}

// A calm, steady tint per board for its placeholder (one of six).
function hue(id) {
  let sum = 0;
  for (const char of id) sum = (sum * 31 + char.charCodeAt(0)) % 9973;
  return sum % 6;
}

function excerpt(text) {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS).replace(/\s+\S*$/, '')}…` : flat;
}

function skeletons() {
  return Array.from({length: 4}, () => h('li', {class: 'board-card skeleton', 'aria-hidden': 'true'},
    h('div', {class: 'cover'}), h('div', {class: 'card-body'}, h('span', {class: 'bar'}), h('span', {class: 'bar short'}))));
}
