// A board as one archive: Export on the board (a download in a browser, a save dialog in the window)
// and Import on home (a file chooser, the upload's progress, then what was added and what was kept).
import {boardArchiveUrl, importBoardArchive} from './api.js';
import {bridge} from './desktop.js';
import {h} from './dom.js';
import {toast, toastError} from './toast.js';

/** `harbour-studies.board.zip`, as the server names it. */
function archiveName(title) {
  const slug = (title.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).join('-').slice(0, 60).replace(/-+$/, '');
  return `${slug || 'board'}.board.zip`;
}

/** Export the board: every finished generation, its files, lineage, tags and stars, in one zip. */
export async function exportBoard(board) {
  const name = archiveName(board.title);
  const api = bridge();
  if (api?.save_board_archive) {
    try {
      const outcome = await api.save_board_archive(board.id, name);
      if (outcome?.saved) toast(`Saved to ${outcome.saved}`, {kind: 'ok'});
    } catch (error) {
      toastError('Could not export the board', error);
    }
    return;
  }
  const link = h('a', {href: boardArchiveUrl(board.id), download: name, hidden: true, dataset: {testid: 'board-archive-link'}});
  document.body.append(link);
  link.click();
  setTimeout(() => link.remove(), 1000);
  toast(`Exporting ${name}`, {kind: 'info'});
}

/**
 * The Import button of home and its progress line: pick an archive, watch it go, then open the
 * board. -> {button, progress}
 */
export function importControls({onImported}) {
  const chooser = h('input', {type: 'file', accept: '.zip,application/zip', hidden: true, tabindex: '-1', 'aria-hidden': 'true',
    dataset: {testid: 'import-input'}});
  const bar = h('progress', {max: '1', value: '0'});
  const label = h('span', {class: 'import-label'});
  const progress = h('div', {class: 'import-progress', hidden: true, role: 'status', 'aria-live': 'polite', dataset: {testid: 'import-progress', state: 'idle'}},
    label, bar, chooser);
  const button = h('button', {type: 'button', title: 'Import a board archive (made by a board’s Export)', dataset: {testid: 'import-board'},
    onclick: () => chooser.click()}, h('span', {'aria-hidden': 'true'}, '⤒ '), 'Import…');
  chooser.addEventListener('change', async () => {
    const [file] = chooser.files;
    chooser.value = '';
    if (!file) return;
    button.disabled = true;
    progress.hidden = false;
    progress.dataset.state = 'sending';
    label.textContent = `Importing ${file.name}…`;
    bar.value = 0;
    try {
      const report = await importBoardArchive(file, (fraction) => {
        bar.value = fraction;
        if (fraction >= 1) label.textContent = `Adding ${file.name} to your boards…`;
      });
      progress.dataset.state = 'done';
      const kept = report.generationsKept ? `; ${report.generationsKept} already here and kept` : '';
      toast(`Imported “${report.title}”: ${report.generationsAdded} generations added${kept}`, {kind: 'ok', timeout: 8000});
      onImported(report);
    } catch (error) {
      progress.dataset.state = 'error';
      toastError(`Could not import ${file.name}`, error);
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
  return {button, progress};
}
