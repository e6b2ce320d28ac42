// The prompt assistant: "Improve prompt", and "Describe this image" with a model that can see.
//
// It sits under the prompt of a generator that makes images (or video, audio). The artist picks a
// text generator (a model of a local OpenAI-compatible server, or OpenAI's). "Describe this image"
// (for a model that takes images) describes the image in the form's image input, or, for a form
// without one, the image put in the assistant's own slot. The request is queued
// on the board as a text generation like any other, so its tile grows as the words stream. The
// proposal appears here as it is written; once done it can be edited, then used (it becomes the
// prompt, and the next generation records the text it came from: `promptFrom`, in its lineage)
// or discarded (the text stays on the board).
//
// Hooks for tests: [data-testid=assistant] with assistant-writer (select), assistant-improve,
// assistant-describe, .field[data-field=assistant_image] (its own image slot), assistant-proposal[data-state=writing|ready|failed], assistant-text,
// assistant-accept, assistant-discard.
import {gql} from '../api.js';
import {emit, on} from '../bus.js';
import {h} from '../dom.js';
import {toast, toastError} from '../toast.js';
import {control} from './fields.js';

const CREATE = 'mutation Ask($input: CreateGenerationInput!) { createGeneration(input: $input) { id status generatorName artifactType boardId createdAt } }';
const READ = 'query Proposal($id: UUID!) { generation(id: $id) { id status storageUrl errorMessage } }';
const CHOICE_KEY = 'boards.assistant.writer';
const IMPROVE = 'You improve prompts for an image generator. Rewrite the prompt you are given so that it is vivid, '
  + 'concrete and specific: subject, setting, light, style, composition. Keep its intent. Answer with the new prompt '
  + 'alone, in one paragraph, without quotes or comments.';
