// Settings: your profile, provider keys, the local engines (settings_local_engines.js), concurrency,
// where the data lives, the theme.
//
// Each section saves on its own and says so (a toast); what the server refused is shown beside its
// field. Keys are written into a password field and sent once: the page never shows, keeps or logs
// one — only whether it is set, its last four characters and where it comes from.
import {gql} from '../api.js';
import {h, formatBytes} from '../dom.js';
import {setCrumbs} from '../app.js';
import {toast, toastError} from '../toast.js';
import {confirmDialog} from '../dialog.js';
import {currentTheme, setTheme} from '../theme.js';
import {openDataFolder} from '../desktop.js';
import {profileSection} from './profile.js';
import {localEnginesSection} from './settings_local_engines.js';
import {USER_FIELDS} from '../people.js';

const KEY_FIELDS = 'provider label envVar isSet lastFour source canStore storeUnavailableReason';
const DISK_FIELDS = 'dataSizeBytes freeSpaceBytes diskSizeBytes lastHousekeeping { finishedAt filesRemoved bytesFreed backupsRemoved keepBackups }';
const SETTINGS_FIELDS = `comfyuiUrl comfyuiUrlSource sdWebuiUrl sdWebuiUrlSource concurrency { provider limit source } dataDir mediaDir mediaStorage databaseKind ${DISK_FIELDS}`;
const LOAD = `{ me { ${USER_FIELDS} } providerKeys { ${KEY_FIELDS} } appSettings { ${SETTINGS_FIELDS} } }`;
const SET_KEY = `mutation SetKey($provider: String!, $key: String!) { setProviderKey(provider: $provider, key: $key) { ${KEY_FIELDS} } }`;
const CLEAR_KEY = `mutation ClearKey($provider: String!) { clearProviderKey(provider: $provider) { ${KEY_FIELDS} } }`;
const UPDATE = `mutation Update($input: UpdateAppSettingsInput!) { updateAppSettings(input: $input) { ${SETTINGS_FIELDS} } }`;
const SIZE = `{ appSettings { ${DISK_FIELDS} } }`;

const MAX_CONCURRENCY = 64;

const LIMIT_SOURCES = {
  settings: 'Saved on this page',
  config: 'From the config file',
  default: 'The default',
  environment: 'Set in the environment',
};

const SECTIONS = [
  ['profile', 'Profile'],
  ['keys', 'Provider keys'],
  ['engine', 'Local engines'],
  ['concurrency', 'Concurrency'],
  ['data', 'Data'],
  ['appearance', 'Appearance'],
];

