// Knowledge-check questions as native fieldsets of radio buttons or checkboxes: long
// options wrap cleanly, arrow keys work within a radio group, legends label each group.
function render({ model, el }) {
  const form = document.createElement("form");
  form.className = "course-choice";
  form.addEventListener("submit", (e) => e.preventDefault());
  const uid = "ch" + Math.random().toString(36).slice(2, 8);
  const blocks = {};
  model.get("questions").forEach((q, n) => {
    const fs = document.createElement("fieldset");
    fs.className = "course-choice-question";
    fs.dataset.questionId = q.id;
    const legend = document.createElement("legend");
    legend.textContent = `${n + 1}. ${q.prompt}`;
    fs.appendChild(legend);
    if (q.hint) {
      const hint = document.createElement("p");
      hint.className = "course-choice-hint";
      hint.textContent = q.hint;
      fs.appendChild(hint);
    }
    q.options.forEach((o, i) => {
      const id = `${uid}-${n}-${i}`;
      const input = document.createElement("input");
      input.type = q.multiple ? "checkbox" : "radio";
      input.name = `${uid}-${q.id}`;
      input.id = id;
      input.value = o.id;
      input.addEventListener("change", () => {
        // The page is the source of truth for what is ticked: build every answer from the
        // inputs, so quick successive ticks never rebuild on a value the kernel has yet to echo.
        const values = {};
        for (const [qid, block] of Object.entries(blocks)) {
          values[qid] = [...block.fs.querySelectorAll("input")].filter((x) => x.checked).map((x) => x.value);
        }
        model.set("values", values);
        model.save_changes();
      });
      const label = document.createElement("label");
      label.htmlFor = id;
      // lettered as the facilitator's dashboard names them (A + C)
      const letter = document.createElement("span");
      letter.className = "course-choice-letter";
      letter.textContent = `${String.fromCharCode(65 + i)}.`;
      label.append(letter, " ", o.text);
      const row = document.createElement("div");
      row.className = "course-choice-option";
      row.append(input, label);
      fs.appendChild(row);
    });
    const feedback = document.createElement("div");
    feedback.className = "course-feedback";
    fs.appendChild(feedback);
    blocks[q.id] = { fs, feedback };
    form.appendChild(fs);
  });

  const syncValues = () => {
    const values = model.get("values");
    for (const [qid, { fs }] of Object.entries(blocks)) {
      const chosen = values[qid] || [];
      for (const input of fs.querySelectorAll("input")) input.checked = chosen.includes(input.value);
    }
  };
  const syncFeedback = () => {
    const all = model.get("feedback");
    for (const [qid, { feedback }] of Object.entries(blocks)) {
      feedback.replaceChildren();
      const f = all[qid];
      if (!f) continue;
      const box = document.createElement("div");
      box.className = "course-verdict";
      box.dataset.correct = String(f.correct);
      const head = document.createElement("p");
      const strong = document.createElement("strong");
      strong.textContent = f.correct ? "\u2714 Right. " : "\u2718 Not quite. ";
      head.append(strong, document.createTextNode(f.explanation));
      box.appendChild(head);
      if (f.notes && f.notes.length) {
        const ul = document.createElement("ul");
        for (const note of f.notes) {
          const li = document.createElement("li");
          const em = document.createElement("em");
          // say whose option it is: "Correct." under an option left unticked read as praise
          em.textContent = note.chosen
            ? `${note.letter} (you chose it) — `
            : `${note.letter} (a right answer you did not choose) — `;
          li.append(em, document.createTextNode(note.feedback));
          ul.appendChild(li);
        }
        box.appendChild(ul);
      }
      const src = document.createElement("p");
      src.className = "course-source";
      src.textContent = "Source: " + f.sources;
      box.appendChild(src);
      feedback.appendChild(box);
    }
  };
  // Answers come from the kernel only when the page is built (resume); after that the inputs
  // lead, so a late echo of an earlier value cannot untick what the learner just ticked.
  model.on("change:feedback", syncFeedback);
  const check = document.createElement("button");
  check.type = "button";
  check.className = "course-check jupyter-button mod-primary";
  // while a facilitator holds the answers back, the same button submits without feedback
  const label = () => {
    check.textContent = model.get("reveal_answers") === false ? "Submit answers" : "Check answers";
  };
  model.on("change:reveal_answers", label);
  label();
  check.addEventListener("click", () => {
    const values = {};
    for (const [qid, block] of Object.entries(blocks)) {
      values[qid] = [...block.fs.querySelectorAll("input")].filter((x) => x.checked).map((x) => x.value);
    }
    model.send({ action: "check", values });
  });
  form.appendChild(check);
  syncValues();
  syncFeedback();
  el.appendChild(form);
}

export default { render };
