// Draws the dashboard's charts from the JSON the page carries (json_script, no inline code).
// The same numbers are in the tables next to each chart; suppressed cells are gaps.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const months = document.getElementById("chart-identified");
  if (months) {
    new Chart(months, {
      type: "bar",
      data: { labels: data.months, datasets: [{ label: months.dataset.label, data: data.identified }] },
      options: { animation: false, plugins: { legend: { display: false } } },
    });
  }
  const audiences = document.getElementById("chart-audiences");
  if (audiences) {
    new Chart(audiences, {
      type: "bar",
      data: {
        labels: data.audiences.labels,
        datasets: [{ label: audiences.dataset.label, data: data.audiences.values }],
      },
      options: { animation: false, indexAxis: "y", plugins: { legend: { display: false } } },
    });
  }
});
