// The console: reads config.json, restores who is signed in, and renders the page the
// path names. Every screen talks to the API only through api.js.

import {createApi} from './api.js';
import {config, loadConfig} from './config.js';
import {fill, h} from './dom.js';
import {errorPanel, propertySidebar, shell} from './layout.js';
import {match, navigate, route, startRouter} from './router.js';
import {currentSession, endSession, homePath} from './session.js';
import {draftFormView} from './screens/draft.js';
import {invoiceView} from './screens/invoice.js';
import {invoicesView} from './screens/invoices.js';
import {portalInvoiceView, portalView} from './screens/portal.js';
import {overviewView, propertiesView} from './screens/properties.js';
import {residentsView} from './screens/residents.js';
import {callbackView, signInView} from './screens/signin.js';

const MANAGERS = ['manager', 'admin'];
const RESIDENTS = ['resident'];

route('/sign-in', signInView, {public: true, title: 'Sign in'});
route('/auth/callback', callbackView, {public: true, title: 'Signing in'});
route('/', async () => navigate(homePath(currentSession()), {replace: true}), {public: true});
route('/properties', propertiesView, {roles: MANAGERS, title: 'Properties'});
route('/properties/:pid', overviewView, {roles: MANAGERS, sidebar: 'overview', title: 'Overview'});
route('/properties/:pid/invoices', invoicesView, {roles: MANAGERS, sidebar: 'invoices', title: 'Invoices'});
route('/properties/:pid/invoices/new', draftFormView, {roles: MANAGERS, sidebar: 'invoices', title: 'New invoice'});
route('/properties/:pid/invoices/:iid', invoiceView, {roles: MANAGERS, sidebar: 'invoices', title: 'Invoice'});
route('/properties/:pid/invoices/:iid/edit', draftFormView, {roles: MANAGERS, sidebar: 'invoices', title: 'Edit'});
route('/properties/:pid/residents', residentsView, {roles: MANAGERS, sidebar: 'residents', title: 'Residents'});
route('/portal', portalView, {roles: RESIDENTS, title: 'My account'});
route('/portal/invoices', portalView, {roles: RESIDENTS, title: 'My account'});
route('/portal/invoices/:iid', portalInvoiceView, {roles: RESIDENTS, title: 'Invoice'});

const properties = new Map();

/** A property's name, time zone and currency; only the id while the API has no property route. */
function propertyOf(api, propertyId) {
  if (!properties.has(propertyId)) {
    const known = api
      .get(`/properties/${encodeURIComponent(propertyId)}`)
      .then((found) => ({...found, known: true}))
      .catch((error) => {
        properties.delete(propertyId);
        if (error.status === 401) throw error;
        return {property_id: propertyId, name: null, time_zone: null, currency: null, known: false};
      });
    properties.set(propertyId, known);
  }
  return properties.get(propertyId);
}

function signOut() {
  const auth = config()?.auth || {};
  endSession();
  properties.clear();
  if (auth.mode === 'oidc' && auth.logout_url) location.assign(auth.logout_url);
  else navigate('/sign-in');
}

function sessionExpired() {
  endSession();
  const next = location.pathname + location.search;
  navigate(`/sign-in?expired=1&next=${encodeURIComponent(next)}`, {replace: true});
}

let renderCount = 0;
let cleanup = null;

async function render({focus}) {
  renderCount += 1;
  const current = renderCount;
  cleanup?.();
  cleanup = null;
  const app = document.getElementById('app');
  const found = match(location.pathname);
  const session = currentSession();
  if (!found) {
    const {root, main} = shell({session, title: 'Not found', onSignOut: signOut});
    fill(app, root);
    fill(main, h('h1', {tabindex: '-1'}, 'Page not found'), h('p', {}, h('a', {href: '/'}, 'Go to the start page')));
    return;
  }
  const {options, params} = found;
  if (!options.public && !session) {
    navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, {replace: true});
    return;
  }
  const api = createApi({baseUrl: config().api_base_url, token: session?.token, onUnauthorized: sessionExpired});
  const sidebar = options.sidebar ? propertySidebar(params.pid, options.sidebar) : null;
  const {root, main} = shell({session, title: options.title, onSignOut: signOut, sidebar});
  fill(app, root);
  if (options.roles && !options.roles.includes(session.role)) {
    fill(
      main,
      h('h1', {tabindex: '-1'}, 'Not available to you'),
      h('p', {}, 'You are signed in as someone who cannot open this page.'),
      h('p', {}, h('a', {href: homePath(session)}, 'Go to your start page')),
    );
    return;
  }
  const view = {
    main,
    params,
    query: new URLSearchParams(location.search),
    session,
    api,
    config: config(),
    isCurrent: () => current === renderCount,
    rerender: () => render({focus: false}),
    onLeave: (fn) => {
      cleanup = fn;
    },
    property: params.pid ? () => propertyOf(api, params.pid) : null,
  };
  if (params.pid) {
    const context = root.querySelector('.brand');
    propertyOf(api, params.pid).then((property) => {
      if (!view.isCurrent()) return;
      const label = h('span', {class: 'topbar-context'}, property.name || property.property_id);
      context.after(label);
    }, () => {});
  }
  try {
    await found.view(view);
  } catch (error) {
    if (view.isCurrent() && error.status !== 401) fill(main, errorPanel(error, view.rerender));
  }
  if (focus && view.isCurrent()) main.querySelector('h1')?.focus();
}

async function start() {
  try {
    await loadConfig();
  } catch (error) {
    fill(
      document.getElementById('app'),
      h(
        'main',
        {id: 'main', class: 'main'},
        h('h1', {}, 'The console is not configured'),
        h('p', {}, String(error.message || error)),
      ),
    );
    return;
  }
  startRouter(render);
}

start();
