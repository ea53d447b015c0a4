// Residents: who gets invoices, and whether an email can reach them. Add one; correct an
// email address (when the API offers PATCH on a resident).

import {newIdempotencyKey, path} from '../api.js';
import {field, h, fill} from '../dom.js';
import {button, openDialog} from '../dialog.js';
import {emailStateWords} from '../format.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {toast} from '../toast.js';

function fieldErrors(error, fields) {
  for (const problem of error.details.fields || []) {
    const name = String(problem.field).split('.').pop();
    if (fields[name]) fields[name].setError(problem.message);
  }
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
    // The API marks each resident's email state once it can change an address.
    const canCorrect = rows.some((r) => 'email_state' in r);
    if (!rows.length) {
      fill(list, h('p', {class: 'empty'}, 'No residents yet. Add the first with Add resident.'));
      return;
    }
    fill(
      list,
      h(
        'table',
        {class: 'table residents'},
        h('caption', {class: 'visually-hidden'}, 'Residents'),
        h(
          'thead',
          {},
          h('tr', {}, ['Name', 'Unit', 'Email', 'Email state', canCorrect ? 'Change' : null].filter(Boolean).map((t) => h('th', {scope: 'col'}, t))),
        ),
        h(
          'tbody',
          {},
          rows.map((r) =>
            h(
              'tr',
              {},
              h('td', {'data-label': 'Name'}, r.name),
              h('td', {'data-label': 'Unit'}, r.unit),
              h('td', {'data-label': 'Email', class: 'break'}, r.email || '—'),
              h(
                'td',
                {'data-label': 'Email state'},
                h('span', {class: `badge email-${r.email_state || (r.has_email ? 'ok' : 'missing')}`}, emailStateWords(r)),
              ),
              canCorrect
                ? h(
                    'td',
                    {'data-label': 'Change'},
                    button(r.email ? 'Correct email' : 'Add email', {
                      kind: 'link',
                      'aria-label': `${r.email ? 'Correct' : 'Add'} the email of ${r.name}`,
                      onClick: () => openEmail(r),
                    }),
                  )
                : null,
            ),
          ),
        ),
      ),
      cursor ? button('Load more', {onClick: () => load(true)}) : null,
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
      Object.values(fields).forEach((f) => f.setError(''));
      const body = {name: controls.name.value.trim(), unit: controls.unit.value.trim()};
      if (!body.name) fields.name.setError('Enter the resident’s name.');
      if (!body.unit) fields.unit.setError('Enter the unit.');
      if (!body.name || !body.unit) return;
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
        if (error.code === 'validation_failed') fieldErrors(error, fields);
        else status.replaceChildren(errorPanel(error));
      }
    });
  }

  function openEmail(resident) {
    const dialog = openDialog({title: `Email of ${resident.name}`});
    const input = h('input', {type: 'email', id: 'correct-email', maxlength: '254', value: resident.email || ''});
    const emailField = field({
      label: 'Email address',
      control: input,
      hint: 'Leave it empty to remove the address. A corrected address is no longer marked as bouncing.',
    });
    const status = h('div', {'aria-live': 'polite'});
    const go = button('Save', {kind: 'primary', type: 'submit', id: 'confirm-email'});
    const form = h('form', {id: 'email-form', novalidate: true}, emailField, status);
    dialog.setContent(form, [button('Cancel', {onClick: () => dialog.close(null)}), go]);
    go.setAttribute('form', 'email-form');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      emailField.setError('');
      go.disabled = true;
      dialog.busy = true;
      try {
        await api.patch(`${base}/residents/${encodeURIComponent(resident.resident_id)}`, {email: input.value.trim() || null});
        dialog.busy = false;
        dialog.close(true);
        toast(`The email of ${resident.name} is saved.`);
        load();
      } catch (error) {
        dialog.busy = false;
        go.disabled = false;
        if (error.code === 'validation_failed') fieldErrors(error, {email: emailField});
        else if (error.routeMissing) status.replaceChildren(notice('info', h('p', {}, 'Changing an email address is not available on this server yet.')));
        else status.replaceChildren(errorPanel(error));
      }
    });
  }

  await load();
}
