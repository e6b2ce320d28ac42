// What the page calls a generator: its display name from the server (`Title card`), or, for one the
// page has not heard of (not installed here any more, an upload), a name derived from its slug the
// way the server derives it (boards_desktop/generators/naming.py).
//
// learnGenerators(list) records [{name, displayName, icon, ...}] and emits `generators:named`.
import {emit} from './bus.js';

const known = new Map();

// Words kept as they are spelled (the same list as the server's).
const SPELLED = new Map(['AI', 'API', 'CFG', 'CLIP', 'DALL-E', 'GPT', 'HD', 'ID', 'LLM', 'LoRA', 'OpenAI', 'PNG', 'JPEG',
  'SD', 'SDXL', 'SVD', 'TTS', 'UI', 'VAE', 'XL', '3D', '4K', 'ComfyUI', 'fal.ai'].map((word) => [word.toLowerCase(), word]));
const PROVIDERS = {local: 'On this computer', openai: 'OpenAI', replicate: 'Replicate', fal: 'fal.ai', comfyui: 'ComfyUI', sdwebui: 'Stable Diffusion WebUI'};
const UPLOADS = {image: 'Uploaded image', video: 'Uploaded video', audio: 'Uploaded audio', text: 'Uploaded text'};

export function learnGenerators(list) {
  for (const g of list ?? []) known.set(g.name, g);
  emit('generators:named', {});
}

/** "local-title-card" -> "Title card"; "replicate/black-forest-labs/flux-schnell" -> "Flux schnell". */
export function deriveName(slug) {
  const text = String(slug ?? '');
  const upload = /^user-upload-(\w+)$/.exec(text);
  if (upload) return UPLOADS[upload[1]] ?? 'Upload';
  let tail = text.replace(/\/+$/, '').split('/').pop() || text;
  if (/^local[-_]./i.test(tail)) tail = tail.slice(6);
  return wordsOf(tail) || text;
}

/** "num_outputs" -> "Num outputs", "sdxl-lora" -> "SDXL LoRA": words in sentence case, acronyms kept. */
export function wordsOf(identifier) {
  const words = String(identifier).replace(/([a-z])(?=[A-Z])/g, '$1 ').split(/[\s_-]+/).filter(Boolean);
  if (!words.length) return '';
  const shown = words.map((word) => SPELLED.get(word.toLowerCase()) ?? word.toLowerCase());
  if (shown[0] === words[0].toLowerCase()) shown[0] = shown[0].charAt(0).toUpperCase() + shown[0].slice(1);
  return shown.join(' ');
}

/** The name to show for a generator (by its slug). */
export function generatorLabel(name) {
  return known.get(name)?.displayName || deriveName(name);
}

/** What the page knows of a generator ({name, displayName, inputSchema, ...}), or null. */
export function generatorInfo(name) {
  return known.get(name) ?? null;
}

/** The icon name of a generator the page knows, else null. */
export function generatorIcon(name) {
  return known.get(name)?.icon || null;
}

export function providerLabel(provider) {
  return PROVIDERS[provider] ?? deriveName(provider);
}
