// Department page: this department's tickets (the server only ever returns its own), the detail of one, and the
// actions accept / return / decline / extend / progress / resolve (with the 办结报告's files), and the 复查/复核 this
// department decides as the superior body.
"use strict";
(() => {
  const { api, el, nodes, flash, day, time, shortStatus, dueCell, flagBadges, facts, timeline, meta, ticketHead } = Staff;
  const rowsBody = document.getElementById("rows");
  const empty = document.getElementById("empty");
  const detail = document.getElementById("detail");
  const maxDays = Number(detail.dataset.maxExtension || 30);
  const KIND = { photo: "照片", voice: "语音", document: "文件", report: "办结材料" };
  const reviewsBox = document.getElementById("reviews");
  let grounds = [];      // the grounds for 不予受理, loaded once
  let reviewing = {};    // ticket number -> the open review this department decides
  const PAGE = 200; // the server's page; older tickets come with "加载更早的工单"
  const moreButton = document.getElementById("more");
  let tickets = [];
  let more = false;
  let filter = "";
  let selected = null;

  function matches(t) {
    if (!filter) return true;
    if (filter === "overdue") return t.overdue || t.accept_overdue;
    return t.status === filter;
  }

  // open tickets first, the most urgent deadline on top; then returned and resolved, newest first
  function urgency(t) {
    if (t.status === "registered") return [0, t.accept_by];
    if (t.status === "accepted") return [0, t.answer_by];
    return [1, ""];
  }
  function byUrgency(a, b) {
    const [ga, da] = urgency(a), [gb, db] = urgency(b);
    if (ga !== gb) return ga - gb;
    if (da !== db) return da < db ? -1 : 1;
    return a.received_at < b.received_at ? 1 : -1;
  }

  function renderList() {
    rowsBody.replaceChildren();
    const shown = tickets.filter(matches).sort(byUrgency);
    for (const t of shown) {
      const late = t.overdue || t.accept_overdue;
      const tr = el("tr", { class: [late ? "overdue" : "", t.number === selected ? "selected" : ""].join(" ").trim() || null },
        el("td", {}, el("button", { type: "button", class: "ticket-link", text: t.number,
          "aria-label": "查看工单 " + t.number + (late ? "（已超期）" : ""), onclick: () => openTicket(t.number) })),
        el("td", { class: "nowrap", text: t.category_name }),
        el("td", { class: "nowrap", title: time(t.received_at), text: day(t.received_at) }),
        el("td", { class: "nowrap", text: t.place }),
        el("td", {}, shortStatus(t)),
        el("td", { class: "nowrap" }, dueCell(t)),
        el("td", {}, flagBadges(t)));
      rowsBody.append(tr);
    }
    empty.hidden = shown.length > 0;
    document.querySelectorAll(".filters .chip").forEach((b) => {
      const f = b.dataset.filter;
      const n = f ? tickets.filter((t) => (f === "overdue" ? t.overdue || t.accept_overdue : t.status === f)).length : tickets.length;
      b.textContent = b.textContent.replace(/（\d+）$/, "") + "（" + n + "）";
    });
  }

  // the newest page again (a refresh keeps as many pages as were shown), or the next older page
  async function loadList(older) {
    try {
      const last = tickets.length ? tickets[tickets.length - 1].number : null;
      const limit = older ? PAGE : Math.max(PAGE, Math.min(1000, tickets.length));
      const page = await api("GET", "/api/department/tickets?limit=" + limit +
        (older && last ? "&before=" + encodeURIComponent(last) : ""));
      tickets = older ? tickets.concat(page) : page;
      more = page.length === limit;
      moreButton.hidden = !more;
      renderList();
    } catch (e) {
      flash(e.message, "error");
    }
  }

  async function act(number, action, body, done) {
    try {
      const t = await api("POST", "/api/tickets/" + encodeURIComponent(number) + "/" + action, body);
      flash(done + "：工单 " + t.number + " 现为“" + t.status_label + "”。" +
            (t.channel === "phone" ? "该工单来自电话，请电话告知来电人。" : "已通知来访群众。"), "ok");
      await loadList();
      show(t);
    } catch (e) {
      flash(e.message, "error");
    }
  }

  function actionForm(summary, fields, label, submit) {
    const form = el("form", { class: "stack" }, fields, el("div", { class: "row" },
      el("button", { type: "submit", class: "btn primary", text: label })));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(form); });
    return el("details", {}, el("summary", { text: summary }), form);
  }

  async function actAndUpload(number, body, files) {
    // the reply first (the answer must not wait for a file), then each file of the 办结报告
    try {
      for (const file of files) {
        const form = new FormData();
        form.append("file", file);
        await api("POST", "/api/tickets/" + encodeURIComponent(number) + "/report-files", form);
      }
    } catch (e) {
      flash("办结材料上传失败：" + e.message, "error");
      return;
    }
    await act(number, "resolve", body, "已办结");
  }

  function reviewActions(t) {
    const r = reviewing[t.number];
    if (!r) return null;
    const id = (s) => "r-" + s + "-" + t.number;
    return el("section", { class: "actions", "aria-label": r.label },
      el("h3", { text: r.label + "（本部门作为上级机关办理，" + day(r.decide_by) + " 前作出意见）" }),
      r.reason ? el("p", { text: "群众的理由：" + r.reason }) : null,
      actionForm("作出" + r.label + "意见", [
        el("label", { for: id("decision"), text: r.label + "意见（将发送给群众）" }),
        el("textarea", { id: id("decision"), name: "decision", rows: 4, required: true, maxlength: 10000 }),
        el("label", { for: id("upheld"), text: "结论" }),
        el("select", { id: id("upheld"), name: "upheld" },
          el("option", { value: "true", text: "维持原答复" }), el("option", { value: "false", text: "变更原答复" })),
      ], "提交意见", (f) => act(t.number, "review-decision",
        { decision: f.decision.value, upheld: f.upheld.value === "true" }, "已作出" + r.label + "意见")));
  }

  function actions(t) {
    if (t.status === "review" || t.status === "second_review") return reviewActions(t);
    if (t.status !== "registered" && t.status !== "accepted") {
      if (t.status === "returned") return el("p", { class: "alert warn", text: "本工单已退回，等待话务员重新分派。" });
      return null;
    }
    const id = (s) => "f-" + s + "-" + t.number;
    const box = el("section", { class: "actions", "aria-label": "办理" }, el("h3", { text: "办理" }));
    if (t.status === "registered") {
      box.append(el("div", { class: "row" },
        el("button", { type: "button", class: "btn primary", text: "受理",
          onclick: () => act(t.number, "accept", undefined, "已受理") }),
        el("span", { class: "muted small", text: "受理后答复期限为 60 日。" })));
    }
    if (t.status === "registered" && grounds.length) {
      box.append(actionForm("不予受理（须有依据）", [
        el("label", { for: id("ground"), text: "依据" }),
        el("select", { id: id("ground"), name: "ground", required: true }, el("option", { value: "", text: "请选择" }),
          grounds.map((g) => el("option", { value: g.code, text: g.name + "（" + g.basis + "）" }))),
        el("label", { for: id("dreason"), text: "具体理由（将告知群众）" }),
        el("textarea", { id: id("dreason"), name: "dreason", rows: 2, required: true, maxlength: 4000 }),
      ], "不予受理", (f) => act(t.number, "decline", { ground: f.ground.value, reason: f.dreason.value }, "已不予受理")));
    }
    const others = (t.alternatives || []).filter((d) => d.code !== t.department_code);
    box.append(actionForm("退回（不属于本部门办理）", [
      el("label", { for: id("reason"), text: "退回理由（将记录在案）" }),
      el("textarea", { id: id("reason"), name: "reason", rows: 3, required: true, maxlength: 2000 }),
      el("label", { for: id("suggest"), text: "建议由哪个部门办理（系统的其他建议）" }),
      el("select", { id: id("suggest"), name: "suggest" }, el("option", { value: "", text: "不确定" }),
        others.map((d) => el("option", { value: d.code, text: d.name + "（" + Math.round(d.confidence * 100) + "%）" }))),
    ], "退回", (f) => act(t.number, "return", { reason: f.reason.value, suggested_department: f.suggest.value || null }, "已退回")));
    if (t.status === "accepted" && !t.extended) {
      box.append(actionForm("延期（只能延期一次）", [
        el("label", { for: id("days"), text: "延期天数（1–" + maxDays + " 天）" }),
        el("input", { id: id("days"), name: "days", type: "number", min: 1, max: maxDays, value: maxDays, required: true }),
        el("label", { for: id("ereason"), text: "延期理由（将告知群众）" }),
        el("textarea", { id: id("ereason"), name: "ereason", rows: 2, required: true, maxlength: 2000 }),
      ], "确认延期", (f) => act(t.number, "extend", { days: Number(f.days.value), reason: f.ereason.value }, "已延期")));
    }
    if (t.status === "accepted") {
      box.append(actionForm("添加办理进展（将告知群众）", [
        el("label", { for: id("progress"), text: "办理进展，如：已到现场核实、已约谈用工单位" }),
        el("textarea", { id: id("progress"), name: "progress", rows: 2, required: true, maxlength: 2000 }),
      ], "添加", (f) => act(t.number, "progress", { note: f.progress.value }, "已添加办理进展")));
    }
    box.append(actionForm("办结（答复群众，附办结报告）", [
      el("label", { for: id("reply"), text: "答复意见（将发送给群众）" }),
      el("textarea", { id: id("reply"), name: "reply", rows: 4, required: true, maxlength: 10000 }),
      el("label", { for: id("measures"), text: "采取的措施（办结报告，将告知群众）" }),
      el("textarea", { id: id("measures"), name: "measures", rows: 2, maxlength: 10000 }),
      el("label", { for: id("files"), text: "办结材料（照片、PDF、Word，可多选）" }),
      el("input", { id: id("files"), name: "files", type: "file", multiple: true,
        accept: "image/*,application/pdf,.doc,.docx,text/plain" }),
    ], "办结", (f) => actAndUpload(t.number, { reply: f.reply.value, measures: f.measures.value || null },
      Array.from(f.files.files || []))));
    return box;
  }

  // reports of the same event by other citizens: read them, answer the department's open ones together
  function incidentBox(t) {
    const box = el("section", { class: "actions", "aria-label": "同一事件" },
      el("h3", { text: "同一事件（共 " + t.incident_tickets + " 件）" }),
      t.incident_warning.length ? el("p", { class: "alert warn", text: "预警：" + t.incident_warning.join("；") }) : null);
    const list = el("div", { class: "small muted", text: "正在读取…" });
    box.append(list);
    api("GET", "/api/incidents/" + t.incident_id).then((i) => {
      const open = i.tickets.filter((x) => x.status === "registered" || x.status === "accepted");
      list.replaceChildren(el("ul", {}, i.tickets.map((x) => el("li", {},
        el("button", { type: "button", class: "btn-link", text: x.number, onclick: () => openTicket(x.number) }),
        " " + x.status_label + " · " + x.place))),
        i.others ? el("p", { text: "另有 " + i.others + " 件由其他部门办理。" }) : null);
      if (open.length > 1) {
        const id = "inc-" + i.id;
        list.append(actionForm("一并办结本部门的 " + open.length + " 件（同一答复发给每位群众）", [
          el("label", { for: id + "-reply", text: "答复意见" }),
          el("textarea", { id: id + "-reply", name: "reply", rows: 3, required: true, maxlength: 10000 }),
          el("label", { for: id + "-measures", text: "采取的措施" }),
          el("textarea", { id: id + "-measures", name: "measures", rows: 2, maxlength: 10000 }),
        ], "一并办结", async (f) => {
          try {
            await api("POST", "/api/incidents/" + i.id + "/resolve", { reply: f.reply.value, measures: f.measures.value || null });
            flash("已一并办结 " + open.length + " 件，并通知每位群众。", "ok");
            await loadList();
            openTicket(t.number);
          } catch (e) {
            flash(e.message, "error");
          }
        }));
      }
    }).catch((e) => list.replaceChildren(el("p", { class: "alert error", text: e.message })));
    return box;
  }

  function show(t) {
    selected = t.number;
    renderList();
    const attachments = t.attachments.length
      ? el("ul", { class: "attachments" }, t.attachments.map((a) => el("li", {},
          a.stored_here
            ? el("a", { href: "/api/attachments/" + a.id, target: "_blank", rel: "noopener", text: (KIND[a.kind] || "文件") + " #" + a.id })
            : el("span", { text: (KIND[a.kind] || "文件") + " #" + a.id + "（Telegram 文件，请在 Telegram 中查看）" }),
          el("span", { class: "muted small", text: " " + time(a.received_at) }))))
      : el("p", { class: "muted", text: "没有附件。" });
    detail.replaceChildren(...nodes(
      ticketHead(t),
      el("h3", { text: "来访人" }),
      meta([["称呼", t.citizen_name || "未留"],
            ["联系电话", t.phone ? el("a", { href: "tel:" + t.phone, text: t.phone }) : "未留"],
            ["身份证号", t.id_number_masked ? t.id_number_masked + "（已脱敏）" : null]]),
      el("h3", { text: "反映内容" }),
      el("blockquote", { class: "complaint", text: t.text }),
      el("h3", { text: "提取的要素" }), facts(t.facts),
      el("h3", { text: "附件" }), attachments,
      t.reply ? [el("h3", { text: "答复意见" }), el("div", { class: "reply-box", text: t.reply })] : null,
      t.measures ? [el("h3", { text: "采取的措施" }), el("p", { text: t.measures })] : null,
      t.rating ? [el("h3", { text: "群众评价" }),
        el("p", { text: t.rating_label + (t.rating_comment ? "：" + t.rating_comment : "") })] : null,
      (t.reviews || []).length ? [el("h3", { text: "复查、复核" }), meta(t.reviews.map((r) => [
        r.label + "（" + r.body_name + "）",
        r.decided_at ? (r.upheld ? "维持原答复：" : "变更原答复：") + r.decision : "办理中，" + day(r.decide_by) + " 前作出意见",
      ]))] : null,
      t.incident_tickets > 1 ? incidentBox(t) : null,
      actions(t),
      el("h3", { text: "办理记录" }), timeline(t.events)));
    const title = document.getElementById("detail-title");
    if (title) title.focus({ preventScroll: window.innerWidth > 980 });
  }

  async function openTicket(number) {
    try {
      show(await api("GET", "/api/tickets/" + encodeURIComponent(number)));
    } catch (e) {
      flash(e.message, "error");
    }
  }

  document.querySelectorAll(".filters .chip").forEach((b) => b.addEventListener("click", () => {
    filter = b.dataset.filter;
    document.querySelectorAll(".filters .chip").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    renderList();
  }));
  async function loadReviews() {
    try {
      const rows = await api("GET", "/api/department/reviews");
      reviewing = Object.fromEntries(rows.map((r) => [r.ticket.number, r]));
      reviewsBox.hidden = rows.length === 0;
      reviewsBox.replaceChildren(el("h2", { text: "待本部门作出的复查、复核意见（" + rows.length + "）" }),
        el("ul", {}, rows.map((r) => el("li", {},
          el("button", { type: "button", class: "btn-link", text: r.ticket.number, onclick: () => openTicket(r.ticket.number) }),
          el("span", { text: " " + r.label + "，原承办：" + r.ticket.department_name + "，" + day(r.decide_by) + " 前" }),
          r.overdue ? el("span", { class: "badge f-overdue", text: "已超期" }) : null))));
    } catch (e) {
      flash(e.message, "error");
    }
  }

  moreButton.addEventListener("click", () => loadList(true));
  api("GET", "/api/decline-grounds").then((g) => { grounds = g; }).catch(() => { grounds = []; });
  loadReviews();
  loadList();
  setInterval(() => { if (!document.hidden) loadList(); }, 60000);
})();
