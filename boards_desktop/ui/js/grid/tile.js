// One tile of the grid. Tile nodes are recycled: `createTile` builds the parts once, `bindTile`
// points them at a generation (or at nothing, for a slot whose page has not arrived yet) and only
// touches what changed.
//
// A finished tile shows what it is on hover and while it has the focus: its name, its size (w × h,
// or how long), the generator's name and its tags as chips, over a scrim that keeps them readable
// on any picture; laid over the picture, so nothing moves.
//
// A waiting tile says where it is in its provider's line ("3rd in line", from the queue panel's
// reading: `setQueuePlaces`); one a remote service holds in its own queue says "Waiting for fal.ai";
// one queued by an app with another media storage (on a shared database) takes no place in line and
// says "Waiting for the app that holds its files": only such an app runs it.
//
// A finished tile has quick actions (shown on hover and while the tile has the focus, when Tab
// reaches them): rerun with the same settings, rerun with a new seed (generators with a `seed`
// input: `setSeededGenerators`), use as an input in the composer.
import {h} from '../dom.js';
import {generatorInfo, generatorLabel, providerLabel} from '../names.js';
import {avatar, personName} from '../people.js';
import {ratioOf} from './rows.js';

const TYPE_ICON = {VIDEO: '▶', AUDIO: '♪', TEXT: '¶', LORA: '◆', MODEL: '◆', IMAGE: ''};
const ELSEWHERE_WORDS = 'Waiting for the app that holds its files';
const PHASE_WORDS = {queued: 'Queued', initializing: 'Starting', processing: 'Working', finalizing: 'Finishing'};
const textCache = new Map();  // storageUrl -> excerpt (or a promise of it)
const seeded = new Set();  // names of the generators with a `seed` input
const EXCERPT_CHARS = 420;
const STREAM_CHARS = 300;  // of a text being written: its end, where the new words appear
const CHIPS = 3;  // tags shown as chips on hover; the rest are counted ("+2")
let places = new Map();  // generation id -> what its queued phase says ("Queued · 3rd in line")
let creators = new Map();  // user id -> user, on a shared board (else empty: no creator is shown)
let myId = null;

