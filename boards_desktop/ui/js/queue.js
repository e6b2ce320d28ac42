// The queue: a button in the top bar with the count of waiting and running generations, and the
// panel it opens: per provider what waits and runs, an estimate, Pause/Resume, Cancel all; your own
// jobs listed with Cancel each; Cancel everything at the bottom.
//
// Counts follow the app's queue events (/api/sse/queue: a job queued, started or ended), read again
// at most every REFRESH_MS, and not while the page is hidden (once when it is shown again). A pause is kept by the app (across restarts); a paused provider's jobs
// stay queued until it is resumed.
//
// On a shared database a job queued by an app with another media storage (a teammate's own folder,
// or a bucket this app no longer uses) is run only by such an app: it is counted apart ("3 waiting
// for another app's media storage"), and your own such jobs say so in the list, with Cancel.
import {gql} from './api.js';
import {generatorLabel, providerLabel} from './names.js';
import {h, plural} from './dom.js';
import {emit, on} from './bus.js';
import {confirmDialog} from './dialog.js';
import {addShortcut} from './shortcuts.js';
import {toast, toastError} from './toast.js';
import {visibleTimeout} from './timers.js';

const STATUS = `query { queueStatus { waiting running waitingElsewhere providers { name waiting running paused
  concurrency estimatedSeconds waitingElsewhereIds waitingElsewhere
  jobs { id boardId status prompt generatorName createdAt } } } }`;
const PAUSE = 'mutation($name: String!) { pauseProvider(name: $name) { waiting } }';
const RESUME = 'mutation($name: String!) { resumeProvider(name: $name) { waiting } }';
const CANCEL_ALL = 'mutation($provider: String) { cancelQueued(provider: $provider) }';
const CANCEL_ONE = 'mutation($id: UUID!) { cancelGeneration(id: $id) { id status } }';
const REFRESH_MS = 300;
let latest = null;  // the last reading, for a page mounted after it (the grid's queue places)

/** The last reading of the queue ({providers: [{name, paused, jobs}]}), or null before the first. */
export function queueStatusNow() {
  return latest;
}

/** 3 -> "3 waiting for another app's media storage". */
export function elsewhereWords(count) {
  return `${count} waiting for another app's media storage`;
}

