// The app's entry point: the theme, the router (#/, #/boards/<id>, #/trash, #/settings), global shortcuts.
//
// A page is a module exporting `mount(container, params)`; it may return a function that cleans up
// (closes its event streams, removes its shortcuts) when another page replaces it.
// A route may carry a query after its path (#/boards/<id>?view=<generation id>): the state of the
// page's overlays. A change of the query alone does not mount the page again: it is told on the bus
// (`route:query {params}`), so that Back and Forward open and close what the URL names.
import {h} from './dom.js';
import {emit} from './bus.js';
import {applyTheme} from './theme.js';
import {addShortcut, showShortcutHelp} from './shortcuts.js';
import {showToastsOf, toast} from './toast.js';
import {installQueue} from './queue.js';
import {canUndo, undoLatest} from './undo.js';

const ROUTES = [
  {pattern: /^#?\/?$/, page: () => import('./pages/home.js'), params: () => ({})},
  {pattern: /^#\/boards\/([0-9a-f-]{36})$/, page: () => import('./pages/board.js'), params: (m) => ({boardId: m[1]})},
  {pattern: /^#\/settings$/, page: () => import('./pages/settings.js'), params: () => ({})},
  {pattern: /^#\/trash(?:\/([0-9a-f-]{36}))?$/, page: () => import('./pages/trash.js'), params: (m) => ({boardId: m[1] ?? null})},
];

const container = document.getElementById('page');
let cleanup = null;
let routing = 0;
let mountedPath = null;

/** '#/boards/x?view=y' -> ['#/boards/x', 'view=y']. */
function splitHash(hash) {
  const at = hash.indexOf('?');
  return at < 0 ? [hash, ''] : [hash.slice(0, at), hash.slice(at + 1)];
}

/** The route's path ('#/boards/<id>'): what toasts and history entries belong to. */
export function routePath() {
  return splitHash(location.hash || '#/')[0];
}

/** The query of the current route (#/boards/<id>?view=...). */
export function routeParams() {
  return new URLSearchParams(splitHash(location.hash || '#/')[1]);
}

/**
 * Set (or, with null, remove) one parameter of the route's query without mounting the page again:
 * `push` adds a history entry (Back undoes it), otherwise the current entry is replaced.
 */
export function setRouteParam(name, value, {push = false} = {}) {
  setRouteParams({[name]: value}, {push});
}

/** Several parameters at once ({name: value or null}), as one history entry (see setRouteParam). */
export function setRouteParams(changes, {push = false} = {}) {
  const [path, query] = splitHash(location.hash || '#/');
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === undefined) params.delete(name);
    else params.set(name, value);
  }
  // Commas stay commas (?compare=a,b, ?type=IMAGE,VIDEO): a link a person can read; both are valid in a URL.
  const rest = params.toString().replace(/%2C/gi, ',');
  const url = `${location.pathname}${location.search}${path}${rest ? `?${rest}` : ''}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

async function route() {
  const [path, query] = splitHash(location.hash || '#/');
  showToastsOf(path);
  if (path === mountedPath) {
    emit('route:query', {params: new URLSearchParams(query)});
    return;
  }
  mountedPath = path;
  const turn = ++routing;
  const hash = path;
  const match = ROUTES.map((r) => [r, r.pattern.exec(hash)]).find(([, m]) => m);
  if (cleanup) { try { cleanup(); } catch (error) { console.error(error); } cleanup = null; }
  setCrumbs([]);
  container.replaceChildren();
  for (const [testid, here] of [['open-settings', hash === '#/settings'], ['open-trash', hash.startsWith('#/trash')]]) {
    const link = document.querySelector(`[data-testid=${testid}]`);
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!match) {
    container.append(h('div', {class: 'empty-state'}, 'There is nothing here. ', h('a', {href: '#/'}, 'Go to your boards')));
    return;
  }
  const [r, m] = match;
  try {
    const module = await r.page();
    if (turn !== routing) return;  // the artist moved on while the page loaded
    const stop = (await module.mount(container, r.params(m))) ?? null;
    if (turn !== routing) {
      // Another page was asked for while this one was mounting: stop this one at once (its
      // shortcuts, its event streams) rather than let it outlive its page.
      try { stop?.(); } catch (error) { console.error(error); }
      return;
    }
    cleanup = stop;
  } catch (error) {
    console.error(error);
    if (turn !== routing) return;  // the page that failed is no longer the one asked for
    container.append(h('div', {class: 'empty-state error-text'}, `This page could not be shown: ${error.message}`));
  }
}

/** The breadcrumbs in the top bar: [{label, href?}] after "Boards". */
export function setCrumbs(items) {
  const nav = document.querySelector('[data-testid=crumbs]');
  const parts = [];
  for (const item of items) {
    parts.push(h('span', {class: 'sep', 'aria-hidden': 'true'}, '/'));
    parts.push(item.href ? h('a', {href: item.href}, item.label) : h('span', {'aria-current': 'page'}, item.label));
  }
  nav.replaceChildren(...parts);
}

applyTheme();
installQueue();
document.querySelector('[data-action=help]').addEventListener('click', showShortcutHelp);
addShortcut({keys: '?', label: '?', description: 'Show the keyboard shortcuts', run: showShortcutHelp});
addShortcut({keys: ',', label: ',', description: 'Open settings', run: () => { location.hash = '#/settings'; }});
addShortcut({keys: 'g', label: 'G', description: 'Go to your boards', run: () => { location.hash = '#/'; }});
// Not while typing: a text field keeps its own Ctrl+Z.
addShortcut({keys: 'mod+z', label: 'Ctrl/⌘ Z', description: 'Undo the last delete, move, tag or star (while its toast shows)', when: canUndo, run: undoLatest});
window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (event) => {
  // Nothing that fails is silent: an error no code caught still reaches the artist.
  toast(`Something went wrong: ${event.reason?.message ?? event.reason}`, {kind: 'error'});
});
route();
