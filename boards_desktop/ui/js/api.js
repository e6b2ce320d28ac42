// Talking to the app: GraphQL, the board's live events (SSE), uploads and media URLs.
// Every call either returns what was asked or throws an ApiError whose message an artist can act on.

export class ApiError extends Error {
  /** code: BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, CONFLICT, ...; fields: {name: message} from "inputParams.<name>: ..." */
  constructor(message, {code = 'ERROR', status = 0} = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fieldErrors(message);
  }
}

// The server names the input that was wrong as "inputParams.<field>: <what>", several joined by "; ".
function fieldErrors(message) {
  const fields = {};
  // Split only before a field's name: a field's own message may hold "; " too.
  for (const part of String(message).split(/; (?=inputParams\.)/)) {
    const match = /^inputParams\.([A-Za-z0-9_]+)(?:\.[^:]*)?: (.*)$/.exec(part);
    if (match && !(match[1] in fields)) fields[match[1]] = match[2];
  }
  return fields;
}

/** Run a GraphQL operation; resolves to its `data`, rejects with ApiError (the first error's message). */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({query, variables}),
    });
  } catch {
    throw new ApiError('The app is not answering: is it still running?', {code: 'OFFLINE'});
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The app answered ${response.status} ${response.statusText}`, {status: response.status});
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, {code: first.extensions?.code ?? 'ERROR', status: response.status});
  }
  if (!response.ok) throw new ApiError(body.error ?? response.statusText, {status: response.status});
  return body.data;
}

/** The fields every view of a generation needs (tiles, viewer, composer). */
export const GENERATION_FIELDS = `
  id boardId userId generatorName artifactType status progress errorMessage
  storageUrl thumbnailUrl prompt isFavourite inputParams outputMetadata
  createdAt startedAt completedAt updatedAt
  tags { id name slug }
  inputArtifacts { generationId role artifactType }
`;

/**
 * Follow a board's live events: onEvent(payload) for each `generation` event, in order.
 * Payload (snake_case, as upstream): {job_id, board_id, status, progress (0..1), phase, message,
 * error_message, storage_url, thumbnail_url, ...}. onBoard(change) for each change to the board
 * itself (`board` events): {kind: 'moved'|'deleted'|'renamed'|'members', board_id, generation_ids,
 * to_board_id, title, description, user_ids, role}. The browser reconnects by itself after a drop;
 * onState('open'|'reconnecting') tells the page. Returns the function that stops following.
 */
export function followBoard(boardId, onEvent, onState = () => {}, onBoard = () => {}) {
  const source = new EventSource(`/api/sse/boards/${encodeURIComponent(boardId)}`);
  const listen = (name, handler) => source.addEventListener(name, (event) => {
    try {
      handler(JSON.parse(event.data));
    } catch (error) {
      console.error(`a board's ${name} event could not be read`, error);
    }
  });
  listen('generation', onEvent);
  listen('board', (change) => {
    // After the board's deletion, or the loss of access, the stream ends: retrying would only be refused.
    if (change.kind === 'deleted' && !change.generation_ids.length) source.close();
    onBoard(change);
  });
  source.onopen = () => onState('open');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return () => source.close();
}

/**
 * Upload one file to a board as a completed generation. onProgress(fraction 0..1) while it goes.
 * `artifactType` is what it is sent as (by default, what its type or name says it is).
 * Resolves to {id, status, storageUrl, thumbnailUrl, artifactType, generatorName}; rejects with
 * ApiError carrying the refusal (ours for a file of no kind the app keeps, else the server's).
 */
export function uploadFile(boardId, file, onProgress = () => {}, artifactType = artifactTypeOf(file)) {
  return new Promise((resolve, reject) => {
    if (!artifactType) {
      reject(new ApiError(`${file.name} is not an image, video, audio or text file, so a board cannot keep it`,
        {code: 'BAD_USER_INPUT'}));
      return;
    }
    const form = new FormData();
    form.append('board_id', boardId);
    form.append('artifact_type', artifactType);
    form.append('file', file, file.name);
    const request = new XMLHttpRequest();
    request.open('POST', '/api/uploads/artifact');
    request.responseType = 'json';
    request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    request.onload = () => {
      const body = request.response ?? {};
      if (request.status >= 200 && request.status < 300) resolve(body);  // 200, as upstream's hook wants
      else reject(new ApiError(body.error ?? `The upload failed (${request.status})`, {code: body.code, status: request.status}));
    };
    request.onerror = () => reject(new ApiError('The upload was cut off: is the app still running?', {code: 'OFFLINE'}));
    request.send(form);
  });
}

/**
 * Send a board archive (made by a board's Export, or `boards-desktop boards export`) to be imported.
 * onProgress(fraction sent) while it goes; the server then adds it all or nothing. Resolves to the
 * import's counts ({boardId, title, generationsAdded, generationsKept, ..., message}); rejects with
 * ApiError carrying the server's words (a truncated or newer archive, a board you may not add to).
 */
export function importBoardArchive(file, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/boards/import');
    request.setRequestHeader('Content-Type', 'application/zip');
    request.responseType = 'json';
    request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    request.onload = () => {
      const body = request.response ?? {};
      if (request.status === 200) resolve(body);
      else reject(new ApiError(body.error ?? `The import failed (${request.status})`, {code: body.code, status: request.status}));
    };
    request.onerror = () => reject(new ApiError('The import was cut off: is the app still running?', {code: 'OFFLINE'}));
    request.send(file);
  });
}

/** Where a board's archive is downloaded from. */
export function boardArchiveUrl(boardId) {
  return `/api/boards/${encodeURIComponent(boardId)}/archive`;
}

const EXTENSIONS = {
  image: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif', 'heic'],
  video: ['mp4', 'mov', 'webm', 'mkv', 'm4v', 'avi'],
  audio: ['mp3', 'wav', 'ogg', 'flac', 'm4a', 'aac', 'opus'],
  text: ['txt', 'md', 'markdown', 'json', 'csv'],
};

/**
 * What a file from the desktop would be on a board: 'image', 'video', 'audio', 'text', or null.
 * A guess from its type and name, to say which kind it is sent as; the server reads the bytes and
 * refuses a file that is not what it claims.
 */
export function artifactTypeOf(file) {
  const family = (file.type || '').split('/')[0];
  if (['image', 'video', 'audio', 'text'].includes(family)) return family;
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  for (const [type, extensions] of Object.entries(EXTENSIONS)) if (extensions.includes(extension)) return type;
  return null;
}

/** A media URL (storageUrl/thumbnailUrl as the API gives them) with download parameters. */
export function downloadUrl(storageUrl, filename) {
  const url = new URL(storageUrl, location.origin);
  url.searchParams.set('download', 'true');
  if (filename) url.searchParams.set('filename', filename);
  return url.pathname + url.search;
}

/** The storage key of a media URL (`/api/storage/<key>`), as the desktop bridge wants it. */
export function storageKey(storageUrl) {
  const path = new URL(storageUrl, location.origin).pathname;
  return decodeURIComponent(path.replace(/^\/api\/storage\//, ''));
}
