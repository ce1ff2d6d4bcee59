// ChronoFlow dashboard: one page, no framework. Every URL is relative to the page, so it works under a path base and
// behind a reverse proxy; the API lives at "api/" next to the page.
'use strict';

(() => {
  const apiBase = new URL('api/', document.baseURI);
  const $ = (id) => document.getElementById(id);
  const themeKey = 'chronoflow.theme';

  const state = {
    info: null,
    jobs: [],
    view: 'jobs',
    nodes: null,
    nodesError: false,
    antiforgery: null,
    jobId: null,
    job: null,
    runs: [],
    runsDone: false,
    source: null,
    sseErrors: 0,
    pollTimer: 0,
  };
  const pageSize = 20;

  // ---- Small helpers ----

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null) continue;
        if (key === 'class') node.className = value;
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else node.setAttribute(key, value);
      }
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function time(iso) {
    if (!iso) return el('span', { class: 'muted' }, '\u2014');
    const date = new Date(iso);
    return el('time', { datetime: iso, title: iso }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), el('span', { class: 'sub' }, relative(date)));
  }

  function relative(date) {
    const now = state.info ? Date.now() + state.clockSkew : Date.now();
    const seconds = Math.round((date.getTime() - now) / 1000);
    const abs = Math.abs(seconds);
    const [value, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
    return seconds >= 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`;
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return '\u2014';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
    const minutes = Math.floor(ms / 60000);
    return `${minutes} min ${Math.round((ms % 60000) / 1000)} s`;
  }

  function badge(text, kind) {
    return el('span', { class: `badge ${kind || text}` }, text);
  }

  function toast(text) {
    const node = $('toast');
    node.textContent = text;
    node.classList.add('shown');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => node.classList.remove('shown'), 3000);
  }

  function showError(text) {
    const node = $('error');
    node.textContent = text || '';
    node.hidden = !text;
  }

  // ---- The API ----

  async function api(path, options = {}) {
    const response = await fetch(new URL(path, apiBase), {
      credentials: 'same-origin',
      cache: 'no-store',
      ...options,
      headers: { Accept: 'application/json', ...(options.headers || {}) },
    });
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json();
        if (problem && problem.detail) detail = problem.detail;
      } catch {
        // Not JSON: keep the status line.
      }
      const error = new Error(detail);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  // An action (POST, or DELETE for remove): with the antiforgery token, which every action needs.
  async function send(path, method = 'POST') {
    if (!state.antiforgery) state.antiforgery = await api('antiforgery');
    const once = () => api(path, { method, headers: { [state.antiforgery.headerName]: state.antiforgery.token } });
    try {
      return await once();
    } catch (error) {
      // The token may have gone stale (a new cookie, a new user): fetch a fresh one and try once more.
      if (error.status !== 400) throw error;
      state.antiforgery = await api('antiforgery');
      return once();
    }
  }

  const jobPath = (id) => `jobs/${encodeURIComponent(id)}`;

  // ---- The jobs list ----

  function describeSchedule(job) {
    return el('td', null, el('code', null, job.schedule), job.scheduleDescription ? el('span', { class: 'sub' }, job.scheduleDescription) : null);
  }

  function lastRunCell(job) {
    if (!job.lastOutcome) return el('td', { class: 'muted' }, 'never');
    return el('td', null, badge(job.lastOutcome), ' ', duration(job.lastDuration), job.lastRun ? el('span', { class: 'sub' }, relative(new Date(job.lastRun))) : null);
  }

  function countsText(c) {
    const parts = [`${c.runs} runs`];
    if (c.failed) parts.push(`${c.failed} failed`);
    if (c.skipped) parts.push(`${c.skipped} skipped`);
    if (c.misfired) parts.push(`${c.misfired} misfired`);
    return parts.join(' \u00B7 ');
  }

  function visibleJobs() {
    const text = $('search').value.trim().toLowerCase();
    const status = $('status-filter').value;
    const sort = $('sort').value;
    const jobs = state.jobs.filter((job) => {
      if (status === 'failing' && !(job.lastOutcome && job.lastOutcome !== 'Succeeded')) return false;
      if (status && status !== 'failing' && job.status !== status) return false;
      if (!text) return true;
      return [job.id, job.description, job.schedule, job.scheduleDescription, job.zone].some((v) => v && v.toLowerCase().includes(text));
    });
    const far = '\uffff';
    const key = {
      nextRun: (j) => j.nextRun ? new Date(j.nextRun).getTime() : Number.MAX_SAFE_INTEGER,
      lastRun: (j) => j.lastRun ? -new Date(j.lastRun).getTime() : Number.MAX_SAFE_INTEGER,
      id: () => 0,
    }[sort] || (() => 0);
    return jobs.sort((a, b) => (key(a) - key(b)) || (a.id || far).localeCompare(b.id || far));
  }

  function renderJobs() {
    const rows = visibleJobs().map((job) => {
      const link = el('a', { href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id);
      return el('tr', { dataset: { jobId: job.id } },
        el('td', null, link, job.description ? el('span', { class: 'sub' }, job.description) : null),
        describeSchedule(job),
        el('td', null, job.zone || 'UTC'),
        el('td', null, badge(job.status)),
        el('td', null, time(job.nextRun)),
        lastRunCell(job),
        el('td', null, countsText(job.counts)));
    });
    $('jobs').replaceChildren(...rows);
    $('jobs-empty').hidden = rows.length > 0;
  }

  // ---- One job ----

  function fact(list, name, ...value) {
    list.append(el('dt', null, name), el('dd', null, ...value));
  }

  function renderJob() {
    const job = state.job;
    if (!job) return;
    $('job-id').textContent = job.id;
    $('job-description').textContent = job.description || '';
    const facts = $('job-facts');
    facts.replaceChildren();
    fact(facts, 'Schedule', el('code', null, job.schedule), job.scheduleDescription ? ` \u2014 ${job.scheduleDescription}` : '');
    fact(facts, 'Zone', job.zone || 'UTC');
    fact(facts, 'Status', badge(job.status), job.inFlight ? ` (${job.inFlight} in flight)` : '');
    fact(facts, 'Next run', time(job.nextRun));
    fact(facts, 'Last run', job.lastOutcome ? badge(job.lastOutcome) : 'never', job.lastRun ? ' ' : '', job.lastRun ? time(job.lastRun) : '');
    fact(facts, 'Last duration', duration(job.lastDuration));
    if (job.lastError) fact(facts, 'Last error', el('pre', null, job.lastError));
    const c = job.counts;
    fact(facts, 'Counts', `${c.runs} runs, ${c.succeeded} succeeded, ${c.failed} failed (${c.timedOut} timed out), ${c.retried} retried, ${c.skipped} skipped, ${c.misfired} misfired, ${c.rejected} rejected, ${c.abandoned} abandoned`);

    const readOnly = !state.info || state.info.readOnly;
    $('job-actions').hidden = readOnly;
    for (const button of $('job-actions').querySelectorAll('button')) {
      const action = button.dataset.action;
      button.hidden = (action === 'pause' && job.paused) || (action === 'resume' && !job.paused);
    }

    $('next-runs').replaceChildren(...(job.nextRuns || []).map((at) => el('li', null, time(at))));
    const note = $('next-runs-note');
    note.hidden = !(job.paused || job.status === 'Disabled') || !(job.nextRuns || []).length;
    note.textContent = 'The job is not scheduled now; these are the occurrences its schedule would have.';
  }

  function runRow(run) {
    const outcome = run.outcome ? badge(run.outcome)
      : run.skipped ? el('span', null, badge('Skipped'), ` ${run.skipped}${run.count > 1 ? ` \u00D7${run.count}` : ''}`)
        : badge('Running');
    return el('tr', { dataset: { runId: run.id } },
      el('td', null, time(run.scheduledTime), run.manual ? el('span', { class: 'sub' }, 'run by hand') : null),
      el('td', null, run.startedTime ? time(run.startedTime) : '\u2014'),
      el('td', null, duration(run.duration)),
      el('td', null, outcome),
      el('td', null, run.attempt || '\u2014'),
      el('td', null, run.node),
      el('td', null, run.error ? el('pre', null, run.error) : ''),
      el('td', null, run.output ? el('details', null, el('summary', null, 'tail'), el('pre', null, run.output)) : ''));
  }

  function renderRuns() {
    $('runs').replaceChildren(...state.runs.map(runRow));
    $('runs-empty').hidden = state.runs.length > 0;
    $('more-runs').hidden = state.runsDone;
  }

  async function loadJob(id) {
    try {
      const [job, runs] = await Promise.all([api(jobPath(id)), api(`${jobPath(id)}/runs?limit=${pageSize}`)]);
      if (state.jobId !== id) return;
      state.job = job;
      state.runs = runs;
      state.runsDone = runs.length < pageSize;
      showError('');
      renderJob();
      renderRuns();
    } catch (error) {
      showError(error.status === 404 ? `There is no job "${id}".` : `Could not load job "${id}": ${error.message}`);
    }
  }

  async function loadOlderRuns() {
    const id = state.jobId;
    const last = state.runs[state.runs.length - 1];
    if (!id || !last) return;
    const page = await api(`${jobPath(id)}/runs?limit=${pageSize}&before=${last.id}`);
    if (state.jobId !== id) return;
    state.runs.push(...page);
    state.runsDone = page.length < pageSize;
    renderRuns();
  }

  // ---- The nodes view: every process sharing the store, from api/nodes ----

  const nodeStatusWords = { running: 'Running', stopped: 'Stopped', lost: 'Lost' };

  function ago(seconds) {
    // Negative when that process's clock runs ahead of this one's: it was seen just now.
    const abs = Math.max(0, seconds);
    const [value, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.floor(abs / 60), 'min'] : abs < 86400 ? [Math.floor(abs / 3600), 'h'] : [Math.floor(abs / 86400), 'd'];
    return `${value} ${unit} ago`;
  }

  function shortVersion(version) {
    // 1.2.3+<40-hex commit> as 1.2.3+<7 hex>; the whole version is in the cell's title.
    const plus = version.indexOf('+');
    return plus < 0 ? version : version.slice(0, plus + 8);
  }

  function nodeRow(node) {
    const classes = [node.status === 'lost' ? 'lost' : '', node.self ? 'self' : ''].filter(Boolean).join(' ');
    return el('tr', { class: classes || null, dataset: { owner: node.owner, status: node.status } },
      el('td', null, node.node, node.self ? el('span', { class: 'tag', title: 'The process that serves this page' }, 'this process') : null),
      el('td', null, node.host || '\u2014', el('span', { class: 'sub' }, `pid ${node.pid}`)),
      el('td', null, badge(nodeStatusWords[node.status] || node.status, `node-${node.status}`)),
      el('td', null, el('time', { class: 'ago', datetime: node.lastSeen, title: node.lastSeen }, ago(node.secondsSinceSeen))),
      el('td', null, time(node.started)),
      el('td', { class: 'num' }, node.jobs),
      el('td', { class: 'num' }, node.running),
      el('td', null, node.version ? el('code', { title: node.version }, shortVersion(node.version)) : '\u2014'));
  }

  function renderNodes() {
    if (!state.nodes) return;
    const nodes = state.nodes.nodes;
    $('nodes').replaceChildren(...nodes.map(nodeRow));
    $('nodes-empty').hidden = nodes.length > 0;
    const count = (status) => nodes.filter((n) => n.status === status).length;
    const summary = `${nodes.length} ${nodes.length === 1 ? 'process' : 'processes'}: ${count('running')} running, ${count('stopped')} stopped, ${count('lost')} lost`;
    // Set only when it changes: the summary is a live region, and a screen reader would repeat it at every update.
    if ($('nodes-summary').textContent !== summary) $('nodes-summary').textContent = summary;
  }

  function showNodesError(text) {
    state.nodesError = !!text;
    showError(text);
  }

  function applyNodes(list) {
    state.nodes = list;
    if (state.nodesError) showNodesError('');
    renderNodes();
  }

  async function refreshNodes() {
    try {
      applyNodes(await api('nodes'));
    } catch (error) {
      showNodesError(`Could not load the nodes: ${error.message}`);
    }
  }

  // ---- Actions, behind a confirmation dialog ----

  function confirmDialog(text, okText) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okText;
    return new Promise((resolve) => {
      const done = () => {
        dialog.removeEventListener('close', done);
        resolve(dialog.returnValue === 'ok');
      };
      dialog.returnValue = '';
      dialog.addEventListener('close', done);
      dialog.showModal();
    });
  }

  const actionWords = {
    run: ['Run job "%" now?', 'Run now', 'Started a run of %'],
    pause: ['Pause job "%"? It will not run until it is resumed.', 'Pause', 'Paused %'],
    resume: ['Resume job "%"? It runs again from its next occurrence.', 'Resume', 'Resumed %'],
    remove: [
      'Remove job "%"? Every process sharing the store stops running it; its history stays. A job of a job file or of the app\'s code comes back when its process starts again.',
      'Remove',
      'Removed %',
    ],
  };

  async function act(action) {
    const id = state.jobId;
    const [question, okText, doneText] = actionWords[action];
    if (!id || !(await confirmDialog(question.replace('%', id), okText))) return;
    try {
      if (action === 'remove') {
        await send(jobPath(id), 'DELETE');
        toast(doneText.replace('%', id));
        showError('');
        // The job is gone: back to the list, which no longer has it.
        location.hash = '#/';
        await refreshJobs();
        return;
      }
      state.job = await send(`${jobPath(id)}/${action}`);
      renderJob();
      toast(doneText.replace('%', id));
      showError('');
    } catch (error) {
      showError(`Could not ${action} job "${id}": ${error.message}`);
    }
    await Promise.all([loadJob(id), refreshJobs()]);
  }

  // ---- Live updates: server-sent events, polling as the fallback, nothing while the tab is hidden ----

  function setLive(text) {
    const node = $('live');
    node.dataset.state = text;
    node.textContent = text;
  }

  function applyJobs(jobs) {
    const before = state.jobs.find((j) => j.id === state.jobId);
    state.jobs = jobs;
    renderJobs();
    const after = jobs.find((j) => j.id === state.jobId);
    if (state.jobId && after && JSON.stringify(before) !== JSON.stringify(after)) loadJob(state.jobId);
  }

  async function refreshJobs() {
    try {
      applyJobs(await api('jobs'));
      showError('');
    } catch (error) {
      setLive('offline');
      showError(`Could not load the jobs: ${error.message}`);
    }
  }

  function startLive() {
    stopLive();
    if (document.visibilityState === 'hidden') {
      setLive('paused');
      return;
    }
    if ('EventSource' in window && state.sseErrors < 3) {
      // The stream carries the nodes only while they are shown: each look at them reads the store.
      const source = new EventSource(new URL(state.view === 'nodes' ? 'events?nodes=1' : 'events', apiBase));
      state.source = source;
      source.addEventListener('jobs', (event) => {
        state.sseErrors = 0;
        setLive('live');
        applyJobs(JSON.parse(event.data));
      });
      source.addEventListener('nodes', (event) => {
        state.sseErrors = 0;
        setLive('live');
        applyNodes(JSON.parse(event.data));
      });
      source.addEventListener('nodes-failed', (event) => {
        showNodesError(`Could not load the nodes: ${JSON.parse(event.data).detail}`);
      });
      source.addEventListener('error', () => {
        if (state.source !== source) return;
        state.sseErrors += 1;
        if (source.readyState === EventSource.CLOSED || state.sseErrors >= 3) startLive();
        else setLive('connecting');
      });
      return;
    }
    setLive('polling');
    poll();
    state.pollTimer = setInterval(poll, 5000);
  }

  async function poll() {
    await refreshJobs();
    if (state.view === 'nodes') await refreshNodes();
  }

  function stopLive() {
    if (state.source) {
      state.source.close();
      state.source = null;
    }
    clearInterval(state.pollTimer);
    state.pollTimer = 0;
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') {
      stopLive();
      setLive('paused');
    } else {
      startLive();
      if (state.jobId) loadJob(state.jobId);
    }
  });

  // ---- Theme ----

  function applyTheme(theme) {
    document.documentElement.dataset.theme = theme;
    const button = $('theme-toggle');
    button.setAttribute('aria-pressed', String(theme === 'dark'));
    button.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
  }

  function initialTheme() {
    let stored = null;
    try {
      stored = localStorage.getItem(themeKey);
    } catch {
      // Storage may be off; follow the system then.
    }
    if (stored === 'dark' || stored === 'light') return stored;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  // ---- Routing: #/ is the list, #/jobs/{id} one job, #/nodes the nodes ----

  function route() {
    const match = /^#\/jobs\/(.+)$/.exec(location.hash);
    const id = match ? decodeURIComponent(match[1]) : null;
    const view = id ? 'job' : location.hash === '#/nodes' ? 'nodes' : 'jobs';
    state.view = view;
    state.jobId = id;
    $('jobs-view').hidden = view !== 'jobs';
    $('job-view').hidden = view !== 'job';
    $('nodes-view').hidden = view !== 'nodes';
    for (const [link, current] of [['nav-jobs', view !== 'nodes'], ['nav-nodes', view === 'nodes']]) {
      if (current) $(link).setAttribute('aria-current', 'page');
      else $(link).removeAttribute('aria-current');
    }
    if (view === 'nodes') {
      showNodesError('');
      renderNodes();
      refreshNodes();
    } else if (id) {
      state.job = null;
      state.runs = [];
      $('job-id').textContent = id;
      $('job-facts').replaceChildren();
      $('next-runs').replaceChildren();
      $('runs').replaceChildren();
      loadJob(id);
    } else {
      showError('');
      renderJobs();
    }
  }

  async function start() {
    applyTheme(initialTheme());
    $('theme-toggle').addEventListener('click', () => {
      const theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
      applyTheme(theme);
      try {
        localStorage.setItem(themeKey, theme);
      } catch {
        // Not stored: the choice lasts for this page only.
      }
    });
    for (const id of ['search', 'status-filter', 'sort']) $(id).addEventListener('input', renderJobs);
    $('job-actions').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (button) act(button.dataset.action);
    });
    $('more-runs').addEventListener('click', loadOlderRuns);
    $('confirm-ok').addEventListener('click', () => $('confirm').close('ok'));
    $('confirm-cancel').addEventListener('click', () => $('confirm').close('cancel'));
    window.addEventListener('hashchange', () => {
      const hadNodes = state.view === 'nodes';
      route();
      // Into or out of the nodes view: the event stream starts or stops carrying them.
      if (hadNodes !== (state.view === 'nodes')) startLive();
    });

    state.clockSkew = 0;
    try {
      state.info = await api('info');
      state.clockSkew = new Date(state.info.now).getTime() - Date.now();
      document.title = state.info.title;
      $('title').textContent = state.info.title;
      $('scheduler-status').textContent = `${state.info.node} \u00B7 ${state.info.mode} mode \u00B7 ${state.info.jobCount} jobs${state.info.readOnly ? ' \u00B7 read-only' : ''}`;
      document.body.dataset.readOnly = String(state.info.readOnly);
    } catch (error) {
      showError(`Could not reach the ChronoFlow API: ${error.message}`);
    }
    route();
    startLive();
  }

  start();
})();
