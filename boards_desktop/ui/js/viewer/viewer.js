// The viewer: a generation full size with its details, opened by the `viewer:open` bus event.
//
// The open viewer is in the URL (#/boards/<id>?view=<generation id>): opening it adds a history
// entry, so that Back closes it; moving to another result replaces that entry; a reload or a link
// opens it again.
//
// Listens: viewer:open {id, neighbour}, route:query {params}. Emits: generation:changed {generation}
// (star, tags), generations:removed {ids} (delete), composer:use-settings / composer:add-input {generation}.
// Hooks for tests: [data-testid=viewer][data-generation-id][data-state=loading|ready|error],
// the stage's [data-testid=zoom-stage][data-zoom], [data-testid=viewer-panel], [data-testid=lineage-graph].
import {GENERATION_FIELDS, gql} from '../api.js';
import {emit, on} from '../bus.js';
import {routeParams, setRouteParam} from '../app.js';
import {bridge, saveMedia, showInFolder} from '../desktop.js';
import {confirmDialog, formDialog} from '../dialog.js';
import {h, shortDateTime, timeAgo} from '../dom.js';
import {addShortcut} from '../shortcuts.js';
import {toast, toastError} from '../toast.js';
import {visibleTimeout} from '../timers.js';
import {typeIcon} from '../composer/icons.js';
import {generatorInfo, generatorLabel} from '../names.js';
import {paramTitle, paramWords} from './params.js';
import {lineageChip, lineageGraph, NODE_FIELDS} from './lineage.js';
import {zoomableImage} from './zoom.js';
import {offerUndo} from '../undo.js';
import {restoreFromTrash} from '../trash.js';
import {compareWithParent} from '../compare/compare.js';
import {avatar, personName, USER_FIELDS} from '../people.js';

const VIEW_QUERY = `query View($id: UUID!) { generation(id: $id) { ${GENERATION_FIELDS} user { ${USER_FIELDS} }
  inputArtifacts { generation { ${NODE_FIELDS} } }
  descendants(maxDepth: 1) { children { role generation { ${NODE_FIELDS} } } } } }`;
const STAR = `mutation Star($ids: [UUID!]!, $on: Boolean!) { setFavourite(generationIds: $ids, favourite: $on) { ${GENERATION_FIELDS} } }`;
const ONE = `query One($id: UUID!) { generation(id: $id) { ${GENERATION_FIELDS} } }`;
const TAGS = '{ tags(limit: 500) { id name slug } }';
const CREATE_TAG = 'mutation Tag($name: String!) { createTag(input: {name: $name}) { id name slug } }';
const ADD_TAG = 'mutation AddTag($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id } }';
const REMOVE_TAG = 'mutation RemoveTag($g: UUID!, $t: UUID!) { removeTagFromGeneration(generationId: $g, tagId: $t) }';
const DELETE = 'mutation Delete($id: UUID!) { deleteGeneration(id: $id) }';
const WEBUI_SETTINGS = 'query WebuiSettings($id: UUID!) { webuiSettings(generationId: $id) { generatorName inputParams notAvailable } }';
const ADD_WORKFLOW = `mutation AddWorkflow($id: UUID!, $name: String!) { addComfyWorkflowFromGeneration(generationId: $id, name: $name) {
  generatorName inputParams generator { name displayName icon description artifactType inputSchema provider available unavailableReason } } }`;
const WEBUI_GENERATOR = 'sdwebui/text-to-image';
const TYPE_LABELS = {IMAGE: 'Image', VIDEO: 'Video', AUDIO: 'Audio', TEXT: 'Text'};
const RUNNING = new Set(['PENDING', 'PROCESSING']);

/**
 * Listen for `viewer:open` on this board, and open what the URL names: `openFromUrl(id)` asks the
 * board to open one (with its grid's neighbours). Returns a cleanup function.
 */
export function installViewer({board, openFromUrl}) {
  let viewer = null;
  let pushed = false;      // this viewer's history entry is ours: closing it goes Back
  let ownBacks = 0;        // route changes our own history.back() will cause (not the artist's)
  let backing = null;      // resolves once our history.back() has landed

  function urlShows(id) {
    const write = () => {
      const shown = routeParams().get('view');
      if (shown === id || !viewer) return;
      if (shown) setRouteParam('view', id);
      else { setRouteParam('view', id, {push: true}); pushed = true; }
    };
    if (backing) backing.then(write); else write();
  }

  function urlCloses() {
    if (!routeParams().get('view')) return;
    if (pushed) {
      pushed = false;
      ownBacks += 1;
      backing = new Promise((resolve) => window.addEventListener('popstate', () => { backing = null; resolve(); }, {once: true}));
      history.back();
    } else setRouteParam('view', null);
  }

  function open(id, neighbour) {
    if (!viewer) {
      viewer = openViewer({board, neighbour, onShow: urlShows, onClosed: (byHistory) => {
        viewer = null;
        if (!byHistory) urlCloses();
      }});
    } else viewer.setNeighbour(neighbour);
    viewer.show(id);
  }

  const stops = [
    on('viewer:open', ({id, neighbour}) => { if (id) open(id, neighbour); }),
    on('route:query', ({params}) => {
      if (ownBacks) { ownBacks -= 1; return; }
      const id = params.get('view');
      if (!id) { pushed = false; viewer?.close(true); }
      else if (viewer?.current() !== id) openFromUrl ? openFromUrl(id) : open(id, null);
    }),
  ];
  const fromUrl = routeParams().get('view');
  if (fromUrl) queueMicrotask(() => (openFromUrl ? openFromUrl(fromUrl) : open(fromUrl, null)));
  return () => {
    stops.forEach((stop) => stop());
    const closing = viewer;
    viewer = null;
    closing?.close(true);  // the page is going: its history is the router's now
  };
}

