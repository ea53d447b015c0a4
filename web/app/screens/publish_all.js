// Publish All Drafts: the confirmation (how many, from the preview), the start with the
// confirmed count and an Idempotency-Key, then a progress bar until the job finishes,
// following the link the API gives (the 202's Location, or its status_url). At most one
// runs per property: a start while one runs shows that one's progress, and the Invoices
// page finds a running job after a reload (publish-jobs?state=running).

import {newIdempotencyKey, path} from '../api.js';
import {h} from '../dom.js';
import {button, openDialog} from '../dialog.js';
import {errorPanel, loading, notice} from '../layout.js';
import {toast} from '../toast.js';
import {publishAllReport} from './publish_all_report.js';

const POLL_MS = 700;
export const FINISHED = new Set(['completed', 'completed_with_errors']);

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** Where a job's progress is read when the API named no link (a 409 names only the id). */
export function jobLink(propertyId, jobId) {
  return path`/properties/${propertyId}/publish-jobs/${jobId}`;
}

/** The running Publish All of a property, or null. */
export async function runningJob(api, propertyId) {
  const page = await api.get(path`/properties/${propertyId}/publish-jobs`, {state: 'running', limit: 1});
  return page.items[0] || null;
}

/**
 * Read a job until it finishes: onUpdate(job) after each reading. Returns stop(). A link
 * is followed as the API gave it (api.follow); errors back off, and after many in a row
 * (or a 401) onError(error) ends it.
 */
export function followJob(api, link, {onUpdate, onError, absolute = true}) {
  let timer = null;
  let stopped = false;
  let misses = 0;
  async function poll() {
    try {
      const job = absolute ? await api.follow(link) : await api.get(link);
      misses = 0;
      if (stopped) return;
      await onUpdate(job);
      if (FINISHED.has(job.state)) return;
    } catch (error) {
      misses += 1;
      if (stopped) return;
      if (error.status === 401 || misses > 20) {
        onError?.(error);
        return;
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS * Math.min(1 + misses, 5));
  }
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** "3 of 12 done": what a job has finished. */
export function jobDone(job) {
  return job.published + job.skipped + job.failed;
}

/**
 * Opens the dialog; resolves true when something may have changed (the page reloads).
 * With `job` (a running job found on the page), it shows that job's progress at once.
 */
export async function openPublishAll(view, base, {job = null} = {}) {
  const {api} = view;
  const dialog = openDialog({title: 'Publish all drafts', className: 'dialog-wide'});
  let changed = false;
  let running = false;
  let stop = () => {};
  const close = () => {
    stop();
    dialog.close(changed);
  };
  const closeButton = (label = 'Close') => button(label, {onClick: close});
  dialog.dialog.addEventListener('close', () => stop());

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
              `${plural(preview.emails.without_address, 'invoice goes', 'invoices go')} to residents with no usable email address: `,
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
        const link = started.headers.get('Location') || started.data.status_url;
        progress(link, started.data.count);
      } catch (error) {
        dialog.busy = false;
        if (error.code === 'draft_count_changed') {
          changed = true;
          loadPreview(error.message);
        } else if (error.code === 'no_drafts') {
          changed = true;
          dialog.setContent(notice('info', h('p', {}, error.message)), [closeButton()]);
        } else if (error.code === 'publish_all_running' && error.details.job_id) {
          changed = true;
          progress(
            jobLink(view.params.pid, error.details.job_id),
            null,
            'A Publish All is already running for this property (started elsewhere). Here is its progress.',
            false,
          );
        } else {
          go.disabled = false;
          go.textContent = 'Publish All';
          status.replaceChildren(errorPanel(error));
        }
      }
    });
  }

  function progress(link, expected, note, absolute = true) {
    running = true;
    const bar = h('progress', {id: 'publish-progress', max: String(expected || 1), value: '0', 'aria-labelledby': 'publish-progress-label'});
    const label = h(
      'p',
      {id: 'publish-progress-label', class: 'lead'},
      expected ? `Publishing ${plural(expected, 'invoice', 'invoices')}…` : 'Publishing…',
    );
    const counts = h('dl', {class: 'counts'});
    const problems = h('div', {'aria-live': 'polite'});
    // After the job: who to notify another way, and (to come) the delivery report and letters.
    const report = h('div', {id: 'publish-all-report'});
    const done = closeButton('Close');
    dialog.setTitle('Publishing all drafts');
    dialog.setContent([note ? notice('info', h('p', {id: 'publish-all-note'}, note)) : null, label, bar, counts, problems, report], [done]);

    function show(job) {
      const finished = jobDone(job);
      bar.max = Math.max(job.total, 1);
      bar.value = Math.min(finished, job.total);
      bar.setAttribute('aria-valuetext', `${finished} of ${job.total}`);
      counts.replaceChildren(
        h('div', {}, h('dt', {}, 'Published'), h('dd', {id: 'count-published'}, String(job.published))),
        h('div', {}, h('dt', {}, 'Skipped'), h('dd', {id: 'count-skipped'}, String(job.skipped))),
        h('div', {}, h('dt', {}, 'Failed'), h('dd', {id: 'count-failed'}, String(job.failed))),
        h('div', {}, h('dt', {}, 'Done'), h('dd', {id: 'count-done'}, `${finished} of ${job.total}`)),
      );
      if (!FINISHED.has(job.state)) label.textContent = `Publishing ${plural(job.total, 'invoice', 'invoices')}…`;
    }

    async function finish(job) {
      running = false;
      label.textContent =
        job.state === 'completed'
          ? `Publish All finished: ${plural(job.published, 'invoice', 'invoices')} published.`
          : `Publish All finished with errors: ${job.failed} failed.`;
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
      const sections = await publishAllReport({api, base, job});
      if (dialog.dialog.isConnected) report.replaceChildren(...sections);
    }

    stop = followJob(api, link, {
      absolute,
      onUpdate: async (job) => {
        if (!dialog.dialog.isConnected) return;
        show(job);
        if (FINISHED.has(job.state)) await finish(job);
      },
      onError: (error) => problems.replaceChildren(errorPanel(error)),
    });
  }

  if (job) {
    changed = true;
    progress(jobLink(view.params.pid, job.job_id), job.total, null, false);
  } else {
    loadPreview();
  }
  const result = await dialog.closed;
  if (result === null && running) toast('Publish All goes on in the background.', 'info');
  return changed;
}
