// The demo key page: asks Jeton for the demo key's current code every second and empties the gauge's bars as the
// time step runs out, like the hardware key. Served as a file: the portal's CSP allows no inline script.
(function () {
  'use strict';
  var code = document.getElementById('demo-code');
  var gauge = document.getElementById('gauge');
  if (!code || !gauge) { return; }
  var bars = gauge.querySelectorAll('.bar');

  function show(state) {
    code.textContent = state.code;
    var lit = Math.max(1, Math.min(bars.length, Math.ceil(state.secondsLeft * bars.length / state.period)));
    for (var i = 0; i < bars.length; i++) {
      bars[i].classList.toggle('empty', i >= lit);
    }
    gauge.setAttribute('aria-valuenow', String(state.secondsLeft));
  }

  function refresh() {
    fetch('/portal/demo-key/code', { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () { /* the next tick tries again */ });
  }

  setInterval(refresh, 1000);
})();
