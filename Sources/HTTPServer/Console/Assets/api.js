/**
 * The gateway's HTTP API as the console uses it: the cookie session, CSRF, and JSON errors.
 *
 * The API token is sent exactly once, in the sign-in body; afterwards the browser's HttpOnly
 * session cookie authenticates every call, and the CSRF token (kept only in memory) proves that a
 * POST comes from this page and not from another site riding on the cookie.
 */

/** A refused or failed call, carrying the gateway's `{"error":{code,message}}`. */
export class ApiError extends Error {
  constructor(status, code, message, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
    /** The session is gone; the sign-in screen has taken over. */
    this.sessionEnded = status === 401;
  }
}

let csrfToken = null;
let sessionEnded = () => {};

/** `onSessionEnded` runs when any call answers 401, so the app can ask to sign in again. */
export function onSessionEnded(handler) {
  sessionEnded = handler;
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  if (!type.includes('json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function failure(response, body) {
  const error = body?.error;
  return new ApiError(response.status, error?.code || `http_${response.status}`,
    error?.message || `${response.status} ${response.statusText}`, body);
}

async function send(method, path, body, headers) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET') {
    init.headers['X-CSRF-Token'] = csrfToken ?? '';
    if (body instanceof Blob) {
      // A file goes as its own bytes, typed as the browser knows it.
      init.headers['Content-Type'] = body.type || 'application/octet-stream';
      init.body = body;
    } else {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body ?? {});
    }
  }
  const response = await fetch(path, init);
  return { response, data: await readBody(response) };
}

/**
 * One API call → `{status, data}` for any 2xx (status matters: 201 sent vs 202 held, 200 claimed
 * vs 204 nothing to claim). A CSRF refusal means our token went stale (the session was renewed
 * elsewhere): fetch the current one and try once more.
 */
export async function call(method, path, { body, headers } = {}) {
  let { response, data } = await send(method, path, body, headers);
  if (response.status === 403 && data?.error?.code === 'csrf_token_invalid') {
    if (!await currentSession()) throw lostSession();
    ({ response, data } = await send(method, path, body, headers));
  }
  if (response.status === 401) throw lostSession(failure(response, data));
  if (!response.ok) throw failure(response, data);
  return { status: response.status, data };
}

/** Forgets the session and lets the app ask to sign in; returns the error for the caller to throw. */
function lostSession(error = new ApiError(401, 'session_expired', 'the console session has ended')) {
  csrfToken = null;
  sessionEnded();
  return error;
}

export const get = (path, params) => call('GET', withQuery(path, params)).then((r) => r.data);
export const post = (path, body, options = {}) => call('POST', path, { ...options, body });

/** Uploads a file for a reply (`POST /v1/attachments`) → `{id, name, content_type, size, …}`. */
export const upload = (file) => post(withQuery('/v1/attachments', { filename: file.name }), file).then((r) => r.data);

/** Appends the parameters that have a value; `undefined`, `null` and `''` are left out. */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** `/v1/conversations/{id}` and friends, with each id encoded as one path segment. */
export function path(...segments) {
  return segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}

// --- session ---------------------------------------------------------------------------------

function remember(session) {
  csrfToken = session?.csrf_token ?? null;
  return session;
}

/** The signed-in session (`{csrf_token, agent, idle_timeout_seconds}`) or null when there is none. */
export async function currentSession() {
  const response = await fetch('/console/session', { headers: { Accept: 'application/json' } });
  const data = await readBody(response);
  if (response.status === 401) return remember(null);
  if (!response.ok) throw failure(response, data);
  return remember(data);
}

/** Trades the API token for a session cookie; throws `ApiError` (401) for a wrong token. */
export async function signIn(token) {
  const response = await fetch('/console/session', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const data = await readBody(response);
  if (!response.ok) throw failure(response, data);
  return remember(data);
}

export async function signOut() {
  try {
    await fetch('/console/session/end', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken ?? '' },
      body: '{}',
    });
  } finally {
    remember(null);
  }
}
