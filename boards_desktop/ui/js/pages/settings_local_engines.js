// Settings › Local engines: ComfyUI, the Stable Diffusion WebUI and each OpenAI-compatible server
// (Ollama, LM Studio, LocalAI, llama.cpp's server, vLLM), one row each: its address, where it stands
// (answers, not running, API off, key refused… with the reason in the engine's own words), a
// "Test connection" button, and how many of its jobs run at once. The WebUI stays at one: it runs one
// image at a time. Servers are added, changed and removed here (settings_openai_endpoints.js).
//
// Hooks for tests: the section [data-testid=section-engine]; each row .engine-row[data-engine=<id>]
// [data-state=<state>] (ComfyUI and the WebUI [data-testid=engine], the servers [data-testid=endpoint]
// [data-name]); in a row: engine-status, engine-test, engine-test-result, jobs-at-once,
// jobs-at-once-save, jobs-at-once-note, jobs-at-once-error. The addresses keep their own hooks
// (comfyui-url, comfyui-save, sdwebui-url…).
import {gql} from '../api.js';
import {h} from '../dom.js';
import {toast, toastError} from '../toast.js';
import {endpointForm, endpointDetails, endpointActions} from './settings_openai_endpoints.js';
import {workflowsBlock} from './settings_workflows.js';

const MAX_JOBS_AT_ONCE = 16;
const ENDPOINT_FIELDS = 'name url auto keySet keyLastFour checked unavailableReason models offersImages generators';
const FIELDS = `id kind name url state reason jobsAtOnce jobsAtOnceSource jobsAtOnceFixedReason models samplers endpoint { ${ENDPOINT_FIELDS} }`;
const LIST = `{ localEngines { ${FIELDS} } }`;
const TEST = `mutation TestEngine($id: String!) { testLocalEngine(id: $id) { ${FIELDS} } }`;
const SET_JOBS = `mutation SetJobs($id: String!, $n: Int!) { setEngineJobsAtOnce(id: $id, jobsAtOnce: $n) { ${FIELDS} } }`;
const SETTINGS_FIELDS = 'comfyuiUrl comfyuiUrlSource sdWebuiUrl sdWebuiUrlSource';
const UPDATE = `mutation Update($input: UpdateAppSettingsInput!) { updateAppSettings(input: $input) { ${SETTINGS_FIELDS} } }`;

const STATES = {
  ANSWERS: 'Answers',
  NOT_CHECKED: 'Not checked yet',
  NOT_RUNNING: 'Not running',
  API_OFF: 'API off',
  KEY_REFUSED: 'Key refused',
  WRONG_ADDRESS: 'Not this engine',
  NO_MODEL: 'No model',
  OTHER: 'Cannot run jobs',
};

const ADDRESSES = {
  comfyui: {field: 'comfyuiUrl', env: 'BOARDS_COMFYUI_URL', example: 'http://127.0.0.1:8188'},
  sdwebui: {field: 'sdWebuiUrl', env: 'BOARDS_SD_WEBUI_URL', example: 'http://127.0.0.1:7860'},
};

const SOURCES = {
  environment: 'set in the environment',
  settings: 'the address saved on this page',
  config: 'the address in the config file',
  default: 'the default address',
};

/** An engine's reason as read on this page: "set its address in Settings" points below, not to Settings. */
function here(reason) {
  return reason.replace(/ (?:in|from) Settings(?: › Local engines)?(?=[.;,)]|$)/, ' below');
}

/** The section. `parts` are the page's own helpers: section, showError, sentence, fieldMessage. */
export function localEnginesSection(settings, parts) {
  const {section} = parts;
  const rows = new Map();  // engine id -> its row's `draw`
  const builtIn = h('ul', {class: 'engine-list', dataset: {testid: 'engine-list'}});
  const servers = h('ul', {class: 'engine-list endpoint-list', dataset: {testid: 'endpoint-list'}},
    h('li', {class: 'muted'}, 'Reading the engines…'));
  const form = endpointForm(parts, {onSaved: load});
  const node = section('engine', 'Local engines',
    'Engines on this computer or your network, each with where it stands and how many of its jobs run at once (the rest wait their turn). '
    + 'ComfyUI runs the workflows offered as generators; the Stable Diffusion WebUI (AUTOMATIC1111, Forge or SD.Next, started with --api) runs “WebUI text to image” and “WebUI image to image”; '
    + 'each model a language model server lists becomes a text generator (for the prompt assistant too). Ollama on this computer is found on its own while it runs.',
    builtIn,
    h('h3', {class: 'engine-subtitle'}, 'Language model servers'),
    servers, form.node);
  load();
  return node;

  async function load() {
    let engines;
    try {
      ({localEngines: engines} = await gql(LIST));
    } catch (failure) {
      servers.replaceChildren(h('li', {class: 'error-text'}, `The engines could not be read: ${failure.message}`));
      return;
    }
    const endpoints = engines.filter((e) => e.kind === 'openai-compatible');
    for (const engine of engines.filter((e) => e.kind !== 'openai-compatible')) {
      if (rows.has(engine.id)) rows.get(engine.id)(engine);
      else builtIn.append(engineRow(engine, settings, parts, rows, {edit: form.edit, reload: load}));
    }
    for (const id of [...rows.keys()]) if (id.startsWith('openai-compatible/')) rows.delete(id);
    servers.replaceChildren(...(endpoints.length
      ? endpoints.map((engine) => engineRow(engine, settings, parts, rows, {edit: form.edit, reload: load}))
      : [h('li', {class: 'muted', dataset: {testid: 'endpoint-none'}}, 'No server yet.')]));
  }
}