function openViewer({board, neighbour, onShow, onClosed}) {
  let findNeighbour = neighbour;
  let generation = null;
  let media = null;
  let turn = 0;
  let poll = null;
  let tab = 'details';
  let large = false;  // the lineage graph fills the stage instead of the media
  const returnFocus = document.activeElement;

  const title = h('h2', {class: 'viewer-title', id: 'viewer-title'}, 'Loading…');
  const counter = h('span', {class: 'viewer-position muted'});
  const prev = h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Previous (←)', title: 'Previous (←)', dataset: {testid: 'viewer-prev'}, onclick: () => step(-1)}, '‹');
  const next = h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Next (→)', title: 'Next (→)', dataset: {testid: 'viewer-next'}, onclick: () => step(1)}, '›');
  const zoomOut = h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Zoom out', title: 'Zoom out (-)', onclick: () => media?.zoomOut?.()}, '−');
  const zoomLabel = h('span', {class: 'zoom-label', 'aria-live': 'polite', dataset: {testid: 'zoom-label'}}, '');
  const zoomIn = h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Zoom in', title: 'Zoom in (+)', dataset: {testid: 'zoom-in'}, onclick: () => media?.zoomIn?.()}, '+');
  const fitButton = h('button', {type: 'button', class: 'ghost small', title: 'Fit to the window (0)', dataset: {testid: 'zoom-fit'}, onclick: () => media?.fit?.()}, 'Fit');
  const actualButton = h('button', {type: 'button', class: 'ghost small', title: 'Actual size (1)', dataset: {testid: 'zoom-actual'}, onclick: () => media?.actual?.()}, '100%');
  const zoomTools = h('div', {class: 'zoom-tools', role: 'group', 'aria-label': 'Zoom', hidden: true}, zoomOut, zoomLabel, zoomIn, fitButton, actualButton);
  const graphToggle = h('button', {type: 'button', class: 'ghost small graph-toggle', 'aria-pressed': 'false', title: 'The lineage graph, large (L)',
    dataset: {testid: 'viewer-graph-toggle'}, onclick: () => toggleLarge()}, 'Lineage graph');
  const compareButton = h('button', {type: 'button', class: 'ghost small', hidden: true, title: 'Beside what it was made from, zoomed together (C)',
    dataset: {testid: 'viewer-compare'}, onclick: () => compareWithParent(generation)}, 'Compare with parent');
  const close = h('button', {type: 'button', class: 'icon-button viewer-close', 'aria-label': 'Close (Esc)', title: 'Close (Esc)', dataset: {testid: 'viewer-close'}, onclick: () => doClose()}, '✕');
  const stage = h('div', {class: 'viewer-stage', dataset: {testid: 'viewer-stage'}});
  const panel = h('aside', {class: 'viewer-panel', 'aria-label': 'Details', dataset: {testid: 'viewer-panel'}});
  const overlay = h('div', {class: 'viewer-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'viewer-title',
    dataset: {testid: 'viewer', state: 'loading'}},
  h('div', {class: 'viewer-main'},
    h('div', {class: 'viewer-toolbar'}, h('div', {class: 'viewer-nav'}, prev, next, counter), zoomTools,
      h('div', {class: 'viewer-toolbar-end'}, compareButton, graphToggle, close)),
    stage),
  panel);
  panel.prepend(title);
  document.body.append(overlay);
  document.body.classList.add('viewer-open');

  // Focus stays inside while it is open.
  overlay.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const focusable = [...overlay.querySelectorAll('button:not(:disabled), a[href], input, select, textarea, video, audio, [tabindex]:not([tabindex="-1"])')]
      .filter((node) => node.offsetParent !== null || node === document.activeElement);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && (document.activeElement === first || !overlay.contains(document.activeElement))) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (document.activeElement === last || !overlay.contains(document.activeElement))) { event.preventDefault(); first.focus(); }
  });
  const outside = (event) => { if (!overlay.contains(event.target) && !event.target.closest?.('dialog, .toasts, [data-testid=compare]')) close.focus(); };
  document.addEventListener('focusin', outside);
  queueMicrotask(() => close.focus());

  // Compare may lie over the viewer: the viewer's keys rest meanwhile.
  const noDialog = () => !document.querySelector('dialog[open], [data-testid=compare]');
  const ready = () => noDialog() && generation !== null;
  const shortcuts = [
    addShortcut({keys: 'arrowleft', label: '←', description: 'Previous result', group: 'Viewer', run: () => step(-1), when: noDialog}),
    addShortcut({keys: 'arrowright', label: '→', description: 'Next result', group: 'Viewer', run: () => step(1), when: noDialog}),
    addShortcut({keys: 'escape', label: 'Esc', description: 'Close the viewer', group: 'Viewer', run: () => doClose(), when: noDialog, whileTyping: true}),
    addShortcut({keys: 'u', label: 'U', description: 'Use these settings in the composer', group: 'Viewer', run: () => useSettings(), when: () => ready() && !board.readOnly}),
    addShortcut({keys: 'i', label: 'I', description: 'Use as an input in the composer', group: 'Viewer', run: () => useAsInput(), when: () => ready() && !board.readOnly}),
    addShortcut({keys: 'd', label: 'D', description: 'Download', group: 'Viewer', run: () => download(), when: ready}),
    addShortcut({keys: 'delete', label: 'Delete', description: 'Delete this result', group: 'Viewer', run: () => remove(), when: () => ready() && !board.readOnly}),
    addShortcut({keys: 's', label: 'S', description: 'Star or unstar', group: 'Viewer', run: () => star(), when: ready}),
    addShortcut({keys: 'l', label: 'L', description: 'Show the lineage graph large, or the result again', group: 'Viewer', run: () => toggleLarge(), when: ready}),
    addShortcut({keys: '+', label: '+', description: 'Zoom in', group: 'Viewer', run: () => media?.zoomIn?.(), when: noDialog}),
    addShortcut({keys: '=', label: '=', description: 'Zoom in', group: 'Viewer', run: () => media?.zoomIn?.(), when: noDialog, hidden: true}),
    addShortcut({keys: '-', label: '-', description: 'Zoom out', group: 'Viewer', run: () => media?.zoomOut?.(), when: noDialog}),
    addShortcut({keys: '0', label: '0', description: 'Fit to the window', group: 'Viewer', run: () => media?.fit?.(), when: noDialog}),
    addShortcut({keys: '1', label: '1', description: 'Actual size', group: 'Viewer', run: () => media?.actual?.(), when: noDialog}),
    addShortcut({keys: 'c', label: 'C', description: 'Compare with its parent (what it was made from)', group: 'Viewer', run: () => compareWithParent(generation), when: ready}),
  ];
  const stopChanged = on('generation:changed', ({generation: changed}) => {
    if (changed?.id === generation?.id && changed !== generation) { generation = {...generation, ...changed}; renderPanel(); }
  });
  // An upload's "Use these settings" depends on the WebUI generator being known (the composer loads the list).
  const stopNamed = on('generators:named', () => { if (generation && isUpload(generation) && tab === 'details') renderPanel(); });

  /** Close; `byHistory` when Back (or leaving the page) closed it, so the URL is left alone. */
  function doClose(byHistory = false) {
    if (!overlay.isConnected) return;
    poll?.();
    media?.destroy?.();
    shortcuts.forEach((remove) => remove());
    stopChanged();
    stopNamed();
    document.removeEventListener('focusin', outside);
    overlay.remove();
    document.body.classList.remove('viewer-open');
    const tile = generation && document.querySelector(`.tile[data-generation-id="${CSS.escape(generation.id)}"]`);
    (tile ?? (returnFocus?.isConnected ? returnFocus : null))?.focus?.();
    onClosed(byHistory === true);
  }

  async function show(id) {
    const mine = ++turn;
    poll?.();
    if (generation?.id !== id) overlay.dataset.state = 'loading';
    overlay.dataset.generationId = id;
    onShow?.(id);
    let found;
    try {
      found = (await gql(VIEW_QUERY, {id})).generation;
    } catch (error) {
      if (mine !== turn) return;
      overlay.dataset.state = 'error';
      stage.replaceChildren(h('div', {class: 'viewer-message error-text'}, `This result could not be loaded: ${error.message}`));
      return;
    }
    if (mine !== turn) return;
    if (!found) {
      overlay.dataset.state = 'error';
      stage.replaceChildren(h('div', {class: 'viewer-message'}, 'This result was deleted.'));
      panel.replaceChildren(title);
      title.textContent = 'Gone';
      return;
    }
    const same = generation?.id === found.id;
    if (same && generation.updatedAt === found.updatedAt && overlay.dataset.state === 'ready') {
      if (RUNNING.has(found.status)) poll = visibleTimeout(() => { if (overlay.isConnected && generation?.id === id) show(id); }, 1500);
      return;
    }
    const sameMedia = same && generation?.storageUrl === found.storageUrl && media;
    generation = found;
    compareButton.hidden = !found.inputArtifacts.some((input) => input.generationId);
    if (large) renderLarge();
    else if (!sameMedia) renderStage();
    renderPanel();
    updateNav();
    overlay.dataset.state = 'ready';
    overlay.dataset.status = found.status.toLowerCase();
    if (RUNNING.has(found.status)) poll = visibleTimeout(() => { if (overlay.isConnected && generation?.id === id) show(id); }, 1500);
  }

  async function updateNav() {
    const id = generation.id;
    prev.disabled = !findNeighbour;
    next.disabled = !findNeighbour;
    if (!findNeighbour) return;
    try {
      const [before, after] = await Promise.all([findNeighbour(id, -1), findNeighbour(id, 1)]);
      if (generation?.id !== id) return;
      prev.disabled = !before;
      next.disabled = !after;
    } catch {
      /* the arrows stay usable: a step says if it fails */
    }
  }

  async function step(delta) {
    if (!findNeighbour || !generation) return;
    try {
      const target = await findNeighbour(generation.id, delta);
      if (target) show(target);
      else toast(delta > 0 ? 'This is the last one' : 'This is the first one', {timeout: 1500});
    } catch (error) {
      toastError('Could not move to the next result', error);
    }
  }

  function toggleLarge() {
    if (!generation) return;
    large = !large;
    graphToggle.setAttribute('aria-pressed', String(large));
    graphToggle.textContent = large ? 'Back to the result' : 'Lineage graph';
    overlay.dataset.view = large ? 'lineage' : 'media';
    if (large) renderLarge();
    else renderStage();
  }

  function renderLarge() {
    media?.destroy?.();
    media = null;
    zoomTools.hidden = true;
    const id = generation.id;
    stage.replaceChildren(h('div', {class: 'viewer-message'}, h('div', {class: 'spinner'})));
    lineageGraph(id, {onOpen: (other) => show(other)}).then((graph) => {
      if (large && generation?.id === id) stage.replaceChildren(h('div', {class: 'lineage-stage', dataset: {testid: 'lineage-stage'}}, graph));
    });
  }

  function renderStage() {
    media?.destroy?.();
    media = null;
    zoomTools.hidden = true;
    const g = generation;
    const alt = g.prompt ?? `${generatorLabel(g.generatorName)} result`;
    if (!g.storageUrl) {
      stage.replaceChildren(h('div', {class: 'viewer-message', dataset: {testid: 'viewer-placeholder'}},
        g.thumbnailUrl && h('img', {src: g.thumbnailUrl, alt, class: 'viewer-placeholder-image'}),
        h('p', {}, statusLine(g))));
      return;
    }
    switch (g.artifactType) {
      case 'IMAGE': {
        media = zoomableImage({src: g.storageUrl, alt, onZoom: (scale) => { zoomLabel.textContent = `${Math.round(scale * 100)}%`; }});
        zoomTools.hidden = false;
        stage.replaceChildren(media.node);
        break;
      }
      case 'VIDEO': {
        const video = h('video', {src: g.storageUrl, controls: true, autoplay: true, muted: true, loop: true, playsinline: true,
          poster: g.thumbnailUrl ?? null, class: 'viewer-video', dataset: {testid: 'viewer-video'}});
        video.addEventListener('error', () => {
          video.dataset.state = 'error';
          stage.append(h('p', {class: 'viewer-media-error', role: 'status'}, 'This video cannot be played here; download it to watch it.'));
        });
        stage.replaceChildren(video);
        break;
      }
      case 'AUDIO':
        stage.replaceChildren(h('div', {class: 'viewer-audio'},
          g.thumbnailUrl ? h('img', {src: g.thumbnailUrl, alt: ''}) : h('div', {class: 'audio-glyph', 'aria-hidden': 'true'}, typeIcon('audio', {size: 96})),
          h('audio', {src: g.storageUrl, controls: true, autoplay: true, dataset: {testid: 'viewer-audio'}})));
        break;
      case 'TEXT': {
        const text = h('pre', {class: 'viewer-text', tabindex: '0', dataset: {testid: 'viewer-text'}}, 'Loading…');
        stage.replaceChildren(h('div', {class: 'viewer-text-wrap'}, text));
        fetch(g.storageUrl).then((response) => {
          if (!response.ok) throw new Error(`the app answered ${response.status}`);
          return response.text();
        }).then((content) => { text.textContent = content; }, (error) => {
          text.textContent = `The text could not be read: ${error.message}`;
          text.classList.add('error-text');
        });
        break;
      }
      default:
        stage.replaceChildren(h('div', {class: 'viewer-message'}, `A ${g.artifactType.toLowerCase()} file`, ' ', h('a', {href: g.storageUrl}, 'Open')));
    }
  }

  function renderPanel() {
    const g = generation;
    title.textContent = titleOf(g);
    const original = isUpload(g) ? g.outputMetadata?.original_filename : null;
    const usable = g.status === 'COMPLETED' && g.storageUrl;
    const starButton = h('button', {type: 'button', class: `icon-button star${g.isFavourite ? ' on' : ''}`, 'aria-pressed': String(g.isFavourite),
      'aria-label': g.isFavourite ? 'Unstar (S)' : 'Star (S)', title: g.isFavourite ? 'Unstar (S)' : 'Star (S)', dataset: {testid: 'viewer-star'},
      onclick: () => star()}, g.isFavourite ? '★' : '☆');
    const action = (label, run, {testid, disabled = false, kbd, danger = false} = {}) => h('button', {type: 'button',
      class: `viewer-action${danger ? ' danger' : ''}`, disabled, dataset: {testid}, onclick: run, title: kbd ? `${label} (${kbd})` : label},
    label, kbd && h('kbd', {'aria-hidden': 'true'}, kbd));
    const actions = h('div', {class: 'viewer-actions'},
      // An upload was made with no settings of ours; those the WebUI wrote into it fit the WebUI's generator.
      // A viewer of the board has no composer here: what would fill it is not offered.
      !board.readOnly && (!isUpload(g) || hasWebuiSettings(g)) && action('Use these settings', () => useSettings(), {testid: 'viewer-use-settings', kbd: 'U'}),
      // A ComfyUI picture carries the workflow that made it: an editor of the board may add it as a generator.
      isUpload(g) && g.outputMetadata?.metadata_from === 'ComfyUI' && !board.readOnly
        && action('Add as ComfyUI workflow', () => addComfyWorkflow(), {testid: 'viewer-add-comfy-workflow', disabled: !usable}),
      !board.readOnly && action('Use as input', () => useAsInput(), {testid: 'viewer-use-input', disabled: !usable, kbd: 'I'}),
      action('Download', () => download(), {testid: 'viewer-download', disabled: !g.storageUrl, kbd: 'D'}),
      g.artifactType === 'IMAGE' && action('Copy image', () => copyImage(), {testid: 'viewer-copy', disabled: !g.storageUrl}),
      bridge() && action('Show in folder', () => showInFolder(g.storageUrl), {testid: 'viewer-show-in-folder', disabled: !g.storageUrl}),
      action('Copy link', () => copyLink(), {testid: 'viewer-copy-link'}),
      !board.readOnly && action('Delete', () => remove(), {testid: 'viewer-delete', danger: true, kbd: 'Del'}));
    const tabs = h('div', {class: 'viewer-tabs', role: 'tablist', 'aria-label': 'Views'},
      tabButton('details', 'Details'), tabButton('lineage', 'Lineage'));
    const body = h('div', {class: 'viewer-tab-body', role: 'tabpanel', id: 'viewer-tabpanel', 'aria-labelledby': `viewer-tab-${tab}`});
    if (tab === 'details') body.append(...details(g));
    else lineageGraph(g.id, {onOpen: (id) => show(id)}).then((graph) => body.append(graph));
    panel.replaceChildren(...[
      h('div', {class: 'viewer-panel-head'}, title, starButton),
      h('div', {class: 'viewer-subtitle'},
        h('span', {class: `status-badge status-${g.status.toLowerCase()}`, dataset: {testid: 'viewer-status'}}, g.status.toLowerCase()),
        h('span', {class: 'type-badge'}, TYPE_LABELS[g.artifactType] ?? g.artifactType),
        h('time', {class: 'muted', datetime: g.createdAt, title: shortDateTime(g.createdAt)}, timeAgo(g.createdAt)),
        // Who made it, on a board more than one person works on.
        g.user && (board.members?.length || g.user.id !== board.ownerId)
          && h('span', {class: 'viewer-creator', dataset: {testid: 'viewer-creator'}}, avatar(g.user, 18), personName(g.user))),
      original && h('p', {class: 'viewer-file-name', title: 'The uploaded file', dataset: {testid: 'viewer-file-name'}}, String(original)),
      g.prompt && h('blockquote', {class: 'viewer-prompt', dataset: {testid: 'viewer-prompt'}}, g.prompt),
      actions, tabs, body].filter(Boolean));
  }

  function tabButton(name, label) {
    return h('button', {type: 'button', role: 'tab', id: `viewer-tab-${name}`, class: 'viewer-tab', 'aria-selected': String(tab === name),
      'aria-controls': 'viewer-tabpanel', dataset: {testid: `viewer-tab-${name}`},
      onclick: () => { if (tab !== name) { tab = name; renderPanel(); panel.querySelector(`#viewer-tab-${name}`)?.focus(); } }}, label);
  }

  function details(g) {
    const sections = [];
    if (RUNNING.has(g.status) || g.status === 'FAILED' || g.status === 'CANCELLED') {
      sections.push(section('Status', h('div', {class: 'viewer-status-line'},
        h('span', {}, statusLine(g)),
        RUNNING.has(g.status) && h('progress', {max: 100, value: g.progress ?? 0, 'aria-label': 'Progress'}),
        g.errorMessage && h('p', {class: 'error-text', dataset: {testid: 'viewer-error'}}, g.errorMessage))));
    }
    const inputIds = new Set(g.inputArtifacts.map((input) => input.generationId));
    // An upload has no settings of its own ("source: upload" says nothing); those another tool wrote into
    // the file (its model, seed, sampler) are shown like a generation's.
    const params = Object.entries(g.inputParams ?? {}).filter(([name]) => name !== 'prompt' && !(isUpload(g) && name === 'source'));
    if (!isUpload(g) || params.length) sections.push(section('Parameters', params.length
      ? h('dl', {class: 'viewer-params', dataset: {testid: 'viewer-params'}}, params.map(([name, value]) => [
        h('dt', {title: name}, paramTitle(g.generatorName, name)),
        h('dd', {dataset: {param: name}}, paramWords(g.generatorName, name, value) ?? paramText(value, inputIds)),
      ]))
      : h('p', {class: 'muted'}, 'No other settings.')));
    sections.push(section('Generator', h('dl', {class: 'viewer-params'},
      h('dt', {}, 'Name'), h('dd', {dataset: {testid: 'viewer-generator-label'}}, generatorLabel(g.generatorName)),
      h('dt', {}, 'ID'), h('dd', {class: 'mono', dataset: {testid: 'viewer-generator'}}, g.generatorName),
      h('dt', {}, 'Type'), h('dd', {}, TYPE_LABELS[g.artifactType] ?? g.artifactType),
      metaEntries(g.outputMetadata))));
    sections.push(section('Timings', timings(g)));
    if (!board.readOnly || g.tags.length) sections.push(section('Tags', tagEditor(g)));
    const inputs = g.inputArtifacts.filter((input) => input.generation);
    const gone = g.inputArtifacts.length - inputs.length;
    sections.push(section('Made from', inputs.length || gone
      ? h('div', {class: 'thumb-row', dataset: {testid: 'viewer-inputs'}},
        inputs.map((input) => lineageChip(input.generation, {onOpen: (id) => show(id), role: input.role})),
        gone ? h('span', {class: 'muted'}, `${gone} input${gone === 1 ? ' is' : 's are'} gone`) : null)
      : h('p', {class: 'muted'}, 'No inputs.')));
    const children = g.descendants?.children ?? [];
    sections.push(section('Made from it', children.length
      ? h('div', {class: 'thumb-row', dataset: {testid: 'viewer-results'}},
        children.map((child) => lineageChip(child.generation, {onOpen: (id) => show(id), role: child.role})))
      : h('p', {class: 'muted'}, 'Nothing yet.')));
    return sections;
  }

  function tagEditor(g) {
    const list = h('div', {class: 'chips viewer-tags', dataset: {testid: 'viewer-tags'}}, g.tags.map((tag) => h('span', {class: 'chip', dataset: {tag: tag.name}},
      tag.name, !board.readOnly && h('button', {type: 'button', class: 'chip-remove', 'aria-label': `Remove the tag ${tag.name}`, onclick: () => removeTag(tag)}, '✕'))));
    if (board.readOnly) return list;  // tagging takes the editor role
    const datalist = h('datalist', {id: 'viewer-tag-names'});
    gql(TAGS).then(({tags}) => datalist.replaceChildren(...tags.filter((tag) => !g.tags.some((own) => own.id === tag.id))
      .map((tag) => h('option', {value: tag.name})))).catch(() => {});
    const input = h('input', {type: 'text', placeholder: 'Add a tag', 'aria-label': 'Add a tag', list: 'viewer-tag-names', autocomplete: 'off',
      dataset: {testid: 'viewer-tag-input'}, maxlength: 100});
    const formNode = h('form', {class: 'tag-form'}, input, datalist, h('button', {type: 'submit', class: 'small'}, 'Add'));
    formNode.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = input.value.trim();
      if (name) addTag(name);
    });
    return h('div', {}, list, formNode);
  }

  async function refreshAndAnnounce() {
    const id = generation.id;
    const {generation: fresh} = await gql(ONE, {id});
    if (fresh) {
      emit('generation:changed', {generation: fresh});
      if (generation?.id === id) { generation = {...generation, ...fresh}; renderPanel(); }
    }
  }

  async function addTag(name) {
    try {
      const {tags} = await gql(TAGS);
      let tag = tags.find((other) => other.name.toLowerCase() === name.toLowerCase());
      if (!tag) {
        try {
          tag = (await gql(CREATE_TAG, {name})).createTag;
        } catch (error) {
          tag = (await gql(TAGS)).tags.find((other) => other.name.toLowerCase() === name.toLowerCase());
          if (!tag) throw error;
        }
      }
      await gql(ADD_TAG, {g: generation.id, t: tag.id});
      await refreshAndAnnounce();
      panel.querySelector('[data-testid=viewer-tag-input]')?.focus();
      toast(`Tagged “${tag.name}”`, {kind: 'ok'});
    } catch (error) {
      toastError('Could not add the tag', error);
    }
  }

  async function removeTag(tag) {
    try {
      await gql(REMOVE_TAG, {g: generation.id, t: tag.id});
      await refreshAndAnnounce();
      toast(`Removed the tag “${tag.name}”`);
    } catch (error) {
      toastError('Could not remove the tag', error);
    }
  }

  async function star() {
    if (!generation) return;
    const on = !generation.isFavourite;
    try {
      const [fresh] = (await gql(STAR, {ids: [generation.id], on})).setFavourite;
      generation = {...generation, ...fresh};
      emit('generation:changed', {generation: fresh});
      renderPanel();
      toast(on ? 'Starred' : 'Unstarred', {kind: 'ok', timeout: 1500});
    } catch (error) {
      toastError(on ? 'Could not star it' : 'Could not unstar it', error);
    }
  }

  function useSettings() {
    if (!generation) return;
    if (isUpload(generation)) {
      if (hasWebuiSettings(generation)) useWebuiSettings(generation);
      else toast('An upload has no settings to use; use it as an input instead', {timeout: 4000});
      return;
    }
    emit('composer:use-settings', {generation});
    doClose();
  }

  /** The WebUI's settings found in an upload, in the WebUI generator's form (the server maps them). */
  async function useWebuiSettings(g) {
    let found;
    try {
      found = (await gql(WEBUI_SETTINGS, {id: g.id})).webuiSettings;
    } catch (error) {
      toastError('Could not read these settings', error);
      return;
    }
    if (!found) {
      toast('These settings fit no generator here', {kind: 'error', timeout: 5000});
      return;
    }
    const note = found.notAvailable.length ? `Not available on this WebUI: ${found.notAvailable.join(', ')}` : null;
    emit('composer:use-settings', {generation: {generatorName: found.generatorName, inputParams: found.inputParams, artifactType: 'IMAGE'}, note});
    doClose();
  }

  /** The ComfyUI workflow the picture carries, added as a generator under a name the artist gives. */
  async function addComfyWorkflow() {
    const g = generation;
    if (!g) return;
    const answer = await formDialog({title: 'Add as a ComfyUI workflow', submit: 'Add',
      fields: [{name: 'name', label: 'Name of the new generator', value: suggestedName(g), required: true}]});
    if (!answer?.name) return;
    let added;
    try {
      added = (await gql(ADD_WORKFLOW, {id: g.id, name: answer.name})).addComfyWorkflowFromGeneration;
    } catch (error) {
      toastError('Could not add the workflow', error);
      return;
    }
    emit('generators:added', {generator: added.generator});
    const label = added.generator.displayName || added.generatorName;
    toast(`Added “${label}” as a ComfyUI workflow (${added.generatorName})`, {kind: 'ok', timeout: 10000,
      action: {label: 'Open in composer', run: () => {
        emit('composer:use-settings', {generation: {generatorName: added.generatorName, inputParams: added.inputParams, artifactType: 'IMAGE'}});
        if (overlay.isConnected) doClose();
      }}});
  }

  function useAsInput() {
    if (!generation) return;
    if (generation.status !== 'COMPLETED' || !generation.storageUrl) {
      toast('Only a finished result can be an input', {kind: 'error', timeout: 4000});
      return;
    }
    emit('composer:add-input', {generation});
    doClose();
  }

  function download() {
    if (!generation?.storageUrl) return toast('There is no file to download yet', {kind: 'error', timeout: 3000});
    return saveMedia(generation.storageUrl, fileName(generation));
  }

  async function copyImage() {
    const g = generation;
    try {
      if (!navigator.clipboard?.write || typeof ClipboardItem === 'undefined') throw new Error('this browser cannot put images on the clipboard');
      const png = (async () => {
        const response = await fetch(g.storageUrl);
        if (!response.ok) throw new Error(`the app answered ${response.status}`);
        const blob = await response.blob();
        return blob.type === 'image/png' ? blob : toPng(blob);
      })();
      await navigator.clipboard.write([new ClipboardItem({'image/png': png})]);
      toast('Image copied to the clipboard', {kind: 'ok'});
    } catch (error) {
      toastError('Could not copy the image', error);
    }
  }

  /** A link that opens this result in the viewer, on its board (in this app, or a browser signed in to it). */
  async function copyLink() {
    const g = generation;
    const link = `${location.origin}${location.pathname}#/boards/${g.boardId ?? board.id}?view=${g.id}`;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('this window cannot write to the clipboard');
      await navigator.clipboard.writeText(link);
      toast('Link copied: it opens this result', {kind: 'ok'});
    } catch (error) {
      toastError('Could not copy the link', error);
    }
  }

  async function remove() {
    const g = generation;
    if (!g) return;
    const ok = await confirmDialog({title: 'Delete this result?', message: `The ${(TYPE_LABELS[g.artifactType] ?? 'result').toLowerCase()} goes to the Trash, where you can restore it for 30 days.`,
      confirm: 'Delete', danger: true});
    if (!ok) return;
    let target = null;
    try {
      target = findNeighbour ? (await findNeighbour(g.id, 1)) ?? (await findNeighbour(g.id, -1)) : null;
    } catch {
      target = null;
    }
    try {
      await gql(DELETE, {id: g.id});
    } catch (error) {
      toastError('Could not delete it', error);
      return;
    }
    emit('generations:removed', {ids: [g.id]});
    offerUndo('Deleted', () => restoreFromTrash([g.id]), {done: 'Restored', failed: 'Could not restore it'});
    if (target && target !== g.id) show(target);
    else doClose();
  }

  return {
    show,
    close: doClose,
    current: () => overlay.dataset.generationId ?? null,
    setNeighbour(fn) { findNeighbour = fn; },
  };
}

