// Settings › Language model servers: the OpenAI-compatible endpoints (Ollama, LM Studio, LocalAI,
// llama.cpp's server, vLLM). Each has a name, an address and maybe a key; its status and models come
// from the server (checked on "Test"). Ollama on this computer is found on its own when it runs.
// Keys go into the password field and are sent once: the page shows only whether one is set and its
// last four characters.
//
// Hooks for tests: [data-testid=section-llm-servers], endpoint rows [data-testid=endpoint][data-name],
// endpoint-status, endpoint-test, endpoint-edit, endpoint-remove; the form endpoint-form with
// endpoint-name, endpoint-url, endpoint-key, endpoint-save, endpoint-error.
import {gql} from '../api.js';
import {h} from '../dom.js';
import {toast, toastError} from '../toast.js';
import {confirmDialog} from '../dialog.js';

const FIELDS = 'name url auto keySet keyLastFour checked unavailableReason models offersImages generators';
const LIST = `{ openaiEndpoints { ${FIELDS} } }`;
const SAVE = `mutation SaveEndpoint($input: OpenaiEndpointInput!) { saveOpenaiEndpoint(input: $input) { ${FIELDS} } }`;
const REMOVE = `mutation RemoveEndpoint($name: String!) { removeOpenaiEndpoint(name: $name) { ${FIELDS} } }`;
const TEST = `mutation TestEndpoint($name: String!) { testOpenaiEndpoint(name: $name) { ${FIELDS} } }`;

export const ENDPOINTS_SECTION = ['llm-servers', 'Language model servers'];

