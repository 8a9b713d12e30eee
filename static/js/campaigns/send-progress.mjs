// Live progress for a send: polls the JSON endpoint every 2 seconds while the send is running.
const box = document.getElementById("send-progress");
const ACTIVE = new Set(["sending", "scheduled", "paused"]);

function seconds(n) {
  if (!n) return "—";
  if (n < 90) return `about ${n} seconds`;
  if (n < 5400) return `about ${Math.round(n / 60)} minutes`;
  return `about ${Math.round(n / 3600)} hours`;
}

async function poll() {
  try {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) return schedule();
    const data = await response.json();
    const set = (name, value) => document.querySelectorAll(`[data-progress-field="${name}"]`)
      .forEach((el) => { el.textContent = value; });
    set("sent", data.sent.toLocaleString("en-GB"));
    set("failed", data.failed.toLocaleString("en-GB"));
    set("skipped", data.skipped.toLocaleString("en-GB"));
    set("remaining", data.remaining.toLocaleString("en-GB"));
    set("rate_per_minute", Math.round(data.rate_per_minute).toLocaleString("en-GB"));
    set("finishes_in", seconds(data.finishes_in_seconds));
    set("status_label", data.status_label);
    const bar = box.querySelector("[data-progress-bar]");
    bar.className = `cg-bar__fill ${data.bar_class}`;
    bar.parentElement.setAttribute("aria-valuenow", String(data.percent));
    if (ACTIVE.has(data.status)) schedule();
  } catch {
    schedule();
  }
}

function schedule() { setTimeout(poll, 2000); }

if (box && ACTIVE.has(box.dataset.status)) schedule();
