// The Vitae web console: upload a resume, watch its parse live, read the
// result, and hand out share links — in the browser, with no build step.
//
// It calls only the public API (docs/api.md, docs/sse.md) with the token the
// person pastes in, exactly as a third-party page would (docs/browsers.md),
// so this file doubles as a worked example of that API:
//
//   POST   /v1/resumes?filename=NAME   raw file body → 202 {id, events_url, …}
//   GET    {events_url}?access_token=  EventSource: progress…, complete|failed
//   GET    /v1/resumes?limit=&cursor=  {resumes: […], next_cursor} (pages followed to the end)
//   GET    /v1/resumes/{id}            the resume with its parsed document
//   POST   /v1/resumes/{id}/shares     {expires_in_days, label, password, pin, hide, allow_download} → 201 share
//   GET    /v1/resumes/{id}/shares     {shares: […], next_cursor} with access counts (likewise)
//   DELETE /v1/shares/{token}          revoke → 200 share {revoked: true}
//   GET    /v1/templates               {templates: [{id, name, description, preview_url, …}]}
//   POST   /v1/resumes/{id}/exports    {format, template, paper, fit} → 202 job
//   GET    {job.events_url}?access_token=  EventSource: progress…, complete|failed
//   GET    {job.download_url}          the file (fetched with the token, saved from a blob)
//
// Resumes are untrusted input (a file can hold "<script>" in any field), so
// every string from the server reaches the page through textContent or a
// checked attribute, never through HTML parsing. The page's CSP forbids
// inline script and style, which is why all behaviour lives here.
'use strict';