/** The section; `section(id, title, intro, ...content)` and `showError(node, input, message)` are the page's. */
export function openaiEndpointsSection({section, showError}) {
  let endpoints = [];
  let editing = null;  // the name of the endpoint in the form, or null for a new one
  const list = h('ul', {class: 'endpoint-list', dataset: {testid: 'endpoint-list'}});
  const name = h('input', {id: 'endpoint-name', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'LM Studio',
    dataset: {testid: 'endpoint-name'}});
  const url = h('input', {id: 'endpoint-url', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false',
    class: 'url-input', placeholder: 'http://127.0.0.1:1234/v1', dataset: {testid: 'endpoint-url'}});
  const key = h('input', {id: 'endpoint-key', type: 'password', autocomplete: 'new-password', spellcheck: 'false',
    placeholder: 'Optional', dataset: {testid: 'endpoint-key'}});
  const error = h('p', {class: 'error', role: 'alert', hidden: true, dataset: {testid: 'endpoint-error'}});
  const save = h('button', {type: 'submit', class: 'primary', dataset: {testid: 'endpoint-save'}}, 'Add');
  const cancel = h('button', {type: 'button', class: 'ghost', hidden: true, onclick: () => edit(null)}, 'Cancel');
  const title = h('h3', {class: 'endpoint-form-title'}, 'Add a server');
  const form = h('form', {class: 'endpoint-form', dataset: {testid: 'endpoint-form'}, onsubmit: (event) => { event.preventDefault(); submit(); }},
    title,
    h('label', {for: 'endpoint-name'}, 'Name'), name,
    h('label', {for: 'endpoint-url'}, 'Address'), url,
    h('label', {for: 'endpoint-key'}, 'Key'), key,
    error,
    h('div', {class: 'section-actions'}, cancel, save));
  const node = section(ENDPOINTS_SECTION[0], ENDPOINTS_SECTION[1],
    'Servers that speak OpenAI’s API on your computer or network — Ollama, LM Studio, LocalAI, llama.cpp, vLLM. '
    + 'Each model they list becomes a text generator (for the prompt assistant too); a server with an images API also makes images. '
    + 'Ollama on this computer is found on its own while it runs.',
    list, form);
  load();
  return node;

  async function load() {
    try {
      ({openaiEndpoints: endpoints} = await gql(LIST));
      draw();
    } catch (failure) {
      list.replaceChildren(h('li', {class: 'error-text'}, `The servers could not be read: ${failure.message}`));
    }
  }

  function draw() {
    list.replaceChildren(...(endpoints.length ? endpoints.map(row)
      : [h('li', {class: 'muted', dataset: {testid: 'endpoint-none'}}, 'No server yet.')]));
  }

  function row(endpoint) {
    const ok = endpoint.checked && !endpoint.unavailableReason;
    const status = !endpoint.checked ? 'Not checked yet'
      : ok ? `Answers · ${endpoint.models.length} model${endpoint.models.length === 1 ? '' : 's'}${endpoint.offersImages ? ' · makes images' : ''}`
        : endpoint.unavailableReason;
    return h('li', {class: 'endpoint-row', dataset: {testid: 'endpoint', name: endpoint.name, ok: String(ok)}},
      h('div', {class: 'endpoint-info'},
        h('div', {}, h('strong', {}, endpoint.name), ' ', h('code', {}, endpoint.url),
          endpoint.auto ? h('span', {class: 'chip source'}, 'found on its own') : null),
        h('div', {class: 'endpoint-status', dataset: {testid: 'endpoint-status'}},
          h('span', {class: `status-dot${ok ? ' set' : ''}`, 'aria-hidden': 'true'}), status),
        endpoint.models.length ? h('div', {class: 'hint endpoint-models'}, endpoint.models.join(', ')) : null,
        endpoint.auto ? null : h('div', {class: 'hint'}, endpoint.keySet ? `Key set · ••••${endpoint.keyLastFour ?? ''}` : 'No key')),
      h('div', {class: 'endpoint-actions'},
        h('button', {type: 'button', class: 'ghost', dataset: {testid: 'endpoint-test'}, onclick: (event) => test(endpoint, event.currentTarget)}, 'Test'),
        endpoint.auto ? null : h('button', {type: 'button', class: 'ghost', dataset: {testid: 'endpoint-edit'}, onclick: () => edit(endpoint)}, 'Edit'),
        endpoint.auto ? null : h('button', {type: 'button', class: 'danger', dataset: {testid: 'endpoint-remove'}, onclick: () => remove(endpoint)}, 'Remove')));
  }

  async function test(endpoint, button) {
    button.disabled = true;
    try {
      const {testOpenaiEndpoint: fresh} = await gql(TEST, {name: endpoint.name});
      endpoints = endpoints.map((e) => (e.name === fresh.name ? fresh : e));
      draw();
      toast(fresh.unavailableReason ? `${fresh.name}: ${fresh.unavailableReason}` : `${fresh.name} answers with ${fresh.models.length} model(s)`,
        {kind: fresh.unavailableReason ? 'error' : 'ok'});
    } catch (failure) {
      toastError(`Could not test ${endpoint.name}`, failure);
      button.disabled = false;
    }
  }

  function edit(endpoint) {
    editing = endpoint?.name ?? null;
    name.value = endpoint?.name ?? '';
    url.value = endpoint?.url ?? '';
    key.value = '';
    key.placeholder = endpoint?.keySet ? 'Leave empty to keep the key' : 'Optional';
    title.textContent = endpoint ? `Change ${endpoint.name}` : 'Add a server';
    save.textContent = endpoint ? 'Save' : 'Add';
    cancel.hidden = !endpoint;
    showError(error, null, null);
    if (endpoint) name.focus();
  }

  async function submit() {
    const input = {name: name.value, url: url.value, previousName: editing};
    if (key.value.trim()) input.key = key.value.trim();
    save.disabled = true;
    try {
      const {saveOpenaiEndpoint: saved} = await gql(SAVE, {input});
      const others = endpoints.filter((e) => e.name !== editing && e.name !== saved.name);
      endpoints = [...others, saved].sort((a, b) => a.name.localeCompare(b.name));
      draw();
      toast(saved.unavailableReason ? `${saved.name} saved, but ${saved.unavailableReason}` : `${saved.name} saved: ${saved.models.length} model(s)`,
        {kind: saved.unavailableReason ? 'error' : 'ok'});
      edit(null);
    } catch (failure) {
      const message = String(failure.message);
      const field = /^(name|url|key): /.exec(message)?.[1];
      showError(error, {name, url, key}[field] ?? null, message.replace(/^(name|url|key|previousName): /, ''));
    } finally {
      save.disabled = false;
    }
  }

  async function remove(endpoint) {
    const sure = await confirmDialog({
      title: `Remove ${endpoint.name}?`,
      message: `Its generators go (what they made stays on your boards)${endpoint.keySet ? ', and its key is removed from the keyring' : ''}.`,
      confirm: 'Remove', danger: true,
    });
    if (!sure) return;
    try {
      ({removeOpenaiEndpoint: endpoints} = await gql(REMOVE, {name: endpoint.name}));
      draw();
      toast(`${endpoint.name} removed`, {kind: 'ok'});
    } catch (failure) {
      toastError(`Could not remove ${endpoint.name}`, failure);
    }
  }
}
