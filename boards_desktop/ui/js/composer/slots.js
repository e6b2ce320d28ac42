// Artifact slots: an input that takes results (generation ids), filled by dragging tiles in, by
// picking from the board, or by dropping files from the desktop (uploaded to the board at once).
import {GENERATION_FIELDS, gql, uploadFile} from '../api.js';
import {emit} from '../bus.js';
import {h} from '../dom.js';
import {generatorLabel} from '../names.js';
import {toast, toastError} from '../toast.js';
import {typeIcon} from './icons.js';

export const TILE_TYPE = 'application/x-boards-generation';
const ARTICLE = {image: 'an image', video: 'a video', audio: 'an audio clip', text: 'a text'};

const PICK_QUERY = `query Pick($id: UUID!, $limit: Int!, $offset: Int!, $filter: GenerationFilter) {
  board(id: $id) { generations(limit: $limit, offset: $offset, filter: $filter) {
    id artifactType thumbnailUrl storageUrl prompt generatorName createdAt } } }`;
const LOOKUP_QUERY = 'query Look($id: UUID!) { generation(id: $id) { id artifactType thumbnailUrl storageUrl status } }';

/** What a slot knows of a result it holds, by id (thumbnails for ids written from inputParams). */
const known = new Map();

export function remember(generation) {
  if (generation?.id) known.set(generation.id, {...known.get(generation.id), ...generation});
}

/** What is known of a result by id (looked up once): {id, artifactType, storageUrl, ...} or {id, missing}. */
export async function lookup(id) {
  if (known.get(id)?.artifactType) return known.get(id);
  try {
    const {generation} = await gql(LOOKUP_QUERY, {id});
    if (generation) remember(generation);
    return generation ?? {id, missing: true};
  } catch {
    return {id, missing: true};
  }
}

