// A property's settings (managers and administrators): its name, time zone, and who the
// invoice emails are from ("Emails are sent as") and where replies go. Saved with PATCH,
// only what changed; the API's validation errors are shown at their fields.

import {newIdempotencyKey, path} from '../api.js';
import {field, h, fill} from '../dom.js';
import {button} from '../dialog.js';
import {timeZones, zoneWords} from '../format.js';
import {showFieldErrors} from '../forms.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {toast} from '../toast.js';

export async function settingsView(view) {
  const {main, api, params} = view;
  const url = path`/properties/${params.pid}`;
  fill(main, pageHeader('Settings'), loading());
  let property = await api.get(url);
  if (!view.isCurrent()) return;

  const controls = {
    name: h('input', {type: 'text', id: 'settings-name', maxlength: '120', autocomplete: 'off'}),
    time_zone: h('select', {id: 'settings-time-zone'}),
    sender_name: h('input', {type: 'text', id: 'settings-sender', maxlength: '120', autocomplete: 'off'}),
    reply_to_email: h('input', {type: 'email', id: 'settings-reply-to', maxlength: '254', autocomplete: 'off'}),
  };
  const fields = {
    name: field({label: 'Name', control: controls.name, hint: 'Shown in the console, on invoices and in emails.'}),
    time_zone: field({
      label: 'Time zone',
      control: controls.time_zone,
      hint: 'Due dates, overdue invoices and every time the console shows are in this time zone.',
    }),
    sender_name: field({
      label: 'Emails are sent as',
      control: controls.sender_name,
      hint: 'The name residents see as the sender of invoice emails.',
    }),
    reply_to_email: field({
      label: 'Replies go to (optional)',
      control: controls.reply_to_email,
      hint: 'Where residents’ replies to those emails go, such as the management office. Empty: no reply-to address.',
    }),
  };
  const currency = h('p', {class: 'fact-inline', id: 'settings-currency'});
  const status = h('div', {'aria-live': 'polite'});
  const save = button('Save settings', {kind: 'primary', type: 'submit', id: 'save-settings'});
  const key = {body: null, value: newIdempotencyKey()};
  const form = h(
    'form',
    {class: 'card form', novalidate: true, 'aria-labelledby': 'settings-heading'},
    h('h2', {id: 'settings-heading', class: 'visually-hidden'}, 'Property settings'),
    fields.name,
    fields.time_zone,
    currency,
    h(
      'fieldset',
      {class: 'group'},
      h('legend', {}, 'Invoice emails'),
      fields.sender_name,
      fields.reply_to_email,
    ),
    status,
    h('div', {class: 'form-actions'}, save),
  );

  function show(current) {
    controls.name.value = current.name;
    fill(
      controls.time_zone,
      timeZones(current.time_zone).map((z) => h('option', {value: z, selected: z === current.time_zone}, zoneWords(z))),
    );
    controls.sender_name.value = current.sender_name || '';
    controls.reply_to_email.value = current.reply_to_email || '';
    fill(currency, h('strong', {}, 'Currency: '), current.currency, h('span', {class: 'muted'}, ' (set when the property was created)'));
  }

  function changes() {
    const body = {};
    const name = controls.name.value.trim();
    const sender = controls.sender_name.value.trim();
    const replyTo = controls.reply_to_email.value.trim();
    if (name !== property.name) body.name = name;
    if (controls.time_zone.value !== property.time_zone) body.time_zone = controls.time_zone.value;
    if (sender !== (property.sender_name || '')) body.sender_name = sender;
    if (replyTo !== (property.reply_to_email || '')) body.reply_to_email = replyTo || null;
    return body;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.replaceChildren();
    Object.values(fields).forEach((f) => f.setError(''));
    const body = changes();
    if ('name' in body && !body.name) {
      fields.name.setError('Enter the property’s name.');
      controls.name.focus();
      return;
    }
    if ('sender_name' in body && !body.sender_name) {
      fields.sender_name.setError('Enter the name emails are sent as (for example the property’s name).');
      controls.sender_name.focus();
      return;
    }
    if (!Object.keys(body).length) {
      status.replaceChildren(notice('info', h('p', {}, 'Nothing has changed.')));
      return;
    }
    const sent = JSON.stringify(body);
    if (key.body !== sent) key.value = newIdempotencyKey(); // a retry of the same change is the same request
    key.body = sent;
    save.disabled = true;
    try {
      const {data} = await api.patch(url, body, {idempotencyKey: key.value});
      if (!view.isCurrent()) return;
      property = data;
      key.body = null;
      show(property);
      view.propertyChanged(property);
      status.replaceChildren(notice('success', h('p', {id: 'settings-saved'}, 'Settings saved.')));
      toast('Settings saved.');
    } catch (error) {
      if (!showFieldErrors(error, fields, controls, status)) status.replaceChildren(errorPanel(error));
    } finally {
      save.disabled = false;
    }
  });

  show(property);
  fill(main, pageHeader('Settings'), form);
}
