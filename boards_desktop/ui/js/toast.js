// Toasts: a short line about what just happened. Errors stay until dismissed: nothing fails silently.
//
// An error belongs to the page it happened on (the route's path, '#/boards/<id>'): it is hidden on
// other pages and shown again on its own. Toasts of one `group` (each queued generation) are one
// toast that counts ("Queued 5 generations") instead of a pile over the art.
import {h} from './dom.js';

const SHOWN_MS = 4000;
const groups = new Map();  // group -> {node, count, text, action, close}
const closers = new WeakMap();  // toast node -> start(ms): (re)starts its closing timer

function currentPath() {
  const hash = location.hash || '#/';
  const at = hash.indexOf('?');
  return at < 0 ? hash : hash.slice(0, at);
}

/**
 * toast('Board deleted') / toast('Could not ...', {kind: 'error'}) / {action: {label, run}}.
 * {group: 'queued', many: (count) => `Queued ${count} generations`}: while a toast of that group is
 * shown, this one joins it, and its text becomes many(count).
 */
export function toast(message, {kind = 'info', action = null, timeout = kind === 'error' ? 0 : SHOWN_MS, group = null, many = null} = {}) {
  const area = document.querySelector('.toasts');
  const joined = group ? groups.get(group) : null;
  if (joined?.node.isConnected) {
    joined.count += 1;
    joined.text.textContent = many ? many(joined.count) : message;
    joined.node.dataset.count = String(joined.count);
    joined.action.replaceChildren(...(action ? [actionButton(action, joined.close)] : []));
    if (timeout) (closers.get(joined.node) ?? closeLater(joined.node, joined.close, timeout))(timeout);
    return joined.close;
  }
  const close = () => { node.remove(); if (group && groups.get(group)?.node === node) groups.delete(group); };
  const text = h('span', {class: 'toast-text'}, message);
  const actionSlot = h('span', {class: 'toast-action'}, action ? actionButton(action, close) : null);
  const node = h('div', {class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status', dataset: {kind, count: '1'}},
    text, actionSlot,
    h('button', {type: 'button', 'aria-label': 'Dismiss', onclick: close}, '✕'),
  );
  if (kind === 'error') node.dataset.scope = currentPath();
  area.append(node);
  if (group) groups.set(group, {node, count: 1, text, action: actionSlot, close});
  if (timeout) closeLater(node, close, timeout)(timeout);
  return close;
}

/** A toast that closes by itself; one being read or used (pointer over it, its button focused) stays until left. */
function closeLater(node, close, timeout) {
  let timer = 0;
  const start = (ms) => {
    clearTimeout(timer);
    if (!node.matches(':hover, :focus-within')) timer = setTimeout(close, ms);
  };
  const hold = () => clearTimeout(timer);
  node.addEventListener('pointerenter', hold);
  node.addEventListener('focusin', hold);
  node.addEventListener('pointerleave', () => start(timeout / 2));
  node.addEventListener('focusout', () => start(timeout / 2));
  closers.set(node, start);
  return start;
}

function actionButton(action, close) {
  return h('button', {type: 'button', onclick: () => { close(); action.run(); }}, action.label);
}

/** Report a failure: its message (which says what to do), prefixed by what was being done. */
export function toastError(doing, error) {
  return toast(`${doing}: ${error?.message ?? error}`, {kind: 'error'});
}

/** Show the errors of the page at `path` and hide those of other pages (the router calls this). */
export function showToastsOf(path) {
  for (const node of document.querySelectorAll('.toasts .toast[data-scope]')) node.hidden = node.dataset.scope !== path;
}