export function artifactSlot(field, id, {board}) {
  const type = field.artifactType;
  let items = [];  // {id, thumbnailUrl, artifactType, uploading, progress, name}
  const list = h('ul', {class: 'slot-items', role: 'list'});
  const empty = h('div', {class: 'slot-empty'},
    h('span', {class: 'slot-icon', 'aria-hidden': 'true'}, typeIcon(type)),
    h('span', {}, field.many ? `Drop ${type}s here` : `Drop ${ARTICLE[type] ?? type} here`));
  const pick = h('button', {type: 'button', class: 'ghost small', id, dataset: {testid: 'pick-from-board'},
    onclick: () => pickFromBoard()}, 'Pick from board');
  const fileInput = h('input', {type: 'file', hidden: true, multiple: field.many, accept: acceptOf(type),
    onchange: () => { uploadFiles([...fileInput.files]); fileInput.value = ''; }});
  const browse = h('button', {type: 'button', class: 'ghost small', onclick: () => fileInput.click()}, 'Add file…');
  const zone = h('div', {
    class: 'slot', role: 'group', tabindex: '-1', dataset: {testid: 'slot', slot: field.name, artifactType: type, many: String(field.many), state: 'empty'},
    'aria-label': `${field.title}: drop ${field.many ? `${type}s` : ARTICLE[type]}, or pick from the board`,
  }, empty, list, h('div', {class: 'slot-actions'}, pick, browse, fileInput));

  const room = () => (field.many ? (field.maxItems ?? Infinity) - items.length : 1);

  function render() {
    list.replaceChildren(...items.map((item, index) => {
      const remove = h('button', {type: 'button', class: 'slot-remove', 'aria-label': `Remove ${item.name ?? 'this input'}`, title: 'Remove',
        onclick: () => { items.splice(index, 1); render(); }}, '✕');
      const thumb = item.thumbnailUrl
        ? h('img', {src: item.thumbnailUrl, alt: item.name ?? `${type} input`, draggable: 'false', loading: 'lazy'})
        : h('span', {class: 'slot-icon', 'aria-hidden': 'true'}, item.missing ? '?' : typeIcon(item.artifactType ?? type, {size: 28}));
      return h('li', {class: `slot-item${item.uploading ? ' uploading' : ''}${item.missing ? ' missing' : ''}`,
        dataset: {generationId: item.id ?? '', state: item.uploading ? 'uploading' : 'ready'}, title: item.missing ? 'This result is gone' : item.name ?? ''},
        thumb,
        item.uploading && h('progress', {max: 1, value: item.progress ?? 0, 'aria-label': `Uploading ${item.name}`}),
        remove);
    }));
    empty.hidden = items.length > 0;
    zone.dataset.state = items.some((item) => item.uploading) ? 'uploading' : items.length ? 'filled' : 'empty';
    zone.dataset.count = String(items.filter((item) => !item.uploading).length);
    pick.disabled = field.many && room() <= 0;
  }

  function put(generation) {
    const artifactType = String(generation.artifactType ?? '').toLowerCase();
    if (artifactType && artifactType !== type) {
      toast(`${field.title} takes ${ARTICLE[type] ?? type}; that is ${ARTICLE[artifactType] ?? artifactType}`, {kind: 'error', timeout: 5000});
      return false;
    }
    remember({...generation, artifactType: artifactType.toUpperCase() || undefined});
    const item = {id: generation.id, thumbnailUrl: generation.thumbnailUrl, artifactType, name: generation.prompt ?? generation.name};
    if (!field.many) items = [item];
    else if (items.some((existing) => existing.id === item.id)) return true;
    else if (room() <= 0) {
      toast(`${field.title} takes at most ${field.maxItems}`, {kind: 'error', timeout: 5000});
      return false;
    } else items.push(item);
    render();
    return true;
  }

  async function uploadFiles(files) {
    const wanted = field.many ? files.slice(0, Math.max(0, room())) : files.slice(0, 1);
    if (files.length > wanted.length) toast(`${field.title} takes at most ${field.many ? field.maxItems : 1}: ${files.length - wanted.length} left out`);
    await Promise.all(wanted.map(async (file) => {
      const item = {id: null, uploading: true, progress: 0, name: file.name, artifactType: type,
        thumbnailUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : null};
      if (!field.many) items = [item]; else items.push(item);
      render();
      const bar = () => list.querySelector(`li:nth-child(${items.indexOf(item) + 1}) progress`);
      try {
        const uploaded = await upload(board.id, file, type, (fraction) => { item.progress = fraction; const b = bar(); if (b) b.value = fraction; });
        const kind = String(uploaded.artifactType).toLowerCase();
        announce(uploaded.id);
        if (item.thumbnailUrl?.startsWith('blob:')) URL.revokeObjectURL(item.thumbnailUrl);
        Object.assign(item, {id: uploaded.id, uploading: false, thumbnailUrl: uploaded.thumbnailUrl ?? uploaded.storageUrl});
        remember({id: uploaded.id, artifactType: kind.toUpperCase(), thumbnailUrl: item.thumbnailUrl});
      } catch (error) {
        items = items.filter((other) => other !== item);
        toastError(`Could not use ${file.name}`, error);
      }
      render();
    }));
  }

  // The grid shows a file uploaded here like any other new result.
  async function announce(generationId) {
    try {
      const {generation} = await gql(`query New($id: UUID!) { generation(id: $id) { ${GENERATION_FIELDS} } }`, {id: generationId});
      if (generation) emit('generation:created', {generation});
    } catch (error) {
      console.warn('the uploaded result could not be read back', error);
    }
  }

  async function pickFromBoard() {
    const chosen = await pickDialog({board, type, many: field.many, limit: room(), title: field.title, taken: items.map((item) => item.id)});
    for (const generation of chosen ?? []) put(generation);
  }

  zone.addEventListener('dragover', (event) => {
    const types = [...(event.dataTransfer?.types ?? [])];
    if (!types.includes(TILE_TYPE) && !types.includes('Files')) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = 'copy';  // tiles allow copy and move; 'link' would refuse the drop
    zone.classList.add('drop-target');
  });
  zone.addEventListener('dragleave', (event) => { if (!zone.contains(event.relatedTarget)) zone.classList.remove('drop-target'); });
  zone.addEventListener('drop', (event) => {
    zone.classList.remove('drop-target');
    const tile = event.dataTransfer?.getData(TILE_TYPE);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!tile && !files.length) return;
    event.preventDefault();
    event.stopPropagation();  // the board's own drop-to-upload leaves this one to the slot
    if (tile) {
      try {
        const dropped = JSON.parse(tile);
        const many = Array.isArray(dropped) ? dropped : [dropped];
        for (const generation of many) if (generation?.id) put(generation);
      } catch {
        toast('That could not be used as an input', {kind: 'error'});
      }
    } else uploadFiles(files);
  });

  render();
  return {
    node: zone,
    group: zone,
    inputs: [pick],
    setInvalid: (invalid) => zone.classList.toggle('invalid', invalid),
    read: () => {
      const ready = items.filter((item) => !item.uploading && item.id).map((item) => item.id);
      const busy = items.some((item) => item.uploading);
      return field.many ? {empty: ready.length === 0, value: ready, busy} : {empty: ready.length === 0, value: ready[0] ?? null, busy};
    },
    write: (value) => {
      const ids = (Array.isArray(value) ? value : value ? [value] : []).filter((entry) => typeof entry === 'string');
      items = ids.map((entry) => ({id: entry, artifactType: type, thumbnailUrl: known.get(entry)?.thumbnailUrl}));
      render();
      for (const item of items) {
        if (item.thumbnailUrl) continue;
        lookup(item.id).then((found) => {
          item.thumbnailUrl = found.thumbnailUrl;
          item.missing = Boolean(found.missing);
          render();
        });
      }
    },
    add: (generation) => put(generation),
    room,
  };
}

