/* 一件事助手 chat widget. One <script> tag, no build step:
 *   <script src="https://host/widget/widget.js" data-api="https://host" data-region="长沙市"></script>
 * Every text from the server is inserted with textContent (never innerHTML), so nothing it sends can run. */
(function () {
  "use strict";
  var script = document.currentScript;
  var API = ((script && script.getAttribute("data-api")) || (script ? new URL(script.src, location.href).origin : "")).replace(/\/$/, "");
  var REGION = (script && script.getAttribute("data-region")) || null;
  var TITLE = (script && script.getAttribute("data-title")) || "一件事助手";
  var STORE_KEY = "onething-session";
  var session = null;
  try { session = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null"); } catch (e) { session = null; }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = API + "/widget/widget.css";
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  var bubble = el("button", "ot-bubble", "办事咨询");
  bubble.type = "button";
  bubble.setAttribute("aria-label", "打开" + TITLE);
  bubble.setAttribute("aria-expanded", "false");

  var panel = el("section", "ot-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", TITLE);
  panel.hidden = true;

  var header = el("header", "ot-header");
  header.appendChild(el("h2", "ot-title", TITLE));
  var bigBtn = el("button", "ot-tool", "大字");
  bigBtn.type = "button";
  bigBtn.setAttribute("aria-pressed", "false");
  bigBtn.setAttribute("aria-label", "大字模式");
  var contrastBtn = el("button", "ot-tool", "高对比");
  contrastBtn.type = "button";
  contrastBtn.setAttribute("aria-pressed", "false");
  contrastBtn.setAttribute("aria-label", "高对比度模式");
  var humanBtn = el("button", "ot-tool ot-human", "转人工");
  humanBtn.type = "button";
  humanBtn.setAttribute("aria-label", "转人工服务");
  var closeBtn = el("button", "ot-tool", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", "关闭");
  [bigBtn, contrastBtn, humanBtn, closeBtn].forEach(function (b) { header.appendChild(b); });

  var log = el("div", "ot-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("tabindex", "0");

  var form = el("form", "ot-form");
  var input = el("textarea", "ot-input");
  input.rows = 2;
  input.maxLength = 500;
  input.placeholder = "请输入您要办的事，例如：开饭店要带什么材料";
  input.setAttribute("aria-label", "输入问题");
  var send = el("button", "ot-send", "发送");
  send.type = "submit";
  var counter = el("span", "ot-count", "0/500");
  counter.setAttribute("aria-live", "polite");
  input.addEventListener("input", function () { counter.textContent = input.value.length + "/500"; });
  form.appendChild(input);
  form.appendChild(counter);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);
  document.body.appendChild(bubble);
  document.body.appendChild(panel);

  function toggle(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!log.childNodes.length) addBot({ text: "您好！我是" + TITLE + "。请告诉我您要办什么事，例如“给宝宝上户口要带什么”“开饭店要办哪些证”。", suggestions: [] });
      input.focus();
    } else {
      bubble.focus();
    }
  }
  bubble.addEventListener("click", function () { toggle(panel.hidden); });
  closeBtn.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { toggle(false); return; }
    if (e.key !== "Tab") return;
    // focus stays inside the open panel: Tab from the last control goes to the first, Shift+Tab back
    var items = Array.prototype.filter.call(
      panel.querySelectorAll("button, a[href], textarea, [tabindex='0']"),
      function (x) { return !x.disabled && x.offsetParent !== null; });
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
  bigBtn.addEventListener("click", function () {
    var on = panel.classList.toggle("ot-big");
    bigBtn.setAttribute("aria-pressed", String(on));
  });
  contrastBtn.addEventListener("click", function () {
    var on = panel.classList.toggle("ot-contrast");
    contrastBtn.setAttribute("aria-pressed", String(on));
  });

  function scroll() { log.scrollTop = log.scrollHeight; }


  function addUser(text) {
    var m = el("div", "ot-msg ot-user");
    m.appendChild(el("p", "ot-text", text));
    log.appendChild(m);
    scroll();
    return m;
  }

  // what a citizen reads when something fails: plain Chinese, never "Failed to fetch" or a parser's message
  function friendly(text) {
    var t = String(text || "");
    if (!t || /fetch|network|NetworkError|Load failed|JSON|Unexpected token|SyntaxError|TypeError/i.test(t)) {
      return "网络连接出了问题，请稍后再试；急事请拨打 12345。";
    }
    return t;
  }

  function addError(text) {
    var m = el("div", "ot-msg ot-error", friendly(text));
    m.setAttribute("role", "alert");
    log.appendChild(m);
    scroll();
  }

  // text with its web addresses and phone numbers as links; built from text nodes, never from markup
  // a phone number is never a piece of a longer number (an ID number holds eleven digits that look like one)
  var LINKS = /(https?:\/\/[^\s，。；、）)]+)|((?<![\dXx])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9}|12345|12333)(?![\dXx]))/g;
  function linked(text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    String(text).replace(LINKS, function (m, url, phone, at) {
      if (at > last) frag.appendChild(document.createTextNode(text.slice(last, at)));
      var a = el("a", url ? "ot-url" : "ot-tel", m);
      a.href = url ? m : "tel:" + m.replace(/-/g, "");
      if (url) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      frag.appendChild(a);
      last = at + m.length;
      return m;
    });
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function answerText(a) {
    var box = el("div", "ot-text");
    var fold = typeof a.fold_at === "number" && a.fold_at > 0 && a.fold_at < a.text.length ? a.fold_at : null;
    box.appendChild(linked(fold ? a.text.slice(0, fold) : a.text));
    if (fold) {
      var rest = el("div", "ot-more");
      rest.hidden = true;
      rest.appendChild(linked(a.text.slice(fold).replace(/^\n/, "")));
      var lines = a.text.slice(fold).split("\n").filter(function (x) { return x.trim(); }).length;
      var btn = el("button", "ot-expand", "展开全部（还有 " + lines + " 行）");
      btn.type = "button";
      btn.setAttribute("aria-expanded", "false");
      btn.addEventListener("click", function () {
        rest.hidden = !rest.hidden;
        btn.setAttribute("aria-expanded", String(!rest.hidden));
        btn.textContent = rest.hidden ? "展开全部（还有 " + lines + " 行）" : "收起";
      });
      box.appendChild(rest);
      box.appendChild(btn);
    }
    return box;
  }

  function renderAnswer(box, a) {
    box.textContent = "";
    box.appendChild(answerText(a));
    if (a.form) box.appendChild(formCard(a.form));
    if (a.suggestions && a.suggestions.length) {
      var chips = el("div", "ot-chips");
      chips.setAttribute("role", "group");
      chips.setAttribute("aria-label", "可选操作");
      a.suggestions.forEach(function (s) {
        var chip = el("button", "ot-chip" + (s.kind === "choice" ? " ot-choice" : ""), s.label);
        chip.type = "button";
        chip.addEventListener("click", function () {
          if (s.kind === "handoff") requestHandoff();
          else ask(s.text);
        });
        chips.appendChild(chip);
      });
      box.appendChild(chips);
    }
    if (a.message_id) box.appendChild(stars(a.message_id));
    // sources last: the chips and stars come first in the keyboard order
    if (a.citations && a.citations.length) {
      var cites = el("div", "ot-cites");
      cites.appendChild(el("span", "ot-cites-label", "出处："));
      var seen = {};
      a.citations.forEach(function (c) {
        var key = c.guide_id + c.section;
        if (seen[key]) return;
        seen[key] = true;
        var label = c.guide_name + "（" + c.region_name + "）· " + c.section_label + (c.updated_at ? (c.updated_scope === "section" ? " · 本节更新于 " : " · 指南更新于 ") + c.updated_at : "");
        var item;
        if (c.url && /^https?:\/\//.test(c.url)) {
          var where = c.link_kind === "section" ? "本节原文" : c.link_kind === "guide" ? "指南页" : "网上办理入口";
          item = el("a", "ot-cite", label + " ↗" + where);
          item.href = c.url;
          item.target = "_blank";
          item.rel = "noopener noreferrer";
          item.setAttribute("aria-label", label + "，打开" + where + (c.link_kind === "section" ? "" : "（门户没有单独的本节页面）"));
        } else {
          item = el("span", "ot-cite", label);
        }
        cites.appendChild(item);
      });
      box.appendChild(cites);
    }
  }

  function formCard(f) {
    var card = el("div", "ot-form-card");
    card.appendChild(el("strong", null, "表单草稿：" + (f.title || "")));
    // values the citizen gave that do not pass the checks: kept in the draft, shown with the reason
    (f.invalid || []).forEach(function (i) {
      card.appendChild(el("p", "ot-invalid", "需核对：" + (i.problem || i.label || i.field)));
    });
    if (f.missing && f.missing.length) card.appendChild(el("p", null, "还缺 " + f.missing.length + " 项：" + f.missing.join("、")));
    ["json", "html", "pdf"].forEach(function (fmt) {
      var a = el("a", "ot-download", "下载 " + fmt.toUpperCase());
      a.href = "#";
      a.setAttribute("data-format", fmt);
      a.addEventListener("click", function (e) { e.preventDefault(); download(f.matter_code, fmt); });
      card.appendChild(a);
    });
    return card;
  }

  function download(matter, fmt) {
    ensureSession().then(function (s) {
      return fetch(API + "/api/v1/sessions/" + encodeURIComponent(s.session_id) + "/forms/" + encodeURIComponent(matter) + "/" + fmt,
        { headers: { Authorization: "Bearer " + s.token } });
    }).then(function (r) {
      if (!r.ok) throw new Error("下载失败");
      return r.blob();
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = document.createElement("a");
      a.href = url;
      a.download = matter + "." + fmt;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }).catch(function (e) { addError(e.message); });
  }

  function stars(messageId) {
    var wrap = el("div", "ot-stars");
    wrap.setAttribute("role", "group");
    wrap.setAttribute("aria-label", "为这条回答打分");
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        var b = el("button", "ot-star", "★");
        b.type = "button";
        b.setAttribute("aria-label", n + " 星");
        b.addEventListener("click", function () {
          post("/feedback", { message_id: messageId, stars: n, tags: [], comment: "" }).then(function () {
            wrap.textContent = "";
            wrap.appendChild(el("span", "ot-thanks", "感谢评价（" + n + " 星）"));
          }).catch(function (e) { addError(e.message); });
        });
        wrap.appendChild(b);
      })(i);
    }
    return wrap;
  }

  // a new answer is read from its start, not from its sources and chips at the end
  function toStart(m) { log.scrollTop = Math.max(0, m.offsetTop - log.offsetTop - 8); }

  function addBot(a) {
    var m = el("div", "ot-msg ot-bot");
    renderAnswer(m, a);
    log.appendChild(m);
    toStart(m);
    return m;
  }

  function ensureSession() {
    if (session) return Promise.resolve(session);
    return fetch(API + "/api/v1/sessions", { method: "POST" }).then(function (r) {
      if (!r.ok) throw new Error("无法连接服务，请稍后再试或拨打 12345。");
      return r.json();
    }).then(function (s) {
      session = s;
      try { sessionStorage.setItem(STORE_KEY, JSON.stringify(s)); } catch (e) { /* private mode */ }
      return s;
    });
  }

  function post(path, body) {
    return ensureSession().then(function (s) {
      return fetch(API + "/api/v1/sessions/" + encodeURIComponent(s.session_id) + path, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + s.token },
        body: JSON.stringify(body)
      });
    }).then(function (r) {
      if (r.status === 403 || r.status === 404) { session = null; sessionStorage.removeItem(STORE_KEY); }
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.message || "请求失败");
        return data;
      });
    });
  }

  function requestHandoff() {
    post("/handoff", { note: "" }).then(addBot).catch(function (e) { addError(e.message); });
  }
  humanBtn.addEventListener("click", requestHandoff);

  var busy = false;
  function ask(text) {
    text = (text || "").trim();
    if (!text || busy) return;
    busy = true;
    send.disabled = true;
    var mine = addUser(text);
    // a message the server did not take leaves no bubble and goes back into the box: nothing is lost
    function takeBack() {
      mine.remove();
      if (!input.value) { input.value = text; counter.textContent = text.length + "/500"; }
    }
    var box = el("div", "ot-msg ot-bot ot-pending");
    var live = el("div", "ot-text", "正在查询办事指南…");
    box.appendChild(live);
    log.appendChild(box);
    scroll();
    var streamed = "";
    ensureSession().then(function (s) {
      return fetch(API + "/api/v1/sessions/" + encodeURIComponent(s.session_id) + "/chat/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + s.token, Accept: "text/event-stream" },
        body: JSON.stringify({ message: text, region: REGION })
      });
    }).then(function (r) {
      if (!r.ok) {
        if (r.status === 403 || r.status === 404) { session = null; sessionStorage.removeItem(STORE_KEY); }
        return r.json().then(function (d) { throw new Error(d.message || "请求失败"); });
      }
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buf = "";
      function pump() {
        return reader.read().then(function (res) {
          if (res.done) return;
          buf += decoder.decode(res.value, { stream: true });
          var parts = buf.split("\n\n");
          buf = parts.pop();
          parts.forEach(function (block) {
            var ev = "message", data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) ev = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (!data) return;
            var payload = JSON.parse(data);
            if (ev === "token") { streamed += payload; live.textContent = streamed; scroll(); }
            else if (ev === "answer") { box.classList.remove("ot-pending"); renderAnswer(box, payload); toStart(box); }
            else if (ev === "error") { box.remove(); takeBack(); addError(payload.message); }
          });
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      box.remove();
      takeBack();
      addError(e.message || "网络错误，请稍后再试。");
    }).then(function () {
      busy = false;
      send.disabled = false;
      input.focus();
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var t = input.value;
    input.value = "";
    counter.textContent = "0/500";
    ask(t);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  window.OneThingWidget = { open: function () { toggle(true); }, ask: ask };
})();
