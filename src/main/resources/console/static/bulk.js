/*
 * Jeton helpdesk console: the page of a bulk load follows its job. Every second it reads the job's
 * state (the JSON at the progress bar's data-state), moves the bar and the status text (role=status,
 * read out by screen readers), and reloads the page once the job has ended, which then shows the
 * result. Served from the console's own origin (CSP script-src 'self'), no inline code. Without it,
 * the page's "Refresh" link does the same by hand; after a few failed reads it stops and leaves that
 * link (a session that ended, a job forgotten, a node that went away).
 */
(function () {
  'use strict';
  var bar = document.getElementById('progress');
  var status = document.getElementById('progress-text');
  if (!bar || !status || !bar.dataset.state || !window.fetch) {
    return;
  }
  var PERIOD = 1000;
  var failures = 0;

  function show(s) {
    bar.max = Math.max(1, s.total);
    bar.value = s.processed;
    bar.textContent = s.processed + ' / ' + s.total;
    if (status.textContent !== s.text) {
      status.textContent = s.text;
    }
  }

  function poll() {
    fetch(bar.dataset.state, {
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
      headers: { Accept: 'application/json' }
    })
      .then(function (r) {
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        return r.json();
      })
      .then(function (s) {
        failures = 0;
        show(s);
        if (s.ended) {
          window.location.reload();
        } else {
          window.setTimeout(poll, PERIOD);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < 3) {
          window.setTimeout(poll, PERIOD * 2);
        }
      });
  }

  window.setTimeout(poll, PERIOD);
})();
