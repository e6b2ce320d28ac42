// The board's filters in the URL (#/boards/<id>?q=fox&type=IMAGE,VIDEO&status=FAILED&fav=1&tag=<id>&gen=<name>),
// so that a reload keeps them and a link gives someone the same view. The toolbar's state is read
// from and written to these parameters here; nothing else knows their names.
const TYPES = new Set(['IMAGE', 'VIDEO', 'AUDIO', 'TEXT']);
const STATUSES = new Set(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);
export const FILTER_PARAMS = ['q', 'type', 'status', 'fav', 'tag', 'gen'];

/** The toolbar's state named by the URL's parameters; what is not understood is left out. */
export function stateFromParams(params) {
  const types = (params.get('type') ?? '').split(',').map((t) => t.trim().toUpperCase()).filter((t) => TYPES.has(t));
  const status = (params.get('status') ?? '').toUpperCase();
  return {
    search: (params.get('q') ?? '').trim().slice(0, 200),
    types: new Set(types),
    status: STATUSES.has(status) ? status : '',
    favouritesOnly: params.get('fav') === '1',
    tagId: /^[0-9a-f-]{36}$/.test(params.get('tag') ?? '') ? params.get('tag') : '',
    generator: (params.get('gen') ?? '').trim(),
  };
}

/** The URL's parameters for the toolbar's state: {name: value or null (left out)}. */
export function paramsOfState(state) {
  return {
    q: state.search || null,
    type: state.types.size ? [...state.types].join(',') : null,
    status: state.status || null,
    fav: state.favouritesOnly ? '1' : null,
    tag: state.tagId || null,
    gen: state.generator || null,
  };
}

/** The GenerationFilter the server takes for the toolbar's state. */
export function filterOfState(state) {
  const result = {};
  if (state.search) result.search = state.search;
  if (state.types.size) result.artifactTypes = [...state.types];
  if (state.status === 'RUNNING') result.statuses = ['PENDING', 'PROCESSING'];
  else if (state.status) result.statuses = [state.status];
  if (state.favouritesOnly) result.favouritesOnly = true;
  if (state.tagId) result.tagIds = [state.tagId];
  if (state.generator) result.generatorNames = [state.generator];
  return result;
}
