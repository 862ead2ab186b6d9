// Citizen web chat. The browser keeps a random id and talks as "web:<id>"; replies may carry buttons (chips that
// send their payload); status pushes from the departments are polled every few seconds. Text is always inserted
// with textContent, never as HTML.
"use strict";
(() => {
  const ID_KEY = "petition.webId";
  const HISTORY_KEY = "petition.history";   // this tab only (sessionStorage): a shared computer forgets it
  const POLL_MS = 4000;

  function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  let id = localStorage.getItem(ID_KEY);
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = randomId();
    localStorage.setItem(ID_KEY, id);
  }
  const sender = "web:" + id;

  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const sendBtn = document.getElementById("send");
  const fileInput = document.getElementById("file");
  const typing = document.getElementById("typing");
  const quick = document.getElementById("quick");
  let busy = false;

  function clock(d) {
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  function now() { return clock(new Date()); }

  function history() {
    try { return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(entry) {
    const h = history();
    h.push(entry);
    try { sessionStorage.setItem(HISTORY_KEY, JSON.stringify(h.slice(-200))); } catch (e) { /* storage full */ }
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function add(kind, text, buttons, time, persist) {
    const li = document.createElement("li");
    li.className = "msg " + kind;
    if (kind === "notice") {
      const tag = document.createElement("div");
      tag.className = "tag";
      tag.textContent = "办理进度通知";
      li.append(tag);
    }
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = text;
    li.append(bubble);
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", "可选回答");
      for (const b of buttons) {
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = b.title || b.payload;
        chip.addEventListener("click", () => {
          if (busy) return;
          row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
          chip.setAttribute("aria-pressed", "true");
          send(b.payload, b.title || b.payload);
        });
        row.append(chip);
      }
      li.append(row);
    }
    const t = document.createElement("div");
    t.className = "time";
    t.textContent = time || now();
    li.append(t);
    log.append(li);
    if (persist !== false) remember({ kind, text, time: t.textContent });
    scrollDown();
  }

  function setBusy(on) {
    busy = on;
    sendBtn.disabled = on;
    typing.hidden = !on;
    if (on) scrollDown();
  }

  async function postJSON(url, body) {
    const res = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    });
    return handle(res);
  }

  async function handle(res) {
    let data = null;
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      throw new Error(data && typeof data.detail === "string" ? data.detail : "系统繁忙，请稍后再试。");
    }
    return data;
  }

  function showReplies(data) {
    for (const r of (data && data.replies) || []) add("bot", r.text, r.buttons);
  }

  async function send(payload, shown) {
    if (busy) return;
    // answer chips belong to the question they came with: once the citizen moves on they are spent
    log.querySelectorAll(".buttons button").forEach((x) => { x.disabled = true; });
    add("me", shown === undefined ? payload : shown);
    quick.hidden = true;
    setBusy(true);
    // one id per message: a retry after a cut connection is answered again by the server, never acted on twice
    const clientId = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    try {
      let data = null;
      for (let attempt = 0; ; attempt++) {
        try {
          data = await postJSON("/api/chat", { sender_id: sender, text: payload, client_id: clientId });
          break;
        } catch (e) {
          if (!(e instanceof TypeError) || attempt >= 2) throw e;
          await new Promise((ok) => setTimeout(ok, 1000 * (attempt + 1)));
        }
      }
      showReplies(data);
    } catch (e) {
      add("error", e instanceof TypeError ? "网络连接出现问题，您的留言没有发出，请稍后再试。" : e.message, null, null, false);
    } finally {
      setBusy(false);
      poll();
    }
  }

  async function upload(file) {
    if (busy) return;
    if (file.size > 10 * 1024 * 1024) {
      add("error", "文件太大了，请发送不超过 10 MB 的文件。", null, null, false);
      return;
    }
    add("me", "〔已发送文件：" + file.name + "〕");
    setBusy(true);
    const data = new FormData();
    data.append("sender_id", sender);
    data.append("file", file, file.name);
    try {
      showReplies(await handle(await fetch("/api/chat/upload", { method: "POST", body: data })));
    } catch (e) {
      add("error", e instanceof TypeError ? "网络连接出现问题，文件没有发出，请稍后再试。" : e.message, null, null, false);
    } finally {
      setBusy(false);
    }
  }

  let polling = false;
  let lastUpdate = 0;   // pushes are handed out once; this only guards against overlapping polls
  async function poll() {
    if (polling || document.hidden) return;
    polling = true;
    try {
      const res = await fetch("/api/chat/updates?sender_id=" + encodeURIComponent(sender) + "&after=" + lastUpdate);
      if (res.ok) {
        const data = await res.json();
        for (const u of data.updates || []) {
          const at = new Date(u.at);
          add("notice", u.text, u.buttons, isNaN(at) ? now() : clock(at));
          lastUpdate = Math.max(lastUpdate, u.id);
        }
      }
    } catch (e) { /* offline: try again next round */ }
    polling = false;
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim()) {
      add("error", "请先输入您要反映的内容。", null, null, false);
      input.focus();
      return;
    }
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {   // not while choosing characters in an IME
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  fileInput.addEventListener("change", () => {
    if (fileInput.files && fileInput.files[0]) upload(fileInput.files[0]);
    fileInput.value = "";
  });
  quick.querySelectorAll("button[data-payload]").forEach((b) => {
    b.addEventListener("click", () => send(b.dataset.payload));
  });

  const past = history();
  for (const m of past) add(m.kind, m.text, null, m.time, false);
  if (past.length) quick.hidden = true;
  poll();
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", poll);
})();
