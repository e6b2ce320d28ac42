// A moment of a video chosen by seeing it: a number field with `x-moment-of: "<video field>"` gets the
// chosen video's frame above a scrubber that spans the video's length; moving either moves both.
//
// attachScrubber(control, slotOf) -> {sync()}: sync() follows the slot (call it when the form changes).
// Hooks for tests: [data-testid=scrubber][data-state=empty|loading|ready|error], its video and range.
import {gql} from '../api.js';
import {h} from '../dom.js';
import {lookup} from './slots.js';

const STORAGE = 'query($id: UUID!) { generation(id: $id) { id storageUrl outputMetadata } }';

export function attachScrubber(control, slotOf) {
  const video = h('video', {muted: true, preload: 'auto', playsinline: true, 'aria-hidden': 'true', dataset: {testid: 'scrubber-frame'}});
  video.muted = true;
  const range = h('input', {type: 'range', min: 0, max: 0, step: 'any', value: 0, 'aria-label': `${control.field.title}: scrub through the video`,
    dataset: {testid: 'scrubber-range'}});
  const time = h('span', {class: 'scrubber-time muted', 'aria-hidden': 'true'});
  const note = h('span', {class: 'scrubber-note muted'}, 'Choose a video to see its frames here.');
  const node = h('div', {class: 'scrubber', dataset: {testid: 'scrubber', state: 'empty'}},
    h('div', {class: 'scrubber-frame'}, video, note), h('div', {class: 'scrubber-bar'}, range, time));
  const hint = control.row.querySelector('.hint');
  control.row.classList.add('has-scrubber');  // the scrubber replaces the number's own slider
  control.row.insertBefore(node, control.row.querySelector('.slider-row, input[type=number]')?.closest('.slider-row, .number-with-unit') ?? hint);
  let shownId = null;

  const seconds = () => {
    const {empty, value} = control.read();
    return empty ? 0 : Number(value);
  };
  const show = (at) => {
    time.textContent = `${at.toFixed(2)} s of ${Number(range.max).toFixed(2)} s`;
    if (video.readyState >= 1 && Math.abs(video.currentTime - at) > 0.001) video.currentTime = at;
  };

  range.addEventListener('input', () => {
    const at = Number(range.value);
    control.write(Math.round(at * 100) / 100);
    show(at);
  });
  control.row.addEventListener('input', (event) => {
    if (event.target === range) return;
    const at = Math.min(seconds(), Number(range.max) || Infinity);
    range.value = String(at);
    show(at);
  });
  video.addEventListener('loadedmetadata', () => {
    range.max = String(video.duration || 0);
    const at = Math.min(seconds(), video.duration || 0);
    range.value = String(at);
    node.dataset.state = 'ready';
    show(at);
  });
  video.addEventListener('error', () => {
    node.dataset.state = 'error';
    note.textContent = 'This video cannot be previewed here; type the second instead.';
  });

  async function sync() {
    const id = slotOf()?.read().value ?? null;
    if (id === shownId) return;
    shownId = id;
    if (!id) {
      video.removeAttribute('src');
      node.dataset.state = 'empty';
      note.textContent = 'Choose a video to see its frames here.';
      return;
    }
    node.dataset.state = 'loading';
    note.textContent = '';
    let found = await lookup(id);
    if (!found?.storageUrl && !found?.missing) found = (await gql(STORAGE, {id}).catch(() => ({})))?.generation ?? found;
    if (shownId !== id) return;  // another video was chosen meanwhile
    if (!found?.storageUrl) {
      node.dataset.state = 'error';
      note.textContent = 'This video has no file to preview.';
      return;
    }
    video.src = found.storageUrl;
  }

  return {sync};
}
