// Compare: two or more results side by side, or two as a swipe (one over the other, a divider to
// drag), zoomed and panned together so that the same detail is under the eye in each.
//
// It lives in the URL (#/boards/<id>?compare=<id>,<id>[&mode=swipe]): opening it adds a history
// entry, so that Back closes it and a reload or a link opens it again. Opened by `compare:open {ids}`
// (the selection bar, the viewer's C key: a result beside its parent).
// Hooks for tests: [data-testid=compare][data-mode=side|swipe][data-zoom] (percent of fit),
// [data-testid=compare-pane][data-generation-id], .compare-layer (each pane's transform),
// [data-testid=compare-swipe] (the range input), [data-swipe] (the divider's place in percent).
import {emit, on} from '../bus.js';
import {routeParams, setRouteParam, setRouteParams} from '../app.js';
import {h} from '../dom.js';
import {generatorLabel} from '../names.js';
import {addShortcut} from '../shortcuts.js';
import {toast, toastError} from '../toast.js';
import {fetchGeneration} from '../grid/data.js';

export const MAX_COMPARED = 4;  // more panes than this are too small to compare anything
const MIN_ZOOM = 1;  // fit: a pane never shows less than its whole result
const MAX_ZOOM = 32;
const ID = /^[0-9a-f-]{36}$/;

