// Path routing with the History API. A static host serves index.html for every path
// (CloudFront: 403/404 -> /index.html), so deep links like /portal/invoices/inv_1 work.

const routes = [];
let renderer = null;

/** route('/properties/:pid/invoices/:iid', view, options) */
export function route(pattern, view, options = {}) {
  const names = [];
  const regex = new RegExp(
    '^' +
      pattern.replace(/\/:([a-z_]+)/gi, (_, name) => {
        names.push(name);
        return '/([^/]+)';
      }) +
      '/?$',
  );
  routes.push({pattern, regex, names, view, options});
}

export function match(pathname) {
  for (const entry of routes) {
    const found = entry.regex.exec(pathname);
    if (found) {
      const params = {};
      entry.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1]);
      });
      return {...entry, params};
    }
  }
  return null;
}

export function navigate(to, {replace = false} = {}) {
  const url = new URL(to, location.origin);
  if (url.origin !== location.origin) {
    location.assign(url.href);
    return;
  }
  if (replace) history.replaceState(null, '', url.pathname + url.search + url.hash);
  else history.pushState(null, '', url.pathname + url.search + url.hash);
  renderer?.({focus: true});
}

export function startRouter(render) {
  renderer = render;
  window.addEventListener('popstate', () => render({focus: true}));
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target.closest('a[href]');
    if (!link || link.target || link.hasAttribute('download') || link.dataset.external !== undefined) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  render({focus: false});
}