function isUpload(g) {
  return String(g.generatorName).startsWith('user-upload');
}

/** Settings the WebUI wrote (or this app, for a WebUI generation), when the WebUI's generator is here. */
function hasWebuiSettings(g) {
  const from = g.outputMetadata?.metadata_from;
  const ours = from === 'Boards Desktop' && String(g.inputParams?.generator ?? '').startsWith('sdwebui/');
  return (from === 'Stable Diffusion WebUI' || ours) && generatorInfo(WEBUI_GENERATOR) !== null;
}

/** A name for a workflow from a picture: the file's name, else the prompt's first words. */
function suggestedName(g) {
  const file = String(g.outputMetadata?.original_filename ?? '').replace(/\.[a-z0-9]{1,5}$/i, '').replace(/[_-]+/g, ' ').trim();
  // ComfyUI names its files "ComfyUI_00012_": the prompt says more then.
  if (file && !/^(comfyui)?[\s\d]*$/i.test(file)) return file.slice(0, 60);
  const words = String(g.prompt ?? '').replace(/[^\p{L}\p{N}\s]+/gu, ' ').split(/\s+/).filter(Boolean).slice(0, 4).join(' ');
  return words || 'ComfyUI workflow';
}

/** The viewer's heading: "Uploaded image" for an upload (its slug stays in the details), else the generator. */
function titleOf(g) {
  if (!isUpload(g)) return generatorLabel(g.generatorName);
  return `Uploaded ${(TYPE_LABELS[g.artifactType] ?? 'file').toLowerCase()}`;
}

