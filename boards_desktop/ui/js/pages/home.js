// Home: the artist's boards as cards.
// `[data-testid=boards]` carries data-state (loading, ready, error) so tests and the window can
// tell when the list is drawn; each card is `li[data-board-id]` with its title in <strong>.
import {gql} from '../api.js';
import {h, plural} from '../dom.js';

const QUERY = '{ myBoards(limit: 200, sort: UPDATED_DESC) { id title description generationCount updatedAt } }';

export async function mount(container) {
  const list = h('ul', {class: 'board-cards', dataset: {testid: 'boards', state: 'loading'}},
    h('li', {class: 'empty'}, 'Loading your boards…'));
  container.append(h('div', {class: 'home'}, h('h1', {}, 'Your boards'), list));
  try {
    const {myBoards} = await gql(QUERY);
    list.replaceChildren(...(myBoards.length ? myBoards.map(card) : [h('li', {class: 'empty'}, 'No boards yet.')]));
    list.dataset.state = 'ready';
  } catch (error) {
    list.replaceChildren(h('li', {class: 'empty'}, `Could not load your boards: ${error.message}`));
    list.dataset.state = 'error';
  }
}

function card(board) {
  return h('li', {dataset: {boardId: board.id}},
    h('a', {href: `#/boards/${board.id}`}, h('strong', {}, board.title)),
    h('span', {class: 'muted'}, plural(board.generationCount, 'generation')));
}
