// Settings › Profile: how teammates see you (name, email, picture). Saved with updateUser; the
// picture is shrunk to 128 pixels square here and sent as a small data URL (see graphql/profile.py).
import {gql} from '../api.js';
import {h} from '../dom.js';
import {emit} from '../bus.js';
import {toast} from '../toast.js';
import {avatar, avatarDataUrl, USER_FIELDS} from '../people.js';

const UPDATE_USER = `mutation UpdateMe($input: UpdateUserInput!) { updateUser(input: $input) { ${USER_FIELDS} } }`;

export function profileSection(me, {section, showError}) {
  let current = {...me};
  let pendingAvatar;  // undefined: unchanged; '' removes; a data URL replaces
  const preview = h('div', {class: 'profile-avatar', dataset: {testid: 'profile-avatar'}});
  const name = h('input', {id: 'profile-name', type: 'text', value: me.displayName ?? '', maxlength: 100, autocomplete: 'name',
    required: true, dataset: {testid: 'profile-name'}, oninput: () => changed()});
  const email = h('input', {id: 'profile-email', type: 'email', value: me.email ?? '', autocomplete: 'email',
    placeholder: 'you@example.com', dataset: {testid: 'profile-email'}, oninput: () => changed()});
  const file = h('input', {type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif', hidden: true, dataset: {testid: 'profile-avatar-file'},
    onchange: () => pick(file.files?.[0])});
  const choose = h('button', {type: 'button', dataset: {testid: 'profile-avatar-pick'}, onclick: () => file.click()}, 'Choose a picture…');
  const remove = h('button', {type: 'button', class: 'ghost', dataset: {testid: 'profile-avatar-remove'},
    onclick: () => { pendingAvatar = ''; draw(); changed(); }}, 'Remove');
  const save = h('button', {type: 'submit', class: 'primary', disabled: true, dataset: {testid: 'profile-save'}}, 'Save');
  const error = h('p', {class: 'error', role: 'alert', hidden: true, dataset: {testid: 'profile-error'}});
  const form = h('form', {class: 'profile-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); submit(); }},
    h('div', {class: 'profile-picture'}, preview, h('div', {class: 'profile-picture-buttons'}, choose, remove, file)),
    h('div', {class: 'profile-fields'},
      h('div', {class: 'field'}, h('label', {for: 'profile-name'}, 'Name'), name),
      h('div', {class: 'field'}, h('label', {for: 'profile-email'}, 'Email'), email,
        h('p', {class: 'hint'}, 'Teammates find you by name or email when they share a board.')),
      h('div', {class: 'profile-actions'}, save), error));
  draw();
  return section('profile', 'Profile', 'How your teammates see you on shared boards: on members, and on what you made.', form);

  function shown() {
    return {...current, displayName: name.value.trim() || current.displayName,
      avatarUrl: pendingAvatar === undefined ? current.avatarUrl : (pendingAvatar || null)};
  }
  function draw() {
    const user = shown();
    preview.replaceChildren(avatar(user, 72));
    remove.hidden = !user.avatarUrl;
  }
  function changed() {
    save.disabled = !name.value.trim()
      || (name.value.trim() === (current.displayName ?? '') && email.value.trim() === (current.email ?? '') && pendingAvatar === undefined);
    showError(error, null, null);
    if (pendingAvatar === undefined) draw();
  }
  async function pick(chosen) {
    if (!chosen) return;
    try {
      pendingAvatar = await avatarDataUrl(chosen);
    } catch (failure) {
      showError(error, null, `that file could not be read as a picture (${failure.message}); choose a PNG, JPEG, WebP or GIF`);
      return;
    } finally {
      file.value = '';
    }
    draw();
    changed();
  }
  async function submit() {
    const input = {displayName: name.value, email: email.value};
    if (pendingAvatar !== undefined) input.avatarUrl = pendingAvatar;
    save.disabled = true;
    try {
      const {updateUser} = await gql(UPDATE_USER, {input});
      current = updateUser;
      pendingAvatar = undefined;
      name.value = current.displayName ?? '';
      email.value = current.email ?? '';
      draw();
      emit('me:changed', {user: current});
      toast('Profile saved', {kind: 'ok'});
    } catch (failure) {
      save.disabled = false;
      showError(error, null, failure.message || 'the profile could not be saved; try again');
    }
  }
}
