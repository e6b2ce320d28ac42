// Keyboard shortcuts: each part of a page registers its own, and the help overlay (?) lists them all.
import {h, isTyping} from './dom.js';

const registered = new Set();

/**
 * addShortcut({keys: 'n', label: 'N', description: 'New board', run, whileTyping: false, group: 'Boards'})
 * `keys` matches event.key, with 'mod+' for Ctrl or Cmd, 'shift+' and 'alt+' ('mod+enter', 'shift+?').
 * Returns the function that removes it (call it when the page goes away).
 */
export function addShortcut(shortcut) {
  const entry = {group: 'General', whileTyping: false, ...shortcut};
  entry.keys = entry.keys.toLowerCase();
  registered.add(entry);
  return () => registered.delete(entry);
}

function signature(event) {
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push('mod');
  if (event.altKey) parts.push('alt');
  const key = event.key.toLowerCase();
  // '?' is shift+/ on most layouts: a printable key's shift is already in event.key.
  if (event.shiftKey && key.length > 1) parts.push('shift');
  parts.push(key === ' ' ? 'space' : key);
  return parts.join('+');
}

document.addEventListener('keydown', (event) => {
  if (event.defaultPrevented || document.querySelector('dialog[open]:not(.help-overlay)') && event.key !== 'Escape') return;
  const pressed = signature(event);
  const typing = isTyping(event);
  // The newest registration wins: a viewer opened over the grid takes the arrow keys.
  for (const entry of [...registered].reverse()) {
    if (entry.keys !== pressed || (typing && !entry.whileTyping)) continue;
    if (entry.when && !entry.when()) continue;
    event.preventDefault();
    entry.run(event);
    return;
  }
});

/** The help overlay: every shortcut that applies now, by group. */
export function showShortcutHelp() {
  document.querySelector('dialog.help-overlay')?.close();
  const groups = new Map();
  for (const entry of registered) {
    if (entry.hidden) continue;
    if (!groups.has(entry.group)) groups.set(entry.group, []);
    groups.get(entry.group).push(entry);
  }
  const dialog = h('dialog', {class: 'help-overlay', 'aria-labelledby': 'help-title', dataset: {testid: 'help-overlay'}},
    h('h2', {id: 'help-title'}, 'Keyboard shortcuts'),
    [...groups].map(([group, entries]) => [
      h('h3', {class: 'muted', style: {margin: '12px 0 4px'}}, group),
      h('table', {class: 'shortcuts'}, h('tbody', {}, entries.map((entry) =>
        h('tr', {}, h('td', {}, h('kbd', {}, entry.label ?? entry.keys)), h('td', {}, entry.description))))),
    ]),
    h('div', {class: 'dialog-actions'}, h('button', {type: 'button', class: 'primary', onclick: () => dialog.close()}, 'Close')),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
