// The ordering list: keyboard first, buttons for mouse, touch and screen-reader browse mode.
//
// Python owns the state (order, feedback, mode, status). This view draws it and sends requests
// with model.send({action: "move", item, by | to} | {action: "check" | "retry" | "solution"});
// it never sets a trait. While reveal_answers is false (a facilitator holds the answers back)
// Check says Submit and Try again / Show solution are not offered. Only view-local things live here: which step has the tab stop and
// where focus goes after Python's answer.
//
// Keys on a step: Up/Down (Home/End) move focus between steps; Alt+Up/Alt+Down move the step
// one place, Alt+Home/Alt+End to the top/bottom. Tab from a step reaches its Move up / Move
// down buttons, then the Check button.

const ICONS = { ok: "\u2714 ", error: "\u26a0 ", info: "" };
let boardCount = 0;

function make(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function shortText(text, limit = 40) {
  const flat = text.split(/\s+/).join(" ").trim();
  return flat.length <= limit ? flat : flat.slice(0, limit - 1).trimEnd() + "\u2026";
}

function sentence(text) {
  const t = text.trim();
  return /[.!?"'\u201d\u2019]$/.test(t) ? t : `${t}.`;
}

function render({ model, el }) {
  const uid = `orderboard-${++boardCount}-${Math.random().toString(36).slice(2, 8)}`;
  const root = make("div", { class: "order-board", role: "group" });
  el.appendChild(root);

  const steps = new Map(); // item id -> {entry, num, up, down, feedback, verdict, ...}
  let current = null; // the step holding the tab stop (roving tabindex)
  let pendingFocus = null; // {item, part: "entry" | "up" | "down"} or {button}
  let list, live, checkButton, retryButton, solutionButton, keysId;

  const mode = () => model.get("mode");
  const order = () => (model.get("order") || []).filter((id) => steps.has(id));

  // ---- announcements -------------------------------------------------------------
  let announceToken = 0;
  function announce(text, tone = "info") {
    const full = text ? (ICONS[tone] || "") + text : "";
    live.dataset.tone = tone;
    const token = ++announceToken;
    if (live.textContent === full && full) {
      live.textContent = ""; // the same words again: clear first so they are announced
      setTimeout(() => {
        if (token === announceToken) live.textContent = full;
      }, 60);
    } else {
      live.textContent = full;
    }
  }

  // ---- building --------------------------------------------------------------------
  function build() {
    root.replaceChildren();
    steps.clear();
    root.setAttribute("aria-label", model.get("label") || "Ordering");
    keysId = `${uid}-keys`;
    root.append(
      make("p", { class: "order-hint", "aria-hidden": "true" }, [
        make("span", { class: "order-hint-for-keys" }, [
          make("span", { class: "order-hint-keys", text: "Keys:" }),
          " \u2191\u2193 choose a step \u00b7 Alt+\u2191 / Alt+\u2193 move it \u00b7 ",
        ]),
        "or use its Move up and Move down buttons.",
      ]),
      make("span", {
        class: "order-visually-hidden",
        id: keysId,
        text:
          "Up and Down arrows move between steps. Alt plus Up or Down arrow moves this step " +
          "one place; Alt plus Home or End moves it to the top or bottom. Or Tab to its " +
          "Move up and Move down buttons.",
      }),
    );
    list = make("ol", { class: "order-list", role: "list" });
    root.append(list);
    const items = model.get("items") || {};
    let n = 0;
    for (const [id, text] of Object.entries(items)) buildStep(id, text, n++);

    checkButton = make("button", { type: "button", class: "order-button order-check", text: "Check order" });
    retryButton = make("button", { type: "button", class: "order-button order-retry", text: "Try again" });
    solutionButton = make("button", {
      type: "button",
      class: "order-button order-solution",
      text: "Show solution",
    });
    checkButton.addEventListener("click", () => model.send({ action: "check" }));
    retryButton.addEventListener("click", () => {
      pendingFocus = { first: true };
      model.send({ action: "retry" });
    });
    solutionButton.addEventListener("click", () => {
      pendingFocus = { button: "retry" };
      model.send({ action: "solution" });
    });
    root.append(make("div", { class: "order-actions" }, [checkButton, retryButton, solutionButton]));
    live = make("div", { class: "order-live", role: "status", "aria-live": "polite" });
    root.append(live);
  }

  function buildStep(id, text, n) {
    const feedbackId = `${uid}-fb-${n}`;
    const num = make("span", { class: "order-num", "aria-hidden": "true" });
    const body = make("span", { class: "order-text", text });
    const up = make("button", {
      type: "button",
      class: "order-move order-move-up",
      "aria-label": `Move up: '${shortText(text)}'`,
    }, [make("span", { "aria-hidden": "true", text: "\u2191 " }), "Move up"]);
    const down = make("button", {
      type: "button",
      class: "order-move order-move-down",
      "aria-label": `Move down: '${shortText(text)}'`,
    }, [make("span", { "aria-hidden": "true", text: "\u2193 " }), "Move down"]);
    const movebar = make("span", { class: "order-movebar" }, [up, down]);
    const verdict = make("p", { class: "order-verdict" });
    const explanation = make("p", { class: "order-explanation" });
    const sources = make("p", { class: "order-sources" });
    const feedback = make("div", { class: "order-feedback", id: feedbackId, hidden: true }, [
      verdict,
      explanation,
      sources,
    ]);
    const entry = make("li", { class: "order-entry", "data-item-id": id, tabindex: "-1" }, [
      make("div", { class: "order-row" }, [num, body, movebar]),
      feedback,
    ]);
    steps.set(id, { id, text, entry, num, up, down, movebar, feedback, verdict, explanation, sources, feedbackId });
    entry.addEventListener("keydown", (ev) => onStepKey(ev, id));
    entry.addEventListener("focusin", () => setCurrent(id));
    up.addEventListener("click", () => moveBy(id, -1, "up"));
    down.addEventListener("click", () => moveBy(id, 1, "down"));
  }

  // ---- drawing the state -------------------------------------------------------------
  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      update();
    });
  }

  function update() {
    const ids = order();
    const feedback = model.get("feedback") || {};
    const m = mode();
    const reveal = model.get("reveal_answers") !== false;
    const focused = root.contains(document.activeElement) ? document.activeElement : null;
    const total = ids.length;

    ids.forEach((id, i) => {
      const entry = steps.get(id).entry;
      if (list.children[i] !== entry) list.insertBefore(entry, list.children[i] || null);
    });

    ids.forEach((id, i) => {
      const s = steps.get(id);
      const fb = feedback[id];
      s.num.textContent = `${i + 1}.`;
      let result = "";
      if (fb) result = ` ${fb.verdict}`;
      s.entry.setAttribute(
        "aria-label",
        `${sentence(s.text)} Position ${i + 1} of ${total}.${result}`,
      );
      s.entry.setAttribute("aria-describedby", fb ? `${s.feedbackId} ${keysId}` : keysId);
      s.entry.dataset.result = fb ? (m === "solution" ? "answer" : fb.in_order ? "in-order" : "out-of-order") : "";
      s.feedback.hidden = !fb;
      if (fb) {
        const mark = m === "solution" ? "" : fb.in_order ? "\u2714 " : "\u2718 ";
        s.verdict.textContent = mark + fb.verdict;
        s.explanation.textContent = fb.explanation;
        s.sources.textContent = fb.sources_text;
      }
      s.movebar.hidden = m === "solution";
      s.up.disabled = i === 0;
      s.down.disabled = i === total - 1;
    });

    if (!current || !steps.has(current)) current = ids[0] || null;
    applyTabStops();

    checkButton.textContent = !reveal ? "Submit order" : m === "checked" ? "Check again" : "Check order";
    checkButton.hidden = m === "solution";
    retryButton.textContent = m === "solution" ? "Start again" : "Try again";
    // "Start again" stays reachable from a solution even while answers are hidden
    retryButton.hidden = m === "ordering" || (!reveal && m !== "solution");
    solutionButton.hidden = !reveal || m === "solution";
    root.dataset.mode = m;

    let want = null;
    if (pendingFocus) {
      const p = pendingFocus;
      pendingFocus = null;
      if (p.item && steps.has(p.item)) {
        const s = steps.get(p.item);
        want = p.part === "up" && !s.up.disabled ? s.up : p.part === "down" && !s.down.disabled ? s.down : s.entry;
        setCurrent(p.item);
      } else if (p.first) {
        want = steps.get(ids[0])?.entry;
        if (want) setCurrent(ids[0]);
      } else if (p.button === "retry") {
        want = retryButton;
      }
    }
    if (!want && focused && (!isShown(focused) || document.activeElement !== focused)) {
      want = isShown(focused) ? focused : steps.get(current)?.entry || checkButton;
    }
    if (want && isShown(want) && document.activeElement !== want) want.focus();
  }

  function isShown(node) {
    return node.isConnected && !node.disabled && node.getClientRects().length > 0;
  }

  function applyTabStops() {
    for (const [id, s] of steps) {
      const stop = id === current ? 0 : -1;
      s.entry.tabIndex = stop;
      s.up.tabIndex = stop;
      s.down.tabIndex = stop;
    }
  }

  // ---- actions ------------------------------------------------------------------------
  function setCurrent(id) {
    if (current === id) return;
    current = id;
    applyTabStops();
  }

  function focusStep(id) {
    const s = steps.get(id);
    if (!s) return;
    setCurrent(id);
    s.entry.focus();
  }

  function moveBy(id, by, part) {
    if (mode() === "solution") {
      announce("The solution is showing. Choose Start again to order the steps yourself.");
      return;
    }
    pendingFocus = { item: id, part };
    model.send({ action: "move", item: id, by });
  }

  function moveTo(id, to) {
    if (mode() === "solution") {
      announce("The solution is showing. Choose Start again to order the steps yourself.");
      return;
    }
    pendingFocus = { item: id, part: "entry" };
    model.send({ action: "move", item: id, to });
  }

  // ---- keyboard ---------------------------------------------------------------------
  function onStepKey(ev, id) {
    if (ev.target !== steps.get(id).entry) return; // keys on its buttons are the buttons'
    if (ev.ctrlKey || ev.metaKey) return;
    const ids = order();
    const at = ids.indexOf(id);
    const key = ev.key;
    let handled = true;
    if (ev.altKey) {
      if (key === "ArrowUp") moveBy(id, -1, "entry");
      else if (key === "ArrowDown") moveBy(id, 1, "entry");
      else if (key === "Home") moveTo(id, 1);
      else if (key === "End") moveTo(id, ids.length);
      else handled = false;
    } else if (key === "ArrowUp" || key === "ArrowDown") {
      const next = ids[at + (key === "ArrowDown" ? 1 : -1)];
      if (next) focusStep(next);
    } else if (key === "Home") {
      focusStep(ids[0]);
    } else if (key === "End") {
      focusStep(ids[ids.length - 1]);
    } else {
      handled = false;
    }
    if (handled) ev.preventDefault();
  }

  // ---- wiring -----------------------------------------------------------------------
  function rebuild() {
    build();
    update();
  }
  for (const name of ["items", "label"]) model.on(`change:${name}`, rebuild);
  for (const name of ["order", "feedback", "mode", "reveal_answers"]) model.on(`change:${name}`, schedule);
  model.on("change:status", () => {
    const status = model.get("status") || {};
    announce(status.text || "", status.tone || "info");
  });
  rebuild();
  const status = model.get("status") || {};
  if (status.text) {
    live.dataset.tone = status.tone || "info";
    live.textContent = (ICONS[status.tone] || "") + status.text;
  }
}

export default { render };
