// Who is signed in: the bearer token and the claims the API reads from it.
// Kept in sessionStorage: it ends with the tab, and no cookie carries it.

const KEY = 'hoa.session';

function base64UrlDecode(text) {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The token's claims, read (not verified: the API verifies it on every call). */
export function decodeClaims(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) throw new Error('That is not a signed token.');
  return JSON.parse(base64UrlDecode(parts[1]));
}

/** Property ids of a manager: a JSON list, or the "[a b]" / "a,b" strings identity providers make. */
export function propertyIdsOf(claims) {
  const value = claims.property_ids ?? claims['custom:property_ids'];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    return value.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
  }
  return [];
}

export function roleOf(claims) {
  return claims.role ?? claims['custom:role'] ?? null;
}

export function currentSession() {
  let stored = null;
  try {
    stored = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    stored = null;
  }
  if (!stored || !stored.token) return null;
  if (stored.claims.exp && stored.claims.exp * 1000 < Date.now()) {
    endSession();
    return null;
  }
  return stored;
}

export function startSession(token, label) {
  const claims = decodeClaims(token);
  const session = {token, claims, role: roleOf(claims), name: claims.name || label || claims.email || claims.sub};
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function endSession() {
  sessionStorage.removeItem(KEY);
}

/** Where a person lands after signing in. */
export function homePath(session) {
  if (!session) return '/sign-in';
  if (session.role === 'resident') return '/portal';
  if (session.role === 'manager') {
    const ids = propertyIdsOf(session.claims);
    return ids.length === 1 ? `/properties/${encodeURIComponent(ids[0])}` : '/properties';
  }
  return '/properties';
}

/** Only same-origin paths are followed after sign-in. */
export function safeNext(next) {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : null;
}
