// Draws the summary, the filters and the findings list from the report's data blocks.
// Every text from the scanned files goes in through textContent, never as markup.
(function () {
  "use strict";
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  var report = readData("report-data");
  var paths = readData("report-paths") || {diagrams: [], nodes: {}, finding_nodes: {}};
  var sources = readData("report-sources") || [];
  var findings = report.findings;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function rank(severity) {
    var i = SEVERITIES.indexOf(severity);
    return i < 0 ? SEVERITIES.length : i;
  }

  function plural(n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); }

  // --- Summary ---------------------------------------------------------------------
  function drawSummary() {
    var active = findings.filter(function (f) { return !f.suppressed; });
    var summary = report.summary || {};
    document.getElementById("headline").textContent =
      plural(active.length, "finding") + " in " + plural(summary.files || 0, "file") + ", " +
      plural(summary.resources || 0, "resource") +
      (summary.suppressed ? ", " + summary.suppressed + " suppressed or baselined" : "") +
      " \u00b7 " + report.tool.name + " " + report.tool.version;
    var cards = document.getElementById("by-severity");
    var bySeverity = summary.by_severity || {};
    SEVERITIES.forEach(function (severity) {
      var card = el("div", "card " + severity);
      card.appendChild(el("span", "n", bySeverity[severity] || 0));
      card.appendChild(el("span", "name", severity));
      cards.appendChild(card);
    });
    var rules = {};
    active.forEach(function (f) {
      var entry = rules[f.rule_id] || (rules[f.rule_id] = {f: f, count: 0});
      entry.count += 1;
    });
    var body = document.querySelector("#by-rule tbody");
    Object.keys(rules).sort(function (a, b) {
      return rank(rules[a].f.severity) - rank(rules[b].f.severity) || rules[b].count - rules[a].count ||
        (a < b ? -1 : 1);
    }).forEach(function (id) {
      var f = rules[id].f;
      var row = el("tr");
      var name = el("td");
      name.appendChild(el("span", "rule", f.rule_id + " "));
      name.appendChild(document.createTextNode(f.rule_name));
      row.appendChild(name);
      var sev = el("td");
      sev.appendChild(el("span", "sev " + f.severity, f.severity));
      row.appendChild(sev);
      row.appendChild(el("td", "", f.category));
      row.appendChild(el("td", "", rules[id].count));
      body.appendChild(row);
    });
  }

  // --- Findings ----------------------------------------------------------------------
  function snippet(index, f) {
    var source = sources[index];
    if (!source) { return null; }
    var pre = el("pre", "snippet");
    var last = Math.max(f.end_line || f.line, f.line);
    source.lines.forEach(function (text, i) {
      var number = source.start + i;
      var line = el("span", "ln" + (number >= f.line && number <= last ? " at" : ""));
      line.appendChild(el("span", "no", number));
      if (number === f.line && text.length) {
        // The finding's own range on its first line (to the line's end when it spans several).
        var start = Math.min(Math.max(f.column - 1, 0), text.length);
        var end = (f.end_line || f.line) > f.line ? text.length :
          Math.min(Math.max((f.end_column || f.column) - 1, start + 1), text.length);
        line.appendChild(document.createTextNode(text.slice(0, start)));
        line.appendChild(el("mark", "", text.slice(start, end)));
        line.appendChild(document.createTextNode(text.slice(end)));
      } else {
        line.appendChild(document.createTextNode(text));
      }
      pre.appendChild(line);
    });
    return pre;
  }

  function findingCard(index) {
    var f = findings[index];
    var card = el("article", "finding " + f.severity);
    card.id = "finding-" + index;
    card.dataset.severity = f.severity;
    card.dataset.rule = f.rule_id;
    card.dataset.format = f.format;
    card.dataset.text = [f.message, f.file, f.resource, f.rule_id, f.rule_name].join("\n").toLowerCase();
    var head = el("div", "head");
    head.appendChild(el("span", "sev " + f.severity, f.severity));
    head.appendChild(el("span", "rule", f.rule_id));
    head.appendChild(el("span", "msg", f.message));
    card.appendChild(head);
    var where = el("div", "loc", f.file + ":" + f.line + ":" + f.column + " \u00b7 " + f.rule_name +
      (f.resource ? " \u00b7 resource " + f.resource : "") + " \u00b7 " + f.format);
    card.appendChild(where);
    if (f.suppressed) {
      var kind = f.suppression_kind === "external" ? "baselined or ignored by configuration" : "suppressed in source";
      card.appendChild(el("div", "reason", kind + (f.suppression_reason ? ": " + f.suppression_reason : "")));
    }
    var pre = snippet(index, f);
    if (pre) { card.appendChild(pre); }
    var nodes = paths.finding_nodes[String(index)] || [];
    if (nodes.length) {
      var meta = el("div", "meta");
      meta.appendChild(document.createTextNode("On the path of: "));
      nodes.forEach(function (nodeId) {
        var node = paths.nodes[nodeId];
        var link = el("a", "node-link", node.function + " \u203a " + node.label);
        link.href = "#" + nodeId;
        link.dataset.node = nodeId;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          showNode(nodeId);
        });
        meta.appendChild(link);
      });
      card.appendChild(meta);
    }
    return card;
  }

  function drawList(container, indexes) {
    var byFile = {};
    var order = [];
    indexes.forEach(function (i) {
      var file = findings[i].file;
      if (!byFile[file]) { byFile[file] = []; order.push(file); }
      byFile[file].push(i);
    });
    order.forEach(function (file) {
      var group = el("section", "file-group");
      group.dataset.file = file;
      group.appendChild(el("h3", "", file));
      byFile[file].forEach(function (i) { group.appendChild(findingCard(i)); });
      container.appendChild(group);
    });
    if (!order.length) { container.appendChild(el("p", "empty", "None.")); }
  }

  // --- Filters -------------------------------------------------------------------------
  function distinct(key) {
    var seen = {};
    findings.forEach(function (f) { seen[f[key]] = true; });
    return Object.keys(seen).sort();
  }

  function drawFilters() {
    var box = document.getElementById("severity-filter");
    SEVERITIES.forEach(function (severity) {
      var label = el("label", "check");
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = severity;
      input.name = "severity";
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + severity));
      box.appendChild(label);
    });
    var ruleSelect = document.getElementById("rule-filter");
    distinct("rule_id").forEach(function (id) { ruleSelect.appendChild(new Option(id, id)); });
    var formatSelect = document.getElementById("format-filter");
    distinct("format").forEach(function (fmt) { formatSelect.appendChild(new Option(fmt, fmt)); });
    var form = document.getElementById("filters");
    form.addEventListener("input", applyFilters);
    form.addEventListener("change", applyFilters);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  function applyFilters() {
    var severities = {};
    document.querySelectorAll("#severity-filter input").forEach(function (input) {
      severities[input.value] = input.checked;
    });
    var rule = document.getElementById("rule-filter").value;
    var fmt = document.getElementById("format-filter").value;
    var text = document.getElementById("text-filter").value.trim().toLowerCase();
    var shown = 0, total = 0;
    document.querySelectorAll("article.finding").forEach(function (card) {
      var visible = severities[card.dataset.severity] !== false && (!rule || card.dataset.rule === rule) &&
        (!fmt || card.dataset.format === fmt) && (!text || card.dataset.text.indexOf(text) >= 0);
      card.hidden = !visible;
      if (!card.closest("#suppressed")) { total += 1; if (visible) { shown += 1; } }
    });
    document.querySelectorAll(".file-group").forEach(function (group) {
      group.hidden = !group.querySelector("article.finding:not([hidden])");
    });
    document.querySelectorAll("figure.path").forEach(function (figure) {
      figure.hidden = Boolean(fmt) && figure.dataset.format !== fmt;
    });
    document.getElementById("filter-count").textContent = shown + " of " + plural(total, "finding") + " shown";
  }

  // --- Links between the diagrams and the findings -----------------------------------
  function clearMarks() {
    document.querySelectorAll(".highlight").forEach(function (n) { n.classList.remove("highlight"); });
    document.querySelectorAll(".flash").forEach(function (n) { n.classList.remove("flash"); });
  }

  function showNode(nodeId) {
    var node = document.getElementById(nodeId);
    if (!node) { return; }
    clearMarks();
    node.classList.add("flash");
    var figure = node.closest("figure");
    if (figure) { figure.hidden = false; figure.scrollIntoView({block: "center"}); }
  }

  function showFindingsOf(nodeId) {
    var info = paths.nodes[nodeId];
    if (!info || !info.findings.length) { return; }
    clearMarks();
    document.getElementById(nodeId).classList.add("flash");
    var first = null;
    info.findings.forEach(function (i) {
      var card = document.getElementById("finding-" + i);
      if (!card) { return; }
      card.hidden = false;
      var group = card.closest(".file-group");
      if (group) { group.hidden = false; }
      var details = card.closest("details");
      if (details) { details.open = true; }
      card.classList.add("highlight");
      first = first || card;
    });
    if (first) { first.scrollIntoView({block: "start"}); }
  }

  function wireNodes() {
    document.querySelectorAll("svg .node.has-findings").forEach(function (node) {
      var id = node.getAttribute("data-node");
      node.addEventListener("click", function () { showFindingsOf(id); });
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); showFindingsOf(id); }
      });
    });
  }

  var active = [], suppressed = [];
  findings.forEach(function (f, i) { (f.suppressed ? suppressed : active).push(i); });
  drawSummary();
  drawFilters();
  drawList(document.getElementById("findings"), active);
  drawList(document.getElementById("suppressed-findings"), suppressed);
  document.getElementById("suppressed-count").textContent = String(suppressed.length);
  wireNodes();
  applyFilters();
  document.body.dataset.ready = "true";
}());
