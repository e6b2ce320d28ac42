// The composer: pick a generator, fill its form (built from the generator's JSON schema), submit.
import {h} from '../dom.js';

/** Mount into the board's composer panel; returns a cleanup function. */
export async function mountComposer(panel, {board}) {
  panel.append(h('h2', {}, 'Create'));
  return () => {};
}