/** One engine's row; `rows` gets its `draw(engine)`, which shows a fresh answer. */
function engineRow(initial, settings, parts, rows, {edit, reload}) {
  const {showError, sentence} = parts;
  let engine = initial;
  const isServer = engine.kind === 'openai-compatible';
  const title = h('div', {class: 'engine-title'});
  const status = h('div', {class: 'engine-status', dataset: {testid: isServer ? 'endpoint-status' : 'engine-status'}});
  const details = h('div', {class: 'engine-details'});
  const result = h('p', {class: 'hint engine-test', role: 'status', hidden: true, dataset: {testid: 'engine-test-result'}});
  const test = h('button', {type: 'button', dataset: {testid: 'engine-test'}, onclick: () => check()}, 'Test connection');
  const jobs = jobsAtOnce();
  const row = h('li', {class: 'engine-row', dataset: {testid: isServer ? 'endpoint' : 'engine', engine: engine.id}},
    h('div', {class: 'engine-info'}, title, status, details),
    ADDRESSES[engine.kind] ? addressForm(engine.kind, settings, parts, () => check({quiet: true})) : null,
    h('div', {class: 'engine-controls'},
      h('div', {class: 'engine-actions'}, test, isServer ? endpointActions(engine.endpoint, {edit, reload}) : null),
      jobs.node),
    result,
    // Last: the test and the limit belong with the address above, the workflows are ComfyUI's content.
    engine.kind === 'comfyui' ? workflowsBlock(parts) : null);
  rows.set(engine.id, draw);
  draw(engine);
  return row;

  function draw(fresh) {
    engine = fresh;
    const ok = engine.state === 'ANSWERS';
    row.dataset.state = engine.state;
    row.dataset.ok = String(ok);
    if (isServer) row.dataset.name = engine.name;
    title.replaceChildren(h('strong', {}, engine.name), ' ', h('code', {class: 'engine-url'}, engine.url));
    if (engine.endpoint?.auto) title.append(' ', h('span', {class: 'chip source'}, 'found on its own'));
    status.replaceChildren(
      h('span', {class: `status-dot${ok ? ' set' : ''}`, 'aria-hidden': 'true'}),
      h('span', {class: `chip engine-state${ok ? ' ok' : ''}`, dataset: {testid: 'engine-state'}}, STATES[engine.state] ?? engine.state),
      h('span', {}, ok ? answers(engine) : sentence(here(engine.reason ?? 'It has not been checked yet'))));
    details.replaceChildren(...(isServer ? endpointDetails(engine.endpoint) : []));
    jobs.draw(engine);
  }

  async function check({quiet = false} = {}) {
    test.disabled = true;
    if (!quiet) {
      result.hidden = false;
      result.dataset.state = 'checking';
      result.textContent = `Asking ${engine.name}…`;
    }
    try {
      const {testLocalEngine: fresh} = await gql(TEST, {id: engine.id});
      draw(fresh);
      if (!quiet) {
        result.dataset.state = fresh.state === 'ANSWERS' ? 'ok' : 'failed';
        result.textContent = fresh.state === 'ANSWERS' ? `${fresh.name} answers at ${fresh.url}.${offers(fresh)}` : sentence(fresh.reason ?? 'It does not answer');
      }
    } catch (failure) {
      if (!quiet) {
        result.dataset.state = 'failed';
        result.textContent = `The test could not run: ${failure.message}`;
      }
    } finally {
      test.disabled = false;
    }
  }

  function jobsAtOnce() {
    const inputId = `jobs-${engine.id.replace(/[^a-z0-9-]/g, '-')}`;
    const input = h('input', {
      id: inputId, type: 'number', min: 1, max: MAX_JOBS_AT_ONCE, step: 1, class: 'limit-input', inputmode: 'numeric',
      'aria-describedby': `${inputId}-note ${inputId}-error`, dataset: {testid: 'jobs-at-once'},
      oninput: () => { showError(error, input, null); save.disabled = input.value.trim() === String(engine.jobsAtOnce); },
    });
    const save = h('button', {type: 'submit', class: 'primary small', disabled: true, dataset: {testid: 'jobs-at-once-save'}}, 'Save');
    const note = h('p', {class: 'hint', id: `${inputId}-note`, dataset: {testid: 'jobs-at-once-note'}});
    const error = h('p', {class: 'error', id: `${inputId}-error`, role: 'alert', hidden: true, dataset: {testid: 'jobs-at-once-error'}});
    const node = h('form', {class: 'jobs-at-once', novalidate: true, onsubmit: submit},
      h('label', {for: inputId}, 'Jobs at once'), input, save, note, error);
    return {node, draw: drawJobs};

    function drawJobs(values) {
      input.value = String(values.jobsAtOnce);
      const fixed = values.jobsAtOnceFixedReason;
      input.disabled = Boolean(fixed);
      save.hidden = Boolean(fixed);
      save.disabled = true;
      note.textContent = fixed ? `${sentence(fixed)}.`
        : values.jobsAtOnceSource === 'settings' ? 'Saved on this page; the rest wait their turn.'
          : values.jobsAtOnceSource === 'config' ? 'From the config file; the rest wait their turn.'
            : 'The default; the rest wait their turn.';
    }

    async function submit(event) {
      event.preventDefault();
      if (input.disabled) return;
      const text = input.value.trim();
      const value = Number(text);
      if (!/^\d+$/.test(text) || value < 1 || value > MAX_JOBS_AT_ONCE) {
        showError(error, input, `Give a whole number from 1 to ${MAX_JOBS_AT_ONCE}.`);
        input.focus();
        return;
      }
      save.disabled = true;
      try {
        const {setEngineJobsAtOnce: fresh} = await gql(SET_JOBS, {id: engine.id, n: value});
        draw(fresh);
        showError(error, input, null);
        toast(`${fresh.name}: ${fresh.jobsAtOnce} job${fresh.jobsAtOnce === 1 ? '' : 's'} at once`, {kind: 'ok'});
      } catch (failure) {
        const message = String(failure.message ?? '');
        showError(error, input, /^jobsAtOnce: /.test(message) ? message.replace(/^jobsAtOnce: /, '') : `It could not be saved: ${message}`);
        save.disabled = false;
      }
    }
  }
}

