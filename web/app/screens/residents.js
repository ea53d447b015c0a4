// Residents: who gets invoices and whether an email reaches them (OK, no address, or
// bouncing). Add one; a resident's profile shows their details and history and corrects
// name, unit and email (saving an address clears the bouncing mark; emptying it removes it).

import {newIdempotencyKey, path} from '../api.js';
import {field, h, fill} from '../dom.js';
import {button, openDialog} from '../dialog.js';
import {actorWords, emailStateBadge, formatDateTime, historyWords} from '../format.js';
import {showFieldErrors} from '../forms.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {navigate} from '../router.js';
import {toast} from '../toast.js';

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

export async function residentsView(view) {
  const {main, api, params} = view;
  const base = path`/properties/${params.pid}`;
  const add = button('Add resident', {kind: 'primary', id: 'add-resident', onClick: () => openAdd()});
  const list = h('div', {'aria-live': 'polite'});
  fill(main, pageHeader('Residents', add), list);
  let rows = [];
  let cursor = null;

  async function load(more = false) {
    if (!more) fill(list, loading('Loading residents…'));
    try {
      const page = await api.get(`${base}/residents`, {limit: 100, cursor: more ? cursor : null});
      if (!view.isCurrent()) return;
      rows = more ? rows.concat(page.items) : page.items;
      cursor = page.next_cursor;
      draw();
    } catch (error) {
      if (view.isCurrent()) fill(list, errorPanel(error, () => load(more)));
    }
  }

  function draw() {
    if (!rows.length) {
      fill(list, h('p', {class: 'empty'}, 'No residents yet. Add the first with Add resident.'));
      return;
    }
    const missing = rows.filter((r) => r.email_state === 'missing').length;
    const bouncing = rows.filter((r) => r.email_state === 'bouncing').length;
    const unreachable = [
      bouncing ? plural(bouncing, 'address bounces', 'addresses bounce') : null,
      missing ? `${plural(missing, 'resident has', 'residents have')} no email address` : null,
    ].filter(Boolean);
    fill(
      list,
      unreachable.length
        ? notice(
            bouncing ? 'warning' : 'info',
            h('p', {id: 'email-reach'}, `${unreachable.join('; ')}: they get no invoice emails. Open a resident to correct it.`),
          )
        : null,
      h(
        'table',
        {class: 'table residents'},
        h('caption', {class: 'visually-hidden'}, 'Residents'),
        h('thead', {}, h('tr', {}, ['Name', 'Unit', 'Email address', 'Email'].map((t) => h('th', {scope: 'col'}, t)))),
        h(
          'tbody',
          {},
          rows.map((r) => {
            const href = `${base}/residents/${encodeURIComponent(r.resident_id)}`;
            const tr = h(
              'tr',
              {class: 'clickable', dataset: {residentId: r.resident_id}},
              h('td', {'data-label': 'Name'}, h('a', {href}, r.name)),
              h('td', {'data-label': 'Unit'}, r.unit),
              h('td', {'data-label': 'Email address', class: 'break'}, r.email || '—'),
              h('td', {'data-label': 'Email'}, emailStateBadge(r)),
            );
            tr.addEventListener('click', (event) => {
              if (!event.target.closest('a')) navigate(href);
            });
            return tr;
          }),
        ),
      ),
      cursor ? button('Load more', {class: 'button button-secondary load-more', onClick: () => load(true)}) : null,
    );
  }

  function openAdd() {
    const dialog = openDialog({title: 'Add resident'});
    const controls = {
      name: h('input', {type: 'text', id: 'resident-name', maxlength: '120', required: true, autocomplete: 'off'}),
      unit: h('input', {type: 'text', id: 'resident-unit', maxlength: '40', required: true, autocomplete: 'off'}),
      email: h('input', {type: 'email', id: 'resident-email', maxlength: '254', autocomplete: 'off'}),
    };
    const fields = {
      name: field({label: 'Name', control: controls.name}),
      unit: field({label: 'Unit', control: controls.unit}),
      email: field({label: 'Email (optional)', control: controls.email, hint: 'Without one, invoices are published without an email.'}),
    };
    const status = h('div', {'aria-live': 'polite'});
    const go = button('Add resident', {kind: 'primary', type: 'submit', id: 'confirm-add-resident'});
    const key = newIdempotencyKey();
    const form = h('form', {id: 'add-resident-form', novalidate: true}, fields.name, fields.unit, fields.email, status);
    dialog.setContent(form, [button('Cancel', {onClick: () => dialog.close(null)}), go]);
    go.setAttribute('form', 'add-resident-form');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      status.replaceChildren();
      Object.values(fields).forEach((f) => f.setError(''));
      const body = {name: controls.name.value.trim(), unit: controls.unit.value.trim()};
      if (!body.name) fields.name.setError('Enter the resident’s name.');
      if (!body.unit) fields.unit.setError('Enter the unit.');
      if (!body.name || !body.unit) {
        (body.name ? controls.unit : controls.name).focus();
        return;
      }
      if (controls.email.value.trim()) body.email = controls.email.value.trim();
      go.disabled = true;
      dialog.busy = true;
      try {
        const {data} = await api.post(`${base}/residents`, body, {idempotencyKey: key});
        dialog.busy = false;
        dialog.close(true);
        toast(`${data.name} is added.`);
        load();
      } catch (error) {
        dialog.busy = false;
        go.disabled = false;
        if (!showFieldErrors(error, fields, controls, status)) status.replaceChildren(errorPanel(error));
      }
    });
  }

  await load();
}

