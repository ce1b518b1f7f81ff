// The sorting board: keyboard first, mouse and touch as extras.
//
// Python owns the state (placements, feedback, mode, status). This view draws it and sends
// requests with model.send({action: "place" | "unplace" | "check" | "retry" | "solution", ...});
// it never sets a trait. Only view-local things live here: which card is picked up, which
// column is targeted, and where focus goes next.
//
// Keys on a card: Up/Down (Home/End) move between cards; 1..N place it in column N, 0 (or
// Delete) sends it back to "Not sorted yet"; Enter/Space picks it up, then Left/Right choose
// a column, Enter/Space drops, Escape cancels. A picked-up card shows "Move to" buttons.

const ICONS = { ok: "\u2714 ", error: "\u26a0 ", info: "" };
const PILE = ""; // the unsorted pile's id among the areas
const PILE_LABEL = "Not sorted yet";
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

function shortText(text, limit = 48) {
  const flat = text.split(/\s+/).join(" ").trim();
  return flat.length <= limit ? flat : flat.slice(0, limit - 1).trimEnd() + "\u2026";
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function render({ model, el }) {
  const uid = `sortboard-${++boardCount}-${Math.random().toString(36).slice(2, 8)}`;
  const root = make("div", { class: "sort-board", role: "group" });
  el.appendChild(root);

  let categories = [];
  let items = [];
  const cards = new Map(); // item id -> {entry, card, badge, movebar, feedback, ...}
  const areas = new Map(); // category id ("" = pile) -> {box, list, title, count}
  let held = null; // id of the picked-up card
  let target = null; // area id chosen with Left/Right while a card is held
  let current = null; // the card holding tabindex=0 (roving tabindex)
  let pendingFocus = null; // what to focus once Python's answer has been drawn
  let live, checkButton, retryButton, solutionButton;

  const labelOf = (areaId) =>
    areaId === PILE ? PILE_LABEL : (categories.find((c) => c.id === areaId) || {}).label || areaId;
  const areaOf = (itemId) => {
    const cat = (model.get("placements") || {})[itemId];
    return cat && areas.has(cat) ? cat : PILE;
  };
  const mode = () => model.get("mode");

  // ---- announcements -------------------------------------------------------------
  let announceToken = 0;
  function announce(text, tone = "info") {
    const full = text ? (ICONS[tone] || "") + text : "";
    live.dataset.tone = tone;
    const token = ++announceToken;
    if (live.textContent === full && full) {
      // the same words again: clear first so screen readers announce the change
      live.textContent = "";
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
    cards.clear();
    areas.clear();
    categories = model.get("categories") || [];
    items = model.get("items") || [];
    const n = categories.length;
    root.setAttribute("aria-label", model.get("label") || "Sorting board");

    const hintId = `${uid}-hint`;
    const keysId = `${uid}-keys`;
    const hint = make("p", { class: "sort-hint", id: hintId, "aria-hidden": "true" }, [
      make("span", { class: "sort-hint-for-keys" }, [
        make("span", { class: "sort-hint-keys", text: "Keys:" }),
        ` \u2191\u2193 choose a statement \u00b7 1\u2013${n} put it in that column (0 takes it ` +
          "out) \u00b7 or Enter, \u2190\u2192, Enter to move it, Esc to cancel. ",
      ]),
      "Mouse or touch: drag, or select a statement and then a column.",
    ]);
    const keys = make("span", {
      class: "sort-visually-hidden",
      id: keysId,
      text:
        `Up and Down arrows move between statements. Press 1 to ${n} to put the statement in ` +
        "that column, 0 to take it out. Or press Enter to pick it up, Left and Right arrows " +
        "to choose a column, Enter to drop it, Escape to cancel.",
    });
    root.append(hint, keys);

    const grid = make("div", { class: "sort-areas" });
    // the pile on the left, every column beside it: up to four in a row, more in two rows
    const perRow = n <= 4 ? Math.max(1, n) : Math.ceil(n / 2);
    grid.style.setProperty("--sort-per-row", String(perRow));
    grid.style.setProperty("--sort-rows", String(Math.ceil(Math.max(1, n) / perRow)));
    grid.dataset.rows = String(Math.ceil(Math.max(1, n) / perRow));
    const addArea = (areaId, label, description, key) => {
      const titleId = `${uid}-area-${areas.size}`;
      const count = make("span", { class: "sort-count" });
      const title = make("h4", { class: "sort-area-title", id: titleId }, [
        key ? make("span", { class: "sort-key", "aria-hidden": "true", text: key }) : null,
        make("span", { class: "sort-area-label", text: label }),
        count,
      ]);
      const drop = make("span", { class: "sort-drop-badge", "aria-hidden": "true", text: "Drop here" });
      const box = make(
        "div",
        {
          class: areaId === PILE ? "sort-area sort-pile" : "sort-area sort-column",
          "data-category-id": areaId,
          role: "group",
          // columns are tab stops (drop targets, and Enter reaches their cards); the pile
          // is not, so the first Tab into the board lands on a card
          tabindex: areaId === PILE ? "-1" : "0",
        },
        [make("div", { class: "sort-area-head" }, [title, drop])],
      );
      if (description) box.append(make("p", { class: "sort-area-desc", text: description }));
      const list = make("ul", { class: "sort-list", role: "list" });
      box.append(list);
      grid.append(box);
      areas.set(areaId, { box, list, title, count, label, key });
      box.addEventListener("keydown", (ev) => onAreaKey(ev, areaId));
      box.addEventListener("click", (ev) => onAreaClick(ev, areaId));
      box.addEventListener("dragover", (ev) => onDragOver(ev, areaId));
      box.addEventListener("dragleave", (ev) => {
        if (!box.contains(ev.relatedTarget)) box.classList.remove("sort-drag-over");
      });
      box.addEventListener("drop", (ev) => onDrop(ev, areaId));
    };
    addArea(PILE, PILE_LABEL, "", null);
    categories.forEach((c, i) => addArea(c.id, c.label, c.description, String(i + 1)));
    root.append(grid);

    for (const item of items) buildCard(item, keysId);

    checkButton = make("button", { type: "button", class: "sort-button sort-check", text: "Check" });
    retryButton = make("button", { type: "button", class: "sort-button sort-retry", text: "Try again" });
    solutionButton = make("button", {
      type: "button",
      class: "sort-button sort-solution",
      text: "Show solution",
    });
    checkButton.addEventListener("click", () => send({ action: "check" }));
    retryButton.addEventListener("click", () => {
      // the button hides itself: go on with the first card to fix (or the first card)
      const feedback = model.get("feedback") || {};
      const firstWrong = visualOrder().find((id) => feedback[id] && !feedback[id].correct);
      pendingFocus = mode() !== "solution" && firstWrong ? { card: firstWrong } : { first: true };
      send({ action: "retry" });
    });
    solutionButton.addEventListener("click", () => {
      pendingFocus = { button: "retry" };
      send({ action: "solution" });
    });
    root.append(
      make("div", { class: "sort-actions" }, [checkButton, retryButton, solutionButton]),
    );
    live = make("div", { class: "sort-live", role: "status", "aria-live": "polite" });
    root.append(live);
  }

  function buildCard(item, keysId) {
    const feedbackId = `${uid}-fb-${cards.size}`;
    const text = make("span", { class: "sort-card-text", text: item.text });
    // contested statements: good practice often crosses the line (the instructions say so)
    const tendency = item.contested
      ? make("span", { class: "sort-card-tendency", text: "Tendency" })
      : null;
    const badge = make("span", { class: "sort-card-badge", "aria-hidden": "true" });
    const card = make(
      "div",
      {
        class: "sort-card",
        role: "button",
        tabindex: "-1",
        "aria-pressed": "false",
        "data-item-id": item.id,
        draggable: "true",
      },
      [text, tendency, badge],
    );
    const movebar = make("div", {
      class: "sort-movebar",
      role: "group",
      "aria-label": `Move '${shortText(item.text, 40)}' to`,
      hidden: true,
    });
    const verdict = make("p", { class: "sort-verdict" });
    const explanation = make("p", { class: "sort-explanation" });
    const sources = make("p", { class: "sort-sources" });
    const feedback = make("div", { class: "sort-feedback", id: feedbackId, hidden: true }, [
      verdict,
      explanation,
      sources,
    ]);
    const entry = make("li", { class: "sort-entry", "data-item-id": item.id }, [
      card,
      movebar,
      feedback,
    ]);
    cards.set(item.id, {
      item, entry, card, badge, movebar, feedback, verdict, explanation, sources, feedbackId,
      describedBy: keysId,
    });
    card.addEventListener("keydown", (ev) => onCardKey(ev, item.id));
    card.addEventListener("click", () => toggleHold(item.id));
    card.addEventListener("focus", () => setCurrent(item.id));
    card.addEventListener("dragstart", (ev) => {
      if (mode() === "solution") return ev.preventDefault();
      ev.dataTransfer.setData("text/plain", item.id);
      ev.dataTransfer.effectAllowed = "move";
      entry.classList.add("sort-dragging");
      root.classList.add("sort-is-dragging");
    });
    card.addEventListener("dragend", () => {
      entry.classList.remove("sort-dragging");
      root.classList.remove("sort-is-dragging");
      for (const a of areas.values()) a.box.classList.remove("sort-drag-over");
    });
    movebar.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        ev.preventDefault();
        release(true);
        card.focus();
      }
    });
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

  function visualOrder() {
    const ids = [];
    for (const a of areas.values()) {
      for (const entry of a.list.children) ids.push(entry.dataset.itemId);
    }
    return ids;
  }

  function update() {
    const placements = model.get("placements") || {};
    const feedback = model.get("feedback") || {};
    const m = mode();
    const reveal = model.get("reveal_answers");
    const focused = root.contains(document.activeElement) ? document.activeElement : null;

    // cards into their areas, in the learner's order; only misplaced nodes move
    const byArea = new Map([...areas.keys()].map((k) => [k, []]));
    for (const item of items) byArea.get(areaOf(item.id)).push(cards.get(item.id).entry);
    for (const [areaId, entries] of byArea) {
      const a = areas.get(areaId);
      entries.forEach((entry, i) => {
        if (a.list.children[i] !== entry) a.list.insertBefore(entry, a.list.children[i] || null);
      });
      a.count.textContent = ` (${entries.length})`;
      a.box.dataset.count = String(entries.length);
    }

    if (held && (m === "solution" || !cards.has(held))) release(false);

    for (const [id, c] of cards) {
      const areaId = areaOf(id);
      const fb = feedback[id];
      let result = "";
      if (fb && m === "solution") result = ` Answer: ${fb.answer_label}.`;
      else if (fb) result = fb.correct ? " Correct." : " Not quite.";
      const where = areaId === PILE ? PILE_LABEL : `In ${labelOf(areaId)}`;
      const text = /[.!?]$/.test(c.item.text.trim()) ? c.item.text.trim() : `${c.item.text.trim()}.`;
      const tag = c.item.contested ? " Tendency." : "";
      c.card.setAttribute("aria-label", `${text}${tag} ${where}.${result}`);
      c.card.setAttribute(
        "aria-describedby",
        fb ? `${c.feedbackId} ${c.describedBy}` : c.describedBy,
      );
      c.card.setAttribute("aria-pressed", held === id ? "true" : "false");
      c.card.setAttribute("draggable", m === "solution" ? "false" : "true");
      c.entry.classList.toggle("sort-held", held === id);
      c.badge.textContent = held === id ? "Moving: choose a column" : "";
      c.entry.dataset.result = fb ? (m === "solution" ? "answer" : fb.correct ? "correct" : "wrong") : "";
      drawFeedback(c, fb, m);
      drawMovebar(c, id, areaId);
    }

    for (const [areaId, a] of areas) {
      const isTarget = held !== null && target === areaId;
      a.box.classList.toggle("sort-target", isTarget);
      const n = Number(a.box.dataset.count);
      let name = `${a.label}${a.key ? `, key ${a.key}` : ""}: ${plural(n, "statement", "statements")}.`;
      if (held !== null) name += ` Press Enter to drop the picked-up statement here.`;
      a.box.setAttribute("aria-label", name);
    }

    // roving tabindex: exactly one card is a tab stop
    const order = visualOrder();
    if (!current || !cards.has(current)) current = order[0] || null;
    for (const [id, c] of cards) c.card.tabIndex = id === current ? 0 : -1;

    checkButton.textContent = !reveal ? "Submit" : m === "checked" ? "Check again" : "Check";
    checkButton.hidden = m === "solution";
    retryButton.textContent = m === "solution" ? "Start again" : "Try again";
    // "Start again" stays reachable from a solution even while answers are hidden
    retryButton.hidden = m === "sorting" || (!reveal && m !== "solution");
    solutionButton.hidden = !reveal || m === "solution";
    root.dataset.mode = m;

    // focus: what an action asked for, else keep what had it (moving a node drops focus)
    let want = null;
    if (pendingFocus) {
      if (pendingFocus.card) want = cards.get(pendingFocus.card)?.card;
      else if (pendingFocus.first) want = cards.get(order[0])?.card;
      else if (pendingFocus.button === "retry") want = retryButton;
      pendingFocus = null;
    }
    if (!want && focused && (!isShown(focused) || document.activeElement !== focused)) {
      want = isShown(focused) ? focused : cards.get(current)?.card || checkButton;
    }
    if (want && isShown(want) && document.activeElement !== want) {
      if (want.classList.contains("sort-card")) setCurrent(want.dataset.itemId);
      want.focus();
    }
  }

  function isShown(node) {
    return node.isConnected && node.getClientRects().length > 0;
  }

  function drawFeedback(c, fb, m) {
    c.feedback.hidden = !fb;
    if (!fb) return;
    if (m === "solution") {
      const had = fb.correct
        ? "You had it right."
        : fb.response_label
          ? `You had put it in ${fb.response_label}.`
          : "You had not sorted it.";
      c.verdict.textContent = `Answer: ${fb.answer_label}. ${had}`;
    } else {
      c.verdict.textContent = fb.correct ? "\u2713 Correct" : "\u2717 Not quite";
    }
    c.explanation.textContent = fb.explanation || "";
    c.sources.textContent = fb.sources_text || "";
    c.sources.hidden = !fb.sources_text;
  }

  function drawMovebar(c, id, areaId) {
    const open = held === id;
    c.movebar.hidden = !open;
    const signature = open ? `${areaId}|${target}` : "";
    if (c.movebar.dataset.signature === signature) return;
    c.movebar.dataset.signature = signature;
    if (!open) {
      c.movebar.replaceChildren();
      return;
    }
    const inside = c.movebar.contains(document.activeElement) ? document.activeElement : null;
    const focusedKey = inside ? inside.dataset.categoryId : undefined;
    const cancelFocused = inside ? inside.dataset.action === "cancel" : false;
    c.movebar.replaceChildren(make("span", { class: "sort-movebar-label", text: "Move to:" }));
    const targets = targetList(id).filter((t) => t !== areaId);
    for (const t of targets) {
      const b = make("button", {
        type: "button",
        class: "sort-move" + (t === target ? " sort-move-target" : ""),
        "data-category-id": t,
        text: labelOf(t),
      });
      b.addEventListener("click", (ev) => {
        ev.stopPropagation();
        dropOn(id, t, true);
      });
      c.movebar.append(b);
      if (t === focusedKey) b.focus();
    }
    const cancel = make("button", {
      type: "button",
      class: "sort-move sort-cancel",
      "data-action": "cancel",
      text: "Cancel",
    });
    cancel.addEventListener("click", (ev) => {
      ev.stopPropagation();
      release(true);
      c.card.focus();
    });
    c.movebar.append(cancel);
    if (cancelFocused) cancel.focus();
  }

  // ---- actions ------------------------------------------------------------------------
  function send(request) {
    model.send(request);
  }

  function targetList(id) {
    const ids = categories.map((c) => c.id);
    return areaOf(id) === PILE ? ids : [PILE, ...ids];
  }

  function setCurrent(id) {
    if (current === id) return;
    current = id;
    for (const [cid, c] of cards) c.card.tabIndex = cid === id ? 0 : -1;
  }

  function focusCard(id) {
    const c = cards.get(id);
    if (!c) return;
    setCurrent(id);
    c.card.focus();
  }

  function pickUp(id) {
    if (mode() === "solution") {
      announce("The solution is showing. Choose Start again to sort the statements yourself.");
      return;
    }
    held = id;
    target = null;
    const n = categories.length;
    announce(
      `Picked up '${shortText(cards.get(id).item.text)}'. Press 1 to ${n}, or Left and Right ` +
        "then Enter, to choose a column. Escape cancels.",
    );
    update();
  }

  function release(say) {
    if (held === null) return;
    const id = held;
    held = null;
    target = null;
    if (say) announce(`Put back '${shortText(cards.get(id).item.text)}'.`);
    if (say) update();
  }

  function toggleHold(id) {
    if (held === id) {
      if (target !== null) dropOn(id, target, true);
      else release(true);
    } else {
      pickUp(id);
    }
  }

  // Ask Python to move a card; choose the next focus now, so quick typists keep going.
  function dropOn(id, areaId, moveFocus) {
    const from = areaOf(id);
    held = null;
    target = null;
    if (areaId === from) {
      announce(`'${shortText(cards.get(id).item.text)}' stays in ${labelOf(from)}.`);
      update();
      return;
    }
    if (moveFocus) {
      if (from === PILE) {
        const pile = [...areas.get(PILE).list.children].map((e) => e.dataset.itemId);
        const at = pile.indexOf(id);
        const next = pile[at + 1] ?? pile[at - 1];
        if (next) {
          focusCard(next);
        } else {
          pendingFocus = { card: id };
          focusCard(id);
        }
      } else {
        pendingFocus = { card: id };
        focusCard(id);
      }
    }
    if (areaId === PILE) send({ action: "unplace", item: id });
    else send({ action: "place", item: id, category: areaId });
    update();
  }

  function moveTarget(id, step) {
    const list = targetList(id);
    const here = areaOf(id);
    let at = list.indexOf(target ?? here);
    if (at === -1) at = step > 0 ? -1 : list.length;
    at = (at + step + list.length) % list.length;
    target = list[at];
    const label = labelOf(target);
    const position = target === PILE ? "" : ` (${categories.findIndex((c) => c.id === target) + 1} of ${categories.length})`;
    const note = target === here ? " It is already here." : " Press Enter to drop it here.";
    announce(`${label}${position}.${note}`);
    update();
  }

  // ---- keyboard ---------------------------------------------------------------------
  function onCardKey(ev, id) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const key = ev.key;
    const order = visualOrder();
    const at = order.indexOf(id);
    let handled = true;
    if (key === "ArrowDown" || key === "ArrowUp") {
      const next = order[at + (key === "ArrowDown" ? 1 : -1)];
      if (next) focusCard(next);
    } else if (key === "Home") {
      focusCard(order[0]);
    } else if (key === "End") {
      focusCard(order[order.length - 1]);
    } else if (/^[0-9]$/.test(key)) {
      const n = Number(key);
      if (n === 0) dropOn(id, PILE, true);
      else if (n <= categories.length) dropOn(id, categories[n - 1].id, true);
      else announce(`There is no column ${n}. Press 1 to ${categories.length}, or 0 to take it out.`);
    } else if (key === "Delete" || key === "Backspace") {
      dropOn(id, PILE, true);
    } else if (key === "Enter" || key === " ") {
      toggleHold(id);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && held === id) {
      moveTarget(id, key === "ArrowRight" ? 1 : -1);
    } else if (key === "Escape" && held !== null) {
      release(true);
    } else {
      handled = false;
    }
    if (handled) ev.preventDefault();
  }

  function onAreaKey(ev, areaId) {
    if (ev.target !== areas.get(areaId).box) return; // keys on its cards are theirs
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      if (held !== null) {
        dropOn(held, areaId, true);
      } else {
        const first = areas.get(areaId).list.firstElementChild;
        if (first) focusCard(first.dataset.itemId);
        else announce(`${labelOf(areaId)} is empty.`);
      }
    } else if (ev.key === "ArrowDown") {
      const first = areas.get(areaId).list.firstElementChild;
      if (first) {
        ev.preventDefault();
        focusCard(first.dataset.itemId);
      }
    } else if (ev.key === "Escape" && held !== null) {
      ev.preventDefault();
      release(true);
    }
  }

  // ---- pointer ----------------------------------------------------------------------
  function onAreaClick(ev, areaId) {
    if (held === null) return;
    if (ev.target.closest(".sort-entry")) return; // clicks on cards are the cards'
    dropOn(held, areaId, false);
  }

  function onDragOver(ev, areaId) {
    if (mode() === "solution") return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    areas.get(areaId).box.classList.add("sort-drag-over");
  }

  function onDrop(ev, areaId) {
    ev.preventDefault();
    areas.get(areaId).box.classList.remove("sort-drag-over");
    const id = ev.dataTransfer.getData("text/plain");
    if (cards.has(id)) dropOn(id, areaId, false);
  }

  // ---- wiring -----------------------------------------------------------------------
  function rebuild() {
    held = null;
    target = null;
    build();
    update();
  }
  for (const name of ["categories", "items", "label"]) model.on(`change:${name}`, rebuild);
  for (const name of ["placements", "feedback", "mode", "reveal_answers"]) {
    model.on(`change:${name}`, schedule);
  }
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
