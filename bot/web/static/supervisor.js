// Supervisor page: volumes, overdue cases, hotspots, repeat petitions (phones masked), escalation, and the KPIs
// (figures, ranks and definitions from /api/supervisor/kpi, the trend as an SVG drawn by the server).
"use strict";
(() => {
  const { api, el, flash, day, time, statusBadge, flagBadges, timeline, facts, ticketHead } = Staff;
  const $ = (id) => document.getElementById(id);
  const detail = $("detail");

  function bars(rows) {
    if (!rows.length) return el("p", { class: "muted", text: "暂无数据。" });
    const max = Math.max(...rows.map((r) => r.count), 1);
    return el("div", { class: "bars" }, rows.map((r) => {
      const fill = el("span");
      fill.style.width = (100 * r.count / max).toFixed(1) + "%";
      return [el("span", { text: r.name }), el("div", { class: "bar", "aria-hidden": "true" }, fill),
              el("span", { class: "num", text: r.count })];
    }));
  }

  function weeks(rows) {
    const max = Math.max(...rows.map((r) => r.count), 1);
    return rows.map((r) => {
      const col = el("div", { class: "col" });
      col.style.height = (100 * r.count / max).toFixed(1) + "%";
      const label = r.week_start.slice(5).replace("-", "/");
      return el("div", { class: "week", title: r.week_start + " 起一周：" + r.count + " 件",
                         "aria-label": r.week_start + " 起一周 " + r.count + " 件" },
        el("span", { class: "n", text: r.count }), col, el("span", { class: "lbl", text: label }));
    });
  }

  function link(number) {
    return el("button", { type: "button", class: "ticket-link", text: number, onclick: () => open(number) });
  }

  function table(head, rows) {
    if (!rows.length) return el("p", { class: "muted", text: "暂无。" });
    return el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c)))))));
  }

  function card(value, label, alarm) {
    return el("div", { class: "stat" + (alarm && value ? " alarm" : "") },
      el("div", { class: "value", text: value }), el("div", { class: "label", text: label }));
  }

  // 挂牌督办: the supervisor's own deadline (days from today) and a requirement told to the department and citizen
  async function supervise(number) {
    const days = Number(window.prompt("督办期限（天，1–30）", "7"));
    if (!days) return;
    const note = window.prompt("督办要求（将告知承办部门和群众）", "请按期办结并答复群众") || "";
    try {
      const r = await api("POST", "/api/tickets/" + encodeURIComponent(number) + "/supervise", { days, note });
      flash("工单 " + r.number + " 已挂牌督办，期限 " + day(r.supervise_by) + "。", "ok");
      load();
    } catch (e) {
      flash(e.message, "error");
    }
  }

  async function load() {
    try {
      const s = await api("GET", "/api/supervisor/stats");
      $("cards").replaceChildren(
        card(s.total, "工单总量"), card(s.open, "办理中（含待受理）"),
        card(s.overdue.length, "超期未办结", true),
        card(s.repeats.length, "重复信访人", true),
        card(s.warnings.length, "矛盾纠纷预警", true));
      $("by-week").replaceChildren(...weeks(s.by_week));
      $("by-status").replaceChildren(bars(s.by_status));
      $("by-category").replaceChildren(bars(s.by_category));
      $("by-department").replaceChildren(bars(s.by_department));
      $("urgent").replaceChildren(s.urgent_waiting.length ? table(["工单号", "类别", "承办部门", "须联系群众"],
        s.urgent_waiting.map((t) => [link(t.number), t.category_name, t.department_name,
          el("span", { class: "late", text: (t.respond_overdue ? "已超时！" : "") + time(t.respond_by) })]))
        : el("p", { class: "muted", text: "没有待联系的紧急工单。" }));
      $("overdue").replaceChildren(table(["工单号", "类别", "承办部门", "状态", "答复期限", "超期天数", "标记", ""],
        s.overdue.map((t) => [link(t.number), t.category_name, t.department_name, statusBadge(t),
          el("span", { class: "late", text: day(t.answer_by) }), el("span", { class: "late", text: t.days_overdue + " 天" }),
          flagBadges(t), t.supervise_by ? "" : el("button", { type: "button", class: "btn secondary small",
            text: "挂牌督办", onclick: () => supervise(t.number) })])));
      $("supervised").replaceChildren(s.supervised.length ? table(["工单号", "类别", "承办部门", "状态", "督办期限"],
        s.supervised.map((t) => [link(t.number), t.category_name, t.department_name, statusBadge(t),
          el("span", { class: t.supervision_overdue ? "late" : "", text: (t.supervision_overdue ? "已超期！" : "") + day(t.supervise_by) })]))
        : el("p", { class: "muted", text: "没有挂牌督办中的工单。" }));
      $("warnings").replaceChildren(s.warnings.length ? table(["事件", "事项", "地点或单位", "件数", "户（人）数", "预警原因", "工单"],
        s.warnings.map((w) => ["#" + w.id, w.matter_name || w.category_name, w.organization || w.place,
          el("strong", { text: w.ticket_count }), w.households,
          el("span", { class: "late", text: w.warning_reasons.join("；") }),
          el("span", {}, w.tickets.map((t) => el("span", {}, link(t.number), " ")))]))
        : el("p", { class: "muted", text: "暂无预警。" }));
      $("hotspots").replaceChildren(table(["乡镇（街道）", "类别", "件数"],
        s.hotspots.map((h) => [h.township, h.category_name, el("strong", { text: h.count })])));
      $("repeats").replaceChildren(...(s.repeats.length ? s.repeats.map((g) => el("div", { class: "repeat-group" },
        el("div", {}, el("span", { class: "citizen", text: g.citizen }), el("span", { class: "muted", text: "共 " + g.count + " 件" })),
        el("div", { class: "small" }, g.tickets.map((t) => el("div", {},
          link(t.number), " ", t.category_name, " · ", t.department_name, " · ", statusBadge(t),
          t.repeat_of ? el("span", { class: "muted", text: "（重复 " + t.repeat_of + "）" }) : null)))))
        : [el("p", { class: "muted", text: "暂无。" })]));
    } catch (e) {
      flash(e.message, "error");
    }
  }

  async function open(number) {
    try {
      const t = await api("GET", "/api/tickets/" + encodeURIComponent(number));
      const [head, summary] = ticketHead(t);
      head.lastChild.append(el("button", { type: "button", class: "btn secondary small close", text: "关闭",
        onclick: () => { detail.hidden = true; } }));
      detail.replaceChildren(...Staff.nodes(
        head, summary,
        meta2(t),
        el("h3", { text: "反映内容（已脱敏）" }), el("blockquote", { class: "complaint", text: t.text }),
        el("h3", { text: "提取的要素" }), facts(t.facts),
        t.reply ? [el("h3", { text: "答复意见" }), el("div", { class: "reply-box", text: t.reply })] : null,
        el("h3", { text: "办理记录" }), timeline(t.events)));
      detail.hidden = false;
      detail.scrollIntoView({ behavior: "smooth", block: "start" });
      $("detail-title").focus({ preventScroll: true });
    } catch (e) {
      flash(e.message, "error");
    }
  }

  function meta2(t) {
    return Staff.meta([["联系电话", t.phone_masked ? t.phone_masked + "（已脱敏）" : "未留"]]);
  }

  // ---- KPIs: the figures are rounded by the server (bot/kpi.py); the page only formats them as the CSV does
  let kpiReport = null;

  function figure(k, v) {
    if (v === null || v === undefined) return "—";
    return k.unit === "ratio" ? (v * 100).toFixed(2) + "%" : v.toFixed(2);
  }

  function kpiQuery() {
    return "month=" + encodeURIComponent($("kpi-month").value);
  }

  function kpiTable(r) {
    const rankBy = $("kpi-rank").value || r.kpis[0].code;
    const k = r.kpis.find((x) => x.code === rankBy);
    const rows = r.rows.slice().sort((a, b) => (a.ranks[rankBy] ?? 1e9) - (b.ranks[rankBy] ?? 1e9));
    const head = ["排名", r.by_name, "登记件数", "办结件数", ...r.kpis.map((x) => x.name)];
    const line = (row, rank, cls) => el("tr", { class: cls },
      el("td", { class: "num", text: rank }), el("td", { text: row.name }),
      el("td", { class: "num", text: row.counts.filed }), el("td", { class: "num", text: row.counts.answered }),
      r.kpis.map((x) => el("td", { class: "num", title: x.definition },
        figure(x, row.values[x.code]),
        row.ranks && row.ranks[x.code] ? el("span", { class: "rank", text: "#" + row.ranks[x.code] }) : null)));
    if (!rows.length) return el("p", { class: "muted", text: "本月暂无数据。" });
    return el("div", { class: "table-wrap" }, el("table", {},
      el("caption", { class: "muted small", text: "按“" + k.name + "”排名（" + (k.higher_is_better ? "越高越好" : "越低越好") + "）；“—”表示分母为 0，不参与排名。" }),
      el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: i === 1 ? "" : "num", text: h })))),
      el("tbody", {}, line(r.total, "", "total"), rows.map((row) => line(row, row.ranks[rankBy] ?? "—")))));
  }

  function kpiChart() {
    const code = $("kpi-chart").value;
    const k = kpiReport.kpis.find((x) => x.code === code);
    $("kpi-trend").src = "/api/supervisor/kpi/trend.svg?kpi=" + encodeURIComponent(code) + "&" + kpiQuery();
    $("kpi-trend").alt = k.name + "近 6 个月趋势：" + kpiReport.trend.map((p) => p.month + " " + figure(k, p.values[code])).join("，");
  }

  function fillSelect(select, kpis) {
    if (select.options.length) return;
    select.replaceChildren(...kpis.map((k) => el("option", { value: k.code, text: k.name })));
  }

  async function loadKpi() {
    try {
      const r = await api("GET", "/api/supervisor/kpi?" + kpiQuery() + "&by=" + encodeURIComponent($("kpi-by").value));
      kpiReport = r;
      $("kpi-month").value = r.month;
      fillSelect($("kpi-rank"), r.kpis);
      fillSelect($("kpi-chart"), r.kpis);
      $("kpi-xlsx").href = "/api/supervisor/report.xlsx?" + kpiQuery();
      $("kpi-csv").href = "/api/supervisor/report.csv?" + kpiQuery();
      $("kpi-total").replaceChildren(...r.kpis.map((k) => card(figure(k, r.total.values[k.code]), k.name)));
      $("kpi-table").replaceChildren(kpiTable(r));
      kpiChart();
    } catch (e) {
      flash(e.message, "error");
    }
  }

  $("kpi-month").addEventListener("change", () => { if ($("kpi-month").value) loadKpi(); });
  $("kpi-by").addEventListener("change", loadKpi);
  $("kpi-rank").addEventListener("change", () => kpiReport && $("kpi-table").replaceChildren(kpiTable(kpiReport)));
  $("kpi-chart").addEventListener("change", () => kpiReport && kpiChart());

  $("reload").addEventListener("click", () => { load(); loadKpi(); });
  $("escalate").addEventListener("click", async () => {
    if (!confirm("将所有超过答复期限、仍在乡镇办理的工单提级到县级部门督办，并通知群众。确定执行吗？")) return;
    try {
      const r = await api("POST", "/api/supervisor/escalate");
      flash(r.count ? "已提级 " + r.count + " 件：" + r.escalated.map((x) => x.number + " → " + x.department_name).join("；")
                    : "没有需要提级的工单（县级部门的超期工单已标记“超期”）。", "ok");
      load();
    } catch (e) {
      flash(e.message, "error");
    }
  });
  load();
  loadKpi();
})();
