// Sign-in against the identity provider the stack's JwtIssuer names (for example a
// Cognito user pool's hosted UI): OpenID Connect authorization code flow with PKCE, for a
// public client (no client secret in the browser).

const PENDING = 'hoa.oidc';

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(size = 32) {
  return base64Url(crypto.getRandomValues(new Uint8Array(size)));
}

async function endpoints(auth) {
  if (auth.authorization_endpoint && auth.token_endpoint) return auth;
  const issuer = String(auth.issuer || '').replace(/\/+$/, '');
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`The sign-in service could not be reached (HTTP ${response.status}).`);
  const discovered = await response.json();
  return {...discovered, ...auth};
}

export function redirectUri(auth) {
  return auth.redirect_uri || `${location.origin}/auth/callback`;
}

/** Go to the provider's sign-in page; it comes back to /auth/callback. */
export async function beginSignIn(auth, next) {
  const found = await endpoints(auth);
  const verifier = randomText(48);
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = randomText(16);
  sessionStorage.setItem(PENDING, JSON.stringify({verifier, state, next}));
  const url = new URL(found.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.client_id,
    redirect_uri: redirectUri(auth),
    scope: auth.scopes || 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** Trade the code for tokens; returns {token, next}. */
export async function completeSignIn(auth, query) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  if (query.get('error')) throw new Error(query.get('error_description') || `Sign-in failed: ${query.get('error')}.`);
  if (!pending || pending.state !== query.get('state')) {
    throw new Error('This sign-in link is stale or was not started here. Sign in again.');
  }
  const found = await endpoints(auth);
  const response = await fetch(found.token_endpoint, {
    method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.client_id,
      code: query.get('code') || '',
      redirect_uri: redirectUri(auth),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error('The sign-in service refused the sign-in. Sign in again.');
  const tokens = await response.json();
  // The API's JWT authorizer checks `aud` against JwtAudience: Cognito's ID token carries the
  // client id there (its access token does not), so the ID token is the default.
  const token = tokens[auth.token || 'id_token'];
  if (!token) throw new Error(`The sign-in service returned no ${auth.token || 'id_token'}.`);
  return {token, next: pending.next};
}