export function createTile() {
  const img = h('img', {alt: '', loading: 'lazy', decoding: 'async', draggable: false});
  img.addEventListener('load', () => {
    const tile = img.closest('.tile');
    tile?.setAttribute('data-loaded', 'true');
    // The picture's own proportions, exact (what the metadata said may be missing or rounded).
    if (tile && img.naturalWidth && img.naturalHeight) setRatio(tile, img.naturalWidth / img.naturalHeight);
  });
  img.addEventListener('error', () => img.closest('.tile')?.setAttribute('data-loaded', 'error'));
  const parts = {
    img,
    excerpt: h('p', {class: 'tile-excerpt'}),
    typeIcon: h('span', {class: 'tile-type', 'aria-hidden': 'true'}),
    check: h('button', {type: 'button', class: 'tile-check', role: 'checkbox', 'aria-checked': 'false', 'aria-label': 'Select', tabindex: '-1', dataset: {action: 'select'}}),
    star: h('button', {type: 'button', class: 'tile-star', 'aria-pressed': 'false', 'aria-label': 'Favourite', title: 'Favourite (F)', tabindex: '-1', dataset: {action: 'favourite', testid: 'favourite'}}, '☆'),
    progressBar: h('div', {class: 'tile-progress-bar'}),
    phase: h('span', {class: 'tile-phase', dataset: {testid: 'tile-phase'}}),
    message: h('span', {class: 'tile-message', dataset: {testid: 'tile-message'}}),
    cancel: h('button', {type: 'button', class: 'tile-cancel', tabindex: '-1', dataset: {action: 'cancel', testid: 'cancel'}}, 'Cancel'),
    error: h('p', {class: 'tile-error', dataset: {testid: 'tile-error'}}),
    retry: h('button', {type: 'button', class: 'tile-retry', tabindex: '-1', dataset: {action: 'retry', testid: 'retry'}}, 'Retry'),
    label: h('span', {class: 'tile-label'}),
    info: null,     // built at the first hover or focus (showInfo): a board of 10,000 rarely needs most
    creator: null,  // built for a tile made by someone else, on a shared board
    rerun: quickAction('rerun', '↻', 'Rerun with the same settings (R)'),
    reseed: quickAction('rerun-new-seed', '⚄', 'Rerun with a new seed (E)'),
    useInput: quickAction('use-as-input', '⇥', 'Use as input (I)'),
  };
  parts.quick = h('div', {class: 'tile-quick', role: 'group', 'aria-label': 'Quick actions', dataset: {testid: 'tile-quick'}},
    parts.rerun, parts.reseed, parts.useInput);
  const tile = h('div', {class: 'tile', role: 'listitem', tabindex: '-1', draggable: 'true'},
    h('div', {class: 'tile-media'}, parts.img, parts.excerpt, parts.typeIcon),
    h('div', {class: 'tile-running'},
      h('div', {class: 'tile-progress', role: 'progressbar', 'aria-label': 'Progress', 'aria-valuemin': '0', 'aria-valuemax': '100'}, parts.progressBar),
      h('div', {class: 'tile-running-text'}, parts.phase, parts.message),
      parts.cancel),
    h('div', {class: 'tile-failed'}, parts.error, parts.retry),
    parts.label,
    parts.check,
    parts.star,
    parts.quick,
  );
  // The grid moves the focus between tiles with the arrow keys (each tile is tabindex -1); the focused
  // tile's quick actions join the Tab order, so that Tab from a tile reaches them.
  tile.addEventListener('focusin', () => { setQuickTabbable(tile, true); showInfo(tile); });
  tile.addEventListener('pointerenter', () => showInfo(tile));
  tile.addEventListener('focusout', (event) => { if (!tile.contains(event.relatedTarget)) setQuickTabbable(tile, false); });
  tile.parts = parts;
  tile.bound = null;
  return tile;
}

/**
 * Point `tile` at `generation` (null: a placeholder). `live` is the last SSE event of a running one
 * ({progress 0..1, phase, message}); `selected` whether it is in the selection.
 */
