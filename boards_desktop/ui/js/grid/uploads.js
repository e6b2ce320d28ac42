// Drop files anywhere on the board to upload them, or pick them with the board's Upload button: a
// panel lists each with its progress, and a refusal says why (the server's words, or ours for a
// file of no type the app keeps).
//
// A tile dragged onto the grid is not a file; a drop the composer took (its slots call
// preventDefault) or one inside the composer is left to the composer.
import {artifactTypeOf, uploadFile} from '../api.js';
import {formatBytes, h} from '../dom.js';

const TILE_TYPE = 'application/x-boards-generation';
const DONE_FADE_MS = 6000;

/** -> {pickFiles(), stop()} */
export function installDropUpload(root, {boardId, onUploaded, overlayHost = root}) {
  const list = h('ul', {class: 'upload-list'});
  const title = h('strong', {}, 'Uploads');
  const panel = h('section', {class: 'upload-panel', hidden: true, 'aria-label': 'Uploads', 'aria-live': 'polite', dataset: {testid: 'upload-panel'}},
    h('header', {}, title, h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Close the upload list', onclick: () => clearFinished(true)}, '✕')),
    list);
  const overlay = h('div', {class: 'drop-overlay', hidden: true, 'aria-hidden': 'true', dataset: {testid: 'drop-overlay'}},
    h('div', {class: 'drop-overlay-card'}, h('strong', {}, 'Drop to upload'), h('span', {class: 'muted'}, 'Images, video, audio and text join this board')));
  // The Upload button's file chooser (the same uploads as a drop).
  const chooser = h('input', {type: 'file', multiple: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true',
    accept: 'image/*,video/*,audio/*,text/*', dataset: {testid: 'upload-input'}});
  chooser.addEventListener('change', () => {
    const files = [...chooser.files];
    chooser.value = '';
    if (files.length) upload(files);
  });
  overlayHost.append(overlay);
  root.append(panel, chooser);
  let depth = 0;

  const isFileDrag = (event) => {
    const types = [...(event.dataTransfer?.types ?? [])];
    return types.includes('Files') && !types.includes(TILE_TYPE);
  };
  const leftToComposer = (event) => event.defaultPrevented || event.target.closest?.('[data-testid=composer]');

  const onEnter = (event) => {
    if (!isFileDrag(event)) return;
    depth += 1;
    if (!leftToComposer(event)) overlay.hidden = false;
  };
  const onOver = (event) => {
    if (!isFileDrag(event)) return;
    if (leftToComposer(event)) { overlay.hidden = true; return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    overlay.hidden = false;
  };
  const onLeave = (event) => {
    if (!isFileDrag(event)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  };
  const onDrop = (event) => {
    depth = 0;
    overlay.hidden = true;
    if (!isFileDrag(event) || leftToComposer(event)) return;
    event.preventDefault();
    const files = [...event.dataTransfer.files];
    if (files.length) upload(files);
  };
  root.addEventListener('dragenter', onEnter);
  root.addEventListener('dragover', onOver);
  root.addEventListener('dragleave', onLeave);
  root.addEventListener('drop', onDrop);

  function upload(files) {
    panel.hidden = false;
    for (const file of files) uploadOne(file);
    updateTitle();
  }

  function updateTitle() {
    const rows = [...list.children];
    const going = rows.filter((row) => row.dataset.state === 'uploading').length;
    title.textContent = going ? `Uploading ${going} of ${rows.length}` : 'Uploads';
  }

  async function uploadOne(file) {
    const bar = h('div', {class: 'upload-bar'});
    const note = h('span', {class: 'upload-note'}, formatBytes(file.size));
    const row = h('li', {class: 'upload-row', dataset: {state: 'uploading', name: file.name}},
      h('div', {class: 'upload-line'}, h('span', {class: 'upload-name', title: file.name}, file.name), note),
      h('div', {class: 'upload-progress', role: 'progressbar', 'aria-label': `Uploading ${file.name}`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0'}, bar));
    list.prepend(row);
    const type = artifactTypeOf(file);
    const refuse = (message) => {
      row.dataset.state = 'refused';
      note.textContent = message;
      note.classList.add('error-text');
      row.setAttribute('role', 'alert');
      updateTitle();
    };
    if (!type) {
      refuse(`Not uploaded: ${file.type || 'this kind of file'} is not an image, video, audio or text file.`);
      return;
    }
    try {
      const body = await uploadFile(boardId, file, (fraction) => {
        bar.style.width = `${Math.round(fraction * 100)}%`;
        row.querySelector('.upload-progress').setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
      }, type);
      bar.style.width = '100%';
      row.querySelector('.upload-progress').setAttribute('aria-valuenow', '100');
      row.dataset.state = 'done';
      row.dataset.generationId = body.id;
      note.textContent = 'Added';
      updateTitle();
      await onUploaded(body);
      setTimeout(() => { if (row.dataset.state === 'done') row.remove(); if (!list.children.length) panel.hidden = true; }, DONE_FADE_MS);
    } catch (error) {
      refuse(`Not uploaded: ${String(error.message).replace(/^file: /, '')}`);
    }
  }

  function clearFinished(all) {
    for (const row of [...list.children]) if (all || row.dataset.state !== 'uploading') if (row.dataset.state !== 'uploading') row.remove();
    if (!list.children.length) panel.hidden = true;
    updateTitle();
  }

  return {
    /** Open the system's file chooser; the files picked are uploaded like dropped ones. */
    pickFiles: () => chooser.click(),
    stop() {
      root.removeEventListener('dragenter', onEnter);
      root.removeEventListener('dragover', onOver);
      root.removeEventListener('dragleave', onLeave);
      root.removeEventListener('drop', onDrop);
      overlay.remove();
      panel.remove();
      chooser.remove();
    },
  };
}
