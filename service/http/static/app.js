// The chat page: plain DOM, no framework, no build step.
// Everything that comes from the user or the server is rendered with textContent,
// never innerHTML, so a question or quote holding <script> shows as text.
"use strict";

(function () {
  const API = "/v1/chat/completions";
  const KEY_STORE = "policyqa.apiKey";
  const MARKER = /【[^【】\n]{1,24}】/g;
  const FOOTER = "\n\n来源：";

  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const intro = $("intro");
  const notice = $("notice");
  const askForm = $("ask-form");
  const input = $("question");
  const sendButton = $("send");
  const keyForm = $("key-form");
  const keyInput = $("key");
  const dialog = $("cite-dialog");

  // The conversation as the API wants it: every earlier user and assistant turn.
  let turns = [];
  let busy = false;
  let waitingForKey = null; // {question, items}: asked again once a key is saved
  let lastOpener = null; // the chip that opened the dialog, focused again on close

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function storedKey() {
    try {
      return window.localStorage.getItem(KEY_STORE) || "";
    } catch (_err) {
      return "";
    }
  }

  function scrollToEnd() {
    const main = log.parentElement;
    main.scrollTop = main.scrollHeight;
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // ---- messages --------------------------------------------------------------

  function addUserMessage(text) {
    const item = el("article", "msg user");
    item.appendChild(el("h3", "visually-hidden", "您的问题"));
    item.appendChild(el("p", "bubble", text));
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function addAssistantMessage() {
    const item = el("article", "msg bot");
    item.setAttribute("aria-busy", "true");
    item.appendChild(el("h3", "visually-hidden", "回答"));
    const bubble = el("div", "bubble");
    const text = el("p", "answer pending", "正在查找…");
    bubble.appendChild(text);
    item.appendChild(bubble);
    log.appendChild(item);
    scrollToEnd();
    return { item, bubble, text };
  }

  function showError(view, message) {
    view.bubble.textContent = "";
    view.item.classList.add("error");
    view.bubble.appendChild(el("p", "answer", message));
    view.item.setAttribute("aria-busy", "false");
    scrollToEnd();
  }

  // The answer text with its 【任务N】 markers as buttons that open the clause.
  function answerParagraph(text, groups) {
    const p = el("p", "answer");
    let last = 0;
    for (const match of text.matchAll(MARKER)) {
      if (match.index > last) p.appendChild(document.createTextNode(text.slice(last, match.index)));
      const group = groups.get(match[0]);
      if (group) {
        const link = el("button", "marker", match[0]);
        link.type = "button";
        link.setAttribute("aria-label", "查看出处 " + match[0]);
        link.addEventListener("click", () => openCitation(group, link));
        p.appendChild(link);
      } else {
        p.appendChild(document.createTextNode(match[0]));
      }
      last = match.index + match[0].length;
    }
    if (last < text.length) p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }

  // Citations grouped by marker, in order: one chip per 【任务N】 even when several
  // clauses of the same task are quoted.
  function groupByMarker(citations) {
    const groups = new Map();
    for (const cite of Array.isArray(citations) ? citations : []) {
      if (!cite || typeof cite !== "object") continue;
      const marker = cite.marker || (cite.task != null ? "【任务" + cite.task + "】" : "【" + (cite.section || "?") + "】");
      if (!groups.has(marker)) groups.set(marker, []);
      groups.get(marker).push(cite);
    }
    return groups;
  }

  function chipRow(label, groups, related) {
    const box = el("div", related ? "chips related" : "chips");
    box.appendChild(el("span", "chips-label", label));
    for (const [marker, group] of groups) {
      const chip = el("button", "chip");
      chip.type = "button";
      chip.appendChild(el("span", "chip-marker", marker));
      if (group[0].title) chip.appendChild(el("span", "chip-title", group[0].title));
      chip.setAttribute("aria-label", (related ? "相关条款 " : "出处 ") + marker + " " + (group[0].title || ""));
      chip.addEventListener("click", () => openCitation(group, chip, related));
      box.appendChild(chip);
    }
    return box;
  }

  const STATUS_TEXT = {
    not_stated: "文件未写明",
    off_topic: "超出文件范围",
  };

  function renderFinal(view, raw, contract) {
    view.bubble.textContent = "";
    view.item.setAttribute("aria-busy", "false");
    if (!contract || typeof contract !== "object") {
      // A server without the structured field: show the streamed text as it came.
      view.bubble.appendChild(answerParagraph(raw || "（没有收到回答）", new Map()));
      return;
    }
    const groups = groupByMarker(contract.citations);
    const declined = contract.abstained === true || contract.status === "not_stated" || contract.status === "off_topic";
    if (declined) {
      view.item.classList.add("declined");
      const badge = STATUS_TEXT[contract.status] || "无法回答";
      view.bubble.appendChild(el("p", "badge", badge));
    }
    const answer = typeof contract.answer === "string" && contract.answer ? contract.answer : stripFooter(raw);
    view.bubble.appendChild(answerParagraph(answer, groups));
    if (declined) {
      const reason = contract.reason_text || "文件中没有找到能回答这个问题的内容。";
      const box = el("p", "reason");
      box.appendChild(el("strong", null, "原因："));
      box.appendChild(document.createTextNode(reason));
      view.bubble.appendChild(box);
    }
    if (groups.size) view.bubble.appendChild(chipRow("出处", groups, false));
    const related = groupByMarker(contract.related);
    if (related.size) view.bubble.appendChild(chipRow("相关条款（供参考，并非答案）", related, true));
  }

  function stripFooter(raw) {
    const at = (raw || "").lastIndexOf(FOOTER);
    return at >= 0 ? raw.slice(0, at) : raw || "";
  }

  // ---- the citation dialog -----------------------------------------------------

  function openCitation(group, opener, related) {
    const first = group[0];
    lastOpener = opener;
    const marker = first.marker || "";
    const heading = first.task != null ? "任务" + first.task + "：" + (first.title || "") : (first.title || marker);
    $("cite-title").textContent = (related ? "相关条款 " : "") + heading;
    const meta = [];
    if (marker) meta.push("标注 " + marker);
    if (first.section) meta.push("位于第" + first.section + "部分");
    $("cite-meta").textContent = meta.join(" · ");

    const quote = $("cite-quote");
    quote.textContent = "";
    const seen = new Set();
    for (const cite of group) {
      const q = cite.quote || "";
      if (!q || seen.has(q)) continue;
      seen.add(q);
      quote.appendChild(el("p", null, q));
    }
    if (!seen.size) quote.appendChild(el("p", "muted", "（没有摘录）"));

    $("cite-lead").textContent = joinAgencies(group, "lead");
    $("cite-participants").textContent = joinAgencies(group, "participants");
    $("cite-id").textContent = group.map((c) => c.clause_id).filter(Boolean).join("，");

    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    $("cite-close").focus();
  }

  function joinAgencies(group, field) {
    const names = [];
    for (const cite of group) {
      for (const name of Array.isArray(cite[field]) ? cite[field] : []) {
        if (typeof name === "string" && !names.includes(name)) names.push(name);
      }
    }
    return names.length ? names.join("、") : "文件未列明";
  }

  function closeCitation() {
    if (typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  }

  $("cite-close").addEventListener("click", closeCitation);
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) closeCitation(); // a click on the backdrop
  });
  dialog.addEventListener("close", () => {
    if (lastOpener && document.body.contains(lastOpener)) lastOpener.focus();
  });

  // ---- talking to the server ----------------------------------------------------

  function politeError(status, detail, retryAfter) {
    if (status === 401 || status === 403) return "此服务需要访问密钥，请在下方输入密钥后重新发送。";
    if (status === 413) return "问题太长了，请缩短后再试。";
    if (status === 429) {
      const wait = retryAfter ? "请等 " + retryAfter + " 秒后" : "请稍等片刻后";
      return "提问太频繁了，" + wait + "再试。";
    }
    if (status === 400 || status === 422) {
      return "无法处理这个问题" + (detail ? "：" + detail : "。") + "请修改后再试。";
    }
    if (status === 503) return "服务正在启动或暂时不可用，请稍后再试。";
    if (status >= 500) return "服务器出错了（HTTP " + status + "），请稍后再试。";
    return "请求没有成功（HTTP " + status + "），请稍后再试。";
  }

  async function errorDetail(response) {
    try {
      const body = await response.json();
      if (body && body.error && typeof body.error.message === "string") return body.error.message;
      if (body && typeof body.detail === "string") return body.detail;
    } catch (_err) {
      // not JSON: the status alone explains it
    }
    return "";
  }

  // Reads an SSE body, calling onEvent with each parsed `data:` payload.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder("utf-8");
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      buffer = buffer.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data && onEvent(data) === false) {
          reader.cancel().catch(() => {});
          return;
        }
      }
      if (done) return;
    }
  }

  async function ask(question) {
    if (busy) return;
    busy = true;
    sendButton.disabled = true;
    intro.hidden = true;
    const userItem = addUserMessage(question);
    const view = addAssistantMessage();
    const messages = turns.concat([{ role: "user", content: question }]);
    const headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
    const key = storedKey();
    if (key) headers.Authorization = "Bearer " + key;

    let response;
    try {
      response = await fetch(API, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: "policy-qa", messages, stream: true }),
      });
    } catch (_err) {
      showError(view, "无法连接服务器，请检查网络后重试。");
      return finish();
    }

    if (!response.ok) {
      const detail = await errorDetail(response);
      showError(view, politeError(response.status, detail, response.headers.get("Retry-After")));
      if (response.status === 401) {
        // Asked again once a key is saved; these two messages then go.
        waitingForKey = { question, items: [userItem, view.item] };
        keyForm.hidden = false;
        keyInput.focus();
      }
      return finish();
    }

    let raw = "";
    let contract = null;
    let completed = false;
    let failed = "";
    try {
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("application/json")) {
        // A server that ignored "stream": one whole completion.
        const body = await response.json();
        const choice = body && body.choices && body.choices[0];
        raw = (choice && choice.message && choice.message.content) || "";
        contract = body.policy_qa || null;
        completed = true;
      } else {
        await readEvents(response, (data) => {
          if (data === "[DONE]") {
            completed = true;
            return false;
          }
          let chunk;
          try {
            chunk = JSON.parse(data);
          } catch (_err) {
            return true;
          }
          if (chunk.error) {
            failed = (chunk.error && chunk.error.message) || "未知错误";
            return false;
          }
          if (chunk.policy_qa) contract = chunk.policy_qa;
          if (contract && chunk.reason_text && !contract.reason_text) contract.reason_text = chunk.reason_text;
          const choice = chunk.choices && chunk.choices[0];
          const piece = choice && choice.delta && choice.delta.content;
          if (typeof piece === "string" && piece) {
            raw += piece;
            view.text.classList.remove("pending");
            view.text.textContent = raw;
            scrollToEnd();
          }
          if (choice && choice.finish_reason) completed = completed || Boolean(contract);
          return true;
        });
      }
    } catch (_err) {
      failed = failed || "连接中断";
    }

    if (failed) {
      showError(view, "回答时出错了（" + failed + "），请稍后再试。");
    } else if (!raw && !contract) {
      showError(view, "没有收到回答，请稍后再试。");
    } else {
      renderFinal(view, raw, contract);
      if (!completed) view.bubble.appendChild(el("p", "small muted", "（回答可能不完整：连接提前结束了）"));
      turns = messages.concat([{ role: "assistant", content: raw || (contract && contract.answer) || "" }]);
    }
    scrollToEnd();
    return finish();
  }

  function finish() {
    busy = false;
    sendButton.disabled = false;
  }

  // ---- the form -------------------------------------------------------------------

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  function submitQuestion() {
    const question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    autosize();
    ask(question);
  }

  askForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitQuestion();
  });

  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter is a new line; Enter that confirms an IME candidate does neither.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitQuestion();
    }
  });
  input.addEventListener("input", autosize);

  for (const button of document.querySelectorAll("#examples .example")) {
    button.addEventListener("click", () => {
      if (!busy) ask(button.textContent.trim());
    });
  }

  $("reset").addEventListener("click", () => {
    if (busy) return;
    turns = [];
    log.textContent = "";
    intro.hidden = false;
    input.focus();
  });

  keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) return;
    try {
      window.localStorage.setItem(KEY_STORE, key);
    } catch (_err) {
      showNotice("浏览器不允许保存密钥。");
      return;
    }
    keyInput.value = "";
    keyForm.hidden = true;
    const again = waitingForKey;
    waitingForKey = null;
    if (again && !busy) {
      for (const item of again.items) item.remove();
      ask(again.question);
    } else {
      input.focus();
    }
  });

  // ---- readiness ------------------------------------------------------------------

  async function watchReady(tries) {
    try {
      const response = await fetch("/readyz", { cache: "no-store" });
      if (response.status !== 503) {
        showNotice(""); // ready, or a server without the check: questions will tell
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (body && body.status === "failed") {
        showNotice("服务未能加载文件索引，暂时无法回答，请联系管理员。");
        return;
      }
      showNotice("服务正在加载文件索引，请稍候…");
    } catch (_err) {
      showNotice("暂时无法连接服务器，正在重试…");
    }
    if (tries > 0) window.setTimeout(() => watchReady(tries - 1), 2000);
  }

  watchReady(60);
  input.focus();
})();
