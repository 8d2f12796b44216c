// Display helpers.

export function fmtNumber(n) {
  if (n === null || n === undefined || n === '') return '—';
  const x = Number(n);
  if (!Number.isFinite(x)) return String(n);
  return x.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * Money with enough digits to show tiny showback amounts (0.0000036 USD).
 * `currency` is the workspace's, from the view that carries the amount; never
 * guessed: without it the amount is shown bare.
 */
export function fmtMoney(n, currency) {
  if (n === null || n === undefined) return '—';
  const x = Number(n);
  if (!Number.isFinite(x)) return String(n);
  const abs = Math.abs(x);
  let opts;
  if (x === 0) opts = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  else if (abs < 0.01) opts = { maximumSignificantDigits: 2 };
  else opts = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  if (!currency) return x.toLocaleString('en-US', opts);
  try {
    return x.toLocaleString('en-US', { style: 'currency', currency, ...opts });
  } catch {
    return `${x.toLocaleString('en-US', opts)} ${currency}`;
  }
}

/**
 * A share (0–1) as a percentage a person reads: "12.3%", "< 0.1%" for a
 * tiny non-zero share (never "0.0%" for something that happened), "100%".
 */
export function fmtPercent(share, digits = 1) {
  if (share === null || share === undefined || share === '') return '—';
  const x = Number(share) * 100;
  if (!Number.isFinite(x)) return '—';
  const floor = 10 ** -digits;
  if (x > 0 && x < floor) return `< ${floor.toLocaleString('en-US')}%`;
  return `${x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: Number.isInteger(x) ? 0 : Math.min(digits, 1) })}%`;
}

/** How long ago an ISO time was, in words: "just now", "5 min ago", "2 h ago", "3 d ago". */
export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const s = Math.max(0, (now - t) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.floor(s / 86400)} d ago`;
  return fmtDate(iso);
}

/** Seconds of CPU or wall time: "0.12 s", "850 ms", then fmtDuration's "2m". */
export function fmtSeconds(seconds) {
  const x = Number(seconds);
  if (seconds === null || seconds === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0 s';
  if (x < 0.001) return '< 1 ms';
  if (x < 1) return `${Math.round(x * 1000).toLocaleString('en-US')} ms`;
  if (x < 60) return `${x.toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
  return fmtDuration(x);
}

export function fmtBytes(n) {
  const x = Number(n);
  if (!Number.isFinite(x)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = x;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString('en-US', { maximumFractionDigits: i ? 1 : 0 })} ${units[i]}`;
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return '—';
  let s = Math.max(0, Math.round(Number(seconds)));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  if (m) return `${m}m`;
  return `${s}s`;
}

export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 10);
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** Days from now until an ISO date (negative: in the past); null if none. */
export function daysUntil(iso, now = Date.now()) {
  if (!iso) return null;
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return null;
  return Math.floor((t - now) / 86400000);
}

export function list(xs) {
  return Array.isArray(xs) && xs.length ? xs.join(', ') : '—';
}

/** A cell value as text: null → ∅, objects as JSON. */
export function cell(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** "domain.product" part of a version address like "sales.orders_v1". */
export function productOfAddress(address) {
  return String(address || '').replace(/_v\d+$/, '');
}
