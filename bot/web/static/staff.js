// Shared helpers of the staff pages (the words of statuses, roles and actions come from /static/vocabulary.js,
// generated from bot/vocabulary.py): JSON API calls, DOM building (text only, never HTML strings), badges, facts,
// the audit trail, and the read-only part of a ticket's detail.
"use strict";
const Staff = (() => {
  async function api(method, url, body) {
    const opts = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body instanceof FormData) {
      opts.body = body; // a file upload: the browser sets the multipart boundary
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, opts);
    } catch (e) {
      throw new Error("网络连接失败，请检查网络后重试。");
    }
    if (res.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("登录已过期，请重新登录。");
    }
    let data = null;
    try { data = await res.json(); } catch (e) { /* empty body */ }
    if (!res.ok) throw new Error(data && typeof data.detail === "string" ? data.detail : "请求失败（" + res.status + "）");
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  // children for replaceChildren / append: nested arrays flattened, null / false dropped
  function nodes(...items) {
    return items.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : String(c)));
  }

  let flashTimer = null;
  function flash(message, kind) {
    const box = document.getElementById("msg");
    if (!box) return;
    box.textContent = message;
    box.className = "alert " + (kind || "");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 12000 : 6000);
  }

  // server times are Beijing time ("2026-11-23T18:00:00+08:00"), shown as they are
  const day = (iso) => (iso ? String(iso).slice(0, 10) : "—");
  const time = (iso) => (iso ? String(iso).slice(0, 10) + " " + String(iso).slice(11, 16) : "—");

  function statusBadge(t) {
    return el("span", { class: "badge s-" + t.status, text: t.status_label });
  }

  function flagBadges(t) {
    const out = (t.flags || []).map((f, i) => el("span", { class: "badge f-" + f, text: t.flag_labels[i] || f }));
    if (t.escalated) out.push(el("span", { class: "badge f-escalated", text: "提级" }));
    if (t.legal_redirect) out.push(el("span", { class: "badge f-legal", text: "涉法涉诉" }));
    if (t.needs_review) out.push(el("span", { class: "badge f-review", text: "待核对" }));
    return out;
  }

  const FACT_LABELS = [
    ["places", "地点", (v) => v.map((p) => p.text).join("、")],
    ["times", "时间", (v) => v.map((t) => t.text).join("、")],
    ["money", "金额", (v) => v.map((m) => m.text + (m.yuan != null ? "（" + Number(m.yuan).toLocaleString("zh-CN") + " 元）" : "")).join("、")],
    ["people_count", "涉及人数", (v) => v + " 人"],
    ["land_mu", "土地面积", (v) => v + " 亩"],
    ["phones", "电话", (v) => v.join("、")],
    ["id_numbers", "身份证号（已脱敏）", (v) => v.join("、")],
    ["invalid_id_numbers", "无效的证件号（已脱敏）", (v) => v.join("、")],
    ["organizations", "涉及单位", (v) => v.join("、")],
    ["persons", "涉及人员", (v) => v.join("、")],
    ["demand", "诉求", (v) => v],
  ];

  function facts(f) {
    const rows = [];
    for (const [key, label, show] of FACT_LABELS) {
      const v = f ? f[key] : null;
      if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) continue;
      let text;
      try { text = show(v); } catch (e) { text = JSON.stringify(v); }
      rows.push(el("dt", { text: label }), el("dd", { text }));
    }
    return rows.length ? el("dl", { class: "meta" }, rows) : el("p", { class: "muted", text: "没有提取到要素。" });
  }

  function timeline(events) {
    if (!events || !events.length) return el("p", { class: "muted", text: "暂无记录。" });
    return el("ol", { class: "timeline" }, events.map((e) => el("li", {},
      el("div", {}, el("strong", { text: e.action_label }), " → ", e.to_status_label),
      el("div", { class: "when", text: time(e.at) + " · " + e.actor_label }),
      e.note ? el("div", { text: e.note }) : null)));
  }

  function meta(pairs) {
    return el("dl", { class: "meta" }, pairs.filter((p) => p[1] !== null && p[1] !== undefined && p[1] !== "")
      .map(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
  }

  function deadline(t, which) {
    const late = which === "answer" ? t.overdue : t.accept_overdue;
    const value = which === "answer" ? t.answer_by : t.accept_by;
    return el("span", { class: late ? "late nowrap" : "nowrap", text: day(value) + (late ? "（已超期）" : "") +
      (which === "answer" && t.extended ? "（已延期）" : "") });
  }

  // the part of the detail every audience shares
  function ticketHead(t) {
    return [
      el("div", { class: "detail-head" },
        el("h2", { tabindex: "-1", id: "detail-title", text: "工单 " + t.number }),
        el("div", {}, statusBadge(t), flagBadges(t))),
      meta([
        ["类别", t.category_name], ["承办部门", t.department_name], ["来源", t.channel_label],
        ["收到时间", time(t.received_at)], ["地点", t.place], ["发生时间", t.incident_time],
        ["紧急联系", respondLine(t)],
        ["受理期限", t.status === "registered" ? deadline(t, "accept") : day(t.accept_by)],
        ["答复期限", deadline(t, "answer")], ["重复信访", t.repeat_of ? "前次工单 " + t.repeat_of : null],
      ]),
    ];
  }

  // the short status words of a list row
  function shortStatus(t) {
    return el("span", { class: "badge s-" + t.status, title: t.status_label, text: VOCAB.statusShort[t.status] || t.status_label });
  }

  // the one deadline that matters now: acceptance while registered, the answer while accepted
  // urgent: a person must contact the citizen by respond_by, shown in red until the ticket is accepted
  function respondLine(t) {
    if (!t.respond_by || t.status !== "registered") return null;
    return el("span", { class: "late", text: (t.respond_overdue ? "已超时！" : "") + "须在 " + time(t.respond_by) + " 前联系群众" });
  }

  function dueCell(t) {
    if (t.status === "registered" && t.respond_by) return respondLine(t);
    if (t.status === "registered") return el("span", {}, el("span", { class: "muted", text: "受理 " }), deadline(t, "accept"));
    if (t.status === "accepted") return el("span", {}, el("span", { class: "muted", text: "答复 " }), deadline(t, "answer"));
    return el("span", { class: "muted", text: "—" });
  }

  return { api, el, nodes, flash, day, time, statusBadge, shortStatus, dueCell, flagBadges, facts, timeline, meta,
           deadline, ticketHead };
})();
