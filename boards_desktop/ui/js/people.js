// People as the page shows them: a name, and an avatar (their picture, else their initials on a
// colour of their own). Every place that shows a person (members, creators, who changed something)
// uses these, so a teammate looks the same everywhere.
import {h} from './dom.js';

export const USER_FIELDS = 'id displayName email avatarUrl';

/** The name to show: the display name, else the email, else a short id. */
export function personName(user) {
  return user?.displayName || user?.email || (user?.id ? `User ${String(user.id).slice(0, 8)}` : 'Someone');
}

/** "AL" for "Ada Lovelace", "A" for "ada@example.com". */
export function initials(user) {
  const words = personName(user).replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return ((words[0]?.[0] ?? '?') + (words.length > 1 ? words.at(-1)[0] : '')).toUpperCase();
}

/** A round avatar of `size` pixels: the picture when there is one, else initials on the person's hue. */
export function avatar(user, size = 28) {
  const name = personName(user);
  const style = {width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px`};
  if (user?.avatarUrl) {
    return h('img', {class: 'avatar', src: user.avatarUrl, alt: '', title: name, style, dataset: {testid: 'avatar'}});
  }
  const node = h('span', {class: 'avatar initials', title: name, 'aria-hidden': 'true', dataset: {testid: 'avatar'}, style}, initials(user));
  node.style.setProperty('--avatar-hue', String(hue(user?.id ?? name)));  // a custom property needs setProperty
  return node;
}

function hue(text) {
  let value = 0;
  for (const char of String(text)) value = (value * 31 + char.charCodeAt(0)) % 360;
  return value;
}

/** A picked image file, shrunk to `size` pixels square (cropped to the middle) as a PNG data URL. */
export async function avatarDataUrl(file, size = 128) {
  const bitmap = await createImageBitmap(file);
  const side = Math.min(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  canvas.getContext('2d').drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
  bitmap.close();
  return canvas.toDataURL('image/png');
}