// -- a resident's profile ------------------------------------------------------------------

const PROFILE_FIELDS = {name: 'Name', unit: 'Unit', email: 'Email'};

/** A profile change in words: "Email: pat@old.example → pat@new.example". */
function changeWords(details) {
  return Object.entries(details || {})
    .filter(([, change]) => change && typeof change === 'object' && 'to' in change)
    .map(([name, change]) => {
      const label = PROFILE_FIELDS[name] || name.replace(/_/g, ' ');
      if (name === 'email' && change.to === null) return `Email address removed (was ${change.from})`;
      if (change.from === null || change.from === undefined) return `${label}: ${change.to} added`;
      return `${label}: ${change.from} → ${change.to}`;
    });
}

export async function residentView(view) {
  const {main, api, params} = view;
  const base = path`/properties/${params.pid}`;
  const url = `${base}/residents/${encodeURIComponent(params.rid)}`;
  const back = () => h('p', {}, h('a', {href: `${base}/residents`, class: 'back'}, '← Residents'));
  fill(main, back(), loading('Loading the resident…'));
  const [resident, property] = await Promise.all([api.get(url), view.property()]);
  if (!view.isCurrent()) return;
  const zone = property.time_zone;

  function draw(current, saved) {
    const state = current.email_state;
    const warning =
      state === 'bouncing'
        ? notice(
            'warning',
            h(
              'p',
              {id: 'bouncing-warning'},
              `Emails to ${current.email} bounce, so ${current.name} gets no invoice emails. `,
              'Correct the address below: saving it clears this warning.',
            ),
          )
        : state === 'missing'
          ? notice(
              'info',
              h('p', {id: 'no-address'}, `${current.name} has no email address on file: invoices are published without an email. Add one below, or notify them another way.`),
            )
          : null;
    const facts = h(
      'dl',
      {class: 'facts', id: 'resident-facts'},
      h('div', {class: 'fact'}, h('dt', {}, 'Unit'), h('dd', {}, current.unit)),
      h('div', {class: 'fact'}, h('dt', {}, 'Email'), h('dd', {id: 'email-state'}, emailStateBadge(current))),
      h('div', {class: 'fact fact-wide'}, h('dt', {}, 'Email address'), h('dd', {class: 'break'}, current.email || 'None on file')),
      h('div', {class: 'fact fact-wide'}, h('dt', {}, 'Added'), h('dd', {}, formatDateTime(current.created_at, zone))),
    );
    const history = current.history.length
      ? h(
          'ol',
          {class: 'timeline', id: 'resident-history'},
          [...current.history].reverse().map((entry) =>
            h(
              'li',
              {},
              h('span', {class: 'timeline-when'}, formatDateTime(entry.at, zone)),
              h('span', {class: 'timeline-what'}, historyWords(entry.action)),
              changeWords(entry.details).map((line) => h('span', {class: 'timeline-why'}, line)),
              entry.reason ? h('span', {class: 'timeline-why'}, entry.reason) : null,
              entry.actor ? h('span', {class: 'timeline-who'}, actorWords(entry.actor)) : null,
            ),
          ),
        )
      : h('p', {class: 'muted'}, 'No changes to the profile since the resident was added.');
    fill(
      main,
      back(),
      h(
        'div',
        {class: 'page-header'},
        h('h1', {tabindex: '-1'}, current.name, ' ', emailStateBadge(current)),
        h(
          'div',
          {class: 'page-actions'},
          h('a', {class: 'button button-secondary', href: `${base}/invoices?q=${encodeURIComponent(current.name)}`}, 'Their invoices'),
        ),
      ),
      saved ? notice('success', h('p', {id: 'profile-saved'}, saved)) : null,
      warning,
      h('section', {class: 'card', 'aria-label': 'Details'}, facts),
      editForm(current),
      h('section', {class: 'card', 'aria-labelledby': 'history-heading'}, h('h2', {id: 'history-heading'}, 'History'), history),
    );
  }

  function editForm(current) {
    const controls = {
      name: h('input', {type: 'text', id: 'profile-name', maxlength: '120', autocomplete: 'off', value: current.name}),
      unit: h('input', {type: 'text', id: 'profile-unit', maxlength: '40', autocomplete: 'off', value: current.unit}),
      email: h('input', {type: 'email', id: 'profile-email', maxlength: '254', autocomplete: 'off', value: current.email || ''}),
    };
    const fields = {
      name: field({label: 'Name', control: controls.name}),
      unit: field({label: 'Unit', control: controls.unit}),
      email: field({
        label: 'Email address',
        control: controls.email,
        hint: current.email
          ? 'Empty it (or use Remove address) to remove the address: invoices are then published without an email.'
          : 'Invoice emails go here once it is saved.',
      }),
    };
    const remove = current.email
      ? button('Remove address', {
          kind: 'link',
          id: 'remove-email',
          onClick: () => {
            controls.email.value = '';
            fields.email.setError('');
            status.replaceChildren(notice('info', h('p', {}, 'The address is removed when you save.')));
            controls.email.focus();
          },
        })
      : null;
    const status = h('div', {'aria-live': 'polite'});
    const save = button('Save changes', {kind: 'primary', type: 'submit', id: 'save-profile'});
    const form = h(
      'form',
      {class: 'card form', novalidate: true, 'aria-labelledby': 'correct-heading'},
      h('h2', {id: 'correct-heading'}, 'Correct the profile'),
      fields.name,
      fields.unit,
      fields.email,
      remove,
      status,
      h('div', {class: 'form-actions'}, save),
    );
    let key = {body: null, value: null};
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      status.replaceChildren();
      Object.values(fields).forEach((f) => f.setError(''));
      const body = {};
      const name = controls.name.value.trim();
      const unit = controls.unit.value.trim();
      const email = controls.email.value.trim();
      if (name !== current.name) body.name = name;
      if (unit !== current.unit) body.unit = unit;
      if (email !== (current.email || '')) body.email = email || null;
      // Saving the same bouncing address again says "it is right after all": the API clears the mark.
      if (current.email_state === 'bouncing' && email && email === current.email) body.email = email;
      if ('name' in body && !name) fields.name.setError('Enter the resident’s name.');
      if ('unit' in body && !unit) fields.unit.setError('Enter the unit.');
      if (('name' in body && !name) || ('unit' in body && !unit)) {
        (name ? controls.unit : controls.name).focus();
        return;
      }
      if (!Object.keys(body).length) {
        status.replaceChildren(notice('info', h('p', {}, 'Nothing has changed.')));
        return;
      }
      const sent = JSON.stringify(body);
      if (key.body !== sent) key = {body: sent, value: newIdempotencyKey()};
      save.disabled = true;
      try {
        const {data} = await api.patch(url, body, {idempotencyKey: key.value});
        if (!view.isCurrent()) return;
        const words =
          'email' in body
            ? body.email === null
              ? 'Saved. The email address is removed.'
              : `Saved. Invoice emails now go to ${data.email}.`
            : 'Saved.';
        draw(data, words);
        toast(words);
        main.querySelector('#profile-saved')?.focus?.();
      } catch (error) {
        save.disabled = false;
        if (!showFieldErrors(error, fields, controls, status)) status.replaceChildren(errorPanel(error));
      }
    });
    return form;
  }

  draw(resident, null);
}