/** 95 -> "about 2 min left". */
export function estimateWords(seconds) {
  if (seconds === null || seconds === undefined) return 'no estimate yet';
  if (seconds < 60) return 'under a minute left';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest ? ` ${rest} min` : ''} left`;
}

export function installQueue() {
  const button = document.querySelector('[data-testid=open-queue]');
  const badge = button.querySelector('[data-testid=queue-count]');
  const list = h('div', {class: 'queue-providers'});
  const cancelEverything = h('button', {type: 'button', class: 'danger', dataset: {testid: 'queue-cancel-everything'},
    onclick: () => cancelAll(null)}, 'Cancel everything');
  const summary = h('p', {class: 'queue-summary muted', dataset: {testid: 'queue-summary'}});
  const panel = h('section', {class: 'queue-panel', id: 'queue-panel', role: 'dialog', 'aria-labelledby': 'queue-title',
    hidden: true, tabindex: '-1', dataset: {testid: 'queue-panel'}},
    h('header', {class: 'queue-head'},
      h('h2', {id: 'queue-title'}, 'Queue'),
      summary,
      h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Close the queue', title: 'Close (Escape)', onclick: () => close()}, '✕')),
    list,
    h('footer', {class: 'queue-foot'}, cancelEverything));
  document.body.append(panel);
  let status = null;
  let timer = null;
  let reading = null;

  button.addEventListener('click', () => (panel.hidden ? open() : close()));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); close(); }
  });
  document.addEventListener('pointerdown', (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !button.contains(event.target)
      && !event.target.closest?.('dialog')) close({focus: false});
  });
  addShortcut({keys: 'q', label: 'Q', description: 'Show or hide the queue', run: () => (panel.hidden ? open() : close())});
  on('generation:created', () => schedule());

  const source = new EventSource('/api/sse/queue');
  source.addEventListener('queue', () => schedule());
  source.onopen = () => schedule();  // after a drop, what changed meanwhile
  refresh();

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    refresh();
    panel.focus();
  }

  function close({focus = true} = {}) {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focus) button.focus();
  }

  function schedule() {
    if (timer) return;
    timer = visibleTimeout(() => { timer = null; refresh(); }, REFRESH_MS);
  }

  async function refresh() {
    if (reading) return schedule();  // one read at a time; the next one sees what changed meanwhile
    reading = gql(STATUS);
    try {
      status = (await reading).queueStatus;
      latest = status;
      draw();
      emit('queue:status', status);
    } catch (error) {
      console.error('the queue could not be read', error);
    } finally {
      reading = null;
    }
  }

  function draw() {
    const total = status.waiting + status.running;
    const pausedWaiting = status.providers.some((p) => p.paused && p.waiting);
    badge.textContent = total > 99 ? '99+' : String(total);
    badge.hidden = total === 0;
    button.dataset.paused = String(pausedWaiting);
    const label = total ? `Queue: ${status.waiting} waiting, ${status.running} running${pausedWaiting ? ', some paused' : ''}` : 'Queue: nothing waiting';
    button.setAttribute('aria-label', label);
    button.title = `${label} (Q)`;
    const elsewhere = status.waitingElsewhere ? ` · ${elsewhereWords(status.waitingElsewhere)}` : '';
    summary.textContent = total ? `${status.waiting} waiting · ${status.running} running${elsewhere}`
      : elsewhere ? elsewhereWords(status.waitingElsewhere) : 'Nothing is waiting or running.';
    cancelEverything.disabled = !status.providers.some((p) => p.jobs.length);
    if (panel.hidden) return;
    // Busy and paused providers first; the idle ones below, so that one can be paused before queuing.
    const ordered = [...status.providers].sort((a, b) =>
      Number(b.waiting + b.running + b.waitingElsewhere > 0 || b.paused)
      - Number(a.waiting + a.running + a.waitingElsewhere > 0 || a.paused));
    const focused = document.activeElement?.closest?.('[data-provider]')?.dataset.provider;
    const focusedAction = document.activeElement?.dataset?.action;
    list.replaceChildren(...ordered.map(providerBlock));
    if (focused && focusedAction) {
      list.querySelector(`[data-provider="${CSS.escape(focused)}"] [data-action]:not([hidden])`)?.focus();
    }
  }

  function providerBlock(item) {
    const busy = item.waiting + item.running > 0;
    const counts = busy ? `${item.waiting} waiting · ${item.running} running` : item.waitingElsewhere ? '' : 'idle';
    const elsewhere = new Set(item.waitingElsewhereIds);
    const estimate = !busy ? null : item.paused ? 'paused: nothing starts' : estimateWords(item.estimatedSeconds);
    const name = providerLabel(item.name);
    return h('div', {class: 'queue-provider', role: 'group', 'aria-label': name,
      dataset: {provider: item.name, paused: String(item.paused), busy: String(busy), testid: 'queue-provider'}},
      h('div', {class: 'queue-provider-head'},
        h('div', {class: 'queue-provider-name'},
          h('strong', {}, name),
          item.paused ? h('span', {class: 'queue-paused-tag', dataset: {testid: 'queue-paused'}}, 'Paused') : null),
        h('div', {class: 'queue-provider-counts'},
          h('span', {dataset: {testid: 'queue-counts'}}, counts),
          item.waitingElsewhere ? h('span', {class: 'muted', dataset: {testid: 'queue-elsewhere'},
            title: 'Queued by an app with other media storage; only an app with that storage runs them. Cancel your own here.'},
          elsewhereWords(item.waitingElsewhere)) : null,
          estimate ? h('span', {class: 'muted', dataset: {testid: 'queue-estimate'}}, estimate) : null),
        h('div', {class: 'queue-provider-actions'},
          item.paused
            ? h('button', {type: 'button', class: 'primary', dataset: {action: 'resume'}, onclick: () => setPaused(item, false),
              'aria-label': `Resume ${name}`}, 'Resume')
            : h('button', {type: 'button', dataset: {action: 'pause'}, onclick: () => setPaused(item, true),
              'aria-label': `Pause ${name}`, title: 'Its waiting generations stay queued until you resume it'}, 'Pause'),
          item.jobs.length ? h('button', {type: 'button', class: 'ghost danger-text', dataset: {action: 'cancel-provider'},
            onclick: () => cancelAll(item), 'aria-label': `Cancel all of ${name}`}, 'Cancel all') : null)),
      item.jobs.length ? h('ol', {class: 'queue-jobs', 'aria-label': `Your generations on ${name}`},
        item.jobs.map((job) => jobRow(job, elsewhere.has(job.id)))) : null);
  }

  function jobRow(job, elsewhere) {
    const text = job.prompt || generatorLabel(job.generatorName);
    const running = job.status === 'PROCESSING';
    return h('li', {class: 'queue-job', dataset: {generationId: job.id, status: job.status.toLowerCase()}},
      h('span', {class: 'queue-job-dot', 'aria-hidden': 'true'}),
      h('a', {href: `#/boards/${job.boardId}?view=${job.id}`, class: 'queue-job-text', title: text,
        onclick: () => close({focus: false})}, text),
      h('span', {class: 'queue-job-state muted', title: elsewhere ? 'Waiting for the app that holds its files' : null},
        running ? 'running' : elsewhere ? 'waiting for its app' : 'waiting'),
      h('button', {type: 'button', class: 'ghost queue-job-cancel', dataset: {action: 'cancel-job'},
        'aria-label': `Cancel “${text}”`, onclick: () => cancelOne(job)}, 'Cancel'));
  }

  async function setPaused(item, paused) {
    try {
      await gql(paused ? PAUSE : RESUME, {name: item.name});
      toast(paused ? `Paused ${providerLabel(item.name)}: its queue waits` : `Resumed ${providerLabel(item.name)}`, {kind: 'ok'});
    } catch (error) {
      toastError(paused ? 'Could not pause it' : 'Could not resume it', error);
    }
    await refresh();
    keepFocus();
  }

  // A button that was pressed may be gone once the panel is drawn again (a redraw while the confirm
  // dialog was open replaces the one it gives the focus back to): the focus stays in the panel, so
  // that Escape still closes it.
  function keepFocus() {
    if (!panel.hidden && !panel.contains(document.activeElement)) panel.focus();
  }

  async function cancelOne(job) {
    try {
      await gql(CANCEL_ONE, {id: job.id});
      toast('Cancelled', {kind: 'ok'});
    } catch (error) {
      toastError('Could not cancel it', error);
    }
    await refresh();
    keepFocus();
  }

  async function cancelAll(item) {
    const jobs = item ? item.jobs.length : status.providers.reduce((sum, p) => sum + p.jobs.length, 0);
    const where = item ? ` on ${providerLabel(item.name)}` : '';
    const ok = await confirmDialog({
      title: `Stop ${plural(jobs, 'generation')}${where}?`,
      message: 'Your waiting and running generations stop; they stay on their boards as cancelled, and Retry queues one again.',
      confirm: 'Stop them', danger: true,
    });
    if (!ok) return;
    try {
      const {cancelQueued} = await gql(CANCEL_ALL, {provider: item ? item.name : null});
      toast(`Cancelled ${plural(cancelQueued, 'generation')}`, {kind: 'ok'});
    } catch (error) {
      toastError('Nothing was cancelled', error);
    }
    await refresh();
    keepFocus();
  }
}
