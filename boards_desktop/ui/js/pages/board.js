// A board: the composer on the left, the grid of generations on the right, the viewer over both.
import {gql} from '../api.js';
import {h} from '../dom.js';
import {setCrumbs} from '../app.js';
import {mountComposer} from '../composer/composer.js';
import {installViewer} from '../viewer/viewer.js';

const QUERY = 'query Board($id: UUID!) { board(id: $id) { id title description generationCount } }';

export async function mount(container, {boardId}) {
  const {board} = await gql(QUERY, {id: boardId});
  if (!board) {
    container.append(h('div', {class: 'empty-state'}, 'This board does not exist any more. ', h('a', {href: '#/'}, 'Your boards')));
    return;
  }
  setCrumbs([{label: board.title}]);
  const composerPanel = h('aside', {class: 'composer-panel', 'aria-label': 'Composer', dataset: {testid: 'composer'}});
  const main = h('section', {class: 'board-main', 'aria-label': board.title},
    h('header', {class: 'board-header'}, h('h1', {}, board.title)),
    h('div', {class: 'grid-host', dataset: {testid: 'grid'}}));
  container.append(h('div', {class: 'board-page', dataset: {boardId}}, composerPanel, main));
  const cleanups = [
    await mountComposer(composerPanel, {board}),
    installViewer({board}),
  ];
  return () => cleanups.forEach((stop) => stop?.());
}
