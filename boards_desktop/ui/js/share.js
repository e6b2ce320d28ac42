// The Share dialog of a board: its owner and members with their roles; an admin or the owner adds
// a teammate found in the directory (users(search)), changes a role, removes a member. On SQLite the
// app has one person, so the dialog says what sharing needs instead (the README's Teams section).
import {gql} from './api.js';
import {h} from './dom.js';
import {openDialog} from './dialog.js';
import {toast, toastError} from './toast.js';
import {avatar, personName, USER_FIELDS} from './people.js';

const MEMBERS = `query Members($id: UUID!) {
  me { id }
  appSettings { databaseKind }
  board(id: $id) { id title ownerId owner { ${USER_FIELDS} } members { id userId role user { ${USER_FIELDS} } } }
}`;
const DIRECTORY = `query Directory($search: String) { users(search: $search, limit: 8) { ${USER_FIELDS} } }`;
const ADD = 'mutation Add($input: AddBoardMemberInput!) { addBoardMember(input: $input) { id } }';
const SET_ROLE = 'mutation Role($b: UUID!, $u: UUID!, $r: BoardRole!) { updateBoardMemberRole(boardId: $b, userId: $u, role: $r) { id } }';
const REMOVE = 'mutation Remove($b: UUID!, $u: UUID!) { removeBoardMember(boardId: $b, userId: $u) { id } }';
const ROLES = [['VIEWER', 'Can view'], ['EDITOR', 'Can edit'], ['ADMIN', 'Admin']];
const SEARCH_DELAY_MS = 200;

