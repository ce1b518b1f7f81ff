// A Likert grid as native radio groups: one fieldset per statement, arrow keys move within
// a group and Tab moves between groups, as every browser and screen reader expects. The Save
// button is a native button after the groups (Tab reaches it, Enter or Space presses it).
function render({ model, el }) {
  const form = document.createElement("form");
  form.className = "course-likert";
  form.addEventListener("submit", (e) => e.preventDefault());
  const uid = "lk" + Math.random().toString(36).slice(2, 8);
  const scale = model.get("scale");
  const groups = {};
  // The page is the source of truth for what is chosen: every rating is read from the
  // inputs, so quick successive choices never build on a value the kernel has yet to echo.
  const current = () => {
    const values = {};
    for (const [sid, fs] of Object.entries(groups)) {
      const chosen = fs.querySelector("input:checked");
      if (chosen) values[sid] = Number(chosen.value);
    }
    return values;
  };
  model.get("statements").forEach((st, n) => {
    const fs = document.createElement("fieldset");
    fs.className = "course-likert-item";
    fs.dataset.statementId = st.id;
    const legend = document.createElement("legend");
    legend.textContent = `${n + 1}. ${st.text}`;
    fs.appendChild(legend);
    const row = document.createElement("div");
    row.className = "course-likert-options";
    scale.forEach((label, i) => {
      const value = i + 1;
      const id = `${uid}-${n}-${value}`;
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `${uid}-${st.id}`;
      input.id = id;
      input.value = String(value);
      input.addEventListener("change", () => {
        model.set("values", current());
        model.save_changes();
      });
      const lab = document.createElement("label");
      lab.htmlFor = id;
      lab.textContent = label;
      const cell = document.createElement("span");
      cell.className = "course-likert-option";
      cell.append(input, lab);
      row.appendChild(cell);
    });
    fs.appendChild(row);
    groups[st.id] = fs;
    form.appendChild(fs);
  });
  // Ratings come from the kernel only when the page is built (resume); after that the inputs
  // lead, so a late echo of an earlier value cannot undo the rating the learner just chose.
  const values = model.get("values") || {};
  for (const [sid, fs] of Object.entries(groups)) {
    for (const input of fs.querySelectorAll("input")) {
      input.checked = values[sid] === Number(input.value);
    }
  }
  // Save sends the ratings with the request: a separate button widget's click could reach
  // the kernel before the last rating change, which ipywidgets holds back.
  const save = document.createElement("button");
  save.type = "button";
  save.className = "course-save jupyter-button mod-primary";
  save.textContent = "Save my ratings";
  save.addEventListener("click", () => model.send({ action: "save", values: current() }));
  form.appendChild(save);
  el.appendChild(form);
}

export default { render };