const DESCRIBE_PROMPT = 'Describe this image as a prompt that an image generator could use to make it again.';
const DESCRIBE = 'You write prompts for an image generator. Describe the image: subject, setting, light, colours, '
  + 'style, composition. Answer with the prompt alone, in one paragraph, without quotes or comments.';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** `writers()`: the text generators there are now (from the composer's list). */
export function promptAssistant({board, writers}) {
  let promptControl = null;
  let imageControl = null;
  let accepted = null;  // {id, text}: the proposal used as the prompt
  let asking = null;  // {id, timer}: the proposal being written

  const select = h('select', {class: 'assistant-writer', dataset: {testid: 'assistant-writer'}, 'aria-label': 'Model that writes',
    onchange: () => { try { localStorage.setItem(CHOICE_KEY, select.value); } catch { /* off */ } sync(); }});
  const improve = h('button', {type: 'button', class: 'ghost small', dataset: {testid: 'assistant-improve'},
    onclick: () => ask('improve')}, '✎ Improve prompt');
  const describe = h('button', {type: 'button', class: 'ghost small', dataset: {testid: 'assistant-describe'},
    onclick: () => ask('describe')}, '◉ Describe this image');
  const note = h('span', {class: 'hint assistant-note', dataset: {testid: 'assistant-note'}});
  // For a form without an image input: the image to describe goes here (dropped, picked or uploaded).
  const ownImage = control({name: 'assistant_image', title: 'Image to describe', kind: 'artifact', artifactType: 'image',
    many: false, required: false, nullable: true, hasDefault: false,
    description: 'The image the assistant describes as a prompt.'}, {board});
  ownImage.row.classList.add('assistant-image');
  const status = h('p', {class: 'assistant-status', role: 'status', dataset: {testid: 'assistant-status'}});
  const text = h('textarea', {class: 'assistant-text', rows: 4, readonly: true, dataset: {testid: 'assistant-text'},
    'aria-label': 'Proposed prompt'});
  const accept = h('button', {type: 'button', class: 'primary small', disabled: true, dataset: {testid: 'assistant-accept'},
    onclick: () => use()}, 'Use this prompt');
  const discard = h('button', {type: 'button', class: 'ghost small', dataset: {testid: 'assistant-discard'},
    onclick: () => close()}, 'Discard');
  const proposal = h('div', {class: 'assistant-proposal', hidden: true, dataset: {testid: 'assistant-proposal'}},
    status, text, h('div', {class: 'assistant-actions'}, accept, discard));
  const node = h('div', {class: 'assistant', dataset: {testid: 'assistant'}},
    h('div', {class: 'assistant-bar'}, h('span', {class: 'assistant-label'}, 'Assistant'), select, improve, describe, note),
    ownImage.row, proposal);

  const stopLive = on('generation:live', ({event}) => {
    if (!asking || String(event.job_id) !== asking.id) return;
    const state = String(event.status).toLowerCase();
    if (event.text) text.value = event.text;
    if (TERMINAL.has(state)) finish();
  });

  function chosen() {
    return writers().find((g) => g.name === select.value) ?? null;
  }

  function seesImages(writer) {
    return Boolean(writer?.inputSchema?.properties?.image);
  }

  /** Under the prompt of `generator`'s form (`controls`), or nowhere when it has none. */
  function attach(controls, generator) {
    promptControl = controls.find((c) => c.field.name === 'prompt' && ['text', 'textarea'].includes(c.field.kind)) ?? null;
    imageControl = controls.find((c) => c.field.kind === 'artifact' && c.field.artifactType === 'image') ?? null;
    if (!promptControl || generator.artifactType === 'TEXT') {
      node.remove();
      return;
    }
    promptControl.row.after(node);
    fillWriters();
    sync();
  }

  function fillWriters() {
    const list = writers().filter((g) => g.artifactType === 'TEXT' && g.inputSchema?.properties?.prompt
      && !g.name.startsWith('local-'));
    let remembered = null;
    try { remembered = localStorage.getItem(CHOICE_KEY); } catch { /* off */ }
    const current = select.value || remembered;
    select.replaceChildren(...list.map((g) => h('option', {value: g.name, disabled: !g.available},
      `${g.displayName || g.name}${g.available ? '' : ' (unavailable)'}`)));
    const pick = list.find((g) => g.name === current && g.available) ?? list.find((g) => g.available) ?? list[0];
    if (pick) select.value = pick.name;
  }

  /** Which buttons apply now (called at every change of the form). */
  function sync() {
    const writer = chosen();
    const busy = Boolean(asking);
    select.disabled = busy || !select.options.length;
    improve.disabled = busy || !writer?.available;
    const source = imageControl ?? ownImage;
    const image = source.read();
    const sees = seesImages(writer) && Boolean(writer?.available);
    describe.hidden = !sees;
    ownImage.row.hidden = !sees || Boolean(imageControl);
    describe.disabled = busy || !writer?.available || !image || image.empty || Boolean(image.busy);
    // With no model that can write now, the assistant is one quiet line, not a row of disabled controls.
    const none = ![...select.options].some((option) => !option.disabled);
    node.dataset.idle = none ? 'true' : 'false';
    select.hidden = none;
    improve.hidden = none;
    const words = none
      ? 'Help with prompts: add a language model server or an OpenAI key in Settings.'
      : writer && !writer.available ? writer.unavailableReason ?? '' : '';
    // Only when it changes: the composer calls this on every change under the form, this one included.
    if (note.textContent !== words) note.textContent = words;
    if (accepted && promptControl && promptControl.read().empty) accepted = null;
  }

  async function ask(kind) {
    const writer = chosen();
    if (!writer || asking) return;
    const prompt = promptControl?.read();
    let params;
    if (kind === 'improve') {
      if (!prompt || prompt.empty || !String(prompt.value).trim()) {
        toast('Write a prompt first: the assistant improves it', {kind: 'error'});
        promptControl?.focus();
        return;
      }
      params = {prompt: String(prompt.value), instructions: IMPROVE};
    } else {
      const image = (imageControl ?? ownImage).read();
      if (!image || image.empty) return;
      params = {prompt: DESCRIBE_PROMPT, instructions: DESCRIBE, image: image.value};
    }
    let generation;
    try {
      ({createGeneration: generation} = await gql(CREATE, {input: {
        boardId: board.id, generatorName: writer.name, artifactType: 'TEXT', inputParams: params}}));
    } catch (error) {
      toastError(`Could not ask ${writer.displayName || writer.name}`, error);
      return;
    }
    emit('generation:created', {generation});
    asking = {id: generation.id, timer: setInterval(check, 1500)};
    proposal.hidden = false;
    proposal.dataset.state = 'writing';
    status.textContent = `${writer.displayName || writer.name} is writing…`;
    text.value = '';
    text.readOnly = true;
    accept.disabled = true;
    sync();
  }

  // Events can pass before the proposal's id is known (a fast model): its state is also read now and then.
  async function check() {
    if (!asking) return;
    try {
      const {generation} = await gql(READ, {id: asking.id});
      if (generation && TERMINAL.has(String(generation.status).toLowerCase())) finish();
    } catch { /* the next look, or the next event */ }
  }

  async function finish() {
    if (!asking || asking.finishing) return;  // the event and the look may both see the end
    asking.finishing = true;
    const {id, timer} = asking;
    clearInterval(timer);
    let generation = null;
    try {
      ({generation} = await gql(READ, {id}));
    } catch (error) {
      generation = {status: 'FAILED', errorMessage: error.message};
    }
    if (!asking || asking.id !== id) return;
    asking = null;
    const state = String(generation?.status).toLowerCase();
    if (state === 'completed' && generation.storageUrl) {
      const response = await fetch(generation.storageUrl);
      text.value = (response.ok ? await response.text() : text.value).trim();
      proposal.dataset.state = 'ready';
      proposal.dataset.generationId = id;
      status.textContent = 'Edit it if you like, then use it as the prompt.';
      text.readOnly = false;
      accept.disabled = !text.value.trim();
      text.focus();
    } else {
      proposal.dataset.state = 'failed';
      status.textContent = state === 'cancelled' ? 'Cancelled.' : `It failed: ${generation?.errorMessage ?? 'no reason given'}`;
    }
    sync();
  }

  function use() {
    const words = text.value.trim();
    if (!words || !promptControl) return;
    promptControl.write(words);
    promptControl.row.dispatchEvent(new Event('input', {bubbles: true}));
    accepted = {id: proposal.dataset.generationId, text: words};
    close();
    toast('The proposal is the prompt now', {kind: 'ok'});
    promptControl.focus();
  }

  function close() {
    if (asking) { clearInterval(asking.timer); asking = null; }
    proposal.hidden = true;
    delete proposal.dataset.state;
    text.value = '';
    sync();
  }

  return {
    node,
    attach,
    sync,
    /** The text generation the prompt came from, when it did (kept while the prompt is not emptied). */
    promptFrom: (prompt) => (accepted && prompt && String(prompt).trim() ? accepted.id : null),
    destroy() { close(); stopLive(); },
  };
}