/** Open the Share dialog of `boardId`; resolves when it closes. */
export async function openShareDialog(boardId) {
  const body = h('div', {class: 'share-body', dataset: {testid: 'share-body'}}, h('p', {class: 'muted'}, 'Loading…'));
  const dialog = h('dialog', {class: 'share-dialog', 'aria-labelledby': 'share-title', dataset: {testid: 'share-dialog'}},
    h('form', {method: 'dialog'},
      h('h2', {id: 'share-title'}, 'Share'),
      body,
      h('div', {class: 'dialog-actions'}, h('button', {value: 'close', type: 'submit'}, 'Done'))));
  const closed = openDialog(dialog);
  await load().catch((error) => body.replaceChildren(h('p', {class: 'error-text', role: 'alert'}, `The members could not be loaded: ${error.message}`)));
  return closed;

  async function load() {
    const {me, appSettings, board} = await gql(MEMBERS, {id: boardId});
    if (!board) { body.replaceChildren(h('p', {}, 'This board does not exist any more.')); return; }
    if (appSettings.databaseKind === 'sqlite') { body.replaceChildren(...soloExplanation()); return; }
    const myRole = board.ownerId === me.id ? 'OWNER' : board.members.find((m) => m.userId === me.id)?.role ?? 'VIEWER';
    const manages = myRole === 'OWNER' || myRole === 'ADMIN';
    const rows = [
      personRow(board.owner, h('span', {class: 'share-role-fixed'}, 'Owner'), me.id),
      ...board.members.map((member) => personRow(member.user, manages ? memberControls(board, member, me) : h('span', {class: 'share-role-fixed'}, roleLabel(member.role)), me.id)),
    ];
    body.replaceChildren(
      manages ? addForm(board) : h('p', {class: 'muted'}, 'Only the owner and admins add members or change roles.'),
      h('h3', {class: 'share-subtitle'}, 'Who has access'),
      h('ul', {class: 'share-members', dataset: {testid: 'share-members'}}, rows));
  }

  function personRow(user, controls, myId) {
    return h('li', {class: 'share-person', dataset: {userId: user.id, testid: 'share-person'}},
      avatar(user, 32),
      h('span', {class: 'share-who'},
        h('strong', {dataset: {testid: 'share-name'}}, personName(user), user.id === myId ? h('span', {class: 'muted'}, ' (you)') : null),
        user.email ? h('span', {class: 'muted share-email'}, user.email) : null),
      controls);
  }

  function memberControls(board, member, me) {
    const select = h('select', {'aria-label': `Role of ${personName(member.user)}`, dataset: {testid: 'share-role'},
      onchange: () => change(() => gql(SET_ROLE, {b: board.id, u: member.userId, r: select.value}), `${personName(member.user)} is now: ${roleLabel(select.value).toLowerCase()}`)},
    ROLES.map(([value, label]) => h('option', {value, selected: value === member.role}, label)));
    const remove = h('button', {type: 'button', class: 'ghost danger', dataset: {testid: 'share-remove'},
      'aria-label': `Remove ${personName(member.user)}`, title: 'Remove from the board',
      onclick: () => change(() => gql(REMOVE, {b: board.id, u: member.userId}), `${personName(member.user)} was removed`)}, member.userId === me.id ? 'Leave' : 'Remove');
    return h('span', {class: 'share-controls'}, select, remove);
  }

  function addForm(board) {
    const input = h('input', {type: 'search', placeholder: 'Find a teammate by name or email', autocomplete: 'off', 'aria-label': 'Find a teammate',
      dataset: {testid: 'share-search'}, oninput: () => { clearTimeout(timer); timer = setTimeout(find, SEARCH_DELAY_MS); }});
    const role = h('select', {'aria-label': 'Role of the new member', dataset: {testid: 'share-new-role'}},
      ROLES.map(([value, label]) => h('option', {value, selected: value === 'EDITOR'}, label)));
    const results = h('ul', {class: 'share-results', role: 'listbox', 'aria-label': 'Teammates', dataset: {testid: 'share-results'}});
    let timer = 0;
    let turn = 0;
    async function find() {
      const mine = ++turn;
      const text = input.value.trim();
      if (!text) { results.replaceChildren(); return; }
      try {
        const {users} = await gql(DIRECTORY, {search: text});
        if (mine !== turn) return;
        const taken = new Set([board.ownerId, ...board.members.map((m) => m.userId)]);
        const found = users.filter((user) => !taken.has(user.id));
        results.replaceChildren(...(found.length ? found.map((user) => h('li', {},
          h('button', {type: 'button', class: 'share-result', role: 'option', dataset: {userId: user.id, testid: 'share-result'},
            onclick: () => change(() => gql(ADD, {input: {boardId: board.id, userId: user.id, role: role.value}}), `${personName(user)} can now ${role.value === 'VIEWER' ? 'view' : 'edit'} this board`)},
          avatar(user, 24), h('span', {}, personName(user)), user.email ? h('span', {class: 'muted'}, user.email) : null)))
          : [h('li', {class: 'muted share-none'}, `No one else matches “${text}”. A teammate appears here once their app has opened this database.`)]));
      } catch (error) {
        results.replaceChildren(h('li', {class: 'error-text'}, error.message));
      }
    }
    return h('div', {class: 'share-add'}, h('div', {class: 'share-add-row'}, input, role), results);
  }

  async function change(run, done) {
    try {
      await run();
      toast(done, {kind: 'ok'});
    } catch (error) {
      toastError('Could not change the members', error);
    }
    await load();
  }
}

function roleLabel(role) {
  return ROLES.find(([value]) => value === role)?.[1] ?? role;
}

function soloExplanation() {
  return [
    h('p', {dataset: {testid: 'share-solo'}}, 'Sharing needs a team database. This app keeps your boards in its own SQLite file, where you are the only person.'),
    h('p', {}, 'To work with teammates, each of you points the app at the same PostgreSQL database with ',
      h('code', {}, 'BOARDS_DATABASE_URL'), ' and keeps a data folder of your own. Then you find each other here.'),
    h('p', {class: 'muted'}, 'How to set it up: the ', h('strong', {}, 'Teams'), ' section of the README (', h('code', {}, 'README.md#teams'), ').'),
  ];
}
