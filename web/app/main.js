// The console: reads config.json, restores who is signed in, and renders the page the
// path names. Every screen talks to the API only through api.js.

import {createApi} from './api.js';
import {config, loadConfig} from './config.js';
import {closeAllDialogs} from './dialog.js';
import {fill, h} from './dom.js';
import {errorPanel, propertySidebar, propertySwitcher, shell} from './layout.js';
import {match, navigate, route, startRouter} from './router.js';
import {currentSession, endSession, homePath} from './session.js';
import {deliveriesView} from './screens/deliveries.js';
import {draftFormView} from './screens/draft.js';
import {invoiceView} from './screens/invoice.js';
import {invoicesView} from './screens/invoices.js';
import {portalInvoiceView, portalView} from './screens/portal.js';
import {overviewView, propertiesView} from './screens/properties.js';
import {residentView, residentsView} from './screens/residents.js';
import {settingsView} from './screens/settings.js';
import {callbackView, signInView} from './screens/signin.js';

const STAFF = ['manager', 'admin'];
const MANAGERS = ['manager'];
const RESIDENTS = ['resident'];

route('/sign-in', signInView, {public: true, title: 'Sign in'});
route('/auth/callback', callbackView, {public: true, title: 'Signing in'});
route('/', async () => navigate(homePath(currentSession()), {replace: true}), {public: true});
route('/properties', propertiesView, {roles: STAFF, title: 'Properties'});
route('/properties/:pid', overviewView, {roles: STAFF, sidebar: 'overview', title: 'Overview'});
route('/properties/:pid/settings', settingsView, {roles: STAFF, sidebar: 'settings', title: 'Settings'});
route('/properties/:pid/invoices', invoicesView, {roles: MANAGERS, sidebar: 'invoices', title: 'Invoices'});
route('/properties/:pid/invoices/new', draftFormView, {roles: MANAGERS, sidebar: 'invoices', title: 'New invoice'});
route('/properties/:pid/invoices/:iid', invoiceView, {roles: MANAGERS, sidebar: 'invoices', title: 'Invoice'});
route('/properties/:pid/invoices/:iid/edit', draftFormView, {roles: MANAGERS, sidebar: 'invoices', title: 'Edit'});
route('/properties/:pid/publish-jobs/:jid/deliveries', deliveriesView, {
  roles: MANAGERS,
  sidebar: 'invoices',
  title: 'Delivery report',
});
route('/properties/:pid/residents', residentsView, {roles: MANAGERS, sidebar: 'residents', title: 'Residents'});
route('/properties/:pid/residents/:rid', residentView, {roles: MANAGERS, sidebar: 'residents', title: 'Resident'});
route('/portal', portalView, {roles: RESIDENTS, title: 'My account'});
route('/portal/invoices', portalView, {roles: RESIDENTS, title: 'My account'});
route('/portal/invoices/:iid', portalInvoiceView, {roles: RESIDENTS, title: 'Invoice'});

// What the header needs, read once per sign-in: each property (name, time zone, currency)
// and the list the switcher offers.
const properties = new Map();
let propertyList = null;

function propertyOf(api, propertyId) {
  if (!properties.has(propertyId)) {
    const found = api.get(`/properties/${encodeURIComponent(propertyId)}`);
    found.catch(() => properties.delete(propertyId));
    properties.set(propertyId, found);
  }
  return properties.get(propertyId);
}

function propertiesOf(api) {
  if (!propertyList) {
    propertyList = api.get('/properties', {limit: 50}).then((page) => page.items);
    propertyList.catch(() => {
      propertyList = null;
    });
  }
  return propertyList;
}

/** After a property's settings change: the header and every screen read the new ones. */
function propertyChanged(property) {
  properties.set(property.property_id, Promise.resolve(property));
  propertyList = null;
}

function signOut() {
  const auth = config()?.auth || {};
  endSession();
  properties.clear();
  propertyList = null;
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
  closeAllDialogs();
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
  const sidebar = options.sidebar && session ? propertySidebar(params.pid, options.sidebar, session.role) : null;
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
    propertyChanged: (property) => {
      propertyChanged(property);
      showProperty(view, root, api, property.property_id, options.title);
    },
  };
  if (params.pid && options.roles) showProperty(view, root, api, params.pid, options.title);
  try {
    await found.view(view);
  } catch (error) {
    if (view.isCurrent() && error.status !== 401) fill(main, errorPanel(error, view.rerender));
  }
  // Focus the new page's heading, unless the person has already moved on (into the header, say).
  const active = document.activeElement;
  const untouched = !active || active === document.body || main.contains(active);
  if (focus && view.isCurrent() && untouched) main.querySelector('h1')?.focus();
}

/** The header names the property (a switcher when there are others); so does the tab. */
async function showProperty(view, root, api, propertyId, title) {
  let property;
  let list = [];
  try {
    [property, list] = await Promise.all([propertyOf(api, propertyId), propertiesOf(api).catch(() => [])]);
  } catch {
    return; // the screen itself says what went wrong
  }
  if (!view.isCurrent()) return;
  const admin = view.session.role === 'admin';
  const switcher = propertySwitcher({current: property, properties: list, allHref: admin ? '/properties' : null});
  root.querySelector('.topbar .topbar-context')?.remove();
  root.querySelector('.topbar .brand').after(switcher);
  document.title = `${title ? `${title} · ` : ''}${property.name} · HOA Billing`;
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