export function bindTile(tile, generation, live, selected) {
  const p = tile.parts;
  if (!generation) {
    if (tile.bound !== null || !tile.dataset.placeholder) {
      // A recycled tile forgets everything of its last generation: its tooltip, its name, its
      // selection and star, its status; a placeholder says only that it is loading.
      tile.bound = null;
      tile.dataset.placeholder = 'true';
      for (const key of ['generationId', 'artifactType', 'thumb', 'phase', 'selected', 'previewing', 'streaming', 'livePreview']) delete tile.dataset[key];
      setRatio(tile, null);
      tile.dataset.status = '';
      p.img.removeAttribute('src');
      tile.removeAttribute('data-loaded');
      tile.removeAttribute('title');
      tile.setAttribute('aria-label', 'Loading…');
      tile.setAttribute('aria-busy', 'true');
      p.check.setAttribute('aria-checked', 'false');
      p.star.setAttribute('aria-pressed', 'false');
      p.star.textContent = '☆';
      p.excerpt.textContent = '';
      p.error.textContent = '';
      p.label.textContent = '';
      if (p.info) bindInfo(tile, null);
      if (p.creator) bindCreator(tile, null);
      p.quick.hidden = true;
      tile.draggable = false;
    }
    return;
  }
  const status = generation.status.toLowerCase();
  if (tile.bound !== generation) {
    const sameOne = tile.bound?.id === generation.id;
    tile.bound = generation;
    delete tile.dataset.placeholder;
    tile.removeAttribute('aria-busy');
    tile.draggable = true;
    tile.dataset.generationId = generation.id;
    tile.dataset.status = status;
    tile.dataset.artifactType = generation.artifactType.toLowerCase();
    const thumb = generation.thumbnailUrl
      ?? (generation.artifactType === 'IMAGE' && status === 'completed' ? generation.storageUrl : null);
    if (thumb) {
      if (p.img.getAttribute('src') !== thumb) {
        if (!sameOne) tile.removeAttribute('data-loaded');
        p.img.src = thumb;
      }
      tile.dataset.thumb = 'true';
    } else {
      p.img.removeAttribute('src');
      tile.removeAttribute('data-loaded');
      delete tile.dataset.thumb;
    }
    if (!sameOne) setRatio(tile, ratioOf(generation));
    p.typeIcon.textContent = TYPE_ICON[generation.artifactType] ?? '';
    const favourite = Boolean(generation.isFavourite);
    p.star.setAttribute('aria-pressed', String(favourite));
    p.star.textContent = favourite ? '★' : '☆';
    p.star.setAttribute('aria-label', favourite ? 'Unstar' : 'Star as a favourite');
    p.error.textContent = generation.errorMessage || (status === 'failed' ? 'It failed without saying why.' : '');
    p.label.textContent = status === 'cancelled' ? 'Cancelled' : status === 'failed' ? 'Failed' : '';
    const title = generation.prompt || generation.outputMetadata?.original_filename || generatorLabel(generation.generatorName);
    tile.removeAttribute('title');  // the hover info names it (a tooltip would cover it)
    tile.setAttribute('aria-label', `${title} (${status}, ${generation.artifactType.toLowerCase()})`);
    bindExcerpt(tile, generation, status);
    if (p.info) bindInfo(tile, generation);
    bindCreator(tile, generation);
    bindQuick(tile, generation, status);
  }
  const running = status === 'pending' || status === 'processing';
  if (running) {
    const fraction = live?.progress ?? (generation.progress ?? 0) / 100;
    const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    p.progressBar.style.width = `${percent}%`;
    p.progressBar.parentElement.setAttribute('aria-valuenow', String(percent));
    const phase = live?.phase ?? (status === 'pending' ? 'queued' : 'processing');
    p.phase.textContent = `${phaseWords(generation, status, phase)}${percent ? ` · ${percent}%` : ''}`;
    // Until the generator says something, a waiting tile says what it will make.
    p.message.textContent = live?.message || (phase === 'queued' ? generation.prompt ?? '' : '');
    tile.dataset.phase = phase;
    // A text being written (a language model's, streamed): the tile shows it growing, its newest words.
    if (generation.artifactType === 'TEXT' && live?.text) {
      const text = String(live.text);
      p.excerpt.textContent = text.length > STREAM_CHARS ? `…${text.slice(-STREAM_CHARS)}` : text;
      tile.dataset.streaming = 'true';
    }
    // A local engine's live preview of the image being made (a small data: URL on its progress events).
    const preview = live?.preview_url;
    if (preview && p.img.getAttribute('src') !== preview) {
      p.img.src = preview;
      tile.dataset.livePreview = 'true';
    }
  } else {
    delete tile.dataset.phase;
    if (tile.dataset.streaming) {
      delete tile.dataset.streaming;
      bindExcerpt(tile, generation, status);
    }
    if (tile.dataset.livePreview) {
      delete tile.dataset.livePreview;
      if (p.img.getAttribute('src')?.startsWith('data:')) { p.img.removeAttribute('src'); tile.removeAttribute('data-loaded'); }
    }
  }
  const isSelected = selected ? 'true' : 'false';
  if (p.check.getAttribute('aria-checked') !== isSelected) {
    p.check.setAttribute('aria-checked', isSelected);
    tile.dataset.selected = isSelected;
  }
}

/** The picture's width over height, for a whole picture's box (board.css); null: not known. */
function setRatio(tile, ratio) {
  if (ratio) {
    // Only a change is written: a style change costs the tile a recalculation, and a fast scroll
    // binds dozens of tiles a frame (mostly to pictures of the same proportions).
    const value = String(ratio);
    if (tile.dataset.ar === value) return;
    tile.style.setProperty('--ar', value);
    tile.dataset.ar = value;
  } else if ('ar' in tile.dataset) {
    tile.style.removeProperty('--ar');
    delete tile.dataset.ar;
  }
}

