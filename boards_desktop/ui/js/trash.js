// The Trash's requests, shared by the grid's and the viewer's Undo and by the Trash page.
import {gql} from './api.js';
import {emit} from './bus.js';

const RESTORE = 'mutation($ids: [UUID!]!) { restoreGenerations(ids: $ids) { id boardId } }';
const EMPTY = 'mutation($ids: [UUID!], $boardId: UUID) { emptyTrash(ids: $ids, boardId: $boardId) }';

/** Put deleted generations back; the board they belong to shows them again (generations:restored). */
export async function restoreFromTrash(ids) {
  const {restoreGenerations} = await gql(RESTORE, {ids});
  emit('generations:restored', {ids, generations: restoreGenerations});
  return restoreGenerations;
}

/** Remove for good, files included: these ids, or (without ids) the whole trash or one board's. */
export async function emptyTrash({ids = null, boardId = null} = {}) {
  return (await gql(EMPTY, {ids, boardId})).emptyTrash;
}
