// Undo: the toast after a delete, move, tag or star offers Undo, and Ctrl/⌘+Z does the same for the
// newest one while its toast is up. An undo is another request (restore, move back, untag, unstar),
// so it works after a reload of the grid too; what it brings back is told by a toast of its own.
import {toast, toastError} from './toast.js';

// Long enough to reach the button with the keyboard or to notice the mistake; Ctrl+Z works as long.
const UNDO_MS = 10_000;

let latest = null;  // {run, close} of the newest undoable action whose toast is still up

/** offerUndo('Deleted 3 generations', async () => {...}, {done: 'Restored 3 generations'}) */
export function offerUndo(message, undo, {done = 'Undone', failed = 'Could not undo it'} = {}) {
  const entry = {close: null, spent: false};
  entry.run = async () => {
    if (entry.spent) return;
    entry.spent = true;
    if (latest === entry) latest = null;
    entry.close?.();
    try {
      await undo();
      toast(done, {kind: 'ok'});
    } catch (error) {
      toastError(failed, error);
    }
  };
  entry.close = toast(message, {kind: 'ok', timeout: UNDO_MS, action: {label: 'Undo', run: entry.run}});
  latest = entry;
  setTimeout(() => { if (latest === entry) latest = null; }, UNDO_MS);
  return entry;
}

/** Ctrl/⌘+Z: undo the newest action whose toast is still shown; false when there is none. */
export function undoLatest() {
  if (!latest) return false;
  latest.run();
  return true;
}

export function canUndo() {
  return latest !== null;
}
