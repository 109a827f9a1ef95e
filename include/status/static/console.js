// The integration status console: select objects, act on them, follow the re-sync runs, refresh.
// Served by include/status/web.py; the page reads in full without it. Every text from the server is
// put in the page with textContent, never as HTML.
(function () {
  "use strict";
  var body = document.body;
  var root = body.dataset.root || "./";
  var RUNS_KEY = "integration-status:runs";
  var SELECTION_KEY = "integration-status:selection:" + location.pathname + location.search;
  var AUTO_KEY = "integration-status:auto-refresh";
  var POLL_MS = 2500;
  var AUTO_REFRESH_MS = 5000;
  var selection = load(SELECTION_KEY, {});  // "type\u0000key" -> {object_type, key}
  var scope = null;  // "every object the filter matches", when chosen
  var runs = load(RUNS_KEY, []);

  function load(key, fallback) {
    try { return JSON.parse(sessionStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: keep in memory */ }
  }
  function api(path) { return new URL(root + path, location.href).toString(); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function id(target) { return target.object_type + "\u0000" + target.key; }

  // -- selection -------------------------------------------------------------------------------
  function picks() { return Array.prototype.slice.call(document.querySelectorAll("input.pick")); }

  function showSelection() {
    var count = scope ? scope.total : Object.keys(selection).length;
    document.querySelectorAll(".actionbar:not(.single)").forEach(function (bar) {
      bar.querySelector(".selected-count").textContent = scope
        ? "all " + count + " matching the filter selected" : count + " selected";
      bar.querySelectorAll("button.act").forEach(function (b) { b.disabled = count === 0; });
    });
    document.querySelectorAll(".actionbar.single button.act").forEach(function (b) { b.disabled = false; });
    picks().forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("selected", box.checked);
    });
    save(SELECTION_KEY, selection);
  }

  function bindSelection() {
    picks().forEach(function (box) {
      var target = {object_type: box.dataset.objectType, key: box.dataset.key};
      box.checked = Boolean(scope) || id(target) in selection;
      box.addEventListener("change", function () {
        scope = null;
        if (box.checked) selection[id(target)] = target; else delete selection[id(target)];
        showSelection();
      });
    });
    document.querySelectorAll("input.pick-page").forEach(function (all) {
      all.addEventListener("change", function () {
        scope = null;
        picks().forEach(function (box) {
          box.checked = all.checked;
          var target = {object_type: box.dataset.objectType, key: box.dataset.key};
          if (all.checked) selection[id(target)] = target; else delete selection[id(target)];
        });
        showSelection();
      });
    });
    document.querySelectorAll("button.pick-all-matching").forEach(function (button) {
      button.addEventListener("click", function () {
        var bar = button.closest(".actionbar");
        scope = JSON.parse(bar.dataset.scope);
        scope.total = Number(button.dataset.total);
        picks().forEach(function (box) { box.checked = true; });
        showSelection();
      });
    });
    document.querySelectorAll("button.act").forEach(function (button) {
      button.addEventListener("click", function () { act(button); });
    });
    document.querySelectorAll("a.ui-link").forEach(bindUiLink);
    showSelection();
  }

  // -- actions ---------------------------------------------------------------------------------
  function act(button) {
    var bar = button.closest(".actionbar");
    var result = bar.querySelector(".action-result");
    var action = button.dataset.action;
    var reasonBox = bar.querySelector(".mark-reason");
    var reason = reasonBox ? reasonBox.value.trim() : "";
    result.textContent = "";
    if (action === "mark_synced" && !reason) {
      result.appendChild(el("div", "Mark as synced needs a reason: write what was done in Intacct.", "refused"));
      if (reasonBox) reasonBox.focus();
      return;
    }
    var request = {action: action, reason: reason || null};
    if (bar.classList.contains("single")) request.objects = JSON.parse(bar.dataset.targets);
    else if (scope) request.scope = {view: scope.view, filters: scope.filters};
    else request.objects = Object.keys(selection).map(function (k) { return selection[k]; });
    bar.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    result.appendChild(el("div", button.textContent + ": sending…"));
    fetch(api("api/actions"), {method: "POST", credentials: "same-origin",
                               headers: {"Content-Type": "application/json", "Accept": "application/json"},
                               body: JSON.stringify(request)})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) throw new Error(data.detail || ("HTTP " + response.status));
          return data;
        });
      })
      .then(function (data) { showOutcome(result, data); })
      .catch(function (error) {
        result.textContent = "";
        result.appendChild(el("div", button.textContent + " was not done: " + error.message, "refused"));
      })
      .then(function () { showSelection(); });
  }

  function showOutcome(result, data) {
    result.textContent = "";
    var done = data.action === "mark_synced"
      ? data.marked + " marked as synced by " + data.actor + "."
      : data.accepted.length + " accepted; " + data.runs.length + " run(s) of intacct_resync started by " +
        data.actor + ".";
    result.appendChild(el("div", data.label + ": " + done, "accepted"));
    (data.notices || []).forEach(function (text) { result.appendChild(el("div", text, "notice")); });
    if (data.refused.length) {
      var list = el("ul", null, "refused");
      data.refused.forEach(function (r) {
        list.appendChild(el("li", r.object_type + " " + r.key + " refused: " + r.reason));
      });
      result.appendChild(list);
    }
    data.runs.forEach(function (run) {
      runs.unshift({dag_run_id: run.dag_run_id, ui_path: run.ui_path, label: data.label, object_type: run.object_type,
                    keys: run.keys, state: run.state || "queued", finished: false, objects: []});
    });
    runs = runs.slice(0, 5);
    save(RUNS_KEY, runs);
    selection = {};
    scope = null;
    showRuns();
    if (data.action === "mark_synced" && data.marked) refresh();
    else poll();
  }

  // -- the runs the console started ------------------------------------------------------------
  function showRuns() {
    var area = document.getElementById("runs");
    if (!area) return;
    area.textContent = "";
    runs.forEach(function (run, index) {
      var box = el("div", null, "run" + (run.state === "failed" ? " failed" : ""));
      box.dataset.runId = run.dag_run_id;
      box.appendChild(el("strong", run.label + " " + run.object_type));
      box.appendChild(document.createTextNode(" — run "));
      var link = el("a", run.dag_run_id, "ui-link");
      link.href = root + "../" + run.ui_path;
      link.target = "_top";
      bindUiLink(link);
      box.appendChild(link);
      box.appendChild(document.createTextNode(": "));
      box.appendChild(el("span", run.state, "run-state"));
      var close = el("button", "×", "dismiss");
      close.type = "button";
      close.title = "hide";
      close.addEventListener("click", function () { runs.splice(index, 1); save(RUNS_KEY, runs); showRuns(); });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(close);
      var list = el("ul");
      (run.objects.length ? run.objects : run.keys.map(function (k) { return {key: k, state: "asked"}; }))
        .forEach(function (o) {
          var item = el("li", o.key + ": " + o.state);
          item.dataset.key = o.key;
          item.className = "run-object";
          list.appendChild(item);
        });
      box.appendChild(list);
      area.appendChild(box);
    });
  }

  var polling = false;
  function poll() {
    var active = runs.filter(function (run) { return !run.finished; });
    if (!active.length || polling) return;
    polling = true;
    Promise.all(active.map(function (run) {
      return fetch(api("api/resync-runs/" + encodeURIComponent(run.dag_run_id)),
                   {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return false;
          var ended = data.finished && !run.finished;
          run.state = data.state;
          run.finished = data.finished;
          run.objects = data.objects;
          return ended;
        })
        .catch(function () { return false; });
    })).then(function (ended) {
      polling = false;
      save(RUNS_KEY, runs);
      showRuns();
      if (ended.some(Boolean)) refresh();  // a run ended: the rows show its outcome
      if (runs.some(function (run) { return !run.finished; })) setTimeout(poll, POLL_MS);
    });
  }

  // -- refresh ---------------------------------------------------------------------------------
  function refresh() {
    var content = document.getElementById("content");
    if (!content) { location.reload(); return Promise.resolve(); }
    return fetch(location.href, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("content");
        if (fresh) {
          content.replaceWith(fresh);
          bindSelection();
        }
      })
      .catch(function () { /* keep what is shown; the next refresh tries again */ });
  }

  var autoBox = document.getElementById("auto-refresh");
  if (autoBox) {
    var stored = localStorage.getItem(AUTO_KEY);
    if (stored !== null) autoBox.checked = stored === "1";
    autoBox.addEventListener("change", function () { localStorage.setItem(AUTO_KEY, autoBox.checked ? "1" : "0"); });
  }
  setInterval(function () {
    if (autoBox && autoBox.checked && runs.some(function (run) { return !run.finished; })) refresh();
  }, AUTO_REFRESH_MS);
  var refreshButton = document.getElementById("refresh");
  if (refreshButton) refreshButton.addEventListener("click", function () { refresh(); poll(); });

  // -- links into Airflow's UI -----------------------------------------------------------------
  // Inside the UI's frame (sandboxed without top navigation) the UI's own router is asked to go there.
  function bindUiLink(link) {
    link.addEventListener("click", function (event) {
      if (window.top === window) return;
      try {
        var target = new URL(link.getAttribute("href"), location.href);
        window.top.history.pushState(null, "", target.pathname + target.search);
        window.top.dispatchEvent(new PopStateEvent("popstate"));
        event.preventDefault();
      } catch (e) { /* not the same origin: let the browser follow the link */ }
    });
  }

  bindSelection();
  showRuns();
  poll();
})();
