// Settings › Local engines, the OpenAI-compatible servers (Ollama, LM Studio, LocalAI, llama.cpp's
// server, vLLM): the form that adds or changes one, what a server's row shows beyond its status, and
// its Edit and Remove buttons. Each server has a name, an address and maybe a key. Keys go into the
// password field and are sent once: the page shows only whether one is set and its last four characters.
//
// Hooks for tests: the form endpoint-form with endpoint-name, endpoint-url, endpoint-key, endpoint-save,
// endpoint-error; in a server's row endpoint-edit, endpoint-remove.
import {gql} from '../api.js';
import {h} from '../dom.js';
import {toast, toastError} from '../toast.js';
import {confirmDialog} from '../dialog.js';

const FIELDS = 'name url auto keySet keyLastFour checked unavailableReason models offersImages generators';
const SAVE = `mutation SaveEndpoint($input: OpenaiEndpointInput!) { saveOpenaiEndpoint(input: $input) { ${FIELDS} } }`;
const REMOVE = `mutation RemoveEndpoint($name: String!) { removeOpenaiEndpoint(name: $name) { name } }`;

/** The add/change form; `onSaved()` reads the engines again. Returns {node, edit(endpoint | null)}. */
export function endpointForm({showError}, {onSaved}) {
  let editing = null;  // the name of the endpoint in the form, or null for a new one
  const name = h('input', {id: 'endpoint-name', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'LM Studio',
    dataset: {testid: 'endpoint-name'}});
  const url = h('input', {id: 'endpoint-url', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false',
    class: 'url-input', placeholder: 'http://127.0.0.1:1234/v1', dataset: {testid: 'endpoint-url'}});
  const key = h('input', {id: 'endpoint-key', type: 'password', autocomplete: 'new-password', spellcheck: 'false',
    placeholder: 'Optional', dataset: {testid: 'endpoint-key'}});
  const error = h('p', {class: 'error', role: 'alert', hidden: true, dataset: {testid: 'endpoint-error'}});
  const save = h('button', {type: 'submit', class: 'primary', dataset: {testid: 'endpoint-save'}}, 'Add');
  const cancel = h('button', {type: 'button', class: 'ghost', hidden: true, onclick: () => edit(null)}, 'Cancel');
  const title = h('h4', {class: 'endpoint-form-title'}, 'Add a server');
  const node = h('form', {class: 'endpoint-form', dataset: {testid: 'endpoint-form'}, onsubmit: (event) => { event.preventDefault(); submit(); }},
    title,
    h('label', {for: 'endpoint-name'}, 'Name'), name,
    h('label', {for: 'endpoint-url'}, 'Address'), url,
    h('label', {for: 'endpoint-key'}, 'Key'), key,
    error,
    h('div', {class: 'section-actions'}, cancel, save));
  return {node, edit};

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
      toast(saved.unavailableReason ? `${saved.name} saved, but ${saved.unavailableReason}` : `${saved.name} saved: ${saved.models.length} model(s)`,
        {kind: saved.unavailableReason ? 'error' : 'ok'});
      edit(null);
      await onSaved();
    } catch (failure) {
      const message = String(failure.message);
      const field = /^(name|url|key): /.exec(message)?.[1];
      showError(error, {name, url, key}[field] ?? null, message.replace(/^(name|url|key|previousName): /, ''));
    } finally {
      save.disabled = false;
    }
  }
}

/** What a server's row shows under its status: its models, and whether it has a key. */
export function endpointDetails(endpoint) {
  if (!endpoint) return [];
  return [
    endpoint.models.length ? h('div', {class: 'hint endpoint-models'}, endpoint.models.join(', ')) : null,
    endpoint.auto ? null : h('div', {class: 'hint'}, endpoint.keySet ? `Key set · ••••${endpoint.keyLastFour ?? ''}` : 'No key'),
  ].filter(Boolean);
}

/** Edit and Remove (none for Ollama's address found on its own). */
export function endpointActions(endpoint, {edit, reload}) {
  if (!endpoint || endpoint.auto) return null;
  return [
    h('button', {type: 'button', class: 'ghost', dataset: {testid: 'endpoint-edit'}, onclick: () => edit(endpoint)}, 'Edit'),
    h('button', {type: 'button', class: 'danger', dataset: {testid: 'endpoint-remove'}, onclick: () => remove()}, 'Remove'),
  ];

  async function remove() {
    const sure = await confirmDialog({
      title: `Remove ${endpoint.name}?`,
      message: `Its generators go (what they made stays on your boards)${endpoint.keySet ? ', and its key is removed from the keyring' : ''}.`,
      confirm: 'Remove', danger: true,
    });
    if (!sure) return;
    try {
      await gql(REMOVE, {name: endpoint.name});
      toast(`${endpoint.name} removed`, {kind: 'ok'});
      await reload();
    } catch (failure) {
      toastError(`Could not remove ${endpoint.name}`, failure);
    }
  }
}
