// The HTTP API, called exactly as any hosted frontend would: bearer token, JSON, and the
// API's error shape {"error": {"code", "message", ...details}} turned into an ApiError.

const GATEWAY_CODES = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'gateway_not_found',
  413: 'payload_too_large',
  429: 'too_many_requests',
};

const DEFAULT_MESSAGES = {
  0: 'The billing service could not be reached. Check your connection and try again.',
  401: 'Your session has ended. Sign in again.',
  403: 'You do not have access to this.',
  404: 'That was not found.',
  413: 'That is too large to send.',
  429: 'Too many requests right now. Wait a moment and try again.',
  503: 'The service is busy right now. Try again in a moment.',
};

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message || DEFAULT_MESSAGES[status] || 'Something went wrong on our side. Try again in a moment.');
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The API has no such route yet (API Gateway's own 404, or a function's route_not_found). */
  get routeMissing() {
    return this.status === 404 && (this.code === 'route_not_found' || this.code === 'gateway_not_found');
  }
}

export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function errorFrom(status, data) {
  if (data && typeof data.error === 'object' && data.error !== null) {
    const {code, message, ...details} = data.error;
    return new ApiError(status, code || `http_${status}`, message, details);
  }
  // API Gateway's own answers carry only {"message": "..."}.
  return new ApiError(status, GATEWAY_CODES[status] || `http_${status}`, DEFAULT_MESSAGES[status]);
}

/**
 * An API client. `onUnauthorized` runs when the API answers 401 (the token expired or
 * was refused), before the error is thrown.
 */
export function createApi({baseUrl, token, onUnauthorized}) {
  const apiOrigin = new URL(baseUrl).origin;

  /**
   * A link the API gave (a `Location` header, a `status_url`): a path on the API's host,
   * already behind its stage (`/prod/properties/...`), or a full URL. Only the API's own
   * origin is followed, so the bearer token never goes anywhere else.
   */
  function resolve(link) {
    const url = new URL(link, `${apiOrigin}/`);
    if (url.origin !== apiOrigin) throw new ApiError(0, 'foreign_link', 'The service answered with a link elsewhere.');
    return url.href;
  }

  async function request(method, path, {body, query, idempotencyKey, absolute = false} = {}) {
    const headers = {Accept: 'application/json'};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let url = absolute ? resolve(path) : baseUrl + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
      }
      const text = params.toString();
      if (text) url += `?${text}`;
    }
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network');
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (response.ok) return {status: response.status, data, headers: response.headers};
    const error = errorFrom(response.status, data);
    if (response.status === 401 && onUnauthorized) onUnauthorized(error);
    throw error;
  }

  /**
   * A file the API serves (CSV): fetched with the bearer token, as a Blob to save. A link
   * to the API cannot carry the Authorization header, so the console fetches it itself.
   * Resolves {blob, filename, next} (`next`: the cursor of a further part, or null).
   */
  async function download(path, query) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    let url = baseUrl + path;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    if (params.toString()) url += `?${params}`;
    let response;
    try {
      response = await fetch(url, {headers, cache: 'no-store'});
    } catch {
      throw new ApiError(0, 'network');
    }
    if (!response.ok) {
      let data = null;
      try {
        data = await response.json();
      } catch {
        data = null;
      }
      const error = errorFrom(response.status, data);
      if (response.status === 401 && onUnauthorized) onUnauthorized(error);
      throw error;
    }
    const disposition = response.headers.get('Content-Disposition') || '';
    const named = /filename="([^"]+)"/.exec(disposition);
    return {
      blob: await response.blob(),
      filename: named ? named[1] : 'download',
      next: response.headers.get('X-Next-Cursor'),
    };
  }

  return {
    get: async (path, query) => (await request('GET', path, {query})).data,
    download,
    /** GET a link the API handed out (see resolve). */
    follow: async (link) => (await request('GET', link, {absolute: true})).data,
    post: (path, body, options = {}) => request('POST', path, {body: body ?? {}, ...options}),
    patch: (path, body, options = {}) => request('PATCH', path, {body, ...options}),
    del: (path, options = {}) => request('DELETE', path, options),
  };
}

/** Path segments, encoded. */
export function path(strings, ...values) {
  return strings.reduce((out, text, i) => out + text + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}