/** "Queued · 3rd in line"; "Waiting for fal.ai" while a remote service holds it in its own queue. */
function phaseWords(generation, status, phase) {
  if (phase !== 'queued') return PHASE_WORDS[phase] ?? phase;
  if (status === 'processing') {
    const provider = generatorInfo(generation.generatorName)?.provider;
    return provider ? `Waiting for ${providerLabel(provider)}` : 'Waiting for the service';
  }
  return places.get(generation.id) ?? 'Queued';
}

/** 1 -> "next in line", 3 -> "3rd in line" ("3rd in line, paused" while its provider is paused). */
export function placeWords(position, paused) {
  const tens = position % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({1: 'st', 2: 'nd', 3: 'rd'}[position % 10] ?? 'th');
  const place = position === 1 ? 'next in line' : `${position}${suffix} in line`;
  return paused ? `${place}, paused` : place;
}

/**
 * The places of the waiting generations, from a reading of the queue ({providers: [{paused, jobs}]}:
 * the jobs in the order they will start, running ones first). Returns the ids whose words changed.
 */
export function setQueuePlaces(status) {
  const next = new Map();
  for (const provider of status?.providers ?? []) {
    const elsewhere = new Set(provider.waitingElsewhereIds ?? []);
    let position = 0;
    for (const job of provider.jobs) {
      if (job.status !== 'PENDING') continue;
      if (elsewhere.has(job.id)) {
        next.set(job.id, ELSEWHERE_WORDS);
        continue;
      }
      position += 1;
      next.set(job.id, `Queued · ${placeWords(position, provider.paused)}`);
    }
  }
  const changed = [...new Set([...places.keys(), ...next.keys()])].filter((id) => places.get(id) !== next.get(id));
  places = next;
  return changed;
}

/** The people of a shared board ([user], you by `me`): others' work carries their avatar and name. */
export function setCreators(users, me) {
  creators = new Map(users.filter(Boolean).map((user) => [user.id, user]));
  myId = me ?? null;
}

/** Build the tile's hover info the first time it is hovered or focused (then kept up to date). */
function showInfo(tile) {
  const p = tile.parts;
  if (p.info) return;
  p.info = h('div', {class: 'tile-info', 'aria-hidden': 'true', dataset: {testid: 'tile-info'}},
    h('span', {class: 'tile-info-name'}), h('span', {class: 'tile-info-facts'}), h('span', {class: 'tile-info-tags'}));
  tile.querySelector('.tile-media').after(p.info);
  bindInfo(tile, tile.bound);
}

/** What a finished tile shows on hover: its name, size or length, generator, creator and tags. */
function bindInfo(tile, generation) {
  const [name, factsNode, tagsNode] = tile.parts.info.children;
  if (!generation) {
    name.textContent = factsNode.textContent = '';
    tagsNode.replaceChildren();
    return;
  }
  const m = generation.outputMetadata ?? {};
  const facts = [generatorLabel(generation.generatorName)];
  const creator = creatorOf(generation);
  if (creator) facts.unshift(personName(creator));
  if (m.width && m.height) facts.push(`${m.width} × ${m.height}`);
  if (m.duration) facts.push(lengthWords(Number(m.duration)));
  name.textContent = generation.prompt || m.original_filename || generatorLabel(generation.generatorName);
  factsNode.textContent = facts.join(' · ');
  const tags = generation.tags ?? [];
  const chips = tags.slice(0, CHIPS).map((tag) => h('span', {class: 'tile-info-tag'}, tag.name));
  if (tags.length > CHIPS) chips.push(h('span', {class: 'tile-info-tag more'}, `+${tags.length - CHIPS}`));
  tagsNode.replaceChildren(...chips);
}

function creatorOf(generation) {
  return generation && generation.userId !== myId ? creators.get(generation.userId) ?? null : null;
}

