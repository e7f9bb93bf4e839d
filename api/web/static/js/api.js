// JSON API client of the page: GET only, errors as ApiError carrying the
// server's {"error": {"code", "message"}}.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

// getJSON fetches path with the URLSearchParams params. It throws ApiError
// for any non-2xx answer or network failure, and rethrows AbortError.
export async function getJSON(path, params, signal) {
  const qs = params ? params.toString() : '';
  const url = qs ? path + '?' + qs : path;
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server could not be reached. Check that newsdex is running and try again.');
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = body && body.error;
    const message = e && typeof e.message === 'string' ? e.message : 'The server answered ' + res.status + '.';
    throw new ApiError(res.status, (e && e.code) || 'http_' + res.status, message);
  }
  if (body === null) throw new ApiError(res.status, 'bad_json', 'The server sent an answer the page could not read.');
  return body;
}

// isAbort reports whether err comes from an aborted fetch.
export function isAbort(err) {
  return Boolean(err) && err.name === 'AbortError';
}