/** Upload one file to the board as a result of this slot's type; the server refuses a file of another type. */
async function upload(boardId, file, type, onProgress) {
  try {
    return await uploadFile(boardId, file, onProgress, type);
  } catch (error) {
    // Said beside the slot, the server's "file: " (the form part's name) would only puzzle.
    error.message = error.message.replace(/^file: /, '');
    throw error;
  }
}

function acceptOf(type) {
  return {image: 'image/*', video: 'video/*', audio: 'audio/*', text: 'text/*,.txt,.md'}[type] ?? '';
}

/** A dialog of the board's completed results of one type; resolves to the ones chosen ([] or null when cancelled). */
export function pickDialog({board, type, many, limit = Infinity, title, taken = []}) {
  const PAGE = 60;
  const chosen = new Map();
  const grid = h('div', {class: 'pick-grid', role: 'listbox', 'aria-multiselectable': String(many), 'aria-label': `Results of type ${type}`});
  const status = h('p', {class: 'muted pick-status'}, 'Loading…');
  const more = h('button', {type: 'button', class: 'ghost', hidden: true, onclick: () => load()}, 'Show more');
  const confirm = h('button', {type: 'button', class: 'primary', disabled: true, dataset: {testid: 'pick-confirm'},
    onclick: () => dialog.close('ok')}, many ? 'Add' : 'Use');
  const dialog = h('dialog', {class: 'pick-dialog', 'aria-labelledby': 'pick-title', dataset: {testid: 'pick-dialog'}},
    h('h2', {id: 'pick-title'}, `Pick for “${title}”`),
    status, grid, more,
    h('div', {class: 'dialog-actions'},
      h('button', {type: 'button', onclick: () => dialog.close('cancel')}, 'Cancel'), confirm));
  let offset = 0;

  const update = () => {
    confirm.disabled = chosen.size === 0;
    confirm.textContent = many ? (chosen.size ? `Add ${chosen.size}` : 'Add') : 'Use';
  };

  async function load() {
    more.disabled = true;
    try {
      const {board: found} = await gql(PICK_QUERY, {id: board.id, limit: PAGE, offset,
        filter: {artifactTypes: [type.toUpperCase()], statuses: ['COMPLETED']}});
      const page = found?.generations ?? [];
      offset += page.length;
      for (const generation of page) {
        remember(generation);
        const option = h('button', {type: 'button', class: 'pick-option', role: 'option', 'aria-selected': 'false',
          dataset: {generationId: generation.id}, title: generation.prompt ?? generatorLabel(generation.generatorName),
          disabled: taken.includes(generation.id)},
          generation.thumbnailUrl ? h('img', {src: generation.thumbnailUrl, alt: generation.prompt ?? generatorLabel(generation.generatorName), loading: 'lazy'})
            : h('span', {class: 'pick-text'}, typeIcon(type), h('span', {}, generation.prompt ?? generatorLabel(generation.generatorName))));
        option.addEventListener('click', () => {
          if (!many) {
            chosen.clear();
            chosen.set(generation.id, generation);
            dialog.close('ok');
            return;
          }
          if (chosen.has(generation.id)) chosen.delete(generation.id);
          else if (chosen.size < limit) chosen.set(generation.id, generation);
          else toast(`At most ${limit} more fit in “${title}”`);
          option.setAttribute('aria-selected', String(chosen.has(generation.id)));
          update();
        });
        grid.append(option);
      }
      status.textContent = offset ? (many ? 'Choose one or more.' : 'Choose one.') : `No finished ${type} results on this board yet.`;
      more.hidden = page.length < PAGE;
      dialog.dataset.state = 'ready';
    } catch (error) {
      status.textContent = `The board's results could not be loaded: ${error.message}`;
      status.classList.add('error-text');
    }
    more.disabled = false;
  }

  document.body.append(dialog);
  dialog.showModal();
  load();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok' ? [...chosen.values()] : null);
      dialog.remove();
    }, {once: true});
  });
}
