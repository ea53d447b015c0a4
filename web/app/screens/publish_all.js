// Publish All Drafts: the confirmation (how many, from the preview), the start with the
// confirmed count and an Idempotency-Key, then a progress bar until the job finishes, and
// who has no email address (to notify another way).

import {newIdempotencyKey, path} from '../api.js';
import {h} from '../dom.js';
import {button, openDialog} from '../dialog.js';
import {errorPanel, loading, notice} from '../layout.js';
import {toast} from '../toast.js';

const POLL_MS = 700;
const FINISHED = new Set(['completed', 'completed_with_errors']);

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** Opens the dialog; resolves true when something may have changed (the page reloads). */
export async function openPublishAll(view, base) {
  const {api} = view;
  const dialog = openDialog({title: 'Publish all drafts', className: 'dialog-wide'});
  let changed = false;
  let running = false;
  let timer = null;
  const close = () => {
    clearTimeout(timer);
    dialog.close(changed);
  };
  const closeButton = (label = 'Close') => button(label, {onClick: close});
  dialog.dialog.addEventListener('close', () => clearTimeout(timer));

  async function loadPreview(note) {
    dialog.setContent(loading('Counting the drafts…'), [closeButton('Cancel')]);
    try {
      confirm(await api.get(`${base}/publish-all/preview`), note);
    } catch (error) {
      dialog.setContent(errorPanel(error, () => loadPreview()), [closeButton()]);
    }
  }

  function confirm(preview, note) {
    if (!preview.count) {
      dialog.setContent(notice('info', h('p', {}, 'There are no draft invoices to publish.')), [closeButton()]);
      return;
    }
    const key = newIdempotencyKey(); // one key per confirmed count: a retry of this click is the same request
    const status = h('div');
    const go = button(`Publish All`, {kind: 'primary', id: 'confirm-publish-all'});
    const body = [
      note ? notice('warning', h('p', {}, note)) : null,
      h(
        'p',
        {class: 'lead', id: 'publish-all-count'},
        `${plural(preview.count, 'draft invoice', 'draft invoices')} will be published`,
        ` (${preview.total.formatted} in all).`,
      ),
      h('p', {}, 'Each becomes Open and appears in the resident’s portal, ready to pay.'),
      h(
        'ul',
        {class: 'plain'},
        h('li', {}, `${plural(preview.emails.with_address, 'resident gets', 'residents get')} an email with a Pay Now link.`),
        preview.emails.without_address
          ? h(
              'li',
              {},
              `${plural(preview.emails.without_address, 'invoice goes', 'invoices go')} to residents with no email address: `,
              'notify them another way.',
            )
          : null,
      ),
      status,
    ];
    dialog.setContent(body, [closeButton('Cancel'), go]);
    go.addEventListener('click', async () => {
      go.disabled = true;
      go.textContent = 'Starting…';
      dialog.busy = true;
      try {
        const started = await api.post(`${base}/publish-all`, {expected_count: preview.count}, {idempotencyKey: key});
        changed = true;
        dialog.busy = false;
        progress(started.data.job_id, preview.count);
      } catch (error) {
        dialog.busy = false;
        if (error.code === 'draft_count_changed') {
          changed = true;
          loadPreview(error.message);
        } else if (error.code === 'no_drafts') {
          changed = true;
          dialog.setContent(notice('info', h('p', {}, error.message)), [closeButton()]);
        } else if (error.code === 'publish_all_running' && error.details.job_id) {
          progress(error.details.job_id, preview.count, 'A Publish All is already running for this property. Here is its progress.');
        } else {
          go.disabled = false;
          go.textContent = 'Publish All';
          status.replaceChildren(errorPanel(error));
        }
      }
    });
  }

  function progress(jobId, expected, note) {
    running = true;
    const bar = h('progress', {id: 'publish-progress', max: String(expected), value: '0', 'aria-labelledby': 'publish-progress-label'});
    const label = h('p', {id: 'publish-progress-label', class: 'lead'}, `Publishing ${plural(expected, 'invoice', 'invoices')}…`);
    const counts = h('dl', {class: 'counts'});
    const problems = h('div', {'aria-live': 'polite'});
    const after = h('div');
    const done = closeButton('Close');
    dialog.setTitle('Publishing all drafts');
    dialog.setContent([note ? notice('info', h('p', {}, note)) : null, label, bar, counts, problems, after], [done]);

    function show(job) {
      const finished = job.published + job.skipped + job.failed;
      bar.max = Math.max(job.total, 1);
      bar.value = Math.min(finished, job.total);
      bar.setAttribute('aria-valuetext', `${finished} of ${job.total}`);
      counts.replaceChildren(
        h('div', {}, h('dt', {}, 'Published'), h('dd', {id: 'count-published'}, String(job.published))),
        h('div', {}, h('dt', {}, 'Skipped'), h('dd', {id: 'count-skipped'}, String(job.skipped))),
        h('div', {}, h('dt', {}, 'Failed'), h('dd', {id: 'count-failed'}, String(job.failed))),
        h('div', {}, h('dt', {}, 'Done'), h('dd', {}, `${finished} of ${job.total}`)),
      );
    }

    async function finish(job) {
      running = false;
      label.textContent =
        job.state === 'completed'
          ? `Publish All finished: ${plural(job.published, 'invoice', 'invoices')} published.`
          : `Publish All finished with errors: ${job.failed} failed.`;
      label.id = 'publish-progress-label';
      label.dataset.state = job.state;
      if (job.skipped) {
        problems.append(
          h('p', {class: 'muted'}, `${plural(job.skipped, 'invoice was', 'invoices were')} skipped: already published or deleted meanwhile.`),
        );
      }
      if (job.failures?.length) {
        problems.append(
          h('h3', {}, 'Not published'),
          h(
            'ul',
            {class: 'plain'},
            job.failures.map((f) =>
              h('li', {}, h('a', {href: `${base}/invoices/${encodeURIComponent(f.invoice_id)}`}, f.invoice_id), `: ${f.reason}`),
            ),
          ),
        );
      }
      done.textContent = 'Done';
      done.classList.replace('button-secondary', 'button-primary');
      done.focus();
      try {
        const unnotified = await api.get(`${base}/invoices`, {email: 'skipped_no_address', limit: 100});
        const unreachable = unnotified.items || [];
        if (unreachable.length && dialog.dialog.isConnected) {
          after.append(
            h(
              'section',
              {class: 'notice notice-warning', 'aria-labelledby': 'no-email-heading'},
              h('h3', {id: 'no-email-heading'}, 'Notify these residents another way'),
              h('p', {}, 'They have no email address on file, so they got no email. Their invoices are in their portal.'),
              h(
                'ul',
                {class: 'plain', id: 'no-email-list'},
                unreachable.map((row) => h('li', {}, `${row.resident_name} (${row.number})`)),
              ),
            ),
          );
        }
      } catch {
        // The list is a courtesy; the job's result is already on screen.
      }
    }

    let misses = 0;
    async function poll() {
      try {
        const job = await api.get(path`/properties/${view.params.pid}/publish-jobs/${jobId}`);
        misses = 0;
        if (!dialog.dialog.isConnected) return;
        show(job);
        if (FINISHED.has(job.state)) {
          await finish(job);
          return;
        }
      } catch (error) {
        misses += 1;
        if (error.status === 401 || misses > 20) {
          problems.replaceChildren(errorPanel(error));
          return;
        }
      }
      timer = setTimeout(poll, POLL_MS * Math.min(1 + misses, 5));
    }
    poll();
  }

  loadPreview();
  const result = await dialog.closed;
  if (result === null && running) toast('Publish All goes on in the background.', 'info');
  return changed;
}
