// A zoomable, pannable image: wheel and buttons zoom (around the pointer), double-click toggles
// fit / 100%, dragging pans. The stage's data-zoom says the scale in percent (tests wait on it).
import {h} from '../dom.js';

const MIN = 0.05;
const MAX = 32;

export function zoomableImage({src, alt, onZoom = () => {}}) {
  const img = h('img', {src, alt, draggable: 'false', class: 'zoom-image', dataset: {testid: 'viewer-image'}});
  const stage = h('div', {class: 'zoom-stage', dataset: {testid: 'zoom-stage', zoom: '0', mode: 'fit'}}, img);
  let scale = 1;
  let x = 0;
  let y = 0;
  let fitted = true;
  let natural = null;

  const apply = () => {
    img.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    img.classList.toggle('pixelated', scale >= 4);
    stage.dataset.zoom = String(Math.round(scale * 100));
    stage.dataset.mode = fitted ? 'fit' : 'free';
    stage.classList.toggle('pannable', !fitted);
    onZoom(scale, fitted);
  };

  function fitScale() {
    const box = stage.getBoundingClientRect();
    if (!natural || !box.width || !box.height) return 1;
    // Fit never enlarges: a small result shows at its own size (zoom in to look closer).
    return Math.min(box.width / natural.width, box.height / natural.height, 1);
  }

  function centre() {
    const box = stage.getBoundingClientRect();
    x = (box.width - natural.width * scale) / 2;
    y = (box.height - natural.height * scale) / 2;
  }

  function fit() {
    if (!natural) return;
    fitted = true;
    scale = fitScale();
    centre();
    apply();
  }

  /** Zoom to `next` keeping the point (px, py) of the stage where it is (default: the centre). */
  function zoomTo(next, px, py) {
    if (!natural) return;
    const box = stage.getBoundingClientRect();
    const cx = px ?? box.width / 2;
    const cy = py ?? box.height / 2;
    const clamped = Math.min(MAX, Math.max(MIN, next));
    x = cx - (cx - x) * (clamped / scale);
    y = cy - (cy - y) * (clamped / scale);
    scale = clamped;
    fitted = false;
    apply();
  }

  const actual = (px, py) => zoomTo(1, px, py);
  const zoomBy = (factor, px, py) => zoomTo(scale * factor, px, py);

  img.addEventListener('load', () => {
    natural = {width: img.naturalWidth, height: img.naturalHeight};
    img.style.width = `${natural.width}px`;
    img.style.height = `${natural.height}px`;
    stage.dataset.state = 'loaded';
    fit();
  });
  img.addEventListener('error', () => { stage.dataset.state = 'error'; });

  stage.addEventListener('wheel', (event) => {
    event.preventDefault();
    const box = stage.getBoundingClientRect();
    zoomBy(Math.exp(-event.deltaY * (event.ctrlKey ? 0.01 : 0.0015)), event.clientX - box.left, event.clientY - box.top);
  }, {passive: false});

  stage.addEventListener('dblclick', (event) => {
    const box = stage.getBoundingClientRect();
    if (fitted || Math.abs(scale - fitScale()) < 0.001) actual(event.clientX - box.left, event.clientY - box.top);
    else fit();
  });

  let drag = null;
  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || fitted) return;
    drag = {id: event.pointerId, startX: event.clientX, startY: event.clientY, x, y};
    stage.setPointerCapture(event.pointerId);
    stage.classList.add('panning');
  });
  stage.addEventListener('pointermove', (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    x = drag.x + event.clientX - drag.startX;
    y = drag.y + event.clientY - drag.startY;
    apply();
  });
  const end = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    drag = null;
    stage.classList.remove('panning');
  };
  stage.addEventListener('pointerup', end);
  stage.addEventListener('pointercancel', end);

  const observer = new ResizeObserver(() => { if (fitted) fit(); });
  observer.observe(stage);

  return {
    node: stage,
    zoomIn: () => zoomBy(1.25),
    zoomOut: () => zoomBy(0.8),
    fit,
    actual: () => actual(),
    scale: () => scale,
    destroy: () => observer.disconnect(),
  };
}
