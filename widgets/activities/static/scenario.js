// A branching case study. Python computes everything in `state`; this view draws it and sends
// requests with model.send({action: "choose", option} | {action: "continue" | "restart" |
// "save"}); it never sets a trait. Keyboard: the options are a native radio group in a form
// (arrows choose, Enter submits); after choosing, focus goes to Continue; on a new situation or
// the ending, to its heading. Quality is said in words and a mark, never by colour alone.

const ICONS = { ok: "\u2714 ", error: "\u26a0 ", info: "" };
const MARKS = { best: "\u2714 ", acceptable: "\u2248 ", poor: "\u2718 " };
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

function render({ model, el }) {
  const uid = `scenario-${++boardCount}-${Math.random().toString(36).slice(2, 8)}`;
  const root = make("div", { class: "scenario-board", role: "group" });
  const pathBox = make("section", { class: "scenario-path" });
  const stage = make("div", { class: "scenario-stage" });
  const saveBox = make("div", { class: "scenario-save-box" });
  const live = make("div", { class: "scenario-live", role: "status", "aria-live": "polite" });
  root.append(pathBox, stage, saveBox, live);
  el.appendChild(root);
  let previous = null; // the last drawn state's {phase, decision, run}
  let renders = 0;

  let announceToken = 0;
  function announce(text, tone = "info") {
    const full = text ? (ICONS[tone] || "") + text : "";
    live.dataset.tone = tone;
    const token = ++announceToken;
    if (live.textContent === full && full) {
      live.textContent = "";
      setTimeout(() => {
        if (token === announceToken) live.textContent = full;
      }, 60);
    } else {
      live.textContent = full;
    }
  }

  function drawPath(state) {
    // at the ending the comparison below lists every choice: no need to list them twice
    const steps = state.phase === "ended" ? [] : state.path || [];
    pathBox.replaceChildren();
    pathBox.hidden = steps.length === 0;
    if (!steps.length) return;
    const titleId = `${uid}-path`;
    pathBox.setAttribute("aria-labelledby", titleId);
    pathBox.append(make("h4", { class: "scenario-path-title", id: titleId, text: "Your path so far" }));
    const list = make("ol", { class: "scenario-path-list" });
    for (const s of steps) {
      list.append(
        make("li", { class: "scenario-path-step", "data-quality": s.quality }, [
          make("span", { class: "scenario-path-node", text: `${s.title}: ` }),
          `you chose \u201c${s.option}\u201d `,
          make("span", { class: "scenario-quality-tag", text: `(${MARKS[s.quality]}${s.quality_label})` }),
        ]),
      );
    }
    pathBox.append(list);
  }

  function drawNode(state) {
    const node = state.node;
    const feedback = state.feedback;
    const heading = make("h4", {
      class: "scenario-situation-title",
      tabindex: "-1",
      "data-key": "situation",
      text: node.title || `Decision ${state.decision}`,
    });
    const text = make("p", { class: "scenario-situation", text: node.text });
    const form = make("form", { class: "scenario-form" });
    const legendId = `${uid}-legend-${renders}`;
    const fieldset = make("fieldset", { class: "scenario-options", disabled: Boolean(feedback) }, [
      make("legend", { id: legendId, text: feedback ? "Your choice" : "What do you do?" }),
    ]);
    node.options.forEach((o, i) => {
      const id = `${uid}-o-${renders}-${i}`;
      const input = make("input", {
        type: "radio",
        class: "scenario-option-input",
        name: `${uid}-${renders}`,
        id,
        value: o.id,
        "data-key": `option-${o.id}`,
      });
      input.checked = state.chosen === o.id;
      fieldset.append(
        make("div", { class: "scenario-option", "data-option-id": o.id, "data-chosen": state.chosen === o.id ? "true" : null }, [
          input,
          make("label", { for: id }, [
            // lettered as the facilitator's dashboard names them
            make("span", { class: "scenario-option-letter", text: `${String.fromCharCode(65 + i)}.` }),
            ` ${o.text}`,
          ]),
        ]),
      );
    });
    form.append(fieldset);
    if (!feedback) {
      form.append(
        make("button", { type: "submit", class: "scenario-button scenario-choose", "data-key": "choose", text: "Choose" }),
      );
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (feedback) return;
      const picked = form.querySelector("input:checked");
      if (!picked) {
        announce("Choose one of the options first (arrow keys move between them).", "error");
        form.querySelector("input")?.focus();
        return;
      }
      model.send({ action: "choose", option: picked.value });
    });
    const parts = [heading, text, form];
    if (feedback) {
      const box = make("div", { class: "scenario-feedback", "data-quality": feedback.quality }, [
        make("p", { class: "scenario-quality" }, [
          make("span", { class: "scenario-quality-mark", "aria-hidden": "true", text: MARKS[feedback.quality] }),
          feedback.quality_label + ".",
        ]),
        make("p", { class: "scenario-why", text: feedback.why }),
        make("p", { class: "scenario-sources", text: feedback.sources_text }),
      ]);
      const next = make("button", {
        type: "button",
        class: "scenario-button scenario-continue",
        "data-key": "continue",
        text: state.leads_to_ending ? "See how it ends" : "Continue",
      });
      next.addEventListener("click", () => model.send({ action: "continue" }));
      parts.push(box, next);
    }
    stage.replaceChildren(...parts);
  }

  function drawEnding(state) {
    const ending = state.ending;
    const debrief = state.debrief || {};
    const parts = [
      make("h4", {
        class: "scenario-ending-title",
        tabindex: "-1",
        "data-key": "ending",
        text: `Ending: ${ending.title}`,
      }),
      make("p", { class: "scenario-debrief", text: ending.debrief }),
      make("p", { class: "scenario-summary", text: debrief.summary || "" }),
      make("h5", { class: "scenario-compare-title", text: "Your choices beside the best ones" }),
    ];
    const compare = make("ol", { class: "scenario-compare" });
    for (const row of debrief.rows || []) {
      const li = make("li", { class: "scenario-compare-row", "data-same": row.same ? "true" : "false" }, [
        make("p", { class: "scenario-compare-node", text: row.title }),
        make("p", {}, [
          make("strong", { text: "You chose: " }),
          `\u201c${row.option}\u201d `,
          make("span", { class: "scenario-quality-tag", text: `(${MARKS[row.quality]}${row.quality_label})` }),
        ]),
      ]);
      if (!row.same) {
        li.append(
          make("p", {}, [make("strong", { text: "Best: " }), `\u201c${row.best}\u201d`]),
          make("p", { class: "scenario-why", text: row.best_why }),
          make("p", { class: "scenario-sources", text: row.sources_text }),
        );
      }
      compare.append(li);
    }
    parts.push(compare);
    if (!debrief.on_best_path) {
      parts.push(make("h5", { class: "scenario-compare-title", text: "The best path" }));
      const best = make("ol", { class: "scenario-best-path" });
      for (const step of debrief.best_path || []) {
        best.append(make("li", {}, [make("strong", { text: `${step.title}: ` }), step.option]));
      }
      best.append(make("li", {}, [make("strong", { text: "Ending: " }), debrief.best_ending || ""]));
      parts.push(best);
    }
    const again = make("button", {
      type: "button",
      class: "scenario-button scenario-restart",
      "data-key": "restart",
      text: "Start again",
    });
    again.addEventListener("click", () => model.send({ action: "restart" }));
    parts.push(again);
    stage.replaceChildren(...parts);
  }

  function drawSave(state) {
    saveBox.replaceChildren();
    if (!state.unsaved) return;
    const n = state.unsaved;
    const button = make("button", {
      type: "button",
      class: "scenario-button scenario-save",
      "data-key": "save",
      text: "Save again",
    });
    button.addEventListener("click", () => model.send({ action: "save" }));
    saveBox.append(
      make("p", { class: "scenario-unsaved", text: `\u26a0 ${n === 1 ? "1 choice is" : `${n} choices are`} not saved yet.` }),
      button,
    );
  }

  function draw() {
    const state = model.get("state") || {};
    renders += 1;
    const active = root.contains(document.activeElement) ? document.activeElement : null;
    const keepKey = active ? active.dataset.key : null;
    root.setAttribute("aria-label", model.get("label") || "Scenario");
    root.dataset.phase = state.phase || "";
    drawPath(state);
    if (state.phase === "ended") drawEnding(state);
    else if (state.node) drawNode(state);
    drawSave(state);

    // focus: follow the learner through the story; otherwise keep what had it
    let want = null;
    const moved =
      previous &&
      (previous.phase !== state.phase || previous.decision !== state.decision || previous.run !== state.run);
    if (moved) {
      if (state.phase === "feedback") want = root.querySelector(".scenario-continue");
      else if (state.phase === "ended") want = root.querySelector(".scenario-ending-title");
      else if (state.phase === "choosing") want = root.querySelector(".scenario-situation-title");
    }
    if (!want && keepKey) want = root.querySelector(`[data-key="${keepKey}"]`);
    if (!want && active && !active.isConnected) want = root.querySelector(".scenario-situation-title, .scenario-ending-title");
    if (want) want.focus();
    previous = { phase: state.phase, decision: state.decision, run: state.run };
  }

  model.on("change:state", draw);
  model.on("change:label", draw);
  model.on("change:status", () => {
    const status = model.get("status") || {};
    announce(status.text || "", status.tone || "info");
  });
  draw();
  const status = model.get("status") || {};
  if (status.text) {
    live.dataset.tone = status.tone || "info";
    live.textContent = (ICONS[status.tone] || "") + status.text;
  }
}

export default { render };