/** On a shared board, the avatar of whoever made it, when that is not you. */
function bindCreator(tile, generation) {
  const p = tile.parts;
  const creator = creatorOf(generation);
  if (!creator) {
    if (p.creator?.firstChild) { p.creator.replaceChildren(); delete p.creator.dataset.userId; }
    return;
  }
  if (!p.creator) {
    p.creator = h('span', {class: 'tile-creator', dataset: {testid: 'tile-creator'}});
    tile.querySelector('.tile-media').after(p.creator);
  }
  if (p.creator.dataset.userId !== creator.id) {
    p.creator.replaceChildren(avatar(creator, 22));
    p.creator.dataset.userId = creator.id;
  }
}

/** 3.2 -> "0:03", 125 -> "2:05". */
function lengthWords(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function quickAction(action, icon, label) {
  return h('button', {type: 'button', class: 'tile-quick-action', tabindex: '-1', 'aria-label': label.replace(/ \(.\)$/, ''),
    title: label, dataset: {action, testid: action}}, icon);
}

function setQuickTabbable(tile, tabbable) {
  for (const button of tile.parts.quick.children) button.tabIndex = tabbable ? 0 : -1;
}

/** Which quick actions a tile offers: none while it runs; an upload has no settings to run again. */
function bindQuick(tile, generation, status) {
  const p = tile.parts;
  const finished = !['pending', 'processing'].includes(status);
  const upload = String(generation.generatorName).startsWith('user-upload');
  p.quick.hidden = !finished;
  p.rerun.hidden = upload;
  p.reseed.hidden = upload || !seeded.has(generation.generatorName);
  p.useInput.hidden = status !== 'completed' || !generation.storageUrl;
  if (p.rerun.hidden && p.reseed.hidden && p.useInput.hidden) p.quick.hidden = true;
}

export function hasSeed(generatorName) {
  return seeded.has(generatorName);
}

/** The generators whose inputs have a `seed`; tiles already drawn follow. */
export function setSeededGenerators(names) {
  seeded.clear();
  for (const name of names) seeded.add(name);
  for (const tile of document.querySelectorAll('.tile')) {
    if (tile.bound && tile.parts) bindQuick(tile, tile.bound, tile.bound.status.toLowerCase());
  }
}

function bindExcerpt(tile, generation, status) {
  const p = tile.parts;
  if (generation.artifactType !== 'TEXT') {
    p.excerpt.textContent = '';
    return;
  }
  const fallback = generation.outputMetadata?.text ?? generation.prompt ?? '';
  const url = status === 'completed' ? generation.storageUrl : null;
  const cached = url && textCache.get(url);
  if (typeof cached === 'string') {
    p.excerpt.textContent = cached;
    return;
  }
  p.excerpt.textContent = String(fallback).slice(0, EXCERPT_CHARS);
  if (!url) return;
  const pending = cached ?? fetch(url).then((r) => (r.ok ? r.text() : fallback)).catch(() => fallback)
    .then((text) => { const excerpt = String(text).slice(0, EXCERPT_CHARS); textCache.set(url, excerpt); return excerpt; });
  textCache.set(url, pending);
  pending.then((excerpt) => { if (tile.bound === generation) p.excerpt.textContent = excerpt; });
}

/** The hover preview: a muted video playing over the thumbnail, or the audio. Returns a stop fn. */
export function startPreview(tile) {
  const generation = tile.bound;
  if (!generation || generation.status !== 'COMPLETED' || !generation.storageUrl) return null;
  if (generation.artifactType === 'VIDEO') {
    const video = h('video', {class: 'tile-preview', muted: true, loop: true, playsinline: true, preload: 'auto', src: generation.storageUrl, 'aria-hidden': 'true'});
    video.muted = true;
    tile.querySelector('.tile-media').append(video);
    tile.dataset.previewing = 'true';
    video.play().catch(() => {});
    return () => { video.pause(); video.removeAttribute('src'); video.load(); video.remove(); delete tile.dataset.previewing; };
  }
  if (generation.artifactType === 'AUDIO') {
    const audio = new Audio(generation.storageUrl);
    tile.dataset.previewing = 'true';
    audio.play().catch(() => {});
    return () => { audio.pause(); audio.removeAttribute('src'); audio.load(); delete tile.dataset.previewing; };
  }
  return null;
}
