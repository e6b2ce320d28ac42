// The app's message bus: parts of a page tell each other what happened without importing each other.
//
// Events (detail):
//   generation:created  {generation}            a new generation was queued (the grid shows it at once)
//   generation:changed  {generation}            a generation's fields changed (favourite, tags...)
//   generations:removed {ids}                   generations were deleted or moved off the board
//   generations:restored {ids, generations}     back from the trash or moved back ([{id, boardId}])
//   composer:use-settings {generation, note}    fill the composer with this generation's generator and inputs
//                                               (note: a line shown under the form, e.g. what could not be set)
//   generators:added    {generator}             a generator was added while the page runs (a ComfyUI workflow)
//   composer:add-input  {generation}            put this generation into the composer's matching artifact slot
//   viewer:open         {id, neighbour}         open the viewer; neighbour(id, delta) -> Promise<id|null>
//   board:changed       {board}                 the board's title or description changed
//   route:query         {params}                the URL's query changed on the same page (Back, Forward): ?view=<id>
//   generators:named    {}                      the generators' display names are known (names.js)
//   queue:status        {providers, ...}        a new reading of the queue (queue.js): the tiles' places in line

const target = new EventTarget();

export function emit(name, detail = {}) {
  target.dispatchEvent(new CustomEvent(name, {detail}));
}

/** Listen; returns the function that stops listening (call it when the page unmounts). */
export function on(name, handler) {
  const listener = (event) => handler(event.detail);
  target.addEventListener(name, listener);
  return () => target.removeEventListener(name, listener);
}
