// Live count for the segment form: re-asks the server (debounced) whenever a filter changes.
const box = document.getElementById("segment-count");
const form = box && document.getElementById(box.dataset.form);

function render(data) {
  const fmt = (n) => n.toLocaleString("en-GB");
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-list--bullet govuk-body-s";
  for (const item of data.excluded.length ? data.excluded : [{ label: "Nobody", count: null }]) {
    const li = document.createElement("li");
    li.textContent = item.count === null ? item.label : `${item.label}: ${fmt(item.count)}`;
    list.append(li);
  }
  const lead = document.createElement("p");
  lead.className = "govuk-body govuk-!-margin-bottom-1";
  const strong = document.createElement("span");
  strong.className = "cg-count__number";
  strong.textContent = fmt(data.eligible);
  lead.append(strong, " people can be emailed");
  const detail = document.createElement("p");
  detail.className = "govuk-body-s";
  detail.textContent = `Filters match ${fmt(data.matched)}; ${fmt(data.excluded_total)} left out:`;
  box.replaceChildren(lead, detail, list);
}

let timer;
let latest = 0;
async function update() {
  const ticket = ++latest;
  const params = new URLSearchParams(new FormData(form));
  params.delete("csrfmiddlewaretoken");
  try {
    const response = await fetch(`${box.dataset.countUrl}?${params}`, { headers: { Accept: "application/json" } });
    if (ticket !== latest) return;
    if (!response.ok) {
      box.replaceChildren(Object.assign(document.createElement("p"), {
        className: "govuk-body", textContent: "Check the filters: one of them is not valid.",
      }));
      return;
    }
    render(await response.json());
  } catch {
    // Offline or the server is restarting: keep the last count rather than show an error.
  }
}

if (form) {
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(update, 250); });
  update();
}