/** The ids the URL names (at most MAX_COMPARED, each once), or [] when it names no compare. */
export function comparedIds(params) {
  const ids = (params.get('compare') ?? '').split(',').filter((id) => ID.test(id));
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

/** Listen for `compare:open` on this board and open what the URL names; returns a cleanup function. */
export function installCompare() {
  let view = null;
  let pushed = false;   // the history entry is ours: closing goes Back
  let ownBacks = 0;     // route changes our own history.back() causes

  function open(ids, {fromUrl = false, mode = 'side'} = {}) {
    if (ids.length < 2) {
      toast('Choose two results or more to compare.');
      return;
    }
    ids = ids.slice(0, MAX_COMPARED);
    if (!fromUrl) {
      const changes = {compare: ids.join(','), mode: mode === 'swipe' ? 'swipe' : null};
      if (comparedIds(routeParams()).length) setRouteParams(changes);
      else { setRouteParams(changes, {push: true}); pushed = true; }
    }
    if (view && view.ids.join() === ids.join()) { view.setMode(mode); return; }
    view?.close(true);
    view = openCompare(ids, mode, {
      onMode: (next) => setRouteParam('mode', next === 'swipe' ? 'swipe' : null),
      onClosed: (byHistory) => {
        view = null;
        if (!byHistory) closeUrl();
      },
    });
  }

  function closeUrl() {
    if (!comparedIds(routeParams()).length) return;
    if (pushed) {
      pushed = false;
      ownBacks += 1;
      history.back();
    } else setRouteParams({compare: null, mode: null});
  }

  const stops = [
    on('compare:open', ({ids, mode}) => open(ids, {mode})),
    on('route:query', ({params}) => {
      if (ownBacks) { ownBacks -= 1; return; }
      const ids = comparedIds(params);
      if (ids.length < 2) { pushed = false; view?.close(true); }
      else open(ids, {fromUrl: true, mode: params.get('mode') === 'swipe' ? 'swipe' : 'side'});
    }),
  ];
  const fromUrl = comparedIds(routeParams());
  if (fromUrl.length >= 2) queueMicrotask(() => open(fromUrl, {fromUrl: true, mode: routeParams().get('mode') === 'swipe' ? 'swipe' : 'side'}));
  return () => {
    stops.forEach((stop) => stop());
    const closing = view;
    view = null;
    closing?.close(true);
  };
}

function openCompare(ids, initialMode, {onMode, onClosed}) {
  let mode = ids.length === 2 ? initialMode : 'side';
  let zoom = 1;        // relative to fit, the same in every pane
  let panX = 0;        // pixels, the same in every pane (panes are the same size)
  let panY = 0;
  let swipe = 50;      // where the divider is, percent of the stage's width
  let closed = false;
  const returnFocus = document.activeElement;

  const panes = ids.map((id) => pane(id));
  const zoomLabel = h('span', {class: 'zoom-label', 'aria-live': 'polite', title: 'Magnification over fit', dataset: {testid: 'compare-zoom'}}, '1×');
  const sideButton = h('button', {type: 'button', class: 'chip', role: 'radio', dataset: {mode: 'side'}, onclick: () => setMode('side')}, 'Side by side');
  const swipeButton = h('button', {type: 'button', class: 'chip', role: 'radio', dataset: {mode: 'swipe'}, onclick: () => setMode('swipe'),
    disabled: ids.length !== 2, title: ids.length === 2 ? 'One over the other, a divider to drag' : 'Swipe compares two results'}, 'Swipe');
  const modes = h('div', {class: 'compare-modes', role: 'radiogroup', 'aria-label': 'How to compare'}, sideButton, swipeButton);
  const close = h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Close compare (Esc)', title: 'Close (Esc)', dataset: {testid: 'compare-close'}, onclick: () => doClose()}, '✕');
  const slider = h('input', {type: 'range', min: '0', max: '100', step: '1', value: String(swipe), class: 'compare-slider',
    'aria-label': 'Divider between the two results', dataset: {testid: 'compare-swipe'}});
  slider.addEventListener('input', () => setSwipe(Number(slider.value)));
  const divider = h('div', {class: 'compare-divider', 'aria-hidden': 'true', dataset: {testid: 'compare-divider'}}, h('span', {class: 'compare-handle'}, '⟷'));
  const stage = h('div', {class: 'compare-stage', dataset: {testid: 'compare-stage'}}, panes.map((p) => p.node), divider);
  const overlay = h('div', {class: 'compare-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': `Compare ${ids.length} results`,
    dataset: {testid: 'compare', mode, zoom: '100', swipe: String(swipe), count: String(ids.length)}},
  h('div', {class: 'compare-toolbar'},
    h('h2', {class: 'compare-title'}, `Compare ${ids.length} results`),
    modes,
    h('div', {class: 'zoom-tools'},
      h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Zoom out', title: 'Zoom out (-)', onclick: () => zoomBy(1 / 1.5)}, '−'),
      zoomLabel,
      h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Zoom in', title: 'Zoom in (+)', onclick: () => zoomBy(1.5)}, '+'),
      h('button', {type: 'button', class: 'ghost', title: 'Fit (0)', onclick: () => fit()}, 'Fit')),
    close),
  stage,
  h('div', {class: 'compare-footer'}, slider));
  document.body.append(overlay);
  document.body.classList.add('compare-open');

  // Focus stays inside while it is open (the viewer may be open beneath).
  overlay.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const focusable = [...overlay.querySelectorAll('button:not(:disabled), input, video, [tabindex]:not([tabindex="-1"])')].filter((node) => node.offsetParent !== null);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });
  queueMicrotask(() => close.focus());

  const open = () => !closed && !document.querySelector('dialog[open]');
  const shortcuts = [
    addShortcut({keys: 'escape', label: 'Esc', description: 'Close compare', group: 'Compare', run: () => doClose(), when: open, whileTyping: true}),
    addShortcut({keys: '+', label: '+', description: 'Zoom in, every result alike', group: 'Compare', run: () => zoomBy(1.5), when: open}),
    addShortcut({keys: '=', label: '=', description: 'Zoom in', group: 'Compare', run: () => zoomBy(1.5), when: open, hidden: true}),
    addShortcut({keys: '-', label: '-', description: 'Zoom out', group: 'Compare', run: () => zoomBy(1 / 1.5), when: open}),
    addShortcut({keys: '0', label: '0', description: 'Fit every result', group: 'Compare', run: () => fit(), when: open}),
    addShortcut({keys: 'w', label: 'W', description: 'Swipe, or side by side again (two results)', group: 'Compare',
      run: () => setMode(mode === 'swipe' ? 'side' : 'swipe'), when: () => open() && ids.length === 2}),
    addShortcut({keys: 'arrowleft', label: '← →', description: 'Move the swipe divider', group: 'Compare', run: () => setSwipe(swipe - 5), when: () => open() && mode === 'swipe'}),
    addShortcut({keys: 'arrowright', label: '→', hidden: true, description: 'Move the swipe divider', group: 'Compare', run: () => setSwipe(swipe + 5), when: () => open() && mode === 'swipe'}),
  ];

  // Zoom with the wheel around the pointer, pan by dragging; in swipe mode a drag near the divider moves it.
  stage.addEventListener('wheel', (event) => {
    event.preventDefault();
    const [px, py] = fromCentre(event);
    zoomTo(zoom * (event.deltaY < 0 ? 1.25 : 0.8), px, py);
  }, {passive: false});
  stage.addEventListener('dblclick', (event) => {
    const [px, py] = fromCentre(event);
    if (zoom > 1) fit(); else zoomTo(2, px, py);
  });
  let drag = null;
  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    const box = stage.getBoundingClientRect();
    const onDivider = mode === 'swipe' && Math.abs(event.clientX - (box.left + box.width * swipe / 100)) < 24;
    drag = {onDivider, x: event.clientX, y: event.clientY, panX, panY};
    stage.setPointerCapture(event.pointerId);
    stage.classList.add(onDivider ? 'swiping' : 'panning');
  });
  stage.addEventListener('pointermove', (event) => {
    if (!drag) return;
    if (drag.onDivider) {
      const box = stage.getBoundingClientRect();
      setSwipe(((event.clientX - box.left) / box.width) * 100);
    } else if (zoom > 1) {
      panX = drag.panX + event.clientX - drag.x;
      panY = drag.panY + event.clientY - drag.y;
      apply();
    }
  });
  const endDrag = () => { drag = null; stage.classList.remove('swiping', 'panning'); };
  stage.addEventListener('pointerup', endDrag);
  stage.addEventListener('pointercancel', endDrag);
  const onResize = () => apply();
  window.addEventListener('resize', onResize);

  function fromCentre(event) {
    const target = event.target.closest('.compare-pane') ?? stage;
    const box = target.getBoundingClientRect();
    return [event.clientX - box.left - box.width / 2, event.clientY - box.top - box.height / 2];
  }

  /** Zoom to `next`, keeping the point (px, py) from a pane's centre where it is. */
  function zoomTo(next, px = 0, py = 0) {
    next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, next));
    const k = next / zoom;
    panX = px - (px - panX) * k;
    panY = py - (py - panY) * k;
    zoom = next;
    apply();
  }
  function zoomBy(factor) { zoomTo(zoom * factor); }
  function fit() { zoom = 1; panX = 0; panY = 0; apply(); }

  function apply() {
    if (zoom <= 1) { panX = 0; panY = 0; }
    else {
      // Never pan a result out of its pane: at most half its zoomed overhang either way.
      const box = panes[0].node.getBoundingClientRect();
      const limitX = (box.width * (zoom - 1)) / 2;
      const limitY = (box.height * (zoom - 1)) / 2;
      panX = Math.max(-limitX, Math.min(limitX, panX));
      panY = Math.max(-limitY, Math.min(limitY, panY));
    }
    const transform = `translate(${panX.toFixed(1)}px, ${panY.toFixed(1)}px) scale(${zoom.toFixed(4)})`;
    for (const p of panes) p.layer.style.transform = transform;
    overlay.dataset.zoom = String(Math.round(zoom * 100));
    // Magnification over fit: the panes may hold results of different sizes, so no one percentage is true.
    zoomLabel.textContent = `${zoom < 10 ? zoom.toFixed(1).replace(/\.0$/, '') : Math.round(zoom)}×`;
    stage.classList.toggle('pannable', zoom > 1);
  }

  function setSwipe(percent) {
    swipe = Math.max(0, Math.min(100, Math.round(percent)));
    slider.value = String(swipe);
    overlay.dataset.swipe = String(swipe);
    overlay.style.setProperty('--swipe', `${swipe}%`);
  }

  function setMode(next) {
    if (next === 'swipe' && ids.length !== 2) next = 'side';
    mode = next;
    overlay.dataset.mode = mode;
    sideButton.setAttribute('aria-checked', String(mode === 'side'));
    swipeButton.setAttribute('aria-checked', String(mode === 'swipe'));
    slider.parentElement.hidden = mode !== 'swipe';
    divider.hidden = mode !== 'swipe';
    onMode(mode);
    apply();
  }

  function doClose(byHistory = false) {
    if (closed) return;
    closed = true;
    shortcuts.forEach((stop) => stop());
    window.removeEventListener('resize', onResize);
    overlay.remove();
    document.body.classList.remove('compare-open');
    if (returnFocus?.isConnected) returnFocus.focus?.();
    onClosed(byHistory);
  }

  setSwipe(swipe);
  setMode(mode);
  panes.forEach((p, index) => p.load(index));
  return {ids, close: doClose, setMode};

  function pane(id) {
    const layer = h('div', {class: 'compare-layer'});
    const caption = h('div', {class: 'compare-caption'}, 'Loading…');
    const node = h('div', {class: 'compare-pane', dataset: {testid: 'compare-pane', generationId: id, state: 'loading'}}, layer, caption);
    return {
      node, layer,
      async load(index) {
        try {
          const g = await fetchGeneration(id);
          if (closed) return;
          if (!g) { caption.textContent = 'This result is gone'; node.dataset.state = 'error'; return; }
          layer.replaceChildren(mediaOf(g));
          const {width, height} = g.outputMetadata ?? {};
          caption.replaceChildren(...[  // replaceChildren writes null as "null": the parts not said are left out
            h('span', {class: 'compare-letter', 'aria-hidden': 'true'}, String.fromCharCode(65 + index)),
            h('span', {class: 'compare-name', title: describe(g)}, describe(g)),
            describe(g) !== generatorLabel(g.generatorName) ? h('span', {class: 'muted'}, generatorLabel(g.generatorName)) : null,
            width && height ? h('span', {class: 'muted', dataset: {testid: 'compare-size'}}, `${width} × ${height}`) : null,
          ].filter(Boolean));
          node.dataset.state = 'ready';
        } catch (error) {
          if (closed) return;
          node.dataset.state = 'error';
          caption.textContent = 'Could not load this result';
          toastError('Could not load a result to compare', error);
        }
      },
    };
  }
}

