// Toasts: a short line about what just happened. Errors stay until dismissed: nothing fails silently.
import {h} from './dom.js';

const SHOWN_MS = 4000;

/** toast('Board deleted') / toast('Could not ...', {kind: 'error'}) / {action: {label, run}}. */
export function toast(message, {kind = 'info', action = null, timeout = kind === 'error' ? 0 : SHOWN_MS} = {}) {
  const area = document.querySelector('.toasts');
  const close = () => node.remove();
  const node = h('div', {class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status', dataset: {kind}},
    h('span', {class: 'toast-text'}, message),
    action && h('button', {type: 'button', class: 'toast-action', onclick: () => { close(); action.run(); }}, action.label),
    h('button', {type: 'button', 'aria-label': 'Dismiss', onclick: close}, '✕'),
  );
  area.append(node);
  if (timeout) {
    // A toast being read or used (pointer over it, its button focused) stays until it is left.
    let timer = setTimeout(close, timeout);
    const hold = () => clearTimeout(timer);
    const release = () => { clearTimeout(timer); if (!node.matches(':hover, :focus-within')) timer = setTimeout(close, timeout / 2); };
    node.addEventListener('pointerenter', hold);
    node.addEventListener('focusin', hold);
    node.addEventListener('pointerleave', release);
    node.addEventListener('focusout', release);
  }
  return close;
}

/** Report a failure: its message (which says what to do), prefixed by what was being done. */
export function toastError(doing, error) {
  return toast(`${doing}: ${error?.message ?? error}`, {kind: 'error'});
}