function section(label, content) {
  return h('section', {class: 'viewer-section', dataset: {section: label.toLowerCase().replace(/\s+/g, '-')}},
    h('h3', {}, label), content);
}

function statusLine(g) {
  switch (g.status) {
    case 'PENDING': return 'Waiting in the queue';
    case 'PROCESSING': return `Running · ${Math.round(g.progress ?? 0)}%`;
    case 'FAILED': return 'Failed';
    case 'CANCELLED': return 'Cancelled';
    default: return 'Finished';
  }
}

function paramText(value, inputIds) {
  if (typeof value === 'string' && inputIds.has(value)) return h('span', {class: 'muted'}, 'an input (see “Made from”)');
  if (Array.isArray(value) && value.length && value.every((item) => typeof item === 'string' && inputIds.has(item))) {
    return h('span', {class: 'muted'}, `${value.length} input${value.length === 1 ? '' : 's'} (see “Made from”)`);
  }
  if (value === null) return h('span', {class: 'muted'}, 'none');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.every((item) => typeof item !== 'object') ? value.join(', ') : JSON.stringify(value);
  if (typeof value === 'object') return h('code', {}, JSON.stringify(value));
  return String(value);
}

function metaEntries(metadata) {
  const out = [];
  const m = metadata ?? {};
  if (m.width && m.height) out.push(h('dt', {}, 'Size'), h('dd', {}, `${m.width} × ${m.height}`));
  if (m.duration) out.push(h('dt', {}, 'Duration'), h('dd', {}, `${Number(m.duration).toFixed(1)} s`));
  if (m.format) out.push(h('dt', {}, 'Format'), h('dd', {}, String(m.format)));
  if (m.original_filename) out.push(h('dt', {}, 'File'), h('dd', {}, String(m.original_filename)));
  if (m.metadata_from) out.push(h('dt', {}, 'Settings from'), h('dd', {dataset: {testid: 'viewer-metadata-from'}}, String(m.metadata_from)));
  const credentials = m.content_credentials;
  if (credentials) {
    // Who signed the Content Credentials the file came with, with what it was made, and whether they hold.
    const made = credentials.made_with ? `made with ${credentials.made_with}${credentials.ai_generated ? ' (AI)' : ''}` : null;
    const held = credentials.state === 'Invalid' ? 'signature does not hold' : (credentials.state === 'Trusted' ? 'trusted signer' : 'valid signature');
    out.push(h('dt', {}, 'Credentials'), h('dd', {dataset: {testid: 'viewer-credentials'}},
      [`signed by ${credentials.signed_by ?? 'someone unnamed'}`, made, held].filter(Boolean).join(' · ')));
  }
  return out;
}