(() => {
  const TOKEN_KEY = 'vitae.token';
  // EventSource retries a dropped stream by itself; while the parse is
  // unfinished that is what we want, but not forever (docs/sse.md: never
  // loop reconnecting). This many errors in a row without an event, and we
  // stop and say so.
  const MAX_STREAM_ERRORS = 5;
  // Sections of a JSON Resume in the order the schema lists them; other
  // keys of an imported document follow in their own order.
  const SECTIONS = ['basics', 'work', 'volunteer', 'education', 'awards', 'certificates',
    'publications', 'skills', 'languages', 'interests', 'references', 'projects'];

  const byId = (id) => document.getElementById(id);
  const state = {
    token: '', resumeId: null, stream: null, streamFor: null,
    // The export being followed, and the blob URL of the last download
    // (revoked when replaced, or the browser keeps the file in memory).
    exportStream: null, exportFor: null, downloadUrl: null, templatesLoaded: false,
  };

  // ---- small DOM helpers (text only) -----------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function showError(message) {
    const box = byId('error');
    box.textContent = message;
    box.hidden = false;
  }

  function clearError() {
    const box = byId('error');
    box.textContent = '';
    box.hidden = true;
  }

  // Run a user action: clear the last error, show this one's if it fails.
  async function run(action, button) {
    clearError();
    if (button) button.disabled = true;
    try {
      await action();
    } catch (error) {
      showError(error && error.message ? error.message : String(error));
    } finally {
      // A revoked share's button stays off for good.
      if (button && button.dataset.keepDisabled !== 'true') button.disabled = false;
    }
  }

  // "2026-11-23T15:27:51.456Z" → "2026-11-23 15:27 UTC": the same on every
  // machine, which matters more here than the viewer's locale.
  function when(time) {
    return typeof time === 'string' && time.length >= 16
      ? time.slice(0, 10) + ' ' + time.slice(11, 16) + ' UTC'
      : '';
  }

  // ---- the API ----------------------------------------------------------

  // A failed call carries the server's own words: error.message of the JSON
  // error body {"error": {"code", "message", "request_id"}}.
  class ApiError extends Error {
    constructor(message, status, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, options = {}) {
    if (!state.token) throw new ApiError('Enter an API token first.', 0, 'no_token');
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + state.token };
    let body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType || 'application/octet-stream';
      body = options.body;
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body, cache: 'no-store' });
    } catch (error) {
      throw new ApiError('The server could not be reached (' + error.message + ').', 0, 'network');
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (_) {
        data = null;
      }
    }
    if (!response.ok) {
      const detail = data && data.error && typeof data.error.message === 'string'
        ? data.error.message
        : 'HTTP ' + response.status + ' from ' + method + ' ' + path.split('?')[0];
      throw new ApiError(detail, response.status, data && data.error ? data.error.code : undefined);
    }
    return data;
  }

  // Every item of a paged list (`key` of each page), following next_cursor
  // to the last page with the largest page the server gives.
  async function apiAll(path, key) {
    const items = [];
    let cursor = null;
    for (;;) {
      const query = '?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      const answer = await api('GET', path + query);
      if (answer && Array.isArray(answer[key])) items.push(...answer[key]);
      const next = answer && typeof answer.next_cursor === 'string' ? answer.next_cursor : null;
      if (!next || next === cursor) break;
      cursor = next;
    }
    return { [key]: items };
  }

  const resumePath = (id) => '/v1/resumes/' + encodeURIComponent(id);

  // ---- token ------------------------------------------------------------

  function loadToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (_) {
      return ''; // storage disabled: the token lives in the field only
    }
  }

  function saveToken(token) {
    state.token = token;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) {
      // Storage disabled: keep the token for this page only.
    }
  }

  // ---- parse progress ---------------------------------------------------

  function setStatus(status, text) {
    const node = byId('parse-status');
    node.dataset.status = status;
    node.textContent = text;
  }

  // The parse and the export each show their stages in a list of their own.
  function stageItems(listId = 'progress') {
    return Array.from(byId(listId).children);
  }

  // One li per stage the server names, in arrival order; every earlier
  // stage is done once a later one starts. `detail` is the stage's number
  // (a percentage, a page count) and `message` its words.
  function showStage(progress, listId = 'progress', detail, message) {
    const stage = typeof progress.stage === 'string' ? progress.stage : '?';
    let item = stageItems(listId).find((li) => li.dataset.stage === stage);
    if (!item) {
      item = el('li');
      item.dataset.stage = stage;
      item.append(el('span', 'stage-name', stage), el('span', 'stage-percent'), el('span', 'stage-message'));
      byId(listId).append(item);
    }
    const percent = Number.isFinite(progress.percent) ? progress.percent + '%' : '';
    item.querySelector('.stage-percent').textContent = detail !== undefined ? detail : percent;
    item.querySelector('.stage-message').textContent = message !== undefined
      ? message
      : typeof progress.message === 'string' ? progress.message : '';
    for (const li of stageItems(listId)) {
      if (li === item) break;
      li.classList.add('done');
    }
  }

  function finishStages(outcome, listId = 'progress') {
    const items = stageItems(listId);
    items.forEach((li, i) => {
      if (outcome === 'failed' && i === items.length - 1) li.classList.add('failed');
      else li.classList.add('done');
    });
  }

  function stopStream() {
    if (state.stream) state.stream.close();
    state.stream = null;
    state.streamFor = null;
  }

  function parseData(event) {
    try {
      return JSON.parse(event.data);
    } catch (_) {
      return null;
    }
  }

  // Follow one parse over SSE. EventSource cannot send headers, so the
  // token rides in ?access_token= (the server never logs query strings).
  function watchParse(resume) {
    stopStream();
    clear(byId('progress'));
    setStatus('parsing', 'Parsing ' + resume.filename + '…');
    const url = resume.events_url + '?access_token=' + encodeURIComponent(state.token);
    const stream = new EventSource(url);
    state.stream = stream;
    state.streamFor = resume.id;
    let errors = 0;
    const current = () => state.stream === stream;
    const finish = () => {
      stream.close();
      if (current()) stopStream();
    };

    stream.addEventListener('progress', (event) => {
      errors = 0;
      const progress = parseData(event);
      if (progress) showStage(progress);
    });
    // The terminal events: close at once, or the browser would reconnect
    // when the server ends the stream.
    stream.addEventListener('complete', (event) => {
      finish();
      finishStages('complete');
      setStatus('complete', 'Parsed ' + resume.filename + '.');
      const done = parseData(event);
      const id = done && typeof done.id === 'string' ? done.id : resume.id;
      run(() => Promise.all([loadResume(id), refreshResumes()]));
    });
    stream.addEventListener('failed', (event) => {
      finish();
      finishStages('failed');
      const failed = parseData(event);
      const reason = failed && typeof failed.reason === 'string' ? failed.reason : 'no reason given';
      setStatus('failed', 'The parse of ' + resume.filename + ' failed.');
      showError('The parse failed: ' + reason);
      // The list shows the failed status; the message above stays.
      refreshResumes().catch(() => {});
    });
    stream.addEventListener('error', (event) => {
      if (!current()) return;
      if (typeof event.data === 'string') {
        // An `error` event from the server: a server bug, the outcome is
        // unknown. Ask the resource instead of waiting.
        finish();
        const problem = parseData(event);
        outcomeFromResource(resume, problem && problem.message);
      } else if (stream.readyState === EventSource.CLOSED) {
        // The browser gave up (a 4xx or 204 answer): it will not retry.
        finish();
        outcomeFromResource(resume, 'the event stream was refused');
      } else if (++errors >= MAX_STREAM_ERRORS) {
        finish();
        outcomeFromResource(resume, 'the event stream dropped ' + errors + ' times in a row');
      }
    });
  }

  // When the stream cannot tell us the outcome, the resource can; and when
  // the resource cannot be read either, its error message says why (a bad
  // token, a deleted resume, …).
  async function outcomeFromResource(resume, why) {
    try {
      const current = await api('GET', resumePath(resume.id));
      if (current.status === 'ready') {
        finishStages('complete');
        setStatus('complete', 'Parsed ' + resume.filename + '.');
        await Promise.all([loadResume(current.id), refreshResumes()]);
      } else if (current.status === 'failed') {
        finishStages('failed');
        setStatus('failed', 'The parse of ' + resume.filename + ' failed.');
        showError('The parse failed: ' + (current.reason || 'no reason given'));
      } else {
        setStatus('error', 'Stopped following the parse (' + current.status + ').');
        showError('Stopped following the parse: ' + why + '. It is still ' + current.status +
          '; pick it in “My resumes” to follow it again.');
      }
    } catch (error) {
      setStatus('error', 'Stopped following the parse.');
      showError(why + ': ' + error.message);
    }
  }

  // ---- uploads ----------------------------------------------------------

  async function upload() {
    const file = byId('file').files[0];
    if (!file) throw new Error('Choose a file to upload first.');
    // The raw-body form of the upload: the bytes decide the format, the
    // Content-Type and file name are hints (an unknown type is sent as
    // octet-stream, which counts as no hint).
    const resume = await api('POST', '/v1/resumes?filename=' + encodeURIComponent(file.name), {
      body: file,
      contentType: file.type || 'application/octet-stream',
    });
    watchParse(resume);
    await refreshResumes();
  }

  // ---- the list of resumes ---------------------------------------------

  async function refreshResumes() {
    const answer = await apiAll('/v1/resumes', 'resumes');
    const list = byId('resumes');
    clear(list);
    const resumes = answer && Array.isArray(answer.resumes) ? answer.resumes : [];
    for (const resume of resumes) {
      const item = el('li');
      item.dataset.resumeId = resume.id;
      const button = el('button', 'resume-pick');
      button.type = 'button';
      button.append(el('span', 'filename', resume.filename));
      button.append(el('span', 'badge status-' + String(resume.status), resume.status));
      if (resume.is_master) button.append(el('span', 'badge master', 'master'));
      button.append(el('span', 'muted', when(resume.created_at)));
      button.addEventListener('click', () => run(() => loadResume(resume.id), button));
      item.append(button);
      list.append(item);
    }
    byId('resumes-empty').hidden = resumes.length > 0;
    markSelected();
  }

  function markSelected() {
    for (const item of byId('resumes').children) {
      const selected = item.dataset.resumeId === state.resumeId;
      item.classList.toggle('selected', selected);
      const button = item.querySelector('button');
      if (button) {
        if (selected) button.setAttribute('aria-current', 'true');
        else button.removeAttribute('aria-current');
      }
    }
  }

  // ---- one resume ------------------------------------------------------

  async function loadResume(id) {
    const resume = await api('GET', resumePath(id));
    renderResume(resume);
    markSelected();
    if ((resume.status === 'pending' || resume.status === 'parsing') && state.streamFor !== resume.id) {
      watchParse(resume);
    }
    if (!state.templatesLoaded) await loadTemplates();
    await refreshShares();
  }

  function renderResume(resume) {
    if (state.resumeId !== resume.id) {
      // The export shown belongs to the resume shown.
      stopExportStream();
      resetDownload();
      clear(byId('export-progress'));
      clear(byId('export-warnings'));
      setExportStatus('idle', '');
    }
    state.resumeId = resume.id;
    const section = byId('resume');
    section.dataset.resumeId = resume.id;
    section.hidden = false;
    const doc = resume.document && typeof resume.document === 'object' ? resume.document : null;
    const basics = doc && doc.basics && typeof doc.basics === 'object' ? doc.basics : {};
    byId('resume-name').textContent = typeof basics.name === 'string' ? basics.name : '';
    byId('resume-label').textContent = typeof basics.label === 'string' ? basics.label : '';
    const meta = [resume.filename, resume.status, 'revision ' + resume.revision];
    if (resume.is_master) meta.push('master');
    if (resume.status === 'failed' && resume.reason) meta.push('reason: ' + resume.reason);
    byId('resume-meta').textContent = meta.join(' · ');

    const warnings = byId('resume-warnings');
    clear(warnings);
    for (const warning of Array.isArray(resume.warnings) ? resume.warnings : []) {
      warnings.append(el('li', null, warning));
    }

    const sections = byId('resume-sections');
    clear(sections);
    if (!doc) {
      sections.append(el('dt', null, 'document'), el('dd', null, 'not parsed (yet)'));
    } else {
      const keys = SECTIONS.filter((k) => k in doc).concat(Object.keys(doc).filter((k) => !SECTIONS.includes(k)));
      for (const key of keys) {
        const summary = summarise(key, doc[key]);
        if (summary) sections.append(el('dt', null, key), el('dd', null, summary));
      }
    }
    byId('resume-json').textContent = JSON.stringify(doc, null, 2);
  }

  // One line per section: how many entries and the first few by name.
  function summarise(key, value) {
    if (value === null || value === undefined) return '';
    if (key === 'basics' && typeof value === 'object' && !Array.isArray(value)) {
      const fields = Object.keys(value).filter((k) => value[k] !== '' && value[k] !== null);
      return fields.length ? fields.join(', ') : '';
    }
    if (Array.isArray(value)) {
      if (!value.length) return '';
      const names = value.slice(0, 3).map(entryName).filter(Boolean);
      const more = value.length > 3 ? ', …' : '';
      const count = value.length + (value.length === 1 ? ' entry' : ' entries');
      return names.length ? count + ': ' + names.join(', ') + more : count;
    }
    if (typeof value === 'object') return Object.keys(value).join(', ');
    return String(value);
  }

  function entryName(entry) {
    if (typeof entry === 'string') return entry;
    if (!entry || typeof entry !== 'object') return '';
    for (const field of ['name', 'organization', 'institution', 'title', 'language', 'company', 'awarder']) {
      if (typeof entry[field] === 'string' && entry[field]) return entry[field];
    }
    // A skills entry may be a bare keyword list (the parser makes those).
    if (Array.isArray(entry.keywords)) {
      return entry.keywords.filter((k) => typeof k === 'string').slice(0, 4).join(', ');
    }
    return '';
  }

  // ---- export -----------------------------------------------------------

  // A preview is an <img>, which the page's CSP allows from this origin
  // only. The server may name it by its public URL (another host in front
  // of the same server), so keep just the path: it is the same server.
  function sameOriginPath(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.pathname + parsed.search;
    } catch (_) {
      return null;
    }
  }

  async function loadTemplates() {
    const answer = await api('GET', '/v1/templates');
    const templates = answer && Array.isArray(answer.templates) ? answer.templates : [];
    const list = byId('template-list');
    const chosen = selectedTemplate();
    clear(list);
    templates.forEach((template, i) => {
      if (typeof template.id !== 'string') return;
      const card = el('label', 'template-card');
      card.dataset.template = template.id;
      const radio = el('input');
      radio.type = 'radio';
      radio.name = 'template';
      radio.value = template.id;
      radio.checked = chosen ? chosen === template.id : i === 0;
      card.append(radio);
      const path = typeof template.preview_url === 'string' ? sameOriginPath(template.preview_url) : null;
      if (path) {
        const img = el('img', 'template-preview');
        img.src = path;
        img.alt = '';
        img.loading = 'lazy';
        img.width = 150;
        img.height = 212;
        card.append(img);
      }
      card.append(el('span', 'template-name', template.name || template.id));
      card.append(el('span', 'template-description', template.description || ''));
      list.append(card);
    });
    byId('templates-empty').hidden = templates.length > 0;
    if (!templates.length) byId('templates-empty').textContent = 'The server lists no templates.';
    state.templatesLoaded = true;
  }

  function selectedTemplate() {
    const checked = byId('template-list').querySelector('input[name="template"]:checked');
    return checked ? checked.value : null;
  }

  function setExportStatus(status, text) {
    const node = byId('export-status');
    node.dataset.status = status;
    node.textContent = text;
  }

  function stopExportStream() {
    if (state.exportStream) state.exportStream.close();
    state.exportStream = null;
    state.exportFor = null;
  }

  function resetDownload() {
    if (state.downloadUrl) URL.revokeObjectURL(state.downloadUrl);
    state.downloadUrl = null;
    const link = byId('export-link');
    link.removeAttribute('href');
    link.removeAttribute('data-export-id');
    link.removeAttribute('data-bytes');
    byId('export-size').textContent = '';
    byId('export-download').hidden = true;
  }

  // A progress event of the export stream: {stage, page, pages}.
  function exportStageText(progress) {
    const pages = Number.isFinite(progress.pages) ? progress.pages : 0;
    const page = Number.isFinite(progress.page) ? progress.page : 0;
    if (!pages) return '';
    // `page` counts pages written; until the first one is, the count of
    // pages says more.
    return page > 0 && page < pages
      ? 'page ' + page + ' of ' + pages
      : pages + (pages === 1 ? ' page' : ' pages');
  }

  async function startExport() {
    if (!state.resumeId) throw new Error('Load a resume first.');
    const template = selectedTemplate();
    if (!template) throw new Error('Choose a template first.');
    const body = {
      format: byId('export-format').value,
      template,
      paper: byId('export-paper').value,
      fit: byId('export-fit').checked ? 'one-page' : 'none',
    };
    stopExportStream();
    resetDownload();
    clear(byId('export-progress'));
    clear(byId('export-warnings'));
    setExportStatus('queued', 'Exporting ' + body.format.toUpperCase() + ' in ' + template + '…');
    let job;
    try {
      job = await api('POST', resumePath(state.resumeId) + '/exports', { json: body });
    } catch (error) {
      setExportStatus('failed', 'The export was refused.');
      throw error;
    }
    watchExport(job);
  }

  // Follow one export over SSE, as the parse is followed: the token rides
  // in ?access_token=, the terminal event closes the stream, and a stream
  // that keeps failing is given up for the job resource.
  function watchExport(job) {
    const url = job.events_url + '?access_token=' + encodeURIComponent(state.token);
    const stream = new EventSource(url);
    state.exportStream = stream;
    state.exportFor = job.id;
    let errors = 0;
    const current = () => state.exportStream === stream;
    const finish = () => {
      stream.close();
      if (current()) stopExportStream();
    };

    stream.addEventListener('progress', (event) => {
      errors = 0;
      const progress = parseData(event);
      if (progress && current()) showStage(progress, 'export-progress', exportStageText(progress), '');
    });
    stream.addEventListener('complete', (event) => {
      if (!current()) return;
      finish();
      const done = parseData(event) || {};
      run(() => exportFinished(job, done));
    });
    stream.addEventListener('failed', (event) => {
      if (!current()) return;
      finish();
      const failed = parseData(event);
      exportFailed(failed && typeof failed.reason === 'string' ? failed.reason : 'no reason given');
    });
    stream.addEventListener('error', (event) => {
      if (!current()) return;
      if (typeof event.data === 'string') {
        finish();
        exportFromResource(job);
      } else if (stream.readyState === EventSource.CLOSED || ++errors >= MAX_STREAM_ERRORS) {
        finish();
        exportFromResource(job);
      }
    });
  }

  function exportFailed(reason) {
    finishStages('failed', 'export-progress');
    setExportStatus('failed', 'The export failed.');
    showError('The export failed: ' + reason);
  }

  // When the stream cannot say how the export ended, the job resource can.
  async function exportFromResource(job) {
    try {
      const now = await api('GET', '/v1/exports/' + encodeURIComponent(job.id));
      if (now.status === 'complete') await exportFinished(job, now);
      else if (now.status === 'failed') exportFailed(now.reason || 'no reason given');
      else {
        setExportStatus('error', 'Stopped following the export (' + now.status + ').');
        showError('Stopped following the export: the event stream kept failing. Export again to retry.');
      }
    } catch (error) {
      setExportStatus('error', 'Stopped following the export.');
      showError('The export could not be followed: ' + error.message);
    }
  }

  // The name the server gives the file: filename* (UTF-8) over filename.
  function fileNameOf(response, fallback) {
    const header = response.headers.get('Content-Disposition') || '';
    const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
    if (star) {
      try {
        return decodeURIComponent(star[1].trim());
      } catch (_) {
        // a malformed escape: fall through to the plain name
      }
    }
    const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/i.exec(header);
    if (plain) return (plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2].trim());
    return fallback;
  }

  function sizeText(bytes) {
    if (!Number.isFinite(bytes)) return '';
    return bytes < 1024 ? bytes + ' B' : Math.round(bytes / 1024) + ' KB';
  }

  // The download needs the bearer token, which a plain link cannot send:
  // fetch the file, keep it as a blob, and give the link its blob URL with
  // the server's file name in `download`.
  async function exportFinished(job, done) {
    finishStages('complete', 'export-progress');
    const warnings = byId('export-warnings');
    clear(warnings);
    for (const warning of Array.isArray(done.warnings) ? done.warnings : []) {
      warnings.append(el('li', null, warning));
    }
    setExportStatus('downloading', 'Fetching the file…');
    const path = typeof done.download_url === 'string' ? done.download_url : job.download_url;
    let response;
    try {
      response = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store' });
    } catch (error) {
      setExportStatus('error', 'The file could not be fetched.');
      throw new ApiError('The server could not be reached (' + error.message + ').', 0, 'network');
    }
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      setExportStatus('error', 'The file could not be fetched.');
      throw new ApiError(data && data.error && data.error.message ? data.error.message
        : 'HTTP ' + response.status + ' from GET ' + path, response.status);
    }
    const blob = await response.blob();
    const name = fileNameOf(response, 'resume.' + (job.format || 'pdf'));
    resetDownload();
    state.downloadUrl = URL.createObjectURL(blob);
    const link = byId('export-link');
    link.href = state.downloadUrl;
    link.download = name;
    link.textContent = 'Download ' + name;
    link.dataset.exportId = job.id;
    // What was fetched, for anyone checking the link (the tests do).
    link.dataset.bytes = String(blob.size);
    const facts = [sizeText(blob.size)];
    if (Number.isFinite(done.pages)) facts.push(done.pages + (done.pages === 1 ? ' page' : ' pages'));
    if (done.cached) facts.push('from the cache');
    byId('export-size').textContent = '(' + facts.filter(Boolean).join(', ') + ')';
    byId('export-download').hidden = false;
    setExportStatus('complete', 'Exported ' + name + '.');
  }

  // ---- shares -----------------------------------------------------------

  async function createShare() {
    if (!state.resumeId) throw new Error('Load a resume first.');
    const raw = byId('share-days').value.trim();
    // Empty: the server's default expiry. Otherwise the server checks the
    // range (and says what it is when it refuses).
    const body = raw === '' ? {} : { expires_in_days: Number(raw) };
    const label = byId('share-label').value.trim();
    if (label !== '') body.label = label;
    // Sent once, over the same connection as the token; the server keeps
    // only its hash, and the field is emptied at once.
    const password = byId('share-password').value;
    if (password !== '') body.password = password;
    if (byId('share-pin').checked) body.pin = true;
    // The names offered are the ones the server accepts (the page lists
    // them; a server test keeps the list equal to its own).
    const hide = Array.from(document.querySelectorAll('#share-hide input[name="share-hide"]:checked'),
      (box) => box.value);
    if (hide.length > 0) body.hide = hide;
    // Only a change from the default is sent, as the other clients do.
    if (!byId('share-download').checked) body.allow_download = false;
    await api('POST', resumePath(state.resumeId) + '/shares', { json: body });
    byId('share-password').value = '';
    await refreshShares();
  }

  async function refreshShares() {
    if (!state.resumeId) return;
    const id = state.resumeId;
    const answer = await apiAll(resumePath(id) + '/shares', 'shares');
    if (state.resumeId !== id) return; // another resume was picked meanwhile
    const body = byId('shares').tBodies[0];
    clear(body);
    const shares = answer && Array.isArray(answer.shares) ? answer.shares : [];
    for (const share of shares) body.append(shareRow(share));
    byId('shares-empty').hidden = shares.length > 0;
  }

  function shareRow(share) {
    const row = el('tr');
    row.dataset.token = share.token;
    const link = el('a', 'share-url', share.url);
    // Only a web address becomes a link: never a javascript: or data: URL.
    if (typeof share.url === 'string' && /^https?:\/\//i.test(share.url)) {
      link.href = share.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
    const linkCell = el('td', 'share-link');
    linkCell.append(link);
    const labelCell = el('td', 'share-label', typeof share.label === 'string' ? share.label : '–');
    const pinned = Number.isInteger(share.pinned_revision);
    const shows = el('td', 'share-shows',
      (pinned ? 'revision ' + share.pinned_revision : 'live') + (share.has_password ? ', password' : ''));
    const hidden = Array.isArray(share.hide) ? share.hide.filter((name) => typeof name === 'string') : [];
    const hides = el('td', 'share-hides', hidden.length > 0 ? hidden.join(', ') : '–');
    // Absent on an older server's links: those always served downloads.
    const downloads = el('td', 'share-downloads', share.allow_download === false ? 'page only' : 'yes');
    const expires = el('td', 'share-expires', when(share.expires_at));
    expires.title = share.expires_at || '';
    const count = el('td', 'access-count', share.access_count);
    const viewed = share.last_accessed_at ? 'last viewed ' + when(share.last_accessed_at) : 'never viewed';
    count.title = viewed;
    const stateCell = el('td', 'share-state');
    const actionCell = el('td');
    const revoke = el('button', 'revoke', 'Revoke');
    revoke.type = 'button';
    revoke.setAttribute('aria-label', 'Revoke share link ' + String(share.token).slice(0, 8) + '…');
    revoke.addEventListener('click', () => run(async () => {
      const revoked = await api('DELETE', '/v1/shares/' + encodeURIComponent(share.token));
      updateShareRow(row, revoked || Object.assign({}, share, { revoked: true }));
    }, revoke));
    actionCell.append(revoke);
    row.append(linkCell, labelCell, shows, hides, downloads, expires, count, stateCell, actionCell);
    updateShareRow(row, share);
    return row;
  }

  // Update a row in place (rather than redraw the table) so focus and
  // anything holding the row keep their place.
  function updateShareRow(row, share) {
    const expired = typeof share.expires_at === 'string' && Date.parse(share.expires_at) <= Date.now();
    row.querySelector('.access-count').textContent = String(share.access_count);
    row.querySelector('.share-state').textContent = share.revoked ? 'revoked' : expired ? 'expired' : 'active';
    const revoke = row.querySelector('button.revoke');
    if (share.revoked) {
      row.dataset.revoked = 'true';
      revoke.disabled = true;
      revoke.dataset.keepDisabled = 'true';
    }
  }

  // ---- wiring -----------------------------------------------------------

  function start() {
    const tokenInput = byId('token');
    state.token = loadToken();
    tokenInput.value = state.token;

    byId('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      saveToken(tokenInput.value.trim());
      stopStream();
      stopExportStream();
      state.templatesLoaded = false;
      run(() => Promise.all([refreshResumes(), loadTemplates()]), byId('token-save'));
    });
    byId('export-form').addEventListener('submit', (event) => {
      event.preventDefault();
      run(startExport, byId('export-start'));
    });
    byId('upload-form').addEventListener('submit', (event) => {
      event.preventDefault();
      run(upload, byId('upload'));
    });
    byId('share-form').addEventListener('submit', (event) => {
      event.preventDefault();
      run(createShare, byId('share-create'));
    });
    byId('resumes-refresh').addEventListener('click', (event) => run(refreshResumes, event.currentTarget));
    byId('shares-refresh').addEventListener('click', (event) => run(refreshShares, event.currentTarget));
    // Leaving the page ends the stream rather than leaving it to the GC.
    window.addEventListener('pagehide', () => {
      stopStream();
      stopExportStream();
    });

    if (state.token) run(() => Promise.all([refreshResumes(), loadTemplates()]));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