function answers(engine) {
  if (engine.kind === 'openai-compatible') {
    const count = engine.models.length;
    return `Answers · ${count} model${count === 1 ? '' : 's'}${engine.endpoint?.offersImages ? ' · makes images' : ''}`;
  }
  if (engine.kind === 'sdwebui' && engine.models.length) {
    return `Answers · ${engine.models.length} checkpoint${engine.models.length === 1 ? '' : 's'}`;
  }
  return 'Answers';
}

function offers(engine) {
  if (engine.kind === 'sdwebui' && engine.models.length) {
    const n = engine.models.length;
    const s = engine.samplers.length;
    return ` It offers ${n} checkpoint${n === 1 ? '' : 's'} and ${s} sampler${s === 1 ? '' : 's'}.`;
  }
  if (engine.kind === 'openai-compatible') {
    const n = engine.models.length;
    return ` It lists ${n} model${n === 1 ? '' : 's'}.`;
  }
  return '';
}

/** ComfyUI's or the WebUI's address: saved on this page (unless the environment sets it). */
function addressForm(kind, settings, {showError, fieldMessage}, checkAgain) {
  const {field, env, example} = ADDRESSES[kind];
  const label = kind === 'comfyui' ? 'ComfyUI' : 'Stable Diffusion WebUI';
  const input = h('input', {
    id: `${kind}-url`, type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false',
    class: 'url-input', 'aria-describedby': `${kind}-url-error ${kind}-url-source`, dataset: {testid: `${kind}-url`},
    oninput: () => { showError(error, input, null); save.disabled = input.value.trim() === current; },
  });
  const save = h('button', {type: 'submit', class: 'primary', disabled: true, dataset: {testid: `${kind}-save`}}, 'Save');
  const error = h('p', {class: 'error', id: `${kind}-url-error`, role: 'alert', hidden: true, dataset: {testid: `${kind}-url-error`}});
  const source = h('p', {class: 'hint', id: `${kind}-url-source`, dataset: {testid: `${kind}-url-source`}});
  let current = '';
  draw(settings);
  return h('form', {class: 'field engine-address', onsubmit: submit, dataset: {engine: kind}},
    h('label', {for: `${kind}-url`}, 'Address'),
    h('div', {class: 'inline-form'}, input, save),
    error, source);

  function draw(values) {
    current = values[field];
    input.value = current;
    const fromEnvironment = values[`${field}Source`] === 'environment';
    input.disabled = fromEnvironment;
    save.disabled = true;
    source.textContent = fromEnvironment
      ? `Set in the environment (${env}), which wins over this page: change or remove it there.`
      : `Using ${SOURCES[values[`${field}Source`]] ?? values[`${field}Source`]}.`;
  }

  async function submit(event) {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) { showError(error, input, `Give the address ${label} listens on, e.g. ${example}`); return; }
    save.disabled = true;
    try {
      const {updateAppSettings: changed} = await gql(UPDATE, {input: {[field]: value}});
      draw(changed);
      showError(error, input, null);
      toast(`${label} address saved: ${changed[field]}`, {kind: 'ok'});
      checkAgain();  // the row shows whether it answers there
    } catch (failure) {
      const message = fieldMessage(failure, new RegExp(`^${field}: (.*)$`, 's'));
      if (message === null) toastError(`Could not save the ${label} address`, failure);
      else showError(error, input, message);
      save.disabled = false;
      input.focus();
    }
  }
}
