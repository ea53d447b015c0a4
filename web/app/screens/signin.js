// Sign in. Locally: pick one of the demo principals the runtime mints tokens for.
// Deployed: the identity provider's own page (OIDC authorization code + PKCE).

import {h, fill} from '../dom.js';
import {errorPanel, loading, notice} from '../layout.js';
import {beginSignIn, completeSignIn} from '../oidc.js';
import {navigate} from '../router.js';
import {homePath, safeNext, startSession} from '../session.js';

const GROUPS = [
  ['manager', 'Property managers'],
  ['resident', 'Residents'],
  ['admin', 'Administrators'],
];

export async function signInView(view) {
  const {main, query, config} = view;
  const next = safeNext(query.get('next'));
  const auth = config.auth || {};
  const intro = [h('h1', {tabindex: '-1'}, 'Sign in')];
  if (query.get('expired')) intro.push(notice('warning', h('p', {}, 'Your session has ended. Sign in again.')));

  if (auth.mode === 'oidc') {
    const go = h('button', {type: 'button', class: 'button button-primary'}, 'Sign in');
    const status = h('div');
    go.addEventListener('click', async () => {
      go.disabled = true;
      try {
        await beginSignIn(auth, next);
      } catch (error) {
        go.disabled = false;
        fill(status, errorPanel(error));
      }
    });
    fill(main, h('section', {class: 'card narrow'}, intro, h('p', {}, 'Use your building account.'), go, status));
    return;
  }

  fill(main, h('section', {class: 'card narrow'}, intro, loading('Loading who you can sign in as…')));
  let principals;
  try {
    const response = await fetch(auth.principals_url, {cache: 'no-store'});
    if (!response.ok) throw new Error(`The local runtime did not list its sign-ins (HTTP ${response.status}).`);
    principals = (await response.json()).principals;
  } catch (error) {
    const message = error instanceof TypeError ? 'The local runtime could not be reached. Is `make run` running?' : error.message;
    fill(main, h('section', {class: 'card narrow'}, intro, errorPanel({message}, view.rerender)));
    return;
  }
  if (!view.isCurrent()) return;
  const groups = GROUPS.map(([role, title]) => {
    const people = principals.filter((p) => p.role === role);
    if (!people.length) return null;
    return h(
      'section',
      {class: 'principal-group', 'aria-labelledby': `group-${role}`},
      h('h2', {id: `group-${role}`}, title),
      h(
        'ul',
        {class: 'principal-list'},
        people.map((person) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'principal',
                onClick: () => {
                  const session = startSession(person.token, person.name);
                  navigate(next || homePath(session), {replace: true});
                },
              },
              h('span', {class: 'principal-name'}, person.name),
              h('span', {class: 'principal-description'}, person.description),
            ),
          ),
        ),
      ),
    );
  });
  fill(
    main,
    h(
      'section',
      {class: 'card narrow'},
      intro,
      h(
        'p',
        {class: 'muted'},
        'Local runtime: choose who you are. The runtime signs a token for them; the deployed API accepts only ' +
          'its identity provider’s tokens.',
      ),
      groups,
    ),
  );
}

export async function callbackView(view) {
  const {main, query, config} = view;
  fill(main, h('h1', {tabindex: '-1'}, 'Signing in…'), loading());
  try {
    const {token, next} = await completeSignIn(config.auth || {}, query);
    const session = startSession(token);
    navigate(safeNext(next) || homePath(session), {replace: true});
  } catch (error) {
    fill(main, h('h1', {tabindex: '-1'}, 'Sign-in did not finish'), errorPanel(error), h('p', {}, h('a', {href: '/sign-in'}, 'Sign in again')));
  }
}
