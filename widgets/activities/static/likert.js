// A Likert grid as native radio groups: one fieldset per statement, arrow keys move within
// a group and Tab moves between groups, as every browser and screen reader expects.
function render({ model, el }) {
  const form = document.createElement("form");
  form.className = "course-likert";
  form.addEventListener("submit", (e) => e.preventDefault());
  const uid = "lk" + Math.random().toString(36).slice(2, 8);
  const scale = model.get("scale");
  const groups = {};
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
        const values = Object.assign({}, model.get("values"));
        values[st.id] = value;
        model.set("values", values);
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
  const sync = () => {
    const values = model.get("values");
    for (const [sid, fs] of Object.entries(groups)) {
      for (const input of fs.querySelectorAll("input")) {
        input.checked = values[sid] === Number(input.value);
      }
    }
  };
  model.on("change:values", sync);
  sync();
  el.appendChild(form);
}

export default { render };
