// The coaching-conversation simulator. Python computes everything in `state`; this view draws
// it and sends requests with model.send({action: "choose", option} | {action: "continue" |
// "restart" | "save"}); it never sets a trait. Keyboard: the replies are a native radio group
// in a form (arrows choose, Enter sends); after replying, focus goes to Continue; on the
// teacher's next line or the ending, to its heading. The ownership meter is a role="meter"
// with its value and a sentence in text; stances are words, never colour alone.

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

function render({ model, el }) {
  const uid = `sim-${++boardCount}-${Math.random().toString(36).slice(2, 8)}`;
  const root = make("div", { class: "sim-board", role: "group" });
  const meterLabelId = `${uid}-meter-label`;
  const meterText = make("p", { class: "sim-meter-text" });
  const meterFill = make("span", { class: "sim-meter-fill" });
  const meter = make(
    "div",
    {
      class: "sim-meter",
      role: "meter",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-labelledby": meterLabelId,
    },
    [meterFill],
  );
  const meterBox = make("div", { class: "sim-meter-box" }, [
    make("p", { class: "sim-meter-label", id: meterLabelId }, [
      make("strong", { text: "Ownership" }),
      " (who is doing the thinking: 0 you, 100 the teacher)",
    ]),
    meter,
    make("div", { class: "sim-meter-scale", "aria-hidden": "true" }, [
      make("span", { text: "You" }),
      make("span", { text: "Shared" }),
      make("span", { text: "The teacher" }),
    ]),
    meterText,
  ]);
  const transcript = make("ol", { class: "sim-transcript", "aria-label": "The conversation so far" });
  const stage = make("div", { class: "sim-stage" });
  const saveBox = make("div", { class: "sim-save-box" });
  const live = make("div", { class: "sim-live", role: "status", "aria-live": "polite" });
  root.append(meterBox, transcript, stage, saveBox, live);
  el.appendChild(root);
  let previous = null;
  let renders = 0;
  let pendingDraft = ""; // what the trainee has typed: kept across redraws and refusals

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

  function line(who, name, text, extra) {
    return make("li", { class: "sim-line", "data-who": who }, [
      make("p", { class: "sim-speaker", text: name }),
      extra && extra.context ? make("p", { class: "sim-context", text: extra.context }) : null,
      make("p", { class: "sim-words", text: `\u201c${text}\u201d` }),
      extra && extra.stance ? make("p", { class: "sim-stance-tag", text: `Stance: ${extra.stance}` }) : null,
    ]);
  }

  function drawMeter(state) {
    const m = state.meter || { value: 50, text: "" };
    meter.setAttribute("aria-valuenow", String(m.value));
    meter.setAttribute("aria-valuetext", m.text);
    meterFill.style.width = `${m.value}%`;
    meterText.textContent = m.text;
  }

  function drawTranscript(state) {
    transcript.replaceChildren();
    const lines = state.phase === "ended" ? [] : state.transcript || [];
    // in the feedback phase the last two lines are the current exchange, drawn on the stage
    const shown = state.phase === "feedback" ? lines.slice(0, -2) : lines;
    for (const l of shown) {
      if (l.who === "teacher") transcript.append(line("teacher", state.teacher, l.text, { context: l.context }));
      else transcript.append(line("you", "You", l.text, { stance: l.stance_label }));
    }
    transcript.hidden = shown.length === 0;
  }

  function drawOwn(own, feedback) {
    const box = make("div", { class: "sim-own" }, [
      make("p", {}, [make("strong", { text: "Your own words: " }), `\u201c${own.text}\u201d`]),
    ]);
    if (feedback && !feedback.expert) {
      box.append(make("p", {}, [make("strong", { text: "The expert's reply: " }), `\u201c${feedback.expert_text}\u201d`]));
    }
    if (!feedback) {
      const notes = make("ul", { class: "sim-own-notes", "aria-label": "What the wording of your reply suggests" });
      for (const n of own.notes || []) notes.append(make("li", { text: n }));
      box.append(make("p", { class: "sim-own-title", text: "What the wording suggests:" }), notes, make("p", { class: "sim-own-caveat", text: own.caveat }));
    }
    return box;
  }

  function drawDraft(state, heading, says) {
    const id = `${uid}-draft-${renders}`;
    const area = make("textarea", {
      class: "sim-draft-text",
      id,
      rows: "3",
      maxlength: String((state.draft_max || 1000) * 2),
      "data-key": "draft-text",
    });
    area.value = pendingDraft;
    area.addEventListener("input", () => {
      pendingDraft = area.value;
    });
    const form = make("form", { class: "sim-draft" }, [
      make("label", { for: id, class: "sim-draft-label", text: "Before you see any replies: what would you say? Write it as you would say it." }),
      area,
      make("button", { type: "submit", class: "sim-button sim-draft-submit", "data-key": "draft", text: "Compare my reply" }),
    ]);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      model.send({ action: "draft", text: area.value });
    });
    stage.replaceChildren(heading, says, form);
  }

  function drawNode(state) {
    const node = state.node;
    const feedback = state.feedback;
    const heading = make("h4", {
      class: "sim-says-title",
      tabindex: "-1",
      "data-key": "says",
      text: `${state.teacher} says:`,
    });
    const says = make("div", { class: "sim-line sim-current", "data-who": "teacher" }, [
      node.context ? make("p", { class: "sim-context", text: node.context }) : null,
      make("p", { class: "sim-words", text: `\u201c${node.text}\u201d` }),
    ]);
    if (state.draft_needed) {
      drawDraft(state, heading, says);
      return;
    }
    pendingDraft = "";
    const form = make("form", { class: "sim-form" });
    const fieldset = make("fieldset", { class: "sim-options", disabled: Boolean(feedback) }, [
      make("legend", { text: feedback ? "Your reply" : "How do you reply?" }),
    ]);
    node.options.forEach((o, i) => {
      const id = `${uid}-o-${renders}-${i}`;
      const input = make("input", {
        type: "radio",
        class: "sim-option-input",
        name: `${uid}-${renders}`,
        id,
        value: o.id,
        "data-key": `option-${o.id}`,
      });
      input.checked = state.chosen === o.id;
      fieldset.append(
        make("div", { class: "sim-option", "data-option-id": o.id, "data-chosen": state.chosen === o.id ? "true" : null }, [
          input,
          make("label", { for: id, text: o.text }),
        ]),
      );
    });
    form.append(fieldset);
    if (!feedback) {
      form.append(make("button", { type: "submit", class: "sim-button sim-choose", "data-key": "choose", text: "Reply" }));
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (feedback) return;
      const picked = form.querySelector("input:checked");
      if (!picked) {
        announce("Choose one of the replies first (arrow keys move between them).", "error");
        form.querySelector("input")?.focus();
        return;
      }
      model.send({ action: "choose", option: picked.value });
    });
    const parts = [heading, says, state.own ? drawOwn(state.own, feedback) : null, form].filter(Boolean);
    if (feedback) {
      const delta = feedback.delta > 0 ? `+${feedback.delta}` : String(feedback.delta);
      parts.push(
        make("div", { class: "sim-feedback", "data-stance": feedback.stance, "data-expert": feedback.expert ? "true" : "false" }, [
          make("p", { class: "sim-feedback-stance" }, [
            make("strong", { text: `Stance: ${feedback.stance_label}` }),
            ` \u2014 ${feedback.stance_gloss}.`,
          ]),
          make("p", { class: "sim-feedback-expert", text: feedback.expert ? "\u2714 The expert reply." : "Not the expert reply: see the debrief at the end." }),
          make("p", { class: "sim-feedback-delta", text: `Ownership ${delta}.` }),
          make("p", { class: "sim-why", text: feedback.why }),
          make("p", { class: "sim-sources", text: feedback.sources_text }),
        ]),
      );
      const next = make("button", {
        type: "button",
        class: "sim-button sim-continue",
        "data-key": "continue",
        text: state.leads_to_ending ? "See the debrief" : "Continue",
      });
      next.addEventListener("click", () => model.send({ action: "continue" }));
      parts.push(next);
    }
    stage.replaceChildren(...parts);
  }

  function drawEnding(state) {
    const ending = state.ending;
    const d = state.debrief || {};
    const parts = [
      make("h4", { class: "sim-ending-title", tabindex: "-1", "data-key": "ending", text: `Ending: ${ending.title}` }),
      make("p", { class: "sim-debrief", text: ending.debrief }),
      make("p", { class: "sim-summary", text: d.summary || "" }),
      make("h5", { class: "sim-debrief-title", text: "Your stance mix" }),
      make("p", { class: "sim-mix-text", text: d.mix_text || "" }),
    ];
    const chart = make("ul", { class: "sim-mix", "aria-label": "Your stance mix as bars" });
    for (const m of d.mix || []) {
      chart.append(
        make("li", { class: "sim-mix-row", "data-stance": m.stance }, [
          make("span", { class: "sim-mix-label", text: m.label }),
          make("span", { class: "sim-mix-track", "aria-hidden": "true" }, [
            make("span", { class: "sim-mix-bar", style: `width: ${m.percent}%` }),
          ]),
          make("span", { class: "sim-mix-count", text: `${m.count} (${m.percent}%)` }),
        ]),
      );
    }
    parts.push(chart, make("h5", { class: "sim-debrief-title", text: "Your replies beside the expert's" }));
    const rows = make("ol", { class: "sim-compare" });
    for (const r of d.rows || []) {
      const li = make("li", { class: "sim-compare-row", "data-same": r.same ? "true" : "false" }, [
        make("p", {}, [make("strong", { text: `${state.teacher}: ` }), `\u201c${r.says}\u201d`]),
        r.own ? make("p", { class: "sim-compare-own" }, [make("strong", { text: "Your own words: " }), `\u201c${r.own}\u201d`]) : null,
        make("p", {}, [make("strong", { text: "You chose: " }), `\u201c${r.you}\u201d (${r.you_stance})`]),
      ]);
      if (r.same) li.append(make("p", { class: "sim-same", text: "\u2714 The expert's reply too." }));
      else {
        li.append(
          make("p", {}, [make("strong", { text: "Expert: " }), `\u201c${r.expert}\u201d (${r.expert_stance})`]),
          make("p", { class: "sim-why", text: r.expert_why }),
          make("p", { class: "sim-sources", text: r.sources_text }),
        );
      }
      rows.append(li);
    }
    parts.push(rows);
    if (!d.on_expert_path) {
      parts.push(make("h5", { class: "sim-debrief-title", text: "The expert path" }));
      const path = make("ol", { class: "sim-expert-path" });
      for (const step of d.expert_path || []) {
        path.append(
          make("li", {}, [
            make("p", {}, [make("strong", { text: `${state.teacher}: ` }), `\u201c${step.says}\u201d`]),
            make("p", {}, [make("strong", { text: "Expert: " }), `\u201c${step.reply}\u201d (${step.stance_label})`]),
          ]),
        );
      }
      path.append(make("li", {}, [make("strong", { text: "Ending: " }), d.expert_ending || ""]));
      parts.push(path);
    }
    const again = make("button", { type: "button", class: "sim-button sim-restart", "data-key": "restart", text: "Start again" });
    again.addEventListener("click", () => model.send({ action: "restart" }));
    parts.push(again);
    stage.replaceChildren(...parts);
  }

  function drawSave(state) {
    saveBox.replaceChildren();
    if (!state.unsaved) return;
    const n = state.unsaved;
    const button = make("button", { type: "button", class: "sim-button sim-save", "data-key": "save", text: "Save again" });
    button.addEventListener("click", () => model.send({ action: "save" }));
    saveBox.append(
      make("p", { class: "sim-unsaved", text: `\u26a0 ${n === 1 ? "1 reply is" : `${n} replies are`} not saved yet.` }),
      button,
    );
  }

  function draw() {
    const state = model.get("state") || {};
    renders += 1;
    const active = root.contains(document.activeElement) ? document.activeElement : null;
    const keepKey = active ? active.dataset.key : null;
    root.setAttribute("aria-label", model.get("label") || "Conversation simulator");
    root.dataset.phase = state.phase || "";
    drawMeter(state);
    drawTranscript(state);
    if (state.phase === "ended") drawEnding(state);
    else if (state.node) drawNode(state);
    drawSave(state);

    let want = null;
    const moved =
      previous &&
      (previous.phase !== state.phase || previous.decision !== state.decision || previous.run !== state.run);
    const drafted = previous && previous.draftNeeded && !state.draft_needed && state.phase === "choosing";
    if (drafted) want = root.querySelector(".sim-option-input");
    if (moved) {
      if (state.phase === "feedback") want = root.querySelector(".sim-continue");
      else if (state.phase === "ended") want = root.querySelector(".sim-ending-title");
      else if (state.phase === "choosing") want = root.querySelector(".sim-says-title");
    }
    if (!want && keepKey) want = root.querySelector(`[data-key="${keepKey}"]`);
    if (!want && active && !active.isConnected) want = root.querySelector(".sim-says-title, .sim-ending-title");
    if (want) want.focus();
    previous = { phase: state.phase, decision: state.decision, run: state.run, draftNeeded: Boolean(state.draft_needed) };
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
