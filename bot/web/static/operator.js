// Operator page: analyse a phone complaint, correct category / place / department, file it; and the queue of
// returned and needs-review tickets, each re-routable.
"use strict";
(() => {
  const { api, el, nodes, flash, day, time, statusBadge, flagBadges, facts } = Staff;
  const $ = (id) => document.getElementById(id);
  const suggestForm = $("suggest-form"), fileForm = $("file-form"), text = $("text");
  const category = $("category"), department = $("department"), township = $("township"), village = $("village");
  const phone = $("phone"), citizenName = $("citizen_name"), incidentTime = $("incident_time");
  const suggestion = $("suggestion"), routeLine = $("route-line"), factsBox = $("facts"), filed = $("filed");
  let last = null;

  function pct(p) { return Math.round(p * 100) + "%"; }

  function hasOption(select, value) { return Array.from(select.options).some((o) => o.value === value); }

  function showSuggestion(s, fillFields) {
    last = s;
    if (fillFields) {
      category.value = s.category;
      township.value = s.place.township_code && hasOption(township, s.place.township_code) ? s.place.township_code : "";
      village.value = s.place.village || "";
      phone.value = s.phone || "";
      incidentTime.value = s.incident_time || "";
      department.value = "";
    }
    suggestion.replaceChildren(...nodes(
      el("div", {}, el("strong", { text: "系统建议的类别：" }), "点击可选用"),
      el("div", { class: "top" }, s.top.map((c) => el("button", {
        type: "button", class: "chip", "aria-pressed": String(c.category === category.value),
        text: c.name + " " + pct(c.confidence),
        onclick: () => { category.value = c.category; refresh(); },
      }))),
      s.matter ? el("div", {}, el("strong", { text: "事项：" }), s.matter.name + " " + pct(s.matter.confidence)) : null,
      el("div", {}, el("strong", { text: "可能的承办部门：" }), "点击可指定"),
      el("div", { class: "top" }, s.alternatives.map((d) => el("button", {
        type: "button", class: "chip", "aria-pressed": String(d.code === department.value),
        text: d.name + " " + pct(d.confidence),
        onclick: () => { department.value = d.code; refresh(false); },
      }))),
      s.out_of_area ? el("p", { class: "alert warn", text: "属地外事项：" + [s.out_of_area.province, s.out_of_area.city, s.out_of_area.county].filter(Boolean).join("") + "，将转送当地。" }) : null,
      s.complaint === false ? el("p", { class: "alert warn", text: "这条内容看起来不是投诉或求助（如问候、发错了），请核实后再登记。" }) : null,
      s.flag_labels.length || s.legal_redirect ? el("div", {}, "标记：", flagBadges({ flags: s.flags, flag_labels: s.flag_labels, legal_redirect: s.legal_redirect })) : null,
      s.needs_review ? el("p", { class: "alert warn", text: "系统对类别把握不大，请向来电人核实后选择类别。" }) : null));
    const chosen = department.value ? department.options[department.selectedIndex].text : null;
    routeLine.replaceChildren(...nodes(
      el("strong", { text: chosen ? "承办部门（话务员指定）：" : "按规则将分派至：" }),
      chosen || s.department.name,
      chosen ? null : el("span", { class: "muted", text: "（" + s.route_reason + "）" })));
    factsBox.replaceChildren(facts(s.facts));
  }

  function payload() {
    return { text: text.value, category: category.value || null, township: township.value || null,
             village: village.value.trim() || null };
  }

  async function analyse(ev) {
    ev.preventDefault();
    if (!text.value.trim()) { flash("请先填写来电内容。", "error"); text.focus(); return; }
    const btn = $("suggest-btn");
    btn.disabled = true; btn.textContent = "分析中…";
    try {
      const s = await api("POST", "/api/operator/suggest", { text: text.value });
      fileForm.hidden = false;
      filed.hidden = true;
      showSuggestion(s, true);
      category.focus();
    } catch (e) {
      flash(e.message, "error");
    } finally {
      btn.disabled = false; btn.textContent = "智能分析";
    }
  }

  let timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!text.value.trim()) return;
      try { showSuggestion(await api("POST", "/api/operator/suggest", payload()), false); }
      catch (e) { flash(e.message, "error"); }
    }, 300);
  }

  async function file(ev) {
    ev.preventDefault();
    const btn = $("file-btn");
    btn.disabled = true;
    try {
      const r = await api("POST", "/api/operator/tickets", {
        ...payload(), department_code: department.value || null, citizen_name: citizenName.value.trim() || null,
        phone: phone.value.trim() || null, incident_time: incidentTime.value.trim() || null,
      });
      filed.replaceChildren(
        el("div", { text: "已登记，请告知来电人工单号：" }),
        el("div", { class: "number", text: r.number }),
        el("div", { text: "承办部门：" + r.department_name + "；答复期限：" + day(r.answer_by) + "。" }));
      filed.hidden = false;
      fileForm.hidden = true;
      suggestForm.reset();
      fileForm.reset();
      filed.setAttribute("tabindex", "-1");
      filed.focus();
      loadQueue();
    } catch (e) {
      flash(e.message, "error");
    } finally {
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------- queue
  const deptOptions = $("dept-options");

  function rerouteForm(t) {
    const select = el("select", { name: "department_code", "aria-label": "改派至部门" });
    select.append(deptOptions.content.cloneNode(true));
    select.value = t.department_code;
    const note = el("input", { name: "note", maxlength: 2000, placeholder: "说明（可选）", "aria-label": "改派说明" });
    const form = el("form", {}, select, note,
      el("button", { type: "submit", class: "btn primary small", text: t.reason === "returned" ? "重新分派" : "确认分派" }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const r = await api("POST", "/api/tickets/" + encodeURIComponent(t.number) + "/reroute",
          { department_code: select.value, note: note.value.trim() || null });
        flash("工单 " + r.number + " 已分派至" + r.department_name + "。", "ok");
        loadQueue();
      } catch (e) {
        flash(e.message, "error");
      }
    });
    return form;
  }

  async function fullText(details, number) {
    if (details.dataset.loaded) return;
    details.dataset.loaded = "1";
    try {
      const t = await api("GET", "/api/tickets/" + encodeURIComponent(number));
      details.append(el("blockquote", { class: "complaint", text: t.text }),
        el("p", { class: "small", text: "来电人：" + (t.citizen_name || "未留") + "，电话：" + (t.phone || "未留") }),
        facts(t.facts));
    } catch (e) {
      details.append(el("p", { class: "alert error", text: e.message }));
    }
  }

  const PAGE = 200; // the server's page; the rest comes with "加载更多"
  let queued = [];

  // the first page again, or (next) the page after the last ticket shown
  async function loadQueue(next) {
    const box = $("queue");
    try {
      const last = queued.length ? queued[queued.length - 1].number : null;
      const page = await api("GET", "/api/operator/queue?limit=" + PAGE +
        (next && last ? "&after=" + encodeURIComponent(last) : ""));
      queued = next ? queued.concat(page) : page;
      const items = queued;
      if (!items.length) {
        box.replaceChildren(el("p", { class: "muted empty", text: "队列是空的。" }));
        return;
      }
      box.replaceChildren(...items.map((t) => {
        const more = el("details", {}, el("summary", { text: "查看全文" }));
        more.addEventListener("toggle", () => { if (more.open) fullText(more, t.number); });
        return el("article", { class: "queue-item " + t.reason, "aria-label": "工单 " + t.number },
          el("div", { class: "row" }, el("strong", { text: t.number }),
            el("span", { class: "badge " + (t.reason === "returned" ? "s-returned" : "f-review"),
              text: t.reason === "returned" ? "部门退回" : "待核对" }),
            statusBadge(t), flagBadges({ ...t, needs_review: false })),
          el("div", { class: "small muted", text: time(t.received_at) + " · " + t.channel_label + " · " + t.category_name +
            " · 现承办：" + t.department_name + " · " + t.place }),
          t.return_note ? el("div", { class: "small" }, el("strong", { text: "退回理由：" }), t.return_note) : null,
          el("p", { class: "excerpt", text: t.excerpt + (t.excerpt.length >= 120 ? "…" : "") }),
          more, rerouteForm(t));
      }));
      if (page.length === PAGE) {
        box.append(el("p", { class: "row" }, el("button", { type: "button", class: "btn secondary small",
          text: "加载更多", onclick: () => loadQueue(true) })));
      }
    } catch (e) {
      box.replaceChildren(el("p", { class: "alert error", text: e.message }));
    }
  }

  // ---------------------------------------------------------------- 回访
  async function loadCallbacks() {
    const box = $("callbacks");
    try {
      const due = await api("GET", "/api/operator/callbacks");
      if (!due.length) {
        box.replaceChildren(el("p", { class: "muted empty", text: "没有待回访的工单。" }));
        return;
      }
      box.replaceChildren(...due.map((t) => {
        const comment = el("input", { type: "text", maxlength: 2000, placeholder: "群众的意见（可不填）",
          "aria-label": "工单 " + t.number + " 群众的意见" });
        const rate = (rating) => async () => {
          try {
            await api("POST", "/api/tickets/" + encodeURIComponent(t.number) + "/rating",
              { rating, comment: comment.value || null });
            if (rating === "dissatisfied" && confirm("群众不满意。是否按群众意愿代为登记复查申请？")) {
              await api("POST", "/api/tickets/" + encodeURIComponent(t.number) + "/review-request",
                { reason: comment.value || null });
            }
            loadCallbacks();
          } catch (e) {
            box.prepend(el("p", { class: "alert error", text: e.message }));
          }
        };
        return el("article", { class: "queue-item", "aria-label": "回访工单 " + t.number },
          el("div", { class: "row" }, el("strong", { text: t.number }), statusBadge(t),
            el("span", { class: "small muted", text: t.asked_in_chat ? "对话中 7 天未评价" : t.channel_label + "来件" })),
          el("div", { class: "small", text: (t.citizen_name || "未留称呼") + " · " +
            (t.phone || "未留电话") + " · " + t.department_name }),
          el("p", { class: "excerpt", text: "答复：" + (t.reply || "") }),
          el("div", { class: "row" }, comment,
            ...Object.entries(VOCAB.rating).map(([code, label]) =>
              el("button", { type: "button", class: "btn secondary small", text: label, onclick: rate(code) }))));
      }));
    } catch (e) {
      box.replaceChildren(el("p", { class: "alert error", text: e.message }));
    }
  }

  $("refresh-callbacks").addEventListener("click", loadCallbacks);
  loadCallbacks();
  suggestForm.addEventListener("submit", analyse);
  suggestForm.addEventListener("reset", () => { fileForm.hidden = true; });
  fileForm.addEventListener("submit", file);
  [category, township].forEach((x) => x.addEventListener("change", refresh));
  village.addEventListener("change", refresh);
  department.addEventListener("change", () => { if (last) showSuggestion(last, false); });
  $("refresh-queue").addEventListener("click", () => loadQueue());
  loadQueue();
})();