function mediaOf(g) {
  if (g.artifactType === 'IMAGE' && g.storageUrl) return fitted(h('img', {src: g.storageUrl, alt: describe(g), draggable: 'false', class: 'compare-media'}));
  if (g.artifactType === 'VIDEO' && g.storageUrl) {
    return h('video', {src: g.storageUrl, poster: g.thumbnailUrl ?? undefined, muted: true, loop: true, autoplay: true, playsinline: true, class: 'compare-media'});
  }
  if (g.thumbnailUrl) return h('img', {src: g.thumbnailUrl, alt: describe(g), draggable: 'false', class: 'compare-media'});
  return h('p', {class: 'compare-text'}, g.status === 'COMPLETED' ? describe(g) : `Not finished (${g.status.toLowerCase()})`);
}

/**
 * Every result fills its pane (contain), small ones enlarged too: the same detail then sits at the
 * same place in each pane, and a swipe lines the two up. Sized on the picture's own box (container
 * units), so that the checkerboard shows behind the picture only, not in the letterbox.
 */
function fitted(img) {
  img.addEventListener('load', () => {
    const ratio = img.naturalWidth / img.naturalHeight;
    if (!ratio) return;
    img.style.aspectRatio = String(ratio);
    img.style.width = `min(100cqw, calc(100cqh * ${ratio}))`;
    img.style.maxWidth = 'none';
    img.style.maxHeight = 'none';
  }, {once: true});
  return img;
}

function describe(g) {
  return g.prompt || g.outputMetadata?.original_filename || generatorLabel(g.generatorName);
}

/** Ask for a result to be compared with its parent (the first input it was made from). */
export function compareWithParent(generation) {
  const parent = generation?.inputArtifacts?.find((input) => input.generationId)?.generationId;
  if (!parent) { toast('This result was not made from another one: there is no parent to compare with.'); return; }
  emit('compare:open', {ids: [parent, generation.id]});
}