function timings(g) {
  const when = (iso) => (iso ? h('time', {datetime: iso, title: new Date(iso).toLocaleString()}, shortDateTime(iso)) : h('span', {class: 'muted'}, '—'));
  // An upload did not run: when it arrived is all there is to say.
  if (isUpload(g)) return h('dl', {class: 'viewer-params', dataset: {testid: 'viewer-timings'}}, h('dt', {}, 'Uploaded'), h('dd', {}, when(g.createdAt)));
  const rows = [h('dt', {}, 'Created'), h('dd', {}, when(g.createdAt)), h('dt', {}, 'Started'), h('dd', {}, when(g.startedAt)),
    h('dt', {}, 'Finished'), h('dd', {}, when(g.completedAt))];
  if (g.startedAt && g.completedAt) rows.push(h('dt', {}, 'Took'), h('dd', {dataset: {testid: 'viewer-duration'}}, duration(new Date(g.completedAt) - new Date(g.startedAt))));
  if (g.startedAt) rows.push(h('dt', {}, 'Waited'), h('dd', {}, duration(new Date(g.startedAt) - new Date(g.createdAt))));
  return h('dl', {class: 'viewer-params', dataset: {testid: 'viewer-timings'}}, rows);
}

function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

function fileName(g) {
  const path = new URL(g.storageUrl, location.origin).pathname;
  const ext = /\.([a-z0-9]{1,5})$/i.exec(path)?.[1] ?? {IMAGE: 'png', VIDEO: 'mp4', AUDIO: 'wav', TEXT: 'txt'}[g.artifactType] ?? 'bin';
  const original = isUpload(g) ? g.outputMetadata?.original_filename : null;
  if (original) return String(original);
  const base = (g.prompt ?? g.generatorName).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'result';
  return `${base}-${g.id.slice(0, 8)}.${ext}`;
}

async function toPng(blob) {
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close?.();
  return new Promise((resolve, reject) => canvas.toBlob((png) => (png ? resolve(png) : reject(new Error('the image could not be converted'))), 'image/png'));
}