export async function mount(container) {
  setCrumbs([{label: 'Settings'}]);
  const body = h('div', {class: 'settings-sections', dataset: {testid: 'settings', state: 'loading'}},
    h('div', {class: 'settings-loading muted'}, h('span', {class: 'spinner', 'aria-hidden': 'true'}), 'Loading the settings…'));
  const nav = h('nav', {class: 'settings-nav', 'aria-label': 'Settings sections'},
    SECTIONS.map(([id, label]) => h('button', {
      type: 'button', class: 'ghost', dataset: {section: id},
      onclick: () => container.querySelector(`#settings-${id}`)?.scrollIntoView({behavior: 'smooth', block: 'start'}),
    }, label)));
  container.append(h('div', {class: 'settings'},
    h('header', {class: 'settings-header'}, h('h1', {}, 'Settings')),
    h('div', {class: 'settings-layout'}, nav, body)));

  // The section in view is marked in the side list: the last one whose top has passed the top of the page.
  let frame = 0;
  const markCurrent = () => {
    frame = 0;
    const sections = [...body.querySelectorAll('.settings-section')];
    if (!sections.length) return;
    const top = container.getBoundingClientRect().top + 80;
    const atEnd = container.scrollTop + container.clientHeight >= container.scrollHeight - 2;
    let current = sections[0];
    for (const node of sections) if (node.getBoundingClientRect().top <= top) current = node;
    if (atEnd && container.scrollTop > 0) current = sections.at(-1);
    const id = current.id.replace(/^settings-/, '');
    for (const button of nav.querySelectorAll('button')) {
      if (button.dataset.section === id) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  };
  const onScroll = () => { if (!frame) frame = requestAnimationFrame(markCurrent); };
  container.addEventListener('scroll', onScroll, {passive: true});
  const stop = () => { container.removeEventListener('scroll', onScroll); cancelAnimationFrame(frame); };

  let data;
  try {
    data = await gql(LOAD);
  } catch (error) {
    body.replaceChildren(h('div', {class: 'empty-state error-text', role: 'alert'}, `The settings could not be loaded: ${error.message}`));
    body.dataset.state = 'error';
    return stop;
  }
  const labels = Object.fromEntries(data.providerKeys.map((key) => [key.provider, key.label]));
  body.replaceChildren(
    profileSection(data.me, {section, showError}),
    keysSection(data.providerKeys),
    localEnginesSection(data.appSettings, {section, showError, sentence, fieldMessage}),
    concurrencySection(data.appSettings, labels),
    dataSection(data.appSettings),
    appearanceSection(),
  );
  body.dataset.state = 'ready';
  markCurrent();
  return stop;
}

function section(id, title, intro, ...content) {
  return h('section', {class: 'settings-section', id: `settings-${id}`, 'aria-labelledby': `settings-${id}-title`, dataset: {testid: `section-${id}`}},
    h('div', {class: 'section-head'},
      h('h2', {id: `settings-${id}-title`}, title),
      intro && h('p', {class: 'section-intro'}, intro)),
    ...content);
}

/** The text after "<field>: " in a server refusal, when it names that field. */
function fieldMessage(error, pattern) {
  const match = pattern.exec(String(error?.message ?? ''));
  return match ? match[1] : null;
}

/** The server's lower-case clause, capitalised. */
function sentence(text) {
  const trimmed = String(text).trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

function showError(node, input, message) {
  node.textContent = message ? sentence(message) : '';
  node.hidden = !message;
  if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

// -- provider keys ---------------------------------------------------------------------------

function keysSection(keys) {
  return section('keys', 'Provider keys',
    'Keys for the online services are kept in your system’s keyring, never in the app’s files. Only whether one is set and its last four characters are shown.',
    h('ul', {class: 'key-list'}, keys.map(keyRow)));
}

function keyRow(initial) {
  const row = h('li', {class: 'key-row'});
  draw(initial);
  return row;

  function draw(key) {
    const fromEnvironment = key.source === 'ENVIRONMENT';
    const inputId = `key-${key.provider}`;
    const errorId = `key-${key.provider}-error`;
    const input = h('input', {
      id: inputId, type: 'password', class: 'key-input', autocomplete: 'new-password', spellcheck: 'false',
      placeholder: key.isSet ? 'Paste a new key to replace it' : 'Paste your key',
      disabled: !key.canStore, 'aria-describedby': errorId, dataset: {testid: 'key-input'},
      oninput: () => { save.disabled = !input.value.trim(); showError(error, input, null); },
    });
    const save = h('button', {type: 'submit', class: 'primary', disabled: true, dataset: {testid: 'key-save'}}, key.isSet ? 'Replace' : 'Save');
    const clear = key.isSet && key.source === 'KEYRING'
      ? h('button', {type: 'button', class: 'danger', dataset: {testid: 'key-clear'}, onclick: () => clearKey(key)}, 'Clear')
      : null;
    const error = h('p', {class: 'error', id: errorId, role: 'alert', hidden: true, dataset: {testid: 'key-error'}});
    const form = h('form', {class: 'key-form', onsubmit: (event) => { event.preventDefault(); saveKey(key, input, save, error); }},
      h('label', {class: 'visually-hidden', for: inputId}, `${key.label} key`), input, save, clear);
    const notes = [];
    if (fromEnvironment) {
      notes.push(`This key comes from the ${key.envVar} environment variable, which wins over the keyring: it cannot be cleared here — change or remove it where it is set.`);
    }
    if (!key.canStore) notes.push(sentence(key.storeUnavailableReason ?? 'keys cannot be stored on this computer'));
    row.dataset.provider = key.provider;
    row.dataset.set = String(key.isSet);
    row.dataset.source = key.source ?? '';
    row.dataset.testid = 'provider-key';
    row.replaceChildren(
      h('div', {class: 'key-info'},
        h('div', {class: 'key-name'}, h('strong', {}, key.label), h('code', {class: 'env-var', title: 'Environment variable'}, key.envVar)),
        h('div', {class: 'key-status', dataset: {testid: 'key-status'}},
          key.isSet
            ? [h('span', {class: 'status-dot set', 'aria-hidden': 'true'}), 'Set · ', h('span', {class: 'last-four'}, `••••${key.lastFour ?? ''}`),
              h('span', {class: 'chip source'}, fromEnvironment ? 'environment' : 'keyring')]
            : [h('span', {class: 'status-dot', 'aria-hidden': 'true'}), 'Not set'])),
      h('div', {class: 'key-controls'}, form, error, notes.map((note) => h('p', {class: 'hint', dataset: {testid: 'key-note'}}, note))),
    );
  }

  async function saveKey(key, input, save, error) {
    const value = input.value.trim();
    if (!value) return;
    save.disabled = true;
    input.disabled = true;
    try {
      const {setProviderKey: changed} = await gql(SET_KEY, {provider: key.provider, key: value});
      input.value = '';
      draw(changed);
      toast(`${changed.label} key ${key.isSet ? 'replaced' : 'saved'} (••••${changed.lastFour ?? ''})`, {kind: 'ok'});
      row.querySelector('.key-input')?.focus();
    } catch (failure) {
      input.disabled = !key.canStore;
      save.disabled = false;
      showError(error, input, String(failure.message).replace(/^key: /, ''));
      input.focus();
    }
  }

  async function clearKey(key) {
    const sure = await confirmDialog({
      title: `Clear the ${key.label} key?`,
      message: `The key ending in ${key.lastFour} is removed from the keyring; ${key.label} generators stop working until you set one again.`,
      confirm: 'Clear key',
      danger: true,
    });
    if (!sure) return;
    try {
      const {clearProviderKey: changed} = await gql(CLEAR_KEY, {provider: key.provider});
      draw(changed);
      toast(changed.isSet
        ? `${changed.label}: the keyring’s key is cleared; the one from ${changed.envVar} still applies`
        : `${changed.label} key cleared`, {kind: 'ok'});
    } catch (failure) {
      toastError(`Could not clear the ${key.label} key`, failure);
    }
  }
}

// -- concurrency -----------------------------------------------------------------------------

function concurrencySection(settings, labels) {
  const rows = new Map();  // provider -> {input, error, limit, row}
  const save = h('button', {type: 'submit', class: 'primary', disabled: true, dataset: {testid: 'concurrency-save'}}, 'Save limits');
  const table = h('div', {class: 'concurrency-rows', role: 'group', 'aria-label': 'Generations run at once, per provider'});
  draw(settings.concurrency);
  const form = h('form', {class: 'concurrency-form', onsubmit: submit, novalidate: true},
    table, h('div', {class: 'section-actions'}, save));
  return section('concurrency', 'Concurrency',
    'How many generations the online services and the built-in tools run at once; the rest wait their turn. 0 pauses that provider’s queue. The local engines’ are set under Local engines.', form);

  function draw(all) {
    const limits = all.filter((item) => !ENGINE_PROVIDERS.has(item.provider));
    rows.clear();
    table.replaceChildren(...limits.map((item) => {
      const id = `concurrency-${item.provider}`;
      const fromEnvironment = item.source === 'environment';
      const input = h('input', {
        id, type: 'number', min: 0, max: MAX_CONCURRENCY, step: 1, class: 'limit-input', disabled: fromEnvironment,
        'aria-describedby': `${id}-error ${id}-source`, dataset: {testid: 'concurrency-input', provider: item.provider},
        oninput: () => { showError(error, input, null); refresh(); },
      });
      input.value = String(item.limit);
      const error = h('p', {class: 'error', id: `${id}-error`, role: 'alert', hidden: true, dataset: {testid: 'concurrency-error'}});
      const row = h('div', {class: 'limit-row', dataset: {provider: item.provider, source: item.source}},
        h('label', {for: id}, labels[item.provider] ?? providerName(item.provider)),
        input,
        h('span', {class: 'hint', id: `${id}-source`}, fromEnvironment
          ? `BOARDS_CONCURRENCY_${item.provider.toUpperCase()} is set in the environment, which wins over this page`
          : (LIMIT_SOURCES[item.source] ?? item.source)),
        error);
      rows.set(item.provider, {input, error, limit: item.limit, row});
      return row;
    }));
    if (!limits.length) table.append(h('p', {class: 'muted'}, 'No provider has generators yet.'));
    refresh();
  }

  function changed() {
    return [...rows].filter(([, r]) => !r.input.disabled && r.input.value.trim() !== String(r.limit));
  }

  function refresh() {
    save.disabled = changed().length === 0;
  }

  async function submit(event) {
    event.preventDefault();
    const items = [];
    let bad = false;
    for (const [provider, r] of changed()) {
      const limit = Number(r.input.value);
      if (!Number.isInteger(limit) || limit < 0 || limit > MAX_CONCURRENCY) {
        showError(r.error, r.input, `Give a whole number from 0 to ${MAX_CONCURRENCY} (0 pauses its queue).`);
        bad = true;
      } else {
        items.push({provider, limit});
      }
    }
    if (bad || !items.length) return;
    save.disabled = true;
    try {
      const {updateAppSettings: saved} = await gql(UPDATE, {input: {concurrency: items}});
      draw(saved.concurrency);
      toast(`Concurrency saved: ${items.map((i) => `${labels[i.provider] ?? providerName(i.provider)} ${i.limit}`).join(', ')}`, {kind: 'ok'});
    } catch (failure) {
      const provider = /^concurrency\[([^\]]+)\]/.exec(failure.message ?? '')?.[1];
      const target = provider && rows.get(provider);
      if (target) showError(target.error, target.input, failure.message.replace(/^concurrency\[[^\]]+\](\.limit)?: /, ''));
      else toastError('Could not save the concurrency', failure);
      refresh();
    }
  }
}

// Their jobs at once are set per engine, under Local engines.
const ENGINE_PROVIDERS = new Set(['comfyui', 'sdwebui', 'openai-compatible']);

function providerName(provider) {
  if (provider === 'local') return 'Local (built in)';
  return provider.charAt(0).toUpperCase() + provider.slice(1);
}

// -- data ------------------------------------------------------------------------------------

function dataSection(settings) {
  const size = h('span', {dataset: {testid: 'data-size', bytes: String(settings.dataSizeBytes)}}, formatBytes(settings.dataSizeBytes));
  const free = h('dd', {dataset: {testid: 'free-space'}});
  const tidied = h('dd', {dataset: {testid: 'housekeeping'}});
  const drawDisk = values => {
    size.textContent = formatBytes(values.dataSizeBytes);
    size.dataset.bytes = String(values.dataSizeBytes);
    free.dataset.bytes = String(values.freeSpaceBytes ?? '');
    free.textContent = freeSpaceText(values.freeSpaceBytes, values.diskSizeBytes);
    free.classList.toggle('warning', values.freeSpaceBytes != null && values.freeSpaceBytes < LOW_SPACE_BYTES);
    tidied.textContent = housekeepingText(values.lastHousekeeping);
    tidied.dataset.files = String(values.lastHousekeeping?.filesRemoved ?? '');
  };
  drawDisk(settings);
  const recount = h('button', {type: 'button', class: 'ghost small', 'aria-label': 'Count the size again', title: 'Count again', onclick: async () => {
    recount.disabled = true;
    try {
      const {appSettings} = await gql(SIZE);
      drawDisk(appSettings);
    } catch (error) {
      toastError('Could not count the data’s size', error);
    } finally {
      recount.disabled = false;
    }
  }}, '↻');
  const path = (value, testid) => h('dd', {}, h('code', {class: 'path', title: value, dataset: {testid}}, value));
  return section('data', 'Data', 'Everything you make stays on this computer, in one folder.',
    h('dl', {class: 'data-list'},
      h('dt', {}, 'Data folder'), path(settings.dataDir, 'data-dir'),
      h('dt', {}, 'Media'), path(settings.mediaStorage || settings.mediaDir, 'media-dir'),  // a team's bucket: s3://...
      h('dt', {}, 'Database'), h('dd', {dataset: {testid: 'database-kind'}}, settings.databaseKind === 'postgresql' ? 'PostgreSQL' : 'SQLite'),
      h('dt', {}, 'Size on disk'), h('dd', {class: 'size-line'}, size, recount),
      h('dt', {}, 'Free space'), free,
      h('dt', {}, 'Housekeeping'), tidied),
    h('div', {class: 'section-actions start'},
      h('button', {type: 'button', dataset: {testid: 'open-data-folder'}, onclick: () => openDataFolder()}, 'Open data folder')));
}

// Below this the disk is shown as nearly full: a few large videos' worth.
const LOW_SPACE_BYTES = 1024 ** 3;

function freeSpaceText(freeBytes, diskBytes) {
  if (freeBytes == null) return 'Not known on this system';
  const text = diskBytes ? `${formatBytes(freeBytes)} free of ${formatBytes(diskBytes)}` : `${formatBytes(freeBytes)} free`;
  return freeBytes < LOW_SPACE_BYTES ? `${text} — nearly full: uploads and new generations stop when it is` : text;
}

function housekeepingText(run) {
  if (!run) return 'Runs in the background after start-up, then daily';
  const when = new Date(run.finishedAt).toLocaleString([], {dateStyle: 'medium', timeStyle: 'short'});
  if (!run.filesRemoved) return `Nothing to tidy at the last run (${when})`;
  const files = run.filesRemoved === 1 ? '1 file' : `${run.filesRemoved} files`;
  const backups = run.backupsRemoved ? `, of which ${run.backupsRemoved} old database backup${run.backupsRemoved === 1 ? '' : 's'} (the newest ${run.keepBackups} are kept)` : '';
  return `Freed ${formatBytes(run.bytesFreed)} at the last run (${when}): ${files} left by interrupted work${backups}`;
}

// -- appearance ------------------------------------------------------------------------------

function appearanceSection() {
  const chosen = currentTheme();
  const option = (value, label, hint) => h('label', {class: 'theme-option', dataset: {theme: value}},
    h('span', {class: 'theme-swatch', 'aria-hidden': 'true'}, h('span'), h('span')),
    h('span', {class: 'theme-label'},
      h('input', {type: 'radio', name: 'theme', value, checked: chosen === value, dataset: {testid: `theme-${value}`},
        onchange: () => { setTheme(value); toast(`Theme: ${label}`, {kind: 'ok'}); }}),
      h('span', {}, h('strong', {}, label), h('span', {class: 'hint'}, hint))));
  return section('appearance', 'Appearance', null,
    h('fieldset', {class: 'theme-choice', role: 'radiogroup', 'aria-labelledby': 'theme-legend'},
      h('legend', {id: 'theme-legend'}, 'Theme'),
      option('system', 'System', 'Follows your computer'),
      option('light', 'Light', 'Always light'),
      option('dark', 'Dark', 'Always dark')));
}
