// The weft REST API (/api/v1): bearer token from sessionStorage, RFC 9457
// problem+json errors turned into ApiError, and the NDJSON query stream.

const TOKEN_KEY = 'weft.token';
const BASE = '/api/v1';

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // sessionStorage unavailable (privacy mode): the token lives only in memory.
  }
}

/** An API failure: the problem document's fields, plus the HTTP status. */
export class ApiError extends Error {
  constructor(problem = {}, status = 0) {
    const title = problem.title || (status ? `HTTP ${status}` : 'Error');
    const detail = problem.detail || '';
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
    this.status = problem.status || status;
    this.title = title;
    this.detail = detail;
    this.type = problem.type || 'about:blank';
    this.problem = problem;
  }
}

let unauthorizedHandler = null;
/** Called with the ApiError of any 401 (an expired or revoked token). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export function buildUrl(path, query) {
  let url = BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
      else qs.append(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

async function problemOf(res) {
  const text = await res.text().catch(() => '');
  let problem = null;
  if (text) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === 'object') problem = parsed.error && typeof parsed.error === 'object' ? parsed.error : parsed;
    } catch {
      problem = null;
    }
  }
  if (!problem) problem = { title: res.statusText || `HTTP ${res.status}`, detail: text.slice(0, 500) };
  return new ApiError(problem, res.status);
}

async function send(path, { method = 'GET', body, query, signal, token, accept = 'application/json' } = {}) {
  const headers = { Accept: accept };
  const bearer = token ?? getToken();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError({ title: 'Network error', detail: `Could not reach the weft server (${e && e.message ? e.message : e}).` }, 0);
  }
  if (!res.ok) {
    const err = await problemOf(res);
    if (res.status === 401 && unauthorizedHandler && token === undefined) unauthorizedHandler(err);
    throw err;
  }
  return res;
}

/** JSON request; resolves to the parsed body (null for 204). */
export async function api(path, opts = {}) {
  const res = await send(path, opts);
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * POST /query: the response is NDJSON — {"columns":[...]}, then one array per
 * row, then {"done":true,...} or {"error":{problem}}. Rows are handed to
 * onRows in batches as they arrive. Resolves to the done line; rejects with
 * an ApiError (err.partial = true when rows had already arrived).
 */
export async function streamQuery({ sql, at }, { onColumns, onRows, signal } = {}) {
  const res = await send('/query', {
    method: 'POST',
    body: at ? { sql, at } : { sql },
    signal,
    accept: 'application/x-ndjson, application/json',
  });
  const ctype = res.headers.get('Content-Type') || '';
  if (!res.body || !ctype.includes('ndjson')) {
    // A server that answered with one JSON document instead of a stream.
    const doc = await res.json();
    if (doc.error) throw new ApiError(doc.error, doc.error.status || 500);
    onColumns && onColumns(doc.columns || []);
    const rows = (doc.rows || []).map((r) => (Array.isArray(r) ? r : (doc.columns || []).map((c) => r[c])));
    onRows && rows.length && onRows(rows);
    return { done: true, rows: rows.length, warnings: doc.warnings || [], usage: doc.usage || null };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let seen = 0;
  let done = null;
  const handle = (lines) => {
    const batch = [];
    for (const line of lines) {
      const trimmed = line.trim();
      if (!trimmed) continue;
      let item;
      try {
        item = JSON.parse(trimmed);
      } catch {
        throw new ApiError({ title: 'Bad response', detail: `Unreadable line in the query stream: ${trimmed.slice(0, 120)}` }, 502);
      }
      if (Array.isArray(item)) {
        batch.push(item);
      } else if (item && item.columns && !item.done) {
        onColumns && onColumns(item.columns);
      } else if (item && item.error) {
        if (batch.length) onRows && onRows(batch.splice(0));
        const err = new ApiError(item.error, item.error.status || 500);
        err.partial = seen > 0;
        throw err;
      } else if (item && item.done) {
        done = item;
      }
    }
    if (batch.length) {
      seen += batch.length;
      onRows && onRows(batch);
    }
  };
  for (;;) {
    const { value, done: eof } = await reader.read();
    if (eof) break;
    buffer += decoder.decode(value, { stream: true });
    const cut = buffer.lastIndexOf('\n');
    if (cut >= 0) {
      const lines = buffer.slice(0, cut).split('\n');
      buffer = buffer.slice(cut + 1);
      handle(lines);
    }
  }
  buffer += decoder.decode();
  if (buffer.trim()) handle([buffer]);
  if (!done) {
    const err = new ApiError({ title: 'Query interrupted', detail: 'The result stream ended before its last line; the rows shown may be incomplete.' }, 502);
    err.partial = seen > 0;
    throw err;
  }
  return done;
}

/**
 * POST /query?format=csv|parquet: the whole governed result as a file (the
 * same grants, masks, row filters and metering as the stream). Resolves to
 * a Blob; rejects with an ApiError when the query is refused.
 */
export async function downloadQuery({ sql, at }, format, { signal } = {}) {
  const res = await send(`/query?format=${encodeURIComponent(format)}`, {
    method: 'POST',
    body: at ? { sql, at } : { sql },
    signal,
    accept: format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet',
  });
  return res.blob();
}
